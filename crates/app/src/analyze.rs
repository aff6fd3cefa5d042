//! `leakguard analyze`: read logs, parse, summarize, report.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parsers::ParserOptions;
use pipeline::{FormatChoice, Processor, Summary, SummaryLimits};
use serde::Serialize;

use crate::cli::{AnalyzeArgs, OutputFormat};
use crate::config::{Config, Language, LogFormat};
use crate::{report, rule_pack};
use detection::{Engine, EngineLimits};
use model::Alert;

/// Lines between progress-bar updates.
const PROGRESS_EVERY: u64 = 1 << 16;

/// What one run of the analyzer produced.
#[derive(Debug, Serialize)]
pub(crate) struct Analysis {
    /// The summary of everything read.
    pub(crate) summary: Summary,
    /// Alerts raised by the rules, most severe first.
    pub(crate) alerts: Vec<Alert>,
    /// What detection ran, when it did.
    pub(crate) detection: Option<DetectionInfo>,
    /// Wall-clock seconds the run took.
    pub(crate) elapsed_secs: f64,
    /// What the run cost.
    pub(crate) resources: Resources,
    /// The GeoIP/ASN databases used and their credits, or the rules that are
    /// off without them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) geoip: Option<crate::geoip_cmd::GeoReport>,
    /// Periods of `baseline` rules that rose above their baseline without an
    /// alert (the rise was spread over many visitors), in time order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) baseline_rises: Vec<RiseReport>,
}

/// A rise above a baseline that is not an alert.
#[derive(Debug, Serialize)]
pub(crate) struct RiseReport {
    /// The baseline rule.
    pub(crate) rule_id: String,
    /// What rose (`path /product/1024`).
    pub(crate) key: model::AlertKey,
    /// When the period began.
    pub(crate) period_start: model::Timestamp,
    /// Events in the period.
    pub(crate) count: u64,
    /// The trailing mean per period.
    pub(crate) baseline: f64,
}

/// What detection ran.
#[derive(Debug, Serialize)]
pub(crate) struct DetectionInfo {
    /// Rules loaded.
    pub(crate) rules: usize,
    /// Events that arrived later than the out-of-order tolerance.
    pub(crate) late_events: u64,
    /// Keys dropped to stay within the per-rule memory cap.
    pub(crate) evicted_keys: u64,
}

/// Resources the process used.
#[derive(Debug, Serialize)]
pub(crate) struct Resources {
    /// Peak resident memory (Linux `VmHWM`), when the system reports it.
    pub(crate) peak_rss_bytes: Option<u64>,
    /// CPU time used (user and system), when the system reports it.
    pub(crate) cpu_secs: Option<f64>,
}

impl Resources {
    pub(crate) fn measure() -> Resources {
        let peak_rss_bytes = std::fs::read_to_string("/proc/self/status").ok().and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        });
        // Fields 14 and 15 of /proc/self/stat (after the parenthesised name) are
        // user and system time in clock ticks, which Linux fixes at 100 per second.
        let cpu_secs = std::fs::read_to_string("/proc/self/stat").ok().and_then(|stat| {
            let after_name = &stat[stat.rfind(')')? + 2..];
            let mut fields = after_name.split(' ').skip(11);
            let user: u64 = fields.next()?.parse().ok()?;
            let system: u64 = fields.next()?.parse().ok()?;
            Some((user + system) as f64 / 100.0)
        });
        Resources { peak_rss_bytes, cpu_secs }
    }
}

/// The JSON document `analyze --output json` prints (docs/output.md).
#[derive(Debug, Serialize)]
struct AnalyzeOutput<'a> {
    version: u32,
    command: &'static str,
    site: &'a str,
    timezone: &'a str,
    #[serde(flatten)]
    analysis: &'a Analysis,
}

/// The version of leakguard's JSON output documents.
pub(crate) const OUTPUT_VERSION: u32 = 1;

/// A processor for the configuration, with the rule engine unless `detect` is false.
pub(crate) fn processor_for(
    config: &Config,
    top_rows: usize,
    detect: bool,
) -> anyhow::Result<Processor> {
    let choice = match &config.format {
        LogFormat::Auto => FormatChoice::Auto,
        LogFormat::Fixed(spec) => FormatChoice::Fixed(spec.clone()),
    };
    let options = ParserOptions {
        trusted_proxies: config.trusted_proxies.clone(),
        default_utc_offset_secs: config.utc_offset_secs,
    };
    let mut processor =
        Processor::new(choice, options, SummaryLimits { top_rows, ..SummaryLimits::default() });
    if let Some(databases) = crate::geoip_cmd::open(&config.geoip)? {
        processor = processor.with_geo(Box::new(databases));
    }
    if !detect {
        return Ok(processor);
    }
    let extra = rule_pack::load_dirs(&config.rule_dirs)?;
    let rule_set =
        rule_pack::compile(&extra, config.builtin_rules, &config.disabled_rules, &config.site)?;
    let mut engine = Engine::new(rule_set, EngineLimits::default());
    if engine.rule_set().uses_payload() {
        engine = engine.with_payload_inspector(pipeline::payload_inspector());
    }
    Ok(processor.with_engine(engine))
}

/// Finishes a run: the summary, the alerts (most severe first) and what detection did.
pub(crate) fn conclude(processor: &mut Processor, started: Instant) -> Analysis {
    let mut alerts = processor.finish_alerts();
    let (rises, _) = processor.take_baseline_rises();
    let baseline_rises = rises
        .into_iter()
        .map(|rise| RiseReport {
            rule_id: rise.rule_id.0,
            key: rise.key,
            period_start: rise.period_start,
            count: rise.count,
            baseline: rise.baseline,
        })
        .collect();
    alerts.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.first_seen.cmp(&b.first_seen))
            .then(a.rule_id.cmp(&b.rule_id))
    });
    let detection = processor.engine_stats().map(|stats| DetectionInfo {
        rules: processor.n_rules(),
        late_events: stats.n_late_events,
        evicted_keys: stats.n_evicted_keys,
    });
    Analysis {
        summary: processor.summary(),
        alerts,
        detection,
        elapsed_secs: started.elapsed().as_secs_f64(),
        resources: Resources::measure(),
        geoip: None,
        baseline_rises,
    }
}

fn progress_bar(total: Option<u64>, is_enabled: bool) -> ProgressBar {
    if !is_enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if total.is_some() {
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}"
    } else {
        "{spinner} [{elapsed_precise}] {bytes} ({bytes_per_sec}) {msg}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Reads every source through the processor.
pub(crate) fn analyze_sources(
    args: &[String],
    processor: &mut Processor,
    max_line_bytes: usize,
    show_progress: bool,
) -> anyhow::Result<bool> {
    let (sources, problems) = ingest::expand_sources(args);
    let mut is_complete = problems.is_empty();
    for problem in &problems {
        let id = processor.begin_source(&problem.arg).context("compiling the log format")?;
        processor.source_problem(id, problem.message.clone());
    }
    let total: Option<u64> = sources.iter().map(|source| source.size).sum();
    let bar = progress_bar(total, show_progress);
    let mut done_before = 0u64;
    for source in &sources {
        let id = processor.begin_source(&source.display).context("compiling the log format")?;
        bar.set_message(source.display.clone());
        let reader = match source.open() {
            Ok(reader) => reader,
            Err(error) => {
                processor.source_problem(id, error.to_string());
                is_complete = false;
                continue;
            }
        };
        let consumed: Arc<AtomicU64> = reader.progress();
        let mut lines = ingest::LineReader::new(reader, max_line_bytes);
        let mut n_lines = 0u64;
        while let Some(item) = lines.next_line() {
            match item {
                Ok(line) => {
                    processor.line(id, line.number, line.bytes, line.issue);
                    n_lines += 1;
                    if n_lines.is_multiple_of(PROGRESS_EVERY) {
                        bar.set_position(done_before + consumed.load(Ordering::Relaxed));
                    }
                }
                Err(error) => {
                    processor.source_problem(id, error.to_string());
                    is_complete = false;
                    break;
                }
            }
        }
        processor.end_source(id);
        done_before += consumed.load(Ordering::Relaxed);
        bar.set_position(done_before);
    }
    bar.finish_and_clear();
    Ok(is_complete)
}

pub(crate) fn run(
    args: &AnalyzeArgs,
    config: &Config,
    language: Language,
) -> anyhow::Result<ExitCode> {
    let mut files = args.files.clone();
    if files.is_empty() {
        if std::io::stdin().is_terminal() {
            anyhow::bail!(
                "no input: pass log files (e.g. leakguard analyze /var/log/nginx/access.log*) \
                 or pipe a log into `leakguard analyze -`"
            );
        }
        files.push("-".to_owned());
    }
    let started = Instant::now();
    let mut processor = processor_for(config, args.top, !args.no_detect)?;
    let is_complete =
        analyze_sources(&files, &mut processor, config.max_line_bytes, !args.no_progress)?;
    let mut analysis = conclude(&mut processor, started);
    analysis.geoip = crate::geoip_cmd::report(config, &processor);
    if let Some(notice) = analysis.geoip.as_ref().and_then(crate::geoip_cmd::off_notice) {
        // Said once, on standard error, so that JSON on standard output stays clean.
        writeln!(std::io::stderr().lock(), "{notice}")?;
    }
    print_analysis(&analysis, args.output, config, language)?;
    Ok(if is_complete { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub(crate) fn print_analysis(
    analysis: &Analysis,
    output: OutputFormat,
    config: &Config,
    language: Language,
) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Json => {
            let document = AnalyzeOutput {
                version: OUTPUT_VERSION,
                command: "analyze",
                site: &config.site_name,
                timezone: &config.timezone,
                analysis,
            };
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        OutputFormat::Text => {
            let text = report::render(analysis, config, language);
            stdout.write_all(text.as_bytes())?;
            if let Some(geo) = analysis.geoip.as_ref().filter(|geo| !geo.attributions.is_empty()) {
                writeln!(stdout)?;
                for credit in &geo.attributions {
                    writeln!(stdout, "GeoIP: {credit}")?;
                }
            }
        }
    }
    Ok(())
}
