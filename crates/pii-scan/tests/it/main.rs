//! Databases scanned for real: SQLite always (a temporary file), PostgreSQL
//! and MariaDB/MySQL when `TEST_POSTGRES_URL` / `TEST_MYSQL_URL` are set.
//! Without a URL those tests print why they skip, except under
//! `LEAKGUARD_REQUIRE_SERVICES=1`, where a missing URL fails.

use std::time::Duration;

use pii::Kind;
use pii_scan::{ScanOptions, SourceReport, scan_database};
use sqlx::Connection;

/// The URL of a service, or `None` (skip) when it is not configured.
fn service_url(variable: &str) -> Option<String> {
    // Tests may read the environment; the app crate reads it for the product.
    #[allow(clippy::disallowed_methods)]
    let url = std::env::var(variable).ok().filter(|url| !url.is_empty());
    #[allow(clippy::disallowed_methods)]
    let is_required = std::env::var("LEAKGUARD_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
    if url.is_none() {
        assert!(!is_required, "{variable} is not set and LEAKGUARD_REQUIRE_SERVICES=1");
        // The skip reason is the point of this message.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: {variable} is not set (see STYLE.md section 5)");
        }
    }
    url
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

/// Shop-like rows: (name, mobile, national id, email, address, note, sku).
const CUSTOMERS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "吳美雲",
        "0915649850",
        "A123456789",
        "shu-ling81@msa.hinet.net",
        "桃園市桃園區淡水路292巷26號",
        "到了先打給我 0915163425",
        "Z237495952",
    ),
    (
        "林文傑",
        "0914-560-133",
        "F234567898",
        "itsai@gmail.com",
        "新北市淡水區水源路307號5F",
        "平日白天不在家，請放管理室",
        "E254840533",
    ),
    (
        "詹志強",
        "+886 912 345 678",
        "K132033908",
        "pi-chukao@icloud.com",
        "新竹市東區自強路266號",
        "客戶要求開立發票",
        "G262732523",
    ),
    (
        "馮家豪",
        "0904720118",
        "N170974437",
        "chenli-mei@gmail.com",
        "新北市三重區大坪路119號",
        "改寄 臺北市大安區復興南路一段390號",
        "K218502941",
    ),
];

/// Checks the kinds found per column of `table`.
#[track_caller]
fn check_table(report: &SourceReport, table: &str, expect: &[(&str, Kind)]) {
    let Some(found) = report.tables.iter().find(|found| found.table == table) else {
        panic!("no table {table} in {report:?}");
    };
    let kinds: Vec<(&str, Kind)> =
        found.columns.iter().map(|column| (column.column.as_str(), column.verdict.kind)).collect();
    assert_eq!(kinds, expect);
    assert_eq!(found.rows_sampled, CUSTOMERS.len() as u64);
}

const CUSTOMER_KINDS: &[(&str, Kind)] = &[
    ("full_name", Kind::PersonName),
    ("mobile", Kind::Phone),
    ("national_id", Kind::TwNationalId),
    ("email", Kind::Email),
    ("address", Kind::Address),
    ("note", Kind::FreeText),
];

fn insert_statements(table: &str) -> Vec<String> {
    CUSTOMERS
        .iter()
        .enumerate()
        .map(|(idx, (name, mobile, id, email, address, note, sku))| {
            format!(
                "INSERT INTO {table} (id, full_name, mobile, national_id, email, address, note, sku) \
                 VALUES ({idx}, '{name}', '{mobile}', '{id}', '{email}', '{address}', '{note}', '{sku}')"
            )
        })
        .collect()
}

const CREATE_CUSTOMERS: &str = "(id INTEGER PRIMARY KEY, full_name TEXT, mobile TEXT, national_id TEXT, \
     email TEXT, address TEXT, note TEXT, sku TEXT)";

#[test]
fn scans_a_sqlite_shop_database_read_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.db");
    let url = format!("sqlite:{}", path.display());
    runtime().block_on(async {
        let mut connection = sqlx::sqlite::SqliteConnection::connect(&format!("{url}?mode=rwc"))
            .await
            .expect("create sqlite");
        sqlx::query(&format!("CREATE TABLE customers {CREATE_CUSTOMERS}"))
            .execute(&mut connection)
            .await
            .expect("create table");
        for statement in insert_statements("customers") {
            sqlx::query(&statement).execute(&mut connection).await.expect("insert");
        }
        connection.close().await.expect("close");
    });
    let before = std::fs::read(&path).expect("db bytes");
    let report = scan_database(&url, &ScanOptions::default());
    assert_eq!(report.format, "sqlite");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.sampling.contains("LIMIT"));
    check_table(&report, "customers", CUSTOMER_KINDS);
    assert_eq!(std::fs::read(&path).expect("db bytes"), before, "the scan wrote to the database");
}

#[test]
fn a_missing_sqlite_file_is_a_problem_not_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("missing.db").display());
    let report = scan_database(&url, &ScanOptions::default());
    assert_eq!(report.problems.len(), 1);
    assert!(
        report.problems[0].message.starts_with("cannot open the database"),
        "{:?}",
        report.problems
    );
    assert!(!dir.path().join("missing.db").exists());
}

#[test]
fn a_refused_connection_is_reported() {
    let options =
        ScanOptions { statement_timeout: Duration::from_secs(5), ..ScanOptions::default() };
    let report = scan_database("postgres://nobody:secret@127.0.0.1:1/none", &options);
    assert_eq!(report.source, "postgres://nobody:***@127.0.0.1:1/none");
    assert_eq!(report.problems.len(), 1);
    assert!(report.problems[0].message.starts_with("cannot connect"), "{:?}", report.problems);
    let report = scan_database("mysql://nobody@127.0.0.1:1/none", &options);
    assert!(report.problems[0].message.starts_with("cannot connect"), "{:?}", report.problems);
}

#[test]
fn scans_postgres_tables_read_only() {
    let Some(url) = service_url("TEST_POSTGRES_URL") else { return };
    runtime().block_on(async {
        let mut connection =
            sqlx::postgres::PgConnection::connect(&url).await.expect("connect to postgres");
        for statement in [
            "DROP SCHEMA IF EXISTS pii_scan_it CASCADE".to_owned(),
            "CREATE SCHEMA pii_scan_it".to_owned(),
            format!("CREATE TABLE pii_scan_it.customers {CREATE_CUSTOMERS}"),
        ]
        .into_iter()
        .chain(insert_statements("pii_scan_it.customers"))
        {
            sqlx::query(&statement).execute(&mut connection).await.expect("set up postgres");
        }
        connection.close().await.expect("close");
    });
    let report = scan_database(&url, &ScanOptions::default());
    assert_eq!(report.format, "postgres");
    assert!(report.sampling.contains("read-only"));
    check_table(&report, "pii_scan_it.customers", CUSTOMER_KINDS);
    println!("ran against postgres");
}

/// `url` with its user replaced.
fn with_user(url: &str, user: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

#[test]
fn a_postgres_table_without_permission_is_reported_and_the_rest_scanned() {
    let Some(url) = service_url("TEST_POSTGRES_URL") else { return };
    runtime().block_on(async {
        let mut connection = sqlx::postgres::PgConnection::connect(&url).await.expect("connect to postgres");
        for statement in [
            "DROP SCHEMA IF EXISTS pii_scan_perm CASCADE".to_owned(),
            "DO $$ BEGIN CREATE ROLE pii_scan_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
                .to_owned(),
            "CREATE SCHEMA pii_scan_perm".to_owned(),
            format!("CREATE TABLE pii_scan_perm.customers {CREATE_CUSTOMERS}"),
            "CREATE TABLE pii_scan_perm.secret_cards (pan TEXT)".to_owned(),
            "GRANT USAGE ON SCHEMA pii_scan_perm TO pii_scan_reader".to_owned(),
            "GRANT SELECT ON pii_scan_perm.customers TO pii_scan_reader".to_owned(),
        ]
        .into_iter()
        .chain(insert_statements("pii_scan_perm.customers"))
        {
            sqlx::query(&statement).execute(&mut connection).await.expect("set up postgres");
        }
        connection.close().await.expect("close");
    });
    let report = scan_database(&with_user(&url, "pii_scan_reader"), &ScanOptions::default());
    check_table(&report, "pii_scan_perm.customers", CUSTOMER_KINDS);
    let problem = report
        .problems
        .iter()
        .find(|problem| problem.location == "pii_scan_perm.secret_cards")
        .expect("the unreadable table is reported");
    assert!(problem.message.contains("permission denied"), "{problem:?}");
}

#[test]
fn scans_mysql_tables_read_only() {
    let Some(url) = service_url("TEST_MYSQL_URL") else { return };
    runtime().block_on(async {
        let mut connection =
            sqlx::mysql::MySqlConnection::connect(&url).await.expect("connect to mysql");
        for statement in [
            "DROP TABLE IF EXISTS pii_scan_it_customers".to_owned(),
            format!(
                "CREATE TABLE pii_scan_it_customers {CREATE_CUSTOMERS} DEFAULT CHARSET=utf8mb4"
            ),
        ]
        .into_iter()
        .chain(insert_statements("pii_scan_it_customers"))
        {
            sqlx::query(&statement).execute(&mut connection).await.expect("set up mysql");
        }
        connection.close().await.expect("close");
    });
    let report = scan_database(&url, &ScanOptions::default());
    assert_eq!(report.format, "mysql");
    check_table(&report, "pii_scan_it_customers", CUSTOMER_KINDS);
    println!("ran against mysql");
}
