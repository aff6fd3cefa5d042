//! The processing runtime: raw lines in, events parsed, findings out.
//!
//! [`Processor`] is synchronous and deterministic. `leakguard analyze` drives it
//! over historical files; the live daemon (`leakguard run`) drives the same
//! processor from its processing thread, taking alerts as they open
//! ([`Processor::take_new_alerts`]), which is what makes every live result
//! replayable from the files.
//!
//! For each source it picks the format (fixed, or detected from the first
//! lines), parses each line, counts what could not be parsed with samples
//! naming the source and line, and feeds events to the [`Summary`].
//!
//! With a detection [`detection::Engine`] attached ([`Processor::with_engine`]),
//! every event also runs through the rules, with its source, line number and
//! text as evidence; [`Processor::finish_alerts`] returns the alerts.
//!
//! It does not read files (that is `ingest`, called by the app) and holds no
//! unbounded state: top-N tables, the distinct-address count and the engine's
//! per-key state have caps.

pub mod fixtures;
mod payload_glue;
mod processor;
mod summary;

pub use payload_glue::{payload_flags, payload_inspector};
pub use processor::{FormatChoice, LineIssue, Processor, SourceId};
pub use summary::{
    Counted, ErrorSample, IssueCounts, SourceSummary, Summary, SummaryLimits, TimeSpan,
};

#[cfg(test)]
mod tests;
