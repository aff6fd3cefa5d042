//! The breach workflow end to end through the binary: a demo log, its
//! alert, an incident from it, evidence, scoping a members export, notices
//! approved and handed to the outbox once, the regulator's report, a STIX
//! bundle without customer data, and an evidence bundle that verifies.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::{json_of, leakguard, write};

fn run_ok(dir: &Path, args: &[&str]) -> std::process::Output {
    let output = leakguard(dir, args);
    assert!(
        output.status.success(),
        "leakguard {args:?} failed\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// 40 member rows, 25 people: rows 0..30 were created inside the attack's
/// window (2026-11-20 14:08 Taipei), the rest a month earlier.
fn members_csv() -> (String, Vec<String>) {
    let given = ["明", "華", "美", "強", "玲"];
    let mut csv = String::from("member_id,name,email,phone,address,created_at\n");
    let mut secrets = Vec::new();
    for idx in 0..40_u32 {
        let person = idx % 25;
        let name = format!("王小{}", given[(person % 5) as usize]);
        let email = format!("member{person}@example.com");
        let phone = format!("09{:08}", 12_345_600 + person);
        let created = if idx < 30 {
            format!("2026-11-20 14:08:{idx:02}")
        } else {
            "2026-10-01 10:00:00".to_owned()
        };
        csv.push_str(&format!(
            "M{idx:04},{name},{email},{phone},臺北市大安區和平東路一段{idx}號,{created}\n"
        ));
        secrets.push(email);
        secrets.push(phone);
    }
    (csv, secrets)
}

#[test]
fn an_alert_becomes_an_incident_with_notices_queued_once_and_reports_filed() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    let db = dir.join("lg.db");
    write(dir, "lg.toml", format!("[store]\npath = {:?}\n", db.display().to_string()).as_bytes());
    let config = ["--config", "lg.toml"];
    let with = |args: &[&str]| -> Vec<String> {
        config.iter().chain(args).map(|arg| (*arg).to_owned()).collect()
    };
    let call =
        |args: &[&str]| run_ok(dir, &with(args).iter().map(String::as_str).collect::<Vec<_>>());

    // Demo log → analyze → the order-enumeration alert.
    run_ok(dir, &["demo", "--generate-only", "--lines", "20000", "--out", "demo.log"]);
    let analysis = leakguard(dir, &["analyze", "--output", "json", "--no-progress", "demo.log"]);
    std::fs::write(dir.join("analysis.json"), &analysis.stdout).expect("write analysis");
    let alerts = json_of(&analysis)["alerts"].as_array().expect("alerts").clone();
    let alert = alerts
        .iter()
        .find(|alert| alert["rule_id"] == "lg-order-enumeration")
        .expect("the demo's order enumeration is detected");
    let alert_id = alert["id"].as_str().expect("id");
    let attacker = alert["key"]["value"].as_str().expect("key");

    // An incident from the alert: its evidence attached, times from the alert.
    let created = call(&[
        "incident",
        "create",
        "--from-alert",
        "analysis.json",
        "--alert-id",
        alert_id,
        "--discovered",
        "2026-11-20 15:00",
        "--actor",
        "ann",
        "--output",
        "json",
    ]);
    let created = json_of(&created);
    let incident = &created["incident"];
    let id = incident["id"].as_i64().expect("id").to_string();
    let id = id.as_str();
    assert_eq!(incident["source"], "alert");
    assert_eq!(incident["source_ref"], alert_id);
    assert_eq!(incident["severity"], "critical");
    assert_eq!(incident["occurred_from"], alert["first_seen"]);
    assert_eq!(created["discovered_roc"], "民國115年11月20日 15:00");
    let evidence = created["evidence"].as_array().expect("evidence");
    assert_eq!(evidence.len(), 2, "the alert and its lines: {evidence:?}");
    let tasks = created["checklist"]["tasks"].as_array().expect("tasks");
    let regulator = tasks.iter().find(|task| task["task"] == "notify_regulator").expect("task");
    assert_eq!(regulator["basis"], "tw-moda-72h");
    assert_eq!(
        regulator["countdown"]["deadline"], "2026-11-23T07:00:00Z",
        "72 h after 15:00 Taipei"
    );

    // More evidence: a log extract with its SHA-256.
    let added = stdout(&call(&[
        "incident", "evidence", "add", id, "demo.log", "--lines", "1-20", "--actor", "bob",
    ]));
    let log = std::fs::read_to_string(dir.join("demo.log")).expect("log");
    let extract: String = log.lines().take(20).map(|line| format!("{line}\n")).collect();
    let digest = sha2_hex(extract.as_bytes());
    assert!(added.contains(&digest), "{added} should name sha256 {digest}");

    // Status moves: the machine refuses a skip.
    call(&["incident", "status", id, "investigating", "--actor", "ann"]);
    let skip = leakguard(
        dir,
        &with(&["incident", "status", id, "closed"]).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(!skip.status.success());
    assert!(
        String::from_utf8_lossy(&skip.stderr).contains("cannot go from investigating to closed")
    );
    call(&["incident", "task", id, "contain", "--note", "IP banned", "--actor", "ann"]);

    // Scope from a members export: 25 people, 30 records in the window.
    let (csv, secrets) = members_csv();
    write(dir, "members.csv", csv.as_bytes());
    call(&["incident", "keygen", "--out", "contacts.key"]);
    let scope = json_of(&call(&[
        "incident",
        "scope",
        id,
        "--data",
        "members.csv",
        "--key-file",
        "contacts.key",
        "--actor",
        "ann",
        "--output",
        "json",
    ]));
    let summary = &scope["summary"];
    assert_eq!(
        (summary["people"].as_u64(), summary["records"].as_u64()),
        (Some(25), Some(30)),
        "{scope}"
    );
    assert_eq!(scope["rows_outside_window"], 10);
    for field in ["email", "phone", "person_name", "address"] {
        assert_eq!(summary["people_per_field"][field], 25, "{field}: {scope}");
    }

    // Notices: preview masked, refused before approval, queued once after.
    let shop = "company = \"好物商店股份有限公司\"\ncontact_phone = \"02-2345-6789\"\ncontact_email = \"care@shop.example\"\ncontact_hours = \"週一至週五 9:00-18:00\"\ncontact_after_hours = \"LINE @goodshop\"\nreporter_name = \"陳小華\"\n";
    write(dir, "shop.toml", shop.as_bytes());
    call(&[
        "incident",
        "edit",
        id,
        "--measures",
        "已封鎖攻擊來源並修補訂單頁面之權限檢查。",
        "--cause",
        "訂單頁面未檢查擁有者",
        "--actor",
        "ann",
    ]);
    let preview = stdout(&call(&[
        "--lang",
        "zh-TW",
        "incident",
        "notice",
        "preview",
        id,
        "--shop",
        "shop.toml",
        "--key-file",
        "contacts.key",
        "--actor",
        "ann",
    ]));
    for needle in [
        "好物商店股份有限公司",
        "25 位",
        "ATM",
        "165",
        "02-2345-6789",
        "法律顧問",
        "已封鎖攻擊來源",
        "電子郵件",
    ] {
        assert!(preview.contains(needle), "{needle} missing in the preview:\n{preview}");
    }
    assert!(preview.contains("王**"), "the person's name is masked:\n{preview}");
    assert!(!preview.contains("王小明"), "never the name in clear:\n{preview}");
    let send = with(&[
        "--lang",
        "zh-TW",
        "incident",
        "notice",
        "send",
        id,
        "--shop",
        "shop.toml",
        "--key-file",
        "contacts.key",
        "--output",
        "json",
    ]);
    let send: Vec<&str> = send.iter().map(String::as_str).collect();
    let refused = leakguard(dir, &send);
    assert!(!refused.status.success(), "no notice leaves before approval");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("has not been approved"));
    call(&["--lang", "zh-TW", "incident", "notice", "approve", id, "--by", "ann"]);
    let first = json_of(&run_ok(dir, &send));
    assert_eq!((first["enqueued"].as_u64(), first["already_queued"].as_u64()), (Some(25), Some(0)));
    let again = json_of(&run_ok(dir, &send));
    assert_eq!(
        (again["enqueued"].as_u64(), again["already_queued"].as_u64()),
        (Some(0), Some(25)),
        "never twice"
    );
    let outbox = outbox_notices(&db);
    let recipients: BTreeSet<&str> =
        outbox.iter().map(|(recipient, _)| recipient.as_str()).collect();
    assert_eq!((outbox.len(), recipients.len()), (25, 25), "one notice per person");
    assert!(
        outbox
            .iter()
            .all(|(_, body)| body.contains("165") && body.contains("好物商店股份有限公司"))
    );

    // The regulator's form.
    call(&["incident", "report", id, "--out", "report.md", "--shop", "shop.toml"]);
    call(&["incident", "report", id, "--out", "report.html", "--shop", "shop.toml"]);
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report");
    for needle in [
        "| 公司名稱 Company | 好物商店股份有限公司 |",
        "■洩漏",
        "| 受影響當事人數 People affected | 25 |",
        "| 一般個資筆數 Records: general data | 30 |",
        "民國115年11月20日 15:00",
        "訂單頁面未檢查擁有者",
        "陳小華",
    ] {
        assert!(report.contains(needle), "{needle} missing:\n{report}");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<th>事故類型"), "{html}");

    // The CERT's STIX bundle: the attacker in, no customer data.
    call(&["incident", "stix", id, "--out", "stix.json", "--shop", "shop.toml", "--tlp", "amber"]);
    let text = std::fs::read_to_string(dir.join("stix.json")).expect("stix");
    let bundle: Value = serde_json::from_str(&text).expect("json");
    let objects = bundle["objects"].as_array().expect("objects");
    assert!(
        objects
            .iter()
            .any(|object| object["pattern"] == format!("[ipv4-addr:value = '{attacker}']")),
        "{text}"
    );
    assert!(
        objects.iter().any(
            |object| object["id"] == "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
        )
    );
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "{secret} in the STIX bundle");
    }
    assert!(!text.contains("王小"), "no customer names in the STIX bundle");

    // The evidence bundle verifies, and a changed byte is caught.
    call(&["incident", "export", id, "--out", "bundle.tar", "--actor", "carol"]);
    let verified = stdout(&call(&["incident", "verify", "bundle.tar"]));
    assert!(verified.contains("3 files, intact"), "{verified}");
    let mut tar = std::fs::read(dir.join("bundle.tar")).expect("tar");
    let position =
        tar.windows(4).position(|window| window == b"GET ").expect("a log line in the tar");
    tar[position] = b'P';
    std::fs::write(dir.join("tampered.tar"), tar).expect("write");
    let tampered = leakguard(dir, &["incident", "verify", "tampered.tar"]);
    assert!(!tampered.status.success(), "{}", stdout(&tampered));
    assert!(stdout(&tampered).contains("the manifest says"), "{}", stdout(&tampered));

    // Every step is on the timeline; custody names the export.
    let shown = json_of(&call(&["incident", "show", id, "--output", "json"]));
    let actions: BTreeSet<&str> = shown["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    for action in [
        "created",
        "evidence",
        "status",
        "task",
        "scope",
        "edit",
        "contacts_view",
        "notice_approved",
        "notices_enqueued",
    ] {
        assert!(actions.contains(action), "{action} missing from {actions:?}");
    }
    let custody = json_of(&call(&["incident", "evidence", "list", id, "--output", "json"]));
    assert!(
        custody["custody"]
            .as_array()
            .expect("custody")
            .iter()
            .any(|entry| entry["action"] == "exported" && entry["actor"] == "carol")
    );
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The incident's notices in the outbox: (recipient, body).
fn outbox_notices(db: &Path) -> Vec<(String, String)> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let store = store::Store::open(&store::Config::Sqlite { path: db.to_path_buf() })
            .await
            .expect("open");
        let pending = store.notices_in_state("pending", 10_000).await.expect("outbox");
        pending
            .into_iter()
            .filter(|notice| notice.new.reference.as_deref() == Some("incident:1"))
            .map(|notice| (notice.new.recipient, notice.new.body))
            .collect()
    })
}
