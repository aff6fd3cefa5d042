//! What goes to the operator and when: grouping and rate limiting, as pure
//! logic (time arrives as arguments).
//!
//! Per channel, one [`Digest`]:
//! - a critical alert on a quiet channel (nothing sent within the window)
//!   goes out at once, alone;
//! - anything else waits in a group that goes out one window after its first
//!   item, as one message listing the items (at most
//!   [`Policy::max_listed`]; the rest counted);
//! - at most [`Policy::max_per_hour`] messages leave per rolling hour; while
//!   the cap holds, items keep joining the group, and the message sent when
//!   a slot frees says how many were held back.
//!
//! So an attack raising a thousand alerts produces a handful of messages.

use std::collections::VecDeque;

use model::{Alert, LocalizedText, Severity, Timestamp};
use serde::Serialize;

use crate::Language;

/// Whether an item is an alert or a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A rule fired.
    Alert,
    /// A new decision (ban, captcha...).
    Decision,
}

/// One thing to tell the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Alert or decision.
    pub kind: ItemKind,
    /// How bad (a decision carries its alert's severity).
    pub severity: Severity,
    /// What happened, in both languages.
    pub title: LocalizedText,
    /// What it is about (`ip 203.0.113.7`, `account alice`).
    pub key: String,
    /// A detail line (the alert's reason, the decision's expiry).
    pub detail: String,
    /// When it happened.
    pub at: Timestamp,
}

impl Item {
    /// An alert as an item.
    pub fn from_alert(alert: &Alert) -> Item {
        Item {
            kind: ItemKind::Alert,
            severity: alert.severity,
            title: alert.title.clone(),
            key: alert.key.to_string(),
            detail: alert.reason.clone(),
            at: alert.first_seen,
        }
    }
}

/// The limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Seconds a group collects items before it is sent, and the quiet time
    /// after a message before a critical alert goes out alone again.
    pub window_secs: i64,
    /// Messages per rolling hour per channel.
    pub max_per_hour: usize,
    /// Items listed in one message (the rest are counted).
    pub max_listed: usize,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy { window_secs: 300, max_per_hour: 10, max_listed: 20 }
    }
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outgoing {
    /// Subject (email) or first line.
    pub subject: String,
    /// The whole text.
    pub text: String,
    /// The listed items.
    pub items: Vec<Item>,
    /// Alerts in this message (listed or not).
    pub alerts: u64,
    /// Decisions in this message (listed or not).
    pub decisions: u64,
    /// Items counted but not listed.
    pub unlisted: u64,
    /// Whether the hourly cap delayed it.
    pub delayed_by_cap: bool,
    /// The language it is written in (`en`, `zh-TW`).
    pub language: &'static str,
}

/// How messages are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// The site's name, in every subject.
    pub site: String,
    /// The language.
    pub language: Language,
    /// The site's offset from UTC, for times shown.
    pub utc_offset_secs: i32,
}

#[derive(Debug, Default)]
struct Group {
    first_at: Option<Timestamp>,
    listed: Vec<Item>,
    alerts: u64,
    decisions: u64,
    unlisted: u64,
    capped: bool,
}

/// One channel's grouping and rate-limiting state.
#[derive(Debug)]
pub struct Digest {
    policy: Policy,
    style: Style,
    sent: VecDeque<Timestamp>,
    group: Group,
}

const HOUR_SECS: i64 = 3600;

impl Digest {
    /// A quiet channel.
    pub fn new(policy: Policy, style: Style) -> Digest {
        Digest { policy, style, sent: VecDeque::new(), group: Group::default() }
    }

    fn forget_old(&mut self, now: Timestamp) {
        while self.sent.front().is_some_and(|at| at.add_secs(HOUR_SECS) <= now) {
            self.sent.pop_front();
        }
    }

    fn cap_allows(&mut self, now: Timestamp) -> bool {
        self.forget_old(now);
        self.sent.len() < self.policy.max_per_hour
    }

    fn is_quiet(&self, now: Timestamp) -> bool {
        self.sent.back().is_none_or(|last| last.add_secs(self.policy.window_secs) <= now)
    }

    /// Takes an item; returns a message when it goes out at once.
    pub fn push(&mut self, item: Item, now: Timestamp) -> Option<Outgoing> {
        let alone = item.severity == Severity::Critical
            && item.kind == ItemKind::Alert
            && self.group.first_at.is_none()
            && self.is_quiet(now);
        if alone && self.cap_allows(now) {
            self.sent.push_back(now);
            let (alerts, decisions) = match item.kind {
                ItemKind::Alert => (1, 0),
                ItemKind::Decision => (0, 1),
            };
            return Some(self.render(vec![item], alerts, decisions, 0, false));
        }
        let group = &mut self.group;
        group.first_at.get_or_insert(now);
        match item.kind {
            ItemKind::Alert => group.alerts += 1,
            ItemKind::Decision => group.decisions += 1,
        }
        if group.listed.len() < self.policy.max_listed {
            group.listed.push(item);
        } else if let Some(weaker) =
            group.listed.iter().position(|listed| listed.severity < item.severity)
        {
            // A full list keeps the most severe items.
            group.listed.remove(weaker);
            group.listed.push(item);
            group.unlisted += 1;
        } else {
            group.unlisted += 1;
        }
        None
    }

    /// When [`Digest::tick`] next has something to do (none: nothing waits).
    pub fn next_due(&self) -> Option<Timestamp> {
        let first = self.group.first_at?;
        let window_end = first.add_secs(self.policy.window_secs);
        let slot_free = if self.sent.len() >= self.policy.max_per_hour {
            self.sent.front().map_or(Timestamp::MIN, |oldest| oldest.add_secs(HOUR_SECS))
        } else {
            Timestamp::MIN
        };
        Some(window_end.max(slot_free))
    }

    /// Sends the group when its window is over and the cap allows.
    pub fn tick(&mut self, now: Timestamp) -> Option<Outgoing> {
        let first = self.group.first_at?;
        if first.add_secs(self.policy.window_secs) > now {
            return None;
        }
        self.send_group(now)
    }

    /// Sends whatever waits, window or not (at shutdown, or at the end of
    /// `analyze`); the hourly cap still holds.
    pub fn flush(&mut self, now: Timestamp) -> Option<Outgoing> {
        self.group.first_at?;
        self.send_group(now)
    }

    fn send_group(&mut self, now: Timestamp) -> Option<Outgoing> {
        if !self.cap_allows(now) {
            self.group.capped = true;
            return None;
        }
        self.sent.push_back(now);
        let group = std::mem::take(&mut self.group);
        let mut listed = group.listed;
        listed.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.at.cmp(&b.at)));
        Some(self.render(listed, group.alerts, group.decisions, group.unlisted, group.capped))
    }

    fn render(
        &self,
        items: Vec<Item>,
        alerts: u64,
        decisions: u64,
        unlisted: u64,
        capped: bool,
    ) -> Outgoing {
        let language = self.style.language;
        let zh = language == Language::TraditionalChinese;
        let site = &self.style.site;
        let total = alerts + decisions;
        let subject = if total == 1 {
            let item = &items[0];
            let title = language.pick(&item.title.en, &item.title.zh_tw);
            match (item.kind, zh) {
                (ItemKind::Alert, false) => format!(
                    "[leakguard] {site}: {} alert: {title} ({})",
                    item.severity.as_str(),
                    item.key
                ),
                (ItemKind::Alert, true) => format!(
                    "[leakguard] {site}：{}警示：{title}（{}）",
                    severity_zh(item.severity),
                    item.key
                ),
                (ItemKind::Decision, false) => {
                    format!("[leakguard] {site}: new decision: {title} ({})", item.key)
                }
                (ItemKind::Decision, true) => {
                    format!("[leakguard] {site}：新決策：{title}（{}）", item.key)
                }
            }
        } else if zh {
            format!("[leakguard] {site}：{alerts} 則警示、{decisions} 項新決策")
        } else {
            format!(
                "[leakguard] {site}: {alerts} alert{}, {decisions} new decision{}",
                plural(alerts),
                plural(decisions)
            )
        };
        let mut text = String::new();
        text.push_str(&subject);
        text.push_str("\n\n");
        for item in &items {
            let kind = match (item.kind, zh) {
                (ItemKind::Alert, false) => format!("{} alert", item.severity.as_str()),
                (ItemKind::Alert, true) => format!("{}警示", severity_zh(item.severity)),
                (ItemKind::Decision, false) => "decision".to_owned(),
                (ItemKind::Decision, true) => "決策".to_owned(),
            };
            let title = language.pick(&item.title.en, &item.title.zh_tw);
            let time = item.at.to_rfc3339_with_offset(self.style.utc_offset_secs);
            let colon = if zh { "：" } else { ": " };
            text.push_str(&format!("- {time} {kind}{colon}{title} — {}\n", item.key));
            if !item.detail.is_empty() {
                text.push_str(&format!("  {}\n", item.detail));
            }
        }
        if unlisted > 0 {
            if zh {
                text.push_str(&format!("……另有 {unlisted} 項未列出。\n"));
            } else {
                text.push_str(&format!("… and {unlisted} more not listed.\n"));
            }
        }
        if capped {
            let cap = self.policy.max_per_hour;
            if zh {
                text.push_str(&format!(
                    "\n每小時最多傳送 {cap} 則訊息；本摘要包含因此暫緩的項目。\n"
                ));
            } else {
                text.push_str(&format!(
                    "\nAt most {cap} messages go out per hour; this summary includes what was held back.\n"
                ));
            }
        }
        if zh {
            text.push_str("\n詳情：leakguard decisions list、leakguard status。\n");
        } else {
            text.push_str("\nDetails: leakguard decisions list, leakguard status.\n");
        }
        Outgoing {
            subject,
            text,
            items,
            alerts,
            decisions,
            unlisted,
            delayed_by_cap: capped,
            language: language.tag(),
        }
    }
}

fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}

fn severity_zh(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "嚴重",
        Severity::High => "高風險",
        Severity::Medium => "中風險",
        Severity::Low => "低風險",
        Severity::Info => "資訊",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(language: Language) -> Style {
        Style { site: "demo-shop".to_owned(), language, utc_offset_secs: 8 * 3600 }
    }

    fn item(kind: ItemKind, severity: Severity, n: u32, at: Timestamp) -> Item {
        Item {
            kind,
            severity,
            title: LocalizedText {
                en: "Credential stuffing".to_owned(),
                zh_tw: "撞庫攻擊".to_owned(),
            },
            key: format!("ip 203.0.113.{n}"),
            detail: "60 failed logins in 60s".to_owned(),
            at,
        }
    }

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_unix_secs(1_800_000_000 + secs)
    }

    #[test]
    fn the_first_critical_alert_goes_out_at_once_and_the_rest_are_grouped() {
        let mut digest = Digest::new(Policy::default(), style(Language::English));
        let first = digest.push(item(ItemKind::Alert, Severity::Critical, 1, t(0)), t(0));
        let first = first.expect("sent at once");
        assert_eq!((first.alerts, first.decisions), (1, 0));
        assert!(
            first.subject.contains("critical alert: Credential stuffing (ip 203.0.113.1)"),
            "{}",
            first.subject
        );
        for n in 2..=500 {
            let at = t(i64::from(n) / 10);
            assert_eq!(digest.push(item(ItemKind::Alert, Severity::Critical, n, at), at), None);
            assert_eq!(digest.push(item(ItemKind::Decision, Severity::Critical, n, at), at), None);
        }
        assert_eq!(digest.tick(t(200)), None, "the window is not over");
        assert_eq!(digest.next_due(), Some(t(0).add_secs(300)));
        let group = digest.tick(t(301)).expect("the group goes out after its window");
        assert_eq!((group.alerts, group.decisions), (499, 499));
        assert_eq!(group.items.len(), 20);
        assert_eq!(group.unlisted, 998 - 20);
        assert!(group.text.contains("… and 978 more not listed."), "{}", group.text);
        assert!(group.subject.ends_with("499 alerts, 499 new decisions"), "{}", group.subject);
        assert_eq!(digest.tick(t(1000)), None, "nothing waits");
    }

    #[test]
    fn high_alerts_and_decisions_wait_for_the_window() {
        let mut digest = Digest::new(Policy::default(), style(Language::English));
        assert_eq!(digest.push(item(ItemKind::Alert, Severity::High, 1, t(0)), t(0)), None);
        assert_eq!(digest.push(item(ItemKind::Decision, Severity::High, 1, t(5)), t(5)), None);
        let message = digest.tick(t(300)).expect("one message after the window");
        assert_eq!((message.alerts, message.decisions, message.items.len()), (1, 1, 2));
    }

    #[test]
    fn the_hourly_cap_holds_and_the_summary_says_what_was_held_back() {
        let policy = Policy { window_secs: 60, max_per_hour: 3, max_listed: 5 };
        let mut digest = Digest::new(policy, style(Language::English));
        let mut sent = Vec::new();
        // An alert every 10 seconds for two hours, ticking every second.
        let mut now = 0;
        while now < 7200 {
            if now % 10 == 0 {
                let severity = if now % 20 == 0 { Severity::Critical } else { Severity::High };
                let n = u32::try_from(now / 10).expect("small");
                sent.extend(digest.push(item(ItemKind::Alert, severity, n, t(now)), t(now)));
            }
            sent.extend(digest.tick(t(now)));
            now += 1;
        }
        sent.extend(digest.flush(t(now)));
        // Three per rolling hour: at most six in two hours, plus the final flush.
        assert!(sent.len() <= 7, "{} messages", sent.len());
        let counted: u64 = sent.iter().map(|message| message.alerts).sum();
        assert_eq!(counted, 720, "every alert is counted in some message");
        let capped: Vec<_> = sent.iter().filter(|message| message.delayed_by_cap).collect();
        assert!(!capped.is_empty());
        assert!(
            capped[0].text.contains("At most 3 messages go out per hour"),
            "{}",
            capped[0].text
        );
        // A full list keeps the most severe items.
        assert!(capped[0].items.iter().all(|item| item.severity == Severity::Critical));
    }

    #[test]
    fn messages_are_written_in_traditional_chinese() {
        let mut digest = Digest::new(Policy::default(), style(Language::TraditionalChinese));
        let one =
            digest.push(item(ItemKind::Alert, Severity::Critical, 1, t(0)), t(0)).expect("sent");
        assert_eq!(one.subject, "[leakguard] demo-shop：嚴重警示：撞庫攻擊（ip 203.0.113.1）");
        assert_eq!(one.language, "zh-TW");
        assert!(one.text.contains("+08:00 嚴重警示：撞庫攻擊"), "{}", one.text);
        digest.push(item(ItemKind::Decision, Severity::High, 2, t(1)), t(1));
        digest.push(item(ItemKind::Decision, Severity::High, 3, t(2)), t(2));
        let group = digest.flush(t(3)).expect("flushed");
        assert_eq!(group.subject, "[leakguard] demo-shop：0 則警示、2 項新決策");
    }
}
