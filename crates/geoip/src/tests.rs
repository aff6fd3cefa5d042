//! Tests of the fixed table and of the ASN notation (the MMDB files
//! themselves are checked by `leakguard eval peers`, which reads
//! `../shared/geoip/`; `cargo test` reads no shared data).

use std::net::IpAddr;

use model::Country;

use crate::{Geo, GeoLookup, Table, parse_asn};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn reads_asn_in_every_notation() {
    assert_eq!(parse_asn("AS13335"), Some(13335));
    assert_eq!(parse_asn("as64500"), Some(64500));
    assert_eq!(parse_asn(" 7018 "), Some(7018));
    assert_eq!(parse_asn("AS"), None);
    assert_eq!(parse_asn("ASX1"), None);
    assert_eq!(parse_asn("AS99999999999"), None);
    assert_eq!(parse_asn(""), None);
}

#[test]
fn table_answers_its_addresses_and_nothing_else() {
    let mut table = Table::new();
    let geo = Geo { country: Country::parse("US"), asn: Some(64500) };
    table.insert(ip("203.0.113.9"), geo);
    assert_eq!(table.lookup(ip("203.0.113.9")), geo);
    assert_eq!(table.lookup(ip("::ffff:203.0.113.9")), geo);
    assert_eq!(table.lookup(ip("203.0.113.10")), Geo::default());
}

#[test]
fn databases_without_files_know_nothing() {
    let mut databases = crate::Databases::new(Vec::new());
    assert!(databases.is_empty());
    assert_eq!(databases.lookup(ip("8.8.8.8")), Geo::default());
    assert_eq!(databases.lookup(ip("8.8.8.8")), Geo::default());
    let stats = databases.stats();
    assert_eq!((stats.lookups, stats.cache_hits), (2, 1));
    assert!(databases.attributions().is_empty());
}

#[test]
fn a_file_that_is_not_mmdb_is_an_error_naming_it() {
    let error = crate::Database::from_bytes("broken.mmdb", b"not a database".to_vec()).unwrap_err();
    assert!(error.to_string().contains("broken.mmdb"), "{error}");
}

#[test]
fn the_cache_stays_bounded_under_a_flood_of_one_shot_addresses() {
    let mut databases = crate::Databases::new(Vec::new());
    let n = 3 * crate::CACHE_ENTRIES as u32 + 7;
    for idx in 0..n {
        databases.lookup(IpAddr::V4(std::net::Ipv4Addr::from(idx.wrapping_mul(2_654_435_761))));
        assert!(databases.n_cached() <= crate::CACHE_ENTRIES);
    }
    let stats = databases.stats();
    assert_eq!((stats.lookups, stats.cache_hits, stats.cache_resets), (u64::from(n), 0, 3));
}
