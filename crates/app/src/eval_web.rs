//! `leakguard eval web-attacks`: the payload detectors measured against
//! others' labelled data in `corpus/web-attacks/` (its README describes it):
//! the OWASP CRS regression requests an access log shows, libinjection's SQLi
//! and XSS samples, the mgm WAF payload lists (sent as query values), the
//! HttpParams dataset, and benign traffic (a real Apache log, popular user
//! agents, shop form values, libinjection's false-positive list).
//!
//! Prints recall (attack sets) or false-positive rate (benign sets) per source
//! and category, and fails (exit 1) when a target is missed:
//!
//! - CRS records at paranoia levels 1-2, without a body, a derived URI or a
//!   label conflict, categories sqli, xss, lfi, rfi, rce: recall at least 95%
//!   per category;
//! - every benign set, and the CRS records labelled benign at paranoia 1-2:
//!   false positives at most 0.5%.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use payloads::{Detector, Request, inspect};
use serde::Serialize;

use crate::cli::OutputFormat;

/// Runs the evaluation on `corpus` (the folder holding `web-attacks/`).
pub(crate) fn run_web_attacks(
    corpus: &Path,
    output: OutputFormat,
    show_misses: usize,
    show_fps: usize,
) -> anyhow::Result<ExitCode> {
    let dir = corpus.join("web-attacks");
    let cases = load::all(&dir)
        .map_err(|error| anyhow::anyhow!("cannot load the corpus in {}: {error}", dir.display()))?;
    let started = Instant::now();
    let report = score(&cases);
    let elapsed = started.elapsed().as_secs_f64();
    let rows = report.results(show_misses, show_fps);
    let is_ok = rows.iter().all(|row| row.is_met);
    let evaluation = WebEvaluation {
        version: 1,
        command: "eval web-attacks",
        rows,
        is_ok,
        requests_per_second: cases.len() as f64 / elapsed.max(1e-9),
    };
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &evaluation)?;
            writeln!(stdout)?;
        }
        OutputFormat::Text => stdout.write_all(render(&evaluation).as_bytes())?,
    }
    Ok(if is_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// What a case should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Attack,
    Benign,
}

/// One labelled request.
#[derive(Debug, Clone)]
struct Case {
    source: &'static str,
    category: String,
    label: Label,
    /// Whether this row has a target (and which kind the label implies).
    has_target: bool,
    path: String,
    query: String,
    user_agent: String,
    referer: String,
}

impl Case {
    fn request(&self) -> Request<'_> {
        Request {
            path: &self.path,
            query: &self.query,
            user_agent: &self.user_agent,
            referer: &self.referer,
        }
    }

    /// The detectors an attack of this category should trigger.
    fn expected_detectors(&self) -> &'static [Detector] {
        match self.category.as_str() {
            "sqli" => &[Detector::Sqli],
            "xss" => &[Detector::Xss],
            "lfi" | "traversal" | "path-traversal" | "xxe" => &[Detector::Traversal],
            "rfi" => &[Detector::Rfi, Detector::Traversal],
            "rce" | "cmdexe" | "cmdi" => {
                &[Detector::Rce, Detector::Shellshock, Detector::Log4shell]
            }
            "php" | "java" => &[Detector::CodeInjection, Detector::Rce],
            "log4shell" => &[Detector::Log4shell],
            "shellshock" => &[Detector::Shellshock],
            "scanner" => &[Detector::Scanner],
            _ => &[],
        }
    }
}

#[derive(Debug, Default)]
struct Row {
    n: usize,
    /// Cases with at least one verdict.
    n_flagged: usize,
    /// Attack cases flagged by one of the category's own detectors.
    n_expected: usize,
    has_target: bool,
    misses: Vec<String>,
    false_positives: Vec<String>,
}

#[derive(Debug, Default)]
struct Report {
    rows: BTreeMap<(&'static str, Label, String), Row>,
}

fn score(cases: &[Case]) -> Report {
    let mut report = Report::default();
    for case in cases {
        let verdicts = inspect(&case.request());
        // CRS benign records are one set: the target is on their total.
        let is_crs_benign = case.source == "crs" && case.label == Label::Benign;
        if is_crs_benign {
            let total = report
                .rows
                .entry((case.source, case.label, "(all categories)".to_owned()))
                .or_default();
            total.n += 1;
            total.has_target = true;
            total.n_flagged += usize::from(!verdicts.is_empty());
        }
        let key = (case.source, case.label, case.category.clone());
        let row = report.rows.entry(key).or_default();
        row.n += 1;
        row.has_target |= case.has_target && !is_crs_benign;
        let shown = || {
            let mut text = format!("{}?{}", case.path, case.query);
            if !case.user_agent.is_empty() {
                text.push_str(&format!("  UA={}", case.user_agent));
            }
            text.chars().take(220).collect::<String>()
        };
        if !verdicts.is_empty() {
            row.n_flagged += 1;
            if case.label == Label::Benign && row.false_positives.len() < 1000 {
                let verdict = &verdicts[0];
                row.false_positives.push(format!("{}  => {verdict}", shown()));
            }
        } else if case.label == Label::Attack && row.misses.len() < 1000 {
            row.misses.push(shown());
        }
        if verdicts.iter().any(|verdict| case.expected_detectors().contains(&verdict.detector)) {
            row.n_expected += 1;
        }
    }
    report
}

const RECALL_TARGET: f64 = 95.0;
const FP_TARGET: f64 = 0.5;

/// One row of the evaluation, as printed and as JSON.
#[derive(Debug, Serialize)]
struct RowResult {
    source: &'static str,
    label: &'static str,
    category: String,
    cases: usize,
    flagged: usize,
    /// Percentage of cases flagged: recall for attacks, false-positive rate for benign sets.
    rate: f64,
    /// For attacks: the percentage flagged by the category's own detectors.
    own_detector_rate: Option<f64>,
    /// The target (`>= 95% recall`, `<= 0.5% FP`), when the issue sets one.
    target: Option<String>,
    is_met: bool,
    misses: Vec<String>,
    false_positives: Vec<String>,
}

#[derive(Debug, Serialize)]
struct WebEvaluation {
    version: u32,
    command: &'static str,
    rows: Vec<RowResult>,
    is_ok: bool,
    /// Requests inspected per second over the whole corpus (one core).
    requests_per_second: f64,
}

impl Report {
    fn results(&self, show_misses: usize, show_fps: usize) -> Vec<RowResult> {
        let mut results = Vec::new();
        for ((source, label, category), row) in &self.rows {
            let rate = 100.0 * row.n_flagged as f64 / row.n.max(1) as f64;
            let own = 100.0 * row.n_expected as f64 / row.n.max(1) as f64;
            let (target, is_met) = match (label, row.has_target) {
                (Label::Attack, true) => {
                    (Some(format!(">= {RECALL_TARGET}% recall")), rate >= RECALL_TARGET)
                }
                (Label::Benign, true) => (Some(format!("<= {FP_TARGET}% FP")), rate <= FP_TARGET),
                _ => (None, true),
            };
            results.push(RowResult {
                source,
                label: match label {
                    Label::Attack => "attack",
                    Label::Benign => "benign",
                },
                category: category.clone(),
                cases: row.n,
                flagged: row.n_flagged,
                rate,
                own_detector_rate: (*label == Label::Attack).then_some(own),
                target,
                is_met,
                misses: row.misses.iter().take(show_misses).cloned().collect(),
                false_positives: row.false_positives.iter().take(show_fps).cloned().collect(),
            });
        }
        results
    }
}

fn render(evaluation: &WebEvaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "web-attack evaluation: recall on attack sets, false positives on benign sets"
    );
    let _ = writeln!(
        out,
        "{:<12} {:<8} {:<22} {:>7} {:>8} {:>8} {:>10}  target",
        "source", "label", "category", "cases", "flagged", "rate %", "own det %"
    );
    for row in &evaluation.rows {
        let own = row.own_detector_rate.map(|own| format!("{own:.1}")).unwrap_or_default();
        let mark = match (&row.target, row.is_met) {
            (None, _) => "",
            (Some(_), true) => "ok",
            (Some(_), false) => "MISSED",
        };
        let _ = writeln!(
            out,
            "{:<12} {:<8} {:<22} {:>7} {:>8} {:>8.2} {own:>10}  {} {mark}",
            row.source,
            row.label,
            row.category,
            row.cases,
            row.flagged,
            row.rate,
            row.target.as_deref().unwrap_or_default(),
        );
        for miss in &row.misses {
            let _ = writeln!(out, "      miss: {miss}");
        }
        for fp in &row.false_positives {
            let _ = writeln!(out, "      fp:   {fp}");
        }
    }
    let _ = writeln!(
        out,
        "\n{:.0} requests/s through the detectors; {}",
        evaluation.requests_per_second,
        if evaluation.is_ok { "all targets met" } else { "some targets MISSED" }
    );
    out
}

/// Reading the corpus into cases: plain std IO, one function per source.
mod load {
    use std::io;
    use std::path::Path;

    use super::{Case, Label};

    type Result<T> = std::result::Result<T, String>;

    pub(super) fn all(dir: &Path) -> Result<Vec<Case>> {
        let mut cases = Vec::new();
        crs(dir, &mut cases)?;
        libinjection(dir, &mut cases)?;
        mgm(dir, &mut cases)?;
        httpparams(dir, &mut cases)?;
        benign(dir, &mut cases)?;
        Ok(cases)
    }

    fn read(path: &Path) -> Result<String> {
        let bytes = std::fs::read(path)
            .map_err(|error: io::Error| format!("{}: {error}", path.display()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn case(source: &'static str, category: &str, label: Label, has_target: bool) -> Case {
        Case {
            source,
            category: category.to_owned(),
            label,
            has_target,
            path: "/".to_owned(),
            query: String::new(),
            user_agent: String::new(),
            referer: String::new(),
        }
    }

    /// Splits a request target into path and query.
    fn split_target(target: &str) -> (String, String) {
        match target.split_once('?') {
            Some((path, query)) => (path.to_owned(), query.to_owned()),
            None => (target.to_owned(), String::new()),
        }
    }

    /// Percent-encodes a payload the way the mgm collection was sent: every
    /// byte but unreserved ones, with `%25` turned back into `%` so that
    /// payloads already encoded go out as written.
    pub(super) fn encode(payload: &str) -> String {
        let mut out = String::with_capacity(payload.len() * 3);
        for byte in payload.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(byte));
            } else if byte == b'%' {
                out.push('%');
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }

    /// CRS regression records an access log shows, at paranoia levels 1-2.
    fn crs(dir: &Path, cases: &mut Vec<Case>) -> Result<()> {
        const TARGETED: &[&str] = &["sqli", "xss", "lfi", "rfi", "rce"];
        for line in read(&dir.join("crs-train.jsonl"))?.lines() {
            let record: serde_json::Value =
                serde_json::from_str(line).map_err(|e| e.to_string())?;
            let text =
                |key: &str| record.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let flag =
                |key: &str| record.get(key).and_then(serde_json::Value::as_bool).unwrap_or(false);
            let level = record.get("paranoia_level").and_then(serde_json::Value::as_u64);
            let has_derived = record.get("derived_uri").is_some_and(|v| !v.is_null());
            if flag("has_body")
                || has_derived
                || flag("label_conflict")
                || !matches!(level, Some(1 | 2))
            {
                continue;
            }
            let category = text("category");
            let label = if text("expected") == "attack" { Label::Attack } else { Label::Benign };
            let has_target = label == Label::Benign || TARGETED.contains(&category.as_str());
            let mut case = case("crs", &category, label, has_target);
            (case.path, case.query) = split_target(&text("uri"));
            case.user_agent = text("user_agent");
            case.referer = text("referer");
            cases.push(case);
        }
        Ok(())
    }

    fn lines(text: &str) -> impl Iterator<Item = &str> {
        text.lines().filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
    }

    /// libinjection samples: URL-encoded query values.
    fn libinjection(dir: &Path, cases: &mut Vec<Case>) -> Result<()> {
        let dir = dir.join("libinjection");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        for name in names {
            let category = if name.starts_with("sqli-") {
                "sqli"
            } else if name.starts_with("xss-") || name.starts_with("tbd-xss-") {
                "xss"
            } else if name == "false_positives.txt" {
                "false_positives"
            } else {
                continue;
            };
            let label = if category == "false_positives" { Label::Benign } else { Label::Attack };
            for line in lines(&read(&dir.join(&name))?) {
                let mut case = case("libinjection", category, label, label == Label::Benign);
                case.query = format!("q={line}");
                cases.push(case);
            }
        }
        Ok(())
    }

    /// mgm WAF payloads, sent as `tp_param`.
    fn mgm(dir: &Path, cases: &mut Vec<Case>) -> Result<()> {
        let dir = dir.join("mgm-waf-payloads");
        for category in ["cmdexe", "log4shell", "shellshock", "sqli", "traversal", "xss", "xxe"] {
            for (file, label) in
                [("true-positives.txt", Label::Attack), ("false-positives.txt", Label::Benign)]
            {
                for line in read(&dir.join(category).join(file))?.lines().filter(|l| !l.is_empty())
                {
                    let mut case = case("mgm", category, label, false);
                    case.query = format!("tp_param={}", encode(line));
                    cases.push(case);
                }
            }
        }
        Ok(())
    }

    /// HttpParams: decoded parameter values; attacks only (its benign values
    /// are in `benign/`).
    fn httpparams(dir: &Path, cases: &mut Vec<Case>) -> Result<()> {
        let text = read(&dir.join("httpparams").join("payload_full.csv"))?;
        for record in csv_records(&text).skip(1) {
            let [payload, _, attack_type, label] = record.as_slice() else { continue };
            if label != "anom" {
                continue;
            }
            let mut case = case("httpparams", attack_type, Label::Attack, false);
            case.query = format!("q={}", encode_strict(payload));
            cases.push(case);
        }
        Ok(())
    }

    /// Percent-encodes every byte but unreserved ones (a `%` included).
    fn encode_strict(payload: &str) -> String {
        encode(&payload.replace('%', "\u{1}")).replace("%01", "%25")
    }

    /// A minimal CSV reader: quoted fields with doubled quotes, newlines
    /// inside quotes.
    fn csv_records(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
        let mut chars = text.chars().peekable();
        std::iter::from_fn(move || {
            chars.peek()?;
            let mut record = Vec::new();
            let mut field = String::new();
            let mut in_quotes = false;
            while let Some(ch) = chars.next() {
                match ch {
                    '"' if in_quotes && chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => in_quotes = !in_quotes,
                    ',' if !in_quotes => record.push(std::mem::take(&mut field)),
                    '\n' if !in_quotes => break,
                    '\r' if !in_quotes => {}
                    _ => field.push(ch),
                }
            }
            record.push(field);
            Some(record)
        })
    }

    fn benign(dir: &Path, cases: &mut Vec<Case>) -> Result<()> {
        let dir = dir.join("benign");
        for line in read(&dir.join("elastic-apache-access-2015.jsonl"))?.lines() {
            let record: serde_json::Value =
                serde_json::from_str(line).map_err(|e| e.to_string())?;
            let text =
                |key: &str| record.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let is_probe =
                record.get("suspect_probe").and_then(serde_json::Value::as_bool).unwrap_or(false);
            let (category, label) = if is_probe {
                ("suspect_probe", Label::Attack)
            } else {
                ("apache_log", Label::Benign)
            };
            let mut case = case("benign", category, label, label == Label::Benign);
            (case.path, case.query) = split_target(&text("uri"));
            case.user_agent = text("user_agent");
            cases.push(case);
        }
        for line in lines(&read(&dir.join("crs-popular-user-agents.txt"))?) {
            let mut case = case("benign", "user_agents", Label::Benign, true);
            case.user_agent = line.to_owned();
            cases.push(case);
        }
        for line in
            read(&dir.join("httpparams-benign-values.txt"))?.lines().filter(|l| !l.is_empty())
        {
            let mut case = case("benign", "httpparams_values", Label::Benign, true);
            case.query = format!("q={}", encode_strict(line));
            cases.push(case);
        }
        for line in lines(&read(&dir.join("libinjection-false-positives.txt"))?) {
            let mut case = case("benign", "libinjection_fps", Label::Benign, true);
            case.query = format!("q={line}");
            cases.push(case);
        }
        Ok(())
    }
}
