//! Tests of the processor through its public entry point.

use parsers::{FormatSpec, ParserOptions};
use proptest::prelude::*;

use crate::summary::{DistinctEstimator, TextCounter, TopCounter};
use crate::{FormatChoice, LineIssue, Processor, SummaryLimits};

fn line(ip: &str, second: u32, path: &str, status: u16) -> String {
    format!(
        r#"{ip} - - [20/Nov/2026:10:00:{second:02} +0800] "GET {path} HTTP/1.1" {status} 10 "-" "agent""#
    )
}

fn processor(choice: FormatChoice) -> Processor {
    Processor::new(choice, ParserOptions::default(), SummaryLimits::default())
}

#[test]
fn detects_the_format_and_counts_every_line() {
    let mut processor = processor(FormatChoice::Auto);
    let source = processor.begin_source("access.log").unwrap();
    let lines = [
        line("192.0.2.1", 1, "/", 200),
        line("192.0.2.2", 2, "/cart", 200),
        "not a log line".to_owned(),
        String::new(),
        line("192.0.2.1", 3, "/", 404),
    ];
    for (idx, text) in lines.iter().enumerate() {
        processor.line(source, idx as u64 + 1, text.as_bytes(), None);
    }
    processor.end_source(source);
    let summary = processor.summary();
    assert_eq!((summary.lines, summary.events, summary.parse_errors), (5, 3, 1));
    assert_eq!(summary.issues.blank, 1);
    assert_eq!(summary.sources[0].format, "combined");
    assert!(summary.sources[0].detected);
    assert_eq!(summary.error_samples[0].line, 3);
    assert_eq!(summary.error_samples[0].source, "access.log");
    assert_eq!(summary.distinct_ips, 2);
    assert_eq!(summary.top_ips[0].value, "192.0.2.1");
    assert_eq!(summary.top_ips[0].count, 2);
    assert_eq!(summary.top_paths[0].value, "/");
    let span = summary.time_span.unwrap();
    assert_eq!(span.first.to_rfc3339(), "2026-11-20T02:00:01Z");
    assert_eq!(span.last.to_rfc3339(), "2026-11-20T02:00:03Z");
}

#[test]
fn reports_a_source_in_no_known_format() {
    let mut processor = processor(FormatChoice::Auto);
    let source = processor.begin_source("notes.txt").unwrap();
    for idx in 0..3 {
        processor.line(source, idx + 1, b"dear diary", None);
    }
    processor.end_source(source);
    let summary = processor.summary();
    assert_eq!(summary.parse_errors, 3);
    assert_eq!(summary.sources[0].format, "unrecognised");
    assert!(summary.sources[0].problem.as_deref().unwrap().contains("--format"));
}

#[test]
fn counts_bad_bytes_without_losing_the_line() {
    let mut processor = processor(FormatChoice::Fixed(FormatSpec::Combined));
    let source = processor.begin_source("-").unwrap();
    let mut bytes = line("192.0.2.9", 1, "/caf\u{e9}", 200).into_bytes();
    let at = bytes.iter().position(|&byte| byte == 0xc3).unwrap();
    bytes[at] = 0xff;
    processor.line(source, 1, &bytes, None);
    processor.line(
        source,
        2,
        b"x".repeat(100).as_slice(),
        Some(LineIssue::TooLong { length: 2_000_000 }),
    );
    processor.line(
        source,
        3,
        line("192.0.2.9", 2, "/", 200).as_bytes(),
        Some(LineIssue::NoTrailingNewline),
    );
    let summary = processor.summary();
    assert_eq!(summary.events, 2);
    assert_eq!(summary.issues.invalid_utf8, 1);
    assert_eq!(summary.issues.too_long, 1);
    assert_eq!(summary.issues.no_trailing_newline, 1);
    assert!(summary.error_samples[0].message.contains("2000000 bytes"));
}

#[test]
fn counts_events_out_of_time_order_per_source() {
    let mut processor = processor(FormatChoice::Fixed(FormatSpec::Combined));
    let source = processor.begin_source("a").unwrap();
    for (idx, second) in [1, 5, 3, 6].iter().enumerate() {
        processor.line(
            source,
            idx as u64 + 1,
            line("192.0.2.1", *second, "/", 200).as_bytes(),
            None,
        );
    }
    assert_eq!(processor.summary().time_span.unwrap().out_of_order, 1);
}

#[test]
fn a_pruned_table_keeps_the_heavy_hitters_exact() {
    let mut counter = TextCounter::new(100);
    for idx in 0..10_000 {
        counter.add_str("/hot");
        counter.add_str(&format!("/cold/{idx}"));
    }
    assert!(counter.is_pruned());
    assert!(counter.len() <= 100);
    let top = counter.top(1);
    assert_eq!((top[0].value.as_str(), top[0].count), ("/hot", 10_000));
    let mut numbers: TopCounter<u32> = TopCounter::new(10);
    for value in 0..1000 {
        numbers.add_with(&7);
        numbers.add_with(&value);
    }
    assert!(numbers.len() <= 10);
    assert_eq!(numbers.top(1, ToString::to_string)[0].value, "7");
}

proptest! {
    #[test]
    fn distinct_estimate_is_within_five_percent(n in 5_000u64..60_000, seed in any::<u64>()) {
        use std::hash::BuildHasher;
        let state = foldhash::quality::FixedState::with_seed(seed);
        let mut estimator = DistinctEstimator::new();
        for value in 0..n {
            estimator.add(state.hash_one(value));
        }
        let estimate = estimator.estimate() as f64;
        prop_assert!((estimate - n as f64).abs() / (n as f64) < 0.05, "{} vs {}", estimate, n);
    }
}

/// Rule files and word lists under a folder, as the app loads them.
fn load_rule_folder(
    dir: &std::path::Path,
    rules: &mut Vec<(String, String)>,
    sets: &mut rules::Sets,
) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<std::path::PathBuf> = entries.map(|entry| entry.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.ends_with(".tests") {
                load_rule_folder(&path, rules, sets);
            }
        } else if name.ends_with(".yaml") {
            rules.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        } else if name.ends_with(".txt") && path.parent().unwrap().ends_with("data") {
            let set = path.file_stem().unwrap().to_string_lossy().into_owned();
            sets.insert(set, rules::parse_set(&std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn check_rule_folder(dir: &std::path::Path) -> (usize, Vec<String>) {
    let mut sources = Vec::new();
    let mut sets = rules::Sets::new();
    load_rule_folder(dir, &mut sources, &mut sets);
    let texts: Vec<(&str, &str)> = sources.iter().map(|(o, t)| (o.as_str(), t.as_str())).collect();
    let mut failures = Vec::new();
    let mut n_cases = 0;
    for (origin, text) in &sources {
        let rule_id = rules::parse_rule(text, origin).unwrap().id().0.clone();
        let cases_dir = rules::cases_dir(std::path::Path::new(origin));
        let Ok(entries) = std::fs::read_dir(&cases_dir) else {
            failures.push(format!("{origin}: no fixture cases"));
            continue;
        };
        let (mut fires, mut quiet) = (false, false);
        for case_dir in entries.map(|entry| entry.unwrap().path()) {
            let case_text = std::fs::read_to_string(case_dir.join(rules::CASE_FILE)).unwrap();
            let case = rules::parse_case(&case_text, origin).unwrap();
            let input = std::fs::read_to_string(case_dir.join(rules::INPUT_FILE)).unwrap();
            let site = case.site.as_ref().map_or_else(rules::Site::default, |endpoints| {
                rules::Site::compile(endpoints).unwrap()
            });
            let rule_set = rules::RuleSet::compile_sources(texts.iter().copied(), &sets, &site)
                .unwrap_or_else(|problems| panic!("{problems:?}"));
            let run = crate::fixtures::run_case(&rule_id, rule_set, &case, &input);
            n_cases += 1;
            if case.expect.iter().any(|expectation| expectation.rule == rule_id) {
                fires = true;
            } else {
                quiet = true;
            }
            for problem in run.parse_errors.into_iter().chain(run.mismatches) {
                failures.push(format!("{}: {problem}", case_dir.display()));
            }
        }
        if !(fires && quiet) {
            failures.push(format!("{origin}: needs a case that fires and one that does not"));
        }
    }
    (n_cases, failures)
}

#[test]
fn every_shipped_rule_passes_its_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let (n_cases, failures) = check_rule_folder(&root);
    assert!(
        failures.is_empty(),
        "{} of {n_cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_example_rules_pass_their_fixtures_through_the_pipeline() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/test_data/rules");
    let (n_cases, failures) = check_rule_folder(&dir);
    assert!(n_cases >= 6, "{n_cases} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_remembering_inspector_judges_like_the_detectors_themselves() {
    use rules::PayloadInspector as _;
    let inspector = crate::payload_inspector();
    let agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
        "sqlmap/1.7.2#stable (https://sqlmap.org)",
        "() { :; }; /bin/bash -c 'id'",
        "",
    ];
    let targets = ["/product/1", "/search?q=1%27%20OR%201%3D1--", "/../../etc/passwd"];
    let referers = ["-", "https://shop.example.tw/?q=<script>alert(1)</script>", ""];
    // Twice over, so the second round is answered from memory.
    for _ in 0..2 {
        for agent in agents {
            for target in targets {
                for referer in referers {
                    let (path, query) = target.split_once('?').unwrap_or((target, ""));
                    let event = model::Event {
                        path: path.into(),
                        query: query.into(),
                        user_agent: agent.into(),
                        referer: referer.into(),
                        ..Default::default()
                    };
                    assert_eq!(
                        inspector.inspect(&event),
                        crate::payload_flags(&event),
                        "{target} {agent:?} {referer:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn alerts_come_out_as_they_open_with_per_source_counts() {
    let rule = "id: env-probe\ntitle: Probe for .env\nseverity: medium\n\
                detection: {kind: match, where: {path: /.env}, group_by: [ip]}\n";
    let rule_set = rules::RuleSet::compile_sources(
        [("env-probe.yaml", rule)],
        &rules::Sets::new(),
        &rules::Site::default(),
    )
    .unwrap();
    let engine = detection::Engine::new(rule_set, detection::EngineLimits::default());
    let mut processor = processor(FormatChoice::Fixed(FormatSpec::Combined)).with_engine(engine);
    let source = processor.begin_source("access.log").unwrap();
    assert_eq!(processor.source_last_time(source), None);
    processor.line(source, 1, line("192.0.2.1", 1, "/", 200).as_bytes(), None);
    assert!(processor.take_new_alerts().is_empty());
    processor.line(source, 2, line("192.0.2.9", 2, "/.env", 404).as_bytes(), None);
    processor.line(source, 3, b"not a log line", None);
    let opened = processor.take_new_alerts();
    assert_eq!(opened.len(), 1);
    assert!(processor.take_new_alerts().is_empty(), "each alert is handed out once");
    let summary = processor.source_summary(source);
    assert_eq!((summary.lines, summary.events, summary.parse_errors), (3, 2, 1));
    assert_eq!(
        processor.source_last_time(source).map(model::Timestamp::to_rfc3339).as_deref(),
        Some("2026-11-20T02:00:02Z")
    );
    // The final alert has the same id as the snapshot.
    let finished = processor.finish_alerts();
    assert_eq!(finished[0].id, opened[0].id);
}

#[test]
fn enrichment_sets_country_and_asn_before_the_rules_see_the_event() {
    let rule = "id: by-asn\ntitle: T\nseverity: low\ndetection:\n  kind: match\n  where: {country: [US]}\n  group_by: [asn, country]\n";
    let rule_set = rules::RuleSet::compile_sources(
        [("by-asn.yaml", rule)],
        &rules::Sets::new(),
        &rules::Site::default(),
    )
    .unwrap();
    let mut table = geoip::Table::new();
    let us = geoip::Geo { country: model::Country::parse("US"), asn: Some(64500) };
    table.insert("203.0.113.9".parse().unwrap(), us);
    table.insert(
        "192.0.2.1".parse().unwrap(),
        geoip::Geo { country: model::Country::parse("TW"), asn: Some(3462) },
    );
    let mut processor = processor(FormatChoice::Fixed(FormatSpec::Combined))
        .with_engine(detection::Engine::new(rule_set, detection::EngineLimits::default()))
        .with_geo(Box::new(table));
    let source = processor.begin_source("access.log").unwrap();
    for (idx, ip) in ["203.0.113.9", "192.0.2.1", "198.51.100.1", "203.0.113.9"].iter().enumerate()
    {
        processor.line(source, idx as u64 + 1, line(ip, idx as u32, "/", 200).as_bytes(), None);
    }
    let alerts = processor.finish_alerts();
    let keys: Vec<(String, u64)> =
        alerts.iter().map(|alert| (alert.key.to_string(), alert.count)).collect();
    assert_eq!(keys, [("asn AS64500, country US".to_owned(), 2)]);
}

#[test]
fn a_case_geo_table_with_bad_entries_is_a_broken_fixture() {
    let case = rules::parse_case(
        "format = \"combined\"\nexpect = []\n[geo]\n\"203.0.113.9\" = { country = \"USA\" }\n\"not-an-ip\" = { asn = 1 }\n\"192.0.2.1\" = { country = \"tw\", asn = 3462 }\n",
        "case.toml",
    )
    .unwrap();
    let (mut table, problems) = crate::fixtures::geo_table(&case);
    assert_eq!(
        problems,
        [
            r#"case.toml: [geo] "203.0.113.9": country "USA" is not a two-letter code"#,
            r#"case.toml: [geo] key "not-an-ip" is not an address"#,
        ]
    );
    use geoip::GeoLookup;
    assert_eq!(table.lookup("192.0.2.1".parse().unwrap()).asn, Some(3462));
}

/// The shipped rules and word lists.
fn shipped_rule_set() -> rules::RuleSet {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let (mut sources, mut sets) = (Vec::new(), rules::Sets::new());
    load_rule_folder(&root, &mut sources, &mut sets);
    rules::RuleSet::compile_sources(
        sources.iter().map(|(origin, text)| (origin.as_str(), text.as_str())),
        &sets,
        &rules::Site::default(),
    )
    .unwrap()
}

#[test]
fn a_flood_of_one_shot_addresses_through_every_rule_stays_within_the_caps() {
    // Issue 5 at a fiftieth of its size: 200,000 one-shot addresses failing a
    // customer login (10,000 a second), each rule capped at 5,000 keys, and one
    // attacker failing twice a second. `examples/flood.rs` runs the 10 million.
    const N_FLOOD: u32 = 200_000;
    const CAP: usize = 5_000;
    let limits = detection::EngineLimits { max_keys_per_rule: CAP, ..Default::default() };
    let mut processor = processor(FormatChoice::Fixed(FormatSpec::Combined))
        .with_engine(detection::Engine::new(shipped_rule_set(), limits));
    let source = processor.begin_source("flood.log").unwrap();
    let start = model::Timestamp::from_unix_secs(1_795_053_600);
    let attacker: std::net::IpAddr = "203.0.113.9".parse().unwrap();
    let mut event = model::Event {
        method: "POST".into(),
        path: "/member/login".into(),
        status: Some(401),
        ..model::Event::default()
    };
    let mut max_rule_keys = 0;
    for idx in 0..N_FLOOD {
        event.time = start.add_secs(i64::from(idx / 10_000));
        event.client_ip =
            Some(std::net::Ipv4Addr::from(idx.wrapping_mul(2_654_435_761) | 1).into());
        processor.event(source, &event, u64::from(idx), "");
        if idx % 5_000 == 0 {
            event.client_ip = Some(attacker);
            processor.event(source, &event, u64::from(idx), "");
        }
        if idx % 20_000 == 0 {
            let engine = processor.engine().unwrap();
            let largest = engine.rule_stats().iter().map(|rule| rule.n_keys).max().unwrap();
            max_rule_keys = max_rule_keys.max(largest);
        }
    }
    let stats = processor.engine_stats().unwrap();
    let n_rules = processor.n_rules();
    let alerts = processor.finish_alerts();
    assert!(max_rule_keys <= CAP, "{max_rule_keys} keys in one rule");
    assert!(stats.n_keys <= (CAP * n_rules) as u64, "{} keys", stats.n_keys);
    assert!(stats.n_expired_keys + stats.n_evicted_keys > u64::from(N_FLOOD));
    let caught: Vec<&model::Alert> = alerts
        .iter()
        .filter(|alert| {
            alert.key.value == "203.0.113.9" && alert.rule_id.0 == "lg-login-failures-ip"
        })
        .collect();
    let mine: Vec<String> = alerts
        .iter()
        .filter(|alert| alert.key.value.contains("203.0.113"))
        .map(|alert| format!("{} {} {}", alert.rule_id, alert.key, alert.count))
        .collect();
    let stats: Vec<String> = processor
        .engine()
        .unwrap()
        .rule_stats()
        .iter()
        .filter(|rule| rule.n_matches > 0)
        .map(|rule| {
            format!("{} {} {} {}", rule.rule_id, rule.n_matches, rule.n_alerts, rule.n_keys)
        })
        .collect();
    assert_eq!(caught.len(), 1, "the attacker is caught once: {mine:?} {stats:?}");
    // The flood itself is distributed stuffing: the site-wide rule sees it.
    assert!(alerts.iter().any(|alert| alert.rule_id.0 == "lg-login-failures-site"));
}
