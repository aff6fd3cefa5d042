//! Running rule fixtures: a case's `input.log` replayed through the parser
//! and the engine, its alerts compared with `case.toml`.
//!
//! `leakguard rules test DIR` and this crate's own glob test over the shipped
//! pack both use [`run_case`], so a user's rules are tested the same way as
//! ours.

use detection::{Engine, EngineLimits};
use model::Alert;
use parsers::{FormatSpec, ParserOptions};
use rules::{Case, RuleSet};

use crate::{FormatChoice, Processor, SummaryLimits};

/// What replaying one case gave.
#[derive(Debug)]
pub struct CaseRun {
    /// Mismatches between the alerts and the case's expectations; empty when it passes.
    pub mismatches: Vec<String>,
    /// Every alert raised (of any rule).
    pub alerts: Vec<Alert>,
    /// Lines of the input that did not parse (a broken fixture).
    pub parse_errors: Vec<String>,
}

/// The format a case names: a built-in name, or an nginx `log_format` string.
pub fn case_format(case: &Case) -> FormatSpec {
    FormatSpec::from_name(&case.format).unwrap_or_else(|| FormatSpec::Nginx(case.format.clone()))
}

/// Replays `input` (the case's log) through `rule_set` and checks the case for `rule_id`.
pub fn run_case(rule_id: &str, rule_set: RuleSet, case: &Case, input: &str) -> CaseRun {
    let mut engine = Engine::new(rule_set, EngineLimits::default());
    if engine.rule_set().uses_payload() {
        engine = engine.with_payload_inspector(crate::payload_inspector());
    }
    let mut processor = Processor::new(
        FormatChoice::Fixed(case_format(case)),
        ParserOptions::default(),
        SummaryLimits { error_samples: 20, ..SummaryLimits::default() },
    )
    .with_engine(engine);
    let mut parse_errors = Vec::new();
    if !case.geo.is_empty() {
        let (table, problems) = geo_table(case);
        parse_errors.extend(problems);
        processor = processor.with_geo(Box::new(table));
    }
    match processor.begin_source("input.log") {
        Ok(source) => {
            for (idx, line) in input.lines().enumerate() {
                processor.line(source, idx as u64 + 1, line.as_bytes(), None);
            }
            processor.end_source(source);
        }
        Err(error) => parse_errors.push(format!("format {:?}: {error}", case.format)),
    }
    let summary = processor.summary();
    parse_errors.extend(
        summary
            .error_samples
            .iter()
            .map(|sample| format!("input.log:{}: {}", sample.line, sample.message)),
    );
    let alerts = processor.finish_alerts();
    let mismatches = case.check(rule_id, &alerts);
    CaseRun { mismatches, alerts, parse_errors }
}

/// The case's `[geo]` table, and a problem for each entry that does not read.
pub fn geo_table(case: &Case) -> (geoip::Table, Vec<String>) {
    let mut table = geoip::Table::new();
    let mut problems = Vec::new();
    for (address, entry) in &case.geo {
        let Ok(ip) = address.parse::<std::net::IpAddr>() else {
            problems.push(format!("case.toml: [geo] key {address:?} is not an address"));
            continue;
        };
        let country = match entry.country.as_deref().map(model::Country::parse) {
            Some(None) => {
                problems.push(format!(
                    "case.toml: [geo] {address:?}: country {:?} is not a two-letter code",
                    entry.country.as_deref().unwrap_or_default()
                ));
                continue;
            }
            Some(country) => country,
            None => None,
        };
        table.insert(ip, geoip::Geo { country, asn: entry.asn });
    }
    (table, problems)
}
