//! Human durations in rule files: `500ms`, `10s`, `10m`, `24h`, `1d`.

use std::time::Duration;

/// The longest duration a rule may ask for; longer windows would hold state for too long.
const MAX: Duration = Duration::from_secs(90 * 86_400);

/// Parses `500ms`, `10s`, `10m`, `24h` or `1d` (a whole number and one unit).
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let value: u64 = text[..digits].parse().ok()?;
    let millis_per_unit: u64 = match &text[digits..] {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    let duration = Duration::from_millis(value.checked_mul(millis_per_unit)?);
    (duration <= MAX).then_some(duration)
}

/// Formats a duration in the largest unit that divides it exactly (`90s` → `90s`, `600s` → `10m`).
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    for (unit, per) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] {
        if millis != 0 && millis.is_multiple_of(per) {
            return format!("{}{unit}", millis / per);
        }
    }
    format!("{millis}ms")
}
