//! The nginx error log.
//!
//! A line is `2026/11/22 10:00:00 [error] 812#812: *4711 <message>` followed by
//! the request context nginx appends: `, client: <address>, server: <name>`,
//! then optionally `, request: "..."`, `, subrequest: "..."`,
//! `, upstream: "..."`, `, host: "..."` and `, referrer: "..."`, always in
//! that order. The time has no zone, so the configured default offset applies.
//! Lines that name no client (`[notice] ... signal process started`) are not
//! events.
//!
//! The message names what happened (a `limit_req` rejection, a basic-auth
//! failure, a `deny` rule...), which becomes the event's [`ServerNotice`].
//!
//! # Forged context
//!
//! nginx writes user names, header lines and referrers unescaped, so a client
//! can put a whole fake `, client: ..., server: ...` context into the line, to
//! get someone else blamed. Two rules keep the blame on the sender:
//!
//! - A candidate context must parse strictly: an address, a server name
//!   without spaces, the known fields in nginx's order, a host without spaces
//!   and, for an auth failure, a message that ends the way nginx's does. Only the
//!   referrer, which is always last, may hold anything.
//! - Messages that hold no client text (rate limits, `deny` rules, TLS
//!   handshakes) take the first context, since anything after it was sent by the
//!   client. Messages that do (user names, header lines) take the last valid
//!   one. If several are valid (or the line holds more than a handful), the
//!   line was forged on purpose and the readings cannot be told apart: the
//!   event keeps the last client but its notice becomes
//!   [`ServerNotice::Other`], so it counts as no failure at all.
//!
//! When no context parses strictly (an unusual module's extra fields), the
//! first or last `client:` with a valid address is taken by the same rule.

use std::borrow::Cow;
use std::net::IpAddr;

use model::{Event, EventKind, ServerNotice};

use crate::request::apply_request;
use crate::time;
use crate::{Error, Result};

const FORMAT: &str = "nginx error log";
const CLIENT: &str = ", client: ";
/// The length of `2026/11/22 10:00:00`.
const TIME_LEN: usize = 19;
const LEVELS: [&str; 8] = ["debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"];
/// The fields after `server:`, in the order nginx writes them.
const FIELDS: [&str; 5] = ["request", "subrequest", "upstream", "host", "referrer"];
const REFERRER: usize = 4;
const HOST: usize = 3;
/// The most `client:` contexts examined in one line. Each costs a pass over
/// the rest of the line, and a real line has one: more than this is forged.
const MAX_CANDIDATES: usize = 8;

/// The first byte after the `[level] pid#tid: *cid ` header, and the level.
struct Header<'a> {
    time: time::ZonedTime,
    level: &'a str,
    body_start: usize,
}

/// What the start of the message says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Message {
    LimitReq,
    LimitConn,
    Forbidden,
    NoCredentials,
    TlsHandshake,
    /// `SSL_read() failed ... while waiting for request`.
    TlsRead,
    /// `user "NAME" was not found in "FILE"` or `user "NAME": password mismatch`.
    BasicAuth,
    /// `PAM: user 'NAME' - not authenticated: REASON`.
    PamAuth,
    BadRequest,
    Other,
}

impl Message {
    fn classify(body: &str) -> Message {
        const PREFIXES: [(&str, Message); 12] = [
            ("limiting requests, excess:", Message::LimitReq),
            ("delaying request, excess:", Message::LimitReq),
            ("limiting connections by zone", Message::LimitConn),
            ("access forbidden by rule", Message::Forbidden),
            ("no user/password was provided for basic authentication", Message::NoCredentials),
            ("SSL_do_handshake() failed", Message::TlsHandshake),
            ("SSL_read() failed", Message::TlsRead),
            ("user \"", Message::BasicAuth),
            ("PAM: user '", Message::PamAuth),
            ("client sent ", Message::BadRequest),
            ("client intended to send too large", Message::BadRequest),
            ("invalid host in request line", Message::BadRequest),
        ];
        PREFIXES
            .iter()
            .find(|(prefix, _)| body.starts_with(prefix))
            .map_or(Message::Other, |&(_, message)| message)
    }

    /// Whether nginx writes no client-controlled text before the context, so
    /// the first `client:` is the real one.
    fn is_fixed(self) -> bool {
        matches!(
            self,
            Message::LimitReq
                | Message::LimitConn
                | Message::Forbidden
                | Message::NoCredentials
                | Message::TlsHandshake
                | Message::TlsRead
        )
    }
}

/// The context after `, client: `.
#[derive(Debug, Default)]
struct Context<'a> {
    client_ip: Option<IpAddr>,
    request: Option<&'a str>,
    upstream: Option<&'a str>,
    host: Option<&'a str>,
    referrer: Option<&'a str>,
}

pub(crate) fn parse(line: &str, default_offset: i32) -> Result<Event<'_>> {
    let line = line.trim_end();
    let header = parse_header(line, default_offset)?;
    let body = &line[header.body_start..];
    let message = Message::classify(body);
    let candidates: Vec<usize> = body.match_indices(CLIENT).map(|(idx, _)| idx).collect();
    if candidates.is_empty() {
        return Err(Error::NotThisFormat { format: FORMAT, reason: "no client address" });
    }

    let mut chosen = None;
    let mut is_forged = false;
    if message.is_fixed() {
        chosen = candidates
            .iter()
            .take(MAX_CANDIDATES)
            .find_map(|&idx| parse_context_strict(&body[idx + CLIENT.len()..]).map(|c| (idx, c)));
    } else {
        let mut n_valid = 0;
        for &idx in candidates.iter().rev().take(MAX_CANDIDATES) {
            if !matches_template(message, &body[..idx]) {
                continue;
            }
            if let Some(context) = parse_context_strict(&body[idx + CLIENT.len()..]) {
                n_valid += 1;
                if chosen.is_none() {
                    chosen = Some((idx, context));
                }
            }
        }
        is_forged = n_valid > 1 || candidates.len() > MAX_CANDIDATES;
    }
    let (client_idx, context) = match chosen {
        Some(found) => found,
        None => fallback(body, &candidates, message.is_fixed()).ok_or_else(|| {
            let last = candidates[candidates.len() - 1] + CLIENT.len();
            let address = body[last..].split([',', ' ']).next().unwrap_or_default();
            Error::InvalidField {
                field: "client",
                value: shorten(address),
                column: header.body_start + last + 1,
            }
        })?,
    };

    let text = &body[..client_idx];
    let mut event = Event {
        time: header.time.time,
        utc_offset_secs: header.time.utc_offset_secs,
        kind: EventKind::ServerNotice,
        client_ip: context.client_ip,
        ..Event::default()
    };
    if let Some(request) = context.request {
        apply_request(&mut event, Cow::Borrowed(request));
    }
    event.host = Cow::Borrowed(context.host.unwrap_or_default());
    event.referer = Cow::Borrowed(context.referrer.unwrap_or_default());
    event.upstream = Cow::Borrowed(context.upstream.unwrap_or_default());
    event.message = Cow::Borrowed(text);

    let notice = match message {
        Message::LimitReq => ServerNotice::LimitReq,
        Message::LimitConn => ServerNotice::LimitConn,
        Message::Forbidden => ServerNotice::Forbidden,
        Message::NoCredentials => ServerNotice::AuthFailure,
        Message::TlsHandshake => ServerNotice::TlsHandshake,
        // A read that fails before any request is a handshake aborted by an
        // alert; at `info` level nginx reports mere disconnects.
        Message::TlsRead
            if text.ends_with("while waiting for request")
                && !matches!(header.level, "debug" | "info" | "notice") =>
        {
            ServerNotice::TlsHandshake
        }
        Message::BasicAuth | Message::PamAuth => match auth_user(message, text) {
            Some(user) => {
                event.remote_user = Cow::Borrowed(user);
                ServerNotice::AuthFailure
            }
            None => ServerNotice::Other,
        },
        Message::BadRequest => ServerNotice::BadRequest,
        Message::TlsRead | Message::Other => ServerNotice::Other,
    };
    event.notice = Some(if is_forged { ServerNotice::Other } else { notice });
    Ok(event)
}

fn parse_header(line: &str, default_offset: i32) -> Result<Header<'_>> {
    let time_text = line.get(..TIME_LEN).unwrap_or(line);
    let time =
        time::parse_error_log_time(time_text.as_bytes(), default_offset).ok_or_else(|| {
            Error::InvalidField { field: "time", value: shorten(time_text), column: 1 }
        })?;
    let mut pos = TIME_LEN;
    expect(line, pos, " [")?;
    pos += 2;
    let level_end = line[pos..].find(']').map(|end| pos + end).filter(|&end| end - pos <= 6);
    let Some(level_end) = level_end else {
        return Err(Error::InvalidField {
            field: "level",
            value: shorten(&line[pos..]),
            column: pos + 1,
        });
    };
    let level = &line[pos..level_end];
    if !LEVELS.contains(&level) {
        return Err(Error::InvalidField {
            field: "level",
            value: level.to_owned(),
            column: pos + 1,
        });
    }
    pos = level_end;
    expect(line, pos, "] ")?;
    pos += 2;
    // pid#tid:
    let ids_start = pos;
    pos = skip_digits(line, pos);
    let has_pid = pos > ids_start;
    let tid_start = pos + 1;
    if !has_pid || !line[pos..].starts_with('#') || skip_digits(line, tid_start) == tid_start {
        return Err(mismatch(line, ids_start, "pid#tid: "));
    }
    pos = skip_digits(line, tid_start);
    expect(line, pos, ": ")?;
    pos += 2;
    // The connection number, absent on lines about no connection.
    if line[pos..].starts_with('*') {
        let digits_end = skip_digits(line, pos + 1);
        if digits_end > pos + 1 && line[digits_end..].starts_with(' ') {
            pos = digits_end + 1;
        }
    }
    Ok(Header { time, level, body_start: pos })
}

fn skip_digits(line: &str, from: usize) -> usize {
    let bytes = line.as_bytes();
    let mut pos = from;
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    pos
}

fn expect(line: &str, pos: usize, literal: &'static str) -> Result<()> {
    if line.as_bytes().get(pos..).is_some_and(|rest| rest.starts_with(literal.as_bytes())) {
        Ok(())
    } else {
        Err(mismatch(line, pos, literal))
    }
}

fn mismatch(line: &str, pos: usize, literal: &str) -> Error {
    if pos >= line.len() {
        return Error::UnexpectedEnd {
            expected: "the rest of the error-log header",
            column: pos + 1,
        };
    }
    let found = line.get(pos..).unwrap_or_default();
    Error::Mismatch { expected: literal.to_owned(), found: shorten(found), column: pos + 1 }
}

fn shorten(text: &str) -> String {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Whether the message before a candidate context ends the way nginx writes it.
fn matches_template(message: Message, text: &str) -> bool {
    match message {
        Message::BasicAuth | Message::PamAuth => auth_user(message, text).is_some(),
        _ => true,
    }
}

/// The user name of an auth-failure message, or `None` if the text is not one.
fn auth_user(message: Message, text: &str) -> Option<&str> {
    match message {
        Message::BasicAuth => {
            let rest = text.strip_prefix("user \"")?;
            if let Some(user) = rest.strip_suffix("\": password mismatch") {
                return Some(user);
            }
            // `user "NAME" was not found in "FILE"`; the file (from the
            // config) holds no quote, the name may hold anything.
            const NOT_FOUND: &str = " was not found in \"";
            let at = rest.rfind(NOT_FOUND)?;
            let file = rest[at + NOT_FOUND.len()..].strip_suffix('"')?;
            if file.contains('"') {
                return None;
            }
            let before = &rest[..at];
            before.strip_suffix(':').unwrap_or(before).strip_suffix('"')
        }
        Message::PamAuth => {
            let rest = text.strip_prefix("PAM: user '")?;
            let at = rest.rfind("' - not authenticated")?;
            Some(&rest[..at])
        }
        _ => None,
    }
}

/// Parses the context after `, client: ` strictly; see the module docs.
fn parse_context_strict(text: &str) -> Option<Context<'_>> {
    let (address, rest) = text.split_once(", server: ")?;
    let client_ip = address.parse::<IpAddr>().ok()?;
    let server_end = rest.find(", ").unwrap_or(rest.len());
    let server = &rest[..server_end];
    if server.contains([' ', '"']) {
        return None;
    }
    let mut context = Context { client_ip: Some(client_ip), ..Context::default() };
    let mut rest = &rest[server_end..];
    let mut next_field = 0;
    while !rest.is_empty() {
        let after_comma = rest.strip_prefix(", ")?;
        let (field, value_start) =
            FIELDS[next_field..].iter().enumerate().find_map(|(offset, name)| {
                let after_name = after_comma.strip_prefix(name)?.strip_prefix(": \"")?;
                Some((next_field + offset, after_name))
            })?;
        let value_end = match field {
            // Always last; any text up to the closing quote at the end.
            REFERRER => {
                let value = value_start.strip_suffix('"')?;
                context.referrer = Some(value);
                return Some(context);
            }
            HOST => {
                let end = value_start.find('"')?;
                if value_start[..end].contains(' ') {
                    return None;
                }
                end
            }
            _ => closing_quote(value_start, &FIELDS[field + 1..])?,
        };
        let value = &value_start[..value_end];
        match field {
            0 => context.request = Some(value),
            2 => context.upstream = Some(value),
            HOST => context.host = Some(value),
            _ => {}
        }
        rest = &value_start[value_end + 1..];
        next_field = field + 1;
    }
    Some(context)
}

/// The first quote that ends the line or is followed by one of `next` fields.
fn closing_quote(text: &str, next: &[&str]) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find('"') {
        let quote = from + found;
        let after = &text[quote + 1..];
        let is_end = after.is_empty()
            || after.strip_prefix(", ").is_some_and(|after| {
                next.iter().any(|name| {
                    after.strip_prefix(name).is_some_and(|rest| rest.starts_with(": \""))
                })
            });
        if is_end {
            return Some(quote);
        }
        from = quote + 1;
    }
    None
}

/// The context when no candidate parses strictly: the first (fixed messages)
/// or last `client:` with a valid address, its fields read loosely.
fn fallback<'a>(
    body: &'a str,
    candidates: &[usize],
    is_fixed: bool,
) -> Option<(usize, Context<'a>)> {
    let parse = |&idx: &usize| {
        let text = &body[idx + CLIENT.len()..];
        let address = text.split([',', ' ']).next().unwrap_or_default();
        let client_ip = address
            .parse::<IpAddr>()
            .ok()
            .or_else(|| crate::format::parse_ip_with_port(address))?;
        let quoted = |name: &str| {
            let start = text.find(name)? + name.len();
            let end = text[start..].find('"')?;
            Some(&text[start..start + end])
        };
        let context = Context {
            client_ip: Some(client_ip),
            request: quoted(", request: \""),
            upstream: quoted(", upstream: \""),
            host: quoted(", host: \""),
            referrer: quoted(", referrer: \""),
        };
        Some((idx, context))
    };
    if is_fixed {
        candidates.iter().find_map(parse)
    } else {
        candidates.iter().rev().find_map(parse)
    }
}

#[cfg(test)]
#[path = "tests_nginx_error.rs"]
mod tests;
