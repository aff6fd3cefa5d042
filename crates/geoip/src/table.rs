//! A fixed table of addresses, for tests and rule fixtures.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::{Geo, GeoLookup};

/// Exact addresses and what they are; every other address is unknown.
#[derive(Debug, Clone, Default)]
pub struct Table {
    entries: HashMap<IpAddr, Geo>,
}

impl Table {
    /// An empty table.
    pub fn new() -> Table {
        Table::default()
    }

    /// Adds (or replaces) what `ip` is.
    pub fn insert(&mut self, ip: IpAddr, geo: Geo) {
        self.entries.insert(ip.to_canonical(), geo);
    }

    /// Whether the table has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl GeoLookup for Table {
    fn lookup(&mut self, ip: IpAddr) -> Geo {
        self.entries.get(&ip.to_canonical()).copied().unwrap_or_default()
    }
}
