//! Enrichment: the country and autonomous system of a client address, from
//! MaxMind DB (MMDB) files.
//!
//! The pipeline asks a [`GeoLookup`] for each event's client address before
//! detection, and sets `Event::country` and `Event::asn`; rules only ever see
//! those fields, so `detection` stays pure.
//!
//! [`Databases`] reads MMDB files in the layouts in common use:
//! GeoLite2 / GeoIP2 (`country.iso_code`, `autonomous_system_number`),
//! DB-IP and ip-location-db (a top-level `country_code`) and IPinfo
//! (`country_code`, and `asn` as text like `"AS13335"`).
//! Answers are kept in a bounded per-address cache ([`CACHE_ENTRIES`]).
//! [`Table`] is a fixed table for tests and rule fixtures.
//!
//! It does not decide what a country means (rules do) and does not download
//! databases (the operator names the files in the config).

mod mmdb;
mod table;

pub use mmdb::{
    CACHE_ENTRIES, DBIP_ATTRIBUTION, Database, DatabaseInfo, Databases, IP_LOCATION_DB_ATTRIBUTION,
    LookupStats, parse_asn,
};
pub use table::Table;

use std::net::IpAddr;

use model::Country;

/// What enrichment knows about one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Geo {
    /// The country, ISO 3166-1 alpha-2.
    pub country: Option<Country>,
    /// The autonomous system number.
    pub asn: Option<u32>,
}

/// Something that knows where addresses are: MMDB files or a fixed table.
pub trait GeoLookup: std::fmt::Debug + Send {
    /// What is known about `ip` (nothing for private and unknown addresses).
    fn lookup(&mut self, ip: IpAddr) -> Geo;

    /// The files behind the answers, for reports (none for a fixed table).
    fn databases(&self) -> Vec<DatabaseInfo> {
        Vec::new()
    }
}

/// Errors opening a database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read or is not a MaxMind DB.
    #[error("cannot open MMDB file {path}: {source}")]
    Open {
        /// The file.
        path: String,
        /// Why.
        source: maxminddb::MaxMindDbError,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
