//! Incident use cases over a real SQLite store: statuses and their
//! timeline, tasks and deadlines, evidence hashes, and the sealed contact list.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use incidents::{
    Applicability, Contact, ExposedRecord, IncidentKind, NoticeKind, Severity, Source, Status,
    TaskKind, deduplicate,
};
use model::{Clock, Timestamp};

use crate::Service;
use crate::incident::{ContactKey, IncidentError, NewIncident};

const T0: i64 = 1_796_601_600_000_000; // 2026-12-07T00:00:00Z

struct FakeClock(AtomicI64);

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_micros(self.0.load(Ordering::SeqCst))
    }
}

async fn check_service() -> (Service, Arc<FakeClock>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = store::Config::Sqlite { path: dir.path().join("lg.db") };
    let store = store::Store::open(&config).await.expect("open store");
    let clock = Arc::new(FakeClock(AtomicI64::new(T0)));
    (Service::new(store, clock.clone()), clock, dir)
}

fn new_incident() -> NewIncident {
    NewIncident {
        title: "Order pages harvested".to_owned(),
        kind: IncidentKind::Leak,
        source: Source::Alert,
        source_ref: Some("84921efef8b84f66".to_owned()),
        severity: Severity::Critical,
        owner: "ann".to_owned(),
        discovered_at: None,
        occurred_from: None,
        occurred_to: None,
        jurisdictions: Vec::new(),
        details: incidents::Details::default(),
    }
}

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

#[tokio::test]
async fn an_incident_moves_through_its_statuses_on_the_timeline() {
    let (service, clock, _dir) = check_service().await;
    let incident = service.create_incident(new_incident(), "ann").await.expect("create");
    assert_eq!(
        (incident.status, incident.jurisdictions.clone()),
        (Status::Open, vec!["tw".to_owned()])
    );
    assert_eq!(
        incident.discovered_at,
        Timestamp::from_unix_micros(T0),
        "discovered now by default"
    );
    clock.0.fetch_add(3_600_000_000, Ordering::SeqCst);
    let id = incident.id.0;
    service.set_incident_status(id, Status::Investigating, "bob", "looking").await.expect("move");
    let refused = service.set_incident_status(id, Status::Closed, "bob", "").await;
    assert!(matches!(refused, Err(IncidentError::Invalid(_))), "{refused:?}");
    let missing = service.incident(id + 1).await;
    assert_eq!(
        missing.expect_err("missing").to_string(),
        format!("no incident {}; `leakguard incident list` shows them", id + 1)
    );
    let unknown = NewIncident { jurisdictions: vec!["xx".to_owned()], ..new_incident() };
    assert!(service.create_incident(unknown, "ann").await.is_err(), "unknown jurisdiction");
    let timeline = service.incident_timeline(id).await.expect("timeline");
    let lines: Vec<String> = timeline
        .iter()
        .map(|entry| format!("{} {} {}", entry.actor, entry.action, entry.detail))
        .collect();
    assert_eq!(lines[1], "bob status open → investigating: looking");
    assert_eq!(timeline[1].at, Timestamp::from_unix_micros(T0 + 3_600_000_000));
    assert_eq!(service.incident(id).await.expect("read").status, Status::Investigating);
}

#[tokio::test]
async fn deadlines_come_from_discovery_and_the_scope() {
    let (service, clock, _dir) = check_service().await;
    let incident = service.create_incident(new_incident(), "ann").await.expect("create");
    clock.0.fetch_add(10 * 3_600_000_000, Ordering::SeqCst);
    let checklist = service.incident_checklist(&incident).await.expect("checklist");
    let regulator =
        checklist.task(TaskKind::NotifyRegulator).expect("task").countdown.expect("timed");
    assert_eq!(regulator.remaining_secs, 62 * 3600);
    assert_eq!(
        checklist.obligation("tw-pdpc-72h").expect("pdpc").applicability,
        Applicability::Possible
    );

    let records: Vec<ExposedRecord> = (0..120)
        .map(|idx| ExposedRecord {
            keys: vec![format!("email:m{}@x.tw", idx % 60)],
            fields: ["email".to_owned()].into_iter().collect(),
            is_special: false,
            contact: Contact { email: Some(format!("m{}@x.tw", idx % 60)), ..Contact::default() },
        })
        .collect();
    let key = ContactKey::from_hex(KEY).expect("key");
    service
        .save_scope(incident.id.0, &deduplicate(records), "members.csv", "ann", &key)
        .await
        .expect("scope");
    let checklist = service.incident_checklist(&incident).await.expect("checklist");
    assert_eq!(
        checklist.obligation("tw-pdpc-72h").expect("pdpc").applicability,
        Applicability::Applies,
        "120 records ≥ 100"
    );
    service
        .complete_task(incident.id.0, TaskKind::NotifyRegulator, "ann", "filed", None)
        .await
        .expect("done");
    let checklist = service.incident_checklist(&incident).await.expect("checklist");
    let done = checklist.task(TaskKind::NotifyRegulator).expect("task");
    assert_eq!(done.done.as_ref().map(|done| done.by.as_str()), Some("ann"));
    assert!(!done.countdown.expect("timed").is_overdue);
}

#[tokio::test]
async fn the_contact_list_is_sealed_and_every_view_is_audited() {
    let (service, _clock, _dir) = check_service().await;
    let incident = service.create_incident(new_incident(), "ann").await.expect("create");
    let id = incident.id.0;
    let records = vec![ExposedRecord {
        keys: vec!["email:wang@example.com".to_owned()],
        fields: ["email".to_owned(), "phone".to_owned()].into_iter().collect(),
        is_special: false,
        contact: Contact {
            name: Some("王小明".to_owned()),
            email: Some("wang@example.com".to_owned()),
            phone: Some("0912345678".to_owned()),
        },
    }];
    let key = ContactKey::from_hex(KEY).expect("key");
    assert!(!format!("{key:?}").contains("0001020304"), "Debug shows only the fingerprint");
    let stored = service
        .save_scope(id, &deduplicate(records), "members.csv", "ann", &key)
        .await
        .expect("scope");
    assert_eq!(stored.summary.people, 1);

    // Nothing in the database file holds the contacts in clear.
    let dir = _dir.path();
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        raw.extend(std::fs::read(entry.expect("entry").path()).expect("read"));
    }
    let raw = String::from_utf8_lossy(&raw);
    for secret in ["wang@example.com", "0912345678", "王小明"] {
        assert!(!raw.contains(secret), "{secret} stored in clear");
    }

    let people = service.scope_people(id, &key, "ann", "send notices").await.expect("open");
    assert_eq!(people[0].contact.email.as_deref(), Some("wang@example.com"));
    let other = ContactKey::from_hex(&KEY.replace("00", "ff")).expect("key");
    let wrong = service.scope_people(id, &other, "eve", "curious").await;
    assert!(matches!(wrong, Err(IncidentError::WrongKey { .. })), "{wrong:?}");
    let audit = service.store.latest_audit(10).await.expect("audit");
    assert!(audit.iter().any(|entry| entry.entry.action == "incident_contacts_view"
        && entry.entry.purpose == "send notices"));
    let timeline = service.incident_timeline(id).await.expect("timeline");
    assert!(timeline.iter().any(|entry| entry.action == "contacts_view"));
    assert!(matches!(ContactKey::from_hex("abcd"), Err(IncidentError::BadKey(2))));
}

#[tokio::test]
async fn evidence_keeps_its_hash_and_custody() {
    let (service, _clock, _dir) = check_service().await;
    let incident = service.create_incident(new_incident(), "ann").await.expect("create");
    let id = incident.id.0;
    let evidence = service
        .add_evidence(id, "access.log", "file", b"line one\n".to_vec(), "/var/log/a.log", "ann", "")
        .await
        .expect("add");
    // `printf 'line one\n' | sha256sum`
    assert_eq!(evidence.sha256, "31f21b1dae81d3f32f40e38134bc688e6f7df4f08dde1d7d2cda3c4b59104e1c");
    assert_eq!(service.evidence_content(&evidence).await.expect("content"), b"line one\n");
    service.record_custody(id, evidence.id, "bob", "exported", "bundle").await.expect("custody");
    let chain: Vec<String> = service
        .custody(id)
        .await
        .expect("custody")
        .iter()
        .map(|record| format!("{} {}", record.actor, record.action))
        .collect();
    assert_eq!(chain, ["ann added", "bob exported"]);
    let approved = service
        .approve_notice(
            id,
            NoticeKind::Individual,
            "zh-TW",
            incidents::builtin_template(NoticeKind::Individual, true),
            "ann",
        )
        .await
        .expect("approve");
    assert_eq!(service.approved_notices(id).await.expect("notices"), [approved]);
}
