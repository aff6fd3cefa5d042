//! `leakguard eval`: measure leakguard against data written by others.
//!
//! `eval parse` reads every public real log in `corpus/real-logs/` and every
//! access-log and error-log sample of the fail2ban and CrowdSec test suites in
//! `corpus/peers/` that is written in a format leakguard reads, and reports any
//! line that does not parse, with its file, line and reason. It fails (exit 1)
//! when a line of a supported format does not parse.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use parsers::{FormatSpec, Parser, ParserOptions};
use pipeline::{FormatChoice, Processor, SummaryLimits};
use serde::Serialize;

use crate::cli::OutputFormat;

/// fail2ban sample files written in formats leakguard reads, with that format.
const FAIL2BAN_FILES: &[(&str, &str)] = &[
    ("apache-badbots", "combined"),
    ("apache-shellshock", "apache-error"),
    ("nginx-bad-request", "combined"),
    ("nginx-botsearch", "nginx"),
    ("php-url-fopen", "combined"),
    ("traefik-auth", "combined"),
    ("nginx-http-auth", "nginx-error"),
    ("nginx-limit-req", "nginx-error"),
    ("nginx-forbidden", "nginx-error"),
];

/// CrowdSec test log types written in formats leakguard reads.
const CROWDSEC_LOG_TYPES: &[&str] = &["nginx", "apache2"];

#[derive(Debug, Serialize)]
struct FileResult {
    corpus: &'static str,
    file: String,
    format: String,
    lines: u64,
    parsed: u64,
    failures: Vec<Failure>,
}

#[derive(Debug, Serialize)]
struct Failure {
    line: u64,
    reason: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct ParseEvaluation {
    version: u32,
    command: &'static str,
    files: Vec<FileResult>,
    lines: u64,
    parsed: u64,
    failed: u64,
}

/// The formats a sample file's lines may be in (access and error logs mixed).
fn sample_formats(name: &str) -> Vec<FormatSpec> {
    match name {
        "nginx-error" => vec![FormatSpec::NginxError],
        "apache-error" => vec![FormatSpec::ApacheError],
        "nginx" => vec![FormatSpec::Combined, FormatSpec::NginxError],
        _ => vec![FormatSpec::Combined],
    }
}

/// Real logs: read like `analyze` does (format detected per file).
fn evaluate_real_log(path: &Path, corpus_root: &Path) -> anyhow::Result<FileResult> {
    let display = path.strip_prefix(corpus_root).unwrap_or(path).display().to_string();
    let mut processor = Processor::new(
        FormatChoice::Auto,
        ParserOptions::default(),
        SummaryLimits { error_samples: 50, ..SummaryLimits::default() },
    );
    let args = vec![path.display().to_string()];
    crate::analyze::analyze_sources(&args, &mut processor, 1 << 20, false)?;
    let summary = processor.summary();
    let source = summary.sources.first().context("the real log was read")?;
    Ok(FileResult {
        corpus: "real-logs",
        file: display,
        format: source.format.clone(),
        lines: summary.lines - summary.issues.blank,
        parsed: summary.events,
        failures: summary
            .error_samples
            .iter()
            .map(|sample| Failure {
                line: sample.line,
                reason: sample.message.clone(),
                text: sample.text.clone(),
            })
            .collect(),
    })
}

/// Annotated samples: every line that is not a comment or blank must parse.
fn evaluate_sample(
    corpus: &'static str,
    path: &Path,
    corpus_root: &Path,
    specs: &[FormatSpec],
) -> anyhow::Result<FileResult> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&text);
    let parsers: Vec<Parser> = specs
        .iter()
        .map(|spec| Parser::compile(spec, &ParserOptions::default()))
        .collect::<Result<_, _>>()?;
    let mut result = FileResult {
        corpus,
        file: path.strip_prefix(corpus_root).unwrap_or(path).display().to_string(),
        format: specs.iter().map(FormatSpec::name).collect::<Vec<_>>().join(" or "),
        lines: 0,
        parsed: 0,
        failures: Vec::new(),
    };
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        result.lines += 1;
        let mut first_error = None;
        for parser in &parsers {
            match parser.parse(line) {
                Ok(_) => {
                    first_error = None;
                    break;
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            None => result.parsed += 1,
            Some(error) => result.failures.push(Failure {
                line: idx as u64 + 1,
                reason: error.to_string(),
                text: line.chars().take(160).collect(),
            }),
        }
    }
    Ok(result)
}

fn crowdsec_log_file(test_dir: &Path) -> Option<(String, PathBuf)> {
    let config = std::fs::read_to_string(test_dir.join("config.yaml")).ok()?;
    let field = |key: &str| {
        config.lines().find_map(|line| line.strip_prefix(key).map(|value| value.trim().to_owned()))
    };
    let log_type = field("log_type:")?;
    let log_file = field("log_file:")?;
    Some((log_type, test_dir.join(log_file)))
}

fn sorted_entries(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

pub(crate) fn run_parse(corpus: &Path, output: OutputFormat) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    let real_logs = corpus.join("real-logs");
    for dir in sorted_entries(&real_logs)? {
        if !dir.is_dir() {
            continue;
        }
        for path in sorted_entries(&dir)? {
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
            if name.ends_with(".log.zst") || name.ends_with(".log") {
                files.push(evaluate_real_log(&path, corpus)?);
            }
        }
    }
    let fail2ban = corpus.join("peers/fail2ban/logs");
    for (name, format) in FAIL2BAN_FILES {
        files.push(evaluate_sample(
            "fail2ban",
            &fail2ban.join(name),
            corpus,
            &sample_formats(format),
        )?);
    }
    let crowdsec_specs =
        [FormatSpec::Combined, FormatSpec::Common, FormatSpec::NginxError, FormatSpec::ApacheError];
    for test_dir in sorted_entries(&corpus.join("peers/crowdsec/tests"))? {
        let Some((log_type, log_file)) = crowdsec_log_file(&test_dir) else { continue };
        if CROWDSEC_LOG_TYPES.contains(&log_type.as_str()) && log_file.exists() {
            files.push(evaluate_sample("crowdsec", &log_file, corpus, &crowdsec_specs)?);
        }
    }
    let lines = files.iter().map(|file| file.lines).sum();
    let parsed = files.iter().map(|file| file.parsed).sum();
    let evaluation = ParseEvaluation {
        version: 1,
        command: "eval parse",
        files,
        lines,
        parsed,
        failed: lines - parsed,
    };
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &evaluation)?;
            writeln!(stdout)?;
        }
        OutputFormat::Text => stdout.write_all(render(&evaluation).as_bytes())?,
    }
    Ok(if evaluation.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn render(evaluation: &ParseEvaluation) -> String {
    let mut out = String::new();
    let _ =
        writeln!(out, "parse evaluation: every line of the supported public logs and peer samples");
    let _ = writeln!(
        out,
        "{:<10} {:<62} {:<28} {:>7} {:>7} {:>6}",
        "corpus", "file", "format", "lines", "parsed", "failed"
    );
    for file in &evaluation.files {
        let _ = writeln!(
            out,
            "{:<10} {:<62} {:<28} {:>7} {:>7} {:>6}",
            file.corpus,
            file.file,
            file.format,
            file.lines,
            file.parsed,
            file.lines - file.parsed
        );
        for failure in &file.failures {
            let _ = writeln!(out, "    {}:{}: {}", file.file, failure.line, failure.reason);
            let _ = writeln!(out, "      | {}", failure.text);
        }
    }
    let _ = writeln!(
        out,
        "\ntotal: {} lines in {} files, {} parsed, {} failed",
        evaluation.lines,
        evaluation.files.len(),
        evaluation.parsed,
        evaluation.failed
    );
    out
}
