//! Cross-site scripting: dangerous tags, event-handler attributes inside or
//! outside a tag, script URLs (`javascript:`, `data:text/html`, CSS `url()`
//! and `expression()`), JavaScript sinks (`alert(`, ``alert`1` ``,
//! `.call```), UTF-7 tags and client-side template expressions (`{{...}}`).
//!
//! Ordinary markup is not enough: `</a>`, `h2<h1` or `I <3 you` are not
//! payloads; a tag needs a dangerous name, an event handler or a script URL.

use crate::lexicon;
use crate::prefilter as class;
use crate::subject::{Findings, Subject};
use crate::{Confidence, Detector};

const CLASSES: u32 = class::LT
    | class::QUOTE
    | class::COLON
    | class::EQ
    | class::PAREN
    | class::BRACE
    | class::BACKTICK
    | class::PLUS;

/// Tags that run script, load content or change where the page points, by
/// their name alone.
const DANGEROUS_TAGS: &[&[u8]] = &[
    b"script",
    b"iframe",
    b"frame",
    b"frameset",
    b"object",
    b"embed",
    b"applet",
    b"svg",
    b"math",
    b"base",
    b"meta",
    b"link",
    b"import",
    b"?import",
    b"isindex",
    b"form",
    b"dialog",
    b"portal",
    b"xml",
    b"style",
    b"template",
    b"xss",
    b"noscript",
    b"marquee",
    b"animate",
    b"set",
    b"handler",
    b"listener",
    b"vmlframe",
    b"layer",
    b"ilayer",
    b"bgsound",
    b"xmp",
    b"plaintext",
];

/// Attributes that take a URL, where a `javascript:` or `data:` URL runs.
const URL_ATTRIBUTES: &[&[u8]] = &[
    b"href",
    b"src",
    b"action",
    b"formaction",
    b"data",
    b"background",
    b"dynsrc",
    b"lowsrc",
    b"poster",
    b"xlink:href",
    b"code",
    b"codebase",
    b"srcdoc",
    b"to",
    b"from",
    b"values",
    b"by",
    b"implementation",
    b"content",
    b"style",
    b"srcset",
    b"ping",
    b"cite",
    b"longdesc",
    b"usemap",
];

/// Event handlers an analyst will recognize; others (`on` + letters) are
/// still handlers to a browser that knows them.
const EVENTS: &[&[u8]] = &[
    b"onload",
    b"onerror",
    b"onclick",
    b"onmouseover",
    b"onmouseout",
    b"onmouseenter",
    b"onmouseleave",
    b"onmousedown",
    b"onmouseup",
    b"onmousemove",
    b"onfocus",
    b"onfocusin",
    b"onfocusout",
    b"onblur",
    b"onchange",
    b"oninput",
    b"onsubmit",
    b"onkeyup",
    b"onkeydown",
    b"onkeypress",
    b"ontoggle",
    b"onstart",
    b"onfinish",
    b"onbegin",
    b"onend",
    b"onanimationstart",
    b"onanimationend",
    b"ontransitionend",
    b"onpageshow",
    b"onpopstate",
    b"onhashchange",
    b"onresize",
    b"onscroll",
    b"onwheel",
    b"ondrag",
    b"ondragstart",
    b"ondrop",
    b"oncopy",
    b"onpaste",
    b"oncut",
    b"onplay",
    b"onplaying",
    b"oncanplay",
    b"onloadstart",
    b"onprogress",
    b"onbeforeunload",
    b"onunload",
    b"onmessage",
    b"onpointerdown",
    b"onpointerover",
    b"onpointerenter",
    b"ontouchstart",
    b"ontouchend",
    b"onselect",
    b"onreadystatechange",
    b"onzoom",
    b"onactivate",
    b"onbeforeactivate",
    b"oncontextmenu",
    b"ondblclick",
    b"onauxclick",
    b"onsearch",
    b"oninvalid",
    b"onreset",
    b"onshow",
    b"onafterprint",
    b"onbeforeprint",
];

/// JavaScript functions that payloads call to prove or run script.
const SINK_CALLS: &[&[u8]] = &[
    b"alert",
    b"prompt",
    b"confirm",
    b"eval",
    b"settimeout",
    b"setinterval",
    b"atob",
    b"btoa",
    b"fromcharcode",
    b"execscript",
    b"write",
    b"writeln",
    b"unescape",
    b"showmodaldialog",
    b"import",
    b"fetch",
];

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    if !subject.scan.has(CLASSES) && !subject.scan.has_word(lexicon::JS_SINK) {
        return;
    }
    let lower = subject.lower;
    if subject.scan.has(class::LT) {
        tags(lower, subject, findings);
    }
    if findings.has(Detector::Xss, Confidence::High) {
        return;
    }
    if subject.scan.has(class::EQ) {
        attribute_injection(lower, subject, findings);
    }
    if subject.scan.has(class::COLON) || subject.scan.has(class::PAREN) {
        script_urls(lower, subject, findings);
    }
    if subject.scan.has(class::BRACE) {
        templates(lower, subject, findings);
    }
    if subject.scan.has(class::PAREN | class::BACKTICK) {
        sinks(lower, subject, findings);
    }
    if subject.scan.has(class::PLUS)
        && let Some(idx) = crate::patterns::find(lower, b"+adw-")
        && lower[idx + 5..].first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/')
    {
        findings.add_excerpt(
            Detector::Xss,
            Confidence::High,
            "UTF-7 encoded tag",
            &subject.text[idx..],
        );
    }
}

fn tags(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    for lt in memchr::memchr_iter(b'<', lower) {
        let Some(tag) = read_tag(lower, lt) else { continue };
        let evidence = &subject.text[lt..];
        if let Some(event) = event_in(&lower[tag.attrs_start..tag.end]) {
            let reason = if EVENTS.contains(&event) {
                "event handler in tag"
            } else {
                "on* attribute in tag"
            };
            findings.add_excerpt(Detector::Xss, Confidence::High, reason, evidence);
            return;
        }
        if script_url_attribute(&lower[tag.attrs_start..tag.end]) {
            findings.add_excerpt(Detector::Xss, Confidence::High, "script URL in tag", evidence);
            return;
        }
        let name = tag.name(lower);
        if DANGEROUS_TAGS.contains(&name) {
            let is_benign_form = matches!(name, b"form" | b"style" | b"set" | b"template" | b"xml")
                && tag.attrs_start == tag.end;
            let confidence = if is_benign_form { Confidence::Medium } else { Confidence::High };
            findings.add_excerpt(Detector::Xss, confidence, "dangerous tag", evidence);
            if confidence == Confidence::High {
                return;
            }
        } else if let Some(prefix) =
            DANGEROUS_TAGS.iter().find(|tag| name.starts_with(tag) && tag.len() >= 5)
        {
            // `<importimplementation=`, `<scriptsrc=`: a tag and an attribute
            // run together.
            if lower.get(tag.name_end) == Some(&b'=') && prefix.len() < name.len() {
                findings.add_excerpt(Detector::Xss, Confidence::Medium, "dangerous tag", evidence);
            }
        }
    }
}

/// A tag read after a `<`: its name and where its attributes are.
struct Tag {
    name_start: usize,
    name_end: usize,
    /// The name when written apart: with spaces between letters (`f o r m`)
    /// or after a namespace prefix and blanks (`x: script`).
    spaced: Option<Vec<u8>>,
    attrs_start: usize,
    end: usize,
}

impl Tag {
    fn name<'a>(&'a self, lower: &'a [u8]) -> &'a [u8] {
        if let Some(spaced) = &self.spaced {
            return spaced;
        }
        let name = &lower[self.name_start..self.name_end];
        // A namespace prefix (`x:script`) does not change what the tag does.
        match name.iter().rposition(|b| *b == b':') {
            Some(colon) => &name[colon + 1..],
            None => name,
        }
    }
}

fn read_tag(lower: &[u8], lt: usize) -> Option<Tag> {
    let mut idx = lt + 1;
    while lower.get(idx).is_some_and(|b| *b == b' ' || *b == b'/' || *b == b'\t') && idx < lt + 4 {
        idx += 1;
    }
    let name_start = idx;
    if lower.get(idx) == Some(&b'?') {
        idx += 1;
    }
    if !lower.get(idx).is_some_and(u8::is_ascii_alphabetic) {
        // `<"onfoo=` has no name; its attributes still count.
        if lower.get(idx).is_some_and(|b| *b == b'"' || *b == b'\'') {
            let end = tag_end(lower, idx);
            return Some(Tag {
                name_start,
                name_end: name_start,
                spaced: None,
                attrs_start: idx,
                end,
            });
        }
        return None;
    }
    while lower
        .get(idx)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_'))
    {
        idx += 1;
    }
    let name_end = idx;
    let mut spaced = None;
    // `< x: script`: a namespace prefix, then the name after blanks.
    if name_end > name_start && lower[name_end - 1] == b':' {
        let after = skip_spaces(lower, name_end);
        let len = lower[after..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if len > 0 {
            spaced = Some(lower[after..after + len].to_vec());
            idx = after + len;
        }
    }
    if spaced.is_none() && name_end - name_start == 1 && lower.get(idx) == Some(&b' ') {
        let mut letters = vec![lower[name_start]];
        let mut pos = idx;
        while lower.get(pos) == Some(&b' ')
            && lower.get(pos + 1).is_some_and(u8::is_ascii_alphabetic)
            && !lower.get(pos + 2).is_some_and(u8::is_ascii_alphabetic)
        {
            letters.push(lower[pos + 1]);
            pos += 2;
        }
        if letters.len() >= 3 {
            spaced = Some(letters);
            idx = pos;
        }
    }
    let end = tag_end(lower, idx);
    Some(Tag { name_start, name_end, spaced, attrs_start: idx, end })
}

/// The end of a tag's attributes: its `>` or the end of the text.
fn tag_end(lower: &[u8], from: usize) -> usize {
    memchr::memchr(b'>', &lower[from..]).map_or(lower.len(), |offset| from + offset)
}

/// The first `on...=` attribute in a tag's attribute text.
fn event_in(attrs: &[u8]) -> Option<&[u8]> {
    let mut idx = 0;
    while idx + 2 < attrs.len() {
        let is_start = idx == 0
            || matches!(
                attrs[idx - 1],
                b' ' | b'/' | b'"' | b'\'' | b'\t' | b'\n' | b'\r' | 0x0c | b'`'
            );
        if is_start && attrs[idx] == b'o' && attrs[idx + 1] == b'n' {
            let len = attrs[idx + 2..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            let after = skip_spaces(attrs, idx + 2 + len);
            if (3..=48).contains(&len) && attrs.get(after) == Some(&b'=') {
                return Some(&attrs[idx..idx + 2 + len]);
            }
        }
        idx += 1;
    }
    None
}

fn skip_spaces(text: &[u8], mut idx: usize) -> usize {
    while text.get(idx).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)) {
        idx += 1;
    }
    idx
}

/// Whether a URL attribute in a tag holds a `javascript:` or `data:` URL.
fn script_url_attribute(attrs: &[u8]) -> bool {
    for eq in memchr::memchr_iter(b'=', attrs) {
        let name_end =
            attrs[..eq].iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
        let name_start = attrs[..name_end]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b':' | b'-')))
            .map_or(0, |i| i + 1);
        if !URL_ATTRIBUTES.contains(&&attrs[name_start..name_end]) {
            continue;
        }
        let mut value = skip_spaces(attrs, eq + 1);
        while attrs.get(value).is_some_and(|b| matches!(b, b'"' | b'\'' | b'`')) {
            value += 1;
        }
        let value = skip_spaces(attrs, value);
        if scheme_at(attrs, value).is_some() {
            return true;
        }
        let rest = &attrs[value..];
        if rest.starts_with(b"data:") {
            return true;
        }
    }
    false
}

/// Whether a script scheme (`javascript:`, `vbscript:`, `livescript:`), with
/// the whitespace and control bytes browsers skip inside it, starts at
/// `idx`; returns the index after its colon.
fn scheme_at(lower: &[u8], idx: usize) -> Option<usize> {
    for scheme in [&b"javascript"[..], b"vbscript", b"livescript"] {
        let mut pos = idx;
        let mut matched = 0;
        while matched < scheme.len() {
            match lower.get(pos) {
                Some(&byte) if byte == scheme[matched] => {
                    matched += 1;
                    pos += 1;
                }
                Some(b'\t' | b'\n' | b'\r' | 0) if matched > 0 => pos += 1,
                _ => break,
            }
        }
        if matched == scheme.len() {
            let colon = skip_spaces(lower, pos);
            if lower.get(colon) == Some(&b':') {
                return Some(colon + 1);
            }
        }
    }
    None
}

/// `" onmouseover=alert(1)`, `'formaction=`: an attribute injected after a
/// quote or whitespace, outside any tag.
fn attribute_injection(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    for eq in memchr::memchr_iter(b'=', lower) {
        let name_end =
            lower[..eq].iter().rposition(|b| !matches!(b, b' ' | b'\t')).map_or(0, |i| i + 1);
        let name_start =
            lower[..name_end].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |i| i + 1);
        let name = &lower[name_start..name_end];
        let before = if name_start == 0 { None } else { Some(lower[name_start - 1]) };
        let after_quote = matches!(before, Some(b'"' | b'\'' | b'`'));
        let after_space = matches!(before, Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0c));
        let is_event = name.len() >= 5 && name.len() <= 50 && name.starts_with(b"on");
        if is_event && (after_quote || after_space) {
            let rest = &lower[eq + 1..];
            let runs_script = rest.iter().take(64).any(|b| matches!(b, b'(' | b'`'))
                || crate::patterns::find(rest, b"javascript").is_some();
            let confidence = if EVENTS.contains(&name) && (after_quote || runs_script) {
                Confidence::High
            } else {
                Confidence::Medium
            };
            findings.add_excerpt(
                Detector::Xss,
                confidence,
                "event handler attribute",
                &subject.text[name_start..],
            );
            if confidence == Confidence::High {
                return;
            }
        } else if after_quote && matches!(name, b"formaction" | b"srcdoc" | b"autofocus") {
            findings.add_excerpt(
                Detector::Xss,
                Confidence::Medium,
                "attribute after quote",
                &subject.text[name_start..],
            );
        }
    }
}

/// `javascript:` URLs, `data:` URLs with script, CSS `url(javascript` and
/// `expression(`.
fn script_urls(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    for idx in memchr::memchr3_iter(b'j', b'v', b'l', lower) {
        let Some(after) = scheme_at(lower, idx) else { continue };
        let before = if idx == 0 { b' ' } else { lower[idx - 1] };
        let is_url_start = matches!(
            before,
            b' ' | b'='
                | b'('
                | b'"'
                | b'\''
                | b'`'
                | b'>'
                | b'['
                | b'\t'
                | b'\n'
                | b','
                | b':'
                | b';'
        );
        // Inside CSS `url(...)` a script URL runs only as a property's value;
        // the CSS rule below judges that.
        let in_css_url = lower[..idx]
            .trim_ascii_end()
            .strip_suffix(b"(")
            .is_some_and(|b| b.trim_ascii_end().ends_with(b"url"))
            || lower[..idx].ends_with(b"url(\"")
            || lower[..idx].ends_with(b"url('");
        if !is_url_start || in_css_url {
            continue;
        }
        if looks_like_code(&lower[after..]) {
            findings.add_excerpt(
                Detector::Xss,
                Confidence::High,
                "javascript: URL",
                &subject.text[idx..],
            );
            return;
        }
    }
    for idx in crate::patterns::find_iter(lower, b"url(") {
        let mut pos = skip_spaces(lower, idx + 4);
        while lower.get(pos).is_some_and(|b| matches!(b, b'"' | b'\'')) {
            pos += 1;
        }
        let pos = skip_spaces(lower, pos);
        let is_property_value = lower[..idx].trim_ascii_end().ends_with(b":");
        if is_property_value
            && (lower[pos..].starts_with(b"javascript") || lower[pos..].starts_with(b"vbscript"))
        {
            findings.add_excerpt(
                Detector::Xss,
                Confidence::High,
                "script URL in CSS",
                &subject.text[idx..],
            );
            return;
        }
        let before = lower[..idx].trim_ascii_end();
        if before.ends_with(b"binding:")
            || before.ends_with(b"behavior:")
            || before.ends_with(b"behaviour:")
        {
            findings.add_excerpt(
                Detector::Xss,
                Confidence::High,
                "CSS binding",
                &subject.text[idx..],
            );
            return;
        }
    }
    if let Some(idx) = crate::patterns::find(lower, b"expression(") {
        let before = lower[..idx].trim_ascii_end();
        if before.ends_with(b":") {
            findings.add_excerpt(
                Detector::Xss,
                Confidence::High,
                "CSS expression",
                &subject.text[idx..],
            );
            return;
        }
    }
    for idx in crate::patterns::find_iter(lower, b"data:") {
        let before = if idx == 0 { b' ' } else { lower[idx - 1] };
        if before.is_ascii_alphanumeric() {
            continue;
        }
        let rest = &lower[skip_spaces(lower, idx + 5)..];
        let is_markup = [
            &b"text/html"[..],
            b"text/xml",
            b"application/xhtml",
            b"image/svg",
            b"text/javascript",
            b"application/javascript",
            b"application/x-javascript",
        ]
        .iter()
        .any(|mime| rest.starts_with(mime));
        let inline = rest.strip_prefix(b",").map(|body| body.trim_ascii_start());
        let is_inline_code =
            inline.is_some_and(|body| body.starts_with(b"<") || looks_like_code(body));
        if is_markup || is_inline_code {
            findings.add_excerpt(
                Detector::Xss,
                Confidence::High,
                "data: URL with script",
                &subject.text[idx..],
            );
            return;
        }
    }
}

/// Whether the text after a script scheme's colon reads as code rather than
/// prose (`JavaScript: Basics of the language` is prose).
fn looks_like_code(rest: &[u8]) -> bool {
    let start = skip_spaces(rest, 0);
    let window = &rest[start..rest.len().min(start + 48)];
    if window.is_empty() {
        return false;
    }
    if window.iter().any(|b| {
        matches!(
            b,
            b'(' | b')'
                | b'\''
                | b'"'
                | b'`'
                | b';'
                | b'='
                | b'\\'
                | b'/'
                | b'['
                | b'.'
                | b'{'
                | b'%'
                | b'&'
                | b'+'
        )
    }) {
        return true;
    }
    let word_len = window.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    lexicon::lookup(&window[..word_len]) & lexicon::JS_SINK != 0 || &window[..word_len] == b"void"
}

/// `alert(1)`, ``alert`1` ``, `[].sort.call```: JavaScript sinks.
fn sinks(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    let mut idx = 0;
    while idx < lower.len() {
        if !lower[idx].is_ascii_alphabetic() || (idx > 0 && is_ident(lower[idx - 1])) {
            idx += 1;
            continue;
        }
        let len = lower[idx..].iter().take_while(|b| is_ident(**b)).count();
        let word = &lower[idx..idx + len];
        let mut after = skip_js_gap(lower, idx + len);
        // Optional chaining: `alert?.(1)`.
        if lower[after..].starts_with(b"?.(") {
            after += 2;
        }
        let next = lower.get(after).copied();
        if SINK_CALLS.contains(&word)
            && matches!(next, Some(b'(' | b'`'))
            && !in_bare_css_url(lower, idx)
        {
            let before = lower[..idx]
                .iter()
                .rev()
                .find(|b| !matches!(b, b' ' | b'\t' | b'.' | b'+' | b'-' | b'*'));
            let after_breakout =
                matches!(before, Some(b'"' | b'\'' | b';' | b'>' | b'}' | b'`' | b'('));
            let is_proof = matches!(word, b"alert" | b"prompt" | b"confirm") && next == Some(b'`');
            let confidence =
                if after_breakout || is_proof { Confidence::High } else { Confidence::Medium };
            findings.add_excerpt(
                Detector::Xss,
                confidence,
                "JavaScript sink call",
                &subject.text[idx..],
            );
            if confidence == Confidence::High {
                return;
            }
        }
        if matches!(word, b"call" | b"apply" | b"bind")
            && idx > 0
            && lower[idx - 1] == b'.'
            && next == Some(b'`')
        {
            findings.add_excerpt(
                Detector::Xss,
                Confidence::High,
                "tagged template call",
                &subject.text[idx..],
            );
            return;
        }
        if word == b"document" && lower[idx + len..].starts_with(b".cookie") {
            findings.add_excerpt(
                Detector::Xss,
                Confidence::Medium,
                "document.cookie access",
                &subject.text[idx..],
            );
        }
        idx += len.max(1);
    }
}

/// Whether `idx` is inside a CSS `url(...)` that is no property's value:
/// a URL there is never loaded, so script in it never runs.
fn in_bare_css_url(lower: &[u8], idx: usize) -> bool {
    let before = &lower[..idx];
    let Some(open) = crate::patterns::rfind(before, b"url(") else { return false };
    let is_closed = memchr::memchr(b')', &before[open + 4..]).is_some();
    !is_closed && !lower[..open].trim_ascii_end().ends_with(b":")
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$'
}

/// Skips whitespace and `/* */` comments between a name and its `(`.
fn skip_js_gap(text: &[u8], mut idx: usize) -> usize {
    loop {
        idx = skip_spaces(text, idx);
        if text[idx..].starts_with(b"/*") {
            match crate::patterns::find(&text[idx + 2..], b"*/") {
                Some(close) => idx += 2 + close + 2,
                None => return text.len(),
            }
        } else {
            return idx;
        }
    }
}

/// `{{constructor.constructor('alert(1)')()}}`, `{{7*7}}`, `${7*7}`: an
/// expression for a client- or server-side template engine.
fn templates(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    for open in [&b"{{"[..], b"${", b"#{"] {
        for idx in crate::patterns::find_iter(lower, open) {
            let body_start = idx + open.len();
            let close = if open == b"{{" { &b"}}"[..] } else { b"}" };
            let body_end = crate::patterns::find(&lower[body_start..], close)
                .map_or(lower.len(), |end| body_start + end);
            let body = &lower[body_start..body_end];
            let is_probe = is_arithmetic_probe(body);
            let is_code = body.windows(11).any(|w| w == b"constructor")
                || body.windows(9).any(|w| w == b"__proto__")
                || (open == b"{{"
                    && (memchr::memchr(b'(', body).is_some() || body.starts_with(b"$on")));
            if is_code {
                findings.add_excerpt(
                    Detector::Xss,
                    Confidence::High,
                    "template expression",
                    &subject.text[idx..],
                );
                return;
            }
            if is_probe {
                findings.add_excerpt(
                    Detector::Xss,
                    Confidence::Medium,
                    "template arithmetic probe",
                    &subject.text[idx..],
                );
            }
        }
    }
}

/// `7*7`, `7*'7'`: the multiplication template-injection probes send.
fn is_arithmetic_probe(body: &[u8]) -> bool {
    let body = body.trim_ascii();
    let Some(star) = memchr::memchr(b'*', body) else { return false };
    let is_number = |text: &[u8]| {
        let text = text.trim_ascii().trim_ascii_start();
        let text = text.strip_prefix(b"'").and_then(|t| t.strip_suffix(b"'")).unwrap_or(text);
        !text.is_empty() && text.iter().all(u8::is_ascii_digit)
    };
    is_number(&body[..star]) && is_number(&body[star + 1..])
}
