//! SMS gateways over HTTP: a generic JSON one and Mitake's (三竹資訊) HTTP
//! API, a large Taiwanese provider.
//!
//! Every message carries a key. Mitake keeps a `clientid` for 12 hours and
//! answers a repeated one with the first result and `Duplicate=Y` instead of
//! sending again; the generic gateway is expected to do the same with `key`.
//! So a message whose fate is unknown can be sent again safely within that
//! time, and a status query tells delivered from failed.

use serde_json::json;

use crate::Secret;
use crate::http::{Client, HttpError, Url, form_encode};

/// Mitake's API host.
pub const MITAKE_API: &str = "https://smsapi.mitake.com.tw";

/// One text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    /// The idempotency key (Mitake's `clientid`, at most 36 characters).
    pub key: String,
    /// The phone number (`0912345678` or `+886912345678`).
    pub to: String,
    /// The text.
    pub text: String,
}

/// What the gateway answered when it took a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsReceipt {
    /// The gateway's message id.
    pub gateway_id: Option<String>,
    /// The gateway's status word or code.
    pub status: String,
    /// The gateway had this key already and did not send again.
    pub duplicate: bool,
}

/// A message's fate according to the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsStatus {
    /// On the phone.
    Delivered,
    /// Accepted, not yet confirmed.
    Pending,
    /// Not delivered, with the gateway's reason.
    Failed(String),
    /// The gateway does not know the message.
    Unknown,
}

/// Why a gateway did not take a message.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The request failed; `maybe_sent` when it may have arrived.
    #[error("SMS gateway: {source}")]
    Http {
        /// Why.
        source: HttpError,
        /// Whether the gateway may have received it.
        maybe_sent: bool,
    },
    /// The gateway refused it.
    #[error("the SMS gateway refused the message: {reason}")]
    Refused {
        /// Its code or words.
        reason: String,
        /// Whether retrying cannot help (a bad number, bad credentials).
        permanent: bool,
    },
    /// The gateway's answer could not be read.
    #[error("unreadable answer from the SMS gateway: {0}")]
    Unreadable(String),
}

impl SmsError {
    /// Whether the message may have reached the gateway anyway.
    pub fn is_unconfirmed(&self) -> bool {
        matches!(self, SmsError::Http { maybe_sent: true, .. } | SmsError::Unreadable(_))
    }

    /// Whether retrying cannot help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SmsError::Refused { permanent: true, .. })
    }
}

fn http_error(source: HttpError) -> SmsError {
    let maybe_sent = matches!(source, HttpError::NoAnswer { .. });
    SmsError::Http { source, maybe_sent }
}

/// A gateway.
#[derive(Debug, Clone)]
pub enum Gateway {
    /// The generic JSON gateway.
    Generic(Generic),
    /// Mitake.
    Mitake(Mitake),
}

impl Gateway {
    /// Sends one message.
    pub async fn send(&self, client: &Client, sms: &Sms) -> Result<SmsReceipt, SmsError> {
        match self {
            Gateway::Generic(gateway) => gateway.send(client, sms).await,
            Gateway::Mitake(gateway) => gateway.send(client, sms).await,
        }
    }

    /// Asks what became of a message (by its key, or the gateway's id).
    pub async fn status(
        &self,
        client: &Client,
        key: &str,
        gateway_id: Option<&str>,
    ) -> Result<SmsStatus, SmsError> {
        match self {
            Gateway::Generic(gateway) => gateway.status(client, key).await,
            Gateway::Mitake(gateway) => match gateway_id {
                Some(id) => gateway.status(client, id).await,
                None => Ok(SmsStatus::Unknown),
            },
        }
    }
}

/// The generic gateway: `POST url` with `{"key","to","text"}` answering
/// `{"id": …}`; `GET url?key=…` answering `{"status": "delivered" | "pending" |
/// "failed" | "unknown"}` (or 404 for a key it never saw).
#[derive(Debug, Clone)]
pub struct Generic {
    /// The endpoint.
    pub url: Url,
    /// An optional bearer token.
    pub token: Option<Secret>,
}

impl Generic {
    fn headers(&self) -> Vec<(&'static str, String)> {
        self.token
            .iter()
            .map(|token| ("authorization", format!("Bearer {}", token.expose())))
            .collect()
    }

    async fn send(&self, client: &Client, sms: &Sms) -> Result<SmsReceipt, SmsError> {
        let document = json!({ "key": sms.key, "to": sms.to, "text": sms.text });
        let response =
            client.post_json(&self.url, &self.headers(), &document).await.map_err(http_error)?;
        let answer: serde_json::Value = serde_json::from_str(&response.body).unwrap_or_default();
        if response.status >= 500 {
            // The gateway may have taken it before failing: ask before resending.
            return Err(SmsError::Http {
                source: HttpError::NoAnswer {
                    host: self.url.host.clone(),
                    port: self.url.port,
                    reason: format!("HTTP {}", response.status),
                },
                maybe_sent: true,
            });
        }
        if !response.is_success() {
            return Err(SmsError::Refused {
                reason: format!(
                    "HTTP {}: {}",
                    response.status,
                    response.body.chars().take(200).collect::<String>()
                ),
                permanent: (400..500).contains(&response.status) && response.status != 429,
            });
        }
        Ok(SmsReceipt {
            gateway_id: answer["id"].as_str().map(str::to_owned),
            status: answer["status"].as_str().unwrap_or("accepted").to_owned(),
            duplicate: answer["duplicate"].as_bool().unwrap_or(false),
        })
    }

    async fn status(&self, client: &Client, key: &str) -> Result<SmsStatus, SmsError> {
        let mut url = self.url.clone();
        let separator = if url.path.contains('?') { '&' } else { '?' };
        url.path = format!("{}{separator}{}", url.path, form_encode(&[("key", key)]));
        let response =
            client.request("GET", &url, &self.headers(), Vec::new()).await.map_err(http_error)?;
        if response.status == 404 {
            return Ok(SmsStatus::Unknown);
        }
        let answer: serde_json::Value = serde_json::from_str(&response.body)
            .map_err(|_| SmsError::Unreadable(response.body.chars().take(200).collect()))?;
        Ok(match answer["status"].as_str().unwrap_or_default() {
            "delivered" => SmsStatus::Delivered,
            "pending" | "accepted" | "sent" => SmsStatus::Pending,
            "failed" => SmsStatus::Failed(answer["reason"].as_str().unwrap_or("failed").to_owned()),
            _ => SmsStatus::Unknown,
        })
    }
}

/// Mitake's HTTP API: `SmSend` (form-encoded, UTF-8, `clientid` for
/// idempotency) and `SmQuery` (status by `msgid`).
#[derive(Debug, Clone)]
pub struct Mitake {
    /// API base (default [`MITAKE_API`]).
    pub base: Url,
    /// Account.
    pub username: String,
    /// Password.
    pub password: Secret,
}

/// Mitake's answer: `key=value` lines (after a `[1]` line per message).
fn parse_pairs(body: &str) -> Vec<(String, String)> {
    body.lines()
        .filter_map(|line| line.trim().split_once('='))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

impl Mitake {
    async fn send(&self, client: &Client, sms: &Sms) -> Result<SmsReceipt, SmsError> {
        let url = self.base.join("/api/mtk/SmSend?CharsetURL=UTF-8");
        let client_id: String = sms.key.chars().take(36).collect();
        let body = form_encode(&[
            ("username", &self.username),
            ("password", self.password.expose()),
            ("dstaddr", &sms.to),
            ("smbody", &sms.text),
            ("clientid", &client_id),
        ]);
        let headers = [("content-type", "application/x-www-form-urlencoded".to_owned())];
        let response =
            client.request("POST", &url, &headers, body.into_bytes()).await.map_err(http_error)?;
        if !response.is_success() {
            return Err(SmsError::Http {
                source: HttpError::NoAnswer {
                    host: url.host.clone(),
                    port: url.port,
                    reason: format!("HTTP {}", response.status),
                },
                maybe_sent: response.status >= 500,
            });
        }
        let pairs = parse_pairs(&response.body);
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.clone())
        };
        if let Some(error) = value("Error") {
            return Err(SmsError::Refused { reason: error, permanent: true });
        }
        let Some(code) = value("statuscode") else {
            return Err(SmsError::Unreadable(response.body.chars().take(200).collect()));
        };
        match code.as_str() {
            // 0 scheduled, 1 sent to the carrier, 2 sent, 4 delivered.
            "0" | "1" | "2" | "4" => Ok(SmsReceipt {
                gateway_id: value("msgid"),
                status: code,
                duplicate: value("Duplicate").is_some_and(|flag| flag.eq_ignore_ascii_case("Y")),
            }),
            // Letters and `*` are account, number or content errors.
            _ => Err(SmsError::Refused {
                reason: format!("statuscode={code}"),
                permanent: code != "*" && code != "c",
            }),
        }
    }

    async fn status(&self, client: &Client, msgid: &str) -> Result<SmsStatus, SmsError> {
        let query = form_encode(&[
            ("username", &self.username),
            ("password", self.password.expose()),
            ("msgid", msgid),
        ]);
        let url = self.base.join(&format!("/api/mtk/SmQuery?{query}"));
        let response = client.request("GET", &url, &[], Vec::new()).await.map_err(http_error)?;
        // Lines: msgid <TAB> statuscode <TAB> statustime.
        for line in response.body.lines() {
            let mut fields = line.split('\t');
            if fields.next().map(str::trim) != Some(msgid) {
                continue;
            }
            return Ok(match fields.next().map(str::trim).unwrap_or_default() {
                "4" => SmsStatus::Delivered,
                "0" | "1" | "2" => SmsStatus::Pending,
                code @ ("5" | "6" | "7" | "8" | "9") => {
                    SmsStatus::Failed(format!("statuscode={code}"))
                }
                _ => SmsStatus::Unknown,
            });
        }
        Ok(SmsStatus::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_pairs;

    #[test]
    fn mitake_answers_are_key_value_lines() {
        let pairs = parse_pairs(
            "[1]\r\nmsgid=#000000013\r\nstatuscode=1\r\nAccountPoint=126\r\nDuplicate=Y\r\n",
        );
        assert_eq!(pairs[0], ("msgid".to_owned(), "#000000013".to_owned()));
        assert_eq!(pairs.len(), 4);
    }
}
