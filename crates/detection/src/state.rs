//! Per-rule key maps with a cap and an eviction policy.
//!
//! When a map is full, keys whose state has expired (no activity within the
//! rule's horizon) go first; if that frees too little, keys seen only once go
//! before keys seen again (a flood of one-shot addresses cannot push out an
//! attacker who keeps coming back), each the least recently active first,
//! until the map is at 90% of its cap. Once a map has been full, a small
//! two-generation Bloom filter remembers the keys it let in recently, so a key
//! evicted before it came back is known again as a repeat when it does: an
//! attacker returning more slowly than the flood fills the map is still kept. Ties are broken by a
//! stable hash of the key, so eviction is the same in every run whatever the
//! hash map's iteration order. Each sweep frees at least a tenth of the cap,
//! so its cost is amortized over the inserts that follow.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::fingerprint::{fnv, mix};
use crate::key::SmallKey;

/// A value with the last time (event time, micros) its key was active.
#[derive(Debug, Clone)]
pub(crate) struct Slot<V> {
    pub(crate) last_active: i64,
    /// A stable hash of the key, breaking ties between equally old keys.
    tiebreak: u64,
    /// Whether the key was active more than once.
    is_repeat: bool,
    pub(crate) value: V,
}

/// What a sweep removed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Swept {
    pub(crate) n_expired: u64,
    pub(crate) n_evicted: u64,
}

#[derive(Debug)]
pub(crate) struct KeyMap<V> {
    map: HashMap<SmallKey, Slot<V>, RandomState>,
    cap: usize,
    /// Micros after its last activity when a key's state is expired.
    horizon: i64,
    /// Keys let in recently, once the map has been full.
    doorkeeper: Option<Box<Doorkeeper>>,
}

/// Inserts a generation of the doorkeeper remembers, per key of the cap.
const REMEMBERED_PER_CAP: usize = 8;
/// Filter bits per remembered key (three probes: about 3% false positives).
const BITS_PER_KEY: usize = 8;

/// Two generations of a Bloom filter over key hashes: each remembers
/// `per_generation` inserts, then the older one is cleared and reused.
#[derive(Debug)]
struct Doorkeeper {
    generations: [Vec<u64>; 2],
    current: usize,
    inserted: usize,
    per_generation: usize,
    mask: u64,
}

impl Doorkeeper {
    fn new(cap: usize) -> Doorkeeper {
        let per_generation = cap.saturating_mul(REMEMBERED_PER_CAP).max(1024);
        let bits = per_generation.saturating_mul(BITS_PER_KEY).next_power_of_two();
        let words = (bits / 64).max(1);
        Doorkeeper {
            generations: [vec![0; words], vec![0; words]],
            current: 0,
            inserted: 0,
            per_generation,
            mask: (bits as u64) - 1,
        }
    }

    fn probes(&self, hash: u64) -> [u64; 3] {
        let step = mix(hash) | 1;
        [0u64, 1, 2].map(|idx| hash.wrapping_add(idx.wrapping_mul(step)) & self.mask)
    }

    /// Whether the key was let in recently; remembers it either way.
    fn check_and_insert(&mut self, hash: u64) -> bool {
        let probes = self.probes(hash);
        let has = |words: &Vec<u64>| {
            probes.iter().all(|bit| words[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
        };
        let seen = self.generations.iter().any(has);
        let words = &mut self.generations[self.current];
        for bit in probes {
            words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        self.inserted += 1;
        if self.inserted >= self.per_generation {
            self.current ^= 1;
            self.generations[self.current].fill(0);
            self.inserted = 0;
        }
        seen
    }
}

impl<V> KeyMap<V> {
    pub(crate) fn new(cap: usize, horizon: i64) -> KeyMap<V> {
        KeyMap { map: HashMap::default(), cap: cap.max(1), horizon, doorkeeper: None }
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Every value, in no particular order.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut().map(|slot| &mut slot.value)
    }

    pub(crate) fn get(&self, key: &[u8]) -> Option<&Slot<V>> {
        self.map.get(key)
    }

    pub(crate) fn remove(&mut self, key: &[u8]) -> Option<V> {
        self.map.remove(key).map(|slot| slot.value)
    }

    /// Runs `update` on the key's value, inserting `make()` first when the key
    /// is new (making room if the map is full), and marks the key active at `time`.
    pub(crate) fn upsert<R>(
        &mut self,
        key: &[u8],
        time: i64,
        watermark: i64,
        swept: &mut Swept,
        make: impl FnOnce() -> V,
        update: impl FnOnce(&mut V) -> R,
    ) -> R {
        if let Some(slot) = self.map.get_mut(key) {
            slot.last_active = slot.last_active.max(time);
            slot.is_repeat = true;
            return update(&mut slot.value);
        }
        if self.map.len() >= self.cap {
            self.make_room(watermark, swept);
            if self.doorkeeper.is_none() {
                self.doorkeeper = Some(Box::new(Doorkeeper::new(self.cap)));
            }
        }
        let tiebreak = fnv(key);
        let is_repeat = self
            .doorkeeper
            .as_mut()
            .is_some_and(|doorkeeper| doorkeeper.check_and_insert(tiebreak));
        let slot = self.map.entry(SmallKey::new(key)).or_insert_with(|| Slot {
            last_active: time,
            tiebreak,
            is_repeat,
            value: make(),
        });
        update(&mut slot.value)
    }

    fn make_room(&mut self, watermark: i64, swept: &mut Swept) {
        let before = self.map.len();
        let expired_before = watermark.saturating_sub(self.horizon);
        self.map.retain(|_, slot| slot.last_active >= expired_before);
        swept.n_expired += (before - self.map.len()) as u64;
        let target = self.cap - self.cap / 10;
        let target = target.min(self.cap - 1);
        if self.map.len() <= target {
            return;
        }
        let mut ages: Vec<(bool, i64, u64)> = self
            .map
            .values()
            .map(|slot| (slot.is_repeat, slot.last_active, slot.tiebreak))
            .collect();
        let n_remove = ages.len() - target;
        let (_, cutoff, _) = ages.select_nth_unstable(n_remove - 1);
        let cutoff = *cutoff;
        let before = self.map.len();
        self.map.retain(|_, slot| (slot.is_repeat, slot.last_active, slot.tiebreak) > cutoff);
        swept.n_evicted += (before - self.map.len()) as u64;
    }
}
