//! The vocabulary every other leakguard crate speaks.
//!
//! A **line** is raw text from a log; an **event** is a line after a parser has
//! normalized it into an [`Event`]. Rules only ever see events, never lines, so
//! adding a log format never changes a rule.
//!
//! This crate does no IO and reads no clock: time arrives as a [`Timestamp`]
//! (microseconds since the Unix epoch, always UTC inside) and the current time,
//! where a caller needs it, comes from a [`Clock`].
//!
//! ```
//! use model::{Timestamp, civil};
//! let time = Timestamp::from_civil(2026, 11, 22, 8, 30, 0, 0);
//! assert_eq!(time.to_rfc3339(), "2026-11-22T08:30:00Z");
//! assert_eq!(civil::days_from_civil(1970, 1, 1), 0);
//! ```

#![warn(missing_docs)]

mod alert;
pub mod civil;
mod event;
mod geo;
mod time;

pub use alert::{
    Action, Alert, AlertId, AlertKey, KeyKind, LocalizedText, Response, RuleId, Sample, Severity,
};
pub use event::{Event, EventKind, LoginOutcome, ServerNotice, Text};
pub use geo::Country;
pub use time::{Clock, SystemClock, Timestamp};

#[cfg(test)]
mod tests;
