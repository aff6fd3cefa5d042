//! `leakguard serve` end to end: the real binary on a free loopback port,
//! a bouncer and a decision added with the CLI, looked up over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::leakguard;

/// Kills the server when the test ends, however it ends.
pub(crate) struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write_config(dir: &Path) -> String {
    let config = format!(
        "[store]\npath = {:?}\n\n[serve]\nlisten = \"127.0.0.1:0\"\n\n[decisions]\nallowlist = [\"192.0.2.0/24\"]\n",
        dir.join("data/leakguard.db").display().to_string()
    );
    std::fs::write(dir.join("leakguard.toml"), config).unwrap();
    "leakguard.toml".to_owned()
}

/// Starts `serve` and returns it with the address it printed, within a deadline.
pub(crate) fn start_server(dir: &Path, config: &str) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakguard"))
        .args(["--config", config, "serve"])
        .current_dir(dir)
        .env("LANG", "C")
        .env_remove("LEAKGUARD_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver.recv_timeout(Duration::from_secs(30)).expect("serve prints its address");
    let address = line.trim().rsplit("://").next().unwrap().to_owned();
    (server, address)
}

/// One HTTP/1.1 request over a plain socket; returns the status and the body.
pub(crate) fn request(
    address: &str,
    method: &str,
    path: &str,
    key: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let key_header = key.map(|key| format!("X-Api-Key: {key}\r\n")).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{key_header}Connection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    Ok((status, body))
}

/// The body of a response that may be chunked (axum streams JSON bodies with a length, but be safe).
fn json_body(body: &str) -> Value {
    serde_json::from_str(body.trim()).unwrap_or_else(|_| {
        let inner: String = body.lines().skip(1).step_by(2).collect();
        serde_json::from_str(inner.trim()).unwrap_or(Value::String(body.to_owned()))
    })
}

#[test]
fn serve_answers_bouncers_with_decisions_added_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let added =
        leakguard(dir.path(), &["--config", &config, "bouncers", "add", "nginx", "-o", "json"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let key = super::json_of(&added)["api_key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 64);

    let (_server, address) = start_server(dir.path(), &config);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match request(&address, "GET", "/v1/decisions", None) {
            Ok((403, body)) => {
                assert_eq!(body.trim(), r#"{"message":"access forbidden"}"#);
                break;
            }
            Ok(other) => panic!("unexpected answer before any key: {other:?}"),
            Err(error) => assert!(Instant::now() < deadline, "serve did not come up: {error}"),
        }
        std::thread::yield_now();
    }

    let (status, body) =
        request(&address, "GET", "/v1/decisions?ip=203.0.113.9", Some(&key)).unwrap();
    assert_eq!((status, body.trim()), (200, "null"));

    // A decision added by another process is seen on the next request.
    let ban = leakguard(
        dir.path(),
        &["--config", &config, "decisions", "add", "--ip", "203.0.113.9", "--duration", "1h"],
    );
    assert!(ban.status.success(), "{}", String::from_utf8_lossy(&ban.stderr));
    let (status, body) =
        request(&address, "GET", "/v1/decisions?ip=203.0.113.9", Some(&key)).unwrap();
    assert_eq!(status, 200, "{body}");
    let found = json_body(&body);
    assert_eq!(found[0]["value"], "203.0.113.9", "{body}");
    assert_eq!(found[0]["type"], "ban");
    assert_eq!(found[0]["scope"], "Ip");
    assert_eq!(found[0]["origin"], "cli");

    let (status, body) =
        request(&address, "GET", "/v1/decisions/stream?startup=true", Some(&key)).unwrap();
    assert_eq!(status, 200);
    assert_eq!(json_body(&body)["new"][0]["value"], "203.0.113.9", "{body}");

    // The allowlist from the configuration wins over a manual ban.
    let refused =
        leakguard(dir.path(), &["--config", &config, "decisions", "add", "--ip", "192.0.2.7"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("allowlisted"));

    let listed = leakguard(dir.path(), &["--config", &config, "decisions", "list", "-o", "json"]);
    let listed = super::json_of(&listed);
    assert_eq!(listed["decisions"].as_array().map(Vec::len), Some(1));
    let id = listed["decisions"][0]["id"].as_i64().unwrap().to_string();
    let deleted = leakguard(dir.path(), &["--config", &config, "decisions", "delete", "--id", &id]);
    assert!(deleted.status.success(), "{}", String::from_utf8_lossy(&deleted.stderr));
    let (_, body) = request(&address, "GET", "/v1/decisions/stream", Some(&key)).unwrap();
    assert_eq!(json_body(&body)["deleted"][0]["value"], "203.0.113.9", "{body}");

    let revoked = leakguard(dir.path(), &["--config", &config, "bouncers", "delete", "nginx"]);
    assert!(revoked.status.success());
    let (status, _) = request(&address, "GET", "/v1/decisions", Some(&key)).unwrap();
    assert_eq!(status, 403, "a revoked key no longer works");
}

#[test]
fn serve_refuses_plain_http_on_a_public_address() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leakguard.toml"), "[serve]\nlisten = \"0.0.0.0:8080\"\n")
        .unwrap();
    let output = leakguard(dir.path(), &["--config", "leakguard.toml", "serve"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("serve.listen") && stderr.contains("allow_plain_http"), "{stderr}");
}

#[test]
fn analyze_decide_turns_alerts_into_stored_decisions_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let generated = leakguard(
        dir.path(),
        &["demo", "--lines", "20000", "--out", "demo.log", "--generate-only"],
    );
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let first = leakguard(
        dir.path(),
        &["--config", &config, "analyze", "--decide", "--no-progress", "demo.log"],
    );
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let made = |text: &str| -> usize {
        let line = text.lines().find(|line| line.starts_with("decisions: ")).unwrap_or_default();
        line.split(' ').nth(1).and_then(|count| count.parse().ok()).unwrap_or(usize::MAX)
    };
    assert!(made(&text) > 0, "the demo's attacks give decisions:\n{text}");
    let again = leakguard(
        dir.path(),
        &["--config", &config, "analyze", "--decide", "--no-progress", "demo.log"],
    );
    assert_eq!(
        made(&String::from_utf8_lossy(&again.stdout)),
        0,
        "the same alerts never decide twice"
    );
}

#[test]
fn config_check_reports_every_problem_in_the_blocking_sections() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[store]\nurl = \"mysql://x\"\n[serve]\nlisten = \"0.0.0.0:80\"\nfoo = 1\n\
                [decisions]\nipv6_prefix = 200\nallowlist = [\"x\"]\n\
                [[decisions.overrides]]\nrule = \"a\"\ntag = \"b\"\naction = \"kill\"\nduration = \"x\"\n";
    std::fs::write(dir.path().join("bad.toml"), text).unwrap();
    let output = leakguard(dir.path(), &["config", "check", "bad.toml"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for key in [
        "store.url:",
        "serve.listen:",
        "serve.foo: unknown key",
        "decisions.ipv6_prefix:",
        "decisions.allowlist[0]:",
        "decisions.overrides[0]: give exactly one of rule, tag or severity",
        "decisions.overrides[0].action:",
        "decisions.overrides[0].duration:",
    ] {
        assert!(stderr.contains(key), "{key} missing from:\n{stderr}");
    }
}

/// Polls until `check` holds or the deadline passes.
pub(crate) fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::yield_now();
    }
}

#[test]
fn serve_keeps_the_nginx_deny_file_fresh_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let deny = dir.path().join("leakguard-deny.conf");
    let reloaded = dir.path().join("reloaded");
    let config = format!(
        "[store]\npath = \"leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\n\
         [decisions]\nallowlist = [\"192.0.2.0/24\"]\n\
         [outputs]\nnginx_deny_file = {:?}\nnginx_reload = [\"touch\", {:?}]\ninterval = \"1s\"\n",
        deny.display().to_string(),
        reloaded.display().to_string()
    );
    std::fs::write(dir.path().join("leakguard.toml"), config).unwrap();
    let ban = leakguard(
        dir.path(),
        &["-c", "leakguard.toml", "decisions", "add", "--range", "203.0.113.0/24"],
    );
    assert!(ban.status.success(), "{}", String::from_utf8_lossy(&ban.stderr));
    let exported = leakguard(
        dir.path(),
        &["-c", "leakguard.toml", "decisions", "export", "--format", "nginx"],
    );
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    assert!(String::from_utf8_lossy(&exported.stdout).contains("deny 203.0.113.0/24;"));

    let (_server, _address) = start_server(dir.path(), "leakguard.toml");
    wait_for("the deny file", || {
        std::fs::read_to_string(&deny).is_ok_and(|text| text.contains("deny 203.0.113.0/24;"))
    });
    wait_for("the reload command", || reloaded.exists());
    std::fs::remove_file(&reloaded).unwrap();
    let more =
        leakguard(dir.path(), &["-c", "leakguard.toml", "decisions", "add", "--ip", "2001:db8::7"]);
    assert!(more.status.success(), "{}", String::from_utf8_lossy(&more.stderr));
    wait_for("the new ban in the deny file", || {
        std::fs::read_to_string(&deny).is_ok_and(|text| text.contains("deny 2001:db8::7;"))
    });
    wait_for("the second reload", || reloaded.exists());
    let nft = leakguard(
        dir.path(),
        &["-c", "leakguard.toml", "decisions", "export", "--format", "nftables"],
    );
    let nft = String::from_utf8_lossy(&nft.stdout);
    assert!(nft.contains("add element inet leakguard banned_v4 { 203.0.113.0/24 }"), "{nft}");
    assert!(nft.contains("add element inet leakguard banned_v6 { 2001:db8::7 }"), "{nft}");
}

/// One HTTPS request, trusting only the test certificate authority `ca`; returns the status and the body.
fn https_request(address: &str, path: &str, key: Option<&str>, ca: &Path) -> (u16, String) {
    use rustls::pki_types::pem::PemObject;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls::pki_types::CertificateDer::pem_file_iter(ca).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut stream = connector.connect(name, tcp).await.expect("the TLS handshake succeeds");
        let key_header = key.map(|key| format!("X-Api-Key: {key}\r\n")).unwrap_or_default();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {address}\r\n{key_header}Connection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        // A peer closing without close_notify is fine here: the body has arrived.
        let _ = stream.read_to_end(&mut response).await;
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
        let body =
            response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
        (status, body)
    })
}

#[test]
fn serve_speaks_tls_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let tls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/tls");
    let config = format!(
        "[store]\npath = \"leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\ntls_cert = {:?}\ntls_key = {:?}\n",
        tls.join("cert.pem").display().to_string(),
        tls.join("key.pem").display().to_string()
    );
    std::fs::write(dir.path().join("leakguard.toml"), config).unwrap();
    let added =
        leakguard(dir.path(), &["-c", "leakguard.toml", "bouncers", "add", "remote", "-o", "json"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let key = super::json_of(&added)["api_key"].as_str().unwrap().to_owned();
    let (_server, address) = start_server(dir.path(), "leakguard.toml");
    let (status, body) = https_request(&address, "/v1/decisions", None, &tls.join("ca.pem"));
    assert_eq!((status, body.trim()), (403, r#"{"message":"access forbidden"}"#));
    let (status, body) =
        https_request(&address, "/v1/decisions?ip=203.0.113.9", Some(&key), &tls.join("ca.pem"));
    assert_eq!((status, body.trim()), (200, "null"));
    // Plain HTTP on the TLS port gets no HTTP answer.
    let plain = request(&address, "GET", "/v1/decisions", Some(&key));
    assert!(!matches!(plain, Ok((200, _))), "{plain:?}");
}

#[test]
fn a_public_address_is_allowed_with_tls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("leakguard.toml"),
        "[serve]\nlisten = \"0.0.0.0:8443\"\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n",
    )
    .unwrap();
    let output = leakguard(dir.path(), &["config", "check", "leakguard.toml"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}
