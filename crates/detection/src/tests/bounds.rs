//! Bounded state: a flood of one-shot addresses cannot hide a persistent attacker.

use super::{STUFFING, request, rule_set, summary};
use crate::{Engine, EngineLimits};

#[test]
fn a_flood_of_one_shot_addresses_neither_grows_state_nor_hides_the_attacker() {
    const N_FLOOD: u32 = 400_000;
    const CAP: usize = 4_000;
    let limits = EngineLimits { max_keys_per_rule: CAP, ..EngineLimits::default() };
    let mut engine = Engine::new(rule_set(&[STUFFING]), limits);
    let mut attacker = request("203.0.113.9", 0, "POST", "/member/login", 200);
    let mut flood = request("10.0.0.0", 0, "POST", "/member/login", 200);
    let evidence = crate::Evidence { source: "access.log", line: 0, text: "" };
    let mut max_keys = 0;
    for idx in 0..N_FLOOD {
        // One failed login from each of 400,000 addresses (a hundred times the
        // cap), 10,000 a second...
        let secs = i64::from(idx / 10_000);
        flood.client_ip = Some(std::net::Ipv4Addr::from(0x0a00_0000 + idx).into());
        flood.time = super::at(secs);
        engine.feed(&flood, &evidence);
        // ...and the attacker: one failure a second, plus a burst of eight
        // (the threshold, within a second) every twenty seconds.
        if idx % 10_000 == 0 {
            attacker.time = super::at(secs);
            let n_burst = if secs % 20 == 0 { 8 } else { 1 };
            for _ in 0..n_burst {
                engine.feed(&attacker, &evidence);
            }
        }
        if idx % 100_000 == 0 {
            max_keys = max_keys.max(engine.stats().n_keys);
        }
    }
    let stats = engine.stats();
    let alerts = engine.finish();
    assert!(max_keys <= CAP as u64, "{max_keys} keys");
    assert!(stats.n_keys <= CAP as u64);
    assert!(stats.n_expired_keys + stats.n_evicted_keys >= u64::from(N_FLOOD) - CAP as u64);
    assert_eq!(summary(&alerts), ["stuffing ip 203.0.113.9 54"]);
}

#[test]
fn recently_active_keys_survive_eviction() {
    let rule = "id: slow
title: Slow and steady
severity: high
detection: {kind: count, where: {path: /member/login}, window: 1h, threshold: 5}
";
    let limits = EngineLimits { max_keys_per_rule: 100, ..EngineLimits::default() };
    let mut engine = Engine::new(rule_set(&[rule]), limits);
    let evidence = crate::Evidence { source: "access.log", line: 0, text: "" };
    let mut attacker = request("203.0.113.9", 0, "GET", "/member/login", 200);
    let mut other = request("10.0.0.0", 0, "GET", "/member/login", 200);
    for round in 0..5u32 {
        attacker.time = super::at(i64::from(round) * 60);
        engine.feed(&attacker, &evidence);
        // 300 one-shot addresses between each of the attacker's requests: all
        // within the window, so nothing expires and the least recent go.
        for idx in 0..300u32 {
            other.client_ip =
                Some(std::net::Ipv4Addr::from(0x0a00_0000 + round * 1000 + idx).into());
            other.time = super::at(i64::from(round) * 60 + 1);
            engine.feed(&other, &evidence);
        }
        attacker.time = super::at(i64::from(round) * 60 + 2);
    }
    assert!(engine.stats().n_evicted_keys > 0);
    let alerts = engine.finish();
    // The attacker was evicted too (300 newer keys per round against a cap of 100),
    // so a slow attack longer than the cap's memory is missed: the price of the bound.
    assert!(alerts.is_empty());
    assert!(engine.stats().n_keys <= 100);
}

#[test]
fn an_attacker_returning_slower_than_the_flood_fills_the_map_is_still_kept() {
    // The map holds 1,000 keys and the flood brings 10,000 new ones a
    // second; the attacker fails once every 2,000 flood events, so every
    // key it had is pushed out before it returns. The doorkeeper knows it
    // again, and one-shot keys go first: its count reaches twenty.
    const CAP: usize = 1_000;
    let rule = "id: slow-stuffing
title: Slow stuffing
severity: high
detection:
  kind: count
  where: {endpoint: member_login, method: POST, outcome: failure}
  group_by: [ip]
  window: 10m
  threshold: 20
";
    let limits = EngineLimits { max_keys_per_rule: CAP, ..EngineLimits::default() };
    let mut engine = Engine::new(rule_set(&[rule]), limits);
    let mut attacker = request("203.0.113.9", 0, "POST", "/member/login", 200);
    let mut flood = request("10.0.0.0", 0, "POST", "/member/login", 200);
    let evidence = crate::Evidence { source: "access.log", line: 0, text: "" };
    for idx in 0..100_000u32 {
        let secs = i64::from(idx / 10_000);
        flood.client_ip = Some(std::net::Ipv4Addr::from(0x0a00_0000 + idx).into());
        flood.time = super::at(secs);
        engine.feed(&flood, &evidence);
        if idx % 2_000 == 0 {
            attacker.time = super::at(secs);
            engine.feed(&attacker, &evidence);
        }
        assert!(engine.stats().n_keys <= CAP as u64);
    }
    let alerts = engine.finish();
    // Its first two failures were forgotten (the first before the map was ever
    // full, the second as a one-shot key); the other 48 count.
    assert_eq!(summary(&alerts), ["slow-stuffing ip 203.0.113.9 48"]);
}
