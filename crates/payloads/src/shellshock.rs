//! Shellshock (CVE-2014-6271): a value that starts with a Bash function
//! definition, `() { :; };`, which vulnerable Bash versions executed past
//! when CGI scripts exported headers and parameters as environment variables.

use crate::prefilter as class;
use crate::subject::{Findings, Subject};
use crate::{Confidence, Detector};

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    if !(subject.scan.has(class::PAREN) && subject.scan.has(class::BRACE)) {
        return;
    }
    let lower = subject.lower;
    let start = lower.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let Some(after) = function_head(&lower[start..]) else { return };
    let body = &lower[start + after..];
    let closes = memchr::memchr(b'}', body).is_some();
    let confidence = if closes { Confidence::High } else { Confidence::Medium };
    findings.add_excerpt(
        Detector::Shellshock,
        confidence,
        "Bash function definition",
        &subject.text[start..],
    );
}

/// The length of `() {` (with blanks or NULs inside) at the start of `text`.
fn function_head(text: &[u8]) -> Option<usize> {
    let mut idx = 0;
    if text.first() != Some(&b'(') {
        return None;
    }
    idx += 1;
    while text.get(idx).is_some_and(|b| b.is_ascii_whitespace() || *b == 0) {
        idx += 1;
    }
    if text.get(idx) != Some(&b')') {
        return None;
    }
    idx += 1;
    while text.get(idx).is_some_and(u8::is_ascii_whitespace) {
        idx += 1;
    }
    (text.get(idx) == Some(&b'{')).then_some(idx + 1)
}
