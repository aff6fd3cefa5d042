//! Tests of the MMDB layouts (on tiny databases written here, so `cargo test`
//! reads no shared data), the fixed table, the cache and the ASN notation.

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

/// A MaxMind DB value, encoded as the format's data section writes it.
enum Value<'a> {
    Str(&'a str),
    U16(u16),
    U32(u32),
    U64(u64),
    Map(Vec<(&'a str, Value<'a>)>),
    Array(Vec<Value<'a>>),
}

fn encode(value: &Value<'_>, out: &mut Vec<u8>) {
    // Control byte: type in the top three bits (0 = extended, type in the
    // next byte minus 7), size in the low five (all sizes here are < 29).
    let minimal = |number: u64| -> Vec<u8> {
        let bytes = number.to_be_bytes();
        let skip = bytes.iter().take_while(|byte| **byte == 0).count();
        bytes[skip..].to_vec()
    };
    match value {
        Value::Str(text) => {
            out.push(2 << 5 | text.len() as u8);
            out.extend_from_slice(text.as_bytes());
        }
        Value::U16(number) => {
            let bytes = minimal(u64::from(*number));
            out.push(5 << 5 | bytes.len() as u8);
            out.extend(bytes);
        }
        Value::U32(number) => {
            let bytes = minimal(u64::from(*number));
            out.push(6 << 5 | bytes.len() as u8);
            out.extend(bytes);
        }
        Value::U64(number) => {
            let bytes = minimal(*number);
            out.extend([bytes.len() as u8, 9 - 7]);
            out.extend(bytes);
        }
        Value::Map(entries) => {
            out.push(7 << 5 | entries.len() as u8);
            for (key, value) in entries {
                encode(&Value::Str(key), out);
                encode(value, out);
            }
        }
        Value::Array(items) => {
            out.extend([items.len() as u8, 11 - 7]);
            for item in items {
                encode(item, out);
            }
        }
    }
}

/// An IPv4 database of one search-tree node: 0.0.0.0/1 gets `low`, 128.0.0.0/1 `high`.
fn two_network_mmdb(database_type: &str, low: &Value<'_>, high: &Value<'_>) -> Vec<u8> {
    let mut data = Vec::new();
    encode(low, &mut data);
    let high_offset = data.len() as u32;
    encode(high, &mut data);
    let node_count = 1u32;
    // A record past the node count points into the data section.
    let pointer = |offset: u32| (node_count + 16 + offset).to_be_bytes();
    let mut file = Vec::new();
    file.extend_from_slice(&pointer(0)[1..]);
    file.extend_from_slice(&pointer(high_offset)[1..]);
    file.extend_from_slice(&[0; 16]);
    file.extend(data);
    file.extend_from_slice(b"\xab\xcd\xefMaxMind.com");
    let metadata = Value::Map(vec![
        ("binary_format_major_version", Value::U16(2)),
        ("binary_format_minor_version", Value::U16(0)),
        ("build_epoch", Value::U64(1_780_345_978)),
        ("database_type", Value::Str(database_type)),
        ("description", Value::Map(vec![("en", Value::Str("leakguard test data"))])),
        ("ip_version", Value::U16(4)),
        ("languages", Value::Array(vec![Value::Str("en")])),
        ("node_count", Value::U32(node_count)),
        ("record_size", Value::U16(24)),
    ]);
    encode(&metadata, &mut file);
    file
}

#[test]
fn reads_geolite2_ipinfo_and_dbip_layouts() {
    // GeoLite2: country.iso_code and autonomous_system_number; IPinfo Lite:
    // a country name in `country`, the code in `country_code`, `asn` as text.
    let geolite = Value::Map(vec![
        ("country", Value::Map(vec![("iso_code", Value::Str("SE"))])),
        ("autonomous_system_number", Value::U32(64500)),
    ]);
    let ipinfo = Value::Map(vec![
        ("country", Value::Str("Taiwan")),
        ("country_code", Value::Str("TW")),
        ("asn", Value::Str("AS3462")),
    ]);
    let bytes = two_network_mmdb("GeoLite2-Country", &geolite, &ipinfo);
    let database = crate::Database::from_bytes("test.mmdb", bytes).unwrap();
    let info = database.info();
    assert_eq!(
        (info.database_type.as_str(), info.build_epoch),
        ("GeoLite2-Country", 1_780_345_978)
    );
    assert_eq!(info.attribution, None);
    let mut databases = crate::Databases::new(vec![database]);
    assert_eq!(
        databases.lookup(ip("89.160.20.112")),
        Geo { country: Country::parse("SE"), asn: Some(64500) }
    );
    assert_eq!(
        databases.lookup(ip("203.0.113.9")),
        Geo { country: Country::parse("TW"), asn: Some(3462) }
    );
    // An IPv6 address in an IPv4-only file is simply unknown.
    assert_eq!(databases.lookup(ip("2001:db8::1")), Geo::default());

    // DB-IP: a top-level country_code only, and the credit its licence asks for.
    let dbip = Value::Map(vec![("country_code", Value::Str("US"))]);
    let bytes = two_network_mmdb("DBIP-Country-Lite", &dbip, &dbip);
    let database = crate::Database::from_bytes("dbip.mmdb", bytes).unwrap();
    assert_eq!(database.info().attribution, Some(crate::DBIP_ATTRIBUTION));
    let mut databases = crate::Databases::new(vec![database]);
    assert_eq!(databases.lookup(ip("8.8.8.8")), Geo { country: Country::parse("US"), asn: None });
    assert_eq!(databases.attributions(), [crate::DBIP_ATTRIBUTION]);
}
