//! Dates of birth in the Gregorian and the ROC (Minguo) calendar.

use crate::ids::is_calendar_day;

/// A date read at the start of a byte slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateMatch {
    /// Bytes consumed.
    pub(crate) len: usize,
    /// The Gregorian year.
    pub(crate) year: u32,
    /// The month (1-12).
    pub(crate) month: u32,
    /// The day of the month.
    pub(crate) day: u32,
    /// Whether the year was written in the ROC calendar.
    pub(crate) is_roc: bool,
}

fn digits_at(bytes: &[u8], at: usize, max: usize) -> (u32, usize) {
    let mut value = 0;
    let mut len = 0;
    while len < max && bytes.get(at + len).is_some_and(u8::is_ascii_digit) {
        value = value * 10 + u32::from(bytes[at + len] - b'0');
        len += 1;
    }
    (value, len)
}

const YEAR: &[u8] = "年".as_bytes();
const MONTH: &[u8] = "月".as_bytes();
const DAY: &[u8] = "日".as_bytes();

/// Reads `Y-M-D`, `Y/M/D`, `Y.M.D` or `Y年M月D日` at the start of `bytes`.
/// Years of two or three digits are ROC years (1-114); four-digit years are
/// Gregorian (1900-2030). The date must be a real calendar day.
pub(crate) fn parse_date(bytes: &[u8]) -> Option<DateMatch> {
    let (year, year_len) = digits_at(bytes, 0, 4);
    if year_len < 2 {
        return None;
    }
    let mut at = year_len;
    let is_chinese = bytes[at..].starts_with(YEAR);
    let separator = if is_chinese {
        at += YEAR.len();
        0
    } else {
        let separator = *bytes.get(at)?;
        if !matches!(separator, b'-' | b'/' | b'.') {
            return None;
        }
        at += 1;
        separator
    };
    let (month, month_len) = digits_at(bytes, at, 2);
    if month_len == 0 {
        return None;
    }
    at += month_len;
    if is_chinese {
        if !bytes[at..].starts_with(MONTH) {
            return None;
        }
        at += MONTH.len();
    } else {
        if bytes.get(at) != Some(&separator) {
            return None;
        }
        at += 1;
    }
    let (day, day_len) = digits_at(bytes, at, 2);
    if day_len == 0 || bytes.get(at + day_len).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    at += day_len;
    if is_chinese && bytes[at..].starts_with(DAY) {
        at += DAY.len();
    }
    let (year, is_roc) = match year_len {
        4 if (1900..=2030).contains(&year) => (year, false),
        2 | 3 if (1..=114).contains(&year) && separator != b'-' => (year + 1911, true),
        _ => return None,
    };
    is_calendar_day(year, month, day).then_some(DateMatch { len: at, year, month, day, is_roc })
}

/// Reads a compact date of 7 digits (ROC `YYYMMDD`) or 8 digits (`YYYYMMDD`).
pub(crate) fn parse_compact_date(digits: &[u8]) -> Option<u32> {
    let number = |range: std::ops::Range<usize>| {
        digits[range].iter().fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0'))
    };
    let (year, rest) = match digits.len() {
        7 => (number(0..3) + 1911, 3),
        8 => (number(0..4), 4),
        _ => return None,
    };
    let (month, day) = (number(rest..rest + 2), number(rest + 2..rest + 4));
    ((1912..=2030).contains(&year) && is_calendar_day(year, month, day)).then_some(year)
}
