//! CrowdSec's JSON for decisions, as bouncers read it.

use serde::Serialize;
use service::{Decision, format_go_duration};

/// One decision as CrowdSec's local API writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireDecision {
    /// The decision's id.
    pub id: i64,
    /// Who made it: `leakguard` (a profile) or `cli` (an operator).
    pub origin: String,
    /// The action: `ban`, `captcha`, `force_reset`, `require_otp`.
    #[serde(rename = "type")]
    pub action: String,
    /// `Ip`, `Range`, `AS`, `Country`, `Account`.
    pub scope: String,
    /// The address, range, ASN, country or account.
    pub value: String,
    /// Time left, in whole seconds, as Go prints durations (`3h59m58s`).
    pub duration: String,
    /// The rule behind it (`manual` for decisions made by hand).
    pub scenario: String,
    /// When it expires (RFC 3339, UTC).
    pub until: String,
    /// Always false: leakguard has no simulation mode.
    pub simulated: bool,
}

impl WireDecision {
    /// The wire form of a decision at `now`.
    pub fn new(decision: &Decision, now: model::Timestamp) -> WireDecision {
        let left_micros = decision.until.as_unix_micros().saturating_sub(now.as_unix_micros());
        WireDecision {
            id: decision.id.0,
            origin: decision.origin.as_str().to_owned(),
            action: decision.action.as_str().to_owned(),
            scope: decision.scope.crowdsec_name().to_owned(),
            value: decision.value.clone(),
            duration: format_go_duration(left_micros / 1_000_000),
            scenario: decision
                .rule_id
                .as_ref()
                .map_or_else(|| "manual".to_owned(), |rule_id| rule_id.0.clone()),
            until: decision.until.to_rfc3339(),
            simulated: false,
        }
    }
}

/// The answer to `GET /v1/decisions/stream`; an empty side is `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireStream {
    /// Decisions to start enforcing.
    pub new: Option<Vec<WireDecision>>,
    /// Decisions to stop enforcing.
    pub deleted: Option<Vec<WireDecision>>,
}
