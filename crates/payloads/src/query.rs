//! Splitting a raw query string into parameters, the way a server does.
//!
//! Parameters are separated by `&` and split at their first `=`. An `&` that
//! starts an HTML entity (`&#60;`, `&lt;`) does not separate: browsers send a
//! literal `&` in a value as `%26`, so a raw `&#60;` is an entity-encoded
//! payload, not two parameters.

use crate::decode::{self, Mode};

/// One parameter of a query string, raw (still encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Param<'a> {
    /// The raw name: the text before the first `=`, or the whole parameter
    /// when it has no `=`.
    pub(crate) name: &'a [u8],
    /// The raw value: the text after the first `=`; `None` without `=`.
    pub(crate) value: Option<&'a [u8]>,
}

/// Longest parameter name shown in a [`crate::Part::Query`].
const MAX_NAME_SHOWN: usize = 64;

impl Param<'_> {
    /// The decoded name, cut at [`MAX_NAME_SHOWN`] bytes, for an analyst.
    pub(crate) fn display_name(&self) -> String {
        let mut decoded = Vec::with_capacity(self.name.len());
        decode::decode(self.name, Mode::Query, &mut decoded);
        crate::subject::excerpt(&decoded, MAX_NAME_SHOWN)
    }
}

/// The parameters of a raw query string (without `?`), skipping empty ones.
pub(crate) fn params(query: &[u8]) -> impl Iterator<Item = Param<'_>> {
    let mut rest = query;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let end = separator(rest).unwrap_or(rest.len());
            let param = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            if param.is_empty() {
                continue;
            }
            return Some(match memchr::memchr(b'=', param) {
                Some(eq) => Param { name: &param[..eq], value: Some(&param[eq + 1..]) },
                None => Param { name: param, value: None },
            });
        }
    })
}

/// Index of the next `&` that separates parameters.
fn separator(text: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(offset) = memchr::memchr(b'&', &text[from..]) {
        let idx = from + offset;
        if !starts_entity(&text[idx + 1..]) {
            return Some(idx);
        }
        from = idx + 1;
    }
    None
}

/// Whether `text` (after an `&`) looks like the rest of an HTML entity.
fn starts_entity(text: &[u8]) -> bool {
    match text.first() {
        Some(b'#') => matches!(text.get(1), Some(b'0'..=b'9' | b'x' | b'X')),
        Some(_) => {
            let name_len = text.iter().take(9).take_while(|b| b.is_ascii_alphabetic()).count();
            name_len >= 2
                && text.get(name_len) == Some(&b';')
                && decode::is_entity_name(&text[..name_len])
        }
        None => false,
    }
}
