//! Reading rotation suffixes in file names, to order a rotated set oldest
//! first. The rule is documented on the [`file`](super) module.

use std::cmp::Reverse;

/// Extensions that compressors add to a rotated file.
const COMPRESSION_EXTENSIONS: &[&str] = &[".gz", ".zst", ".zstd", ".xz", ".bz2"];

/// A suffix with at least this many digits is a date (or a Unix time), not
/// a rotation number.
const MIN_DATE_DIGITS: usize = 8;

/// A file name split into its rotated set and its age within the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RotatedName<'name> {
    /// The name without compression extension and rotation suffix.
    pub(crate) base: &'name str,
    pub(crate) age: Age,
}

/// Where a file sits in its rotated set; sorts oldest first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Age {
    /// `access.log.3`: a higher number is older, so it sorts first.
    Numbered(Reverse<u64>),
    /// `access.log-20261119`: the suffix's digits, which sort as the dates do.
    Dated(String),
    /// `access.log`: the file being written. A compressed one sorts first.
    Live { is_plain: bool },
}

/// Splits `file_name` into its base name and age.
pub(crate) fn parse_rotated_name(file_name: &str) -> RotatedName<'_> {
    let (stem, is_compressed) = strip_compression_extension(file_name);
    let live = RotatedName { base: stem, age: Age::Live { is_plain: !is_compressed } };
    // The rotation suffix lies within the longest tail of digits and
    // separators, starting at its first separator. All of these are ASCII,
    // so the byte after the last other byte starts a character.
    let is_suffix_byte = |byte: u8| byte.is_ascii_digit() || is_separator(byte);
    let tail_start = stem.bytes().rposition(|byte| !is_suffix_byte(byte)).map_or(0, |idx| idx + 1);
    let Some(offset) = stem[tail_start..].bytes().position(is_separator) else {
        return live;
    };
    let suffix_start = tail_start + offset;
    if suffix_start == 0 {
        return live;
    }
    let (base, suffix) = stem.split_at(suffix_start);
    let digits: String = suffix.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= MIN_DATE_DIGITS {
        return RotatedName { base, age: Age::Dated(digits) };
    }
    let number = suffix.strip_prefix('.').filter(|number| number.len() == digits.len());
    match number.and_then(|number| number.parse().ok()) {
        Some(number) => RotatedName { base, age: Age::Numbered(Reverse(number)) },
        None => live,
    }
}

fn is_separator(byte: u8) -> bool {
    matches!(byte, b'.' | b'-' | b'_')
}

fn strip_compression_extension(file_name: &str) -> (&str, bool) {
    for extension in COMPRESSION_EXTENSIONS {
        let Some(split) = file_name.len().checked_sub(extension.len()) else {
            continue;
        };
        if split > 0
            && file_name.is_char_boundary(split)
            && file_name[split..].eq_ignore_ascii_case(extension)
        {
            return (&file_name[..split], true);
        }
    }
    (file_name, false)
}
