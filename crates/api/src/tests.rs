//! The API through `tower::ServiceExt::oneshot`: no sockets, a real SQLite
//! store in a temporary folder, a fake clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use model::{Clock, Timestamp};
use service::{DecisionAction, ManualDecision, Scope, Service};
use tower::ServiceExt;

const T0: i64 = 1_800_000_000;

#[derive(Debug)]
struct FakeClock(AtomicI64);

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_secs(self.0.load(Ordering::SeqCst))
    }
}

struct Harness {
    service: Arc<Service>,
    clock: Arc<FakeClock>,
    key: String,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new() -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = store::Config::Sqlite { path: dir.path().join("leakguard.db") };
        let store = store::Store::open(&config).await.expect("open store");
        let clock = Arc::new(FakeClock(AtomicI64::new(T0)));
        let service = Arc::new(Service::new(store, clock.clone()));
        let (_, key) = service.add_bouncer("nginx").await.expect("add bouncer");
        Harness { service, clock, key, _dir: dir }
    }

    fn router(&self) -> Router {
        crate::router(self.service.clone())
    }

    async fn add(&self, scope: Scope, value: &str, hours: u64) {
        let manual = ManualDecision {
            action: DecisionAction::Ban,
            scope,
            value: value.to_owned(),
            duration_secs: hours * 3600,
            reason: "test".to_owned(),
        };
        self.service.add_decision(manual).await.expect("add decision");
    }

    async fn send(
        &self,
        method: Method,
        uri: &str,
        key: Option<&str>,
        body: &str,
    ) -> (StatusCode, String) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(key) = key {
            request = request.header("X-Api-Key", key);
        }
        let request = request.body(Body::from(body.to_owned())).expect("request");
        let response = self.router().oneshot(request).await.expect("router answers");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.expect("body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get(&self, uri: &str) -> (StatusCode, serde_json::Value) {
        let (status, body) = self.send(Method::GET, uri, Some(&self.key), "").await;
        let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
        (status, json)
    }
}

#[tokio::test]
async fn requests_without_a_valid_key_are_forbidden() {
    let harness = Harness::new().await;
    let (status, body) = harness.send(Method::GET, "/v1/decisions", None, "").await;
    insta::assert_snapshot!(format!("{status} {body}"), @r#"403 Forbidden {"message":"access forbidden"}"#);
    let (status, body) = harness.send(Method::GET, "/v1/decisions/stream", Some("wrong"), "").await;
    insta::assert_snapshot!(format!("{status} {body}"), @r#"403 Forbidden {"message":"access forbidden"}"#);
}

#[tokio::test]
async fn an_ip_lookup_finds_addresses_and_covering_ranges() {
    let harness = Harness::new().await;
    harness.add(Scope::Ip, "203.0.113.9", 4).await;
    harness.add(Scope::Range, "203.0.113.0/24", 1).await;
    harness.clock.0.fetch_add(2, Ordering::SeqCst);
    let (status, body) = harness.get("/v1/decisions?ip=203.0.113.9").await;
    assert_eq!(status, StatusCode::OK);
    insta::assert_json_snapshot!(body, @r#"
    [
      {
        "duration": "3h59m58s",
        "id": 1,
        "origin": "cli",
        "scenario": "manual",
        "scope": "Ip",
        "simulated": false,
        "type": "ban",
        "until": "2027-01-15T12:00:00Z",
        "value": "203.0.113.9"
      },
      {
        "duration": "59m58s",
        "id": 2,
        "origin": "cli",
        "scenario": "manual",
        "scope": "Range",
        "simulated": false,
        "type": "ban",
        "until": "2027-01-15T09:00:00Z",
        "value": "203.0.113.0/24"
      }
    ]
    "#);
    let (_, body) = harness.get("/v1/decisions?range=203.0.113.128/25").await;
    assert_eq!(body.as_array().map(Vec::len), Some(1));
    let (_, body) = harness.get("/v1/decisions?scope=ip&value=203.0.113.200").await;
    assert_eq!(body[0]["value"], "203.0.113.0/24");
    let (_, body) = harness.get("/v1/decisions?ip=203.0.113.9&type=captcha").await;
    assert_eq!(body, serde_json::Value::Null);
}

#[tokio::test]
async fn an_empty_answer_is_null_and_head_has_no_body() {
    let harness = Harness::new().await;
    let (status, body) =
        harness.send(Method::GET, "/v1/decisions?ip=198.51.100.1", Some(&harness.key), "").await;
    insta::assert_snapshot!(format!("{status} {body}"), @"200 OK null");
    let (status, body) =
        harness.send(Method::HEAD, "/v1/decisions?ip=198.51.100.1", Some(&harness.key), "").await;
    insta::assert_snapshot!(format!("{status} {body:?}"), @r#"200 OK """#);
    let (status, body) =
        harness.send(Method::HEAD, "/v1/decisions/stream", Some(&harness.key), "").await;
    insta::assert_snapshot!(format!("{status} {body:?}"), @r#"200 OK """#);
}

#[tokio::test]
async fn bad_parameters_get_a_code_and_a_message() {
    let harness = Harness::new().await;
    let (status, body) = harness.get("/v1/decisions?ip=300.1.1.1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(body, @r#"
    {
      "code": "invalid_query",
      "message": "invalid ip \"300.1.1.1\"; use an IPv4 or IPv6 address"
    }
    "#);
}

#[tokio::test]
async fn the_stream_gives_everything_at_startup_then_deltas() {
    let harness = Harness::new().await;
    harness.add(Scope::Ip, "203.0.113.1", 1).await;
    harness.add(Scope::Country, "XX", 1).await;
    let (_, body) = harness.get("/v1/decisions/stream?startup=true").await;
    insta::assert_json_snapshot!(body, @r#"
    {
      "deleted": null,
      "new": [
        {
          "duration": "1h0m0s",
          "id": 1,
          "origin": "cli",
          "scenario": "manual",
          "scope": "Ip",
          "simulated": false,
          "type": "ban",
          "until": "2027-01-15T09:00:00Z",
          "value": "203.0.113.1"
        }
      ]
    }
    "#);
    harness.clock.0.fetch_add(60, Ordering::SeqCst);
    harness.add(Scope::Range, "198.51.100.0/24", 1).await;
    assert!(harness.service.delete_decision(service::DecisionId(1)).await.expect("delete"));
    harness.clock.0.fetch_add(1, Ordering::SeqCst);
    let (status, _) =
        harness.send(Method::HEAD, "/v1/decisions/stream", Some(&harness.key), "").await;
    assert_eq!(status, StatusCode::OK, "a HEAD does not consume the changes");
    let (_, body) = harness.get("/v1/decisions/stream").await;
    let ids = |side: &str| -> Vec<i64> {
        body[side]
            .as_array()
            .map(|list| list.iter().filter_map(|item| item["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    assert_eq!((ids("new"), ids("deleted")), (vec![3], vec![1]));
    let (_, body) = harness.get("/v1/decisions/stream").await;
    insta::assert_json_snapshot!(body, @r#"
    {
      "deleted": null,
      "new": null
    }
    "#);
    let (_, body) = harness.get("/v1/decisions/stream?startup=true&scopes=country").await;
    assert_eq!(body["new"][0]["scope"], "Country");
}

#[tokio::test]
async fn usage_metrics_are_accepted_when_json() {
    let harness = Harness::new().await;
    let (status, _) = harness
        .send(
            Method::POST,
            "/v1/usage-metrics",
            Some(&harness.key),
            r#"{"remediation_components":[]}"#,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) =
        harness.send(Method::POST, "/v1/usage-metrics", Some(&harness.key), "nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = harness.send(Method::POST, "/v1/usage-metrics", None, "{}").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
