//! The decision itself: action, scope, value, origin and expiry.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use model::{AlertId, RuleId, Timestamp};
use serde::Serialize;

use crate::{Error, Result};

/// A stored decision's id (assigned by the store, increasing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DecisionId(pub i64);

impl fmt::Display for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a bouncer (or the shop) does about the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionAction {
    /// Refuse every request.
    Ban,
    /// Ask for a captcha (for bouncers that support it).
    Captcha,
    /// Make the account choose a new password before logging in again.
    ForceReset,
    /// Ask for a one-time password at the next login.
    RequireOtp,
}

impl DecisionAction {
    /// The lowercase name used in config, CLI and the API (`type`).
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionAction::Ban => "ban",
            DecisionAction::Captcha => "captcha",
            DecisionAction::ForceReset => "force_reset",
            DecisionAction::RequireOtp => "require_otp",
        }
    }
}

impl FromStr for DecisionAction {
    type Err = Error;
    fn from_str(text: &str) -> Result<DecisionAction> {
        match text.to_ascii_lowercase().replace('-', "_").as_str() {
            "ban" => Ok(DecisionAction::Ban),
            "captcha" => Ok(DecisionAction::Captcha),
            "force_reset" => Ok(DecisionAction::ForceReset),
            "require_otp" => Ok(DecisionAction::RequireOtp),
            _ => Err(Error::UnknownAction(text.to_owned())),
        }
    }
}

/// What a decision applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One address.
    Ip,
    /// A CIDR range.
    Range,
    /// An autonomous system.
    Asn,
    /// A country (ISO 3166 alpha-2).
    Country,
    /// A customer or staff account.
    Account,
}

impl Scope {
    /// The lowercase name used in config, CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Ip => "ip",
            Scope::Range => "range",
            Scope::Asn => "asn",
            Scope::Country => "country",
            Scope::Account => "account",
        }
    }

    /// The name CrowdSec bouncers expect (`Ip`, `Range`, `AS`, `Country`, `Account`).
    pub fn crowdsec_name(self) -> &'static str {
        match self {
            Scope::Ip => "Ip",
            Scope::Range => "Range",
            Scope::Asn => "AS",
            Scope::Country => "Country",
            Scope::Account => "Account",
        }
    }

    /// The scope an alert key or a proposed response names, when it can be decided on.
    pub fn from_key_kind(kind: model::KeyKind) -> Option<Scope> {
        match kind {
            model::KeyKind::Ip => Some(Scope::Ip),
            model::KeyKind::Range => Some(Scope::Range),
            model::KeyKind::Asn => Some(Scope::Asn),
            model::KeyKind::Country => Some(Scope::Country),
            model::KeyKind::Account => Some(Scope::Account),
            _ => None,
        }
    }
}

impl FromStr for Scope {
    type Err = Error;
    /// Accepts our names and CrowdSec's (`Ip`, `Range`, `AS`), in any case.
    fn from_str(text: &str) -> Result<Scope> {
        match text.to_ascii_lowercase().as_str() {
            "ip" => Ok(Scope::Ip),
            "range" => Ok(Scope::Range),
            "asn" | "as" => Ok(Scope::Asn),
            "country" => Ok(Scope::Country),
            "account" | "username" => Ok(Scope::Account),
            _ => Err(Error::UnknownScope(text.to_owned())),
        }
    }
}

/// Who made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A profile, from an alert.
    Leakguard,
    /// An operator, by hand (`leakguard decisions add`).
    Cli,
}

impl Origin {
    /// The name stored and shown to bouncers (`origin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Leakguard => "leakguard",
            Origin::Cli => "cli",
        }
    }
}

impl FromStr for Origin {
    type Err = Error;
    fn from_str(text: &str) -> Result<Origin> {
        match text {
            "leakguard" => Ok(Origin::Leakguard),
            "cli" => Ok(Origin::Cli),
            _ => Err(Error::UnknownOrigin(text.to_owned())),
        }
    }
}

/// Checks a value against its scope and returns it in canonical form:
/// addresses as `IpAddr` prints them, ranges truncated to their network
/// (`203.0.113.9/24` → `203.0.113.0/24`), ASNs as a bare number, countries upper case.
pub fn parse_value(scope: Scope, value: &str) -> Result<String> {
    let value = value.trim();
    match scope {
        Scope::Ip => value
            .parse::<IpAddr>()
            .map(|ip| ip.to_string())
            .map_err(|_| Error::InvalidIp(value.to_owned())),
        Scope::Range => value
            .parse::<IpNet>()
            .map(|net| net.trunc().to_string())
            .map_err(|_| Error::InvalidRange(value.to_owned())),
        Scope::Asn => {
            let digits =
                value.strip_prefix("AS").or_else(|| value.strip_prefix("as")).unwrap_or(value);
            digits
                .parse::<u32>()
                .map(|asn| asn.to_string())
                .map_err(|_| Error::InvalidAsn(value.to_owned()))
        }
        Scope::Country => {
            if value.len() == 2 && value.bytes().all(|byte| byte.is_ascii_alphabetic()) {
                Ok(value.to_ascii_uppercase())
            } else {
                Err(Error::InvalidCountry(value.to_owned()))
            }
        }
        Scope::Account => {
            if value.is_empty() {
                Err(Error::EmptyAccount)
            } else {
                Ok(value.to_owned())
            }
        }
    }
}

/// A decision before the store has given it an id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewDecision {
    /// What to do.
    pub action: DecisionAction,
    /// What it applies to.
    pub scope: Scope,
    /// The scope's value in canonical form (see [`parse_value`]).
    pub value: String,
    /// Who made it.
    pub origin: Origin,
    /// The rule whose alert led to it (none for manual decisions).
    pub rule_id: Option<RuleId>,
    /// The alert it came from (none for manual decisions).
    pub alert_id: Option<AlertId>,
    /// Why, in a sentence.
    pub reason: String,
    /// When it was made.
    pub created: Timestamp,
    /// When it stops applying.
    pub until: Timestamp,
}

impl NewDecision {
    /// The decision with the id the store gave it.
    pub fn with_id(self, id: DecisionId) -> Decision {
        Decision { id, new: self }
    }
}

/// A stored decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Its id.
    pub id: DecisionId,
    /// Everything else.
    #[serde(flatten)]
    pub new: NewDecision,
}

impl Decision {
    /// Whether it still applies at `now`.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.new.until > now
    }

    /// The address range it covers, for ip and range scopes.
    pub fn net(&self) -> Option<IpNet> {
        match self.new.scope {
            Scope::Ip => self.new.value.parse::<IpAddr>().ok().map(IpNet::from),
            Scope::Range => self.new.value.parse::<IpNet>().ok(),
            _ => None,
        }
    }
}

impl std::ops::Deref for Decision {
    type Target = NewDecision;
    fn deref(&self) -> &NewDecision {
        &self.new
    }
}
