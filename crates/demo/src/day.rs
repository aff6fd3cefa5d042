//! The day being generated: its bounds, local clock and traffic curve.

use model::civil;

pub(crate) const MICROS_PER_SEC: i64 = 1_000_000;
pub(crate) const DAY_SECS: i64 = 86_400;
pub(crate) const DAY_MICROS: i64 = DAY_SECS * MICROS_PER_SEC;

/// Relative traffic for each local hour in a Taiwanese shop: quiet from 2 to
/// 7 am, a lunch peak, and the evening peak from 20:00 to 23:00.
const HOURLY_WEIGHTS: [f64; 24] = [
    55.0, 33.0, 18.0, 11.0, 8.0, 9.0, 16.0, 32.0, 52.0, 64.0, 72.0, 82.0, 100.0, 92.0, 74.0, 70.0,
    70.0, 72.0, 80.0, 92.0, 112.0, 126.0, 118.0, 86.0,
];

/// The 24 hours starting at the spec's start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Day {
    /// First microsecond of the day (UTC micros since the epoch).
    pub(crate) start: i64,
    /// One past the last microsecond.
    pub(crate) end: i64,
    pub(crate) utc_offset_secs: i32,
}

impl Day {
    pub(crate) fn new(start: i64, utc_offset_secs: i32) -> Day {
        Day { start, end: start.saturating_add(DAY_MICROS), utc_offset_secs }
    }

    /// Local second of the day at the start.
    fn start_local_second(&self) -> i64 {
        (self.start.div_euclid(MICROS_PER_SEC) + i64::from(self.utc_offset_secs))
            .rem_euclid(DAY_SECS)
    }

    /// The time inside the day when the local clock shows `hour:minute:second`.
    pub(crate) fn at_local(&self, hour: i64, minute: i64, second: i64) -> i64 {
        let wanted = hour * 3600 + minute * 60 + second;
        let delta = (wanted - self.start_local_second()).rem_euclid(DAY_SECS);
        self.start + delta * MICROS_PER_SEC
    }

    /// The local date `days_back` days before the day's start, as `yyyymmdd`.
    pub(crate) fn local_date_number(&self, days_back: i64) -> u64 {
        let local_day = (self.start.div_euclid(MICROS_PER_SEC) + i64::from(self.utc_offset_secs))
            .div_euclid(DAY_SECS);
        let (year, month, day) = civil::civil_from_days(local_day - days_back);
        year.clamp(0, 9_999) as u64 * 10_000 + u64::from(month) * 100 + u64::from(day)
    }

    /// An order number as the shop prints them: `yyyymmdd` of the order date and a
    /// five-digit sequence, e.g. `2026111900342`.
    pub(crate) fn order_id(&self, days_back: i64, seq: u64) -> u64 {
        self.local_date_number(days_back) * 100_000 + seq % 100_000
    }

    /// A step forward from `now` that never leaves the day: near the end every
    /// step is cut to a quarter of the room left, so sessions wind down in time.
    pub(crate) fn step(&self, now: i64, step: i64) -> i64 {
        let room = (self.end - 1 - now).max(0);
        now + step.min(room / 4).max(0)
    }
}

/// The diurnal traffic curve as a cumulative distribution over the day's minutes.
#[derive(Debug)]
pub(crate) struct Diurnal {
    /// `cumulative[m]` is the weight of minutes `0..m` of the day.
    cumulative: Vec<f64>,
}

impl Diurnal {
    pub(crate) fn new(day: &Day) -> Diurnal {
        let start_minute = day.start_local_second() / 60;
        let mut cumulative = Vec::with_capacity(1_441);
        let mut total = 0.0;
        cumulative.push(0.0);
        for minute in 0..1_440 {
            let local_minute = (start_minute + minute) % 1_440;
            total += weight_at_local_minute(local_minute);
            cumulative.push(total);
        }
        Diurnal { cumulative }
    }

    /// The offset into the day (micros) at quantile `quantile` in `[0, 1)`.
    pub(crate) fn offset_at(&self, quantile: f64) -> i64 {
        let total = self.cumulative[1_440];
        let target = quantile.clamp(0.0, 1.0) * total;
        // The last minute whose cumulative weight is <= target.
        let minute =
            self.cumulative.partition_point(|&weight| weight <= target).clamp(1, 1_440) - 1;
        let width = self.cumulative[minute + 1] - self.cumulative[minute];
        let fraction = if width > 0.0 {
            ((target - self.cumulative[minute]) / width).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let offset = (minute as f64 + fraction) * 60.0 * MICROS_PER_SEC as f64;
        (offset as i64).clamp(0, DAY_MICROS - 1)
    }
}

/// Hourly weights interpolated linearly between hour midpoints, so volume
/// changes smoothly rather than in steps on the hour.
fn weight_at_local_minute(local_minute: i64) -> f64 {
    let position = (local_minute as f64 - 30.0) / 60.0;
    let lower = position.floor();
    let fraction = position - lower;
    let lower_hour = (lower as i64).rem_euclid(24) as usize;
    let upper_hour = (lower_hour + 1) % 24;
    HOURLY_WEIGHTS[lower_hour] * (1.0 - fraction) + HOURLY_WEIGHTS[upper_hour] * fraction
}
