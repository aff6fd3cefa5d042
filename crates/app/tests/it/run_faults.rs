//! `leakguard run` under faults: the store locked by another process, the
//! store's file system full, the rules changed on disk (valid and not), and
//! bad input on every intake (malformed syslog frames, oversized lines and
//! bodies). Each waits for its outcome by polling with a deadline.

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use super::leakguard;
use super::run::{
    CONFIG, add_bouncer, append, at, decisions_per_value, get, health, printed, start_with,
};
use super::serve::wait_for;

/// Prints why a test does not run; fails instead under
/// `LEAKGUARD_REQUIRE_SERVICES=1` (CI installs what the tests need).
fn skip(reason: &str) {
    // Tests may read the environment; the lint is for library code.
    #[allow(clippy::disallowed_methods)]
    let is_required = std::env::var("LEAKGUARD_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
    assert!(!is_required, "LEAKGUARD_REQUIRE_SERVICES=1 but {reason}");
    #[allow(clippy::print_stderr)]
    {
        eprintln!("skipped: {reason}");
    }
}

const PROBE_RULE: &str = "id: test-probe\ntitle: Probe for /secret-a\nseverity: medium\n\
    detection: {kind: match, where: {path: /secret-a}, group_by: [ip]}\n\
    response:\n  - {action: ban, scope: ip, duration: 1h}\n";

/// A folder with the probe rule, a config following `access.log` with it
/// (plus `extra` in `[run]`), and a bouncer key.
fn setup(dir: &Path, extra: &str) -> String {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/probe.yaml"), PROBE_RULE).unwrap();
    let config = format!(
        "[logs]\nformat = \"combined\"\n[rules]\nbuiltin = false\ndirs = [\"rules\"]\n\
         [store]\npath = \"data/leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\n\
         [run]\nfiles = [\"access.log\"]\npoll_interval = \"50ms\"\n{extra}"
    );
    std::fs::write(dir.join(CONFIG), config).unwrap();
    std::fs::write(dir.join("access.log"), "").unwrap();
    add_bouncer(dir)
}

fn probe(ip: &str, path: &str, second: u32) -> String {
    format!("{ip} - - [{}] \"GET {path} HTTP/1.1\" 404 10 \"-\" \"curl/8\"\n", at(second))
}

/// `count` probers `203.0.113.{first}..`, each among shoppers.
fn probes(first: u32, count: u32) -> String {
    let mut text = String::new();
    for n in first..first + count {
        text.push_str(&format!(
            "192.0.2.{} - - [{}] \"GET /product/{n} HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n",
            n % 200 + 1,
            at(n)
        ));
        text.push_str(&probe(&format!("203.0.113.{n}"), "/secret-a", n));
    }
    text
}

fn check_banned_once(dir: &Path, first: u32, count: u32) {
    let counts = decisions_per_value(dir);
    for n in first..first + count {
        assert_eq!(counts.get(&format!("203.0.113.{n}")), Some(&1), "{counts:?}");
    }
}

fn wait_until_banned(daemon: &super::run::Daemon, key: &str, first: u32, count: u32) {
    wait_for("the probers' bans", || {
        (first..first + count)
            .all(|n| super::run::is_banned(daemon, key, &format!("203.0.113.{n}")))
    });
}

fn last_error(document: &Value) -> String {
    document["last_error"].as_str().unwrap_or_default().to_owned()
}

// ---------------------------------------------------------------------------
// The store locked

/// A `sqlite3` shell holding the store's write lock until it is released.
struct Locker {
    child: Child,
}

impl Locker {
    fn lock(database: &Path) -> Option<Locker> {
        let mut child = Command::new("sqlite3")
            .arg(database)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .ok()?;
        let stdin = child.stdin.as_mut().unwrap();
        stdin.write_all(b".timeout 20000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "locked", "sqlite3 took the write lock");
        Some(Locker { child })
    }

    fn release(mut self) {
        let mut stdin = self.child.stdin.take().unwrap();
        stdin.write_all(b"COMMIT;\n.quit\n").unwrap();
        drop(stdin);
        assert!(self.child.wait().unwrap().success());
    }
}

impl Drop for Locker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn run_waits_for_a_locked_store_reports_the_lag_and_loses_nothing() {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        skip("the sqlite3 shell is not installed (Debian package sqlite3)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = setup(dir.path(), "");
    let log = dir.path().join("access.log");
    let daemon = start_with(dir.path(), CONFIG);
    append(&log, &probes(1, 2));
    wait_until_banned(&daemon, &key, 1, 2);

    let locker = Locker::lock(&dir.path().join("data/leakguard.db")).unwrap();
    append(&log, &probes(3, 2));
    // The store's busy timeout passes, then the failure is reported and retried.
    wait_for("the locked store reported", || last_error(&health(&daemon)).contains("locked"));
    let status =
        leakguard(dir.path(), &["--config", CONFIG, "status", "--address", &daemon.address]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("last error") && text.contains("locked"), "{text}");

    // Processing is stuck: the queue fills, the follower stops reading, and
    // what is written meanwhile shows as unread bytes, not as lost lines.
    wait_for("a full input queue", || {
        let document = health(&daemon);
        document["input_queue"]["waiting"] == document["input_queue"]["capacity"]
    });
    let lines_before = health(&daemon)["sources"][0]["lines"].as_u64().unwrap();
    let more = probes(5, 200);
    append(&log, &more);
    wait_for("the lag reported", || {
        health(&daemon)["sources"][0]["unread_bytes"].as_u64() >= Some(more.len() as u64)
    });
    assert_eq!(health(&daemon)["sources"][0]["lines"].as_u64(), Some(lines_before));
    let (_, metrics) = get(&daemon.address, "/metrics", None).unwrap();
    assert!(metrics.contains("leakguard_input_queue_waiting 4"), "{metrics}");

    locker.release();
    wait_until_banned(&daemon, &key, 1, 204);
    wait_for("all lines processed and the error cleared", || {
        let document = health(&daemon);
        document["sources"][0]["lines"].as_u64() == Some(2 * 204)
            && document["last_error"].is_null()
            && document["sources"][0]["unread_bytes"] == 0
    });
    drop(daemon);
    check_banned_once(dir.path(), 1, 204);
}

// ---------------------------------------------------------------------------
// A full disk

/// A small tmpfs mounted on a folder, unmounted when the test ends.
struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    fn mount(path: &Path) -> Result<SmallDisk, String> {
        std::fs::create_dir_all(path).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
            .arg(path)
            .output()
            .map_err(|error| format!("cannot run mount: {error}"))?;
        if !output.status.success() {
            return Err(format!(
                "mounting a 4 MiB tmpfs is not permitted here ({})",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(SmallDisk { path: path.to_owned() })
    }

    /// Writes a filler file until the file system is full.
    fn fill(&self) {
        let mut filler = std::fs::File::create(self.path.join("filler")).unwrap();
        let chunk = vec![b'x'; 4096];
        while filler.write_all(&chunk).is_ok() {}
        let _ = filler.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.path.join("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn is_out_of_space(error: &str) -> bool {
    error.contains("full") || error.contains("No space left")
}

#[test]
fn run_on_a_full_disk_reports_it_keeps_the_lines_and_resumes_when_space_is_back() {
    let dir = tempfile::tempdir().unwrap();
    // The store and the checkpoint both live in data/.
    let disk = match SmallDisk::mount(&dir.path().join("data")) {
        Ok(disk) => disk,
        Err(reason) => {
            // Not a missing package: containers without CAP_SYS_ADMIN cannot mount.
            #[allow(clippy::print_stderr)]
            {
                eprintln!("skipped: {reason}");
            }
            return;
        }
    };
    let key = setup(dir.path(), "");
    let log = dir.path().join("access.log");
    let checkpoint = dir.path().join("data/follow-state.json");
    let daemon = start_with(dir.path(), CONFIG);
    append(&log, &probes(1, 2));
    wait_until_banned(&daemon, &key, 1, 2);
    wait_for("the first checkpoint", || {
        std::fs::read(&checkpoint).is_ok_and(|bytes| bytes.windows(6).any(|w| w == b"offset"))
            && health(&daemon)["sources"][0]["unread_bytes"] == 0
    });

    // Full: the failure is reported and the checkpoint stays where it was.
    disk.fill();
    let committed = std::fs::read(&checkpoint).unwrap();
    append(&log, &probes(3, 20));
    wait_for("the full disk reported", || is_out_of_space(&last_error(&health(&daemon))));
    assert_eq!(std::fs::read(&checkpoint).unwrap(), committed, "the checkpoint did not move");
    assert_eq!(health(&daemon)["status"], "degraded");

    // Space is back: it resumes by itself, decides, and commits.
    disk.free();
    wait_until_banned(&daemon, &key, 3, 20);
    wait_for("the error cleared and the checkpoint moved", || {
        health(&daemon)["last_error"].is_null()
            && std::fs::read(&checkpoint).is_ok_and(|bytes| bytes != committed)
    });

    // Full again, killed while full, restarted once space is back: the lines
    // the checkpoint did not cover are read again and decided once.
    disk.fill();
    let committed = std::fs::read(&checkpoint).unwrap();
    append(&log, &probes(23, 20));
    wait_for("the full disk reported again", || is_out_of_space(&last_error(&health(&daemon))));
    assert_eq!(std::fs::read(&checkpoint).unwrap(), committed, "the checkpoint did not move");
    daemon.kill_9();
    disk.free();
    let daemon = start_with(dir.path(), CONFIG);
    wait_until_banned(&daemon, &key, 23, 20);
    drop(daemon);
    check_banned_once(dir.path(), 1, 42);
}

// ---------------------------------------------------------------------------
// Reload on change

#[test]
fn run_reloads_rules_and_config_changed_on_disk_and_keeps_the_old_set_when_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let key = setup(dir.path(), "");
    let log = dir.path().join("access.log");
    let rule = dir.path().join("rules/probe.yaml");
    let daemon = start_with(dir.path(), CONFIG);
    assert_eq!(health(&daemon)["rules"], 1);
    let reload = |daemon: &super::run::Daemon| {
        health(daemon)["last_reload"].as_str().unwrap_or_default().to_owned()
    };

    // An invalid rule file, written without any signal: refused, old rules kept.
    std::fs::write(&rule, "id: test-probe\ndetection: {kind: nonsense}\n").unwrap();
    wait_for("the refused reload", || reload(&daemon).contains("keeping the old rules"));
    let refused = reload(&daemon);
    assert!(refused.contains("changed on disk") && refused.contains("probe.yaml"), "{refused}");
    append(&log, &probe("203.0.113.1", "/secret-a", 1));
    wait_until_banned(&daemon, &key, 1, 1);

    // A valid one replaces it, and a new file adds a rule.
    std::fs::write(&rule, PROBE_RULE.replace("/secret-a", "/secret-b")).unwrap();
    wait_for("the reload", || reload(&daemon).contains("loaded 1 rule(s) (changed on disk)"));
    let second = PROBE_RULE.replace("test-probe", "test-probe-2").replace("/secret-a", "/secret-c");
    std::fs::write(dir.path().join("rules/second.yaml"), second).unwrap();
    wait_for("the added rule", || health(&daemon)["rules"] == 2);
    append(&log, &probe("203.0.113.2", "/secret-a", 2));
    append(&log, &probe("203.0.113.3", "/secret-b", 3));
    append(&log, &probe("203.0.113.4", "/secret-c", 4));
    wait_until_banned(&daemon, &key, 3, 2);

    // The config file itself: a broken one is refused and named...
    let config_path = dir.path().join(CONFIG);
    let config = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(&config_path, format!("{config}\n[rules\n")).unwrap();
    wait_for("the refused config", || {
        let text = reload(&daemon);
        text.contains("keeping the old rules") && text.contains(CONFIG)
    });
    assert_eq!(health(&daemon)["rules"], 2);
    // ...a valid change applies (a rule disabled), and a [run] change is
    // reported as needing a restart.
    let disabled = config
        .replace("builtin = false", "builtin = false\ndisabled = [\"test-probe-2\"]")
        .replace("poll_interval = \"50ms\"", "poll_interval = \"60ms\"");
    std::fs::write(&config_path, disabled).unwrap();
    wait_for("the rule disabled", || health(&daemon)["rules"] == 1);
    let notices = health(&daemon)["notices"].to_string();
    assert!(notices.contains("restart leakguard run"), "{notices}");
    append(&log, &probe("203.0.113.5", "/secret-c", 5));
    append(&log, &probe("203.0.113.6", "/secret-b", 6));
    wait_until_banned(&daemon, &key, 6, 1);
    assert!(!super::run::is_banned(&daemon, &key, "203.0.113.5"), "the disabled rule is gone");
    assert!(!super::run::is_banned(&daemon, &key, "203.0.113.2"), "/secret-a was replaced");
}

// ---------------------------------------------------------------------------
// Bad input

#[test]
fn run_counts_malformed_syslog_and_oversized_input_and_keeps_deciding() {
    let dir = tempfile::tempdir().unwrap();
    let key = setup(dir.path(), "syslog_udp = \"127.0.0.1:0\"\nsyslog_tcp = \"127.0.0.1:0\"\n");
    let config = std::fs::read_to_string(dir.path().join(CONFIG)).unwrap();
    let config = config.replace("[logs]\n", "[logs]\nmax_line_bytes = \"4KiB\"\n");
    std::fs::write(dir.path().join(CONFIG), config).unwrap();
    let log = dir.path().join("access.log");
    let daemon = start_with(dir.path(), CONFIG);
    let udp = printed(&daemon, "leakguard run: syslog on udp://");
    let tcp = printed(&daemon, "leakguard run: syslog on tcp://");

    // Malformed frames: a bad priority over UDP; over TCP, a bad octet count
    // and a frame over the 64 KiB limit, then a good frame on the same connection.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.send_to(b"<999>Nov 20 10:00:05 web1 nginx: garbage", &udp).unwrap();
    let mut stream = TcpStream::connect(&tcp).unwrap();
    let huge = "x".repeat(70_000);
    let good = format!("<190>nginx: {}", probe("203.0.113.1", "/secret-a", 1).trim_end());
    write!(stream, "{} {huge}{} {good}", huge.len(), good.len()).unwrap();
    stream.flush().unwrap();
    wait_until_banned(&daemon, &key, 1, 1);
    wait_for("the malformed frames counted", || {
        let listeners = health(&daemon)["syslog"].clone();
        listeners[0]["malformed"] == 1 && listeners[1]["malformed"] == 1
    });

    // A line over logs.max_line_bytes is cut, counted, and the next one read.
    append(&log, &format!("{}\n", "y".repeat(100_000)));
    append(&log, &probe("203.0.113.2", "/secret-a", 2));
    wait_until_banned(&daemon, &key, 2, 1);
    wait_for("the cut line counted", || health(&daemon)["sources"][0]["parse_errors"] == 1);

    // An intake body over the limit is refused whole, with nothing processed.
    let line = "{\"time\": \"2026-11-20T10:00:00+08:00\", \"ip\": \"203.0.113.9\", \
                \"account\": \"a@example.tw\", \"outcome\": \"failure\", \"event\": \"login\"}\n";
    let body = line.repeat(4 * 1024 * 1024 / line.len());
    let answer = post_refused(&daemon.address, "/v1/events", &key, &body);
    // The daemon answers 413 as soon as the length is over the limit and
    // closes; under load the close can reach the client (as a reset) before
    // it has read the answer. Either way nothing may have been processed.
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 413"), "{answer}");
    let document = health(&daemon);
    let intake = document["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|source| source["kind"] == "intake")
        .cloned()
        .unwrap();
    assert_eq!(intake["lines"], 0, "{intake}");
    assert_eq!(document["status"], "ok", "{document}");
}

/// Posts a body the server is expected to refuse before reading it all:
/// write and read errors (a broken pipe, a reset) end the exchange instead
/// of failing, and whatever answer arrived is returned.
fn post_refused(address: &str, path: &str, key: &str, body: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nX-Api-Key: {key}\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}
