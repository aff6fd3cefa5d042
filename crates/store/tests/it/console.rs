//! The console's tables on every backend: users, sessions, recovery codes,
//! the audit chain and alerts; and on SQLite, tampering that verification
//! must catch, and an upgrade from schema version 1.

use model::Timestamp;
use store::{AlertFilter, AlertRecord, Config, NewAuditEntry, SessionRecord, Store};

const T0: Timestamp = Timestamp::from_unix_secs(1_800_000_000);

fn entry(action: &str, target: &str) -> NewAuditEntry {
    NewAuditEntry {
        at: T0,
        actor: "ann".to_owned(),
        address: "192.0.2.1".to_owned(),
        action: action.to_owned(),
        target: target.to_owned(),
        purpose: String::new(),
    }
}

fn alert(id: &str, severity: &str, ip: &str, count: i64) -> AlertRecord {
    AlertRecord {
        id: id.to_owned(),
        rule_id: "lg-login-bruteforce".to_owned(),
        title_en: "Login brute force".to_owned(),
        title_zh: "暴力登入".to_owned(),
        severity: severity.to_owned(),
        key_kind: "ip".to_owned(),
        key_value: ip.to_owned(),
        key_text: format!("ip {ip}"),
        count,
        first_seen: T0,
        last_seen: T0.add_secs(60),
        reason: "many failures".to_owned(),
        samples: "[]".to_owned(),
        response: "[]".to_owned(),
        stored_at: T0,
    }
}

/// The console's part of the story every backend tells.
pub(crate) async fn check_console_story(store: &Store) {
    // Users: unique names, failures lock, a TOTP step is used once.
    let user = store.add_user("ann", "administrator", "$argon2id$x", true, T0).await.expect("user");
    assert!(user.must_change_password);
    let duplicate = store.add_user("ann", "viewer", "$argon2id$y", false, T0).await;
    assert!(matches!(duplicate, Err(store::Error::DuplicateUser(_))), "{duplicate:?}");
    store.set_password(user.id, "$argon2id$z", false).await.expect("password");
    store.set_totp_secret(user.id, Some("MZXW6YTBOI")).await.expect("totp");
    assert!(store.use_totp_step(user.id, 100).await.expect("step"));
    assert!(!store.use_totp_step(user.id, 100).await.expect("step"), "never the same step twice");
    assert!(!store.use_totp_step(user.id, 99).await.expect("step"), "nor an older one");
    assert_eq!(store.record_login_failure(user.id, 2, T0.add_secs(900)).await.expect("fail"), 1);
    assert_eq!(store.record_login_failure(user.id, 2, T0.add_secs(900)).await.expect("fail"), 2);
    let found = store.user_by_name("ann").await.expect("lookup").expect("ann");
    assert_eq!(found.locked_until, Some(T0.add_secs(900)));
    assert_eq!(found.password_hash, "$argon2id$z");
    assert!(!found.must_change_password);
    store.clear_login_failures(user.id).await.expect("clear");
    let found = store.user_by_id(user.id).await.expect("lookup").expect("ann");
    assert_eq!((found.failed_logins, found.locked_until), (0, None));
    assert_eq!(store.users().await.expect("users").len(), 1);

    // Sessions expire and are found only by their token's hash.
    let session = SessionRecord {
        token_hash: store::hash_api_key("token"),
        user_id: user.id,
        csrf_token: "csrf".to_owned(),
        stage: "full".to_owned(),
        address: "192.0.2.1".to_owned(),
        created_at: T0,
        last_seen: T0,
        expires_at: T0.add_secs(60),
    };
    store.add_session(&session).await.expect("session");
    assert!(store.session(&session.token_hash, T0).await.expect("get").is_some());
    assert!(store.session(&session.token_hash, T0.add_secs(60)).await.expect("get").is_none());
    store.touch_session(&session.token_hash, T0, T0.add_secs(120)).await.expect("touch");
    assert!(store.session(&session.token_hash, T0.add_secs(60)).await.expect("get").is_some());
    store.delete_sessions_of(user.id, T0).await.expect("delete");
    assert!(store.session(&session.token_hash, T0).await.expect("get").is_none());

    // Recovery codes: each once.
    let codes = vec![store::hash_api_key("code-a"), store::hash_api_key("code-b")];
    store.replace_recovery_codes(user.id, &codes).await.expect("codes");
    assert!(store.use_recovery_code(user.id, &codes[0], T0).await.expect("use"));
    assert!(!store.use_recovery_code(user.id, &codes[0], T0).await.expect("use"));
    assert_eq!(store.recovery_codes_left(user.id).await.expect("left"), 1);

    // The audit chain links each entry to the one before.
    let first = store.append_audit(&entry("login", "ann")).await.expect("append");
    let second =
        store.append_audit(&entry("decision_add", "ip 203.0.113.9")).await.expect("append");
    assert_eq!((first.id, second.id), (1, 2));
    assert_eq!(first.prev_hash, store::GENESIS_HASH);
    assert_eq!(second.prev_hash, first.hash);
    assert_eq!(second.hash, store::audit_hash(&first.hash, 2, &second.entry));
    let verdict = store.verify_audit().await.expect("verify");
    assert_eq!((verdict.entries, verdict.problem.clone()), (2, None));
    assert_eq!(verdict.head, second.hash);
    assert_eq!(store.latest_audit(1).await.expect("latest")[0].id, 2);

    // Alerts: stored once per id, updated when stored again, filtered.
    store
        .upsert_alerts(&[
            alert("a1", "high", "203.0.113.9", 10),
            alert("a2", "low", "198.51.100.7", 3),
        ])
        .await
        .expect("alerts");
    store.upsert_alerts(&[alert("a1", "high", "203.0.113.9", 25)]).await.expect("again");
    let all =
        store.alerts(&AlertFilter { limit: 10, ..AlertFilter::default() }).await.expect("list");
    assert_eq!(all.len(), 2);
    assert_eq!(store.alert("a1").await.expect("one").map(|a| a.count), Some(25));
    let high = AlertFilter { severity: "high".to_owned(), limit: 10, ..AlertFilter::default() };
    assert_eq!(store.alerts(&high).await.expect("high").len(), 1);
    let by_key = AlertFilter { key: "198.51".to_owned(), limit: 10, ..AlertFilter::default() };
    let found = store.alerts(&by_key).await.expect("key");
    assert_eq!(found.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a2"]);

    // Traffic adds up per hour.
    store.add_traffic(&[(T0, 100, 2), (T0.add_secs(3600), 50, 0)]).await.expect("traffic");
    store.add_traffic(&[(T0, 10, 1)]).await.expect("traffic");
    assert_eq!(
        store.traffic(T0).await.expect("traffic"),
        [(T0, 110, 3), (T0.add_secs(3600), 50, 0)]
    );
}

#[tokio::test]
async fn the_audit_trail_refuses_changes_and_verification_names_a_tampered_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leakguard.db");
    let store = Store::open(&Config::Sqlite { path: path.clone() }).await.expect("open");
    for n in 1..=5 {
        store.append_audit(&entry("login", &format!("user{n}"))).await.expect("append");
    }
    let raw =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.expect("raw");
    let refused =
        sqlx::query("UPDATE audit SET actor = 'mallory' WHERE id = 3").execute(&raw).await;
    assert!(refused.is_err(), "the trigger refuses updates");
    assert!(sqlx::query("DELETE FROM audit WHERE id = 3").execute(&raw).await.is_err());

    // Someone with write access drops the triggers and edits entry 3.
    sqlx::raw_sql("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .execute(&raw)
        .await
        .expect("drop triggers");
    sqlx::query("UPDATE audit SET actor = 'mallory' WHERE id = 3")
        .execute(&raw)
        .await
        .expect("edit");
    let verdict = store.verify_audit().await.expect("verify");
    let (id, what) = verdict.problem.expect("the change is found");
    assert_eq!(id, 3, "{what}");
    assert!(what.contains("changed"), "{what}");
    sqlx::query("UPDATE audit SET actor = 'ann' WHERE id = 3").execute(&raw).await.expect("undo");
    assert_eq!(store.verify_audit().await.expect("verify").problem, None);

    // Removing an entry in the middle, or the last one, is found too.
    sqlx::query("DELETE FROM audit WHERE id = 5").execute(&raw).await.expect("cut the tail");
    let (id, what) = store.verify_audit().await.expect("verify").problem.expect("tail");
    assert_eq!(id, 5, "{what}");
    sqlx::query("DELETE FROM audit WHERE id = 2").execute(&raw).await.expect("remove");
    let (id, what) = store.verify_audit().await.expect("verify").problem.expect("middle");
    assert_eq!(id, 2, "{what}");
    assert!(what.contains("removed"), "{what}");
}

#[tokio::test]
async fn a_version_1_database_migrates_forward_keeping_its_decisions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    // A database as leakguard with schema version 1 left it.
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true);
    let raw = sqlx::SqlitePool::connect_with(options).await.expect("create");
    sqlx::raw_sql(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);
         INSERT INTO schema_migrations VALUES (1, 0);
         CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL,
            scope TEXT NOT NULL, value TEXT NOT NULL, origin TEXT NOT NULL, rule_id TEXT,
            alert_id TEXT, reason TEXT NOT NULL, created_at INTEGER NOT NULL,
            until INTEGER NOT NULL, deleted_at INTEGER);
         CREATE UNIQUE INDEX decisions_alert ON decisions (alert_id, action, scope, value);
         CREATE INDEX decisions_until ON decisions (until);
         CREATE INDEX decisions_deleted_at ON decisions (deleted_at);
         CREATE INDEX decisions_value ON decisions (scope, value);
         CREATE TABLE bouncers (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
            key_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, last_pull INTEGER);
         CREATE TABLE stream_state (bouncer_id INTEGER PRIMARY KEY,
            last_decision_id INTEGER NOT NULL, last_pull INTEGER);
         CREATE TABLE allowlist (id INTEGER PRIMARY KEY AUTOINCREMENT, value TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL, created_at INTEGER NOT NULL);
         INSERT INTO decisions (action, scope, value, origin, reason, created_at, until)
            VALUES ('ban', 'ip', '203.0.113.9', 'cli', 'old ban', 1800000000000000, 4000000000000000);",
    )
    .execute(&raw)
    .await
    .expect("version 1 schema");
    raw.close().await;
    let store = Store::open(&Config::Sqlite { path }).await.expect("migrate");
    assert_eq!(store.schema_version().await.expect("version"), store::latest_schema_version());
    let decisions = store.all_decisions().await.expect("decisions");
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].new.value, "203.0.113.9");
    store.add_user("ann", "administrator", "$argon2id$x", true, T0).await.expect("new tables work");
    store.append_audit(&entry("login", "ann")).await.expect("audit works");
}
