//! Tests for calendar arithmetic and timestamp formatting.

use proptest::prelude::*;

use crate::{Timestamp, civil};

#[test]
fn formats_utc_and_offsets() {
    let time = Timestamp::from_civil(2000, 10, 10, 20, 55, 36, 0);
    assert_eq!(time.to_rfc3339(), "2000-10-10T20:55:36Z");
    assert_eq!(time.to_rfc3339_with_offset(-7 * 3600), "2000-10-10T13:55:36-07:00");
    assert_eq!(time.to_rfc3339_with_offset(8 * 3600), "2000-10-11T04:55:36+08:00");
    assert_eq!(time.add_micros(123_000).to_rfc3339(), "2000-10-10T20:55:36.123Z");
    assert_eq!(time.add_micros(5).to_rfc3339(), "2000-10-10T20:55:36.000005Z");
}

#[test]
fn knows_leap_days_and_months() {
    assert_eq!(civil::days_in_month(2024, 2), 29);
    assert_eq!(civil::days_in_month(1900, 2), 28);
    assert_eq!(civil::days_in_month(2000, 2), 29);
    assert_eq!(civil::month_from_abbrev(b"Oct"), Some(10));
    assert_eq!(civil::month_from_abbrev(b"OCT"), Some(10));
    assert_eq!(civil::month_from_abbrev(b"Oc"), None);
    assert_eq!(Timestamp::from_civil(1969, 12, 31, 23, 59, 59, 0).as_unix_secs(), -1);
}

proptest! {
    #[test]
    fn civil_round_trips(days in -1_000_000i64..1_000_000) {
        let (year, month, day) = civil::civil_from_days(days);
        prop_assert!((1..=12).contains(&month));
        prop_assert!(day >= 1 && day <= civil::days_in_month(year, month));
        prop_assert_eq!(civil::days_from_civil(year, month, day), days);
    }
}

#[test]
fn country_codes_are_two_letters_uppercased() {
    use crate::Country;
    assert_eq!(Country::parse("tw").map(|c| c.to_string()), Some("TW".to_owned()));
    assert_eq!(Country::parse("US").map(|c| c.bytes()), Some(*b"US"));
    assert_eq!(Country::parse("USA"), None);
    assert_eq!(Country::parse("1A"), None);
    assert_eq!(Country::parse(""), None);
    assert_eq!(Country::parse("hK").map(|c| format!("{c:?}")), Some("Country(HK)".to_owned()));
}
