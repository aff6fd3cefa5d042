//! Properties: the readers never panic on any bytes, and a ragged or broken
//! file is still scanned.

use std::io::Write;

use proptest::prelude::*;

use crate::{ScanOptions, parse_csv, scan_source};

fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b","[..],
        b"\t",
        b";",
        b"\"",
        b"\"\"",
        b"\n",
        b"\r\n",
        b"name",
        b"mobile",
        b"0912345678",
        b"A123456789",
        "王小明".as_bytes(),
        b"\xef\xbb\xbf",
        b"\xa4\xa4",
        b"\xff",
        b"\0",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b"'",
        b"INSERT INTO t VALUES (",
        b");",
        b"CREATE TABLE t (a",
        b"\\",
        b"\x1f\x8b",
        b"PK\x03\x04",
        b"PK\x05\x06\0\0\0\0\x01\0\x01\0",
        b"PK\x01\x02",
        b"<row><c r=\"ZZZZ9\" t=\"s\"><v>7</v></c>",
        b"\x28\xb5\x2f\xfd",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn readers_never_panic(bytes in file_bytes(), extension in prop::sample::select(vec!["csv", "jsonl", "json", "sql", "log", "csv.gz", "xlsx"])) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(format!("input.{extension}"));
        std::fs::File::create(&path).and_then(|mut file| file.write_all(&bytes)).expect("write");
        let reports = scan_source(&path.to_string_lossy(), &ScanOptions::default());
        prop_assert_eq!(reports.len(), 1);
        let _ = parse_csv(&String::from_utf8_lossy(&bytes), 100);
    }
}
