//! `leakguard admin` and `leakguard audit` on a real SQLite store: the
//! one-time password goes only to a 0600 file, and `audit verify` catches
//! an entry changed behind leakguard's back (with Debian's `sqlite3`).

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{json_of, leakguard};

fn config(dir: &Path) -> String {
    let path = dir.join("leakguard.toml");
    std::fs::write(&path, format!("[store]\npath = {:?}\n", dir.join("leakguard.db"))).unwrap();
    path.display().to_string()
}

#[test]
fn admin_create_writes_the_one_time_password_only_to_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let file = dir.path().join("ann.otp");
    let file_text = file.display().to_string();
    let created = leakguard(
        dir.path(),
        &["--config", &config, "admin", "create", "ann", "--one-time-password-file", &file_text],
    );
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let password = std::fs::read_to_string(&file).unwrap();
    let password = password.trim();
    assert_eq!(password.len(), 20);
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&created.stdout),
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(!shown.contains(password), "the password is never printed: {shown}");
    assert!(shown.contains("ann.otp"));

    // An existing file is never overwritten, and the name stays unique.
    let again = leakguard(
        dir.path(),
        &["--config", &config, "admin", "create", "bob", "--one-time-password-file", &file_text],
    );
    assert!(!again.status.success());

    // A password from a pipe, checked for length.
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakguard"))
        .args(["--config", &config, "admin", "create", "vic", "--role", "viewer"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let refused = child.wait_with_output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("12 to 1024 characters"));

    let listed = leakguard(dir.path(), &["--config", &config, "admin", "list", "-o", "json"]);
    let users = json_of(&listed)["users"].clone();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(users[0]["name"], "ann");
    assert_eq!(users[0]["must_change_password"], true);
}

#[test]
fn audit_verify_names_an_entry_changed_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    for name in ["ann", "bob", "cat"] {
        let file = dir.path().join(format!("{name}.otp")).display().to_string();
        let created = leakguard(
            dir.path(),
            &["--config", &config, "admin", "create", name, "--one-time-password-file", &file],
        );
        assert!(created.status.success());
    }
    let verified = leakguard(dir.path(), &["--config", &config, "audit", "verify", "-o", "json"]);
    assert!(verified.status.success());
    let document = json_of(&verified);
    assert_eq!((document["entries"].as_i64(), document["intact"].as_bool()), (Some(3), Some(true)));
    let listed = leakguard(dir.path(), &["--config", &config, "audit", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("user_create"));
    let exported = leakguard(dir.path(), &["--config", &config, "audit", "export"]);
    let csv = String::from_utf8_lossy(&exported.stdout).into_owned();
    assert!(csv.starts_with("id,at,actor,address,action,target,purpose,prev_hash,hash\n"));
    assert_eq!(csv.lines().count(), 5, "a header, three entries and the export itself: {csv}");

    if !Path::new("/usr/bin/sqlite3").exists() {
        super::browser::skip("sqlite3 is not installed (apt-get install sqlite3)");
        return;
    }
    let database = dir.path().join("leakguard.db");
    let tampered = Command::new("/usr/bin/sqlite3")
        .arg(&database)
        .arg("DROP TRIGGER audit_no_update; UPDATE audit SET target = 'mallory administrator' WHERE id = 2;")
        .output()
        .unwrap();
    assert!(tampered.status.success(), "{}", String::from_utf8_lossy(&tampered.stderr));
    let broken = leakguard(dir.path(), &["--config", &config, "audit", "verify"]);
    assert!(!broken.status.success(), "verification fails");
    let text = String::from_utf8_lossy(&broken.stdout);
    assert!(text.contains("BROKEN at entry 2"), "{text}");
}
