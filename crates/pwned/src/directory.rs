//! The downloader's folder: one text file per prefix (`ABCDE.txt` or
//! `ABCDE`), each line `SUFFIX:COUNT`.

use std::path::{Path, PathBuf};

use crate::bucket::{Bucket, record_len};
use crate::{Error, HashKind, Prefix, Result, hex_value};

/// A folder of prefix files.
#[derive(Debug)]
pub(crate) struct Directory {
    path: PathBuf,
    kind: HashKind,
}

impl Directory {
    pub(crate) fn new(path: &Path, kind: HashKind) -> Directory {
        Directory { path: path.to_path_buf(), kind }
    }

    /// The prefix's file, read and parsed; an absent file is an empty bucket.
    pub(crate) fn bucket(&self, prefix: Prefix) -> Result<Bucket> {
        let hex = prefix.to_hex();
        for name in [format!("{hex}.txt"), hex.clone()] {
            let path = self.path.join(&name);
            match std::fs::read(&path) {
                Ok(bytes) => return parse_prefix_file(&path, self.kind, prefix, &bytes),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(Error::Read { path, source }),
            }
        }
        Ok(Bucket::from_sorted_records(self.kind, prefix, Vec::new()))
    }
}

/// Parses one prefix file's `SUFFIX:COUNT` lines (CRLF or LF, blank lines
/// allowed) into a sorted bucket; a bad or repeated line is an error naming
/// the file and line, never the line's text.
pub(crate) fn parse_prefix_file(
    path: &Path,
    kind: HashKind,
    prefix: Prefix,
    bytes: &[u8],
) -> Result<Bucket> {
    let suffix_hex = kind.suffix_hex_len();
    let suffix_len = kind.hash_len() - 2;
    let record_len = record_len(kind);
    let mut records: Vec<u8> = Vec::with_capacity(bytes.len() / (suffix_hex + 3) * record_len);
    // The first suffix byte's high half is the prefix's last hex digit.
    let mut line_numbers: Vec<usize> = Vec::new();
    let last_digit = u8::try_from(prefix.value() & 0xF).unwrap_or(0);
    let bad = |line: usize, problem: &str| Error::BadLine {
        path: path.to_path_buf(),
        line,
        problem: problem.to_owned(),
    };
    for (idx, line) in bytes.split(|&byte| byte == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let number = idx + 1;
        let expected = format!("expected {suffix_hex} hex digits, a colon and a count");
        let Some(colon) = line.iter().position(|&byte| byte == b':') else {
            return Err(bad(number, &expected));
        };
        let (suffix, count) = (&line[..colon], &line[colon + 1..]);
        if suffix.len() != suffix_hex {
            return Err(bad(number, &expected));
        }
        let mut digits = Vec::with_capacity(suffix_hex + 1);
        digits.push(last_digit);
        for &byte in suffix {
            digits.push(hex_value(byte).ok_or_else(|| bad(number, &expected))?);
        }
        let count = std::str::from_utf8(count)
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .ok_or_else(|| bad(number, "the count is not a whole number"))?;
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        for pair in digits.chunks(2) {
            records.push((pair[0] << 4) | pair[1]);
        }
        debug_assert_eq!(records.len() % record_len, suffix_len);
        records.extend_from_slice(&count.to_le_bytes());
        line_numbers.push(number);
    }
    // The downloader writes sorted files; sort anyway (cheap when sorted) and refuse repeats.
    let suffix_of = |idx: usize| &records[idx * record_len..idx * record_len + suffix_len];
    let n_records = line_numbers.len();
    if (1..n_records).all(|idx| suffix_of(idx - 1) < suffix_of(idx)) {
        return Ok(Bucket::from_sorted_records(kind, prefix, records));
    }
    let mut order: Vec<usize> = (0..n_records).collect();
    order.sort_by(|&left, &right| suffix_of(left).cmp(suffix_of(right)));
    if let Some(pair) = order.windows(2).find(|pair| suffix_of(pair[0]) == suffix_of(pair[1])) {
        let line = line_numbers[pair[0]].max(line_numbers[pair[1]]);
        return Err(bad(line, "this suffix appeared on an earlier line"));
    }
    let mut sorted = Vec::with_capacity(records.len());
    for idx in order {
        sorted.extend_from_slice(&records[idx * record_len..(idx + 1) * record_len]);
    }
    Ok(Bucket::from_sorted_records(kind, prefix, sorted))
}
