//! The store's conformance story: the same steps on SQLite (always) and on
//! PostgreSQL (when `TEST_POSTGRES_URL` is set).

mod api_keys;
mod console;
mod incidents;
mod notices;

use model::Timestamp;
use store::{Backend, Config, NewDecisionRecord, Store, StreamState, hash_api_key};

const T0: Timestamp = Timestamp::from_unix_secs(1_800_000_000);

fn ban(value: &str, alert_id: Option<&str>, until: Timestamp) -> NewDecisionRecord {
    NewDecisionRecord {
        action: "ban".to_owned(),
        scope: "ip".to_owned(),
        value: value.to_owned(),
        origin: if alert_id.is_some() { "leakguard" } else { "cli" }.to_owned(),
        rule_id: alert_id.map(|_| "lg-login".to_owned()),
        alert_id: alert_id.map(str::to_owned),
        reason: "test".to_owned(),
        created_at: T0,
        until,
    }
}

fn values(records: &[store::DecisionRecord]) -> Vec<&str> {
    records.iter().map(|record| record.new.value.as_str()).collect()
}

/// The story every backend must tell the same way.
async fn check_story(store: &Store) {
    assert_eq!(
        store.schema_version().await.expect("schema version"),
        store::latest_schema_version()
    );

    // Decisions: insert, skip the same alert's duplicate, list active ones.
    let stored = store
        .insert_decisions(&[
            ban("203.0.113.1", Some("alert-1"), T0.add_secs(3600)),
            ban("203.0.113.2", None, T0.add_secs(60)),
            ban("203.0.113.1", Some("alert-1"), T0.add_secs(3600)),
        ])
        .await
        .expect("insert");
    assert_eq!(values(&stored), ["203.0.113.1", "203.0.113.2"]);
    assert!(stored[0].id < stored[1].id);
    let again =
        store.insert_decisions(&[ban("203.0.113.1", Some("alert-1"), T0.add_secs(9))]).await;
    assert_eq!(
        again.expect("insert again").len(),
        0,
        "the same alert never yields a second decision"
    );
    let active = store.active_decisions(T0).await.expect("active");
    assert_eq!(values(&active), ["203.0.113.1", "203.0.113.2"]);
    assert_eq!(
        values(&store.active_decisions(T0.add_secs(60)).await.expect("active")),
        ["203.0.113.1"]
    );
    assert_eq!(store.decided_alert_ids().await.expect("alert ids"), ["alert-1"]);
    let after_first = store.active_decisions_after(stored[0].id, T0).await.expect("after");
    assert_eq!(values(&after_first), ["203.0.113.2"]);
    assert_eq!(store.ban_counts().await.expect("ban counts").len(), 2, "one row per banned value");

    // Bouncers: keys are kept hashed; names are unique.
    let key_hash = hash_api_key("secret-key");
    assert_eq!(key_hash.len(), 64);
    assert_ne!(key_hash, "secret-key");
    let bouncer = store.add_bouncer("nginx", &key_hash, T0).await.expect("add bouncer");
    let duplicate = store.add_bouncer("nginx", &hash_api_key("other"), T0).await;
    assert!(matches!(duplicate, Err(store::Error::DuplicateBouncer(_))), "{duplicate:?}");
    let found = store.bouncer_by_key_hash(&key_hash).await.expect("lookup");
    assert_eq!(found.map(|found| found.name), Some("nginx".to_owned()));
    assert_eq!(store.bouncer_by_key_hash(&hash_api_key("wrong")).await.expect("lookup"), None);

    // Stream: the first pull gets everything active, the next only the changes.
    let state = store.stream_state(bouncer.id).await.expect("state");
    assert_eq!(state, StreamState::default());
    let (new, deleted, state) = store.stream_delta(state, T0).await.expect("startup");
    assert_eq!((values(&new), values(&deleted)), (vec!["203.0.113.1", "203.0.113.2"], vec![]));
    store.save_stream_state(bouncer.id, state).await.expect("save");
    let state = store.stream_state(bouncer.id).await.expect("state");
    assert_eq!(state.last_pull, Some(T0));

    let third = store
        .insert_decisions(&[ban("203.0.113.3", None, T0.add_secs(3600))])
        .await
        .expect("insert");
    assert!(store.delete_decision(stored[0].id, T0.add_secs(30)).await.expect("delete"));
    assert!(!store.delete_decision(stored[0].id, T0.add_secs(31)).await.expect("delete twice"));
    let deleted_ids = store.deleted_ids_after(T0.as_unix_micros()).await.expect("deleted ids");
    assert_eq!(deleted_ids, [stored[0].id]);
    assert!(
        store.deleted_ids_after(T0.add_secs(30).as_unix_micros()).await.expect("none").is_empty()
    );
    // At T0+60 the second decision has expired: it is deleted for the bouncer too.
    let (new, deleted, state) = store.stream_delta(state, T0.add_secs(60)).await.expect("delta");
    assert_eq!(
        (values(&new), values(&deleted)),
        (vec!["203.0.113.3"], vec!["203.0.113.1", "203.0.113.2"])
    );
    store.save_stream_state(bouncer.id, state).await.expect("save");
    let (new, deleted, _) = store.stream_delta(state, T0.add_secs(61)).await.expect("quiet delta");
    assert_eq!((new.len(), deleted.len()), (0, 0));
    assert_eq!(
        store.decision(third[0].id).await.expect("by id").map(|record| record.deleted_at),
        Some(None)
    );
    assert_eq!(
        store.delete_decisions_on("ip", "203.0.113.3", T0.add_secs(62)).await.expect("delete on"),
        1
    );

    // The version changes with every insert, deletion and allowlist change.
    let before = store.version().await.expect("version");
    store.add_allow("192.0.2.0/24", "office", T0).await.expect("allow");
    let duplicate = store.add_allow("192.0.2.0/24", "again", T0).await;
    assert!(matches!(duplicate, Err(store::Error::DuplicateAllow(_))), "{duplicate:?}");
    let after = store.version().await.expect("version");
    assert_ne!(before, after);
    let listed = store.allowlist().await.expect("allowlist");
    assert_eq!(
        listed.iter().map(|entry| entry.value.as_str()).collect::<Vec<_>>(),
        ["192.0.2.0/24"]
    );
    assert!(store.delete_allow("192.0.2.0/24").await.expect("delete allow"));
    assert!(!store.delete_allow("192.0.2.0/24").await.expect("delete allow twice"));

    // Revoking a bouncer forgets its key.
    assert!(store.delete_bouncer("nginx").await.expect("delete bouncer"));
    assert_eq!(store.bouncer_by_key_hash(&key_hash).await.expect("lookup"), None);
    assert_eq!(store.bouncers().await.expect("bouncers").len(), 0);
    assert_eq!(store.all_decisions().await.expect("all").len(), 3);
}

#[tokio::test]
async fn sqlite_tells_the_story_and_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::Sqlite { path: dir.path().join("data/leakguard.db") };
    let store = Store::open(&config).await.expect("open creates the file and its folder");
    assert_eq!(store.backend(), Backend::Sqlite);
    check_story(&store).await;
    incidents::check_incidents_story(&store).await;
    console::check_console_story(&store).await;
    notices::check_notices_story(&store).await;
    api_keys::check_api_keys_story(&store).await;
    drop(store);
    let reopened = Store::open(&config).await.expect("reopen");
    assert_eq!(reopened.schema_version().await.expect("schema"), store::latest_schema_version());
    assert_eq!(
        reopened.all_decisions().await.expect("all").len(),
        3,
        "decisions survive a restart"
    );
    let wal = dir.path().join("data/leakguard.db-wal");
    assert!(wal.exists(), "the database runs in WAL mode");
}

#[tokio::test]
async fn postgres_tells_the_same_story() {
    // The test reads its service's URL from the environment, like every service-backed test.
    #[allow(clippy::disallowed_methods)]
    let url = std::env::var("TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty());
    #[allow(clippy::disallowed_methods)]
    let required = std::env::var("LEAKGUARD_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
    let Some(url) = url else {
        assert!(!required, "LEAKGUARD_REQUIRE_SERVICES=1 but TEST_POSTGRES_URL is not set");
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "skipped: TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)"
            );
        }
        return;
    };
    // A fresh schema per run, so the story starts from an empty database.
    let admin = sqlx::PgPool::connect(&url).await.expect("connect to TEST_POSTGRES_URL");
    let schema = format!("story_{}", std::process::id());
    sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    let separator = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{separator}options=-c%20search_path%3D{schema}");
    let store = Store::open(&Config::Postgres { url: scoped }).await.expect("open postgres");
    assert_eq!(store.backend(), Backend::Postgres);
    check_story(&store).await;
    incidents::check_incidents_story(&store).await;
    console::check_console_story(&store).await;
    notices::check_notices_story(&store).await;
    api_keys::check_api_keys_story(&store).await;
    sqlx::raw_sql(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await
        .expect("drop schema");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_opening_a_new_database_at_once_migrate_it_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::Sqlite { path: dir.path().join("new.db") };
    // Four pools, as four processes would have, racing to create the schema.
    let opened = tokio::join!(
        Store::open(&config),
        Store::open(&config),
        Store::open(&config),
        Store::open(&config)
    );
    for store in [opened.0, opened.1, opened.2, opened.3] {
        assert_eq!(
            store.expect("open").schema_version().await.expect("schema"),
            store::latest_schema_version()
        );
    }
}

#[test]
fn a_postgres_password_never_shows() {
    let config = Config::from_location("postgres://leakguard:hunter2@db.example/leakguard");
    assert_eq!(
        format!("{config:?}"),
        r#"Postgres { url: "postgres://leakguard@db.example/leakguard" }"#
    );
    assert!(!config.shown().contains("hunter2"));
}
