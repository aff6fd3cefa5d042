//! `leakguard demo`: a day of shop traffic with attacks in it, analyzed.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use demo::{Spec, Truth};
use serde::Serialize;

use crate::analyze::{Analysis, OUTPUT_VERSION, analyze_sources, conclude, processor_for};
use crate::cli::{DemoArgs, OutputFormat};
use crate::config::{Config, Language};
use crate::report::{self, thousands};

/// Whether the analyzer's counts agree with the generator's ground truth.
#[derive(Debug, Serialize)]
struct Agreement {
    lines: bool,
    statuses: bool,
    distinct_ips: bool,
    time_span: bool,
}

#[derive(Debug, Serialize)]
struct DemoOutput<'a> {
    version: u32,
    command: &'static str,
    log: String,
    truth: &'a Truth,
    agreement: &'a Agreement,
    #[serde(flatten)]
    analysis: &'a Analysis,
}

fn default_path(seed: u64) -> PathBuf {
    std::env::temp_dir().join("leakguard-demo").join(format!("access-{seed}.log"))
}

fn agreement(truth: &Truth, analysis: &Analysis) -> Agreement {
    let summary = &analysis.summary;
    let statuses = truth.status_counts.iter().all(|(status, count)| {
        summary
            .top_statuses
            .iter()
            .any(|row| row.value == status.to_string() && row.count == *count)
    }) && summary.top_statuses.len() == truth.status_counts.len();
    Agreement {
        lines: summary.lines == truth.lines && summary.events == truth.lines,
        statuses,
        distinct_ips: summary.distinct_ips == truth.distinct_ips,
        time_span: summary
            .time_span
            .is_some_and(|span| span.first == truth.first_time && span.last == truth.last_time),
    }
}

pub(crate) fn run(
    args: &DemoArgs,
    config: &Config,
    language: Language,
) -> anyhow::Result<ExitCode> {
    let path = args.out.clone().unwrap_or_else(|| default_path(args.seed));
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating directory {}", parent.display()))?;
    }
    let spec = Spec { seed: args.seed, lines: args.lines, ..Spec::default() };
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    let truth = demo::generate(&spec, &mut writer)
        .and_then(|truth| writer.flush().map(|()| truth))
        .with_context(|| format!("writing {}", path.display()))?;
    let display = path.display().to_string();
    if args.generate_only {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &truth)?;
        writeln!(stdout)?;
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    let mut processor = processor_for(config, 10, true)?;
    analyze_sources(
        std::slice::from_ref(&display),
        &mut processor,
        config.max_line_bytes,
        !args.no_progress,
    )?;
    let analysis = conclude(&mut processor, started);
    let agreement = agreement(&truth, &analysis);
    let mut stdout = std::io::stdout().lock();
    match args.output {
        OutputFormat::Json => {
            let document = DemoOutput {
                version: OUTPUT_VERSION,
                command: "demo",
                log: display,
                truth: &truth,
                agreement: &agreement,
                analysis: &analysis,
            };
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        OutputFormat::Text => {
            let mut text = report::render(&analysis, config, language);
            text.push_str(&episodes_text(&truth, &agreement, config, language, &display));
            stdout.write_all(text.as_bytes())?;
        }
    }
    if args.serve {
        drop(stdout);
        let serve = crate::console_cmd::DemoServe {
            log: &path,
            alerts: &analysis.alerts,
            listen: args.listen.as_deref(),
            state: args.state.as_deref(),
        };
        return crate::console_cmd::demo_serve(&serve, config, language);
    }
    Ok(ExitCode::SUCCESS)
}

fn episodes_text(
    truth: &Truth,
    agreement: &Agreement,
    config: &Config,
    language: Language,
    path: &str,
) -> String {
    let zh = language == Language::TraditionalChinese;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{}",
        if zh {
            "這份示範流量中安插的攻擊"
        } else {
            "Attacks planted in this demo traffic"
        }
    );
    for episode in &truth.episodes {
        let ips = match episode.ips.len() {
            0 => String::new(),
            1 => episode.ips[0].to_string(),
            n => format!("{} {}", thousands(n as u64), if zh { "個 IP" } else { "IPs" }),
        };
        let _ = writeln!(
            out,
            "  {:<24} {}  {} {}  {}",
            format!("{:?}", episode.kind),
            report::local_time(episode.first_time, config.utc_offset_secs),
            thousands(episode.lines),
            if zh { "行" } else { "lines" },
            ips,
        );
    }
    let is_agreed =
        agreement.lines && agreement.statuses && agreement.distinct_ips && agreement.time_span;
    let verdict = match (is_agreed, zh) {
        (true, false) => "the counts above match the generator's ground truth",
        (true, true) => "以上統計與產生器的實際數字一致",
        (false, false) => "the counts above DIFFER from the generator's ground truth",
        (false, true) => "以上統計與產生器的實際數字不一致",
    };
    let _ = writeln!(out, "\n{} {verdict}", if is_agreed { "✓" } else { "✗" });
    let _ = writeln!(
        out,
        "{} {path}\n  leakguard analyze {path}",
        if zh { "示範日誌已寫入：" } else { "The demo log is at" }
    );
    out
}
