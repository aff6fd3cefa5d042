//! Text normalisation before matching, with a map back to the original bytes.
//!
//! Shops write the same value many ways: full-width digits typed with a
//! Chinese input method (`０９１２…`), percent-encoded in a URL (`%40`,
//! `%E7%8E%8B`), or escaped in JSON (`\u738b`). Detectors see one plain
//! form; every byte of it remembers which original bytes it came from, so
//! spans are reported on the text as written.

use std::borrow::Cow;

/// Text in its matching form, and for each of its bytes the original range.
#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    /// The normalised text.
    pub text: Cow<'a, str>,
    /// Per byte of `text`: start of the original bytes it came from (empty when
    /// nothing changed).
    starts: Vec<u32>,
    /// Per byte of `text`: end (exclusive) of the original bytes it came from.
    ends: Vec<u32>,
}

impl Normalized<'_> {
    /// The original byte range of the normalised range `start..end`.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        if self.starts.is_empty() || start >= end {
            return (start, end);
        }
        (self.starts[start] as usize, self.ends[end - 1] as usize)
    }

    /// Whether normalisation changed the text.
    pub fn is_changed(&self) -> bool {
        !self.starts.is_empty()
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn percent_byte(bytes: &[u8], at: usize) -> Option<u8> {
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    Some(hex_value(*bytes.get(at + 1)?)? * 16 + hex_value(*bytes.get(at + 2)?)?)
}

fn unicode_escape(bytes: &[u8], at: usize) -> Option<u32> {
    if bytes.get(at) != Some(&b'\\') || bytes.get(at + 1) != Some(&b'u') {
        return None;
    }
    let mut value = 0u32;
    for idx in 0..4 {
        value = value * 16 + u32::from(hex_value(*bytes.get(at + 2 + idx)?)?);
    }
    Some(value)
}

struct Builder {
    text: String,
    starts: Vec<u32>,
    ends: Vec<u32>,
}

impl Builder {
    fn push(&mut self, ch: char, start: usize, end: usize) {
        let before = self.text.len();
        self.text.push(ch);
        for _ in before..self.text.len() {
            self.starts.push(start as u32);
            self.ends.push(end as u32);
        }
    }
}

/// Whether `bytes` hold anything `normalize` changes: a `%`, a `\\`, a
/// full-width form (lead byte 0xEF) or the ideographic space.
fn needs_normalizing(bytes: &[u8]) -> bool {
    let is_ideographic_space = |at: usize| bytes[at..].starts_with("\u{3000}".as_bytes());
    // Short values (table cells) are checked in one plain pass: setting up
    // the vectorised searches costs more than the search.
    if bytes.len() < 64 {
        return bytes.iter().enumerate().any(|(at, byte)| {
            matches!(byte, b'%' | b'\\' | 0xEF) || (*byte == 0xE3 && is_ideographic_space(at))
        });
    }
    memchr::memchr3(b'%', b'\\', 0xEF, bytes).is_some()
        || memchr::memchr_iter(0xE3, bytes).any(is_ideographic_space)
}

/// Normalises `text` for matching: full-width ASCII forms and the ideographic
/// space become ASCII, percent-encoded UTF-8 and JSON `\uXXXX` escapes
/// (surrogate pairs included) are decoded. Invalid encodings stay as written.
/// Text that needs none of this is returned borrowed, without a map.
pub fn normalize(text: &str) -> Normalized<'_> {
    let bytes = text.as_bytes();
    if !needs_normalizing(bytes) {
        return Normalized { text: Cow::Borrowed(text), starts: Vec::new(), ends: Vec::new() };
    }
    let mut builder = Builder {
        text: String::with_capacity(text.len()),
        starts: Vec::with_capacity(text.len()),
        ends: Vec::with_capacity(text.len()),
    };
    let mut idx = 0;
    while idx < bytes.len() {
        let byte = bytes[idx];
        if byte == b'%'
            && let Some(first) = percent_byte(bytes, idx)
        {
            let width = match first {
                0x00..=0x7F => 1,
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => 0,
            };
            let mut decoded = [0u8; 4];
            let mut complete = width > 0;
            for (part, slot) in decoded.iter_mut().enumerate().take(width) {
                match percent_byte(bytes, idx + part * 3) {
                    Some(value) => *slot = value,
                    None => complete = false,
                }
            }
            if complete
                && let Ok(decoded) = std::str::from_utf8(&decoded[..width])
                && let Some(ch) = decoded.chars().next()
            {
                builder.push(fold(ch), idx, idx + width * 3);
                idx += width * 3;
                continue;
            }
        }
        if byte == b'\\'
            && let Some(unit) = unicode_escape(bytes, idx)
        {
            if (0xD800..0xDC00).contains(&unit)
                && let Some(low) = unicode_escape(bytes, idx + 6)
                && (0xDC00..0xE000).contains(&low)
                && let Some(ch) = char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            {
                builder.push(ch, idx, idx + 12);
                idx += 12;
                continue;
            }
            if let Some(ch) = char::from_u32(unit) {
                builder.push(fold(ch), idx, idx + 6);
                idx += 6;
                continue;
            }
        }
        let Some(ch) = text[idx..].chars().next() else { break };
        let width = ch.len_utf8();
        builder.push(fold(ch), idx, idx + width);
        idx += width;
    }
    Normalized { text: Cow::Owned(builder.text), starts: builder.starts, ends: builder.ends }
}

/// Full-width ASCII forms and the ideographic space to ASCII.
fn fold(ch: char) -> char {
    match ch {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
        '\u{3000}' => ' ',
        _ => ch,
    }
}
