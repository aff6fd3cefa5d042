//! Assembling lines from the chunks a growing file hands out: a partial
//! last line is held (at most `max_line_bytes + 1` of it) until its newline
//! arrives, or until the caller flushes it.

use crate::LineIssue;

/// One line as cut from the stream.
#[derive(Debug)]
pub(crate) struct Piece<'a> {
    /// The offset of the line's first byte.
    pub(crate) offset: u64,
    /// The offset after its newline (after its last byte when flushed).
    pub(crate) end_offset: u64,
    pub(crate) bytes: &'a [u8],
    pub(crate) issue: Option<LineIssue>,
}

/// The state of one stream: where the pending line starts and what of it
/// has been read.
#[derive(Debug, Default)]
pub(crate) struct Splitter {
    /// The offset after the last line handed out.
    pub(crate) offset: u64,
    /// The first bytes of the pending line (no more than the limit plus one).
    pending: Vec<u8>,
    /// The pending line's full length so far, in bytes.
    pending_len: u64,
    /// The pending line's last byte, to strip a `\r` cut off from `pending`.
    last_byte: u8,
}

impl Splitter {
    pub(crate) fn new(offset: u64) -> Self {
        Splitter { offset, ..Splitter::default() }
    }

    /// Where the next read starts: after the pending bytes.
    pub(crate) fn read_pos(&self) -> u64 {
        self.offset + self.pending_len
    }

    /// Whether part of a line is held.
    pub(crate) fn has_pending(&self) -> bool {
        self.pending_len > 0
    }

    /// Drops the pending bytes and starts again at `offset`.
    pub(crate) fn reset(&mut self, offset: u64) {
        self.pending.clear();
        self.pending_len = 0;
        self.offset = offset;
    }

    /// Splits `chunk`, the bytes at [`read_pos`](Self::read_pos), handing
    /// out every line it completes. Returns the number of lines.
    pub(crate) fn push(
        &mut self,
        chunk: &[u8],
        max_line_bytes: usize,
        emit: &mut dyn FnMut(Piece<'_>),
    ) -> u64 {
        let mut n_lines = 0;
        let mut rest = chunk;
        while let Some(idx) = memchr::memchr(b'\n', rest) {
            let part = &rest[..idx];
            rest = &rest[idx + 1..];
            n_lines += 1;
            let offset = self.offset;
            if self.pending_len == 0 {
                // The common case: the whole line is in this chunk.
                let end_offset = offset + idx as u64 + 1;
                let last_byte = part.last().copied().unwrap_or(0);
                let (bytes, issue) = finish(part, idx as u64, last_byte, max_line_bytes, true);
                self.offset = end_offset;
                emit(Piece { offset, end_offset, bytes, issue });
            } else {
                self.append(part, max_line_bytes);
                let end_offset = offset + self.pending_len + 1;
                let (bytes, issue) =
                    finish(&self.pending, self.pending_len, self.last_byte, max_line_bytes, true);
                emit(Piece { offset, end_offset, bytes, issue });
                self.pending.clear();
                self.pending_len = 0;
                self.offset = end_offset;
            }
        }
        if !rest.is_empty() {
            self.append(rest, max_line_bytes);
        }
        n_lines
    }

    /// Hands out the pending bytes as a line without a newline.
    pub(crate) fn flush(&mut self, max_line_bytes: usize, emit: &mut dyn FnMut(Piece<'_>)) -> u64 {
        if self.pending_len == 0 {
            return 0;
        }
        let offset = self.offset;
        let end_offset = offset + self.pending_len;
        let (bytes, issue) =
            finish(&self.pending, self.pending_len, self.last_byte, max_line_bytes, false);
        emit(Piece { offset, end_offset, bytes, issue });
        self.pending.clear();
        self.pending_len = 0;
        self.offset = end_offset;
        1
    }

    fn append(&mut self, part: &[u8], max_line_bytes: usize) {
        let Some(&last_byte) = part.last() else {
            return;
        };
        let room = max_line_bytes.saturating_add(1).saturating_sub(self.pending.len());
        self.pending.extend_from_slice(&part[..part.len().min(room)]);
        self.pending_len += part.len() as u64;
        self.last_byte = last_byte;
    }
}

/// Strips one trailing `\r`, cuts the line to the limit and names its issue,
/// in the order [`LineIssue`] documents. `kept` holds the line's first bytes
/// (all of them when it is within the limit); `len` is its full length.
fn finish(
    kept: &[u8],
    len: u64,
    last_byte: u8,
    max_line_bytes: usize,
    is_terminated: bool,
) -> (&[u8], Option<LineIssue>) {
    let len = if len > 0 && last_byte == b'\r' { len - 1 } else { len };
    if len > max_line_bytes as u64 {
        return (&kept[..max_line_bytes.min(kept.len())], Some(LineIssue::TooLong { length: len }));
    }
    // Within the limit, `kept` holds the whole line.
    let bytes = &kept[..len as usize];
    let issue = if memchr::memchr(0, bytes).is_some() {
        Some(LineIssue::ContainsNul)
    } else if is_terminated {
        None
    } else {
        Some(LineIssue::NoTrailingNewline)
    };
    (bytes, issue)
}
