//! Retention: members whose last activity is more than three years before
//! the scan are still kept. A last-activity column is found by its name
//! (English or Chinese), its dates are read in the Gregorian or the ROC
//! calendar, and the rows older than the cutoff are counted. The reference
//! date is the scan's start, given by the caller (this crate reads no clock).

use crate::date::parse_date;

/// A calendar day (proleptic Gregorian), ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    /// The Gregorian year.
    pub year: i32,
    /// The month (1-12).
    pub month: u32,
    /// The day of the month (1-31).
    pub day: u32,
}

impl CivilDate {
    /// The UTC day of a time given in whole seconds since the Unix epoch.
    pub fn from_unix_secs(secs: i64) -> Self {
        // Howard Hinnant's civil_from_days.
        let days = secs.div_euclid(86_400) + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        CivilDate {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
        }
    }

    /// The same day `years` years earlier (29 February stays comparable: the
    /// tuple order puts it right after 28 February).
    pub fn years_before(self, years: i32) -> Self {
        CivilDate { year: self.year - years, ..self }
    }
}

/// Years of inactivity after which a kept member is flagged.
pub const RETENTION_YEARS: i32 = 3;

const ROC_PREFIX: &str = "民國";

/// Reads the date at the start of a last-activity value: `2021-03-04`,
/// `2021-03-04T10:00:00Z`, `2021-03-04 10:00:00`, `2021/03/04`, ROC dates
/// (`110/03/04`, `民國110年3月4日`). Whatever follows the date must be a
/// time (after `T` or a space) or nothing.
pub fn parse_activity_date(value: &str) -> Option<CivilDate> {
    let value = value.trim();
    let value = value.strip_prefix(ROC_PREFIX).unwrap_or(value).trim_start();
    let date = parse_date(value.as_bytes())?;
    let rest = &value.as_bytes()[date.len..];
    let is_followed_by_time = match rest.first() {
        None => true,
        Some(b'T' | b't' | b' ') => rest.get(1).is_some_and(u8::is_ascii_digit),
        Some(_) => false,
    };
    if !is_followed_by_time {
        return None;
    }
    Some(CivilDate { year: i32::try_from(date.year).ok()?, month: date.month, day: date.day })
}

/// Names of last-activity columns, with how specific they are (higher is
/// better): a last login beats a last visit, which beats a record's update
/// time. Names are compared lowercased without `_`, `-`, spaces or dots.
const ACTIVITY_NAMES: &[(&str, u8)] = &[
    ("lastlogin", 3),
    ("lastloginat", 3),
    ("lastlogindate", 3),
    ("lastlogintime", 3),
    ("lastloginon", 3),
    ("lastsignin", 3),
    ("lastsigninat", 3),
    ("最後登入", 3),
    ("最後登入時間", 3),
    ("最後登入日期", 3),
    ("最近登入", 3),
    ("最近登入時間", 3),
    ("最近登入日期", 3),
    ("上次登入", 3),
    ("上次登入時間", 3),
    ("lastseen", 2),
    ("lastseenat", 2),
    ("lastactive", 2),
    ("lastactiveat", 2),
    ("lastactivity", 2),
    ("lastactivityat", 2),
    ("lastvisit", 2),
    ("lastvisitat", 2),
    ("lastorderdate", 2),
    ("最後活動", 2),
    ("最後活動時間", 2),
    ("最近活動", 2),
    ("最後上線", 2),
    ("最後上線時間", 2),
    ("最近上線", 2),
    ("updatedat", 1),
    ("updatedon", 1),
    ("modifiedat", 1),
    ("lastmodified", 1),
    ("最後更新", 1),
    ("最後更新時間", 1),
    ("更新時間", 1),
];

/// How specific `name` (a column name or the last segment of a JSON path)
/// is as a last-activity column, or `None` when it is not one.
pub fn activity_column_rank(name: &str) -> Option<u8> {
    let last = name.rsplit('.').next().unwrap_or(name);
    let key: String = last
        .chars()
        .filter(|ch| !matches!(ch, '_' | '-' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    ACTIVITY_NAMES.iter().find(|(candidate, _)| *candidate == key).map(|(_, rank)| *rank)
}

/// The most specific last-activity column among `names` (the first of
/// equal rank).
pub fn find_activity_column<S: AsRef<str>>(names: &[S]) -> Option<usize> {
    let mut best: Option<(usize, u8)> = None;
    for (idx, name) in names.iter().enumerate() {
        if let Some(rank) = activity_column_rank(name.as_ref())
            && best.is_none_or(|(_, best_rank)| rank > best_rank)
        {
            best = Some((idx, rank));
        }
    }
    best.map(|(idx, _)| idx)
}

/// Counts the sampled values of a last-activity column that are dates more
/// than [`RETENTION_YEARS`] years before the reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InactivityTally {
    cutoff: CivilDate,
    /// Values read as dates.
    pub n_dated: u64,
    /// Dates before the cutoff.
    pub n_inactive: u64,
}

impl InactivityTally {
    /// A tally against `reference`, the scan's start.
    pub fn new(reference: CivilDate) -> Self {
        InactivityTally {
            cutoff: reference.years_before(RETENTION_YEARS),
            n_dated: 0,
            n_inactive: 0,
        }
    }

    /// Counts one value of the column (empty and unreadable values are not dates).
    pub fn observe(&mut self, value: Option<&str>) {
        let Some(date) = value.and_then(parse_activity_date) else { return };
        self.n_dated += 1;
        if date < self.cutoff {
            self.n_inactive += 1;
        }
    }
}
