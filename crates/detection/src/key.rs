//! Alert keys: compact bytes for state lookup, text for alerts and responses.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use model::{AlertKey, Event};
use rules::GroupField;

use crate::fingerprint::fnv;

/// Bytes stored inline before a key spills to the heap (most keys: an
/// address, an account name).
const INLINE: usize = 30;
/// Longest text kept of one key part; longer values keep a prefix and a hash.
const MAX_PART: usize = 256;

/// A key's bytes; short keys need no allocation.
#[derive(Clone)]
pub(crate) enum SmallKey {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl SmallKey {
    pub(crate) fn new(bytes: &[u8]) -> SmallKey {
        if bytes.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            SmallKey::Inline { len: bytes.len() as u8, bytes: inline }
        } else {
            SmallKey::Heap(bytes.into())
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            SmallKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            SmallKey::Heap(bytes) => bytes,
        }
    }
}

impl std::fmt::Debug for SmallKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmallKey({:?})", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl PartialEq for SmallKey {
    fn eq(&self, other: &SmallKey) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for SmallKey {}

impl Hash for SmallKey {
    // Hashes exactly like `[u8]`, so maps can be searched with a borrowed slice.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl Borrow<[u8]> for SmallKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Writes the key of `event` for `group_by` into `buf`; false when the event
/// lacks a field the key needs (no address, no account, no session).
pub(crate) fn build(group_by: &[GroupField], event: &Event<'_>, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    for field in group_by {
        match field {
            GroupField::Ip | GroupField::Range => {
                let Some(ip) = event.client_ip else { return false };
                let is_range = *field == GroupField::Range;
                match ip.to_canonical() {
                    IpAddr::V4(ip) => {
                        buf.push(if is_range { b'r' } else { b'4' });
                        buf.extend_from_slice(&ip.octets()[..if is_range { 3 } else { 4 }]);
                    }
                    IpAddr::V6(ip) => {
                        buf.push(if is_range { b'R' } else { b'6' });
                        buf.extend_from_slice(&ip.octets()[..if is_range { 8 } else { 16 }]);
                    }
                }
            }
            GroupField::Account => {
                if event.account.is_empty() {
                    return false;
                }
                push_text(buf, b'a', event.account.as_bytes(), false);
            }
            GroupField::Session => {
                if event.session.is_empty() {
                    return false;
                }
                push_text(buf, b's', event.session.as_bytes(), false);
            }
            GroupField::Site => buf.push(b'*'),
            GroupField::UserAgent => push_text(buf, b'u', event.user_agent.as_bytes(), false),
            GroupField::Host => push_text(buf, b'h', event.host.as_bytes(), true),
            GroupField::Path => {
                if event.path.is_empty() {
                    return false;
                }
                push_text(buf, b'p', event.path.as_bytes(), false);
            }
            GroupField::Asn => {
                let Some(asn) = event.asn else { return false };
                buf.push(b'n');
                buf.extend_from_slice(&asn.to_le_bytes());
            }
            GroupField::Country => {
                let Some(country) = event.country else { return false };
                buf.push(b'c');
                buf.extend_from_slice(&country.bytes());
            }
        }
    }
    true
}

fn push_text(buf: &mut Vec<u8>, tag: u8, text: &[u8], is_lowercase: bool) {
    buf.push(tag);
    let kept = &text[..text.len().min(MAX_PART)];
    if is_lowercase {
        buf.extend(kept.iter().map(u8::to_ascii_lowercase));
    } else {
        buf.extend_from_slice(kept);
    }
    if text.len() > MAX_PART {
        buf.extend_from_slice(&fnv(text).to_le_bytes());
    }
    // 0xff never occurs in UTF-8, so parts cannot run into each other.
    buf.push(0xff);
}

/// The displayed value of one key part of `event`.
pub(crate) fn value_of(field: GroupField, event: &Event<'_>) -> String {
    match field {
        GroupField::Ip => {
            event.client_ip.map(|ip| ip.to_canonical().to_string()).unwrap_or_default()
        }
        GroupField::Range => event.client_ip.map(range_of).unwrap_or_default(),
        GroupField::Account => event.account.to_string(),
        GroupField::Session => event.session.to_string(),
        GroupField::Site => "*".to_owned(),
        GroupField::UserAgent => event.user_agent.to_string(),
        GroupField::Host => event.host.to_ascii_lowercase(),
        GroupField::Path => event.path.to_string(),
        GroupField::Asn => event.asn.map(|asn| format!("AS{asn}")).unwrap_or_default(),
        GroupField::Country => event.country.map(|country| country.to_string()).unwrap_or_default(),
    }
}

/// The alert key of `event` for `group_by`.
pub(crate) fn alert_key(group_by: &[GroupField], event: &Event<'_>) -> AlertKey {
    let part = |field: GroupField| AlertKey {
        kind: field.key_kind(),
        value: value_of(field, event),
        extra: Vec::new(),
    };
    let Some((first, rest)) = group_by.split_first() else { return part(GroupField::Site) };
    let mut key = part(*first);
    key.extra = rest.iter().map(|field| part(*field)).collect();
    key
}

/// The /24 (IPv4) or /64 (IPv6) around an address, in CIDR form.
pub(crate) fn range_of(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(ip) => {
            let [a, b, c, _] = ip.octets();
            format!("{}/24", Ipv4Addr::new(a, b, c, 0))
        }
        IpAddr::V6(ip) => {
            let bits = u128::from(ip) & !((1u128 << 64) - 1);
            format!("{}/64", Ipv6Addr::from(bits))
        }
    }
}
