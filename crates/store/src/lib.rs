//! Persistence for decisions, bouncers, the allowlist and each bouncer's
//! stream state, in SQLite (the default: a file created on first run, in WAL
//! mode) or PostgreSQL (when the configuration gives a `postgres://` URL).
//!
//! Both backends run the same SQL through [`Store`]; only the schema
//! migrations differ per backend (in code, versioned). Records are plain data
//! ([`DecisionRecord`], [`BouncerRecord`], [`AllowRecord`]): their meaning
//! (scopes, actions, allowlist precedence) belongs to the `decisions` crate,
//! and turning alerts into decisions to `service`. API keys are stored only
//! as SHA-256 hashes ([`hash_api_key`]).

mod alerts;
mod api_keys;
mod audit;
mod incidents;
mod migrations;
mod notices;
mod records;
mod store;
mod users;

pub use incidents::{
    ApprovedNoticeRecord, CustodyRecord, EvidenceRecord, IncidentRecord, NewEvidenceRecord,
    NewIncidentRecord, ScopeRecord, TaskRecord, TimelineRecord,
};
pub use notices::{Enqueued, NewNoticeRecord, NoticeEvent, NoticeRecord};
pub use records::{
    AllowRecord, BouncerRecord, DecisionRecord, NewDecisionRecord, StreamState, Version,
};
pub use store::{Backend, Config, Store, hash_api_key};

pub use alerts::{AlertFilter, AlertRecord};
pub use api_keys::ApiKeyRecord;
pub use audit::{AuditEntry, AuditVerdict, GENESIS_HASH, NewAuditEntry, audit_hash};
pub use users::{SessionRecord, UserRecord};

/// The newest schema version this build migrates to.
pub fn latest_schema_version() -> i64 {
    migrations::SQLITE.last().map_or(0, |(version, _)| *version)
}

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened.
    #[error("cannot open the database at {location}: {source}")]
    Open {
        /// The file or URL (without its password).
        location: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The SQLite file's folder could not be created.
    #[error("cannot create {path}: {source}")]
    CreateDir {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A migration failed.
    #[error("migration {version} failed: {source}")]
    Migration {
        /// The schema version it would have reached.
        version: i64,
        /// Why.
        source: sqlx::Error,
    },
    /// The database is at a newer schema than this build knows.
    #[error(
        "the database is at schema version {found}, newer than this leakguard ({known}); upgrade leakguard"
    )]
    NewerSchema {
        /// The version in the database.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A bouncer of that name exists already.
    #[error("a bouncer named {0:?} exists already")]
    DuplicateBouncer(String),
    /// An API key of that name exists already.
    #[error("an API key named {0:?} exists already")]
    DuplicateApiKey(String),
    /// A user of that name exists already.
    #[error("a user named {0:?} exists already")]
    DuplicateUser(String),
    /// That value is allowlisted already.
    #[error("{0:?} is allowlisted already")]
    DuplicateAllow(String),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
