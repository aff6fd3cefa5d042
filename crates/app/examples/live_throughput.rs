//! Sustained following throughput of `leakguard run` with the full rule
//! pack: a generator appends the demo log to a followed file as fast as it
//! can, in 1 MiB writes, while the daemon reads it; reports the lines per
//! second the daemon processed from the first line to the last, its CPU
//! time, and how far behind the writer it was at its worst.
//!
//! Run with: cargo build --release -p app --example live_throughput && ./target/release/examples/live_throughput [LINES] [POLL_INTERVAL]
//!
//! Defaults: 1,000,000 lines of `leakguard demo`, poll interval 250ms. The
//! daemon is the `leakguard` binary next to this example's folder.

// A measurement tool: it prints its report and gives up loudly.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    // target/release/examples/live_throughput -> target/release/leakguard
    exe.parent().and_then(Path::parent).expect("target folder").join("leakguard")
}

fn health(address: &str) -> serde_json::Value {
    let mut stream = TcpStream::connect(address).expect("the daemon listens");
    write!(stream, "GET /health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
        .expect("request written");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    serde_json::from_str(body.trim()).unwrap_or_default()
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_lines: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let poll = args.get(1).cloned().unwrap_or_else(|| "250ms".to_owned());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let generated = Command::new(binary())
        .args(["demo", "--lines", &n_lines.to_string(), "--out", "demo.log", "--generate-only"])
        .current_dir(dir.path())
        .output()
        .expect("leakguard runs (build it first: cargo build --release -p app)");
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let demo = std::fs::read(dir.path().join("demo.log")).unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, "").unwrap();
    let config = format!(
        "[logs]\nformat = \"combined\"\n[store]\npath = \"data/leakguard.db\"\n\
         [serve]\nlisten = \"127.0.0.1:0\"\n[run]\nfiles = [\"access.log\"]\npoll_interval = \"{poll}\"\n"
    );
    std::fs::write(dir.path().join("leakguard.toml"), config).unwrap();
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

    let cpu_before = cpu_secs(pid);
    let started = Instant::now();
    let writer = {
        let log = log.clone();
        std::thread::spawn(move || {
            let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
            for chunk in demo.chunks(1 << 20) {
                file.write_all(chunk).unwrap();
            }
            started.elapsed()
        })
    };
    let mut worst_unread: u64 = 0;
    let mut worst_queue: u64 = 0;
    let deadline = started + Duration::from_secs(600);
    loop {
        let document = health(&address);
        let source = &document["sources"][0];
        worst_unread = worst_unread.max(source["unread_bytes"].as_u64().unwrap_or(0));
        worst_queue = worst_queue.max(document["input_queue"]["waiting"].as_u64().unwrap_or(0));
        if source["lines"].as_u64() >= Some(n_lines) {
            break;
        }
        assert!(Instant::now() < deadline, "not done within 600 s: {document}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_secs(pid) - cpu_before;
    let written_in = writer.join().unwrap().as_secs_f64();
    let document = health(&address);
    drop(daemon);

    println!(
        "{n_lines} demo lines appended in {written_in:.2} s (1 MiB writes), full rule pack, poll interval {poll}:"
    );
    println!(
        "  daemon: all processed in {elapsed:.2} s = {:.0} lines/s; CPU {cpu:.2} s = {:.0}% of one core ({:.0}% of the 2-core machine)",
        n_lines as f64 / elapsed,
        cpu / elapsed * 100.0,
        cpu / elapsed * 50.0
    );
    println!(
        "  worst lag: {:.1} MB unread, {worst_queue} of 4 batches queued; {} alerts, {} decisions, {} parse errors",
        worst_unread as f64 / 1e6,
        document["alerts"],
        document["decisions"],
        document["sources"][0]["parse_errors"]
    );
}
