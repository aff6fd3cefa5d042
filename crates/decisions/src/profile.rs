//! Profiles: how an alert becomes decisions.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use ipnet::IpNet;
use model::{Action, Alert, AlertId, RuleId, Severity, Timestamp};

use crate::allowlist::Allowlist;
use crate::decision::{DecisionAction, NewDecision, Origin, Scope, parse_value};

/// Which alerts an [`Override`] applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Alerts of this rule.
    Rule(RuleId),
    /// Alerts of rules with this tag.
    Tag(String),
    /// Alerts of exactly this severity.
    Severity(Severity),
}

/// A change to the rule's proposed response for some alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Which alerts.
    pub selector: Selector,
    /// The action to take instead of the proposed one.
    pub action: Option<DecisionAction>,
    /// The duration to use instead of the proposed one, in seconds.
    pub duration_secs: Option<u64>,
}

/// Longer bans for addresses banned before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    /// Each earlier ban of the same value multiplies the duration by this.
    pub factor: u32,
    /// No escalated ban lasts longer than this, in seconds.
    pub max_duration_secs: u64,
}

impl Default for Escalation {
    fn default() -> Escalation {
        Escalation { factor: 2, max_duration_secs: 7 * 86_400 }
    }
}

/// How alerts become decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Duration of a decision whose rule proposes none, in seconds.
    pub default_duration_secs: u64,
    /// Overrides; a rule override beats a tag override beats a severity
    /// override, and within each kind the first listed wins.
    pub overrides: Vec<Override>,
    /// Repeat bans of the same value last longer (none: every ban lasts the same).
    pub escalation: Option<Escalation>,
    /// Bans of an IPv6 address cover its network of this prefix length (none: only the address).
    pub ipv6_prefix: Option<u8>,
}

impl Default for Profile {
    fn default() -> Profile {
        Profile {
            default_duration_secs: 4 * 3600,
            overrides: Vec::new(),
            escalation: Some(Escalation::default()),
            ipv6_prefix: Some(64),
        }
    }
}

/// What was decided before: the alerts already acted on and how often each
/// value was banned. The caller fills it from the store; [`Profile::decide`]
/// keeps it up to date.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    alerts: HashSet<AlertId>,
    bans: HashMap<(Scope, String), u32>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Notes a decision made before (from the store or from this run).
    pub fn record(&mut self, decision: &NewDecision) {
        if let Some(alert_id) = &decision.alert_id {
            self.alerts.insert(alert_id.clone());
        }
        if decision.action == DecisionAction::Ban {
            *self.bans.entry((decision.scope, decision.value.clone())).or_default() += 1;
        }
    }

    /// Notes that an alert was acted on.
    pub fn record_alert(&mut self, alert_id: AlertId) {
        self.alerts.insert(alert_id);
    }

    /// Notes `n_bans` earlier bans of a value.
    pub fn record_bans(&mut self, scope: Scope, value: &str, n_bans: u32) {
        *self.bans.entry((scope, value.to_owned())).or_default() += n_bans;
    }

    /// Whether this alert was acted on already.
    pub fn has_alert(&self, alert_id: &AlertId) -> bool {
        self.alerts.contains(alert_id)
    }

    /// How often this value was banned before.
    pub fn n_bans(&self, scope: Scope, value: &str) -> u32 {
        self.bans.get(&(scope, value.to_owned())).copied().unwrap_or(0)
    }
}

fn proposed_action(action: Action) -> Option<DecisionAction> {
    match action {
        Action::Ban => Some(DecisionAction::Ban),
        Action::ForceReset => Some(DecisionAction::ForceReset),
        Action::RequireOtp => Some(DecisionAction::RequireOtp),
        Action::Notify => None,
    }
}

impl Profile {
    fn find_override(&self, alert: &Alert, tags: &[String]) -> Option<&Override> {
        let by_rule = self
            .overrides
            .iter()
            .find(|rule| matches!(&rule.selector, Selector::Rule(id) if *id == alert.rule_id));
        let by_tag = || {
            self.overrides
                .iter()
                .find(|rule| matches!(&rule.selector, Selector::Tag(tag) if tags.contains(tag)))
        };
        let by_severity = || {
            self.overrides.iter().find(
                |rule| matches!(rule.selector, Selector::Severity(severity) if severity == alert.severity),
            )
        };
        by_rule.or_else(by_tag).or_else(by_severity)
    }

    /// The decisions for an alert at `now`, given the tags of its rule.
    ///
    /// An alert already in the ledger gives none (the same alert never yields a
    /// second decision); `notify` responses and scopes a decision cannot have
    /// (session, user agent...) give none; a decision touching an allowlisted
    /// address is dropped. Every decision made is recorded in the ledger.
    pub fn decide(
        &self,
        alert: &Alert,
        tags: &[String],
        allowlist: &Allowlist,
        ledger: &mut Ledger,
        now: Timestamp,
    ) -> Vec<NewDecision> {
        if ledger.has_alert(&alert.id) {
            return Vec::new();
        }
        ledger.record_alert(alert.id.clone());
        let chosen = self.find_override(alert, tags);
        let mut made: Vec<NewDecision> = Vec::new();
        for response in &alert.response {
            let Some(proposed) = proposed_action(response.action) else { continue };
            let Some(mut scope) = Scope::from_key_kind(response.scope) else { continue };
            let Ok(mut value) = parse_value(scope, &response.value) else { continue };
            let action = chosen.and_then(|rule| rule.action).unwrap_or(proposed);
            let mut duration = chosen
                .and_then(|rule| rule.duration_secs)
                .or(response.duration_secs)
                .unwrap_or(self.default_duration_secs);
            let is_block = matches!(action, DecisionAction::Ban | DecisionAction::Captcha);
            if let (true, Scope::Ip, Some(prefix_len)) = (is_block, scope, self.ipv6_prefix)
                && let Ok(IpAddr::V6(ip)) = value.parse::<IpAddr>()
                && let Ok(net) = IpNet::new(IpAddr::V6(ip), prefix_len.min(128))
            {
                scope = Scope::Range;
                value = net.trunc().to_string();
            }
            if action == DecisionAction::Ban
                && let Some(escalation) = self.escalation
            {
                let n_before = ledger.n_bans(scope, &value);
                if n_before > 0 {
                    let factor = u64::from(escalation.factor).saturating_pow(n_before);
                    let cap = escalation.max_duration_secs.max(duration);
                    duration = duration.saturating_mul(factor).min(cap);
                }
            }
            let decision = NewDecision {
                action,
                scope,
                value,
                origin: Origin::Leakguard,
                rule_id: Some(alert.rule_id.clone()),
                alert_id: Some(alert.id.clone()),
                reason: alert.reason.clone(),
                created: now,
                until: now.add_secs(i64::try_from(duration).unwrap_or(i64::MAX)),
            };
            if allowlist.blocks(&decision) {
                continue;
            }
            if made.iter().any(|other| {
                other.action == decision.action
                    && other.scope == decision.scope
                    && other.value == decision.value
            }) {
                continue;
            }
            ledger.record(&decision);
            made.push(decision);
        }
        made
    }
}
