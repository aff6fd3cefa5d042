//! Open alerts: built when a rule fires, updated while its key stays active,
//! closed into a `model::Alert`.

use std::cmp::Ordering;

use model::{
    Alert, AlertId, AlertKey, Event, EventKind, KeyKind, LoginOutcome, Response, Sample,
    ServerNotice, Timestamp,
};
use rules::{GroupField, Rule};

use crate::Evidence;
use crate::distinct::DistinctCounter;
use crate::fingerprint::Fnv;
use crate::key;

/// How many samples an alert keeps, and how long each may be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SampleLimits {
    pub(crate) first: usize,
    pub(crate) last: usize,
    pub(crate) max_bytes: usize,
}

/// An alert still collecting matches.
#[derive(Debug, Clone)]
pub(crate) struct OpenAlert {
    pub(crate) alert: Alert,
    /// Matches up to this time (micros) extend the alert.
    pub(crate) until: i64,
    /// The latest samples, a ring once full.
    recent: Vec<Sample>,
    recent_next: usize,
    distinct: Option<DistinctCounter>,
}

/// What the engine knows when a rule fires.
#[derive(Debug)]
pub(crate) struct Firing<'e, 'a> {
    pub(crate) event: &'e Event<'a>,
    pub(crate) evidence: &'e Evidence<'e>,
    pub(crate) time: i64,
    pub(crate) count: u64,
    pub(crate) first: i64,
    pub(crate) distinct: Option<DistinctCounter>,
    pub(crate) key: AlertKey,
    pub(crate) reason: String,
    pub(crate) cooldown: i64,
}

impl OpenAlert {
    pub(crate) fn open(rule: &Rule, firing: Firing<'_, '_>, samples: SampleLimits) -> OpenAlert {
        let key = firing.key;
        let id = alert_id(&rule.id().0, &key, firing.time, firing.cooldown);
        let response = rule
            .responses()
            .iter()
            .filter_map(|response| {
                let value = scope_value(response.scope, rule.group_by(), firing.event)?;
                Some(Response {
                    action: response.action,
                    scope: response.scope,
                    value,
                    duration_secs: response.duration.map(|duration| duration.as_secs()),
                })
            })
            .collect();
        let mut alert = Alert {
            id,
            rule_id: rule.id().clone(),
            title: rule.title().clone(),
            severity: rule.severity(),
            key,
            count: firing.count,
            distinct: firing.distinct.as_ref().map(DistinctCounter::count),
            first_seen: Timestamp::from_unix_micros(firing.first.min(firing.time)),
            last_seen: Timestamp::from_unix_micros(firing.time),
            samples: Vec::new(),
            response,
            reason: firing.reason,
        };
        if samples.first + samples.last > 0 {
            let sample = sample_of(firing.evidence, samples.max_bytes);
            if samples.first > 0 {
                alert.samples.push(sample);
            }
        }
        let mut open = OpenAlert {
            alert,
            until: firing.time.saturating_add(firing.cooldown),
            recent: Vec::new(),
            recent_next: 0,
            distinct: firing.distinct,
        };
        if samples.first == 0 && samples.last > 0 {
            open.recent.push(sample_of(firing.evidence, samples.max_bytes));
            open.recent_next = 1 % samples.last;
        }
        open
    }

    /// Adds a further match within the cooldown.
    pub(crate) fn absorb(
        &mut self,
        time: i64,
        evidence: &Evidence<'_>,
        distinct_value: Option<u64>,
        cooldown: i64,
        samples: SampleLimits,
    ) {
        let alert = &mut self.alert;
        alert.count += 1;
        let time_stamp = Timestamp::from_unix_micros(time);
        alert.first_seen = alert.first_seen.min(time_stamp);
        alert.last_seen = alert.last_seen.max(time_stamp);
        self.until = self.until.max(time.saturating_add(cooldown));
        if let (Some(counter), Some(value)) = (&mut self.distinct, distinct_value) {
            counter.insert(value);
            alert.distinct = Some(counter.count());
        }
        if alert.samples.len() < samples.first {
            alert.samples.push(sample_of(evidence, samples.max_bytes));
        } else if samples.last > 0 {
            if self.recent.len() < samples.last {
                self.recent.push(sample_of(evidence, samples.max_bytes));
            } else {
                // Reuse the oldest sample's buffers: no allocation once the ring is full.
                let sample = &mut self.recent[self.recent_next];
                sample.source.clear();
                sample.source.push_str(evidence.source);
                sample.line = evidence.line;
                sample.text.clear();
                push_shortened(&mut sample.text, evidence.text, samples.max_bytes);
            }
            self.recent_next = (self.recent_next + 1) % samples.last;
        }
    }

    /// A copy of the alert as it is now.
    pub(crate) fn snapshot(&self) -> Alert {
        let mut alert = self.alert.clone();
        alert.samples.extend(self.recent_in_order().cloned());
        alert
    }

    /// The finished alert.
    pub(crate) fn close(mut self) -> Alert {
        let recent: Vec<Sample> = self.recent_in_order().cloned().collect();
        self.alert.samples.extend(recent);
        self.alert
    }

    fn recent_in_order(&self) -> impl Iterator<Item = &Sample> {
        // While the ring fills, `recent_next` is its length; once full, it points at the oldest.
        let split = self.recent_next.min(self.recent.len());
        self.recent[split..].iter().chain(self.recent[..split].iter())
    }
}

/// The order alerts are reported in: by first event, then rule, then key.
pub(crate) fn report_order(left: &Alert, right: &Alert) -> Ordering {
    (left.first_seen, &left.rule_id, &left.key, &left.id).cmp(&(
        right.first_seen,
        &right.rule_id,
        &right.key,
        &right.id,
    ))
}

fn sample_of(evidence: &Evidence<'_>, max_bytes: usize) -> Sample {
    let mut text = String::new();
    push_shortened(&mut text, evidence.text, max_bytes);
    Sample { source: evidence.source.to_owned(), line: evidence.line, text }
}

fn push_shortened(out: &mut String, text: &str, max_bytes: usize) {
    if text.len() <= max_bytes {
        out.push_str(text);
        return;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(&text[..end]);
    out.push('…');
}

/// A stable id: FNV-1a of the rule id, the key and the cooldown period the alert opened in.
fn alert_id(rule_id: &str, key: &AlertKey, time: i64, cooldown: i64) -> AlertId {
    let bucket = time.div_euclid(cooldown.max(1));
    let mut hasher = Fnv::new();
    hasher.write(rule_id.as_bytes()).write(&[0xff]).write(key.to_string().as_bytes());
    hasher.write(&[0xff]).write(&bucket.to_le_bytes());
    AlertId(format!("{:016x}", hasher.finish()))
}

fn scope_value(scope: KeyKind, group_by: &[GroupField], event: &Event<'_>) -> Option<String> {
    let field = match scope {
        KeyKind::Ip => GroupField::Ip,
        KeyKind::Range => GroupField::Range,
        KeyKind::Account => GroupField::Account,
        KeyKind::Session => GroupField::Session,
        KeyKind::Site => GroupField::Site,
        KeyKind::UserAgent => GroupField::UserAgent,
        KeyKind::Host => GroupField::Host,
        KeyKind::Path => GroupField::Path,
        KeyKind::Asn => GroupField::Asn,
        KeyKind::Country => GroupField::Country,
    };
    let is_known = group_by.contains(&field)
        || (field == GroupField::Range && group_by.contains(&GroupField::Ip))
        || field == GroupField::Site;
    let value = key::value_of(field, event);
    (is_known && !value.is_empty()).then_some(value)
}

/// What an event is, in a reason: `POST /member/login`, `failed logins`, `limit_req notices`.
pub(crate) fn describe_event(event: &Event<'_>) -> String {
    const MAX_PATH: usize = 120;
    match event.kind {
        EventKind::Request => {
            let mut path = String::new();
            push_shortened(&mut path, &event.path, MAX_PATH);
            if event.method.is_empty() { path } else { format!("{} {path}", event.method) }
        }
        EventKind::Login => match event.outcome {
            Some(LoginOutcome::Success) => "successful logins".to_owned(),
            Some(LoginOutcome::Failure) => "failed logins".to_owned(),
            None => "logins".to_owned(),
        },
        EventKind::ServerNotice => match event.notice {
            Some(notice) => format!("{} notices", notice_name(notice)),
            None => "server notices".to_owned(),
        },
    }
}

/// How a key reads in a reason: a bare address, or `account alice`.
pub(crate) fn describe_key(key: &AlertKey) -> String {
    if key.kind == KeyKind::Ip && key.extra.is_empty() {
        key.value.clone()
    } else {
        key.to_string()
    }
}

fn notice_name(notice: ServerNotice) -> &'static str {
    match notice {
        ServerNotice::LimitReq => "limit_req",
        ServerNotice::LimitConn => "limit_conn",
        ServerNotice::AuthFailure => "auth_failure",
        ServerNotice::Forbidden => "forbidden",
        ServerNotice::BadRequest => "bad_request",
        ServerNotice::TlsHandshake => "tls_handshake",
        ServerNotice::Other => "other",
    }
}
