//! `leakguard scan`: the personal-data inventory of files, folders and
//! databases, as a readable report (en, zh-TW) or a versioned JSON document
//! (`docs/output.md`). Only masked samples are ever printed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use pii::Kind;
use pii_scan::{ScanOptions, ScanReport, SourceReport};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::config::Language;

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Files, folders (walked recursively) or database URLs:
    /// sqlite:shop.db, postgres://user@host/db, mysql://user@host/db.
    #[arg(value_name = "SOURCE", required = true)]
    pub(crate) sources: Vec<String>,
    /// Output: text or json.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,
    /// Rows sampled per table or file.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub(crate) max_rows: usize,
    /// Timeout of each database statement, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub(crate) timeout: u64,
    /// A folder your web server serves (repeatable): personal data found
    /// under it is flagged as downloadable.
    #[arg(long = "web-root", value_name = "DIR")]
    pub(crate) web_roots: Vec<PathBuf>,
    /// Also write the inventory (個資檔案清冊) as CSV to FILE, one row per
    /// column found, UTF-8 with a BOM so spreadsheet programs read it.
    #[arg(long, value_name = "FILE")]
    pub(crate) inventory_csv: Option<PathBuf>,
    /// Also write the inventory as an XLSX workbook to FILE, one row per
    /// column found, with a header in the --lang language.
    #[arg(long, value_name = "FILE")]
    pub(crate) inventory_xlsx: Option<PathBuf>,
    /// Also write a readable HTML report to FILE (in the --lang language).
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct MaskArgs {
    /// The CSV/TSV, JSON/NDJSON, SQL dump or text file to de-identify
    /// (plain, .gz or .zst).
    #[arg(value_name = "FILE")]
    pub(crate) input: PathBuf,
    /// Where to write the de-identified copy (uncompressed UTF-8).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// A file holding the secret key of the pseudonyms (at least 16 bytes;
    /// keep it: the same key gives the same pseudonyms). Default: the
    /// LEAKGUARD_MASK_KEY environment variable.
    #[arg(long, value_name = "FILE")]
    pub(crate) key_file: Option<PathBuf>,
    /// Rows sampled to decide which columns hold personal data.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub(crate) max_rows: usize,
}

/// The pseudonym key: from `--key-file`, else `LEAKGUARD_MASK_KEY`.
fn load_mask_key(args: &MaskArgs) -> anyhow::Result<Vec<u8>> {
    let key = match &args.key_file {
        Some(path) => {
            let mut key = std::fs::read(path)
                .with_context(|| format!("reading the key file {}", path.display()))?;
            while matches!(key.last(), Some(b'\n' | b'\r')) {
                key.pop();
            }
            key
        }
        None => {
            // The app crate is where environment variables are read.
            #[allow(clippy::disallowed_methods)]
            let key = std::env::var("LEAKGUARD_MASK_KEY").unwrap_or_default();
            key.into_bytes()
        }
    };
    if key.len() < 16 {
        anyhow::bail!(
            "the mask key must be at least 16 bytes (--key-file FILE or LEAKGUARD_MASK_KEY); \
             e.g. head -c 32 /dev/urandom | base64 > mask.key"
        );
    }
    Ok(key)
}

/// Runs `leakguard mask`.
pub(crate) fn run_mask(args: &MaskArgs) -> anyhow::Result<ExitCode> {
    let key = load_mask_key(args)?;
    let same_file = match (std::fs::canonicalize(&args.input), std::fs::canonicalize(&args.out)) {
        (Ok(input), Ok(out)) => input == out,
        _ => false,
    };
    if same_file {
        anyhow::bail!("--out {} is the input file; write the copy elsewhere", args.out.display());
    }
    let pseudonymizer = pii::Pseudonymizer::new(&key);
    let options = ScanOptions { max_rows: args.max_rows, ..ScanOptions::default() };
    let summary = pii_scan::mask_file(&args.input, &args.out, &pseudonymizer, &options)
        .map_err(anyhow::Error::msg)?;
    let columns: Vec<String> =
        summary.columns.iter().map(|(column, kind)| format!("{column} ({kind})")).collect();
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{} -> {}: {} {}, {} values replaced{}",
        args.input.display(),
        args.out.display(),
        summary.rows,
        match summary.format.as_str() {
            "csv" | "sql_dump" => "rows",
            "json" | "ndjson" => "documents",
            _ => "lines",
        },
        summary.n_replaced,
        if columns.is_empty() {
            String::new()
        } else {
            format!("; pseudonymised columns: {}", columns.join(", "))
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A self-contained HTML page: sources, the columns found, text spans
/// counts, risks. Masked samples only.
fn render_html(document: &ScanDocument, language: Language) -> String {
    let zh = language == Language::TraditionalChinese;
    let label = |en: &'static str, chinese: &'static str| if zh { chinese } else { en };
    let mut out = String::new();
    let title = label("Personal-data inventory", "個人資料盤點（個資檔案清冊）");
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:.5em 0 1.5em}}\
         td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:left}}.risk{{color:#a00}}</style></head><body>\n<h1>{title}</h1>\n",
        if zh { "zh-Hant-TW" } else { "en" }
    );
    if !document.risks.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2><ul>", label("Risks", "風險"));
        for risk in &document.risks {
            let place = if risk.shared_values.is_some() || risk.location.is_empty() {
                if risk.location.is_empty() { risk.source.clone() } else { risk.location.clone() }
            } else {
                format!("{} {}", risk.source, risk.location)
            };
            let kind = risk
                .kind
                .map(|kind| format!(" ({})", kind_label(kind, language)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<li class=\"risk\">{}: {}{}{}</li>",
                html_escape(risk_text(risk.flag, language)),
                html_escape(&place),
                html_escape(&kind),
                html_escape(&inactive_text(risk, language))
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    let headers = if zh {
        ["資料表", "欄位", "個資類別", "抽樣筆數", "有值", "符合", "比例", "遮罩範例"]
    } else {
        [
            "table",
            "column",
            "kind",
            "rows sampled",
            "non-empty",
            "matches",
            "share",
            "masked sample",
        ]
    };
    for source in &document.sources {
        let _ = writeln!(
            out,
            "<h2>{}</h2><p>{} · {} · {}</p>",
            html_escape(&source.source),
            html_escape(&source.format),
            html_escape(source.encoding.as_deref().unwrap_or("")),
            html_escape(&source.sampling)
        );
        for problem in &source.problems {
            let _ = writeln!(
                out,
                "<p class=\"risk\">{} {} {}</p>",
                label("problem", "問題"),
                html_escape(&problem.location),
                html_escape(&problem.message)
            );
        }
        let findings: Vec<&FindingOut> =
            document.findings.iter().filter(|finding| finding.source == source.source).collect();
        if !findings.is_empty() {
            let _ = write!(out, "<table><tr>");
            for header in headers {
                let _ = write!(out, "<th>{header}</th>");
            }
            let _ = writeln!(out, "</tr>");
            for finding in findings {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td><td>{}</td></tr>",
                    html_escape(&finding.table),
                    html_escape(&finding.column),
                    html_escape(&kind_label(finding.kind, language)),
                    finding.rows_sampled,
                    finding.non_empty,
                    finding.matches,
                    finding.share_valid * 100.0,
                    html_escape(finding.masked_sample.as_deref().unwrap_or(""))
                );
            }
            let _ = writeln!(out, "</table>");
        }
        let counts = span_counts(document, &source.source, language);
        if !counts.is_empty() {
            let _ = writeln!(
                out,
                "<p>{} {}: {}</p>",
                source.lines.unwrap_or(0),
                label("lines scanned, found", "行中找到"),
                html_escape(&counts.join(", "))
            );
        }
    }
    let _ = writeln!(out, "</body></html>");
    out
}

/// A CSV field, quoted when it needs to be.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// The inventory as CSV: a header and one row per finding (masked samples only).
fn inventory_csv(document: &ScanDocument) -> String {
    let mut out = String::from(
        "\u{feff}source,table,column,kind,kind_zh,personal,rows_sampled,non_empty,matches,share_valid,masked_sample,decided_by\r\n",
    );
    for finding in &document.findings {
        let kind_zh = Kind::parse(finding.kind).map(Kind::label_zh).unwrap_or_default();
        let fields = [
            csv_field(&finding.source),
            csv_field(&finding.table),
            csv_field(&finding.column),
            finding.kind.to_owned(),
            kind_zh.to_owned(),
            finding.personal.to_string(),
            finding.rows_sampled.to_string(),
            finding.non_empty.to_string(),
            finding.matches.to_string(),
            format!("{:.3}", finding.share_valid),
            csv_field(finding.masked_sample.as_deref().unwrap_or_default()),
            finding.decided_by.to_owned(),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The inventory as an XLSX workbook: a header in `language` and one row
/// per finding (masked samples only), counts as numbers.
fn inventory_xlsx(document: &ScanDocument, language: Language) -> Vec<u8> {
    use pii_scan::XlsxCell::{Number, Text};
    let zh = language == Language::TraditionalChinese;
    let header: [&str; 11] = if zh {
        [
            "來源",
            "資料表",
            "欄位",
            "個資類別",
            "是否為個資",
            "抽樣筆數",
            "有值",
            "符合",
            "比例",
            "遮罩範例",
            "判定依據",
        ]
    } else {
        [
            "source",
            "table",
            "column",
            "kind",
            "personal",
            "rows sampled",
            "non-empty",
            "matches",
            "share valid",
            "masked sample",
            "decided by",
        ]
    };
    let mut rows = vec![header.iter().map(|name| Text((*name).to_owned())).collect::<Vec<_>>()];
    for finding in &document.findings {
        let personal = match (finding.personal, zh) {
            (true, true) => "是",
            (false, true) => "否",
            (true, false) => "yes",
            (false, false) => "no",
        };
        let decided_by = match (finding.decided_by, zh) {
            ("name", true) => "欄位名稱",
            (_, true) => "欄位內容",
            (decided_by, false) => decided_by,
        };
        rows.push(vec![
            Text(finding.source.clone()),
            Text(finding.table.clone()),
            Text(finding.column.clone()),
            Text(kind_label(finding.kind, language)),
            Text(personal.to_owned()),
            Number(finding.rows_sampled as f64),
            Number(finding.non_empty as f64),
            Number(finding.matches as f64),
            Number(finding.share_valid),
            Text(finding.masked_sample.clone().unwrap_or_default()),
            Text(decided_by.to_owned()),
        ]);
    }
    let sheet = if zh { "個資檔案清冊" } else { "inventory" };
    pii_scan::write_xlsx(sheet, &rows)
}

/// The JSON document's version; bump it on any incompatible change.
const SCAN_OUTPUT_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
struct ScanDocument {
    version: u32,
    command: &'static str,
    sources: Vec<SourceOut>,
    findings: Vec<FindingOut>,
    spans: Vec<SpanOut>,
    span_counts: Vec<SpanCountOut>,
    risks: Vec<RiskOut>,
    summary: SummaryOut,
}

#[derive(Debug, Serialize)]
struct SourceOut {
    source: String,
    format: String,
    encoding: Option<String>,
    sampling: String,
    tables: Vec<TableOut>,
    lines: Option<u64>,
    problems: Vec<ProblemOut>,
}

#[derive(Debug, Serialize)]
struct TableOut {
    table: String,
    rows_sampled: u64,
    rows_total: Option<u64>,
    columns_scanned: usize,
}

#[derive(Debug, Serialize)]
struct ProblemOut {
    location: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct FindingOut {
    source: String,
    table: String,
    column: String,
    kind: &'static str,
    personal: bool,
    rows_sampled: u64,
    non_empty: u64,
    matches: u64,
    share_valid: f64,
    masked_sample: Option<String>,
    decided_by: &'static str,
    span_kinds: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Serialize)]
struct SpanOut {
    source: String,
    line: u64,
    start_byte: usize,
    end_byte: usize,
    kind: &'static str,
    masked: String,
}

#[derive(Debug, Serialize)]
struct SpanCountOut {
    source: String,
    kind: &'static str,
    count: u64,
}

#[derive(Debug, Serialize, Clone)]
struct RiskOut {
    flag: &'static str,
    source: String,
    location: String,
    kind: Option<&'static str>,
    /// For `copied_in_several_places`: how many sampled values both places hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    shared_values: Option<usize>,
    /// For `inactive_members_kept`: sampled rows whose last activity is more
    /// than three years before the scan.
    #[serde(skip_serializing_if = "Option::is_none")]
    inactive_rows: Option<u64>,
    /// For `inactive_members_kept`: `inactive_rows / rows_sampled`, three decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    share_inactive: Option<f64>,
}

/// Where fingerprinted values were found: a column, a free-text column or a text file.
struct Place<'a> {
    source: &'a str,
    location: String,
    kind: Option<Kind>,
    fingerprints: BTreeSet<u64>,
}

/// One risk per pair of places in different sources that hold some of the
/// same values (phones, IDs, e-mails...): a copy of the data.
fn copies(places: &[Place<'_>]) -> Vec<RiskOut> {
    let mut risks = Vec::new();
    for (idx, first) in places.iter().enumerate() {
        for second in &places[idx + 1..] {
            if first.source == second.source {
                continue;
            }
            let shared = first.fingerprints.intersection(&second.fingerprints).count();
            if shared == 0 {
                continue;
            }
            let location = |place: &Place<'_>| {
                if place.location.is_empty() {
                    place.source.to_owned()
                } else {
                    format!("{} {}", place.source, place.location)
                }
            };
            risks.push(RiskOut {
                flag: "copied_in_several_places",
                source: format!("{}, {}", first.source, second.source),
                location: format!("{} = {}", location(first), location(second)),
                kind: first.kind.or(second.kind).map(Kind::as_str),
                shared_values: Some(shared),
                inactive_rows: None,
                share_inactive: None,
            });
        }
    }
    risks
}

#[derive(Debug, Serialize)]
struct SummaryOut {
    sources: usize,
    sources_with_problems: usize,
    findings: usize,
    spans: u64,
    risks: usize,
}

fn is_web_log(source: &SourceReport) -> bool {
    let name = source.source.to_ascii_lowercase();
    ["access", "nginx", "apache", "httpd", "caddy", "traefik"]
        .iter()
        .any(|word| name.contains(word))
}

fn is_web_served(source: &SourceReport, web_roots: &[PathBuf]) -> bool {
    let path = std::path::Path::new(&source.source);
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if web_roots
        .iter()
        .any(|root| std::fs::canonicalize(root).is_ok_and(|root| absolute.starts_with(root)))
    {
        return true;
    }
    let text = absolute.to_string_lossy().to_ascii_lowercase();
    [
        "/public_html/",
        "/htdocs/",
        "/wwwroot/",
        "/var/www/",
        "/public/",
        "/static/",
        "/uploads/",
        "/media/",
    ]
    .iter()
    .any(|segment| text.contains(segment))
}

fn build_document(report: &ScanReport, web_roots: &[PathBuf]) -> ScanDocument {
    let mut sources = Vec::new();
    let mut findings = Vec::new();
    let mut spans = Vec::new();
    let mut span_counts = Vec::new();
    let mut risks = Vec::new();
    let mut places: Vec<Place<'_>> = Vec::new();
    let mut n_spans = 0;
    for source in &report.sources {
        let is_database = matches!(source.format.as_str(), "sqlite" | "postgres" | "mysql");
        let is_exposed = !is_database && is_web_served(source, web_roots);
        let mut has_personal = false;
        for table in &source.tables {
            let has_personal_column =
                table.columns.iter().any(|column| column.verdict.kind.is_personal());
            if let Some(inactivity) = &table.inactivity
                && has_personal_column
                && inactivity.n_inactive > 0
            {
                let share = inactivity.n_inactive as f64 / table.rows_sampled.max(1) as f64;
                risks.push(RiskOut {
                    flag: "inactive_members_kept",
                    source: source.source.clone(),
                    location: format!("{}.{}", table.table, inactivity.column),
                    kind: None,
                    shared_values: None,
                    inactive_rows: Some(inactivity.n_inactive),
                    share_inactive: Some((share * 1000.0).round() / 1000.0),
                });
            }
            for column in &table.columns {
                let verdict = &column.verdict;
                has_personal |= verdict.kind.is_personal();
                findings.push(FindingOut {
                    source: source.source.clone(),
                    table: table.table.clone(),
                    column: column.column.clone(),
                    kind: verdict.kind.as_str(),
                    personal: verdict.kind.is_personal(),
                    rows_sampled: verdict.rows_sampled,
                    non_empty: verdict.non_empty,
                    matches: verdict.matches,
                    share_valid: (verdict.share_valid * 1000.0).round() / 1000.0,
                    masked_sample: verdict.masked_sample.clone(),
                    decided_by: if verdict.is_by_name { "name" } else { "values" },
                    span_kinds: verdict
                        .span_kinds
                        .iter()
                        .map(|(kind, count)| (kind.as_str(), *count))
                        .collect(),
                });
                let location = format!("{}.{}", table.table, column.column);
                if !verdict.fingerprints.is_empty() {
                    places.push(Place {
                        source: &source.source,
                        location: location.clone(),
                        kind: (verdict.kind != Kind::FreeText).then_some(verdict.kind),
                        fingerprints: verdict.fingerprints.iter().copied().collect(),
                    });
                }
                let mut kinds: Vec<Kind> = vec![verdict.kind];
                kinds.extend(verdict.span_kinds.iter().map(|(kind, _)| *kind));
                for kind in kinds {
                    if kind.is_sensitive_identifier() {
                        risks.push(RiskOut {
                            flag: "identifier_in_clear",
                            source: source.source.clone(),
                            location: location.clone(),
                            kind: Some(kind.as_str()),
                            shared_values: None,
                            inactive_rows: None,
                            share_inactive: None,
                        });
                    }
                }
            }
        }
        if let Some(text) = &source.text {
            for span in &text.spans {
                spans.push(SpanOut {
                    source: source.source.clone(),
                    line: span.line,
                    start_byte: span.start,
                    end_byte: span.end,
                    kind: span.kind.as_str(),
                    masked: span.masked.clone(),
                });
            }
            for (kind, count) in &text.counts {
                n_spans += count;
                span_counts.push(SpanCountOut {
                    source: source.source.clone(),
                    kind: kind.as_str(),
                    count: *count,
                });
                if kind.is_personal() {
                    has_personal = true;
                }
                if kind.is_sensitive_identifier() {
                    risks.push(RiskOut {
                        flag: "identifier_in_clear",
                        source: source.source.clone(),
                        location: String::new(),
                        kind: Some(kind.as_str()),
                        shared_values: None,
                        inactive_rows: None,
                        share_inactive: None,
                    });
                }
            }
            let personal_kinds: Vec<&Kind> = text
                .counts
                .keys()
                .filter(|kind| kind.is_personal() && **kind != Kind::IpAddress)
                .collect();
            if is_web_log(source) && !personal_kinds.is_empty() {
                risks.push(RiskOut {
                    flag: "personal_data_in_web_log",
                    source: source.source.clone(),
                    location: String::new(),
                    kind: None,
                    shared_values: None,
                    inactive_rows: None,
                    share_inactive: None,
                });
            }
            if !text.fingerprints.is_empty() {
                places.push(Place {
                    source: &source.source,
                    location: String::new(),
                    kind: None,
                    fingerprints: text.fingerprints.clone(),
                });
            }
        }
        if is_exposed && has_personal {
            risks.push(RiskOut {
                flag: "export_in_web_folder",
                source: source.source.clone(),
                location: String::new(),
                kind: None,
                shared_values: None,
                inactive_rows: None,
                share_inactive: None,
            });
        }
        sources.push(SourceOut {
            source: source.source.clone(),
            format: source.format.clone(),
            encoding: source.encoding.clone(),
            sampling: source.sampling.clone(),
            tables: source
                .tables
                .iter()
                .map(|table| TableOut {
                    table: table.table.clone(),
                    rows_sampled: table.rows_sampled,
                    rows_total: table.rows_total,
                    columns_scanned: table.n_columns,
                })
                .collect(),
            lines: source.text.as_ref().map(|text| text.lines),
            problems: source
                .problems
                .iter()
                .map(|problem| ProblemOut {
                    location: problem.location.clone(),
                    message: problem.message.clone(),
                })
                .collect(),
        });
    }
    risks.extend(copies(&places));
    let summary = SummaryOut {
        sources: sources.len(),
        sources_with_problems: sources.iter().filter(|source| !source.problems.is_empty()).count(),
        findings: findings.len(),
        spans: n_spans,
        risks: risks.len(),
    };
    ScanDocument {
        version: SCAN_OUTPUT_VERSION,
        command: "scan",
        sources,
        findings,
        spans,
        span_counts,
        risks,
        summary,
    }
}

/// `kind count` for each kind of span found in free text of `source`.
fn span_counts(document: &ScanDocument, source: &str, language: Language) -> Vec<String> {
    document
        .span_counts
        .iter()
        .filter(|count| count.source == source)
        .map(|count| format!("{} {}", kind_label(count.kind, language), count.count))
        .collect()
}

fn kind_label(kind: &str, language: Language) -> String {
    match (Kind::parse(kind), language) {
        (Some(kind), Language::TraditionalChinese) => kind.label_zh().to_owned(),
        _ => kind.to_owned(),
    }
}

fn risk_text(flag: &str, language: Language) -> &'static str {
    match (flag, language) {
        ("identifier_in_clear", Language::English) => "identity or card numbers stored in clear",
        ("identifier_in_clear", Language::TraditionalChinese) => "身分證字號或卡號以明文保存",
        ("personal_data_in_web_log", Language::English) => {
            "personal data in a web server log (URLs)"
        }
        ("personal_data_in_web_log", Language::TraditionalChinese) => "網站記錄檔（網址）中含個資",
        ("copied_in_several_places", Language::English) => {
            "the same personal data kept in several places"
        }
        ("copied_in_several_places", Language::TraditionalChinese) => "相同個資存放於多處",
        ("export_in_web_folder", Language::English) => {
            "personal data in a folder the web server serves"
        }
        ("export_in_web_folder", Language::TraditionalChinese) => "個資檔案位於網站可下載的目錄",
        ("inactive_members_kept", Language::English) => {
            "members inactive for more than three years still kept"
        }
        ("inactive_members_kept", Language::TraditionalChinese) => "仍保存逾三年未活動的會員資料",
        (_, _) => "risk",
    }
}

/// For `inactive_members_kept`: how many sampled rows and what share.
fn inactive_text(risk: &RiskOut, language: Language) -> String {
    match (risk.inactive_rows, risk.share_inactive, language) {
        (Some(rows), Some(share), Language::TraditionalChinese) => {
            format!("，抽樣中 {rows} 筆（{:.1}%）", share * 100.0)
        }
        (Some(rows), Some(share), Language::English) => {
            format!(", {rows} sampled rows ({:.1}%)", share * 100.0)
        }
        _ => String::new(),
    }
}

fn render(document: &ScanDocument, language: Language) -> String {
    let zh = language == Language::TraditionalChinese;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        if zh { "個人資料盤點（個資檔案清冊）" } else { "Personal-data inventory" }
    );
    for source in &document.sources {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} [{}{}] {}",
            source.source,
            source.format,
            source.encoding.as_deref().map(|encoding| format!(", {encoding}")).unwrap_or_default(),
            source.sampling
        );
        for problem in &source.problems {
            let location = if problem.location.is_empty() {
                String::new()
            } else {
                format!("{}: ", problem.location)
            };
            let _ = writeln!(
                out,
                "  {} {location}{}",
                if zh { "問題" } else { "problem" },
                problem.message
            );
        }
        for finding in document.findings.iter().filter(|finding| finding.source == source.source) {
            let _ = writeln!(
                out,
                "  {}.{}  {}  {}/{} ({:.0}%){}  {}",
                finding.table,
                finding.column,
                kind_label(finding.kind, language),
                finding.matches,
                finding.non_empty,
                finding.share_valid * 100.0,
                if finding.decided_by == "name" {
                    if zh { " 依欄位名稱" } else { " by column name" }
                } else {
                    ""
                },
                finding.masked_sample.as_deref().unwrap_or("")
            );
        }
        let counts = span_counts(document, &source.source, language);
        if !counts.is_empty() {
            let _ = writeln!(
                out,
                "  {} {} {}: {}",
                source.lines.unwrap_or(0),
                if zh { "行" } else { "lines" },
                if zh { "中找到" } else { "scanned, found" },
                counts.join(", ")
            );
            for span in document.spans.iter().filter(|span| span.source == source.source).take(5) {
                let _ = writeln!(
                    out,
                    "    {} {} {}-{} {} {}",
                    if zh { "第" } else { "line" },
                    span.line,
                    span.start_byte,
                    span.end_byte,
                    kind_label(span.kind, language),
                    span.masked
                );
            }
        }
        if source.problems.is_empty()
            && !document.findings.iter().any(|finding| finding.source == source.source)
            && counts.is_empty()
        {
            let _ = writeln!(out, "  {}", if zh { "未發現個資" } else { "no personal data found" });
        }
    }
    if !document.risks.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", if zh { "風險" } else { "Risks" });
        for risk in &document.risks {
            let kind = risk
                .kind
                .map(|kind| format!(" ({})", kind_label(kind, language)))
                .unwrap_or_default();
            let place = match risk.shared_values {
                // A copy: the location names both places.
                Some(_) => risk.location.clone(),
                None if risk.location.is_empty() => risk.source.clone(),
                None => format!("{} {}", risk.source, risk.location),
            };
            let shared = match risk.shared_values {
                Some(shared) if zh => format!("，{shared} 筆相同資料"),
                Some(shared) => format!(", {shared} values in common"),
                None => inactive_text(risk, language),
            };
            let _ = writeln!(out, "  {}: {place}{kind}{shared}", risk_text(risk.flag, language));
        }
    }
    out
}

/// Runs `leakguard scan`. Exit status 1 when some source could not be read
/// at all (the report still covers the rest).
pub(crate) fn run(args: &ScanArgs, language: Language) -> anyhow::Result<ExitCode> {
    // The scan's start is the reference of the retention flag.
    let started = model::Clock::now(&model::SystemClock);
    let options = ScanOptions {
        max_rows: args.max_rows,
        statement_timeout: Duration::from_secs(args.timeout.max(1)),
        reference_date: Some(pii::CivilDate::from_unix_secs(started.as_unix_secs())),
        ..ScanOptions::default()
    };
    let report = pii_scan::scan(&args.sources, &options);
    let document = build_document(&report, &args.web_roots);
    if let Some(path) = &args.html {
        std::fs::write(path, render_html(&document, language))
            .with_context(|| format!("writing the html report to {}", path.display()))?;
    }
    if let Some(path) = &args.inventory_csv {
        std::fs::write(path, inventory_csv(&document))
            .with_context(|| format!("writing the inventory to {}", path.display()))?;
    }
    if let Some(path) = &args.inventory_xlsx {
        std::fs::write(path, inventory_xlsx(&document, language))
            .with_context(|| format!("writing the inventory to {}", path.display()))?;
    }
    let mut stdout = std::io::stdout().lock();
    match args.output {
        OutputFormat::Text => stdout.write_all(render(&document, language).as_bytes())?,
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
    }
    // Binary files and workbooks in a folder are reported, not failures; a
    // file or database that could not be opened at all is.
    let has_unreadable = report.sources.iter().any(|source| {
        let is_database = matches!(source.format.as_str(), "sqlite" | "postgres" | "mysql");
        source.format == "unreadable"
            || (is_database && source.tables.is_empty() && !source.problems.is_empty())
    });
    Ok(if has_unreadable { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests;
