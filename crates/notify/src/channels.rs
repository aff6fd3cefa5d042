//! The operator's chat and webhook channels: a generic JSON webhook,
//! Telegram's Bot API and LINE's Messaging API. Base URLs are settings, so
//! tests (and proxies) can point them elsewhere.

use serde_json::json;

use crate::Secret;
use crate::digest::Outgoing;
use crate::http::{Client, HttpError, Url};

/// Telegram's API.
pub const TELEGRAM_API: &str = "https://api.telegram.org";
/// LINE's Messaging API.
pub const LINE_API: &str = "https://api.line.me";

/// Telegram and LINE cut long texts; these are their limits (characters).
const TELEGRAM_MAX_CHARS: usize = 4096;
const LINE_MAX_CHARS: usize = 5000;

/// Why a channel did not take a message.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// The request did not get through.
    #[error("{channel}: {source}")]
    Http {
        /// The channel.
        channel: &'static str,
        /// Why.
        source: HttpError,
    },
    /// The service answered with an error.
    #[error("{channel} answered {status}: {body}")]
    Status {
        /// The channel.
        channel: &'static str,
        /// HTTP status.
        status: u16,
        /// The first part of its answer.
        body: String,
    },
}

/// What a channel answered when it took a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// HTTP status.
    pub status: u16,
    /// The service's message id, when it gives one.
    pub id: Option<String>,
}

fn check(
    channel: &'static str,
    result: Result<crate::http::Response, HttpError>,
) -> Result<crate::http::Response, ChannelError> {
    let response = result.map_err(|source| ChannelError::Http { channel, source })?;
    if !response.is_success() {
        return Err(ChannelError::Status {
            channel,
            status: response.status,
            body: response.body.chars().take(300).collect(),
        });
    }
    Ok(response)
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(max - 1).collect();
    clipped.push('…');
    clipped
}

/// A generic webhook: POSTs the message as JSON (see docs/notify.md).
#[derive(Debug, Clone)]
pub struct Webhook {
    /// Where.
    pub url: Url,
    /// An optional bearer token (`Authorization: Bearer …`).
    pub token: Option<Secret>,
}

impl Webhook {
    /// The JSON document sent.
    pub fn document(site: &str, message: &Outgoing) -> serde_json::Value {
        json!({
            "version": 1,
            "source": "leakguard",
            "site": site,
            "language": message.language,
            "subject": message.subject,
            "text": message.text,
            "alerts": message.alerts,
            "decisions": message.decisions,
            "unlisted": message.unlisted,
            "delayed_by_cap": message.delayed_by_cap,
            "items": message.items,
        })
    }

    /// Sends a message.
    pub async fn send(
        &self,
        client: &Client,
        site: &str,
        message: &Outgoing,
    ) -> Result<Delivery, ChannelError> {
        let headers: Vec<(&str, String)> = self
            .token
            .iter()
            .map(|token| ("authorization", format!("Bearer {}", token.expose())))
            .collect();
        let response = check(
            "webhook",
            client.post_json(&self.url, &headers, &Self::document(site, message)).await,
        )?;
        Ok(Delivery { status: response.status, id: None })
    }
}

/// Telegram: `sendMessage` to a chat through a bot.
#[derive(Debug, Clone)]
pub struct Telegram {
    /// API base (default [`TELEGRAM_API`]).
    pub base: Url,
    /// The bot's token (it is part of the request path, so never logged).
    pub token: Secret,
    /// The chat (`-100123…` or `@channel`).
    pub chat_id: String,
}

impl Telegram {
    /// Sends a message; returns Telegram's `message_id`.
    pub async fn send(
        &self,
        client: &Client,
        message: &Outgoing,
    ) -> Result<Delivery, ChannelError> {
        let url = self.base.join(&format!("/bot{}/sendMessage", self.token.expose()));
        let document = json!({
            "chat_id": self.chat_id,
            "text": clip(&message.text, TELEGRAM_MAX_CHARS),
            "disable_web_page_preview": true,
        });
        let response = check("telegram", client.post_json(&url, &[], &document).await)?;
        let answer: serde_json::Value = serde_json::from_str(&response.body).unwrap_or_default();
        if answer["ok"] == json!(false) {
            return Err(ChannelError::Status {
                channel: "telegram",
                status: response.status,
                body: answer["description"].as_str().unwrap_or_default().to_owned(),
            });
        }
        let id = answer["result"]["message_id"].as_i64().map(|id| id.to_string());
        Ok(Delivery { status: response.status, id })
    }
}

/// LINE Messaging API: a push message to a user, group or room.
#[derive(Debug, Clone)]
pub struct Line {
    /// API base (default [`LINE_API`]).
    pub base: Url,
    /// The channel access token.
    pub token: Secret,
    /// The user, group or room id (`U…`, `C…`, `R…`).
    pub to: String,
}

impl Line {
    /// Sends a message. `retry_key` (a UUID) makes a retried request safe:
    /// LINE answers 409 instead of sending twice.
    pub async fn send(
        &self,
        client: &Client,
        message: &Outgoing,
        retry_key: &str,
    ) -> Result<Delivery, ChannelError> {
        let url = self.base.join("/v2/bot/message/push");
        let document = json!({
            "to": self.to,
            "messages": [{ "type": "text", "text": clip(&message.text, LINE_MAX_CHARS) }],
        });
        let headers = [
            ("authorization", format!("Bearer {}", self.token.expose())),
            ("x-line-retry-key", retry_key.to_owned()),
        ];
        let result = client.post_json(&url, &headers, &document).await;
        if let Ok(response) = &result
            && response.status == 409
        {
            // The same retry key was accepted before: the message went out.
            return Ok(Delivery { status: 409, id: None });
        }
        let response = check("line", result)?;
        let answer: serde_json::Value = serde_json::from_str(&response.body).unwrap_or_default();
        let id = answer["sentMessages"][0]["id"].as_str().map(str::to_owned);
        Ok(Delivery { status: response.status, id })
    }
}

/// A UUID-shaped key from any text (LINE wants a UUID as retry key).
pub fn uuid_from(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest[..16].iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{}-{}-4{}-a{}-{}", &hex[..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_keys_look_like_uuids() {
        let key = uuid_from("digest-1");
        assert_eq!(key.len(), 36);
        assert_eq!(key.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert_eq!(key, uuid_from("digest-1"));
    }

    #[test]
    fn long_texts_are_clipped_by_characters() {
        let text = "測".repeat(10);
        assert_eq!(clip(&text, 5).chars().count(), 5);
        assert_eq!(clip("short", 5), "short");
    }
}
