//! Scoping an incident from the shop's data: CSV or JSON exports read with
//! the scanner's readers, each column's kind judged by the `pii` detectors,
//! rows kept when their date falls in the incident's window, and identity
//! keys (e-mail, phone, national id, normalized) handed to
//! `incidents::deduplicate`.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, bail};
use incidents::ExposedRecord;
use model::Timestamp;
use pii::{ColumnProfile, Kind};

/// What the scoping read.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) records: Vec<ExposedRecord>,
    pub(crate) rows_read: u64,
    pub(crate) rows_outside_window: u64,
    pub(crate) rows_without_date: u64,
    pub(crate) date_columns: Vec<String>,
    pub(crate) columns: Vec<(String, Kind)>,
}

/// A table: names and rows of optional cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
}

/// At most this many rows per file.
const MAX_ROWS: usize = 5_000_000;

fn load_table(path: &Path) -> anyhow::Result<Table> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading {} (UTF-8 CSV or JSON expected)", path.display()))?;
    let is_json = path.extension().is_some_and(|e| {
        e.eq_ignore_ascii_case("json")
            || e.eq_ignore_ascii_case("ndjson")
            || e.eq_ignore_ascii_case("jsonl")
    });
    if !is_json {
        let table = pii_scan::parse_csv(&text, MAX_ROWS);
        if table.header.is_empty() {
            bail!("{}: no header line", path.display());
        }
        let rows = table
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|cell| Some(cell).filter(|cell| !cell.trim().is_empty()))
                    .collect()
            })
            .collect();
        return Ok(Table { header: table.header, rows });
    }
    // JSON: an array of objects, or one object per line.
    let documents: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Array(items)) => items,
        Ok(other) => vec![other],
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(idx, line)| {
                serde_json::from_str(line)
                    .with_context(|| format!("{}:{}: not JSON", path.display(), idx + 1))
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let mut header: Vec<String> = Vec::new();
    let mut flat_rows = Vec::new();
    for document in &documents {
        let flat = pii_scan::flatten_json(document);
        for (name, _) in &flat {
            if !header.contains(name) {
                header.push(name.clone());
            }
        }
        flat_rows.push(flat);
    }
    let rows = flat_rows
        .into_iter()
        .map(|flat| {
            header
                .iter()
                .map(|name| {
                    flat.iter().find(|(key, _)| key == name).and_then(|(_, value)| value.clone())
                })
                .collect()
        })
        .collect();
    Ok(Table { header, rows })
}

/// Column names that hold a record's date (order time, registration...).
fn is_date_column(name: &str) -> bool {
    let lowered = name.to_lowercase();
    let last = lowered.rsplit('.').next().unwrap_or(&lowered);
    [
        "created_at",
        "ordered_at",
        "order_time",
        "order_date",
        "updated_at",
        "date",
        "time",
        "timestamp",
        "訂單時間",
        "下單時間",
        "建立時間",
        "訂購日期",
        "日期",
    ]
    .contains(&last)
}

/// Parses `2026-12-07`, `2026-12-07 10:00[:00]`, `2026-12-07T10:00:00+08:00`,
/// `2026/12/07 10:00` (no zone: the site's).
pub(crate) fn parse_time(text: &str, default_offset_secs: i32) -> Option<Timestamp> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 10 {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        text.get(range).filter(|part| part.bytes().all(|b| b.is_ascii_digit()))?.parse().ok()
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !matches!(bytes[4], b'-' | b'/') || bytes[7] != bytes[4] || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 || day > model::civil::days_in_month(i64::from(year), month) {
        return None;
    }
    let rest = &text[10..];
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    let mut zone = rest;
    if let Some(clock) = rest.strip_prefix(['T', ' ']) {
        let clock_bytes = clock.as_bytes();
        if clock_bytes.len() < 5 || clock_bytes[2] != b':' {
            return None;
        }
        hour = clock.get(0..2)?.parse().ok()?;
        minute = clock.get(3..5)?.parse().ok()?;
        zone = &clock[5..];
        if let Some(seconds) = zone.strip_prefix(':') {
            second = seconds.get(0..2)?.parse().ok()?;
            zone = &seconds[2..];
            if let Some(fraction) = zone.strip_prefix('.') {
                let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
                zone = &fraction[digits..];
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let zone = zone.trim();
    let offset = match zone {
        "" => default_offset_secs,
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let hours: i32 = digits[..2].parse().ok()?;
            let minutes: i32 = digits[2..].parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let local = Timestamp::from_civil(i64::from(year), month, day, hour, minute, second, 0);
    Some(local.add_secs(-i64::from(offset)))
}

fn normalize_phone(value: &str) -> Option<String> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.strip_prefix("886") {
        Some(rest) if value.trim_start().starts_with('+') || digits.len() == 12 => {
            format!("0{rest}")
        }
        _ => digits,
    };
    (digits.len() >= 8).then_some(digits)
}

/// Reads the files and turns rows into exposed records.
pub(crate) fn load(
    files: &[std::path::PathBuf],
    window: (Option<Timestamp>, Option<Timestamp>),
    date_column: Option<&str>,
    special_columns: &[String],
    utc_offset_secs: i32,
) -> anyhow::Result<Loaded> {
    let mut loaded = Loaded::default();
    for path in files {
        let table = load_table(path)?;
        for special in special_columns {
            if !table.header.iter().any(|name| name == special) {
                bail!(
                    "{}: no column {special:?} (columns: {})",
                    path.display(),
                    table.header.join(", ")
                );
            }
        }
        // Judge each column from all its values and its name.
        let mut kinds: Vec<Option<Kind>> = Vec::with_capacity(table.header.len());
        for (idx, name) in table.header.iter().enumerate() {
            let mut profile = ColumnProfile::new();
            for row in &table.rows {
                profile.observe(row.get(idx).and_then(Option::as_deref));
            }
            let kind = profile
                .judge(Some(name))
                .map(|verdict| verdict.kind)
                .filter(|kind| kind.is_personal() && *kind != Kind::FreeText);
            if let Some(kind) = kind {
                loaded.columns.push((name.clone(), kind));
            }
            kinds.push(kind);
        }
        let date_idx = match date_column {
            Some(wanted) => {
                Some(table.header.iter().position(|name| name == wanted).with_context(|| {
                    format!(
                        "{}: no column {wanted:?} (columns: {})",
                        path.display(),
                        table.header.join(", ")
                    )
                })?)
            }
            None => table.header.iter().position(|name| is_date_column(name)),
        };
        if let Some(idx) = date_idx {
            loaded.date_columns.push(format!("{}:{}", path.display(), table.header[idx]));
        }
        let special_idx: Vec<usize> = table
            .header
            .iter()
            .enumerate()
            .filter(|(_, name)| special_columns.contains(name))
            .map(|(idx, _)| idx)
            .collect();
        for row in &table.rows {
            loaded.rows_read += 1;
            if let Some(idx) = date_idx {
                match row
                    .get(idx)
                    .and_then(Option::as_deref)
                    .and_then(|text| parse_time(text, utc_offset_secs))
                {
                    Some(time) => {
                        let before = window.0.is_some_and(|from| time < from);
                        let after = window.1.is_some_and(|to| time > to);
                        if before || after {
                            loaded.rows_outside_window += 1;
                            continue;
                        }
                    }
                    None => loaded.rows_without_date += 1,
                }
            }
            let mut record = ExposedRecord {
                is_special: special_idx
                    .iter()
                    .any(|idx| row.get(*idx).is_some_and(Option::is_some)),
                ..ExposedRecord::default()
            };
            let mut fields = BTreeSet::new();
            for (idx, kind) in kinds.iter().enumerate() {
                let (Some(kind), Some(value)) = (kind, row.get(idx).and_then(Option::as_deref))
                else {
                    continue;
                };
                fields.insert(kind.as_str().to_owned());
                let value = value.trim();
                match kind {
                    Kind::Email => {
                        let email = value.to_lowercase();
                        record.keys.push(format!("email:{email}"));
                        record.contact.email.get_or_insert(value.to_owned());
                    }
                    Kind::Phone => {
                        if let Some(phone) = normalize_phone(value) {
                            record.keys.push(format!("phone:{phone}"));
                        }
                        record.contact.phone.get_or_insert(value.to_owned());
                    }
                    Kind::TwNationalId
                    | Kind::TwResidentCert
                    | Kind::HkId
                    | Kind::CnResidentId
                    | Kind::UsSsn => {
                        record.keys.push(format!("{}:{}", kind.as_str(), value.to_uppercase()));
                    }
                    Kind::PersonName => {
                        record.contact.name.get_or_insert(value.to_owned());
                    }
                    _ => {}
                }
            }
            for idx in &special_idx {
                if row.get(*idx).is_some_and(Option::is_some) {
                    fields.insert(format!("special:{}", table.header[*idx]));
                }
            }
            record.fields = fields;
            loaded.records.push(record);
        }
    }
    Ok(loaded)
}

/// The label of a field name in a language (`pii::Kind` labels, `special:` columns).
pub(crate) fn field_label(name: &str, zh_tw: bool) -> String {
    if let Some(column) = name.strip_prefix("special:") {
        return if zh_tw {
            format!("特種個資（{column}）")
        } else {
            format!("special data ({column})")
        };
    }
    match Kind::parse(name) {
        Some(kind) if zh_tw => kind.label_zh().to_owned(),
        Some(Kind::PersonName) => "name".to_owned(),
        Some(Kind::TwNationalId) => "national ID number".to_owned(),
        Some(Kind::IpAddress) => "IP address".to_owned(),
        Some(kind) => kind.as_str().replace('_', " "),
        None => name.to_owned(),
    }
}

/// Kept so a unit test can check it.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_in_the_site_zone_or_their_own() {
        let taipei = 8 * 3600;
        let expected = Timestamp::from_civil(2026, 12, 7, 2, 0, 0, 0);
        assert_eq!(parse_time("2026-12-07 10:00", taipei), Some(expected));
        assert_eq!(parse_time("2026/12/07 10:00:00", taipei), Some(expected));
        assert_eq!(parse_time("2026-12-07T02:00:00Z", taipei), Some(expected));
        assert_eq!(parse_time("2026-12-07T10:00:00.123+08:00", 0), Some(expected));
        assert_eq!(parse_time("2026-02-30", taipei), None);
        assert_eq!(parse_time("yesterday", taipei), None);
        assert_eq!(normalize_phone("+886 912-345-678").as_deref(), Some("0912345678"));
        assert_eq!(normalize_phone("0912345678").as_deref(), Some("0912345678"));
    }
}
