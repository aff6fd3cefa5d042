//! The `[store]`, `[serve]`, `[decisions]` (and, through `outputs`, `[outputs]`) sections: where decisions are
//! kept, where bouncers reach them, and how alerts become decisions.

use std::net::SocketAddr;
use std::path::PathBuf;

use decisions::{DecisionAction, Escalation, Override, Profile, Selector, parse_duration};
use ipnet::IpNet;
use model::{RuleId, Severity};
use serde::Deserialize;

use crate::config::{ConfigProblem, Unknown, unknown_keys};

/// `[store]`: the database.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawStore {
    /// A SQLite file (default: leakguard.db in the data directory).
    path: Option<PathBuf>,
    /// A PostgreSQL URL (`postgres://user@host/db`); wins over `path`.
    url: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `[serve]`: the bouncer API.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawServe {
    /// Address and port to listen on (default 127.0.0.1:8080).
    listen: Option<String>,
    /// Allow plain HTTP on a non-loopback address (bouncer keys then travel in clear).
    allow_plain_http: Option<bool>,
    /// PEM certificate chain: serve HTTPS (with tls_key).
    tls_cert: Option<PathBuf>,
    /// PEM private key of tls_cert.
    tls_key: Option<PathBuf>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `[decisions]`: the profile and the allowlist.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawDecisions {
    /// Duration of decisions whose rule proposes none (default "4h").
    default_duration: Option<String>,
    /// Double repeat bans of the same value (default true).
    escalate: Option<bool>,
    /// The longest an escalated ban lasts (default "7d").
    max_duration: Option<String>,
    /// Widen IPv6 bans to this prefix length (default 64; 128 keeps the address).
    ipv6_prefix: Option<u8>,
    /// Addresses and ranges never decided on.
    allowlist: Option<Vec<String>>,
    /// Changes to the proposed response per rule, tag or severity.
    overrides: Option<Vec<RawOverride>>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// One `[[decisions.overrides]]` entry.
#[derive(Debug, Default, Deserialize)]
struct RawOverride {
    rule: Option<String>,
    tag: Option<String>,
    severity: Option<String>,
    action: Option<String>,
    duration: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The validated sections.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Blocking {
    /// The database (none: the default file in the data directory).
    pub(crate) store: Option<store::Config>,
    /// Where `serve` listens.
    pub(crate) listen: SocketAddr,
    /// Whether plain HTTP may listen on a non-loopback address.
    pub(crate) allow_plain_http: bool,
    /// Certificate and key files: serve HTTPS.
    pub(crate) tls: Option<(PathBuf, PathBuf)>,
    /// How alerts become decisions.
    pub(crate) profile: Profile,
    /// Allowlisted ranges from the file (added to the store's allowlist).
    pub(crate) allowlist: Vec<IpNet>,
    /// `[outputs]`: the nginx and nftables files `serve` keeps up to date.
    pub(crate) outputs: crate::outputs::Outputs,
}

pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Default for Blocking {
    fn default() -> Blocking {
        Blocking {
            store: None,
            listen: DEFAULT_LISTEN.parse().expect("the default listen address parses"),
            allow_plain_http: false,
            tls: None,
            profile: Profile::default(),
            allowlist: Vec::new(),
            outputs: crate::outputs::Outputs::default(),
        }
    }
}

fn parse_severity(text: &str) -> Option<Severity> {
    [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
        .into_iter()
        .find(|severity| severity.as_str().eq_ignore_ascii_case(text))
}

/// Checks a listen address: plain HTTP only on loopback unless allowed.
pub(crate) fn check_listen(text: &str, allow_plain_http: bool) -> Result<SocketAddr, String> {
    let address: SocketAddr = text
        .parse()
        .map_err(|_| format!("{text:?} is not an address and port (e.g. \"127.0.0.1:8080\")"))?;
    if !address.ip().is_loopback() && !allow_plain_http {
        return Err(format!(
            "{address} is not a loopback address, and bouncer keys would travel in clear over \
             plain HTTP; set serve.tls_cert and serve.tls_key, listen on 127.0.0.1, or set serve.allow_plain_http = true"
        ));
    }
    Ok(address)
}

fn duration_or_problem(
    key: &str,
    text: Option<String>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<u64> {
    let text = text?;
    match parse_duration(&text) {
        Ok(0) | Err(_) => {
            problems.push(ConfigProblem {
                key: key.to_owned(),
                message: format!(
                    "{text:?} is not a duration above zero (e.g. \"4h\", \"30m\", \"7d\")"
                ),
            });
            None
        }
        Ok(secs) => Some(secs),
    }
}

/// Validates the three sections, adding every problem found.
pub(crate) fn validate(
    raw_store: RawStore,
    raw_serve: RawServe,
    raw_decisions: RawDecisions,
    raw_outputs: crate::outputs::RawOutputs,
    problems: &mut Vec<ConfigProblem>,
) -> Blocking {
    let mut blocking = Blocking {
        outputs: crate::outputs::validate(raw_outputs, problems),
        ..Blocking::default()
    };
    let problem = |problems: &mut Vec<ConfigProblem>, key: &str, message: String| {
        problems.push(ConfigProblem { key: key.to_owned(), message });
    };
    blocking.store = match (raw_store.url, raw_store.path) {
        (Some(url), _) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Some(store::Config::Postgres { url })
        }
        (Some(url), _) => {
            problem(
                problems,
                "store.url",
                format!("{url:?} is not a postgres:// URL (use store.path for SQLite)"),
            );
            None
        }
        (None, Some(path)) => Some(store::Config::Sqlite { path }),
        (None, None) => None,
    };
    let listen = raw_serve.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    blocking.allow_plain_http = raw_serve.allow_plain_http.unwrap_or(false);
    blocking.tls = match (raw_serve.tls_cert, raw_serve.tls_key) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            problem(
                problems,
                "serve.tls_cert",
                "give both tls_cert and tls_key, or neither".to_owned(),
            );
            None
        }
    };
    match check_listen(&listen, blocking.allow_plain_http || blocking.tls.is_some()) {
        Ok(address) => blocking.listen = address,
        Err(message) => problem(problems, "serve.listen", message),
    }
    let profile = &mut blocking.profile;
    if let Some(secs) =
        duration_or_problem("decisions.default_duration", raw_decisions.default_duration, problems)
    {
        profile.default_duration_secs = secs;
    }
    let max = duration_or_problem("decisions.max_duration", raw_decisions.max_duration, problems);
    profile.escalation = match raw_decisions.escalate.unwrap_or(true) {
        true => Some(Escalation {
            max_duration_secs: max.unwrap_or(Escalation::default().max_duration_secs),
            ..Escalation::default()
        }),
        false => None,
    };
    match raw_decisions.ipv6_prefix {
        Some(prefix_len @ 1..=128) => {
            profile.ipv6_prefix = (prefix_len < 128).then_some(prefix_len);
        }
        Some(other) => problem(
            problems,
            "decisions.ipv6_prefix",
            format!("{other} is not a prefix length between 1 and 128"),
        ),
        None => {}
    }
    for (idx, text) in raw_decisions.allowlist.unwrap_or_default().iter().enumerate() {
        let parsed = text
            .parse::<IpNet>()
            .map(|net| net.trunc())
            .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from));
        match parsed {
            Ok(net) => blocking.allowlist.push(net),
            Err(_) => problem(
                problems,
                &format!("decisions.allowlist[{idx}]"),
                format!("{text:?} is not an address or CIDR range (e.g. \"192.0.2.0/24\")"),
            ),
        }
    }
    for (idx, raw) in raw_decisions.overrides.unwrap_or_default().into_iter().enumerate() {
        let key = format!("decisions.overrides[{idx}]");
        let selector = match (raw.rule, raw.tag, raw.severity) {
            (Some(rule), None, None) => Some(Selector::Rule(RuleId(rule))),
            (None, Some(tag), None) => Some(Selector::Tag(tag)),
            (None, None, Some(text)) => match parse_severity(&text) {
                Some(severity) => Some(Selector::Severity(severity)),
                None => {
                    problem(
                        problems,
                        &format!("{key}.severity"),
                        format!(
                            "unknown severity {text:?}; use info, low, medium, high or critical"
                        ),
                    );
                    None
                }
            },
            _ => {
                problem(problems, &key, "give exactly one of rule, tag or severity".to_owned());
                None
            }
        };
        let action = match raw.action.map(|text| text.parse::<DecisionAction>()) {
            Some(Ok(action)) => Some(action),
            Some(Err(error)) => {
                problem(problems, &format!("{key}.action"), error.to_string());
                None
            }
            None => None,
        };
        let duration_secs = duration_or_problem(&format!("{key}.duration"), raw.duration, problems);
        unknown_keys(&key, &raw.unknown, problems);
        if let Some(selector) = selector {
            profile.overrides.push(Override { selector, action, duration_secs });
        }
    }
    unknown_keys("store", &raw_store.unknown, problems);
    unknown_keys("serve", &raw_serve.unknown, problems);
    unknown_keys("decisions", &raw_decisions.unknown, problems);
    blocking
}
