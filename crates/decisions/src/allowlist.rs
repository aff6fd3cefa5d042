//! Addresses that are never decided on: the office, the payment gateway,
//! monitoring, verified crawlers.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::decision::{NewDecision, Scope};

/// Allowlisted ranges as merged, sorted intervals per address family, so both
/// "is this address allowed" and "does this range touch an allowed address"
/// are one binary search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    v4: Vec<(u128, u128)>,
    v6: Vec<(u128, u128)>,
}

/// A range as an inclusive interval of addresses, and whether it is IPv4.
fn interval(net: &IpNet) -> (bool, u128, u128) {
    match net {
        IpNet::V4(net) => {
            (true, u128::from(u32::from(net.network())), u128::from(u32::from(net.broadcast())))
        }
        IpNet::V6(net) => (false, u128::from(net.network()), u128::from(net.broadcast())),
    }
}

fn merge(mut intervals: Vec<(u128, u128)>) -> Vec<(u128, u128)> {
    intervals.sort_unstable();
    let mut merged: Vec<(u128, u128)> = Vec::with_capacity(intervals.len());
    for (start, end) in intervals {
        match merged.last_mut() {
            Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn overlaps_any(intervals: &[(u128, u128)], start: u128, end: u128) -> bool {
    // The first interval that ends at or after `start` is the only candidate.
    let idx = intervals.partition_point(|&(_, last)| last < start);
    intervals.get(idx).is_some_and(|&(first, _)| first <= end)
}

impl Allowlist {
    /// An allowlist of these ranges (single addresses are /32 or /128 ranges).
    pub fn new(nets: impl IntoIterator<Item = IpNet>) -> Allowlist {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for net in nets {
            let (is_v4, start, end) = interval(&net);
            if is_v4 { v4.push((start, end)) } else { v6.push((start, end)) }
        }
        Allowlist { v4: merge(v4), v6: merge(v6) }
    }

    /// Whether nothing is allowlisted.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Whether the address is allowlisted.
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        self.overlaps(&IpNet::from(ip))
    }

    /// Whether any address of the range is allowlisted.
    pub fn overlaps(&self, net: &IpNet) -> bool {
        let (is_v4, start, end) = interval(net);
        overlaps_any(if is_v4 { &self.v4 } else { &self.v6 }, start, end)
    }

    /// Whether a decision would touch an allowlisted address (only ip and
    /// range scopes can; an unparsable value is treated as touching nothing).
    pub fn blocks(&self, decision: &NewDecision) -> bool {
        let net = match decision.scope {
            Scope::Ip => decision.value.parse::<IpAddr>().ok().map(IpNet::from),
            Scope::Range => decision.value.parse::<IpNet>().ok(),
            _ => None,
        };
        net.is_some_and(|net| self.overlaps(&net))
    }
}
