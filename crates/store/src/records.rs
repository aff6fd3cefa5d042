//! What the store keeps, as plain data.

use model::Timestamp;

/// A decision to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecisionRecord {
    /// `ban`, `captcha`, `force_reset`, `require_otp`.
    pub action: String,
    /// `ip`, `range`, `asn`, `country`, `account`.
    pub scope: String,
    /// The scope's value in canonical form.
    pub value: String,
    /// `leakguard` or `cli`.
    pub origin: String,
    /// The rule behind it, if any.
    pub rule_id: Option<String>,
    /// The alert behind it, if any. One alert gives at most one decision per
    /// action, scope and value: inserting the same again is skipped.
    pub alert_id: Option<String>,
    /// Why.
    pub reason: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops applying.
    pub until: Timestamp,
}

/// A stored decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    /// Its id: increasing, never reused.
    pub id: i64,
    /// Everything it was inserted with.
    pub new: NewDecisionRecord,
    /// When it was deleted by hand (deleted decisions are kept as tombstones
    /// so bouncers' streams learn of them).
    pub deleted_at: Option<Timestamp>,
}

/// A bouncer allowed to pull decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BouncerRecord {
    /// Its id.
    pub id: i64,
    /// Its unique name.
    pub name: String,
    /// When its key was issued.
    pub created_at: Timestamp,
    /// When it last pulled decisions.
    pub last_pull: Option<Timestamp>,
}

/// Where a bouncer's decision stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamState {
    /// The highest decision id it has been sent.
    pub last_decision_id: i64,
    /// When it last pulled.
    pub last_pull: Option<Timestamp>,
}

/// An allowlist entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowRecord {
    /// Its id.
    pub id: i64,
    /// An address or a CIDR range.
    pub value: String,
    /// Why it is allowed (the office, the payment gateway...).
    pub description: String,
    /// When it was added.
    pub created_at: Timestamp,
}

/// A cheap fingerprint of the decisions and allowlist: when it changes, a
/// cached index must be rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Version {
    /// The highest decision id.
    pub max_decision_id: i64,
    /// The latest deletion time, in microseconds.
    pub max_deleted_at: i64,
    /// The highest allowlist id.
    pub max_allow_id: i64,
    /// The number of allowlist entries.
    pub n_allow: i64,
}
