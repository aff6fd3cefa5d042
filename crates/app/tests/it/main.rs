//! End-to-end tests: the real binary on real files in a temporary directory.

// Helpers here are test code too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod browser;
mod console;
mod enforcers;
mod geoip;
mod incident;
mod login;
mod notices;
mod notify;
mod run;
mod run_faults;
mod run_model;
mod scan;
mod serve;

fn leakguard(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakguard"))
        .args(args)
        .current_dir(dir)
        .env("LANG", "C")
        .env_remove("LEAKGUARD_CONFIG")
        .output()
        .expect("the binary runs")
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn combined(ip: &str, second: u32, path: &str, status: u16) -> String {
    format!(
        "{ip} - - [20/Nov/2026:10:00:{second:02} +0800] \"GET {path} HTTP/1.1\" {status} 10 \"-\" \"agent\"\n"
    )
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn analyze_reports_counts_and_names_each_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = String::new();
    content.push_str(&combined("192.0.2.1", 1, "/", 200));
    content.push_str(&combined("192.0.2.2", 2, "/member/login", 401));
    content.push_str("this is not a log line\n");
    content.push_str(&combined("192.0.2.1", 3, "/", 200));
    write(dir.path(), "access.log", content.as_bytes());
    let output = leakguard(dir.path(), &["analyze", "--output", "json", "access.log"]);
    assert!(output.status.success());
    let report = json_of(&output);
    assert_eq!(report["version"], 1);
    let summary = &report["summary"];
    assert_eq!(summary["lines"], 4);
    assert_eq!(summary["events"], 3);
    assert_eq!(summary["parse_errors"], 1);
    assert_eq!(summary["error_samples"][0]["source"], "access.log");
    assert_eq!(summary["error_samples"][0]["line"], 3);
    assert_eq!(summary["sources"][0]["format"], "combined");
    assert_eq!(summary["distinct_ips"], 2);
    assert_eq!(summary["top_ips"][0]["value"], "192.0.2.1");
    assert_eq!(summary["time_span"]["first"], "2026-11-20T02:00:01Z");
}

#[test]
fn analyze_reads_a_rotated_set_oldest_first_including_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(combined("192.0.2.1", 1, "/old", 200).as_bytes()).unwrap();
    write(dir.path(), "access.log.2.gz", &gz.finish().unwrap());
    write(dir.path(), "access.log.1", combined("192.0.2.1", 2, "/middle", 200).as_bytes());
    write(dir.path(), "access.log", combined("192.0.2.1", 3, "/new", 200).as_bytes());
    let output = leakguard(dir.path(), &["analyze", "--output", "json", "access.log*"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = &json_of(&output)["summary"];
    let sources: Vec<&str> = summary["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 3);
    assert!(sources[0].ends_with("access.log.2.gz"), "{sources:?}");
    assert!(sources[2].ends_with("access.log"), "{sources:?}");
    assert_eq!(summary["events"], 3);
    assert_eq!(summary["time_span"]["out_of_order"], 0);
}

#[test]
fn a_missing_file_is_reported_and_the_rest_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "access.log", combined("192.0.2.1", 1, "/", 200).as_bytes());
    std::fs::create_dir(dir.path().join("logs")).unwrap();
    let output =
        leakguard(dir.path(), &["analyze", "--output", "json", "acess.log", "logs", "access.log"]);
    assert_eq!(output.status.code(), Some(1));
    let summary = &json_of(&output)["summary"];
    assert_eq!(summary["events"], 1);
    let problems: Vec<String> = summary["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|source| source["problem"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|problem| problem.contains("acess.log")), "{problems:?}");
    assert!(problems.iter().any(|problem| problem.contains("directory")), "{problems:?}");
}

#[test]
fn hostile_input_is_counted_never_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = Vec::new();
    content.extend_from_slice(combined("192.0.2.1", 1, "/", 200).as_bytes());
    content.extend_from_slice(b"192.0.2.1 - - [20/Nov/2026:10:00:02 +0800] \"GET /\xff\xfe HTTP/1.1\" 200 1 \"-\" \"x\"\n");
    content.extend_from_slice(b"\x00\x00\x00binary\x00\n");
    content.extend(std::iter::repeat_n(b'a', 1_000_000));
    content.push(b'\n');
    content.extend_from_slice(combined("192.0.2.3", 4, "/", 200).trim_end().as_bytes());
    write(dir.path(), "hostile.log", &content);
    write(dir.path(), "empty.log", b"");
    let output =
        leakguard(dir.path(), &["analyze", "--output", "json", "hostile.log", "empty.log"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = &json_of(&output)["summary"];
    assert_eq!(summary["events"], 3);
    assert_eq!(summary["issues"]["invalid_utf8"], 1);
    assert_eq!(summary["issues"]["too_long"], 1);
    assert_eq!(summary["issues"]["contains_nul"], 1);
    assert_eq!(summary["issues"]["no_trailing_newline"], 1);
    assert_eq!(summary["parse_errors"], 2);
}

#[test]
fn compiles_a_custom_nginx_log_format_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "custom.log",
        b"10.0.0.2|2026-11-20T10:00:00+08:00|GET /member/orders?id=7 HTTP/1.1|200|203.0.113.50\n",
    );
    let output = leakguard(
        dir.path(),
        &[
            "analyze",
            "--output",
            "json",
            "--nginx-log-format",
            "$remote_addr|$time_iso8601|$request|$status|$http_x_forwarded_for",
            "--trusted-proxy",
            "10.0.0.0/8",
            "custom.log",
        ],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = &json_of(&output)["summary"];
    assert_eq!(summary["events"], 1);
    assert_eq!(summary["top_ips"][0]["value"], "203.0.113.50");
    assert_eq!(summary["top_paths"][0]["value"], "/member/orders");
}

#[test]
fn the_text_report_speaks_traditional_chinese() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "access.log", combined("192.0.2.1", 1, "/", 200).as_bytes());
    let output = leakguard(dir.path(), &["--lang", "zh-TW", "analyze", "access.log"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("請求最多的 IP"), "{text}");
    assert!(text.contains("2026-11-20 10:00:01 +08:00"), "{text}");
}

#[test]
fn config_check_reports_every_problem_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.toml",
        b"[site]\ntimezone = \"Mars/Olympus\"\ncolour = \"red\"\n[logs]\ntrusted_proxies = [\"10.0.0.0/8\", \"nope\"]\nformat = \"xml\"\n",
    );
    let output = leakguard(dir.path(), &["config", "check", "bad.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    for expected in [
        "site.timezone",
        "site.colour: unknown key",
        "logs.trusted_proxies[1]",
        "logs.format",
        "4 problems",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
}

#[test]
fn the_example_config_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let example = leakguard(dir.path(), &["config", "example"]);
    write(dir.path(), "leakguard.toml", &example.stdout);
    let output = leakguard(dir.path(), &["config", "check", "leakguard.toml"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_demo_agrees_with_its_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let output = leakguard(
        dir.path(),
        &["demo", "--lines", "20000", "--out", "demo.log", "--output", "json"],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report = json_of(&output);
    for check in ["lines", "statuses", "distinct_ips", "time_span"] {
        assert_eq!(report["agreement"][check], true, "{check}");
    }
    assert_eq!(report["summary"]["parse_errors"], 0);
    assert!(report["truth"]["episodes"].as_array().unwrap().len() >= 8);
}
