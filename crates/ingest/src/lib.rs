//! Turns what the user names on the command line into an ordered list of
//! sources, and reads each source as raw lines.
//!
//! The path from arguments to lines has three steps:
//!
//! 1. [`expand_sources`] resolves paths, globs and `-` (standard input) into
//!    [`Source`]s, reports every argument it cannot use as a
//!    [`SourceProblem`] (the others still proceed), drops duplicates and puts
//!    rotated sets (`access.log.2.gz`, `access.log.1`, `access.log`) oldest
//!    first. The [`file`](mod@file) module documents the ordering rule.
//! 2. [`Source::open`] opens a source as a [`Reader`]: decompression is chosen
//!    by the first bytes (gzip, zstd or plain), never by the file name, and
//!    the compressed bytes consumed are counted for a progress bar
//!    ([`Reader::progress`]).
//! 3. [`LineReader`] splits any [`std::io::Read`] into [`Line`]s borrowed from
//!    its buffer: no copy, no allocation per line, bounded memory whatever the
//!    input. Unusual lines are returned with a [`LineIssue`] (too long, no
//!    trailing newline, NUL bytes) for the caller to count.
//!
//! ```no_run
//! let args = vec!["/var/log/nginx/access.log*".to_owned()];
//! let (sources, problems) = ingest::expand_sources(&args);
//! for problem in &problems {
//!     eprintln!("{problem}");
//! }
//! for source in &sources {
//!     let mut lines = source.lines(ingest::DEFAULT_MAX_LINE_BYTES)?;
//!     while let Some(line) = lines.next_line() {
//!         let line = line?;
//!         // Parse `line.bytes`; count `line.issue`.
//!     }
//! }
//! # Ok::<(), ingest::Error>(())
//! ```
//!
//! Live input has two more entry points: [`follow::Follower`] follows files
//! and globs across rotation with serialisable checkpoints, and
//! [`syslog`] parses, frames and receives syslog messages over UDP and TCP.
//!
//! Deliberately not here: what a line means (the `parsers` crate), UTF-8
//! validation (the caller decides how to treat invalid text), and when to
//! commit a checkpoint (after the caller has processed the lines).

pub mod file;
pub mod follow;
mod line;
pub mod syslog;

pub use file::{Compression, Reader, Source, SourceProblem, expand_sources};
pub use line::{DEFAULT_BUFFER_BYTES, DEFAULT_MAX_LINE_BYTES, Line, LineIssue, LineReader};

/// Why a source could not be opened or read to its end.
///
/// Every variant names the source as it is shown to the user
/// ([`Source::display`]), so the message can be printed as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The source could not be opened, or its first bytes could not be read.
    #[error("cannot open {source_display}: {message}")]
    Open {
        /// The source as shown to the user.
        source_display: String,
        /// What went wrong, lowercase (`no such file`, `permission denied`).
        message: String,
    },
    /// The source is compressed in a format this crate does not decode.
    #[error(
        "{source_display} is {format}-compressed, which is not supported \
         (decompress it and pass the result, e.g. `{command} {source_display} | leakguard analyze -`)"
    )]
    UnsupportedCompression {
        /// The source as shown to the user.
        source_display: String,
        /// The format recognized from the first bytes (`xz`, `bzip2`).
        format: &'static str,
        /// A command that decompresses it to standard output.
        command: &'static str,
    },
    /// Reading stopped in the middle of a source: an IO error, or corrupt
    /// compressed data. The lines before it were returned.
    #[error("reading {source_display} {}: {message}", after_line(*line))]
    Read {
        /// The source as shown to the user.
        source_display: String,
        /// The number of the last line returned before the error (0 when the
        /// error came before the first line).
        line: u64,
        /// What went wrong, lowercase (`corrupt deflate stream`).
        message: String,
    },
}

/// The result of this crate's fallible operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn after_line(line: u64) -> String {
    if line == 0 { "before the first line".to_owned() } else { format!("after line {line}") }
}

/// Describes an IO error in the crate's message style: lowercase, without
/// the `(os error N)` suffix.
fn describe_io_error(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file".to_owned(),
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        ErrorKind::IsADirectory => "is a directory".to_owned(),
        ErrorKind::UnexpectedEof => "unexpected end of data (the file is truncated)".to_owned(),
        _ => {
            let text = error.to_string();
            let text = match text.find(" (os error ") {
                Some(idx) => &text[..idx],
                None => &text,
            };
            lowercase_first(text)
        }
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms ("IO error") as they are.
        Some(first) if !chars.next().is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(text[first.len_utf8()..].chars()).collect()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests;
