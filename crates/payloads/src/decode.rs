//! Decoding a request part as a server (and then a browser) would before it
//! is judged.
//!
//! The first round undoes what the client and the log writer did: nginx's
//! `\xHH` escapes, `%XX`, IIS's `%uXXXX`, and `+` as space in query values.
//! Attackers encode more than once to slip past filters that decode once, so
//! percent-decoding repeats while escapes remain (up to [`MAX_ROUNDS`]).
//! Overlong UTF-8 (`%c0%af` for `/`), which some servers fold to ASCII, is
//! folded after each round. Last come what a browser decodes: HTML entities
//! (`&lt;`, `&#x3c;`, `&#60`) and JavaScript `\uXXXX` escapes.

/// How a part is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A path: `+` is a literal plus.
    Path,
    /// A query name or value: `+` is a space (first round only; a `+` that
    /// came from `%2B` stays a plus).
    Query,
    /// A header value: `+` is a literal plus.
    Header,
}

/// Most percent-decoding rounds applied to one value.
const MAX_ROUNDS: usize = 4;

/// Decodes `raw` into `out` (cleared first).
pub(crate) fn decode(raw: &[u8], mode: Mode, out: &mut Vec<u8>) {
    out.clear();
    if !first_round(raw, mode == Mode::Query, out) {
        return;
    }
    let mut scratch = Vec::new();
    fold_overlong(out);
    for _ in 1..MAX_ROUNDS {
        if !has_percent_escape(out) {
            break;
        }
        scratch.clear();
        percent_round(out, &mut scratch);
        std::mem::swap(out, &mut scratch);
        fold_overlong(out);
    }
    if memchr::memchr(b'&', out).is_some() {
        scratch.clear();
        if decode_entities(out, &mut scratch) {
            std::mem::swap(out, &mut scratch);
            if has_percent_escape(out) {
                scratch.clear();
                percent_round(out, &mut scratch);
                std::mem::swap(out, &mut scratch);
                fold_overlong(out);
            }
        }
    }
    if crate::patterns::find(out, b"\\u").is_some() {
        scratch.clear();
        if decode_js_escapes(out, &mut scratch) {
            std::mem::swap(out, &mut scratch);
        }
    }
}

/// Whether `raw` needs any decoding at all (without allocating).
pub(crate) fn needs_decoding(raw: &[u8], mode: Mode) -> bool {
    raw.iter().any(|&byte| {
        matches!(byte, b'%' | b'\\' | b'&' | 0xc0 | 0xc1 | 0xe0 | 0xf0)
            || (byte == b'+' && mode == Mode::Query)
    })
}

/// The bytes of the first decoding round, one at a time (no allocation): the
/// prefilter looks at these before deciding whether to decode for real.
pub(crate) fn first_round_bytes(raw: &[u8], mode: Mode) -> impl Iterator<Item = u8> + '_ {
    let plus_is_space = mode == Mode::Query;
    let mut idx = 0;
    let mut pending: [u8; 4] = [0; 4];
    let mut n_pending = 0usize;
    let mut pending_idx = 0usize;
    std::iter::from_fn(move || {
        if pending_idx < n_pending {
            pending_idx += 1;
            return Some(pending[pending_idx - 1]);
        }
        let &byte = raw.get(idx)?;
        if let Some((decoded, used)) = escape_at(raw, idx) {
            idx += used;
            match decoded {
                Escaped::Byte(value) => Some(value),
                Escaped::Char(ch) => {
                    let encoded = ch.encode_utf8(&mut pending);
                    n_pending = encoded.len();
                    pending_idx = 1;
                    Some(pending[0])
                }
            }
        } else {
            idx += 1;
            Some(if byte == b'+' && plus_is_space { b' ' } else { byte })
        }
    })
}

#[derive(Debug, Clone, Copy)]
enum Escaped {
    Byte(u8),
    Char(char),
}

/// The first-round escape starting at `raw[idx]`, with the bytes it used.
fn escape_at(raw: &[u8], idx: usize) -> Option<(Escaped, usize)> {
    match raw[idx] {
        b'%' => {
            let hi = raw.get(idx + 1).copied().and_then(hex_value);
            let lo = raw.get(idx + 2).copied().and_then(hex_value);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                return Some((Escaped::Byte(hi << 4 | lo), 3));
            }
            if matches!(raw.get(idx + 1), Some(b'u' | b'U')) {
                let code = hex_number(raw.get(idx + 2..idx + 6)?)?;
                return Some((code_point(code)?, 6));
            }
            None
        }
        b'\\' if matches!(raw.get(idx + 1), Some(b'x' | b'X')) => {
            let hi = raw.get(idx + 2).copied().and_then(hex_value)?;
            let lo = raw.get(idx + 3).copied().and_then(hex_value)?;
            Some((Escaped::Byte(hi << 4 | lo), 4))
        }
        _ => None,
    }
}

fn code_point(code: u32) -> Option<Escaped> {
    if code < 0x80 {
        return u8::try_from(code).ok().map(Escaped::Byte);
    }
    char::from_u32(code).map(Escaped::Char)
}

/// Runs the first round; returns false when nothing needed decoding (then
/// `out` is a copy of `raw`).
fn first_round(raw: &[u8], plus_is_space: bool, out: &mut Vec<u8>) -> bool {
    let mode = if plus_is_space { Mode::Query } else { Mode::Path };
    out.reserve(raw.len());
    if !needs_decoding(raw, mode) {
        out.extend_from_slice(raw);
        return false;
    }
    out.extend(first_round_bytes(raw, mode));
    true
}

/// One more round of `%XX` / `%uXXXX` decoding (no `+` handling).
fn percent_round(text: &[u8], out: &mut Vec<u8>) {
    let mut idx = 0;
    while idx < text.len() {
        if text[idx] == b'%'
            && let Some((decoded, used)) = escape_at(text, idx)
        {
            push_escaped(out, decoded);
            idx += used;
            continue;
        }
        out.push(text[idx]);
        idx += 1;
    }
}

fn push_escaped(out: &mut Vec<u8>, decoded: Escaped) {
    match decoded {
        Escaped::Byte(byte) => out.push(byte),
        Escaped::Char(ch) => {
            let mut buf = [0; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// Whether `text` still holds a `%XX` or `%uXXXX` escape.
fn has_percent_escape(text: &[u8]) -> bool {
    memchr::memchr_iter(b'%', text).any(|idx| {
        let next = &text[idx + 1..];
        match next {
            [hi, lo, ..] if hex_value(*hi).is_some() && hex_value(*lo).is_some() => true,
            [b'u' | b'U', rest @ ..] => rest.get(..4).and_then(hex_number).is_some(),
            _ => false,
        }
    })
}

/// Folds overlong UTF-8 forms of ASCII (`c0 af` is `/`) in place. IIS and
/// old Java decoders accepted them, and they never occur in valid UTF-8, so
/// folding cannot damage honest text.
fn fold_overlong(text: &mut Vec<u8>) {
    if !text.iter().any(|&byte| matches!(byte, 0xc0 | 0xc1 | 0xe0 | 0xf0)) {
        return;
    }
    let mut read = 0;
    let mut write = 0;
    while read < text.len() {
        let byte = text[read];
        let folded = match byte {
            0xc0 | 0xc1 if read + 1 < text.len() => {
                Some(((u32::from(byte) & 0x1f) << 6 | (u32::from(text[read + 1]) & 0x3f), 2))
            }
            0xe0 if read + 2 < text.len() && text[read + 1] & 0xe0 == 0x80 => Some((
                (u32::from(text[read + 1]) & 0x3f) << 6 | (u32::from(text[read + 2]) & 0x3f),
                3,
            )),
            0xf0 if read + 3 < text.len() && text[read + 1] & 0xf0 == 0x80 => Some((
                (u32::from(text[read + 1]) & 0x3f) << 12
                    | (u32::from(text[read + 2]) & 0x3f) << 6
                    | (u32::from(text[read + 3]) & 0x3f),
                4,
            )),
            _ => None,
        };
        match folded {
            Some((code, used)) if code < 0x80 => {
                text[write] = u8::try_from(code).unwrap_or(b'?');
                read += used;
            }
            _ => {
                text[write] = byte;
                read += 1;
            }
        }
        write += 1;
    }
    text.truncate(write);
}

/// Named entities worth decoding: the ones payloads use. Matched ASCII
/// case-insensitively.
const ENTITIES: &[(&[u8], u8)] = &[
    (b"lt", b'<'),
    (b"gt", b'>'),
    (b"quot", b'"'),
    (b"apos", b'\''),
    (b"amp", b'&'),
    (b"colon", b':'),
    (b"sol", b'/'),
    (b"bsol", b'\\'),
    (b"lpar", b'('),
    (b"rpar", b')'),
    (b"tab", b'\t'),
    (b"newline", b'\n'),
    (b"nbsp", b' '),
    (b"period", b'.'),
    (b"comma", b','),
    (b"semi", b';'),
    (b"excl", b'!'),
    (b"num", b'#'),
    (b"dollar", b'$'),
    (b"percnt", b'%'),
    (b"grave", b'`'),
    (b"lsqb", b'['),
    (b"rsqb", b']'),
    (b"lcub", b'{'),
    (b"rcub", b'}'),
    (b"equals", b'='),
    (b"plus", b'+'),
    (b"ast", b'*'),
    (b"vert", b'|'),
    (b"hyphen", b'-'),
];

/// Whether `name` is one of the named entities this module decodes.
pub(crate) fn is_entity_name(name: &[u8]) -> bool {
    ENTITIES.iter().any(|(known, _)| known.eq_ignore_ascii_case(name))
}

/// Decodes HTML character references into `out`; false when there were none.
fn decode_entities(text: &[u8], out: &mut Vec<u8>) -> bool {
    let mut changed = false;
    let mut idx = 0;
    while idx < text.len() {
        if text[idx] == b'&'
            && let Some((decoded, used)) = entity_at(&text[idx + 1..])
        {
            push_escaped(out, decoded);
            idx += 1 + used;
            changed = true;
            continue;
        }
        out.push(text[idx]);
        idx += 1;
    }
    changed
}

/// The entity after an `&`, with the bytes it used (including a `;`).
fn entity_at(text: &[u8]) -> Option<(Escaped, usize)> {
    if text.first() == Some(&b'#') {
        let (radix, start) = match text.get(1) {
            Some(b'x' | b'X') => (16, 2),
            _ => (10, 1),
        };
        let digits = text[start..]
            .iter()
            .take(64)
            .take_while(
                |byte| if radix == 16 { byte.is_ascii_hexdigit() } else { byte.is_ascii_digit() },
            )
            .count();
        if digits == 0 {
            return None;
        }
        let mut code: u32 = 0;
        for &byte in &text[start..start + digits] {
            code = code.saturating_mul(radix).saturating_add(hex_value(byte).map_or(0, u32::from));
        }
        let mut used = start + digits;
        if text.get(used) == Some(&b';') {
            used += 1;
        }
        if code == 0 {
            return None;
        }
        return Some((code_point(code)?, used));
    }
    let name_len = text.iter().take(8).take_while(|byte| byte.is_ascii_alphabetic()).count();
    let name = &text[..name_len];
    let &(_, value) = ENTITIES.iter().find(|(known, _)| known.eq_ignore_ascii_case(name))?;
    if text.get(name_len) == Some(&b';') {
        return Some((Escaped::Byte(value), name_len + 1));
    }
    // Browsers also accept the legacy four without a semicolon.
    let is_legacy =
        [&b"lt"[..], b"gt", b"amp", b"quot"].iter().any(|n| n.eq_ignore_ascii_case(name));
    is_legacy.then_some((Escaped::Byte(value), name_len))
}

/// Decodes JavaScript `\uXXXX` and `\u{X...}` escapes; false when none.
fn decode_js_escapes(text: &[u8], out: &mut Vec<u8>) -> bool {
    let mut changed = false;
    let mut idx = 0;
    while idx < text.len() {
        if text[idx] == b'\\' && matches!(text.get(idx + 1), Some(b'u')) {
            let rest = &text[idx + 2..];
            let parsed = if rest.first() == Some(&b'{') {
                let digits = rest[1..].iter().take(6).take_while(|b| b.is_ascii_hexdigit()).count();
                (digits > 0 && rest.get(1 + digits) == Some(&b'}'))
                    .then(|| hex_number(&rest[1..1 + digits]).map(|code| (code, 3 + digits)))
                    .flatten()
            } else {
                rest.get(..4).and_then(hex_number).map(|code| (code, 4))
            };
            if let Some((escaped, used)) =
                parsed.and_then(|(code, used)| code_point(code).map(|e| (e, used)))
            {
                push_escaped(out, escaped);
                idx += 2 + used;
                changed = true;
                continue;
            }
        }
        out.push(text[idx]);
        idx += 1;
    }
    changed
}

pub(crate) fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn hex_number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &byte| Some(acc << 4 | u32::from(hex_value(byte)?)))
}
