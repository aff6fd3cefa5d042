//! The event fields rules can test, group by and count.

use model::{Event, EventKind, KeyKind, LoginOutcome, ServerNotice};

/// A text field of an event (empty text means absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    /// HTTP method.
    Method,
    /// Request path, without the query.
    Path,
    /// Query string, without `?`.
    Query,
    /// User-Agent header.
    UserAgent,
    /// Referer header.
    Referer,
    /// Host the request was for.
    Host,
    /// HTTP-authenticated user.
    RemoteUser,
    /// Account name.
    Account,
    /// Session id.
    Session,
    /// Protocol (`HTTP/1.1`).
    Protocol,
    /// The error-log message text (server notices).
    Message,
}

impl TextField {
    /// The field's value in `event`.
    pub fn value<'e>(self, event: &'e Event<'_>) -> &'e str {
        match self {
            TextField::Method => &event.method,
            TextField::Path => &event.path,
            TextField::Query => &event.query,
            TextField::UserAgent => &event.user_agent,
            TextField::Referer => &event.referer,
            TextField::Host => &event.host,
            TextField::RemoteUser => &event.remote_user,
            TextField::Account => &event.account,
            TextField::Session => &event.session,
            TextField::Protocol => &event.protocol,
            TextField::Message => &event.message,
        }
    }

    /// The name used in rules.
    pub fn as_str(self) -> &'static str {
        match self {
            TextField::Method => "method",
            TextField::Path => "path",
            TextField::Query => "query",
            TextField::UserAgent => "user_agent",
            TextField::Referer => "referer",
            TextField::Host => "host",
            TextField::RemoteUser => "remote_user",
            TextField::Account => "account",
            TextField::Session => "session",
            TextField::Protocol => "protocol",
            TextField::Message => "message",
        }
    }

    const ALL: [TextField; 11] = [
        TextField::Method,
        TextField::Path,
        TextField::Query,
        TextField::UserAgent,
        TextField::Referer,
        TextField::Host,
        TextField::RemoteUser,
        TextField::Account,
        TextField::Session,
        TextField::Protocol,
        TextField::Message,
    ];

    pub(crate) fn from_name(name: &str) -> Option<TextField> {
        TextField::ALL.into_iter().find(|field| field.as_str() == name)
    }

    /// Fields whose values compare case-insensitively by nature.
    pub(crate) fn is_case_insensitive(self) -> bool {
        matches!(self, TextField::Method | TextField::Host)
    }
}

/// A numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum NumberField {
    Status,
    Bytes,
}

impl NumberField {
    pub(crate) fn value(self, event: &Event<'_>) -> Option<u64> {
        match self {
            NumberField::Status => event.status.map(u64::from),
            NumberField::Bytes => event.bytes,
        }
    }
}

/// Any field a condition can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    Text(TextField),
    Number(NumberField),
    ClientIp,
    Kind,
    Outcome,
    Notice,
    Endpoint,
    IsStatic,
    Payload,
    /// The client's country (from enrichment).
    Country,
    /// The client's autonomous system number (from enrichment).
    Asn,
}

impl Field {
    pub(crate) fn from_name(name: &str) -> Option<Field> {
        if let Some(text) = TextField::from_name(name) {
            return Some(Field::Text(text));
        }
        Some(match name {
            "status" => Field::Number(NumberField::Status),
            "bytes" => Field::Number(NumberField::Bytes),
            "client_ip" => Field::ClientIp,
            "kind" => Field::Kind,
            "outcome" => Field::Outcome,
            "notice" => Field::Notice,
            "endpoint" => Field::Endpoint,
            "is_static" => Field::IsStatic,
            "payload" => Field::Payload,
            "country" => Field::Country,
            "asn" => Field::Asn,
            _ => return None,
        })
    }

    /// Every field name, for suggestions.
    pub(crate) fn names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> = TextField::ALL.iter().map(|f| f.as_str()).collect();
        names.extend([
            "status",
            "bytes",
            "client_ip",
            "kind",
            "outcome",
            "notice",
            "endpoint",
            "is_static",
            "payload",
            "country",
            "asn",
        ]);
        names
    }
}

/// What an alert groups events by (`group_by`), and the value a response acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupField {
    /// The client address.
    Ip,
    /// The client's IPv4 /24 or IPv6 /64.
    Range,
    /// The account.
    Account,
    /// The session id.
    Session,
    /// Everything together (one key for the site).
    Site,
    /// The User-Agent header.
    UserAgent,
    /// The Host header.
    Host,
    /// The client's autonomous system (from enrichment).
    Asn,
    /// The client's country (from enrichment).
    Country,
    /// The request path (a page), without the query.
    Path,
}

impl GroupField {
    /// The name used in rules (`user_agent`).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupField::Ip => "ip",
            GroupField::Range => "range",
            GroupField::Account => "account",
            GroupField::Session => "session",
            GroupField::Site => "site",
            GroupField::UserAgent => "user_agent",
            GroupField::Host => "host",
            GroupField::Asn => "asn",
            GroupField::Country => "country",
            GroupField::Path => "path",
        }
    }

    /// The alert key kind for this field.
    pub fn key_kind(self) -> KeyKind {
        match self {
            GroupField::Ip => KeyKind::Ip,
            GroupField::Range => KeyKind::Range,
            GroupField::Account => KeyKind::Account,
            GroupField::Session => KeyKind::Session,
            GroupField::Site => KeyKind::Site,
            GroupField::UserAgent => KeyKind::UserAgent,
            GroupField::Host => KeyKind::Host,
            GroupField::Asn => KeyKind::Asn,
            GroupField::Country => KeyKind::Country,
            GroupField::Path => KeyKind::Path,
        }
    }

    /// Whether the field comes from enrichment (GeoIP/ASN databases).
    pub fn is_geo(self) -> bool {
        matches!(self, GroupField::Asn | GroupField::Country)
    }

    pub(crate) const ALL: [GroupField; 10] = [
        GroupField::Ip,
        GroupField::Range,
        GroupField::Account,
        GroupField::Session,
        GroupField::Site,
        GroupField::UserAgent,
        GroupField::Host,
        GroupField::Asn,
        GroupField::Country,
        GroupField::Path,
    ];

    pub(crate) fn from_name(name: &str) -> Option<GroupField> {
        GroupField::ALL.into_iter().find(|field| field.as_str() == name)
    }
}

/// A field whose distinct values a `count` rule can count (`distinct: account`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DistinctField {
    /// A text field.
    Text(TextField),
    /// The client address.
    Ip,
    /// The response status.
    Status,
    /// The client's autonomous system (from enrichment).
    Asn,
    /// The client's country (from enrichment).
    Country,
}

impl DistinctField {
    pub(crate) fn from_name(name: &str) -> Option<DistinctField> {
        match name {
            "ip" | "client_ip" => Some(DistinctField::Ip),
            "status" => Some(DistinctField::Status),
            "asn" => Some(DistinctField::Asn),
            "country" => Some(DistinctField::Country),
            other => TextField::from_name(other).map(DistinctField::Text),
        }
    }

    /// The name used in rules and alert reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            DistinctField::Text(field) => field.as_str(),
            DistinctField::Ip => "ip",
            DistinctField::Status => "status",
            DistinctField::Asn => "asn",
            DistinctField::Country => "country",
        }
    }
}

pub(crate) fn kind_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Request => "request",
        EventKind::Login => "login",
        EventKind::ServerNotice => "server_notice",
    }
}

pub(crate) const KINDS: [EventKind; 3] =
    [EventKind::Request, EventKind::Login, EventKind::ServerNotice];

pub(crate) fn outcome_name(outcome: LoginOutcome) -> &'static str {
    match outcome {
        LoginOutcome::Success => "success",
        LoginOutcome::Failure => "failure",
    }
}

pub(crate) const OUTCOMES: [LoginOutcome; 2] = [LoginOutcome::Success, LoginOutcome::Failure];

pub(crate) fn notice_name(notice: ServerNotice) -> &'static str {
    match notice {
        ServerNotice::LimitReq => "limit_req",
        ServerNotice::LimitConn => "limit_conn",
        ServerNotice::AuthFailure => "auth_failure",
        ServerNotice::Forbidden => "forbidden",
        ServerNotice::BadRequest => "bad_request",
        ServerNotice::TlsHandshake => "tls_handshake",
        ServerNotice::Other => "other",
    }
}

pub(crate) const NOTICES: [ServerNotice; 7] = [
    ServerNotice::LimitReq,
    ServerNotice::LimitConn,
    ServerNotice::AuthFailure,
    ServerNotice::Forbidden,
    ServerNotice::BadRequest,
    ServerNotice::TlsHandshake,
    ServerNotice::Other,
];
