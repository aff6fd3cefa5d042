//! Shop databases: SQLite, PostgreSQL, MySQL/MariaDB, opened read-only, every
//! table and column sampled, each statement with a timeout.
//!
//! Values are cast to text in SQL (`CAST(x AS TEXT)`, `x::text`,
//! `CAST(x AS CHAR)`) so every column type is read the same way. Sampling:
//! PostgreSQL tables much larger than the sample are read with
//! `TABLESAMPLE SYSTEM` (pages spread over the table); otherwise, and on the
//! other engines, the first rows the engine returns (`LIMIT n`). The method
//! is stated in the report.

use std::str::FromStr;
use std::time::Duration;

use pii::ColumnProfile;
use sqlx::{Connection, Row};

use crate::csv::judge_columns;
use crate::report::{ActivityColumn, Problem, ScanOptions, SourceReport, TableReport};

/// Tables sampled per database.
const MAX_TABLES: usize = 2_000;

/// Whether `source` names a database rather than a file.
pub(crate) fn is_database_url(source: &str) -> bool {
    ["sqlite:", "postgres://", "postgresql://", "mysql://", "mariadb://"]
        .iter()
        .any(|scheme| source.starts_with(scheme))
}

/// The URL with its password replaced by `***`, for reports.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, path) =
        rest.split_once('/').map_or((rest, None), |(authority, path)| (authority, Some(path)));
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{user_info}@{host}"),
        },
        None => authority.to_owned(),
    };
    match path {
        Some(path) => format!("{scheme}://{authority}/{path}"),
        None => format!("{scheme}://{authority}"),
    }
}

/// Scans a database: every table and column, read-only. Never fails: a
/// refused connection or an unreadable table is recorded as a problem.
pub fn scan_database(url: &str, options: &ScanOptions) -> SourceReport {
    let mut report = SourceReport { source: redact_url(url), ..SourceReport::default() };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            report.format = "unreadable".to_owned();
            report
                .problems
                .push(Problem::whole(format!("cannot start the async runtime: {error}")));
            return report;
        }
    };
    let result = runtime.block_on(async {
        if url.starts_with("sqlite:") {
            report.format = "sqlite".to_owned();
            scan_sqlite(url, options, &mut report).await
        } else if url.starts_with("postgres") {
            report.format = "postgres".to_owned();
            scan_postgres(url, options, &mut report).await
        } else {
            report.format = "mysql".to_owned();
            let url = url.replacen("mariadb://", "mysql://", 1);
            scan_mysql(&url, options, &mut report).await
        }
    });
    if let Err(message) = result {
        report.problems.push(Problem::whole(message));
    }
    report
}

async fn with_timeout<T, E: std::fmt::Display>(
    timeout: Duration,
    what: &str,
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(format!("{what}: {error}")),
        Err(_) => Err(format!("{what}: timed out after {}s", timeout.as_secs_f64())),
    }
}

/// A text value of a row, whatever its declared type decoded to.
fn text_at<R: Row>(row: &R, idx: usize) -> Option<String>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    match row.try_get::<Option<String>, _>(idx) {
        Ok(value) => value,
        Err(_) => row
            .try_get::<Option<Vec<u8>>, _>(idx)
            .ok()
            .flatten()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    }
}

fn push_table<R: Row>(
    report: &mut SourceReport,
    table: &str,
    columns: &[String],
    rows: &[R],
    options: &ScanOptions,
) where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut profiles = vec![ColumnProfile::new(); columns.len()];
    let mut activity = ActivityColumn::find(columns, options);
    for row in rows {
        if let Some(activity) = &mut activity {
            activity.observe(text_at(row, activity.idx).as_deref());
        }
        for (idx, profile) in profiles.iter_mut().enumerate() {
            profile.observe(text_at(row, idx).as_deref());
        }
    }
    report.tables.push(TableReport {
        table: table.to_owned(),
        rows_sampled: rows.len() as u64,
        rows_total: None,
        columns: judge_columns(columns, &profiles, options),
        n_columns: columns.len(),
        inactivity: activity.map(ActivityColumn::finish),
    });
}

fn quote_double(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_backtick(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

async fn scan_sqlite(
    url: &str,
    options: &ScanOptions,
    report: &mut SourceReport,
) -> Result<(), String> {
    let connect_options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(|error| format!("bad sqlite url: {error}"))?
        .read_only(true)
        .create_if_missing(false)
        .busy_timeout(options.statement_timeout);
    let mut connection = with_timeout(
        options.statement_timeout,
        "cannot open the database",
        sqlx::sqlite::SqliteConnection::connect_with(&connect_options),
    )
    .await?;
    let tables: Vec<String> = with_timeout(
        options.statement_timeout,
        "cannot list tables",
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut connection),
    )
    .await?;
    report.sampling = format!("first {} rows of each table (LIMIT)", options.max_rows);
    for table in tables.iter().take(MAX_TABLES) {
        let columns: Result<Vec<String>, String> = with_timeout(
            options.statement_timeout,
            "cannot list columns",
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
                .bind(table)
                .fetch_all(&mut connection),
        )
        .await;
        let columns = match columns {
            Ok(columns) if !columns.is_empty() => columns,
            Ok(_) => continue,
            Err(message) => {
                report.problems.push(Problem { location: table.clone(), message });
                continue;
            }
        };
        let select: Vec<String> = columns
            .iter()
            .map(|column| format!("CAST({} AS TEXT)", quote_double(column)))
            .collect();
        let sql = format!(
            "SELECT {} FROM {} LIMIT {}",
            select.join(", "),
            quote_double(table),
            options.max_rows
        );
        match with_timeout(
            options.statement_timeout,
            "cannot read the table",
            sqlx::query(&sql).fetch_all(&mut connection),
        )
        .await
        {
            Ok(rows) => push_table(report, table, &columns, &rows, options),
            Err(message) => report.problems.push(Problem { location: table.clone(), message }),
        }
    }
    let _ = connection.close().await;
    Ok(())
}

async fn scan_postgres(
    url: &str,
    options: &ScanOptions,
    report: &mut SourceReport,
) -> Result<(), String> {
    let connect_options = sqlx::postgres::PgConnectOptions::from_str(url)
        .map_err(|error| format!("bad postgres url: {error}"))?
        .options([
            ("default_transaction_read_only", "on"),
            ("statement_timeout", &options.statement_timeout.as_millis().to_string()),
        ]);
    let mut connection = with_timeout(
        options.statement_timeout,
        "cannot connect",
        sqlx::postgres::PgConnection::connect_with(&connect_options),
    )
    .await?;
    let tables: Vec<(String, String)> = with_timeout(
        options.statement_timeout,
        "cannot list tables",
        // The catalog, not information_schema: it lists tables the account
        // may not read, so they are reported instead of silently missing.
        sqlx::query_as(
            "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg_toast%' AND NOT c.relispartition ORDER BY 1, 2",
        )
        .fetch_all(&mut connection),
    )
    .await?;
    let mut methods = Vec::new();
    for (schema, table) in tables.iter().take(MAX_TABLES) {
        let name = if schema == "public" { table.clone() } else { format!("{schema}.{table}") };
        let columns: Result<Vec<String>, String> = with_timeout(
            options.statement_timeout,
            "cannot list columns",
            sqlx::query_scalar(
                "SELECT a.attname::text FROM pg_catalog.pg_attribute a \
                 JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped \
                 ORDER BY a.attnum",
            )
            .bind(schema)
            .bind(table)
            .fetch_all(&mut connection),
        )
        .await;
        let columns = match columns {
            Ok(columns) if !columns.is_empty() => columns,
            Ok(_) => continue,
            Err(message) => {
                report.problems.push(Problem { location: name, message });
                continue;
            }
        };
        let qualified = format!("{}.{}", quote_double(schema), quote_double(table));
        let estimate: Option<f32> =
            sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = $1::regclass")
                .bind(&qualified)
                .fetch_optional(&mut connection)
                .await
                .ok()
                .flatten();
        let max_rows = options.max_rows as f64;
        let sample = match estimate {
            Some(estimate) if f64::from(estimate) > 4.0 * max_rows => {
                let percent = (300.0 * max_rows / f64::from(estimate)).clamp(0.01, 100.0);
                methods.push(format!(
                    "{name}: TABLESAMPLE SYSTEM ({percent:.2}%) LIMIT {}",
                    options.max_rows
                ));
                format!(" TABLESAMPLE SYSTEM ({percent:.4})")
            }
            _ => String::new(),
        };
        let select: Vec<String> =
            columns.iter().map(|column| format!("{}::text", quote_double(column))).collect();
        let sql = format!(
            "SELECT {} FROM {qualified}{sample} LIMIT {}",
            select.join(", "),
            options.max_rows
        );
        match with_timeout(
            options.statement_timeout,
            "cannot read the table",
            sqlx::query(&sql).fetch_all(&mut connection),
        )
        .await
        {
            Ok(rows) => push_table(report, &name, &columns, &rows, options),
            Err(message) => report.problems.push(Problem { location: name, message }),
        }
    }
    report.sampling = if methods.is_empty() {
        format!("first {} rows of each table (LIMIT), read-only transaction", options.max_rows)
    } else {
        format!(
            "first {} rows of each table (LIMIT), read-only transaction; large tables sampled by pages: {}",
            options.max_rows,
            methods.join("; ")
        )
    };
    let _ = connection.close().await;
    Ok(())
}

async fn scan_mysql(
    url: &str,
    options: &ScanOptions,
    report: &mut SourceReport,
) -> Result<(), String> {
    let connect_options = sqlx::mysql::MySqlConnectOptions::from_str(url)
        .map_err(|error| format!("bad mysql url: {error}"))?;
    let mut connection = with_timeout(
        options.statement_timeout,
        "cannot connect",
        sqlx::mysql::MySqlConnection::connect_with(&connect_options),
    )
    .await?;
    // Read-only session; the timeout variable differs between MariaDB and MySQL.
    let seconds = options.statement_timeout.as_secs().max(1);
    let _ = sqlx::query("SET SESSION TRANSACTION READ ONLY").execute(&mut connection).await;
    let _ = sqlx::query(&format!("SET SESSION max_statement_time = {seconds}"))
        .execute(&mut connection)
        .await;
    let _ = sqlx::query(&format!("SET SESSION MAX_EXECUTION_TIME = {}", seconds * 1000))
        .execute(&mut connection)
        .await;
    let rows = with_timeout(
        options.statement_timeout,
        "cannot list tables",
        sqlx::query(
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(&mut connection),
    )
    .await?;
    let tables: Vec<String> = rows.iter().filter_map(|row| text_at(row, 0)).collect();
    report.sampling =
        format!("first {} rows of each table (LIMIT), read-only session", options.max_rows);
    for table in tables.iter().take(MAX_TABLES) {
        let rows = with_timeout(
            options.statement_timeout,
            "cannot list columns",
            sqlx::query(
                "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut connection),
        )
        .await;
        let columns: Vec<String> = match rows {
            Ok(rows) => rows.iter().filter_map(|row| text_at(row, 0)).collect(),
            Err(message) => {
                report.problems.push(Problem { location: table.clone(), message });
                continue;
            }
        };
        if columns.is_empty() {
            continue;
        }
        let select: Vec<String> = columns
            .iter()
            .map(|column| format!("CAST({} AS CHAR)", quote_backtick(column)))
            .collect();
        let sql = format!(
            "SELECT {} FROM {} LIMIT {}",
            select.join(", "),
            quote_backtick(table),
            options.max_rows
        );
        match with_timeout(
            options.statement_timeout,
            "cannot read the table",
            sqlx::query(&sql).fetch_all(&mut connection),
        )
        .await
        {
            Ok(rows) => push_table(report, table, &columns, &rows, options),
            Err(message) => report.problems.push(Problem { location: table.clone(), message }),
        }
    }
    let _ = connection.close().await;
    Ok(())
}
