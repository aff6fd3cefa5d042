//! Splitting the HTTP request line (`GET /path?query HTTP/1.1`).

use std::borrow::Cow;

/// The parts of a request line. Every part may be empty.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RequestLine<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) protocol: &'a str,
}

/// Splits a request target into path and query at the first `?`.
pub(crate) fn split_target(target: &str) -> (&str, &str) {
    match memchr::memchr(b'?', target.as_bytes()) {
        Some(mark) => (&target[..mark], &target[mark + 1..]),
        None => (target, ""),
    }
}

/// Splits a request line. Garbage (a TLS handshake sent to the HTTP port, an
/// empty request logged as `-`) is not an error: what cannot be a method or a
/// target is left in `method` so rules can still see it.
pub(crate) fn split_request(line: &str) -> RequestLine<'_> {
    if line.is_empty() || line == "-" {
        return RequestLine::default();
    }
    let bytes = line.as_bytes();
    let Some(first_space) = memchr::memchr(b' ', bytes) else {
        if line.starts_with('/') {
            let (path, query) = split_target(line);
            return RequestLine { path, query, ..RequestLine::default() };
        }
        return RequestLine { method: line, ..RequestLine::default() };
    };
    let method = &line[..first_space];
    let rest = &line[first_space + 1..];
    // The protocol is the last word when it looks like one; a target may
    // itself contain spaces when a client sent them unencoded.
    let (target, protocol) = match memchr::memrchr(b' ', rest.as_bytes()) {
        Some(last_space) if rest[last_space + 1..].starts_with("HTTP/") => {
            (&rest[..last_space], &rest[last_space + 1..])
        }
        _ => (rest, ""),
    };
    let (path, query) = split_target(target);
    RequestLine { method, path, query, protocol }
}

/// Applies a request line to an event: borrowed when `text` is borrowed.
pub(crate) fn apply_request<'a>(event: &mut model::Event<'a>, text: Cow<'a, str>) {
    match text {
        Cow::Borrowed(text) => {
            let parts = split_request(text);
            event.method = Cow::Borrowed(parts.method);
            event.path = Cow::Borrowed(parts.path);
            event.query = Cow::Borrowed(parts.query);
            event.protocol = Cow::Borrowed(parts.protocol);
        }
        Cow::Owned(text) => {
            let parts = split_request(&text);
            event.method = Cow::Owned(parts.method.to_owned());
            event.path = Cow::Owned(parts.path.to_owned());
            event.query = Cow::Owned(parts.query.to_owned());
            event.protocol = Cow::Owned(parts.protocol.to_owned());
        }
    }
}

/// Applies a request target (`$request_uri`, `%U%q`) to an event.
pub(crate) fn apply_target<'a>(event: &mut model::Event<'a>, text: Cow<'a, str>) {
    match text {
        Cow::Borrowed(text) => {
            let (path, query) = split_target(text);
            event.path = Cow::Borrowed(path);
            event.query = Cow::Borrowed(query);
        }
        Cow::Owned(text) => {
            let (path, query) = split_target(&text);
            event.path = Cow::Owned(path.to_owned());
            event.query = Cow::Owned(query.to_owned());
        }
    }
}
