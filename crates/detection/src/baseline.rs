//! State of `baseline` rules: a key's count in the current period, the
//! counts of its trailing periods, and (once the period gets busy) the
//! addresses and networks behind its hits, to tell a concentrated excess
//! (scraping) from a plain rise (a sale, a mention).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::net::IpAddr;

use model::{AlertKey, Event, RuleId, Timestamp};
use rules::{Baseline, ConcentrationField};

/// Values tracked per field and period (space-saving: the heaviest are kept,
/// counts of late arrivals may be over-estimated by at most total/`TRACKED`).
pub(crate) const TRACKED: usize = 32;
/// Rises remembered for the summary before further ones are only counted.
pub(crate) const MAX_RISES: usize = 1000;

/// A period whose count rose above the baseline without the excess being
/// concentrated: shown in the summary, not alerted.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineRise {
    /// The rule.
    pub rule_id: RuleId,
    /// The key (the page, for a rule grouped by path).
    pub key: AlertKey,
    /// When the period began.
    pub period_start: Timestamp,
    /// Matching events in the period.
    pub count: u64,
    /// The trailing baseline (mean count per period).
    pub baseline: f64,
}

/// Heaviest values of one field in one period.
#[derive(Debug, Clone, Default)]
struct Heavy {
    entries: Vec<(u128, u64)>,
    /// Events added.
    total: u64,
}

impl Heavy {
    fn add(&mut self, value: u128) {
        self.total += 1;
        if let Some(entry) = self.entries.iter_mut().find(|entry| entry.0 == value) {
            entry.1 += 1;
            return;
        }
        if self.entries.len() < TRACKED {
            self.entries.push((value, 1));
            return;
        }
        // Replace the lightest (lowest value on ties, for determinism).
        if let Some(lightest) = self.entries.iter_mut().min_by_key(|entry| (entry.1, entry.0)) {
            *lightest = (value, lightest.1 + 1);
        }
    }

    fn get(&self, value: u128) -> u64 {
        self.entries.iter().find(|entry| entry.0 == value).map_or(0, |entry| entry.1)
    }
}

#[derive(Debug, Clone, Default)]
struct Tops {
    ip: Heavy,
    asn: Heavy,
}

impl Tops {
    fn field(&self, by: ConcentrationField) -> &Heavy {
        match by {
            ConcentrationField::Ip => &self.ip,
            ConcentrationField::Asn => &self.asn,
        }
    }
}

/// One key's state.
#[derive(Debug, Clone)]
pub(crate) struct BaselineState {
    period: i64,
    count: u64,
    /// Counts of the trailing periods, oldest first (at most `history`).
    history: VecDeque<u64>,
    current: Option<Box<Tops>>,
    previous: Option<Box<Tops>>,
    /// The period rose above its baseline (the key, to report it) and has not fired.
    rise: Option<(AlertKey, f64)>,
    fired: bool,
    /// The count at which the concentration is tested next: after a test
    /// fails, the period must grow by a thirty-second first, so a page that
    /// rose without a culprit costs a few tests per period, not one per hit.
    next_check: u64,
}

/// What a firing baseline says.
pub(crate) struct BaselineFired {
    pub(crate) count: u64,
    pub(crate) period_start: i64,
    pub(crate) detail: String,
}

fn ip_value(ip: IpAddr) -> u128 {
    match ip.to_canonical() {
        IpAddr::V4(ip) => u128::from(ip.to_ipv6_mapped()),
        IpAddr::V6(ip) => u128::from(ip),
    }
}

fn show(by: ConcentrationField, value: u128) -> String {
    match by {
        ConcentrationField::Ip => std::net::Ipv6Addr::from(value).to_canonical().to_string(),
        ConcentrationField::Asn => format!("AS{value}"),
    }
}

impl BaselineState {
    pub(crate) fn new(period: i64) -> BaselineState {
        BaselineState {
            period,
            count: 0,
            history: VecDeque::new(),
            current: None,
            previous: None,
            rise: None,
            fired: false,
            next_check: 0,
        }
    }

    /// A stable order for reporting (the period, then the key's text).
    pub(crate) fn order(&self) -> (i64, String) {
        (self.period, self.rise.as_ref().map(|(key, _)| key.to_string()).unwrap_or_default())
    }

    /// Moves to `period` if it is later, keeping the finished periods' counts.
    fn roll(
        &mut self,
        period: i64,
        history: usize,
        rises: &mut Rises,
        rule_id: &RuleId,
        width: i64,
    ) {
        if period <= self.period {
            return;
        }
        self.flush_rise(rises, rule_id, width);
        let gap = period - self.period;
        self.history.push_back(self.count);
        for _ in 1..gap.min(history as i64 + 1) {
            self.history.push_back(0);
        }
        while self.history.len() > history {
            self.history.pop_front();
        }
        self.previous = if gap == 1 { self.current.take() } else { None };
        self.current = None;
        self.period = period;
        self.count = 0;
        self.fired = false;
        self.next_check = 0;
    }

    /// Records the period's rise for the summary, if it rose without firing.
    pub(crate) fn flush_rise(&mut self, rises: &mut Rises, rule_id: &RuleId, width: i64) {
        if let Some((key, baseline)) = self.rise.take()
            && !self.fired
        {
            rises.push(BaselineRise {
                rule_id: rule_id.clone(),
                key,
                period_start: Timestamp::from_unix_micros(self.period.saturating_mul(width)),
                count: self.count,
                baseline,
            });
        }
    }

    fn baseline(&self) -> Option<f64> {
        if self.history.is_empty() {
            return None;
        }
        Some(self.history.iter().sum::<u64>() as f64 / self.history.len() as f64)
    }

    /// Counts a matching event; `Some` when the rule fires now.
    #[allow(clippy::too_many_arguments, reason = "the engine's per-event context, passed flat")]
    pub(crate) fn observe(
        &mut self,
        rule: &Baseline,
        rule_id: &RuleId,
        width: i64,
        time: i64,
        event: &Event<'_>,
        key: impl FnOnce() -> AlertKey,
        rises: &mut Rises,
    ) -> Option<BaselineFired> {
        let period = time.div_euclid(width);
        self.roll(period, rule.history as usize, rises, rule_id, width);
        self.count += 1;
        if !rule.concentrated.is_empty() && self.count >= (rule.min_count / 4).max(1) {
            let tops = self.current.get_or_insert_with(Box::default);
            let by = |field| rule.concentrated.iter().any(|test| test.by == field);
            if by(ConcentrationField::Ip)
                && let Some(ip) = event.client_ip
            {
                tops.ip.add(ip_value(ip));
            }
            if by(ConcentrationField::Asn)
                && let Some(asn) = event.asn
            {
                tops.asn.add(u128::from(asn));
            }
        }
        let baseline = self.baseline()?;
        if self.fired || self.count < self.next_check || self.count < rule.threshold(baseline) {
            return None;
        }
        self.next_check = self.count + (self.count / 32).max(1);
        if self.rise.is_none() {
            self.rise = Some((key(), baseline));
        }
        let excess = self.count as f64 - baseline;
        let increase = 100.0 * excess / baseline.max(1.0);
        let count = self.count;
        let header = || {
            format!(
                "{count} in the {} from {} against a trailing baseline of {baseline:.0} (+{increase:.0}%, more than +{:.0}%)",
                rules::format_duration(std::time::Duration::from_micros(width.unsigned_abs())),
                Timestamp::from_unix_micros(period.saturating_mul(width)),
                rule.increase * 100.0
            )
        };
        if rule.concentrated.is_empty() {
            let detail = header();
            self.fired = true;
            return Some(BaselineFired {
                count: self.count,
                period_start: period.saturating_mul(width),
                detail,
            });
        }
        let current = self.current.as_deref()?;
        for test in &rule.concentrated {
            let now = current.field(test.by);
            let before = self.previous.as_deref().map(|tops| tops.field(test.by));
            // A value's growth is what it made beyond its share of the
            // previous period, scaled to this period's volume so far, and
            // beyond the noise of such a count: a rise
            // spread over everyone (a big provider carrying half the visitors)
            // grows every value in proportion and none stands out.
            let scale = before
                .filter(|before| before.total > 0)
                .map_or(0.0, |before| now.total as f64 / before.total as f64);
            let mut grown: Vec<(u128, u64)> = now
                .entries
                .iter()
                .map(|&(value, hits)| {
                    let expected = before.map_or(0.0, |before| before.get(value) as f64 * scale);
                    // Three standard deviations of a Poisson count are noise.
                    let noise = 3.0 * expected.sqrt();
                    (value, (hits as f64 - expected - noise).max(0.0).round() as u64)
                })
                .filter(|entry| entry.1 > 0)
                .collect();
            grown.sort_by(|left, right| right.1.cmp(&left.1).then(left.0.cmp(&right.0)));
            // What an ordinary busy visitor does: the next value after the top
            // ones. Only growth above it counts, so that many visitors with a
            // few hits each never look concentrated.
            let typical = grown.get(test.top as usize).map_or(0, |entry| entry.1);
            grown.truncate(test.top as usize);
            grown.retain(|entry| entry.1 > typical);
            let made: u64 = grown.iter().map(|entry| entry.1 - typical).sum();
            if (made as f64) < test.share * excess {
                continue;
            }
            let noun = match (test.by, grown.len()) {
                (ConcentrationField::Ip, 1) => "address",
                (ConcentrationField::Ip, _) => "addresses",
                (ConcentrationField::Asn, 1) => "network",
                (ConcentrationField::Asn, _) => "networks",
            };
            let mut detail = header();
            let _ =
                write!(detail, "; {} {noun} made {made} of the {excess:.0} above it:", grown.len());
            for (idx, (value, hits)) in grown.iter().enumerate() {
                let sep = if idx == 0 { " " } else { ", " };
                let _ = write!(detail, "{sep}{} ({hits})", show(test.by, *value));
            }
            self.fired = true;
            return Some(BaselineFired {
                count: self.count,
                period_start: period.saturating_mul(width),
                detail,
            });
        }
        None
    }
}

/// The rises waiting to be taken, bounded.
#[derive(Debug, Default)]
pub(crate) struct Rises {
    pub(crate) list: Vec<BaselineRise>,
    pub(crate) n_dropped: u64,
}

impl Rises {
    fn push(&mut self, rise: BaselineRise) {
        if self.list.len() >= MAX_RISES {
            self.n_dropped += 1;
        } else {
            self.list.push(rise);
        }
    }
}
