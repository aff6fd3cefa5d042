//! JSON-lines access logs and app login events, read through a field mapping.
//!
//! A [`JsonMapping`] names, for each event property, the JSON paths that may
//! hold it (`request.headers.User-Agent[0]`); the first path present in a line
//! wins, so one mapping can read several versions of a log. Presets cover nginx
//! `escape=json` formats, Caddy, Traefik and the shop's own login events.
//!
//! Compiling a mapping builds a tree of the paths. Parsing walks the line once
//! with `serde_json`, descends only into the keys the tree names, skips every
//! other value without building it, and keeps the wanted values as raw JSON
//! slices of the line. Strings without escapes are then borrowed as they are;
//! only escaped strings are decoded into owned text.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use model::{Event, EventKind, LoginOutcome, Timestamp};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::request::{apply_request, apply_target};
use crate::time::{self, ZonedTime};
use crate::{CompileError, Error, Result};

/// How to read one kind of JSON line: which JSON fields hold which event
/// property, and how to read their values.
///
/// Each property in `fields` takes a JSON path or a list of them. A path is
/// dot-separated keys, with `[n]` to pick the n-th element of an array
/// (`request.headers.User-Agent[0]`); write `\.` for a dot that is part of a
/// key. With a list, the first path whose value is present (not missing,
/// `null`, `""` or `"-"`) wins. Numbers may be written as numbers or strings.
///
/// ```toml
/// name = "shop-login"
/// kind = "login"
///
/// [fields]
/// time = ["time", "ts"]
/// client_ip = "ip"
/// account = ["account", "email"]
/// outcome = "result"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonMapping {
    /// The mapping's name, for reports (`nginx`, `caddy`, `login`...).
    pub name: String,
    /// The kind of event a line is when `fields.kind` is absent (`request` or `login`).
    #[serde(default)]
    pub kind: JsonEventKind,
    /// How `fields.time` is written.
    #[serde(default)]
    pub time_format: TimeFormat,
    /// The unit of `fields.request_time`.
    #[serde(default)]
    pub request_time_unit: DurationUnit,
    /// The JSON paths of each event property.
    pub fields: Box<JsonFields>,
    /// Outcome values that mean the login succeeded (compared ignoring ASCII case).
    #[serde(default = "default_success_values")]
    pub success_values: Vec<String>,
    /// Outcome values that mean the login failed (compared ignoring ASCII case).
    #[serde(default = "default_failure_values")]
    pub failure_values: Vec<String>,
    /// Values of `fields.kind` that make a line a login event (compared ignoring ASCII case).
    #[serde(default = "default_login_kinds")]
    pub login_kinds: Vec<String>,
}

/// The JSON paths of each event property (the `[fields]` table of a [`JsonMapping`]).
///
/// `time` and `client_ip` are required; every other property is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonFields {
    /// When it happened, read as `time_format` says.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub time: Vec<String>,
    /// The client address; a port (`1.2.3.4:5678`, `[2001:db8::1]:443`) is dropped.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub client_ip: Vec<String>,
    /// The whole request line (`GET /path?query HTTP/1.1`), split into method, path, query and protocol.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub request: Vec<String>,
    /// The request target (`/path?query`), split into path and query at the first `?`.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub uri: Vec<String>,
    /// HTTP method; wins over the one in `request`.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub method: Vec<String>,
    /// Path without the query; wins over the one in `request` or `uri`.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    /// Query string (a leading `?` is dropped); wins over the one in `request` or `uri`.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<String>,
    /// Protocol (`HTTP/1.1`); wins over the one in `request`.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub protocol: Vec<String>,
    /// Response status.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<String>,
    /// Response body bytes.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub bytes: Vec<String>,
    /// Referer header.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub referer: Vec<String>,
    /// User-Agent header.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub user_agent: Vec<String>,
    /// Host the request was for.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub host: Vec<String>,
    /// HTTP-authenticated user.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub remote_user: Vec<String>,
    /// Time the server took, in the mapping's `request_time_unit`.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub request_time: Vec<String>,
    /// Upstream address(es) that served the request.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    /// The `X-Forwarded-For` header (believed only from trusted proxies).
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub forwarded_for: Vec<String>,
    /// Session id.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub session: Vec<String>,
    /// Account name of a login event.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub account: Vec<String>,
    /// Outcome of a login event, matched against the mapping's `success_values`
    /// and `failure_values` (a JSON `true`/`false` works with the defaults).
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub outcome: Vec<String>,
    /// What the line reports (`"event": "login"`). When present, a value listed
    /// in the mapping's `login_kinds` makes the line a login event and any other
    /// value a request; when absent, the mapping's `kind` applies.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub kind: Vec<String>,
}

/// What a JSON line is when it does not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonEventKind {
    /// An HTTP request.
    #[default]
    Request,
    /// A login attempt.
    Login,
}

/// How a JSON time field is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    /// Tries ISO 8601, then `10/Oct/2000:13:55:36 -0700`, then epoch numbers
    /// (seconds, milliseconds, microseconds or nanoseconds, told apart by size).
    #[default]
    Auto,
    /// ISO 8601 / RFC 3339 (`2026-11-22T10:00:00+08:00`); no zone means the default offset.
    Iso8601,
    /// Common Log Format time (`22/Nov/2026:10:00:00 +0800`), brackets optional.
    Clf,
    /// Seconds since the epoch, with an optional fraction, as a number or a string.
    EpochSecs,
    /// Milliseconds since the epoch, as a number or a string.
    EpochMillis,
}

/// The unit of a duration field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// Seconds (nginx `$request_time`, Caddy `duration`).
    #[default]
    Seconds,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds (Traefik `Duration`).
    Nanos,
}

impl DurationUnit {
    fn secs_per_unit(self) -> f64 {
        match self {
            DurationUnit::Seconds => 1.0,
            DurationUnit::Millis => 1e-3,
            DurationUnit::Micros => 1e-6,
            DurationUnit::Nanos => 1e-9,
        }
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|&value| value.to_owned()).collect()
}

fn default_success_values() -> Vec<String> {
    strings(&[
        "success",
        "succeeded",
        "successful",
        "ok",
        "true",
        "1",
        "pass",
        "passed",
        "accepted",
        "allowed",
        "200",
    ])
}

fn default_failure_values() -> Vec<String> {
    strings(&[
        "failure",
        "fail",
        "failed",
        "false",
        "0",
        "denied",
        "rejected",
        "invalid",
        "error",
        "unauthorized",
        "forbidden",
        "locked",
        "blocked",
        "401",
        "403",
    ])
}

fn default_login_kinds() -> Vec<String> {
    strings(&["login", "log_in", "signin", "sign_in", "sign-in", "auth", "authentication"])
}

/// Reads a property's paths written either as one string or as a list.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct PathsVisitor;

    impl<'de> Visitor<'de> for PathsVisitor {
        type Value = Vec<String>;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("a JSON path or a list of JSON paths")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Vec<String>, E> {
            Ok(vec![value.to_owned()])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut paths = Vec::new();
            while let Some(path) = seq.next_element::<String>()? {
                paths.push(path);
            }
            Ok(paths)
        }
    }

    deserializer.deserialize_any(PathsVisitor)
}

impl Default for JsonMapping {
    /// A mapping with no paths and the default value lists; fill in at least
    /// `fields.time` and `fields.client_ip`.
    fn default() -> JsonMapping {
        JsonMapping {
            name: String::new(),
            kind: JsonEventKind::Request,
            time_format: TimeFormat::Auto,
            request_time_unit: DurationUnit::Seconds,
            fields: Box::default(),
            success_values: default_success_values(),
            failure_values: default_failure_values(),
            login_kinds: default_login_kinds(),
        }
    }
}

impl JsonMapping {
    /// A preset by name: `nginx`, `caddy`, `traefik` or `login`.
    pub fn preset(name: &str) -> Option<JsonMapping> {
        match name {
            "nginx" => Some(JsonMapping::nginx()),
            "caddy" => Some(JsonMapping::caddy()),
            "traefik" => Some(JsonMapping::traefik()),
            "login" => Some(JsonMapping::login()),
            _ => None,
        }
    }

    /// nginx `log_format ... escape=json` with the usual variable names as keys
    /// (`"remote_addr":"$remote_addr"`, `"request_uri":"$request_uri"`...).
    pub fn nginx() -> JsonMapping {
        let fields = JsonFields {
            time: strings(&[
                "time",
                "time_iso8601",
                "time_local",
                "timestamp",
                "@timestamp",
                "msec",
            ]),
            client_ip: strings(&["remote_addr", "client_ip", "realip_remote_addr"]),
            request: strings(&["request"]),
            uri: strings(&["request_uri"]),
            method: strings(&["request_method", "method"]),
            protocol: strings(&["server_protocol", "protocol"]),
            status: strings(&["status"]),
            bytes: strings(&["body_bytes_sent", "bytes_sent"]),
            referer: strings(&["http_referer", "referer"]),
            user_agent: strings(&["http_user_agent", "user_agent"]),
            host: strings(&["host", "http_host", "server_name"]),
            remote_user: strings(&["remote_user"]),
            request_time: strings(&["request_time"]),
            upstream: strings(&["upstream_addr", "upstream"]),
            forwarded_for: strings(&["http_x_forwarded_for", "http_x_real_ip"]),
            ..JsonFields::default()
        };
        JsonMapping { name: "nginx".to_owned(), fields: Box::new(fields), ..JsonMapping::default() }
    }

    /// The Caddy v2 access log (`"logger":"http.log.access..."`).
    pub fn caddy() -> JsonMapping {
        let fields = JsonFields {
            time: strings(&["ts"]),
            client_ip: strings(&["request.remote_ip", "request.client_ip", "request.remote_addr"]),
            method: strings(&["request.method"]),
            uri: strings(&["request.uri"]),
            protocol: strings(&["request.proto"]),
            host: strings(&["request.host"]),
            user_agent: strings(&["request.headers.User-Agent[0]"]),
            referer: strings(&["request.headers.Referer[0]"]),
            forwarded_for: strings(&["request.headers.X-Forwarded-For[0]"]),
            status: strings(&["status"]),
            bytes: strings(&["size"]),
            request_time: strings(&["duration"]),
            remote_user: strings(&["user_id"]),
            ..JsonFields::default()
        };
        JsonMapping { name: "caddy".to_owned(), fields: Box::new(fields), ..JsonMapping::default() }
    }

    /// The Traefik JSON access log (`accessLog.format: json`).
    pub fn traefik() -> JsonMapping {
        let fields = JsonFields {
            time: strings(&["time", "StartUTC", "StartLocal"]),
            client_ip: strings(&["ClientHost", "ClientAddr"]),
            method: strings(&["RequestMethod"]),
            // Traefik's RequestPath is the request target, query included.
            uri: strings(&["RequestPath"]),
            protocol: strings(&["RequestProtocol"]),
            status: strings(&["DownstreamStatus"]),
            bytes: strings(&["DownstreamContentSize"]),
            host: strings(&["RequestHost"]),
            user_agent: strings(&["request_User-Agent"]),
            referer: strings(&["request_Referer"]),
            forwarded_for: strings(&["request_X-Forwarded-For"]),
            remote_user: strings(&["ClientUsername"]),
            request_time: strings(&["Duration"]),
            ..JsonFields::default()
        };
        JsonMapping {
            name: "traefik".to_owned(),
            request_time_unit: DurationUnit::Nanos,
            fields: Box::new(fields),
            ..JsonMapping::default()
        }
    }

    /// The shop's own login events:
    /// `{"time":"...","ip":"203.0.113.9","account":"alice@example.com","outcome":"failure","event":"login"}`.
    pub fn login() -> JsonMapping {
        let fields = JsonFields {
            time: strings(&["time", "ts", "timestamp"]),
            client_ip: strings(&["ip", "client_ip", "remote_addr"]),
            account: strings(&["account", "user", "username", "email"]),
            outcome: strings(&["outcome", "result", "success"]),
            kind: strings(&["event"]),
            user_agent: strings(&["user_agent"]),
            session: strings(&["session", "session_id"]),
            method: strings(&["method"]),
            path: strings(&["path"]),
            host: strings(&["host"]),
            ..JsonFields::default()
        };
        JsonMapping {
            name: "login".to_owned(),
            kind: JsonEventKind::Login,
            fields: Box::new(fields),
            ..JsonMapping::default()
        }
    }
}

impl JsonFields {
    /// Each property with its name and paths.
    fn properties(&self) -> [(Property, &'static str, &[String]); N_PROPERTIES] {
        [
            (Property::Time, "time", &self.time),
            (Property::ClientIp, "client_ip", &self.client_ip),
            (Property::Request, "request", &self.request),
            (Property::Uri, "uri", &self.uri),
            (Property::Method, "method", &self.method),
            (Property::Path, "path", &self.path),
            (Property::Query, "query", &self.query),
            (Property::Protocol, "protocol", &self.protocol),
            (Property::Status, "status", &self.status),
            (Property::Bytes, "bytes", &self.bytes),
            (Property::Referer, "referer", &self.referer),
            (Property::UserAgent, "user_agent", &self.user_agent),
            (Property::Host, "host", &self.host),
            (Property::RemoteUser, "remote_user", &self.remote_user),
            (Property::RequestTime, "request_time", &self.request_time),
            (Property::Upstream, "upstream", &self.upstream),
            (Property::ForwardedFor, "forwarded_for", &self.forwarded_for),
            (Property::Session, "session", &self.session),
            (Property::Account, "account", &self.account),
            (Property::Outcome, "outcome", &self.outcome),
            (Property::Kind, "kind", &self.kind),
        ]
    }
}

/// An event property a JSON path can feed; the discriminant indexes [`Captures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    Time,
    ClientIp,
    Request,
    Uri,
    Method,
    Path,
    Query,
    Protocol,
    Status,
    Bytes,
    Referer,
    UserAgent,
    Host,
    RemoteUser,
    RequestTime,
    Upstream,
    ForwardedFor,
    Session,
    Account,
    Outcome,
    Kind,
}

const N_PROPERTIES: usize = Property::Kind as usize + 1;

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(Box<str>),
    Index(usize),
}

/// A node of the path tree: the keys to descend into, and the properties the
/// value at this node feeds (with the rank of the path among its property's
/// alternatives; lower wins).
#[derive(Debug, Clone, Default)]
struct Node {
    /// Object keys to descend into, with their nodes.
    keys: Vec<(Box<str>, usize)>,
    /// Array indices to descend into, with their nodes.
    indices: Vec<(usize, usize)>,
    targets: Vec<(Property, u8)>,
}

impl Node {
    fn has_children(&self) -> bool {
        !self.keys.is_empty() || !self.indices.is_empty()
    }
}

/// The most alternatives one property may list, so a rank fits in a `u8`.
const MAX_ALTERNATIVES: usize = 32;

/// Splits `a.b[0].c` into steps.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut key = String::new();
    let mut has_key = false;
    let mut chars = path.chars().peekable();
    // Whether the previous step was an index, so a key may not follow without a dot.
    let mut after_index = false;
    while let Some(char) = chars.next() {
        match char {
            '\\' => match chars.next() {
                Some(escaped @ ('.' | '[' | ']' | '\\')) => {
                    key.push(escaped);
                    has_key = true;
                }
                _ => return Err("a backslash must escape `.`, `[`, `]` or `\\`".to_owned()),
            },
            '.' => {
                if !has_key && !after_index {
                    return Err("empty key".to_owned());
                }
                if has_key {
                    steps.push(Step::Key(std::mem::take(&mut key).into_boxed_str()));
                    has_key = false;
                }
                after_index = false;
                if chars.peek().is_none() {
                    return Err("empty key at the end".to_owned());
                }
            }
            '[' => {
                if has_key {
                    steps.push(Step::Key(std::mem::take(&mut key).into_boxed_str()));
                    has_key = false;
                } else if steps.is_empty() {
                    return Err("a path must start with a key".to_owned());
                } else if !after_index {
                    return Err("empty key before `[`".to_owned());
                }
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(digit) if digit.is_ascii_digit() => digits.push(digit),
                        _ => return Err("an index must be digits closed by `]`".to_owned()),
                    }
                }
                let index = digits
                    .parse::<usize>()
                    .map_err(|_| "an index must be digits closed by `]`".to_owned())?;
                steps.push(Step::Index(index));
                after_index = true;
            }
            ']' => return Err("`]` without `[`".to_owned()),
            _ => {
                if after_index {
                    return Err("expected `.` or `[` after `]`".to_owned());
                }
                key.push(char);
                has_key = true;
            }
        }
    }
    if has_key {
        steps.push(Step::Key(key.into_boxed_str()));
    }
    if steps.is_empty() {
        return Err("empty path".to_owned());
    }
    Ok(steps)
}

#[derive(Debug, Clone)]
pub(crate) struct JsonParser {
    /// The path tree; index 0 is the root object.
    nodes: Vec<Node>,
    /// `time` paths joined by `|`, for `Error::MissingField`.
    time_label: String,
    /// `client_ip` paths joined by `|`, for `Error::MissingField`.
    client_ip_label: String,
    kind: JsonEventKind,
    time_format: TimeFormat,
    request_time_unit: DurationUnit,
    success_values: Vec<String>,
    failure_values: Vec<String>,
    login_kinds: Vec<String>,
}

impl JsonParser {
    pub(crate) fn compile(mapping: JsonMapping) -> Result<JsonParser, CompileError> {
        let mut nodes = vec![Node::default()];
        let mut problems = Vec::new();
        for (property, name, paths) in mapping.fields.properties() {
            if paths.len() > MAX_ALTERNATIVES {
                problems.push(format!("fields.{name} lists more than {MAX_ALTERNATIVES} paths"));
                continue;
            }
            for (rank, path) in paths.iter().enumerate() {
                match parse_path(path) {
                    Ok(steps) => {
                        let node = insert_path(&mut nodes, steps);
                        // `rank` < MAX_ALTERNATIVES, checked above.
                        nodes[node].targets.push((property, rank as u8));
                    }
                    Err(reason) => {
                        problems.push(format!("invalid path {path:?} in fields.{name}: {reason}"));
                    }
                }
            }
        }
        for (name, paths) in
            [("time", &mapping.fields.time), ("client_ip", &mapping.fields.client_ip)]
        {
            if paths.is_empty() {
                problems.push(format!("no path for fields.{name} (it is required)"));
            }
        }
        if !problems.is_empty() {
            let prefix =
                if mapping.name.is_empty() { String::new() } else { format!("{}: ", mapping.name) };
            return Err(CompileError::Mapping(format!("{prefix}{}", problems.join("; "))));
        }
        Ok(JsonParser {
            nodes,
            time_label: mapping.fields.time.join("|"),
            client_ip_label: mapping.fields.client_ip.join("|"),
            kind: mapping.kind,
            time_format: mapping.time_format,
            request_time_unit: mapping.request_time_unit,
            success_values: mapping.success_values,
            failure_values: mapping.failure_values,
            login_kinds: mapping.login_kinds,
        })
    }

    pub(crate) fn parse<'a>(&self, line: &'a str, default_offset: i32) -> Result<Event<'a>> {
        let mut captures = Captures::default();
        let mut deserializer = serde_json::Deserializer::from_str(line);
        deserializer
            .deserialize_map(NodeVisitor { parser: self, node: 0, captures: &mut captures })
            .and_then(|()| deserializer.end())
            .map_err(|error| Error::Json(error.to_string()))?;
        self.build(line, &captures, default_offset)
    }

    fn build<'a>(
        &self,
        line: &'a str,
        captures: &Captures<'a>,
        default_offset: i32,
    ) -> Result<Event<'a>> {
        let mut event = Event { utc_offset_secs: default_offset, ..Event::default() };

        let raw_time = captures
            .get(Property::Time)
            .ok_or_else(|| Error::MissingField(self.time_label.clone()))?;
        let time = decode(raw_time)?;
        let zoned = self
            .parse_time(&time, default_offset)
            .ok_or_else(|| invalid("time", line, raw_time))?;
        event.time = zoned.time;
        event.utc_offset_secs = zoned.utc_offset_secs;

        let raw_ip = captures
            .get(Property::ClientIp)
            .ok_or_else(|| Error::MissingField(self.client_ip_label.clone()))?;
        let ip = decode(raw_ip)?;
        event.client_ip =
            Some(parse_ip(ip.as_str()).ok_or_else(|| invalid("client_ip", line, raw_ip))?);

        // Most specific last: a method or path field beats the one in `uri`,
        // which beats the one in `request`.
        if let Some(raw) = captures.get(Property::Request) {
            apply_request(&mut event, decode(raw)?.into_text());
        }
        if let Some(raw) = captures.get(Property::Uri) {
            apply_target(&mut event, decode(raw)?.into_text());
        }
        let text = |property| -> Result<Option<Cow<'a, str>>> {
            captures.get(property).map(|raw| decode(raw).map(Value::into_text)).transpose()
        };
        if let Some(method) = text(Property::Method)? {
            event.method = method;
        }
        if let Some(path) = text(Property::Path)? {
            event.path = path;
        }
        if let Some(query) = text(Property::Query)? {
            event.query = match query {
                Cow::Borrowed(query) => Cow::Borrowed(query.strip_prefix('?').unwrap_or(query)),
                Cow::Owned(query) => match query.strip_prefix('?') {
                    Some(stripped) => Cow::Owned(stripped.to_owned()),
                    None => Cow::Owned(query),
                },
            };
        }
        if let Some(protocol) = text(Property::Protocol)? {
            event.protocol = protocol;
        }
        if let Some(raw) = captures.get(Property::Status) {
            let status = decode(raw)?;
            event.status = Some(
                parse_digits(status.as_str())
                    .filter(|&status| status < 1000)
                    .map(|status| status as u16)
                    .ok_or_else(|| invalid("status", line, raw))?,
            );
        }
        if let Some(raw) = captures.get(Property::Bytes) {
            let bytes = decode(raw)?;
            event.bytes =
                Some(parse_digits(bytes.as_str()).ok_or_else(|| invalid("bytes", line, raw))?);
        }
        if let Some(raw) = captures.get(Property::RequestTime) {
            // Garbage here is absent rather than an error, as in the text
            // formats: a duration is never worth dropping the event for.
            let seconds = decode(raw)?;
            let unit = self.request_time_unit.secs_per_unit();
            event.request_time = seconds
                .as_str()
                .parse::<f64>()
                .ok()
                .filter(|value| value.is_finite() && *value >= 0.0)
                .map(|value| value * unit);
        }
        event.referer = text(Property::Referer)?.unwrap_or_default();
        event.user_agent = text(Property::UserAgent)?.unwrap_or_default();
        event.host = text(Property::Host)?.unwrap_or_default();
        event.remote_user = text(Property::RemoteUser)?.unwrap_or_default();
        event.upstream = text(Property::Upstream)?.unwrap_or_default();
        event.forwarded_for = text(Property::ForwardedFor)?.unwrap_or_default();
        event.session = text(Property::Session)?.unwrap_or_default();
        event.account = text(Property::Account)?.unwrap_or_default();
        if let Some(outcome) = text(Property::Outcome)? {
            event.outcome = if is_listed(&self.success_values, &outcome) {
                Some(LoginOutcome::Success)
            } else if is_listed(&self.failure_values, &outcome) {
                Some(LoginOutcome::Failure)
            } else {
                None
            };
        }
        event.kind = match text(Property::Kind)? {
            Some(kind) if is_listed(&self.login_kinds, &kind) => EventKind::Login,
            Some(_) => EventKind::Request,
            None => match self.kind {
                JsonEventKind::Request => EventKind::Request,
                JsonEventKind::Login => EventKind::Login,
            },
        };
        Ok(event)
    }

    fn parse_time(&self, value: &Value<'_>, default_offset: i32) -> Option<ZonedTime> {
        let text = value.as_str().trim();
        let epoch = |exponent| {
            parse_epoch(text, exponent)
                .map(|time| ZonedTime { time, utc_offset_secs: default_offset })
        };
        match self.time_format {
            TimeFormat::Iso8601 => time::parse_iso8601(text.as_bytes(), default_offset),
            TimeFormat::Clf => parse_clf_time(text),
            TimeFormat::EpochSecs => epoch(Some(0)),
            TimeFormat::EpochMillis => epoch(Some(3)),
            TimeFormat::Auto => match value {
                Value::Text(_) => time::parse_iso8601(text.as_bytes(), default_offset)
                    .or_else(|| parse_clf_time(text))
                    .or_else(|| epoch(None)),
                Value::Literal(_) => epoch(None),
            },
        }
    }

    /// The child for an object key. This runs for every key of every object
    /// on a wanted path, so it compares lengths and first bytes before text.
    #[inline]
    fn find_child(&self, node: usize, key: &str) -> Option<usize> {
        let first = key.as_bytes().first()?;
        self.nodes[node].keys.iter().find_map(|(name, child)| {
            (name.len() == key.len() && name.as_bytes().first() == Some(first) && **name == *key)
                .then_some(*child)
        })
    }

    fn find_index(&self, node: usize, index: usize) -> Option<usize> {
        self.nodes[node].indices.iter().find_map(|&(at, child)| (at == index).then_some(child))
    }
}

/// Adds a path to the tree and returns its last node.
fn insert_path(nodes: &mut Vec<Node>, steps: Vec<Step>) -> usize {
    let mut node = 0;
    for step in steps {
        let existing = match &step {
            Step::Key(key) => {
                nodes[node].keys.iter().find(|(known, _)| known == key).map(|&(_, child)| child)
            }
            Step::Index(index) => nodes[node]
                .indices
                .iter()
                .find(|(known, _)| known == index)
                .map(|&(_, child)| child),
        };
        node = match existing {
            Some(child) => child,
            None => {
                nodes.push(Node::default());
                let child = nodes.len() - 1;
                match step {
                    Step::Key(key) => nodes[node].keys.push((key, child)),
                    Step::Index(index) => nodes[node].indices.push((index, child)),
                }
                child
            }
        };
    }
    node
}

fn is_listed(values: &[String], text: &str) -> bool {
    let text = text.trim();
    values.iter().any(|value| value.eq_ignore_ascii_case(text))
}

fn parse_clf_time(text: &str) -> Option<ZonedTime> {
    let inner = text.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).unwrap_or(text);
    time::parse_clf(inner.as_bytes())
}

/// An IP address, possibly with a port (`1.2.3.4:5678`, `[2001:db8::1]:443`).
fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse().ok().or_else(|| crate::format::parse_ip_with_port(text))
}

fn parse_digits(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses an epoch time whose unit is 10^-`exponent` seconds (0 = seconds,
/// 3 = milliseconds...). `None` guesses the unit from the number of digits.
fn parse_epoch(text: &str, exponent: Option<u32>) -> Option<Timestamp> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let is_plain = !whole.is_empty()
        && whole.len() <= 19
        && whole.bytes().all(|byte| byte.is_ascii_digit())
        && fraction.bytes().all(|byte| byte.is_ascii_digit());
    let exponent = exponent.unwrap_or(match whole.len() {
        0..=11 => 0,
        12..=14 => 3,
        15..=17 => 6,
        _ => 9,
    });
    if !is_plain {
        // Exponent notation (`1.7e9`): rare, and f64 precision is enough for it.
        let value = text.parse::<f64>().ok()?;
        let micros = value * 10f64.powi(6 - exponent as i32);
        return (micros.is_finite() && (0.0..9.0e18).contains(&micros))
            .then(|| Timestamp::from_unix_micros(micros.round() as i64));
    }
    if exponent == 0 {
        return time::parse_epoch_secs(text.as_bytes()).map(|zoned| zoned.time);
    }
    let whole: u64 = whole.parse().ok()?;
    let micros = if exponent <= 6 {
        let scale = 10u64.pow(6 - exponent);
        let mut fraction_micros = 0;
        let mut digit_scale = scale;
        for byte in fraction.bytes() {
            digit_scale /= 10;
            if digit_scale == 0 {
                break;
            }
            fraction_micros += u64::from(byte - b'0') * digit_scale;
        }
        whole.checked_mul(scale)?.checked_add(fraction_micros)?
    } else {
        whole / 10u64.pow(exponent - 6)
    };
    i64::try_from(micros).ok().map(Timestamp::from_unix_micros)
}

/// A captured JSON value: a string (borrowed when it had no escapes) or the
/// raw text of a number, boolean, object or array.
#[derive(Debug)]
enum Value<'a> {
    Text(Cow<'a, str>),
    Literal(&'a str),
}

impl<'a> Value<'a> {
    fn as_str(&self) -> &str {
        match self {
            Value::Text(text) => text,
            Value::Literal(text) => text,
        }
    }

    fn into_text(self) -> Cow<'a, str> {
        match self {
            Value::Text(text) => text,
            Value::Literal(text) => Cow::Borrowed(text),
        }
    }
}

fn decode(raw: &RawValue) -> Result<Value<'_>> {
    let text = raw.get();
    let Some(inner) = text.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) else {
        return Ok(Value::Literal(text));
    };
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Ok(Value::Text(Cow::Borrowed(inner)));
    }
    let unescaped: String =
        serde_json::from_str(text).map_err(|error| Error::Json(error.to_string()))?;
    Ok(Value::Text(Cow::Owned(unescaped)))
}

/// The error for a value present in the line but not valid for its property.
fn invalid(field: &'static str, line: &str, raw: &RawValue) -> Error {
    let text = raw.get();
    // The raw value is a slice of the line, so its address gives its column.
    let offset = (text.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    let column = if offset < line.len() { offset + 1 } else { 0 };
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Error::InvalidField { field, value: text[..end].to_owned(), column }
}

/// Whether a raw value counts as absent: `null`, `""` or `"-"`.
fn is_absent(text: &str) -> bool {
    matches!(text, "null" | "\"\"" | "\"-\"")
}

/// The raw values found for each property, with the rank of the path they came from.
#[derive(Debug, Default)]
struct Captures<'a> {
    values: [Option<(u8, &'a RawValue)>; N_PROPERTIES],
}

impl<'a> Captures<'a> {
    fn get(&self, property: Property) -> Option<&'a RawValue> {
        self.values[property as usize].map(|(_, raw)| raw)
    }

    fn store(&mut self, targets: &[(Property, u8)], raw: &'a RawValue) {
        if is_absent(raw.get()) {
            return;
        }
        for &(property, rank) in targets {
            let slot = &mut self.values[property as usize];
            if slot.is_none_or(|(best, _)| rank < best) {
                *slot = Some((rank, raw));
            }
        }
    }
}

/// Walks one JSON value at a node of the path tree, descending only into
/// wanted keys and indices.
struct NodeVisitor<'p, 'c, 'a> {
    parser: &'p JsonParser,
    node: usize,
    captures: &'c mut Captures<'a>,
}

impl<'de> Visitor<'de> for NodeVisitor<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let NodeVisitor { parser, node, captures } = self;
        while let Some(child) = map.next_key_seed(KeySeed { parser, node })? {
            match child {
                Some(child) => map.next_value_seed(ValueSeed { parser, node: child, captures })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let NodeVisitor { parser, node, captures } = self;
        let mut index = 0;
        loop {
            let is_more = match parser.find_index(node, index) {
                Some(child) => {
                    seq.next_element_seed(ValueSeed { parser, node: child, captures })?.is_some()
                }
                None => seq.next_element::<IgnoredAny>()?.is_some(),
            };
            if !is_more {
                return Ok(());
            }
            index += 1;
        }
    }

    // A scalar where the paths expected an object or array: nothing to take.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Reads an object key and looks it up among the node's children, without
/// allocating.
struct KeySeed<'p> {
    parser: &'p JsonParser,
    node: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.parser.find_child(self.node, key))
    }
}

/// Reads the value at a wanted node: captured raw when it feeds properties,
/// walked when paths go deeper.
struct ValueSeed<'p, 'c, 'a> {
    parser: &'p JsonParser,
    node: usize,
    captures: &'c mut Captures<'a>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let ValueSeed { parser, node, captures } = self;
        let entry = &parser.nodes[node];
        if entry.targets.is_empty() {
            return deserializer.deserialize_any(NodeVisitor { parser, node, captures });
        }
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        captures.store(&entry.targets, raw);
        if entry.has_children() && raw.get().starts_with(['{', '[']) {
            // Both a property and a parent of other paths: walk the raw text too.
            let mut inner = serde_json::Deserializer::from_str(raw.get());
            de::Deserializer::deserialize_any(&mut inner, NodeVisitor { parser, node, captures })
                .map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "tests_json.rs"]
mod tests;
