//! Breach incidents, pure: what an incident is and the status machine it
//! moves through, the checklist the law and good practice ask for with
//! deadlines computed from the stored timestamps, scoping (who is affected,
//! which data), notices, and the reports to the regulator and to a CERT.
//!
//! Entry types:
//!
//! - [`Incident`] with [`Status::transition`] (open → investigating →
//!   contained → notifying → closed) and a [`TimelineEntry`] per action.
//! - [`checklist`]: every [`TaskKind`] with its [`Countdown`], from the
//!   [`Jurisdictions`] table (`data/jurisdictions.toml`, compiled in: Taiwan's
//!   72-hour reports, GDPR, Japan, Singapore, California). Deadlines are never
//!   stored; they are computed at `now` from the discovery time and the tasks
//!   done.
//! - [`deduplicate`]: exposed records → [`AffectedPerson`]s and a
//!   [`ScopeSummary`] (people, records, per field).
//! - [`Template`] and [`NoticeFacts`]: notices in zh-TW and English with the
//!   content of PDPA Art. 12 / Enforcement Rules Art. 22 and the scam-call
//!   warning (165).
//! - [`RegulatorReport`]: 個人資料侵害事故通報與紀錄表 as HTML and Markdown;
//!   [`stix_bundle`]: indicators for a CERT with a TLP 2.0 marking.
//! - [`calendar`]: dates in the site's zone, ROC calendar for zh-TW
//!   (民國115年12月7日).
//!
//! Deliberately not here: storage, files, the clock (time arrives as
//! arguments), reading the shop's data, and sending.
//!
//! ```
//! use incidents::{Status, calendar};
//! use model::Timestamp;
//!
//! assert!(Status::Open.transition(Status::Investigating).is_ok());
//! assert!(Status::Open.transition(Status::Closed).is_err());
//! let time = Timestamp::from_civil(2026, 12, 7, 6, 0, 0, 0);
//! assert_eq!(calendar::roc_date(time, 8 * 3600), "民國115年12月7日");
//! ```

#![warn(missing_docs)]

pub mod calendar;
mod incident;
mod jurisdiction;
mod notice;
mod report;
mod scope;
mod stix;
mod task;

pub use incident::{
    Details, Incident, IncidentId, IncidentKind, Severity, Source, Status, TimelineEntry,
};
pub use jurisdiction::{
    Anchor, Applicability, Condition, Facts, JURISDICTIONS_TOML, Jurisdiction, Jurisdictions,
    LawStatus, Obligation, Practice,
};
pub use notice::{
    NoticeFacts, NoticeKind, PersonalFacts, RenderedNotice, Template, builtin_template,
};
pub use report::{RegulatorReport, ReportHeader, Reporter, escape_html};
pub use scope::{AffectedPerson, Contact, ExposedRecord, Scope, ScopeSummary, deduplicate};
pub use stix::{MAX_REQUESTS_PER_ADDRESS, Observation, StixInput, Tlp, sanitize_path, stix_bundle};
pub use task::{
    Checklist, Countdown, ObligationStatus, TaskDone, TaskKind, TaskStatus, checklist, format_span,
    reported_within_72h,
};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A name that is not one of the known values.
    #[error("unknown {what} {value:?}; use one of: {known}")]
    UnknownValue {
        /// What kind of value.
        what: &'static str,
        /// The value given.
        value: String,
        /// The known values.
        known: String,
    },
    /// A status change the machine does not allow.
    #[error("an incident cannot go from {from} to {to}; from {from} it can go to: {allowed}")]
    IllegalTransition {
        /// The current status.
        from: Status,
        /// The status asked for.
        to: Status,
        /// Where it can go.
        allowed: String,
    },
    /// The jurisdictions table is invalid.
    #[error("invalid jurisdictions table: {0}")]
    Jurisdictions(String),
    /// A notice template is invalid.
    #[error("notice template {name}: {problems}")]
    Template {
        /// The template (a file path, or `builtin`).
        name: String,
        /// Every problem found.
        problems: String,
    },
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
