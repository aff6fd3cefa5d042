//! Run with: cargo run --release -p detection --example flood -- [one-shot addresses] [key cap]
//!
//! Feeds a flood of one-shot addresses (one failed login each, 10,000 a second)
//! with one persistent attacker among them through a credential-stuffing rule,
//! then prints whether the attacker was caught, the engine's key counts and
//! the process's peak resident memory (Linux: `VmHWM` in `/proc/self/status`).
//! Memory should not grow with the number of addresses, only with the cap.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

use detection::{Engine, EngineLimits, Evidence};
use model::{Event, Timestamp};
use rules::{RuleSet, Sets, Site};

const RULE: &str = "id: stuffing
title: Credential stuffing
severity: high
detection:
  kind: count
  where: {endpoint: member_login, method: POST, outcome: failure}
  window: 1s
  threshold: 8
";

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find(|line| line.starts_with("VmHWM")).map(|line| line.to_owned())
        })
        .unwrap_or_else(|| "VmHWM: unknown".to_owned())
}

#[allow(clippy::print_stdout, reason = "an example reports on standard output")]
fn main() {
    let mut args = std::env::args().skip(1);
    let n_flood: u32 = args.next().and_then(|arg| arg.parse().ok()).unwrap_or(10_000_000);
    let cap: usize = args.next().and_then(|arg| arg.parse().ok()).unwrap_or(100_000);
    let rule_set =
        RuleSet::compile_sources([("stuffing.yaml", RULE)], &Sets::new(), &Site::default())
            .expect("the example rule compiles");
    let limits = EngineLimits { max_keys_per_rule: cap, ..EngineLimits::default() };
    let mut engine = Engine::new(rule_set, limits);
    let start = Timestamp::from_unix_secs(1_795_053_600);
    let mut event = Event {
        method: Cow::Borrowed("POST"),
        path: Cow::Borrowed("/member/login"),
        status: Some(200),
        ..Event::default()
    };
    let attacker = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9));
    let evidence = Evidence { source: "access.log", line: 0, text: "POST /member/login 200" };
    let began = std::time::Instant::now();
    for idx in 0..n_flood {
        let secs = i64::from(idx / 10_000);
        event.time = start.add_secs(secs);
        event.client_ip = Some(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + idx)));
        engine.feed(&event, &evidence);
        if idx % 10_000 == 0 && secs % 60 == 0 {
            event.client_ip = Some(attacker);
            for _ in 0..8 {
                engine.feed(&event, &evidence);
            }
        }
    }
    let elapsed = began.elapsed();
    let stats = engine.stats();
    let alerts = engine.finish();
    println!(
        "{n_flood} one-shot addresses, key cap {cap}, {:.2?} ({:.0} events/s)",
        elapsed,
        f64::from(n_flood) / elapsed.as_secs_f64()
    );
    println!(
        "keys held {}, expired {}, evicted {}",
        stats.n_keys, stats.n_expired_keys, stats.n_evicted_keys
    );
    for alert in &alerts {
        println!("alert {} {} count {}", alert.rule_id, alert.key, alert.count);
    }
    println!("{}", peak_memory());
}
