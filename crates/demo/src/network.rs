//! Client addresses: the Taiwanese ISP ranges shoppers come from, and the
//! foreign and cloud ranges crawlers, monitors and attackers come from.
//!
//! The ranges of the different kinds of client do not overlap, and every
//! address a scripted client (crawler, monitor, staff, attacker) uses is
//! reserved, so a shopper never gets one: an episode's addresses are its own.

use std::collections::HashSet;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::rng::Rng;

/// An IPv4 block: first address and prefix length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block {
    pub(crate) base: [u8; 4],
    pub(crate) prefix: u8,
}

pub(crate) const fn block(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Block {
    Block { base: [a, b, c, d], prefix }
}

impl Block {
    /// A random host address in the block (never `.0` or `.255`).
    pub(crate) fn host(self, rng: &mut Rng) -> IpAddr {
        let base = u32::from_be_bytes(self.base);
        let host_mask = if self.prefix >= 32 { 0 } else { u32::MAX >> self.prefix };
        let mut address = (base & !host_mask) | (rng.next_u64() as u32 & host_mask);
        if host_mask >= 0xff {
            address = (address & !0xff) | (1 + rng.below(254) as u32);
        }
        IpAddr::V4(Ipv4Addr::from(address))
    }

    #[cfg(test)]
    pub(crate) fn contains(self, ip: IpAddr) -> bool {
        let IpAddr::V4(ip) = ip else { return false };
        let host_mask = if self.prefix >= 32 { 0 } else { u32::MAX >> self.prefix };
        u32::from(ip) & !host_mask == u32::from_be_bytes(self.base) & !host_mask
    }
}

/// Fixed-line (home and office) ranges of Taiwanese ISPs, with weights.
const TAIWAN_FIXED: &[(u32, Block)] = &[
    (20, block(1, 160, 0, 0, 12)),
    (18, block(36, 224, 0, 0, 12)),
    (18, block(114, 32, 0, 0, 12)),
    (14, block(118, 160, 0, 0, 13)),
    (16, block(220, 128, 0, 0, 12)),
    (8, block(111, 240, 0, 0, 12)),
];

/// Taiwanese mobile-carrier ranges, with weights.
const TAIWAN_MOBILE: &[(u32, Block)] = &[
    (30, block(49, 216, 0, 0, 14)),
    (25, block(101, 8, 0, 0, 14)),
    (30, block(27, 240, 0, 0, 13)),
    (15, block(223, 136, 0, 0, 14)),
];

/// Overseas shoppers (Hong Kong, Japan, the US, Malaysia, Singapore).
const OVERSEAS: &[(u32, Block)] = &[
    (30, block(42, 2, 0, 0, 15)),
    (20, block(126, 0, 0, 0, 8)),
    (25, block(73, 0, 0, 0, 8)),
    (15, block(175, 136, 0, 0, 13)),
    (10, block(116, 86, 0, 0, 15)),
];

/// Taiwanese IPv6 prefixes (/32).
const TAIWAN_V6: &[(u32, u16)] = &[(70, 0xb011), (30, 0xb400)];

#[cfg(test)]
/// Every shopper range, for tests that check scripted clients stay outside them.
pub(crate) fn shopper_blocks() -> impl Iterator<Item = Block> {
    TAIWAN_FIXED.iter().chain(TAIWAN_MOBILE).chain(OVERSEAS).map(|&(_, block)| block)
}

/// A random address under `2001:<prefix>::/32`, every group non-zero so the
/// text form has no `::` (it matches `Ipv6Addr`'s display either way).
fn taiwan_v6(rng: &mut Rng) -> IpAddr {
    let prefix = rng.choose(TAIWAN_V6);
    let mut groups = [0x2001, prefix, 0, 0, 0, 0, 0, 0];
    for group in &mut groups[2..] {
        *group = 1 + rng.below(0xffff) as u16;
    }
    IpAddr::V6(Ipv6Addr::new(
        groups[0], groups[1], groups[2], groups[3], groups[4], groups[5], groups[6], groups[7],
    ))
}

/// Where ordinary shoppers' addresses come from.
#[derive(Debug)]
pub(crate) struct ShopperAddresses {
    reserved: HashSet<IpAddr>,
    /// Addresses of earlier sessions: households and mobile NAT come back.
    recent: Vec<IpAddr>,
    next_recent: usize,
}

const RECENT_CAPACITY: usize = 2_048;

impl ShopperAddresses {
    pub(crate) fn new(reserved: HashSet<IpAddr>) -> ShopperAddresses {
        ShopperAddresses { reserved, recent: Vec::with_capacity(RECENT_CAPACITY), next_recent: 0 }
    }

    /// The address of a new session.
    pub(crate) fn pick(&mut self, rng: &mut Rng, is_mobile: bool) -> IpAddr {
        if !self.recent.is_empty() && rng.chance(1_200) {
            return *rng.pick(&self.recent);
        }
        let address = loop {
            let address = fresh_shopper_address(rng, is_mobile);
            if !self.reserved.contains(&address) {
                break address;
            }
        };
        if self.recent.len() < RECENT_CAPACITY {
            self.recent.push(address);
        } else {
            self.recent[self.next_recent] = address;
            self.next_recent = (self.next_recent + 1) % RECENT_CAPACITY;
        }
        address
    }
}

fn fresh_shopper_address(rng: &mut Rng, is_mobile: bool) -> IpAddr {
    // Weights out of 100: mobile range, fixed line, IPv6, overseas.
    let weights: &[u32] = if is_mobile { &[55, 35, 8, 2] } else { &[0, 85, 11, 4] };
    match rng.weighted(weights) {
        0 => rng.choose(TAIWAN_MOBILE).host(rng),
        1 => rng.choose(TAIWAN_FIXED).host(rng),
        2 => taiwan_v6(rng),
        _ => rng.choose(OVERSEAS).host(rng),
    }
}

/// A Taiwanese address for a scripted client that must look like a shopper's
/// (for example an account thief at home). The caller reserves it.
pub(crate) fn taiwan_fixed_host(rng: &mut Rng) -> IpAddr {
    rng.choose(TAIWAN_FIXED).host(rng)
}

/// A Taiwanese mobile address for a scripted client.
pub(crate) fn taiwan_mobile_host(rng: &mut Rng) -> IpAddr {
    rng.choose(TAIWAN_MOBILE).host(rng)
}

/// An address's text, kept inline so a session formats it once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AddressText {
    bytes: [u8; 39],
    len: u8,
}

impl AddressText {
    pub(crate) fn new(address: IpAddr) -> AddressText {
        let mut bytes = [0_u8; 39];
        let mut cursor = std::io::Cursor::new(&mut bytes[..]);
        // An IP address is at most 39 characters (full IPv6), so this cannot fail.
        let len = match write!(cursor, "{address}") {
            Ok(()) => cursor.position() as u8,
            Err(_) => 0,
        };
        AddressText { bytes, len }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}
