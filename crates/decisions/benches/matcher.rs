//! Decision lookup with 100,000 active decisions (addresses and ranges).
//!
//! Run with: cargo bench -p decisions --bench matcher

use std::net::{IpAddr, Ipv4Addr};

use decisions::{
    Allowlist, Decision, DecisionAction, DecisionId, DecisionIndex, NewDecision, Origin, Scope,
};
use model::Timestamp;

const NOW: Timestamp = Timestamp::from_unix_secs(1_800_000_000);
const N_DECISIONS: u32 = 100_000;

fn main() {
    divan::main();
}

/// A deterministic spread of addresses (a multiplicative hash of the index).
fn spread(idx: u32) -> u32 {
    idx.wrapping_mul(2_654_435_761)
}

/// 90% single addresses, 10% ranges of /16 to /28.
fn corpus() -> Vec<Decision> {
    (0..N_DECISIONS)
        .map(|idx| {
            let addr = Ipv4Addr::from(spread(idx));
            let (scope, value) = if idx % 10 == 0 {
                let prefix_len = 16 + (idx / 10 % 13) as u8;
                let net = ipnet::Ipv4Net::new(addr, prefix_len).expect("length is at most 32");
                (Scope::Range, net.trunc().to_string())
            } else {
                (Scope::Ip, addr.to_string())
            };
            NewDecision {
                action: DecisionAction::Ban,
                scope,
                value,
                origin: Origin::Leakguard,
                rule_id: None,
                alert_id: None,
                reason: String::new(),
                created: NOW,
                until: NOW.add_secs(3600),
            }
            .with_id(DecisionId(i64::from(idx) + 1))
        })
        .collect()
}

#[divan::bench(sample_count = 10)]
fn build_index_100k(bencher: divan::Bencher<'_, '_>) {
    bencher
        .with_inputs(corpus)
        .bench_values(|decisions| DecisionIndex::new(decisions, &Allowlist::default(), NOW));
}

#[divan::bench]
fn lookup_banned_ip(bencher: divan::Bencher<'_, '_>) {
    let index = DecisionIndex::new(corpus(), &Allowlist::default(), NOW);
    let mut idx = 1u32;
    bencher.bench_local(|| {
        idx = (idx + 7) % N_DECISIONS;
        index.covering(IpAddr::V4(Ipv4Addr::from(spread(idx))), NOW).len()
    });
}

#[divan::bench]
fn lookup_clean_ip(bencher: divan::Bencher<'_, '_>) {
    let index = DecisionIndex::new(corpus(), &Allowlist::default(), NOW);
    let mut addr = 12_345u32;
    bencher.bench_local(|| {
        addr = addr.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        index.is_covered(IpAddr::V4(Ipv4Addr::from(addr)), NOW)
    });
}
