//! XLSX workbooks: a small reader for what a scan needs (the sheets' cells),
//! on the zip and XML layout of Office Open XML, with no dependency beyond
//! `flate2`. Each sheet is a table whose first row is the header.

use std::io::Read;
use std::path::Path;

use pii::ColumnProfile;

use crate::csv::judge_columns;
use crate::report::{ActivityColumn, Problem, ScanOptions, SourceReport, TableReport};

/// Largest workbook read (the whole file is read into memory).
const MAX_WORKBOOK_BYTES: u64 = 256 << 20;
/// Largest part (sheet, shared strings) after decompression.
const MAX_PART_BYTES: u64 = 512 << 20;

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?)))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()
}

/// One file inside the zip archive.
struct Entry {
    name: String,
    method: usize,
    compressed_size: usize,
    local_offset: usize,
}

/// The entries of a zip archive, from its central directory.
fn zip_entries(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let search_from = bytes.len().saturating_sub(22 + 65_535);
    let end = (search_from..bytes.len().saturating_sub(21))
        .rev()
        .find(|at| bytes[*at..].starts_with(&[0x50, 0x4b, 0x05, 0x06]))
        .ok_or("no zip end of central directory")?;
    let n_entries = u16_at(bytes, end + 10).ok_or("truncated zip")?;
    let mut at = u32_at(bytes, end + 16).ok_or("truncated zip")?;
    let mut entries = Vec::with_capacity(n_entries);
    for _ in 0..n_entries {
        if !bytes.get(at..).is_some_and(|rest| rest.starts_with(&[0x50, 0x4b, 0x01, 0x02])) {
            return Err("bad zip central directory".to_owned());
        }
        let method = u16_at(bytes, at + 10).ok_or("truncated zip")?;
        let compressed_size = u32_at(bytes, at + 20).ok_or("truncated zip")?;
        let name_len = u16_at(bytes, at + 28).ok_or("truncated zip")?;
        let extra_len = u16_at(bytes, at + 30).ok_or("truncated zip")?;
        let comment_len = u16_at(bytes, at + 32).ok_or("truncated zip")?;
        let local_offset = u32_at(bytes, at + 42).ok_or("truncated zip")?;
        let name = bytes.get(at + 46..at + 46 + name_len).ok_or("truncated zip")?;
        entries.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method,
            compressed_size,
            local_offset,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// The uncompressed content of an entry (stored or deflated).
fn read_entry(bytes: &[u8], entry: &Entry) -> Result<Vec<u8>, String> {
    let at = entry.local_offset;
    if !bytes.get(at..).is_some_and(|rest| rest.starts_with(&[0x50, 0x4b, 0x03, 0x04])) {
        return Err(format!("bad zip entry {}", entry.name));
    }
    let name_len = u16_at(bytes, at + 26).ok_or("truncated zip")?;
    let extra_len = u16_at(bytes, at + 28).ok_or("truncated zip")?;
    let start = at + 30 + name_len + extra_len;
    let data = bytes
        .get(start..start + entry.compressed_size)
        .ok_or_else(|| format!("truncated zip entry {}", entry.name))?;
    match entry.method {
        0 => Ok(data.to_vec()),
        8 => {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(data)
                .take(MAX_PART_BYTES)
                .read_to_end(&mut out)
                .map_err(|error| format!("bad deflate data in {}: {error}", entry.name))?;
            Ok(out)
        }
        method => {
            Err(format!("zip compression method {method} in {} is not supported", entry.name))
        }
    }
}

/// XML text with the five entities and numeric references decoded.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(end) = after.find(';').filter(|end| *end <= 10) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let entity = &after[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") => {
                u32::from_str_radix(&entity[2..], 16).ok().and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(ch) => {
                out.push(ch);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` in a start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut search = 0;
    while let Some(found) = tag[search..].find(name) {
        let at = search + found;
        let is_start = at > 0 && tag.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = &tag[at + name.len()..];
        if is_start && let Some(rest) = rest.strip_prefix("=\"") {
            return rest.find('"').map(|end| &rest[..end]);
        }
        search = at + name.len();
    }
    None
}

/// The shared strings: each `<si>`'s `<t>` texts joined.
fn shared_strings(xml: &str) -> Vec<String> {
    let mut strings = Vec::new();
    for item in xml.split("<si>").skip(1) {
        let item = item.split("</si>").next().unwrap_or_default();
        strings.push(texts(item));
    }
    strings
}

/// The `<t>` texts inside a fragment, joined.
fn texts(fragment: &str) -> String {
    let mut out = String::new();
    let mut rest = fragment;
    while let Some(at) = rest.find("<t") {
        let after = &rest[at + 2..];
        let Some(close) = after.find('>') else { break };
        let is_t = after.starts_with('>') || after.starts_with(' ');
        let body = &after[close + 1..];
        if is_t && !after[..close].ends_with('/') {
            let end = body.find("</t>").unwrap_or(body.len());
            out.push_str(&unescape(&body[..end]));
            rest = &body[end..];
        } else {
            rest = body;
        }
    }
    out
}

/// The zero-based column of a cell reference (`C12` → 2).
fn column_index(reference: &str) -> Option<usize> {
    let mut index = 0usize;
    let mut n_letters = 0;
    for byte in reference.bytes().take_while(u8::is_ascii_alphabetic) {
        index = index.checked_mul(26)? + usize::from(byte.to_ascii_uppercase() - b'A') + 1;
        n_letters += 1;
    }
    (n_letters > 0 && index <= 16_384).then(|| index - 1)
}

/// The rows of a sheet, each as (column, value) cells.
fn sheet_rows(xml: &str, strings: &[String], max_rows: usize) -> Vec<Vec<(usize, String)>> {
    let mut rows = Vec::new();
    for row in xml.split("<row").skip(1) {
        if rows.len() > max_rows {
            break;
        }
        let row = row.split("</row>").next().unwrap_or_default();
        let mut cells = Vec::new();
        for (position, cell) in row.split("<c ").skip(1).enumerate() {
            let Some(tag_end) = cell.find('>') else { continue };
            let tag = &cell[..tag_end];
            let column =
                attribute(&format!(" {tag}"), "r").and_then(column_index).unwrap_or(position);
            if tag.ends_with('/') {
                continue;
            }
            let body = cell[tag_end + 1..].split("</c>").next().unwrap_or_default();
            let value_text = || {
                body.split("<v>").nth(1).and_then(|rest| rest.split("</v>").next()).map(unescape)
            };
            let value = match attribute(&format!(" {tag}"), "t") {
                Some("s") => value_text()
                    .and_then(|idx| idx.trim().parse::<usize>().ok())
                    .and_then(|idx| strings.get(idx).cloned()),
                Some("inlineStr") => Some(texts(body)),
                Some("b") => None,
                _ => value_text(),
            };
            if let Some(value) = value {
                cells.push((column, value));
            }
        }
        rows.push(cells);
    }
    rows
}

/// Sheet names and their parts, in workbook order.
fn sheets(entries: &[Entry], read: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    let workbook = read("xl/workbook.xml").unwrap_or_default();
    let relations = read("xl/_rels/workbook.xml.rels").unwrap_or_default();
    let mut found = Vec::new();
    for tag in workbook.split("<sheet ").skip(1) {
        let tag = format!(" {}", tag.split('>').next().unwrap_or_default());
        let (Some(name), Some(id)) = (attribute(&tag, "name"), attribute(&tag, "r:id")) else {
            continue;
        };
        let target = relations.split("<Relationship ").skip(1).find_map(|relation| {
            let relation = format!(" {}", relation.split('>').next().unwrap_or_default());
            (attribute(&relation, "Id") == Some(id))
                .then(|| attribute(&relation, "Target").map(str::to_owned))
                .flatten()
        });
        if let Some(target) = target {
            let part = target.trim_start_matches('/');
            let part = if part.starts_with("xl/") { part.to_owned() } else { format!("xl/{part}") };
            found.push((unescape(name), part));
        }
    }
    if found.is_empty() {
        // No workbook part we could read: every worksheet, named by its file.
        for entry in entries.iter().filter(|entry| {
            entry.name.starts_with("xl/worksheets/") && entry.name.ends_with(".xml")
        }) {
            let stem = entry.name.trim_start_matches("xl/worksheets/").trim_end_matches(".xml");
            found.push((stem.to_owned(), entry.name.clone()));
        }
    }
    found
}

/// One sheet of a workbook read back: its name and its rows, each cell as
/// text (empty cells as empty strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XlsxSheet {
    /// The sheet's name.
    pub name: String,
    /// The rows, in order.
    pub rows: Vec<Vec<String>>,
}

/// Reads every sheet of a workbook's bytes with the scanner's own zip and
/// XML reader; an archive that is not a valid workbook is an error.
pub fn parse_xlsx(bytes: &[u8]) -> Result<Vec<XlsxSheet>, String> {
    let entries = zip_entries(bytes)?;
    let read = |name: &str| -> Option<String> {
        let entry = entries.iter().find(|entry| entry.name == name)?;
        read_entry(bytes, entry).ok().map(|content| String::from_utf8_lossy(&content).into_owned())
    };
    let strings = read("xl/sharedStrings.xml").map(|xml| shared_strings(&xml)).unwrap_or_default();
    let mut sheets_read = Vec::new();
    for (name, part) in sheets(&entries, &read) {
        let entry = entries
            .iter()
            .find(|entry| entry.name == part)
            .ok_or_else(|| format!("missing part {part}"))?;
        let xml = String::from_utf8_lossy(&read_entry(bytes, entry)?).into_owned();
        let rows = sheet_rows(&xml, &strings, usize::MAX - 1)
            .into_iter()
            .map(|cells| {
                let width = cells.iter().map(|(column, _)| column + 1).max().unwrap_or(0);
                let mut row = vec![String::new(); width];
                for (column, value) in cells {
                    row[column] = value;
                }
                row
            })
            .collect();
        sheets_read.push(XlsxSheet { name, rows });
    }
    if sheets_read.is_empty() {
        return Err("no worksheets".to_owned());
    }
    Ok(sheets_read)
}

pub(crate) fn scan_xlsx(path: &Path, options: &ScanOptions, report: &mut SourceReport) {
    report.format = "xlsx".to_owned();
    let result = std::fs::File::open(path).and_then(|file| {
        let mut bytes = Vec::new();
        file.take(MAX_WORKBOOK_BYTES + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    let bytes = match result {
        Ok(bytes) if bytes.len() as u64 > MAX_WORKBOOK_BYTES => {
            report.problems.push(Problem::whole(format!(
                "workbooks larger than {MAX_WORKBOOK_BYTES} bytes are not read"
            )));
            return;
        }
        Ok(bytes) => bytes,
        Err(error) => {
            report.problems.push(Problem::whole(format!("cannot read: {error}")));
            return;
        }
    };
    let entries = match zip_entries(&bytes) {
        Ok(entries) => entries,
        Err(message) => {
            report.problems.push(Problem::whole(format!("not a valid xlsx workbook: {message}")));
            return;
        }
    };
    let read = |name: &str| -> Option<String> {
        let entry = entries.iter().find(|entry| entry.name == name)?;
        read_entry(&bytes, entry).ok().map(|content| String::from_utf8_lossy(&content).into_owned())
    };
    let strings = read("xl/sharedStrings.xml").map(|xml| shared_strings(&xml)).unwrap_or_default();
    let sheet_list = sheets(&entries, &read);
    if sheet_list.is_empty() {
        report.problems.push(Problem::whole("not a valid xlsx workbook: no worksheets"));
        return;
    }
    report.encoding = Some("utf-8".to_owned());
    report.sampling = format!("first {} rows of each sheet", options.max_rows);
    for (name, part) in sheet_list {
        let Some(entry) = entries.iter().find(|entry| entry.name == part) else {
            report
                .problems
                .push(Problem { location: name, message: format!("missing part {part}") });
            continue;
        };
        let xml = match read_entry(&bytes, entry) {
            Ok(content) => String::from_utf8_lossy(&content).into_owned(),
            Err(message) => {
                report.problems.push(Problem { location: name, message });
                continue;
            }
        };
        let rows = sheet_rows(&xml, &strings, options.max_rows);
        let Some((header_row, data_rows)) = rows.split_first() else { continue };
        let width = header_row.iter().map(|(column, _)| column + 1).max().unwrap_or(0);
        let mut header = vec![String::new(); width];
        for (column, value) in header_row {
            header[*column] = value.clone();
        }
        for (idx, name) in header.iter_mut().enumerate() {
            if name.is_empty() {
                *name = format!("column {}", idx + 1);
            }
        }
        let mut profiles = vec![ColumnProfile::new(); width];
        let mut activity = ActivityColumn::find(&header, options);
        for row in data_rows {
            let mut values: Vec<Option<&str>> = vec![None; width];
            for (column, value) in row {
                if let Some(slot) = values.get_mut(*column) {
                    *slot = Some(value.as_str());
                }
            }
            if let Some(activity) = &mut activity {
                activity.observe(values.get(activity.idx).copied().flatten());
            }
            for (profile, value) in profiles.iter_mut().zip(values) {
                profile.observe(value);
            }
        }
        report.tables.push(TableReport {
            table: name,
            rows_sampled: data_rows.len() as u64,
            rows_total: None,
            columns: judge_columns(&header, &profiles, options),
            n_columns: width,
            inactivity: activity.map(ActivityColumn::finish),
        });
    }
}
