//! Payload verdicts: whether a request carries an attack payload (SQL injection, XSS...).
//!
//! Detecting payloads is another crate's work. Rules only name detectors
//! (`payload: {detector: [sqli, xss], confidence: high}`), and the caller hands
//! the engine a [`PayloadInspector`] that turns an event into [`PayloadFlags`].
//! The engine asks it lazily: only when a rule that reaches a `payload` test
//! is evaluated, and at most once per event.

use model::Event;

/// A payload detector a rule can name (the same detectors, with the same
/// names, as the `payloads` crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detector {
    /// SQL (and NoSQL) injection.
    Sqli,
    /// Cross-site scripting and client-side template injection.
    Xss,
    /// Path traversal, local file inclusion and sensitive-file probes.
    Traversal,
    /// Remote file inclusion and URL tricks in parameters.
    Rfi,
    /// OS command injection.
    Rce,
    /// PHP and Java expression or code injection.
    CodeInjection,
    /// Log4Shell JNDI lookups.
    Log4shell,
    /// Shellshock function definitions.
    Shellshock,
    /// Attack or scanning tool user agents.
    Scanner,
}

impl Detector {
    /// Every detector.
    pub const ALL: [Detector; 9] = [
        Detector::Sqli,
        Detector::Xss,
        Detector::Traversal,
        Detector::Rfi,
        Detector::Rce,
        Detector::CodeInjection,
        Detector::Log4shell,
        Detector::Shellshock,
        Detector::Scanner,
    ];

    /// The name used in rules (`code_injection`).
    pub fn as_str(self) -> &'static str {
        match self {
            Detector::Sqli => "sqli",
            Detector::Xss => "xss",
            Detector::Traversal => "traversal",
            Detector::Rfi => "rfi",
            Detector::Rce => "rce",
            Detector::CodeInjection => "code_injection",
            Detector::Log4shell => "log4shell",
            Detector::Shellshock => "shellshock",
            Detector::Scanner => "scanner",
        }
    }

    /// The detector with this name.
    pub fn from_name(name: &str) -> Option<Detector> {
        Detector::ALL.into_iter().find(|detector| detector.as_str() == name)
    }
}

/// How sure a detector is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    /// Suspicious; ordinary traffic can look like this now and then.
    Medium,
    /// An attack payload; ordinary traffic does not look like this.
    High,
}

impl Confidence {
    /// Every level, lowest first.
    pub const ALL: [Confidence; 2] = [Confidence::Medium, Confidence::High];

    /// The name used in rules (`high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// The level with this name.
    pub fn from_name(name: &str) -> Option<Confidence> {
        Confidence::ALL.into_iter().find(|level| level.as_str() == name)
    }
}

/// The detectors that fired on one event, each at its confidence (a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct PayloadFlags(u64);

impl PayloadFlags {
    /// Nothing detected.
    pub const EMPTY: PayloadFlags = PayloadFlags(0);

    /// Records that `detector` fired with `confidence` (and so at every lower level).
    pub fn insert(&mut self, detector: Detector, confidence: Confidence) {
        for level in Confidence::ALL.into_iter().filter(|level| *level <= confidence) {
            self.0 |= bit(detector, level);
        }
    }

    /// These flags with `detector` at `confidence` added.
    #[must_use]
    pub fn with(mut self, detector: Detector, confidence: Confidence) -> PayloadFlags {
        self.insert(detector, confidence);
        self
    }

    /// Whether `detector` fired with at least `confidence`.
    pub fn contains(self, detector: Detector, confidence: Confidence) -> bool {
        self.0 & bit(detector, confidence) != 0
    }

    /// Both sets of detections.
    #[must_use]
    pub fn union(self, other: PayloadFlags) -> PayloadFlags {
        PayloadFlags(self.0 | other.0)
    }

    /// Whether nothing was detected.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether any detector of a mask built by `mask` fired.
    pub(crate) fn intersects(self, mask: u64) -> bool {
        self.0 & mask != 0
    }

    /// The bits testing `detectors` at `confidence` or above.
    pub(crate) fn mask(detectors: &[Detector], confidence: Confidence) -> u64 {
        detectors.iter().fold(0, |mask, detector| mask | bit(*detector, confidence))
    }
}

fn bit(detector: Detector, confidence: Confidence) -> u64 {
    1 << (confidence as u32 * 16 + detector as u32)
}

/// Gives the payload verdicts for an event. Any `Fn(&Event) -> PayloadFlags` is one.
pub trait PayloadInspector {
    /// The detectors that fire on `event`.
    fn inspect(&self, event: &Event<'_>) -> PayloadFlags;
}

impl<F> PayloadInspector for F
where
    F: Fn(&Event<'_>) -> PayloadFlags,
{
    fn inspect(&self, event: &Event<'_>) -> PayloadFlags {
        self(event)
    }
}
