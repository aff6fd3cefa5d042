//! Resolving the user's arguments into sources, and opening them.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::reader::Reader;
use super::rotation::{Age, parse_rotated_name};
use crate::{Error, LineReader, Result, describe_io_error};

/// One input as the user named it: a file, or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file to read; `None` for standard input.
    pub path: Option<PathBuf>,
    /// How to name the source to the user: the path as given or as the glob
    /// produced it, or `<stdin>`.
    pub display: String,
    /// The size in bytes of a regular file when it was found (compressed
    /// size for a compressed file); `None` for standard input and pipes.
    pub size: Option<u64>,
}

/// An argument that gave no source, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProblem {
    /// The argument as the user gave it (for a glob, the path it matched
    /// when only that one was the problem).
    pub arg: String,
    /// A message for the user that names the argument
    /// (`no such file: logs/acess.log`).
    pub message: String,
}

impl fmt::Display for SourceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Source {
    /// How standard input is named to the user.
    pub const STDIN_DISPLAY: &str = "<stdin>";

    /// Standard input.
    pub fn stdin() -> Self {
        Source { path: None, display: Self::STDIN_DISPLAY.to_owned(), size: None }
    }

    /// Whether this is standard input.
    pub fn is_stdin(&self) -> bool {
        self.path.is_none()
    }

    /// Opens the source, choosing the decoder from its first bytes.
    ///
    /// The file is opened again here, so one that disappeared since
    /// [`expand_sources`] (rotated away) is an [`Error::Open`].
    pub fn open(&self) -> Result<Reader> {
        match &self.path {
            None => Reader::new(io::stdin(), &self.display),
            Some(path) => {
                let file = fs::File::open(path).map_err(|error| Error::Open {
                    source_display: self.display.clone(),
                    message: describe_io_error(&error),
                })?;
                Reader::new(file, &self.display)
            }
        }
    }

    /// Opens the source and reads it as lines of at most `max_line_bytes`;
    /// errors name the source.
    pub fn lines(&self, max_line_bytes: usize) -> Result<LineReader<Reader>> {
        Ok(LineReader::new(self.open()?, max_line_bytes).with_display(&self.display))
    }
}

/// Resolves arguments (paths, globs, `-`) into sources in reading order,
/// and the arguments that gave none.
///
/// The rules, and the order of rotated sets, are on the [`file`](super)
/// module. This only looks at the file system; nothing is read yet.
pub fn expand_sources(args: &[String]) -> (Vec<Source>, Vec<SourceProblem>) {
    let mut found = Found::default();
    for arg in args {
        if arg.is_empty() {
            found.problem(arg, "empty file name given".to_owned());
        } else if arg == "-" {
            // Standard input can be read only once.
            if !std::mem::replace(&mut found.has_stdin, true) {
                found.push(Source::stdin(), None, Age::Live { is_plain: true });
            }
        } else if is_glob(arg) && fs::symlink_metadata(arg).is_err() {
            found.expand_glob(arg);
        } else {
            found.add_path(arg, Path::new(arg));
        }
    }
    let Found { entries, problems, .. } = found;
    (order_rotated_sets(entries), problems)
}

/// A source with what ordering needs to know of it.
#[derive(Debug)]
struct Entry {
    source: Source,
    /// The rotated set: the canonical directory and the base name. `None`
    /// for standard input, which is a set of its own.
    set: Option<(PathBuf, String)>,
    age: Age,
}

#[derive(Debug, Default)]
struct Found {
    entries: Vec<Entry>,
    problems: Vec<SourceProblem>,
    /// Canonical paths already taken, and whether standard input is.
    seen: HashSet<PathBuf>,
    has_stdin: bool,
}

impl Found {
    fn push(&mut self, source: Source, set: Option<(PathBuf, String)>, age: Age) {
        self.entries.push(Entry { source, set, age });
    }

    fn problem(&mut self, arg: &str, message: String) {
        self.problems.push(SourceProblem { arg: arg.to_owned(), message });
    }

    fn expand_glob(&mut self, pattern: &str) {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        let paths = match glob::glob_with(pattern, options) {
            Ok(paths) => paths,
            Err(error) => {
                let message = format!("invalid glob \"{pattern}\": {}", error.msg);
                return self.problem(pattern, message);
            }
        };
        let mut n_files = 0;
        for entry in paths {
            match entry {
                Ok(path) => {
                    // A glob such as `logs/*` may well match directories too;
                    // they are not what the user meant, so skip them quietly.
                    if !path.is_dir() {
                        n_files += 1;
                        self.add_path(&path.display().to_string(), &path);
                    }
                }
                Err(error) => {
                    let display = error.path().display().to_string();
                    let message =
                        format!("cannot read {display}: {}", describe_io_error(error.error()));
                    self.problem(&display, message);
                }
            }
        }
        if n_files == 0 {
            self.problem(pattern, format!("glob \"{pattern}\" matched no files"));
        }
    }

    /// Adds the file at `path`, named `arg` to the user (as the argument or
    /// as the glob produced it).
    fn add_path(&mut self, arg: &str, path: &Path) {
        let metadata = match fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let message = match similar_file(path) {
                    Some(similar) => format!("no such file: {arg} (did you mean {similar}?)"),
                    None => format!("no such file: {arg}"),
                };
                return self.problem(arg, message);
            }
            Err(error) => {
                let message = format!("cannot read {arg}: {}", describe_io_error(&error));
                return self.problem(arg, message);
            }
        };
        if metadata.is_dir() {
            let slash = if arg.ends_with('/') { "" } else { "/" };
            let message = format!("is a directory: {arg} (pass the files, e.g. {arg}{slash}*.log)");
            return self.problem(arg, message);
        }
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.insert(canonical) {
            return;
        }
        let size = if metadata.is_file() {
            // Open a regular file now, so that one we may not read is
            // reported with the other problems rather than midway through
            // the run. Pipes and devices are left alone: opening a named
            // pipe blocks until a writer comes.
            if let Err(error) = fs::File::open(path) {
                let message = format!("cannot read {arg}: {}", describe_io_error(&error));
                return self.problem(arg, message);
            }
            Some(metadata.len())
        } else {
            None
        };
        let name = path.file_name().map(|name| name.to_string_lossy()).unwrap_or_default();
        let rotated = parse_rotated_name(&name);
        let set = (canonical_parent(path), rotated.base.to_owned());
        let source = Source { path: Some(path.to_path_buf()), display: arg.to_owned(), size };
        self.push(source, Some(set), rotated.age);
    }
}

/// Whether an argument is meant as a glob pattern.
fn is_glob(arg: &str) -> bool {
    arg.contains(['*', '?', '['])
}

/// The directory of `path`, canonical when it can be, so that `logs/a.log`
/// and `./logs/a.log.1` are seen in the same directory.
fn canonical_parent(path: &Path) -> PathBuf {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf())
}

/// Puts each rotated set's files oldest first, at the place where the set
/// first appeared.
fn order_rotated_sets(entries: Vec<Entry>) -> Vec<Source> {
    let mut set_places: HashMap<(PathBuf, String), usize> = HashMap::new();
    let mut keyed: Vec<(usize, Age, usize, Source)> = entries
        .into_iter()
        .enumerate()
        .map(|(idx, entry)| {
            let place = match entry.set {
                Some(set) => *set_places.entry(set).or_insert(idx),
                // Standard input is a set of its own.
                None => idx,
            };
            (place, entry.age, idx, entry.source)
        })
        .collect();
    keyed.sort_by(|left, right| (left.0, &left.1, left.2).cmp(&(right.0, &right.1, right.2)));
    keyed.into_iter().map(|(.., source)| source).collect()
}

/// Entries of a directory looked at for a "did you mean" hint.
const MAX_HINT_ENTRIES: usize = 10_000;

/// A file next to the missing `path` whose name is one or two typos away.
fn similar_file(path: &Path) -> Option<String> {
    let wanted = path.file_name()?.to_str()?;
    let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty());
    let entries = fs::read_dir(parent.unwrap_or(Path::new("."))).ok()?;
    let max_distance = if wanted.len() < 6 { 1 } else { 2 };
    let mut best: Option<(usize, String)> = None;
    for entry in entries.take(MAX_HINT_ENTRIES).flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let distance = edit_distance(wanted.as_bytes(), name.as_bytes());
        let is_better = best.as_ref().is_none_or(|(best_distance, best_name)| {
            (distance, name) < (*best_distance, best_name.as_str())
        });
        if distance <= max_distance && is_better {
            best = Some((distance, name.to_owned()));
        }
    }
    let (_, name) = best?;
    Some(match parent {
        Some(parent) => parent.join(name).display().to_string(),
        None => name,
    })
}

/// Levenshtein distance between two short names.
fn edit_distance(left: &[u8], right: &[u8]) -> usize {
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    let mut current = vec![0; right.len() + 1];
    for (left_idx, left_byte) in left.iter().enumerate() {
        current[0] = left_idx + 1;
        for (right_idx, right_byte) in right.iter().enumerate() {
            let substitution = previous[right_idx] + usize::from(left_byte != right_byte);
            current[right_idx + 1] =
                substitution.min(previous[right_idx + 1] + 1).min(current[right_idx] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[right.len()]
}
