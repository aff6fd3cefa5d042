//! Syslog and journal envelopes around a log line.
//!
//! nginx's `access_log syslog:server=...` and `journalctl` output wrap each
//! line: `<190>Nov 22 10:00:00 web1 nginx: 203.0.113.9 - - [...]`,
//! `<190>1 2026-11-22T10:00:00+08:00 web1 nginx - - - 203.0.113.9 ...` or
//! `web1 nginx[983]: 2026/11/22 10:00:00 [error] ...`. A parser that fails on
//! a line retries once the envelope is removed; the envelope's own time is
//! not used, since the wrapped line carries the time it was written.

/// The line without its envelope, or `None` if it has none.
pub(crate) fn strip_envelope(line: &str) -> Option<&str> {
    let mut rest = line;
    let mut has_priority = false;
    if let Some(after) = rest.strip_prefix('<') {
        let close = after.find('>')?;
        if close == 0 || close > 3 || !after[..close].bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        rest = &after[close + 1..];
        has_priority = true;
        if let Some(after_version) = rest.strip_prefix("1 ") {
            return strip_rfc5424(after_version);
        }
    }
    if let Some(after_time) = strip_bsd_time(rest) {
        rest = after_time;
    } else if has_priority {
        return None;
    }
    // host tag[pid]: message
    let (host, after_host) = rest.split_once(' ')?;
    if host.is_empty()
        || host.contains(':') && !host.contains('[') && host.parse::<std::net::IpAddr>().is_err()
    {
        return None;
    }
    let colon = after_host.find(": ")?;
    let tag = &after_host[..colon];
    if tag.is_empty() || tag.len() > 64 || tag.contains(' ') {
        return None;
    }
    Some(&after_host[colon + 2..])
}

/// `Nov 22 10:00:00 ` (day space-padded or not).
fn strip_bsd_time(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    if bytes.len() < 16
        || model::civil::month_from_abbrev(&bytes[..3]).is_none()
        || bytes[3] != b' '
    {
        return None;
    }
    let rest = text[4..].trim_start_matches(' ');
    let (day, rest) = rest.split_once(' ')?;
    if day.is_empty() || day.len() > 2 || !day.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let (clock, rest) = rest.split_once(' ')?;
    let clock = clock.as_bytes();
    (clock.len() == 8 && clock[2] == b':' && clock[5] == b':').then_some(rest)
}

/// After `<PRI>1 `: TIMESTAMP HOST APP PROCID MSGID STRUCTURED-DATA MSG.
fn strip_rfc5424(text: &str) -> Option<&str> {
    let mut rest = text;
    for _ in 0..5 {
        rest = rest.split_once(' ')?.1;
    }
    if let Some(after) = rest.strip_prefix("- ") {
        return Some(after);
    }
    if rest.starts_with('[') {
        // Structured data: one or more [..] elements, with \] escapes inside.
        let bytes = rest.as_bytes();
        let mut idx = 0;
        while idx < bytes.len() && bytes[idx] == b'[' {
            idx += 1;
            while idx < bytes.len() && bytes[idx] != b']' {
                idx += if bytes[idx] == b'\\' { 2 } else { 1 };
            }
            idx += 1;
        }
        return rest.get(idx..).map(|after| after.strip_prefix(' ').unwrap_or(after));
    }
    None
}
