//! The notice outbox's sender: crash-safe delivery of notices to people
//! (breach notices by email or SMS), throttled and resumable.
//!
//! Each notice has a key and a state in the store (`store::NoticeRecord`).
//! The state is committed as `sending` before the message is handed to the
//! server and as `sent` (with the server's reply) after; so after a crash a
//! notice is never resent when it is recorded as sent, and one caught in
//! flight (found in `sending` at the next start) becomes `unknown` and waits
//! for [`reconcile_email`] / [`reconcile_sms`], which look for it at the
//! server (its deterministic `Message-ID`, the SMS gateway's status query)
//! before anything is sent again. Temporary failures are retried with
//! backoff; refusals (bounces, bad numbers) are recorded as `failed`.
//!
//! The incident engineer's code enqueues rendered notices with [`enqueue`]
//! (idempotent on the key).

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use model::{Clock, SystemClock, Timestamp};
use notify::email::{Email, message_id_for};
use notify::http::Client;
use notify::sms::{Sms, SmsStatus};
use notify::smtp::SmtpSession;
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{Enqueued, NewNoticeRecord, NoticeRecord, Store};

use crate::notify_config::NoticesConfig;

/// A rendered notice to enqueue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct NewNotice {
    /// Unique per notice (e.g. `incident-7/person-1234/email`).
    pub(crate) key: String,
    /// `email` or `sms`.
    pub(crate) channel: String,
    /// The address or phone number.
    pub(crate) recipient: String,
    /// The email subject (ignored for SMS).
    #[serde(default)]
    pub(crate) subject: String,
    /// The text.
    pub(crate) body: String,
    /// `en` or `zh-TW`.
    #[serde(default = "default_language")]
    pub(crate) language: String,
    /// What it belongs to (an incident id).
    #[serde(default)]
    pub(crate) reference: Option<String>,
}

fn default_language() -> String {
    "zh-TW".to_owned()
}

/// The SMS client id for a key: 32 hex characters (Mitake takes up to 36).
pub(crate) fn sms_client_id(key: &str) -> String {
    Sha256::digest(key.as_bytes())[..16].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Enqueues a notice (nothing changes when the key is known).
pub(crate) async fn enqueue(
    store: &Store,
    config: &NoticesConfig,
    notice: &NewNotice,
    now: Timestamp,
) -> anyhow::Result<Enqueued> {
    anyhow::ensure!(!notice.key.trim().is_empty(), "a notice needs a key");
    let message_id = match notice.channel.as_str() {
        "email" => {
            anyhow::ensure!(
                notify::email::is_valid_address(&notice.recipient),
                "notice {:?}: the recipient is not an email address",
                notice.key
            );
            let from = config
                .email
                .as_ref()
                .map_or("notices@leakguard.invalid", |email| email.from.as_str());
            message_id_for(&notice.key, from)
        }
        "sms" => {
            anyhow::ensure!(
                notice.recipient.chars().all(|ch| ch.is_ascii_digit() || ch == '+')
                    && notice.recipient.len() >= 8,
                "notice {:?}: the recipient is not a phone number",
                notice.key
            );
            sms_client_id(&notice.key)
        }
        other => anyhow::bail!("notice {:?}: channel {other:?} is not email or sms", notice.key),
    };
    let record = NewNoticeRecord {
        key: notice.key.clone(),
        channel: notice.channel.clone(),
        recipient: notice.recipient.clone(),
        subject: notice.subject.clone(),
        body: notice.body.clone(),
        language: notice.language.clone(),
        reference: notice.reference.clone(),
        message_id,
        created_at: now,
    };
    Ok(store.enqueue_notice(&record).await?)
}

/// What one `send` run did.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct SendStats {
    /// Notices found in flight at start (now `unknown`).
    pub(crate) recovered_unknown: u64,
    pub(crate) sent: u64,
    /// Temporary failures, to be retried.
    pub(crate) retried: u64,
    /// Refused for good or out of attempts.
    pub(crate) failed: u64,
    /// Sent without confirmation (now `unknown`).
    pub(crate) unknown: u64,
    pub(crate) seconds: f64,
}

/// Options of a `send` run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SendOptions {
    /// Messages per second.
    pub(crate) rate_per_sec: f64,
    /// Stop after this many attempts (none: until nothing is due).
    pub(crate) limit: Option<u64>,
    /// Wait for retries that are not due yet instead of stopping.
    pub(crate) wait_for_retries: bool,
}

/// Backoff before retry `attempt` (1-based): 30 s doubling, at most an hour.
fn backoff_secs(attempt: i64) -> i64 {
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 7)).unwrap_or(7);
    (30_i64 << exponent).min(3600)
}

/// Paces sends at a fixed rate.
struct Pace {
    every: Duration,
    next: Instant,
}

impl Pace {
    fn new(rate_per_sec: f64) -> Pace {
        Pace { every: Duration::from_secs_f64(1.0 / rate_per_sec.max(0.001)), next: Instant::now() }
    }

    async fn wait(&mut self) {
        let now = Instant::now();
        if self.next > now {
            tokio::time::sleep(self.next - now).await;
        } else if now - self.next > Duration::from_secs(1) {
            // No bursts after a stall: the rate holds from now.
            self.next = now;
        }
        self.next += self.every;
    }
}

enum Outcome {
    Sent { reply: String, gateway_id: Option<String> },
    Unconfirmed(String),
    Refused(String),
    Temporary(String),
}

/// Sends the due notices until none is due (or `limit`), at the configured rate.
pub(crate) async fn send(
    store: &Store,
    config: &NoticesConfig,
    options: SendOptions,
) -> anyhow::Result<SendStats> {
    let started = Instant::now();
    let mut stats = SendStats {
        recovered_unknown: store.recover_sending_notices(SystemClock.now()).await?,
        ..SendStats::default()
    };
    let client = Client { timeout: Duration::from_secs(30), tls: config.tls.clone() };
    let mut session: Option<SmtpSession> = None;
    let mut pace = Pace::new(options.rate_per_sec);
    let mut attempts = 0_u64;
    'batches: loop {
        let now = SystemClock.now();
        let due = store.due_notices(now, 200).await?;
        if due.is_empty() {
            let next = store.next_notice_due().await?;
            match next {
                Some(next) if options.wait_for_retries => {
                    let wait = (next.as_unix_micros() - now.as_unix_micros()).clamp(0, 1_000_000);
                    tokio::time::sleep(Duration::from_micros(u64::try_from(wait).unwrap_or(0)))
                        .await;
                    continue;
                }
                _ => break,
            }
        }
        for notice in due {
            if options.limit.is_some_and(|limit| attempts >= limit) {
                break 'batches;
            }
            pace.wait().await;
            let now = SystemClock.now();
            // Recorded before the message leaves: a crash from here on leaves
            // it in `sending`, which the next start turns into `unknown`.
            if !store.mark_notice_sending(notice.id, now).await? {
                continue;
            }
            attempts += 1;
            let outcome = match notice.new.channel.as_str() {
                "email" => send_email(config, &mut session, &notice, now).await,
                "sms" => send_sms(config, &client, &notice).await,
                other => Outcome::Refused(format!("unknown channel {other:?}")),
            };
            let now = SystemClock.now();
            match outcome {
                Outcome::Sent { reply, gateway_id } => {
                    store.mark_notice_sent(notice.id, now, &reply, gateway_id.as_deref()).await?;
                    stats.sent += 1;
                }
                Outcome::Unconfirmed(reason) => {
                    store.mark_notice_unknown(notice.id, now, &reason).await?;
                    stats.unknown += 1;
                }
                Outcome::Refused(reason) => {
                    store.mark_notice_failed(notice.id, now, &reason, None).await?;
                    stats.failed += 1;
                }
                Outcome::Temporary(reason) => {
                    let attempt = notice.attempts + 1;
                    if attempt >= i64::from(config.max_attempts) {
                        let reason = format!("{reason} (attempt {attempt}, giving up)");
                        store.mark_notice_failed(notice.id, now, &reason, None).await?;
                        stats.failed += 1;
                    } else {
                        let retry_at = now.add_secs(backoff_secs(attempt));
                        store.mark_notice_failed(notice.id, now, &reason, Some(retry_at)).await?;
                        stats.retried += 1;
                    }
                }
            }
        }
    }
    if let Some(session) = session {
        session.quit().await;
    }
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

async fn send_email(
    config: &NoticesConfig,
    session: &mut Option<SmtpSession>,
    notice: &NoticeRecord,
    now: Timestamp,
) -> Outcome {
    let Some(email) = &config.email else {
        return Outcome::Temporary("no [notices.email] server configured".to_owned());
    };
    if session.as_ref().is_none_or(|session| !session.is_usable()) {
        *session = None;
        match SmtpSession::connect(&email.smtp).await {
            Ok(connected) => *session = Some(connected),
            Err(error) => return Outcome::Temporary(error.to_string()),
        }
    }
    let Some(connected) = session.as_mut() else {
        return Outcome::Temporary("no SMTP session".to_owned());
    };
    let message = Email {
        from: email.from.clone(),
        from_name: email.from_name.clone(),
        to: vec![notice.new.recipient.clone()],
        subject: notice.new.subject.clone(),
        text: notice.new.body.clone(),
        message_id: notice.new.message_id.clone(),
        date: now,
        language: if notice.new.language == "en" { "en" } else { "zh-TW" },
    };
    match connected.send(&message).await {
        Ok(receipt) => Outcome::Sent { reply: receipt.reply, gateway_id: None },
        Err(error) if error.is_unconfirmed() => Outcome::Unconfirmed(error.to_string()),
        Err(error) if error.is_permanent() => Outcome::Refused(error.to_string()),
        Err(error) => Outcome::Temporary(error.to_string()),
    }
}

async fn send_sms(config: &NoticesConfig, client: &Client, notice: &NoticeRecord) -> Outcome {
    let Some(gateway) = &config.sms else {
        return Outcome::Temporary("no [notices.sms] gateway configured".to_owned());
    };
    // The gateway's client id comes from the key, whatever the enqueuer put
    // in `message_id`, so a resend always carries the same id.
    let sms = Sms {
        key: sms_client_id(&notice.new.key),
        to: notice.new.recipient.clone(),
        text: notice.new.body.clone(),
    };
    match gateway.send(client, &sms).await {
        Ok(receipt) => Outcome::Sent {
            reply: format!(
                "status {}{}",
                receipt.status,
                if receipt.duplicate { " (duplicate: sent before)" } else { "" }
            ),
            gateway_id: receipt.gateway_id,
        },
        Err(error) if error.is_unconfirmed() => Outcome::Unconfirmed(error.to_string()),
        Err(error) if error.is_permanent() => Outcome::Refused(error.to_string()),
        Err(error) => Outcome::Temporary(error.to_string()),
    }
}

/// What a reconciliation did.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct ReconcileStats {
    /// Unknown notices found at the server: now `sent`.
    pub(crate) found_sent: u64,
    /// Unknown notices the server never took: `pending` again.
    pub(crate) requeued: u64,
    /// Unknown notices the gateway reports failed: `failed`.
    pub(crate) failed: u64,
    /// Still unknown (the gateway could not be asked).
    pub(crate) still_unknown: u64,
}

/// Message-IDs (`<…@…>`) found in text: a list, an MTA log (`message-id=<…>`),
/// or message headers.
pub(crate) fn message_ids_in(text: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let after = &rest[start..];
        match after.find('>') {
            Some(end) => {
                let candidate = &after[..=end];
                if candidate.contains('@') && !candidate.contains(char::is_whitespace) {
                    ids.insert(candidate.to_owned());
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    ids
}

/// The Message-IDs of the messages in a Maildir (`new` and `cur`).
pub(crate) fn maildir_message_ids(dir: &Path) -> anyhow::Result<HashSet<String>> {
    let mut ids = HashSet::new();
    for sub in ["new", "cur"] {
        let folder = dir.join(sub);
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries {
            let path = entry.with_context(|| format!("reading {}", folder.display()))?.path();
            let text =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let text = String::from_utf8_lossy(&text);
            let head = text.split("\n\n").next().unwrap_or_default();
            for line in head.lines() {
                if line.to_ascii_lowercase().starts_with("message-id:") {
                    ids.extend(message_ids_in(line));
                }
            }
        }
    }
    Ok(ids)
}

/// Unknown email notices: found among `accepted` → `sent`; not found → `pending`.
pub(crate) async fn reconcile_email(
    store: &Store,
    accepted: &HashSet<String>,
) -> anyhow::Result<ReconcileStats> {
    let mut stats = ReconcileStats::default();
    loop {
        let unknown = store.notices_in_state("unknown", 1000).await?;
        let emails: Vec<_> =
            unknown.into_iter().filter(|notice| notice.new.channel == "email").collect();
        if emails.is_empty() {
            break;
        }
        let mut progressed = false;
        for notice in emails {
            let now = SystemClock.now();
            let moved = if accepted.contains(&notice.new.message_id) {
                let done = store
                    .mark_notice_sent(
                        notice.id,
                        now,
                        "found at the server by its Message-ID (reconciled)",
                        None,
                    )
                    .await?;
                stats.found_sent += u64::from(done);
                done
            } else {
                let done = store
                    .requeue_unknown_notice(
                        notice.id,
                        now,
                        "not found at the server (reconciled): sent again",
                    )
                    .await?;
                stats.requeued += u64::from(done);
                done
            };
            progressed |= moved;
        }
        if !progressed {
            break;
        }
    }
    Ok(stats)
}

/// Unknown SMS notices: asks the gateway for each.
pub(crate) async fn reconcile_sms(
    store: &Store,
    config: &NoticesConfig,
) -> anyhow::Result<ReconcileStats> {
    let mut stats = ReconcileStats::default();
    let unknown = store.notices_in_state("unknown", 100_000).await?;
    let sms: Vec<_> = unknown.into_iter().filter(|notice| notice.new.channel == "sms").collect();
    if sms.is_empty() {
        return Ok(stats);
    }
    let Some(gateway) = &config.sms else {
        stats.still_unknown = sms.len() as u64;
        return Ok(stats);
    };
    let client = Client { timeout: Duration::from_secs(30), tls: config.tls.clone() };
    for notice in sms {
        let now = SystemClock.now();
        match gateway
            .status(&client, &sms_client_id(&notice.new.key), notice.gateway_id.as_deref())
            .await
        {
            Ok(SmsStatus::Delivered | SmsStatus::Pending) => {
                store
                    .mark_notice_sent(notice.id, now, "the gateway has it (reconciled)", None)
                    .await?;
                stats.found_sent += 1;
            }
            Ok(SmsStatus::Failed(reason)) => {
                store
                    .mark_notice_failed(
                        notice.id,
                        now,
                        &format!("the gateway reports: {reason}"),
                        None,
                    )
                    .await?;
                stats.failed += 1;
            }
            // Unknown to the gateway: sending again is safe, and the client
            // id makes the gateway drop a copy it did receive after all.
            Ok(SmsStatus::Unknown) => {
                store
                    .requeue_unknown_notice(notice.id, now, "unknown to the gateway (reconciled)")
                    .await?;
                stats.requeued += 1;
            }
            Err(_) => stats.still_unknown += 1,
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_found_in_mta_logs_and_lists() {
        let log = "Dec  7 postfix/cleanup[1]: 4F2: message-id=<ab12.leakguard@shop.example>\n<cd34.leakguard@shop.example>\nnot <an id>";
        let ids = message_ids_in(log);
        assert_eq!(ids.len(), 2);
        assert!(ids.contains("<ab12.leakguard@shop.example>"));
    }

    #[test]
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 60);
        assert_eq!(backoff_secs(50), 3600);
    }

    #[test]
    fn sms_client_ids_fit_mitake() {
        let id = sms_client_id("incident-1/person-2/sms");
        assert_eq!(id.len(), 32);
        assert_eq!(id, sms_client_id("incident-1/person-2/sms"));
    }
}
