//! MMDB files: opening, the layouts they come in, and the per-address cache.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use foldhash::fast::RandomState;
use maxminddb::{PathElement, Reader};
use model::Country;

use crate::{Error, Geo, GeoLookup, Result};

/// Addresses remembered before the cache starts over.
///
/// A shop's traffic comes from far fewer addresses than this in a day, so
/// nearly every lookup after the first per address is a hit; a flood of
/// one-shot addresses empties it now and then but never grows it.
pub const CACHE_ENTRIES: usize = 1 << 16;

/// One opened MMDB file.
pub struct Database {
    path: String,
    reader: Reader<Vec<u8>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("path", &self.path).finish_non_exhaustive()
    }
}

/// What a database says about itself, for `leakguard geoip status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseInfo {
    /// The file.
    pub path: String,
    /// The type its metadata names (`GeoLite2-Country`, `DBIP-Country-Lite`...).
    pub database_type: String,
    /// When it was built, in seconds since the epoch.
    pub build_epoch: u64,
    /// Nodes of its search tree (the networks it holds are about as many).
    pub node_count: u32,
    /// 4 or 6.
    pub ip_version: u16,
    /// The English description in its metadata, if any.
    pub description: Option<String>,
    /// The credit its licence asks for, when leakguard recognises the data.
    pub attribution: Option<&'static str>,
}

/// DB-IP's Lite databases are CC BY 4.0 and ask for this credit.
pub const DBIP_ATTRIBUTION: &str = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0";
/// The ip-location-db conversions merge RouteViews, NRO and DB-IP data, all CC BY 4.0.
pub const IP_LOCATION_DB_ATTRIBUTION: &str =
    "IP data from ip-location-db (RouteViews, NRO, DB-IP: https://db-ip.com), CC BY 4.0";

impl Database {
    /// Opens `path`, reading it into memory.
    pub fn open(path: &Path) -> Result<Database> {
        let display = path.display().to_string();
        let reader = Reader::open_readfile(path)
            .map_err(|source| Error::Open { path: display.clone(), source })?;
        Ok(Database { path: display, reader })
    }

    /// A database from bytes already in memory (`name` is how errors call it).
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Database> {
        let reader = Reader::from_source(bytes)
            .map_err(|source| Error::Open { path: name.to_owned(), source })?;
        Ok(Database { path: name.to_owned(), reader })
    }

    /// What the file says about itself.
    pub fn info(&self) -> DatabaseInfo {
        let metadata = self.reader.metadata();
        let description = metadata.description.get("en").cloned();
        let haystack = format!(
            "{} {} {}",
            metadata.database_type,
            description.as_deref().unwrap_or(""),
            self.path
        )
        .to_ascii_lowercase();
        let attribution = if haystack.contains("ip-location-db") {
            Some(IP_LOCATION_DB_ATTRIBUTION)
        } else if haystack.contains("dbip") || haystack.contains("db-ip") {
            Some(DBIP_ATTRIBUTION)
        } else {
            None
        };
        DatabaseInfo {
            path: self.path.clone(),
            database_type: metadata.database_type.clone(),
            build_epoch: metadata.build_epoch,
            node_count: metadata.node_count,
            ip_version: metadata.ip_version,
            description,
            attribution,
        }
    }

    /// Fills what `geo` lacks from this file's record for `ip`.
    fn fill(&self, ip: IpAddr, geo: &mut Geo) {
        let Ok(result) = self.reader.lookup(ip) else { return };
        if !result.has_data() {
            return;
        }
        // A path the record does not have, or has with another type (IPinfo's
        // `country` is a name, GeoLite2's a map), is an `Err` or `None`: try the next.
        let text = |path: &[PathElement<'_>]| result.decode_path::<&str>(path).ok().flatten();
        if geo.country.is_none() {
            geo.country = text(&[PathElement::Key("country"), PathElement::Key("iso_code")])
                .or_else(|| text(&[PathElement::Key("country_code")]))
                .and_then(Country::parse);
        }
        if geo.asn.is_none() {
            geo.asn = result
                .decode_path::<u32>(&[PathElement::Key("autonomous_system_number")])
                .ok()
                .flatten()
                .or_else(|| text(&[PathElement::Key("asn")]).and_then(parse_asn))
                .or_else(|| result.decode_path::<u32>(&[PathElement::Key("asn")]).ok().flatten());
        }
    }
}

/// An AS number written `AS13335`, `as13335` or `13335`.
pub fn parse_asn(text: &str) -> Option<u32> {
    let text = text.trim();
    let digits = match text.get(..2) {
        Some(prefix) if prefix.eq_ignore_ascii_case("as") => &text[2..],
        _ => text,
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Counters of a [`Databases`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LookupStats {
    /// Addresses asked for.
    pub lookups: u64,
    /// Of those, answered from the cache.
    pub cache_hits: u64,
    /// Times the cache was full and started over.
    pub cache_resets: u64,
}

/// The configured databases (a country file, an ASN file, or one file with
/// both), asked in order, behind a bounded per-address cache.
#[derive(Debug)]
pub struct Databases {
    databases: Vec<Database>,
    cache: HashMap<IpAddr, Geo, RandomState>,
    /// The last address answered: most log lines come from the same client
    /// as the line before (60% of the demo's), and this spares them the hash.
    last: Option<(IpAddr, Geo)>,
    stats: LookupStats,
}

impl Databases {
    /// Opens the country and ASN files named (either may be absent).
    pub fn open(country: Option<&Path>, asn: Option<&Path>) -> Result<Databases> {
        let mut databases = Vec::new();
        for path in [country, asn].into_iter().flatten() {
            databases.push(Database::open(path)?);
        }
        Ok(Databases::new(databases))
    }

    /// Databases already opened, asked in this order.
    pub fn new(databases: Vec<Database>) -> Databases {
        Databases {
            databases,
            cache: HashMap::with_capacity_and_hasher(1024, RandomState::default()),
            last: None,
            stats: LookupStats::default(),
        }
    }

    /// The databases, in order.
    pub fn databases(&self) -> &[Database] {
        &self.databases
    }

    /// Whether no file is open.
    pub fn is_empty(&self) -> bool {
        self.databases.is_empty()
    }

    /// The credits the open files' licences ask for (each once).
    pub fn attributions(&self) -> Vec<&'static str> {
        let mut credits = Vec::new();
        for database in &self.databases {
            if let Some(credit) = database.info().attribution
                && !credits.contains(&credit)
            {
                credits.push(credit);
            }
        }
        credits
    }

    /// The counters so far.
    pub fn stats(&self) -> LookupStats {
        self.stats
    }

    /// Addresses in the cache now (at most [`CACHE_ENTRIES`]).
    pub fn n_cached(&self) -> usize {
        self.cache.len()
    }

    /// Looks `ip` up in the files, without the cache.
    pub fn lookup_uncached(&self, ip: IpAddr) -> Geo {
        let mut geo = Geo::default();
        for database in &self.databases {
            database.fill(ip, &mut geo);
            if geo.country.is_some() && geo.asn.is_some() {
                break;
            }
        }
        geo
    }
}

impl GeoLookup for Databases {
    fn databases(&self) -> Vec<DatabaseInfo> {
        self.databases.iter().map(Database::info).collect()
    }

    fn lookup(&mut self, ip: IpAddr) -> Geo {
        self.stats.lookups += 1;
        let ip = ip.to_canonical();
        if let Some((last_ip, geo)) = self.last
            && last_ip == ip
        {
            self.stats.cache_hits += 1;
            return geo;
        }
        let geo = match self.cache.get(&ip) {
            Some(geo) => {
                self.stats.cache_hits += 1;
                *geo
            }
            None => {
                let geo = self.lookup_uncached(ip);
                if self.cache.len() >= CACHE_ENTRIES {
                    self.cache.clear();
                    self.stats.cache_resets += 1;
                }
                self.cache.insert(ip, geo);
                geo
            }
        };
        self.last = Some((ip, geo));
        geo
    }
}
