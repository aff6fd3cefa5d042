//! The `[notify]` section (the operator's alert messages: email, webhook,
//! Telegram, LINE) and the `[notices]` section (the breach-notice outbox's
//! sender: SMTP, SMS gateway, rate), validated with key paths.
//!
//! Passwords and tokens are never written in the file itself: each comes from
//! a `*_file` (first line) or a `*_env` variable, and is held as a
//! [`notify::Secret`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use model::Severity;
use notify::digest::Policy;
use notify::http::Url;
use notify::smtp::{Security, SmtpConfig};
use notify::{Language, Secret};
use serde::Deserialize;

use crate::config::{ConfigProblem, Unknown, unknown_keys};

/// An SMTP server (`[notify.email]`, `[notices.email]`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawSmtp {
    /// Host name or address.
    server: Option<String>,
    /// Port (default 25 plain, 587 starttls, 465 tls).
    port: Option<u16>,
    /// "plain", "starttls" or "tls" (default starttls; plain only on loopback).
    security: Option<String>,
    /// Allow plain SMTP to a server that is not on loopback.
    allow_plain: Option<bool>,
    /// User name for AUTH.
    username: Option<String>,
    /// A file whose first line is the password.
    password_file: Option<PathBuf>,
    /// An environment variable holding the password.
    password_env: Option<String>,
    /// PEM file of trusted CAs (default: the system bundle).
    ca_file: Option<PathBuf>,
    /// Sender address.
    from: Option<String>,
    /// Sender display name.
    from_name: Option<String>,
    /// Recipients (for [notify.email]).
    to: Option<Vec<String>>,
    /// Seconds any one SMTP read or write may take (default 30).
    timeout: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// A token-authenticated HTTP channel.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawHttpChannel {
    /// The webhook URL, or the API base for Telegram and LINE.
    url: Option<String>,
    /// Telegram chat id.
    chat_id: Option<String>,
    /// LINE user, group or room id.
    to: Option<String>,
    token_file: Option<PathBuf>,
    token_env: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `[notify]`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawNotify {
    /// en or zh-TW (default: site.language, then en).
    language: Option<String>,
    /// Alerts at or above this severity are sent (default "high").
    min_severity: Option<String>,
    /// How long a group collects (default "5m").
    window: Option<String>,
    /// Messages per channel per hour (default 10).
    max_per_hour: Option<usize>,
    /// Items listed per message (default 20).
    max_listed: Option<usize>,
    email: Option<RawSmtp>,
    webhook: Option<RawHttpChannel>,
    telegram: Option<RawHttpChannel>,
    line: Option<RawHttpChannel>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `[notices.sms]`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawSms {
    /// "mitake" or "generic".
    provider: Option<String>,
    /// API base (mitake, default `https://smsapi.mitake.com.tw`) or endpoint (generic).
    url: Option<String>,
    /// Mitake account.
    username: Option<String>,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
    token_file: Option<PathBuf>,
    token_env: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `[notices]`: how the outbox sends.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawNotices {
    /// Messages per second ("20/s", "5").
    rate: Option<String>,
    /// Attempts before a notice is failed for good (default 5).
    max_attempts: Option<u32>,
    email: Option<RawSmtp>,
    sms: Option<RawSms>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// A validated SMTP sender.
#[derive(Debug, Clone)]
pub(crate) struct EmailConfig {
    pub(crate) smtp: SmtpConfig,
    pub(crate) from: String,
    pub(crate) from_name: String,
    pub(crate) to: Vec<String>,
}

/// The validated `[notify]` section.
#[derive(Debug, Clone, Default)]
pub(crate) struct NotifyConfig {
    pub(crate) language: Option<Language>,
    pub(crate) min_severity: Option<Severity>,
    pub(crate) policy: Policy,
    pub(crate) email: Option<EmailConfig>,
    pub(crate) webhook: Option<notify::channels::Webhook>,
    pub(crate) telegram: Option<notify::channels::Telegram>,
    pub(crate) line: Option<notify::channels::Line>,
    /// TLS settings for HTTPS channels.
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
}

impl NotifyConfig {
    /// Whether any channel is configured.
    pub(crate) fn is_configured(&self) -> bool {
        self.email.is_some()
            || self.webhook.is_some()
            || self.telegram.is_some()
            || self.line.is_some()
    }

    /// The lowest alert severity sent.
    pub(crate) fn threshold(&self) -> Severity {
        self.min_severity.unwrap_or(Severity::High)
    }
}

/// The validated `[notices]` section.
#[derive(Debug, Clone)]
pub(crate) struct NoticesConfig {
    pub(crate) rate_per_sec: f64,
    pub(crate) max_attempts: u32,
    pub(crate) email: Option<EmailConfig>,
    pub(crate) sms: Option<notify::sms::Gateway>,
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
}

impl Default for NoticesConfig {
    fn default() -> NoticesConfig {
        NoticesConfig { rate_per_sec: 10.0, max_attempts: 5, email: None, sms: None, tls: None }
    }
}

/// Parses a rate: `20/s`, `20`, `600/min`.
pub(crate) fn parse_rate(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, per) = match text.split_once('/') {
        Some((number, unit)) => {
            let per = match unit.trim() {
                "s" | "sec" | "second" => 1.0,
                "m" | "min" | "minute" => 60.0,
                "h" | "hour" => 3600.0,
                _ => return None,
            };
            (number.trim(), per)
        }
        None => (text, 1.0),
    };
    let value: f64 = number.parse().ok()?;
    (value.is_finite() && value > 0.0).then_some(value / per)
}

struct Problems<'a>(&'a mut Vec<ConfigProblem>);

impl Problems<'_> {
    fn add(&mut self, key: &str, message: String) {
        self.0.push(ConfigProblem { key: key.to_owned(), message });
    }
}

/// Reads a secret from a file's first line or an environment variable.
fn read_secret(
    section: &str,
    name: &str,
    file: Option<PathBuf>,
    env: Option<String>,
    problems: &mut Problems<'_>,
) -> Option<Secret> {
    if let Some(path) = file {
        return match std::fs::read_to_string(&path) {
            Ok(text) => Some(Secret::new(text.lines().next().unwrap_or_default())),
            Err(error) => {
                problems.add(
                    &format!("{section}.{name}_file"),
                    format!("cannot read {}: {error}", path.display()),
                );
                None
            }
        };
    }
    let variable = env?;
    // The app crate is where environment variables are read.
    #[allow(clippy::disallowed_methods)]
    match std::env::var(&variable) {
        Ok(value) if !value.is_empty() => Some(Secret::new(value)),
        _ => {
            problems.add(
                &format!("{section}.{name}_env"),
                format!("the environment variable {variable} is not set"),
            );
            None
        }
    }
}

fn tls_for(
    section: &str,
    ca_file: Option<PathBuf>,
    problems: &mut Problems<'_>,
) -> Option<Arc<rustls::ClientConfig>> {
    let path = ca_file.unwrap_or_else(|| PathBuf::from(notify::tls::SYSTEM_CA_FILE));
    match notify::tls::client_config(&path) {
        Ok(config) => Some(config),
        Err(error) => {
            problems.add(&format!("{section}.ca_file"), error.to_string());
            None
        }
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn validate_smtp(
    section: &str,
    raw: RawSmtp,
    needs_to: bool,
    problems: &mut Problems<'_>,
) -> Option<EmailConfig> {
    let before = problems.0.len();
    let Some(server) = raw.server.filter(|server| !server.trim().is_empty()) else {
        problems
            .add(&format!("{section}.server"), "missing: the SMTP server's host name".to_owned());
        return None;
    };
    let security = match raw.security.as_deref().unwrap_or("starttls") {
        "plain" => Security::Plain,
        "starttls" => Security::StartTls,
        "tls" => Security::Tls,
        other => {
            problems.add(
                &format!("{section}.security"),
                format!("{other:?} is not \"plain\", \"starttls\" or \"tls\""),
            );
            Security::StartTls
        }
    };
    if security == Security::Plain
        && !is_loopback_host(&server)
        && !raw.allow_plain.unwrap_or(false)
    {
        problems.add(
            &format!("{section}.security"),
            format!(
                "plain SMTP to {server} would send messages (and any password) in clear; use \
                 \"starttls\" or \"tls\", a relay on 127.0.0.1, or set allow_plain = true"
            ),
        );
    }
    let port = raw.port.unwrap_or(match security {
        Security::Plain => 25,
        Security::StartTls => 587,
        Security::Tls => 465,
    });
    let password = read_secret(section, "password", raw.password_file, raw.password_env, problems);
    if raw.username.is_some() && password.is_none() {
        problems.add(
            &format!("{section}.password_file"),
            "a username needs a password (password_file or password_env)".to_owned(),
        );
    }
    let tls =
        if security == Security::Plain { None } else { tls_for(section, raw.ca_file, problems) };
    let from = raw.from.unwrap_or_default();
    if !notify::email::is_valid_address(&from) {
        problems.add(&format!("{section}.from"), format!("{from:?} is not an email address"));
    }
    let to = raw.to.unwrap_or_default();
    for (idx, address) in to.iter().enumerate() {
        if !notify::email::is_valid_address(address) {
            problems.add(
                &format!("{section}.to[{idx}]"),
                format!("{address:?} is not an email address"),
            );
        }
    }
    if needs_to && to.is_empty() {
        problems.add(&format!("{section}.to"), "missing: at least one recipient".to_owned());
    }
    let timeout = match raw.timeout {
        None => Duration::from_secs(30),
        Some(text) => match crate::run_config::parse_interval(&text) {
            Some(value) if value >= Duration::from_secs(1) && value <= Duration::from_secs(600) => {
                value
            }
            _ => {
                problems.add(
                    &format!("{section}.timeout"),
                    format!("{text:?} is not a duration between 1s and 10m"),
                );
                Duration::from_secs(30)
            }
        },
    };
    unknown_keys(section, &raw.unknown, problems.0);
    if problems.0.len() > before {
        return None;
    }
    let helo_name = from.rsplit_once('@').map_or("localhost", |(_, domain)| domain).to_owned();
    Some(EmailConfig {
        smtp: SmtpConfig {
            host: server,
            port,
            security,
            username: raw.username,
            password,
            helo_name,
            timeout,
            tls,
        },
        from,
        from_name: raw.from_name.unwrap_or_else(|| "leakguard".to_owned()),
        to,
    })
}

fn parse_url(key: &str, text: &str, problems: &mut Problems<'_>) -> Option<Url> {
    match Url::parse(text) {
        Ok(url) => Some(url),
        Err(error) => {
            problems.add(key, error.to_string());
            None
        }
    }
}

/// Validates `[notify]`.
pub(crate) fn validate_notify(raw: RawNotify, problems: &mut Vec<ConfigProblem>) -> NotifyConfig {
    let mut problems = Problems(problems);
    let mut config = NotifyConfig::default();
    if let Some(text) = raw.language {
        match crate::config::Language::parse(&text) {
            Some(crate::config::Language::English) => config.language = Some(Language::English),
            Some(crate::config::Language::TraditionalChinese) => {
                config.language = Some(Language::TraditionalChinese);
            }
            None => problems
                .add("notify.language", format!("unknown language {text:?}; use en or zh-TW")),
        }
    }
    if let Some(text) = raw.min_severity {
        let found =
            [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
                .into_iter()
                .find(|severity| severity.as_str().eq_ignore_ascii_case(&text));
        match found {
            Some(severity) => config.min_severity = Some(severity),
            None => problems.add(
                "notify.min_severity",
                format!("{text:?} is not info, low, medium, high or critical"),
            ),
        }
    }
    if let Some(text) = raw.window {
        match crate::run_config::parse_interval(&text) {
            Some(value)
                if value >= Duration::from_secs(10) && value <= Duration::from_secs(86_400) =>
            {
                config.policy.window_secs = i64::try_from(value.as_secs()).unwrap_or(300);
            }
            _ => problems.add(
                "notify.window",
                format!("{text:?} is not a duration between 10s and 24h (e.g. \"5m\")"),
            ),
        }
    }
    if let Some(cap) = raw.max_per_hour {
        if (1..=3600).contains(&cap) {
            config.policy.max_per_hour = cap;
        } else {
            problems.add("notify.max_per_hour", format!("{cap} is not between 1 and 3600"));
        }
    }
    if let Some(listed) = raw.max_listed {
        if (1..=1000).contains(&listed) {
            config.policy.max_listed = listed;
        } else {
            problems.add("notify.max_listed", format!("{listed} is not between 1 and 1000"));
        }
    }
    if let Some(email) = raw.email {
        config.email = validate_smtp("notify.email", email, true, &mut problems);
    }
    let needs_tls = [&raw.webhook, &raw.telegram, &raw.line].iter().any(|channel| {
        channel.as_ref().is_some_and(|channel| {
            channel.url.as_deref().is_none_or(|url| url.starts_with("https://"))
        })
    });
    if needs_tls {
        config.tls = tls_for("notify", None, &mut problems);
    }
    if let Some(raw) = raw.webhook {
        let section = "notify.webhook";
        let token = read_secret(section, "token", raw.token_file, raw.token_env, &mut problems);
        match raw.url {
            Some(text) => {
                if let Some(url) = parse_url(&format!("{section}.url"), &text, &mut problems) {
                    config.webhook = Some(notify::channels::Webhook { url, token });
                }
            }
            None => {
                problems.add(&format!("{section}.url"), "missing: the webhook's URL".to_owned())
            }
        }
        for (key, value) in [("chat_id", &raw.chat_id), ("to", &raw.to)] {
            if value.is_some() {
                problems.add(&format!("{section}.{key}"), "not a webhook setting".to_owned());
            }
        }
        unknown_keys(section, &raw.unknown, problems.0);
    }
    if let Some(raw) = raw.telegram {
        let section = "notify.telegram";
        let token = read_secret(section, "token", raw.token_file, raw.token_env, &mut problems);
        if token.is_none() && !problems.0.iter().any(|problem| problem.key.starts_with(section)) {
            problems.add(
                &format!("{section}.token_file"),
                "missing: the bot token (token_file or token_env)".to_owned(),
            );
        }
        let base = parse_url(
            &format!("{section}.url"),
            raw.url.as_deref().unwrap_or(notify::channels::TELEGRAM_API),
            &mut problems,
        );
        let chat_id = raw.chat_id.unwrap_or_default();
        if chat_id.is_empty() {
            problems.add(&format!("{section}.chat_id"), "missing: the chat to send to".to_owned());
        }
        if let (Some(base), Some(token), false) = (base, token, chat_id.is_empty()) {
            config.telegram = Some(notify::channels::Telegram { base, token, chat_id });
        }
        unknown_keys(section, &raw.unknown, problems.0);
    }
    if let Some(raw) = raw.line {
        let section = "notify.line";
        let token = read_secret(section, "token", raw.token_file, raw.token_env, &mut problems);
        if token.is_none() && !problems.0.iter().any(|problem| problem.key.starts_with(section)) {
            problems.add(
                &format!("{section}.token_file"),
                "missing: the channel access token (token_file or token_env)".to_owned(),
            );
        }
        let base = parse_url(
            &format!("{section}.url"),
            raw.url.as_deref().unwrap_or(notify::channels::LINE_API),
            &mut problems,
        );
        let to = raw.to.unwrap_or_default();
        if to.is_empty() {
            problems
                .add(&format!("{section}.to"), "missing: the user, group or room id".to_owned());
        }
        if let (Some(base), Some(token), false) = (base, token, to.is_empty()) {
            config.line = Some(notify::channels::Line { base, token, to });
        }
        unknown_keys(section, &raw.unknown, problems.0);
    }
    unknown_keys("notify", &raw.unknown, problems.0);
    config
}

/// Validates `[notices]`.
pub(crate) fn validate_notices(
    raw: RawNotices,
    problems: &mut Vec<ConfigProblem>,
) -> NoticesConfig {
    let mut problems = Problems(problems);
    let mut config = NoticesConfig::default();
    if let Some(text) = raw.rate {
        match parse_rate(&text) {
            Some(rate) if rate <= 10_000.0 => config.rate_per_sec = rate,
            _ => problems.add(
                "notices.rate",
                format!("{text:?} is not a rate such as \"20/s\" or \"600/min\""),
            ),
        }
    }
    if let Some(attempts) = raw.max_attempts {
        if (1..=100).contains(&attempts) {
            config.max_attempts = attempts;
        } else {
            problems.add("notices.max_attempts", format!("{attempts} is not between 1 and 100"));
        }
    }
    if let Some(email) = raw.email {
        config.email = validate_smtp("notices.email", email, false, &mut problems);
    }
    if let Some(raw) = raw.sms {
        let section = "notices.sms";
        let provider = raw.provider.unwrap_or_default();
        match provider.as_str() {
            "mitake" => {
                let password = read_secret(
                    section,
                    "password",
                    raw.password_file,
                    raw.password_env,
                    &mut problems,
                );
                let base = parse_url(
                    &format!("{section}.url"),
                    raw.url.as_deref().unwrap_or(notify::sms::MITAKE_API),
                    &mut problems,
                );
                let username = raw.username.unwrap_or_default();
                if username.is_empty() {
                    problems.add(
                        &format!("{section}.username"),
                        "missing: the Mitake account".to_owned(),
                    );
                }
                if password.is_none()
                    && !problems.0.iter().any(|problem| problem.key.starts_with(section))
                {
                    problems.add(
                        &format!("{section}.password_file"),
                        "missing: the Mitake password (password_file or password_env)".to_owned(),
                    );
                }
                if let (Some(base), Some(password), false) = (base, password, username.is_empty()) {
                    config.sms = Some(notify::sms::Gateway::Mitake(notify::sms::Mitake {
                        base,
                        username,
                        password,
                    }));
                }
            }
            "generic" => {
                let token =
                    read_secret(section, "token", raw.token_file, raw.token_env, &mut problems);
                match raw.url {
                    Some(text) => {
                        if let Some(url) =
                            parse_url(&format!("{section}.url"), &text, &mut problems)
                        {
                            config.sms =
                                Some(notify::sms::Gateway::Generic(notify::sms::Generic {
                                    url,
                                    token,
                                }));
                        }
                    }
                    None => problems
                        .add(&format!("{section}.url"), "missing: the gateway's URL".to_owned()),
                }
            }
            other => problems.add(
                &format!("{section}.provider"),
                format!("{other:?} is not \"mitake\" or \"generic\""),
            ),
        }
        let is_https = match &config.sms {
            Some(notify::sms::Gateway::Mitake(gateway)) => gateway.base.https,
            Some(notify::sms::Gateway::Generic(gateway)) => gateway.url.https,
            None => false,
        };
        if is_https {
            config.tls = tls_for(section, None, &mut problems);
        }
        unknown_keys(section, &raw.unknown, problems.0);
    }
    unknown_keys("notices", &raw.unknown, problems.0);
    config
}

#[cfg(test)]
mod tests {
    use super::parse_rate;

    #[test]
    fn rates_read_per_second() {
        assert_eq!(parse_rate("20/s"), Some(20.0));
        assert_eq!(parse_rate("5"), Some(5.0));
        assert_eq!(parse_rate("600/min"), Some(10.0));
        assert_eq!(parse_rate("0/s"), None);
        assert_eq!(parse_rate("fast"), None);
    }
}
