//! Turns raw log lines into normalized [`model::Event`]s.
//!
//! One [`Parser`] handles one format, chosen by a [`FormatSpec`]:
//!
//! - nginx / Apache `combined` and `common`;
//! - any nginx `log_format` or Apache `LogFormat` string, compiled into a
//!   segment matcher (the built-in formats are compiled the same way);
//! - JSON lines with a field mapping (nginx `escape=json`, Caddy, the shop's
//!   own login events);
//! - the nginx error log (`limit_req`, basic-auth failures, forbidden by rule).
//!
//! Parsing is zero-copy on the common path: event text borrows from the line
//! and is owned only when the line needed unescaping. A line that does not fit
//! the format is an [`Error`] naming the column and what was expected; it is
//! data for the caller to count and show, never a panic.
//!
//! Deliberately not here: reading files (the `ingest` crate), deciding what is
//! an attack (`detection`), and choosing a format for a whole file (the caller
//! samples lines and calls [`detect_format`]).
//!
//! ```
//! use parsers::{FormatSpec, Parser, ParserOptions};
//! let parser = Parser::compile(&FormatSpec::Combined, &ParserOptions::default()).unwrap();
//! let line = r#"203.0.113.9 - - [22/Nov/2026:10:00:00 +0800] "GET /member/orders?page=2 HTTP/1.1" 200 512 "-" "curl/8.0""#;
//! let event = parser.parse(line).unwrap();
//! assert_eq!(event.path, "/member/orders");
//! assert_eq!(event.query, "page=2");
//! assert_eq!(event.status, Some(200));
//! ```

mod apache_error;
mod detect;
mod envelope;
mod escape;
mod format;
mod json;
mod nginx_error;
mod proxy;
mod request;
pub mod time;

use model::Event;

pub use detect::{Detection, detect_format};
pub use format::{COMBINED, COMMON, CompiledFormat, FormatDialect};
pub use json::{DurationUnit, JsonEventKind, JsonFields, JsonMapping, TimeFormat};
pub use proxy::TrustedProxies;

/// Why a line could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The line ended where more was expected.
    #[error("line ends early: expected {expected} at column {column}")]
    UnexpectedEnd {
        /// What the format needed next.
        expected: &'static str,
        /// 1-based byte column.
        column: usize,
    },
    /// Literal text of the format was not found.
    #[error("expected {expected:?} at column {column}, found {found:?}")]
    Mismatch {
        /// The literal the format needed.
        expected: String,
        /// What the line had there (shortened).
        found: String,
        /// 1-based byte column.
        column: usize,
    },
    /// A field had text that is not a valid value of its type.
    #[error("invalid {field} {value:?} at column {column}")]
    InvalidField {
        /// The field (`status`, `time_local`, `remote_addr`...).
        field: &'static str,
        /// The offending text (shortened).
        value: String,
        /// 1-based byte column.
        column: usize,
    },
    /// The line is not a JSON object.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// A field the mapping requires is missing.
    #[error("missing field {0:?}")]
    MissingField(String),
    /// The line is not the kind this parser reads (e.g. an error-log line with no client).
    #[error("not a {format} line: {reason}")]
    NotThisFormat {
        /// The format's name.
        format: &'static str,
        /// Why.
        reason: &'static str,
    },
}

/// Result of parsing one line.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a format could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// The format string uses a variable leakguard does not know.
    #[error("unknown variable {name:?} in format at column {column}")]
    UnknownVariable {
        /// The variable as written.
        name: String,
        /// 1-based column in the format string.
        column: usize,
    },
    /// Two variables follow each other with no literal text between them, so
    /// there is no way to tell where one ends.
    #[error("variables {first:?} and {second:?} have nothing between them")]
    AdjacentVariables {
        /// The first variable.
        first: String,
        /// The one right after it.
        second: String,
    },
    /// The format has no client address, so nothing could ever be blamed.
    #[error("format has no client address variable ($remote_addr, %h or %a)")]
    NoClientAddress,
    /// The format string is empty or has an unterminated construct.
    #[error("malformed format: {0}")]
    Malformed(String),
    /// A JSON mapping names no field for a required property.
    #[error("json mapping: {0}")]
    Mapping(String),
}

/// Which format a parser reads.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatSpec {
    /// nginx/Apache `combined`, tolerating extra fields after the user agent.
    Combined,
    /// nginx/Apache `common` (Common Log Format).
    Common,
    /// An nginx `log_format` string (the part after the name, quotes joined).
    Nginx(String),
    /// An Apache `LogFormat` string.
    Apache(String),
    /// JSON lines with a field mapping.
    Json(JsonMapping),
    /// The nginx error log.
    NginxError,
    /// The Apache httpd error log.
    ApacheError,
}

impl FormatSpec {
    /// The built-in format with this name: `combined`, `common` (`clf`),
    /// `nginx-error`, `apache-error`, `json` (nginx JSON), `json:<preset>`.
    pub fn from_name(name: &str) -> Option<FormatSpec> {
        let spec = match name {
            "combined" => FormatSpec::Combined,
            "common" | "clf" => FormatSpec::Common,
            "nginx-error" | "nginx_error" => FormatSpec::NginxError,
            "apache-error" | "apache_error" => FormatSpec::ApacheError,
            "json" => FormatSpec::Json(JsonMapping::preset("nginx")?),
            other => FormatSpec::Json(JsonMapping::preset(other.strip_prefix("json:")?)?),
        };
        Some(spec)
    }

    /// A short name for reports (`combined`, `nginx-error`, `json:caddy`...).
    pub fn name(&self) -> String {
        match self {
            FormatSpec::Combined => "combined".into(),
            FormatSpec::Common => "common".into(),
            FormatSpec::Nginx(_) => "nginx log_format".into(),
            FormatSpec::Apache(_) => "apache LogFormat".into(),
            FormatSpec::Json(mapping) => format!("json:{}", mapping.name),
            FormatSpec::NginxError => "nginx-error".into(),
            FormatSpec::ApacheError => "apache-error".into(),
        }
    }
}

/// Settings every parser shares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParserOptions {
    /// Proxies whose `X-Forwarded-For` / `X-Real-IP` are believed.
    pub trusted_proxies: TrustedProxies,
    /// Offset (seconds east of UTC) for timestamps written without a zone.
    pub default_utc_offset_secs: i32,
}

/// A compiled parser for one format.
#[derive(Debug, Clone)]
pub struct Parser {
    kind: ParserKind,
    options: ParserOptions,
    name: String,
}

#[derive(Debug, Clone)]
enum ParserKind {
    /// A compiled format, with variants tried when a line does not fit it.
    Format(Box<CompiledFormat>, Vec<CompiledFormat>),
    Json(Box<json::JsonParser>),
    NginxError,
    ApacheError,
}

impl Parser {
    /// Compiles a parser for `spec`.
    pub fn compile(spec: &FormatSpec, options: &ParserOptions) -> Result<Parser, CompileError> {
        let kind = match spec {
            FormatSpec::Combined => ParserKind::Format(
                Box::new(CompiledFormat::combined()),
                vec![
                    CompiledFormat::built_in(format::VHOST_COMBINED),
                    CompiledFormat::built_in(format::COMBINED_WITHOUT_USER),
                ],
            ),
            FormatSpec::Common => ParserKind::Format(
                Box::new(CompiledFormat::common()),
                vec![CompiledFormat::built_in(format::VHOST_COMMON)],
            ),
            FormatSpec::Nginx(text) => ParserKind::Format(
                Box::new(CompiledFormat::compile(text, FormatDialect::Nginx)?),
                Vec::new(),
            ),
            FormatSpec::Apache(text) => ParserKind::Format(
                Box::new(CompiledFormat::compile(text, FormatDialect::Apache)?),
                Vec::new(),
            ),
            FormatSpec::Json(mapping) => {
                ParserKind::Json(Box::new(json::JsonParser::compile(mapping.clone())?))
            }
            FormatSpec::NginxError => ParserKind::NginxError,
            FormatSpec::ApacheError => ParserKind::ApacheError,
        };
        Ok(Parser { kind, options: options.clone(), name: spec.name() })
    }

    /// The format's short name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Parses one line (without its line terminator).
    #[inline]
    pub fn parse<'a>(&self, line: &'a str) -> Result<Event<'a>> {
        let mut event = match self.parse_bare(line) {
            Ok(event) => event,
            Err(error) => {
                // A syslog or journal envelope (at most two nested) hides the line.
                // The error reported is the one about the line as written.
                let mut inner = line;
                let mut found = None;
                for _ in 0..2 {
                    let Some(stripped) = envelope::strip_envelope(inner) else { break };
                    inner = stripped;
                    if let Ok(event) = self.parse_bare(inner) {
                        found = Some(event);
                        break;
                    }
                }
                found.ok_or(error)?
            }
        };
        self.options.trusted_proxies.resolve(&mut event);
        Ok(event)
    }

    #[inline]
    fn parse_bare<'a>(&self, line: &'a str) -> Result<Event<'a>> {
        let offset = self.options.default_utc_offset_secs;
        match &self.kind {
            ParserKind::Format(format, variants) => match format.parse(line, offset) {
                Ok(event) => Ok(event),
                Err(error) => variants
                    .iter()
                    .find_map(|variant| variant.parse(line, offset).ok())
                    .ok_or(error),
            },
            ParserKind::Json(json) => json.parse(line, offset),
            ParserKind::NginxError => nginx_error::parse(line, offset),
            ParserKind::ApacheError => apache_error::parse(line, offset),
        }
    }
}

#[cfg(test)]
mod tests;
