//! Use cases over a real SQLite store in a temporary folder, on a fake clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use model::{
    Action, Alert, AlertId, AlertKey, Clock, KeyKind, LocalizedText, Response, RuleId, Severity,
    Timestamp,
};

use crate::{DecisionAction, DecisionQuery, ManualDecision, Profile, Scope, Service};

const T0: i64 = 1_800_000_000;

#[derive(Debug)]
struct FakeClock(AtomicI64);

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_secs(self.0.load(Ordering::SeqCst))
    }
}

impl FakeClock {
    fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

async fn check_service() -> (Service, Arc<FakeClock>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = store::Config::Sqlite { path: dir.path().join("leakguard.db") };
    let store = store::Store::open(&config).await.expect("open store");
    let clock = Arc::new(FakeClock(AtomicI64::new(T0)));
    (Service::new(store, clock.clone()), clock, dir)
}

fn alert(id: &str, ip: &str) -> Alert {
    Alert {
        id: AlertId(id.to_owned()),
        rule_id: RuleId("lg-login".to_owned()),
        title: LocalizedText::default(),
        severity: Severity::High,
        key: AlertKey { kind: KeyKind::Ip, value: ip.to_owned(), extra: Vec::new() },
        count: 5,
        distinct: None,
        first_seen: Timestamp::from_unix_secs(T0),
        last_seen: Timestamp::from_unix_secs(T0),
        samples: Vec::new(),
        response: vec![Response {
            action: Action::Ban,
            scope: KeyKind::Ip,
            value: ip.to_owned(),
            duration_secs: Some(600),
        }],
        reason: "five failed logins".to_owned(),
    }
}

fn ban(value: &str) -> ManualDecision {
    ManualDecision {
        action: DecisionAction::Ban,
        scope: Scope::Ip,
        value: value.to_owned(),
        duration_secs: 3600,
        reason: "by hand".to_owned(),
    }
}

fn ip_query(ip: &str) -> DecisionQuery {
    DecisionQuery { ip: ip.parse().ok(), contains: true, ..DecisionQuery::default() }
}

#[tokio::test]
async fn alerts_become_decisions_once_and_repeat_bans_escalate() {
    let (service, clock, _dir) = check_service().await;
    let tags = HashMap::new();
    let profile = Profile::default();
    let first = service
        .decide_alerts(&[alert("a1", "203.0.113.9")], &tags, &profile)
        .await
        .expect("decide");
    assert_eq!(first.len(), 1);
    let again = service
        .decide_alerts(&[alert("a1", "203.0.113.9")], &tags, &profile)
        .await
        .expect("decide");
    assert!(again.is_empty(), "the same alert never yields a second decision");
    clock.advance(1000);
    let second = service
        .decide_alerts(&[alert("a2", "203.0.113.9")], &tags, &profile)
        .await
        .expect("decide");
    assert_eq!(second[0].until.as_unix_secs() - second[0].created.as_unix_secs(), 1200);
    let found = service.query_decisions(&ip_query("203.0.113.9")).await.expect("query");
    assert_eq!(found.iter().map(|decision| decision.id).collect::<Vec<_>>(), [second[0].id]);
}

#[tokio::test]
async fn the_allowlist_beats_decisions_old_and_new() {
    let (service, _clock, _dir) = check_service().await;
    let decision = service.add_decision(ban("192.0.2.7")).await.expect("add");
    assert_eq!(service.query_decisions(&ip_query("192.0.2.7")).await.expect("query").len(), 1);
    let (_, n_deleted) = service.add_allow("192.0.2.0/24", "office").await.expect("allow");
    assert_eq!(n_deleted, 1, "the allowlist deletes the decisions it overlaps");
    assert!(service.query_decisions(&ip_query("192.0.2.7")).await.expect("query").is_empty());
    let refused = service.add_decision(ban("192.0.2.8")).await;
    insta::assert_snapshot!(refused.unwrap_err(), @"192.0.2.8 is allowlisted (192.0.2.0/24); delete the allowlist entry first");
    assert!(!service.delete_decision(decision.id).await.expect("delete"), "already deleted");
}

#[tokio::test]
async fn bouncers_pull_all_at_startup_then_only_changes() {
    let (service, clock, _dir) = check_service().await;
    let (bouncer, key) = service.add_bouncer("nginx").await.expect("add bouncer");
    assert_eq!(key.len(), 64);
    assert_eq!(
        service.authenticate(&key).await.expect("auth").map(|found| found.id),
        Some(bouncer.id)
    );
    assert_eq!(service.authenticate("nope").await.expect("auth"), None);
    let first = service.add_decision(ban("203.0.113.1")).await.expect("add");
    let startup = service.pull_stream(&bouncer, true, &[]).await.expect("startup");
    assert_eq!((startup.new.len(), startup.deleted.len()), (1, 0));
    clock.advance(10);
    let second = service.add_decision(ban("203.0.113.2")).await.expect("add");
    assert!(service.delete_decision(first.id).await.expect("delete"));
    clock.advance(10);
    let delta = service.pull_stream(&bouncer, false, &[Scope::Ip]).await.expect("delta");
    assert_eq!(delta.new.iter().map(|decision| decision.id).collect::<Vec<_>>(), [second.id]);
    assert_eq!(delta.deleted.iter().map(|decision| decision.id).collect::<Vec<_>>(), [first.id]);
    let quiet = service.pull_stream(&bouncer, false, &[]).await.expect("quiet");
    assert_eq!((quiet.new.len(), quiet.deleted.len()), (0, 0));
    let ranges_only = service.pull_stream(&bouncer, true, &[Scope::Range]).await.expect("ranges");
    assert!(ranges_only.new.is_empty());
    assert!(service.add_bouncer("nginx").await.is_err());
    assert!(service.add_bouncer("bad name").await.is_err());
}

#[tokio::test]
async fn lookups_see_decisions_added_and_deleted_since_the_index_was_built() {
    let (service, clock, _dir) = check_service().await;
    let first = service.add_decision(ban("203.0.113.1")).await.expect("add");
    assert!(service.is_banned("203.0.113.1".parse().expect("ip")).await.expect("lookup"));
    let second = service.add_decision(ban("203.0.113.2")).await.expect("add");
    assert!(service.is_banned("203.0.113.2".parse().expect("ip")).await.expect("lookup"));
    clock.advance(1);
    assert!(service.delete_decision(first.id).await.expect("delete"));
    assert!(!service.is_banned("203.0.113.1".parse().expect("ip")).await.expect("lookup"));
    let found = service.query_decisions(&DecisionQuery::default()).await.expect("all");
    assert_eq!(found.iter().map(|decision| decision.id).collect::<Vec<_>>(), [second.id]);
    clock.advance(3600);
    assert!(
        !service.is_banned("203.0.113.2".parse().expect("ip")).await.expect("lookup"),
        "expired"
    );
}
