//! Run with: cargo run --release -p geoip --example lookup_rate -- COUNTRY.mmdb ASN.mmdb [IP...]
//!
//! Prints what the files say about the addresses given, then measures lookups
//! per second, uncached over spread-out addresses and cached over a shop-sized
//! set of repeat visitors.

// An example reports on standard output.
#![allow(clippy::print_stdout)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::Instant;

use geoip::{Databases, GeoLookup};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (country, asn) = match args.as_slice() {
        [country, asn, ..] => (country.as_str(), asn.as_str()),
        _ => return Err("usage: lookup_rate COUNTRY.mmdb ASN.mmdb [IP...]".into()),
    };
    let mut databases = Databases::open(Some(Path::new(country)), Some(Path::new(asn)))?;
    for database in databases.databases() {
        println!("{:?}", database.info());
    }
    for text in &args[2..] {
        let ip: IpAddr = text.parse()?;
        println!("{ip}: {:?}", databases.lookup(ip));
    }
    let n = 1_000_000u32;
    let start = Instant::now();
    let mut found = 0u32;
    for idx in 0..n {
        // Spread over the whole IPv4 space so that nothing repeats.
        let ip = IpAddr::V4(Ipv4Addr::from(idx.wrapping_mul(2_654_435_761)));
        found += u32::from(databases.lookup_uncached(ip).asn.is_some());
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!("uncached: {:.0} lookups/s ({found} with an ASN)", f64::from(n) / elapsed);
    let start = Instant::now();
    for idx in 0..n {
        let ip = IpAddr::V4(Ipv4Addr::from((idx % 5000).wrapping_mul(2_654_435_761)));
        found += u32::from(databases.lookup(ip).asn.is_some());
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!("cached (5000 addresses): {:.0} lookups/s ({found})", f64::from(n) / elapsed);
    Ok(())
}
