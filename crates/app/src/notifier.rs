//! Telling the operator: critical and high alerts and new decisions go
//! through each `[notify]` channel's digest (grouped, rate-limited) to email,
//! the webhook, Telegram and LINE.
//!
//! `leakguard run` hands items to a [`Notifier`] task without waiting (a full
//! queue drops and counts, detection never waits on a mail server);
//! `analyze --decide` and `leakguard notify test` send through
//! [`send_batch`] and wait.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use decisions::Decision;
use model::{Alert, Clock, LocalizedText, Severity, SystemClock, Timestamp};
use notify::Language;
use notify::channels::uuid_from;
use notify::digest::{Digest, Item, ItemKind, Outgoing, Style};
use notify::email::{Email, message_id_for};
use notify::http::Client;
use tokio::sync::mpsc;

use crate::config::Config;
use crate::notify_config::NotifyConfig;

/// Items waiting for the notifier task; past this, new ones are dropped (and counted).
const QUEUE: usize = 4096;

/// A channel's name, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ChannelName {
    Email,
    Webhook,
    Telegram,
    Line,
}

impl ChannelName {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChannelName::Email => "email",
            ChannelName::Webhook => "webhook",
            ChannelName::Telegram => "telegram",
            ChannelName::Line => "line",
        }
    }
}

/// The configured channels and how messages are written.
#[derive(Debug, Clone)]
pub(crate) struct Channels {
    config: NotifyConfig,
    client: Client,
    style: Style,
}

impl Channels {
    pub(crate) fn new(config: &Config) -> Channels {
        let language = config.notify.language.unwrap_or(match config.language {
            Some(crate::config::Language::TraditionalChinese) => Language::TraditionalChinese,
            _ => Language::English,
        });
        Channels {
            config: config.notify.clone(),
            client: Client { timeout: Duration::from_secs(20), tls: config.notify.tls.clone() },
            style: Style {
                site: config.site_name.clone(),
                language,
                utc_offset_secs: config.utc_offset_secs,
            },
        }
    }

    /// The configured channels' names.
    pub(crate) fn names(&self) -> Vec<ChannelName> {
        let mut names = Vec::new();
        if self.config.email.is_some() {
            names.push(ChannelName::Email);
        }
        if self.config.webhook.is_some() {
            names.push(ChannelName::Webhook);
        }
        if self.config.telegram.is_some() {
            names.push(ChannelName::Telegram);
        }
        if self.config.line.is_some() {
            names.push(ChannelName::Line);
        }
        names
    }

    fn digests(&self) -> Vec<(ChannelName, Digest)> {
        self.names()
            .into_iter()
            .map(|name| (name, Digest::new(self.config.policy, self.style.clone())))
            .collect()
    }

    /// Sends one message through one channel; returns what the service answered.
    pub(crate) async fn deliver(
        &self,
        channel: ChannelName,
        message: &Outgoing,
        now: Timestamp,
    ) -> Result<String, String> {
        // One key per message: the Message-ID and LINE's retry key.
        let key = format!("{}/{}/{}", channel.as_str(), now.as_unix_micros(), message.subject);
        match channel {
            ChannelName::Email => {
                let Some(email) = &self.config.email else {
                    return Err("not configured".to_owned());
                };
                let mail = Email {
                    from: email.from.clone(),
                    from_name: email.from_name.clone(),
                    to: email.to.clone(),
                    subject: message.subject.clone(),
                    text: message.text.clone(),
                    message_id: message_id_for(&key, &email.from),
                    date: now,
                    language: message.language,
                };
                notify::smtp::send_one(&email.smtp, &mail)
                    .await
                    .map(|receipt| format!("{} {}", receipt.message_id, receipt.reply))
                    .map_err(|error| error.to_string())
            }
            ChannelName::Webhook => {
                let Some(hook) = &self.config.webhook else {
                    return Err("not configured".to_owned());
                };
                hook.send(&self.client, &self.style.site, message)
                    .await
                    .map(|delivery| format!("HTTP {}", delivery.status))
                    .map_err(|error| error.to_string())
            }
            ChannelName::Telegram => {
                let Some(telegram) = &self.config.telegram else {
                    return Err("not configured".to_owned());
                };
                telegram
                    .send(&self.client, message)
                    .await
                    .map(|delivery| format!("message {}", delivery.id.unwrap_or_default()))
                    .map_err(|error| error.to_string())
            }
            ChannelName::Line => {
                let Some(line) = &self.config.line else { return Err("not configured".to_owned()) };
                line.send(&self.client, message, &uuid_from(&key))
                    .await
                    .map(|delivery| format!("HTTP {}", delivery.status))
                    .map_err(|error| error.to_string())
            }
        }
    }
}

fn action_text(action: &str) -> (&'static str, &'static str) {
    match action {
        "ban" => ("ban", "封鎖"),
        "captcha" => ("captcha", "驗證碼挑戰"),
        "force_reset" => ("forced password reset", "強制重設密碼"),
        "require_otp" => ("one-time password required", "要求一次性密碼"),
        _ => ("decision", "決策"),
    }
}

/// The items to tell: alerts at or above the threshold, and every new decision.
pub(crate) fn items_for(
    alerts: &[Alert],
    decisions: &[Decision],
    threshold: Severity,
    utc_offset_secs: i32,
) -> Vec<Item> {
    let severity_of: HashMap<&str, Severity> =
        alerts.iter().map(|alert| (alert.id.0.as_str(), alert.severity)).collect();
    let mut items: Vec<Item> =
        alerts.iter().filter(|alert| alert.severity >= threshold).map(Item::from_alert).collect();
    for decision in decisions {
        let (en, zh) = action_text(decision.action.as_str());
        let until = decision.until.to_rfc3339_with_offset(utc_offset_secs);
        let severity = decision
            .alert_id
            .as_ref()
            .and_then(|id| severity_of.get(id.0.as_str()).copied())
            .unwrap_or(Severity::High);
        items.push(Item {
            kind: ItemKind::Decision,
            severity,
            title: LocalizedText {
                en: format!("{en} until {until}"),
                zh_tw: format!("{zh}至 {until}"),
            },
            key: format!("{} {}", decision.scope.as_str(), decision.value),
            detail: decision.reason.clone(),
            at: decision.created,
        });
    }
    items
}

fn report(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "leakguard notify: {line}");
}

/// Sends a batch at once through every channel (grouped by the digests, the
/// rest flushed at the end) and waits; returns (channel, outcome) per message.
pub(crate) async fn send_batch(
    channels: &Channels,
    items: Vec<Item>,
) -> Vec<(ChannelName, Result<String, String>)> {
    let now = SystemClock.now();
    let mut outcomes = Vec::new();
    for (name, mut digest) in channels.digests() {
        let mut messages: Vec<Outgoing> =
            items.iter().filter_map(|item| digest.push(item.clone(), now)).collect();
        messages.extend(digest.flush(now));
        for message in messages {
            outcomes.push((name, channels.deliver(name, &message, now).await));
        }
    }
    outcomes
}

/// The handle `leakguard run`'s processing thread offers items to.
#[derive(Debug)]
pub(crate) struct Notifier {
    sender: mpsc::Sender<Item>,
    dropped: std::sync::atomic::AtomicU64,
    threshold: Severity,
    utc_offset_secs: i32,
}

/// The task behind a [`Notifier`]; it ends (after sending what waits) once
/// the notifier is dropped.
#[derive(Debug)]
pub(crate) struct NotifierTask(tokio::task::JoinHandle<()>);

impl NotifierTask {
    /// Waits for the last messages to go out, at most `limit`.
    pub(crate) async fn finish(self, limit: Duration) {
        let _ = tokio::time::timeout(limit, self.0).await;
    }
}

impl Notifier {
    /// Starts the task on the current runtime; none when no channel is configured.
    pub(crate) fn spawn(config: &Config) -> Option<(Notifier, NotifierTask)> {
        if !config.notify.is_configured() {
            return None;
        }
        let channels = Channels::new(config);
        let (sender, receiver) = mpsc::channel(QUEUE);
        let task = tokio::spawn(notifier_loop(channels, receiver));
        let notifier = Notifier {
            sender,
            dropped: std::sync::atomic::AtomicU64::new(0),
            threshold: config.notify.threshold(),
            utc_offset_secs: config.utc_offset_secs,
        };
        Some((notifier, NotifierTask(task)))
    }

    /// Hands over the alerts and decisions just made (never waits).
    pub(crate) fn offer(&self, alerts: &[Alert], decisions: &[Decision]) {
        for item in items_for(alerts, decisions, self.threshold, self.utc_offset_secs) {
            if self.sender.try_send(item).is_err() {
                let dropped = self.dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if dropped.is_multiple_of(1000) {
                    report(&format!("queue full: {} item(s) not told", dropped + 1));
                }
            }
        }
    }
}

/// After `analyze --decide`: tells the new decisions and the alerts behind
/// them (alerts decided before give no decision, so a second run over the
/// same logs tells nothing again). Failures are reported, not fatal.
pub(crate) fn tell_decided(config: &Config, alerts: &[Alert], made: &[Decision]) {
    if !config.notify.is_configured() || made.is_empty() {
        return;
    }
    let decided: std::collections::HashSet<&str> = made
        .iter()
        .filter_map(|decision| decision.alert_id.as_ref().map(|id| id.0.as_str()))
        .collect();
    let behind: Vec<Alert> =
        alerts.iter().filter(|alert| decided.contains(alert.id.0.as_str())).cloned().collect();
    let items = items_for(&behind, made, config.notify.threshold(), config.utc_offset_secs);
    let channels = Channels::new(config);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            report(&format!("cannot start the async runtime: {error}"));
            return;
        }
    };
    let outcomes = runtime.block_on(send_batch(&channels, items));
    let sent = outcomes.iter().filter(|(_, outcome)| outcome.is_ok()).count();
    for (name, outcome) in &outcomes {
        if let Err(error) = outcome {
            report(&format!("{}: {error}", name.as_str()));
        }
    }
    report(&format!("{sent} message(s) sent, {} failed", outcomes.len() - sent));
}

async fn notifier_loop(channels: Channels, mut receiver: mpsc::Receiver<Item>) {
    let mut digests = channels.digests();
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let mut ready = Vec::new();
        let open = tokio::select! {
            item = receiver.recv() => match item {
                Some(item) => {
                    let now = SystemClock.now();
                    for (name, digest) in &mut digests {
                        ready.extend(digest.push(item.clone(), now).map(|message| (*name, message)));
                    }
                    true
                }
                None => false,
            },
            _ = ticks.tick() => {
                let now = SystemClock.now();
                for (name, digest) in &mut digests {
                    ready.extend(digest.tick(now).map(|message| (*name, message)));
                }
                true
            }
        };
        if !open {
            let now = SystemClock.now();
            for (name, digest) in &mut digests {
                ready.extend(digest.flush(now).map(|message| (*name, message)));
            }
        }
        for (name, message) in ready {
            let now = SystemClock.now();
            if let Err(error) = channels.deliver(name, &message, now).await {
                report(&format!("{}: {error}", name.as_str()));
            }
        }
        if !open {
            return;
        }
    }
}
