//! Sets of fixed strings searched in one pass over a text.
//!
//! Detectors look for dozens of fixed markers (`/etc/passwd`, `php://`,
//! `#_memberaccess`); one Aho-Corasick automaton per set finds them all in a
//! single scan instead of one scan per marker.

use aho_corasick::{AhoCorasick, MatchKind};

/// A compiled set of fixed byte strings (matched as written: callers search
/// lowercased text for lowercase patterns).
#[derive(Debug)]
pub(crate) struct PatternSet {
    automaton: AhoCorasick,
}

impl PatternSet {
    pub(crate) fn new<P: AsRef<[u8]>>(patterns: impl IntoIterator<Item = P>) -> PatternSet {
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(patterns)
            .expect("a set of fixed strings always compiles");
        PatternSet { automaton }
    }

    /// Every match, overlapping ones included: `(pattern index, start)`.
    pub(crate) fn matches<'a>(
        &'a self,
        text: &'a [u8],
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.automaton
            .find_overlapping_iter(text)
            .map(|found| (found.pattern().as_usize(), found.start()))
    }
}

/// The first occurrence of `needle` in `text`. For the short texts and
/// needles detectors use, scanning for the first byte beats building a
/// substring searcher per call.
pub(crate) fn find(text: &[u8], needle: &[u8]) -> Option<usize> {
    find_iter(text, needle).next()
}

/// Every occurrence of `needle` in `text` (overlapping), by start.
pub(crate) fn find_iter<'a>(text: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let first = needle.first().copied().unwrap_or(0);
    memchr::memchr_iter(first, text)
        .filter(move |&idx| !needle.is_empty() && text[idx..].starts_with(needle))
}

/// The last occurrence of `needle` in `text`.
pub(crate) fn rfind(text: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle.first().copied()?;
    memchr::memrchr_iter(first, text).find(|&idx| text[idx..].starts_with(needle))
}
