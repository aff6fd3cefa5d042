//! Retention: last-activity columns, their dates, and the three-year cutoff.

use crate::{CivilDate, InactivityTally, find_activity_column, parse_activity_date};

fn date(year: i32, month: u32, day: u32) -> CivilDate {
    CivilDate { year, month, day }
}

#[test]
fn the_most_specific_last_activity_column_is_chosen() {
    assert_eq!(find_activity_column(&["id", "updated_at", "last_login_at", "email"]), Some(2));
    assert_eq!(find_activity_column(&["updated_at", "lastSeen"]), Some(1));
    assert_eq!(find_activity_column(&["會員編號", "更新時間", "最後登入時間"]), Some(2));
    assert_eq!(find_activity_column(&["會員編號", "最近登入"]), Some(1));
    assert_eq!(find_activity_column(&["member.last_login", "name"]), Some(0));
    assert_eq!(find_activity_column(&["created_at", "birthday", "login_count"]), None);
}

#[test]
fn activity_dates_are_read_in_iso_slashed_and_roc_forms() {
    for (value, expect) in [
        ("2021-03-04", Some(date(2021, 3, 4))),
        ("2021-03-04T10:00:00Z", Some(date(2021, 3, 4))),
        ("2021-03-04 10:00:00", Some(date(2021, 3, 4))),
        ("2021/3/4", Some(date(2021, 3, 4))),
        ("110/03/04", Some(date(2021, 3, 4))),
        ("民國110年3月4日", Some(date(2021, 3, 4))),
        ("2021-02-30", None),
        ("2021-03-04abc", None),
        ("never", None),
        ("", None),
    ] {
        assert_eq!(parse_activity_date(value), expect, "{value:?}");
    }
}

#[test]
fn the_reference_time_becomes_a_utc_day() {
    assert_eq!(CivilDate::from_unix_secs(0), date(1970, 1, 1));
    // 2026-12-02T00:49:42Z.
    assert_eq!(CivilDate::from_unix_secs(1_796_172_582), date(2026, 12, 2));
    assert_eq!(CivilDate::from_unix_secs(951_782_400), date(2000, 2, 29));
}

#[test]
fn dates_more_than_three_years_before_the_reference_are_inactive() {
    let mut tally = InactivityTally::new(date(2026, 12, 2));
    for value in ["2023-12-01", "2023-12-02", "2026-01-01", "110/05/12", "not a date"] {
        tally.observe(Some(value));
    }
    tally.observe(None);
    assert_eq!((tally.n_dated, tally.n_inactive), (4, 2));
}
