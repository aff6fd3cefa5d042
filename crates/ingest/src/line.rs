//! Splitting a byte stream into lines, zero-copy and in bounded memory.
//!
//! [`LineReader`] reads big chunks into one buffer that it allocates once,
//! finds line ends with `memchr`, and lends each line out as a slice of that
//! buffer. A line longer than the limit is cut: its first `max_line_bytes`
//! are returned and the rest is read and dropped chunk by chunk, so a
//! gigabyte without a newline costs no more memory than a short line.
//!
//! What counts as a line follows `bytes.split(b'\n')`: the final empty piece
//! after a trailing newline is not a line, one trailing `\r` is removed from
//! every line, and a last line without a newline is still returned (marked).
//!
//! The end of the input is final here, which suits historical files and
//! standard input. Following a live file will need the partial last line
//! kept back and reading resumed when the file grows: a change to what
//! happens at the end of the input (`State::Ended`), with the same buffer
//! and [`LineReader::position`] as the checkpoint.

use std::io::{self, Read};

use crate::{Error, Result, describe_io_error};

/// The line-length limit used when the caller has no configured value.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024;

/// The size of the read buffer when the caller does not choose one.
///
/// Big enough that a read costs little per byte, small enough to stay in a
/// core's L2 cache while the lines in it are parsed.
pub const DEFAULT_BUFFER_BYTES: usize = 256 * 1024;

/// The least free space the buffer keeps for a read on top of the longest
/// partial line it may hold.
const MIN_READ_BYTES: usize = 64 * 1024;

/// One line, borrowed from the [`LineReader`]'s buffer until the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'buf> {
    /// 1-based line number within the source.
    pub number: u64,
    /// The line without its `\n` and without one trailing `\r`; at most
    /// `max_line_bytes` long. Not checked for UTF-8.
    pub bytes: &'buf [u8],
    /// Something unusual about the line, if any.
    pub issue: Option<LineIssue>,
}

/// Something unusual about a line, for the caller to count or report.
///
/// A line has at most one issue; when several apply, the first in this order
/// wins: [`TooLong`](Self::TooLong), [`ContainsNul`](Self::ContainsNul),
/// [`NoTrailingNewline`](Self::NoTrailingNewline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineIssue {
    /// The line was longer than `max_line_bytes`: only its first
    /// `max_line_bytes` are in [`Line::bytes`], the rest was skipped.
    TooLong {
        /// The line's full length in bytes (without `\n` and a trailing `\r`).
        length: u64,
    },
    /// The returned bytes contain a NUL byte (often a file that was
    /// preallocated or cut by a crash).
    ContainsNul,
    /// The input ended without a newline after this line: the last line of a
    /// file that was cut, or is still being written.
    NoTrailingNewline,
}

/// Reads lines from any [`Read`], lending each one out as a [`Line`].
///
/// This is a lending iterator: a [`Line`] borrows the reader's buffer, so it
/// must be dropped before the next call to [`next_line`](Self::next_line).
///
/// ```
/// let input: &[u8] = b"GET /\r\nPOST /login\npartial";
/// let mut lines = ingest::LineReader::new(input, 1024);
/// let first = lines.next_line().unwrap().unwrap();
/// assert_eq!((first.number, first.bytes), (1, &b"GET /"[..]));
/// let second = lines.next_line().unwrap().unwrap();
/// assert_eq!(second.bytes, b"POST /login");
/// let third = lines.next_line().unwrap().unwrap();
/// assert_eq!(third.issue, Some(ingest::LineIssue::NoTrailingNewline));
/// assert!(lines.next_line().is_none());
/// ```
#[derive(Debug)]
pub struct LineReader<R> {
    reader: R,
    /// Shown in errors; see [`with_display`](Self::with_display).
    display: String,
    max_line_bytes: usize,
    /// Allocated once, never resized.
    buf: Box<[u8]>,
    /// `buf[start..end]` is read but not yet returned.
    start: usize,
    end: usize,
    /// `buf[start..scan]` is known to hold no `\n`.
    scan: usize,
    /// Whether `buf[start..scan]` holds a NUL byte.
    has_nul: bool,
    /// The stream offset of `buf[0]`, so that `position = buf_offset + start`.
    buf_offset: u64,
    /// Lines returned so far.
    number: u64,
    state: State,
}

#[derive(Debug)]
enum State {
    Reading,
    /// The reader reported the end of its data (or failed, with the error to
    /// report once the buffered lines are out).
    Ended(Option<io::Error>),
    Done,
}

impl<R: Read> LineReader<R> {
    /// Reads lines from `reader`, cutting lines longer than `max_line_bytes`.
    ///
    /// The buffer holds [`DEFAULT_BUFFER_BYTES`], or more when the limit
    /// needs it (the limit plus 64 KiB): the limit is a memory bound, which
    /// the caller's configuration should keep reasonable.
    pub fn new(reader: R, max_line_bytes: usize) -> Self {
        let buffer_bytes =
            DEFAULT_BUFFER_BYTES.max(max_line_bytes.saturating_add(2 + MIN_READ_BYTES));
        Self::with_buffer_bytes(reader, max_line_bytes, buffer_bytes)
    }

    /// Like [`new`](Self::new) with a chosen buffer size, raised to the
    /// least that the limit needs (`max_line_bytes + 3`).
    pub fn with_buffer_bytes(reader: R, max_line_bytes: usize, buffer_bytes: usize) -> Self {
        // A partial line may take `max_line_bytes + 2` bytes before it is
        // known to be too long (the last one may be a `\r` to strip); one more
        // byte guarantees every read has room.
        let buffer_bytes = buffer_bytes.max(max_line_bytes.saturating_add(3));
        LineReader {
            reader,
            display: "input".to_owned(),
            max_line_bytes,
            buf: vec![0; buffer_bytes].into_boxed_slice(),
            start: 0,
            end: 0,
            scan: 0,
            has_nul: false,
            buf_offset: 0,
            number: 0,
            state: State::Reading,
        }
    }

    /// Names the source in errors (`reading logs/access.log after line 3: …`).
    #[must_use]
    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.display = display.into();
        self
    }

    /// The next line; `None` once the input is exhausted.
    ///
    /// An error while reading is returned once, after every line read before
    /// it (a partial line before the error comes out marked
    /// [`LineIssue::NoTrailingNewline`]); then the reader is done.
    pub fn next_line(&mut self) -> Option<Result<Line<'_>>> {
        let (line_start, line_end, issue) = loop {
            if let State::Done = self.state {
                return None;
            }
            let haystack = &self.buf[self.scan..self.end];
            // Once the line is known to hold a NUL, look for its end only: a
            // run of NULs must not cost one search per byte.
            let found = if self.has_nul {
                memchr::memchr(b'\n', haystack)
            } else {
                memchr::memchr2(b'\n', 0, haystack)
            };
            if let Some(idx) = found {
                let found = self.scan + idx;
                if self.buf[found] == 0 {
                    self.has_nul = true;
                    self.scan = found + 1;
                    continue;
                }
                let line_start = self.start;
                self.start = found + 1;
                self.scan = self.start;
                break self.finish_line(line_start, found, true);
            }
            self.scan = self.end;
            let pending = self.end - self.start;
            if pending > self.max_line_bytes.saturating_add(1) {
                // Even if its last byte is a `\r` to strip, the line is over
                // the limit.
                break self.skip_long_line();
            }
            if let State::Ended(_) = self.state {
                if pending == 0 {
                    return self.finish_input();
                }
                let line_start = self.start;
                self.start = self.end;
                self.scan = self.end;
                break self.finish_line(line_start, self.end, false);
            }
            self.compact();
            self.fill(self.end);
        };
        self.number += 1;
        Some(Ok(Line { number: self.number, bytes: &self.buf[line_start..line_end], issue }))
    }

    /// How many lines were returned so far.
    pub fn n_lines(&self) -> u64 {
        self.number
    }

    /// How many bytes of the (decompressed) input the lines returned so far
    /// took, with their newlines: where reading would resume in a plain file.
    pub fn position(&self) -> u64 {
        self.buf_offset + self.start as u64
    }

    /// The line-length limit.
    pub fn max_line_bytes(&self) -> usize {
        self.max_line_bytes
    }

    /// The size of the buffer, which is allocated once and never grows.
    pub fn buffer_bytes(&self) -> usize {
        self.buf.len()
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// Gives back the underlying reader; the buffered bytes are lost.
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// Strips the line `buf[line_start..line_end]` of a trailing `\r`, cuts it
    /// to the limit and names its issue. Resets the per-line NUL flag.
    fn finish_line(
        &mut self,
        line_start: usize,
        line_end: usize,
        is_terminated: bool,
    ) -> (usize, usize, Option<LineIssue>) {
        let mut line_end = line_end;
        if line_end > line_start && self.buf[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        let has_nul = std::mem::take(&mut self.has_nul);
        let length = line_end - line_start;
        if length > self.max_line_bytes {
            let cut_end = line_start + self.max_line_bytes;
            return (line_start, cut_end, Some(LineIssue::TooLong { length: length as u64 }));
        }
        let issue = if has_nul {
            Some(LineIssue::ContainsNul)
        } else if is_terminated {
            None
        } else {
            Some(LineIssue::NoTrailingNewline)
        };
        (line_start, line_end, issue)
    }

    /// Returns the first `max_line_bytes` of the pending line, reading and
    /// dropping the rest of it without holding more than one chunk.
    fn skip_long_line(&mut self) -> (usize, usize, Option<LineIssue>) {
        self.has_nul = false;
        self.compact();
        let kept_end = self.max_line_bytes;
        // `buf[kept_end..end]` has no newline (it was scanned).
        let mut length = self.end as u64;
        let mut last_byte = self.buf[self.end - 1];
        loop {
            // Drop what is past the kept prefix; the stream offset of the
            // bytes read next into `buf[kept_end..]` moves on by as much.
            self.buf_offset += (self.end - kept_end) as u64;
            self.end = kept_end;
            if !self.fill(kept_end) {
                // The input ended (or failed) in the middle of the line.
                self.start = self.end;
                self.scan = self.end;
                break;
            }
            let chunk = &self.buf[kept_end..self.end];
            if let Some(idx) = memchr::memchr(b'\n', chunk) {
                length += idx as u64;
                if idx > 0 {
                    last_byte = chunk[idx - 1];
                }
                self.start = kept_end + idx + 1;
                self.scan = self.start;
                break;
            }
            length += chunk.len() as u64;
            last_byte = chunk[chunk.len() - 1];
        }
        if last_byte == b'\r' {
            length -= 1;
        }
        (0, kept_end, Some(LineIssue::TooLong { length }))
    }

    /// Moves the pending bytes to the front of the buffer.
    fn compact(&mut self) {
        if self.start == 0 {
            return;
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.buf_offset += self.start as u64;
        self.end -= self.start;
        self.scan -= self.start;
        self.start = 0;
    }

    /// Reads into `buf[at..]`, setting `end` past the new bytes. Returns false
    /// (and moves to [`State::Ended`]) at the end of the input or on an error.
    fn fill(&mut self, at: usize) -> bool {
        debug_assert!(at < self.buf.len(), "the buffer always has room for a read");
        loop {
            match self.reader.read(&mut self.buf[at..]) {
                Ok(0) => {
                    self.state = State::Ended(None);
                    return false;
                }
                Ok(n_read) => {
                    // A reader claiming more than the room it was given is
                    // buggy; trust only the room.
                    self.end = at + n_read.min(self.buf.len() - at);
                    return true;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    self.state = State::Ended(Some(error));
                    return false;
                }
            }
        }
    }

    /// Ends the input: the reader's error if it had one, then nothing.
    fn finish_input(&mut self) -> Option<Result<Line<'_>>> {
        let State::Ended(Some(error)) = std::mem::replace(&mut self.state, State::Done) else {
            return None;
        };
        Some(Err(Error::Read {
            source_display: self.display.clone(),
            line: self.number,
            message: describe_io_error(&error),
        }))
    }
}
