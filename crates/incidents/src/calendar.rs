//! Dates as people read them: the site's zone, and the ROC (Minguo) calendar
//! customary in Taiwanese documents (民國115年12月7日 for 2026-12-07).

use model::{Timestamp, civil};

/// The civil date and time of day at a fixed offset from UTC.
fn local_parts(time: Timestamp, utc_offset_secs: i32) -> (i64, u32, u32, i64, i64) {
    let secs = time.as_unix_secs() + i64::from(utc_offset_secs);
    let (year, month, day) = civil::civil_from_days(secs.div_euclid(86_400));
    let second_of_day = secs.rem_euclid(86_400);
    (year, month, day, second_of_day / 3600, second_of_day / 60 % 60)
}

/// The ROC year of a Gregorian year: 民國 N, or 民國前 N before 1912.
fn roc_year(year: i64) -> String {
    if year >= 1912 {
        format!("民國{}年", year - 1911)
    } else {
        format!("民國前{}年", 1912 - year)
    }
}

/// `民國115年12月7日` in the given zone.
pub fn roc_date(time: Timestamp, utc_offset_secs: i32) -> String {
    let (year, month, day, _, _) = local_parts(time, utc_offset_secs);
    format!("{}{month}月{day}日", roc_year(year))
}

/// `民國115年12月7日 14:08` in the given zone.
pub fn roc_date_time(time: Timestamp, utc_offset_secs: i32) -> String {
    let (year, month, day, hour, minute) = local_parts(time, utc_offset_secs);
    format!("{}{month}月{day}日 {hour:02}:{minute:02}", roc_year(year))
}

/// `2026-12-07` in the given zone.
pub fn iso_date(time: Timestamp, utc_offset_secs: i32) -> String {
    let (year, month, day, _, _) = local_parts(time, utc_offset_secs);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `2026-12-07 14:08 +08:00` in the given zone.
pub fn local_date_time(time: Timestamp, utc_offset_secs: i32) -> String {
    let (year, month, day, hour, minute) = local_parts(time, utc_offset_secs);
    let sign = if utc_offset_secs < 0 { '-' } else { '+' };
    let abs = utc_offset_secs.unsigned_abs();
    format!(
        "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} {sign}{:02}:{:02}",
        abs / 3600,
        abs / 60 % 60
    )
}

/// A date and time for a document in a language: ROC calendar in zh-TW.
pub fn document_date_time(time: Timestamp, utc_offset_secs: i32, zh_tw: bool) -> String {
    if zh_tw {
        roc_date_time(time, utc_offset_secs)
    } else {
        local_date_time(time, utc_offset_secs)
    }
}

/// A date for a document in a language: ROC calendar in zh-TW.
pub fn document_date(time: Timestamp, utc_offset_secs: i32, zh_tw: bool) -> String {
    if zh_tw { roc_date(time, utc_offset_secs) } else { iso_date(time, utc_offset_secs) }
}
