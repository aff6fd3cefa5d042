//! User agents of attack and scanning tools (`sqlmap`, `Nikto`, `Nuclei`,
//! `masscan`...). A scripting library's agent (`python-requests`, `curl`) is
//! not one: shops' own integrations use them every day.

use crate::lexicon;
use crate::subject::{Findings, Subject};
use crate::{Confidence, Detector};

/// Tool names that span several words, lowercased.
const PHRASES: &[(&[u8], Confidence)] = &[
    (b"fuzz faster u fool", Confidence::High),
    (b"nmap scripting engine", Confidence::Medium),
    (b"owasp zap", Confidence::High),
    (b"burp suite", Confidence::High),
];

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    let flags = lexicon::SCANNER_HIGH | lexicon::SCANNER_MEDIUM | lexicon::SCANNER_HINT;
    if !subject.scan.has_word(flags) {
        return;
    }
    let lower = subject.lower;
    for (phrase, confidence) in PHRASES {
        if let Some(idx) = crate::patterns::find(lower, phrase) {
            findings.add_excerpt(
                Detector::Scanner,
                *confidence,
                "attack tool user agent",
                &subject.text[idx..idx + phrase.len()],
            );
            return;
        }
    }
    let mut idx = 0;
    while idx < lower.len() {
        let len =
            lower[idx..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        if len == 0 {
            idx += 1;
            continue;
        }
        let word = &subject.text[idx..idx + len];
        let flags = lexicon::lookup(word);
        if flags & lexicon::SCANNER_HIGH != 0 {
            let confidence = if flags & lexicon::SCANNER_MEDIUM != 0 {
                Confidence::Medium
            } else {
                Confidence::High
            };
            findings.add_excerpt(Detector::Scanner, confidence, "attack tool user agent", word);
            return;
        }
        idx += len;
    }
}
