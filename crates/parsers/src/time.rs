//! Timestamp parsing for the formats web servers write.
//!
//! Each function takes the exact text of the field and returns the instant and
//! the offset the writer used. They are strict: anything that is not a valid
//! date and time is an error, never a guess.

use model::{Timestamp, civil};

/// A timestamp as written, with its zone offset (seconds east of UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZonedTime {
    /// The instant (UTC).
    pub time: Timestamp,
    /// The writer's offset from UTC in seconds.
    pub utc_offset_secs: i32,
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    let mut value = 0u32;
    for &byte in bytes {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(byte - b'0');
    }
    Some(value)
}

fn check_date(year: i64, month: u32, day: u32) -> Option<()> {
    ((1..=12).contains(&month) && day >= 1 && day <= civil::days_in_month(year, month))
        .then_some(())
}

fn check_time(hour: u32, minute: u32, second: u32) -> Option<()> {
    // 60 admits a leap second as written; it is folded into the next minute.
    (hour < 24 && minute < 60 && second <= 60).then_some(())
}

/// Parses `+0800`, `-07:00`, `Z` or `+08`.
pub fn parse_offset(text: &[u8]) -> Option<i32> {
    match text {
        b"Z" | b"z" => return Some(0),
        [] => return None,
        _ => {}
    }
    let sign = match text[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &text[1..];
    let (hours, minutes) = match rest.len() {
        2 => (digits(rest)?, 0),
        4 => (digits(&rest[..2])?, digits(&rest[2..])?),
        5 if rest[2] == b':' => (digits(&rest[..2])?, digits(&rest[3..])?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours as i32 * 3600 + minutes as i32 * 60))
}

/// Parses the fractional part after a `.` or `,` into microseconds (extra digits are dropped).
fn parse_fraction(text: &[u8]) -> Option<u32> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut micros = 0u32;
    for idx in 0..6 {
        micros = micros * 10 + text.get(idx).map_or(0, |byte| u32::from(byte - b'0'));
    }
    Some(micros)
}

fn zoned(
    date: (i64, u32, u32),
    clock: (u32, u32, u32),
    micros: u32,
    utc_offset_secs: i32,
) -> Option<ZonedTime> {
    let (year, month, day) = date;
    let (hour, minute, second) = clock;
    check_date(year, month, day)?;
    check_time(hour, minute, second)?;
    let local = Timestamp::from_civil(year, month, day, hour, minute, second, micros);
    Some(ZonedTime { time: local.add_secs(-i64::from(utc_offset_secs)), utc_offset_secs })
}

/// Parses nginx `$time_local` / Apache `%t` without brackets: `10/Oct/2000:13:55:36 -0700`.
pub fn parse_clf(text: &[u8]) -> Option<ZonedTime> {
    // dd/Mon/yyyy:HH:MM:SS +zzzz, fixed width 26
    if text.len() < 20 || text[2] != b'/' || text[6] != b'/' || text[11] != b':' {
        return None;
    }
    let day = digits(&text[0..2])?;
    let month = civil::month_from_abbrev(&text[3..6])?;
    let year = i64::from(digits(&text[7..11])?);
    if text[14] != b':' || text[17] != b':' {
        return None;
    }
    let hour = digits(&text[12..14])?;
    let minute = digits(&text[15..17])?;
    let second = digits(&text[18..20])?;
    let mut rest = &text[20..];
    let mut micros = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let end = fraction.iter().position(|byte| !byte.is_ascii_digit()).unwrap_or(fraction.len());
        micros = parse_fraction(&fraction[..end])?;
        rest = &fraction[end..];
    }
    let offset = match rest {
        [] => 0,
        [b' ', zone @ ..] => parse_offset(zone)?,
        _ => return None,
    };
    zoned((year, month, day), (hour, minute, second), micros, offset)
}

/// Parses ISO 8601 / RFC 3339: `2000-10-10T13:55:36-07:00`, with optional
/// fraction, `Z`, or no zone (then `default_offset` applies). A space may stand for `T`.
pub fn parse_iso8601(text: &[u8], default_offset: i32) -> Option<ZonedTime> {
    if text.len() < 19 || text[4] != b'-' || text[7] != b'-' || text[13] != b':' || text[16] != b':'
    {
        return None;
    }
    if !matches!(text[10], b'T' | b't' | b' ') {
        return None;
    }
    let year = i64::from(digits(&text[0..4])?);
    let month = digits(&text[5..7])?;
    let day = digits(&text[8..10])?;
    let hour = digits(&text[11..13])?;
    let minute = digits(&text[14..16])?;
    let second = digits(&text[17..19])?;
    let mut rest = &text[19..];
    let mut micros = 0;
    if let [b'.' | b',', fraction @ ..] = rest {
        let end = fraction.iter().position(|byte| !byte.is_ascii_digit()).unwrap_or(fraction.len());
        micros = parse_fraction(&fraction[..end])?;
        rest = &fraction[end..];
    }
    let offset = if rest.is_empty() { default_offset } else { parse_offset(rest)? };
    zoned((year, month, day), (hour, minute, second), micros, offset)
}

/// Parses the nginx error-log time `2000/10/10 13:55:36` (local time, no zone).
pub fn parse_error_log_time(text: &[u8], offset: i32) -> Option<ZonedTime> {
    if text.len() != 19 || text[4] != b'/' || text[7] != b'/' || text[10] != b' ' {
        return None;
    }
    if text[13] != b':' || text[16] != b':' {
        return None;
    }
    let year = i64::from(digits(&text[0..4])?);
    let month = digits(&text[5..7])?;
    let day = digits(&text[8..10])?;
    let hour = digits(&text[11..13])?;
    let minute = digits(&text[14..16])?;
    let second = digits(&text[17..19])?;
    zoned((year, month, day), (hour, minute, second), 0, offset)
}

/// Parses seconds since the epoch with an optional fraction: nginx `$msec` (`1700000000.123`).
pub fn parse_epoch_secs(text: &[u8]) -> Option<ZonedTime> {
    let (whole, fraction) = match memchr::memchr(b'.', text) {
        Some(dot) => (&text[..dot], Some(&text[dot + 1..])),
        None => (text, None),
    };
    if whole.is_empty() || whole.len() > 12 || !whole.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let secs: i64 = whole.iter().fold(0, |acc, byte| acc * 10 + i64::from(byte - b'0'));
    let micros = match fraction {
        Some(fraction) => parse_fraction(fraction)?,
        None => 0,
    };
    Some(ZonedTime {
        time: Timestamp::from_unix_secs(secs).add_micros(i64::from(micros)),
        utc_offset_secs: 0,
    })
}
