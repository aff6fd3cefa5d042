//! Files: CSV (BOM, CRLF, delimiters, ragged rows), JSON paths, SQL dumps,
//! compression, Big5, binary and missing files. Real temporary files.

use std::io::Write;
use std::path::Path;

use pii::Kind;

use crate::{ScanOptions, SourceReport, scan_source};

const MEMBERS_CSV: &str = "member_id,name,mobile,id_number,email,address,points\n\
17733,吳美雲,0915649850,A123456789,shu-ling81@msa.hinet.net,桃園市桃園區淡水路292巷26號,15421\n\
17734,林文傑,0914-560-133,F234567898,itsai@gmail.com,新北市淡水區水源路307號5F,10258\n\
17735,詹志強,+886 912 345 678,a123456789,pi-chukao@icloud.com,新竹市東區自強路266號,9005\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .and_then(|mut file| file.write_all(bytes))
        .expect("write a temp file");
    path.to_string_lossy().into_owned()
}

fn scan_one(path: &str) -> SourceReport {
    let mut reports = scan_source(path, &ScanOptions::default());
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

/// Checks the kinds found per column of the only table of a file.
#[track_caller]
fn check_columns(report: &SourceReport, expect: &[(&str, Kind)]) {
    assert_eq!(report.tables.len(), 1, "{report:?}");
    let found: Vec<(&str, Kind)> = report.tables[0]
        .columns
        .iter()
        .map(|column| (column.column.as_str(), column.verdict.kind))
        .collect();
    assert_eq!(found, expect);
}

const MEMBER_KINDS: &[(&str, Kind)] = &[
    ("name", Kind::PersonName),
    ("mobile", Kind::Phone),
    ("id_number", Kind::TwNationalId),
    ("email", Kind::Email),
    ("address", Kind::Address),
];

#[test]
fn reads_csv_with_bom_and_crlf() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("\u{feff}{}", MEMBERS_CSV.replace('\n', "\r\n"));
    let report = scan_one(&write(dir.path(), "members.csv", text.as_bytes()));
    assert_eq!(report.format, "csv");
    assert_eq!(report.encoding.as_deref(), Some("utf-8-bom"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    check_columns(&report, MEMBER_KINDS);
    assert_eq!(report.tables[0].rows_sampled, 3);
    // Samples are masked.
    let sample = report.tables[0].columns[2].verdict.masked_sample.clone();
    assert_eq!(sample.as_deref(), Some("A12****789"));
}

#[test]
fn sniffs_tab_and_semicolon_delimiters_and_quoted_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tsv = MEMBERS_CSV.replace(',', "\t");
    check_columns(&scan_one(&write(dir.path(), "members.tsv", tsv.as_bytes())), MEMBER_KINDS);
    let semicolons =
        "name;note\n\"王小明\";\"line one\nline two; still \"\"quoted\"\"\"\n\"陳美玲\";ok\n";
    let report = scan_one(&write(dir.path(), "notes.csv", semicolons.as_bytes()));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.tables[0].rows_sampled, 2);
    check_columns(&report, &[("name", Kind::PersonName)]);
}

#[test]
fn reports_ragged_rows_and_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{MEMBERS_CSV}17736,only two\n");
    let report = scan_one(&write(dir.path(), "members.csv", text.as_bytes()));
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].location, "line 5");
    assert_eq!(report.problems[0].message, "2 fields where the header has 7");
    check_columns(&report, MEMBER_KINDS);
}

#[test]
fn reads_nested_json_lines_as_paths() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lines = [
        r#"{"order_no": "24031013248168", "buyer": {"name": "簡美華", "mobile": "0938817682"}, "items": [{"sku": "Z237495952"}], "remark": null}"#,
        r#"{"order_no": "24041315065191", "buyer": {"name": "陳威廷", "mobile": "0965520029"}, "items": [{"sku": "E254840533"}], "remark": "到了先打給我 0915163425"}"#,
    ];
    let report = scan_one(&write(dir.path(), "orders.jsonl", lines.join("\n").as_bytes()));
    assert_eq!(report.format, "ndjson");
    // Keys of an object come in sorted order.
    check_columns(
        &report,
        &[
            ("buyer.mobile", Kind::Phone),
            ("buyer.name", Kind::PersonName),
            ("remark", Kind::FreeText),
        ],
    );
    let document =
        r#"[{"contact": {"email": "a@example.com"}}, {"contact": {"email": "b@example.org"}}]"#;
    let report = scan_one(&write(dir.path(), "export.json", document.as_bytes()));
    assert_eq!(report.format, "json");
    check_columns(&report, &[("contact.email", Kind::Email)]);
}

#[test]
fn reads_sql_dumps() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dump = "-- dump\nCREATE TABLE `members` (\n  `id` INT,\n  `name` VARCHAR(255),\n  `mobile` VARCHAR(255),\n  `memo` TEXT,\n  PRIMARY KEY (`id`)\n);\n\
INSERT INTO `members` VALUES (1, '吳美雲', '0915649850', 'it''s ok; call 0912345678'),\n(2, '林文傑', '0914-560-133', NULL);\n\
INSERT INTO members (id, name, mobile, memo) VALUES (3, '詹志強', '0912 345 678', 'n/a');\n";
    let report = scan_one(&write(dir.path(), "backup.sql", dump.as_bytes()));
    assert_eq!(report.format, "sql_dump");
    assert_eq!(report.tables[0].table, "members");
    assert_eq!(report.tables[0].rows_sampled, 3);
    check_columns(
        &report,
        &[("name", Kind::PersonName), ("mobile", Kind::Phone), ("memo", Kind::FreeText)],
    );
}

#[test]
fn reads_gzip_and_zstd_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(MEMBERS_CSV.as_bytes()).expect("gzip");
    let gzip = encoder.finish().expect("gzip");
    let report = scan_one(&write(dir.path(), "members.csv.gz", &gzip));
    assert_eq!(report.encoding.as_deref(), Some("utf-8 (gzip)"));
    check_columns(&report, MEMBER_KINDS);
    let zstd = ruzstd::encoding::compress_to_vec(
        MEMBERS_CSV.as_bytes(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    let report = scan_one(&write(dir.path(), "members.csv.zst", &zstd));
    check_columns(&report, MEMBER_KINDS);
}

#[test]
fn detects_big5() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bytes, _, had_errors) = encoding_rs::BIG5.encode(MEMBERS_CSV);
    assert!(!had_errors);
    let report = scan_one(&write(dir.path(), "members.csv", &bytes));
    assert_eq!(report.encoding.as_deref(), Some("big5"));
    check_columns(&report, MEMBER_KINDS);
}

#[test]
fn scans_text_and_logs_for_masked_spans() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = "1.2.3.4 - - [05/May/2023:20:20:58 +0800] \"GET /checkout?mobile=0983910361&id=A123456789 HTTP/1.1\" 200 1\n\
               5.6.7.8 - - [05/May/2023:20:20:59 +0800] \"GET /products/C228028209 HTTP/1.1\" 200 1\n";
    let report = scan_one(&write(dir.path(), "access.log", log.as_bytes()));
    assert_eq!(report.format, "text");
    let text = report.text.expect("a text report");
    assert_eq!(text.lines, 2);
    assert_eq!(text.counts.get(&Kind::Phone), Some(&1));
    assert_eq!(text.counts.get(&Kind::TwNationalId), Some(&1));
    assert_eq!(text.counts.get(&Kind::IpAddress), Some(&2));
    let id = text.spans.iter().find(|span| span.kind == Kind::TwNationalId).expect("the id");
    assert_eq!((id.line, id.masked.as_str()), (1, "A12****789"));
    assert!(!format!("{:?}", text.spans).contains("A123456789"));
}

#[test]
fn reports_binary_missing_and_xlsx_files_and_walks_folders() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(dir.path(), "members.csv", MEMBERS_CSV.as_bytes());
    write(dir.path(), "book.xlsx", b"PK\x03\x04");
    std::fs::create_dir(dir.path().join("sub")).expect("sub dir");
    write(&dir.path().join("sub"), "notes.txt", "客戶王小明來電".as_bytes());
    let reports = scan_source(&dir.path().to_string_lossy(), &ScanOptions::default());
    let formats: Vec<&str> = reports.iter().map(|report| report.format.as_str()).collect();
    assert_eq!(formats, ["xlsx", "binary", "csv", "text"]);
    assert!(reports[0].problems[0].message.starts_with("not a valid xlsx workbook"));
    assert_eq!(reports[1].problems[0].message, "binary file skipped");
    let missing = scan_one(&dir.path().join("nope.csv").to_string_lossy());
    assert_eq!(missing.format, "unreadable");
    assert!(missing.problems[0].message.starts_with("cannot open"));
}

#[test]
fn values_only_ignores_column_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "line_id,mobile\ncolleen94,0912345678\nshu-hui22,0912345679\n";
    let path = write(dir.path(), "x.csv", text.as_bytes());
    let with_names = scan_source(&path, &ScanOptions::default()).remove(0);
    check_columns(&with_names, &[("line_id", Kind::SocialMediaId), ("mobile", Kind::Phone)]);
    let options = ScanOptions { use_column_names: false, ..ScanOptions::default() };
    let values_only = scan_source(&path, &options).remove(0);
    check_columns(&values_only, &[("mobile", Kind::Phone)]);
}

#[test]
fn redacts_database_passwords() {
    assert_eq!(
        crate::database::redact_url("postgres://shop:secret@db:5432/shop"),
        "postgres://shop:***@db:5432/shop"
    );
    assert_eq!(
        crate::database::redact_url("mysql://root@127.0.0.1/test"),
        "mysql://root@127.0.0.1/test"
    );
}

#[test]
fn masks_csv_columns_and_text_spans_with_keyed_pseudonyms() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!(
        "{MEMBERS_CSV}17736,陳美玲,0915649850,F234567898,a@b.com.tw,\"台北市大安區復興南路一段390號\",1\n"
    );
    let input = write(dir.path(), "members.csv", text.as_bytes());
    let output = dir.path().join("members.masked.csv");
    let pseudonymizer = pii::Pseudonymizer::new(b"test key");
    let summary =
        crate::mask_file(Path::new(&input), &output, &pseudonymizer, &ScanOptions::default())
            .expect("masked");
    assert_eq!(summary.rows, 4);
    let kinds: Vec<Kind> = summary.columns.iter().map(|(_, kind)| *kind).collect();
    assert_eq!(
        kinds,
        [Kind::PersonName, Kind::Phone, Kind::TwNationalId, Kind::Email, Kind::Address]
    );
    let masked = std::fs::read_to_string(&output).expect("output");
    for value in ["吳美雲", "0915649850", "A123456789", "itsai@gmail.com", "淡水路292巷"] {
        assert!(!masked.contains(value), "{value} in {masked}");
    }
    // The same phone in two rows gets the same pseudonym; other columns stay.
    let phone = pseudonymizer.pseudonym("0915649850", Kind::Phone);
    assert_eq!(masked.matches(&phone).count(), 2, "{masked}");
    assert!(masked.contains("17733,") && masked.contains(",15421"));
    // The masked copy parses as the same table.
    let table = crate::parse_csv(&masked, usize::MAX);
    assert_eq!(table.header.len(), 7);
    assert!(table.rows.iter().all(|row| row.len() == 7));

    let log = write(
        dir.path(),
        "app.log",
        "login user=lin@example.com from 1.2.3.4 id=A123456789\n".as_bytes(),
    );
    let output = dir.path().join("app.masked.log");
    let summary =
        crate::mask_file(Path::new(&log), &output, &pseudonymizer, &ScanOptions::default())
            .expect("masked");
    assert_eq!((summary.format.as_str(), summary.rows, summary.n_replaced), ("text", 1, 3));
    let masked = std::fs::read_to_string(&output).expect("output");
    assert!(!masked.contains("A123456789") && !masked.contains("lin@example.com"), "{masked}");

    let workbook = write(dir.path(), "x.xlsx", b"PK");
    let error = crate::mask_file(
        Path::new(&workbook),
        &dir.path().join("y"),
        &pseudonymizer,
        &ScanOptions::default(),
    );
    assert!(error.is_err_and(|message| message.contains("not supported")));
}

/// A zip archive of stored (uncompressed) entries, enough for a workbook.
fn zip_stored(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in entries {
        let offset = out.len() as u32;
        let (name, content) = (name.as_bytes(), content.as_bytes());
        out.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&(content.len() as u32).to_le_bytes());
        out.extend_from_slice(&(content.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(content);
        central.extend_from_slice(&[
            0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        central.extend_from_slice(&(content.len() as u32).to_le_bytes());
        central.extend_from_slice(&(content.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn reads_xlsx_sheets_and_reports_corrupt_workbooks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workbook =
        r#"<workbook><sheets><sheet name="會員" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let relations = r#"<Relationships><Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let strings = r#"<sst><si><t>姓名</t></si><si><t>手機</t></si><si><t>身分證字號</t></si><si><t>吳美雲</t></si><si><r><t>林</t></r><r><t>文傑</t></r></si><si><t>A123456789</t></si></sst>"#;
    let sheet = r#"<worksheet><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>912345678</v></c><c r="C2" t="s"><v>5</v></c></row>
<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="inlineStr"><is><t>0914-560-133</t></is></c><c r="C3" t="inlineStr"><is><t>F234567898</t></is></c></row>
</sheetData></worksheet>"#;
    let bytes = zip_stored(&[
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", relations),
        ("xl/sharedStrings.xml", strings),
        ("xl/worksheets/sheet1.xml", sheet),
    ]);
    let report = scan_one(&write(dir.path(), "members.xlsx", &bytes));
    assert_eq!(report.format, "xlsx");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.tables[0].table, "會員");
    assert_eq!(report.tables[0].rows_sampled, 2);
    // A spreadsheet drops the leading 0 of a phone number stored as a number:
    // the column name still shows it.
    check_columns(
        &report,
        &[("姓名", Kind::PersonName), ("手機", Kind::Phone), ("身分證字號", Kind::TwNationalId)],
    );

    let corrupt = scan_one(&write(dir.path(), "broken.xlsx", b"PK\x03\x04 not really a zip"));
    assert_eq!(corrupt.format, "xlsx");
    assert!(
        corrupt.problems[0].message.starts_with("not a valid xlsx workbook"),
        "{:?}",
        corrupt.problems
    );
}

#[test]
fn counts_members_inactive_for_more_than_three_years_in_csv_json_and_sql_dumps() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = ScanOptions {
        reference_date: Some(pii::CivilDate { year: 2026, month: 12, day: 2 }),
        ..ScanOptions::default()
    };
    let scan = |path: &str| scan_source(path, &options).remove(0);
    let csv = write(
        dir.path(),
        "members.csv",
        "member_id,name,mobile,updated_at,last_login_at\n\
17733,吳美雲,0915649850,2026-11-01,2021-05-01 10:00:00\n\
17734,林文傑,0914-560-133,2026-11-01,2026/10/30\n\
17735,詹志強,0912 345 678,2026-11-01,110/05/12\n\
17736,陳美玲,0988123456,2026-11-01,\n"
            .as_bytes(),
    );
    let inactivity = scan(&csv).tables[0].inactivity.clone().expect("a last-activity column");
    assert_eq!(
        inactivity,
        crate::Inactivity { column: "last_login_at".to_owned(), n_dated: 3, n_inactive: 2 }
    );

    let json = write(
        dir.path(),
        "members.jsonl",
        "{\"member\": {\"name\": \"吳美雲\", \"最後登入時間\": \"2020-01-01T08:00:00Z\"}}\n\
{\"member\": {\"name\": \"林文傑\", \"最後登入時間\": \"2026-06-01T08:00:00Z\"}}\n"
            .as_bytes(),
    );
    let inactivity = scan(&json).tables[0].inactivity.clone().expect("a last-activity path");
    assert_eq!((inactivity.column.as_str(), inactivity.n_inactive), ("member.最後登入時間", 1));

    let dump = write(
        dir.path(),
        "shop.sql",
        "CREATE TABLE `customers` (`id` int, `name` varchar(20), `last_seen` datetime);\n\
INSERT INTO `customers` VALUES (1,'吳美雲','2019-01-01 00:00:00'),(2,'林文傑','2026-01-01 00:00:00'),(3,'詹志強',NULL);\n"
            .as_bytes(),
    );
    let inactivity = scan(&dump).tables[0].inactivity.clone().expect("a last-activity column");
    assert_eq!((inactivity.n_dated, inactivity.n_inactive), (2, 1));

    // Without a reference date nothing is counted.
    assert_eq!(scan_one(&csv).tables[0].inactivity, None);
}

const ORDERS_JSONL: &str = "{\"order\": 1, \"buyer\": {\"name\": \"吳美雲\", \"mobile\": \"+886 915 649 850\", \"email\": \"shu-ling81@msa.hinet.net\"}, \"items\": [{\"sku\": \"A-1\"}]}\n\
{\"order\": 2, \"buyer\": {\"name\": \"林文傑\", \"mobile\": \"0914-560-133\", \"email\": \"itsai@gmail.com\"}, \"items\": []}\n\
\n\
{\"order\": 3, \"buyer\": {\"name\": \"詹志強\", \"mobile\": \"0912 345 678\", \"email\": \"pi-chukao@icloud.com\"}, \"items\": [{\"sku\": \"B-2\"}]}\n";

const SHOP_DUMP: &str = "-- a dump\n\
CREATE TABLE `customers` (\n  `id` int NOT NULL,\n  `name` varchar(20),\n  `mobile` varchar(20),\n  `id_number` char(10),\n  `note` text,\n  PRIMARY KEY (`id`)\n);\n\
INSERT INTO `customers` VALUES (1,'吳美雲','0915649850','A123456789','客戶來電，手機 0915-649-850，說''thanks'''),\n\
(2,'林文傑','0914-560-133','F234567898',NULL),(3,'詹志強','0912 345 678','K132033908','');\n\
INSERT INTO `customers` (`id`, `name`, `mobile`, `id_number`, `note`) VALUES (4,'陳美玲','0988123456','A123456789','ok');\n";

const CLEAR_IDENTIFIERS: &[&str] = &[
    "吳美雲",
    "林文傑",
    "詹志強",
    "陳美玲",
    "0915649850",
    "915 649 850",
    "0915-649-850",
    "0914-560-133",
    "0912 345 678",
    "0988123456",
    "A123456789",
    "F234567898",
    "K132033908",
    "shu-ling81",
    "itsai@",
    "pi-chukao",
];

#[track_caller]
fn check_no_clear_identifiers(masked: &str) {
    for value in CLEAR_IDENTIFIERS {
        assert!(!masked.contains(value), "{value} in {masked}");
    }
}

#[test]
fn masks_json_paths_in_place_and_the_copy_parses_with_the_same_structure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pseudonymizer = pii::Pseudonymizer::new(b"test key of sixteen bytes");
    let input = write(dir.path(), "orders.jsonl", ORDERS_JSONL.as_bytes());
    let output = dir.path().join("orders.masked.jsonl");
    let summary =
        crate::mask_file(Path::new(&input), &output, &pseudonymizer, &ScanOptions::default())
            .expect("masked");
    assert_eq!((summary.format.as_str(), summary.rows), ("ndjson", 3));
    let paths: Vec<&str> = summary.columns.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(paths, ["buyer.email", "buyer.mobile", "buyer.name"]);
    let masked = std::fs::read_to_string(&output).expect("output");
    check_no_clear_identifiers(&masked);
    let documents: Vec<serde_json::Value> = masked
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_str(line).expect("every line is json"))
        .collect();
    assert_eq!(documents.len(), 3);
    let first = &documents[0];
    assert_eq!(first["order"], 1);
    assert_eq!(first["items"][0]["sku"], "A-1");
    assert_eq!(
        first["buyer"]["mobile"].as_str(),
        Some(pseudonymizer.pseudonym("0915649850", Kind::Phone).as_str())
    );
    assert!(first["buyer"]["email"].as_str().is_some_and(|email| email.ends_with(".invalid")));

    // One document (pretty-printed), an array inside, phones stored as numbers.
    let input = write(
        dir.path(),
        "export.json",
        "{\n  \"customers\": [\n    {\"name\": \"吳美雲\", \"mobile\": 886915649850, \"id_number\": \"A123456789\"},\n    {\"name\": \"林文傑\", \"mobile\": 886914560133, \"id_number\": \"F234567898\"},\n    {\"name\": \"詹志強\", \"mobile\": 886912345678, \"id_number\": \"K132033908\"}\n  ]\n}\n"
            .as_bytes(),
    );
    let output = dir.path().join("export.masked.json");
    let summary =
        crate::mask_file(Path::new(&input), &output, &pseudonymizer, &ScanOptions::default())
            .expect("masked");
    assert_eq!(summary.format, "json");
    let masked = std::fs::read_to_string(&output).expect("output");
    let document: serde_json::Value = serde_json::from_str(&masked).expect("the copy is json");
    let customers = document["customers"].as_array().expect("still an array");
    assert_eq!(customers.len(), 3);
    assert!(customers[0]["mobile"].as_str().is_some_and(|phone| phone.starts_with("phone_")));
    assert_eq!(
        customers[1]["id_number"].as_str(),
        Some(pseudonymizer.pseudonym("F234567898", Kind::TwNationalId).as_str())
    );
    for value in ["915649850", "吳美雲", "A123456789"] {
        assert!(!masked.contains(value), "{value} in {masked}");
    }
}

#[test]
fn masks_sql_dump_inserts_into_valid_sql_and_joins_still_work_across_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pseudonymizer = pii::Pseudonymizer::new(b"test key of sixteen bytes");
    let mask = |name: &str, text: &str| {
        let input = write(dir.path(), name, text.as_bytes());
        let output = dir.path().join(format!("masked.{name}"));
        let summary =
            crate::mask_file(Path::new(&input), &output, &pseudonymizer, &ScanOptions::default())
                .expect("masked");
        (summary, std::fs::read_to_string(&output).expect("output"))
    };
    let (summary, dump) = mask("shop.sql", SHOP_DUMP);
    assert_eq!((summary.format.as_str(), summary.rows), ("sql_dump", 4));
    let columns: Vec<&str> = summary.columns.iter().map(|(column, _)| column.as_str()).collect();
    assert_eq!(
        columns,
        ["customers.id_number", "customers.mobile", "customers.name", "customers.note"]
    );
    check_no_clear_identifiers(&dump);
    assert!(dump.starts_with("-- a dump\nCREATE TABLE `customers` (\n"), "{dump}");
    assert!(
        dump.contains("說''thanks''") && dump.contains(",NULL)") && dump.contains(",'')"),
        "{dump}"
    );

    // The copy is valid SQL: SQLite runs it and holds the same rows.
    let database = dir.path().join("masked.db");
    let url = format!("sqlite:{}?mode=rwc", database.display());
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let phones: Vec<(i64, String)> = runtime.block_on(async {
        use sqlx::Connection as _;
        let mut connection = sqlx::SqliteConnection::connect(&url).await.expect("sqlite");
        sqlx::raw_sql(&dump).execute(&mut connection).await.expect("the masked dump runs");
        sqlx::query_as("SELECT id, mobile FROM customers ORDER BY id")
            .fetch_all(&mut connection)
            .await
            .expect("rows")
    });
    assert_eq!(phones.len(), 4);
    let phone = pseudonymizer.pseudonym("0915649850", Kind::Phone);
    assert_eq!(phones[0].1, phone);

    // Joins: the same phone gets the same pseudonym in the dump, a CSV and NDJSON.
    let (_, csv) = mask("members.csv", MEMBERS_CSV);
    let (_, orders) = mask("orders.jsonl", ORDERS_JSONL);
    assert!(csv.contains(&phone) && orders.contains(&phone) && dump.contains(&phone));
    let id = pseudonymizer.pseudonym("A123456789", Kind::TwNationalId);
    assert_eq!(dump.matches(&id).count(), 2, "{dump}");
    assert!(csv.contains(&id));
}

#[test]
fn writes_a_valid_xlsx_that_the_reader_reads_back() {
    use crate::XlsxCell::{Number, Text};
    let rows = vec![
        vec![Text("source".to_owned()), Text("欄位".to_owned()), Text("rows".to_owned())],
        vec![Text("a <b> & \"c\"".to_owned()), Text("手機".to_owned()), Number(2000.0)],
        vec![Text("x".to_owned()), Text(String::new()), Number(0.5)],
    ];
    let bytes = crate::write_xlsx("個資檔案清冊", &rows);
    // Every local entry: a known method, and its sizes and CRC-32 match its content.
    let mut names = Vec::new();
    let mut at = 0;
    while bytes[at..].starts_with(&[0x50, 0x4b, 0x03, 0x04]) {
        let u16_at = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
        let u32_at = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let (method, crc) = (u16_at(at + 8), u32_at(at + 14));
        let (compressed, size) = (u32_at(at + 18) as usize, u32_at(at + 22) as usize);
        let (name_len, extra_len) = (u16_at(at + 26), u16_at(at + 28));
        let name = String::from_utf8(bytes[at + 30..at + 30 + name_len].to_vec()).expect("name");
        let start = at + 30 + name_len + extra_len;
        let data = &bytes[start..start + compressed];
        let content = match method {
            0 => data.to_vec(),
            8 => {
                let mut out = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::DeflateDecoder::new(data), &mut out)
                    .expect("deflate");
                out
            }
            other => panic!("method {other}"),
        };
        assert_eq!(content.len(), size, "{name}");
        let mut check = flate2::Crc::new();
        check.update(&content);
        assert_eq!(check.sum(), crc, "{name}");
        names.push(name);
        at = start + compressed;
    }
    assert_eq!(
        names,
        [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/worksheets/sheet1.xml"
        ]
    );
    assert!(bytes[at..].starts_with(&[0x50, 0x4b, 0x01, 0x02]), "the central directory follows");

    let sheets = crate::parse_xlsx(&bytes).expect("a valid workbook");
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0].name, "個資檔案清冊");
    assert_eq!(
        sheets[0].rows,
        [
            vec!["source", "欄位", "rows"],
            vec!["a <b> & \"c\"", "手機", "2000"],
            vec!["x", "", "0.5"]
        ]
    );
    // A scan reads it as a workbook too.
    let dir = tempfile::tempdir().expect("temp dir");
    let report = scan_one(&write(dir.path(), "inventory.xlsx", &bytes));
    assert_eq!(report.format, "xlsx");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.tables[0].rows_sampled, 2);
}
