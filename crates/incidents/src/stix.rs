//! The CERT report: a STIX 2.1 bundle of de-identified indicators (attacking
//! addresses, user agents, request paths, times) with a TLP 2.0 marking.
//!
//! Ids are deterministic: cyber-observables use UUIDv5 in the STIX
//! namespace over their id-contributing properties (as the specification
//! recommends), the other objects UUIDv5 in leakguard's namespace over the
//! incident and the value, so the same incident gives the same bundle.
//! Paths lose their query string and fragment, and segments that look like
//! identifiers are replaced; the caller's `redact` removes personal data
//! the detectors find in what remains. Customer records never enter.

use std::collections::BTreeSet;
use std::net::IpAddr;

use model::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::incident::Incident;

/// The STIX 2.1 namespace for cyber-observable ids.
const STIX_NAMESPACE: [u8; 16] = [
    0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7,
];

/// leakguard's namespace for the objects it names itself (a random UUID, fixed forever).
const LEAKGUARD_NAMESPACE: [u8; 16] = [
    0x5d, 0x3e, 0x8a, 0x41, 0x0c, 0x7b, 0x4f, 0x26, 0x9a, 0x58, 0x2e, 0x61, 0xd4, 0x90, 0x13, 0xc7,
];

/// The TLP 2.0 extension definition carried by the marking objects.
const TLP_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// Traffic Light Protocol 2.0 labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tlp {
    /// TLP:CLEAR.
    Clear,
    /// TLP:GREEN.
    Green,
    /// TLP:AMBER.
    Amber,
    /// TLP:AMBER+STRICT.
    AmberStrict,
    /// TLP:RED.
    Red,
}

impl Tlp {
    /// Parses `clear`, `green`, `amber`, `amber+strict`, `red` (any case, `TLP:` optional).
    pub fn parse(text: &str) -> Option<Tlp> {
        let lowered = text.trim().to_ascii_lowercase();
        match lowered.strip_prefix("tlp:").unwrap_or(&lowered) {
            "clear" | "white" => Some(Tlp::Clear),
            "green" => Some(Tlp::Green),
            "amber" => Some(Tlp::Amber),
            "amber+strict" | "amber-strict" | "amber_strict" => Some(Tlp::AmberStrict),
            "red" => Some(Tlp::Red),
            _ => None,
        }
    }

    /// The published marking-definition id.
    pub fn marking_id(self) -> &'static str {
        match self {
            Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        }
    }

    fn value(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// The marking-definition object as published (FIRST TLP 2.0 for STIX).
    pub fn marking_object(self) -> Value {
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": self.marking_id(),
            "created": "2022-10-01T00:00:00.000Z",
            "name": format!("TLP:{}", self.value().to_ascii_uppercase()),
            "extensions": {
                TLP_EXTENSION: {
                    "extension_type": "property-extension",
                    "tlp_2_0": self.value(),
                }
            }
        })
    }
}

/// What was seen from one attacking address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The address.
    pub address: IpAddr,
    /// First request seen.
    pub first_seen: Timestamp,
    /// Last request seen.
    pub last_seen: Timestamp,
    /// Requests seen.
    pub count: u64,
    /// Request methods and paths (raw; sanitized here).
    pub requests: BTreeSet<(String, String)>,
    /// User agents (raw; sanitized here).
    pub user_agents: BTreeSet<String>,
    /// What leakguard saw it do (rule titles).
    pub labels: BTreeSet<String>,
}

/// What goes into the bundle besides the observations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixInput<'a> {
    /// The incident.
    pub incident: &'a Incident,
    /// The reporting organisation (the shop's company name).
    pub producer: &'a str,
    /// The marking.
    pub tlp: Tlp,
    /// Each attacking address.
    pub observations: &'a [Observation],
}

/// At most this many requests per address go into the bundle.
pub const MAX_REQUESTS_PER_ADDRESS: usize = 20;

/// UUID version 5 of a name in a namespace.
fn uuid_v5(namespace: &[u8; 16], name: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(namespace);
    hasher.update(name);
    let digest = hasher.finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A cyber-observable's id from its id-contributing properties.
fn observable_id(kind: &str, contributing: &Value) -> String {
    // serde_json's maps are sorted, which is the canonical key order needed here.
    format!("{kind}--{}", uuid_v5(&STIX_NAMESPACE, contributing.to_string().as_bytes()))
}

fn object_id(kind: &str, incident: &Incident, value: &str) -> String {
    let name = format!("{}|{kind}|{value}", incident.id.0);
    format!("{kind}--{}", uuid_v5(&LEAKGUARD_NAMESPACE, name.as_bytes()))
}

/// A STIX timestamp: UTC with milliseconds.
fn stix_time(time: Timestamp) -> String {
    let secs = time.as_unix_secs();
    let millis = time.as_unix_micros().rem_euclid(1_000_000) / 1000;
    let text = Timestamp::from_unix_secs(secs).to_rfc3339();
    format!("{}.{millis:03}Z", text.trim_end_matches('Z'))
}

/// A request path without query string or fragment, with identifier-like
/// segments (long digit runs, e-mail addresses, tokens) replaced by `*`.
pub fn sanitize_path(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .map(|segment| {
            let digits = segment.chars().filter(char::is_ascii_digit).count();
            let looks_like_token = segment.len() >= 24
                && segment.chars().all(|character| {
                    character.is_ascii_alphanumeric() || character == '-' || character == '_'
                });
            if digits >= 5 || segment.contains('@') || segment.contains('%') || looks_like_token {
                "*"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Builds the bundle. `redact` removes personal data from free text (the
/// caller passes the `pii` detectors); it is applied to user agents and paths.
pub fn stix_bundle(input: &StixInput<'_>, redact: &dyn Fn(&str) -> String) -> Value {
    let incident = input.incident;
    let marking = input.tlp.marking_id();
    let created = stix_time(incident.created_at);
    let identity_id = object_id("identity", incident, input.producer);
    let mut objects: Vec<Value> = vec![
        input.tlp.marking_object(),
        json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": identity_id,
            "created": created,
            "modified": created,
            "name": input.producer,
            "identity_class": "organization",
            "sectors": ["retail"],
            "object_marking_refs": [marking],
        }),
    ];
    for observation in input.observations {
        let address = observation.address.to_string();
        let (address_type, pattern) = match observation.address {
            IpAddr::V4(_) => ("ipv4-addr", format!("[ipv4-addr:value = '{address}']")),
            IpAddr::V6(_) => ("ipv6-addr", format!("[ipv6-addr:value = '{address}']")),
        };
        let address_id = observable_id(address_type, &json!({ "value": address }));
        objects.push(json!({
            "type": address_type,
            "spec_version": "2.1",
            "id": address_id,
            "value": address,
        }));
        let mut refs = vec![Value::String(address_id.clone())];
        let user_agents: BTreeSet<String> =
            observation.user_agents.iter().map(|agent| redact(agent)).collect();
        let user_agent = user_agents.iter().next().cloned();
        let requests: BTreeSet<(String, String)> = observation
            .requests
            .iter()
            .map(|(method, path)| (method.clone(), redact(&sanitize_path(path))))
            .collect();
        for (method, path) in requests.iter().take(MAX_REQUESTS_PER_ADDRESS) {
            let mut request =
                json!({ "request_method": method.to_ascii_lowercase(), "request_value": path });
            if let Some(agent) = &user_agent {
                request["request_header"] = json!({ "User-Agent": agent });
            }
            let extensions = json!({ "http-request-ext": request });
            let protocols = json!(["http"]);
            let traffic_id = observable_id(
                "network-traffic",
                &json!({ "src_ref": address_id, "protocols": protocols, "extensions": extensions }),
            );
            objects.push(json!({
                "type": "network-traffic",
                "spec_version": "2.1",
                "id": traffic_id,
                "src_ref": address_id,
                "protocols": protocols,
                "extensions": extensions,
            }));
            refs.push(Value::String(traffic_id));
        }
        let first = stix_time(observation.first_seen);
        let last = stix_time(observation.last_seen.max(observation.first_seen));
        let labels: Vec<&String> = observation.labels.iter().collect();
        let description = format!(
            "{} requests from {address} between {first} and {last} in a personal-data breach of an online shop{}{}; user agents: {}",
            observation.count,
            if labels.is_empty() { "" } else { "; seen: " },
            labels.iter().map(|label| label.as_str()).collect::<Vec<_>>().join(", "),
            user_agents.iter().cloned().collect::<Vec<_>>().join(" | "),
        );
        let indicator_id = object_id("indicator", incident, &address);
        objects.push(json!({
            "type": "indicator",
            "spec_version": "2.1",
            "id": indicator_id,
            "created_by_ref": identity_id,
            "created": created,
            "modified": created,
            "name": format!("Attacking address {address}"),
            "description": redact(&description),
            "indicator_types": ["malicious-activity"],
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": first,
            "object_marking_refs": [marking],
        }));
        let observed_id = object_id("observed-data", incident, &address);
        objects.push(json!({
            "type": "observed-data",
            "spec_version": "2.1",
            "id": observed_id,
            "created_by_ref": identity_id,
            "created": created,
            "modified": created,
            "first_observed": first,
            "last_observed": last,
            "number_observed": observation.count.clamp(1, 999_999_999),
            "object_refs": refs,
            "object_marking_refs": [marking],
        }));
        objects.push(json!({
            "type": "sighting",
            "spec_version": "2.1",
            "id": object_id("sighting", incident, &address),
            "created_by_ref": identity_id,
            "created": created,
            "modified": created,
            "first_seen": first,
            "last_seen": last,
            "count": observation.count.clamp(1, 999_999_999),
            "sighting_of_ref": indicator_id,
            "observed_data_refs": [observed_id],
            "where_sighted_refs": [identity_id],
            "object_marking_refs": [marking],
        }));
    }
    json!({
        "type": "bundle",
        "id": object_id("bundle", incident, "bundle"),
        "objects": objects,
    })
}

/// [`uuid_v5`] for the unit tests' RFC 4122 test vector.
#[cfg(test)]
pub(crate) fn uuid_v5_for_tests(namespace: &[u8; 16], name: &[u8]) -> String {
    uuid_v5(namespace, name)
}
