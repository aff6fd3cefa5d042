//! The adapters against real servers on loopback: Debian's aiosmtpd for
//! SMTP (plain and STARTTLS), and an axum server recording requests for the
//! webhook, Telegram, LINE and SMS gateways.
//!
//! aiosmtpd comes from the Debian package `python3-aiosmtpd` (`.ci/run`
//! installs it); without it the SMTP tests are skipped with a reason, except
//! under `LEAKGUARD_REQUIRE_SERVICES=1`, where they fail.

mod channels;
mod smtp;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Python (the package installs into its dist-packages).
const PYTHON: &str = "/usr/bin/python3";

/// A running aiosmtpd storing messages in a Maildir.
pub(crate) struct Aiosmtpd {
    child: Child,
    pub(crate) port: u16,
    pub(crate) maildir: PathBuf,
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn aiosmtpd_available() -> bool {
    Path::new(PYTHON).exists()
        && Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

/// Starts aiosmtpd on a free loopback port, or returns None (after printing
/// why) when it is not installed and services are not required.
pub(crate) fn start_aiosmtpd(dir: &Path, extra: &[&str]) -> Option<Aiosmtpd> {
    if !aiosmtpd_available() {
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
    let maildir = dir.join("maildir");
    let port =
        TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let child = Command::new(PYTHON)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(extra)
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let server = Aiosmtpd { child, port, maildir };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "aiosmtpd did not listen on {port} within 20s");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(server)
}

/// The messages in a Maildir's `new` folder.
pub(crate) fn mailbox(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    let mut messages: Vec<String> = entries
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("read message"))
        .collect();
    messages.sort();
    messages
}

/// Decodes standard base64 (whitespace ignored).
pub(crate) fn base64_decode(text: &str) -> Vec<u8> {
    let value = |ch: u8| match ch {
        b'A'..=b'Z' => ch - b'A',
        b'a'..=b'z' => ch - b'a' + 26,
        b'0'..=b'9' => ch - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {ch}"),
    };
    let clean: Vec<u8> =
        text.bytes().filter(|ch| !ch.is_ascii_whitespace() && *ch != b'=').collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let mut n = 0_u32;
        for (idx, ch) in chunk.iter().enumerate() {
            n |= u32::from(value(*ch)) << (18 - 6 * idx);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
