//! Connects the attack-payload detectors (`payloads`) to the rule engine's
//! `payload:` conditions (`rules::PayloadInspector`).

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

/// The payload verdicts of an event, as the engine's flags.
pub fn payload_flags(event: &Event<'_>) -> PayloadFlags {
    let request = payloads::Request {
        path: &event.path,
        query: &event.query,
        user_agent: &event.user_agent,
        referer: &event.referer,
    };
    let mut flags = PayloadFlags::default();
    for verdict in payloads::inspect(&request) {
        flags.insert(detector(verdict.detector), confidence(verdict.confidence));
    }
    flags
}

/// The inspector handed to the engine.
pub fn payload_inspector() -> impl rules::PayloadInspector + Send + 'static {
    |event: &Event<'_>| payload_flags(event)
}
