//! Which active decisions cover an address: one sorted table per prefix
//! length, searched by binary search.

use std::net::IpAddr;

use ipnet::IpNet;
use model::Timestamp;

use crate::allowlist::Allowlist;
use crate::decision::{Decision, DecisionId};

/// The networks of one prefix length, sorted, each with its decision's index.
#[derive(Debug, Clone)]
struct PrefixTable {
    prefix_len: u8,
    entries: Vec<(u128, u32)>,
}

/// The bits of `addr` (of `width` bits) above `prefix_len`.
fn mask(addr: u128, width: u8, prefix_len: u8) -> u128 {
    if prefix_len == 0 {
        return 0;
    }
    let keep = u128::MAX << (128 - u32::from(prefix_len));
    (addr << (128 - u32::from(width))) & keep
}

fn address(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(ip) => (true, u128::from(u32::from(ip))),
        IpAddr::V6(ip) => (false, u128::from(ip)),
    }
}

/// Active decisions, indexed for address lookups.
///
/// Decisions that touch an allowlisted address are left out when the index
/// is built or added to, so no lookup can ever return one (the allowlist
/// always wins). Lookups take `now` and skip decisions that have expired
/// since. Decisions can be added and removed in place, so a store change
/// costs work in proportion to the change, not to the whole list.
#[derive(Debug, Clone, Default)]
pub struct DecisionIndex {
    decisions: Vec<Decision>,
    is_removed: Vec<bool>,
    n_removed: usize,
    v4: Vec<PrefixTable>,
    v6: Vec<PrefixTable>,
}

/// Past this many removed entries (and half the list), the index is compacted.
const COMPACT_AFTER: usize = 1024;

impl DecisionIndex {
    /// Indexes the decisions that are active at `now` and not allowlisted.
    pub fn new(decisions: Vec<Decision>, allowlist: &Allowlist, now: Timestamp) -> DecisionIndex {
        let decisions: Vec<Decision> = decisions
            .into_iter()
            .filter(|decision| decision.is_active(now) && !allowlist.blocks(&decision.new))
            .collect();
        DecisionIndex::build(decisions)
    }

    fn build(decisions: Vec<Decision>) -> DecisionIndex {
        let mut v4: Vec<PrefixTable> = Vec::new();
        let mut v6: Vec<PrefixTable> = Vec::new();
        for (idx, decision) in decisions.iter().enumerate() {
            let Some((is_v4, prefix_len, key)) = table_key(decision) else { continue };
            let Ok(idx) = u32::try_from(idx) else { break };
            let tables = if is_v4 { &mut v4 } else { &mut v6 };
            match tables.iter_mut().find(|table| table.prefix_len == prefix_len) {
                Some(table) => table.entries.push((key, idx)),
                None => tables.push(PrefixTable { prefix_len, entries: vec![(key, idx)] }),
            }
        }
        for table in v4.iter_mut().chain(v6.iter_mut()) {
            table.entries.sort_unstable();
        }
        let is_removed = vec![false; decisions.len()];
        DecisionIndex { decisions, is_removed, n_removed: 0, v4, v6 }
    }

    /// Adds a decision (unless it is inactive at `now`, allowlisted, or
    /// indexed already); returns whether it was added.
    pub fn insert(&mut self, decision: Decision, allowlist: &Allowlist, now: Timestamp) -> bool {
        // Ids usually arrive in increasing order; only an older id needs a search.
        let is_newest = self.decisions.last().is_none_or(|last| last.id < decision.id);
        if !decision.is_active(now)
            || allowlist.blocks(&decision.new)
            || (!is_newest && self.position(decision.id).is_some())
        {
            return false;
        }
        let Ok(idx) = u32::try_from(self.decisions.len()) else { return false };
        if let Some((is_v4, prefix_len, key)) = table_key(&decision) {
            let tables = if is_v4 { &mut self.v4 } else { &mut self.v6 };
            match tables.iter_mut().find(|table| table.prefix_len == prefix_len) {
                Some(table) => {
                    let at = table.entries.partition_point(|&entry| entry < (key, idx));
                    table.entries.insert(at, (key, idx));
                }
                None => tables.push(PrefixTable { prefix_len, entries: vec![(key, idx)] }),
            }
        }
        self.decisions.push(decision);
        self.is_removed.push(false);
        true
    }

    /// Removes a decision by id; returns whether it was indexed.
    pub fn remove(&mut self, id: DecisionId) -> bool {
        self.remove_all(&[id]) == 1
    }

    /// Removes decisions by id in one pass; returns how many were indexed.
    pub fn remove_all(&mut self, ids: &[DecisionId]) -> usize {
        let wanted: std::collections::HashSet<DecisionId> = ids.iter().copied().collect();
        let mut n_found = 0;
        for (decision, is_removed) in self.decisions.iter().zip(self.is_removed.iter_mut()) {
            if !*is_removed && wanted.contains(&decision.id) {
                *is_removed = true;
                n_found += 1;
            }
        }
        self.n_removed += n_found;
        if self.n_removed > COMPACT_AFTER && self.n_removed * 2 > self.decisions.len() {
            let kept: Vec<Decision> = self.decisions().cloned().collect();
            *self = DecisionIndex::build(kept);
        }
        n_found
    }

    fn position(&self, id: DecisionId) -> Option<usize> {
        self.decisions
            .iter()
            .zip(&self.is_removed)
            .position(|(decision, &is_removed)| decision.id == id && !is_removed)
    }

    /// Every indexed decision (none allowlisted; some may have expired since), in insertion order.
    pub fn decisions(&self) -> impl Iterator<Item = &Decision> {
        self.decisions
            .iter()
            .zip(&self.is_removed)
            .filter(|(_, is_removed)| !**is_removed)
            .map(|(decision, _)| decision)
    }

    /// How many decisions are indexed.
    pub fn len(&self) -> usize {
        self.decisions.len() - self.n_removed
    }

    /// Whether no decision is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn tables(&self, is_v4: bool) -> (&[PrefixTable], u8) {
        if is_v4 { (&self.v4, 32) } else { (&self.v6, 128) }
    }

    /// The decision at a table entry, when it is still indexed and active at `now`.
    fn live(&self, idx: u32, now: Timestamp) -> Option<&Decision> {
        let idx = idx as usize;
        let decision = &self.decisions[idx];
        (!self.is_removed[idx] && decision.is_active(now)).then_some(decision)
    }

    /// The ip and range decisions active at `now` whose range contains `net`
    /// (for an address: every decision covering it), in id order.
    pub fn containing(&self, net: IpNet, now: Timestamp) -> Vec<&Decision> {
        let (is_v4, addr) = address(net.network());
        let (tables, width) = self.tables(is_v4);
        let mut found: Vec<&Decision> = Vec::new();
        for table in tables.iter().filter(|table| table.prefix_len <= net.prefix_len()) {
            let key = mask(addr, width, table.prefix_len);
            let start = table.entries.partition_point(|&(entry, _)| entry < key);
            for &(entry, idx) in &table.entries[start..] {
                if entry != key {
                    break;
                }
                found.extend(self.live(idx, now));
            }
        }
        found.sort_by_key(|decision| decision.id);
        found
    }

    /// The decisions active at `now` that cover the address.
    pub fn covering(&self, ip: IpAddr, now: Timestamp) -> Vec<&Decision> {
        self.containing(IpNet::from(ip), now)
    }

    /// Whether any decision active at `now` covers the address.
    pub fn is_covered(&self, ip: IpAddr, now: Timestamp) -> bool {
        let (is_v4, addr) = address(ip);
        let (tables, width) = self.tables(is_v4);
        tables.iter().any(|table| {
            let key = mask(addr, width, table.prefix_len);
            let start = table.entries.partition_point(|&(entry, _)| entry < key);
            table.entries[start..]
                .iter()
                .take_while(|&&(entry, _)| entry == key)
                .any(|&(_, idx)| self.live(idx, now).is_some())
        })
    }

    /// The ip and range decisions active at `now` that lie inside `net`, in id order.
    pub fn within(&self, net: IpNet, now: Timestamp) -> Vec<&Decision> {
        let mut found: Vec<&Decision> = self
            .decisions()
            .filter(|decision| decision.is_active(now))
            .filter(|decision| decision.net().is_some_and(|inner| net.contains(&inner)))
            .collect();
        found.sort_by_key(|decision| decision.id);
        found
    }
}

/// Which table a decision goes in (address family and prefix length) and its key there.
fn table_key(decision: &Decision) -> Option<(bool, u8, u128)> {
    let net = decision.net()?;
    let (is_v4, addr) = address(net.network());
    let width = if is_v4 { 32 } else { 128 };
    Some((is_v4, net.prefix_len(), mask(addr, width, net.prefix_len())))
}
