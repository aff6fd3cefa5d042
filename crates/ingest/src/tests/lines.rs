//! Splitting bytes into lines: edge cases, limits, errors, and a property
//! test against `split(b'\n')`.

use std::io::{self, Read};

use proptest::prelude::*;

use super::{FailsAfter, OwnedLine, ShortReads, collect_lines, render_lines};
use crate::{LineIssue, LineReader};

#[track_caller]
fn check(input: &[u8], max_line_bytes: usize, expect: &str) {
    let actual = render_lines(LineReader::new(input, max_line_bytes));
    assert_eq!(actual, expect, "input: {}", input.escape_ascii());
}

#[test]
fn splits_lines_on_newlines() {
    check(b"GET /\nPOST /login\n", 100, "1: GET /\n2: POST /login\n");
}

#[test]
fn crlf_lines_lose_their_carriage_return() {
    check(b"GET /\r\nPOST /login\r\n", 100, "1: GET /\n2: POST /login\n");
}

#[test]
fn only_one_trailing_carriage_return_is_removed() {
    check(b"a\r\r\nb\rc\n\r\n", 100, "1: a\\r\n2: b\\rc\n3: \n");
}

#[test]
fn empty_input_has_no_lines() {
    check(b"", 100, "");
}

#[test]
fn a_lone_newline_is_one_empty_line() {
    check(b"\n", 100, "1: \n");
}

#[test]
fn blank_lines_are_lines() {
    check(b"\n\nx\n\n", 100, "1: \n2: \n3: x\n4: \n");
}

#[test]
fn truncated_last_line_is_returned_and_marked() {
    check(b"GET /\nGET /cart", 100, "1: GET /\n2: GET /cart [no newline]\n");
    check(b"GET /cart\r", 100, "1: GET /cart [no newline]\n");
}

#[test]
fn nul_bytes_are_marked() {
    check(b"a\0b\nok\n\0\0\0", 100, "1: a\\x00b [nul]\n2: ok\n3: \\x00\\x00\\x00 [nul]\n");
}

#[test]
fn line_at_the_limit_is_whole_and_one_over_is_cut() {
    check(b"abcd\nabcde\n", 4, "1: abcd\n2: abcd [too long: 5]\n");
    check(b"abcd\r\nabcde\r\n", 4, "1: abcd\n2: abcd [too long: 5]\n");
}

#[test]
fn too_long_last_line_without_newline_is_cut() {
    check(b"ok\nabcdefgh", 4, "1: ok\n2: abcd [too long: 8]\n");
}

#[test]
fn a_zero_limit_cuts_every_non_empty_line() {
    check(b"a\n\nbc\n", 0, "1:  [too long: 1]\n2: \n3:  [too long: 2]\n");
}

#[test]
fn one_megabyte_line_is_cut_to_the_limit_in_bounded_memory() {
    let max_line_bytes = 64 * 1024;
    let mut input = b"before\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    input.extend_from_slice(b"\r\nafter\n");
    let mut lines = LineReader::new(&input[..], max_line_bytes);
    assert!(lines.buffer_bytes() <= 4 * max_line_bytes, "buffer: {}", lines.buffer_bytes());

    assert_eq!(lines.next_line().unwrap().unwrap().bytes, b"before");
    let long = lines.next_line().unwrap().unwrap();
    assert_eq!((long.number, long.bytes.len()), (2, max_line_bytes));
    assert_eq!(long.issue, Some(LineIssue::TooLong { length: 1024 * 1024 }));
    let after = lines.next_line().unwrap().unwrap();
    assert_eq!((after.number, after.bytes, after.issue), (3, &b"after"[..], None));
    assert!(lines.next_line().is_none());
    assert_eq!(lines.position(), input.len() as u64);
}

/// An endless line: `length` bytes of `x`, then a newline, read in chunks
/// that never hold the whole line.
struct Endless {
    remaining: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let n_read = buf.len().min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        buf[..n_read].fill(b'x');
        self.remaining -= n_read as u64;
        if self.remaining == 0 {
            buf[n_read - 1] = b'\n';
        }
        Ok(n_read)
    }
}

#[test]
fn a_line_much_larger_than_the_buffer_is_skipped_without_growing_it() {
    let length: u64 = 16 * 1024 * 1024;
    let mut lines = LineReader::new(Endless { remaining: length + 1 }, 1024);
    let buffer_bytes = lines.buffer_bytes();
    let line = lines.next_line().unwrap().unwrap();
    assert_eq!(line.bytes.len(), 1024);
    assert_eq!(line.issue, Some(LineIssue::TooLong { length }));
    assert!(lines.next_line().is_none());
    assert_eq!(lines.buffer_bytes(), buffer_bytes);
}

#[test]
fn read_error_keeps_the_lines_before_and_is_reported_once() {
    let reader = FailsAfter { data: b"one\ntwo\nthr", message: "Disk on fire (os error 5)" };
    let lines = LineReader::new(reader, 100).with_display("logs/access.log");
    assert_eq!(
        render_lines(lines),
        "1: one\n2: two\n3: thr [no newline]\n\
         error: reading logs/access.log after line 3: disk on fire\n"
    );
}

#[test]
fn read_error_before_any_line_says_so() {
    let reader = FailsAfter { data: b"", message: "corrupt deflate stream" };
    let lines = LineReader::new(reader, 100).with_display("a.log.gz");
    assert_eq!(
        render_lines(lines),
        "error: reading a.log.gz before the first line: corrupt deflate stream\n"
    );
}

#[test]
fn position_is_the_end_of_the_last_returned_line() {
    let mut lines = LineReader::new(&b"ab\r\ncd\nef"[..], 100);
    assert_eq!(lines.position(), 0);
    lines.next_line().unwrap().unwrap();
    assert_eq!(lines.position(), 4);
    lines.next_line().unwrap().unwrap();
    assert_eq!(lines.position(), 7);
    lines.next_line().unwrap().unwrap();
    assert_eq!(lines.position(), 9);
    assert_eq!(lines.n_lines(), 3);
}

/// What the lines of `content` must be: `content.split(b'\n')` without the
/// empty piece after a final newline, one `\r` stripped, cut to the limit.
fn model_lines(content: &[u8], max_line_bytes: usize) -> Vec<OwnedLine> {
    if content.is_empty() {
        return Vec::new();
    }
    let has_final_newline = content.ends_with(b"\n");
    let mut pieces: Vec<&[u8]> = content.split(|byte| *byte == b'\n').collect();
    if has_final_newline {
        pieces.pop();
    }
    let n_pieces = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(idx, piece)| {
            let line = piece.strip_suffix(b"\r").unwrap_or(piece);
            let is_terminated = idx + 1 < n_pieces || has_final_newline;
            if line.len() > max_line_bytes {
                let issue = LineIssue::TooLong { length: line.len() as u64 };
                (line[..max_line_bytes].to_vec(), Some(issue))
            } else if line.contains(&0) {
                (line.to_vec(), Some(LineIssue::ContainsNul))
            } else if !is_terminated {
                (line.to_vec(), Some(LineIssue::NoTrailingNewline))
            } else {
                (line.to_vec(), None)
            }
        })
        .collect()
}

fn content() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => Just(b'\n'),
        2 => Just(b'\r'),
        1 => Just(0u8),
        10 => b'a'..=b'e',
        1 => any::<u8>(),
    ];
    proptest::collection::vec(byte, 0..400)
}

proptest! {
    #[test]
    fn lines_match_split_on_newline_for_any_input_and_read_sizes(
        content in content(),
        max_line_bytes in 0usize..40,
        buffer_bytes in 1usize..80,
        read_sizes in proptest::collection::vec(0usize..30, 1..8),
    ) {
        prop_assume!(read_sizes.iter().any(|size| *size > 0));
        let reader = ShortReads::new(&content, read_sizes);
        let mut lines = LineReader::with_buffer_bytes(reader, max_line_bytes, buffer_bytes);
        let mut actual = Vec::new();
        while let Some(line) = lines.next_line() {
            let line = line.expect("reading from memory does not fail");
            prop_assert_eq!(line.number, actual.len() as u64 + 1);
            actual.push((line.bytes.to_vec(), line.issue));
        }
        prop_assert_eq!(actual, model_lines(&content, max_line_bytes));
        prop_assert_eq!(lines.position(), content.len() as u64);
        prop_assert!(lines.buffer_bytes() <= buffer_bytes.max(max_line_bytes + 3));
    }

    #[test]
    fn an_error_at_any_point_ends_the_lines_after_what_was_read(
        content in content(),
        cut in 0usize..400,
        max_line_bytes in 0usize..40,
    ) {
        let cut = cut.min(content.len());
        let reader = FailsAfter { data: &content[..cut], message: "boom" };
        let (actual, error) = collect_lines(LineReader::new(reader, max_line_bytes));
        prop_assert_eq!(actual, model_lines(&content[..cut], max_line_bytes));
        prop_assert!(error.is_some());
    }
}
