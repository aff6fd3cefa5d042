//! Tests of the engine through its public API: every rule kind, grouping,
//! cooldown aggregation, ids, bounds under a flood, disorder, and a property
//! test that feeding never panics.

mod bounds;
mod context;
mod kinds;
mod lifecycle;
mod properties;

use std::borrow::Cow;
use std::net::IpAddr;

use model::{Alert, Event, EventKind, Timestamp};
use rules::{RuleSet, Sets, Site};

use crate::{Engine, EngineLimits, Evidence};

/// 2026-11-20T02:00:00Z, a Friday morning in Taipei.
const BASE_SECS: i64 = 1_795_053_600;

pub(crate) fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_secs(BASE_SECS + secs)
}

pub(crate) fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A request at `secs` after the base time; `target` may carry a query.
pub(crate) fn request(
    client: &str,
    secs: i64,
    method: &str,
    target: &str,
    status: u16,
) -> Event<'static> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Event {
        time: at(secs),
        kind: EventKind::Request,
        client_ip: Some(ip(client)),
        method: Cow::Owned(method.to_owned()),
        path: Cow::Owned(path.to_owned()),
        query: Cow::Owned(query.to_owned()),
        protocol: Cow::Borrowed("HTTP/1.1"),
        status: Some(status),
        bytes: Some(1234),
        user_agent: Cow::Borrowed("Mozilla/5.0"),
        ..Event::default()
    }
}

pub(crate) fn rule_set(rules: &[&str]) -> RuleSet {
    let sources: Vec<(String, &str)> =
        rules.iter().enumerate().map(|(idx, text)| (format!("rule{idx}.yaml"), *text)).collect();
    RuleSet::compile_sources(
        sources.iter().map(|(origin, text)| (origin.as_str(), *text)),
        &Sets::new(),
        &Site::default(),
    )
    .unwrap()
}

pub(crate) fn engine(rules: &[&str]) -> Engine {
    Engine::new(rule_set(rules), EngineLimits::default())
}

/// Feeds events, numbering their lines from 1; the line text names the event.
pub(crate) fn feed_all(engine: &mut Engine, events: &[Event<'_>]) {
    for (idx, event) in events.iter().enumerate() {
        let text = format!(
            "{} {} {} {}",
            event.client_ip.map(|ip| ip.to_string()).unwrap_or_default(),
            event.method,
            event.path,
            event.status.unwrap_or_default()
        );
        engine.feed(event, &Evidence { source: "access.log", line: idx as u64 + 1, text: &text });
    }
}

/// Feeds the events to a fresh engine and returns every alert.
pub(crate) fn run(rules: &[&str], events: &[Event<'_>]) -> Vec<Alert> {
    let mut engine = engine(rules);
    feed_all(&mut engine, events);
    engine.finish()
}

/// `rule key count` for each alert, for compact assertions.
pub(crate) fn summary(alerts: &[Alert]) -> Vec<String> {
    alerts.iter().map(|alert| format!("{} {} {}", alert.rule_id, alert.key, alert.count)).collect()
}

pub(crate) const STUFFING: &str = "id: stuffing
title: {en: Credential stuffing, zh-TW: 撞庫}
severity: high
detection:
  kind: count
  where: {endpoint: member_login, method: POST, outcome: failure}
  group_by: [ip]
  window: 1s
  threshold: 8
response:
  - {action: ban, scope: ip, duration: 24h}
";

pub(crate) const ENV_PROBE: &str = "id: env-probe
title: Probe for .env
severity: medium
detection: {kind: match, where: {path: {suffix: /.env}}, group_by: [ip], cooldown: 10m}
";
