//! Compiled nginx `log_format` and Apache `LogFormat` strings.
//!
//! A format string compiles into a list of segments: literal text and fields.
//! Matching walks the line once: each field's value ends where the next
//! literal begins, found with `memchr`. Quoted values may contain an escaped
//! quote (`\"`, or `\x22` from nginx), which is skipped; old Apache versions
//! wrote a bare `"` inside the request, so when the rest of the line does not
//! fit after a quote, the matcher tries the next quote (a few times at most).
//!
//! The built-in `combined` and `common` formats are compiled from their format
//! strings like any other, and tolerate extra fields at the end of the line
//! (many sites append `"$http_x_forwarded_for"` or timings to `combined`).

use std::borrow::Cow;
use std::net::IpAddr;

use model::Event;

use crate::escape::unescape;
use crate::request::{apply_request, apply_target};
use crate::{CompileError, Error, Result, time};

/// Whose variable syntax a format string uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatDialect {
    /// `$remote_addr`, `$time_local`...
    Nginx,
    /// `%h`, `%t`, `%{User-Agent}i`...
    Apache,
}

/// The nginx `combined` format (Apache's is the same with `%` variables).
pub const COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
/// The Common Log Format.
pub const COMMON: &str =
    r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#;

/// `combined` preceded by the virtual host (Apache `vhost_combined`: `%v:%p %h ...`).
pub(crate) const VHOST_COMBINED: &str = r#"$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
/// `common` preceded by the virtual host.
pub(crate) const VHOST_COMMON: &str =
    r#"$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#;
/// `combined` written without the user field (some proxies and appliances).
pub(crate) const COMBINED_WITHOUT_USER: &str = r#"$remote_addr - [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;

/// What a field's text becomes in the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    RemoteAddr,
    /// Apache `%h`: an address, or a host name when lookups were on.
    RemoteHost,
    RemoteUser,
    TimeLocal,
    /// Apache `%t`, which includes its brackets.
    TimeBracketed,
    TimeIso8601,
    Msec,
    Request,
    Method,
    /// `$request_uri`: path and query.
    Target,
    /// `$uri` / `%U`: path only.
    Path,
    /// `$args`: query without `?`.
    Query,
    /// Apache `%q`: query with its leading `?`, or empty.
    QueryWithMark,
    Protocol,
    Status,
    Bytes,
    Referer,
    UserAgent,
    Host,
    /// Seconds with a fraction (`$request_time`, Apache `%T` whole seconds).
    RequestTimeSecs,
    /// Apache `%D`: microseconds.
    RequestTimeMicros,
    /// Apache `%{ms}T`: milliseconds.
    RequestTimeMillis,
    Upstream,
    ForwardedFor,
    RealIp,
    Session,
    /// A variable leakguard does not use; matched and dropped.
    Ignored,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::RemoteAddr | Field::RemoteHost => "remote_addr",
            Field::RemoteUser => "remote_user",
            Field::TimeLocal | Field::TimeBracketed => "time_local",
            Field::TimeIso8601 => "time_iso8601",
            Field::Msec => "msec",
            Field::Request => "request",
            Field::Method => "request_method",
            Field::Target => "request_uri",
            Field::Path => "uri",
            Field::Query | Field::QueryWithMark => "args",
            Field::Protocol => "server_protocol",
            Field::Status => "status",
            Field::Bytes => "body_bytes_sent",
            Field::Referer => "http_referer",
            Field::UserAgent => "http_user_agent",
            Field::Host => "host",
            Field::RequestTimeSecs | Field::RequestTimeMicros | Field::RequestTimeMillis => {
                "request_time"
            }
            Field::Upstream => "upstream_addr",
            Field::ForwardedFor => "http_x_forwarded_for",
            Field::RealIp => "http_x_real_ip",
            Field::Session => "session",
            Field::Ignored => "ignored",
        }
    }

    /// Fields whose text is stored as is (after unescaping), with no parsing.
    fn is_plain_text(self) -> bool {
        matches!(
            self,
            Field::RemoteUser
                | Field::Method
                | Field::Path
                | Field::Query
                | Field::Protocol
                | Field::Referer
                | Field::UserAgent
                | Field::Host
                | Field::Upstream
                | Field::ForwardedFor
                | Field::Session
                | Field::Request
                | Field::Target
                | Field::Ignored
        )
    }

    /// The width a field nearly always has, checked before searching.
    fn usual_width(self) -> Option<usize> {
        match self {
            Field::TimeLocal => Some(26),
            Field::TimeBracketed => Some(28),
            Field::Status => Some(3),
            _ => None,
        }
    }

    fn is_time(self) -> bool {
        matches!(self, Field::TimeLocal | Field::TimeBracketed | Field::TimeIso8601 | Field::Msec)
    }

    fn is_client(self) -> bool {
        matches!(self, Field::RemoteAddr | Field::RemoteHost)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(Box<str>),
    Field { field: Field, variable: Box<str> },
}

/// A format string compiled into segments.
#[derive(Debug, Clone)]
pub struct CompiledFormat {
    segments: Vec<Segment>,
    allows_trailing: bool,
    allows_cut_last_quote: bool,
    ignored: Vec<String>,
}

/// How many later quotes the matcher tries when the rest of a line does not fit.
const MAX_QUOTE_RETRIES: usize = 4;

impl CompiledFormat {
    /// The built-in `combined` format.
    pub fn combined() -> CompiledFormat {
        CompiledFormat::built_in(COMBINED)
    }

    /// The built-in `common` format.
    pub fn common() -> CompiledFormat {
        CompiledFormat::built_in(COMMON)
    }

    /// A built-in format: shared by nginx and Apache, so the client may be a
    /// host name (Apache `HostnameLookups`), extra fields may follow, and a
    /// line cut inside its last quoted field still counts.
    pub(crate) fn built_in(text: &str) -> CompiledFormat {
        let mut format = CompiledFormat::compile(text, FormatDialect::Nginx)
            .expect("the built-in formats compile");
        for segment in &mut format.segments {
            if let Segment::Field { field: field @ Field::RemoteAddr, .. } = segment {
                *field = Field::RemoteHost;
            }
        }
        format.allows_trailing = true;
        format.allows_cut_last_quote = true;
        format
    }

    /// Compiles a format string. A whole pasted directive is accepted too:
    /// `log_format main '$remote_addr ...' '...';` or `LogFormat "%h ..." combined`.
    pub fn compile(text: &str, dialect: FormatDialect) -> Result<CompiledFormat, CompileError> {
        let body = match dialect {
            FormatDialect::Nginx => extract_nginx_directive(text),
            FormatDialect::Apache => extract_apache_directive(text),
        };
        let segments = match dialect {
            FormatDialect::Nginx => compile_nginx(&body)?,
            FormatDialect::Apache => compile_apache(&body)?,
        };
        if segments.is_empty() {
            return Err(CompileError::Malformed("the format is empty".into()));
        }
        let mut previous: Option<&Segment> = None;
        for segment in &segments {
            if let (Some(Segment::Field { variable: first, .. }), Segment::Field { variable, .. }) =
                (previous, segment)
            {
                return Err(CompileError::AdjacentVariables {
                    first: first.to_string(),
                    second: variable.to_string(),
                });
            }
            previous = Some(segment);
        }
        let fields = || {
            segments.iter().filter_map(|segment| match segment {
                Segment::Field { field, .. } => Some(*field),
                Segment::Literal(_) => None,
            })
        };
        if !fields().any(Field::is_client) {
            return Err(CompileError::NoClientAddress);
        }
        if !fields().any(Field::is_time) {
            return Err(CompileError::Malformed(
                "the format has no time variable ($time_local, $time_iso8601, $msec or %t)".into(),
            ));
        }
        let ignored = segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Field { field: Field::Ignored, variable } => Some(variable.to_string()),
                _ => None,
            })
            .collect();
        Ok(CompiledFormat {
            segments,
            allows_trailing: false,
            allows_cut_last_quote: false,
            ignored,
        })
    }

    /// Variables in the format that leakguard matches but does not use.
    pub fn ignored_variables(&self) -> &[String] {
        &self.ignored
    }

    #[inline]
    pub(crate) fn parse<'a>(&self, line: &'a str, default_offset: i32) -> Result<Event<'a>> {
        let mut event = Event { utc_offset_secs: default_offset, ..Event::default() };
        let mut has_time = false;
        if !self.match_straight(line, &mut event, &mut has_time) {
            // The straight pass failed: redo it with backtracking over quotes,
            // which also produces the error to report.
            event = Event { utc_offset_secs: default_offset, ..Event::default() };
            has_time = false;
            self.match_from(line, 0, 0, &mut event, &mut has_time)?;
        }
        if !has_time {
            return Err(Error::MissingField("time".into()));
        }
        Ok(event)
    }

    /// The common case in one pass: each field ends at the first unescaped
    /// occurrence of the literal after it. Returns false on any mismatch.
    fn match_straight<'a>(
        &self,
        line: &'a str,
        event: &mut Event<'a>,
        has_time: &mut bool,
    ) -> bool {
        let bytes = line.as_bytes();
        let mut pos = 0;
        let mut idx = 0;
        while idx < self.segments.len() {
            match &self.segments[idx] {
                Segment::Literal(literal) => {
                    if !starts_with_at(bytes, pos, literal.as_bytes()) {
                        return false;
                    }
                    pos += literal.len();
                    idx += 1;
                }
                Segment::Field { field, .. } => {
                    let Some(Segment::Literal(next)) = self.segments.get(idx + 1) else {
                        let end = if self.allows_trailing {
                            find_byte(&bytes[pos..], b' ').map_or(bytes.len(), |at| pos + at)
                        } else {
                            bytes.len()
                        };
                        return store(*field, &line[pos..end], pos, event, has_time).is_ok();
                    };
                    let next = next.as_bytes();
                    let end = if next.first() == Some(&b'"') {
                        let Some((end, has_escape)) = find_closing_quote(bytes, pos, next) else {
                            return false;
                        };
                        if !has_escape && field.is_plain_text() {
                            store_plain(*field, &line[pos..end], event);
                            pos = end + next.len();
                            idx += 2;
                            continue;
                        }
                        end
                    } else if let Some(width) = field.usual_width()
                        && starts_with_at(bytes, pos + width, next)
                    {
                        pos + width
                    } else {
                        let Some(end) = find_literal(bytes, pos, next, false) else { return false };
                        end
                    };
                    if store(*field, &line[pos..end], pos, event, has_time).is_err() {
                        return false;
                    }
                    pos = end + next.len();
                    idx += 2;
                }
            }
        }
        pos == bytes.len() || self.allows_trailing
    }

    fn match_from<'a>(
        &self,
        line: &'a str,
        segment_idx: usize,
        pos: usize,
        event: &mut Event<'a>,
        has_time: &mut bool,
    ) -> Result<()> {
        let bytes = line.as_bytes();
        let mut idx = segment_idx;
        let mut pos = pos;
        while idx < self.segments.len() {
            match &self.segments[idx] {
                Segment::Literal(literal) => {
                    let literal = literal.as_bytes();
                    if !starts_with_at(bytes, pos, literal) {
                        return Err(mismatch(line, pos, literal));
                    }
                    pos += literal.len();
                    idx += 1;
                }
                Segment::Field { field, .. } => {
                    let Some(Segment::Literal(next)) = self.segments.get(idx + 1) else {
                        // The last field takes the rest of the line (up to a
                        // space when trailing text is allowed).
                        let end = if self.allows_trailing {
                            memchr::memchr(b' ', &bytes[pos..]).map_or(bytes.len(), |at| pos + at)
                        } else {
                            bytes.len()
                        };
                        store(*field, &line[pos..end], pos, event, has_time)?;
                        return Ok(());
                    };
                    let next = next.as_bytes();
                    let quoted = next.first() == Some(&b'"');
                    let mut search_from = pos;
                    let mut first_error = None;
                    for _ in 0..=MAX_QUOTE_RETRIES {
                        let Some(end) = find_literal(bytes, search_from, next, quoted) else {
                            break;
                        };
                        let attempt = store(*field, &line[pos..end], pos, event, has_time)
                            .and_then(|()| {
                                self.match_from(line, idx + 2, end + next.len(), event, has_time)
                            });
                        match attempt {
                            Ok(()) => return Ok(()),
                            Err(error) => {
                                first_error.get_or_insert(error);
                                if !quoted {
                                    break;
                                }
                                search_from = end + 1;
                            }
                        }
                    }
                    if first_error.is_none()
                        && self.allows_cut_last_quote
                        && next == b"\""
                        && idx + 2 == self.segments.len()
                    {
                        // The line was cut inside its last quoted field: keep what is there.
                        return store(*field, &line[pos..], pos, event, has_time);
                    }
                    return Err(first_error.unwrap_or_else(|| Error::UnexpectedEnd {
                        expected: literal_name(next),
                        column: bytes.len() + 1,
                    }));
                }
            }
        }
        if pos < bytes.len() && !self.allows_trailing {
            return Err(Error::Mismatch {
                expected: "end of line".into(),
                found: shorten(&line[pos..]),
                column: pos + 1,
            });
        }
        Ok(())
    }
}

fn literal_name(literal: &[u8]) -> &'static str {
    match literal {
        [b'"', ..] => "a closing quote",
        [b' ', ..] => "a space",
        [b']', ..] => "a closing bracket",
        _ => "the format's next literal text",
    }
}

/// Finds `literal` at or after `from`. With `quoted`, a quote preceded by an
/// odd number of backslashes is escaped and skipped.
fn find_literal(bytes: &[u8], from: usize, literal: &[u8], quoted: bool) -> Option<usize> {
    let first = *literal.first()?;
    let mut start = from;
    loop {
        let at = start + find_byte(bytes.get(start..)?, first)?;
        let is_escaped = quoted && at > 0 && bytes[at - 1] == b'\\' && {
            let backslashes = bytes[..at].iter().rev().take_while(|&&byte| byte == b'\\').count();
            backslashes % 2 == 1
        };
        if !is_escaped && starts_with_at(bytes, at, literal) {
            return Some(at);
        }
        start = at + 1;
    }
}

/// Finds the quote that closes a quoted value (the first byte of `literal`
/// followed by the rest of it), skipping backslash-escaped quotes. Also says
/// whether the value holds any backslash, so unescaping can be skipped.
fn find_closing_quote(bytes: &[u8], from: usize, literal: &[u8]) -> Option<(usize, bool)> {
    let mut start = from;
    let mut has_escape = false;
    loop {
        let at = start + memchr::memchr2(b'"', b'\\', bytes.get(start..)?)?;
        if bytes[at] == b'\\' {
            has_escape = true;
            start = at + 2;
            continue;
        }
        if starts_with_at(bytes, at, literal) {
            return Some((at, has_escape));
        }
        start = at + 1;
    }
}

/// Finds a byte; a plain loop over the first bytes beats `memchr`'s set-up on
/// the short fields (status, size) that make up most of a line.
#[inline]
pub(crate) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    const SHORT: usize = 16;
    let head = haystack.len().min(SHORT);
    if let Some(at) = haystack[..head].iter().position(|&byte| byte == needle) {
        return Some(at);
    }
    if haystack.len() <= SHORT {
        return None;
    }
    memchr::memchr(needle, &haystack[SHORT..]).map(|at| at + SHORT)
}

/// `bytes[pos..].starts_with(literal)` without a `memcmp` call for short literals.
#[inline]
fn starts_with_at(bytes: &[u8], pos: usize, literal: &[u8]) -> bool {
    match bytes.get(pos..pos + literal.len()) {
        Some(window) => window.iter().zip(literal).all(|(a, b)| a == b),
        None => false,
    }
}

fn shorten(text: &str) -> String {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

fn mismatch(line: &str, pos: usize, literal: &[u8]) -> Error {
    if pos >= line.len() {
        return Error::UnexpectedEnd { expected: literal_name(literal), column: pos + 1 };
    }
    Error::Mismatch {
        expected: String::from_utf8_lossy(literal).into_owned(),
        found: shorten(&line[pos..]),
        column: pos + 1,
    }
}

fn invalid(field: Field, text: &str, pos: usize) -> Error {
    Error::InvalidField { field: field.name(), value: shorten(text), column: pos + 1 }
}

/// A field's text, with `-` meaning absent.
fn text_of(text: &str) -> Cow<'_, str> {
    if is_dash(text) { Cow::Borrowed("") } else { unescape(text) }
}

fn parse_u64(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.bytes().try_fold(0u64, |value, byte| {
        byte.is_ascii_digit().then(|| value * 10 + u64::from(byte - b'0'))
    })
}

/// Parses an address that may carry a port: `1.2.3.4:80`, `[2001:db8::1]:443`.
pub(crate) fn parse_ip_with_port(text: &str) -> Option<IpAddr> {
    if let Some(rest) = text.strip_prefix('[') {
        let end = rest.find(']')?;
        return rest[..end].parse().ok();
    }
    let (host, port) = text.rsplit_once(':')?;
    if host.contains(':') || !port.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    host.parse().ok()
}

fn is_host_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-')
}

/// Whether a logged value is the `-` that means "absent".
#[inline]
fn is_dash(text: &str) -> bool {
    text.len() == 1 && text.as_bytes()[0] == b'-'
}

/// Parses a dotted-quad IPv4 address without the general parser's overhead;
/// anything else (IPv6, ports, names) goes to the caller's slower path.
#[inline]
pub(crate) fn parse_ipv4_fast(text: &str) -> Option<IpAddr> {
    let bytes = text.as_bytes();
    if bytes.len() < 7 || bytes.len() > 15 {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut idx = 0;
    let mut value: u32 = 0;
    let mut digits = 0;
    for &byte in bytes {
        match byte {
            b'0'..=b'9' => {
                // A leading zero makes an octet ambiguous (octal); leave it to std.
                if digits == 1 && value == 0 {
                    return None;
                }
                value = value * 10 + u32::from(byte - b'0');
                digits += 1;
                if digits > 3 || value > 255 {
                    return None;
                }
            }
            b'.' => {
                if digits == 0 || idx == 3 {
                    return None;
                }
                octets[idx] = value as u8;
                idx += 1;
                value = 0;
                digits = 0;
            }
            _ => return None,
        }
    }
    if idx != 3 || digits == 0 {
        return None;
    }
    octets[3] = value as u8;
    Some(IpAddr::from(octets))
}

fn store<'a>(
    field: Field,
    text: &'a str,
    pos: usize,
    event: &mut Event<'a>,
    has_time: &mut bool,
) -> Result<()> {
    match field {
        Field::RemoteAddr | Field::RemoteHost => {
            event.client_ip =
                match parse_ipv4_fast(text).ok_or(()).or_else(|()| text.parse::<IpAddr>()) {
                    Ok(ip) => Some(ip),
                    Err(_) => match parse_ip_with_port(text) {
                        Some(ip) => Some(ip),
                        None if field == Field::RemoteHost && is_host_name(text) => {
                            event.client_host = Cow::Borrowed(text);
                            None
                        }
                        None => return Err(invalid(field, text, pos)),
                    },
                };
        }
        Field::RemoteUser => event.remote_user = text_of(text),
        Field::TimeLocal => {
            let zoned =
                time::parse_clf(text.as_bytes()).ok_or_else(|| invalid(field, text, pos))?;
            set_time(event, zoned, has_time);
        }
        Field::TimeBracketed => {
            let inner = text
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .ok_or_else(|| invalid(field, text, pos))?;
            let zoned =
                time::parse_clf(inner.as_bytes()).ok_or_else(|| invalid(field, text, pos))?;
            set_time(event, zoned, has_time);
        }
        Field::TimeIso8601 => {
            let zoned = time::parse_iso8601(text.as_bytes(), event.utc_offset_secs)
                .ok_or_else(|| invalid(field, text, pos))?;
            set_time(event, zoned, has_time);
        }
        Field::Msec => {
            let zoned =
                time::parse_epoch_secs(text.as_bytes()).ok_or_else(|| invalid(field, text, pos))?;
            // `$msec` has no zone; keep the configured display offset.
            event.time = zoned.time;
            *has_time = true;
        }
        Field::Request => apply_request(event, text_of(text)),
        Field::Method => event.method = text_of(text),
        Field::Target => apply_target(event, text_of(text)),
        Field::Path => event.path = text_of(text),
        Field::Query => event.query = text_of(text),
        Field::QueryWithMark => {
            let text = text_of(text);
            event.query = match text {
                Cow::Borrowed(text) => Cow::Borrowed(text.strip_prefix('?').unwrap_or(text)),
                Cow::Owned(text) => Cow::Owned(text.strip_prefix('?').unwrap_or(&text).to_owned()),
            };
        }
        Field::Protocol => event.protocol = text_of(text),
        Field::Status => {
            event.status = match text {
                _ if text.is_empty() || is_dash(text) => None,
                _ => match parse_u64(text) {
                    Some(status) if status < 1000 => Some(status as u16),
                    _ => return Err(invalid(field, text, pos)),
                },
            };
        }
        Field::Bytes => {
            event.bytes = match text {
                "-" | "" => None,
                _ => Some(parse_u64(text).ok_or_else(|| invalid(field, text, pos))?),
            };
        }
        Field::Referer => event.referer = text_of(text),
        Field::UserAgent => event.user_agent = text_of(text),
        Field::Host => event.host = text_of(text),
        Field::RequestTimeSecs => event.request_time = parse_seconds(text, 1.0),
        Field::RequestTimeMicros => event.request_time = parse_seconds(text, 1e-6),
        Field::RequestTimeMillis => event.request_time = parse_seconds(text, 1e-3),
        Field::Upstream => event.upstream = text_of(text),
        Field::ForwardedFor => event.forwarded_for = text_of(text),
        Field::RealIp => crate::proxy::merge_real_ip(event, text_of(text)),
        Field::Session => event.session = text_of(text),
        Field::Ignored => {}
    }
    Ok(())
}

/// Stores a plain-text field known to need no unescaping.
#[inline]
fn store_plain<'a>(field: Field, text: &'a str, event: &mut Event<'a>) {
    let text = Cow::Borrowed(if is_dash(text) { "" } else { text });
    match field {
        Field::RemoteUser => event.remote_user = text,
        Field::Method => event.method = text,
        Field::Path => event.path = text,
        Field::Query => event.query = text,
        Field::Protocol => event.protocol = text,
        Field::Referer => event.referer = text,
        Field::UserAgent => event.user_agent = text,
        Field::Host => event.host = text,
        Field::Upstream => event.upstream = text,
        Field::ForwardedFor => event.forwarded_for = text,
        Field::Session => event.session = text,
        Field::Request => apply_request(event, text),
        Field::Target => apply_target(event, text),
        _ => {}
    }
}

fn set_time(event: &mut Event<'_>, zoned: time::ZonedTime, has_time: &mut bool) {
    event.time = zoned.time;
    event.utc_offset_secs = zoned.utc_offset_secs;
    *has_time = true;
}

/// A duration field; `-` or garbage is absent rather than an error, since
/// nginx writes `-` for requests that never reached an upstream.
fn parse_seconds(text: &str, unit: f64) -> Option<f64> {
    let first = text.split([',', ' ']).next()?;
    first.parse::<f64>().ok().filter(|value| value.is_finite() && *value >= 0.0).map(|v| v * unit)
}

/// Pulls the format out of a pasted `log_format name [escape=...] '...' '...';`.
fn extract_nginx_directive(text: &str) -> String {
    let trimmed = text.trim();
    let Some(rest) = trimmed.strip_prefix("log_format") else {
        return strip_outer_quotes(trimmed);
    };
    let mut pieces = String::new();
    let mut chars = rest.char_indices().peekable();
    let mut found_quote = false;
    while let Some((_, ch)) = chars.next() {
        if ch == '\'' || ch == '"' {
            found_quote = true;
            let quote = ch;
            while let Some((_, inner)) = chars.next() {
                if inner == '\\' {
                    if let Some((_, escaped)) = chars.next() {
                        pieces.push(escaped);
                    }
                } else if inner == quote {
                    break;
                } else {
                    pieces.push(inner);
                }
            }
        }
    }
    if found_quote {
        pieces
    } else {
        // `log_format main $remote_addr...;` without quotes: drop the name.
        let rest = rest.trim().trim_end_matches(';');
        rest.split_once(char::is_whitespace)
            .map(|(_, body)| body.trim().to_owned())
            .unwrap_or_default()
    }
}

/// Pulls the format out of a pasted `LogFormat "..." nickname`, undoing `\"`.
fn extract_apache_directive(text: &str) -> String {
    let trimmed = text.trim();
    let body = match trimmed.strip_prefix("LogFormat").or_else(|| trimmed.strip_prefix("CustomLog"))
    {
        Some(rest) => {
            let rest = rest.trim_start();
            match rest.strip_prefix('"') {
                Some(quoted) => {
                    let mut end = None;
                    let bytes = quoted.as_bytes();
                    let mut idx = 0;
                    while idx < bytes.len() {
                        match bytes[idx] {
                            b'\\' => idx += 2,
                            b'"' => {
                                end = Some(idx);
                                break;
                            }
                            _ => idx += 1,
                        }
                    }
                    &quoted[..end.unwrap_or(quoted.len())]
                }
                None => rest,
            }
        }
        None => return strip_outer_quotes(trimmed).replace("\\\"", "\""),
    };
    body.replace("\\\"", "\"")
}

fn strip_outer_quotes(text: &str) -> String {
    for quote in ['\'', '"'] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote))
            && !inner.contains(quote)
        {
            return inner.to_owned();
        }
    }
    text.to_owned()
}

fn push_literal(segments: &mut Vec<Segment>, literal: &str) {
    if literal.is_empty() {
        return;
    }
    if let Some(Segment::Literal(previous)) = segments.last_mut() {
        *previous = format!("{previous}{literal}").into_boxed_str();
    } else {
        segments.push(Segment::Literal(literal.into()));
    }
}

fn nginx_field(name: &str) -> Field {
    match name {
        "remote_addr" | "realip_remote_addr" | "binary_remote_addr" => Field::RemoteAddr,
        "remote_user" => Field::RemoteUser,
        "time_local" => Field::TimeLocal,
        "time_iso8601" => Field::TimeIso8601,
        "msec" => Field::Msec,
        "request" => Field::Request,
        "request_method" => Field::Method,
        "request_uri" => Field::Target,
        "uri" | "document_uri" => Field::Path,
        "args" | "query_string" => Field::Query,
        "server_protocol" => Field::Protocol,
        "status" => Field::Status,
        "body_bytes_sent" => Field::Bytes,
        "http_referer" => Field::Referer,
        "http_user_agent" => Field::UserAgent,
        "host" | "http_host" | "server_name" => Field::Host,
        "request_time" => Field::RequestTimeSecs,
        "upstream_addr" => Field::Upstream,
        "http_x_forwarded_for" | "proxy_add_x_forwarded_for" => Field::ForwardedFor,
        "http_x_real_ip" => Field::RealIp,
        name if name.starts_with("cookie_") && name.to_ascii_lowercase().contains("sess") => {
            Field::Session
        }
        _ => Field::Ignored,
    }
}

fn compile_nginx(text: &str) -> Result<Vec<Segment>, CompileError> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if ch != '$' {
            literal.push(ch);
            continue;
        }
        let braced = chars.peek().is_some_and(|&(_, next)| next == '{');
        if braced {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&(_, next)) = chars.peek() {
            if next.is_ascii_alphanumeric() || next == '_' {
                name.push(next);
                chars.next();
            } else {
                break;
            }
        }
        if braced && chars.next().map(|(_, close)| close) != Some('}') {
            return Err(CompileError::Malformed(format!("unclosed \"${{\" at column {}", at + 1)));
        }
        if name.is_empty() {
            return Err(CompileError::UnknownVariable { name: "$".into(), column: at + 1 });
        }
        push_literal(&mut segments, &literal);
        literal.clear();
        segments.push(Segment::Field {
            field: nginx_field(&name),
            variable: format!("${name}").into(),
        });
    }
    push_literal(&mut segments, &literal);
    Ok(segments)
}

fn apache_header_field(header: &str) -> Field {
    match header.to_ascii_lowercase().as_str() {
        "referer" => Field::Referer,
        "user-agent" => Field::UserAgent,
        "host" => Field::Host,
        "x-forwarded-for" => Field::ForwardedFor,
        "x-real-ip" => Field::RealIp,
        _ => Field::Ignored,
    }
}

fn compile_apache(text: &str) -> Result<Vec<Segment>, CompileError> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if ch != '%' {
            literal.push(ch);
            continue;
        }
        if chars.peek().is_some_and(|&(_, next)| next == '%') {
            chars.next();
            literal.push('%');
            continue;
        }
        // Modifiers: `<`, `>`, `!` and status lists like `400,501`.
        while chars
            .peek()
            .is_some_and(|&(_, next)| matches!(next, '<' | '>' | '!' | ',' | '0'..='9'))
        {
            chars.next();
        }
        let mut argument = None;
        if chars.peek().is_some_and(|&(_, next)| next == '{') {
            chars.next();
            let mut inner = String::new();
            loop {
                match chars.next() {
                    Some((_, '}')) => break,
                    Some((_, inner_ch)) => inner.push(inner_ch),
                    None => {
                        return Err(CompileError::Malformed(format!(
                            "unclosed \"%{{\" at column {}",
                            at + 1
                        )));
                    }
                }
            }
            argument = Some(inner);
        }
        let Some((_, directive)) = chars.next() else {
            return Err(CompileError::Malformed(format!("a lone \"%\" at column {}", at + 1)));
        };
        let field = match (directive, argument.as_deref()) {
            ('h', _) => Field::RemoteHost,
            ('a', None | Some("c")) => Field::RemoteAddr,
            ('l', _) => Field::Ignored,
            ('u', _) => Field::RemoteUser,
            ('t', None) => Field::TimeBracketed,
            ('t', Some(_)) => {
                return Err(CompileError::UnknownVariable {
                    name: "%{...}t with a custom time format (use %t)".into(),
                    column: at + 1,
                });
            }
            ('r', _) => Field::Request,
            ('m', _) => Field::Method,
            ('U', _) => Field::Path,
            ('q', _) => Field::QueryWithMark,
            ('H', _) => Field::Protocol,
            ('s', _) => Field::Status,
            ('b' | 'B', _) => Field::Bytes,
            ('i', Some(header)) => apache_header_field(header),
            ('v' | 'V', _) => Field::Host,
            ('D', _) => Field::RequestTimeMicros,
            ('T', Some("ms")) => Field::RequestTimeMillis,
            ('T', Some("us")) => Field::RequestTimeMicros,
            ('T', _) => Field::RequestTimeSecs,
            ('C', Some(cookie)) if cookie.to_ascii_lowercase().contains("sess") => Field::Session,
            (
                'A' | 'e' | 'f' | 'I' | 'k' | 'L' | 'n' | 'o' | 'O' | 'p' | 'P' | 'R' | 'S' | 'X'
                | 'C' | 'i' | 'a',
                _,
            ) => Field::Ignored,
            (other, _) => {
                return Err(CompileError::UnknownVariable {
                    name: format!("%{other}"),
                    column: at + 1,
                });
            }
        };
        push_literal(&mut segments, &literal);
        literal.clear();
        let variable = match argument {
            Some(argument) => format!("%{{{argument}}}{directive}"),
            None => format!("%{directive}"),
        };
        segments.push(Segment::Field { field, variable: variable.into() });
    }
    push_literal(&mut segments, &literal);
    Ok(segments)
}
