//! A minimal XLSX writer for the inventory (`scan --inventory-xlsx`): one
//! sheet of inline strings and numbers in a zip of deflated entries, the
//! five parts Office Open XML requires and nothing else. Pure: it returns
//! the workbook's bytes and the caller writes them.

use std::fmt::Write as _;
use std::io::Write as _;

/// A cell of the sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum XlsxCell {
    /// Text, written as an inline string.
    Text(String),
    /// A number.
    Number(f64),
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;

const PACKAGE_RELATIONSHIPS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELATIONSHIPS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// Text escaped for XML; characters XML 1.0 cannot hold are dropped.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            _ if u32::from(ch) < 0x20 || ch == '\u{fffe}' || ch == '\u{ffff}' => {}
            _ => out.push(ch),
        }
    }
    out
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let name: String = name
        .chars()
        .filter(|ch| !matches!(ch, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if name.is_empty() { "Sheet1".to_owned() } else { name }
}

/// The column letters of a zero-based index (`0` → `A`, `27` → `AB`).
fn column_letters(mut idx: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (idx % 26) as u8);
        if idx < 26 {
            break;
        }
        idx = idx / 26 - 1;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

fn worksheet(rows: &[Vec<XlsxCell>]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for (row_idx, row) in rows.iter().enumerate() {
        let row_number = row_idx + 1;
        let _ = write!(xml, "<row r=\"{row_number}\">");
        for (column, cell) in row.iter().enumerate() {
            let reference = format!("{}{row_number}", column_letters(column));
            match cell {
                XlsxCell::Text(text) => {
                    let _ = write!(
                        xml,
                        "<c r=\"{reference}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                        escape_xml(text)
                    );
                }
                XlsxCell::Number(number) if number.is_finite() => {
                    let _ = write!(xml, "<c r=\"{reference}\"><v>{number}</v></c>");
                }
                XlsxCell::Number(_) => {}
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// A zip archive of `entries`, each deflated (or stored, should deflating
/// fail), with CRC-32s and a central directory.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(content);
        let crc = crc.sum();
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        let deflated = encoder.write_all(content).and_then(|()| encoder.finish());
        let (method, data): (u16, &[u8]) = match &deflated {
            Ok(deflated) => (8, deflated),
            Err(_) => (0, content),
        };
        let offset = out.len() as u32;
        let name = name.as_bytes();
        // 1980-01-01 00:00, the earliest date a zip can hold: no clock is read.
        let (time, date) = (0u16, 0x21u16);
        let mut common = Vec::with_capacity(26);
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed
        common.extend_from_slice(&0u16.to_le_bytes()); // flags
        common.extend_from_slice(&method.to_le_bytes());
        common.extend_from_slice(&time.to_le_bytes());
        common.extend_from_slice(&date.to_le_bytes());
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(content.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        out.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04]);
        out.extend_from_slice(&common);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02]);
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&common);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        central.extend_from_slice(&0u16.to_le_bytes()); // disk number
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
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
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}

/// A workbook of one sheet named `sheet` holding `rows` (the first is
/// usually the header).
pub fn write_xlsx(sheet: &str, rows: &[Vec<XlsxCell>]) -> Vec<u8> {
    let workbook = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"{}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        escape_xml(&sheet_name(sheet))
    );
    let worksheet = worksheet(rows);
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", PACKAGE_RELATIONSHIPS.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS.as_bytes()),
        ("xl/worksheets/sheet1.xml", worksheet.as_bytes()),
    ])
}
