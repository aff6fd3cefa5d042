//! The login check through the whole router (API-key cache, JSON in and
//! out, the decision index and the account decisions) with 100,000 active
//! decisions in SQLite (a tenth on accounts), with and without the
//! breached-password lookup in a packed corpus.
//!
//! Run with: cargo bench -p api --bench login

use std::net::Ipv4Addr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use model::{Clock, SystemClock};
use service::{LoginGuard, Passwords, Service};
use tower::ServiceExt;

const N_DECISIONS: u32 = 100_000;

fn main() {
    divan::main();
}

fn spread(idx: u32) -> u32 {
    idx.wrapping_mul(2_654_435_761)
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: Router,
    key: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    // A packed corpus with 950 hashes under each of 256 prefixes (as many as
    // a prefix of the full corpus holds).
    let corpus = dir.path().join("pwned.lgp");
    pwned::write_packed(&corpus, pwned::HashKind::Sha1, |prefix| {
        if prefix.value() % 4096 != 0 {
            return Vec::new();
        }
        (0..950u32)
            .map(|idx| {
                let value = prefix.value();
                let mut hash =
                    vec![(value >> 12) as u8, (value >> 4) as u8, ((value & 0xF) as u8) << 4];
                hash.extend((0..17).map(|byte| (spread(idx * 17 + byte) >> 13) as u8));
                (hash, idx + 1)
            })
            .collect()
    })
    .expect("corpus");
    let config = store::Config::Sqlite { path: dir.path().join("bench.db") };
    let (router, key) = runtime.block_on(async {
        let store = store::Store::open(&config).await.expect("open");
        let now = SystemClock.now();
        let records: Vec<store::NewDecisionRecord> = (0..N_DECISIONS)
            .map(|idx| {
                let (action, scope, value) = if idx % 10 == 0 {
                    ("force_reset", "account", format!("member{idx}@example.tw"))
                } else {
                    ("ban", "ip", Ipv4Addr::from(spread(idx)).to_string())
                };
                store::NewDecisionRecord {
                    action: action.to_owned(),
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
        let (_, key) = service.add_api_key("bench", &["login".to_owned()]).await.expect("api key");
        let passwords = Arc::new(Passwords::open(&corpus, None).expect("passwords"));
        let guard = LoginGuard::new(service).with_passwords(passwords);
        (api::login_router(Arc::new(guard)), key)
    });
    Fixture { runtime, router, key, _dir: dir }
}

impl Fixture {
    fn check(&self, body: String) -> usize {
        self.runtime.block_on(async {
            let request = Request::post("/v1/login/check")
                .header("X-Api-Key", &self.key)
                .body(Body::from(body))
                .expect("request");
            let response = self.router.clone().oneshot(request).await.expect("answer");
            assert!(response.status().is_success(), "{}", response.status());
            axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").len()
        })
    }
}

#[divan::bench(sample_count = 1000, sample_size = 10)]
fn check_ip_and_account(bencher: divan::Bencher<'_, '_>) {
    let fixture = fixture();
    let mut idx = 0u32;
    bencher.bench_local(|| {
        idx = (idx + 7) % N_DECISIONS;
        let ip = Ipv4Addr::from(spread(idx));
        fixture.check(format!(r#"{{"ip":"{ip}","account":"member{idx}@example.tw"}}"#))
    });
}

#[divan::bench(sample_count = 1000, sample_size = 10)]
fn check_with_password_sha1(bencher: divan::Bencher<'_, '_>) {
    let fixture = fixture();
    let mut idx = 0u32;
    bencher.bench_local(|| {
        idx = idx.wrapping_add(1);
        let ip = Ipv4Addr::from(spread(idx % N_DECISIONS));
        // Prefixes 00000, 01000, ... hold hashes; the rest of the hash varies.
        let sha1 = format!("{:02X}000{:035X}", (idx % 256) as u8, u128::from(idx) * 7919);
        fixture.check(format!(
            r#"{{"ip":"{ip}","account":"member{idx}@example.tw","password_sha1":"{sha1}"}}"#
        ))
    });
}
