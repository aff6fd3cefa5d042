//! Timestamps and the clock.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::civil;

/// A point in time: microseconds since 1970-01-01T00:00:00Z.
///
/// Always UTC inside; the zone a log line was written in is kept next to it
/// (see `Event::utc_offset_secs`) only for display.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);
    /// The earliest representable time.
    pub const MIN: Timestamp = Timestamp(i64::MIN);
    /// The latest representable time.
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    /// From microseconds since the epoch.
    pub const fn from_unix_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    /// From whole seconds since the epoch.
    pub const fn from_unix_secs(secs: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(1_000_000))
    }

    /// From a UTC civil date and time of day.
    pub fn from_civil(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        micros: u32,
    ) -> Timestamp {
        let days = civil::days_from_civil(year, month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Timestamp(secs * 1_000_000 + i64::from(micros))
    }

    /// Microseconds since the epoch.
    pub const fn as_unix_micros(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch (rounded towards negative infinity).
    pub const fn as_unix_secs(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// This time shifted by a number of seconds.
    pub const fn add_secs(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(secs.saturating_mul(1_000_000)))
    }

    /// This time shifted by a number of microseconds.
    pub const fn add_micros(self, micros: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(micros))
    }

    /// RFC 3339 in UTC, with fractional seconds only when there are any.
    pub fn to_rfc3339(self) -> String {
        self.to_rfc3339_with_offset(0)
    }

    /// RFC 3339 in a fixed offset from UTC (seconds east), e.g. `+08:00` for Taipei.
    pub fn to_rfc3339_with_offset(self, utc_offset_secs: i32) -> String {
        let local = self.0 + i64::from(utc_offset_secs) * 1_000_000;
        let secs = local.div_euclid(1_000_000);
        let micros = local.rem_euclid(1_000_000);
        let (year, month, day) = civil::civil_from_days(secs.div_euclid(86_400));
        let second_of_day = secs.rem_euclid(86_400);
        let (hour, minute, second) =
            (second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
        let mut text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
        if micros != 0 {
            if micros % 1000 == 0 {
                text.push_str(&format!(".{:03}", micros / 1000));
            } else {
                text.push_str(&format!(".{micros:06}"));
            }
        }
        if utc_offset_secs == 0 {
            text.push('Z');
        } else {
            let sign = if utc_offset_secs < 0 { '-' } else { '+' };
            let abs = utc_offset_secs.unsigned_abs();
            text.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60));
        }
        text
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

/// Where "now" comes from. Pure crates never read the system clock; they are
/// handed a `Clock` (or a `Timestamp`) so tests can fake time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        // The one place leakguard reads the wall clock; everything else asks a `Clock`.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now();
        match now.duration_since(std::time::UNIX_EPOCH) {
            Ok(elapsed) => Timestamp(i64::try_from(elapsed.as_micros()).unwrap_or(i64::MAX)),
            Err(before) => {
                Timestamp(-i64::try_from(before.duration().as_micros()).unwrap_or(i64::MAX))
            }
        }
    }
}
