//! Which active decisions cover an address: one sorted table per prefix
//! length, searched by binary search.

use std::net::IpAddr;

use ipnet::IpNet;
use model::Timestamp;

use crate::allowlist::Allowlist;
use crate::decision::Decision;

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
/// is built, so no lookup can ever return one (the allowlist always wins).
/// Lookups take `now` and skip decisions that have expired since.
#[derive(Debug, Clone, Default)]
pub struct DecisionIndex {
    decisions: Vec<Decision>,
    v4: Vec<PrefixTable>,
    v6: Vec<PrefixTable>,
}

impl DecisionIndex {
    /// Indexes the decisions that are active at `now` and not allowlisted.
    pub fn new(decisions: Vec<Decision>, allowlist: &Allowlist, now: Timestamp) -> DecisionIndex {
        let decisions: Vec<Decision> = decisions
            .into_iter()
            .filter(|decision| decision.is_active(now) && !allowlist.blocks(&decision.new))
            .collect();
        let mut v4: Vec<PrefixTable> = Vec::new();
        let mut v6: Vec<PrefixTable> = Vec::new();
        for (idx, decision) in decisions.iter().enumerate() {
            let Some(net) = decision.net() else { continue };
            let Ok(idx) = u32::try_from(idx) else { break };
            let (is_v4, addr) = address(net.network());
            let (tables, width) = if is_v4 { (&mut v4, 32) } else { (&mut v6, 128) };
            let prefix_len = net.prefix_len();
            let key = mask(addr, width, prefix_len);
            match tables.iter_mut().find(|table| table.prefix_len == prefix_len) {
                Some(table) => table.entries.push((key, idx)),
                None => tables.push(PrefixTable { prefix_len, entries: vec![(key, idx)] }),
            }
        }
        for table in v4.iter_mut().chain(v6.iter_mut()) {
            table.entries.sort_unstable();
        }
        DecisionIndex { decisions, v4, v6 }
    }

    /// Every indexed decision (active when the index was built, none allowlisted).
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// How many decisions are indexed.
    pub fn len(&self) -> usize {
        self.decisions.len()
    }

    /// Whether no decision is indexed.
    pub fn is_empty(&self) -> bool {
        self.decisions.is_empty()
    }

    fn tables(&self, is_v4: bool) -> (&[PrefixTable], u8) {
        if is_v4 { (&self.v4, 32) } else { (&self.v6, 128) }
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
                let decision = &self.decisions[idx as usize];
                if decision.is_active(now) {
                    found.push(decision);
                }
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
                .any(|&(_, idx)| self.decisions[idx as usize].is_active(now))
        })
    }

    /// The ip and range decisions active at `now` that lie inside `net`, in id order.
    pub fn within(&self, net: IpNet, now: Timestamp) -> Vec<&Decision> {
        self.decisions
            .iter()
            .filter(|decision| decision.is_active(now))
            .filter(|decision| decision.net().is_some_and(|inner| net.contains(&inner)))
            .collect()
    }
}
