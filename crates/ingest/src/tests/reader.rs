//! Opening sources: decompression chosen by the first bytes, progress, and
//! corrupt or unsupported data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use flate2::Compression as Level;
use flate2::write::GzEncoder;

use super::{collect_lines, render_lines};
use crate::{Compression, Error, LineIssue, Source};

const LINES: &str = "\
203.0.113.9 - - [19/Nov/2026:23:59:58 +0800] \"GET /member/orders HTTP/1.1\" 200 512\n\
203.0.113.9 - - [19/Nov/2026:23:59:59 +0800] \"GET /cart HTTP/1.1\" 200 128\n\
198.51.100.7 - - [20/Nov/2026:00:00:01 +0800] \"POST /customer/account/loginPost HTTP/1.1\" 302 0\n";

const RENDERED: &str = "\
1: 203.0.113.9 - - [19/Nov/2026:23:59:58 +0800] \\\"GET /member/orders HTTP/1.1\\\" 200 512\n\
2: 203.0.113.9 - - [19/Nov/2026:23:59:59 +0800] \\\"GET /cart HTTP/1.1\\\" 200 128\n\
3: 198.51.100.7 - - [20/Nov/2026:00:00:01 +0800] \\\"POST /customer/account/loginPost HTTP/1.1\\\" 302 0\n";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Level::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn source_at(path: &Path) -> Source {
    let size = std::fs::metadata(path).ok().map(|metadata| metadata.len());
    Source { path: Some(path.to_path_buf()), display: path.display().to_string(), size }
}

fn write_file(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, data).unwrap();
    path
}

/// Opens `data` written to a file named `name`, checking the compression
/// found, and renders its lines.
#[track_caller]
fn check_file(name: &str, data: &[u8], compression: Compression, expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let source = source_at(&write_file(&dir, name, data));
    let reader = source.open().unwrap();
    assert_eq!(reader.compression(), compression);
    let lines = crate::LineReader::new(reader, 1024).with_display(name);
    assert_eq!(render_lines(lines), expect);
}

#[test]
fn plain_file_is_read_as_is() {
    check_file("access.log", LINES.as_bytes(), Compression::Plain, RENDERED);
}

#[test]
fn gzip_file_is_decompressed() {
    check_file("access.log.1.gz", &gzip(LINES.as_bytes()), Compression::Gzip, RENDERED);
}

#[test]
fn zstd_file_is_decompressed() {
    check_file("access.log.1.zst", &zstd(LINES.as_bytes()), Compression::Zstd, RENDERED);
}

/// Made by the `zstd` command-line tool, one frame per input file and with
/// checksums: `(zstd -c first; zstd -c second) > two-frames.log.zst`.
#[test]
fn zstd_file_with_several_frames_is_read_to_its_end() {
    let data = include_bytes!("../../test_data/two-frames.log.zst");
    check_file("two-frames.log.zst", data, Compression::Zstd, RENDERED);
}

#[test]
fn zstd_skippable_frames_are_skipped() {
    let mut data = vec![0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0];
    data.extend_from_slice(b"index");
    data.extend(zstd(LINES.as_bytes()));
    data.extend_from_slice(&[0x5e, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
    check_file("pzstd.log.zst", &data, Compression::Zstd, RENDERED);
}

#[test]
fn multi_member_gzip_is_read_to_its_end() {
    let (first, second) = LINES.split_at(LINES.find("198.51").unwrap());
    let mut data = gzip(first.as_bytes());
    data.extend(gzip(second.as_bytes()));
    check_file("access.log.2.gz", &data, Compression::Gzip, RENDERED);
}

#[test]
fn misnamed_files_are_decoded_by_their_content() {
    check_file("access.log", &gzip(LINES.as_bytes()), Compression::Gzip, RENDERED);
    check_file("access.log.gz", LINES.as_bytes(), Compression::Plain, RENDERED);
    check_file("access.log.gz", &zstd(LINES.as_bytes()), Compression::Zstd, RENDERED);
}

#[test]
fn empty_and_tiny_files_are_plain() {
    check_file("empty.log", b"", Compression::Plain, "");
    check_file("newline.log", b"\n", Compression::Plain, "1: \n");
    check_file("one-byte.log", b"\x1f", Compression::Plain, "1: \\x1f [no newline]\n");
}

#[test]
fn empty_gzip_member_has_no_lines() {
    check_file("empty.log.gz", &gzip(b""), Compression::Gzip, "");
}

#[test]
fn garbage_after_a_gzip_member_is_one_error_after_its_lines() {
    let mut data = gzip(LINES.as_bytes());
    data.extend_from_slice(b"not gzip at all\n");
    let expect =
        format!("{RENDERED}error: reading access.log.2.gz after line 3: invalid gzip header\n");
    check_file("access.log.2.gz", &data, Compression::Gzip, &expect);
}

#[test]
fn corrupt_deflate_data_in_the_middle_is_one_error_after_the_lines_before() {
    let mut data = gzip(LINES.as_bytes());
    let mut corrupt = gzip(b"never seen\n");
    // The first deflate byte: final block, reserved block type 3.
    corrupt[10] = 0b111;
    data.extend(corrupt);
    data.extend(gzip(b"never seen either\n"));
    let expect =
        format!("{RENDERED}error: reading access.log.2.gz after line 3: corrupt deflate stream\n");
    check_file("access.log.2.gz", &data, Compression::Gzip, &expect);
}

#[test]
fn truncated_gzip_keeps_what_was_decoded_and_says_it_is_truncated() {
    let content: String = (0..2000).map(|idx| format!("GET /product/{idx} HTTP/1.1\n")).collect();
    let data = gzip(content.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let source = source_at(&write_file(&dir, "cut.log.gz", &data[..data.len() / 2]));
    let (lines, error) = collect_lines(source.lines(1024).unwrap());
    assert!(!lines.is_empty());
    let expected: Vec<&str> = content.lines().collect();
    for (idx, (bytes, issue)) in lines.iter().enumerate() {
        if *issue == Some(LineIssue::NoTrailingNewline) {
            assert_eq!(idx, lines.len() - 1, "only the last line can be partial");
            assert!(expected[idx].as_bytes().starts_with(bytes));
        } else {
            assert_eq!((bytes.as_slice(), *issue), (expected[idx].as_bytes(), None));
        }
    }
    let message = error.expect("a truncated file is an error").to_string();
    let prefix = format!("reading {}/cut.log.gz after line ", dir.path().display());
    assert!(message.starts_with(&prefix), "{message}");
    assert!(message.ends_with(": unexpected end of data (the file is truncated)"), "{message}");
}

#[test]
fn truncated_zstd_says_it_is_truncated() {
    let content: String = (0..2000).map(|idx| format!("GET /product/{idx} HTTP/1.1\n")).collect();
    let data = zstd(content.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let source = source_at(&write_file(&dir, "cut.log.zst", &data[..data.len() / 2]));
    let (_, error) = collect_lines(source.lines(1024).unwrap());
    let message = error.expect("a truncated file is an error").to_string();
    assert!(message.ends_with(": unexpected end of data (the file is truncated)"), "{message}");
}

#[test]
fn zstd_checksum_mismatch_is_an_error() {
    let mut data = include_bytes!("../../test_data/two-frames.log.zst").to_vec();
    // The first frame's checksum ends where the second frame's magic starts.
    let second_frame = data.windows(4).rposition(|magic| magic == [0x28, 0xb5, 0x2f, 0xfd]);
    data[second_frame.unwrap() - 1] ^= 0xff;
    let expect = "1: 203.0.113.9 - - [19/Nov/2026:23:59:58 +0800] \\\"GET /member/orders HTTP/1.1\\\" 200 512\n\
                  2: 203.0.113.9 - - [19/Nov/2026:23:59:59 +0800] \\\"GET /cart HTTP/1.1\\\" 200 128\n\
                  error: reading bad.zst after line 2: zstd checksum mismatch (the data is corrupt)\n";
    check_file("bad.zst", &data, Compression::Zstd, expect);
}

#[test]
fn progress_counts_the_compressed_bytes_read() {
    let content = LINES.repeat(10_000);
    let data = gzip(content.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let source = source_at(&write_file(&dir, "access.log.1.gz", &data));
    let reader = source.open().unwrap();
    let progress = reader.progress();
    let mut lines = crate::LineReader::new(reader, 1024);
    let mut n_lines = 0;
    while let Some(line) = lines.next_line() {
        line.unwrap();
        n_lines += 1;
    }
    assert_eq!(n_lines, 30_000);
    assert_eq!(lines.position(), content.len() as u64);
    assert_eq!(progress.load(Ordering::Relaxed), data.len() as u64);
    assert_eq!(Some(data.len() as u64), source.size);
}

#[test]
fn progress_of_a_plain_file_reaches_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let source = source_at(&write_file(&dir, "access.log", LINES.as_bytes()));
    let reader = source.open().unwrap();
    let progress = reader.progress();
    let (lines, error) = collect_lines(crate::LineReader::new(reader, 1024));
    assert_eq!((lines.len(), error), (3, None));
    assert_eq!(Some(progress.load(Ordering::Relaxed)), source.size);
}

#[test]
fn xz_and_bzip2_are_refused_with_a_command_to_decompress_them() {
    let dir = tempfile::tempdir().unwrap();
    let xz = source_at(&write_file(&dir, "a.log.xz", b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F"));
    let error = xz.open().unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{0} is xz-compressed, which is not supported (decompress it and pass the result, \
             e.g. `xz -dc {0} | leakguard analyze -`)",
            xz.display
        )
    );
    let bzip2 = source_at(&write_file(&dir, "a.log", b"BZh91AY&SY\x01\x02"));
    assert!(matches!(bzip2.open(), Err(Error::UnsupportedCompression { format: "bzip2", .. })));
}

#[test]
fn text_that_starts_like_bzip2_is_plain() {
    check_file("b.log", b"BZh9 is a fine line\n", Compression::Plain, "1: BZh9 is a fine line\n");
}

#[test]
fn opening_a_file_that_went_away_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    let source =
        Source { path: Some(path.clone()), display: "logs/access.log".to_owned(), size: None };
    let error = source.open().unwrap_err();
    assert_eq!(error.to_string(), "cannot open logs/access.log: no such file");
}
