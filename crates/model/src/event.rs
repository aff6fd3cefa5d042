//! The normalized event.

use std::borrow::Cow;
use std::net::IpAddr;

use serde::Serialize;

use crate::{Country, Timestamp};

/// Text borrowed from the line when it needed no unescaping, owned otherwise.
/// An empty text means the field was absent or logged as `-`.
pub type Text<'a> = Cow<'a, str>;

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An HTTP request from an access log.
    #[default]
    Request,
    /// A login attempt reported by the shop's application.
    Login,
    /// A notice from the web server's error log (rate limit hit, auth failure, forbidden).
    ServerNotice,
}

/// Outcome of a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginOutcome {
    /// The credentials were accepted.
    Success,
    /// The credentials were rejected.
    Failure,
}

/// What a web server's error log line reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerNotice {
    /// nginx `limit_req` rejected or delayed the request.
    LimitReq,
    /// nginx `limit_conn` rejected the request.
    LimitConn,
    /// HTTP basic authentication failed (unknown user or wrong password).
    AuthFailure,
    /// "access forbidden by rule" (an `allow`/`deny` rule refused the client).
    Forbidden,
    /// The client sent a request the server could not parse.
    BadRequest,
    /// A TLS handshake failed before any request was made.
    TlsHandshake,
    /// Any other error-log line that names a client.
    Other,
}

/// One normalized event. Every parser produces this shape; rules see nothing else.
///
/// Text fields borrow from the line where possible, so parsing allocates nothing
/// on the common path.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Event<'a> {
    /// When it happened (UTC).
    pub time: Timestamp,
    /// The zone offset the source wrote the time in, in seconds east of UTC.
    pub utc_offset_secs: i32,
    /// What kind of event this is.
    pub kind: EventKind,
    /// The client address, after trusted-proxy resolution.
    pub client_ip: Option<IpAddr>,
    /// The directly connected peer, when a trusted proxy forwarded the request.
    pub peer_ip: Option<IpAddr>,
    /// The client's host name, when the server logged a name instead of an
    /// address (Apache with `HostnameLookups On`); `client_ip` is then absent.
    pub client_host: Text<'a>,
    /// HTTP method (`GET`), empty when the request line was empty or garbage.
    pub method: Text<'a>,
    /// Request path without the query string, as logged (still percent-encoded).
    pub path: Text<'a>,
    /// Raw query string without the leading `?`.
    pub query: Text<'a>,
    /// Protocol (`HTTP/1.1`).
    pub protocol: Text<'a>,
    /// Response status.
    pub status: Option<u16>,
    /// Response body bytes.
    pub bytes: Option<u64>,
    /// Referer header.
    pub referer: Text<'a>,
    /// User-Agent header.
    pub user_agent: Text<'a>,
    /// Host the request was for.
    pub host: Text<'a>,
    /// HTTP-authenticated user (`$remote_user`), when logged.
    pub remote_user: Text<'a>,
    /// Time the server took, in seconds.
    pub request_time: Option<f64>,
    /// Upstream address(es) that served the request.
    pub upstream: Text<'a>,
    /// The `X-Forwarded-For` header as logged (client, proxy1, proxy2...).
    pub forwarded_for: Text<'a>,
    /// Session id, when the log carries one.
    pub session: Text<'a>,
    /// Account name of a login event (or an account the site logs for a request).
    pub account: Text<'a>,
    /// Outcome of a login event.
    pub outcome: Option<LoginOutcome>,
    /// What an error-log line reported.
    pub notice: Option<ServerNotice>,
    /// The error-log message text (for server notices).
    pub message: Text<'a>,
    /// The client address's country, when an enrichment database knows it.
    pub country: Option<Country>,
    /// The client address's autonomous system number, when an enrichment database knows it.
    pub asn: Option<u32>,
}

impl Event<'_> {
    /// A copy that owns all its text, for keeping beyond the line's lifetime.
    pub fn into_owned(self) -> Event<'static> {
        fn own(text: Text<'_>) -> Text<'static> {
            Cow::Owned(text.into_owned())
        }
        Event {
            time: self.time,
            utc_offset_secs: self.utc_offset_secs,
            kind: self.kind,
            client_ip: self.client_ip,
            peer_ip: self.peer_ip,
            client_host: own(self.client_host),
            method: own(self.method),
            path: own(self.path),
            query: own(self.query),
            protocol: own(self.protocol),
            status: self.status,
            bytes: self.bytes,
            referer: own(self.referer),
            user_agent: own(self.user_agent),
            host: own(self.host),
            remote_user: own(self.remote_user),
            request_time: self.request_time,
            upstream: own(self.upstream),
            forwarded_for: own(self.forwarded_for),
            session: own(self.session),
            account: own(self.account),
            outcome: self.outcome,
            notice: self.notice,
            message: own(self.message),
            country: self.country,
            asn: self.asn,
        }
    }
}
