//! Tests of the ingest crate through its public entry points.

mod follow;
mod lines;
mod reader;
mod sources;
mod syslog;

use std::io::{self, Read};

use crate::{LineIssue, LineReader};

/// Reads every line, rendering each as `number: text` (escaped) with its
/// issue, and the error that ended the input, if any, as `error: …`.
fn render_lines<R: Read>(mut lines: LineReader<R>) -> String {
    let mut out = String::new();
    while let Some(line) = lines.next_line() {
        match line {
            Ok(line) => {
                out.push_str(&format!("{}: {}", line.number, line.bytes.escape_ascii()));
                match line.issue {
                    Some(LineIssue::TooLong { length }) => {
                        out.push_str(&format!(" [too long: {length}]"));
                    }
                    Some(LineIssue::ContainsNul) => out.push_str(" [nul]"),
                    Some(LineIssue::NoTrailingNewline) => out.push_str(" [no newline]"),
                    None => {}
                }
            }
            Err(error) => out.push_str(&format!("error: {error}")),
        }
        out.push('\n');
    }
    assert!(lines.next_line().is_none(), "a finished reader stays finished");
    out
}

/// A line's bytes and issue, owned.
type OwnedLine = (Vec<u8>, Option<LineIssue>);

/// Reads every line into owned data, with the error that ended the input.
fn collect_lines<R: Read>(mut lines: LineReader<R>) -> (Vec<OwnedLine>, Option<crate::Error>) {
    let mut collected = Vec::new();
    while let Some(line) = lines.next_line() {
        match line {
            Ok(line) => {
                assert_eq!(line.number, collected.len() as u64 + 1, "lines are numbered from 1");
                collected.push((line.bytes.to_vec(), line.issue));
            }
            Err(error) => {
                assert!(lines.next_line().is_none(), "an error ends the input");
                return (collected, Some(error));
            }
        }
    }
    (collected, None)
}

/// Hands out its data in reads of the sizes given in turn; a size of 0 is an
/// `Interrupted` error, which readers must retry.
struct ShortReads<'data> {
    data: &'data [u8],
    sizes: Vec<usize>,
    idx: usize,
}

impl<'data> ShortReads<'data> {
    fn new(data: &'data [u8], sizes: Vec<usize>) -> Self {
        assert!(!sizes.is_empty());
        ShortReads { data, sizes, idx: 0 }
    }
}

impl Read for ShortReads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.idx % self.sizes.len()];
        self.idx += 1;
        if size == 0 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n_read = size.min(buf.len()).min(self.data.len());
        buf[..n_read].copy_from_slice(&self.data[..n_read]);
        self.data = &self.data[n_read..];
        Ok(n_read)
    }
}

/// Hands out its data, then fails with `message`.
struct FailsAfter<'data> {
    data: &'data [u8],
    message: &'static str,
}

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, self.message));
        }
        let n_read = buf.len().min(self.data.len());
        buf[..n_read].copy_from_slice(&self.data[..n_read]);
        self.data = &self.data[n_read..];
        Ok(n_read)
    }
}
