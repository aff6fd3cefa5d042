//! Run with: cargo run --release -p pipeline --example flood -- [addresses] [key cap] [COUNTRY.mmdb ASN.mmdb]
//!
//! The flood of issue 5 through the whole shipped rule pack: one failed
//! customer login from each of 10 million one-shot addresses (10,000 a
//! second, spread over the IPv4 space) and one real attacker among them, who
//! fails a login every 20 seconds. With two MMDB files every event is enriched
//! first (country and AS number), as `leakguard analyze` does. Prints whether
//! the attacker was caught, the largest state any rule held against its cap,
//! the alerts per rule, the throughput and the peak resident memory (`VmHWM`;
//! `/usr/bin/time -f %M` says the same). Memory must not grow with the number
//! of addresses, only with the cap.

// An example reports on standard output.
#![allow(clippy::print_stdout)]

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use detection::{Engine, EngineLimits};
use model::{Event, EventKind, Timestamp};
use parsers::ParserOptions;
use pipeline::{FormatChoice, Processor, SummaryLimits};
use rules::{RuleSet, Sets, Site};

/// Rule files and word lists under a folder, as the app loads them.
fn load(dir: &Path, found: &mut Vec<(String, String)>, sets: &mut Sets) -> std::io::Result<()> {
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(dir)?.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    paths.sort();
    for path in paths {
        let name =
            path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if !name.ends_with(".tests") {
                load(&path, found, sets)?;
            }
        } else if name.ends_with(".yaml") {
            found.push((path.display().to_string(), std::fs::read_to_string(&path)?));
        } else if name.ends_with(".txt")
            && path.parent().is_some_and(|parent| parent.ends_with("data"))
        {
            let set = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            sets.insert(set, rules::parse_set(&std::fs::read_to_string(&path)?));
        }
    }
    Ok(())
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|line| line.starts_with("VmHWM")).map(str::to_owned))
        .unwrap_or_else(|| "VmHWM: unknown".to_owned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_flood: u32 = args.first().and_then(|arg| arg.parse().ok()).unwrap_or(10_000_000);
    let cap: usize = args.get(1).and_then(|arg| arg.parse().ok()).unwrap_or(100_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let (mut sources, mut sets) = (Vec::new(), Sets::new());
    load(&root, &mut sources, &mut sets)?;
    let rule_set = RuleSet::compile_sources(
        sources.iter().map(|(origin, text)| (origin.as_str(), text.as_str())),
        &sets,
        &Site::default(),
    )
    .map_err(|problems| format!("{} rule problems, first: {}", problems.len(), problems[0]))?;
    let n_rules = rule_set.len();
    let limits = EngineLimits { max_keys_per_rule: cap, ..EngineLimits::default() };
    let mut processor = Processor::new(
        FormatChoice::Fixed(parsers::FormatSpec::Combined),
        ParserOptions::default(),
        SummaryLimits::default(),
    )
    .with_engine(Engine::new(rule_set, limits));
    if let (Some(country), Some(asn)) = (args.get(2), args.get(3)) {
        let databases = geoip::Databases::open(Some(Path::new(country)), Some(Path::new(asn)))?;
        processor = processor.with_geo(Box::new(databases));
    }
    let source = processor.begin_source("flood.log")?;
    let start = Timestamp::from_unix_secs(1_795_053_600);
    let attacker = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9));
    let mut event = Event {
        kind: EventKind::Request,
        method: Cow::Borrowed("POST"),
        path: Cow::Borrowed("/member/login"),
        protocol: Cow::Borrowed("HTTP/1.1"),
        status: Some(401),
        bytes: Some(5620),
        user_agent: Cow::Borrowed("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"),
        ..Event::default()
    };
    let text = "POST /member/login 401";
    let mut max_rule_keys = 0;
    let began = std::time::Instant::now();
    let mut line = 0u64;
    for idx in 0..n_flood {
        let secs = i64::from(idx / 10_000);
        event.time = start.add_secs(secs);
        // Spread over the whole IPv4 space: nothing repeats.
        event.client_ip = Some(IpAddr::V4(Ipv4Addr::from(idx.wrapping_mul(2_654_435_761) | 1)));
        line += 1;
        processor.event(source, &event, line, text);
        if idx % 200_000 == 0 {
            event.client_ip = Some(attacker);
            line += 1;
            processor.event(source, &event, line, text);
        }
        if idx % 1_000_000 == 0
            && let Some(engine) = processor.engine()
        {
            max_rule_keys = engine
                .rule_stats()
                .iter()
                .map(|rule| rule.n_keys)
                .max()
                .unwrap_or(0)
                .max(max_rule_keys);
        }
    }
    let elapsed = began.elapsed();
    let stats = processor.engine_stats().unwrap_or_default();
    let alerts = processor.finish_alerts();
    println!(
        "{n_flood} one-shot addresses + 1 attacker, {n_rules} rules, key cap {cap}, {:.1?} ({:.0} events/s)",
        elapsed,
        line as f64 / elapsed.as_secs_f64()
    );
    println!(
        "largest rule state {max_rule_keys} keys (cap {cap}); keys held at the end {}, expired {}, evicted {}",
        stats.n_keys, stats.n_expired_keys, stats.n_evicted_keys
    );
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for alert in &alerts {
        *per_rule.entry(alert.rule_id.0.clone()).or_default() += 1;
    }
    for (rule, count) in &per_rule {
        println!("  {rule}: {count} alerts");
    }
    let caught = alerts.iter().any(|alert| {
        alert.rule_id.0 == "lg-login-failures-ip" && alert.key.value == attacker.to_string()
    });
    println!("attacker {attacker} caught by lg-login-failures-ip: {caught}");
    println!("{}", peak_memory());
    if !caught {
        return Err("the attacker was not caught".into());
    }
    Ok(())
}
