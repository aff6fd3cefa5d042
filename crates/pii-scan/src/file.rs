//! Files: walking folders, decompression, encoding detection, and choosing
//! how a file is read (table, JSON, SQL dump or text).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::report::{Problem, ScanOptions, SourceReport};

/// Bytes looked at to detect compression, binary content and the encoding.
const SNIFF_BYTES: usize = 64 * 1024;
/// Longest line kept; the rest of a longer line is dropped.
const MAX_LINE_BYTES: usize = 1 << 20;

/// Collects the files under `dir` (sorted, hidden entries skipped); folders
/// that cannot be read become sources with a problem.
pub(crate) fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<SourceReport>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(unreadable(dir, format!("cannot read folder: {error}")));
            return;
        }
    };
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    paths.sort();
    for path in paths {
        let is_hidden = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with('.'));
        if is_hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, files, problems);
        } else if path.is_file() {
            files.push(path);
        }
    }
}

pub(crate) fn unreadable(path: &Path, message: String) -> SourceReport {
    SourceReport {
        source: path.display().to_string(),
        format: "unreadable".to_owned(),
        problems: vec![Problem::whole(message)],
        ..SourceReport::default()
    }
}

/// The text encodings we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf8Bom,
    Big5,
    /// Not valid UTF-8 nor Big5: invalid bytes replaced.
    Utf8Lossy,
}

impl Encoding {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Big5 => "big5",
            Encoding::Utf8Lossy => "utf-8 (invalid bytes replaced)",
        }
    }
}

/// A file's lines, decompressed and decoded.
pub(crate) struct LineReader {
    reader: Box<dyn BufRead>,
    encoding: Encoding,
    buffer: Vec<u8>,
    /// Lines read so far.
    pub(crate) n_lines: u64,
    /// Lines longer than `MAX_LINE_BYTES` (cut).
    pub(crate) n_long_lines: u64,
    pub(crate) compression: &'static str,
}

impl std::fmt::Debug for LineReader {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("LineReader").field("encoding", &self.encoding).finish()
    }
}

impl LineReader {
    /// The next line without its line end, decoded; `None` at the end.
    pub(crate) fn next_line(&mut self) -> Option<Result<String, String>> {
        self.buffer.clear();
        let mut limited = (&mut self.reader).take(MAX_LINE_BYTES as u64);
        match limited.read_until(b'\n', &mut self.buffer) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(error) => {
                return Some(Err(format!("read error after line {}: {error}", self.n_lines)));
            }
        }
        if self.buffer.last() != Some(&b'\n') && self.buffer.len() >= MAX_LINE_BYTES {
            // Drop the rest of an over-long line.
            self.n_long_lines += 1;
            let mut rest = Vec::new();
            if let Err(error) = self.reader.read_until(b'\n', &mut rest) {
                return Some(Err(format!("read error after line {}: {error}", self.n_lines)));
            }
        }
        self.n_lines += 1;
        while matches!(self.buffer.last(), Some(b'\n' | b'\r')) {
            self.buffer.pop();
        }
        let line = match self.encoding {
            Encoding::Utf8 | Encoding::Utf8Bom | Encoding::Utf8Lossy => {
                String::from_utf8_lossy(&self.buffer).into_owned()
            }
            Encoding::Big5 => {
                encoding_rs::BIG5.decode_without_bom_handling(&self.buffer).0.into_owned()
            }
        };
        Some(Ok(line))
    }

    pub(crate) fn encoding(&self) -> Encoding {
        self.encoding
    }
}

/// Why a file is not read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OpenFailure {
    Io(String),
    Binary,
}

fn is_valid_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        // A character cut at the end of the sniffed bytes is fine.
        Err(error) => error.error_len().is_none(),
    }
}

/// Opens a file for reading lines: decompresses gzip and zstd (by magic
/// bytes), refuses binary content, and detects UTF-8, UTF-8 with BOM or Big5.
pub(crate) fn open_lines(path: &Path) -> Result<LineReader, OpenFailure> {
    let file =
        File::open(path).map_err(|error| OpenFailure::Io(format!("cannot open: {error}")))?;
    let mut raw = BufReader::with_capacity(SNIFF_BYTES, file);
    let magic = raw.fill_buf().map_err(|error| OpenFailure::Io(format!("cannot read: {error}")))?;
    let (reader, compression): (Box<dyn BufRead>, &'static str) =
        if magic.starts_with(&[0x1f, 0x8b]) {
            (
                Box::new(BufReader::with_capacity(
                    SNIFF_BYTES,
                    flate2::bufread::MultiGzDecoder::new(raw),
                )),
                "gzip",
            )
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            let decoder = ruzstd::decoding::StreamingDecoder::new(raw)
                .map_err(|error| OpenFailure::Io(format!("bad zstd data: {error}")))?;
            (Box::new(BufReader::with_capacity(SNIFF_BYTES, decoder)), "zstd")
        } else {
            (Box::new(raw), "none")
        };
    let mut reader = reader;
    let sniff =
        reader.fill_buf().map_err(|error| OpenFailure::Io(format!("cannot read: {error}")))?;
    let sniff_len = sniff.len().min(8192);
    if memchr_nul(&sniff[..sniff_len]) {
        return Err(OpenFailure::Binary);
    }
    let encoding = if sniff.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Encoding::Utf8Bom
    } else if is_valid_utf8_prefix(sniff) {
        Encoding::Utf8
    } else {
        // Cut at the last line end so a character is not split.
        let cut = sniff.iter().rposition(|byte| *byte == b'\n').map_or(sniff.len(), |idx| idx + 1);
        if encoding_rs::BIG5
            .decode_without_bom_handling_and_without_replacement(&sniff[..cut])
            .is_some()
        {
            Encoding::Big5
        } else {
            Encoding::Utf8Lossy
        }
    };
    if encoding == Encoding::Utf8Bom {
        reader.consume(3);
    }
    Ok(LineReader {
        reader,
        encoding,
        buffer: Vec::new(),
        n_lines: 0,
        n_long_lines: 0,
        compression,
    })
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// A whole (small) file decoded to text.
#[derive(Debug, Clone)]
pub struct DecodedText {
    /// The text, lines joined with `\n` (line ends normalised).
    pub text: String,
    /// The encoding detected.
    pub encoding: &'static str,
}

/// Reads a whole file as text the way a scan does (decompressed, decoded);
/// for callers that need the cells themselves, such as an evaluation.
pub fn load_text(path: &Path) -> Result<DecodedText, String> {
    let mut lines = open_lines(path).map_err(|failure| match failure {
        OpenFailure::Io(message) => message,
        OpenFailure::Binary => "binary file".to_owned(),
    })?;
    let mut text = String::new();
    while let Some(line) = lines.next_line() {
        text.push_str(&line?);
        text.push('\n');
    }
    Ok(DecodedText { text, encoding: lines.encoding().as_str() })
}

/// What a file holds, from its name (compression suffixes removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileFormat {
    Csv,
    Json,
    SqlDump,
    Xlsx,
    Text,
}

pub(crate) fn file_format(path: &Path) -> FileFormat {
    let name =
        path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_ascii_lowercase();
    let name = name.trim_end_matches(".gz").trim_end_matches(".zst");
    let extension = name.rsplit_once('.').map(|(_, extension)| extension).unwrap_or_default();
    match extension {
        "csv" | "tsv" | "tab" | "psv" => FileFormat::Csv,
        "json" | "ndjson" | "jsonl" => FileFormat::Json,
        "sql" => FileFormat::SqlDump,
        "xlsx" | "xlsm" | "xls" => FileFormat::Xlsx,
        _ => FileFormat::Text,
    }
}

fn table_name(path: &Path) -> String {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    let name = name.trim_end_matches(".gz").trim_end_matches(".zst");
    name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_owned()
}

/// Scans one file; never fails (problems are recorded on the source).
pub(crate) fn scan_file(path: &Path, options: &ScanOptions) -> SourceReport {
    let format = file_format(path);
    if format == FileFormat::Xlsx {
        let mut report =
            SourceReport { source: path.display().to_string(), ..SourceReport::default() };
        crate::xlsx::scan_xlsx(path, options, &mut report);
        return report;
    }
    let mut lines = match open_lines(path) {
        Ok(lines) => lines,
        Err(OpenFailure::Io(message)) => return unreadable(path, message),
        Err(OpenFailure::Binary) => {
            return SourceReport {
                source: path.display().to_string(),
                format: "binary".to_owned(),
                problems: vec![Problem::whole("binary file skipped")],
                ..SourceReport::default()
            };
        }
    };
    let mut report = SourceReport {
        source: path.display().to_string(),
        encoding: Some(lines.encoding().as_str().to_owned()),
        ..SourceReport::default()
    };
    let table = table_name(path);
    match format {
        FileFormat::Csv => crate::csv::scan_csv(&mut lines, &table, options, &mut report),
        FileFormat::Json => crate::json::scan_json(&mut lines, &table, options, &mut report),
        FileFormat::SqlDump => crate::sql_dump::scan_sql_dump(&mut lines, options, &mut report),
        FileFormat::Text | FileFormat::Xlsx => {
            crate::text::scan_text(&mut lines, options, &mut report)
        }
    }
    if lines.n_long_lines > 0 {
        report.problems.push(Problem::whole(format!(
            "{} lines longer than {MAX_LINE_BYTES} bytes were cut",
            lines.n_long_lines
        )));
    }
    if lines.compression != "none" {
        report.encoding = Some(format!("{} ({})", lines.encoding().as_str(), lines.compression));
    }
    report
}
