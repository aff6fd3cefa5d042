//! Reading a parsed YAML value into rule definitions while collecting problems.
//!
//! Every read names the path it is at, so a problem can be reported at the
//! line of the offending key (see `location`).

use serde_yaml_ng::Value;

use crate::Problem;
use crate::location::{Step, line_of};
use crate::problem::did_you_mean;

/// A path into the document, from the root.
pub(crate) type Path = Vec<Step>;

pub(crate) fn child(path: &[Step], key: &str) -> Path {
    let mut path = path.to_vec();
    path.push(Step::Key(key.to_owned()));
    path
}

pub(crate) fn item(path: &[Step], index: usize) -> Path {
    let mut path = path.to_vec();
    path.push(Step::Index(index));
    path
}

/// Collects problems for one source text.
#[derive(Debug)]
pub(crate) struct Reader<'s> {
    pub(crate) origin: &'s str,
    text: &'s str,
    pub(crate) problems: Vec<Problem>,
}

impl<'s> Reader<'s> {
    pub(crate) fn new(origin: &'s str, text: &'s str) -> Reader<'s> {
        Reader { origin, text, problems: Vec::new() }
    }

    pub(crate) fn line(&self, path: &[Step]) -> usize {
        line_of(self.text, path)
    }

    pub(crate) fn problem(&mut self, path: &[Step], message: impl Into<String>) {
        let line = self.line(path);
        self.problems.push(Problem::new(self.origin, line, message));
    }

    /// The entries of a mapping, or a problem when `value` is not one.
    pub(crate) fn mapping<'v>(
        &mut self,
        value: &'v Value,
        path: &[Step],
        what: &str,
    ) -> Option<Fields<'v>> {
        let Value::Mapping(mapping) = value else {
            self.problem(path, format!("{what} must be a mapping, not {}", describe(value)));
            return None;
        };
        let mut entries = Vec::with_capacity(mapping.len());
        for (key, value) in mapping {
            match key {
                Value::String(key) => entries.push((key.as_str(), value, false)),
                other => self.problem(path, format!("keys must be text, not {}", describe(other))),
            }
        }
        Some(Fields { entries, path: path.to_vec() })
    }

    /// A sequence's items; a single value counts as a list of one when `lenient`.
    pub(crate) fn list<'v>(
        &mut self,
        value: &'v Value,
        path: &[Step],
        what: &str,
        lenient: bool,
    ) -> Option<Vec<(&'v Value, Path)>> {
        match value {
            Value::Sequence(items) => Some(
                items.iter().enumerate().map(|(idx, value)| (value, item(path, idx))).collect(),
            ),
            other if lenient && !matches!(other, Value::Mapping(_)) => {
                Some(vec![(other, path.to_vec())])
            }
            other => {
                self.problem(path, format!("{what} must be a list, not {}", describe(other)));
                None
            }
        }
    }

    /// Text; numbers and booleans are accepted as their text when `lenient`.
    pub(crate) fn text(
        &mut self,
        value: &Value,
        path: &[Step],
        what: &str,
        lenient: bool,
    ) -> Option<String> {
        match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) if lenient => Some(number.to_string()),
            Value::Bool(flag) if lenient => Some(flag.to_string()),
            other => {
                self.problem(path, format!("{what} must be text, not {}", describe(other)));
                None
            }
        }
    }

    pub(crate) fn unsigned(&mut self, value: &Value, path: &[Step], what: &str) -> Option<u64> {
        match value {
            Value::Number(number) if number.as_u64().is_some() => number.as_u64(),
            Value::String(text) if text.parse::<u64>().is_ok() => text.parse().ok(),
            other => {
                self.problem(
                    path,
                    format!("{what} must be a whole number, not {}", describe(other)),
                );
                None
            }
        }
    }

    pub(crate) fn float(&mut self, value: &Value, path: &[Step], what: &str) -> Option<f64> {
        match value {
            Value::Number(number) if number.as_f64().is_some() => number.as_f64(),
            other => {
                self.problem(path, format!("{what} must be a number, not {}", describe(other)));
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, value: &Value, path: &[Step], what: &str) -> Option<bool> {
        match value {
            Value::Bool(flag) => Some(*flag),
            other => {
                self.problem(
                    path,
                    format!("{what} must be true or false, not {}", describe(other)),
                );
                None
            }
        }
    }
}

/// A mapping being read: take the known keys, then `finish` reports the rest.
#[derive(Debug)]
pub(crate) struct Fields<'v> {
    entries: Vec<(&'v str, &'v Value, bool)>,
    pub(crate) path: Path,
}

impl<'v> Fields<'v> {
    /// The value of `key` and its path, marking it as read.
    pub(crate) fn take(&mut self, key: &str) -> Option<(&'v Value, Path)> {
        let entry = self.entries.iter_mut().find(|(name, _, _)| *name == key)?;
        entry.2 = true;
        Some((entry.1, child(&self.path, key)))
    }

    /// Whether the mapping has `key` (read or not).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(name, _, _)| *name == key)
    }

    /// Keys not read yet, with their values and paths, marking them as read.
    pub(crate) fn rest(&mut self) -> Vec<(&'v str, &'v Value, Path)> {
        let path = self.path.clone();
        self.entries
            .iter_mut()
            .filter(|(_, _, used)| !used)
            .map(|entry| {
                entry.2 = true;
                (entry.0, entry.1, child(&path, entry.0))
            })
            .collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reports every key that was not read as unknown, suggesting a known one.
    pub(crate) fn finish(mut self, reader: &mut Reader<'_>, known: &[&str]) {
        for (key, _, path) in self.rest() {
            reader.problem(&path, format!("unknown field \"{key}\"{}", did_you_mean(key, known)));
        }
    }
}

/// How a value reads in a message: `a list`, `the number 3`, `"abc"`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Bool(flag) => format!("{flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) => format!("\"{text}\""),
        Value::Sequence(_) => "a list".to_owned(),
        Value::Mapping(_) => "a mapping".to_owned(),
        Value::Tagged(tagged) => format!("a value tagged {}", tagged.tag),
    }
}
