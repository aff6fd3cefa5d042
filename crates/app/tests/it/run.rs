//! `leakguard run` end to end: the real daemon on a free loopback port,
//! following a file in a temporary directory; attack lines appended to it
//! become bans on the decisions API, across a rotation and a `kill -9`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::leakguard;
use super::serve::wait_for;

/// Kills the daemon when the test ends, however it ends.
pub(crate) struct Daemon {
    pub(crate) child: Child,
    pub(crate) address: String,
    /// The rest of what it prints.
    pub(crate) lines: mpsc::Receiver<String>,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    /// `kill -9`: no chance to commit anything.
    pub(crate) fn kill_9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) const CONFIG: &str = "leakguard.toml";

fn write_config(dir: &Path) {
    let config = "[logs]\nformat = \"combined\"\n\
                  [store]\npath = \"data/leakguard.db\"\n\
                  [serve]\nlisten = \"127.0.0.1:0\"\n\
                  [run]\nfiles = [\"access.log\"]\npoll_interval = \"50ms\"\nrotate_wait = \"2s\"\n";
    std::fs::write(dir.join(CONFIG), config).unwrap();
}

/// Starts `run` and returns it once it has printed its address.
fn start(dir: &Path) -> Daemon {
    start_with(dir, CONFIG)
}

/// Starts `run` with a configuration file.
pub(crate) fn start_with(dir: &Path, config: &str) -> Daemon {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakguard"))
        .args(["--config", config, "run"])
        .current_dir(dir)
        .env("LANG", "C")
        .env_remove("LEAKGUARD_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    // Keep reading stdout so that the daemon never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            let _ = sender.send(line);
        }
    });
    let mut daemon = Daemon { child, address: String::new(), lines: receiver };
    let line = daemon.lines.recv_timeout(Duration::from_secs(30)).expect("run prints its address");
    daemon.address = line.trim().rsplit("://").next().unwrap().to_owned();
    daemon
}

pub(crate) fn get(address: &str, path: &str, key: Option<&str>) -> std::io::Result<(u16, String)> {
    super::serve::request(address, "GET", path, key)
}

pub(crate) fn add_bouncer(dir: &Path) -> String {
    let added = leakguard(dir, &["--config", CONFIG, "bouncers", "add", "test", "-o", "json"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    super::json_of(&added)["api_key"].as_str().unwrap().to_owned()
}

pub(crate) fn is_banned(daemon: &Daemon, key: &str, ip: &str) -> bool {
    match get(&daemon.address, &format!("/v1/decisions?ip={ip}"), Some(key)) {
        Ok((200, body)) => body.contains("\"ban\""),
        _ => false,
    }
}

/// Active decisions per value, from the CLI.
pub(crate) fn decisions_per_value(dir: &Path) -> HashMap<String, usize> {
    let listed = leakguard(dir, &["--config", CONFIG, "decisions", "list", "-o", "json"]);
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let mut counts = HashMap::new();
    for decision in super::json_of(&listed)["decisions"].as_array().unwrap() {
        *counts.entry(decision["value"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    counts
}

pub(crate) fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).create(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// The time `second` seconds after 10:00 on the test day, as nginx writes it.
pub(crate) fn at(second: u32) -> String {
    format!(
        "20/Nov/2026:{:02}:{:02}:{:02} +0800",
        10 + second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// A request a shopper makes.
fn benign(n: u32, second: u32) -> String {
    format!(
        "198.51.100.{} - - [{}] \"GET /product/{n} HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n",
        n % 200 + 1,
        at(second)
    )
}

/// One SQL injection request: a ban on its own (a `match` rule).
fn sql_injection(ip: &str, second: u32) -> String {
    format!(
        "{ip} - - [{}] \"GET /product?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20- HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0\"\n",
        at(second)
    )
}

#[test]
fn run_bans_from_a_followed_file_across_rotation_and_status_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path());
    let log = dir.path().join("access.log");
    std::fs::write(&log, benign(0, 0)).unwrap();
    let key = add_bouncer(dir.path());
    let daemon = start(dir.path());
    wait_for("the API", || {
        get(&daemon.address, "/health", None).is_ok_and(|(code, _)| code == 200)
    });

    // Thirty .env-style probes with 404s among shoppers' requests.
    let mut text = String::new();
    for n in 1..=30u32 {
        text.push_str(&benign(n, n));
        let path = ["/.env", "/.git/config", "/.aws/credentials"][n as usize % 3];
        text.push_str(&format!(
            "203.0.113.7 - - [{}] \"GET {path} HTTP/1.1\" 404 10 \"-\" \"curl/8\"\n",
            at(n)
        ));
    }
    append(&log, &text);
    wait_for("the ban of the .env prober", || is_banned(&daemon, &key, "203.0.113.7"));
    assert!(!is_banned(&daemon, &key, "198.51.100.2"), "shoppers are not banned");

    // logrotate's rename and create; nginx writes the renamed file until it reopens.
    std::fs::rename(&log, dir.path().join("access.log.1")).unwrap();
    append(&dir.path().join("access.log.1"), &sql_injection("203.0.113.8", 31));
    std::fs::write(&log, benign(100, 32)).unwrap();
    append(&log, &sql_injection("203.0.113.9", 33));
    wait_for("the ban from the renamed file", || is_banned(&daemon, &key, "203.0.113.8"));
    wait_for("the ban from the new file", || is_banned(&daemon, &key, "203.0.113.9"));

    // copytruncate: the file is copied, then truncated in place.
    std::fs::copy(&log, dir.path().join("access.log.2")).unwrap();
    std::fs::OpenOptions::new().write(true).open(&log).unwrap().set_len(0).unwrap();
    append(&log, &sql_injection("203.0.113.10", 34));
    wait_for("the ban after a truncation", || is_banned(&daemon, &key, "203.0.113.10"));

    // /health and `leakguard status` report the source.
    let health = || -> Value {
        let (code, body) = get(&daemon.address, "/health", None).unwrap();
        assert_eq!(code, 200);
        serde_json::from_str(body.trim()).unwrap()
    };
    // Counters are refreshed just after the decisions are stored.
    wait_for("the counters", || health()["sources"][0]["lines"].as_u64() >= Some(64));
    let health = health();
    let source = &health["sources"][0];
    assert_eq!(source["source"], "access.log");
    assert_eq!(source["format"], "combined");
    assert_eq!(source["parse_errors"], 0);
    assert!(health["decisions"].as_u64().unwrap() >= 3, "{health}");
    assert!(health["last_checkpoint"].is_string(), "{health}");
    let status =
        leakguard(dir.path(), &["--config", CONFIG, "status", "--address", &daemon.address]);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("access.log") && text.contains("parse errors"), "{text}");
    let (code, metrics) = get(&daemon.address, "/metrics", None).unwrap();
    assert_eq!(code, 200);
    assert!(metrics.contains("leakguard_lines_total{source=\"access.log\"}"), "{metrics}");
    drop(daemon);
    let counts = decisions_per_value(dir.path());
    // The prober trips more than one rule; each single request gives one ban.
    assert!(counts.contains_key("203.0.113.7"), "{counts:?}");
    for ip in ["203.0.113.8", "203.0.113.9", "203.0.113.10"] {
        assert_eq!(counts.get(ip), Some(&1), "{counts:?}");
    }
}

#[test]
fn run_killed_mid_stream_and_rotated_while_down_loses_no_line_and_repeats_no_decision() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path());
    let log = dir.path().join("access.log");
    std::fs::write(&log, benign(0, 0)).unwrap();
    let key = add_bouncer(dir.path());
    let daemon = start(dir.path());
    wait_for("the API", || {
        get(&daemon.address, "/health", None).is_ok_and(|(code, _)| code == 200)
    });

    // A writer appends 120 attackers among shoppers, in small steps, while
    // the daemon is killed and restarted under it.
    let n_attackers = 120u32;
    let attacker = |n: u32| format!("203.0.113.{}", n + 1);
    let writer_log = log.clone();
    let (progress, written) = mpsc::channel();
    let writer = std::thread::spawn(move || {
        for n in 0..n_attackers {
            let mut text = String::new();
            for shopper in 0..5 {
                text.push_str(&benign(n * 5 + shopper, n));
            }
            text.push_str(&sql_injection(&format!("203.0.113.{}", n + 1), n));
            append(&writer_log, &text);
            let _ = progress.send(n);
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    let mut daemon = daemon;
    for seen in [5, 40, 80] {
        wait_for("bans before a kill", || is_banned(&daemon, &key, &attacker(seen)));
        daemon.kill_9();
        // Lines keep coming while it is down; once, the log is rotated
        // meanwhile (the writer's next append creates the new file).
        let _ = written.recv_timeout(Duration::from_secs(30));
        if seen == 40 {
            std::fs::rename(&log, dir.path().join("access.log.1")).unwrap();
            let _ = written.recv_timeout(Duration::from_secs(30));
        }
        daemon = start(dir.path());
    }
    writer.join().unwrap();
    wait_for("the ban of the last attacker", || {
        is_banned(&daemon, &key, &attacker(n_attackers - 1))
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let counts = decisions_per_value(dir.path());
        let missing: Vec<String> =
            (0..n_attackers).map(attacker).filter(|ip| !counts.contains_key(ip)).collect();
        if missing.is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never banned: {missing:?}");
        std::thread::yield_now();
    }

    // Kill it again right away, restart, and check nothing was decided twice.
    daemon.kill_9();
    let daemon = start(dir.path());
    append(&log, &sql_injection("192.0.2.200", n_attackers));
    wait_for("a ban after the second restart", || is_banned(&daemon, &key, "192.0.2.200"));
    drop(daemon);
    let counts = decisions_per_value(dir.path());
    let repeated: Vec<_> = counts.iter().filter(|(_, count)| **count > 1).collect();
    assert!(repeated.is_empty(), "decided twice: {repeated:?}");
    assert_eq!(counts.len(), n_attackers as usize + 1, "{counts:?}");
}

/// Waits for the line that starts with `prefix` and returns the rest.
pub(crate) fn printed(daemon: &Daemon, prefix: &str) -> String {
    loop {
        let line = daemon.lines.recv_timeout(Duration::from_secs(30)).expect("more output");
        if let Some(rest) = line.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
}

pub(crate) fn health(daemon: &Daemon) -> Value {
    let (code, body) = get(&daemon.address, "/health", None).unwrap();
    assert_eq!(code, 200, "{body}");
    serde_json::from_str(body.trim()).unwrap()
}

const PROBE_RULE: &str = "id: test-probe\ntitle: Probe for /secret-a\nseverity: medium\n\
    detection: {kind: match, where: {path: /secret-a}, group_by: [ip]}\n\
    response:\n  - {action: ban, scope: ip, duration: 1h}\n";

fn probe(ip: &str, path: &str) -> String {
    format!("{ip} - - [{}] \"GET {path} HTTP/1.1\" 404 10 \"-\" \"curl/8\"", at(5))
}

#[test]
fn run_receives_syslog_reloads_rules_on_sighup_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    let rule = dir.path().join("rules/probe.yaml");
    std::fs::write(&rule, PROBE_RULE).unwrap();
    let config = "[logs]\nformat = \"combined\"\n[rules]\nbuiltin = false\ndirs = [\"rules\"]\n\
                  [store]\npath = \"data/leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\n\
                  [run]\nsyslog_udp = \"127.0.0.1:0\"\nsyslog_tcp = \"127.0.0.1:0\"\n";
    std::fs::write(dir.path().join(CONFIG), config).unwrap();
    let key = add_bouncer(dir.path());
    let daemon = start(dir.path());
    let udp = printed(&daemon, "leakguard run: syslog on udp://");
    let tcp = printed(&daemon, "leakguard run: syslog on tcp://");
    assert_eq!(health(&daemon)["rules"], 1);

    // nginx's `access_log syslog:` over UDP, rsyslog's octet counting over TCP.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let message =
        format!("<190>Nov 20 10:00:05 web1 nginx: {}", probe("203.0.113.20", "/secret-a"));
    socket.send_to(message.as_bytes(), &udp).unwrap();
    wait_for("the ban from UDP", || is_banned(&daemon, &key, "203.0.113.20"));
    let mut stream = TcpStream::connect(&tcp).unwrap();
    let message = format!(
        "<190>1 2026-11-20T10:00:06+08:00 web1 nginx - - - {}",
        probe("203.0.113.21", "/secret-a")
    );
    write!(stream, "{} {message}", message.len()).unwrap();
    stream.flush().unwrap();
    wait_for("the ban from TCP", || is_banned(&daemon, &key, "203.0.113.21"));

    // An invalid rule set is refused and the running one kept.
    let hang_up = || {
        let sent =
            Command::new("kill").args(["-HUP", &daemon.child.id().to_string()]).status().unwrap();
        assert!(sent.success());
    };
    std::fs::write(&rule, "id: test-probe\ndetection: {kind: nonsense}\n").unwrap();
    hang_up();
    wait_for("the refused reload", || {
        health(&daemon)["last_reload"].as_str().is_some_and(|text| text.contains("keeping the old"))
    });
    socket
        .send_to(format!("<190>nginx: {}", probe("203.0.113.22", "/secret-a")).as_bytes(), &udp)
        .unwrap();
    wait_for("a ban by the old rules", || is_banned(&daemon, &key, "203.0.113.22"));

    // A valid one replaces it.
    std::fs::write(&rule, PROBE_RULE.replace("/secret-a", "/secret-b")).unwrap();
    hang_up();
    wait_for("the reload", || {
        health(&daemon)["last_reload"].as_str().is_some_and(|text| text.contains("loaded 1 rule"))
    });
    socket
        .send_to(format!("<190>nginx: {}", probe("203.0.113.23", "/secret-b")).as_bytes(), &udp)
        .unwrap();
    wait_for("a ban by the new rules", || is_banned(&daemon, &key, "203.0.113.23"));
    let listeners = health(&daemon)["syslog"].clone();
    assert_eq!(listeners[0]["received"], 3, "{listeners}");
    assert_eq!(listeners[1]["received"], 1, "{listeners}");

    // SIGTERM: a clean stop.
    let mut daemon = daemon;
    let sent =
        Command::new("kill").args(["-TERM", &daemon.child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let mut status = None;
    wait_for("the daemon to stop", || {
        status = daemon.child.try_wait().unwrap();
        status.is_some()
    });
    assert!(status.unwrap().success(), "{status:?}");
}

pub(crate) fn post(address: &str, path: &str, key: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nX-Api-Key: {key}\r\nContent-Type: application/x-ndjson\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

#[test]
fn run_takes_the_shops_login_events_over_http_and_answers_once_decided() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[store]\npath = \"data/leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\n";
    std::fs::write(dir.path().join(CONFIG), config).unwrap();
    let key = add_bouncer(dir.path());
    let daemon = start(dir.path());
    let mut body = String::new();
    for n in 0..22 {
        body.push_str(&format!(
            "{{\"time\": \"2026-11-20T10:{:02}:00+08:00\", \"ip\": \"203.0.113.61\", \"account\": \"buyer{n}@example.tw\", \"outcome\": \"failure\", \"event\": \"login\"}}\n",
            n / 3
        ));
    }
    body.push_str("not json\n");

    let (status, answer) = post(&daemon.address, "/v1/events", "not-a-key", &body);
    assert_eq!(status, 403, "{answer}");
    assert!(!is_banned(&daemon, &key, "203.0.113.61"));

    // The answer comes once the events are processed and the decisions stored.
    let (status, answer) = post(&daemon.address, "/v1/events", &key, &body);
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(answer.trim()).unwrap();
    assert_eq!(answer["accepted"], 22, "{answer}");
    assert_eq!(answer["rejected"], 1, "{answer}");
    assert_eq!(answer["errors"][0]["line"], 23, "{answer}");
    assert!(answer["decisions"].as_u64().unwrap() >= 1, "{answer}");
    assert!(is_banned(&daemon, &key, "203.0.113.61"));
}

/// (alert id, value, rule) of every active decision.
fn decided(dir: &Path, config: &str) -> Vec<(String, String, String)> {
    let listed = leakguard(dir, &["--config", config, "decisions", "list", "-o", "json"]);
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let mut found: Vec<_> = super::json_of(&listed)["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|decision| {
            let text = |key: &str| decision[key].as_str().unwrap_or_default().to_owned();
            (text("alert_id"), text("value"), text("rule_id"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn run_decides_exactly_what_analyze_decide_decides_on_the_same_log() {
    let dir = tempfile::tempdir().unwrap();
    let generated = leakguard(
        dir.path(),
        &["demo", "--lines", "20000", "--out", "access.log", "--generate-only"],
    );
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let config = "[logs]\nformat = \"combined\"\n[store]\npath = \"live/leakguard.db\"\n\
                  [serve]\nlisten = \"127.0.0.1:0\"\n\
                  [run]\nfiles = [\"access.log\"]\nstart_at = \"beginning\"\npoll_interval = \"50ms\"\n";
    std::fs::write(dir.path().join(CONFIG), config).unwrap();
    let batch = "[logs]\nformat = \"combined\"\n[store]\npath = \"batch/leakguard.db\"\n";
    std::fs::write(dir.path().join("batch.toml"), batch).unwrap();

    let daemon = start(dir.path());
    wait_for("every line read", || {
        health(&daemon)["sources"][0]["lines"].as_u64() == Some(20_000)
            && health(&daemon)["last_checkpoint"].is_string()
    });
    drop(daemon);
    let analyzed = leakguard(
        dir.path(),
        &["--config", "batch.toml", "analyze", "--decide", "--no-progress", "access.log"],
    );
    assert!(analyzed.status.success(), "{}", String::from_utf8_lossy(&analyzed.stderr));
    let live = decided(dir.path(), CONFIG);
    assert!(!live.is_empty(), "the demo's attacks give decisions");
    assert_eq!(live, decided(dir.path(), "batch.toml"));
}

#[test]
fn config_check_reports_every_problem_in_the_run_section() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[run]\nfiles = [\"access.log\", \"\"]\nstart_at = \"middle\"\npoll_interval = \"5ms\"\n\
                rotate_wait = \"soon\"\nsyslog_udp = \"localhost\"\nsyslog_tcp = \"127.0.0.1:99999\"\nfoo = 1\n";
    std::fs::write(dir.path().join("bad.toml"), text).unwrap();
    let output = leakguard(dir.path(), &["config", "check", "bad.toml"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for key in [
        "run.files[1]:",
        "run.start_at:",
        "run.poll_interval:",
        "run.rotate_wait:",
        "run.syslog_udp:",
        "run.syslog_tcp:",
        "run.foo: unknown key",
    ] {
        assert!(stderr.contains(key), "{key} missing from:\n{stderr}");
    }
    let output = leakguard(dir.path(), &["status", "--address", "127.0.0.1:1"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("connecting to leakguard run"));
}
