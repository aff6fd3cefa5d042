//! Stable hashing: FNV-1a, so alert ids and eviction order are the same in
//! every run (std's `DefaultHasher` is randomly seeded per process).

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// An FNV-1a hasher over byte slices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Fnv {
        Fnv(OFFSET)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> &mut Fnv {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(PRIME);
        }
        self
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

/// FNV-1a of one byte slice.
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    Fnv::new().write(bytes).finish()
}

/// Spreads a hash's entropy over all bits (the splitmix64 finalizer); FNV's
/// high bits are weak on short inputs, and the distinct-count estimate reads them.
pub(crate) fn mix(mut value: u64) -> u64 {
    value ^= value >> 30;
    value = value.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value ^= value >> 27;
    value = value.wrapping_mul(0x94d0_49bb_1331_11eb);
    value ^ (value >> 31)
}
