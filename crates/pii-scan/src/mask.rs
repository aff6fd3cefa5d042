//! De-identified copies (`leakguard mask`): CSV columns judged to hold
//! personal data get keyed pseudonyms, free text has its spans replaced;
//! text and log files have every span replaced.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use pii::{Kind, Pseudonymizer};

use crate::csv::{RecordParser, sniff_delimiter};
use crate::file::{Encoding, FileFormat, OpenFailure, file_format, open_lines, scan_file};
use crate::report::ScanOptions;

/// What a mask run changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaskSummary {
    /// `csv` or `text`.
    pub format: String,
    /// Data rows (CSV) or lines (text) written.
    pub rows: u64,
    /// Columns replaced by pseudonyms, with their kind.
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

/// Writes a de-identified copy of `input` (CSV/TSV or a text file, plain,
/// `.gz` or `.zst`) to `output`, always as uncompressed UTF-8. The columns to
/// replace are judged on the first `options.max_rows` rows, as a scan would.
pub fn mask_file(
    input: &Path,
    output: &Path,
    pseudonymizer: &Pseudonymizer,
    options: &ScanOptions,
) -> Result<MaskSummary, String> {
    let format = file_format(input);
    if !matches!(format, FileFormat::Csv | FileFormat::Text) {
        return Err(format!(
            "{}: mask reads csv and text files; json, sql dumps and workbooks are not supported yet",
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
    summary.format = "csv".to_owned();
    let report = scan_file(input, options);
    let columns: BTreeMap<String, Kind> = report
        .tables
        .iter()
        .flat_map(|table| &table.columns)
        .filter(|column| column.verdict.kind != Kind::TwUbn)
        .map(|column| (column.column.clone(), column.verdict.kind))
        .collect();
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
                let masked = match kind {
                    _ if cell.trim().is_empty() => cell.clone(),
                    Some(Kind::FreeText) | None if kind.is_some() || is_text_like(cell) => {
                        let (masked, n_replaced) = pseudonymizer.mask_text(cell);
                        summary.n_replaced += n_replaced as u64;
                        masked
                    }
                    Some(kind) => {
                        summary.n_replaced += 1;
                        pseudonymizer.pseudonym(cell, kind)
                    }
                    None => cell.clone(),
                };
                csv_field(&masked, delimiter_char)
            })
            .collect();
        writeln!(writer, "{}", fields.join(&separator)).map_err(write_error)?;
    }
    writer.flush().map_err(write_error)?;
    Ok(summary)
}
