//! Versioned schema migrations, one list per backend, applied in order at open.
//!
//! A migration is never edited once released: a change is a new entry.

/// SQLite migrations: (version, SQL).
pub(crate) const SQLITE: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        action TEXT NOT NULL,
        scope TEXT NOT NULL,
        value TEXT NOT NULL,
        origin TEXT NOT NULL,
        rule_id TEXT,
        alert_id TEXT,
        reason TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        until INTEGER NOT NULL,
        deleted_at INTEGER
    );
    CREATE UNIQUE INDEX decisions_alert ON decisions (alert_id, action, scope, value);
    CREATE INDEX decisions_until ON decisions (until);
    CREATE INDEX decisions_deleted_at ON decisions (deleted_at);
    CREATE INDEX decisions_value ON decisions (scope, value);
    CREATE TABLE bouncers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        key_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_pull INTEGER
    );
    CREATE TABLE stream_state (
        bouncer_id INTEGER PRIMARY KEY,
        last_decision_id INTEGER NOT NULL,
        last_pull INTEGER
    );
    CREATE TABLE allowlist (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        value TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );",
)];

/// PostgreSQL migrations: (version, SQL).
pub(crate) const POSTGRES: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE decisions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        action TEXT NOT NULL,
        scope TEXT NOT NULL,
        value TEXT NOT NULL,
        origin TEXT NOT NULL,
        rule_id TEXT,
        alert_id TEXT,
        reason TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        until BIGINT NOT NULL,
        deleted_at BIGINT
    );
    CREATE UNIQUE INDEX decisions_alert ON decisions (alert_id, action, scope, value);
    CREATE INDEX decisions_until ON decisions (until);
    CREATE INDEX decisions_deleted_at ON decisions (deleted_at);
    CREATE INDEX decisions_value ON decisions (scope, value);
    CREATE TABLE bouncers (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        key_hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        last_pull BIGINT
    );
    CREATE TABLE stream_state (
        bouncer_id BIGINT PRIMARY KEY,
        last_decision_id BIGINT NOT NULL,
        last_pull BIGINT
    );
    CREATE TABLE allowlist (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        value TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );",
)];
