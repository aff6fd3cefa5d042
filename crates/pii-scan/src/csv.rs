//! CSV and TSV: delimiter sniffing, quoted fields (with doubled quotes and
//! line breaks inside), ragged rows reported, columns profiled.

use pii::ColumnProfile;

use crate::file::LineReader;
use crate::report::{
    ActivityColumn, ColumnFinding, Problem, ScanOptions, SourceReport, TableReport,
};

/// Problems kept per source (all are counted).
const MAX_PROBLEMS: usize = 20;

/// The delimiter of a header line: the most frequent of `,` tab `;` `|`
/// outside quotes.
pub(crate) fn sniff_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b',', b'\t', b';', b'|'];
    let mut in_quotes = false;
    for byte in header.bytes() {
        if byte == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes
            && let Some(idx) = candidates.iter().position(|candidate| *candidate == byte)
        {
            counts[idx] += 1;
        }
    }
    let best = (0..4).max_by_key(|idx| (counts[*idx], usize::from(*idx == 0))).unwrap_or(0);
    candidates[best]
}

/// Assembles records from lines; a quoted field may span lines.
#[derive(Debug)]
pub(crate) struct RecordParser {
    delimiter: u8,
    fields: Vec<String>,
    field: String,
    in_quotes: bool,
}

impl RecordParser {
    pub(crate) fn new(delimiter: u8) -> Self {
        RecordParser { delimiter, fields: Vec::new(), field: String::new(), in_quotes: false }
    }

    /// Feeds one line; returns the record when it is complete.
    pub(crate) fn push_line(&mut self, line: &str) -> Option<Vec<String>> {
        let delimiter = char::from(self.delimiter);
        // Most records have no quotes at all: split them directly.
        if !self.in_quotes && !line.contains('"') {
            return Some(line.split(delimiter).map(str::to_owned).collect());
        }
        let mut chars = line.chars().peekable();
        while let Some(ch) = chars.next() {
            if self.in_quotes {
                if ch == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        self.field.push('"');
                    } else {
                        self.in_quotes = false;
                    }
                } else {
                    self.field.push(ch);
                }
            } else if ch == '"' && self.field.is_empty() {
                self.in_quotes = true;
            } else if ch == delimiter {
                self.fields.push(std::mem::take(&mut self.field));
            } else {
                self.field.push(ch);
            }
        }
        if self.in_quotes {
            self.field.push('\n');
            return None;
        }
        self.fields.push(std::mem::take(&mut self.field));
        Some(std::mem::take(&mut self.fields))
    }

    fn is_open(&self) -> bool {
        self.in_quotes
    }
}

/// A parsed CSV file: its header and rows.
#[derive(Debug, Clone, Default)]
pub struct CsvTable {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as it was written (ragged rows are kept).
    pub rows: Vec<Vec<String>>,
    /// The delimiter found.
    pub delimiter: char,
}

/// Parses CSV text (header first), at most `max_rows` rows.
pub fn parse_csv(text: &str, max_rows: usize) -> CsvTable {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    let Some(header_line) = lines.next() else { return CsvTable::default() };
    let delimiter = sniff_delimiter(header_line);
    let mut parser = RecordParser::new(delimiter);
    let header = parser.push_line(header_line).unwrap_or_default();
    let mut rows = Vec::new();
    for line in lines {
        if rows.len() >= max_rows {
            break;
        }
        if let Some(record) = parser.push_line(line) {
            if record.len() == 1 && record[0].is_empty() {
                continue;
            }
            rows.push(record);
        }
    }
    CsvTable { header, rows, delimiter: char::from(delimiter) }
}

/// Judges profiled columns and keeps those with personal or business data.
pub(crate) fn judge_columns(
    names: &[String],
    profiles: &[ColumnProfile],
    options: &ScanOptions,
) -> Vec<ColumnFinding> {
    names
        .iter()
        .zip(profiles)
        .filter_map(|(name, profile)| {
            let verdict = profile.judge(options.use_column_names.then_some(name.as_str()))?;
            Some(ColumnFinding { column: name.clone(), verdict })
        })
        .collect()
}

pub(crate) fn scan_csv(
    lines: &mut LineReader,
    table: &str,
    options: &ScanOptions,
    report: &mut SourceReport,
) {
    report.format = "csv".to_owned();
    let header_line = match lines.next_line() {
        Some(Ok(line)) => line,
        Some(Err(message)) => {
            report.problems.push(Problem::whole(message));
            return;
        }
        None => {
            report.problems.push(Problem::whole("empty file"));
            return;
        }
    };
    let delimiter = sniff_delimiter(&header_line);
    let mut parser = RecordParser::new(delimiter);
    let header = parser.push_line(&header_line).unwrap_or_default();
    let mut profiles = vec![ColumnProfile::new(); header.len()];
    let mut activity = ActivityColumn::find(&header, options);
    let mut n_rows = 0u64;
    let mut n_ragged = 0u64;
    let mut is_sampled = false;
    let mut record_start = 2;
    while let Some(line) = lines.next_line() {
        let line = match line {
            Ok(line) => line,
            Err(message) => {
                report.problems.push(Problem::whole(message));
                break;
            }
        };
        let Some(record) = parser.push_line(&line) else { continue };
        let line_number = record_start;
        record_start = lines.n_lines + 1;
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        if n_rows as usize >= options.max_rows {
            is_sampled = true;
            break;
        }
        n_rows += 1;
        if let Some(activity) = &mut activity {
            activity.observe(record.get(activity.idx).map(String::as_str));
        }
        if record.len() != header.len() {
            n_ragged += 1;
            if report.problems.len() < MAX_PROBLEMS {
                report.problems.push(Problem {
                    location: format!("line {line_number}"),
                    message: format!(
                        "{} fields where the header has {}",
                        record.len(),
                        header.len()
                    ),
                });
            }
        }
        for (profile, cell) in profiles.iter_mut().zip(record.iter()) {
            profile.observe(Some(cell));
        }
        for profile in profiles.iter_mut().skip(record.len()) {
            profile.observe(None);
        }
    }
    if parser.is_open() {
        report.problems.push(Problem::whole("a quoted field is not closed at the end of the file"));
    }
    if n_ragged as usize > MAX_PROBLEMS {
        report.problems.push(Problem::whole(format!(
            "{n_ragged} rows in all have the wrong number of fields"
        )));
    }
    report.sampling = if is_sampled {
        format!("first {} rows of the file", options.max_rows)
    } else {
        "every row".to_owned()
    };
    let columns = judge_columns(&header, &profiles, options);
    report.tables.push(TableReport {
        table: table.to_owned(),
        rows_sampled: n_rows,
        rows_total: (!is_sampled).then_some(n_rows),
        columns,
        n_columns: header.len(),
        inactivity: activity.map(ActivityColumn::finish),
    });
}
