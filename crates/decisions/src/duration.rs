//! Durations as people write them (`4h`, `1h30m`) and as CrowdSec prints them (`3h59m58s`).

use crate::{Error, Result};

/// Parses `90s`, `10m`, `4h`, `7d`, `1h30m` (or a bare number of seconds) into seconds.
pub fn parse_duration(text: &str) -> Result<u64> {
    let invalid = || Error::InvalidDuration(text.to_owned());
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(invalid());
    }
    if let Ok(secs) = trimmed.parse::<u64>() {
        return Ok(secs);
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for ch in trimmed.chars() {
        if let Some(digit) = ch.to_digit(10) {
            let so_far = number.unwrap_or(0);
            number = Some(
                so_far
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(digit)))
                    .ok_or_else(invalid)?,
            );
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(invalid()),
        };
        let count = number.take().ok_or_else(invalid)?;
        total =
            count.checked_mul(unit).and_then(|secs| total.checked_add(secs)).ok_or_else(invalid)?;
    }
    if number.is_some() {
        return Err(invalid());
    }
    Ok(total)
}

/// Formats whole seconds the way Go prints a `time.Duration`: `0s`, `58s`,
/// `59m58s`, `3h59m58s`, `-1m5s`. CrowdSec bouncers parse this format.
pub fn format_go_duration(secs: i64) -> String {
    if secs == 0 {
        return "0s".to_owned();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let abs = secs.unsigned_abs();
    let (hours, minutes, seconds) = (abs / 3600, abs / 60 % 60, abs % 60);
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{seconds}s")
    } else if minutes > 0 {
        format!("{sign}{minutes}m{seconds}s")
    } else {
        format!("{sign}{seconds}s")
    }
}
