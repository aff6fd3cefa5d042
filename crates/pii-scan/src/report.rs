//! The scan report: sources, their tables and columns, text spans, problems.

use std::collections::BTreeMap;
use std::time::Duration;

use pii::{ColumnVerdict, Kind};

/// How a scan samples and what it keeps.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Rows sampled per table, file or database (default 10,000).
    pub max_rows: usize,
    /// Lines read per text file (default: 1,000,000; past it the file is
    /// marked as sampled).
    pub max_lines: u64,
    /// Judge columns by their names as well as their values (default true).
    pub use_column_names: bool,
    /// Spans kept per text source (all are counted).
    pub max_spans_kept: usize,
    /// Timeout of each database statement and of connecting.
    pub statement_timeout: Duration,
    /// The day the scan started: last-activity dates more than three years
    /// before it are counted ([`Inactivity`]); `None` skips the count.
    pub reference_date: Option<pii::CivilDate>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_rows: 10_000,
            max_lines: 1_000_000,
            use_column_names: true,
            max_spans_kept: 50,
            statement_timeout: Duration::from_secs(30),
            reference_date: None,
        }
    }
}

/// Everything a scan found.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    /// One entry per file, database or unreadable source.
    pub sources: Vec<SourceReport>,
}

/// Something that could not be read, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a table, a line number, or empty for the whole source.
    pub location: String,
    /// What went wrong, lowercase.
    pub message: String,
}

impl Problem {
    pub(crate) fn whole(message: impl Into<String>) -> Self {
        Problem { location: String::new(), message: message.into() }
    }
}

/// One scanned source.
#[derive(Debug, Clone, Default)]
pub struct SourceReport {
    /// The file path or the database URL (password removed).
    pub source: String,
    /// `csv`, `json`, `ndjson`, `sql_dump`, `text`, `sqlite`, `postgres`, `mysql`, or `unreadable`.
    pub format: String,
    /// The text encoding detected (files only).
    pub encoding: Option<String>,
    /// How rows were sampled, in words.
    pub sampling: String,
    /// Tables (a CSV or JSON file is one table named after the file).
    pub tables: Vec<TableReport>,
    /// Spans in free text (text and log files).
    pub text: Option<TextReport>,
    /// What could not be read.
    pub problems: Vec<Problem>,
}

/// A table, a CSV file or a JSON document set, judged column by column.
#[derive(Debug, Clone, Default)]
pub struct TableReport {
    /// The table name (or file stem).
    pub table: String,
    /// Rows sampled.
    pub rows_sampled: u64,
    /// Total rows, when known cheaply.
    pub rows_total: Option<u64>,
    /// Columns found to hold personal (or business) data.
    pub columns: Vec<ColumnFinding>,
    /// Number of columns looked at.
    pub n_columns: usize,
    /// The last-activity column and its old dates, when the table has one
    /// and the scan has a reference date.
    pub inactivity: Option<Inactivity>,
}

/// Members inactive for more than three years, from a last-activity column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inactivity {
    /// The last-activity column (or JSON path).
    pub column: String,
    /// Sampled values read as dates.
    pub n_dated: u64,
    /// Dates more than three years before the reference date.
    pub n_inactive: u64,
}

/// The last-activity column of a table being sampled, with its tally.
#[derive(Debug, Clone)]
pub(crate) struct ActivityColumn {
    /// Its index among the table's columns.
    pub(crate) idx: usize,
    name: String,
    tally: pii::InactivityTally,
}

impl ActivityColumn {
    /// The most specific last-activity column among `names`, when the scan
    /// has a reference date.
    pub(crate) fn find(names: &[String], options: &ScanOptions) -> Option<Self> {
        let reference = options.reference_date?;
        let idx = pii::find_activity_column(names)?;
        Some(ActivityColumn {
            idx,
            name: names[idx].clone(),
            tally: pii::InactivityTally::new(reference),
        })
    }

    /// Counts the column's value in one row.
    pub(crate) fn observe(&mut self, value: Option<&str>) {
        self.tally.observe(value);
    }

    pub(crate) fn finish(self) -> Inactivity {
        Inactivity {
            column: self.name,
            n_dated: self.tally.n_dated,
            n_inactive: self.tally.n_inactive,
        }
    }
}

/// A column (or JSON path) found to hold personal data.
#[derive(Debug, Clone)]
pub struct ColumnFinding {
    /// The column name or dotted JSON path.
    pub column: String,
    /// What it holds and how sure we are.
    pub verdict: ColumnVerdict,
}

/// Personal data in free text.
#[derive(Debug, Clone, Default)]
pub struct TextReport {
    /// Lines read.
    pub lines: u64,
    /// Spans per kind (all of them, not only those kept).
    pub counts: BTreeMap<Kind, u64>,
    /// The first spans, masked.
    pub spans: Vec<SpanFinding>,
    /// Lines with at least one span.
    pub lines_with_spans: u64,
    /// Fingerprints of the spans' values ([`pii::fingerprint`], at most 4,096),
    /// to find copies of the same data elsewhere; never shown.
    pub fingerprints: std::collections::BTreeSet<u64>,
}

/// One span in a text file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanFinding {
    /// 1-based line number.
    pub line: u64,
    /// Byte offsets in the line.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// The kind.
    pub kind: Kind,
    /// The value, masked.
    pub masked: String,
}
