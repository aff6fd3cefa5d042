//! The bouncer API with 100,000 active decisions in SQLite: a bouncer's
//! startup pull, a quiet delta pull, and `?ip=` lookups, each through the
//! whole router (authentication, the store's fingerprint, JSON).
//!
//! Run with: cargo bench -p api --bench bouncer

use std::net::Ipv4Addr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use model::{Clock, SystemClock};
use service::Service;
use tower::ServiceExt;

const N_DECISIONS: u32 = 100_000;

fn main() {
    divan::main();
}

/// A deterministic spread of addresses (a multiplicative hash of the index).
fn spread(idx: u32) -> u32 {
    idx.wrapping_mul(2_654_435_761)
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    service: Arc<Service>,
    router: Router,
    key: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = store::Config::Sqlite { path: dir.path().join("bench.db") };
    let (service, router, key) = runtime.block_on(async {
        let store = store::Store::open(&config).await.expect("open");
        let now = SystemClock.now();
        let records: Vec<store::NewDecisionRecord> = (0..N_DECISIONS)
            .map(|idx| {
                let addr = Ipv4Addr::from(spread(idx));
                let (scope, value) = if idx % 10 == 0 {
                    let net = ipnet::Ipv4Net::new(addr, 24).expect("24 is a valid length");
                    ("range", net.trunc().to_string())
                } else {
                    ("ip", addr.to_string())
                };
                store::NewDecisionRecord {
                    action: "ban".to_owned(),
                    scope: scope.to_owned(),
                    value,
                    origin: "leakguard".to_owned(),
                    rule_id: Some("lg-bench".to_owned()),
                    alert_id: Some(format!("alert-{idx}")),
                    reason: "bench".to_owned(),
                    created_at: now,
                    until: now.add_secs(86_400),
                }
            })
            .collect();
        store.insert_decisions(&records).await.expect("insert");
        let service = Arc::new(Service::new(store, Arc::new(SystemClock)));
        let (_, key) = service.add_bouncer("bench").await.expect("bouncer");
        (service.clone(), api::router(service), key)
    });
    Fixture { runtime, service, router, key, _dir: dir }
}

impl Fixture {
    fn add_ban(&self, idx: u32) {
        let manual = service::ManualDecision {
            action: service::DecisionAction::Ban,
            scope: service::Scope::Ip,
            value: Ipv4Addr::from(spread(N_DECISIONS + idx)).to_string(),
            duration_secs: 3600,
            reason: "bench".to_owned(),
        };
        self.runtime.block_on(self.service.add_decision(manual)).expect("add");
    }

    fn get(&self, uri: &str) -> usize {
        self.runtime.block_on(async {
            let request = Request::get(uri)
                .header("X-Api-Key", &self.key)
                .body(Body::empty())
                .expect("request");
            let response = self.router.clone().oneshot(request).await.expect("answer");
            assert!(response.status().is_success(), "{uri}: {}", response.status());
            axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").len()
        })
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn stream_startup_100k(bencher: divan::Bencher<'_, '_>) {
    let fixture = fixture();
    bencher.bench_local(|| fixture.get("/v1/decisions/stream?startup=true"));
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn stream_delta_quiet(bencher: divan::Bencher<'_, '_>) {
    let fixture = fixture();
    fixture.get("/v1/decisions/stream?startup=true");
    bencher.bench_local(|| fixture.get("/v1/decisions/stream"));
}

#[divan::bench(sample_count = 1000, sample_size = 1)]
fn decisions_ip_lookup(bencher: divan::Bencher<'_, '_>) {
    let fixture = fixture();
    // The first lookup builds the index; the measured ones reuse it.
    fixture.get("/v1/decisions?ip=10.0.0.1");
    let mut idx = 1u32;
    bencher.bench_local(|| {
        idx = (idx + 7) % N_DECISIONS;
        fixture.get(&format!("/v1/decisions?ip={}", Ipv4Addr::from(spread(idx))))
    });
}

#[divan::bench(sample_count = 50, sample_size = 1)]
fn stream_delta_after_one_new_decision(bencher: divan::Bencher<'_, '_>) {
    let fixture = fixture();
    fixture.get("/v1/decisions/stream?startup=true");
    let mut idx = 0;
    bencher.bench_local(|| {
        idx += 1;
        fixture.add_ban(idx);
        fixture.get("/v1/decisions/stream")
    });
}

#[divan::bench(sample_count = 50, sample_size = 1)]
fn decisions_ip_lookup_after_one_new_decision(bencher: divan::Bencher<'_, '_>) {
    let fixture = fixture();
    fixture.get("/v1/decisions?ip=10.0.0.1");
    let mut idx = 0;
    bencher.bench_local(|| {
        idx += 1;
        fixture.add_ban(idx);
        fixture.get("/v1/decisions?ip=10.0.0.1")
    });
}
