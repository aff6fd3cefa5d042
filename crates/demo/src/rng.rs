//! A small, fast, seedable pseudo-random generator.
//!
//! The generator must give the same bytes for the same seed on every machine,
//! so it uses only integer arithmetic (the SplitMix64 construction) and never
//! a transcendental float function whose last bit could differ between libms.

/// The golden-ratio increment of SplitMix64.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Scrambles a 64-bit value (the SplitMix64 output function).
fn mix(value: u64) -> u64 {
    let value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    value ^ (value >> 31)
}

/// A deterministic random stream.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// An independent stream for one part of the generator: the same `seed`
    /// with different `stream`s gives unrelated sequences, so adding draws to
    /// one part never shifts another.
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        Rng { state: mix(seed ^ mix(stream.wrapping_add(1).wrapping_mul(GAMMA))) }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo).saturating_add(1))
    }

    /// Uniform in `lo..=hi`, for signed micro-second spans.
    pub(crate) fn span(&mut self, lo: i64, hi: i64) -> i64 {
        let width = hi.saturating_sub(lo).max(0) as u64;
        lo + self.below(width.saturating_add(1)) as i64
    }

    /// True with probability `per_10k / 10_000`.
    pub(crate) fn chance(&mut self, per_10k: u64) -> bool {
        self.below(10_000) < per_10k
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
    }

    /// An index into `weights`, chosen in proportion to the weights.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&weight| u64::from(weight)).sum();
        let mut ticket = self.below(total);
        for (idx, &weight) in weights.iter().enumerate() {
            let weight = u64::from(weight);
            if ticket < weight {
                return idx;
            }
            ticket -= weight;
        }
        weights.len().saturating_sub(1)
    }

    /// One item of a `(weight, item)` table, chosen in proportion to the weights.
    pub(crate) fn choose<T: Copy>(&mut self, table: &[(u32, T)]) -> T {
        let total: u64 = table.iter().map(|&(weight, _)| u64::from(weight)).sum();
        let mut ticket = self.below(total);
        for &(weight, item) in table {
            let weight = u64::from(weight);
            if ticket < weight {
                return item;
            }
            ticket -= weight;
        }
        table[table.len() - 1].1
    }

    /// One item of a slice, uniformly.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
