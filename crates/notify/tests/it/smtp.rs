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
