//! `leakguard eval peers`: the shipped rule pack scored against the labelled
//! samples of two other open-source blockers, fail2ban and CrowdSec
//! (`corpus/peers/`, whose README describes the data and how to score it).
//!
//! **fail2ban** labels single lines. A `match: true` line must be recognised
//! as an attack signal and blamed on its `host`; a `match: false` line must
//! not be recognised. A line is *flagged* when its event meets the `where` of
//! - any `match` rule of the pack (one such event is an alert on its own), or
//! - one of the rules [`FAIL2BAN_FILES`] lists for the file's behaviour,
//!   whatever their kind: the event then counts toward that rule's threshold,
//!   which is what fail2ban's `maxretry` does with a matching line.
//!
//! Only the files written in a format leakguard reads are scored. Lines that
//! are labelled only under a filter mode leakguard does not implement are
//! reported apart and not scored: nginx-http-auth `fallback` and `aggressive`
//! treat TLS handshake failures as attacks, and traefik-auth `ddos` and
//! `aggressive` flag 401 answers to requests that sent no credentials.
//!
//! **CrowdSec** labels sequences: "this address must be flagged for this
//! behaviour". Each test's log is replayed in file order through a fresh
//! engine running the whole pack, on the lines' own time; private, loopback
//! and documentation addresses are not allowlisted. Our alerts become
//! (scenario, address) pairs through [`CROWDSEC_SCENARIOS`], which maps our
//! rule ids to the scenario names CrowdSec gives its alerts. A case passes
//! when, for the scenarios it exercises, our pairs equal the expected ones;
//! alerts of other rules are listed but do not count. Tests in a log format
//! leakguard does not read are reported as such.
//!
//! The command fails (exit 1) when a scored fail2ban line or one of the
//! [`REQUIRED_CROWDSEC`] cases fails.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use detection::{Engine, EngineLimits, Evidence};
use model::{Action, Alert, Event, KeyKind};
use parsers::{FormatSpec, Parser, ParserOptions};
use rules::{Facts, RuleKind, RuleSet, Site};
use serde::{Deserialize, Serialize};

use crate::cli::OutputFormat;
use crate::rule_pack::{self, RuleSources};

/// A fail2ban sample file leakguard reads, and the rules of its behaviour.
#[derive(Debug)]
struct Fail2banFile {
    /// The file (and fail2ban filter) name.
    name: &'static str,
    /// The formats its lines are in, tried in order.
    formats: &'static [&'static str],
    /// The README's category, for the report.
    category: &'static str,
    /// Our rules for that behaviour: a line meeting one's `where` is flagged.
    rules: &'static [&'static str],
}

/// The fail2ban files scored, with our rules for each behaviour.
const FAIL2BAN_FILES: &[Fail2banFile] = &[
    Fail2banFile {
        name: "apache-badbots",
        formats: &["combined"],
        category: "scanner/probe",
        rules: &["lg-bad-user-agent"],
    },
    Fail2banFile {
        name: "apache-shellshock",
        formats: &["apache-error", "combined"],
        category: "exploit attempt",
        rules: &["lg-shellshock"],
    },
    Fail2banFile {
        name: "nginx-bad-request",
        formats: &["combined"],
        category: "scanner/probe",
        // A malformed request line, or a 400 answer counted toward a probing burst.
        rules: &["lg-bad-request", "lg-probe-burst"],
    },
    Fail2banFile {
        name: "nginx-botsearch",
        formats: &["combined", "nginx-error"],
        category: "scanner/probe",
        rules: &["lg-admin-interface-probe", "lg-sensitive-file-probe"],
    },
    Fail2banFile {
        name: "php-url-fopen",
        formats: &["combined"],
        category: "exploit attempt",
        rules: &["lg-remote-file-inclusion"],
    },
    Fail2banFile {
        name: "traefik-auth",
        formats: &["combined"],
        category: "HTTP auth failure",
        rules: &["lg-basic-auth-401"],
    },
    Fail2banFile {
        name: "nginx-http-auth",
        formats: &["nginx-error"],
        category: "HTTP auth failure",
        rules: &["lg-basic-auth-errorlog"],
    },
    Fail2banFile {
        name: "nginx-limit-req",
        formats: &["nginx-error"],
        category: "rate-limit",
        rules: &["lg-rate-limit-exceeded"],
    },
    Fail2banFile {
        name: "nginx-forbidden",
        formats: &["nginx-error"],
        category: "scanner/probe",
        rules: &["lg-forbidden-by-rule"],
    },
];

/// fail2ban filter modes whose labels leakguard's rules implement; a line
/// labelled under none of them (and not under the default mode) is not scored.
const SCORED_MODES: &[&str] = &["normal", "auth"];

/// Our rule ids and the CrowdSec scenarios (as their alerts name them) that
/// detect the same behaviour.
const CROWDSEC_SCENARIOS: &[(&str, &[&str])] = &[
    ("lg-basic-auth-errorlog", &["crowdsecurity/http-generic-bf"]),
    // CrowdSec's generic rule also counts access-log basic-auth failures (Caddy).
    ("lg-basic-auth-401", &["LePresidente/http-generic-401-bf", "crowdsecurity/http-generic-bf"]),
    (
        "lg-admin-login-bruteforce",
        &["crowdsecurity/http-bf-wordpress_bf", "crowdsecurity/http-magento-bf"],
    ),
    ("lg-sensitive-file-probe", &["crowdsecurity/http-sensitive-files"]),
    ("lg-probe-burst", &["crowdsecurity/http-probing"]),
    ("lg-admin-interface-probe", &["crowdsecurity/http-admin-interface-probing"]),
    ("lg-wordpress-scan", &["crowdsecurity/http-wordpress-scan"]),
    ("lg-wp-config-probe", &["crowdsecurity/http-wordpress_wpconfig"]),
    ("lg-webshell-probe", &["crowdsecurity/http-backdoors-attempts"]),
    ("lg-bad-user-agent", &["crowdsecurity/http-bad-user-agent"]),
    ("lg-sql-injection", &["crowdsecurity/http-sqli-probbing-detection"]),
    ("lg-xss-probe", &["crowdsecurity/http-xss-probbing"]),
    ("lg-path-traversal", &["crowdsecurity/http-path-traversal-probing"]),
    ("lg-rate-limit-exceeded", &["crowdsecurity/nginx-req-limit-exceeded"]),
    ("lg-crawl-burst", &["crowdsecurity/http-crawl-non_statics"]),
    ("lg-open-proxy-probe", &["crowdsecurity/http-open-proxy"]),
    ("lg-wordpress-user-enum", &["crowdsecurity/http-wordpress_user-enum"]),
    // One address rotating through user agents (issue 5: distinct values per IP).
    ("lg-switching-user-agents", &["crowdsecurity/http-dos-swithcing-ua"]),
    // CrowdSec's probing rule counts 400 answers to malformed requests too.
    ("lg-bad-request", &["crowdsecurity/http-probing"]),
];

/// Scenario file names that differ from the names their alerts carry.
const SCENARIO_ALIASES: &[(&str, &str)] = &[
    ("crowdsecurity/http-sqli-probing", "crowdsecurity/http-sqli-probbing-detection"),
    ("crowdsecurity/http-xss-probing", "crowdsecurity/http-xss-probbing"),
    ("crowdsecurity/http-dos-switching-ua", "crowdsecurity/http-dos-swithcing-ua"),
];

/// The CrowdSec cases the pack must reproduce (issue #3).
const REQUIRED_CROWDSEC: &[&str] = &[
    "nginx-http-generic-bf",
    "http-bf-wordpress-bf",
    "nginx-http-sensitive-files",
    "apache2-http-sensitive-files",
    "apache-http-probing",
    "http-admin-interface-probing",
    "http-wordpress-scan",
    "http-wordpress_wpconfig",
    "nginx-http-backdoor",
];

/// CrowdSec log types leakguard reads, with the formats to try on each line.
const CROWDSEC_FORMATS: &[(&str, &[&str])] = &[
    ("nginx", &["combined", "common", "nginx-error"]),
    ("apache2", &["combined", "common", "apache-error"]),
    ("litespeed", &["combined", "common"]),
    ("nginx-proxy-manager", &["combined", "common"]),
    ("traefik", &["json:traefik", "combined"]),
    ("caddy", &["json:caddy"]),
];

/// One labelled line of `fail2ban/expected.jsonl`.
#[derive(Debug, Deserialize)]
struct Label {
    file: String,
    line: u64,
    #[serde(default)]
    filter_options: Vec<serde_json::Value>,
    #[serde(rename = "match")]
    is_match: bool,
    #[serde(default)]
    host: Option<String>,
    text: String,
}

/// One test of `crowdsec/expected.json`.
#[derive(Debug, Deserialize)]
struct CrowdsecTest {
    test: String,
    log_file: String,
    log_type: String,
    kind: String,
    #[serde(default)]
    scenarios: Vec<String>,
    #[serde(default)]
    expected_overflows: Vec<Overflow>,
}

#[derive(Debug, Deserialize)]
struct Overflow {
    scenario: String,
    sources: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    remediation: bool,
    #[serde(default)]
    events_count: u64,
}

/// How a labelled fail2ban line came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    /// Labelled a match, flagged and blamed on the right address.
    TruePositive,
    /// Labelled a match, flagged, but blamed on another address.
    WrongHost,
    /// Labelled a match, not flagged.
    FalseNegative,
    /// Labelled not a match, flagged.
    FalsePositive,
    /// Labelled not a match, not flagged.
    TrueNegative,
}

impl Verdict {
    fn is_ok(self) -> bool {
        matches!(self, Verdict::TruePositive | Verdict::TrueNegative)
    }
}

#[derive(Debug, Serialize)]
struct LineResult {
    line: u64,
    is_match: bool,
    /// Scored, or labelled only under a filter mode leakguard does not implement.
    is_scored: bool,
    modes: Vec<String>,
    verdict: Verdict,
    /// The rules whose condition the event met.
    flagged_by: Vec<String>,
    /// The address leakguard blamed.
    client: Option<String>,
    /// The address fail2ban blames.
    host: Option<String>,
    /// Why the line did not parse, when it did not.
    parse_error: Option<String>,
    text: String,
}

#[derive(Debug, Default, Serialize)]
struct Tally {
    true_positives: u64,
    wrong_host: u64,
    false_negatives: u64,
    false_positives: u64,
    true_negatives: u64,
}

impl Tally {
    fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::TruePositive => self.true_positives += 1,
            Verdict::WrongHost => self.wrong_host += 1,
            Verdict::FalseNegative => self.false_negatives += 1,
            Verdict::FalsePositive => self.false_positives += 1,
            Verdict::TrueNegative => self.true_negatives += 1,
        }
    }

    fn total(&self) -> u64 {
        self.true_positives
            + self.wrong_host
            + self.false_negatives
            + self.false_positives
            + self.true_negatives
    }

    fn correct(&self) -> u64 {
        self.true_positives + self.true_negatives
    }
}

#[derive(Debug, Serialize)]
struct FileScore {
    file: String,
    category: &'static str,
    rules: Vec<&'static str>,
    scored: Tally,
    /// Lines labelled only under modes leakguard does not implement.
    other_modes: Tally,
    lines: Vec<LineResult>,
}

#[derive(Debug, Serialize)]
struct CaseScore {
    test: String,
    log_type: String,
    is_required: bool,
    /// `pass`, `fail`, `format not supported`, or `no scenario` (parser-only tests).
    status: String,
    /// The scenarios the case exercises.
    scenarios: Vec<String>,
    expected: Vec<Pair>,
    found: Vec<Pair>,
    /// Addresses the case expects banned, and the ones our alerts would ban.
    expected_bans: Vec<String>,
    found_bans: Vec<String>,
    /// Alerts of rules not mapped to the exercised scenarios.
    other_alerts: Vec<String>,
    lines: u64,
    unparsed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
struct Pair {
    scenario: String,
    source: String,
    /// Events the alert carries (ours) or that the upstream alert carried.
    events: u64,
}

#[derive(Debug, Serialize)]
struct PeersEvaluation {
    version: u32,
    command: &'static str,
    rules: usize,
    fail2ban: Vec<FileScore>,
    fail2ban_scored: Tally,
    crowdsec: Vec<CaseScore>,
    crowdsec_required_passed: usize,
    crowdsec_required: usize,
    crowdsec_optional_passed: usize,
    crowdsec_optional: usize,
}

fn compile_parsers(names: &[&str]) -> anyhow::Result<Vec<Parser>> {
    names
        .iter()
        .map(|name| {
            let spec =
                FormatSpec::from_name(name).with_context(|| format!("unknown format {name:?}"))?;
            Parser::compile(&spec, &ParserOptions::default())
                .with_context(|| format!("compiling the {name} parser"))
        })
        .collect()
}

/// The event of `line` in the first format that reads it, or the first error.
fn parse_line<'a>(parsers: &[Parser], line: &'a str) -> Result<Event<'a>, String> {
    let mut first_error = None;
    for parser in parsers {
        match parser.parse(line) {
            Ok(event) => return Ok(event),
            Err(error) => {
                first_error.get_or_insert_with(|| error.to_string());
            }
        }
    }
    Err(first_error.unwrap_or_else(|| "no parser".to_owned()))
}

/// The modes a label's option blocks name (`default` for a block without one).
fn label_modes(label: &Label) -> Vec<String> {
    if label.filter_options.is_empty() {
        return vec!["default".to_owned()];
    }
    label
        .filter_options
        .iter()
        .map(|options| {
            options.get("mode").and_then(|mode| mode.as_str()).unwrap_or("default").to_owned()
        })
        .collect()
}

fn is_same_host(event: &Event<'_>, host: &str) -> bool {
    match (host.parse::<IpAddr>(), event.client_ip) {
        (Ok(expected), Some(found)) => expected == found,
        (Ok(_), None) => false,
        (Err(_), _) => event.client_host.eq_ignore_ascii_case(host),
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 160;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(MAX).collect();
    short.push('…');
    short
}

fn score_fail2ban(corpus: &Path, rule_set: &RuleSet) -> anyhow::Result<Vec<FileScore>> {
    let path = corpus.join("peers/fail2ban/expected.jsonl");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut labels: BTreeMap<String, Vec<Label>> = BTreeMap::new();
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a label", path.display(), idx + 1))?;
        labels.entry(label.file.clone()).or_default().push(label);
    }
    let inspector = pipeline::payload_inspector();
    let site = rule_set.site();
    let mut scores = Vec::new();
    for file in FAIL2BAN_FILES {
        let parsers = compile_parsers(file.formats)?;
        let mut score = FileScore {
            file: file.name.to_owned(),
            category: file.category,
            rules: file.rules.to_vec(),
            scored: Tally::default(),
            other_modes: Tally::default(),
            lines: Vec::new(),
        };
        for label in labels.get(file.name).map(Vec::as_slice).unwrap_or_default() {
            let modes = label_modes(label);
            let is_scored =
                modes.iter().any(|mode| mode == "default" || SCORED_MODES.contains(&mode.as_str()));
            let (flagged_by, client, is_host_ok, parse_error) =
                match parse_line(&parsers, &label.text) {
                    Ok(event) => {
                        let facts = Facts::new(&event, site.classify(&event), Some(&inspector));
                        let flagged_by: Vec<String> = rule_set
                            .rules()
                            .iter()
                            .filter(|rule| {
                                matches!(rule.kind(), RuleKind::Match)
                                    || file.rules.contains(&rule.id().0.as_str())
                            })
                            .filter(|rule| rule.condition().matches(&facts))
                            .map(|rule| rule.id().0.clone())
                            .collect();
                        let is_host_ok =
                            label.host.as_deref().is_none_or(|host| is_same_host(&event, host));
                        let client = event.client_ip.map(|ip| ip.to_string()).or_else(|| {
                            Some(event.client_host.to_string()).filter(|h| !h.is_empty())
                        });
                        (flagged_by, client, is_host_ok, None)
                    }
                    Err(error) => (Vec::new(), None, false, Some(error)),
                };
            let is_flagged = !flagged_by.is_empty();
            let verdict = match (label.is_match, is_flagged, is_host_ok) {
                (true, true, true) => Verdict::TruePositive,
                (true, true, false) => Verdict::WrongHost,
                (true, false, _) => Verdict::FalseNegative,
                (false, true, _) => Verdict::FalsePositive,
                (false, false, _) => Verdict::TrueNegative,
            };
            if is_scored {
                score.scored.add(verdict);
            } else {
                score.other_modes.add(verdict);
            }
            score.lines.push(LineResult {
                line: label.line,
                is_match: label.is_match,
                is_scored,
                modes,
                verdict,
                flagged_by,
                client,
                host: label.host.clone(),
                parse_error,
                text: shorten(&label.text),
            });
        }
        scores.push(score);
    }
    Ok(scores)
}

/// A scenario name as the alerts carry it (`./scenarios/crowdsecurity/x.yaml` → `crowdsecurity/x`).
fn scenario_name(raw: &str) -> String {
    let name = raw.trim_start_matches("./").trim_start_matches("scenarios/");
    let name = name.strip_suffix(".yaml").unwrap_or(name);
    SCENARIO_ALIASES
        .iter()
        .find(|(file_name, _)| *file_name == name)
        .map_or_else(|| name.to_owned(), |(_, alert_name)| (*alert_name).to_owned())
}

fn alert_source(alert: &Alert) -> String {
    alert.key.value.clone()
}

fn bans_ip(rule_set: &RuleSet, alert: &Alert) -> bool {
    rule_set.get(&alert.rule_id.0).is_some_and(|rule| {
        rule.responses()
            .iter()
            .any(|response| response.action == Action::Ban && response.scope == KeyKind::Ip)
    })
}

fn replay(
    parsers: &[Parser],
    rule_set: &RuleSet,
    name: &str,
    text: &str,
) -> (Vec<Alert>, u64, u64) {
    let mut engine = Engine::new(rule_set.clone(), EngineLimits::default())
        .with_payload_inspector(pipeline::payload_inspector());
    let (mut n_lines, mut n_unparsed) = (0u64, 0u64);
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        n_lines += 1;
        match parse_line(parsers, line) {
            Ok(event) => {
                let evidence = Evidence { source: name, line: idx as u64 + 1, text: line };
                engine.feed(&event, &evidence);
            }
            Err(_) => n_unparsed += 1,
        }
    }
    (engine.finish(), n_lines, n_unparsed)
}

fn score_crowdsec(corpus: &Path, rule_set: &RuleSet) -> anyhow::Result<Vec<CaseScore>> {
    let path = corpus.join("peers/crowdsec/expected.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let tests: Vec<CrowdsecTest> =
        serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    let mut scores = Vec::new();
    for test in tests {
        let is_required = REQUIRED_CROWDSEC.contains(&test.test.as_str());
        let mut exercised: BTreeSet<String> =
            test.scenarios.iter().map(|raw| scenario_name(raw)).collect();
        exercised.extend(test.expected_overflows.iter().map(|overflow| overflow.scenario.clone()));
        let expected: BTreeSet<Pair> = test
            .expected_overflows
            .iter()
            .flat_map(|overflow| {
                overflow.sources.keys().map(|source| Pair {
                    scenario: overflow.scenario.clone(),
                    source: normalize_source(source),
                    events: overflow.events_count,
                })
            })
            .collect();
        let expected_bans: BTreeSet<String> = test
            .expected_overflows
            .iter()
            .filter(|overflow| overflow.remediation)
            .flat_map(|overflow| overflow.sources.keys().map(|source| normalize_source(source)))
            .collect();
        let mut score = CaseScore {
            test: test.test.clone(),
            log_type: test.log_type.clone(),
            is_required,
            status: String::new(),
            scenarios: exercised.iter().cloned().collect(),
            expected: expected.iter().cloned().collect(),
            found: Vec::new(),
            expected_bans: expected_bans.iter().cloned().collect(),
            found_bans: Vec::new(),
            other_alerts: Vec::new(),
            lines: 0,
            unparsed: 0,
        };
        if test.kind == "parser" {
            score.status = "no scenario".to_owned();
            scores.push(score);
            continue;
        }
        let Some((_, formats)) =
            CROWDSEC_FORMATS.iter().find(|(log_type, _)| *log_type == test.log_type)
        else {
            score.status = "format not supported".to_owned();
            scores.push(score);
            continue;
        };
        let parsers = compile_parsers(formats)?;
        let log_path = corpus.join("peers/crowdsec/tests").join(&test.test).join(&test.log_file);
        let bytes =
            std::fs::read(&log_path).with_context(|| format!("reading {}", log_path.display()))?;
        let log = String::from_utf8_lossy(&bytes);
        let (alerts, n_lines, n_unparsed) = replay(&parsers, rule_set, &test.test, &log);
        score.lines = n_lines;
        score.unparsed = n_unparsed;
        let mut found: BTreeMap<(String, String), u64> = BTreeMap::new();
        let mut found_bans = BTreeSet::new();
        for alert in &alerts {
            let mapped: Vec<&str> = CROWDSEC_SCENARIOS
                .iter()
                .filter(|(rule_id, _)| *rule_id == alert.rule_id.0)
                .flat_map(|(_, scenarios)| scenarios.iter().copied())
                .filter(|scenario| exercised.contains(*scenario))
                .collect();
            if mapped.is_empty() {
                score
                    .other_alerts
                    .push(format!("{} {} ({})", alert.rule_id, alert.key, alert.count));
                continue;
            }
            for scenario in mapped {
                let events = found.entry((scenario.to_owned(), alert_source(alert))).or_default();
                *events = (*events).max(alert.count);
            }
            if bans_ip(rule_set, alert) {
                found_bans.insert(alert_source(alert));
            }
        }
        let expected_keys: BTreeSet<(String, String)> =
            expected.iter().map(|pair| (pair.scenario.clone(), pair.source.clone())).collect();
        let is_pass = found.keys().cloned().collect::<BTreeSet<_>>() == expected_keys;
        score.status = if is_pass { "pass" } else { "fail" }.to_owned();
        score.found = found
            .into_iter()
            .map(|((scenario, source), events)| Pair { scenario, source, events })
            .collect();
        score.found_bans = found_bans.into_iter().collect();
        scores.push(score);
    }
    Ok(scores)
}

/// An address in its canonical form (`2001:0db8::0001` → `2001:db8::1`).
fn normalize_source(source: &str) -> String {
    source.parse::<IpAddr>().map_or_else(|_| source.to_owned(), |ip| ip.to_string())
}

pub(crate) fn run_peers(corpus: &Path, output: OutputFormat) -> anyhow::Result<ExitCode> {
    let rule_set = rule_pack::compile(&RuleSources::default(), true, &[], &Site::default())?;
    let fail2ban = score_fail2ban(corpus, &rule_set)?;
    let crowdsec = score_crowdsec(corpus, &rule_set)?;
    let mut fail2ban_scored = Tally::default();
    for file in &fail2ban {
        for line in file.lines.iter().filter(|line| line.is_scored) {
            fail2ban_scored.add(line.verdict);
        }
    }
    let count = |is_required: bool, is_passed: bool| {
        crowdsec
            .iter()
            .filter(|case| case.is_required == is_required)
            .filter(|case| !is_passed || case.status == "pass")
            .filter(|case| is_required || matches!(case.status.as_str(), "pass" | "fail"))
            .count()
    };
    let evaluation = PeersEvaluation {
        version: 1,
        command: "eval peers",
        rules: rule_set.len(),
        crowdsec_required_passed: count(true, true),
        crowdsec_required: count(true, false),
        crowdsec_optional_passed: count(false, true),
        crowdsec_optional: count(false, false),
        fail2ban,
        fail2ban_scored,
        crowdsec,
    };
    let is_ok = evaluation.fail2ban_scored.correct() == evaluation.fail2ban_scored.total()
        && evaluation.crowdsec_required_passed == evaluation.crowdsec_required;
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

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 { "-".to_owned() } else { format!("{:.0}%", part as f64 * 100.0 / whole as f64) }
}

fn render(evaluation: &PeersEvaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "peer evaluation: the shipped pack ({} rules) on fail2ban and CrowdSec samples",
        evaluation.rules
    );
    let _ = writeln!(
        out,
        "\nfail2ban: labelled lines (flagged = meets a match rule or a rule of the behaviour)"
    );
    let _ = writeln!(
        out,
        "{:<18} {:<18} {:>5} {:>4} {:>4} {:>4} {:>4} {:>4} {:>6}  {:<}",
        "file",
        "category",
        "lines",
        "tp",
        "host",
        "fn",
        "fp",
        "tn",
        "score",
        "other modes (not scored)"
    );
    for file in &evaluation.fail2ban {
        let tally = &file.scored;
        let other = &file.other_modes;
        let other_text = if other.total() == 0 {
            String::new()
        } else {
            format!(
                "{} lines, {} flagged",
                other.total(),
                other.true_positives + other.wrong_host + other.false_positives
            )
        };
        let _ = writeln!(
            out,
            "{:<18} {:<18} {:>5} {:>4} {:>4} {:>4} {:>4} {:>4} {:>6}  {}",
            file.file,
            file.category,
            tally.total(),
            tally.true_positives,
            tally.wrong_host,
            tally.false_negatives,
            tally.false_positives,
            tally.true_negatives,
            percent(tally.correct(), tally.total()),
            other_text
        );
        for line in file.lines.iter().filter(|line| line.is_scored && !line.verdict.is_ok()) {
            let _ = writeln!(
                out,
                "    line {}: {:?} (labelled {}, flagged by [{}], client {}, host {}){}",
                line.line,
                line.verdict,
                if line.is_match { "match" } else { "no match" },
                line.flagged_by.join(", "),
                line.client.as_deref().unwrap_or("-"),
                line.host.as_deref().unwrap_or("-"),
                line.parse_error
                    .as_deref()
                    .map(|error| format!(", not parsed: {error}"))
                    .unwrap_or_default()
            );
            let _ = writeln!(out, "      | {}", line.text);
        }
    }
    let total = &evaluation.fail2ban_scored;
    let _ = writeln!(
        out,
        "{:<18} {:<18} {:>5} {:>4} {:>4} {:>4} {:>4} {:>4} {:>6}",
        "total",
        "",
        total.total(),
        total.true_positives,
        total.wrong_host,
        total.false_negatives,
        total.false_positives,
        total.true_negatives,
        percent(total.correct(), total.total())
    );
    let _ = writeln!(
        out,
        "\nCrowdSec: replayed tests (pass = our (scenario, address) pairs equal the expected ones)"
    );
    let _ = writeln!(
        out,
        "{:<32} {:<20} {:<9} {:<22} {:<}",
        "test", "log type", "required", "result", "expected → found"
    );
    for case in &evaluation.crowdsec {
        let pairs = |pairs: &[Pair]| {
            if pairs.is_empty() {
                "none".to_owned()
            } else {
                pairs
                    .iter()
                    .map(|pair| {
                        format!(
                            "{} {} [{}]",
                            pair.scenario.rsplit('/').next().unwrap_or(&pair.scenario),
                            pair.source,
                            pair.events
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        };
        let detail = match case.status.as_str() {
            "pass" | "fail" => format!("{} → {}", pairs(&case.expected), pairs(&case.found)),
            _ => pairs(&case.expected),
        };
        let _ = writeln!(
            out,
            "{:<32} {:<20} {:<9} {:<22} {}",
            case.test,
            case.log_type,
            if case.is_required { "yes" } else { "" },
            case.status,
            detail
        );
        if matches!(case.status.as_str(), "pass" | "fail") {
            if case.expected_bans != case.found_bans {
                let _ = writeln!(
                    out,
                    "    bans: expected [{}], ours [{}]",
                    case.expected_bans.join(", "),
                    case.found_bans.join(", ")
                );
            }
            if case.unparsed > 0 {
                let _ = writeln!(out, "    {} of {} lines not parsed", case.unparsed, case.lines);
            }
            if !case.other_alerts.is_empty() {
                let _ = writeln!(out, "    other alerts: {}", case.other_alerts.join("; "));
            }
        }
    }
    let _ = writeln!(
        out,
        "\nfail2ban: {} of {} scored lines right ({})",
        total.correct(),
        total.total(),
        percent(total.correct(), total.total())
    );
    let _ = writeln!(
        out,
        "CrowdSec: {} of {} required cases pass; {} of {} other cases in a supported format pass",
        evaluation.crowdsec_required_passed,
        evaluation.crowdsec_required,
        evaluation.crowdsec_optional_passed,
        evaluation.crowdsec_optional
    );
    out
}
