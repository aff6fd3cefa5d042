//! Historical files: from the user's arguments to ordered, readable sources.
//!
//! # Arguments
//!
//! [`expand_sources`] takes each argument as one of:
//!
//! - `-`: standard input;
//! - a path to a file (or to anything readable that is not a directory, such
//!   as the pipe behind `<(zcat old.log.gz)`);
//! - a glob (`/var/log/nginx/access.log*`) when it contains `*`, `?` or `[`
//!   and no file has that literal name. Hidden files match only when the
//!   pattern spells the leading dot; directories that match are skipped.
//!
//! An argument that cannot be used (a missing file, a directory, a glob that
//! matches no file, a file that cannot be opened) becomes a [`SourceProblem`]
//! with a message for the user; the other arguments still proceed. A file
//! named twice (by two globs, or as `logs/a.log` and `./logs/a.log`) is read
//! once, at its first place.
//!
//! # Order
//!
//! Lines must reach detection in time order, so files of one rotated set are
//! put oldest first. Two files are in the same set when they are in the same
//! directory and have the same *base name*: the file name without a
//! compression extension (`.gz`, `.zst`, `.zstd`, `.xz`, `.bz2`) and without
//! a rotation suffix. Within a set:
//!
//! 1. numbered files come first, the highest number first, since logrotate
//!    and savelog shift older files to higher numbers: `access.log.3.gz`,
//!    `access.log.2.gz`, `access.log.1`, `access.log.0`. A number is a `.`
//!    followed by 1 to 7 digits;
//! 2. then dated files, in date order: `access.log-20261119.gz`,
//!    `access.log-20261120`. A date is a `-`, `_` or `.` followed by at least
//!    8 digits, possibly grouped by `-`, `_` or `.` (`-2026-11-19`); Unix
//!    times such as Apache rotatelogs' `access.log.1763596800` count as
//!    dates, which is their order too;
//! 3. last the live file, `access.log` (after a compressed `access.log.gz`
//!    when both exist).
//!
//! Files of the same rank keep the order in which they were named.
//! Different sets, standard input and files that belong to no set keep the
//! user's order of their first appearance: `error.log access.log.1
//! access.log` reads `error.log`, then `access.log.1`, then `access.log`.
//!
//! # Reading
//!
//! [`Source::open`] chooses the decoder from the first bytes, whatever the
//! name says: gzip (`1f 8b`, any number of members, as `cat a.gz b.gz`
//! makes), zstd (`28 b5 2f fd`, any number of frames), otherwise plain. xz
//! and bzip2 are recognized and refused with a command that decompresses
//! them. The [`Reader`] counts the raw bytes it consumed, so that a progress
//! bar can compare them with [`Source::size`].

mod reader;
pub(crate) mod rotation;
mod source;
mod zstd;

pub use reader::{Compression, Reader};
pub use source::{Source, SourceProblem, expand_sources};
