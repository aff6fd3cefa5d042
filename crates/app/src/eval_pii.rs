//! `leakguard eval pii`: measure the personal-data detectors on the labelled
//! shop corpus (`corpus/pii/`).
//!
//! Three scores, each printed per label with precision and recall:
//!
//! - columns: every labelled column of every file listed for it
//!   (`labels_columns.csv`), judged by `pii-scan` exactly as `leakguard scan`
//!   judges it, once with column names and once with names withheld;
//! - spans: every line of the text files (`labels_text.jsonl`) and every
//!   free-text or JSON cell (`labels_cells.jsonl`) scanned with
//!   `pii::find_spans`; a found span counts when it overlaps a labelled span
//!   of the same label;
//! - decoys: the share of labelled look-alikes (SKUs, order numbers...) that
//!   any found span overlaps.
//!
//! The kind → label mapping is in `docs/pii.md`. Exit 1 when a target of
//! issue 10 is missed, unless `--report-only`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use pii::Kind;
use pii_scan::{ScanOptions, SourceReport};
use serde::Serialize;

use crate::cli::OutputFormat;

/// The corpus label a column of `kind` is scored as.
fn column_label(kind: Kind) -> &'static str {
    match kind {
        Kind::TwNationalId | Kind::TwResidentCert => "TW_NATIONAL_ID",
        Kind::HkId | Kind::CnResidentId => "FOREIGN_ID",
        Kind::TwUbn => "TW_UBN",
        Kind::UsSsn => "US_SSN",
        Kind::Phone => "PHONE",
        Kind::Email => "EMAIL",
        Kind::CreditCard => "CREDIT_CARD",
        Kind::CreditCardMasked => "CREDIT_CARD_MASKED",
        Kind::BankAccount => "BANK_ACCOUNT",
        Kind::EinvoiceCarrier => "EINVOICE_CARRIER",
        Kind::IpAddress => "IP_ADDRESS",
        Kind::DateOfBirth => "DATE_OF_BIRTH",
        Kind::PostalCode => "POSTAL_CODE",
        Kind::Address => "ADDRESS",
        Kind::AddressPart => "ADDRESS_PART",
        Kind::PersonName => "PERSON_NAME",
        Kind::Gender => "GENDER",
        Kind::SocialMediaId => "SOCIAL_MEDIA_ID",
        Kind::SecretHash => "SECRET_HASH",
        Kind::FreeText => "TEXT_WITH_PII",
    }
}

/// The corpus labels `JSON_WITH_PII` and `FREE_TEXT_WITH_PII` are one class:
/// a column of documents or prose in which spans hold personal data.
fn normalize_column_label(label: &str) -> &str {
    match label {
        "JSON_WITH_PII" | "FREE_TEXT_WITH_PII" => "TEXT_WITH_PII",
        other => other,
    }
}

/// The corpus span label a span of `kind` is scored as; `None`: the corpus
/// does not label this kind in text (masked cards, genders...), so such spans
/// are neither right nor wrong.
fn span_label(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::TwNationalId => "TW_NATIONAL_ID",
        Kind::TwResidentCert => "TW_UI_NUMBER",
        Kind::HkId => "HK_ID",
        Kind::CnResidentId => "CN_RESIDENT_ID",
        Kind::UsSsn => "US_SSN",
        Kind::Phone => "PHONE",
        Kind::Email => "EMAIL",
        Kind::Address => "ADDRESS",
        Kind::PostalCode => "POSTAL_CODE",
        Kind::DateOfBirth => "DATE_OF_BIRTH",
        Kind::CreditCard => "CREDIT_CARD",
        Kind::BankAccount => "BANK_ACCOUNT",
        Kind::EinvoiceCarrier => "EINVOICE_CARRIER",
        Kind::IpAddress => "IP_ADDRESS",
        Kind::TwUbn => "TW_UBN",
        Kind::PersonName => "PERSON_NAME",
        _ => return None,
    })
}

/// Span labels with the identifier target (0.95), and with the names and
/// addresses target (0.85).
const IDENTIFIER_LABELS: &[&str] = &[
    "TW_NATIONAL_ID",
    "TW_UI_NUMBER",
    "HK_ID",
    "CN_RESIDENT_ID",
    "US_SSN",
    "PHONE",
    "EMAIL",
    "CREDIT_CARD",
];
const NAME_ADDRESS_LABELS: &[&str] = &["PERSON_NAME", "ADDRESS"];

const COLUMN_TARGET: f64 = 0.98;
const VALUES_ONLY_TARGET: f64 = 0.90;
const IDENTIFIER_TARGET: f64 = 0.95;
const NAME_ADDRESS_TARGET: f64 = 0.85;
const DECOY_TARGET: f64 = 0.01;

#[derive(Debug, Default, Clone, Serialize)]
struct Score {
    /// Labelled items.
    gold: u64,
    /// Items found.
    found: u64,
    /// Labelled items found with the right label.
    hits_gold: u64,
    /// Found items that match a labelled one.
    hits_found: u64,
    precision: f64,
    recall: f64,
}

impl Score {
    fn finish(&mut self) {
        self.precision = ratio(self.hits_found, self.found);
        self.recall = ratio(self.hits_gold, self.gold);
    }

    fn add(&mut self, other: &Score) {
        self.gold += other.gold;
        self.found += other.found;
        self.hits_gold += other.hits_gold;
        self.hits_found += other.hits_found;
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}

#[derive(Debug, Serialize)]
struct ColumnError {
    file: String,
    column: String,
    label: String,
    found: String,
}

#[derive(Debug, Serialize)]
struct ColumnScores {
    per_label: BTreeMap<String, Score>,
    overall: Score,
    errors: Vec<ColumnError>,
}

#[derive(Debug, Serialize)]
struct SpanError {
    source: String,
    label: String,
    /// `missed` or `false_positive`.
    error: &'static str,
    /// The corpus text of the span (synthetic data).
    text: String,
}

#[derive(Debug, Serialize)]
struct SpanScores {
    per_label: BTreeMap<String, Score>,
    identifiers: Score,
    names_and_addresses: Score,
    decoys: u64,
    decoys_hit: u64,
    decoy_rate: f64,
    decoys_hit_by_kind: BTreeMap<String, u64>,
    unscored_spans: u64,
    errors: Vec<SpanError>,
}

#[derive(Debug, Serialize)]
struct TargetResult {
    name: String,
    value: f64,
    target: f64,
    is_met: bool,
}

#[derive(Debug, Serialize)]
struct PiiEvaluation {
    version: u32,
    command: &'static str,
    columns_with_names: ColumnScores,
    columns_values_only: ColumnScores,
    spans: SpanScores,
    targets: Vec<TargetResult>,
}

#[derive(Debug, Clone)]
struct ColumnLabel {
    table: String,
    files: Vec<String>,
    column: String,
    label: String,
}

fn load_column_labels(dir: &Path) -> anyhow::Result<Vec<ColumnLabel>> {
    let path = dir.join("labels_columns.csv");
    let text = pii_scan::load_text(&path)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("reading {}", path.display()))?;
    let table = pii_scan::parse_csv(&text.text, usize::MAX);
    let position = |name: &str| table.header.iter().position(|column| column == name);
    let (Some(table_idx), Some(files_idx), Some(column_idx), Some(label_idx)) =
        (position("table"), position("files"), position("column"), position("label"))
    else {
        anyhow::bail!("{}: expected columns table, files, column, label", path.display());
    };
    Ok(table
        .rows
        .iter()
        .filter(|row| row.len() > label_idx.max(files_idx).max(column_idx).max(table_idx))
        .map(|row| ColumnLabel {
            table: row[table_idx].clone(),
            files: row[files_idx].split(';').map(str::to_owned).collect(),
            column: row[column_idx].clone(),
            label: row[label_idx].clone(),
        })
        .collect())
}

/// Column verdicts of every labelled file: (file, table, column) → label found.
fn scan_files(dir: &Path, files: &[String], use_names: bool) -> BTreeMap<String, SourceReport> {
    let options =
        ScanOptions { use_column_names: use_names, max_rows: usize::MAX, ..ScanOptions::default() };
    files
        .iter()
        .filter_map(|file| {
            let path = dir.join(file);
            let mut reports = pii_scan::scan_source(&path.to_string_lossy(), &options);
            (!reports.is_empty()).then(|| (file.clone(), reports.remove(0)))
        })
        .collect()
}

fn score_columns(dir: &Path, labels: &[ColumnLabel], use_names: bool) -> ColumnScores {
    let mut files: Vec<String> = labels.iter().flat_map(|label| label.files.clone()).collect();
    files.sort();
    files.dedup();
    let reports = scan_files(dir, &files, use_names);
    let mut per_label: BTreeMap<String, Score> = BTreeMap::new();
    let mut errors = Vec::new();
    for label in labels {
        let gold = normalize_column_label(&label.label).to_owned();
        for file in &label.files {
            let Some(report) = reports.get(file) else { continue };
            let found = report
                .tables
                .iter()
                .filter(|table| report.tables.len() == 1 || table.table == label.table)
                .flat_map(|table| &table.columns)
                .find(|finding| finding.column == label.column)
                .map_or("NONE", |finding| column_label(finding.verdict.kind))
                .to_owned();
            if gold != "NONE" {
                let score = per_label.entry(gold.clone()).or_default();
                score.gold += 1;
                if found == gold {
                    score.hits_gold += 1;
                }
            }
            if found != "NONE" {
                let score = per_label.entry(found.clone()).or_default();
                score.found += 1;
                if found == gold {
                    score.hits_found += 1;
                }
            }
            if found != gold {
                errors.push(ColumnError {
                    file: file.clone(),
                    column: label.column.clone(),
                    label: gold.clone(),
                    found,
                });
            }
        }
    }
    let mut overall = Score::default();
    for score in per_label.values_mut() {
        score.finish();
        overall.add(score);
    }
    overall.finish();
    ColumnScores { per_label, overall, errors }
}

#[derive(Debug, serde::Deserialize)]
struct LabelledSpan {
    start_byte: usize,
    end_byte: usize,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct TextRecord {
    file: String,
    line: usize,
    #[serde(default)]
    spans: Vec<LabelledSpan>,
    #[serde(default)]
    decoys: Vec<LabelledSpan>,
}

#[derive(Debug, serde::Deserialize)]
struct CellRecord {
    table: String,
    row: usize,
    column: String,
    #[serde(default)]
    spans: Option<Vec<LabelledSpan>>,
    #[serde(default)]
    decoys: Vec<LabelledSpan>,
}

#[derive(Debug, Default)]
struct SpanTally {
    per_label: BTreeMap<String, Score>,
    decoys: u64,
    decoys_hit: u64,
    decoys_hit_by_kind: BTreeMap<String, u64>,
    unscored: u64,
    errors: Vec<SpanError>,
}

impl SpanTally {
    /// Scores the spans found in `text` against the labelled ones.
    fn score(&mut self, source: &str, text: &str, gold: &[LabelledSpan], decoys: &[LabelledSpan]) {
        let found: Vec<(usize, usize, &'static str)> = pii::find_spans(text)
            .into_iter()
            .filter_map(|span| match span_label(span.kind) {
                Some(label) => Some((span.start, span.end, label)),
                None => {
                    self.unscored += 1;
                    None
                }
            })
            .collect();
        let overlaps = |start: usize, end: usize, other_start: usize, other_end: usize| {
            start < other_end && other_start < end
        };
        let excerpt =
            |start: usize, end: usize| text.get(start..end).unwrap_or_default().to_owned();
        for span in gold {
            let label = span.label.clone().unwrap_or_default();
            let score = self.per_label.entry(label.clone()).or_default();
            score.gold += 1;
            if found.iter().any(|(start, end, found_label)| {
                *found_label == label && overlaps(*start, *end, span.start_byte, span.end_byte)
            }) {
                score.hits_gold += 1;
            } else {
                self.errors.push(SpanError {
                    source: source.to_owned(),
                    label,
                    error: "missed",
                    text: excerpt(span.start_byte, span.end_byte),
                });
            }
        }
        for (start, end, label) in &found {
            let score = self.per_label.entry((*label).to_owned()).or_default();
            score.found += 1;
            if gold.iter().any(|span| {
                span.label.as_deref() == Some(*label)
                    && overlaps(*start, *end, span.start_byte, span.end_byte)
            }) {
                score.hits_found += 1;
            } else {
                self.errors.push(SpanError {
                    source: source.to_owned(),
                    label: (*label).to_owned(),
                    error: "false_positive",
                    text: excerpt(*start, *end),
                });
            }
        }
        for decoy in decoys {
            self.decoys += 1;
            if found
                .iter()
                .any(|(start, end, _)| overlaps(*start, *end, decoy.start_byte, decoy.end_byte))
            {
                self.decoys_hit += 1;
                *self
                    .decoys_hit_by_kind
                    .entry(decoy.kind.clone().unwrap_or_default())
                    .or_default() += 1;
            }
        }
    }

    fn finish(mut self, show_errors: usize) -> SpanScores {
        let mut identifiers = Score::default();
        let mut names_and_addresses = Score::default();
        for (label, score) in &mut self.per_label {
            score.finish();
            if IDENTIFIER_LABELS.contains(&label.as_str()) {
                identifiers.add(score);
            }
            if NAME_ADDRESS_LABELS.contains(&label.as_str()) {
                names_and_addresses.add(score);
            }
        }
        identifiers.finish();
        names_and_addresses.finish();
        let mut shown: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
        self.errors.retain(|error| {
            let count = shown.entry((error.label.clone(), error.error)).or_default();
            *count += 1;
            *count <= show_errors
        });
        SpanScores {
            per_label: self.per_label,
            identifiers,
            names_and_addresses,
            decoys: self.decoys,
            decoys_hit: self.decoys_hit,
            decoy_rate: ratio(self.decoys_hit, self.decoys.max(1)).min(if self.decoys == 0 {
                0.0
            } else {
                1.0
            }),
            decoys_hit_by_kind: self.decoys_hit_by_kind,
            unscored_spans: self.unscored,
            errors: self.errors,
        }
    }
}

fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(idx, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not a label record", path.display(), idx + 1))
        })
        .collect()
}

fn score_spans(dir: &Path, show_errors: usize) -> anyhow::Result<SpanScores> {
    let mut tally = SpanTally::default();
    let records: Vec<TextRecord> = read_jsonl(&dir.join("labels_text.jsonl"))?;
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for record in &records {
        if !files.contains_key(&record.file) {
            let path = dir.join(&record.file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            files.insert(record.file.clone(), text.lines().map(str::to_owned).collect());
        }
        let Some(line) =
            files.get(&record.file).and_then(|lines| lines.get(record.line.wrapping_sub(1)))
        else {
            anyhow::bail!("{}: no line {}", record.file, record.line);
        };
        tally.score(
            &format!("{}:{}", record.file, record.line),
            line,
            &record.spans,
            &record.decoys,
        );
    }
    // Cells: every cell of the free-text and JSON columns that have span labels.
    let cells: Vec<CellRecord> = read_jsonl(&dir.join("labels_cells.jsonl"))?;
    let mut labelled: BTreeMap<(String, String, usize), CellRecord> = BTreeMap::new();
    for cell in cells {
        if cell.spans.is_some() {
            labelled.insert((cell.table.clone(), cell.column.clone(), cell.row), cell);
        }
    }
    let mut text_columns: Vec<(String, String)> =
        labelled.keys().map(|(table, column, _)| (table.clone(), column.clone())).collect();
    text_columns.dedup();
    for (table, column) in text_columns {
        let path = dir.join(format!("{table}.csv"));
        let text = pii_scan::load_text(&path)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("reading {}", path.display()))?;
        let csv = pii_scan::parse_csv(&text.text, usize::MAX);
        let Some(column_idx) = csv.header.iter().position(|name| *name == column) else {
            anyhow::bail!("{}: no column {column}", path.display());
        };
        for (row_idx, row) in csv.rows.iter().enumerate() {
            let Some(cell) = row.get(column_idx).filter(|cell| !cell.is_empty()) else { continue };
            let record = labelled.get(&(table.clone(), column.clone(), row_idx));
            let (gold, decoys) = match record {
                Some(record) => {
                    (record.spans.as_deref().unwrap_or_default(), record.decoys.as_slice())
                }
                None => (&[][..], &[][..]),
            };
            tally.score(&format!("{table}.{column}[{row_idx}]"), cell, gold, decoys);
        }
    }
    Ok(tally.finish(show_errors))
}

fn targets(evaluation: &PiiEvaluation) -> Vec<TargetResult> {
    let target = |name: &str, value: f64, target: f64, is_max: bool| TargetResult {
        name: name.to_owned(),
        value,
        target,
        is_met: if is_max { value <= target } else { value >= target },
    };
    let with_names = &evaluation.columns_with_names.overall;
    let values_only = &evaluation.columns_values_only.overall;
    let spans = &evaluation.spans;
    vec![
        target("columns precision (with names)", with_names.precision, COLUMN_TARGET, false),
        target("columns recall (with names)", with_names.recall, COLUMN_TARGET, false),
        target("columns precision (values only)", values_only.precision, VALUES_ONLY_TARGET, false),
        target("columns recall (values only)", values_only.recall, VALUES_ONLY_TARGET, false),
        target(
            "span precision (identifiers)",
            spans.identifiers.precision,
            IDENTIFIER_TARGET,
            false,
        ),
        target("span recall (identifiers)", spans.identifiers.recall, IDENTIFIER_TARGET, false),
        target(
            "span precision (names, addresses)",
            spans.names_and_addresses.precision,
            NAME_ADDRESS_TARGET,
            false,
        ),
        target(
            "span recall (names, addresses)",
            spans.names_and_addresses.recall,
            NAME_ADDRESS_TARGET,
            false,
        ),
        target("decoys reported", spans.decoy_rate, DECOY_TARGET, true),
    ]
}

fn render_scores(
    out: &mut String,
    title: &str,
    per_label: &BTreeMap<String, Score>,
    overall: &Score,
) {
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "  {:<20} {:>6} {:>6} {:>9} {:>7}",
        "label", "gold", "found", "precision", "recall"
    );
    for (label, score) in per_label {
        let _ = writeln!(
            out,
            "  {label:<20} {:>6} {:>6} {:>9.3} {:>7.3}",
            score.gold, score.found, score.precision, score.recall
        );
    }
    let _ = writeln!(
        out,
        "  {:<20} {:>6} {:>6} {:>9.3} {:>7.3}",
        "all", overall.gold, overall.found, overall.precision, overall.recall
    );
}

fn render(evaluation: &PiiEvaluation) -> String {
    let mut out = String::new();
    let columns = [
        ("columns, judged with their names", &evaluation.columns_with_names),
        ("columns, values only (names withheld)", &evaluation.columns_values_only),
    ];
    for (title, scores) in columns {
        render_scores(&mut out, title, &scores.per_label, &scores.overall);
        for error in &scores.errors {
            let _ = writeln!(
                out,
                "    {}: {} labelled {} found {}",
                error.file, error.column, error.label, error.found
            );
        }
        let _ = writeln!(out);
    }
    let spans = &evaluation.spans;
    let mut overall = Score::default();
    for score in spans.per_label.values() {
        overall.add(score);
    }
    overall.finish();
    render_scores(&mut out, "spans in text files and free-text cells", &spans.per_label, &overall);
    let _ = writeln!(
        out,
        "  identifiers          {:>6} {:>6} {:>9.3} {:>7.3}",
        spans.identifiers.gold,
        spans.identifiers.found,
        spans.identifiers.precision,
        spans.identifiers.recall
    );
    let _ = writeln!(
        out,
        "  names, addresses     {:>6} {:>6} {:>9.3} {:>7.3}",
        spans.names_and_addresses.gold,
        spans.names_and_addresses.found,
        spans.names_and_addresses.precision,
        spans.names_and_addresses.recall
    );
    let _ = writeln!(
        out,
        "  decoys reported: {} of {} ({:.2}%) {:?}; spans of kinds the corpus does not label: {}",
        spans.decoys_hit,
        spans.decoys,
        spans.decoy_rate * 100.0,
        spans.decoys_hit_by_kind,
        spans.unscored_spans
    );
    for error in &spans.errors {
        let _ =
            writeln!(out, "    {} {} {}: {:?}", error.error, error.label, error.source, error.text);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "targets (issue 10)");
    for target in &evaluation.targets {
        let _ = writeln!(
            out,
            "  {:<36} {:>7.3} {} {:.3}  {}",
            target.name,
            target.value,
            if target.name.starts_with("decoys") { "<=" } else { ">=" },
            target.target,
            if target.is_met { "ok" } else { "MISSED" }
        );
    }
    out
}

/// Runs `leakguard eval pii`.
pub(crate) fn run_pii(
    corpus: &Path,
    output: OutputFormat,
    report_only: bool,
    show_errors: usize,
) -> anyhow::Result<ExitCode> {
    let dir: PathBuf = if corpus.join("labels_columns.csv").exists() {
        corpus.to_path_buf()
    } else {
        corpus.join("pii")
    };
    let labels = load_column_labels(&dir)?;
    let mut evaluation = PiiEvaluation {
        version: 1,
        command: "eval pii",
        columns_with_names: score_columns(&dir, &labels, true),
        columns_values_only: score_columns(&dir, &labels, false),
        spans: score_spans(&dir, show_errors)?,
        targets: Vec::new(),
    };
    if show_errors == 0 {
        evaluation.columns_with_names.errors.clear();
        evaluation.columns_values_only.errors.clear();
    }
    evaluation.targets = targets(&evaluation);
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Text => stdout.write_all(render(&evaluation).as_bytes())?,
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &evaluation)?;
            writeln!(stdout)?;
        }
    }
    let is_met = evaluation.targets.iter().all(|target| target.is_met);
    Ok(if is_met || report_only { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
