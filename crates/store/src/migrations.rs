//! Versioned schema migrations, one list per backend, applied in order at open.
//!
//! A migration is never edited once released: a change is a new entry.

/// SQLite migrations: (version, SQL).
pub(crate) const SQLITE: &[(i64, &str)] = &[
    (
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
    ),
    // Version 2: console users, their sessions and recovery codes, the
    // hash-chained audit trail (append-only by trigger; `audit_head` keeps the
    // last entry so removing the tail shows), stored alerts and hourly traffic.
    (
        2,
        "CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            must_change_password BIGINT NOT NULL,
            totp_secret TEXT,
            totp_last_step BIGINT NOT NULL DEFAULT 0,
            failed_logins BIGINT NOT NULL DEFAULT 0,
            locked_until BIGINT,
            created_at BIGINT NOT NULL,
            disabled_at BIGINT
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id BIGINT NOT NULL,
            csrf_token TEXT NOT NULL,
            stage TEXT NOT NULL,
            address TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE INDEX sessions_user ON sessions (user_id);
        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id BIGINT NOT NULL,
            code_hash TEXT NOT NULL,
            used_at BIGINT
        );
        CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
        CREATE TABLE audit (
            id BIGINT PRIMARY KEY,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            address TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            purpose TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TABLE audit_head (
            one BIGINT PRIMARY KEY,
            last_id BIGINT NOT NULL,
            last_hash TEXT NOT NULL
        );
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            rule_id TEXT NOT NULL,
            title_en TEXT NOT NULL,
            title_zh TEXT NOT NULL,
            severity TEXT NOT NULL,
            key_kind TEXT NOT NULL,
            key_value TEXT NOT NULL,
            key_text TEXT NOT NULL,
            count BIGINT NOT NULL,
            first_seen BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            reason TEXT NOT NULL,
            samples TEXT NOT NULL,
            response TEXT NOT NULL,
            stored_at BIGINT NOT NULL
        );
        CREATE INDEX alerts_first_seen ON alerts (first_seen);
        CREATE INDEX alerts_key ON alerts (key_kind, key_value);
        CREATE TABLE traffic (
            bucket BIGINT PRIMARY KEY,
            requests BIGINT NOT NULL,
            errors BIGINT NOT NULL
        );
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    ),
];

/// PostgreSQL migrations: (version, SQL).
pub(crate) const POSTGRES: &[(i64, &str)] = &[
    (
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
    ),
    // Version 2: console users, their sessions and recovery codes, the
    // hash-chained audit trail (append-only by trigger; `audit_head` keeps the
    // last entry so removing the tail shows), stored alerts and hourly traffic.
    (
        2,
        "CREATE TABLE users (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            must_change_password BIGINT NOT NULL,
            totp_secret TEXT,
            totp_last_step BIGINT NOT NULL DEFAULT 0,
            failed_logins BIGINT NOT NULL DEFAULT 0,
            locked_until BIGINT,
            created_at BIGINT NOT NULL,
            disabled_at BIGINT
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id BIGINT NOT NULL,
            csrf_token TEXT NOT NULL,
            stage TEXT NOT NULL,
            address TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE INDEX sessions_user ON sessions (user_id);
        CREATE TABLE recovery_codes (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id BIGINT NOT NULL,
            code_hash TEXT NOT NULL,
            used_at BIGINT
        );
        CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
        CREATE TABLE audit (
            id BIGINT PRIMARY KEY,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            address TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            purpose TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TABLE audit_head (
            one BIGINT PRIMARY KEY,
            last_id BIGINT NOT NULL,
            last_hash TEXT NOT NULL
        );
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            rule_id TEXT NOT NULL,
            title_en TEXT NOT NULL,
            title_zh TEXT NOT NULL,
            severity TEXT NOT NULL,
            key_kind TEXT NOT NULL,
            key_value TEXT NOT NULL,
            key_text TEXT NOT NULL,
            count BIGINT NOT NULL,
            first_seen BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            reason TEXT NOT NULL,
            samples TEXT NOT NULL,
            response TEXT NOT NULL,
            stored_at BIGINT NOT NULL
        );
        CREATE INDEX alerts_first_seen ON alerts (first_seen);
        CREATE INDEX alerts_key ON alerts (key_kind, key_value);
        CREATE TABLE traffic (
            bucket BIGINT PRIMARY KEY,
            requests BIGINT NOT NULL,
            errors BIGINT NOT NULL
        );
        CREATE FUNCTION audit_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
    ),
];
