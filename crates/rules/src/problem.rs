//! Problems found while reading rules, site configuration and fixture cases.

use std::fmt;

/// One thing wrong with a rule file (or a site setting), and where it is.
///
/// Displayed as `origin:line: message` (`rules/x.yaml:7: unknown field "thresold"`),
/// or `origin: message` when no line is known (line 0).
/// Validation collects every problem it finds rather than stopping at the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problem {
    /// Where the text came from: a file path as the caller named it, or a config key path.
    pub origin: String,
    /// The 1-based line the problem is on, 0 when unknown.
    pub line: usize,
    /// What is wrong, lowercase, naming the offending value.
    pub message: String,
}

impl Problem {
    /// A problem at a line of an origin.
    pub fn new(origin: &str, line: usize, message: impl Into<String>) -> Problem {
        Problem { origin: origin.to_owned(), line, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(f, "{}:{}: {}", self.origin, self.line, self.message)
        }
    }
}

/// The closest of `candidates` to a misspelled `word`, when one is close enough
/// to be worth suggesting (`thresold` → `threshold`).
pub(crate) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let mut best: Option<(usize, &'c str)> = None;
    for &candidate in candidates {
        let distance = edit_distance(word, candidate);
        let limit = (candidate.len() / 3).max(1);
        // A longer word starting with a known one (`counting` for `count`) is close too.
        let is_extension = candidate.len() >= 4 && word.starts_with(candidate);
        let distance = if is_extension { 1 } else { distance };
        if (distance <= limit || is_extension) && best.is_none_or(|(found, _)| distance < found) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// " (did you mean \"x\"?)" or nothing.
pub(crate) fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    match suggest(word, candidates) {
        Some(candidate) => format!(" (did you mean \"{candidate}\"?)"),
        None => String::new(),
    }
}

/// Edit distance counting a swap of neighbours as one edit (`hihg` → `high` is 1).
fn edit_distance(left: &str, right: &str) -> usize {
    let left: Vec<char> = left.chars().collect();
    let right: Vec<char> = right.chars().collect();
    let width = right.len() + 1;
    let mut table = vec![0usize; (left.len() + 1) * width];
    for (idx, cell) in table.iter_mut().enumerate().take(width) {
        *cell = idx;
    }
    for idx in 0..=left.len() {
        table[idx * width] = idx;
    }
    for idx in 1..=left.len() {
        for jdx in 1..=right.len() {
            let cost = usize::from(left[idx - 1] != right[jdx - 1]);
            let mut best = (table[(idx - 1) * width + jdx] + 1)
                .min(table[idx * width + jdx - 1] + 1)
                .min(table[(idx - 1) * width + jdx - 1] + cost);
            if idx > 1
                && jdx > 1
                && left[idx - 1] == right[jdx - 2]
                && left[idx - 2] == right[jdx - 1]
            {
                best = best.min(table[(idx - 2) * width + jdx - 2] + 1);
            }
            table[idx * width + jdx] = best;
        }
    }
    table[left.len() * width + right.len()]
}
