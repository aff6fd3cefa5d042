//! Blocklist semantics: what a decision is, how alerts become decisions, and
//! which decisions cover an address.
//!
//! A [`Decision`] is a remediation (ban, captcha, forced password reset,
//! one-time password) with a scope (an IP, a range, an ASN, a country, an
//! account), a value, an origin and an expiry. A [`Profile`] turns a
//! `model::Alert` into [`NewDecision`]s: the rule's proposed response by
//! default, overridden per rule, tag or severity, escalated on repeat bans and
//! widened to a /64 for IPv6 offenders. An [`Allowlist`] always wins: a
//! decision touching an allowlisted address is never made and never matched.
//! A [`Ledger`] of what was decided before keeps one alert from producing a
//! second decision. [`DecisionIndex`] answers "which active decisions cover
//! this address" with a binary search per prefix length; [`render_nginx_deny`]
//! and [`render_nftables`] write the bans for enforcers that read files.
//!
//! This crate does no IO and reads no clock: the current time is always an
//! argument. Storing decisions and serving them to bouncers live elsewhere
//! (`store`, `service`, `api`).

mod allowlist;
mod blocklist;
mod decision;
mod duration;
mod matcher;
mod profile;

pub use allowlist::Allowlist;
pub use blocklist::{banned_nets, render_nftables, render_nginx_deny};
pub use decision::{Decision, DecisionAction, DecisionId, NewDecision, Origin, Scope, parse_value};
pub use duration::{format_go_duration, parse_duration};
pub use matcher::DecisionIndex;
pub use profile::{Escalation, Ledger, Override, Profile, Selector};

/// What can be wrong with a decision's parts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The action is not one of ban, captcha, force_reset, require_otp.
    #[error("unknown action {0:?}; use ban, captcha, force_reset or require_otp")]
    UnknownAction(String),
    /// The scope is not one of ip, range, asn, country, account.
    #[error("unknown scope {0:?}; use ip, range, asn, country or account")]
    UnknownScope(String),
    /// The origin is not one of leakguard, cli.
    #[error("unknown origin {0:?}")]
    UnknownOrigin(String),
    /// An ip-scoped value that is not an address.
    #[error("invalid ip address {0:?}")]
    InvalidIp(String),
    /// A range-scoped value that is not a CIDR range.
    #[error("invalid range {0:?}; write it as 203.0.113.0/24 or 2001:db8::/64")]
    InvalidRange(String),
    /// An ASN that is not a number (optionally prefixed with AS).
    #[error("invalid asn {0:?}; write it as 64496 or AS64496")]
    InvalidAsn(String),
    /// A country that is not a two-letter ISO code.
    #[error("invalid country {0:?}; use a two-letter code such as TW")]
    InvalidCountry(String),
    /// An empty account name.
    #[error("empty account name")]
    EmptyAccount,
    /// A duration that does not parse (`4h`, `30m`, `1h30m`, `7d`).
    #[error("invalid duration {0:?}; write it as 30s, 10m, 4h, 1h30m or 7d")]
    InvalidDuration(String),
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
