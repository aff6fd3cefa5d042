//! Splitting a syslog TCP stream into frames (RFC 6587): octet counting
//! (`LEN SP MSG`) or newline framing, chosen per connection.

use std::fmt;

/// The frame-size limit used when the caller has no configured value.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 64 * 1024;

/// The most digits an octet count may have.
const MAX_LENGTH_DIGITS: usize = 10;

/// How a connection frames its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `LEN SP MSG` (RFC 6587 3.4.1), as rsyslog and syslog-ng send.
    OctetCounting,
    /// One message per line (RFC 6587 3.4.2), as nginx-style senders and
    /// `logger --tcp` without `--octet-count` send.
    NonTransparent,
}

/// A frame that could not be read; reading goes on after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// A frame longer than the limit: it was skipped.
    TooLong {
        /// Its length, when the octet count said it (newline framing only
        /// knows it was over the limit).
        length: Option<u64>,
    },
    /// An octet count that is not `1*DIGIT SP`: the bytes up to the next
    /// newline were skipped to find the next frame.
    BadLength,
    /// The connection ended in the middle of an octet-counted frame.
    Truncated,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLong { length: Some(length) } => {
                write!(f, "frame of {length} bytes over the limit")
            }
            FrameError::TooLong { length: None } => f.write_str("frame over the limit"),
            FrameError::BadLength => f.write_str("invalid octet count"),
            FrameError::Truncated => f.write_str("connection closed inside a frame"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Splits the bytes of one TCP connection into frames.
///
/// Feed it with [`push`](Self::push), then take frames with
/// [`next_frame`](Self::next_frame) until it returns `None`; at the end of
/// the connection, [`finish`](Self::finish) returns a last unterminated
/// line. Memory is bounded by the frame limit plus what one `push` adds.
///
/// ```
/// use ingest::syslog::TcpFramer;
/// let mut framer = TcpFramer::new(1024);
/// framer.push(b"11 <13>1 - - -6 <13>h");
/// assert_eq!(framer.next_frame(), Some(Ok(&b"<13>1 - - -"[..])));
/// assert_eq!(framer.next_frame(), None, "the second frame is not complete");
/// ```
#[derive(Debug)]
pub struct TcpFramer {
    framing: Option<Framing>,
    max_frame_bytes: usize,
    buf: Vec<u8>,
    /// `buf[start..]` is not consumed yet.
    start: usize,
    /// Bytes still to drop (the rest of a frame over the limit).
    skip: u64,
    /// Dropping up to the next newline (after a bad length or an overlong
    /// line).
    is_skipping_line: bool,
    /// Where the search for a newline resumes, relative to `start`.
    scanned: usize,
}

impl TcpFramer {
    /// A framer for a new connection, with frames of at most
    /// `max_frame_bytes`.
    pub fn new(max_frame_bytes: usize) -> Self {
        TcpFramer {
            framing: None,
            max_frame_bytes: max_frame_bytes.max(1),
            buf: Vec::new(),
            start: 0,
            skip: 0,
            is_skipping_line: false,
            scanned: 0,
        }
    }

    /// The framing chosen from the connection's first byte, once known.
    pub fn framing(&self) -> Option<Framing> {
        self.framing
    }

    /// Adds bytes read from the connection.
    pub fn push(&mut self, data: &[u8]) {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// The next complete frame, an error for a frame that was skipped, or
    /// `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<&[u8], FrameError>> {
        loop {
            if self.skip > 0 {
                let available = (self.buf.len() - self.start) as u64;
                let n_skipped = available.min(self.skip);
                self.start += n_skipped as usize;
                self.skip -= n_skipped;
                if self.skip > 0 {
                    return None;
                }
            }
            if self.is_skipping_line {
                let pending = &self.buf[self.start..];
                match memchr::memchr(b'\n', pending) {
                    Some(idx) => {
                        self.start += idx + 1;
                        self.is_skipping_line = false;
                    }
                    None => {
                        self.start = self.buf.len();
                        return None;
                    }
                }
            }
            let framing = match self.framing {
                Some(framing) => framing,
                None => {
                    let &first = self.buf.get(self.start)?;
                    let framing = if first.is_ascii_digit() {
                        Framing::OctetCounting
                    } else {
                        Framing::NonTransparent
                    };
                    self.framing = Some(framing);
                    framing
                }
            };
            let step = match framing {
                Framing::OctetCounting => self.next_counted(),
                Framing::NonTransparent => self.next_line(),
            };
            match step {
                Step::NeedMore => return None,
                Step::Skipped => continue,
                Step::Error(error) => return Some(Err(error)),
                Step::Frame(start, end) => return Some(Ok(&self.buf[start..end])),
            }
        }
    }

    /// Ends the connection: a last line without a newline is a frame; a cut
    /// octet-counted frame is [`FrameError::Truncated`].
    pub fn finish(&mut self) -> Option<Result<&[u8], FrameError>> {
        let start = std::mem::replace(&mut self.start, self.buf.len());
        let rest = &self.buf[start..];
        if self.skip > 0 {
            self.skip = 0;
            return Some(Err(FrameError::Truncated));
        }
        if self.is_skipping_line || rest.iter().all(|byte| matches!(byte, b'\n' | b'\r')) {
            return None;
        }
        match self.framing {
            Some(Framing::OctetCounting) => Some(Err(FrameError::Truncated)),
            _ => Some(Ok(rest)),
        }
    }

    fn next_counted(&mut self) -> Step {
        // Some senders end octet-counted frames with a newline too.
        while matches!(self.buf.get(self.start), Some(b'\n' | b'\r')) {
            self.start += 1;
        }
        let pending = &self.buf[self.start..];
        let n_digits = pending.iter().take_while(|byte| byte.is_ascii_digit()).count();
        if n_digits == pending.len() && n_digits <= MAX_LENGTH_DIGITS {
            return Step::NeedMore;
        }
        if n_digits == 0 || n_digits > MAX_LENGTH_DIGITS || pending[n_digits] != b' ' {
            self.is_skipping_line = true;
            return Step::Error(FrameError::BadLength);
        }
        let length = pending[..n_digits]
            .iter()
            .fold(0u64, |value, digit| value * 10 + u64::from(digit - b'0'));
        if length > self.max_frame_bytes as u64 {
            self.start += n_digits + 1;
            self.skip = length;
            return Step::Error(FrameError::TooLong { length: Some(length) });
        }
        if length == 0 {
            self.start += n_digits + 1;
            return Step::Skipped;
        }
        let frame_start = self.start + n_digits + 1;
        let frame_end = frame_start + length as usize;
        if frame_end > self.buf.len() {
            return Step::NeedMore;
        }
        self.start = frame_end;
        Step::Frame(frame_start, frame_end)
    }

    fn next_line(&mut self) -> Step {
        let pending = &self.buf[self.start..];
        let scanned = self.scanned.min(pending.len());
        match memchr::memchr(b'\n', &pending[scanned..]) {
            Some(idx) => {
                let line_start = self.start;
                let mut line_end = self.start + scanned + idx;
                self.start = line_end + 1;
                if line_end > line_start && self.buf[line_end - 1] == b'\r' {
                    line_end -= 1;
                }
                self.scanned = 0;
                let line = &self.buf[line_start..line_end];
                if line.len() > self.max_frame_bytes {
                    return Step::Error(FrameError::TooLong { length: None });
                }
                if line.is_empty() {
                    return Step::Skipped;
                }
                Step::Frame(line_start, line_end)
            }
            None if pending.len() > self.max_frame_bytes => {
                self.start = self.buf.len();
                self.scanned = 0;
                self.is_skipping_line = true;
                Step::Error(FrameError::TooLong { length: None })
            }
            None => {
                self.scanned = pending.len();
                Step::NeedMore
            }
        }
    }
}

enum Step {
    NeedMore,
    Skipped,
    Error(FrameError),
    Frame(usize, usize),
}
