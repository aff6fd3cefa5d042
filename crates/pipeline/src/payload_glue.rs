//! Connects the attack-payload detectors (`payloads`) to the rule engine's
//! `payload:` conditions (`rules::PayloadInspector`).

use std::cell::RefCell;
use std::collections::HashMap;

use model::Event;
use rules::{Confidence, Detector, PayloadFlags};

fn detector(found: payloads::Detector) -> Detector {
    match found {
        payloads::Detector::Sqli => Detector::Sqli,
        payloads::Detector::Xss => Detector::Xss,
        payloads::Detector::Traversal => Detector::Traversal,
        payloads::Detector::Rfi => Detector::Rfi,
        payloads::Detector::Rce => Detector::Rce,
        payloads::Detector::CodeInjection => Detector::CodeInjection,
        payloads::Detector::Log4shell => Detector::Log4shell,
        payloads::Detector::Shellshock => Detector::Shellshock,
        payloads::Detector::Scanner => Detector::Scanner,
    }
}

fn confidence(found: payloads::Confidence) -> Confidence {
    match found {
        payloads::Confidence::Medium => Confidence::Medium,
        payloads::Confidence::High => Confidence::High,
    }
}

/// The flags of a list of verdicts.
fn flags_of(verdicts: Vec<payloads::Verdict>) -> PayloadFlags {
    let mut flags = PayloadFlags::default();
    for verdict in verdicts {
        flags.insert(detector(verdict.detector), confidence(verdict.confidence));
    }
    flags
}

/// The payload verdicts of an event, as the engine's flags.
pub fn payload_flags(event: &Event<'_>) -> PayloadFlags {
    flags_of(payloads::inspect(&payloads::Request {
        path: &event.path,
        query: &event.query,
        user_agent: &event.user_agent,
        referer: &event.referer,
    }))
}

/// Distinct paths (and user agents, and referers) whose verdicts are remembered; past
/// it the memory is cleared and refilled.
const MAX_REMEMBERED: usize = 16_384;

/// Longest header value remembered (longer ones are judged every time).
const MAX_REMEMBERED_BYTES: usize = 512;

/// Verdicts remembered for one part of requests, by its raw text.
type PartMemory = RefCell<HashMap<Box<str>, PayloadFlags, foldhash::fast::RandomState>>;

/// Judges events like [`payload_flags`], remembering the verdicts on paths,
/// user agents and referers: a shop's traffic repeats a few thousand of each, and
/// the detectors judge each part of a request on its own, so a remembered
/// part's verdict is the one it would get again.
#[derive(Debug, Default)]
struct RememberingInspector {
    paths: PartMemory,
    user_agents: PartMemory,
    referers: PartMemory,
}

impl RememberingInspector {
    fn part(
        memory: &PartMemory,
        value: &str,
        judge: impl FnOnce() -> PayloadFlags,
    ) -> PayloadFlags {
        if value.is_empty() {
            return PayloadFlags::EMPTY;
        }
        if value.len() > MAX_REMEMBERED_BYTES {
            return judge();
        }
        if let Some(flags) = memory.borrow().get(value) {
            return *flags;
        }
        let flags = judge();
        let mut memory = memory.borrow_mut();
        if memory.len() >= MAX_REMEMBERED {
            memory.clear();
        }
        memory.insert(value.into(), flags);
        flags
    }

    fn inspect(&self, event: &Event<'_>) -> PayloadFlags {
        let path = Self::part(&self.paths, &event.path, || {
            flags_of(payloads::inspect(&payloads::Request { path: &event.path, ..EMPTY }))
        });
        let query = if event.query.is_empty() {
            PayloadFlags::EMPTY
        } else {
            flags_of(payloads::inspect(&payloads::Request { query: &event.query, ..EMPTY }))
        };
        let own = path.union(query);
        let user_agent = Self::part(&self.user_agents, &event.user_agent, || {
            flags_of(payloads::inspect(&payloads::Request {
                user_agent: &event.user_agent,
                ..EMPTY
            }))
        });
        let referer = Self::part(&self.referers, &event.referer, || {
            flags_of(payloads::inspect(&payloads::Request { referer: &event.referer, ..EMPTY }))
        });
        own.union(user_agent).union(referer)
    }
}

const EMPTY: payloads::Request<'static> =
    payloads::Request { path: "", query: "", user_agent: "", referer: "" };

/// The inspector handed to the engine.
pub fn payload_inspector() -> impl rules::PayloadInspector + Send + 'static {
    let inspector = RememberingInspector::default();
    move |event: &Event<'_>| inspector.inspect(event)
}
