//! Telling the operator, end to end: `[notify]` problems named with their key
//! paths, `leakguard notify test` through a real SMTP server (aiosmtpd) and a
//! webhook on 127.0.0.1, and `analyze --decide` telling its new decisions
//! once, grouped into a few messages.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::notices::{mailbox, start_smtp};
use super::{json_of, leakguard};

/// A webhook on 127.0.0.1:0 recording each request's path, headers and body.
fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let log = Arc::new(Mutex::new(Vec::new()));
    let recorder = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(1000) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                request.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            request.push_str("\r\n");
            request.push_str(&String::from_utf8_lossy(&body));
            recorder.lock().expect("lock").push(request);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
        }
    });
    (format!("http://{address}/hooks/leakguard"), log)
}

fn write_config(dir: &Path, port: u16, hook: &str, extra: &str) -> String {
    let text = format!(
        "[site]\nname = \"demo-shop\"\nlanguage = \"zh-TW\"\n\n[store]\npath = \"{}\"\n\n[notify]\nwindow = \"10s\"\n{extra}\n[notify.email]\nserver = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\nfrom = \"alerts@shop.example\"\nto = [\"ops@shop.example\"]\n\n[notify.webhook]\nurl = \"{hook}\"\n",
        dir.join("leakguard.db").display()
    );
    std::fs::write(dir.join("leakguard.toml"), text).expect("write config");
    "leakguard.toml".to_owned()
}

#[test]
fn config_check_names_every_notify_problem_with_its_key_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "[notify]\nwindow = \"forever\"\nmin_severity = \"dire\"\n\n[notify.email]\nserver = \"smtp.example.com\"\nsecurity = \"plain\"\nfrom = \"alerts\"\nto = [\"ops\"]\nusername = \"alerts@shop.example\"\npassword_file = \"missing-password\"\n\n[notify.telegram]\nchat_id = \"-100\"\ntoken_env = \"LEAKGUARD_TEST_NO_SUCH_VARIABLE\"\n\n[notices]\nrate = \"fast\"\n\n[notices.sms]\nprovider = \"pigeon\"\n";
    std::fs::write(dir.path().join("bad.toml"), text).expect("write");
    let output = leakguard(dir.path(), &["config", "check", "bad.toml"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for key in [
        "notify.window",
        "notify.min_severity",
        "notify.email.security",
        "notify.email.from",
        "notify.email.to[0]",
        "notify.email.password_file",
        "notify.telegram.token_env",
        "notices.rate",
        "notices.sms.provider",
    ] {
        assert!(stderr.contains(&format!("{key}:")), "{key} is not named in:\n{stderr}");
    }
    assert!(stderr.contains("in clear"), "plain SMTP off loopback is refused: {stderr}");
}

#[test]
fn notify_test_sends_through_email_and_the_webhook() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(smtp) = start_smtp(dir.path()) else { return };
    let (hook, requests) = webhook();
    let config = write_config(dir.path(), smtp.port, &hook, "");
    let output = leakguard(dir.path(), &["-c", &config, "notify", "test", "--output", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let document = json_of(&output);
    let channels = document["channels"].as_array().expect("channels");
    assert_eq!(channels.len(), 2, "{document}");
    assert!(channels.iter().all(|channel| channel["ok"] == true), "{document}");
    let messages = mailbox(&smtp.maildir);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "ops@shop.example");
    let requests = requests.lock().expect("lock");
    assert_eq!(requests.len(), 1);
    assert!(requests[0].starts_with("POST /hooks/leakguard HTTP/1.1"), "{}", requests[0]);
    assert!(requests[0].contains("測試訊息"), "the site language is zh-TW: {}", requests[0]);

    // A channel that cannot be reached makes the command fail, naming it.
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let config = write_config(dir.path(), closed, &hook, "");
    let output = leakguard(dir.path(), &["-c", &config, "notify", "test"]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("email：失敗") && stdout.contains(&format!("127.0.0.1:{closed}")),
        "{stdout}"
    );
}

#[test]
fn analyze_decide_tells_new_decisions_once_in_a_few_messages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(smtp) = start_smtp(dir.path()) else { return };
    let (hook, requests) = webhook();
    let config = write_config(dir.path(), smtp.port, &hook, "language = \"en\"\nmax_listed = 5\n");
    let generated = leakguard(
        dir.path(),
        &["demo", "--lines", "20000", "--out", "demo.log", "--generate-only"],
    );
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let first =
        leakguard(dir.path(), &["-c", &config, "analyze", "--decide", "--no-progress", "demo.log"]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let stdout = String::from_utf8_lossy(&first.stdout);
    let made: usize = stdout
        .lines()
        .find_map(|line| line.strip_prefix("decisions: "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|count| count.parse().ok())
        .expect("a decisions line");
    assert!(made > 1, "the demo gives several decisions: {stdout}");
    let messages = mailbox(&smtp.maildir);
    assert!(
        !messages.is_empty() && messages.len() <= 2,
        "{} messages for {made} decisions",
        messages.len()
    );
    let posted = requests.lock().expect("lock").clone();
    assert_eq!(posted.len(), messages.len(), "the webhook gets the same grouping");
    let documents: Vec<serde_json::Value> = posted
        .iter()
        .map(|request| {
            serde_json::from_str(request.split("\r\n\r\n").nth(1).expect("body")).expect("JSON")
        })
        .collect();
    let told: u64 =
        documents.iter().map(|document| document["decisions"].as_u64().expect("count")).sum();
    assert_eq!(told, made as u64, "every new decision is told: {documents:?}");
    assert!(
        documents.iter().all(|document| document["items"].as_array().expect("items").len() <= 5)
    );

    // The same logs again: no new decision, no new message.
    let again =
        leakguard(dir.path(), &["-c", &config, "analyze", "--decide", "--no-progress", "demo.log"]);
    assert!(again.status.success());
    assert_eq!(mailbox(&smtp.maildir).len(), messages.len());
    assert_eq!(requests.lock().expect("lock").len(), posted.len());
}

#[test]
fn run_tells_the_operator_about_an_attack_within_the_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(smtp) = start_smtp(dir.path()) else { return };
    let (hook, requests) = webhook();
    let text = format!(
        "[logs]\nformat = \"combined\"\n[store]\npath = \"data/leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\n\
         [run]\nfiles = [\"access.log\"]\npoll_interval = \"50ms\"\n\
         [notify]\nlanguage = \"en\"\nwindow = \"10s\"\n\
         [notify.email]\nserver = \"127.0.0.1\"\nport = {}\nsecurity = \"plain\"\nfrom = \"alerts@shop.example\"\nto = [\"ops@shop.example\"]\n\
         [notify.webhook]\nurl = \"{hook}\"\n",
        smtp.port
    );
    std::fs::write(dir.path().join("run.toml"), text).expect("write config");
    std::fs::write(dir.path().join("access.log"), "").expect("create the log");
    let daemon = super::run::start_with(dir.path(), "run.toml");
    let attack = format!(
        "203.0.113.66 - - [{}] \"GET /product?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20- HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0\"\n",
        super::run::at(1)
    );
    super::run::append(&dir.path().join("access.log"), &attack);
    // The alert and its ban go out within the window (10 s) plus a tick.
    super::serve::wait_for("the operator's email", || !mailbox(&smtp.maildir).is_empty());
    super::serve::wait_for("the webhook", || !requests.lock().expect("lock").is_empty());
    let posted = requests.lock().expect("lock")[0].clone();
    assert!(posted.contains("203.0.113.66"), "{posted}");
    assert!(posted.contains("\"decisions\":1"), "the ban is told: {posted}");
    drop(daemon);
}
