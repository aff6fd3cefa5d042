//! Telling people: the operator's alert messages and the notices sent to
//! people affected by a breach.
//!
//! Adapters (they do IO): [`smtp`] (a small SMTP client on tokio: plain on
//! loopback, STARTTLS or implicit TLS through rustls on ring, `AUTH PLAIN` /
//! `LOGIN`), [`http`] (one HTTP/1.1 request over hyper, plain or TLS), and the
//! channels built on it: [`channels::Webhook`] (JSON POST),
//! [`channels::Telegram`] (Bot API `sendMessage`), [`channels::Line`]
//! (Messaging API push), and the SMS gateways in [`sms`] (a generic HTTP
//! one and Mitake's `SmSend` / `SmQuery`).
//!
//! Pure logic: [`digest::Digest`] decides what goes out and when, so an
//! attack produces a few messages rather than thousands (the first critical
//! alert at once, later ones grouped per window, a cap per hour, a summary of
//! what was held back), with text in English and Traditional Chinese
//! ([`Language`]); [`email`] renders RFC 5322 messages with deterministic
//! `Message-ID`s.
//!
//! It knows nothing of the store, the configuration file or the outbox's
//! states: those belong to `store`, `app` and `service`. Secrets are held in
//! [`Secret`], which never prints its value.

pub mod channels;
pub mod digest;
pub mod email;
pub mod http;
mod secret;
pub mod sms;
pub mod smtp;
pub mod tls;

pub use secret::Secret;

/// The language a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// English.
    #[default]
    English,
    /// Traditional Chinese (Taiwan).
    TraditionalChinese,
}

impl Language {
    /// The BCP 47 tag: `en` or `zh-TW`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::TraditionalChinese => "zh-TW",
        }
    }

    /// Picks the English or the Chinese text.
    pub fn pick<'a>(self, en: &'a str, zh_tw: &'a str) -> &'a str {
        match self {
            Language::English => en,
            Language::TraditionalChinese => zh_tw,
        }
    }
}
