//! Latency of `leakguard run` from a line appended to a followed file to the
//! ban visible on `GET /v1/decisions?ip=`, with background traffic appended
//! to the same file, and the daemon's CPU time for it.
//!
//! Run with: cargo build --release -p app && cargo run --release -p app --example live_latency -- [ATTACKS] [BACKGROUND_LINES_PER_SEC] [POLL_INTERVAL]
//!
//! Defaults: 200 attacks (one SQL injection request each, from its own
//! address), 20000 background lines per second, poll interval 250ms. The
//! daemon is the `leakguard` binary next to this example's folder.

// A measurement tool: it prints its report and gives up loudly.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the example's path");
    // target/release/examples/live_latency -> target/release/leakguard
    exe.parent().and_then(Path::parent).expect("target folder").join("leakguard")
}

/// A time on the test day, `second` seconds after 10:00, as nginx writes it.
fn at(second: u64) -> String {
    format!(
        "20/Nov/2026:{:02}:{:02}:{:02} +0800",
        10 + second / 3600 % 12,
        second / 60 % 60,
        second % 60
    )
}

fn get(address: &str, path: &str, key: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("the daemon listens");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nX-Api-Key: {key}\r\nConnection: close\r\n\r\n"
    )
    .expect("request written");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

/// User plus system CPU seconds of a process (Linux, 100 ticks per second).
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(close) = stat.rfind(')') else { return 0.0 };
    let mut fields = stat[close + 2..].split(' ').skip(11);
    let user: f64 = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0.0);
    let system: f64 = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0.0);
    (user + system) / 100.0
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * fraction).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_attacks: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(200);
    let background: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let poll = args.get(2).cloned().unwrap_or_else(|| "250ms".to_owned());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let log = dir.path().join("access.log");
    std::fs::write(&log, "").unwrap();
    let config = format!(
        "[logs]\nformat = \"combined\"\n[store]\npath = \"data/leakguard.db\"\n\
         [serve]\nlisten = \"127.0.0.1:0\"\n[run]\nfiles = [\"access.log\"]\npoll_interval = \"{poll}\"\n"
    );
    std::fs::write(dir.path().join("leakguard.toml"), config).unwrap();
    let added = Command::new(binary())
        .args(["-c", "leakguard.toml", "bouncers", "add", "bench", "-o", "json"])
        .current_dir(dir.path())
        .output()
        .expect("leakguard runs (build it first: cargo build --release -p app)");
    let added: serde_json::Value = serde_json::from_slice(&added.stdout).expect("a key");
    let key = added["api_key"].as_str().expect("a key").to_owned();
    let mut child = Command::new(binary())
        .args(["-c", "leakguard.toml", "run"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("leakguard run starts");
    let pid = child.id();
    let stdout = child.stdout.take().expect("stdout");
    let daemon = Daemon(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("the address line").expect("text");
    let address = first.rsplit("://").next().expect("an address").to_owned();
    std::thread::spawn(move || for _ in lines {});

    // Background traffic: shoppers from 50,000 addresses, in 10 ms slices.
    let clock = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let n_background = Arc::new(AtomicU64::new(0));
    let writer = {
        let (stop, n_background, log) = (stop.clone(), n_background.clone(), log.clone());
        std::thread::spawn(move || {
            let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
            let per_slice = background / 100;
            let mut n: u64 = 0;
            let mut next = Instant::now();
            while !stop.load(Ordering::Relaxed) && per_slice > 0 {
                let second = clock.elapsed().as_secs();
                let mut text = String::with_capacity(per_slice as usize * 160);
                for _ in 0..per_slice {
                    let ip = n % 50_000;
                    text.push_str(&format!(
                        "100.{}.{}.{} - - [{}] \"GET /product/{} HTTP/1.1\" 200 5120 \"https://shop.example/\" \"Mozilla/5.0 (X11; Linux x86_64)\"\n",
                        64 + ip / 65_536,
                        ip / 256 % 256,
                        ip % 256,
                        at(second),
                        n % 977
                    ));
                    n += 1;
                }
                file.write_all(text.as_bytes()).unwrap();
                n_background.store(n, Ordering::Relaxed);
                next += Duration::from_millis(10);
                if let Some(wait) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
            }
        })
    };

    // Warm up (the first lines choose nothing, the format is fixed).
    std::thread::sleep(Duration::from_secs(2));
    let cpu_before = cpu_secs(pid);
    let started = Instant::now();
    let lines_before = n_background.load(Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut attack_log = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    for idx in 0..n_attacks {
        let ip = format!("203.0.{}.{}", 113 + idx / 250, idx % 250 + 1);
        let line = format!(
            "{ip} - - [{}] \"GET /product?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20- HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0\"\n",
            at(clock.elapsed().as_secs())
        );
        let appended = Instant::now();
        attack_log.write_all(line.as_bytes()).unwrap();
        let deadline = appended + Duration::from_secs(30);
        loop {
            let (status, body) = get(&address, &format!("/v1/decisions?ip={ip}"), &key);
            if status == 200 && body.contains("\"ban\"") {
                latencies.push(appended.elapsed());
                break;
            }
            assert!(Instant::now() < deadline, "no ban for {ip} within 30 s");
            std::thread::sleep(Duration::from_millis(2));
        }
        // Spread the attacks over the poll cycle (a fixed pause would lock onto its phase).
        std::thread::sleep(Duration::from_millis(10 + idx * 97 % 250));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_secs(pid) - cpu_before;
    let n_lines = n_background.load(Ordering::Relaxed) - lines_before;
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let (_, health) = get(&address, "/health", &key);
    drop(daemon);

    latencies.sort();
    println!(
        "append -> ban visible on /v1/decisions?ip=, poll interval {poll}, {n_attacks} attacks:\n  \
         p50 {:.1?}  p90 {:.1?}  p99 {:.1?}  max {:.1?}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1]
    );
    println!(
        "background: {n_lines} lines in {elapsed:.1} s ({:.0} lines/s written); daemon CPU {cpu:.2} s ({:.0}% of one core)",
        n_lines as f64 / elapsed,
        cpu / elapsed * 100.0
    );
    let health: serde_json::Value = serde_json::from_str(health.trim()).unwrap_or_default();
    println!(
        "daemon: {} lines read, {} parse errors, {} decisions, unread {} bytes at the end",
        health["sources"][0]["lines"],
        health["sources"][0]["parse_errors"],
        health["decisions"],
        health["sources"][0]["unread_bytes"]
    );
}
