//! The SMTP client against aiosmtpd: headers, subject and body in both
//! languages, many messages on one session, STARTTLS.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use model::Timestamp;
use notify::email::{Email, message_id_for};
use notify::smtp::{Security, SmtpConfig, SmtpSession, send_one};

use crate::{base64_decode, mailbox, start_aiosmtpd};

fn email(to: &str, subject: &str, text: &str, language: &'static str, key: &str) -> Email {
    Email {
        from: "alerts@shop.example".to_owned(),
        from_name: "leakguard 警示".to_owned(),
        to: vec![to.to_owned()],
        subject: subject.to_owned(),
        text: text.to_owned(),
        message_id: message_id_for(key, "alerts@shop.example"),
        date: Timestamp::from_civil(2026, 12, 7, 21, 30, 0, 0),
        language,
    }
}

/// The value of a header (unfolded), decoding RFC 2047 base64 words.
fn header(message: &str, name: &str) -> String {
    let head = message.split("\n\n").next().unwrap_or_default().replace("\r\n", "\n");
    let unfolded = head.replace("\n ", " ");
    let line = unfolded
        .lines()
        .find(|line| {
            line.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .unwrap_or_else(|| panic!("no {name} header in {message}"));
    let value = line[name.len() + 1..].trim();
    let mut decoded = String::new();
    for word in value.split(' ') {
        match word.strip_prefix("=?UTF-8?B?").and_then(|rest| rest.strip_suffix("?=")) {
            Some(encoded) => {
                decoded.push_str(&String::from_utf8(base64_decode(encoded)).expect("utf-8"))
            }
            None => {
                if !decoded.is_empty() {
                    decoded.push(' ');
                }
                decoded.push_str(word);
            }
        }
    }
    decoded
}

fn body(message: &str) -> String {
    let normalized = message.replace("\r\n", "\n");
    let (_, encoded) = normalized.split_once("\n\n").expect("a body");
    String::from_utf8(base64_decode(encoded)).expect("utf-8 body")
}

#[tokio::test]
async fn messages_in_both_languages_arrive_with_their_headers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(server) = start_aiosmtpd(dir.path(), &[]) else { return };
    let config = SmtpConfig::plain("127.0.0.1", server.port);
    let english = email(
        "ops@shop.example",
        "[leakguard] demo-shop: critical alert: Credential stuffing (ip 203.0.113.7)",
        "Credential stuffing from 203.0.113.7.\n.leading dot stays\n",
        "en",
        "en-1",
    );
    let chinese = email(
        "security@shop.example",
        "[leakguard] demo-shop：嚴重警示：撞庫攻擊（ip 203.0.113.7）",
        "來自 203.0.113.7 的撞庫攻擊。\n請提防詐騙電話，撥打 165 反詐騙專線。\n",
        "zh-TW",
        "zh-1",
    );
    let receipt = send_one(&config, &english).await.expect("sent");
    assert_eq!(receipt.message_id, english.message_id);
    assert!(receipt.reply.starts_with("250"), "{}", receipt.reply);
    assert_eq!(receipt.accepted, ["ops@shop.example"]);
    send_one(&config, &chinese).await.expect("sent");

    let messages = mailbox(&server.maildir);
    assert_eq!(messages.len(), 2);
    let find = |id: &str| {
        messages
            .iter()
            .find(|message| header(message, "Message-ID") == id)
            .expect("message by id")
            .clone()
    };
    let got = find(&english.message_id);
    assert_eq!(header(&got, "Subject"), english.subject);
    assert_eq!(header(&got, "To"), "ops@shop.example");
    assert_eq!(header(&got, "Content-Language"), "en");
    assert_eq!(header(&got, "Date"), "Mon, 07 Dec 2026 21:30:00 +0000");
    assert_eq!(header(&got, "From"), "leakguard 警示 <alerts@shop.example>");
    assert_eq!(body(&got), english.text.replace('\n', "\r\n"));
    let got = find(&chinese.message_id);
    assert_eq!(header(&got, "Subject"), chinese.subject);
    assert_eq!(header(&got, "Content-Language"), "zh-TW");
    assert!(body(&got).contains("請提防詐騙電話，撥打 165 反詐騙專線。"), "{}", body(&got));
}

#[tokio::test]
async fn one_session_sends_many_messages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(server) = start_aiosmtpd(dir.path(), &[]) else { return };
    let config = SmtpConfig::plain("127.0.0.1", server.port);
    let mut session = SmtpSession::connect(&config).await.expect("connect");
    for n in 0..50 {
        let message =
            email(&format!("person{n}@example.org"), "notice", "text\n", "en", &format!("k{n}"));
        session.send(&message).await.expect("sent");
    }
    assert!(session.is_usable());
    session.quit().await;
    assert_eq!(mailbox(&server.maildir).len(), 50);
}

#[tokio::test]
async fn starttls_protects_the_session() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tls_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/tests/it/tls");
    let cert = tls_dir.join("cert.pem").display().to_string();
    let key = tls_dir.join("key.pem").display().to_string();
    let Some(server) = start_aiosmtpd(dir.path(), &["--tlscert", &cert, "--tlskey", &key]) else {
        return;
    };
    let tls: Arc<rustls::ClientConfig> =
        notify::tls::client_config(&tls_dir.join("ca.pem")).expect("CA");
    // aiosmtpd requires TLS before MAIL: a plain session is refused.
    let plain = SmtpConfig::plain("127.0.0.1", server.port);
    let refused = send_one(&plain, &email("a@example.org", "s", "t\n", "en", "p")).await;
    assert!(refused.is_err(), "{refused:?}");
    let config = SmtpConfig {
        security: Security::StartTls,
        tls: Some(tls),
        timeout: Duration::from_secs(10),
        ..SmtpConfig::plain("127.0.0.1", server.port)
    };
    send_one(&config, &email("a@example.org", "over TLS", "secret text\n", "en", "t"))
        .await
        .expect("sent over TLS");
    let messages = mailbox(&server.maildir);
    assert_eq!(messages.len(), 1);
    assert_eq!(header(&messages[0], "Subject"), "over TLS");
}

#[tokio::test]
async fn a_closed_port_is_a_connection_error_naming_the_address() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let config = SmtpConfig::plain("127.0.0.1", port);
    let error = send_one(&config, &email("a@example.org", "s", "t\n", "en", "x"))
        .await
        .expect_err("refused");
    assert!(error.to_string().contains(&format!("127.0.0.1:{port}")), "{error}");
    assert!(!error.is_unconfirmed());
}

#[tokio::test]
async fn implicit_tls_protects_the_session_from_the_first_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tls_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/tests/it/tls");
    let cert = tls_dir.join("cert.pem").display().to_string();
    let key = tls_dir.join("key.pem").display().to_string();
    let Some(server) = start_aiosmtpd(dir.path(), &["--smtpscert", &cert, "--smtpskey", &key])
    else {
        return;
    };
    let tls = notify::tls::client_config(&tls_dir.join("ca.pem")).expect("CA");
    let config = SmtpConfig {
        security: Security::Tls,
        tls: Some(tls),
        timeout: Duration::from_secs(10),
        ..SmtpConfig::plain("127.0.0.1", server.port)
    };
    send_one(&config, &email("b@example.org", "implicit TLS", "text\n", "en", "i"))
        .await
        .expect("sent over implicit TLS");
    assert_eq!(header(&mailbox(&server.maildir)[0], "Subject"), "implicit TLS");
    // A client trusting another CA refuses the server's certificate.
    let other = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::copy(tls_dir.join("cert.pem"), other.path()).expect("copy");
    let config = SmtpConfig {
        tls: Some(notify::tls::client_config(other.path()).expect("a leaf as the only root")),
        ..config
    };
    let refused = send_one(&config, &email("c@example.org", "s", "t\n", "en", "j")).await;
    assert!(matches!(refused, Err(notify::smtp::SmtpError::Tls { .. })), "{refused:?}");
}

/// aiosmtpd with authentication required (its controller, from a small
/// script: the command line cannot set an authenticator).
const AUTH_SERVER: &str = r#"
import sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult

port, maildir, exclude = int(sys.argv[1]), sys.argv[2], sys.argv[3:]

def authenticator(server, session, envelope, mechanism, data):
    return AuthResult(success=data.login == b"alerts@shop.example" and data.password == b"s3cret pass")

Controller(Mailbox(maildir), hostname="127.0.0.1", port=port, authenticator=authenticator,
           auth_required=True, auth_require_tls=False, auth_exclude_mechanism=exclude).start()
while True:
    time.sleep(3600)
"#;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_auth_server(dir: &Path, exclude: &[&str]) -> (Child, u16) {
    let script = dir.join("auth_server.py");
    std::fs::write(&script, AUTH_SERVER).expect("write script");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let child = std::process::Command::new(crate::PYTHON)
        .arg(&script)
        .arg(port.to_string())
        .arg(dir.join("maildir"))
        .args(exclude)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let child = Child(child);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "aiosmtpd did not listen within 20s");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

#[tokio::test]
async fn auth_plain_and_login_with_the_right_password_only() {
    if !crate::aiosmtpd_available() {
        // start_aiosmtpd says why (and fails when services are required).
        let _ = start_aiosmtpd(Path::new("/nonexistent"), &[]);
        return;
    }
    for exclude in [&[][..], &["PLAIN"][..]] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (_server, port) = start_auth_server(dir.path(), exclude);
        let config = |password: &str| SmtpConfig {
            username: Some("alerts@shop.example".to_owned()),
            password: Some(notify::Secret::new(password)),
            ..SmtpConfig::plain("127.0.0.1", port)
        };
        let unauthenticated = send_one(
            &SmtpConfig::plain("127.0.0.1", port),
            &email("a@example.org", "s", "t\n", "en", "u"),
        )
        .await;
        assert!(
            matches!(unauthenticated, Err(notify::smtp::SmtpError::Refused { code: 530, .. })),
            "{unauthenticated:?}"
        );
        // aiosmtpd 1.4 leaves a failed AUTH unanswered; a short deadline ends the wait.
        let impatient = SmtpConfig { timeout: Duration::from_secs(2), ..config("guess") };
        let wrong = send_one(&impatient, &email("a@example.org", "s", "t\n", "en", "w")).await;
        let error = wrong.expect_err("a wrong password is refused");
        assert!(
            matches!(
                error,
                notify::smtp::SmtpError::Refused { code: 535, .. }
                    | notify::smtp::SmtpError::Io { stage: "AUTH", .. }
            ),
            "{error:?}"
        );
        assert!(!format!("{error} {error:?}").contains("guess"), "the password never shows");
        send_one(
            &config("s3cret pass"),
            &email("a@example.org", "authenticated", "t\n", "en", "r"),
        )
        .await
        .unwrap_or_else(|error| panic!("excluding {exclude:?}: {error}"));
        assert_eq!(mailbox(&dir.path().join("maildir")).len(), 1, "excluding {exclude:?}");
    }
}
