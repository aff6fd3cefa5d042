//! The cost of enrichment per event: one country and one AS lookup for the
//! event's client address, as `pipeline::Processor::with_geo` does before the
//! rules see the event.
//!
//! Run with `cargo bench -p geoip`. It reads the DB-IP Lite country file and
//! the ASN file of `../shared/geoip/` (set `LEAKGUARD_GEOIP_DIR` to another
//! folder with `dbip-country-lite/dbip-country.mmdb` and
//! `asn-routeviews-nro-dbip/asn.mmdb`); without them it prints why and
//! measures nothing. Three shapes of traffic:
//! - `repeat_visitor`: the same address again (60% of a shop's lines repeat
//!   the previous client);
//! - `shop_day`: 5,000 addresses in turn, the per-address cache's regime;
//! - `flood`: every address new (the cache misses, the files are searched).

// Says on standard error why it measures nothing when the files are missing.
#![allow(clippy::print_stderr)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use divan::counter::ItemsCount;
use geoip::{Databases, GeoLookup};

fn main() {
    divan::main();
}

const N: u32 = 10_000;

fn databases() -> Option<Databases> {
    let dir = std::env::var_os("LEAKGUARD_GEOIP_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/geoip"),
        PathBuf::from,
    );
    let country = dir.join("dbip-country-lite/dbip-country.mmdb");
    let asn = dir.join("asn-routeviews-nro-dbip/asn.mmdb");
    match Databases::open(Some(&country), Some(&asn)) {
        Ok(databases) => Some(databases),
        Err(error) => {
            eprintln!("skipping the enrichment benchmarks: {error}");
            None
        }
    }
}

/// Addresses spread over the whole IPv4 space (a multiplicative hash of the index).
fn spread(idx: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(idx.wrapping_mul(2_654_435_761) | 1))
}

#[divan::bench]
fn repeat_visitor(bencher: divan::Bencher<'_, '_>) {
    let Some(mut databases) = databases() else { return };
    let ip: IpAddr = "168.95.1.1".parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        let mut found = 0u32;
        for _ in 0..N {
            found += u32::from(databases.lookup(divan::black_box(ip)).asn.is_some());
        }
        found
    });
}

#[divan::bench]
fn shop_day(bencher: divan::Bencher<'_, '_>) {
    let Some(mut databases) = databases() else { return };
    let visitors: Vec<IpAddr> = (0..5_000).map(spread).collect();
    let mut next = 0usize;
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        let mut found = 0u32;
        for _ in 0..N {
            next = (next + 7) % visitors.len();
            found += u32::from(databases.lookup(visitors[next]).asn.is_some());
        }
        found
    });
}

#[divan::bench]
fn flood(bencher: divan::Bencher<'_, '_>) {
    let Some(mut databases) = databases() else { return };
    let mut next = 0u32;
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        let mut found = 0u32;
        for _ in 0..N {
            next = next.wrapping_add(1);
            found += u32::from(databases.lookup(spread(next)).asn.is_some());
        }
        found
    });
}
