//! Alerts over time: aggregation during the cooldown, samples, ids, delivery
//! as they open and close, and events out of order.

use std::time::Duration;

use super::{ENV_PROBE, STUFFING, at, engine, feed_all, request, rule_set, run, summary};
use crate::{Engine, EngineLimits, Evidence};

fn stuffing_burst(client: &str, start: i64, n_events: usize) -> Vec<model::Event<'static>> {
    (0..n_events)
        .map(|idx| request(client, start + idx as i64 / 10, "POST", "/member/login", 200))
        .collect()
}

#[test]
fn further_matches_during_the_cooldown_extend_one_alert() {
    // 10 failures a second for 30 seconds, then a pause longer than the cooldown.
    let mut events = stuffing_burst("203.0.113.9", 0, 300);
    events.extend(stuffing_burst("203.0.113.9", 30 + 601, 20));
    let alerts = run(&[STUFFING], &events);
    assert_eq!(summary(&alerts), ["stuffing ip 203.0.113.9 300", "stuffing ip 203.0.113.9 20"]);
    assert_eq!(alerts[0].first_seen, at(0));
    assert_eq!(alerts[0].last_seen, at(29));
    assert_ne!(alerts[0].id, alerts[1].id);
}

#[test]
fn samples_keep_the_first_and_the_latest_lines() {
    let alerts = run(&[STUFFING], &stuffing_burst("203.0.113.9", 0, 40));
    let lines: Vec<u64> = alerts[0].samples.iter().map(|sample| sample.line).collect();
    // The alert opens on the eighth event; samples start there.
    assert_eq!(lines, [8, 9, 10, 11, 12, 36, 37, 38, 39, 40]);
    assert_eq!(alerts[0].samples[0].source, "access.log");
    assert_eq!(alerts[0].samples[0].text, "203.0.113.9 POST /member/login 200");
}

#[test]
fn long_sample_lines_are_shortened_on_a_character_boundary() {
    let limits = EngineLimits { max_sample_bytes: 10, ..EngineLimits::default() };
    let mut engine = Engine::new(rule_set(&[ENV_PROBE]), limits);
    let event = request("203.0.113.9", 0, "GET", "/.env", 404);
    engine.feed(&event, &Evidence { source: "a.log", line: 1, text: "GET /.env 撞庫撞庫" });
    assert_eq!(engine.finish()[0].samples[0].text, "GET /.env …");
}

#[test]
fn the_same_input_gives_the_same_alerts_and_ids() {
    let mut events = stuffing_burst("203.0.113.9", 0, 50);
    events.extend(stuffing_burst("198.51.100.7", 3, 50));
    events.extend((0..5).map(|idx| request("192.0.2.1", idx, "GET", "/.env", 404)));
    events.sort_by_key(|event| event.time);
    let first = run(&[STUFFING, ENV_PROBE], &events);
    let second = run(&[ENV_PROBE, STUFFING], &events);
    assert_eq!(first, second);
    assert_eq!(first.len(), 3);
    let ids: Vec<&str> = first.iter().map(|alert| alert.id.0.as_str()).collect();
    assert!(ids.iter().all(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())));
    assert_eq!(ids.iter().collect::<std::collections::BTreeSet<_>>().len(), 3);
}

#[test]
fn ids_depend_on_the_period_the_alert_opened_in() {
    let early = run(&[ENV_PROBE], &[request("203.0.113.9", 0, "GET", "/.env", 404)]);
    let same_period = run(&[ENV_PROBE], &[request("203.0.113.9", 1, "GET", "/.env", 404)]);
    let later = run(&[ENV_PROBE], &[request("203.0.113.9", 3600, "GET", "/.env", 404)]);
    assert_eq!(early[0].id, same_period[0].id);
    assert_ne!(early[0].id, later[0].id);
}

#[test]
fn alerts_are_announced_when_they_open_and_delivered_when_they_close() {
    let mut engine = engine(&[STUFFING]);
    feed_all(&mut engine, &stuffing_burst("203.0.113.9", 0, 7));
    assert!(engine.take_new_alerts().is_empty());
    feed_all(&mut engine, &stuffing_burst("203.0.113.9", 0, 3));
    let opened = engine.take_new_alerts();
    assert_eq!(summary(&opened), ["stuffing ip 203.0.113.9 8"]);
    assert!(engine.take_new_alerts().is_empty());
    assert!(engine.take_closed_alerts().is_empty());
    // Time moves on without events: ten minutes of cooldown and five of tolerance.
    engine.advance_to(at(10 * 60 + 5 * 60 + 61));
    let closed = engine.take_closed_alerts();
    assert_eq!(summary(&closed), ["stuffing ip 203.0.113.9 10"]);
    assert_eq!(closed[0].id, opened[0].id);
    assert!(engine.finish().is_empty());
    assert_eq!(engine.stats().n_alerts, 1);
}

#[test]
fn finish_closes_open_alerts_and_keeps_the_engine_usable() {
    let mut engine = engine(&[ENV_PROBE]);
    feed_all(&mut engine, &[request("203.0.113.9", 0, "GET", "/.env", 404)]);
    assert_eq!(engine.stats().n_open_alerts, 1);
    assert_eq!(engine.finish().len(), 1);
    assert_eq!(engine.stats().n_open_alerts, 0);
    feed_all(&mut engine, &[request("203.0.113.9", 10, "GET", "/.env", 404)]);
    assert_eq!(engine.finish().len(), 1);
}

#[test]
fn events_out_of_order_within_the_tolerance_count_as_in_order() {
    let mut events = stuffing_burst("203.0.113.9", 100, 8);
    events.extend((0..20).map(|idx| request("192.0.2.1", 90 + idx, "GET", "/", 200)));
    let in_order = {
        let mut sorted = events.clone();
        sorted.sort_by_key(|event| event.time);
        run(&[STUFFING], &sorted)
    };
    // Reverse: every event is up to 30 seconds late.
    events.reverse();
    let mut engine = engine(&[STUFFING]);
    feed_all(&mut engine, &events);
    let disordered = engine.finish();
    assert_eq!(summary(&disordered), summary(&in_order));
    assert_eq!(engine.stats().n_late_events, 0);
}

#[test]
fn events_later_than_the_tolerance_are_counted_and_still_processed() {
    let limits =
        EngineLimits { out_of_order_tolerance: Duration::from_secs(60), ..EngineLimits::default() };
    let mut engine = Engine::new(rule_set(&[ENV_PROBE]), limits);
    // A second file replayed after the first: its events are an hour "late".
    feed_all(
        &mut engine,
        &[
            request("192.0.2.1", 3600, "GET", "/", 200),
            request("203.0.113.9", 0, "GET", "/.env", 404),
            request("203.0.113.9", 5, "GET", "/.env", 404),
        ],
    );
    let alerts = engine.finish();
    assert_eq!(summary(&alerts), ["env-probe ip 203.0.113.9 2"]);
    assert_eq!(engine.stats().n_late_events, 2);
}

#[test]
fn the_oldest_open_alert_is_closed_when_too_many_are_open() {
    let limits = EngineLimits { max_open_alerts_per_rule: 2, ..EngineLimits::default() };
    let mut engine = Engine::new(rule_set(&[ENV_PROBE]), limits);
    feed_all(
        &mut engine,
        &[
            request("192.0.2.1", 0, "GET", "/.env", 404),
            request("192.0.2.2", 1, "GET", "/.env", 404),
            request("192.0.2.3", 2, "GET", "/.env", 404),
        ],
    );
    assert_eq!(engine.stats().n_forced_closes, 1);
    assert_eq!(engine.take_closed_alerts()[0].key.value, "192.0.2.1");
    assert_eq!(engine.finish().len(), 2);
}
