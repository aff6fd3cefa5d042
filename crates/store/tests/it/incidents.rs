//! The incident tables on every backend: an incident with its timeline,
//! a status change that loses a race, tasks, evidence with its content and
//! custody, the latest scope (ciphertext kept byte for byte), approved notices.

use model::Timestamp;
use store::{
    ApprovedNoticeRecord, CustodyRecord, NewEvidenceRecord, NewIncidentRecord, ScopeRecord, Store,
    TaskRecord, TimelineRecord,
};

const T0: Timestamp = Timestamp::from_unix_secs(1_800_000_000);

fn entry(action: &str, detail: &str, at: Timestamp) -> TimelineRecord {
    TimelineRecord {
        at,
        actor: "ann".to_owned(),
        action: action.to_owned(),
        detail: detail.to_owned(),
    }
}

pub(crate) async fn check_incidents_story(store: &Store) {
    let new = NewIncidentRecord {
        title: "Order pages harvested".to_owned(),
        kind: "leak".to_owned(),
        source: "alert".to_owned(),
        source_ref: Some("84921efef8b84f66".to_owned()),
        severity: "critical".to_owned(),
        status: "open".to_owned(),
        owner: "ann".to_owned(),
        discovered_at: T0,
        occurred_from: Some(T0.add_secs(-7200)),
        occurred_to: None,
        created_at: T0.add_secs(60),
        jurisdictions: "tw,eu".to_owned(),
        details: "{}".to_owned(),
    };
    let id =
        store.insert_incident(&new, &entry("created", "from alert", T0)).await.expect("insert");
    let other = store
        .insert_incident(
            &NewIncidentRecord { title: "Lost laptop".to_owned(), ..new.clone() },
            &entry("created", "", T0),
        )
        .await
        .expect("insert second");
    assert!(other > id);
    let stored = store.incident(id).await.expect("read").expect("exists");
    assert_eq!(stored.new, new, "every field comes back, absent times as None");
    assert_eq!(store.incident(other + 100).await.expect("read"), None);
    let listed: Vec<i64> =
        store.incidents().await.expect("list").iter().map(|record| record.id).collect();
    assert_eq!(listed, [other, id], "newest first");

    // Status: the change happens once; a second responder moving from the old status loses.
    let moved = store
        .set_incident_status(
            id,
            "open",
            "investigating",
            &entry("status", "open → investigating", T0.add_secs(120)),
        )
        .await;
    assert!(moved.expect("move"));
    let raced = store
        .set_incident_status(
            id,
            "open",
            "contained",
            &entry("status", "open → contained", T0.add_secs(121)),
        )
        .await;
    assert!(!raced.expect("race"), "the status was no longer open");
    assert_eq!(
        store.incident(id).await.expect("read").expect("exists").new.status,
        "investigating"
    );

    let mut edited = new.clone();
    edited.details = r#"{"cause":"no owner check"}"#.to_owned();
    edited.occurred_to = Some(T0);
    assert!(
        store
            .update_incident(id, &edited, &entry("details", "cause", T0.add_secs(130)))
            .await
            .expect("update")
    );
    let stored = store.incident(id).await.expect("read").expect("exists");
    assert_eq!(
        (stored.new.details.as_str(), stored.new.occurred_to, stored.new.status.as_str()),
        (edited.details.as_str(), Some(T0), "investigating")
    );

    // Tasks.
    let task = TaskRecord {
        task: "contain".to_owned(),
        done_at: T0.add_secs(300),
        done_by: "ann".to_owned(),
        note: "banned".to_owned(),
    };
    store
        .add_task_done(id, &task, &entry("task", "contain done", T0.add_secs(300)))
        .await
        .expect("task");
    assert_eq!(store.tasks_done(id).await.expect("tasks"), [task]);
    assert!(store.tasks_done(other).await.expect("tasks").is_empty());

    // Evidence: content kept byte for byte, listed without it, custody recorded.
    let content: Vec<u8> = (0..=255_u8).cycle().take(70_000).collect();
    let evidence = NewEvidenceRecord {
        incident_id: id,
        name: "access.log".to_owned(),
        kind: "file".to_owned(),
        sha256: "ab".repeat(32),
        content: content.clone(),
        origin: "/var/log/nginx/access.log".to_owned(),
        added_by: "ann".to_owned(),
        added_at: T0.add_secs(400),
        note: String::new(),
    };
    let evidence_id = store
        .add_evidence(&evidence, &entry("evidence", "access.log", T0.add_secs(400)))
        .await
        .expect("evidence");
    let listed = store.evidence(id).await.expect("evidence list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id, listed[0].size, listed[0].sha256.as_str()),
        (evidence_id, 70_000, evidence.sha256.as_str())
    );
    assert_eq!(store.evidence_content(evidence_id).await.expect("content"), Some(content));
    let custody = CustodyRecord {
        evidence_id,
        at: T0.add_secs(500),
        actor: "bob".to_owned(),
        action: "exported".to_owned(),
        detail: "bundle".to_owned(),
    };
    store.add_custody(id, &custody).await.expect("custody");
    let chain = store.custody(id).await.expect("custody");
    assert_eq!(
        chain.iter().map(|record| record.action.as_str()).collect::<Vec<_>>(),
        ["added", "exported"]
    );
    assert!(chain[0].detail.contains(&evidence.sha256));

    // Scopes: the latest one counts; ciphertext survives as bytes.
    let scope = |at: i64, summary: &str| ScopeRecord {
        incident_id: id,
        computed_at: T0.add_secs(at),
        computed_by: "ann".to_owned(),
        source: "members.csv".to_owned(),
        summary: summary.to_owned(),
        contacts: vec![0, 1, 2, 255, 254],
        key_id: "k1".to_owned(),
    };
    assert_eq!(store.latest_scope(id).await.expect("scope"), None);
    store
        .save_scope(&scope(600, r#"{"people":1}"#), &entry("scope", "1 person", T0.add_secs(600)))
        .await
        .expect("scope");
    store
        .save_scope(&scope(700, r#"{"people":2}"#), &entry("scope", "2 people", T0.add_secs(700)))
        .await
        .expect("scope");
    assert_eq!(store.latest_scope(id).await.expect("scope"), Some(scope(700, r#"{"people":2}"#)));

    // Notices.
    let notice = ApprovedNoticeRecord {
        id: 0,
        incident_id: id,
        kind: "individual".to_owned(),
        language: "zh-TW".to_owned(),
        template: "Subject: 通知\n內容".to_owned(),
        template_sha256: "cd".repeat(32),
        approved_by: "ann".to_owned(),
        approved_at: T0.add_secs(800),
    };
    let notice_id = store
        .approve_notice(&notice, &entry("notice", "approved", T0.add_secs(800)))
        .await
        .expect("approve");
    assert_eq!(
        store.notices(id).await.expect("notices"),
        [ApprovedNoticeRecord { id: notice_id, ..notice }]
    );

    // The timeline holds every action in order.
    let timeline = store.timeline(id).await.expect("timeline");
    let actions: Vec<&str> = timeline.iter().map(|record| record.action.as_str()).collect();
    assert_eq!(
        actions,
        ["created", "status", "details", "task", "evidence", "scope", "scope", "notice"]
    );
    assert_eq!(timeline[0].at, T0);
    assert_eq!(store.timeline(other).await.expect("timeline").len(), 1);
}
