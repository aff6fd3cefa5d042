//! `cargo xtask bench`: end-to-end throughput of the release binary.
//!
//! Generates the demo log at a pinned seed, times `wc -l` on it as the floor
//! of what reading the file costs, then times `leakguard analyze` on the same
//! file and checks the summary's counts against the generator's ground truth.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

pub(crate) struct BenchArgs {
    pub(crate) lines: u64,
    pub(crate) seed: u64,
    pub(crate) extra: Vec<String>,
}

impl BenchArgs {
    pub(crate) fn parse(args: &[String]) -> Result<BenchArgs> {
        let mut parsed = BenchArgs { lines: 5_000_000, seed: 20_261_122, extra: Vec::new() };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "--lines" => parsed.lines = iter.next().context("--lines N")?.parse()?,
                "--seed" => parsed.seed = iter.next().context("--seed N")?.parse()?,
                "--" => parsed.extra = iter.by_ref().cloned().collect(),
                other => bail!(
                    "unknown argument {other:?}; usage: cargo xtask bench [--lines N] [--seed N] [-- analyze flags]"
                ),
            }
        }
        Ok(parsed)
    }
}

fn run_json(command: &mut Command) -> Result<(Value, f64)> {
    let started = Instant::now();
    let output = command.output().with_context(|| format!("running {command:?}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    ensure!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((serde_json::from_slice(&output.stdout)?, elapsed))
}

fn number(value: &Value, pointer: &str) -> Result<u64> {
    value
        .pointer(pointer)
        .and_then(Value::as_u64)
        .with_context(|| format!("no number at {pointer}"))
}

pub(crate) fn run(root: &Path, args: &BenchArgs) -> Result<()> {
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet", "-p", "app"])
        .current_dir(root)
        .status()?;
    ensure!(status.success(), "cargo build --release failed");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let binary = target.join("release/leakguard");
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir)?;
    let log: PathBuf = dir.join(format!("demo-{}-{}.log", args.seed, args.lines));
    let (truth, generate_secs) = run_json(Command::new(&binary).args([
        "demo",
        "--generate-only",
        "--seed",
        &args.seed.to_string(),
        "--lines",
        &args.lines.to_string(),
        "--out",
        &log.display().to_string(),
    ]))?;
    let size = std::fs::metadata(&log)?.len();
    let mb = size as f64 / 1e6;
    let mut wc_secs = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let output = Command::new("wc").arg("-l").arg(&log).output()?;
        ensure!(output.status.success(), "wc -l failed");
        wc_secs = wc_secs.min(started.elapsed().as_secs_f64());
    }
    let mut analyze = Command::new(&binary);
    analyze.args(["analyze", "--output", "json", "--no-progress"]).args(&args.extra).arg(&log);
    let (report, analyze_secs) = run_json(&mut analyze)?;
    let lines = number(&report, "/summary/lines")?;
    let events = number(&report, "/summary/events")?;
    let errors = number(&report, "/summary/parse_errors")?;
    let distinct = number(&report, "/summary/distinct_ips")?;
    let peak_rss = number(&report, "/resources/peak_rss_bytes").unwrap_or(0);
    let cpu_secs =
        report.pointer("/resources/cpu_secs").and_then(Value::as_f64).unwrap_or(f64::NAN);
    let mut problems = Vec::new();
    if lines != number(&truth, "/lines")? || events != lines || errors != 0 {
        problems.push(format!(
            "lines {lines}, events {events}, errors {errors} vs truth {}",
            truth["lines"]
        ));
    }
    if distinct != number(&truth, "/distinct_ips")? {
        problems.push(format!("distinct ips {distinct} vs truth {}", truth["distinct_ips"]));
    }
    let statuses = report
        .pointer("/summary/top_statuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(expected) = truth.get("status_counts").and_then(Value::as_object) {
        for (status, count) in expected {
            let found = statuses
                .iter()
                .find(|row| row["value"] == status.as_str())
                .map(|row| &row["count"]);
            if found != Some(count) {
                problems.push(format!("status {status}: {found:?} vs truth {count}"));
            }
        }
    }
    let episodes = check_episodes(&truth, &report);
    let out = format!(
        "bench: {lines} lines, {mb:.0} MB (seed {seed}, generated in {generate_secs:.1} s)\n\
         wc -l:   {wc_secs:.3} s ({wc_mbs:.0} MB/s)\n\
         analyze: {analyze_secs:.3} s ({mbs:.0} MB/s, {lps:.2} M lines/s), {ratio:.1}x the time of wc -l\n\
         analyze CPU time: {cpu_secs:.2} s ({cpu_mbs:.0} MB per CPU-second, {cpu_lps:.2} M lines per CPU-second)\n\
         peak RSS of analyze: {rss:.1} MiB\n\
         counts vs the generator's truth: {verdict}\n\
         {episodes}\n",
        seed = args.seed,
        wc_mbs = mb / wc_secs,
        mbs = mb / analyze_secs,
        lps = lines as f64 / analyze_secs / 1e6,
        ratio = analyze_secs / wc_secs,
        cpu_mbs = mb / cpu_secs,
        cpu_lps = lines as f64 / cpu_secs / 1e6,
        rss = peak_rss as f64 / (1024.0 * 1024.0),
        verdict = if problems.is_empty() { "all equal".to_owned() } else { problems.join("; ") },
    );
    std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())?;
    ensure!(problems.is_empty(), "the summary disagrees with the ground truth");
    Ok(())
}

/// Episode kinds whose detection needs what `analyze` cannot know without
/// configuration (a GeoIP database): reported, not required.
const NEEDS_GEOIP: &[&str] = &["foreign_admin_login"];

/// Whether each planted episode raised an alert on one of its addresses
/// (or ranges holding them) or accounts, and which alerts fell on keys of no
/// episode (site-wide keys excepted), as a line for the report.
fn check_episodes(truth: &Value, report: &Value) -> String {
    let empty = Vec::new();
    let episodes = truth.get("episodes").and_then(Value::as_array).unwrap_or(&empty);
    let alerts = report.get("alerts").and_then(Value::as_array).unwrap_or(&empty);
    let strings = |value: &Value, key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let covers = |key: &str, ip: &str| key == ip || in_range(key, ip);
    let mut n_found = 0;
    let mut missed = Vec::new();
    let mut all_keys: Vec<String> = Vec::new();
    for episode in episodes {
        let kind = episode.get("kind").and_then(Value::as_str).unwrap_or("?");
        let ips = strings(episode, "ips");
        let accounts = strings(episode, "accounts");
        all_keys.extend(ips.iter().cloned());
        all_keys.extend(accounts.iter().cloned());
        let is_found = alerts.iter().any(|alert| {
            let key = alert.pointer("/key/value").and_then(Value::as_str).unwrap_or_default();
            ips.iter().any(|ip| covers(key, ip)) || accounts.iter().any(|account| account == key)
        });
        if is_found {
            n_found += 1;
        } else if NEEDS_GEOIP.contains(&kind) {
            missed.push(format!("{kind} (needs a GeoIP database)"));
        } else {
            missed.push(kind.to_owned());
        }
    }
    let episode_ips: Vec<String> =
        episodes.iter().flat_map(|episode| strings(episode, "ips")).collect();
    let stray: Vec<String> = alerts
        .iter()
        .filter(|alert| alert.pointer("/key/kind").and_then(Value::as_str) != Some("site"))
        .filter_map(|alert| {
            let key = alert.pointer("/key/value").and_then(Value::as_str)?;
            let is_episode = all_keys.iter().any(|known| covers(key, known) || key == known)
                || is_episode_network(alert, &episode_ips);
            (!is_episode).then(|| {
                format!("{} {key}", alert.get("rule_id").and_then(Value::as_str).unwrap_or("?"))
            })
        })
        .collect();
    format!(
        "episodes detected: {n_found} of {}{}; alerts on ordinary traffic: {}",
        episodes.len(),
        if missed.is_empty() { String::new() } else { format!(" (missed: {})", missed.join(", ")) },
        if stray.is_empty() { "none".to_owned() } else { stray.join(", ") },
    )
}

/// Whether an alert keyed by a network, a country or a page (`asn`,
/// `country`, `path`: no address to compare) rests only on lines of episode
/// addresses (the first word of each evidence sample).
fn is_episode_network(alert: &Value, episode_ips: &[String]) -> bool {
    let kind = alert.pointer("/key/kind").and_then(Value::as_str).unwrap_or_default();
    if !matches!(kind, "asn" | "country" | "path") {
        return false;
    }
    let empty = Vec::new();
    let samples = alert.get("samples").and_then(Value::as_array).unwrap_or(&empty);
    !samples.is_empty()
        && samples.iter().all(|sample| {
            let text = sample.get("text").and_then(Value::as_str).unwrap_or_default();
            let client = text.split(' ').next().unwrap_or_default();
            episode_ips.iter().any(|ip| ip == client)
        })
}

/// Whether `key` is an IPv4 or IPv6 CIDR range holding `ip`.
fn in_range(key: &str, ip: &str) -> bool {
    let Some((network, bits)) = key.split_once('/') else { return false };
    let Ok(bits) = bits.parse::<u32>() else { return false };
    match (network.parse::<std::net::IpAddr>(), ip.parse::<std::net::IpAddr>()) {
        (Ok(std::net::IpAddr::V4(network)), Ok(std::net::IpAddr::V4(ip))) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(network) & mask == u32::from(ip) & mask
        }
        (Ok(std::net::IpAddr::V6(network)), Ok(std::net::IpAddr::V6(ip))) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(network) & mask == u128::from(ip) & mask
        }
        _ => false,
    }
}
