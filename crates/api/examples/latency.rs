//! Latency percentiles of the bouncer API with 100,000 decisions in SQLite:
//! `?ip=` lookups, quiet stream pulls and startup pulls, through the router.
//!
//! Run with: cargo run --release -p api --example latency

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use model::{Clock, SystemClock};
use service::Service;
use tower::ServiceExt;

const N_DECISIONS: u32 = 100_000;

fn spread(idx: u32) -> u32 {
    idx.wrapping_mul(2_654_435_761)
}

fn percentiles(name: &str, mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |fraction: f64| times[((times.len() as f64 - 1.0) * fraction) as usize];
    format!(
        "{name:<28} n={:<6} p50={:>10.3?} p90={:>10.3?} p99={:>10.3?} max={:>10.3?}",
        times.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = store::Config::Sqlite { path: dir.path().join("latency.db") };
    let store = store::Store::open(&config).await.expect("open");
    let now = SystemClock.now();
    let records: Vec<store::NewDecisionRecord> = (0..N_DECISIONS)
        .map(|idx| {
            let addr = Ipv4Addr::from(spread(idx));
            let (scope, value) = if idx % 10 == 0 {
                ("range", ipnet::Ipv4Net::new(addr, 24).expect("valid").trunc().to_string())
            } else {
                ("ip", addr.to_string())
            };
            store::NewDecisionRecord {
                action: "ban".to_owned(),
                scope: scope.to_owned(),
                value,
                origin: "leakguard".to_owned(),
                rule_id: Some("lg-latency".to_owned()),
                alert_id: Some(format!("alert-{idx}")),
                reason: "latency".to_owned(),
                created_at: now,
                until: now.add_secs(86_400),
            }
        })
        .collect();
    store.insert_decisions(&records).await.expect("insert");
    let service = Arc::new(Service::new(store, Arc::new(SystemClock)));
    let (_, key) = service.add_bouncer("latency").await.expect("bouncer");
    let router = api::router(service);
    let get = |uri: String| {
        let router = router.clone();
        let key = key.clone();
        async move {
            let request =
                Request::get(uri).header("X-Api-Key", key).body(Body::empty()).expect("request");
            let started = Instant::now();
            let response = router.oneshot(request).await.expect("answer");
            axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
            started.elapsed()
        }
    };
    let mut report = Vec::new();
    let mut startup = Vec::new();
    for _ in 0..5 {
        startup.push(get("/v1/decisions/stream?startup=true".to_owned()).await);
    }
    report.push(percentiles("stream startup (100k)", startup));
    let mut quiet = Vec::new();
    for _ in 0..1000 {
        quiet.push(get("/v1/decisions/stream".to_owned()).await);
    }
    report.push(percentiles("stream delta (quiet)", quiet));
    get("/v1/decisions?ip=10.0.0.1".to_owned()).await;
    let mut lookups = Vec::new();
    for idx in 0..10_000u32 {
        let ip = Ipv4Addr::from(spread(idx * 7 % N_DECISIONS));
        lookups.push(get(format!("/v1/decisions?ip={ip}")).await);
    }
    report.push(percentiles("GET /v1/decisions?ip=", lookups));
    #[allow(clippy::print_stdout)]
    for line in report {
        println!("{line}");
    }
}
