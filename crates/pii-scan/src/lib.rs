//! Walks a shop's files and databases, samples their values, applies the
//! `pii` detectors and produces a [`ScanReport`]: the inventory of where
//! personal data is kept.
//!
//! Sources ([`scan_source`]):
//!
//! - files and folders (walked recursively): CSV and TSV with any delimiter,
//!   a BOM and CRLF line ends; JSON and NDJSON, flattened to dotted paths
//!   (`shipping.receiver.name`, `items[].sku`); SQL dumps (`CREATE TABLE` and
//!   `INSERT ... VALUES`); XLSX workbooks (a small zip and XML reader, one
//!   table per sheet); anything else as plain text or log lines. `.gz` and
//!   `.zst` files are decompressed by their magic bytes; UTF-8 (with or
//!   without BOM) and Big5/CP950 are detected.
//! - databases by URL: `sqlite:`, `postgres://`, `mysql://` (MariaDB too).
//!   Every table and column is sampled (by default 10,000 rows per table),
//!   read-only, with a statement timeout; the sampling method is recorded.
//!
//! Tables are judged column by column ([`pii::ColumnProfile`]); free text is
//! scanned for spans, and only masked samples are kept. Bad input (a ragged
//! CSV row, a binary file, a refused connection, a table without permission)
//! is recorded as a [`Problem`] of its source and the scan goes on.
//!
//! [`write_xlsx`] writes a one-sheet workbook (the inventory as XLSX) and
//! [`parse_xlsx`] reads a workbook's sheets back with the same reader.
//!
//! When [`ScanOptions::reference_date`] is set, a table's last-activity
//! column (`last_login`, `最後登入時間`...) has its dates counted against it
//! ([`Inactivity`]) for the retention flag.
//!
//! Deliberately not here: what the findings mean (risk flags are computed on
//! the report by the caller) and printing (the `app` crate).

mod csv;
mod database;
mod file;
mod json;
mod mask;
mod report;
mod sql_dump;
mod text;
mod xlsx;
mod xlsx_writer;

pub use csv::{CsvTable, parse_csv};
pub use database::scan_database;
pub use file::{DecodedText, load_text};
pub use json::flatten_json;
pub use mask::{MaskSummary, mask_file};
pub use report::{
    ColumnFinding, Inactivity, Problem, ScanOptions, ScanReport, SourceReport, SpanFinding,
    TableReport, TextReport,
};
pub use xlsx::{XlsxSheet, parse_xlsx};
pub use xlsx_writer::{XlsxCell, write_xlsx};

use std::path::Path;

/// Scans one source named by the user: a database URL, a file or a folder.
/// Never fails: what cannot be read is reported in the returned sources.
pub fn scan_source(source: &str, options: &ScanOptions) -> Vec<SourceReport> {
    if database::is_database_url(source) {
        return vec![scan_database(source, options)];
    }
    let path = Path::new(source);
    if path.is_dir() {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        file::walk(path, &mut files, &mut problems);
        let mut reports: Vec<SourceReport> = problems;
        for file in files {
            reports.push(file::scan_file(&file, options));
        }
        return reports;
    }
    vec![file::scan_file(path, options)]
}

/// Scans every source.
pub fn scan(sources: &[String], options: &ScanOptions) -> ScanReport {
    ScanReport { sources: sources.iter().flat_map(|source| scan_source(source, options)).collect() }
}

#[cfg(test)]
mod tests;
