//! Log4Shell: `${jndi:ldap://...}` lookups, found after evaluating the
//! lookups attackers nest to hide the word `jndi` (`${${lower:j}ndi:`,
//! `${::-j}`, `${env:X:-j}`, `${date:'j'}`), the way Log4j itself would.

use crate::prefilter as class;
use crate::subject::{Findings, Subject};
use crate::{Confidence, Detector};

/// Most nested lookups evaluated, and evaluation passes.
const MAX_DEPTH: usize = 16;
const MAX_PASSES: usize = 3;

/// Lookup prefixes Log4j knows; used in payloads to leak or to obfuscate.
const LOOKUPS: &[&[u8]] = &[
    b"jndi:",
    b"lower:",
    b"upper:",
    b"env:",
    b"sys:",
    b"date:",
    b"java:",
    b"main:",
    b"ctx:",
    b"base64:",
    b"k8s:",
    b"docker:",
    b"web:",
    b"spring:",
    b"log4j:",
    b"bundle:",
    b"marker:",
    b"sd:",
    b"map:",
    b"event:",
    b"jvmrunargs:",
    b"::-",
];

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    if !(subject.scan.has(class::DOLLAR) && subject.scan.has(class::BRACE)) {
        return;
    }
    let Some(first) = crate::patterns::find(subject.lower, b"${") else { return };
    let mut text = subject.lower.to_vec();
    let mut has_lookup = false;
    for _ in 0..MAX_PASSES {
        let mut state = State::default();
        let expanded = expand(&text, 0, &mut state);
        if state.has_jndi {
            findings.add_excerpt(
                Detector::Log4shell,
                Confidence::High,
                "JNDI lookup",
                &subject.text[first..],
            );
            return;
        }
        has_lookup |= state.has_lookup;
        if expanded == text || crate::patterns::find(&expanded, b"${").is_none() {
            break;
        }
        text = expanded;
    }
    if has_lookup {
        findings.add_excerpt(
            Detector::Log4shell,
            Confidence::Medium,
            "Log4j lookup",
            &subject.text[first..],
        );
    }
}

#[derive(Debug, Default)]
struct State {
    has_jndi: bool,
    has_lookup: bool,
}

/// Replaces each `${...}` in `text` by what Log4j would put there.
fn expand(text: &[u8], depth: usize, state: &mut State) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut idx = 0;
    while idx < text.len() {
        if depth < MAX_DEPTH && text[idx..].starts_with(b"${") {
            let close = matching_brace(text, idx + 2);
            let inner = expand(&text[idx + 2..close], depth + 1, state);
            out.extend_from_slice(&evaluate(&inner, state));
            idx = (close + 1).min(text.len());
        } else {
            out.push(text[idx]);
            idx += 1;
        }
    }
    out
}

/// The index of the `}` closing a lookup whose body starts at `from`.
fn matching_brace(text: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut idx = from;
    while idx < text.len() {
        if text[idx..].starts_with(b"${") {
            depth += 1;
            idx += 2;
            continue;
        }
        if text[idx] == b'}' {
            if depth == 0 {
                return idx;
            }
            depth -= 1;
        }
        idx += 1;
    }
    text.len()
}

/// The value of one lookup body (already expanded inside).
fn evaluate(key: &[u8], state: &mut State) -> Vec<u8> {
    let key = key.trim_ascii();
    if key.starts_with(b"jndi:") {
        state.has_jndi = true;
        return Vec::new();
    }
    if LOOKUPS.iter().any(|prefix| key.starts_with(prefix))
        || crate::patterns::find(key, b":-").is_some()
    {
        state.has_lookup = true;
    }
    if let Some(idx) = crate::patterns::find(key, b":-") {
        return key[idx + 2..].to_vec();
    }
    for prefix in [&b"lower:"[..], b"upper:"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            return rest.to_vec();
        }
    }
    if let Some(rest) = key.strip_prefix(b"date:") {
        return rest.iter().copied().filter(|b| *b != b'\'').collect();
    }
    if let Some(rest) = key.strip_prefix(b"base64:") {
        return crate::traversal::decode_base64(rest).to_ascii_lowercase();
    }
    Vec::new()
}
