//! De-identified copies (`leakguard mask`): CSV columns, JSON paths and SQL
//! dump columns judged to hold personal data get keyed pseudonyms, free text
//! has its spans replaced; text and log files have every span replaced.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use pii::{Kind, Pseudonymizer};

use crate::csv::{RecordParser, sniff_delimiter};
use crate::file::{
    Encoding, FileFormat, LineReader, OpenFailure, file_format, open_lines, scan_file,
};
use crate::report::{ScanOptions, SourceReport};
use crate::sql_dump::{
    InsertHead, parse_create_table, parse_insert_head, parse_literal, split_top_level,
};

/// What a mask run changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaskSummary {
    /// `csv`, `json`, `ndjson`, `sql_dump` or `text`.
    pub format: String,
    /// Data rows (CSV), documents (JSON), inserted rows (SQL dumps) or lines
    /// (text) written.
    pub rows: u64,
    /// Columns (JSON paths, `table.column` in SQL dumps) replaced by
    /// pseudonyms, with their kind.
    pub columns: Vec<(String, Kind)>,
    /// Values and spans replaced.
    pub n_replaced: u64,
}

fn csv_field(value: &str, delimiter: char) -> String {
    if value.contains([delimiter, '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn is_text_like(value: &str) -> bool {
    value.len() >= 12 && (value.contains(' ') || !value.is_ascii())
}

/// The masked form of one value of a column judged `kind` (`None`: not
/// judged personal), or `None` to keep it: identifiers get their pseudonym,
/// free text (and long text in other columns) has its spans replaced.
fn mask_value(
    pseudonymizer: &Pseudonymizer,
    value: &str,
    kind: Option<Kind>,
    summary: &mut MaskSummary,
) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    match kind {
        Some(Kind::FreeText) | None if kind.is_some() || is_text_like(value) => {
            let (masked, n_replaced) = pseudonymizer.mask_text(value);
            summary.n_replaced += n_replaced as u64;
            Some(masked)
        }
        Some(kind) => {
            summary.n_replaced += 1;
            Some(pseudonymizer.pseudonym(value, kind))
        }
        None => None,
    }
}

/// The kinds a scan found per column of each table (business numbers are
/// kept: they are not personal data).
fn judged_columns(report: &SourceReport) -> BTreeMap<(String, String), Kind> {
    report
        .tables
        .iter()
        .flat_map(|table| table.columns.iter().map(move |column| (table, column)))
        .filter(|(_, column)| column.verdict.kind != Kind::TwUbn)
        .map(|(table, column)| ((table.table.clone(), column.column.clone()), column.verdict.kind))
        .collect()
}

/// Writes a de-identified copy of `input` (CSV/TSV, JSON/NDJSON, an SQL dump
/// or a text file, plain, `.gz` or `.zst`) to `output`, always as
/// uncompressed UTF-8. The columns to replace are judged on the first
/// `options.max_rows` rows, as a scan would.
pub fn mask_file(
    input: &Path,
    output: &Path,
    pseudonymizer: &Pseudonymizer,
    options: &ScanOptions,
) -> Result<MaskSummary, String> {
    let format = file_format(input);
    if format == FileFormat::Xlsx {
        return Err(format!(
            "{}: mask reads csv, json, sql dumps and text files; workbooks are not supported yet",
            input.display()
        ));
    }
    let mut lines = open_lines(input).map_err(|failure| match failure {
        OpenFailure::Io(message) => format!("{}: {message}", input.display()),
        OpenFailure::Binary => format!("{}: binary file", input.display()),
    })?;
    let file = std::fs::File::create(output)
        .map_err(|error| format!("{}: cannot create: {error}", output.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let write_error = |error: std::io::Error| format!("{}: write error: {error}", output.display());
    let mut summary = MaskSummary::default();
    if format == FileFormat::Text {
        summary.format = "text".to_owned();
        while let Some(line) = lines.next_line() {
            let line = line?;
            let (masked, n_replaced) = pseudonymizer.mask_text(&line);
            summary.n_replaced += n_replaced as u64;
            summary.rows += 1;
            writeln!(writer, "{masked}").map_err(write_error)?;
        }
        writer.flush().map_err(write_error)?;
        return Ok(summary);
    }
    let report = scan_file(input, options);
    match format {
        FileFormat::Json => {
            mask_json(&mut lines, &mut writer, pseudonymizer, &report, &mut summary)
                .map_err(|error| error.describe(input, output))?;
            writer.flush().map_err(write_error)?;
            return Ok(summary);
        }
        FileFormat::SqlDump => {
            mask_sql_dump(&mut lines, &mut writer, pseudonymizer, &report, &mut summary)
                .map_err(|error| error.describe(input, output))?;
            writer.flush().map_err(write_error)?;
            return Ok(summary);
        }
        FileFormat::Csv | FileFormat::Text | FileFormat::Xlsx => {}
    }
    summary.format = "csv".to_owned();
    let columns: BTreeMap<String, Kind> =
        judged_columns(&report).into_iter().map(|((_, column), kind)| (column, kind)).collect();
    let Some(header_line) = lines.next_line() else { return Ok(summary) };
    let header_line = header_line?;
    let delimiter = sniff_delimiter(&header_line);
    let delimiter_char = char::from(delimiter);
    let mut parser = RecordParser::new(delimiter);
    let header = parser.push_line(&header_line).unwrap_or_default();
    let kinds: Vec<Option<Kind>> = header.iter().map(|name| columns.get(name).copied()).collect();
    summary.columns = header
        .iter()
        .zip(&kinds)
        .filter_map(|(name, kind)| Some((name.clone(), (*kind)?)))
        .collect();
    if lines.encoding() == Encoding::Utf8Bom {
        write!(writer, "\u{feff}").map_err(write_error)?;
    }
    let separator = delimiter_char.to_string();
    let header_out: Vec<String> =
        header.iter().map(|name| csv_field(name, delimiter_char)).collect();
    writeln!(writer, "{}", header_out.join(&separator)).map_err(write_error)?;
    while let Some(line) = lines.next_line() {
        let line = line?;
        let Some(record) = parser.push_line(&line) else { continue };
        summary.rows += 1;
        let fields: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(idx, cell)| {
                let kind = kinds.get(idx).copied().flatten();
                let masked = mask_value(pseudonymizer, cell, kind, &mut summary)
                    .unwrap_or_else(|| cell.clone());
                csv_field(&masked, delimiter_char)
            })
            .collect();
        writeln!(writer, "{}", fields.join(&separator)).map_err(write_error)?;
    }
    writer.flush().map_err(write_error)?;
    Ok(summary)
}

/// Why a JSON or SQL copy could not be written.
enum CopyFailure {
    Read(String),
    Write(std::io::Error),
    NotJson(String),
}

impl CopyFailure {
    fn describe(self, input: &Path, output: &Path) -> String {
        match self {
            CopyFailure::Read(message) => format!("{}: {message}", input.display()),
            CopyFailure::Write(error) => format!("{}: write error: {error}", output.display()),
            CopyFailure::NotJson(message) => {
                format!("{}: not json, nothing written: {message}", input.display())
            }
        }
    }
}

impl From<std::io::Error> for CopyFailure {
    fn from(error: std::io::Error) -> Self {
        CopyFailure::Write(error)
    }
}

/// Replaces, in place, the values of a JSON document at the paths judged
/// personal (paths as [`crate::flatten_json`] writes them). Strings stay
/// strings; a number at a personal path (a phone number written as a
/// number) becomes the pseudonym string.
fn mask_json_value(
    value: &mut serde_json::Value,
    path: &str,
    kinds: &BTreeMap<String, Kind>,
    pseudonymizer: &Pseudonymizer,
    summary: &mut MaskSummary,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let child_path =
                    if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                mask_json_value(child, &child_path, kinds, pseudonymizer, summary);
            }
        }
        serde_json::Value::Array(items) => {
            let child_path = format!("{path}[]");
            for item in items {
                mask_json_value(item, &child_path, kinds, pseudonymizer, summary);
            }
        }
        serde_json::Value::String(text) => {
            if let Some(masked) = mask_value(pseudonymizer, text, kinds.get(path).copied(), summary)
            {
                *text = masked;
            }
        }
        serde_json::Value::Number(number) => {
            let text = number.to_string();
            if let Some(kind) = kinds.get(path).copied().filter(|kind| *kind != Kind::FreeText) {
                summary.n_replaced += 1;
                *value = serde_json::Value::String(pseudonymizer.pseudonym(&text, kind));
            }
        }
        serde_json::Value::Null | serde_json::Value::Bool(_) => {}
    }
}

/// A document, or each element of a top-level array (as a scan reads them).
fn mask_json_document(
    document: &mut serde_json::Value,
    kinds: &BTreeMap<String, Kind>,
    pseudonymizer: &Pseudonymizer,
    summary: &mut MaskSummary,
) {
    if let serde_json::Value::Array(items) = document {
        for item in items {
            summary.rows += 1;
            mask_json_value(item, "", kinds, pseudonymizer, summary);
        }
    } else {
        summary.rows += 1;
        mask_json_value(document, "", kinds, pseudonymizer, summary);
    }
}

/// JSON and NDJSON: one document per line is written back one per line
/// (compact); a file that is one document is written back pretty-printed.
fn mask_json(
    lines: &mut LineReader,
    writer: &mut impl Write,
    pseudonymizer: &Pseudonymizer,
    report: &SourceReport,
    summary: &mut MaskSummary,
) -> Result<(), CopyFailure> {
    summary.format = report.format.clone();
    let kinds: BTreeMap<String, Kind> =
        judged_columns(report).into_iter().map(|((_, path), kind)| (path, kind)).collect();
    summary.columns = kinds.iter().map(|(path, kind)| (path.clone(), *kind)).collect();
    let mut pending: Option<String> = None;
    let mut n_documents = 0u64;
    while let Some(line) = lines.next_line() {
        let line = line.map_err(CopyFailure::Read)?;
        if let Some(pending) = &mut pending {
            pending.push_str(&line);
            pending.push('\n');
            continue;
        }
        if line.trim().is_empty() {
            writeln!(writer)?;
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line.trim()) {
            Ok(mut document) => {
                n_documents += 1;
                mask_json_document(&mut document, &kinds, pseudonymizer, summary);
                let text = serde_json::to_string(&document)
                    .map_err(|error| CopyFailure::NotJson(error.to_string()))?;
                writeln!(writer, "{text}")?;
            }
            Err(_) if n_documents == 0 => pending = Some(format!("{line}\n")),
            Err(_) => {
                // A broken line is kept as text, with its spans replaced.
                let (masked, n_replaced) = pseudonymizer.mask_text(&line);
                summary.n_replaced += n_replaced as u64;
                writeln!(writer, "{masked}")?;
            }
        }
    }
    if let Some(pending) = pending {
        let mut document = serde_json::from_str::<serde_json::Value>(&pending)
            .map_err(|error| CopyFailure::NotJson(error.to_string()))?;
        mask_json_document(&mut document, &kinds, pseudonymizer, summary);
        let text = serde_json::to_string_pretty(&document)
            .map_err(|error| CopyFailure::NotJson(error.to_string()))?;
        writeln!(writer, "{text}")?;
    }
    Ok(())
}

/// The byte of the `)` closing the `(` at `open` (quotes skipped).
fn closing_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut chars = text[open..].char_indices();
    while let Some((idx, ch)) = chars.next() {
        match quote {
            Some(close) => {
                if ch == '\\' {
                    chars.next();
                } else if ch == close {
                    quote = None;
                }
            }
            None => match ch {
                '\'' | '"' | '`' => quote = Some(ch),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(open + idx);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

/// One SQL literal of a column judged `kind`, masked, its spacing kept:
/// identifiers become a quoted pseudonym (pseudonyms need no escaping);
/// free text has its spans replaced inside the quotes as written, so the
/// dialect's escapes stay as they were. `NULL` and empty values are kept.
fn mask_literal(
    literal: &str,
    kind: Option<Kind>,
    pseudonymizer: &Pseudonymizer,
    summary: &mut MaskSummary,
) -> String {
    let trimmed = literal.trim();
    let Some(value) = parse_literal(trimmed) else { return literal.to_owned() };
    let is_quoted = trimmed.len() >= 2 && trimmed.starts_with('\'') && trimmed.ends_with('\'');
    let masked = match kind {
        _ if value.trim().is_empty() => None,
        Some(Kind::FreeText) | None if kind.is_some() || is_text_like(&value) => {
            is_quoted.then(|| {
                let (masked, n_replaced) = pseudonymizer.mask_text(&trimmed[1..trimmed.len() - 1]);
                summary.n_replaced += n_replaced as u64;
                format!("'{masked}'")
            })
        }
        Some(kind) => {
            summary.n_replaced += 1;
            Some(format!("'{}'", pseudonymizer.pseudonym(&value, kind)))
        }
        None => None,
    };
    let Some(masked) = masked else { return literal.to_owned() };
    let start = literal.len() - literal.trim_start().len();
    let end = start + trimmed.len();
    format!("{}{masked}{}", &literal[..start], &literal[end..])
}

/// The columns of the SQL dump's tables and their judged kinds.
#[derive(Debug, Default)]
struct DumpColumns {
    created: BTreeMap<String, Vec<String>>,
    kinds: BTreeMap<(String, String), Kind>,
}

impl DumpColumns {
    /// `statement` with the values of its rows masked (an INSERT), or as it is.
    fn mask_statement(
        &mut self,
        statement: &str,
        pseudonymizer: &Pseudonymizer,
        summary: &mut MaskSummary,
    ) -> String {
        let body = statement.trim_start();
        let body_start = statement.len() - body.len();
        let upper: String = body.chars().take(32).collect::<String>().to_ascii_uppercase();
        if upper.starts_with("CREATE TABLE") {
            if let Some((name, columns)) = parse_create_table(body) {
                self.created.insert(name, columns);
            }
            return statement.to_owned();
        }
        if !(upper.starts_with("INSERT") || upper.starts_with("REPLACE")) {
            return statement.to_owned();
        }
        let Some(InsertHead { table, columns, values_end }) = parse_insert_head(body) else {
            return statement.to_owned();
        };
        let columns = columns.or_else(|| self.created.get(&table).cloned()).unwrap_or_default();
        let kinds: Vec<Option<Kind>> = columns
            .iter()
            .map(|column| self.kinds.get(&(table.clone(), column.clone())).copied())
            .collect();
        let mut out = String::with_capacity(statement.len());
        out.push_str(&statement[..body_start + values_end]);
        for (idx, part) in split_top_level(&body[values_end..]).into_iter().enumerate() {
            if idx > 0 {
                out.push(',');
            }
            let Some(open) = part.find('(') else {
                out.push_str(part);
                continue;
            };
            let Some(close) = closing_paren(part, open) else {
                out.push_str(part);
                continue;
            };
            summary.rows += 1;
            out.push_str(&part[..=open]);
            for (column, literal) in split_top_level(&part[open + 1..close]).into_iter().enumerate()
            {
                if column > 0 {
                    out.push(',');
                }
                let kind = kinds.get(column).copied().flatten();
                out.push_str(&mask_literal(literal, kind, pseudonymizer, summary));
            }
            out.push_str(&part[close..]);
        }
        out
    }
}

/// SQL dumps: statements are copied as they are, except the rows of
/// `INSERT` statements, whose values in personal columns are replaced; the
/// copy stays valid SQL for the same database.
fn mask_sql_dump(
    lines: &mut LineReader,
    writer: &mut impl Write,
    pseudonymizer: &Pseudonymizer,
    report: &SourceReport,
    summary: &mut MaskSummary,
) -> Result<(), CopyFailure> {
    summary.format = "sql_dump".to_owned();
    let mut dump = DumpColumns { kinds: judged_columns(report), ..DumpColumns::default() };
    summary.columns = dump
        .kinds
        .iter()
        .map(|((table, column), kind)| (format!("{table}.{column}"), *kind))
        .collect();
    let mut statement = String::new();
    let mut ends = crate::sql_dump::StatementEnds::default();
    while let Some(line) = lines.next_line() {
        let line = line.map_err(CopyFailure::Read)?;
        if !ends.is_in_quote()
            && statement.trim().is_empty()
            && (line.starts_with("--") || line.starts_with("/*"))
        {
            write!(writer, "{statement}")?;
            statement.clear();
            writeln!(writer, "{line}")?;
            continue;
        }
        ends.start_line();
        for ch in line.chars() {
            statement.push(ch);
            if ends.is_end(ch) {
                let masked = dump.mask_statement(&statement, pseudonymizer, summary);
                write!(writer, "{masked}")?;
                statement.clear();
            }
        }
        statement.push('\n');
    }
    let masked = dump.mask_statement(&statement, pseudonymizer, summary);
    write!(writer, "{masked}")?;
    Ok(())
}
