//! SQL dumps (mysqldump, pg_dump with `--inserts`, sqlite `.dump`):
//! `CREATE TABLE` gives the columns, `INSERT ... VALUES` the rows.

use std::collections::BTreeMap;

use pii::ColumnProfile;

use crate::csv::judge_columns;
use crate::file::LineReader;
use crate::report::{ActivityColumn, Problem, ScanOptions, SourceReport, TableReport};

#[derive(Debug, Default)]
struct DumpTable {
    columns: Vec<String>,
    profiles: Vec<ColumnProfile>,
    n_rows: u64,
    n_rows_seen: u64,
    activity: Option<ActivityColumn>,
}

pub(crate) fn unquote_identifier(name: &str) -> String {
    let name = name.trim();
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_matches(['`', '"', '[', ']']).to_owned()
}

/// Splits `text` at top-level commas (outside quotes and parentheses).
pub(crate) fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((idx, ch)) = chars.next() {
        match quote {
            Some(open) => {
                if ch == '\\' {
                    chars.next();
                } else if ch == open {
                    quote = None;
                }
            }
            None => match ch {
                '\'' | '"' | '`' => quote = Some(ch),
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&text[start..idx]);
                    start = idx + 1;
                }
                _ => {}
            },
        }
    }
    parts.push(&text[start..]);
    parts
}

pub(crate) fn parse_create_table(statement: &str) -> Option<(String, Vec<String>)> {
    let open = statement.find('(')?;
    let close = statement.rfind(')')?;
    let head = &statement[..open];
    let name = head.split_whitespace().last()?;
    let mut columns = Vec::new();
    for item in split_top_level(&statement[open + 1..close]) {
        let item = item.trim();
        let first = item.split_whitespace().next().unwrap_or_default();
        let upper = first.to_ascii_uppercase();
        if item.is_empty()
            || matches!(
                upper.as_str(),
                "PRIMARY"
                    | "KEY"
                    | "UNIQUE"
                    | "CONSTRAINT"
                    | "INDEX"
                    | "FOREIGN"
                    | "CHECK"
                    | "FULLTEXT"
                    | "SPATIAL"
            )
        {
            continue;
        }
        columns.push(unquote_identifier(first));
    }
    Some((unquote_identifier(name), columns))
}

/// Reads one SQL literal: a quoted string (backslash and doubled-quote
/// escapes), `NULL`, or a bare token.
pub(crate) fn parse_literal(text: &str) -> Option<String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("null") {
        return None;
    }
    let Some(inner) = text.strip_prefix('\'').and_then(|rest| rest.strip_suffix('\'')) else {
        return Some(text.to_owned());
    };
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some('r') => value.push('\r'),
                Some('0') => {}
                Some(other) => value.push(other),
                None => {}
            },
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                value.push('\'');
            }
            _ => value.push(ch),
        }
    }
    Some(value)
}

fn parse_insert(statement: &str, tables: &mut BTreeMap<String, DumpTable>, options: &ScanOptions) {
    let max_rows = options.max_rows;
    let Some(InsertHead { table: name, columns: explicit_columns, values_end }) =
        parse_insert_head(statement)
    else {
        return;
    };
    let table = tables.entry(name).or_default();
    if table.columns.is_empty()
        && let Some(columns) = explicit_columns
    {
        table.profiles = vec![ColumnProfile::new(); columns.len()];
        table.activity = ActivityColumn::find(&columns, options);
        table.columns = columns;
    }
    if table.profiles.len() != table.columns.len() {
        table.profiles = vec![ColumnProfile::new(); table.columns.len()];
    }
    for tuple in split_top_level(&statement[values_end..]) {
        let tuple = tuple.trim().trim_end_matches(';').trim();
        let Some(inner) = tuple.strip_prefix('(').and_then(|rest| rest.strip_suffix(')')) else {
            continue;
        };
        table.n_rows_seen += 1;
        if table.n_rows as usize >= max_rows {
            continue;
        }
        table.n_rows += 1;
        let literals = split_top_level(inner);
        if let Some(activity) = &mut table.activity {
            activity.observe(
                literals.get(activity.idx).and_then(|literal| parse_literal(literal)).as_deref(),
            );
        }
        for (profile, literal) in table.profiles.iter_mut().zip(literals) {
            profile.observe(parse_literal(literal).as_deref());
        }
    }
}

/// The part of an `INSERT` before its rows.
#[derive(Debug)]
pub(crate) struct InsertHead {
    /// The table, unquoted.
    pub(crate) table: String,
    /// The column list, when the statement names one.
    pub(crate) columns: Option<Vec<String>>,
    /// The byte just after `VALUES`.
    pub(crate) values_end: usize,
}

pub(crate) fn parse_insert_head(statement: &str) -> Option<InsertHead> {
    let upper = statement.to_ascii_uppercase();
    let values_at = upper.find("VALUES")?;
    let head = &statement[..values_at];
    let into_at = head.to_ascii_uppercase().find("INTO")?;
    let target = head[into_at + 4..].trim();
    let (table, columns) = match target.find('(') {
        Some(open) => {
            let close = target.rfind(')').unwrap_or(target.len());
            let columns: Vec<String> = split_top_level(&target[open + 1..close])
                .into_iter()
                .map(unquote_identifier)
                .collect();
            (unquote_identifier(&target[..open]), Some(columns))
        }
        None => (unquote_identifier(target), None),
    };
    Some(InsertHead { table, columns, values_end: values_at + "VALUES".len() })
}

/// Longest statement kept in memory; the rest of a longer one (a huge
/// multi-row INSERT) is skipped, so memory stays flat.
const MAX_STATEMENT_BYTES: usize = 64 << 20;

/// Finds the `;` that ends a dump's statement, character by character,
/// skipping those inside quotes (with backslash escapes, which end at a line's end).
#[derive(Debug, Default)]
pub(crate) struct StatementEnds {
    quote: Option<char>,
    is_escaped: bool,
}

impl StatementEnds {
    /// Called before each line's characters.
    pub(crate) fn start_line(&mut self) {
        self.is_escaped = false;
    }

    /// Whether a quoted string is open.
    pub(crate) fn is_in_quote(&self) -> bool {
        self.quote.is_some()
    }

    /// Whether `ch` ends the statement.
    pub(crate) fn is_end(&mut self, ch: char) -> bool {
        if self.is_escaped {
            self.is_escaped = false;
            return false;
        }
        match self.quote {
            Some(open) => {
                if ch == '\\' {
                    self.is_escaped = true;
                } else if ch == open {
                    self.quote = None;
                }
                false
            }
            None => match ch {
                '\'' | '"' | '`' => {
                    self.quote = Some(ch);
                    false
                }
                ';' => true,
                _ => false,
            },
        }
    }
}

pub(crate) fn scan_sql_dump(
    lines: &mut LineReader,
    options: &ScanOptions,
    report: &mut SourceReport,
) {
    report.format = "sql_dump".to_owned();
    let mut tables: BTreeMap<String, DumpTable> = BTreeMap::new();
    let mut statement = String::new();
    let mut ends = StatementEnds::default();
    let mut n_cut = 0u64;
    while let Some(line) = lines.next_line() {
        let line = match line {
            Ok(line) => line,
            Err(message) => {
                report.problems.push(Problem::whole(message));
                break;
            }
        };
        if !ends.is_in_quote()
            && statement.is_empty()
            && (line.starts_with("--") || line.starts_with("/*"))
        {
            continue;
        }
        ends.start_line();
        let is_full = statement.len() > MAX_STATEMENT_BYTES;
        if is_full {
            n_cut += 1;
        }
        for ch in line.chars() {
            if !is_full {
                statement.push(ch);
            }
            if ends.is_end(ch) {
                handle_statement(&statement, &mut tables, options);
                statement.clear();
            }
        }
        if !is_full {
            statement.push('\n');
        }
        if statement.trim().is_empty() {
            statement.clear();
        }
    }
    if !statement.trim().is_empty() {
        handle_statement(&statement, &mut tables, options);
    }
    if n_cut > 0 {
        report.problems.push(Problem::whole(format!(
            "statements longer than {MAX_STATEMENT_BYTES} bytes were read in part only"
        )));
    }
    report.sampling = format!("first {} rows of each table's INSERT statements", options.max_rows);
    for (name, table) in tables {
        let columns = judge_columns(&table.columns, &table.profiles, options);
        report.tables.push(TableReport {
            table: name,
            rows_sampled: table.n_rows,
            rows_total: Some(table.n_rows_seen),
            columns,
            n_columns: table.columns.len(),
            inactivity: table.activity.map(ActivityColumn::finish),
        });
    }
}

fn handle_statement(
    statement: &str,
    tables: &mut BTreeMap<String, DumpTable>,
    options: &ScanOptions,
) {
    let trimmed = statement.trim_start();
    let upper: String = trimmed.chars().take(32).collect::<String>().to_ascii_uppercase();
    if upper.starts_with("CREATE TABLE") {
        if let Some((name, columns)) = parse_create_table(trimmed) {
            let table = tables.entry(name).or_default();
            table.profiles = vec![ColumnProfile::new(); columns.len()];
            table.activity = ActivityColumn::find(&columns, options);
            table.columns = columns;
        }
    } else if upper.starts_with("INSERT") || upper.starts_with("REPLACE") {
        parse_insert(trimmed, tables, options);
    }
}
