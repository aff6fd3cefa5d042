//! Rule fixtures: the data model of a test case (`case.toml`) and its check.
//!
//! Layout, next to each rule file `X.yaml`:
//!
//! ```text
//! X.yaml
//! X.tests/
//!   fires-after-eight-failures/
//!     case.toml     format, expectations (and optional site endpoints)
//!     input.log     the log lines to replay
//!     expected.snap optional: a snapshot of the alerts (owned by the harness)
//!   ignores-successful-logins/
//!     case.toml     expect = []
//!     input.log
//! ```
//!
//! This crate parses `case.toml` and compares alerts with it; reading the
//! files, parsing `input.log` and running the engine is the harness's work
//! (`pipeline`, and `leakguard rules test`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use model::Alert;
use serde::Deserialize;

use crate::{EndpointsConfig, Problem};

/// The name of a case's description file.
pub const CASE_FILE: &str = "case.toml";
/// The name of a case's input log.
pub const INPUT_FILE: &str = "input.log";

/// The folder holding the cases of a rule file (`rules/x.yaml` → `rules/x.tests`).
pub fn cases_dir(rule_file: &Path) -> PathBuf {
    rule_file.with_extension("tests")
}

/// One fixture case, from `case.toml`.
///
/// ```toml
/// format = "combined"
/// description = "eight failed logins in a second from one address"
/// expect = [{ rule = "lg-credential-stuffing-ip", key = "ip 203.0.113.9", count = 12 }]
///
/// [geo]
/// "203.0.113.9" = { country = "US", asn = 64500 }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The format of `input.log`, as the pipeline names formats (`combined`, a `log_format` string...).
    pub format: String,
    /// What the case shows, for people reading it.
    #[serde(default)]
    pub description: Option<String>,
    /// The alerts that must fire; an empty list means the rule must not fire.
    pub expect: Vec<Expectation>,
    /// Endpoint settings for this case, over the built-in defaults.
    #[serde(default)]
    pub site: Option<EndpointsConfig>,
    /// What enrichment says about addresses of the input, instead of MMDB
    /// files: `[geo] "203.0.113.9" = {country = "US", asn = 64500}`.
    /// Addresses not listed have no country and no AS number.
    #[serde(default)]
    pub geo: BTreeMap<String, GeoEntry>,
}

/// The country and AS number a case gives one address.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoEntry {
    /// ISO 3166-1 alpha-2 code (`US`).
    #[serde(default)]
    pub country: Option<String>,
    /// AS number.
    #[serde(default)]
    pub asn: Option<u32>,
}

/// One alert a case expects.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The rule id.
    pub rule: String,
    /// The alert key as displayed: `ip 203.0.113.9`, `ip 203.0.113.9, user_agent curl/8.5.0`.
    pub key: String,
    /// The alert's exact count, when given.
    #[serde(default)]
    pub count: Option<u64>,
    /// A lower bound on the count, when given.
    #[serde(default)]
    pub min_count: Option<u64>,
}

/// Parses `case.toml`.
pub fn parse_case(text: &str, origin: &str) -> Result<Case, Vec<Problem>> {
    toml::from_str(text).map_err(|error| {
        let line = error.span().map_or(0, |span| {
            text.get(..span.start).map_or(0, |before| before.matches('\n').count() + 1)
        });
        vec![Problem::new(origin, line, error.message().to_owned())]
    })
}

impl Case {
    /// Compares the alerts of a replay with the expectations, for the rule
    /// under test and every rule the case names; alerts of other rules are
    /// ignored. Returns one line per mismatch; empty when the case passes.
    pub fn check(&self, rule_id: &str, alerts: &[Alert]) -> Vec<String> {
        let is_relevant =
            |rule: &str| rule == rule_id || self.expect.iter().any(|e| e.rule == rule);
        let mut unmatched: Vec<&Alert> =
            alerts.iter().filter(|alert| is_relevant(&alert.rule_id.0)).collect();
        let mut mismatches = Vec::new();
        for expectation in &self.expect {
            let found = unmatched.iter().position(|alert| {
                alert.rule_id.0 == expectation.rule && alert.key.to_string() == expectation.key
            });
            let Some(idx) = found else {
                mismatches.push(format!(
                    "expected {} to fire for {}, it did not",
                    expectation.rule, expectation.key
                ));
                continue;
            };
            let alert = unmatched.remove(idx);
            if let Some(count) = expectation.count
                && alert.count != count
            {
                mismatches.push(format!(
                    "{} for {}: count {}, expected {count}",
                    expectation.rule, expectation.key, alert.count
                ));
            }
            if let Some(min_count) = expectation.min_count
                && alert.count < min_count
            {
                mismatches.push(format!(
                    "{} for {}: count {}, expected at least {min_count}",
                    expectation.rule, expectation.key, alert.count
                ));
            }
        }
        for alert in unmatched {
            mismatches.push(format!(
                "{} fired for {} (count {}), not expected",
                alert.rule_id, alert.key, alert.count
            ));
        }
        mismatches
    }
}
