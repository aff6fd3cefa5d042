//! Parsing one syslog message: RFC 3164 and RFC 5424 headers.

use std::fmt;

/// A message's priority: facility and severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priority {
    /// 0 (kernel) to 23 (local7); nginx uses local7 (23) by default.
    pub facility: u8,
    /// 0 (emergency) to 7 (debug); nginx's access log uses info (6).
    pub severity: u8,
}

/// Which header a message had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// The BSD format (RFC 3164), as nginx, `logger` and most devices send.
    Rfc3164,
    /// The structured format (RFC 5424), version 1.
    Rfc5424,
    /// No recognisable header: the whole frame is the message.
    Unknown,
}

/// A parsed message, borrowed from its frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// `None` when the frame had no `<PRI>`.
    pub priority: Option<Priority>,
    /// Which header it had.
    pub protocol: Protocol,
    /// The timestamp as written (`Dec  1 23:31:14`,
    /// `2026-12-01T23:31:14.003+08:00`).
    pub timestamp: Option<&'a str>,
    /// The sending host.
    pub host: Option<&'a str>,
    /// The RFC 3164 tag (`nginx`) or the RFC 5424 app-name.
    pub app_name: Option<&'a str>,
    /// The process id (`[1234]` after an RFC 3164 tag, PROCID in RFC 5424).
    pub proc_id: Option<&'a str>,
    /// The RFC 5424 MSGID.
    pub msg_id: Option<&'a str>,
    /// The RFC 5424 structured data, as written (`[exampleSDID@32473 ...]`).
    pub structured_data: Option<&'a str>,
    /// The message itself (without a trailing newline or UTF-8 BOM), not
    /// checked for UTF-8.
    pub message: &'a [u8],
}

/// Why a frame is not a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageError {
    /// The frame was empty (or only a newline).
    Empty,
    /// It starts with `<` but no valid priority (`<1a>`, `<192>`, no `>`).
    BadPriority,
    /// An RFC 5424 header that ends before its structured data.
    TruncatedHeader,
    /// RFC 5424 structured data that is not closed.
    BadStructuredData,
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MessageError::Empty => "empty message",
            MessageError::BadPriority => "invalid priority",
            MessageError::TruncatedHeader => "rfc 5424 header cut short",
            MessageError::BadStructuredData => "unterminated rfc 5424 structured data",
        })
    }
}

impl std::error::Error for MessageError {}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// The longest RFC 3164 tag we take as one (the RFC says 32; senders exceed it).
const MAX_TAG_BYTES: usize = 48;

/// Parses one message (one UDP datagram, or one TCP frame).
///
/// ```
/// let frame = b"<190>Dec  1 23:31:14 web1 nginx: 203.0.113.7 - - \"GET / HTTP/1.1\" 200 512\n";
/// let message = ingest::syslog::parse_message(frame).unwrap();
/// assert_eq!(message.priority.map(|priority| (priority.facility, priority.severity)), Some((23, 6)));
/// assert_eq!((message.host, message.app_name), (Some("web1"), Some("nginx")));
/// assert_eq!(message.message, b"203.0.113.7 - - \"GET / HTTP/1.1\" 200 512");
/// ```
pub fn parse_message(frame: &[u8]) -> Result<Message<'_>, MessageError> {
    let frame = trim_end(frame);
    if frame.is_empty() {
        return Err(MessageError::Empty);
    }
    let unknown = Message {
        priority: None,
        protocol: Protocol::Unknown,
        timestamp: None,
        host: None,
        app_name: None,
        proc_id: None,
        msg_id: None,
        structured_data: None,
        message: frame,
    };
    if frame[0] != b'<' {
        // RFC 3164 4.3.3: a frame without a priority is taken whole.
        return Ok(unknown);
    }
    let (priority, rest) = parse_priority(frame)?;
    if let Some(rest) = rest.strip_prefix(b"1 ") {
        return parse_5424(priority, rest);
    }
    Ok(parse_3164(priority, rest))
}

/// Removes trailing newlines, carriage returns and NULs (some senders end
/// frames with a NUL).
fn trim_end(frame: &[u8]) -> &[u8] {
    let end =
        frame.iter().rposition(|byte| !matches!(byte, b'\n' | b'\r' | 0)).map_or(0, |idx| idx + 1);
    &frame[..end]
}

fn parse_priority(frame: &[u8]) -> Result<(Priority, &[u8]), MessageError> {
    let close =
        frame.iter().take(5).position(|&byte| byte == b'>').ok_or(MessageError::BadPriority)?;
    let digits = &frame[1..close];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(MessageError::BadPriority);
    }
    let value = digits.iter().fold(0u16, |value, digit| value * 10 + u16::from(digit - b'0'));
    if value > 191 {
        return Err(MessageError::BadPriority);
    }
    let priority = Priority { facility: (value / 8) as u8, severity: (value % 8) as u8 };
    Ok((priority, &frame[close + 1..]))
}

fn parse_5424(priority: Priority, rest: &[u8]) -> Result<Message<'_>, MessageError> {
    let mut rest = rest;
    let mut fields = [None; 5];
    for field in &mut fields {
        let (token, tail) = next_token(rest).ok_or(MessageError::TruncatedHeader)?;
        *field = nil_or_text(token);
        rest = tail;
    }
    let [timestamp, host, app_name, proc_id, msg_id] = fields;
    if rest.is_empty() {
        return Err(MessageError::TruncatedHeader);
    }
    let (structured_data, rest) = if rest[0] == b'-' {
        (None, &rest[1..])
    } else if rest[0] == b'[' {
        let end = structured_data_end(rest).ok_or(MessageError::BadStructuredData)?;
        (std::str::from_utf8(&rest[..end]).ok(), &rest[end..])
    } else {
        return Err(MessageError::BadStructuredData);
    };
    let message = match rest {
        [] => rest,
        [b' ', message @ ..] => message.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(message),
        _ => return Err(MessageError::BadStructuredData),
    };
    Ok(Message {
        priority: Some(priority),
        protocol: Protocol::Rfc5424,
        timestamp,
        host,
        app_name,
        proc_id,
        msg_id,
        structured_data,
        message,
    })
}

/// The token before the next space, and what follows that space.
fn next_token(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let idx = memchr::memchr(b' ', bytes)?;
    (idx > 0).then(|| (&bytes[..idx], &bytes[idx + 1..]))
}

fn nil_or_text(token: &[u8]) -> Option<&str> {
    if token == b"-" { None } else { std::str::from_utf8(token).ok() }
}

/// The end of one or more `[id param="value" ...]` elements, honouring
/// `\"`, `\]` and `\\` inside values.
fn structured_data_end(bytes: &[u8]) -> Option<usize> {
    let mut idx = 0;
    while bytes.get(idx) == Some(&b'[') {
        let mut is_quoted = false;
        idx += 1;
        loop {
            match *bytes.get(idx)? {
                b'\\' if is_quoted => idx += 1,
                b'"' => is_quoted = !is_quoted,
                b']' if !is_quoted => break,
                _ => {}
            }
            idx += 1;
        }
        idx += 1;
    }
    Some(idx)
}

fn parse_3164(priority: Priority, rest: &[u8]) -> Message<'_> {
    let mut message = Message {
        priority: Some(priority),
        protocol: Protocol::Rfc3164,
        timestamp: None,
        host: None,
        app_name: None,
        proc_id: None,
        msg_id: None,
        structured_data: None,
        message: rest,
    };
    let Some((timestamp, rest)) = split_3164_timestamp(rest) else {
        // RFC 3164 4.3.2: without a valid timestamp, the rest is the message.
        return message;
    };
    message.timestamp = Some(timestamp);
    let (host, rest) = match next_token(rest) {
        // A token that is a tag (`nginx:`, `sshd[42]:`) means no hostname
        // (nginx's `nohostname`).
        Some((token, tail)) if split_tag(token).is_none() => {
            (std::str::from_utf8(token).ok(), tail)
        }
        _ => (None, rest),
    };
    message.host = host;
    message.message = rest;
    if let Some((token, tail)) = next_token_or_all(rest)
        && let Some((tag, proc_id)) = split_tag(token)
    {
        message.app_name = Some(tag);
        message.proc_id = proc_id;
        message.message = tail;
    }
    message
}

/// `Mmm dd hh:mm:ss ` (day padded with a space), or an ISO 8601 timestamp
/// (`2026-12-01T23:31:14Z `) as rsyslog's forwarding formats write.
fn split_3164_timestamp(bytes: &[u8]) -> Option<(&str, &[u8])> {
    if bytes.len() > 16 && MONTHS.iter().any(|month| bytes.starts_with(&month[..])) {
        let stamp = &bytes[..15];
        let is_shaped = stamp[3] == b' '
            && (stamp[4] == b' ' || stamp[4].is_ascii_digit())
            && stamp[5].is_ascii_digit()
            && stamp[6] == b' '
            && stamp[9] == b':'
            && stamp[12] == b':'
            && [7, 8, 10, 11, 13, 14].iter().all(|&idx| stamp[idx].is_ascii_digit());
        if is_shaped && bytes[15] == b' ' {
            return Some((std::str::from_utf8(stamp).ok()?, &bytes[16..]));
        }
        return None;
    }
    let (token, rest) = next_token(bytes)?;
    let is_iso = token.len() >= 19
        && token[..4].iter().all(u8::is_ascii_digit)
        && token[4] == b'-'
        && token[10] == b'T';
    if is_iso { Some((std::str::from_utf8(token).ok()?, rest)) } else { None }
}

/// Like [`next_token`], but a last token without a space is taken whole.
fn next_token_or_all(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    match memchr::memchr(b' ', bytes) {
        Some(0) => None,
        Some(idx) => Some((&bytes[..idx], &bytes[idx + 1..])),
        None if !bytes.is_empty() => Some((bytes, &bytes[bytes.len()..])),
        None => None,
    }
}

/// Reads `tag:` or `tag[pid]:` as (tag, pid).
fn split_tag(token: &[u8]) -> Option<(&str, Option<&str>)> {
    let body = token.strip_suffix(b":")?;
    let (tag, proc_id) = match body.strip_suffix(b"]") {
        Some(inner) => {
            let open = memchr::memchr(b'[', inner)?;
            (&inner[..open], Some(&inner[open + 1..]))
        }
        None => (body, None),
    };
    let is_tag_byte = |byte: &u8| byte.is_ascii_graphic() && !matches!(byte, b'[' | b']' | b':');
    if tag.is_empty() || tag.len() > MAX_TAG_BYTES || !tag.iter().all(is_tag_byte) {
        return None;
    }
    let tag = std::str::from_utf8(tag).ok()?;
    let proc_id = match proc_id {
        Some(proc_id) if !proc_id.is_empty() && proc_id.iter().all(is_tag_byte) => {
            Some(std::str::from_utf8(proc_id).ok()?)
        }
        Some(_) => return None,
        None => None,
    };
    Some((tag, proc_id))
}
