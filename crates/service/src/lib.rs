//! The use cases behind the CLI and the API: turning alerts into stored
//! decisions through a profile, managing decisions, bouncers and the
//! allowlist by hand, and answering bouncers (which decisions cover an
//! address, what changed since a bouncer's last pull).
//!
//! [`Service`] is the only entry point: `api` and `app` call it, it calls
//! `decisions` for the rules and `store` for persistence. It keeps an index
//! of active decisions in memory ([`decisions::DecisionIndex`]) and rebuilds it
//! whenever the store's fingerprint changes, so decisions added by another
//! process (`leakguard decisions add` next to a running `leakguard serve`)
//! are seen on the next request. Time comes from a `model::Clock`.
//!
//! It does not speak HTTP (that is `api`) and does not read configuration
//! files (that is `app`).
//!
//! ```no_run
//! # async fn example() -> Result<(), service::Error> {
//! use std::sync::Arc;
//! let store = store::Store::open(&store::Config::from_location("leakguard.db")).await?;
//! let service = service::Service::new(store, Arc::new(model::SystemClock));
//! let (bouncer, key) = service.add_bouncer("nginx").await?;
//! assert_eq!(bouncer.name, "nginx");
//! assert!(service.authenticate(&key).await?.is_some());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod accounts;
mod console;
mod incident;
mod login;
#[cfg(test)]
mod login_tests;
mod passwords;
mod service;
pub mod totp;

pub use decisions::{
    Allowlist, Decision, DecisionAction, DecisionId, NewDecision, Origin, Profile, Scope,
    format_go_duration, parse_duration, render_nftables, render_nginx_deny,
};
pub use incident::{
    ContactKey, IncidentError, MAX_EVIDENCE_BYTES, NewIncident, OutgoingNotice, StoredScope,
    sha256_hex,
};
pub use service::{Bouncer, DecisionQuery, ManualDecision, Service, StreamPull};
pub use store::AllowRecord;

pub use login::{
    API_KEY_SCOPES, ApiClient, KEY_CACHE_SECS, LOGIN_SCOPE, LoginAttempt, LoginError, LoginGuard,
    LoginResult, LoginSink, LoginVerdict, MAX_ACCOUNT_BYTES, Reason, SinkFuture, Verdict,
};
pub use passwords::{Passwords, RangeError};
pub use pwned::{HashKind, PackReport, parse_hash};

pub use accounts::{
    LOCK_AFTER_FAILURES, LOCK_SECS, MIN_PASSWORD_CHARS, NewSession, Permission, RECOVERY_CODES,
    Role, SESSION_IDLE_SECS, Session, TotpOffer, User,
};
pub use console::{Actor, EvidenceLine, ProposedResponse, StoredAlert};
pub use store::{AlertFilter, AlertRecord, AuditEntry, AuditVerdict, NewAuditEntry};

/// What can go wrong in a use case.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A decision's parts are not valid (a user error).
    #[error(transparent)]
    Invalid(#[from] decisions::Error),
    /// A manual decision would touch an allowlisted address (a user error).
    #[error("{value} is allowlisted ({allowed}); delete the allowlist entry first")]
    Allowlisted {
        /// The decision's value.
        value: String,
        /// The allowlist entry it touches.
        allowed: String,
    },
    /// An allowlist value that is neither an address nor a range (a user error).
    #[error("invalid allowlist entry {0:?}; use an address or a range such as 192.0.2.0/24")]
    InvalidAllow(String),
    /// A bouncer name that is empty or too long (a user error).
    #[error("invalid bouncer name {0:?}; use 1 to 64 letters, digits, '-', '_' or '.'")]
    InvalidBouncerName(String),
    /// A bouncer of that name exists already (a user error).
    #[error("a bouncer named {0:?} exists already")]
    DuplicateBouncer(String),
    /// An API key name that is empty or too long (a user error).
    #[error("invalid API key name {0:?}; use 1 to 64 letters, digits, '-', '_' or '.'")]
    InvalidKeyName(String),
    /// An API key scope that does not exist (a user error).
    #[error("invalid API key scope {0:?}; use login")]
    InvalidKeyScope(String),
    /// An API key of that name exists already (a user error).
    #[error("an API key named {0:?} exists already")]
    DuplicateApiKey(String),
    /// That allowlist entry exists already (a user error).
    #[error("{0:?} is allowlisted already")]
    DuplicateAllow(String),
    /// A stored row that does not parse: corruption or a newer writer (internal).
    #[error("stored decision {id} is corrupt: {error}")]
    Corrupt {
        /// The decision's id.
        id: i64,
        /// What does not parse.
        error: decisions::Error,
    },
    /// A user name that is empty, too long or has other characters (a user error).
    #[error("invalid user name {0:?}; use 1 to 64 letters, digits, '-', '_', '.' or '@'")]
    InvalidUserName(String),
    /// A role that does not exist (a user error).
    #[error("unknown role {0:?}; use administrator, responder, auditor or viewer")]
    InvalidRole(String),
    /// A user of that name exists already (a user error).
    #[error("a user named {0:?} exists already")]
    DuplicateUser(String),
    /// A password that is too short or too easy (a user error).
    #[error("password refused: {0}")]
    WeakPassword(String),
    /// Wrong name, password or code; deliberately not saying which (a user error).
    #[error("wrong user name, password or code")]
    LoginFailed,
    /// Too many failed logins (a user error).
    #[error("too many failed logins; the account is locked until {until}")]
    LockedOut {
        /// When it unlocks.
        until: model::Timestamp,
    },
    /// A TOTP code that does not match at enrolment (a user error).
    #[error("the code does not match; check the phone's clock and type the current code")]
    InvalidCode,
    /// Argon2 failed (internal).
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// The store returned no row for a new manual decision (internal).
    #[error("the store did not return the new decision")]
    NotStored,
    /// The store failed (internal).
    #[error(transparent)]
    Store(store::Error),
}

impl From<store::Error> for Error {
    fn from(error: store::Error) -> Error {
        match error {
            store::Error::DuplicateBouncer(name) => Error::DuplicateBouncer(name),
            store::Error::DuplicateAllow(value) => Error::DuplicateAllow(value),
            store::Error::DuplicateApiKey(name) => Error::DuplicateApiKey(name),
            store::Error::DuplicateUser(name) => Error::DuplicateUser(name),
            other => Error::Store(other),
        }
    }
}

impl Error {
    /// Whether the caller's input was at fault (rather than the system).
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            Error::Corrupt { .. } | Error::NotStored | Error::Store(_) | Error::PasswordHash(_)
        )
    }
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
