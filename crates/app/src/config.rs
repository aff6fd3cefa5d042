//! The configuration file: one TOML document, validated as a whole.
//!
//! Loading is two stages. A raw serde structure mirrors the file (every
//! section denies unknown keys by collecting them, so all of them are
//! reported at once); `validate` then checks every value and returns either a
//! typed [`Config`] or every problem found, each with its key path.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ipnet::IpNet;
use parsers::{FormatSpec, JsonMapping, TrustedProxies};

use serde::Deserialize;

/// One problem in the configuration, with the key path it is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigProblem {
    pub(crate) key: String,
    pub(crate) message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// Everything wrong with a configuration file.
#[derive(Debug)]
pub(crate) struct ConfigProblems {
    pub(crate) path: String,
    pub(crate) problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(f, "{} has {count} problem{}:", self.path, if count == 1 { "" } else { "s" })?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigProblems {}

pub(crate) type Unknown = BTreeMap<String, toml::Value>;

#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    #[serde(default)]
    site: RawSite,
    #[serde(default)]
    logs: RawLogs,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    store: crate::blocking_config::RawStore,
    #[serde(default)]
    serve: crate::blocking_config::RawServe,
    #[serde(default)]
    decisions: crate::blocking_config::RawDecisions,
    #[serde(default)]
    outputs: crate::outputs::RawOutputs,
    #[serde(default)]
    run: crate::run_config::RawRun,
    #[serde(default)]
    geoip: RawGeoip,
    #[serde(default)]
    pwned: crate::pwned_config::RawPwned,
    #[serde(default)]
    notify: crate::notify_config::RawNotify,
    #[serde(default)]
    notices: crate::notify_config::RawNotices,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `[geoip]`: the MMDB files that give each client address a country and an
/// autonomous system (see docs/geoip.md).
#[derive(Debug, Default, Deserialize)]
struct RawGeoip {
    /// A country database: GeoLite2-Country / GeoIP2-Country / -City, DB-IP
    /// country lite, or IPinfo Lite (which also gives the ASN).
    country_db: Option<PathBuf>,
    /// An ASN database: GeoLite2-ASN, or an ip-location-db / IPinfo ASN file.
    asn_db: Option<PathBuf>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The validated `[geoip]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GeoipConfig {
    pub(crate) country_db: Option<PathBuf>,
    pub(crate) asn_db: Option<PathBuf>,
}

impl GeoipConfig {
    /// Whether any database is configured.
    pub(crate) fn is_configured(&self) -> bool {
        self.country_db.is_some() || self.asn_db.is_some()
    }
}

fn validate_geoip(raw: RawGeoip, problems: &mut Vec<ConfigProblem>) -> GeoipConfig {
    let mut check = |key: &str, path: Option<PathBuf>| {
        let path = path?;
        let name = path.to_string_lossy().to_ascii_lowercase();
        let message = if name.trim().is_empty() {
            Some("is empty; name an .mmdb file or remove the key".to_owned())
        } else if [".tar.gz", ".tgz", ".zip", ".gz", ".zst"].iter().any(|ext| name.ends_with(ext)) {
            Some(format!(
                "{} is an archive; unpack it and name the .mmdb file inside",
                path.display()
            ))
        } else if name.ends_with(".csv") {
            Some(format!("{} is a CSV file; leakguard reads the MMDB edition", path.display()))
        } else {
            None
        };
        match message {
            Some(message) => {
                problems.push(ConfigProblem { key: format!("geoip.{key}"), message });
                None
            }
            None => Some(path),
        }
    };
    let country_db = check("country_db", raw.country_db);
    let asn_db = check("asn_db", raw.asn_db);
    unknown_keys("geoip", &raw.unknown, problems);
    GeoipConfig { country_db, asn_db }
}

#[derive(Debug, Default, Deserialize)]
struct RawSite {
    name: Option<String>,
    timezone: Option<String>,
    language: Option<String>,
    endpoints: Option<rules::EndpointsConfig>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
struct RawRules {
    builtin: Option<bool>,
    dirs: Option<Vec<PathBuf>>,
    disabled: Option<Vec<String>>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
struct RawLogs {
    format: Option<String>,
    nginx_log_format: Option<String>,
    apache_log_format: Option<String>,
    json: Option<JsonMapping>,
    trusted_proxies: Option<Vec<String>>,
    max_line_bytes: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    English,
    TraditionalChinese,
}

impl Language {
    pub(crate) fn parse(text: &str) -> Option<Language> {
        match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "en-us" | "en-gb" | "english" => Some(Language::English),
            "zh-tw" | "zh-hant" | "zh-hant-tw" | "zh-hk" | "zh" => {
                Some(Language::TraditionalChinese)
            }
            _ => None,
        }
    }
}

/// How log formats are chosen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LogFormat {
    Auto,
    Fixed(FormatSpec),
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) site_name: String,
    pub(crate) utc_offset_secs: i32,
    pub(crate) timezone: String,
    pub(crate) language: Option<Language>,
    pub(crate) format: LogFormat,
    pub(crate) trusted_proxies: TrustedProxies,
    pub(crate) max_line_bytes: usize,
    pub(crate) site: rules::Site,
    pub(crate) builtin_rules: bool,
    pub(crate) rule_dirs: Vec<PathBuf>,
    pub(crate) disabled_rules: Vec<String>,
    /// `[store]`, `[serve]` and `[decisions]`.
    pub(crate) blocking: crate::blocking_config::Blocking,
    /// `[run]`: what `leakguard run` follows and listens to.
    pub(crate) run: crate::run_config::RunConfig,
    /// `[geoip]`: the enrichment databases.
    pub(crate) geoip: GeoipConfig,
    /// `[pwned]`: the breached-password corpora.
    pub(crate) pwned: crate::pwned_config::PwnedConfig,
    /// `[notify]`: the operator's alert messages.
    pub(crate) notify: crate::notify_config::NotifyConfig,
    /// `[notices]`: how the notice outbox sends.
    pub(crate) notices: crate::notify_config::NoticesConfig,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            site_name: "shop".to_owned(),
            utc_offset_secs: 8 * 3600,
            timezone: "Asia/Taipei".to_owned(),
            language: None,
            format: LogFormat::Auto,
            trusted_proxies: TrustedProxies::default(),
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            site: rules::Site::default(),
            builtin_rules: true,
            rule_dirs: Vec::new(),
            disabled_rules: Vec::new(),
            blocking: crate::blocking_config::Blocking::default(),
            run: crate::run_config::RunConfig::default(),
            geoip: GeoipConfig::default(),
            pwned: crate::pwned_config::PwnedConfig::default(),
            notify: crate::notify_config::NotifyConfig::default(),
            notices: crate::notify_config::NoticesConfig::default(),
        }
    }
}

pub(crate) const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024;

/// Overrides from the command line, applied over the file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub(crate) format: Option<String>,
    pub(crate) nginx_log_format: Option<String>,
    pub(crate) apache_log_format: Option<String>,
    pub(crate) trusted_proxies: Vec<String>,
    pub(crate) timezone: Option<String>,
    pub(crate) max_line_bytes: Option<String>,
    pub(crate) rule_dirs: Vec<PathBuf>,
}

/// Zones with a fixed offset all year, accepted by name. Taiwan, Hong Kong and
/// mainland China have not observed daylight saving time since 1979.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("Etc/UTC", 0),
    ("Asia/Taipei", 8 * 3600),
    ("Asia/Hong_Kong", 8 * 3600),
    ("Asia/Macau", 8 * 3600),
    ("Asia/Shanghai", 8 * 3600),
    ("Asia/Singapore", 8 * 3600),
    ("Asia/Kuala_Lumpur", 8 * 3600),
    ("Asia/Manila", 8 * 3600),
    ("Asia/Tokyo", 9 * 3600),
    ("Asia/Seoul", 9 * 3600),
    ("Asia/Bangkok", 7 * 3600),
    ("Asia/Ho_Chi_Minh", 7 * 3600),
];

/// Parses a zone name from [`ZONES`] or a fixed offset (`+08:00`).
pub(crate) fn parse_zone(text: &str) -> Option<i32> {
    if let Some((_, offset)) = ZONES.iter().find(|(name, _)| name.eq_ignore_ascii_case(text)) {
        return Some(*offset);
    }
    parsers::time::parse_offset(text.as_bytes())
}

/// Parses a size: `65536`, `64KiB`, `1MiB`, `64k`.
pub(crate) fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    let split = text.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: usize = number.parse().ok()?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// Parses a `--format` / `logs.format` value.
pub(crate) fn parse_format_name(name: &str) -> Result<LogFormat, String> {
    if name == "auto" {
        return Ok(LogFormat::Auto);
    }
    FormatSpec::from_name(name).map(LogFormat::Fixed).ok_or_else(|| {
        format!(
            "unknown format {name:?}; use auto, combined, common, nginx-error, apache-error, \
             json, json:nginx, json:caddy, json:traefik or json:login (or give a log_format \
             with --nginx-log-format / --apache-log-format)"
        )
    })
}

pub(crate) fn unknown_keys(section: &str, unknown: &Unknown, problems: &mut Vec<ConfigProblem>) {
    for key in unknown.keys() {
        let path = if section.is_empty() { key.clone() } else { format!("{section}.{key}") };
        problems.push(ConfigProblem { key: path, message: "unknown key".to_owned() });
    }
}

impl RawConfig {
    fn validate(self, overrides: &Overrides) -> Result<Config, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let mut problem = |key: &str, message: String| {
            problems.push(ConfigProblem { key: key.to_owned(), message });
        };
        let mut config = Config::default();
        if let Some(name) = self.site.name {
            config.site_name = name;
        }
        if let Some(zone) = overrides.timezone.clone().or(self.site.timezone) {
            match parse_zone(&zone) {
                Some(offset) => {
                    config.utc_offset_secs = offset;
                    config.timezone = zone;
                }
                None => problem(
                    "site.timezone",
                    format!(
                        "unknown zone {zone:?}; use a fixed offset like \"+08:00\" or Asia/Taipei"
                    ),
                ),
            }
        }
        if let Some(language) = self.site.language {
            match Language::parse(&language) {
                Some(parsed) => config.language = Some(parsed),
                None => problem(
                    "site.language",
                    format!("unknown language {language:?}; use en or zh-TW"),
                ),
            }
        }
        let nginx = overrides.nginx_log_format.clone().or(self.logs.nginx_log_format);
        let apache = overrides.apache_log_format.clone().or(self.logs.apache_log_format);
        let format_name = overrides.format.clone().or(self.logs.format);
        config.format = match (nginx, apache, format_name) {
            (Some(_), Some(_), _) => {
                problem(
                    "logs.nginx_log_format",
                    "give either nginx_log_format or apache_log_format, not both".to_owned(),
                );
                LogFormat::Auto
            }
            (Some(text), None, _) => LogFormat::Fixed(FormatSpec::Nginx(text)),
            (None, Some(text), _) => LogFormat::Fixed(FormatSpec::Apache(text)),
            (None, None, Some(name)) if name == "json" && self.logs.json.is_some() => {
                LogFormat::Fixed(FormatSpec::Json(self.logs.json.clone().expect("checked above")))
            }
            (None, None, Some(name)) => match parse_format_name(&name) {
                Ok(format) => format,
                Err(message) => {
                    problem("logs.format", message);
                    LogFormat::Auto
                }
            },
            (None, None, None) => match self.logs.json {
                Some(mapping) => LogFormat::Fixed(FormatSpec::Json(mapping)),
                None => LogFormat::Auto,
            },
        };
        if let LogFormat::Fixed(spec) = &config.format
            && let Err(error) = parsers::Parser::compile(spec, &parsers::ParserOptions::default())
        {
            let key = match spec {
                FormatSpec::Nginx(_) => "logs.nginx_log_format",
                FormatSpec::Apache(_) => "logs.apache_log_format",
                FormatSpec::Json(_) => "logs.json",
                _ => "logs.format",
            };
            problem(key, error.to_string());
        }
        let mut networks = Vec::new();
        let proxies = self.logs.trusted_proxies.unwrap_or_default();
        for (idx, text) in proxies.iter().chain(&overrides.trusted_proxies).enumerate() {
            let parsed = text
                .parse::<IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from));
            match parsed {
                Ok(network) => networks.push(network),
                Err(_) => problem(
                    &format!("logs.trusted_proxies[{idx}]"),
                    format!("{text:?} is not an address or CIDR range (e.g. \"10.0.0.0/8\")"),
                ),
            }
        }
        config.trusted_proxies = TrustedProxies::new(networks);
        if let Some(text) = overrides.max_line_bytes.clone().or(self.logs.max_line_bytes) {
            match parse_size(&text) {
                Some(size) if (256..=64 * 1024 * 1024).contains(&size) => {
                    config.max_line_bytes = size
                }
                _ => problem(
                    "logs.max_line_bytes",
                    format!("{text:?} is not a size between 256 and 64MiB (e.g. \"64KiB\")"),
                ),
            }
        }
        if let Some(endpoints) = &self.site.endpoints {
            match rules::Site::compile(endpoints) {
                Ok(site) => config.site = site,
                Err(found) => {
                    for found in found {
                        problems.push(ConfigProblem {
                            key: "site.endpoints".to_owned(),
                            message: found.to_string(),
                        });
                    }
                }
            }
        }
        config.builtin_rules = self.rules.builtin.unwrap_or(true);
        config.rule_dirs = self.rules.dirs.unwrap_or_default();
        config.rule_dirs.extend(overrides.rule_dirs.iter().cloned());
        config.disabled_rules = self.rules.disabled.unwrap_or_default();
        config.blocking = crate::blocking_config::validate(
            self.store,
            self.serve,
            self.decisions,
            self.outputs,
            &mut problems,
        );
        config.run = crate::run_config::validate(self.run, &mut problems);
        config.geoip = validate_geoip(self.geoip, &mut problems);
        config.pwned = crate::pwned_config::validate(self.pwned, &mut problems);
        config.notify = crate::notify_config::validate_notify(self.notify, &mut problems);
        config.notices = crate::notify_config::validate_notices(self.notices, &mut problems);
        unknown_keys("", &self.unknown, &mut problems);
        unknown_keys("rules", &self.rules.unknown, &mut problems);
        unknown_keys("site", &self.site.unknown, &mut problems);
        unknown_keys("logs", &self.logs.unknown, &mut problems);
        if problems.is_empty() { Ok(config) } else { Err(problems) }
    }
}

/// Parses and validates configuration text.
pub(crate) fn parse_config(
    text: &str,
    origin: &str,
    overrides: &Overrides,
) -> Result<Config, ConfigProblems> {
    let raw: RawConfig = toml::from_str(text).map_err(|error| ConfigProblems {
        path: origin.to_owned(),
        problems: vec![ConfigProblem {
            key: error.span().map_or_else(
                || "(file)".to_owned(),
                |span| format!("line {}", text[..span.start].lines().count().max(1)),
            ),
            message: error.message().trim().to_owned(),
        }],
    })?;
    raw.validate(overrides).map_err(|problems| ConfigProblems { path: origin.to_owned(), problems })
}

/// Loads the configuration from a file, or the defaults when there is none.
pub(crate) fn load_config(path: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Config> {
    let Some(path) = path else {
        return Ok(parse_config("", "(defaults)", overrides)?);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    Ok(parse_config(&text, &path.display().to_string(), overrides)?)
}

/// A commented example configuration (`leakguard config example`).
pub(crate) const EXAMPLE: &str = include_str!("config_example.toml");
