//! `leakguard geoip`: what the configured GeoIP/ASN databases are, and the
//! enrichment `analyze` and `run` attach to the processor.

use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::Context;
use geoip::{Databases, GeoLookup};
use serde::Serialize;

use crate::config::{Config, GeoipConfig};

/// Opens the configured databases; `None` when `[geoip]` names none.
pub(crate) fn open(config: &GeoipConfig) -> anyhow::Result<Option<Databases>> {
    if !config.is_configured() {
        return Ok(None);
    }
    let mut databases = Vec::new();
    for (key, path) in [("country_db", &config.country_db), ("asn_db", &config.asn_db)] {
        if let Some(path) = path {
            let database = geoip::Database::open(path)
                .with_context(|| format!("geoip.{key}: opening {}", path.display()))?;
            databases.push(database);
        }
    }
    Ok(Some(Databases::new(databases)))
}

/// What `analyze` says about enrichment, in its report and JSON document.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GeoReport {
    /// The databases used (empty when none is configured).
    pub(crate) databases: Vec<DatabaseStatus>,
    /// The credits the databases' licences ask for.
    pub(crate) attributions: Vec<&'static str>,
    /// Rules that test or group by country or ASN and cannot fire without a database.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) rules_off: Vec<String>,
}

/// One database, as `geoip status` and the report show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DatabaseStatus {
    pub(crate) key: &'static str,
    pub(crate) path: String,
    pub(crate) database_type: String,
    /// Build time (RFC 3339, UTC).
    pub(crate) built: String,
    /// Whole days between the build and now.
    pub(crate) age_days: i64,
    pub(crate) search_tree_nodes: u32,
    pub(crate) ip_version: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) attribution: Option<&'static str>,
}

fn statuses(config: &GeoipConfig) -> anyhow::Result<Vec<DatabaseStatus>> {
    let mut infos = Vec::new();
    for (key, path) in [("country_db", &config.country_db), ("asn_db", &config.asn_db)] {
        let Some(path) = path else { continue };
        let database = geoip::Database::open(path)
            .with_context(|| format!("geoip.{key}: opening {}", path.display()))?;
        infos.push((key, database.info()));
    }
    Ok(describe(infos))
}

/// The status of databases already open, keyed `country_db`, `asn_db` in that order.
fn describe(infos: Vec<(&'static str, geoip::DatabaseInfo)>) -> Vec<DatabaseStatus> {
    let now = model::Clock::now(&model::SystemClock);
    let mut found = Vec::new();
    for (key, info) in infos {
        let built = model::Timestamp::from_unix_secs(i64::try_from(info.build_epoch).unwrap_or(0));
        let age_days = (now.as_unix_secs() - built.as_unix_secs()).div_euclid(86_400);
        found.push(DatabaseStatus {
            key,
            path: info.path,
            database_type: info.database_type,
            built: built.to_rfc3339(),
            age_days,
            search_tree_nodes: info.node_count,
            ip_version: info.ip_version,
            description: info.description,
            attribution: info.attribution,
        });
    }
    found
}

/// The enrichment part of an analysis: the databases the processor used (or
/// the geo rules that are off).
pub(crate) fn report(config: &Config, processor: &pipeline::Processor) -> Option<GeoReport> {
    let rule_set = processor.rule_set();
    let rules_off: Vec<String> = if config.geoip.is_configured() {
        Vec::new()
    } else {
        rule_set
            .map(|rule_set| rule_set.geo_rules().map(|rule| rule.id().0.clone()).collect())
            .unwrap_or_default()
    };
    let keys = [("country_db", &config.geoip.country_db), ("asn_db", &config.geoip.asn_db)];
    let keys = keys.into_iter().filter(|(_, path)| path.is_some()).map(|(key, _)| key);
    let infos = processor.geo().map(|geo| geo.databases()).unwrap_or_default();
    let databases = describe(keys.zip(infos).collect());
    if databases.is_empty() && rules_off.is_empty() {
        return None;
    }
    let mut attributions = Vec::new();
    for status in &databases {
        if let Some(credit) = status.attribution
            && !attributions.contains(&credit)
        {
            attributions.push(credit);
        }
    }
    Some(GeoReport { databases, attributions, rules_off })
}

/// The one-line notice `analyze` prints when geo rules are off.
pub(crate) fn off_notice(report: &GeoReport) -> Option<String> {
    (!report.rules_off.is_empty()).then(|| {
        format!(
            "note: no GeoIP database configured ([geoip] country_db, asn_db), so {} rule{} on \
             country or AS number cannot fire: {} (see docs/geoip.md)",
            report.rules_off.len(),
            if report.rules_off.len() == 1 { "" } else { "s" },
            report.rules_off.join(", ")
        )
    })
}

/// `leakguard geoip status`.
pub(crate) fn status(config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let found = statuses(&config.geoip)?;
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut stdout, &found)?;
        writeln!(stdout)?;
        return Ok(ExitCode::SUCCESS);
    }
    if found.is_empty() {
        writeln!(
            stdout,
            "no GeoIP database configured: set [geoip] country_db and asn_db (docs/geoip.md); \
             rules on country or AS number are off"
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for status in &found {
        writeln!(stdout, "geoip.{}: {}", status.key, status.path)?;
        writeln!(stdout, "  type:     {} (IPv{})", status.database_type, status.ip_version)?;
        if let Some(description) = &status.description {
            writeln!(stdout, "  about:    {description}")?;
        }
        let stale = if status.age_days > 45 { " (stale: download a newer release)" } else { "" };
        writeln!(stdout, "  built:    {}, {} days ago{stale}", status.built, status.age_days)?;
        writeln!(stdout, "  size:     {} search-tree nodes", status.search_tree_nodes)?;
        match status.attribution {
            Some(credit) => {
                writeln!(stdout, "  licence:  show \"{credit}\" where results are used")?
            }
            None => writeln!(stdout, "  licence:  see the database's terms")?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `leakguard geoip lookup IP...`.
pub(crate) fn lookup(config: &Config, addresses: &[String]) -> anyhow::Result<ExitCode> {
    let Some(mut databases) = open(&config.geoip)? else {
        anyhow::bail!("no GeoIP database configured: set [geoip] country_db and asn_db");
    };
    let mut stdout = std::io::stdout().lock();
    for text in addresses {
        let ip: IpAddr = text.parse().with_context(|| format!("{text:?} is not an address"))?;
        let geo = databases.lookup(ip);
        let country = geo.country.map_or_else(|| "-".to_owned(), |country| country.to_string());
        let asn = geo.asn.map_or_else(|| "-".to_owned(), |asn| format!("AS{asn}"));
        writeln!(stdout, "{ip}\tcountry {country}\tasn {asn}")?;
    }
    Ok(ExitCode::SUCCESS)
}
