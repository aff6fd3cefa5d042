//! Per-rule key maps with a cap and an eviction policy.
//!
//! When a map is full, keys whose state has expired (no activity within the
//! rule's horizon) go first; if that frees too little, the least recently
//! active keys go until the map is at 90% of its cap. Ties are broken by a
//! stable hash of the key, so eviction is the same in every run whatever the
//! hash map's iteration order. Each sweep frees at least a tenth of the cap,
//! so its cost is amortized over the inserts that follow.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::fingerprint::fnv;
use crate::key::SmallKey;

/// A value with the last time (event time, micros) its key was active.
#[derive(Debug, Clone)]
pub(crate) struct Slot<V> {
    pub(crate) last_active: i64,
    /// A stable hash of the key, breaking ties between equally old keys.
    tiebreak: u64,
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
}

impl<V> KeyMap<V> {
    pub(crate) fn new(cap: usize, horizon: i64) -> KeyMap<V> {
        KeyMap { map: HashMap::default(), cap: cap.max(1), horizon }
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
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
            return update(&mut slot.value);
        }
        if self.map.len() >= self.cap {
            self.make_room(watermark, swept);
        }
        let slot = self.map.entry(SmallKey::new(key)).or_insert_with(|| Slot {
            last_active: time,
            tiebreak: fnv(key),
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
        let mut ages: Vec<(i64, u64)> =
            self.map.values().map(|slot| (slot.last_active, slot.tiebreak)).collect();
        let n_remove = ages.len() - target;
        let (_, cutoff, _) = ages.select_nth_unstable(n_remove - 1);
        let cutoff = *cutoff;
        let before = self.map.len();
        self.map.retain(|_, slot| (slot.last_active, slot.tiebreak) > cutoff);
        swept.n_evicted += (before - self.map.len()) as u64;
    }
}
