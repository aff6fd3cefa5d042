//! The real client behind trusted proxies.
//!
//! When the connecting address is a proxy the site trusts (its CDN or load
//! balancer), the client is the right-most `X-Forwarded-For` entry that is not
//! itself trusted. Headers from anyone else are ignored: believing them would
//! let an attacker pick the address that gets banned, and trusting nothing
//! would ban the load balancer.

use std::borrow::Cow;
use std::net::IpAddr;

use ipnet::IpNet;
use model::Event;

/// Proxies (CDN, load balancer) whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
}

impl TrustedProxies {
    /// Trust these networks.
    pub fn new(networks: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies { networks }
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    /// Whether `ip` is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|network| network.contains(&ip))
    }

    pub(crate) fn resolve(&self, event: &mut Event<'_>) {
        if self.networks.is_empty() || event.forwarded_for.is_empty() {
            return;
        }
        let Some(peer) = event.client_ip else { return };
        if !self.contains(peer) {
            return;
        }
        let mut client = None;
        for entry in event.forwarded_for.rsplit(',') {
            let Some(ip) = parse_forwarded_entry(entry) else { break };
            client = Some(ip);
            if !self.contains(ip) {
                break;
            }
        }
        if let Some(client) = client {
            event.peer_ip = Some(peer);
            event.client_ip = Some(client);
        }
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port or brackets.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    crate::format::parse_ip_with_port(entry)
}

/// Keeps `X-Real-IP` where no `X-Forwarded-For` was logged.
pub(crate) fn merge_real_ip<'a>(event: &mut Event<'a>, real_ip: Cow<'a, str>) {
    if event.forwarded_for.is_empty() {
        event.forwarded_for = real_ip;
    }
}
