//! leakguard's streaming detection engine: rules over events, on event time,
//! with bounded per-key state.
//!
//! [`Engine::new`] takes a compiled [`rules::RuleSet`] and [`EngineLimits`].
//! [`Engine::feed`] runs one [`model::Event`] through the rules that may match
//! it, with the [`Evidence`] (source, line, text) kept only as a bounded sample
//! on alerts. Alerts come out as they open ([`Engine::take_new_alerts`]), as
//! they close ([`Engine::take_closed_alerts`]) or all at the end
//! ([`Engine::finish`]).
//!
//! What it guarantees:
//!
//! - **Event time only.** Windows slide on the events' own times; the engine
//!   never reads a clock. The same rules and the same input in the same order
//!   give the same alerts with the same ids (FNV-1a of rule, key and the
//!   cooldown period the alert opened in).
//! - **One open alert per rule and key.** Further matches within the cooldown
//!   update its count, last time, distinct count and samples (the first few and
//!   the latest few).
//! - **Bounded state.** Each rule keeps at most `max_keys_per_rule` keys
//!   (expired keys are dropped first, then the least recently active ones);
//!   windows are stored compactly (at most `threshold` timestamps, or 64
//!   sub-window counts for large thresholds); alerts, samples and pending
//!   queues have caps. A flood of one-shot addresses cannot grow memory or hide
//!   an attacker who keeps coming back.
//! - **Cheap on traffic no rule cares about.** Each event is classified once
//!   (endpoint classes, outcome) and its packed signature selects, from a cache,
//!   the few rules whose prefilters admit it.
//!
//! It deliberately does not parse lines, read files, decide bans (that is
//! `decisions`) or detect payloads itself: a [`rules::PayloadInspector`] can be
//! supplied with [`Engine::with_payload_inspector`].
//!
//! ```
//! use detection::{Engine, EngineLimits, Evidence};
//! use model::{Event, Timestamp};
//! use rules::{RuleSet, Sets, Site};
//!
//! let rule = "id: env-probe\ntitle: Probe for .env\nseverity: medium\n\
//!             detection: {kind: match, where: {path: /.env}, group_by: [ip]}\n";
//! let rule_set =
//!     RuleSet::compile_sources([("env-probe.yaml", rule)], &Sets::new(), &Site::default())
//!         .expect("a valid rule");
//! let mut engine = Engine::new(rule_set, EngineLimits::default());
//! let event = Event {
//!     time: Timestamp::from_unix_secs(1_700_000_000),
//!     client_ip: Some("203.0.113.9".parse().expect("an address")),
//!     method: "GET".into(),
//!     path: "/.env".into(),
//!     status: Some(404),
//!     ..Event::default()
//! };
//! engine.feed(&event, &Evidence { source: "access.log", line: 1, text: "..." });
//! let alerts = engine.finish();
//! assert_eq!(alerts[0].reason, "GET /.env from 203.0.113.9");
//! ```

mod alert;
mod baseline;
mod distinct;
mod engine;
mod fingerprint;
mod key;
mod state;
mod window;

pub use baseline::BaselineRise;
pub use engine::{Engine, EngineLimits, EngineStats, Evidence, RuleStats};

#[cfg(test)]
mod tests;
