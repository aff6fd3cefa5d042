//! The login check and the pwned-password range API end to end: the real
//! daemon on a free loopback port with a corpus the test writes, the PHP and
//! Node examples of docs/api.md run for real against it, and an existing
//! Have I Been Pwned client (npm `hibp`) pointed at it by base URL only.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::run::{Daemon, start_with};
use super::serve::wait_for;
use super::{json_of, leakguard, write};

const CONFIG: &str = "leakguard.toml";
/// SHA-1 of "password" and how often the test corpus says it was seen.
const PASSWORD_SHA1: &str = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8";
const PASSWORD_COUNT: u64 = 52_256_179;

/// A small corpus folder in the downloader's layout, and a configuration using it.
fn setup(dir: &Path) {
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    write(
        &corpus,
        "5BAA6.txt",
        format!("0018A45C4D1DEF81644B54AB7F969B88D65:21\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:{PASSWORD_COUNT}\r\n")
            .as_bytes(),
    );
    write(&corpus, "00000.txt", b"0005AD76BD555C1D6D771DE417A4B87E4B4:10\r\n");
    write(dir, "access.log", b"");
    let config = "[logs]\nformat = \"combined\"\n\
                  [store]\npath = \"data/leakguard.db\"\n\
                  [serve]\nlisten = \"127.0.0.1:0\"\n\
                  [run]\nfiles = [\"access.log\"]\npoll_interval = \"50ms\"\n\
                  [pwned]\ncorpus = \"corpus\"\n";
    write(dir, CONFIG, config.as_bytes());
}

fn add_key(dir: &Path) -> String {
    let added = leakguard(
        dir,
        &["--config", CONFIG, "keys", "add", "shop", "--scope", "login", "-o", "json"],
    );
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    json_of(&added)["api_key"].as_str().unwrap().to_owned()
}

/// One HTTP/1.1 request with optional JSON body and headers; the status and body.
fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

fn post(daemon: &Daemon, key: &str, path: &str, body: &str) -> (u16, Value) {
    let (status, text) = http(&daemon.address, "POST", path, &[("X-Api-Key", key)], body);
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn check(daemon: &Daemon, key: &str, ip: &str, account: &str) -> Value {
    let body = format!(r#"{{"ip":"{ip}","account":"{account}"}}"#);
    let (status, answer) = post(daemon, key, "/v1/login/check", &body);
    assert_eq!(status, 200, "{answer}");
    answer
}

fn result(daemon: &Daemon, key: &str, ip: &str, account: &str, outcome: &str) -> u64 {
    let body = format!(r#"{{"ip":"{ip}","account":"{account}","outcome":"{outcome}"}}"#);
    let (status, answer) = post(daemon, key, "/v1/login/result", &body);
    assert_eq!(status, 200, "{answer}");
    answer["decisions"].as_u64().unwrap()
}

#[test]
fn login_results_feed_the_engine_and_the_check_answers_from_its_decisions() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let key = add_key(dir.path());
    let daemon = start_with(dir.path(), CONFIG);

    let body = format!(
        r#"{{"ip":"198.51.100.7","account":"mei@example.tw","password_sha1":"{}"}}"#,
        PASSWORD_SHA1.to_lowercase()
    );
    let (status, answer) = post(&daemon, &key, "/v1/login/check", &body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["verdict"], "allow");
    assert_eq!(answer["change_password"], true);
    assert_eq!(answer["reasons"][0]["code"], "password_breached");
    assert_eq!(answer["reasons"][0]["count"], PASSWORD_COUNT);
    assert_eq!(check(&daemon, &key, "198.51.100.7", "mei@example.tw")["verdict"], "allow");

    // Three failures for one account within a day: a forced reset, seen by the next check.
    for (idx, ip) in ["198.51.100.7", "198.51.100.8", "198.51.100.9"].iter().enumerate() {
        let made = result(&daemon, &key, ip, "mei@example.tw", "failure");
        assert_eq!(made > 0, idx == 2, "decisions after failure {}", idx + 1);
    }
    let answer = check(&daemon, &key, "192.0.2.1", "mei@example.tw");
    assert_eq!(answer["verdict"], "require_otp", "{answer}");
    assert_eq!(answer["change_password"], true);
    assert_eq!(answer["reasons"][0]["code"], "account_force_reset");
    assert_eq!(answer["reasons"][0]["scenario"], "lg-account-failed-logins");
    assert_eq!(answer["decision_ids"][0], answer["reasons"][0]["decision_id"]);

    // More than seven tries a second from one address (successes, so that only the
    // rate counts): a ban, and the next check refuses.
    let mut n_made = 0;
    for _ in 0..12 {
        n_made += result(&daemon, &key, "203.0.113.66", "bot@example.tw", "success");
        if n_made > 0 {
            break;
        }
    }
    assert!(n_made > 0, "twelve failures from one address made no decision");
    let answer = check(&daemon, &key, "203.0.113.66", "someone@example.tw");
    assert_eq!(answer["verdict"], "deny", "{answer}");
    assert!(
        answer["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|reason| reason["code"] == "ip_ban"
                && reason["scenario"] == "lg-login-results-rate-ip"),
        "{answer}"
    );

    // Errors: JSON with stable codes; no key, a bouncer's key, a password in clear.
    let (status, answer) =
        post(&daemon, "wrong", "/v1/login/check", r#"{"ip":"192.0.2.1","account":"a"}"#);
    assert_eq!((status, answer["code"].as_str()), (401, Some("invalid_api_key")));
    let bouncer = super::run::add_bouncer(dir.path());
    let (status, _) =
        post(&daemon, &bouncer, "/v1/login/check", r#"{"ip":"192.0.2.1","account":"a"}"#);
    assert_eq!(status, 401, "a bouncer's key does not open the login check");
    let (status, answer) = post(
        &daemon,
        &key,
        "/v1/login/check",
        r#"{"ip":"192.0.2.1","account":"a","password":"hunter2"}"#,
    );
    assert_eq!((status, answer["code"].as_str()), (400, Some("invalid_body")));
    assert!(answer["message"].as_str().unwrap().contains("unknown field `password`"), "{answer}");
    let (status, answer) = post(
        &daemon,
        &key,
        "/v1/login/result",
        r#"{"ip":"192.0.2.1","account":"a","outcome":"maybe"}"#,
    );
    assert_eq!((status, answer["code"].as_str()), (400, Some("invalid_body")));

    // A revoked key stops working within a second.
    let revoked = leakguard(dir.path(), &["--config", CONFIG, "keys", "delete", "shop"]);
    assert!(revoked.status.success());
    wait_for("the revoked key to be refused", || {
        post(&daemon, &key, "/v1/login/check", r#"{"ip":"192.0.2.1","account":"a"}"#).0 == 401
    });
}

/// Where the range API answers like api.pwnedpasswords.com.
#[test]
fn the_range_api_answers_like_have_i_been_pwned() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let daemon = start_with(dir.path(), CONFIG);
    let (status, body) = http(&daemon.address, "GET", "/range/5baa6", &[], "");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        format!(
            "0018A45C4D1DEF81644B54AB7F969B88D65:21\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:{PASSWORD_COUNT}"
        )
    );
    let (status, body) =
        http(&daemon.address, "GET", "/range/ABCDE", &[("Add-Padding", "true")], "");
    assert_eq!(status, 200, "every prefix answers");
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert!((800..=1000).contains(&lines.len()), "{}", lines.len());
    assert!(lines.iter().all(|line| line.len() == 37 && line.ends_with(":0")));
    let (status, body) = http(&daemon.address, "GET", "/range/5BAA6Z", &[], "");
    assert_eq!((status, body.contains("invalid_prefix")), (400, true), "{body}");
    let (status, body) = http(&daemon.address, "GET", "/range/5BAA6?mode=ntlm", &[], "");
    assert_eq!((status, body.contains("ntlm_unavailable")), (404, true), "{body}");
}

/// Skips with a reason, or fails when CI requires every service.
fn skip(reason: &str) {
    #[allow(clippy::disallowed_methods)]
    let is_required = std::env::var("LEAKGUARD_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
    assert!(!is_required, "LEAKGUARD_REQUIRE_SERVICES=1 but {reason}");
    #[allow(clippy::print_stderr)]
    {
        eprintln!("skipped: {reason}");
    }
}

fn docs_example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples").join(name)
}

fn run_script(program: &str, args: &[&str], daemon: &Daemon, key: &str, dir: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("LEAKGUARD_URL", format!("http://{}", daemon.address))
        .env("LEAKGUARD_KEY", key)
        .output()
        .unwrap();
    assert!(output.status.success(), "{program}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_php_example_refuses_a_credential_stuffer_and_flags_a_pwned_password() {
    if !Path::new("/usr/bin/php").exists() {
        return skip("/usr/bin/php is missing (Debian package php-cli)");
    }
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let key = add_key(dir.path());
    let daemon = start_with(dir.path(), CONFIG);
    let example = docs_example("leakguard-login.php");
    let driver = format!(
        "<?php\nrequire {example:?};\n\
         $first = leakguard_check('203.0.113.77', 'mei@example.tw', 'password');\n\
         for ($i = 0; $i < 12; $i++) {{ leakguard_result('203.0.113.77', \"buyer$i@example.tw\", false); }}\n\
         $after = leakguard_check('203.0.113.77', 'mei@example.tw', 'correct horse battery staple');\n\
         echo json_encode(['first' => $first, 'after' => $after]);\n",
        example = example.display().to_string()
    );
    write(dir.path(), "driver.php", driver.as_bytes());
    let answers: Value =
        serde_json::from_str(&run_script("php", &["driver.php"], &daemon, &key, dir.path()))
            .unwrap();
    assert_eq!(answers["first"]["verdict"], "allow", "{answers}");
    assert_eq!(answers["first"]["change_password"], true, "{answers}");
    assert_eq!(answers["after"]["verdict"], "deny", "{answers}");
    assert_eq!(answers["after"]["change_password"], false, "{answers}");
}

#[test]
fn the_node_example_asks_and_reports() {
    if !Path::new("/usr/bin/node").exists() {
        return skip("/usr/bin/node is missing (Debian package nodejs)");
    }
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let key = add_key(dir.path());
    let daemon = start_with(dir.path(), CONFIG);
    let example = docs_example("leakguard-login.mjs");
    let driver = format!(
        "import {{ leakguardCheck, leakguardResult }} from {example:?};\n\
         const first = await leakguardCheck('198.51.100.30', 'hao@example.tw', 'password');\n\
         for (const ip of ['198.51.100.31', '198.51.100.32', '198.51.100.33']) await leakguardResult(ip, 'hao@example.tw', false);\n\
         const after = await leakguardCheck('198.51.100.30', 'hao@example.tw', 'a new long passphrase');\n\
         console.log(JSON.stringify({{ first, after }}));\n",
        example = example.display().to_string()
    );
    write(dir.path(), "driver.mjs", driver.as_bytes());
    let answers: Value =
        serde_json::from_str(&run_script("node", &["driver.mjs"], &daemon, &key, dir.path()))
            .unwrap();
    assert_eq!(answers["first"]["reasons"][0]["code"], "password_breached", "{answers}");
    assert_eq!(answers["after"]["verdict"], "require_otp", "{answers}");
    assert_eq!(answers["after"]["reasons"][0]["code"], "account_force_reset", "{answers}");
}

/// Where `.ci/run` installs the npm `hibp` package (an existing HIBP client).
const NPM_DIR: &str = "/opt/leakguard-npm";

#[test]
fn an_existing_hibp_client_works_with_only_a_new_base_url() {
    let module = Path::new(NPM_DIR).join("node_modules/hibp");
    if !Path::new("/usr/bin/node").exists() || !module.exists() {
        return skip("node or the npm package hibp (in /opt/leakguard-npm) is missing");
    }
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let daemon = start_with(dir.path(), CONFIG);
    let script = format!(
        "import {{ pwnedPassword }} from {module:?};\n\
         const baseUrl = 'http://{address}';\n\
         const pwned = await pwnedPassword('password', {{ baseUrl, addPadding: true }});\n\
         const clean = await pwnedPassword('correct horse battery staple', {{ baseUrl, addPadding: true }});\n\
         console.log(JSON.stringify({{ pwned, clean }}));\n",
        module = module.join("dist/esm/hibp.js").display().to_string(),
        address = daemon.address
    );
    write(dir.path(), "client.mjs", script.as_bytes());
    let answers: Value =
        serde_json::from_str(&run_script("node", &["client.mjs"], &daemon, "", dir.path()))
            .unwrap();
    assert_eq!(answers["pwned"], PASSWORD_COUNT, "{answers}");
    assert_eq!(answers["clean"], 0, "{answers}");
}

#[test]
fn password_check_reads_stdin_and_answers_from_a_packed_corpus() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let imported =
        leakguard(dir.path(), &["pwned", "import", "corpus", "--out", "pwned.lgp", "-o", "json"]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let report = json_of(&imported);
    assert_eq!((report["files"].as_u64(), report["hashes"].as_u64()), (Some(2), Some(3)));
    let check = |password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leakguard"))
            .args(["password", "check", "--corpus", "pwned.lgp", "-o", "json"])
            .current_dir(dir.path())
            .env_remove("LEAKGUARD_CONFIG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let found = check("password\n");
    assert_eq!(found.status.code(), Some(3));
    assert_eq!(json_of(&found)["count"], PASSWORD_COUNT);
    let clean = check("correct horse battery staple\n");
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(json_of(&clean)["found"], false);
}

#[test]
fn the_docs_show_the_examples_the_tests_run() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api.md"))
            .unwrap();
    for name in ["leakguard-login.php", "leakguard-login.mjs"] {
        let example = std::fs::read_to_string(docs_example(name)).unwrap();
        assert!(
            docs.contains(example.trim_end()),
            "docs/api.md does not show docs/examples/{name} as it is"
        );
    }
}
