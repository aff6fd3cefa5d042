//! `baseline` and `sequence` rules: a page fetched far above its usual count
//! by a few addresses, a login followed too fast by the order history, a
//! login from a country the account never used after failures.

use std::borrow::Cow;

use model::{Country, EventKind, LoginOutcome};

use super::{engine, feed_all, request, run, summary};

const SCRAPING: &str = "id: page-scraping
title: Page scraped
severity: medium
detection:
  kind: baseline
  where: {kind: request, method: GET, status: 2xx}
  group_by: [path]
  period: 1d
  history: 7
  increase: 10%
  min_count: 50
  concentrated: {by: ip, top: 3, share: 50%}
";

const DAY: i64 = 86_400;

/// `per_day` hits on `/p/1` on day `day` (from 02:00 UTC), from many
/// visitors (each address fetches the page twice).
fn ordinary_day(day: i64, per_day: i64) -> Vec<model::Event<'static>> {
    (0..per_day)
        .map(|idx| {
            let visitor = format!("10.{day}.{}.{}", idx / 2 / 250, (idx / 2) % 250 + 1);
            request(&visitor, day * DAY + idx * 60, "GET", "/p/1", 200)
        })
        .collect()
}

fn ordinary_days(days: i64, per_day: i64) -> Vec<model::Event<'static>> {
    (0..days).flat_map(|day| ordinary_day(day, per_day)).collect()
}

#[test]
fn baseline_rules_fire_when_a_few_addresses_make_the_excess() {
    let mut events = ordinary_days(3, 100);
    // Day 4: the usual hundred, and two addresses fetching it 40 times each.
    events.extend(ordinary_day(3, 100));
    for idx in 0..40 {
        events.push(request("203.0.113.9", 3 * DAY + 7000 + idx * 10, "GET", "/p/1", 200));
        events.push(request("203.0.113.10", 3 * DAY + 7005 + idx * 10, "GET", "/p/1", 200));
    }
    events.sort_by_key(|event| event.time);
    let mut engine = engine(&[SCRAPING]);
    feed_all(&mut engine, &events);
    let alerts = engine.finish();
    assert_eq!(summary(&alerts).len(), 1, "{:?}", summary(&alerts));
    let alert = &alerts[0];
    assert_eq!(alert.key.to_string(), "path /p/1");
    assert!(alert.reason.starts_with("GET /p/1: 111 in the 1d from"), "{}", alert.reason);
    assert!(alert.reason.contains("trailing baseline of 100"), "{}", alert.reason);
    assert!(alert.reason.contains("203.0.113.9"), "{}", alert.reason);
    assert!(alert.reason.contains("203.0.113.10"), "{}", alert.reason);
    // The same input gives the same alert id.
    let again = run(&[SCRAPING], &events);
    assert_eq!(again[0].id, alert.id);
    assert!(engine.take_baseline_rises().0.is_empty());
}

#[test]
fn a_rise_spread_over_many_visitors_is_a_summary_line_not_an_alert() {
    let mut events = ordinary_days(3, 100);
    // Day 4: 180 hits from 90 visitors, two each.
    for idx in 0..180 {
        let visitor = format!("10.9.{}.{}", idx / 2 / 250, (idx / 2) % 250 + 1);
        events.push(request(&visitor, 3 * DAY + idx * 60, "GET", "/p/1", 200));
    }
    // The first day has no baseline, so nothing fires however busy it is.
    let mut engine = engine(&[SCRAPING]);
    feed_all(&mut engine, &events);
    assert!(engine.finish().is_empty());
    let (rises, dropped) = engine.take_baseline_rises();
    assert_eq!(dropped, 0);
    assert_eq!(rises.len(), 1);
    assert_eq!(rises[0].key.to_string(), "path /p/1");
    assert_eq!(rises[0].count, 180);
    assert!((rises[0].baseline - 100.0).abs() < 1e-9);
    // Periods are aligned on UTC days; the base time is 02:00 UTC.
    assert_eq!(rises[0].period_start, super::at(3 * DAY - 7200));
}

fn login(
    client: &str,
    secs: i64,
    account: &str,
    outcome: LoginOutcome,
    country: &str,
) -> model::Event<'static> {
    let mut event = request(client, secs, "POST", "/member/login", 200);
    event.kind = EventKind::Login;
    event.account = Cow::Owned(account.to_owned());
    event.outcome = Some(outcome);
    event.country = Country::parse(country);
    event
}

const NEW_COUNTRY: &str = "id: new-country
title: Login from a new country after failures
severity: high
detection:
  kind: sequence
  where: {kind: login, outcome: success}
  group_by: [account]
  preceded_by: {where: {kind: login, outcome: failure}, within: 1h}
  new_value: country
  remember: 30d
response:
  - {action: require_otp, scope: account}
";

#[test]
fn sequence_rules_with_new_value_fire_on_a_country_the_key_never_used() {
    use LoginOutcome::{Failure, Success};
    let events = [
        // mei logs in from Taiwan on day one (learned, nothing to compare with).
        login("192.0.2.10", 0, "mei", Success, "TW"),
        // Failures then a success from the US: new country after failures.
        login("203.0.113.9", 3600, "mei", Failure, "US"),
        login("203.0.113.9", 3660, "mei", Failure, "US"),
        login("203.0.113.9", 3720, "mei", Success, "US"),
        // wei: a success from Japan with no failures before it: travel.
        login("192.0.2.11", 0, "wei", Success, "TW"),
        login("198.51.100.7", 5000, "wei", Success, "JP"),
        // lin: failures then a success from the usual country.
        login("192.0.2.12", 0, "lin", Success, "TW"),
        login("192.0.2.12", 6000, "lin", Failure, "TW"),
        login("192.0.2.12", 6030, "lin", Success, "TW"),
        // kai: first ever sight is failures then a success from abroad: no history.
        login("203.0.113.50", 7000, "kai", Failure, "US"),
        login("203.0.113.50", 7010, "kai", Success, "US"),
    ];
    let mut events = events.to_vec();
    events.sort_by_key(|event| event.time);
    let alerts = run(&[NEW_COUNTRY], &events);
    assert_eq!(summary(&alerts), ["new-country account mei 1"]);
    assert!(alerts[0].reason.contains("new country US"), "{}", alerts[0].reason);
    assert_eq!(alerts[0].response[0].value, "mei");
}

const TOO_FAST: &str = "id: too-fast
title: Order history right after login
severity: high
detection:
  kind: sequence
  where: {endpoint: order_pages, method: GET}
  group_by: [ip]
  preceded_by: {where: {endpoint: member_login, method: POST, outcome: success}, within: 2s}
  or_flagged: true
";

const PROBE: &str = "id: probe
title: Probe
severity: medium
detection: {kind: match, where: {path: /.env}, group_by: [ip]}
";

#[test]
fn sequence_rules_fire_on_a_step_faster_than_a_person_or_from_a_flagged_key() {
    let mut events = vec![
        // A script: login, then the order history in the same second.
        request("203.0.113.9", 0, "POST", "/member/login", 302),
        request("203.0.113.9", 0, "GET", "/member/orders", 200),
        // A person: login, then the order history half a minute later.
        request("192.0.2.10", 0, "POST", "/member/login", 302),
        request("192.0.2.10", 30, "GET", "/member/orders", 200),
        // A prober (flagged by another rule) reading order pages without a fast login.
        request("198.51.100.7", 100, "GET", "/.env", 404),
        request("198.51.100.7", 200, "GET", "/member/orders", 200),
    ];
    events.sort_by_key(|event| event.time);
    let alerts = run(&[TOO_FAST, PROBE], &events);
    let mut found = summary(&alerts);
    found.sort();
    assert_eq!(
        found,
        ["probe ip 198.51.100.7 1", "too-fast ip 198.51.100.7 1", "too-fast ip 203.0.113.9 1"]
    );
    let fast = alerts.iter().find(|alert| alert.key.value == "203.0.113.9").unwrap();
    assert_eq!(
        fast.reason,
        "GET /member/orders from 203.0.113.9 0.0s after a preceding event (within 2s)"
    );
    let flagged = alerts
        .iter()
        .find(|alert| alert.rule_id.0 == "too-fast" && alert.key.value == "198.51.100.7")
        .unwrap();
    assert_eq!(flagged.reason, "GET /member/orders from 198.51.100.7, which probe has flagged");
}

#[test]
fn baseline_and_sequence_problems_name_their_line() {
    let text = "id: x\ntitle: t\nseverity: low\ndetection:\n  kind: baseline\n  where: {method: GET}\n  group_by: [path]\n  period: 1d\n  increase: 10\n  min_count: 0\n  concentrated: {by: ua, share: 150%}\n";
    let problems = rules::parse_rule(text, "x.yaml").unwrap_err();
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "x.yaml:9: increase 10 needs a percent sign (write 10%)",
            "x.yaml:10: min_count must be from 1 to 1000000",
            "x.yaml:11: cannot test concentration in \"ua\" (ip, asn)",
            "x.yaml:11: share must be at most 100%",
        ]
    );
    let text = "id: x\ntitle: t\nseverity: low\ndetection:\n  kind: sequence\n  where: {method: GET}\n  remember: 1d\n";
    let shown: Vec<String> =
        rules::parse_rule(text, "x.yaml").unwrap_err().iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["x.yaml:4: kind sequence needs \"preceded_by\""]);
}
