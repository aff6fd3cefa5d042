//! Blocklists for enforcers that read files: an nginx include of `deny`
//! lines and an nftables script that refills two sets.

use std::fmt::Write as _;

use ipnet::IpNet;
use model::Timestamp;

use crate::decision::{DecisionAction, Scope};
use crate::matcher::DecisionIndex;

/// The banned addresses and ranges of the index that are active at `now`:
/// only `ban` decisions on ip and range scopes (a captcha needs a bouncer
/// that can show one), IPv4 before IPv6, sorted, without duplicates. The
/// index never holds an allowlisted decision, so neither does this list.
pub fn banned_nets(index: &DecisionIndex, now: Timestamp) -> Vec<IpNet> {
    let mut nets: Vec<IpNet> = index
        .decisions()
        .filter(|decision| decision.is_active(now) && decision.action == DecisionAction::Ban)
        .filter(|decision| matches!(decision.scope, Scope::Ip | Scope::Range))
        .filter_map(|decision| decision.net())
        .collect();
    nets.sort_by_key(|net| (net.addr().is_ipv6(), *net));
    nets.dedup();
    nets
}

fn shown(net: &IpNet) -> String {
    if net.prefix_len() == net.max_prefix_len() { net.addr().to_string() } else { net.to_string() }
}

/// An nginx include file: one `deny` line per banned address or range.
/// Include it in an `http`, `server` or `location` block; requests from a
/// denied address get 403.
pub fn render_nginx_deny(nets: &[IpNet]) -> String {
    let mut text = String::from("# Written by leakguard: the addresses it bans. Do not edit.\n");
    for net in nets {
        let _ = writeln!(text, "deny {};", shown(net));
    }
    text
}

/// An nftables script (`nft -f FILE`) that creates, if missing, the table
/// `inet <table>` with the interval sets `banned_v4` and `banned_v6`, and
/// refills them in one transaction. Match them in your own rules, e.g.
/// `ip saddr @banned_v4 drop` and `ip6 saddr @banned_v6 drop`.
pub fn render_nftables(nets: &[IpNet], table: &str) -> String {
    let mut text = String::from(
        "#!/usr/sbin/nft -f\n# Written by leakguard: the addresses it bans. Do not edit.\n",
    );
    let _ = writeln!(text, "add table inet {table}");
    for (set, kind, want_v6) in
        [("banned_v4", "ipv4_addr", false), ("banned_v6", "ipv6_addr", true)]
    {
        let _ = writeln!(
            text,
            "add set inet {table} {set} {{ type {kind}; flags interval; auto-merge; }}"
        );
        let _ = writeln!(text, "flush set inet {table} {set}");
        let elements: Vec<String> =
            nets.iter().filter(|net| net.addr().is_ipv6() == want_v6).map(shown).collect();
        for chunk in elements.chunks(1000) {
            let _ = writeln!(text, "add element inet {table} {set} {{ {} }}", chunk.join(", "));
        }
    }
    text
}
