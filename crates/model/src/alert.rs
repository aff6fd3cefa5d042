//! Alerts: a rule firing, with its evidence and the response it proposes.

use std::fmt;

use serde::Serialize;

use crate::Timestamp;

/// A rule's stable id (`lg-credential-stuffing-ip`). Never reused.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RuleId(pub String);

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An alert's id, derived from rule, key and window so a replay produces the same id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AlertId(pub String);

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How bad an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; no action needed.
    Info,
    /// Noise of the internet; act if it persists.
    Low,
    /// An attack attempt that did not obviously succeed.
    Medium,
    /// An attack that may succeed or has partly succeeded.
    High,
    /// Customer data is probably being taken now.
    Critical,
}

impl Severity {
    /// The lowercase name used in rule files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// What an alert's key (and a response's scope) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// One client address.
    Ip,
    /// An address range (an IPv4 /24, an IPv6 /64).
    Range,
    /// An autonomous system.
    Asn,
    /// A country.
    Country,
    /// A customer or staff account.
    Account,
    /// A session id.
    Session,
    /// The whole site.
    Site,
    /// A User-Agent string.
    UserAgent,
    /// The Host a request was for.
    Host,
    /// A page (a request path without its query).
    Path,
}

impl KeyKind {
    /// The lowercase name used in rule files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Ip => "ip",
            KeyKind::Range => "range",
            KeyKind::Asn => "asn",
            KeyKind::Country => "country",
            KeyKind::Account => "account",
            KeyKind::Session => "session",
            KeyKind::Site => "site",
            KeyKind::UserAgent => "user_agent",
            KeyKind::Host => "host",
            KeyKind::Path => "path",
        }
    }
}

/// What an alert is about: `ip 203.0.113.9`, `account alice@example.com`.
///
/// A rule grouping by several fields (`group_by: [ip, user_agent]`) gives a
/// compound key: the first field in `kind` and `value`, the others in `extra`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AlertKey {
    /// The kind of key.
    pub kind: KeyKind,
    /// Its value as text.
    pub value: String,
    /// The further parts of a compound key, in order (each with no `extra` of its own).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<AlertKey>,
}

impl fmt::Display for AlertKey {
    /// `ip 203.0.113.9`, or `ip 203.0.113.9, user_agent curl/8.5.0` for a compound key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.value)?;
        for part in &self.extra {
            write!(f, ", {part}")?;
        }
        Ok(())
    }
}

/// What to do about an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Block the scope (an IP, a range, an ASN, a country) for a duration.
    Ban,
    /// Make the account's owner choose a new password before logging in again.
    ForceReset,
    /// Ask for a one-time password at the next login.
    RequireOtp,
    /// Tell the operator; no automatic action.
    Notify,
}

/// The response a rule proposes for an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// What to do.
    pub action: Action,
    /// What the action applies to.
    pub scope: KeyKind,
    /// The value of the scope (an address, a range, an account).
    pub value: String,
    /// How long, in seconds, when the action expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u64>,
}

/// Text in the two languages leakguard speaks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LocalizedText {
    /// English.
    pub en: String,
    /// Traditional Chinese.
    #[serde(rename = "zh-TW")]
    pub zh_tw: String,
}

/// One line of evidence behind an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    /// The source the line came from.
    pub source: String,
    /// Its 1-based line number.
    pub line: u64,
    /// The line as read (shortened when very long).
    pub text: String,
}

/// A rule firing for a key, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Deterministic id (rule, key and window).
    pub id: AlertId,
    /// The rule that fired.
    pub rule_id: RuleId,
    /// The rule's title.
    pub title: LocalizedText,
    /// How bad it is.
    pub severity: Severity,
    /// What it is about.
    pub key: AlertKey,
    /// Matching events counted for this alert (at firing and after, until it closed).
    pub count: u64,
    /// Distinct values counted, for rules that count distinct values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distinct: Option<u64>,
    /// First matching event's time.
    pub first_seen: Timestamp,
    /// Last matching event's time.
    pub last_seen: Timestamp,
    /// A bounded sample of the matching lines.
    pub samples: Vec<Sample>,
    /// What the rule proposes to do.
    pub response: Vec<Response>,
    /// Why it fired, in a sentence (thresholds and counts).
    pub reason: String,
}
