//! Code and expression injection into the application's own language: PHP
//! (open tags, dangerous functions, superglobals, serialized objects), Java
//! (OGNL, SpEL, `class.module.classLoader`, `java.lang.Runtime`, serialized
//! objects), Node.js (`child_process`, prototype pollution) and Python
//! template object traversal (`__class__.__mro__`).

use std::sync::LazyLock;

use crate::lexicon;
use crate::patterns::PatternSet;
use crate::prefilter as class;
use crate::subject::{Findings, Origin, Subject};
use crate::{Confidence, Detector};

const CLASSES: u32 = class::LT
    | class::PAREN
    | class::DOLLAR
    | class::BRACE
    | class::DOT
    | class::COLON
    | class::BRACKET;

/// PHP functions that run commands or code: high confidence when called.
const PHP_EXEC: &[&[u8]] = &[
    b"eval",
    b"assert",
    b"system",
    b"exec",
    b"shell_exec",
    b"passthru",
    b"popen",
    b"proc_open",
    b"pcntl_exec",
    b"create_function",
    b"call_user_func",
    b"call_user_func_array",
    b"base64_decode",
    b"gzinflate",
    b"gzuncompress",
    b"str_rot13",
    b"expect_popen",
];

/// What a PHP open tag may be followed by without being code.
const XML_LIKE: &[&[u8]] = &[b"xml", b"xsl", b"xpacket", b"xa", b"import"];

/// What a marker of [`MARKERS`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// `<?`: a PHP open tag, judged by what follows.
    PhpTag,
    /// A PHP superglobal (`$_GET`), judged by what follows.
    Superglobal,
    /// `o:`: maybe a serialized PHP object.
    Serialized,
    /// `{php}`, `[php]`: a template engine's PHP block.
    TemplatePhp,
    /// `%{`: maybe an OGNL expression, judged by what follows.
    OgnlOpen,
    /// OGNL syntax that needs nothing more (`#_memberaccess`, `${#`).
    Ognl,
    /// Spring4Shell's `class.module.classLoader`.
    ClassLoader,
    /// `t(`: maybe a SpEL type reference.
    SpelType,
    /// `java.lang.Runtime` and friends.
    JavaRuntime,
    /// `rO0AB`, base64 of a serialized Java object.
    JavaSerialized,
    /// `child_process`, `constructor.constructor`...
    NodeExec,
    /// `__class__`, `__mro__`...
    PythonTraversal,
    /// `__proto__`, `constructor[prototype]`.
    Prototype,
}

/// The markers this detector looks for, lowercase, with what each means.
const MARKER_LIST: &[(&[u8], Marker)] = &[
    (b"<?", Marker::PhpTag),
    (b"$_get", Marker::Superglobal),
    (b"$_post", Marker::Superglobal),
    (b"$_server", Marker::Superglobal),
    (b"$_cookie", Marker::Superglobal),
    (b"$_request", Marker::Superglobal),
    (b"$_files", Marker::Superglobal),
    (b"$_env", Marker::Superglobal),
    (b"$_session", Marker::Superglobal),
    (b"$globals", Marker::Superglobal),
    (b"o:", Marker::Serialized),
    (b"{php}", Marker::TemplatePhp),
    (b"{/php}", Marker::TemplatePhp),
    (b"[php]", Marker::TemplatePhp),
    (b"[/php]", Marker::TemplatePhp),
    (b"[\\php]", Marker::TemplatePhp),
    (b"%{", Marker::OgnlOpen),
    (b"${#", Marker::Ognl),
    (b"${@", Marker::Ognl),
    (b"#_memberaccess", Marker::Ognl),
    (b"@ognl", Marker::Ognl),
    (b"#context[", Marker::Ognl),
    (b"ognlcontext", Marker::Ognl),
    (b"excludedclasses", Marker::Ognl),
    (b"allowstaticmethodaccess", Marker::Ognl),
    (b"class.module.classloader", Marker::ClassLoader),
    (b"class.classloader", Marker::ClassLoader),
    (b"classloader.resources", Marker::ClassLoader),
    (b"classloader.urls", Marker::ClassLoader),
    (b"t(", Marker::SpelType),
    (b"java.lang.runtime", Marker::JavaRuntime),
    (b"java.lang.processbuilder", Marker::JavaRuntime),
    (b"getruntime()", Marker::JavaRuntime),
    (b"java.lang.reflect", Marker::JavaRuntime),
    (b"javax.script", Marker::JavaRuntime),
    (b"java.lang.system", Marker::JavaRuntime),
    (b"java.lang.class", Marker::JavaRuntime),
    (b"java.io.file", Marker::JavaRuntime),
    (b"java.net.url", Marker::JavaRuntime),
    (b"ro0ab", Marker::JavaSerialized),
    (b"child_process", Marker::NodeExec),
    (b"process.mainmodule", Marker::NodeExec),
    (b"process[mainmodule", Marker::NodeExec),
    (b"require('fs')", Marker::NodeExec),
    (b"process.binding(", Marker::NodeExec),
    (b"_$$nd_func$$_", Marker::NodeExec),
    (b"constructor.constructor", Marker::NodeExec),
    (b"process[", Marker::NodeExec),
    (b"require[", Marker::NodeExec),
    (b"__class__", Marker::PythonTraversal),
    (b"__mro__", Marker::PythonTraversal),
    (b"__subclasses__", Marker::PythonTraversal),
    (b"__globals__", Marker::PythonTraversal),
    (b"__builtins__", Marker::PythonTraversal),
    (b"__import__", Marker::PythonTraversal),
    (b"__proto__", Marker::Prototype),
    (b"constructor[prototype]", Marker::Prototype),
    (b"constructor.prototype", Marker::Prototype),
];

static MARKERS: LazyLock<PatternSet> =
    LazyLock::new(|| PatternSet::new(MARKER_LIST.iter().map(|(needle, _)| *needle)));

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    let words = lexicon::PHP_FUNCTION | lexicon::JAVA_WORD;
    let is_serialized_java =
        subject.text.starts_with(b"rO0AB") || subject.lower.starts_with(b"aced0005");
    if !subject.scan.has(CLASSES) && !subject.scan.has_word(words) && !is_serialized_java {
        return;
    }
    let lower = subject.lower;
    let text = subject.text;
    for (pattern, at) in MARKERS.matches(lower) {
        let (needle, marker) = MARKER_LIST[pattern];
        let rest = &lower[at + needle.len()..];
        let verdict = match marker {
            // A parameter's name is never run as PHP; its value may be.
            Marker::PhpTag if subject.origin == Origin::QueryName => None,
            Marker::PhpTag => php_tag(rest),
            Marker::Superglobal => matches!(rest.first(), Some(b'[' | b'{' | b')' | b';') | None)
                .then_some((Confidence::Medium, "PHP superglobal")),
            Marker::Serialized => ((at == 0 || !lower[at - 1].is_ascii_alphanumeric())
                && is_serialized_object(rest))
            .then_some((Confidence::High, "PHP serialized object")),
            Marker::TemplatePhp => Some((Confidence::High, "template PHP block")),
            Marker::OgnlOpen => {
                let is_expression =
                    matches!(rest.trim_ascii_start().first(), Some(b'#' | b'@' | b'(' | b'\''))
                        || crate::patterns::find(rest, b"#context").is_some();
                is_expression.then_some((Confidence::High, "OGNL expression"))
            }
            Marker::Ognl => Some((Confidence::High, "OGNL expression")),
            Marker::ClassLoader => Some((Confidence::High, "Java class loader access")),
            Marker::SpelType => ((at == 0 || !is_ident(lower[at - 1])) && is_type_reference(rest))
                .then_some((Confidence::High, "SpEL type reference")),
            Marker::JavaRuntime => {
                let has_call =
                    memchr::memchr(b'(', rest).is_some() || memchr::memchr(b'@', lower).is_some();
                let confidence = if has_call { Confidence::High } else { Confidence::Medium };
                Some((confidence, "Java runtime access"))
            }
            Marker::JavaSerialized => {
                let starts = at == 0 || !text[at - 1].is_ascii_alphanumeric();
                (starts && text[at..].starts_with(b"rO0AB"))
                    .then_some((Confidence::High, "serialized Java object"))
            }
            Marker::NodeExec => Some((Confidence::High, "Node.js code execution")),
            Marker::PythonTraversal => Some((Confidence::High, "Python object traversal")),
            Marker::Prototype => Some((Confidence::Medium, "prototype pollution")),
        };
        if let Some((confidence, reason)) = verdict {
            findings.add_excerpt(Detector::CodeInjection, confidence, reason, &text[at..]);
        }
    }
    if lower.starts_with(b"aced0005") {
        findings.add_excerpt(
            Detector::CodeInjection,
            Confidence::High,
            "serialized Java object",
            text,
        );
    }
    if subject.scan.has(class::PAREN) && subject.scan.has_word(lexicon::PHP_FUNCTION) {
        php_calls(lower, subject, findings);
    }
}

/// Judges a `<?` by what follows it: `<?php`, `<?=`, a short tag with code.
/// XML declarations and processing instructions are fine.
fn php_tag(rest: &[u8]) -> Option<(Confidence, &'static str)> {
    if rest.starts_with(b"php") || rest.starts_with(b"=") {
        return Some((Confidence::High, "PHP open tag"));
    }
    if rest.is_empty() {
        return Some((Confidence::Medium, "PHP open tag"));
    }
    if let Some(after_xml) = rest.strip_prefix(b"xml") {
        // A real XML declaration names its version, encoding or standalone
        // flag; `<?xml :echo 1;` is a short tag.
        let declaration = after_xml.trim_ascii_start();
        let is_declaration = [&b"version"[..], b"encoding", b"standalone", b"?>"]
            .iter()
            .any(|word| declaration.starts_with(word))
            || after_xml.starts_with(b"-");
        let has_code = after_xml.iter().take(64).any(|b| matches!(b, b';' | b'('));
        return (!is_declaration && has_code)
            .then_some((Confidence::High, "PHP short open tag with code"));
    }
    if XML_LIKE.iter().any(|word| rest.starts_with(word)) {
        return None;
    }
    // A short open tag followed by code: a call, a variable or a keyword.
    let body = rest.trim_ascii_start();
    let word_len = body.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
    let word = &body[..word_len];
    let after = body[word_len..].trim_ascii_start();
    let is_call = word_len > 0 && after.first() == Some(&b'(');
    let is_keyword = matches!(word, b"echo" | b"print" | b"include" | b"require" | b"eval");
    let is_code = body.first() == Some(&b'$')
        || is_call
        || (is_keyword && rest.first().is_some_and(u8::is_ascii_whitespace));
    is_code.then_some((Confidence::High, "PHP short open tag with code"))
}

/// `O:8:"stdClass":1:{` after the `o:`.
fn is_serialized_object(rest: &[u8]) -> bool {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || !rest[digits..].starts_with(b":\"") {
        return false;
    }
    let Some(name_end) = memchr::memchr(b'"', &rest[digits + 2..]).map(|p| digits + 2 + p + 1)
    else {
        return false;
    };
    rest[name_end..].starts_with(b":") && memchr::memchr(b'{', &rest[name_end..]).is_some()
}

/// `java.lang.Runtime)` after a `T(`: a dotted class name, then `)`.
fn is_type_reference(rest: &[u8]) -> bool {
    let body = rest.trim_ascii_start();
    let name_len = body.iter().take_while(|b| is_ident(**b) || **b == b'.' || **b == b'$').count();
    let name = &body[..name_len];
    name.iter().filter(|b| **b == b'.').count() >= 2
        && body[name_len..].trim_ascii_start().starts_with(b")")
}

/// `system('id')`, `eval($_POST[x])`, `base64_decode(...)`: calls of PHP
/// functions that run code, with an argument.
fn php_calls(lower: &[u8], subject: &Subject<'_>, findings: &mut Findings) {
    let mut idx = 0;
    while idx < lower.len() {
        if !(lower[idx].is_ascii_alphabetic() || lower[idx] == b'_')
            || (idx > 0 && is_ident(lower[idx - 1]))
        {
            idx += 1;
            continue;
        }
        let len = lower[idx..].iter().take_while(|b| is_ident(**b)).count();
        let word = &lower[idx..idx + len];
        let mut after = idx + len;
        while lower.get(after).is_some_and(u8::is_ascii_whitespace) {
            after += 1;
        }
        if lower.get(after) == Some(&b'(') && lexicon::lookup(word) & lexicon::PHP_FUNCTION != 0 {
            let arg = lower[after + 1..].trim_ascii_start();
            let has_code_arg = matches!(arg.first(), Some(b'\'' | b'"' | b'$' | b'`'))
                || (arg.first().is_some_and(|b| b.is_ascii_alphabetic())
                    && arg.iter().take_while(|b| is_ident(**b)).count() < arg.len()
                    && arg[arg.iter().take_while(|b| is_ident(**b)).count()] == b'(');
            let is_info =
                (word == b"phpinfo" || PHP_EXEC.contains(&word)) && arg.first() == Some(&b')');
            if PHP_EXEC.contains(&word) && has_code_arg {
                findings.add_excerpt(
                    Detector::CodeInjection,
                    Confidence::High,
                    "PHP code execution call",
                    &subject.text[idx..],
                );
                return;
            }
            if has_code_arg || is_info {
                findings.add_excerpt(
                    Detector::CodeInjection,
                    Confidence::Medium,
                    "PHP function call",
                    &subject.text[idx..],
                );
            }
        }
        idx += len.max(1);
    }
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}
