//! Pwned passwords: the corpus of password hashes seen in breaches, as the
//! Have I Been Pwned downloader writes it, and the answers built from it.
//!
//! A [`Corpus`] opens either the downloader's folder (one file per 5-hex
//! prefix, named `ABCDE.txt` or `ABCDE`, holding `SUFFIX:COUNT` lines) or a
//! packed file written by [`pack_directory`] (a header, an index of where
//! each of the 1,048,576 prefixes starts, then fixed-size binary records; one
//! positioned read per prefix). [`Corpus::bucket`] gives one prefix's hashes,
//! [`render_range`] writes them as the range API answers (`SUFFIX:COUNT`
//! lines, CRLF, upper-case hex, optionally padded with fake suffixes of count
//! 0), and [`Corpus::count`] tells how often a full hash was seen.
//!
//! It knows nothing of HTTP, logins or configuration, and it never logs:
//! prefixes, hashes and passwords are the caller's secrets. Hashing a
//! password is the caller's business too (SHA-1 of its UTF-8 bytes for the
//! SHA-1 corpus).

mod bucket;
mod directory;
mod packed;
mod range;

pub use bucket::Bucket;
pub use packed::{PackReport, pack_directory, write_packed};
pub use range::{MAX_PADDED_LINES, MIN_PADDED_LINES, render_range};

use std::path::{Path, PathBuf};

/// The number of prefixes: every value of 5 hexadecimal digits.
pub const N_PREFIXES: u32 = 1 << 20;

/// Which hash a corpus holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashKind {
    /// SHA-1 of the password's UTF-8 bytes (40 hex digits).
    Sha1,
    /// NTLM: MD4 of the password's UTF-16LE bytes (32 hex digits).
    Ntlm,
}

impl HashKind {
    /// The hash's length in bytes.
    pub fn hash_len(self) -> usize {
        match self {
            HashKind::Sha1 => 20,
            HashKind::Ntlm => 16,
        }
    }

    /// The number of hex digits after the 5-digit prefix.
    pub fn suffix_hex_len(self) -> usize {
        self.hash_len() * 2 - 5
    }

    /// The name used in files and messages: `sha1` or `ntlm`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashKind::Sha1 => "sha1",
            HashKind::Ntlm => "ntlm",
        }
    }

    fn code(self) -> u8 {
        match self {
            HashKind::Sha1 => 1,
            HashKind::Ntlm => 2,
        }
    }
}

/// The first 5 hex digits of a hash: a number below [`N_PREFIXES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Prefix(u32);

impl Prefix {
    /// The prefix as a number.
    pub fn value(self) -> u32 {
        self.0
    }

    /// The prefix of a number; `None` at or above [`N_PREFIXES`].
    pub fn from_value(value: u32) -> Option<Prefix> {
        (value < N_PREFIXES).then_some(Prefix(value))
    }

    /// The prefix of a full hash.
    pub fn of_hash(hash: &[u8]) -> Prefix {
        let byte = |idx: usize| u32::from(hash.get(idx).copied().unwrap_or(0));
        Prefix((byte(0) << 12) | (byte(1) << 4) | (byte(2) >> 4))
    }

    /// Upper-case hex, as in file names.
    pub fn to_hex(self) -> String {
        format!("{:05X}", self.0)
    }
}

impl std::str::FromStr for Prefix {
    type Err = Error;

    /// Exactly 5 hex digits, either case.
    fn from_str(text: &str) -> Result<Prefix> {
        if text.len() != 5 {
            return Err(Error::InvalidPrefix { len: text.len() });
        }
        u32::from_str_radix(text, 16)
            .ok()
            .filter(|_| text.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .map(Prefix)
            .ok_or(Error::InvalidPrefix { len: text.len() })
    }
}

/// Parses a full hash of `kind` from hex (either case).
pub fn parse_hash(kind: HashKind, text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() != kind.hash_len() * 2 {
        return None;
    }
    let digits: Option<Vec<u8>> = text.bytes().map(hex_value).collect();
    let digits = digits?;
    Some(digits.chunks(2).map(|pair| (pair[0] << 4) | pair[1]).collect())
}

pub(crate) fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// What can go wrong.
///
/// No variant carries a prefix, a hash or a password: messages may reach logs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A prefix that is not 5 hex digits.
    #[error("invalid prefix of {len} characters; use 5 hexadecimal digits (0-9, A-F)")]
    InvalidPrefix {
        /// How long the given text was.
        len: usize,
    },
    /// A file or folder that could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file that could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line of a prefix file that is not `SUFFIX:COUNT`.
    #[error("{path}:{line}: {problem}")]
    BadLine {
        /// The prefix file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong (never the line itself).
        problem: String,
    },
    /// A packed file that is damaged or not a packed corpus.
    #[error("{path} is not a usable packed corpus: {problem}")]
    NotPacked {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A packed corpus of the other hash kind.
    #[error("{path} holds {found} hashes, not {wanted}")]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// The kind in the file.
        found: &'static str,
        /// The kind asked for.
        wanted: &'static str,
    },
    /// A folder with two files for one prefix (`ABCDE` and `ABCDE.txt`).
    #[error("{path}: two files for the same prefix ({first} and {second})")]
    DuplicatePrefix {
        /// The folder.
        path: PathBuf,
        /// One file name.
        first: String,
        /// The other.
        second: String,
    },
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where a corpus's hashes come from.
#[derive(Debug)]
enum Source {
    Directory(directory::Directory),
    Packed(packed::Packed),
}

/// A corpus of breached password hashes of one kind.
#[derive(Debug)]
pub struct Corpus {
    kind: HashKind,
    path: PathBuf,
    source: Source,
}

impl Corpus {
    /// Opens a folder of per-prefix files or a packed file (recognised by its header).
    pub fn open(path: &Path, kind: HashKind) -> Result<Corpus> {
        let metadata = std::fs::metadata(path)
            .map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let source = if metadata.is_dir() {
            Source::Directory(directory::Directory::new(path, kind))
        } else {
            Source::Packed(packed::Packed::open(path, kind)?)
        };
        Ok(Corpus { kind, path: path.to_path_buf(), source })
    }

    /// The kind of hash it holds.
    pub fn kind(&self) -> HashKind {
        self.kind
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether it is a packed file (rather than a folder of prefix files).
    pub fn is_packed(&self) -> bool {
        matches!(self.source, Source::Packed(_))
    }

    /// The number of hashes, when known without reading everything (packed files).
    pub fn n_hashes(&self) -> Option<u64> {
        match &self.source {
            Source::Directory(_) => None,
            Source::Packed(packed) => Some(packed.n_records()),
        }
    }

    /// The hashes under one prefix, sorted; empty when the corpus has none.
    pub fn bucket(&self, prefix: Prefix) -> Result<Bucket> {
        match &self.source {
            Source::Directory(directory) => directory.bucket(prefix),
            Source::Packed(packed) => packed.bucket(prefix),
        }
    }

    /// How many times a full hash was seen in breaches (0 when never).
    pub fn count(&self, hash: &[u8]) -> Result<u32> {
        if hash.len() != self.kind.hash_len() {
            return Ok(0);
        }
        Ok(self.bucket(Prefix::of_hash(hash))?.count_of(hash))
    }
}

#[cfg(test)]
mod tests;
