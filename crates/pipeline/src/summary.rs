//! The summary `analyze` prints: counts, time span, top tables.

use std::hash::Hash;
use std::net::IpAddr;

use foldhash::HashMap;
use model::{Event, EventKind, Timestamp};
use serde::Serialize;

/// Caps that keep the summary's memory flat however long the log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryLimits {
    /// Rows in each top table of the report.
    pub top_rows: usize,
    /// Distinct keys a top table tracks before pruning the rarest half.
    pub tracked_keys: usize,
    /// Parse-error samples kept.
    pub error_samples: usize,
}

impl Default for SummaryLimits {
    fn default() -> SummaryLimits {
        SummaryLimits { top_rows: 10, tracked_keys: 200_000, error_samples: 10 }
    }
}

/// One row of a top table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    /// The value (an address, a path, a status code...).
    pub value: String,
    /// How many events had it (a lower bound when the table was pruned).
    pub count: u64,
}

/// A line that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorSample {
    /// The source, as the user named it.
    pub source: String,
    /// 1-based line number.
    pub line: u64,
    /// What was wrong.
    pub message: String,
    /// The start of the line (lossy UTF-8, shortened).
    pub text: String,
}

/// Lines that were unusual but not necessarily unparseable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IssueCounts {
    /// Lines longer than the limit (cut, then parsed or counted as errors).
    pub too_long: u64,
    /// Lines that were not valid UTF-8 (read with replacement characters).
    pub invalid_utf8: u64,
    /// Lines containing NUL bytes.
    pub contains_nul: u64,
    /// A last line without its newline (a file still being written, or truncated).
    pub no_trailing_newline: u64,
    /// Blank lines (skipped).
    pub blank: u64,
}

/// First and last event times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeSpan {
    /// Earliest event time.
    pub first: Timestamp,
    /// Latest event time.
    pub last: Timestamp,
    /// Events that came earlier than one already seen in the same source.
    pub out_of_order: u64,
}

/// Per-source counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    /// The source, as the user named it.
    pub source: String,
    /// The format used, and whether it was detected.
    pub format: String,
    /// Whether the format was detected rather than given.
    pub detected: bool,
    /// Lines read.
    pub lines: u64,
    /// Lines that became events.
    pub events: u64,
    /// Lines that could not be parsed.
    pub parse_errors: u64,
    /// A problem with the whole source (unreadable, no format recognised...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// What `analyze` reports about a set of logs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Per-source counts, in reading order.
    pub sources: Vec<SourceSummary>,
    /// Lines read, blank lines included.
    pub lines: u64,
    /// Bytes read (uncompressed, newlines included).
    pub bytes: u64,
    /// Lines that became events.
    pub events: u64,
    /// Lines that could not be parsed.
    pub parse_errors: u64,
    /// The first few parse errors.
    pub error_samples: Vec<ErrorSample>,
    /// Unusual lines.
    pub issues: IssueCounts,
    /// Event time span; absent when there were no events.
    pub time_span: Option<TimeSpan>,
    /// Events per kind.
    pub kinds: Vec<Counted>,
    /// Distinct client addresses.
    pub distinct_ips: u64,
    /// Whether `distinct_ips` is exact (false once the address table was pruned).
    pub distinct_ips_exact: bool,
    /// Most frequent client addresses.
    pub top_ips: Vec<Counted>,
    /// Most frequent paths (without query strings).
    pub top_paths: Vec<Counted>,
    /// Status codes, most frequent first.
    pub top_statuses: Vec<Counted>,
    /// Most frequent user agents.
    pub top_user_agents: Vec<Counted>,
    /// Most frequent methods.
    pub top_methods: Vec<Counted>,
}

/// Counts per key with a cap: past `cap` keys, the rarer half is dropped
/// (their counts become a known undercount), so memory stays bounded under a
/// flood of one-shot values while frequent keys keep exact counts.
#[derive(Debug)]
pub(crate) struct TopCounter<K> {
    counts: HashMap<K, u64>,
    cap: usize,
    is_pruned: bool,
}

impl<K: Hash + Eq + Clone + Ord> TopCounter<K> {
    pub(crate) fn new(cap: usize) -> TopCounter<K> {
        TopCounter { counts: HashMap::default(), cap: cap.max(2), is_pruned: false }
    }

    pub(crate) fn add_with(&mut self, key: &K) {
        if let Some(count) = self.counts.get_mut(key) {
            *count += 1;
            return;
        }
        self.insert_new(key.clone());
    }

    fn insert_new(&mut self, key: K) {
        if self.counts.len() >= self.cap {
            self.prune();
        }
        self.counts.insert(key, 1);
    }

    fn prune(&mut self) {
        let mut counts: Vec<u64> = self.counts.values().copied().collect();
        let keep = self.cap / 2;
        counts.select_nth_unstable_by(keep, |a, b| b.cmp(a));
        let threshold = counts[keep];
        self.counts.retain(|_, count| *count > threshold);
        self.is_pruned = true;
    }

    pub(crate) fn len(&self) -> usize {
        self.counts.len()
    }

    pub(crate) fn is_pruned(&self) -> bool {
        self.is_pruned
    }

    pub(crate) fn top(&self, rows: usize, show: impl Fn(&K) -> String) -> Vec<Counted> {
        let mut entries: Vec<(&K, u64)> =
            self.counts.iter().map(|(key, count)| (key, *count)).collect();
        entries.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        entries.truncate(rows);
        entries.into_iter().map(|(key, count)| Counted { value: show(key), count }).collect()
    }
}

/// Counts per string, keyed by a 64-bit hash of the string so a hit costs a
/// hash and no string comparison (two strings colliding among a few hundred
/// thousand is a one-in-a-billion event, and would only merge two rows of a
/// report). The string itself is kept once, when first seen.
#[derive(Debug)]
pub(crate) struct TextCounter {
    counts: TopCounter<u64>,
    texts: HashMap<u64, Box<str>>,
    state: foldhash::quality::FixedState,
}

impl TextCounter {
    pub(crate) fn new(cap: usize) -> TextCounter {
        TextCounter {
            counts: TopCounter::new(cap),
            texts: HashMap::default(),
            state: foldhash::quality::FixedState::with_seed(0x7e47),
        }
    }

    pub(crate) fn add_str(&mut self, text: &str) {
        use std::hash::BuildHasher;
        let hash = self.state.hash_one(text);
        if let Some(count) = self.counts.counts.get_mut(&hash) {
            *count += 1;
            return;
        }
        let was_pruned = self.counts.is_pruned;
        self.counts.insert_new(hash);
        if self.counts.is_pruned && (!was_pruned || self.texts.len() > self.counts.len() * 2) {
            let counts = &self.counts.counts;
            self.texts.retain(|hash, _| counts.contains_key(hash));
        }
        self.texts.insert(hash, text.into());
    }

    #[cfg(test)]
    pub(crate) fn is_pruned(&self) -> bool {
        self.counts.is_pruned()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.counts.len()
    }

    pub(crate) fn top(&self, rows: usize) -> Vec<Counted> {
        let mut entries: Vec<(&str, u64)> = self
            .counts
            .counts
            .iter()
            .map(|(hash, count)| (self.texts.get(hash).map_or("", |text| &**text), *count))
            .collect();
        entries.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        entries.truncate(rows);
        entries.into_iter().map(|(text, count)| Counted { value: text.to_owned(), count }).collect()
    }
}

/// HyperLogLog with 2^14 registers (about 0.8% standard error), used for the distinct
/// address count once the exact table has been pruned.
#[derive(Debug)]
pub(crate) struct DistinctEstimator {
    registers: Box<[u8; 16384]>,
}

impl DistinctEstimator {
    pub(crate) fn new() -> DistinctEstimator {
        DistinctEstimator { registers: Box::new([0; 16384]) }
    }

    pub(crate) fn add(&mut self, hash: u64) {
        let idx = (hash >> 50) as usize;
        let rank = ((hash << 14) | (1 << 13)).leading_zeros() as u8 + 1;
        if rank > self.registers[idx] {
            self.registers[idx] = rank;
        }
    }

    pub(crate) fn estimate(&self) -> u64 {
        let m = self.registers.len() as f64;
        let sum: f64 = self.registers.iter().map(|&rank| 2f64.powi(-i32::from(rank))).sum();
        let raw = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
        let zeros = self.registers.iter().filter(|&&rank| rank == 0).count();
        let estimate = if raw <= 2.5 * m && zeros > 0 { m * (m / zeros as f64).ln() } else { raw };
        estimate.round() as u64
    }
}

/// Accumulates events into a [`Summary`].
#[derive(Debug)]
pub(crate) struct SummaryBuilder {
    pub(crate) limits: SummaryLimits,
    pub(crate) ips: TopCounter<IpAddr>,
    pub(crate) distinct: DistinctEstimator,
    pub(crate) hasher: foldhash::quality::FixedState,
    pub(crate) paths: TextCounter,
    pub(crate) user_agents: TextCounter,
    pub(crate) methods: TextCounter,
    pub(crate) statuses: Box<[u64; 1000]>,
    pub(crate) no_status: u64,
    pub(crate) kinds: [u64; 3],
    pub(crate) first: Timestamp,
    pub(crate) last: Timestamp,
    pub(crate) out_of_order: u64,
}

impl SummaryBuilder {
    pub(crate) fn new(limits: SummaryLimits) -> SummaryBuilder {
        SummaryBuilder {
            limits,
            ips: TopCounter::new(limits.tracked_keys),
            distinct: DistinctEstimator::new(),
            hasher: foldhash::quality::FixedState::with_seed(0x1ea6_9a4d),
            paths: TextCounter::new(limits.tracked_keys),
            user_agents: TextCounter::new(limits.tracked_keys),
            methods: TextCounter::new(1000),
            statuses: Box::new([0; 1000]),
            no_status: 0,
            kinds: [0; 3],
            first: Timestamp::MAX,
            last: Timestamp::MIN,
            out_of_order: 0,
        }
    }

    pub(crate) fn add(&mut self, event: &Event<'_>, source_last: &mut Timestamp) {
        use std::hash::BuildHasher;
        if event.time < *source_last {
            self.out_of_order += 1;
        } else {
            *source_last = event.time;
        }
        self.first = self.first.min(event.time);
        self.last = self.last.max(event.time);
        self.kinds[match event.kind {
            EventKind::Request => 0,
            EventKind::Login => 1,
            EventKind::ServerNotice => 2,
        }] += 1;
        if let Some(ip) = event.client_ip {
            self.ips.add_with(&ip);
            self.distinct.add(self.hasher.hash_one(ip));
        }
        if !event.path.is_empty() {
            self.paths.add_str(&event.path);
        }
        if !event.user_agent.is_empty() {
            self.user_agents.add_str(&event.user_agent);
        }
        if !event.method.is_empty() {
            self.methods.add_str(&event.method);
        }
        match event.status {
            Some(status) if usize::from(status) < self.statuses.len() => {
                self.statuses[usize::from(status)] += 1;
            }
            _ => self.no_status += 1,
        }
    }
}
