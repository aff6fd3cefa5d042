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
    // Version 3: breach incidents: the incident, its timeline, the checklist
    // tasks done, evidence (content and SHA-256) with its chain of custody,
    // scopes (the contact list only as ciphertext) and approved notice templates.
    (
        3,
        "CREATE TABLE incidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            source_ref TEXT,
            severity TEXT NOT NULL,
            status TEXT NOT NULL,
            owner TEXT NOT NULL,
            discovered_at INTEGER NOT NULL,
            occurred_from INTEGER,
            occurred_to INTEGER,
            created_at INTEGER NOT NULL,
            jurisdictions TEXT NOT NULL,
            details TEXT NOT NULL
        );
        CREATE TABLE incident_timeline (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents (id),
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);
        CREATE TABLE incident_tasks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents (id),
            task TEXT NOT NULL,
            done_at INTEGER NOT NULL,
            done_by TEXT NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX incident_tasks_incident ON incident_tasks (incident_id, id);
        CREATE TABLE incident_evidence (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents (id),
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            content BLOB NOT NULL,
            origin TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX incident_evidence_incident ON incident_evidence (incident_id, id);
        CREATE TABLE incident_custody (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            evidence_id INTEGER NOT NULL REFERENCES incident_evidence (id),
            incident_id INTEGER NOT NULL REFERENCES incidents (id),
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX incident_custody_incident ON incident_custody (incident_id, id);
        CREATE TABLE incident_scopes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents (id),
            computed_at INTEGER NOT NULL,
            computed_by TEXT NOT NULL,
            source TEXT NOT NULL,
            summary TEXT NOT NULL,
            contacts BLOB NOT NULL,
            key_id TEXT NOT NULL
        );
        CREATE INDEX incident_scopes_incident ON incident_scopes (incident_id, id);
        CREATE TABLE incident_notices (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents (id),
            kind TEXT NOT NULL,
            language TEXT NOT NULL,
            template TEXT NOT NULL,
            template_sha256 TEXT NOT NULL,
            approved_by TEXT NOT NULL,
            approved_at INTEGER NOT NULL
        );
        CREATE INDEX incident_notices_incident ON incident_notices (incident_id, id);",
    ),
    // Version 4: the notice outbox. One row per notice, unique by key, with
    // its state (pending, sending, sent, failed, unknown) recorded before and
    // after each send, and every attempt's outcome in `notice_events`.
    (
        4,
        "CREATE TABLE notices (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            language TEXT NOT NULL,
            reference TEXT,
            message_id TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            last_error TEXT,
            gateway_id TEXT,
            reply TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            sent_at BIGINT
        );
        CREATE INDEX notices_due ON notices (state, next_attempt_at, id);
        CREATE INDEX notices_message_id ON notices (message_id);
        CREATE INDEX notices_reference ON notices (reference);
        CREATE TABLE notice_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            notice_id BIGINT NOT NULL,
            at BIGINT NOT NULL,
            state TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX notice_events_notice ON notice_events (notice_id, id);",
    ),
    // Version 5: API keys for the shop's own login code (the login check, login
    // results and event intake), kept apart from bouncers' keys: `scopes` says
    // which endpoints a key opens (comma-separated, e.g. `login`).
    (
        5,
        "CREATE TABLE api_keys (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            key_hash TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );",
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
    // Version 3: breach incidents: the incident, its timeline, the checklist
    // tasks done, evidence (content and SHA-256) with its chain of custody,
    // scopes (the contact list only as ciphertext) and approved notice templates.
    (
        3,
        "CREATE TABLE incidents (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            title TEXT NOT NULL,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            source_ref TEXT,
            severity TEXT NOT NULL,
            status TEXT NOT NULL,
            owner TEXT NOT NULL,
            discovered_at BIGINT NOT NULL,
            occurred_from BIGINT,
            occurred_to BIGINT,
            created_at BIGINT NOT NULL,
            jurisdictions TEXT NOT NULL,
            details TEXT NOT NULL
        );
        CREATE TABLE incident_timeline (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            incident_id BIGINT NOT NULL REFERENCES incidents (id),
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);
        CREATE TABLE incident_tasks (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            incident_id BIGINT NOT NULL REFERENCES incidents (id),
            task TEXT NOT NULL,
            done_at BIGINT NOT NULL,
            done_by TEXT NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX incident_tasks_incident ON incident_tasks (incident_id, id);
        CREATE TABLE incident_evidence (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            incident_id BIGINT NOT NULL REFERENCES incidents (id),
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size BIGINT NOT NULL,
            content BYTEA NOT NULL,
            origin TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at BIGINT NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX incident_evidence_incident ON incident_evidence (incident_id, id);
        CREATE TABLE incident_custody (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            evidence_id BIGINT NOT NULL REFERENCES incident_evidence (id),
            incident_id BIGINT NOT NULL REFERENCES incidents (id),
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX incident_custody_incident ON incident_custody (incident_id, id);
        CREATE TABLE incident_scopes (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            incident_id BIGINT NOT NULL REFERENCES incidents (id),
            computed_at BIGINT NOT NULL,
            computed_by TEXT NOT NULL,
            source TEXT NOT NULL,
            summary TEXT NOT NULL,
            contacts BYTEA NOT NULL,
            key_id TEXT NOT NULL
        );
        CREATE INDEX incident_scopes_incident ON incident_scopes (incident_id, id);
        CREATE TABLE incident_notices (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            incident_id BIGINT NOT NULL REFERENCES incidents (id),
            kind TEXT NOT NULL,
            language TEXT NOT NULL,
            template TEXT NOT NULL,
            template_sha256 TEXT NOT NULL,
            approved_by TEXT NOT NULL,
            approved_at BIGINT NOT NULL
        );
        CREATE INDEX incident_notices_incident ON incident_notices (incident_id, id);",
    ),
    // Version 4: the notice outbox. One row per notice, unique by key, with
    // its state (pending, sending, sent, failed, unknown) recorded before and
    // after each send, and every attempt's outcome in `notice_events`.
    (
        4,
        "CREATE TABLE notices (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            language TEXT NOT NULL,
            reference TEXT,
            message_id TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            last_error TEXT,
            gateway_id TEXT,
            reply TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            sent_at BIGINT
        );
        CREATE INDEX notices_due ON notices (state, next_attempt_at, id);
        CREATE INDEX notices_message_id ON notices (message_id);
        CREATE INDEX notices_reference ON notices (reference);
        CREATE TABLE notice_events (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            notice_id BIGINT NOT NULL,
            at BIGINT NOT NULL,
            state TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX notice_events_notice ON notice_events (notice_id, id);",
    ),
    // Version 5: API keys for the shop's own login code (the login check, login
    // results and event intake), kept apart from bouncers' keys: `scopes` says
    // which endpoints a key opens (comma-separated, e.g. `login`).
    (
        5,
        "CREATE TABLE api_keys (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            key_hash TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );",
    ),
];
