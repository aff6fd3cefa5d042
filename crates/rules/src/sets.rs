//! Named sets of strings that conditions refer to (`{in_set: sensitive-paths}`).

use std::collections::BTreeMap;
use std::sync::Arc;

/// Named sets of strings supplied by the caller (typically one per file in
/// `rules/data/`, named after the file: `sensitive-paths`).
#[derive(Debug, Clone, Default)]
pub struct Sets {
    sets: BTreeMap<String, Arc<[Box<str>]>>,
}

impl Sets {
    /// No sets.
    pub fn new() -> Sets {
        Sets::default()
    }

    /// Adds (or replaces) the set `name`.
    pub fn insert<S: Into<String>>(
        &mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) {
        let values: Vec<Box<str>> = values.into_iter().map(|value| value.into().into()).collect();
        self.sets.insert(name.into(), values.into());
    }

    /// The values of the set `name`.
    pub fn get(&self, name: &str) -> Option<&[Box<str>]> {
        self.sets.get(name).map(|values| &**values)
    }

    /// The names of all sets, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sets.keys().map(String::as_str)
    }
}

/// Parses a set file: one value per line; surrounding spaces are trimmed, and
/// blank lines and lines starting with `#` are skipped.
pub fn parse_set(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}
