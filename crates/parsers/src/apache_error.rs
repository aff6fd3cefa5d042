//! The Apache httpd error log.
//!
//! ```text
//! [Thu Sep 25 09:27:18.813902 2014] [cgi:error] [pid 16860] [client 89.207.132.76:59635] AH01215: ...
//! [Sun Jun 09 07:57:47 2013] [error] [client 192.0.43.10] File does not exist: /var/www/x.php
//! ```
//!
//! The time has no zone (the server's local time: the configured offset
//! applies). Lines that name no client (`[notice] Apache configured`) are not
//! events: there is no one to blame.

use std::borrow::Cow;

use model::{Event, EventKind, ServerNotice, Timestamp, civil};

use crate::format::parse_ip_with_port;
use crate::{Error, Result};

const FORMAT: &str = "apache error log";

/// Parses `Www Mmm dd hh:mm:ss[.ffffff] yyyy`.
fn parse_time(text: &str, offset: i32) -> Option<Timestamp> {
    let mut parts = text.split(' ').filter(|part| !part.is_empty());
    let _weekday = parts.next()?;
    let month = civil::month_from_abbrev(parts.next()?.as_bytes())?;
    let day: u32 = parts.next()?.parse().ok()?;
    let clock = parts.next()?;
    let year: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || day == 0 || day > civil::days_in_month(year, month) {
        return None;
    }
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut fields = clock.split(':').map(|field| field.parse::<u32>().ok());
    let (hour, minute, second) = (fields.next()??, fields.next()??, fields.next()??);
    if hour > 23 || minute > 59 || second > 60 || fields.next().is_some() {
        return None;
    }
    let micros = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction.chars().chain(std::iter::repeat('0')).take(6).collect();
        digits.parse().ok()?
    };
    let local = Timestamp::from_civil(year, month, day, hour, minute, second, micros);
    Some(local.add_secs(-i64::from(offset)))
}

fn classify(message: &str) -> ServerNotice {
    let lower = message.to_ascii_lowercase();
    let has = |needle: &str| lower.contains(needle);
    if has("ah01618")
        || has("ah01617")
        || has("ah01614")
        || has("authentication failure")
        || has("password mismatch")
        || (has("user ") && has(" not found"))
    {
        ServerNotice::AuthFailure
    } else if has("client denied by server configuration")
        || has("ah01630")
        || has("ah01797")
        || has("modsecurity: access denied")
    {
        ServerNotice::Forbidden
    } else if has("ssl handshake") || has("ssl library error") || has("ah02006") {
        ServerNotice::TlsHandshake
    } else if has("invalid method in request")
        || has("invalid uri in request")
        || has("uri too long")
        || has("error reading the headers")
        || has("request header exceeds")
        || has("ah00126")
    {
        ServerNotice::BadRequest
    } else {
        ServerNotice::Other
    }
}

/// The user named in an authentication message (`user alice not found`, `user alice: authentication failure`).
fn auth_user(message: &str) -> Option<&str> {
    let start = message.find("user ")? + 5;
    let rest = &message[start..];
    let end = rest.find([' ', ':']).unwrap_or(rest.len());
    let user = rest[..end].trim_matches(['"', '\'']);
    (!user.is_empty()).then_some(user)
}

pub(crate) fn parse(line: &str, default_offset: i32) -> Result<Event<'_>> {
    let Some(rest) = line.strip_prefix('[') else {
        return Err(Error::Mismatch {
            expected: "[".into(),
            found: line.chars().take(20).collect(),
            column: 1,
        });
    };
    let close =
        rest.find(']').ok_or(Error::UnexpectedEnd { expected: "\"]\"", column: line.len() + 1 })?;
    let time = parse_time(&rest[..close], default_offset).ok_or_else(|| Error::InvalidField {
        field: "time",
        value: rest[..close].chars().take(40).collect(),
        column: 2,
    })?;
    let after_time = &rest[close + 1..];
    let Some(client_at) = after_time.find("[client ") else {
        return Err(Error::NotThisFormat { format: FORMAT, reason: "no client address" });
    };
    let client_text = &after_time[client_at + 8..];
    let client_end = client_text.find(']').ok_or(Error::UnexpectedEnd {
        expected: "\"]\" after the client",
        column: line.len() + 1,
    })?;
    let address = &client_text[..client_end];
    let client_ip =
        address.parse().ok().or_else(|| parse_ip_with_port(address)).ok_or_else(|| {
            Error::InvalidField {
                field: "client",
                value: address.chars().take(40).collect(),
                column: line.len() - client_text.len() + 1,
            }
        })?;
    let message = client_text[client_end + 1..].trim();
    let notice = classify(message);
    let remote_user = match notice {
        ServerNotice::AuthFailure => auth_user(message).unwrap_or_default(),
        _ => "",
    };
    Ok(Event {
        time,
        utc_offset_secs: default_offset,
        kind: EventKind::ServerNotice,
        client_ip: Some(client_ip),
        remote_user: Cow::Borrowed(remote_user),
        notice: Some(notice),
        message: Cow::Borrowed(message),
        ..Event::default()
    })
}
