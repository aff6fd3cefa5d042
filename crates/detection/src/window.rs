//! Sliding windows on event time, stored compactly per key.

use std::collections::VecDeque;

/// Thresholds up to this are counted exactly (one timestamp per event, at most
/// `threshold` of them); larger ones use `BUCKETS` sub-windows.
pub(crate) const EXACT_COUNT_LIMIT: u64 = 256;
/// Sub-windows of a bucketed count: the window's edge is exact to 1/64 of its length.
const BUCKETS: i64 = 64;

/// The recent matching events of one key for a `count` rule.
#[derive(Debug, Clone)]
pub(crate) enum CountWindow {
    /// A single event (most keys never see a second one).
    One(i64),
    /// The latest events' times, ascending, at most `threshold` of them.
    Exact(VecDeque<i64>),
    /// Per sub-window counts, ascending by sub-window.
    Buckets(VecDeque<Bucket>),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    idx: i64,
    count: u64,
    first: i64,
}

/// A window reaching its threshold: the count in it and its first event's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reached {
    pub(crate) count: u64,
    pub(crate) first: i64,
}

impl CountWindow {
    /// A window holding nothing yet.
    pub(crate) fn empty(threshold: u64) -> CountWindow {
        if threshold > EXACT_COUNT_LIMIT {
            CountWindow::Buckets(VecDeque::new())
        } else {
            CountWindow::Exact(VecDeque::new())
        }
    }

    /// Adds an event at `time`; tells when `threshold` events fall within `window`.
    pub(crate) fn add(&mut self, time: i64, window: i64, threshold: u64) -> Option<Reached> {
        match self {
            CountWindow::One(first) => {
                let first = *first;
                let mut times = VecDeque::with_capacity(threshold.min(8) as usize);
                times.push_back(first);
                *self = CountWindow::Exact(times);
                self.add(time, window, threshold)
            }
            CountWindow::Exact(times) => {
                if times.is_empty() && threshold > 1 {
                    // Keep the common one-event key free of a heap allocation.
                    *self = CountWindow::One(time);
                    return None;
                }
                let mut idx = times.len();
                while idx > 0 && times[idx - 1] > time {
                    idx -= 1;
                }
                times.insert(idx, time);
                while times.len() as u64 > threshold {
                    times.pop_front();
                }
                let (first, last) = (*times.front()?, *times.back()?);
                (times.len() as u64 == threshold && last.saturating_sub(first) < window)
                    .then_some(Reached { count: threshold, first })
            }
            CountWindow::Buckets(buckets) => {
                let width = (window / BUCKETS).max(1);
                let idx = time.div_euclid(width);
                let at = buckets.partition_point(|bucket| bucket.idx < idx);
                match buckets.get_mut(at) {
                    Some(bucket) if bucket.idx == idx => {
                        bucket.count += 1;
                        bucket.first = bucket.first.min(time);
                    }
                    _ => buckets.insert(at, Bucket { idx, count: 1, first: time }),
                }
                let newest = buckets.back()?.idx;
                while buckets
                    .front()
                    .is_some_and(|bucket| bucket.idx <= newest.saturating_sub(BUCKETS))
                {
                    buckets.pop_front();
                }
                let count: u64 = buckets.iter().map(|bucket| bucket.count).sum();
                (count >= threshold)
                    .then(|| Reached { count, first: buckets.front().map_or(time, |b| b.first) })
            }
        }
    }
}

/// Distinct values (value hashes, or ids) of one key within a window, sorted by value.
#[derive(Debug, Clone, Default)]
pub(crate) struct ValueWindow {
    entries: Vec<ValueEntry>,
}

#[derive(Debug, Clone, Copy)]
struct ValueEntry {
    value: u64,
    first: i64,
    last: i64,
    hits: u64,
}

impl ValueWindow {
    /// Records `value` at `time`.
    pub(crate) fn observe(&mut self, value: u64, time: i64) {
        match self.entries.binary_search_by_key(&value, |entry| entry.value) {
            Ok(idx) => {
                let entry = &mut self.entries[idx];
                entry.first = entry.first.min(time);
                entry.last = entry.last.max(time);
                entry.hits += 1;
            }
            Err(idx) => {
                self.entries.insert(idx, ValueEntry { value, first: time, last: time, hits: 1 })
            }
        }
    }

    /// Forgets values not seen within `window` before `time`.
    pub(crate) fn prune(&mut self, time: i64, window: i64) {
        let horizon = time.saturating_sub(window);
        self.entries.retain(|entry| entry.last > horizon);
    }

    /// Keeps at most `max` values, forgetting the least recently seen.
    pub(crate) fn limit(&mut self, max: usize) {
        while self.entries.len() > max {
            let oldest = self
                .entries
                .iter()
                .enumerate()
                .min_by_key(|(_, entry)| (entry.last, entry.value))
                .map(|(idx, _)| idx);
            match oldest {
                Some(idx) => self.entries.remove(idx),
                None => break,
            };
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Events behind the values held.
    pub(crate) fn hits(&self) -> u64 {
        self.entries.iter().map(|entry| entry.hits).sum()
    }

    /// The earliest time among the values held.
    pub(crate) fn first(&self) -> Option<i64> {
        self.entries.iter().map(|entry| entry.first).min()
    }

    /// The values, ascending.
    pub(crate) fn values(&self) -> impl Iterator<Item = u64> + '_ {
        self.entries.iter().map(|entry| entry.value)
    }

    /// The share of neighbouring values (ascending) at most `max_gap` apart.
    pub(crate) fn sequential_share(&self, max_gap: u64) -> f64 {
        if self.entries.len() < 2 {
            return 0.0;
        }
        let close =
            self.entries.windows(2).filter(|pair| pair[1].value - pair[0].value <= max_gap).count();
        close as f64 / (self.entries.len() - 1) as f64
    }
}
