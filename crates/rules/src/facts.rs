//! An event with what the site and the payload inspector say about it, as rules see it.

use std::cell::Cell;

use model::{Event, EventKind, LoginOutcome};

use crate::payload::{PayloadFlags, PayloadInspector};
use crate::site::{Classification, EndpointSet};

/// An event as conditions see it: its fields, its endpoint classes and outcome
/// (from the site), and its payload verdicts (asked for lazily, at most once).
pub struct Facts<'e, 'a> {
    event: &'e Event<'a>,
    classification: Classification,
    inspector: Option<&'e dyn PayloadInspector>,
    payload: Cell<Option<PayloadFlags>>,
    /// Results of the shared tests answered so far (see [`Facts::remembered`]).
    memo_known: Cell<u64>,
    memo_value: Cell<u64>,
}

/// How many distinct shared tests one event remembers.
pub(crate) const MEMO_SLOTS: usize = 64;

impl std::fmt::Debug for Facts<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts")
            .field("event", &self.event)
            .field("classification", &self.classification)
            .field("payload", &self.payload.get())
            .finish_non_exhaustive()
    }
}

impl<'e, 'a> Facts<'e, 'a> {
    /// Facts about `event`, classified by the site; without an inspector, no
    /// payload test ever matches.
    pub fn new(
        event: &'e Event<'a>,
        classification: Classification,
        inspector: Option<&'e dyn PayloadInspector>,
    ) -> Facts<'e, 'a> {
        Facts {
            event,
            classification,
            inspector,
            payload: Cell::new(None),
            memo_known: Cell::new(0),
            memo_value: Cell::new(0),
        }
    }

    /// The event.
    pub fn event(&self) -> &'e Event<'a> {
        self.event
    }

    /// The event's endpoint classes.
    pub fn endpoints(&self) -> EndpointSet {
        self.classification.endpoints
    }

    /// The event's outcome (login events) or the outcome its status means (requests).
    pub fn outcome(&self) -> Option<LoginOutcome> {
        self.classification.outcome
    }

    /// The answers remembered so far: which slots are known, and which of
    /// those are true.
    pub fn memory(&self) -> (u64, u64) {
        (self.memo_known.get(), self.memo_value.get())
    }

    /// Starts with answers known from elsewhere (the same user agent on an
    /// earlier event; see [`crate::RuleSet::user_agent_slots`]).
    pub fn remember(&self, known: u64, value: u64) {
        self.memo_known.set(self.memo_known.get() | known);
        self.memo_value.set(self.memo_value.get() | (value & known));
    }

    /// The result of the test in `slot` for this event, computed the first
    /// time it is asked for; a test without a slot is computed every time.
    pub(crate) fn remembered(&self, slot: Option<u8>, test: impl FnOnce() -> bool) -> bool {
        let Some(slot) = slot else { return test() };
        let bit = 1u64 << slot;
        if self.memo_known.get() & bit != 0 {
            return self.memo_value.get() & bit != 0;
        }
        let result = test();
        self.memo_known.set(self.memo_known.get() | bit);
        if result {
            self.memo_value.set(self.memo_value.get() | bit);
        }
        result
    }

    /// The payload verdicts, asking the inspector the first time.
    pub(crate) fn payload(&self) -> PayloadFlags {
        if let Some(flags) = self.payload.get() {
            return flags;
        }
        let flags =
            self.inspector.map_or(PayloadFlags::EMPTY, |inspector| inspector.inspect(self.event));
        self.payload.set(Some(flags));
        flags
    }

    /// The cheap summary that rule prefilters test (kind, status class, method,
    /// outcome, endpoint classes, whether there is a query and whether a
    /// payload detector fired), so most events skip most rules.
    ///
    /// It asks the payload inspector when there is one: nearly every request
    /// is judged by the exploit rules anyway, and knowing the answer up front
    /// lets clean requests skip those rules whole.
    pub fn signature(&self) -> Signature {
        let kind = u64::from(kind_bit(self.event.kind));
        let status = u64::from(status_bit(self.event.status));
        let method = match self.classification.method {
            // A classification not made by `Site::classify` has no method bit yet.
            MethodSet(0) => method_bit(&self.event.method),
            known => known,
        };
        let method = u64::from(method.0);
        let outcome = u64::from(outcome_bit(self.classification.outcome));
        let endpoints = u64::from(self.classification.endpoints.bits());
        let query = u64::from(presence_bit(!self.event.query.is_empty()));
        let payload = match self.inspector {
            Some(_) => u64::from(presence_bit(!self.payload().is_empty())),
            None => u64::from(presence_bit(false)),
        };
        Signature(
            kind | status << 8
                | method << 16
                | outcome << 32
                | endpoints << 40
                | query << 56
                | payload << 58,
        )
    }
}

/// A packed summary of an event for prefilters; equal signatures admit the same rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(u64);

impl Signature {
    /// The packed bits (a good hash-map key).
    pub fn bits(self) -> u64 {
        self.0
    }
}

/// Necessary conditions of a condition, checked on an event's signature.
///
/// If `admits` is false, the condition cannot match; if true, it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefilter {
    pub(crate) kinds: u8,
    pub(crate) statuses: u8,
    pub(crate) methods: u16,
    pub(crate) outcomes: u8,
    /// Classes of which the event must be in at least one; `None` means no constraint.
    pub(crate) endpoints: Option<u16>,
    /// Whether the query may be empty (bit 0) or not (bit 1).
    pub(crate) queries: u8,
    /// Whether the event may have no payload verdict (bit 0) or some (bit 1).
    pub(crate) payloads: u8,
}

/// Bit 0 for absent, bit 1 for present.
pub(crate) fn presence_bit(is_present: bool) -> u8 {
    if is_present { 2 } else { 1 }
}

impl Prefilter {
    /// Admits everything.
    pub const ALL: Prefilter = Prefilter {
        kinds: u8::MAX,
        statuses: u8::MAX,
        methods: u16::MAX,
        outcomes: u8::MAX,
        endpoints: None,
        queries: u8::MAX,
        payloads: u8::MAX,
    };

    /// Whether an event with this signature may match.
    pub fn admits(&self, signature: Signature) -> bool {
        let bits = signature.0;
        let kind = (bits & 0xff) as u8;
        let status = (bits >> 8 & 0xff) as u8;
        let method = (bits >> 16 & 0xffff) as u16;
        let outcome = (bits >> 32 & 0xff) as u8;
        let endpoints = (bits >> 40 & 0xffff) as u16;
        let query = (bits >> 56 & 0b11) as u8;
        let payload = (bits >> 58 & 0b11) as u8;
        query & self.queries != 0
            && payload & self.payloads != 0
            && kind & self.kinds != 0
            && status & self.statuses != 0
            && method & self.methods != 0
            && outcome & self.outcomes != 0
            && self.endpoints.is_none_or(|required| required & endpoints != 0)
    }

    /// Both must hold.
    pub(crate) fn and(self, other: Prefilter) -> Prefilter {
        Prefilter {
            kinds: self.kinds & other.kinds,
            statuses: self.statuses & other.statuses,
            methods: self.methods & other.methods,
            outcomes: self.outcomes & other.outcomes,
            queries: self.queries & other.queries,
            payloads: self.payloads & other.payloads,
            // One class mask is kept: requiring "one of A" and "one of B" cannot be
            // folded into one mask, and either alone is still a necessary condition.
            endpoints: match (self.endpoints, other.endpoints) {
                (Some(left), Some(right)) => {
                    Some(if left.count_ones() <= right.count_ones() { left } else { right })
                }
                (left, right) => left.or(right),
            },
        }
    }

    /// Either may hold.
    pub(crate) fn or(self, other: Prefilter) -> Prefilter {
        Prefilter {
            kinds: self.kinds | other.kinds,
            statuses: self.statuses | other.statuses,
            methods: self.methods | other.methods,
            outcomes: self.outcomes | other.outcomes,
            queries: self.queries | other.queries,
            payloads: self.payloads | other.payloads,
            endpoints: match (self.endpoints, other.endpoints) {
                (Some(left), Some(right)) => Some(left | right),
                _ => None,
            },
        }
    }
}

/// HTTP methods as bits: 0 none, 1 GET, 2 POST, 3 HEAD, 4 PUT, 5 DELETE,
/// 6 PATCH, 7 OPTIONS, 8 any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct MethodSet(pub(crate) u16);

impl MethodSet {
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }
}

pub(crate) fn method_bit(method: &str) -> MethodSet {
    const NAMES: [&str; 7] = ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"];
    if method.is_empty() {
        return MethodSet(1);
    }
    let idx =
        NAMES.iter().position(|name| name.eq_ignore_ascii_case(method)).map_or(8, |idx| idx + 1);
    MethodSet(1 << idx)
}

/// Status classes as bits: 0 none, 1..=5 for 1xx..5xx, 6 anything else.
pub(crate) fn status_bit(status: Option<u16>) -> u8 {
    match status {
        None => 1,
        Some(status @ 100..=599) => 1 << (status / 100),
        Some(_) => 1 << 6,
    }
}

/// Status bits covering an inclusive range of statuses.
pub(crate) fn status_bits(low: u64, high: u64) -> u8 {
    let mut bits = 0;
    if low <= 99 || high >= 600 {
        bits |= 1 << 6;
    }
    for class in 1..=5u64 {
        if low <= class * 100 + 99 && high >= class * 100 {
            bits |= 1 << class;
        }
    }
    bits
}

pub(crate) fn outcome_bit(outcome: Option<LoginOutcome>) -> u8 {
    match outcome {
        None => 1,
        Some(LoginOutcome::Success) => 2,
        Some(LoginOutcome::Failure) => 4,
    }
}

pub(crate) fn kind_bit(kind: EventKind) -> u8 {
    match kind {
        EventKind::Request => 1,
        EventKind::Login => 2,
        EventKind::ServerNotice => 4,
    }
}
