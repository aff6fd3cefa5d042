//! leakguard in front of real enforcers from Debian: nginx reading the deny
//! file `serve` keeps fresh, and `crowdsec-custom-bouncer` pulling the
//! decision stream. Each test runs when its program is installed
//! (`apt-get install --no-install-recommends nginx-light crowdsec-custom-bouncer`)
//! and otherwise prints why it skipped.
//!
//! `.ci/run` installs both, so under `LEAKGUARD_REQUIRE_SERVICES=1` a missing
//! program fails the test instead of skipping it.

use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::leakguard;
use super::serve::{start_server, wait_for};

/// Kills a process the test started when the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.exists())
}

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

/// An nginx the test started, stopped with `nginx -s stop` when the test
/// ends: killing only the master would leave its workers running.
struct StoppedNginx {
    child: Child,
    binary: PathBuf,
    conf: String,
}

impl Drop for StoppedNginx {
    fn drop(&mut self) {
        let _ = Command::new(&self.binary)
            .args(["-c", &self.conf, "-s", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // nginx runs in a process group of its own: end any worker left over.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The status nginx gives a request sent from `source` (bound before connecting).
fn status_from(source: &str, port: u16) -> Option<u16> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let socket = tokio::net::TcpSocket::new_v4().ok()?;
        socket.bind(format!("{source}:0").parse::<SocketAddr>().ok()?).ok()?;
        let target: SocketAddr = format!("127.0.0.1:{port}").parse().ok()?;
        let mut stream = tokio::time::timeout(Duration::from_secs(5), socket.connect(target))
            .await
            .ok()?
            .ok()?;
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut response = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response))
            .await
            .ok()?
            .ok()?;
        let text = String::from_utf8_lossy(&response);
        text.split(' ').nth(1)?.parse().ok()
    })
}

#[test]
fn nginx_denies_banned_addresses_and_lets_others_through() {
    let Some(nginx) = find_program("nginx") else {
        skip("nginx is not installed (apt-get install --no-install-recommends nginx-light)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let deny = root.join("leakguard-deny.conf");
    let port = free_port();
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::create_dir_all(root.join("www")).unwrap();
    std::fs::write(root.join("www/index.html"), "ok\n").unwrap();
    let temp = root.join("tmp").display().to_string();
    // A static file, not `return 200`: `return` answers before nginx's access
    // phase, so `deny` would never apply.
    let nginx_conf = format!(
        "pid {root}/nginx.pid;\nerror_log {root}/error.log;\nworker_processes 1;\nevents {{}}\n\
         http {{\n  access_log off;\n  client_body_temp_path {temp};\n  proxy_temp_path {temp};\n  \
         fastcgi_temp_path {temp};\n  uwsgi_temp_path {temp};\n  scgi_temp_path {temp};\n  \
         server {{\n    listen 127.0.0.1:{port};\n    include {deny};\n    \
         location / {{ root {root}/www; }}\n  }}\n}}\n",
        root = root.display(),
        deny = deny.display(),
    );
    let conf_path = root.join("nginx.conf");
    std::fs::write(&conf_path, nginx_conf).unwrap();
    let conf = conf_path.display().to_string();
    let leakguard_conf = format!(
        "[store]\npath = \"leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\n\
         [outputs]\nnginx_deny_file = {:?}\nnginx_reload = [{:?}, \"-c\", {conf:?}, \"-s\", \"reload\"]\ninterval = \"1s\"\n",
        deny.display().to_string(),
        nginx.display().to_string(),
    );
    std::fs::write(root.join("leakguard.toml"), leakguard_conf).unwrap();
    let exported = leakguard(
        root,
        &[
            "-c",
            "leakguard.toml",
            "decisions",
            "export",
            "--format",
            "nginx",
            "--out",
            &deny.display().to_string(),
        ],
    );
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));

    let _nginx = StoppedNginx {
        child: Command::new(&nginx)
            .args(["-c", &conf, "-g", "daemon off;"])
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx starts"),
        binary: nginx.clone(),
        conf: conf.clone(),
    };
    wait_for("nginx to answer", || status_from("127.0.0.2", port) == Some(200));

    let (_server, _) = start_server(root, "leakguard.toml");
    let ban = leakguard(
        root,
        &["-c", "leakguard.toml", "decisions", "add", "--ip", "127.0.0.2", "--duration", "1h"],
    );
    assert!(ban.status.success(), "{}", String::from_utf8_lossy(&ban.stderr));
    wait_for("nginx to deny 127.0.0.2", || status_from("127.0.0.2", port) == Some(403));
    assert_eq!(status_from("127.0.0.1", port), Some(200), "127.0.0.1 is not banned");

    let unban =
        leakguard(root, &["-c", "leakguard.toml", "decisions", "delete", "--ip", "127.0.0.2"]);
    assert!(unban.status.success(), "{}", String::from_utf8_lossy(&unban.stderr));
    wait_for("nginx to let 127.0.0.2 through again", || {
        status_from("127.0.0.2", port) == Some(200)
    });
}

#[test]
fn crowdsec_custom_bouncer_receives_new_and_deleted_decisions() {
    let Some(bouncer) = find_program("crowdsec-custom-bouncer") else {
        skip(
            "crowdsec-custom-bouncer is not installed (apt-get install --no-install-recommends crowdsec-custom-bouncer)",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("leakguard.toml"),
        "[store]\npath = \"leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let added =
        leakguard(root, &["-c", "leakguard.toml", "bouncers", "add", "custom", "-o", "json"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let key = super::json_of(&added)["api_key"].as_str().unwrap().to_owned();
    let ban = leakguard(
        root,
        &["-c", "leakguard.toml", "decisions", "add", "--ip", "203.0.113.9", "--duration", "1h"],
    );
    assert!(ban.status.success(), "{}", String::from_utf8_lossy(&ban.stderr));
    let (_server, address) = start_server(root, "leakguard.toml");

    // The bouncer runs this for each decision: `add|del VALUE DURATION REASON JSON`.
    let seen = root.join("seen.txt");
    let script = root.join("record.sh");
    std::fs::write(&script, format!("#!/bin/sh\necho \"$1 $2\" >> {}\n", seen.display())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let bouncer_conf = format!(
        "bin_path: {script}\nfeed_via_stdin: false\ntotal_retries: 0\nscenarios_containing: []\n\
         scenarios_not_containing: []\norigins: []\npiddir: {root}\nupdate_frequency: 1s\n\
         cache_retention_duration: 10s\ndaemonize: false\nlog_mode: stdout\nlog_level: info\n\
         api_url: http://{address}/\napi_key: {key}\nprometheus:\n  enabled: false\n",
        script = script.display(),
        root = root.display(),
    );
    std::fs::write(root.join("bouncer.yaml"), bouncer_conf).unwrap();
    let _bouncer = Killed(
        Command::new(&bouncer)
            .args(["-c", &root.join("bouncer.yaml").display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the bouncer starts"),
    );
    let seen_text = || std::fs::read_to_string(&seen).unwrap_or_default();
    wait_for("the bouncer to add 203.0.113.9", || seen_text().contains("add 203.0.113.9"));

    let more = leakguard(
        root,
        &["-c", "leakguard.toml", "decisions", "add", "--range", "198.51.100.0/24"],
    );
    assert!(more.status.success(), "{}", String::from_utf8_lossy(&more.stderr));
    wait_for("the bouncer to add the new range", || seen_text().contains("add 198.51.100.0/24"));
    let unban =
        leakguard(root, &["-c", "leakguard.toml", "decisions", "delete", "--ip", "203.0.113.9"]);
    assert!(unban.status.success(), "{}", String::from_utf8_lossy(&unban.stderr));
    let started = Instant::now();
    wait_for("the bouncer to delete 203.0.113.9", || seen_text().contains("del 203.0.113.9"));
    assert!(started.elapsed() < Duration::from_secs(30));
}
