//! `leakguard scan`: the JSON document and the text report on real
//! temporary files; nothing found appears in clear.

use std::path::Path;

use pii_scan::ScanOptions;

use super::{build_document, inventory_csv, inventory_xlsx, render, render_html};
use crate::config::Language;

const MEMBERS: &str = "member_id,name,mobile,id_number,email\n\
17733,吳美雲,0915649850,A123456789,shu-ling81@msa.hinet.net\n\
17734,林文傑,0914-560-133,F234567898,itsai@gmail.com\n\
17735,詹志強,0912 345 678,K132033908,pi-chukao@icloud.com\n";

const ORDERS: &str = "{\"buyer\": {\"name\": \"吳美雲\", \"mobile\": \"+886 915 649 850\"}}\n\
{\"buyer\": {\"name\": \"張大同\", \"mobile\": \"0988123456\"}}\n";

const CLEAR_VALUES: &[&str] =
    &["0915649850", "A123456789", "F234567898", "shu-ling81@", "吳美雲", "649 850", "0988123456"];

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write a temp file");
}

fn scan(dir: &Path, web_roots: &[std::path::PathBuf]) -> super::ScanDocument {
    let sources = vec![dir.to_string_lossy().into_owned()];
    build_document(&pii_scan::scan(&sources, &ScanOptions::default()), web_roots)
}

#[test]
fn the_json_document_lists_findings_and_copies_with_masked_samples_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "members.csv", MEMBERS);
    write(dir.path(), "orders.jsonl", ORDERS);
    let document = scan(dir.path(), &[dir.path().to_path_buf()]);
    let json = serde_json::to_value(&document).expect("serializable");
    assert_eq!(json["version"], 1);
    assert_eq!(json["command"], "scan");
    let findings: Vec<(String, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["column"].as_str().unwrap_or_default().to_owned(),
                finding["kind"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("name", "person_name"),
        ("mobile", "phone"),
        ("id_number", "tw_national_id"),
        ("email", "email"),
        ("buyer.mobile", "phone"),
        ("buyer.name", "person_name"),
    ];
    assert_eq!(
        findings,
        expected
            .iter()
            .map(|(column, kind)| ((*column).to_owned(), (*kind).to_owned()))
            .collect::<Vec<_>>()
    );
    let id = &json["findings"][2];
    assert_eq!(id["masked_sample"], "A12****789");
    assert_eq!(id["share_valid"], 1.0);
    assert_eq!(id["rows_sampled"], 3);
    let flags: Vec<&str> = json["risks"]
        .as_array()
        .expect("risks")
        .iter()
        .filter_map(|risk| risk["flag"].as_str())
        .collect();
    assert!(flags.contains(&"identifier_in_clear"), "{flags:?}");
    assert!(flags.contains(&"export_in_web_folder"), "{flags:?}");
    let copy = json["risks"]
        .as_array()
        .expect("risks")
        .iter()
        .find(|risk| risk["flag"] == "copied_in_several_places")
        .expect("the phone copied from members.csv to orders.jsonl");
    assert_eq!(copy["shared_values"], 1);
    assert_eq!(copy["kind"], "phone");
    let text = json.to_string();
    for value in CLEAR_VALUES {
        assert!(!text.contains(value), "{value} in clear in {text}");
    }
}

#[test]
fn the_text_report_speaks_traditional_chinese_and_masks() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "members.csv", MEMBERS);
    write(dir.path(), "notes.txt", "客戶吳美雲來電，手機 0915649850\n");
    let document = scan(dir.path(), &[]);
    let report = render(&document, Language::TraditionalChinese);
    assert!(report.starts_with("個人資料盤點"), "{report}");
    assert!(report.contains("身分證字號"), "{report}");
    assert!(report.contains("相同個資存放於多處"), "{report}");
    for value in CLEAR_VALUES {
        assert!(!report.contains(value), "{value} in clear in {report}");
    }
    let english = render(&document, Language::English);
    assert!(english.contains("tw_national_id"), "{english}");
}

#[test]
fn unreadable_sources_are_reported_and_the_rest_scanned() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "members.csv", MEMBERS);
    let sources = vec![
        dir.path().join("missing.csv").to_string_lossy().into_owned(),
        dir.path().join("members.csv").to_string_lossy().into_owned(),
    ];
    let document = build_document(&pii_scan::scan(&sources, &ScanOptions::default()), &[]);
    assert_eq!(document.summary.sources, 2);
    assert_eq!(document.summary.sources_with_problems, 1);
    assert_eq!(document.findings.len(), 4);
}

#[test]
fn the_inventory_csv_has_one_row_per_column_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "members.csv", MEMBERS);
    let csv = inventory_csv(&scan(dir.path(), &[]));
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("\u{feff}source,table,column,kind,kind_zh"));
    assert!(
        lines[3]
            .contains(",id_number,tw_national_id,身分證字號,true,3,3,3,1.000,A12****789,values"),
        "{}",
        lines[3]
    );
    for value in CLEAR_VALUES {
        assert!(!csv.contains(value), "{value} in clear in {csv}");
    }
}

#[test]
fn the_html_report_is_escaped_and_masked() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "members.csv", MEMBERS);
    write(dir.path(), "notes <b>.txt", "客戶吳美雲來電，手機 0915649850\n");
    let document = scan(dir.path(), &[]);
    let html = render_html(&document, Language::TraditionalChinese);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<th>個資類別</th>"));
    assert!(html.contains("notes &lt;b&gt;.txt"));
    assert!(!html.contains("notes <b>"));
    for value in CLEAR_VALUES {
        assert!(!html.contains(value), "{value} in clear in {html}");
    }
}

#[test]
fn members_inactive_for_more_than_three_years_are_flagged_with_count_and_share() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "members.csv",
        "member_id,name,mobile,id_number,最後登入時間\n\
17733,吳美雲,0915649850,A123456789,2021/05/01\n\
17734,林文傑,0914-560-133,F234567898,2026-11-30T08:00:00+08:00\n\
17735,詹志強,0912 345 678,K132033908,民國110年5月12日\n\
17736,陳美玲,0988123456,A123456789,2026-10-01\n",
    );
    let options = ScanOptions {
        reference_date: Some(pii::CivilDate { year: 2026, month: 12, day: 2 }),
        ..ScanOptions::default()
    };
    let sources = vec![dir.path().to_string_lossy().into_owned()];
    let document = build_document(&pii_scan::scan(&sources, &options), &[]);
    let json = serde_json::to_value(&document).expect("serializable");
    let risk = json["risks"]
        .as_array()
        .expect("risks")
        .iter()
        .find(|risk| risk["flag"] == "inactive_members_kept")
        .expect("the retention flag");
    assert_eq!(risk["location"], "members.最後登入時間");
    assert_eq!(risk["inactive_rows"], 2);
    assert_eq!(risk["share_inactive"], 0.5);
    let text = render(&document, Language::English);
    assert!(
        text.contains("members inactive for more than three years still kept: ")
            && text.contains("members.最後登入時間, 2 sampled rows (50.0%)"),
        "{text}"
    );
    let zh = render(&document, Language::TraditionalChinese);
    assert!(
        zh.contains("仍保存逾三年未活動的會員資料") && zh.contains("抽樣中 2 筆（50.0%）"),
        "{zh}"
    );
    let html = render_html(&document, Language::English);
    assert!(html.contains("2 sampled rows (50.0%)"), "{html}");

    // A table of last logins without personal data is not flagged.
    let quiet = tempfile::tempdir().expect("temp dir");
    write(quiet.path(), "sessions.csv", "session,last_login\n1,2019-01-01\n2,2018-01-01\n");
    let sources = vec![quiet.path().to_string_lossy().into_owned()];
    let document = build_document(&pii_scan::scan(&sources, &options), &[]);
    assert!(document.risks.iter().all(|risk| risk.flag != "inactive_members_kept"));
}

#[test]
fn the_inventory_xlsx_is_a_workbook_the_reader_reads_back_with_a_header_per_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "members.csv", MEMBERS);
    let document = scan(dir.path(), &[]);
    let sheets = pii_scan::parse_xlsx(&inventory_xlsx(&document, Language::English))
        .expect("a valid workbook");
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0].name, "inventory");
    let rows = &sheets[0].rows;
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0][..4], ["source", "table", "column", "kind"]);
    assert_eq!(rows[0][9], "masked sample");
    assert_eq!(
        rows[3][1..],
        [
            "members",
            "id_number",
            "tw_national_id",
            "yes",
            "3",
            "3",
            "3",
            "1",
            "A12****789",
            "values"
        ]
    );
    assert!(rows[3][0].ends_with("members.csv"));

    let workbook = inventory_xlsx(&document, Language::TraditionalChinese);
    let sheets = pii_scan::parse_xlsx(&workbook).expect("a valid workbook");
    assert_eq!(sheets[0].name, "個資檔案清冊");
    let rows = &sheets[0].rows;
    assert_eq!(rows[0][..4], ["來源", "資料表", "欄位", "個資類別"]);
    assert_eq!(rows[3][3..5], ["身分證字號", "是"]);
    let text: String = rows.iter().flatten().cloned().collect::<Vec<_>>().join("|");
    for value in CLEAR_VALUES {
        assert!(!text.contains(value), "{value} in clear in {text}");
    }
}
