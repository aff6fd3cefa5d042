//! The engine: runs each event through the rules that may match it and keeps
//! bounded per-key state on event time.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use foldhash::fast::{FixedState, RandomState};
use model::{Alert, Event, RuleId, Timestamp};
use rules::{
    Condition, DistinctField, Facts, NoveltyField, PayloadInspector, Rule, RuleKind, RuleSet,
    Sequence, format_duration,
};

use crate::alert::{Firing, OpenAlert, SampleLimits, describe_event, describe_key, report_order};
use crate::baseline::{BaselineRise, BaselineState, Rises};
use crate::distinct::DistinctCounter;
use crate::fingerprint::{fnv, mix};
use crate::key::{self, SmallKey};
use crate::state::{KeyMap, Swept};
use crate::window::{CountWindow, ValueWindow};

/// Bounds on the engine's memory, and its tolerance for disorder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineLimits {
    /// Keys whose window state each rule keeps. Past it, keys whose state
    /// expired go first, then the least recently active.
    pub max_keys_per_rule: usize,
    /// Open alerts per rule. Past it, the alert closest to expiring is closed early.
    pub max_open_alerts_per_rule: usize,
    /// Alerts waiting to be taken (closed alerts; separately, new-alert notices).
    /// Past it, further ones are dropped and counted.
    pub max_pending_alerts: usize,
    /// Samples kept from the start of an alert.
    pub first_samples: usize,
    /// Samples kept from the end of an alert.
    pub last_samples: usize,
    /// Longest sample text, in bytes (longer lines are shortened).
    pub max_sample_bytes: usize,
    /// Distinct values an alert counts exactly before switching to an estimate (about 3% error).
    pub max_exact_distinct: usize,
    /// How far an event may be older than the latest one seen and still be on
    /// time. Later events are still processed (replaying files one after
    /// another must not drop a file) but counted in `n_late_events`; open alerts
    /// are closed only once the latest time is this far past their cooldown.
    pub out_of_order_tolerance: Duration,
}

impl Default for EngineLimits {
    fn default() -> EngineLimits {
        EngineLimits {
            max_keys_per_rule: 100_000,
            max_open_alerts_per_rule: 10_000,
            max_pending_alerts: 100_000,
            first_samples: 5,
            last_samples: 5,
            max_sample_bytes: 1024,
            max_exact_distinct: 4096,
            out_of_order_tolerance: Duration::from_secs(300),
        }
    }
}

/// Where an event came from. Only kept as a bounded sample on alerts; rules never see it.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// The source, as the user named it (`/var/log/nginx/access.log`).
    pub source: &'a str,
    /// The 1-based line number.
    pub line: u64,
    /// The raw line.
    pub text: &'a str,
}

/// What the engine has done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Events fed.
    pub n_events: u64,
    /// Events older than the latest time minus the tolerance (processed anyway).
    pub n_late_events: u64,
    /// Matching events a rule could not key (no address, account or session for its `group_by`).
    pub n_unkeyed: u64,
    /// Alerts opened.
    pub n_alerts: u64,
    /// Keys forgotten because their state had expired, to make room.
    pub n_expired_keys: u64,
    /// Keys forgotten while still active (least recently active first), to make room.
    pub n_evicted_keys: u64,
    /// Alerts closed before their cooldown ended, to make room.
    pub n_forced_closes: u64,
    /// Alerts (or new-alert notices) dropped because too many were waiting.
    pub n_dropped_alerts: u64,
    /// Keys held now, over all rules.
    pub n_keys: u64,
    /// Alerts open now.
    pub n_open_alerts: u64,
}

/// One rule's activity.
#[derive(Debug, Clone, Copy)]
pub struct RuleStats<'r> {
    /// The rule.
    pub rule_id: &'r RuleId,
    /// Events that matched its `where`.
    pub n_matches: u64,
    /// Alerts it opened.
    pub n_alerts: u64,
    /// Keys it holds state for now.
    pub n_keys: usize,
    /// Its alerts open now.
    pub n_open_alerts: usize,
}

/// Open alerts are checked for expiry at most this often (event time, micros).
const SWEEP_EVERY: i64 = 60_000_000;
/// Cached prefilter outcomes kept before the cache starts over.
const MAX_CACHED_SIGNATURES: usize = 4096;

/// Distinct user agents whose test answers the engine remembers (then it
/// forgets them all and starts again), and the longest one remembered.
const MAX_REMEMBERED_AGENTS: usize = 4096;
const MAX_REMEMBERED_AGENT_BYTES: usize = 512;

#[derive(Debug, Clone, Copy)]
struct Candidate {
    rule: u32,
    /// Tests an absence rule's preceding event rather than its `where`.
    is_preceding: bool,
}

#[derive(Debug)]
enum KindState {
    Match,
    Count(KeyMap<CountWindow>),
    Values(KeyMap<ValueWindow>),
    Absence(KeyMap<i64>),
    Baseline(KeyMap<BaselineState>),
    Sequence {
        /// The latest preceding event per key.
        preceding: KeyMap<i64>,
        /// Values (countries, AS numbers) each key showed, with when, for `new_value`.
        known: Option<KeyMap<Known>>,
    },
}

/// Values a key showed, with the last time each was seen (at most `MAX_KNOWN`).
type Known = Vec<(u32, i64)>;
/// Values remembered per key for `new_value`; past it the least recent is forgotten.
const MAX_KNOWN: usize = 8;

#[derive(Debug)]
struct RuleRuntime {
    window: i64,
    cooldown: i64,
    state: KindState,
    open: HashMap<SmallKey, OpenAlert, RandomState>,
    n_matches: u64,
    n_alerts: u64,
}

/// The streaming detection engine: pure, synchronous and deterministic.
///
/// Feed events in time order (disorder within `out_of_order_tolerance` is
/// harmless); take alerts as they open ([`take_new_alerts`](Engine::take_new_alerts)),
/// as they close ([`take_closed_alerts`](Engine::take_closed_alerts)), or all at the
/// end ([`finish`](Engine::finish)).
pub struct Engine {
    rule_set: RuleSet,
    limits: EngineLimits,
    inspector: Option<Box<dyn PayloadInspector + Send>>,
    runtimes: Vec<RuleRuntime>,
    candidates: HashMap<u64, Box<[Candidate]>, FixedState>,
    /// What the user-agent tests answered per user agent (known slots, true slots).
    agent_memory: HashMap<Box<str>, (u64, u64), FixedState>,
    watermark: Option<i64>,
    next_sweep: i64,
    key_buf: Vec<u8>,
    /// Another rule's key, for `or_flagged`.
    scratch_key: Vec<u8>,
    opened: VecDeque<Alert>,
    closed: Vec<Alert>,
    rises: Rises,
    stats: EngineStats,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rule_set.len())
            .field("limits", &self.limits)
            .field("has_payload_inspector", &self.inspector.is_some())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// The parts of the engine a rule's handler changes besides its own state.
struct Context<'c> {
    limits: &'c EngineLimits,
    stats: &'c mut EngineStats,
    watermark: i64,
    opened: &'c mut VecDeque<Alert>,
    closed: &'c mut Vec<Alert>,
}

impl Context<'_> {
    fn samples(&self) -> SampleLimits {
        SampleLimits {
            first: self.limits.first_samples,
            last: self.limits.last_samples,
            max_bytes: self.limits.max_sample_bytes,
        }
    }

    fn close(&mut self, open: OpenAlert) {
        if self.closed.len() >= self.limits.max_pending_alerts {
            self.stats.n_dropped_alerts += 1;
            return;
        }
        self.closed.push(open.close());
    }

    fn announce(&mut self, alert: Alert) {
        if self.opened.len() >= self.limits.max_pending_alerts {
            self.opened.pop_front();
            self.stats.n_dropped_alerts += 1;
        }
        self.opened.push_back(alert);
    }

    fn count_swept(&mut self, swept: Swept) {
        self.stats.n_expired_keys += swept.n_expired;
        self.stats.n_evicted_keys += swept.n_evicted;
    }
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

impl Engine {
    /// An engine running `rule_set` within `limits`.
    pub fn new(rule_set: RuleSet, limits: EngineLimits) -> Engine {
        let runtimes = rule_set
            .rules()
            .iter()
            .map(|rule| {
                let cap = limits.max_keys_per_rule;
                let (window, state) = match rule.kind() {
                    RuleKind::Match => (0, KindState::Match),
                    RuleKind::Count { window, distinct: None, .. } => {
                        (micros(*window), KindState::Count(KeyMap::new(cap, micros(*window))))
                    }
                    RuleKind::Count { window, distinct: Some(_), .. } => {
                        (micros(*window), KindState::Values(KeyMap::new(cap, micros(*window))))
                    }
                    RuleKind::Enumeration(enumeration) => {
                        let window = micros(enumeration.window);
                        (window, KindState::Values(KeyMap::new(cap, window)))
                    }
                    RuleKind::Absence { within, .. } => {
                        (micros(*within), KindState::Absence(KeyMap::new(cap, micros(*within))))
                    }
                    RuleKind::Baseline(baseline) => {
                        let period = micros(baseline.period).max(1);
                        let horizon =
                            period.saturating_mul(i64::from(baseline.history).saturating_add(1));
                        (period, KindState::Baseline(KeyMap::new(cap, horizon)))
                    }
                    RuleKind::Sequence(sequence) => {
                        let within = micros(sequence.within);
                        let known = sequence
                            .new_value
                            .map(|new_value| KeyMap::new(cap, micros(new_value.remember)));
                        (within, KindState::Sequence { preceding: KeyMap::new(cap, within), known })
                    }
                };
                RuleRuntime {
                    window,
                    cooldown: micros(rule.cooldown()).max(1),
                    state,
                    open: HashMap::default(),
                    n_matches: 0,
                    n_alerts: 0,
                }
            })
            .collect();
        Engine {
            rule_set,
            limits,
            inspector: None,
            runtimes,
            candidates: HashMap::default(),
            agent_memory: HashMap::default(),
            watermark: None,
            next_sweep: i64::MIN,
            key_buf: Vec::with_capacity(64),
            scratch_key: Vec::new(),
            opened: VecDeque::new(),
            closed: Vec::new(),
            rises: Rises::default(),
            stats: EngineStats::default(),
        }
    }

    /// Uses `inspector` for `payload` conditions (without one, they never match).
    #[must_use]
    pub fn with_payload_inspector(
        mut self,
        inspector: impl PayloadInspector + Send + 'static,
    ) -> Engine {
        self.inspector = Some(Box::new(inspector));
        self
    }

    /// The rules the engine runs.
    pub fn rule_set(&self) -> &RuleSet {
        &self.rule_set
    }

    /// Runs one event through the rules.
    pub fn feed(&mut self, event: &Event<'_>, evidence: &Evidence<'_>) {
        self.stats.n_events += 1;
        let time = event.time.as_unix_micros();
        self.advance(time, true);
        let watermark = self.watermark.unwrap_or(time);
        let classification = self.rule_set.site().classify(event);
        let inspector =
            self.inspector.as_deref().map(|inspector| inspector as &dyn PayloadInspector);
        let facts = Facts::new(event, classification, inspector);
        let user_agent_slots = self.rule_set.user_agent_slots();
        let remembers_agent = user_agent_slots != 0
            && !event.user_agent.is_empty()
            && event.user_agent.len() <= MAX_REMEMBERED_AGENT_BYTES;
        let agent_known = if remembers_agent {
            match self.agent_memory.get(&*event.user_agent) {
                Some((known, value)) => {
                    facts.remember(*known, *value);
                    Some(*known)
                }
                None => Some(0),
            }
        } else {
            None
        };
        let signature = facts.signature().bits();
        if self.candidates.len() >= MAX_CACHED_SIGNATURES
            && !self.candidates.contains_key(&signature)
        {
            self.candidates.clear();
        }
        let rules = self.rule_set.rules();
        let candidates = self.candidates.entry(signature).or_insert_with(|| {
            let mut found = Vec::new();
            for (idx, rule) in rules.iter().enumerate() {
                let idx = u32::try_from(idx).unwrap_or(u32::MAX);
                if rule.condition().prefilter().admits(facts.signature()) {
                    found.push(Candidate { rule: idx, is_preceding: false });
                }
                if let Some(preceding) = preceding_of(rule)
                    && preceding.prefilter().admits(facts.signature())
                {
                    found.push(Candidate { rule: idx, is_preceding: true });
                }
            }
            found.into()
        });
        let mut ctx = Context {
            limits: &self.limits,
            stats: &mut self.stats,
            watermark,
            opened: &mut self.opened,
            closed: &mut self.closed,
        };
        for candidate in candidates.iter() {
            let idx = candidate.rule as usize;
            let Some(rule) = rules.get(idx) else { continue };
            if candidate.is_preceding {
                let Some(preceding) = preceding_of(rule) else { continue };
                let Some(runtime) = self.runtimes.get_mut(idx) else { continue };
                if preceding.matches(&facts)
                    && key::build(rule.group_by(), event, &mut self.key_buf)
                    && let KindState::Absence(map) | KindState::Sequence { preceding: map, .. } =
                        &mut runtime.state
                {
                    let mut swept = Swept::default();
                    map.upsert(
                        &self.key_buf,
                        time,
                        watermark,
                        &mut swept,
                        || time,
                        |last| {
                            *last = (*last).max(time);
                        },
                    );
                    ctx.count_swept(swept);
                }
                continue;
            }
            if !rule.condition().matches(&facts) {
                continue;
            }
            if let Some(runtime) = self.runtimes.get_mut(idx) {
                runtime.n_matches += 1;
            }
            if !key::build(rule.group_by(), event, &mut self.key_buf) {
                ctx.stats.n_unkeyed += 1;
                continue;
            }
            let flagged = match rule.kind() {
                RuleKind::Sequence(sequence) if sequence.or_flagged => {
                    flagged_by(&self.runtimes, rules, idx, event, &mut self.scratch_key)
                        .and_then(|other| rules.get(other))
                        .map(Rule::id)
                }
                _ => None,
            };
            let Some(runtime) = self.runtimes.get_mut(idx) else { continue };
            let seen = Seen { event, evidence, time, flagged };
            on_match(runtime, rule, &seen, &self.key_buf, &mut ctx, &mut self.rises);
        }
        if let Some(before) = agent_known {
            let (known, value) = facts.memory();
            let known = known & user_agent_slots;
            if known != before {
                if before == 0 && self.agent_memory.len() >= MAX_REMEMBERED_AGENTS {
                    self.agent_memory.clear();
                }
                self.agent_memory.insert(event.user_agent.as_ref().into(), (known, value & known));
            }
        }
    }

    /// Moves event time forward without an event (the live daemon's idle tick),
    /// closing alerts whose cooldown has passed. Earlier times are ignored.
    pub fn advance_to(&mut self, time: Timestamp) {
        self.advance(time.as_unix_micros(), false);
    }

    fn advance(&mut self, time: i64, is_event: bool) {
        let tolerance = micros(self.limits.out_of_order_tolerance);
        match self.watermark {
            Some(watermark) if time <= watermark => {
                if is_event && time < watermark.saturating_sub(tolerance) {
                    self.stats.n_late_events += 1;
                }
                return;
            }
            _ => self.watermark = Some(time),
        }
        if time >= self.next_sweep {
            self.next_sweep = time.saturating_add(SWEEP_EVERY);
            self.close_expired(time.saturating_sub(tolerance));
        }
    }

    fn close_expired(&mut self, before: i64) {
        let mut ctx = Context {
            limits: &self.limits,
            stats: &mut self.stats,
            watermark: self.watermark.unwrap_or(before),
            opened: &mut self.opened,
            closed: &mut self.closed,
        };
        for runtime in &mut self.runtimes {
            if runtime.open.is_empty() {
                continue;
            }
            let mut expired: Vec<OpenAlert> = runtime
                .open
                .extract_if(|_, open| open.until < before)
                .map(|(_, open)| open)
                .collect();
            expired.sort_by(|left, right| report_order(&left.alert, &right.alert));
            for open in expired {
                ctx.close(open);
            }
        }
    }

    /// Snapshots of the alerts opened since the last call, in opening order
    /// (for live notification; the final alert comes from `take_closed_alerts` or `finish`).
    pub fn take_new_alerts(&mut self) -> Vec<Alert> {
        self.opened.drain(..).collect()
    }

    /// The alerts closed since the last call, in report order (first event, rule, key).
    pub fn take_closed_alerts(&mut self) -> Vec<Alert> {
        let mut alerts = std::mem::take(&mut self.closed);
        alerts.sort_by(report_order);
        alerts
    }

    /// Closes every open alert and returns all alerts not taken yet, in report
    /// order. The engine stays usable; state and statistics are kept.
    pub fn finish(&mut self) -> Vec<Alert> {
        self.close_expired(i64::MAX);
        for (rule, runtime) in self.rule_set.rules().iter().zip(&mut self.runtimes) {
            if let KindState::Baseline(map) = &mut runtime.state {
                let mut states: Vec<&mut BaselineState> = map.values_mut().collect();
                states.sort_by_key(|state| state.order());
                for state in states {
                    state.flush_rise(&mut self.rises, rule.id(), runtime.window);
                }
            }
        }
        self.take_closed_alerts()
    }

    /// The periods of `baseline` rules that rose above their baseline without
    /// the excess being concentrated (so no alert), as they finished (and at
    /// [`finish`](Engine::finish) the current ones), for the summary. At most
    /// a thousand wait; further ones are counted in the second value.
    pub fn take_baseline_rises(&mut self) -> (Vec<BaselineRise>, u64) {
        let mut rises = std::mem::take(&mut self.rises.list);
        rises.sort_by(|left, right| {
            (left.period_start, &left.rule_id, &left.key).cmp(&(
                right.period_start,
                &right.rule_id,
                &right.key,
            ))
        });
        (rises, std::mem::take(&mut self.rises.n_dropped))
    }

    /// Counters, and how much state is held now.
    pub fn stats(&self) -> EngineStats {
        let mut stats = self.stats;
        for runtime in &self.runtimes {
            stats.n_keys += runtime.n_keys() as u64;
            stats.n_open_alerts += runtime.open.len() as u64;
        }
        stats
    }

    /// Each rule's activity, in rule-set order.
    pub fn rule_stats(&self) -> Vec<RuleStats<'_>> {
        self.rule_set
            .rules()
            .iter()
            .zip(&self.runtimes)
            .map(|(rule, runtime)| RuleStats {
                rule_id: rule.id(),
                n_matches: runtime.n_matches,
                n_alerts: runtime.n_alerts,
                n_keys: runtime.n_keys(),
                n_open_alerts: runtime.open.len(),
            })
            .collect()
    }
}

impl RuleRuntime {
    fn n_keys(&self) -> usize {
        match &self.state {
            KindState::Match => 0,
            KindState::Count(map) => map.len(),
            KindState::Values(map) => map.len(),
            KindState::Absence(map) => map.len(),
            KindState::Baseline(map) => map.len(),
            KindState::Sequence { preceding, known } => {
                preceding.len() + known.as_ref().map_or(0, KeyMap::len)
            }
        }
    }
}

/// The hash of the value a distinct count counts, or `None` when the event has none.
fn distinct_hash(field: DistinctField, event: &Event<'_>) -> Option<u64> {
    let hash = match field {
        DistinctField::Text(text) => {
            let value = text.value(event);
            if value.is_empty() {
                return None;
            }
            fnv(value.as_bytes())
        }
        DistinctField::Ip => match event.client_ip?.to_canonical() {
            std::net::IpAddr::V4(ip) => fnv(&ip.octets()),
            std::net::IpAddr::V6(ip) => fnv(&ip.octets()),
        },
        DistinctField::Status => u64::from(event.status?),
        DistinctField::Asn => u64::from(event.asn?),
        DistinctField::Country => u64::from(u16::from_le_bytes(event.country?.bytes())),
    };
    Some(mix(hash))
}

/// The preceding condition of an `absence` or a `sequence` rule.
fn preceding_of(rule: &Rule) -> Option<&Condition> {
    match rule.kind() {
        RuleKind::Absence { preceding, .. } => Some(preceding),
        RuleKind::Sequence(sequence) => Some(&sequence.preceding),
        _ => None,
    }
}

/// Another rule (medium severity or worse, grouped by some of the same
/// fields: `[ip]` for a rule grouped by `[ip, user_agent]`) with an alert open
/// for the event's key: the first by rule order. `scratch` holds its key.
fn flagged_by(
    runtimes: &[RuleRuntime],
    rules: &[Rule],
    idx: usize,
    event: &Event<'_>,
    scratch: &mut Vec<u8>,
) -> Option<usize> {
    let group_by = rules.get(idx)?.group_by();
    runtimes.iter().enumerate().position(|(other, runtime)| {
        other != idx
            && !runtime.open.is_empty()
            && rules.get(other).is_some_and(|rule| {
                rule.severity() >= model::Severity::Medium
                    && rule.group_by().iter().all(|field| group_by.contains(field))
                    && key::build(rule.group_by(), event, scratch)
                    && runtime.open.contains_key(scratch.as_slice())
            })
    })
}

/// A matching event and what the engine knows about it.
struct Seen<'s, 'e> {
    event: &'s Event<'e>,
    evidence: &'s Evidence<'s>,
    time: i64,
    /// For `or_flagged` sequences: the rule with an alert open for the key.
    flagged: Option<&'s RuleId>,
}

/// The value `new_value` remembers, if the event has one.
fn novelty_value(field: NoveltyField, event: &Event<'_>) -> Option<u32> {
    match field {
        NoveltyField::Country => {
            event.country.map(|country| u32::from(u16::from_le_bytes(country.bytes())))
        }
        NoveltyField::Asn => event.asn,
    }
}

/// Decides a `sequence` rule for a matching event: `Some(detail)` when it fires.
fn sequence_fires(
    sequence: &Sequence,
    preceding: &KeyMap<i64>,
    known: Option<&mut KeyMap<Known>>,
    seen: &Seen<'_, '_>,
    key: &[u8],
    watermark: i64,
    ctx: &mut Context<'_>,
) -> Option<String> {
    let time = seen.time;
    // With `new_value`: learn the value, and go on only when the key had
    // shown others (a first sight says nothing) but never this one.
    let mut novel = None;
    if let (Some(new_value), Some(known)) = (sequence.new_value, known) {
        let value = novelty_value(new_value.field, seen.event)?;
        let remember = micros(new_value.remember);
        let mut swept = Swept::default();
        let (had_others, had_this) =
            known.upsert(key, time, watermark, &mut swept, Vec::new, |values: &mut Known| {
                values.retain(|(_, last)| time.saturating_sub(*last) <= remember);
                let had_this = values.iter().any(|(seen_value, _)| *seen_value == value);
                let had_others = values.iter().any(|(seen_value, _)| *seen_value != value);
                match values.iter_mut().find(|(seen_value, _)| *seen_value == value) {
                    Some(entry) => entry.1 = entry.1.max(time),
                    None => {
                        if values.len() >= MAX_KNOWN
                            && let Some(oldest) = values
                                .iter()
                                .enumerate()
                                .min_by_key(|(_, (seen_value, last))| (*last, *seen_value))
                                .map(|(idx, _)| idx)
                        {
                            values.remove(oldest);
                        }
                        values.push((value, time));
                    }
                }
                (had_others, had_this)
            });
        ctx.count_swept(swept);
        if had_this || !had_others {
            return None;
        }
        novel = Some(match new_value.field {
            NoveltyField::Country => {
                seen.event.country.map(|country| format!("new country {country}"))
            }
            NoveltyField::Asn => Some(format!("new network AS{value}")),
        }?);
    }
    let within = micros(sequence.within);
    let preceded = preceding
        .get(key)
        .map(|slot| slot.value)
        .filter(|last| *last <= time && time.saturating_sub(*last) <= within);
    let mut detail = match preceded {
        Some(last) => format!(
            "{} after a preceding event (within {})",
            format_gap(time.saturating_sub(last)),
            format_duration(sequence.within)
        ),
        None if seen.flagged.is_some() => String::new(),
        None => return None,
    };
    if let Some(novel) = novel {
        detail = format!("{novel}, {detail}");
    }
    Some(detail)
}

/// A short gap for reasons: `0.4s`, `12s`, `35m`.
fn format_gap(micros: i64) -> String {
    let secs = micros as f64 / 1e6;
    if secs < 10.0 {
        format!("{secs:.1}s")
    } else if secs < 600.0 {
        format!("{secs:.0}s")
    } else {
        format!("{:.0}m", secs / 60.0)
    }
}

/// A matching, keyed event for one rule.
fn on_match(
    runtime: &mut RuleRuntime,
    rule: &Rule,
    seen: &Seen<'_, '_>,
    key: &[u8],
    ctx: &mut Context<'_>,
    rises: &mut Rises,
) {
    let (event, evidence, time) = (seen.event, seen.evidence, seen.time);
    // Kinds whose state must see every match, even while an alert is open.
    let early = match (rule.kind(), &mut runtime.state) {
        (RuleKind::Baseline(baseline), KindState::Baseline(map)) => {
            let width = runtime.window;
            let mut swept = Swept::default();
            let fired = map.upsert(
                key,
                time,
                ctx.watermark,
                &mut swept,
                || BaselineState::new(time.div_euclid(width)),
                |state| {
                    state.observe(
                        baseline,
                        rule.id(),
                        width,
                        time,
                        event,
                        || key::alert_key(rule.group_by(), event),
                        rises,
                    )
                },
            );
            ctx.count_swept(swept);
            Some(fired.map(|fired| Fired {
                count: fired.count,
                first: time.max(fired.period_start),
                distinct: None,
                ids: None,
                detail: Some(fired.detail),
            }))
        }
        (RuleKind::Sequence(sequence), KindState::Sequence { preceding, known }) => {
            let detail =
                sequence_fires(sequence, preceding, known.as_mut(), seen, key, ctx.watermark, ctx);
            if detail.is_none() {
                return;
            }
            Some(detail.map(|detail| Fired {
                count: 1,
                first: time,
                distinct: None,
                ids: None,
                detail: Some(detail),
            }))
        }
        _ => None,
    };
    // The value behind a distinct count or an enumeration (an id), if the rule needs one.
    let value = match rule.kind() {
        RuleKind::Count { distinct: Some(field), .. } => match distinct_hash(*field, event) {
            Some(hash) => Some(hash),
            None => return,
        },
        RuleKind::Enumeration(enumeration) => match enumeration.id_of(event) {
            Some(id) => Some(id),
            None => return,
        },
        _ => None,
    };
    let distinct_value = match rule.kind() {
        RuleKind::Enumeration(_) => value.map(mix),
        _ => value,
    };
    if let (RuleKind::Absence { .. }, KindState::Absence(map)) = (rule.kind(), &runtime.state)
        && let Some(slot) = map.get(key)
    {
        // A preceding event seen earlier in the feed counts even if its time is
        // later (disordered sources): firing would be a guess.
        let last = slot.value;
        if last > time || time.saturating_sub(last) <= runtime.window {
            return;
        }
    }
    let samples = ctx.samples();
    if let Some(open) = runtime.open.get_mut(key)
        && time <= open.until
    {
        open.absorb(time, evidence, distinct_value, runtime.cooldown, samples);
        return;
    }
    if let Some(open) = runtime.open.remove(key) {
        ctx.close(open);
    }
    let fired = match early {
        Some(fired) => fired,
        None => advance_window(runtime, rule, time, key, value, ctx),
    };
    let Some(fired) = fired else { return };
    let alert_key = key::alert_key(rule.group_by(), event);
    let reason = reason(rule, event, &alert_key, &fired, seen.flagged);
    let firing = Firing {
        event,
        evidence,
        time,
        count: fired.count,
        first: fired.first,
        distinct: fired.distinct,
        key: alert_key,
        reason,
        cooldown: runtime.cooldown,
    };
    let open = OpenAlert::open(rule, firing, samples);
    runtime.n_alerts += 1;
    ctx.stats.n_alerts += 1;
    if runtime.open.len() >= ctx.limits.max_open_alerts_per_rule.max(1) {
        let soonest = runtime
            .open
            .iter()
            .min_by(|left, right| {
                (left.1.until, &left.1.alert.id).cmp(&(right.1.until, &right.1.alert.id))
            })
            .map(|(key, _)| key.clone());
        if let Some(soonest) = soonest
            && let Some(closed) = runtime.open.remove(&soonest)
        {
            ctx.stats.n_forced_closes += 1;
            ctx.close(closed);
        }
    }
    ctx.announce(open.snapshot());
    runtime.open.insert(SmallKey::new(key), open);
}

/// What a window says when its rule fires.
struct Fired {
    count: u64,
    first: i64,
    distinct: Option<DistinctCounter>,
    /// For enumerations: lowest id, highest id, sequential share.
    ids: Option<(u64, u64, f64)>,
    /// For baselines and sequences: what the reason adds.
    detail: Option<String>,
}

/// Updates the key's window; `Some` when the rule fires now.
fn advance_window(
    runtime: &mut RuleRuntime,
    rule: &Rule,
    time: i64,
    key: &[u8],
    value: Option<u64>,
    ctx: &mut Context<'_>,
) -> Option<Fired> {
    let window = runtime.window;
    let watermark = ctx.watermark;
    let max_exact = ctx.limits.max_exact_distinct;
    let mut swept = Swept::default();
    let fired = match (&mut runtime.state, rule.kind()) {
        (KindState::Match, _) | (KindState::Absence(_), _) => {
            Some(Fired { count: 1, first: time, distinct: None, ids: None, detail: None })
        }
        (KindState::Count(map), RuleKind::Count { threshold, .. }) => {
            let threshold = *threshold;
            let reached = map.upsert(
                key,
                time,
                watermark,
                &mut swept,
                || CountWindow::empty(threshold),
                |counts| counts.add(time, window, threshold),
            );
            reached.map(|reached| {
                map.remove(key);
                Fired {
                    count: reached.count,
                    first: reached.first,
                    distinct: None,
                    ids: None,
                    detail: None,
                }
            })
        }
        (KindState::Values(map), RuleKind::Count { threshold, .. }) => {
            let threshold = *threshold;
            let value = value?;
            let fired =
                map.upsert(key, time, watermark, &mut swept, ValueWindow::default, |values| {
                    values.observe(value, time);
                    if (values.len() as u64) < threshold {
                        return None;
                    }
                    values.prune(time, window);
                    if (values.len() as u64) < threshold {
                        return None;
                    }
                    let mut distinct = DistinctCounter::new(max_exact);
                    values.values().for_each(|hash| distinct.insert(hash));
                    Some(Fired {
                        count: values.hits(),
                        first: values.first().unwrap_or(time),
                        distinct: Some(distinct),
                        ids: None,
                        detail: None,
                    })
                });
            if fired.is_some() {
                map.remove(key);
            }
            fired
        }
        (KindState::Values(map), RuleKind::Enumeration(enumeration)) => {
            let threshold = enumeration.threshold;
            let cap = usize::try_from(threshold.saturating_mul(4)).unwrap_or(usize::MAX).max(64);
            let id = value?;
            let fired = map.upsert(key, time, watermark, &mut swept, ValueWindow::default, |ids| {
                ids.observe(id, time);
                if (ids.len() as u64) < threshold {
                    return None;
                }
                ids.prune(time, window);
                let share = ids.sequential_share(enumeration.max_gap);
                if (ids.len() as u64) < threshold || share < enumeration.sequential_share {
                    ids.limit(cap);
                    return None;
                }
                let mut distinct = DistinctCounter::new(max_exact);
                ids.values().for_each(|id| distinct.insert(mix(id)));
                let low = ids.values().next().unwrap_or(id);
                let high = ids.values().last().unwrap_or(id);
                Some(Fired {
                    count: ids.hits(),
                    first: ids.first().unwrap_or(time),
                    distinct: Some(distinct),
                    ids: Some((low, high, share)),
                    detail: None,
                })
            });
            if fired.is_some() {
                map.remove(key);
            }
            fired
        }
        _ => None,
    };
    ctx.count_swept(swept);
    fired
}

fn reason(
    rule: &Rule,
    event: &Event<'_>,
    key: &model::AlertKey,
    fired: &Fired,
    flagged: Option<&RuleId>,
) -> String {
    let what = describe_event(event);
    let from = describe_key(key);
    let detail = fired.detail.as_deref().unwrap_or_default();
    match rule.kind() {
        RuleKind::Baseline(_) => format!("{what}: {detail}"),
        RuleKind::Sequence(_) => match flagged {
            Some(other) if detail.is_empty() => {
                format!("{what} from {from}, which {other} has flagged")
            }
            Some(other) => format!("{what} from {from} {detail}; also flagged by {other}"),
            None => format!("{what} from {from} {detail}"),
        },
        RuleKind::Match => format!("{what} from {from}"),
        RuleKind::Absence { within, .. } => format!(
            "{what} from {from} with no earlier matching event within {}",
            format_duration(*within)
        ),
        RuleKind::Count { window, threshold, distinct: None } => format!(
            "{} {what} from {from} within {} (threshold {threshold})",
            fired.count,
            format_duration(*window)
        ),
        RuleKind::Count { window, threshold, distinct: Some(field) } => format!(
            "{} distinct {} in {} {what} from {from} within {} (threshold {threshold})",
            fired.distinct.as_ref().map_or(0, DistinctCounter::count),
            plural(field.as_str()),
            fired.count,
            format_duration(*window)
        ),
        RuleKind::Enumeration(enumeration) => {
            let (low, high, share) = fired.ids.unwrap_or((0, 0, 0.0));
            format!(
                "{} distinct ids {low}..{high} ({}% at most {} apart) in {} {what} from {from} within {} (threshold {})",
                fired.distinct.as_ref().map_or(0, DistinctCounter::count),
                (share * 100.0).round(),
                enumeration.max_gap,
                fired.count,
                format_duration(enumeration.window),
                enumeration.threshold
            )
        }
    }
}

fn plural(field: &str) -> String {
    match field {
        "status" => "statuses".to_owned(),
        "query" => "queries".to_owned(),
        "ip" => "addresses".to_owned(),
        other => format!("{}s", other.replace('_', " ")),
    }
}
