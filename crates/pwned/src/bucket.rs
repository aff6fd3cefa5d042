//! One prefix's hashes as fixed-size binary records, sorted.

use crate::{HashKind, Prefix};

/// The hashes under one prefix.
///
/// Each record is the hash's bytes after the first two (the first of them
/// still holds the prefix's last hex digit in its high half) followed by the
/// count as a little-endian `u32`; records are sorted by those bytes, which
/// is the order of the hex suffixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    kind: HashKind,
    prefix: Prefix,
    records: Vec<u8>,
}

/// The size of one record of `kind`: the hash's bytes after the first two, and a `u32` count.
pub(crate) fn record_len(kind: HashKind) -> usize {
    kind.hash_len() - 2 + 4
}

impl Bucket {
    /// A bucket from records already sorted and free of duplicates.
    pub(crate) fn from_sorted_records(kind: HashKind, prefix: Prefix, records: Vec<u8>) -> Bucket {
        debug_assert_eq!(records.len() % record_len(kind), 0);
        Bucket { kind, prefix, records }
    }

    /// The hash kind.
    pub fn kind(&self) -> HashKind {
        self.kind
    }

    /// The prefix.
    pub fn prefix(&self) -> Prefix {
        self.prefix
    }

    /// How many hashes it holds.
    pub fn len(&self) -> usize {
        self.records.len() / record_len(self.kind)
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn suffix_len(&self) -> usize {
        self.kind.hash_len() - 2
    }

    /// Each hash's bytes after the first two, and its count, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], u32)> {
        let suffix_len = self.suffix_len();
        self.records.chunks_exact(record_len(self.kind)).map(move |record| {
            let (suffix, count) = record.split_at(suffix_len);
            let count = u32::from_le_bytes([count[0], count[1], count[2], count[3]]);
            (suffix, count)
        })
    }

    /// Whether a hash's bytes after the first two are in the bucket.
    pub fn contains_suffix(&self, suffix: &[u8]) -> bool {
        self.find(suffix).is_some()
    }

    fn find(&self, suffix: &[u8]) -> Option<usize> {
        let record_len = record_len(self.kind);
        let suffix_len = self.suffix_len();
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            let at = &self.records[mid * record_len..mid * record_len + suffix_len];
            match at.cmp(suffix) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// How many times a full hash was seen (0 when it is not here).
    pub fn count_of(&self, hash: &[u8]) -> u32 {
        if hash.len() != self.kind.hash_len() || Prefix::of_hash(hash) != self.prefix {
            return 0;
        }
        let Some(idx) = self.find(&hash[2..]) else { return 0 };
        let at = idx * record_len(self.kind) + self.suffix_len();
        let count = &self.records[at..at + 4];
        u32::from_le_bytes([count[0], count[1], count[2], count[3]])
    }
}
