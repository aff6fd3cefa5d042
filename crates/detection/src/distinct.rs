//! Counting the distinct values an alert saw: exact up to a limit, then an estimate.

use std::collections::HashSet;

use foldhash::fast::RandomState;

/// Registers of the estimate (2^10: about 3% standard error, 1 KiB).
const PRECISION: u32 = 10;
const REGISTERS: usize = 1 << PRECISION;

/// Distinct 64-bit value hashes: an exact set while small, a HyperLogLog sketch after.
#[derive(Debug, Clone)]
pub(crate) struct DistinctCounter {
    exact: HashSet<u64, RandomState>,
    sketch: Option<Box<[u8; REGISTERS]>>,
    max_exact: usize,
}

impl DistinctCounter {
    pub(crate) fn new(max_exact: usize) -> DistinctCounter {
        DistinctCounter { exact: HashSet::default(), sketch: None, max_exact }
    }

    /// Adds a value hash (already mixed: see `fingerprint::mix`).
    pub(crate) fn insert(&mut self, hash: u64) {
        if let Some(sketch) = &mut self.sketch {
            add_to_sketch(sketch, hash);
            return;
        }
        self.exact.insert(hash);
        if self.exact.len() > self.max_exact {
            let mut sketch = Box::new([0u8; REGISTERS]);
            for hash in self.exact.drain() {
                add_to_sketch(&mut sketch, hash);
            }
            self.exact = HashSet::default();
            self.sketch = Some(sketch);
        }
    }

    /// The number of distinct values (an estimate past the exact limit).
    pub(crate) fn count(&self) -> u64 {
        let Some(sketch) = &self.sketch else { return self.exact.len() as u64 };
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = sketch.iter().map(|rank| 2f64.powi(-i32::from(*rank))).sum();
        let raw = alpha * m * m / sum;
        let zeros = sketch.iter().filter(|rank| **rank == 0).count();
        let estimate = if raw <= 2.5 * m && zeros > 0 { m * (m / zeros as f64).ln() } else { raw };
        // Never report fewer than were counted exactly before switching.
        (estimate.round() as u64).max(self.max_exact as u64 + 1)
    }
}

fn add_to_sketch(sketch: &mut [u8; REGISTERS], hash: u64) {
    let idx = (hash >> (64 - PRECISION)) as usize;
    let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
    let rank = rest.leading_zeros() as u8 + 1;
    if sketch[idx] < rank {
        sketch[idx] = rank;
    }
}
