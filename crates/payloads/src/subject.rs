//! One part of a request under judgement: the prefilter, decoding, and the
//! dispatch to each detector that the part's bytes and words call for.

use crate::decode::{self, Mode};
use crate::prefilter::Scan;
use crate::query::{self, Param};
use crate::{Confidence, Detector};
use crate::{code, command, log4shell, rfi, scanner, shellshock, sqli, traversal, xss};

/// Longest decoded text the detectors look at; the rest of a longer value is
/// ignored (payloads that matter start early, and every part needs a bound).
const MAX_TEXT: usize = 8 * 1024;

/// Where a text came from; detectors adapt their rules to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The request path.
    Path,
    /// A query parameter's name.
    QueryName,
    /// A query parameter's value (or a parameter without `=`).
    QueryValue,
    /// The user agent.
    UserAgent,
    /// One of the referer's query values.
    Referer,
    /// The referer's path.
    RefererPath,
}

impl Origin {
    /// Whether the text came from the referer.
    pub(crate) fn is_referer(self) -> bool {
        matches!(self, Origin::Referer | Origin::RefererPath)
    }
}

/// A decoded text and what is known about it.
#[derive(Debug)]
pub(crate) struct Subject<'a> {
    /// The decoded text.
    pub(crate) text: &'a [u8],
    /// The decoded text, ASCII-lowercased (same length as `text`).
    pub(crate) lower: &'a [u8],
    /// The prefilter's scan of the decoded text.
    pub(crate) scan: Scan,
    /// Where the text came from.
    pub(crate) origin: Origin,
    /// For a query value: its parameter's decoded, lowercased name.
    pub(crate) name: &'a [u8],
}

/// One detector's finding in the part being judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) detector: Detector,
    pub(crate) confidence: Confidence,
    pub(crate) reason: &'static str,
    pub(crate) detail: String,
}

/// Findings for the part being judged, the best one per detector.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    items: Vec<Finding>,
}

impl Findings {
    /// Records a finding unless this detector already has one at least as
    /// confident.
    pub(crate) fn add(
        &mut self,
        detector: Detector,
        confidence: Confidence,
        reason: &'static str,
        detail: impl Into<String>,
    ) {
        match self.items.iter_mut().find(|item| item.detector == detector) {
            Some(item) if item.confidence >= confidence => {}
            Some(item) => {
                *item = Finding { detector, confidence, reason, detail: detail.into() };
            }
            None => {
                self.items.push(Finding { detector, confidence, reason, detail: detail.into() })
            }
        }
    }

    /// Records a finding whose detail is an excerpt of `evidence`.
    pub(crate) fn add_excerpt(
        &mut self,
        detector: Detector,
        confidence: Confidence,
        reason: &'static str,
        evidence: &[u8],
    ) {
        if self.has(detector, confidence) {
            return;
        }
        self.add(detector, confidence, reason, excerpt(evidence, MAX_DETAIL));
    }

    /// Whether `detector` already has a finding at least as confident.
    pub(crate) fn has(&self, detector: Detector, confidence: Confidence) -> bool {
        self.items.iter().any(|item| item.detector == detector && item.confidence >= confidence)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Takes the findings, sorted by detector.
    pub(crate) fn take_best(&mut self) -> Vec<Finding> {
        let mut items = std::mem::take(&mut self.items);
        items.sort_by_key(|item| item.detector);
        items
    }
}

/// Longest detail, in bytes.
const MAX_DETAIL: usize = 80;

/// `bytes` as text for an analyst: lossy UTF-8, control bytes escaped, cut
/// at `max` bytes on a character boundary.
pub(crate) fn excerpt(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len().min(max) + 4);
    for ch in text.chars() {
        let is_control = matches!(ch, '\0'..='\x1f' | '\x7f');
        let width = if is_control { 4 } else { ch.len_utf8() };
        if out.len() + width > max {
            out.push('…');
            break;
        }
        if is_control {
            out.push_str(&format!("\\x{:02x}", u32::from(ch)));
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
thread_local! {
    /// Turns the prefilter off on this thread, so tests can check that it
    /// never hides a payload the detectors would find.
    pub(crate) static UNGATED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the prefilter is off (only ever in tests).
pub(crate) fn is_ungated() -> bool {
    #[cfg(test)]
    {
        UNGATED.with(std::cell::Cell::get)
    }
    #[cfg(not(test))]
    {
        false
    }
}

/// Judges a path or user agent.
pub(crate) fn judge(raw: &[u8], origin: Origin, findings: &mut Findings) {
    let mode = if origin == Origin::Path { Mode::Path } else { Mode::Header };
    judge_text(raw, origin, mode, b"", findings);
}

/// Judges one query parameter: its value (or the whole parameter when it has
/// no `=`), and its name when the name itself looks like a payload.
pub(crate) fn judge_param(param: Param<'_>, origin: Origin, findings: &mut Findings) {
    match param.value {
        Some(value) => {
            if !value.is_empty() {
                judge_text(value, origin, Mode::Query, param.name, findings);
            }
            let name_origin = if origin.is_referer() { origin } else { Origin::QueryName };
            judge_text(param.name, name_origin, Mode::Query, b"", findings);
        }
        None => judge_text(param.name, origin, Mode::Query, param.name, findings),
    }
}

/// Judges a referer: its path and each of its query values. The URL itself
/// (scheme and host) is the referring page, not a payload.
pub(crate) fn judge_referer(raw: &[u8], findings: &mut Findings) {
    let after_scheme = crate::patterns::find(raw, b"://").map_or(raw, |idx| &raw[idx + 3..]);
    let path_start = memchr::memchr(b'/', after_scheme).unwrap_or(after_scheme.len());
    let rest = &after_scheme[path_start..];
    let (path, query) = match memchr::memchr(b'?', rest) {
        Some(idx) => (&rest[..idx], &rest[idx + 1..]),
        None => (rest, &b""[..]),
    };
    let query = memchr::memchr(b'#', query).map_or(query, |idx| &query[..idx]);
    judge_text(path, Origin::RefererPath, Mode::Path, b"", findings);
    for param in query::params(query) {
        judge_param(param, Origin::Referer, findings);
    }
}

fn judge_text(raw: &[u8], origin: Origin, mode: Mode, raw_name: &[u8], findings: &mut Findings) {
    let raw = &raw[..raw.len().min(MAX_TEXT)];
    if !is_ungated() && !Scan::quick(raw, origin, mode).is_suspicious(origin) {
        return;
    }
    let mut text = Vec::new();
    decode::decode(raw, mode, &mut text);
    text.truncate(MAX_TEXT);
    let lower = text.to_ascii_lowercase();
    let mut scan = Scan::full(&text);
    scan.has_risky_dot = matches!(origin, Origin::Path | Origin::RefererPath);
    let mut name = Vec::new();
    if !raw_name.is_empty() {
        decode::decode(raw_name, Mode::Query, &mut name);
        name.make_ascii_lowercase();
    }
    let subject = Subject { text: &text, lower: &lower, scan, origin, name: &name };
    run_detectors(&subject, findings);
}

fn run_detectors(subject: &Subject<'_>, findings: &mut Findings) {
    if subject.origin == Origin::UserAgent {
        scanner::detect(subject, findings);
    }
    sqli::detect(subject, findings);
    xss::detect(subject, findings);
    traversal::detect(subject, findings);
    rfi::detect(subject, findings);
    command::detect(subject, findings);
    code::detect(subject, findings);
    log4shell::detect(subject, findings);
    shellshock::detect(subject, findings);
}
