//! The incident: what happened, where it came from, how bad it is, and the
//! status machine it moves through.

use std::fmt;
use std::str::FromStr;

use model::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// An incident's id (the store's row id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentId(pub i64);

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Declares a string-backed enum with its stable names, zh-TW labels and parsing.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal / $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case name (CLI, JSON, the store).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The Traditional Chinese label.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// The label in a language: `zh-TW` or English.
            pub fn label(self, zh_tw: bool) -> &'static str {
                if zh_tw { self.label_zh() } else { self.as_str() }
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(text: &str) -> Result<$name> {
                let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == wanted)
                    .ok_or_else(|| Error::UnknownValue {
                        what: $what,
                        value: text.to_owned(),
                        known: $name::ALL.iter().map(|value| value.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// The type of breach, as on the regulator's form (個人資料侵害事故通報與紀錄表).
    IncidentKind, "incident kind" {
        /// Data taken by someone (竊取).
        Theft = "theft" / "竊取",
        /// Data disclosed (洩漏).
        Leak = "leak" / "洩漏",
        /// Data altered (竄改).
        Alteration = "alteration" / "竄改",
        /// Data damaged (毀損).
        Damage = "damage" / "毀損",
        /// Data lost (滅失).
        Loss = "loss" / "滅失",
        /// Anything else (其他).
        Other = "other" / "其他",
    }
);

named_enum!(
    /// How the shop learned of the incident.
    Source, "incident source" {
        /// A leakguard alert.
        Alert = "alert" / "系統警示",
        /// A customer complained (often: a scam call quoting a real order).
        CustomerComplaint = "customer_complaint" / "客戶申訴",
        /// The police told the shop.
        Police = "police" / "警方通知",
        /// Anything else.
        Other = "other" / "其他",
    }
);

named_enum!(
    /// How bad the incident is.
    Severity, "severity" {
        /// Little or no personal data at risk.
        Low = "low" / "低",
        /// Some personal data may be exposed.
        Medium = "medium" / "中",
        /// Personal data was exposed.
        High = "high" / "高",
        /// Personal data of many people, or sensitive data, was taken.
        Critical = "critical" / "重大",
    }
);

impl From<model::Severity> for Severity {
    fn from(severity: model::Severity) -> Severity {
        match severity {
            model::Severity::Info | model::Severity::Low => Severity::Low,
            model::Severity::Medium => Severity::Medium,
            model::Severity::High => Severity::High,
            model::Severity::Critical => Severity::Critical,
        }
    }
}

named_enum!(
    /// Where the incident is in its handling.
    Status, "status" {
        /// Recorded, not yet worked on.
        Open = "open" / "已立案",
        /// Being investigated.
        Investigating = "investigating" / "調查中",
        /// The leak is stopped.
        Contained = "contained" / "已控制",
        /// The people and authorities are being told.
        Notifying = "notifying" / "通知中",
        /// Done (reviewed).
        Closed = "closed" / "已結案",
    }
);

impl Status {
    /// The statuses this one may move to.
    ///
    /// The normal path is open → investigating → contained → notifying →
    /// closed. An open incident found already stopped may go straight to
    /// contained; a contained one with nobody to notify may close; new facts
    /// send a contained, notifying or closed incident back to investigating.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Open => &[Status::Investigating, Status::Contained],
            Status::Investigating => &[Status::Contained],
            Status::Contained => &[Status::Notifying, Status::Closed, Status::Investigating],
            Status::Notifying => &[Status::Closed, Status::Investigating],
            Status::Closed => &[Status::Investigating],
        }
    }

    /// Checks a move, naming both ends and the legal ones when it is refused.
    pub fn transition(self, to: Status) -> Result<Status> {
        if self.next().contains(&to) {
            Ok(to)
        } else {
            Err(Error::IllegalTransition {
                from: self,
                to,
                allowed: self
                    .next()
                    .iter()
                    .map(|status| status.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }
}

/// What the responders have established, in their words: the report form's
/// free-text fields. Empty until written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Details {
    /// Cause and summary (事故原因及摘要).
    pub cause: String,
    /// Damage (損害狀況).
    pub damage: String,
    /// Possible consequences for the people (對當事人可能之影響).
    pub consequences: String,
    /// Measures taken and planned (已採取及擬採取之措施).
    pub measures: String,
    /// How and when people will be told (通知當事人之時間及方式).
    pub notification_plan: String,
    /// Why a report was late, when it was.
    pub late_reason: String,
    /// Records the affected system holds (the draft rule's 10,000 threshold).
    pub system_records: Option<u64>,
    /// Whether the breach is likely to result in a high risk (GDPR Art. 34).
    pub high_risk: bool,
    /// Whether it is likely to cause significant harm (Singapore).
    pub significant_harm: bool,
}

/// An incident as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// Its id.
    pub id: IncidentId,
    /// A short title.
    pub title: String,
    /// The type of breach.
    pub kind: IncidentKind,
    /// How the shop learned of it.
    pub source: Source,
    /// The alert id, complaint number or police case number it came from.
    pub source_ref: Option<String>,
    /// How bad it is.
    pub severity: Severity,
    /// Where it is in its handling.
    pub status: Status,
    /// Who is responsible for it.
    pub owner: String,
    /// When the shop learned of it: every statutory clock starts here.
    pub discovered_at: Timestamp,
    /// When the breach began, if known.
    pub occurred_from: Option<Timestamp>,
    /// When it ended, if known.
    pub occurred_to: Option<Timestamp>,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// Jurisdiction ids whose clocks apply (`tw`, `eu`, `jp`, `sg`, `us-ca`).
    pub jurisdictions: Vec<String>,
    /// The responders' findings.
    pub details: Details,
}

impl Incident {
    /// Whether the incident is malicious (an attack, a theft, the police):
    /// Japan's final-report clock is longer then.
    pub fn is_malicious(&self) -> bool {
        matches!(self.kind, IncidentKind::Theft | IncidentKind::Alteration)
            || matches!(self.source, Source::Alert | Source::Police)
    }
}

/// One entry of an incident's timeline: every action, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// When.
    pub at: Timestamp,
    /// Who (a responder's name, or `leakguard`).
    pub actor: String,
    /// What kind of action (`created`, `status`, `task`, `evidence`, `scope`, `notice`...).
    pub action: String,
    /// What exactly, in words (never personal data in clear).
    pub detail: String,
}
