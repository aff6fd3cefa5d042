//! JSON and NDJSON: documents flattened to dotted paths, each path profiled
//! like a column.

use std::collections::BTreeMap;

use pii::ColumnProfile;

use crate::csv::judge_columns;
use crate::file::LineReader;
use crate::report::{Inactivity, Problem, ScanOptions, SourceReport, TableReport};

/// Flattens a JSON document to `(path, value)` pairs: object keys joined by
/// `.`, array elements as `[]` (`items[].sku`); strings as written, numbers
/// as text, `null` as `None`; booleans are skipped.
pub fn flatten_json(value: &serde_json::Value) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    flatten_into(value, String::new(), &mut out);
    out
}

fn flatten_into(value: &serde_json::Value, path: String, out: &mut Vec<(String, Option<String>)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let child_path =
                    if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                flatten_into(child, child_path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                flatten_into(item, format!("{path}[]"), out);
            }
        }
        serde_json::Value::String(text) => out.push((path, Some(text.clone()))),
        serde_json::Value::Number(number) => out.push((path, Some(number.to_string()))),
        serde_json::Value::Null => out.push((path, None)),
        serde_json::Value::Bool(_) => {}
    }
}

#[derive(Debug, Default)]
struct PathProfiles {
    order: Vec<String>,
    profiles: BTreeMap<String, ColumnProfile>,
    /// The scan's reference date, for last-activity paths.
    reference_date: Option<pii::CivilDate>,
    /// Paths named like a last-activity column, with their tallies.
    activity: BTreeMap<String, pii::InactivityTally>,
}

impl PathProfiles {
    fn observe_document(&mut self, document: &serde_json::Value) {
        for (path, value) in flatten_json(document) {
            if !self.profiles.contains_key(&path) {
                self.order.push(path.clone());
                if let Some(reference) = self.reference_date
                    && pii::activity_column_rank(&path).is_some()
                {
                    self.activity.insert(path.clone(), pii::InactivityTally::new(reference));
                }
            }
            if let Some(tally) = self.activity.get_mut(&path) {
                tally.observe(value.as_deref());
            }
            self.profiles.entry(path).or_default().observe(value.as_deref());
        }
    }

    /// The most specific last-activity path and its tally.
    fn inactivity(&self) -> Option<Inactivity> {
        let candidates: Vec<&String> =
            self.order.iter().filter(|path| self.activity.contains_key(*path)).collect();
        let path = candidates[pii::find_activity_column(&candidates)?];
        let tally = self.activity.get(path)?;
        Some(Inactivity {
            column: path.clone(),
            n_dated: tally.n_dated,
            n_inactive: tally.n_inactive,
        })
    }
}

/// Largest JSON file read as one document (NDJSON is streamed, unbounded).
const MAX_DOCUMENT_BYTES: usize = 256 << 20;

pub(crate) fn scan_json(
    lines: &mut LineReader,
    table: &str,
    options: &ScanOptions,
    report: &mut SourceReport,
) {
    let mut paths =
        PathProfiles { reference_date: options.reference_date, ..PathProfiles::default() };
    let mut n_documents = 0u64;
    let mut is_sampled = false;
    let mut pending = String::new();
    let mut n_bad_lines = 0u64;
    let mut is_ndjson = true;
    let mut n_json_lines = 0u64;
    while let Some(line) = lines.next_line() {
        let line = match line {
            Ok(line) => line,
            Err(message) => {
                report.problems.push(Problem::whole(message));
                break;
            }
        };
        if !is_ndjson {
            if pending.len() > MAX_DOCUMENT_BYTES {
                report.problems.push(Problem::whole(format!(
                    "a json document larger than {MAX_DOCUMENT_BYTES} bytes is not read; export it as ndjson"
                )));
                return;
            }
            pending.push_str(&line);
            pending.push('\n');
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if n_documents as usize >= options.max_rows {
            is_sampled = true;
            break;
        }
        match serde_json::from_str::<serde_json::Value>(trimmed) {
            Ok(serde_json::Value::Array(items)) => {
                // A JSON array on one line: its elements are the documents.
                n_json_lines += 1;
                for item in items.iter().take(options.max_rows) {
                    n_documents += 1;
                    paths.observe_document(item);
                }
            }
            Ok(document) => {
                n_json_lines += 1;
                n_documents += 1;
                paths.observe_document(&document);
            }
            Err(_) if n_documents == 0 => {
                // Not one document per line: read the file as one document.
                is_ndjson = false;
                pending.push_str(&line);
                pending.push('\n');
            }
            Err(error) => {
                n_bad_lines += 1;
                if report.problems.len() < 20 {
                    report.problems.push(Problem {
                        location: format!("line {}", lines.n_lines),
                        message: format!("not json: {error}"),
                    });
                }
            }
        }
    }
    if !is_ndjson {
        match serde_json::from_str::<serde_json::Value>(&pending) {
            Ok(serde_json::Value::Array(items)) => {
                for item in items.iter().take(options.max_rows) {
                    n_documents += 1;
                    paths.observe_document(item);
                }
                is_sampled = items.len() > options.max_rows;
            }
            Ok(document) => {
                n_documents += 1;
                paths.observe_document(&document);
            }
            Err(error) => report.problems.push(Problem::whole(format!("not json: {error}"))),
        }
    }
    if n_bad_lines > 20 {
        report.problems.push(Problem::whole(format!("{n_bad_lines} lines in all are not json")));
    }
    report.format = if is_ndjson && n_json_lines > 1 { "ndjson" } else { "json" }.to_owned();
    report.sampling = if is_sampled {
        format!("first {} documents", options.max_rows)
    } else {
        "every document".to_owned()
    };
    let profiles: Vec<ColumnProfile> = paths
        .order
        .iter()
        .map(|path| paths.profiles.get(path).cloned().unwrap_or_default())
        .collect();
    let columns = judge_columns(&paths.order, &profiles, options);
    report.tables.push(TableReport {
        table: table.to_owned(),
        rows_sampled: n_documents,
        rows_total: (!is_sampled).then_some(n_documents),
        columns,
        n_columns: paths.order.len(),
        inactivity: paths.inactivity(),
    });
}
