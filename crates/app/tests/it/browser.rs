//! The console as a person uses it, in real headless Chromium driven over
//! the W3C WebDriver protocol (Debian's `chromium` and `chromium-driver`;
//! a small JSON client over a plain socket, no WebDriver crate):
//! `leakguard demo --serve`, first login with the one-time password, a new
//! password, TOTP enrolment (the test computes the codes), the overview with
//! the demo's alerts, one alert opened with a stated purpose, its address
//! banned, the ban in the decisions list and in the bouncer stream, and the
//! language switched. Screenshots of every page go to `target/screenshots/`.
//!
//! Skips with the reason when Chromium or its driver is missing, except
//! under `LEAKGUARD_REQUIRE_SERVICES=1` (`.ci/run` installs both).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::serve::request;

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Kills a process the test started when the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn skip(reason: &str) {
    #[allow(clippy::disallowed_methods)]
    let is_required = std::env::var("LEAKGUARD_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
    assert!(!is_required, "LEAKGUARD_REQUIRE_SERVICES=1 but {reason}");
    #[allow(clippy::print_stderr)]
    {
        eprintln!("skipped: {reason}");
    }
}

/// One JSON request to the driver; returns the response's `value`.
fn call(driver: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(driver).expect("connect to chromedriver");
    stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {driver}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    )
    .expect("send");
    // Read the head, then exactly Content-Length bytes: the driver may keep the connection open.
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        let read = reader
            .read_line(&mut line)
            .unwrap_or_else(|error| panic!("reading {method} {path}: {error}"));
        if read == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap_or_else(|error| panic!("reading {method} {path}: {error}"));
    let body = String::from_utf8_lossy(&body);
    let document: Value = serde_json::from_str(body.trim()).unwrap_or_else(|error| {
        panic!("chromedriver answered {method} {path} with non-JSON ({error}): {head}{body}")
    });
    document["value"].clone()
}

struct Browser {
    driver: String,
    session: String,
    base: String,
    shots: PathBuf,
}

impl Browser {
    fn post(&self, path: &str, body: &Value) -> Value {
        call(&self.driver, "POST", &format!("/session/{}{path}", self.session), Some(body))
    }

    fn get(&self, path: &str) -> Value {
        call(&self.driver, "GET", &format!("/session/{}{path}", self.session), None)
    }

    fn open(&self, path: &str) {
        self.post("/url", &json!({ "url": format!("{}{path}", self.base) }));
    }

    fn find(&self, css: &str) -> String {
        let found = self.post("/element", &json!({ "using": "css selector", "value": css }));
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css} on {}: {found}", self.url()))
            .to_owned()
    }

    fn exists(&self, css: &str) -> bool {
        let found = self.post("/elements", &json!({ "using": "css selector", "value": css }));
        found.as_array().is_some_and(|list| !list.is_empty())
    }

    fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.post(&format!("/element/{element}/clear"), &json!({}));
        self.post(&format!("/element/{element}/value"), &json!({ "text": text }));
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.post(&format!("/element/{element}/click"), &json!({}));
    }

    /// Clicks a button whose form asks for confirmation, and accepts.
    fn click_and_confirm(&self, css: &str) {
        self.click(css);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let answer = self.post("/alert/accept", &json!({}));
            if answer.is_null() {
                break;
            }
            assert!(Instant::now() < deadline, "no confirmation dialog: {answer}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn text(&self, css: &str) -> String {
        let element = self.find(css);
        self.get(&format!("/element/{element}/text")).as_str().unwrap_or_default().to_owned()
    }

    fn source(&self) -> String {
        self.get("/source").as_str().unwrap_or_default().to_owned()
    }

    fn url(&self) -> String {
        self.get("/url").as_str().unwrap_or_default().to_owned()
    }

    fn screenshot(&self, name: &str) {
        let encoded = self.get("/screenshot");
        let png = base64_decode(encoded.as_str().expect("base64 screenshot"));
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0);
    for byte in text.bytes().filter(|byte| *byte != b'=' && !byte.is_ascii_whitespace()) {
        let value = ALPHABET.iter().position(|c| *c == byte).expect("base64 character") as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port()
}

fn totp_now(secret: &str) -> String {
    let bytes = service::totp::base32_decode(secret).expect("base32 secret");
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time");
    let step = service::totp::step_of(i64::try_from(now.as_secs()).expect("seconds"));
    service::totp::code_at(&bytes, step)
}

/// Waits until the TOTP step changes, so the next login uses a code not used before.
fn next_step() {
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time");
    let left = 30 - now.as_secs() % 30;
    std::thread::sleep(Duration::from_secs(left) + Duration::from_millis(200));
}

#[test]
fn a_new_administrator_logs_in_sees_the_demo_and_bans_an_address() {
    if !Path::new(CHROMIUM).exists() || !Path::new(DRIVER).exists() {
        skip(
            "chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    // The demo console, on a free port.
    let mut demo = Command::new(env!("CARGO_BIN_EXE_leakguard"))
        .args(["demo", "--lines", "30000", "--no-progress", "--out"])
        .arg(dir.path().join("access.log"))
        .args(["--serve", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .current_dir(dir.path())
        .env("LANG", "C")
        .env_remove("LEAKGUARD_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start leakguard demo --serve");
    let stdout = demo.stdout.take().unwrap();
    let demo = Killed(demo);
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Demo console: ") {
                let _ = sender.send(url.trim().trim_end_matches('/').to_owned());
            }
        }
    });
    let base = receiver.recv_timeout(Duration::from_secs(120)).expect("the demo console starts");
    let address = base.trim_start_matches("http://").to_owned();
    let one_time = std::fs::read_to_string(state.join("demo-admin.one-time-password")).unwrap();
    let bouncer_key = std::fs::read_to_string(state.join("demo-bouncer.key")).unwrap();

    // The driver, and a headless browser session.
    let port = free_port();
    let driver_child = Command::new(DRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let _driver_guard = Killed(driver_child);
    let driver = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&driver).is_err()
        || !call(&driver, "GET", "/status", None)["ready"].as_bool().unwrap_or(false)
    {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let created = call(
        &driver,
        "POST",
        "/session",
        Some(&json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1360,1000", "--lang=zh-TW", "--font-render-hinting=none"]
            }
        }}})),
    );
    let session = created["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {created}"));
    let browser =
        Browser { driver: driver.clone(), session: session.to_owned(), base: base.clone(), shots };

    // First login: the one-time password leads to the setup.
    browser.open("/login");
    browser.screenshot("01-login");
    browser.type_into("#name", "demo");
    browser.type_into("#password", one_time.trim());
    browser.click("#login");
    assert!(browser.url().ends_with("/setup"), "{}", browser.url());
    browser.screenshot("02-setup-password");
    browser.type_into("#new-password", "correct horse battery staple");
    browser.type_into("#new-password-again", "correct horse battery staple");
    browser.click("#save-password");
    browser.screenshot("03-setup-totp");
    let secret: String = browser.text("#totp-secret").split_whitespace().collect();
    assert!(browser.text("#totp-uri").starts_with("otpauth://totp/leakguard:demo?secret="));
    browser.type_into("#enrol-code", &totp_now(&secret));
    browser.click("#enrol");
    assert_eq!(browser.source().matches("<li><code>").count(), 10, "ten recovery codes");
    browser.screenshot("04-recovery-codes");
    browser.click("#finish");

    // The overview shows the demo's alerts (zh-TW by default).
    assert!(browser.url().ends_with('/'), "{}", browser.url());
    let overview = browser.source();
    assert!(overview.contains("總覽") && overview.contains("id=\"overview-chart\""));
    let alerts: u64 = browser.text("#tile-alerts").replace(',', "").parse().unwrap();
    assert!(alerts >= 5, "the demo's alerts are on the overview: {alerts}");
    assert!(browser.exists("#top-ips tbody tr td a"), "top attacking addresses");
    browser.screenshot("05-overview-zh");

    // Log out and in again with password and TOTP, as every later login.
    browser.click("header form button");
    assert!(browser.url().ends_with("/login"));
    next_step();
    browser.type_into("#name", "demo");
    browser.type_into("#password", "correct horse battery staple");
    browser.type_into("#code", &totp_now(&secret));
    browser.click("#login");
    assert!(browser.url().ends_with('/'), "logged in with TOTP: {}", browser.url());

    // Switch to English.
    browser.click("#switch-lang");
    let english = browser.source();
    assert!(english.contains("lang=\"en\"") && english.contains("Overview"), "English");
    browser.screenshot("06-overview-en");

    // Alerts: the list, then one alert keyed by an address, opened with a purpose.
    browser.open("/alerts");
    browser.screenshot("07-alerts");
    browser.open("/");
    browser.click("#top-ips tbody tr td a");
    browser.click("#alerts tbody tr a.alert-link");
    assert!(browser.exists("#purpose-form"), "a purpose is asked first");
    browser.click("#open-alert");
    let key = browser.text("#alert-key");
    let ip =
        key.strip_prefix("ip ").unwrap_or_else(|| panic!("an address alert: {key}")).to_owned();
    assert!(browser.exists("#evidence .line"), "evidence lines");
    if browser.exists("#unban") {
        // The demo's profile banned it already: lift the ban to ban it by hand.
        browser.click("#unban");
        assert!(browser.exists("#ban"), "the ban is lifted");
    }
    browser.screenshot("08-alert-detail");
    browser.click_and_confirm("#ban");
    assert!(browser.url().contains("/decisions?added="), "{}", browser.url());
    let decisions = browser.text("#decisions");
    assert!(decisions.contains(&ip), "{ip} in the decisions list: {decisions}");
    browser.screenshot("09-decisions");

    // Bouncers get it in their stream.
    let (status, body) =
        request(&address, "GET", "/v1/decisions/stream?startup=true", Some(bouncer_key.trim()))
            .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&format!("\"{ip}\"")), "{ip} in the bouncer stream");

    // The audit trail has the view with its purpose and the ban.
    browser.open("/audit");
    let audit = browser.source();
    assert!(audit.contains("alert_view") && audit.contains("investigation"));
    assert!(audit.contains("decision_add") && audit.contains("intact"));
    browser.screenshot("10-audit");

    // Back to Chinese.
    browser.click("#switch-lang");
    assert!(browser.source().contains("稽核軌跡"));
    browser.screenshot("11-audit-zh");

    call(&driver, "DELETE", &format!("/session/{session}"), None);
    drop(demo);
}
