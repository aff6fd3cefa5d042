//! Tests of rule parsing, validation, compiling, conditions and endpoint classes,
//! through the crate's public entry points.

mod cases;
mod conditions;
mod parsing;
mod site;

use std::borrow::Cow;

use model::{Event, EventKind, Timestamp};

use crate::{Classification, Facts, RuleSet, Sets, Site};

/// A request from 203.0.113.9; `target` may carry a query (`/search?q=x`).
pub(crate) fn request(method: &str, target: &str, status: u16) -> Event<'static> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Event {
        time: Timestamp::from_unix_secs(1_763_600_000),
        kind: EventKind::Request,
        client_ip: Some("203.0.113.9".parse().unwrap()),
        method: Cow::Owned(method.to_owned()),
        path: Cow::Owned(path.to_owned()),
        query: Cow::Owned(query.to_owned()),
        protocol: Cow::Borrowed("HTTP/1.1"),
        status: Some(status),
        bytes: Some(512),
        user_agent: Cow::Borrowed("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"),
        ..Event::default()
    }
}

/// A rule file around a `where` written in YAML flow style.
pub(crate) fn rule_with_where(condition: &str) -> String {
    format!(
        "id: test-rule\ntitle: Test\nseverity: low\ndetection:\n  kind: match\n  where: {condition}\n"
    )
}

/// Compiles a rule whose `where` is `condition` (flow style) against `sets`.
pub(crate) fn compile_where(condition: &str, sets: &Sets) -> Result<RuleSet, Vec<String>> {
    let text = rule_with_where(condition);
    RuleSet::compile_sources([("test.yaml", text.as_str())], sets, &Site::default())
        .map_err(|problems| problems.iter().map(ToString::to_string).collect())
}

/// Whether `event` matches the `where` condition (flow style).
pub(crate) fn check_where(condition: &str, sets: &Sets, event: &Event<'_>) -> bool {
    let rule_set = compile_where(condition, sets).unwrap();
    let rule = &rule_set.rules()[0];
    let classification: Classification = rule_set.site().classify(event);
    let facts = Facts::new(event, classification, None);
    let is_match = rule.condition().matches(&facts);
    if is_match {
        assert!(
            rule.condition().prefilter().admits(facts.signature()),
            "the prefilter must admit every event the condition matches: {condition}"
        );
    }
    is_match
}
