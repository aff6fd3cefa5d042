//! Each rule kind fires when it should and not otherwise.

use std::borrow::Cow;

use model::{Action, EventKind, KeyKind, LoginOutcome};

use super::{ENV_PROBE, STUFFING, engine, feed_all, request, run, summary};

#[test]
fn match_rules_fire_once_per_key_during_the_cooldown() {
    let events = [
        request("203.0.113.9", 0, "GET", "/.env", 404),
        request("203.0.113.9", 30, "GET", "/shop/.env", 404),
        request("198.51.100.7", 40, "GET", "/.env", 404),
        request("203.0.113.9", 60, "GET", "/index.html", 200),
        request("203.0.113.9", 500, "GET", "/.env", 404),
        // More than ten minutes after the last match: a new alert.
        request("203.0.113.9", 1200, "GET", "/.env", 404),
    ];
    let alerts = run(&[ENV_PROBE], &events);
    assert_eq!(
        summary(&alerts),
        ["env-probe ip 203.0.113.9 3", "env-probe ip 198.51.100.7 1", "env-probe ip 203.0.113.9 1"]
    );
    assert_eq!(alerts[0].reason, "GET /.env from 203.0.113.9");
    assert_eq!(alerts[0].last_seen, super::at(500));
    assert_ne!(alerts[0].id, alerts[2].id);
}

#[test]
fn count_rules_fire_when_the_window_reaches_the_threshold() {
    let mut events: Vec<_> =
        (0..12).map(|_| request("203.0.113.9", 5, "POST", "/member/login", 200)).collect();
    // Seven failures in a second from another address: below the threshold.
    events.extend((0..7).map(|_| request("198.51.100.7", 5, "POST", "/member/login", 200)));
    // Eight failures, but a second apart: never eight within one second.
    events.extend((0..8).map(|idx| request("192.0.2.1", 6 + idx, "POST", "/member/login", 200)));
    // Successful logins and form views do not count.
    events.extend((0..10).map(|_| request("192.0.2.2", 5, "POST", "/member/login", 302)));
    events.extend((0..10).map(|_| request("192.0.2.3", 5, "GET", "/member/login", 200)));
    events.sort_by_key(|event| event.time);
    let alerts = run(&[STUFFING], &events);
    assert_eq!(summary(&alerts), ["stuffing ip 203.0.113.9 12"]);
    let alert = &alerts[0];
    assert_eq!(alert.reason, "8 POST /member/login from 203.0.113.9 within 1s (threshold 8)");
    assert_eq!(alert.title.zh_tw, "撞庫");
    assert_eq!(alert.response.len(), 1);
    assert_eq!(alert.response[0].action, Action::Ban);
    assert_eq!(alert.response[0].value, "203.0.113.9");
    assert_eq!(alert.response[0].duration_secs, Some(86_400));
    assert_eq!(alert.id.0.len(), 16);
}

#[test]
fn distinct_counts_count_values_not_events() {
    let rule = "id: spray
title: Many accounts from one address
severity: high
detection:
  kind: count
  where: {kind: login, outcome: failure}
  window: 10m
  threshold: 10
  distinct: account
";
    let login = |client: &str, secs: i64, account: &str| {
        let mut event = request(client, secs, "", "", 0);
        event.kind = EventKind::Login;
        event.status = None;
        event.outcome = Some(LoginOutcome::Failure);
        event.account = Cow::Owned(account.to_owned());
        event
    };
    let mut events: Vec<_> =
        (0..30).map(|idx| login("198.51.100.7", idx, ["alice", "bob"][idx as usize % 2])).collect();
    events.extend(
        (0..14).map(|idx| login("203.0.113.9", 40 + idx, &format!("user{idx}@example.com"))),
    );
    events.sort_by_key(|event| event.time);
    let alerts = run(&[rule], &events);
    assert_eq!(summary(&alerts), ["spray ip 203.0.113.9 14"]);
    assert_eq!(alerts[0].distinct, Some(14));
    assert_eq!(
        alerts[0].reason,
        "10 distinct accounts in 10 failed logins from 203.0.113.9 within 10m (threshold 10)"
    );
}

#[test]
fn groups_by_range_and_fills_the_range_response() {
    let rule = "id: range-stuffing
title: Stuffing from one range
severity: high
detection:
  kind: count
  where: {endpoint: member_login, outcome: failure}
  group_by: [range]
  window: 1m
  threshold: 8
response:
  - {action: ban, scope: range, duration: 1h}
";
    let events: Vec<_> = (1..=8)
        .map(|host| request(&format!("203.0.113.{host}"), host, "POST", "/member/login", 401))
        .chain((1..=8).map(|host| {
            request(&format!("2001:db8:0:7::{host}"), 10 + host, "POST", "/member/login", 401)
        }))
        .collect();
    let alerts = run(&[rule], &events);
    assert_eq!(
        summary(&alerts),
        ["range-stuffing range 203.0.113.0/24 8", "range-stuffing range 2001:db8:0:7::/64 8"]
    );
    assert_eq!(alerts[0].response[0].scope, KeyKind::Range);
    assert_eq!(alerts[0].response[0].value, "203.0.113.0/24");
    assert_eq!(alerts[1].response[0].value, "2001:db8:0:7::/64");
}

#[test]
fn groups_by_account_across_addresses() {
    let rule = "id: account-attack
title: One account attacked from many addresses
severity: high
detection:
  kind: count
  where: {kind: login, outcome: failure}
  group_by: [account]
  window: 10m
  threshold: 5
  distinct: ip
response:
  - {action: force_reset, scope: account}
  - {action: require_otp, scope: account, duration: 7d}
";
    let events: Vec<_> = (0..6)
        .map(|idx| {
            let mut event = request(&format!("192.0.2.{}", idx + 1), idx * 10, "", "", 0);
            event.kind = EventKind::Login;
            event.status = None;
            event.outcome = Some(LoginOutcome::Failure);
            event.account = Cow::Borrowed("alice@example.com");
            event
        })
        .collect();
    let alerts = run(&[rule], &events);
    assert_eq!(summary(&alerts), ["account-attack account alice@example.com 6"]);
    assert_eq!(alerts[0].distinct, Some(6));
    let responses: Vec<_> =
        alerts[0].response.iter().map(|r| (r.action, r.value.as_str(), r.duration_secs)).collect();
    assert_eq!(
        responses,
        [
            (Action::ForceReset, "alice@example.com", None),
            (Action::RequireOtp, "alice@example.com", Some(7 * 86_400))
        ]
    );
}

#[test]
fn compound_keys_name_every_part() {
    let rule = "id: pair
title: Address and agent
severity: low
detection: {kind: match, where: {path: /.git/config}, group_by: [ip, user_agent]}
";
    let mut curl = request("203.0.113.9", 0, "GET", "/.git/config", 404);
    curl.user_agent = Cow::Borrowed("curl/8.5.0");
    let browser = request("203.0.113.9", 1, "GET", "/.git/config", 404);
    let alerts = run(&[rule], &[curl, browser]);
    assert_eq!(
        summary(&alerts),
        [
            "pair ip 203.0.113.9, user_agent curl/8.5.0 1",
            "pair ip 203.0.113.9, user_agent Mozilla/5.0 1"
        ]
    );
    assert_eq!(alerts[0].reason, "GET /.git/config from ip 203.0.113.9, user_agent curl/8.5.0");
}

const ADMIN_BYPASS: &str = "id: admin-direct-login
title: Admin login without the login page
severity: critical
detection:
  kind: absence
  where: {endpoint: admin_login, method: POST, outcome: success}
  unless_preceded_by:
    where: {endpoint: admin_login, method: GET}
    within: 12h
";

#[test]
fn absence_fires_on_a_login_without_the_expected_earlier_step() {
    let events = [
        // A person: form first, then the post.
        request("192.0.2.10", 0, "GET", "/admin/login", 200),
        request("192.0.2.10", 20, "POST", "/admin/login", 302),
        // A script posting directly.
        request("203.0.113.9", 30, "POST", "/admin/login", 302),
        request("203.0.113.9", 40, "POST", "/admin/login", 302),
        // A form view thirteen hours old does not count.
        request("198.51.100.7", 50, "GET", "/admin/login", 200),
        request("198.51.100.7", 50 + 13 * 3600, "POST", "/admin/login", 302),
    ];
    let alerts = run(&[ADMIN_BYPASS], &events);
    assert_eq!(
        summary(&alerts),
        ["admin-direct-login ip 203.0.113.9 2", "admin-direct-login ip 198.51.100.7 1"]
    );
    assert_eq!(
        alerts[0].reason,
        "POST /admin/login from 203.0.113.9 with no earlier matching event within 12h"
    );
}

#[test]
fn absence_counts_an_event_matching_both_sides_as_unpreceded() {
    let rule = "id: first-visit
title: First request
severity: info
detection:
  kind: absence
  where: {path: /checkout}
  unless_preceded_by: {where: {path: /checkout}, within: 1h}
";
    let events = [
        request("192.0.2.1", 0, "GET", "/checkout", 200),
        request("192.0.2.1", 10, "GET", "/checkout", 200),
    ];
    // The first is not preceded by itself; the second is preceded by the first.
    assert_eq!(summary(&run(&[rule], &events)), ["first-visit ip 192.0.2.1 1"]);
}

const ORDER_WALK: &str = r"id: order-walk
title: Walking through order ids
severity: critical
detection:
  kind: enumeration
  where: {endpoint: order_pages, method: GET}
  id_from: path
  id_pattern: '^/member/orders/(\d+)$'
  window: 10m
  threshold: 20
  sequential_share: 0.6
  max_gap: 3
";

#[test]
fn enumeration_fires_on_mostly_consecutive_ids() {
    let mut events: Vec<_> = (0..25)
        .map(|idx| {
            request("203.0.113.9", idx, "GET", &format!("/member/orders/{}", 10_400 + idx), 200)
        })
        .collect();
    // A customer looking at their own few orders, often.
    events.extend((0..40).map(|idx| {
        request(
            "192.0.2.1",
            idx,
            "GET",
            &format!("/member/orders/{}", [311, 9_050, 77_123][idx as usize % 3]),
            200,
        )
    }));
    // Many ids, but scattered: a different attack (and a different rule).
    events.extend((0..30).map(|idx| {
        request(
            "198.51.100.7",
            idx,
            "GET",
            &format!("/member/orders/{}", idx * 7_919 % 100_000),
            200,
        )
    }));
    events.sort_by_key(|event| event.time);
    let alerts = run(&[ORDER_WALK], &events);
    assert_eq!(summary(&alerts), ["order-walk ip 203.0.113.9 25"]);
    assert_eq!(alerts[0].distinct, Some(25));
    assert_eq!(
        alerts[0].reason,
        "20 distinct ids 10400..10419 (100% at most 3 apart) in 20 GET /member/orders/10419 from 203.0.113.9 within 10m (threshold 20)"
    );
}

#[test]
fn large_thresholds_count_in_sub_windows() {
    let rule = "id: export-flood
title: Bulk export
severity: critical
detection: {kind: count, where: {endpoint: exports}, window: 10m, threshold: 1000}
";
    let fire: Vec<_> = (0..1000)
        .map(|idx| request("203.0.113.9", idx * 300 / 1000, "GET", "/admin/export/customers", 200))
        .collect();
    assert_eq!(summary(&run(&[rule], &fire)), ["export-flood ip 203.0.113.9 1000"]);
    let slow: Vec<_> = (0..2000)
        .map(|idx| request("203.0.113.9", idx, "GET", "/admin/export/customers", 200))
        .collect();
    assert!(run(&[rule], &slow).is_empty(), "2000 in 33 minutes is 600 per 10 minutes");
}

#[test]
fn payload_conditions_ask_the_supplied_inspector() {
    let rule = "id: sqli
title: SQL injection
severity: high
detection: {kind: match, where: {payload: {detector: sqli, confidence: high}}}
";
    let inspector = |event: &model::Event<'_>| {
        let mut flags = rules::PayloadFlags::EMPTY;
        if event.query.contains("UNION") {
            flags.insert(rules::Detector::Sqli, rules::Confidence::High);
        }
        flags
    };
    let mut engine = engine(&[rule]).with_payload_inspector(inspector);
    feed_all(
        &mut engine,
        &[
            request("203.0.113.9", 0, "GET", "/product?id=1+UNION+SELECT+password", 200),
            request("192.0.2.1", 1, "GET", "/product?id=2", 200),
        ],
    );
    assert_eq!(summary(&engine.finish()), ["sqli ip 203.0.113.9 1"]);
}

#[test]
fn events_without_the_key_field_are_counted_not_keyed() {
    let rule = "id: by-account
title: By account
severity: low
detection: {kind: match, where: {endpoint: member_login}, group_by: [account]}
";
    let mut engine = engine(&[rule]);
    feed_all(&mut engine, &[request("203.0.113.9", 0, "POST", "/member/login", 200)]);
    assert!(engine.finish().is_empty());
    assert_eq!(engine.stats().n_unkeyed, 1);
    assert_eq!(engine.rule_stats()[0].n_matches, 1);
}

#[test]
fn answers_remembered_per_user_agent_never_carry_other_fields_over() {
    // Two rules share the user-agent test and the path test; the engine
    // remembers the user-agent answer between events, never the path one.
    let tool_on_admin = "id: tool-on-admin
title: A scanner on the back office
severity: high
detection:
  kind: match
  where:
    user_agent: {contains: [zgrab, masscan, nikto, sqlmap, nuclei, dirbuster, gobuster, wpscan, hydra]}
    path: {contains: [/admin, /wp-admin, /phpmyadmin, /manager, /actuator, /backup, /.git, /.env, /config]}
  group_by: [ip]
";
    let tool_anywhere = "id: tool-anywhere
title: A scanner
severity: low
detection:
  kind: match
  where:
    user_agent: {contains: [zgrab, masscan, nikto, sqlmap, nuclei, dirbuster, gobuster, wpscan, hydra]}
  group_by: [ip]
";
    let agent = |mut event: model::Event<'static>, user_agent: &'static str| {
        event.user_agent = Cow::Borrowed(user_agent);
        event
    };
    let events = [
        agent(request("203.0.113.9", 0, "GET", "/admin/orders", 404), "Mozilla/5.0 zgrab/0.x"),
        agent(request("203.0.113.9", 1, "GET", "/shop/item/7", 200), "Mozilla/5.0 zgrab/0.x"),
        agent(request("198.51.100.7", 2, "GET", "/admin/orders", 200), "Mozilla/5.0"),
        agent(request("198.51.100.7", 3, "GET", "/cart", 200), "Mozilla/5.0"),
        agent(request("192.0.2.5", 4, "GET", "/.env", 404), "Mozilla/5.0 zgrab/0.x"),
    ];
    assert_eq!(
        summary(&run(&[tool_on_admin, tool_anywhere], &events)),
        [
            "tool-anywhere ip 203.0.113.9 2",
            "tool-on-admin ip 203.0.113.9 1",
            "tool-anywhere ip 192.0.2.5 1",
            "tool-on-admin ip 192.0.2.5 1",
        ]
    );
}
