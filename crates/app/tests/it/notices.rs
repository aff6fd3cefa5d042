//! The notice outbox end to end, against a real SMTP server on loopback
//! (Debian's aiosmtpd, storing into a Maildir): 2,000 notices sent by
//! `leakguard notices send`, killed with SIGKILL at random (seeded) moments
//! and restarted until done; then no recipient has two copies, every notice
//! is sent or marked, and after `notices reconcile` the counts agree with
//! the mailbox. Also: bounces and temporary refusals are recorded and
//! retried.
//!
//! aiosmtpd comes from `python3-aiosmtpd` (`.ci/run` installs it); without it
//! the tests are skipped with a reason, except under
//! `LEAKGUARD_REQUIRE_SERVICES=1`.

use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{json_of, leakguard};

const PYTHON: &str = "/usr/bin/python3";

pub(crate) struct Smtp {
    child: Child,
    pub(crate) port: u16,
    pub(crate) maildir: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A handler refusing some recipients, delegating the rest to aiosmtpd's Maildir handler.
const HANDLER: &str = r#"
from aiosmtpd.handlers import Mailbox

class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
"#;

pub(crate) fn start_smtp(dir: &Path) -> Option<Smtp> {
    let present = Path::new(PYTHON).exists()
        && Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
    if !present {
        // The test reads whether services are required, like every service-backed test.
        #[allow(clippy::disallowed_methods)]
        let required = std::env::var("LEAKGUARD_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
        assert!(
            !required,
            "LEAKGUARD_REQUIRE_SERVICES=1 but aiosmtpd is missing (apt-get install python3-aiosmtpd)"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
        }
        return None;
    }
    std::fs::write(dir.join("lg_test_handler.py"), HANDLER).expect("write handler");
    let maildir = dir.join("maildir");
    let port =
        TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let child = Command::new(PYTHON)
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "lg_test_handler.Handler",
        ])
        .arg(&maildir)
        .env("PYTHONPATH", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let smtp = Smtp { child, port, maildir };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "aiosmtpd did not listen on {port} within 20s");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(smtp)
}

fn config(dir: &Path, port: u16) -> PathBuf {
    let path = dir.join("leakguard.toml");
    let text = format!(
        "[store]\npath = \"{}\"\n\n[notices]\nrate = \"5000/s\"\nmax_attempts = 3\n\n[notices.email]\nserver = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\nfrom = \"privacy@shop.example\"\nfrom_name = \"示範商店 Demo Shop\"\ntimeout = \"10s\"\n",
        dir.join("leakguard.db").display()
    );
    std::fs::write(&path, text).expect("write config");
    path
}

/// (To, Message-ID) of every message in the Maildir.
pub(crate) fn mailbox(maildir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries
        .map(|entry| {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read message");
            let header = |name: &str| {
                text.lines()
                    .take_while(|line| !line.is_empty())
                    .find_map(|line| line.strip_prefix(name))
                    .map(|value| value.trim().to_owned())
                    .unwrap_or_else(|| panic!("no {name} in {text}"))
            };
            (header("To:"), header("Message-ID:"))
        })
        .collect()
}

/// Counts by state (email channel).
fn states(dir: &Path, config: &Path) -> HashMap<String, u64> {
    let output = leakguard(
        dir,
        &["-c", config.to_str().expect("utf-8"), "notices", "status", "--output", "json"],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let document: Value = json_of(&output);
    document["notices"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                row["state"].as_str().expect("state").to_owned(),
                row["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

fn notices_file(dir: &Path, count: usize, recipient: impl Fn(usize) -> String) -> PathBuf {
    let mut text = String::new();
    for n in 0..count {
        let notice = serde_json::json!({
            "key": format!("incident-1/person-{n}/email"),
            "channel": "email",
            "recipient": recipient(n),
            "subject": "【個資外洩通知】示範商店 Demo Shop",
            "body": format!("親愛的會員 {n}：\n本公司於 2026 年 12 月 7 日發現資料外洩……\n我們不會要求您操作 ATM；如接獲可疑電話，請撥 165 反詐騙專線。\n"),
            "language": "zh-TW",
            "reference": "incident-1",
        });
        text.push_str(&notice.to_string());
        text.push('\n');
    }
    let path = dir.join("notices.jsonl");
    std::fs::write(&path, text).expect("write notices");
    path
}

/// A small seeded generator, so a failing run can be repeated.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn two_thousand_notices_survive_kill_9_without_a_second_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(smtp) = start_smtp(dir.path()) else { return };
    let config = config(dir.path(), smtp.port);
    let config_arg = config.to_str().expect("utf-8");
    let file = notices_file(dir.path(), 2000, |n| format!("person{n}@example.org"));
    let file_arg = file.to_str().expect("utf-8");
    let output = leakguard(dir.path(), &["-c", config_arg, "notices", "enqueue", file_arg]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("2000 added, 0 already"));
    let again = leakguard(dir.path(), &["-c", config_arg, "notices", "enqueue", file_arg]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 added, 2000 already"),
        "enqueue is idempotent"
    );

    // Send, killing the sender at random moments, until a run finishes by itself.
    let started = Instant::now();
    let mut random = XorShift(0x1e4b_9a2d_7c31_5f08);
    let mut kills = 0;
    let mut finished = false;
    for _ in 0..400 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leakguard"))
            .args(["-c", config_arg, "notices", "send", "--rate", "5000/s"])
            .env("LANG", "C")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the sender");
        let kill_at = Instant::now() + Duration::from_millis(20 + random.next() % 400);
        let status = loop {
            if let Some(status) = child.try_wait().expect("poll the sender") {
                break Some(status);
            }
            if Instant::now() >= kill_at {
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        match status {
            Some(status) => {
                assert!(status.success(), "the sender failed on its own: {status}");
                finished = true;
                break;
            }
            None => {
                child.kill().expect("SIGKILL");
                child.wait().expect("reap");
                kills += 1;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "not done within 90s after {kills} kills"
        );
    }
    assert!(finished, "the sender never finished");
    let sending_secs = started.elapsed().as_secs_f64();

    // No person has two copies; nothing is left pending or in flight.
    let messages = mailbox(&smtp.maildir);
    let mut per_recipient: HashMap<&str, u32> = HashMap::new();
    for (to, _) in &messages {
        *per_recipient.entry(to.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = per_recipient.iter().filter(|(_, count)| **count > 1).collect();
    assert!(twice.is_empty(), "recipients with two copies: {twice:?}");
    let counts = states(dir.path(), &config);
    let get = |state: &str| counts.get(state).copied().unwrap_or(0);
    assert_eq!(get("pending") + get("sending"), 0, "{counts:?}");
    assert_eq!(
        get("sent") + get("unknown") + get("failed"),
        2000,
        "every notice is sent or marked: {counts:?}"
    );
    assert_eq!(get("failed"), 0, "{counts:?}");
    assert!(
        messages.len() as u64 >= get("sent"),
        "every notice recorded as sent is in the mailbox"
    );
    let unknown = get("unknown");

    // Reconcile the unknown ones against what the server stored, then send the rest.
    let maildir = smtp.maildir.to_str().expect("utf-8");
    let output = leakguard(
        dir.path(),
        &["-c", config_arg, "notices", "reconcile", "--maildir", maildir, "--output", "json"],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let reconciled = json_of(&output);
    let found = reconciled["email"]["found_sent"].as_u64().expect("found");
    let requeued = reconciled["email"]["requeued"].as_u64().expect("requeued");
    assert_eq!(found + requeued, unknown, "every unknown notice is settled");
    assert_eq!(
        messages.len() as u64,
        get("sent") + found,
        "the mailbox holds exactly the sent and the found"
    );
    let output = leakguard(dir.path(), &["-c", config_arg, "notices", "send", "--rate", "5000/s"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let counts = states(dir.path(), &config);
    assert_eq!(counts.get("sent").copied(), Some(2000), "{counts:?}");
    let messages = mailbox(&smtp.maildir);
    assert_eq!(messages.len(), 2000, "one message per notice");
    let recipients: HashSet<&str> = messages.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(recipients.len(), 2000, "every person got exactly one");
    let ids: HashSet<&str> = messages.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids.len(), 2000, "every message has its own Message-ID");
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "kill test: {kills} SIGKILLs over {sending_secs:.1}s; {unknown} notices caught in flight, \
             {found} found at the server, {requeued} sent again; 2000 sent, 2000 in the mailbox, no duplicates"
        );
    }
}

#[test]
fn bounces_are_recorded_and_temporary_refusals_retried() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(smtp) = start_smtp(dir.path()) else { return };
    let config = config(dir.path(), smtp.port);
    let config_arg = config.to_str().expect("utf-8");
    let file = notices_file(dir.path(), 3, |n| {
        ["ok@example.org", "bounce@example.org", "later@example.org"][n].to_owned()
    });
    let output = leakguard(
        dir.path(),
        &["-c", config_arg, "notices", "enqueue", file.to_str().expect("utf-8")],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = leakguard(dir.path(), &["-c", config_arg, "notices", "send", "--output", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let send = json_of(&output);
    assert_eq!(
        (
            send["send"]["sent"].as_u64(),
            send["send"]["failed"].as_u64(),
            send["send"]["retried"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{send}"
    );
    let counts = states(dir.path(), &config);
    assert_eq!(
        (counts.get("sent"), counts.get("failed"), counts.get("pending")),
        (Some(&1), Some(&1), Some(&1)),
        "{counts:?}"
    );
    assert_eq!(mailbox(&smtp.maildir).len(), 1);
    // `retry` queues the bounced one again (after its address was fixed, say).
    let output = leakguard(dir.path(), &["-c", config_arg, "notices", "retry"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 failed notice(s) queued again"));
}

/// A generic SMS gateway on 127.0.0.1:0: it keeps every key it receives,
/// answers 502 (after keeping it) for the number ending in 1 the first time,
/// and answers status queries by key.
fn sms_gateway() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let keys = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let (status, answer) = if first.starts_with("GET ") {
                let key = first
                    .split("key=")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .unwrap_or_default();
                if keys.lock().expect("lock").iter().any(|known| known == key) {
                    ("200 OK", r#"{"status":"delivered"}"#.to_owned())
                } else {
                    ("404 Not Found", String::new())
                }
            } else {
                let sms: Value = serde_json::from_slice(&body).expect("JSON");
                let key = sms["key"].as_str().expect("key").to_owned();
                let mut keys = keys.lock().expect("lock");
                let seen = keys.contains(&key);
                keys.push(key);
                if sms["to"] == "+886900000001" && !seen {
                    ("502 Bad Gateway", String::new())
                } else {
                    ("200 OK", format!(r#"{{"id":"gw-{}"}}"#, keys.len()))
                }
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (format!("http://{address}/sms"), received)
}

#[test]
fn an_sms_caught_in_doubt_is_reconciled_by_the_gateways_status_not_resent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, received) = sms_gateway();
    let config = dir.path().join("sms.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\npath = \"{}\"\n[notices.sms]\nprovider = \"generic\"\nurl = \"{url}\"\n",
            dir.path().join("leakguard.db").display()
        ),
    )
    .expect("write config");
    let config_arg = config.to_str().expect("utf-8");
    let mut lines = String::new();
    for (n, phone) in ["+886900000001", "+886900000002"].iter().enumerate() {
        let notice = serde_json::json!({
            "key": format!("incident-1/person-{n}/sms"), "channel": "sms", "recipient": phone,
            "body": "【示範商店】個資外洩通知：請提防詐騙電話，撥 165。", "language": "zh-TW",
        });
        lines.push_str(&format!("{notice}\n"));
    }
    std::fs::write(dir.path().join("sms.jsonl"), lines).expect("write notices");
    let output = leakguard(dir.path(), &["-c", config_arg, "notices", "enqueue", "sms.jsonl"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = leakguard(dir.path(), &["-c", config_arg, "notices", "send", "--output", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let send = json_of(&output);
    assert_eq!(
        (send["send"]["sent"].as_u64(), send["send"]["unknown"].as_u64()),
        (Some(1), Some(1)),
        "{send}"
    );
    let counts = states(dir.path(), &config);
    assert_eq!((counts.get("sent"), counts.get("unknown")), (Some(&1), Some(&1)), "{counts:?}");
    // Sending again does not touch the unknown one.
    let output = leakguard(dir.path(), &["-c", config_arg, "notices", "send"]);
    assert!(output.status.success());
    assert_eq!(received.lock().expect("lock").len(), 2, "no blind resend");
    let output =
        leakguard(dir.path(), &["-c", config_arg, "notices", "reconcile", "--output", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let reconciled = json_of(&output);
    assert_eq!(reconciled["sms"]["found_sent"].as_u64(), Some(1), "{reconciled}");
    let counts = states(dir.path(), &config);
    assert_eq!(counts.get("sent"), Some(&2), "{counts:?}");
    assert_eq!(received.lock().expect("lock").len(), 2, "each person got one text");
}
