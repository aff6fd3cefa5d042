//! Following live files across rotation, with checkpoints.
//!
//! A [`Follower`] watches paths and globs (`/var/log/nginx/access.log`,
//! `/srv/shop/var/log/*.log`) and, on each [`Follower::poll`], reads what
//! was appended since the last one and hands out complete lines as
//! [`FollowedLine`]s, each with the file it came from and its byte offsets.
//! It is polling based and clock free: the caller calls `poll` every
//! [`FollowConfig::poll_interval`] and passes the current [`Instant`], so
//! tests drive it step by step.
//!
//! # Rotation
//!
//! A file is known by its device and inode numbers and by a [`Fingerprint`]
//! of its first bytes ([`FileId`]). Each poll looks at every followed path:
//!
//! - **rename and create** (logrotate's default, `savelog`): the path now
//!   holds another file. The old one stays open and is *drained*: read to
//!   its end for at least [`FollowConfig::rotate_wait`] after the rotation
//!   was seen, since the server keeps writing it until it reopens its logs;
//!   the new file is read from its beginning meanwhile.
//! - **copytruncate**: the file is shorter than what was read, or its first
//!   bytes changed. Reading restarts at offset 0. Lines written after the
//!   last poll and before the truncation are lost: they exist only in the
//!   copy (logrotate documents this window for `copytruncate`).
//! - **compression** of the rotated file (`access.log.1` becomes
//!   `access.log.1.gz`): the open descriptor keeps reading the original
//!   inode. After a restart, a checkpoint whose inode is gone is found
//!   again by its fingerprint in the compressed sibling, decompressed and
//!   read from its offset.
//! - **delete and recreate**: like a rename; the deleted file is drained
//!   through its open descriptor.
//!
//! When a rotation is seen, the rotated siblings of the path (same
//! directory, same base name: `access.log.1`, `access.log.2.gz`,
//! `access.log-20261201`) are looked at too: one that is neither followed
//! nor already finished is a generation that was rotated away between two
//! polls (or while the follower was down), and is read from its beginning.
//! Siblings present on a fresh start are history and are not read.
//! A glob never picks up numbered or compressed files as new sources.
//!
//! # Where reading starts
//!
//! On a fresh start, [`StartAt`] says where in the files present at the
//! first poll (after the last newline, for [`StartAt::End`]). With a
//! [`FollowState`] from an earlier run, every file it names is found again
//! and read from its checkpoint; files it does not name were created since,
//! and are read from their beginning.
//!
//! # Lines
//!
//! Lines are split as [`LineReader`](crate::LineReader) splits them, with
//! the same [`LineIssue`]s. A partial last line is held until its newline
//! arrives, or handed out marked [`LineIssue::NoTrailingNewline`] once it
//! has been idle for [`FollowConfig::partial_line_timeout`] (the rest, if
//! it comes, is then a line of its own). A line over `max_line_bytes` is
//! cut and marked [`LineIssue::TooLong`] when its newline arrives; only the
//! kept part is held in memory.
//!
//! Problems (a file that cannot be read, a checkpoint whose file is gone)
//! are reported as [`Notice`]s in the [`PollReport`]; `poll` never fails.
//! This module needs Unix (device and inode numbers).

mod checkpoint;
mod split;

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

pub use checkpoint::{Checkpoint, FINGERPRINT_BYTES, FileId, Fingerprint, FollowState};

use self::checkpoint::{fnv1a, read_prefix};
use self::split::{Piece, Splitter};
use crate::file::rotation::{Age, parse_rotated_name};
use crate::{Compression, DEFAULT_MAX_LINE_BYTES, LineIssue, Reader, describe_io_error};

/// The size of each read.
const READ_CHUNK_BYTES: usize = 256 * 1024;

/// Where a fresh start begins in the files that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartAt {
    /// From their first byte.
    Beginning,
    /// After their last newline: only lines completed from now on.
    #[default]
    End,
}

/// How a [`Follower`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowConfig {
    /// Where a fresh start begins in existing files (ignored for files named
    /// in a [`FollowState`]).
    pub start_at: StartAt,
    /// Lines longer than this are cut and marked [`LineIssue::TooLong`].
    pub max_line_bytes: usize,
    /// How often the caller should call [`Follower::poll`]; the follower
    /// itself never waits.
    pub poll_interval: Duration,
    /// Hand out a partial last line after it has been idle this long;
    /// `None` holds it until its newline comes (or its file is finished).
    pub partial_line_timeout: Option<Duration>,
    /// How long a rotated or deleted file keeps being read after the
    /// rotation was seen (it is dropped at its end once this has passed).
    pub rotate_wait: Duration,
    /// At most this many bytes are read from one file in one poll, so one
    /// busy file cannot starve the others nor make a batch unbounded;
    /// [`PollReport::is_caught_up`] says whether more is waiting.
    pub read_bytes_per_poll: u64,
}

impl Default for FollowConfig {
    fn default() -> Self {
        FollowConfig {
            start_at: StartAt::End,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            poll_interval: Duration::from_millis(250),
            partial_line_timeout: Some(Duration::from_secs(5)),
            rotate_wait: Duration::from_secs(10),
            read_bytes_per_poll: 4 * 1024 * 1024,
        }
    }
}

/// One line of a followed file, borrowed until the callback returns.
#[derive(Debug, Clone, Copy)]
pub struct FollowedLine<'a> {
    /// The source as the user named it: the path or glob that found the
    /// file (for a rotated file, the one that found its live file).
    pub source: &'a str,
    /// Where the file was when the line was read.
    pub path: &'a Path,
    /// The file's identity.
    pub file: &'a FileId,
    /// The offset of the line's first byte (decompressed, for a compressed
    /// file).
    pub offset: u64,
    /// The offset after its newline: where a restart would resume.
    pub end_offset: u64,
    /// The line without its `\n` and one trailing `\r`, cut to the limit.
    pub bytes: &'a [u8],
    /// Something unusual about the line.
    pub issue: Option<LineIssue>,
}

impl FollowedLine<'_> {
    /// The checkpoint just after this line.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            source: self.source.to_owned(),
            path: self.path.to_path_buf(),
            file: *self.file,
            offset: self.end_offset,
        }
    }
}

/// Something the follower noticed, for the caller to log or count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A file started being read at `offset`.
    Opened {
        /// Where it is.
        path: PathBuf,
        /// Where reading starts.
        offset: u64,
        /// Why: `start` (first poll), `checkpoint`, `created` (a new file at
        /// a followed path) or `missed` (a rotated sibling never read).
        reason: &'static str,
    },
    /// The file at a followed path was replaced (renamed, deleted); the old
    /// one is drained.
    Rotated {
        /// The followed path.
        path: PathBuf,
    },
    /// A file got shorter than what was read, or its first bytes changed
    /// (copytruncate): reading restarts at 0. Lines written after `offset`
    /// before the truncation are lost.
    Truncated {
        /// Where it is.
        path: PathBuf,
        /// Where reading was.
        offset: u64,
    },
    /// A rotated file was read to its end and closed.
    Finished {
        /// Where it was last seen.
        path: PathBuf,
    },
    /// A checkpoint's file was not found (deleted while the follower was
    /// down): what it held after `offset` is lost.
    CheckpointLost {
        /// Where it was last seen.
        path: PathBuf,
        /// The checkpoint's offset.
        offset: u64,
    },
    /// Reading a file failed; it is tried again on the next poll.
    ReadFailed {
        /// Where it is.
        path: PathBuf,
        /// What went wrong, lowercase.
        message: String,
    },
}

/// What one [`Follower::poll`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    /// Lines handed out.
    pub n_lines: u64,
    /// Bytes read (decompressed).
    pub n_bytes: u64,
    /// False when some file had more to read than
    /// [`FollowConfig::read_bytes_per_poll`]: poll again without waiting.
    pub is_caught_up: bool,
    /// What happened, in order.
    pub notices: Vec<Notice>,
}

/// Follows files and globs across rotation; see the [module](self) docs.
#[derive(Debug)]
pub struct Follower {
    patterns: Vec<String>,
    config: FollowConfig,
    /// The state to resume from, consumed by the first poll.
    resume: Option<FollowState>,
    is_started: bool,
    files: Vec<Tracked>,
    /// Fingerprints of rotated files read to their end or skipped as history.
    finished: Vec<Fingerprint>,
    /// A truncation or a finished file added to `finished`: prune it on the
    /// next discovery.
    is_prune_due: bool,
    buf: Vec<u8>,
}

#[derive(Debug)]
struct Tracked {
    /// The pattern that found it.
    source: String,
    path: PathBuf,
    id: FileId,
    handle: Handle,
    splitter: Splitter,
    role: Role,
    /// When the pending partial line last grew.
    pending_since: Option<Instant>,
    /// Length and modification time at the last fingerprint check.
    checked: (u64, Option<SystemTime>),
    /// How many of the first bytes read were hashed, and their hash: the
    /// truncation check, even before a whole line gives a fingerprint.
    read_hash: (u32, u64),
}

#[derive(Debug)]
enum Handle {
    Plain(File),
    /// A compressed sibling, read once to its end.
    Compressed(Box<Reader>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// At a followed path.
    Live,
    /// Rotated or deleted; read to the end, then closed once `rotate_wait`
    /// has passed since `since`.
    Draining { since: Instant },
}

impl Follower {
    /// Follows `patterns` (paths and globs), resuming from `state` when given.
    ///
    /// Nothing is opened until the first [`poll`](Self::poll).
    pub fn new(patterns: Vec<String>, config: FollowConfig, state: Option<FollowState>) -> Self {
        Follower {
            patterns,
            config,
            resume: state,
            is_started: false,
            files: Vec::new(),
            finished: Vec::new(),
            is_prune_due: false,
            buf: vec![0; READ_CHUNK_BYTES],
        }
    }

    /// The configuration.
    pub fn config(&self) -> &FollowConfig {
        &self.config
    }

    /// How often to poll.
    pub fn poll_interval(&self) -> Duration {
        self.config.poll_interval
    }

    /// The checkpoints of the files being read, and the finished ones: where
    /// a restart resumes, given that every line handed out so far has been
    /// processed.
    pub fn state(&self) -> FollowState {
        FollowState {
            checkpoints: self
                .files
                .iter()
                .map(|tracked| Checkpoint {
                    source: tracked.source.clone(),
                    path: tracked.path.clone(),
                    file: tracked.id,
                    offset: tracked.splitter.offset,
                })
                .collect(),
            finished: self.finished.clone(),
        }
    }

    /// Looks for new, rotated and truncated files, reads what was appended,
    /// and hands each complete line to `on_line`, oldest file first.
    ///
    /// `now` is the current time, used only for
    /// [`FollowConfig::partial_line_timeout`] and
    /// [`FollowConfig::rotate_wait`].
    pub fn poll(&mut self, now: Instant, on_line: &mut dyn FnMut(FollowedLine<'_>)) -> PollReport {
        let mut report = PollReport { is_caught_up: true, ..PollReport::default() };
        let is_fresh = !self.is_started && self.resume.is_none();
        if !self.is_started {
            self.resume(now, &mut report);
        }
        self.check_truncations(&mut report);
        self.discover(now, is_fresh, &mut report);
        self.is_started = true;
        // Rotated files first: their lines are older than the live ones.
        let mut order: Vec<usize> = (0..self.files.len()).collect();
        order.sort_by_key(|&idx| matches!(self.files[idx].role, Role::Live));
        let mut done = Vec::new();
        for idx in order {
            if self.read_file(idx, now, &mut report, on_line) {
                done.push(idx);
            }
        }
        done.sort_unstable();
        for idx in done.into_iter().rev() {
            let tracked = self.files.remove(idx);
            if tracked.id.fingerprint.bytes > 0 {
                // Kept while a copy of it (compressed) may show up as a
                // sibling; pruned on the next poll once none does.
                self.finished.push(tracked.id.fingerprint);
                self.is_prune_due = true;
            }
            report.notices.push(Notice::Finished { path: tracked.path });
        }
        report
    }

    /// Finds again the files of the state to resume from.
    fn resume(&mut self, now: Instant, report: &mut PollReport) {
        let Some(state) = self.resume.take() else {
            return;
        };
        self.finished = state.finished;
        let live_paths = self.live_paths();
        for checkpoint in state.checkpoints {
            match locate(&checkpoint, &self.files) {
                Some((path, handle, device, inode)) => {
                    let role = if live_paths.iter().any(|(live_path, _)| *live_path == path) {
                        Role::Live
                    } else {
                        Role::Draining { since: now }
                    };
                    report.notices.push(Notice::Opened {
                        path: path.clone(),
                        offset: checkpoint.offset,
                        reason: "checkpoint",
                    });
                    let source = self.source_of(&checkpoint, &path, &live_paths);
                    self.files.push(Tracked {
                        source,
                        path,
                        id: FileId { device, inode, fingerprint: checkpoint.file.fingerprint },
                        handle,
                        splitter: Splitter::new(checkpoint.offset),
                        role,
                        pending_since: None,
                        checked: (0, None),
                        read_hash: (0, 0),
                    });
                }
                None => report.notices.push(Notice::CheckpointLost {
                    path: checkpoint.path,
                    offset: checkpoint.offset,
                }),
            }
        }
    }

    /// The source of a resumed file: the checkpoint's when it is still
    /// followed, else the pattern that finds a file of the same rotated
    /// set, else the checkpoint's as it was.
    fn source_of(
        &self,
        checkpoint: &Checkpoint,
        path: &Path,
        live_paths: &[(PathBuf, usize)],
    ) -> String {
        if self.patterns.contains(&checkpoint.source) {
            return checkpoint.source.clone();
        }
        let set = rotated_set(path);
        live_paths
            .iter()
            .find(|(live_path, _)| set.is_some() && rotated_set(live_path) == set)
            .map_or_else(|| checkpoint.source.clone(), |(_, idx)| self.patterns[*idx].clone())
    }

    /// The files at the followed paths now, with the index of the pattern
    /// that names each.
    fn live_paths(&self) -> Vec<(PathBuf, usize)> {
        let mut paths = Vec::new();
        for (idx, pattern) in self.patterns.iter().enumerate() {
            let is_glob = pattern.contains(['*', '?', '[']);
            if !is_glob || fs::symlink_metadata(pattern).is_ok() {
                paths.push((PathBuf::from(pattern), idx));
                continue;
            }
            let options = glob::MatchOptions {
                case_sensitive: true,
                require_literal_separator: true,
                require_literal_leading_dot: true,
            };
            let Ok(matches) = glob::glob_with(pattern, options) else {
                continue;
            };
            for path in matches.flatten() {
                let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
                // Rotated history is not a live source.
                if matches!(parse_rotated_name(name).age, Age::Live { is_plain: true })
                    && !path.is_dir()
                {
                    paths.push((path, idx));
                }
            }
        }
        let mut seen = HashSet::new();
        paths.retain(|(path, _)| seen.insert(path.clone()));
        paths
    }

    /// Notices files replaced at the followed paths and new files there.
    fn discover(&mut self, now: Instant, is_fresh: bool, report: &mut PollReport) {
        let live_paths = self.live_paths();
        let mut rotated_paths = Vec::new();
        for (path, source_idx) in &live_paths {
            let identity = fs::metadata(path)
                .ok()
                .filter(fs::Metadata::is_file)
                .map(|metadata| (metadata.dev(), metadata.ino()));
            // A file at this path that is not the one there now was rotated.
            for tracked in &mut self.files {
                if tracked.role == Role::Live
                    && tracked.path == *path
                    && identity != Some((tracked.id.device, tracked.id.inode))
                {
                    tracked.role = Role::Draining { since: now };
                    report.notices.push(Notice::Rotated { path: path.clone() });
                    rotated_paths.push((path.clone(), tracked.source.clone()));
                }
            }
            let Some((device, inode)) = identity else {
                continue;
            };
            if let Some(tracked) = self
                .files
                .iter_mut()
                .find(|tracked| (tracked.id.device, tracked.id.inode) == (device, inode))
            {
                // Moved back to a followed path, or matched by a glob again.
                tracked.path.clone_from(path);
                tracked.role = Role::Live;
                continue;
            }
            let start_at = if is_fresh { self.config.start_at } else { StartAt::Beginning };
            match open_plain(path, start_at, &self.patterns[*source_idx]) {
                Ok((tracked_file, offset)) => {
                    let reason = if is_fresh { "start" } else { "created" };
                    report.notices.push(Notice::Opened { path: path.clone(), offset, reason });
                    self.files.push(tracked_file);
                }
                Err(error) => report.notices.push(Notice::ReadFailed {
                    path: path.clone(),
                    message: describe_io_error(&error),
                }),
            }
        }
        // Live files whose path no longer matches (a glob's file renamed).
        for tracked in &mut self.files {
            if tracked.role == Role::Live
                && !live_paths.iter().any(|(live_path, _)| *live_path == tracked.path)
            {
                tracked.role = Role::Draining { since: now };
                report.notices.push(Notice::Rotated { path: tracked.path.clone() });
                rotated_paths.push((tracked.path.clone(), tracked.source.clone()));
            }
        }
        if is_fresh {
            // What is rotated already is history.
            for (path, _) in &live_paths {
                for sibling in siblings(path) {
                    if let Some(fingerprint) = sibling.fingerprint
                        && !self.is_known(&sibling)
                    {
                        self.finished.push(fingerprint);
                    }
                }
            }
        } else {
            if !self.is_started {
                // Resuming: generations rotated away while the follower was
                // down are siblings that the state does not know.
                rotated_paths = live_paths
                    .iter()
                    .map(|(path, idx)| (path.clone(), self.patterns[*idx].clone()))
                    .collect();
            }
            rotated_paths.dedup();
            if !rotated_paths.is_empty() {
                // A followed file must recognise its own copies, even when
                // nothing of it was read yet.
                for tracked in &mut self.files {
                    if let Handle::Plain(file) = &tracked.handle {
                        update_fingerprint(file, &mut tracked.id);
                    }
                }
            }
            for (path, source) in &rotated_paths {
                self.scan_siblings(path, source, now, report);
            }
            if !rotated_paths.is_empty() || std::mem::take(&mut self.is_prune_due) {
                // Forget finished files that are gone, so the state stays small.
                let all_siblings: Vec<Sibling> =
                    live_paths.iter().flat_map(|(path, _)| siblings(path)).collect();
                self.finished.retain(|finished| {
                    all_siblings.iter().any(|sibling| finished.is_prefix_of(&sibling.prefix))
                });
            }
        }
    }

    /// Whether a sibling is followed or finished already.
    fn is_known(&self, sibling: &Sibling) -> bool {
        let is_followed = self.files.iter().any(|tracked| {
            (tracked.id.device, tracked.id.inode) == (sibling.device, sibling.inode)
                || tracked.id.fingerprint.is_prefix_of(&sibling.prefix)
        });
        is_followed || self.finished.iter().any(|finished| finished.is_prefix_of(&sibling.prefix))
    }

    /// After a rotation at `path`: updates where drained files are now, and
    /// reads rotated generations that were never followed.
    fn scan_siblings(&mut self, path: &Path, source: &str, now: Instant, report: &mut PollReport) {
        let siblings = siblings(path);
        for sibling in &siblings {
            if let Some(tracked) = self.files.iter_mut().find(|tracked| {
                (tracked.id.device, tracked.id.inode) == (sibling.device, sibling.inode)
            }) {
                if tracked.role != Role::Live {
                    tracked.path.clone_from(&sibling.path);
                }
                continue;
            }
            if self.is_known(sibling) {
                continue;
            }
            // A sibling without a whole line yet may still be written by a
            // server that has not reopened its log: follow it too.
            let fingerprint = sibling.fingerprint.unwrap_or(Fingerprint::of_prefix(&[]));
            let handle = match open_handle(&sibling.path) {
                Ok(handle) => handle,
                Err(error) => {
                    report.notices.push(Notice::ReadFailed {
                        path: sibling.path.clone(),
                        message: describe_io_error(&error),
                    });
                    continue;
                }
            };
            report.notices.push(Notice::Opened {
                path: sibling.path.clone(),
                offset: 0,
                reason: "missed",
            });
            self.files.push(Tracked {
                source: source.to_owned(),
                path: sibling.path.clone(),
                id: FileId { device: sibling.device, inode: sibling.inode, fingerprint },
                handle,
                splitter: Splitter::new(0),
                role: Role::Draining { since: now },
                pending_since: None,
                checked: (0, None),
                read_hash: (0, 0),
            });
        }
    }

    /// Notices files that got shorter or whose first bytes changed
    /// (copytruncate), before anything else looks at their fingerprints.
    fn check_truncations(&mut self, report: &mut PollReport) {
        for tracked in &mut self.files {
            let Handle::Plain(file) = &tracked.handle else {
                continue;
            };
            let fingerprint = tracked.id.fingerprint;
            let result = check_truncation(
                file,
                tracked.splitter.read_pos(),
                fingerprint,
                tracked.read_hash,
                &mut tracked.checked,
            );
            match result {
                Ok(true) => {
                    report.notices.push(Notice::Truncated {
                        path: tracked.path.clone(),
                        offset: tracked.splitter.offset,
                    });
                    // The copy logrotate made holds what was read: history.
                    if fingerprint.bytes > 0 {
                        self.finished.push(fingerprint);
                        self.is_prune_due = true;
                    }
                    tracked.splitter.reset(0);
                    tracked.pending_since = None;
                    tracked.id.fingerprint = Fingerprint::of_prefix(&[]);
                    tracked.checked = (0, None);
                    tracked.read_hash = (0, 0);
                }
                Ok(false) => {}
                Err(error) => report.notices.push(Notice::ReadFailed {
                    path: tracked.path.clone(),
                    message: describe_io_error(&error),
                }),
            }
        }
    }

    /// Reads what is new in `files[idx]`. Returns true when the file is
    /// finished (drained, or a compressed file read to its end).
    fn read_file(
        &mut self,
        idx: usize,
        now: Instant,
        report: &mut PollReport,
        on_line: &mut dyn FnMut(FollowedLine<'_>),
    ) -> bool {
        let max_line_bytes = self.config.max_line_bytes;
        let tracked = &mut self.files[idx];
        let Tracked { source, path, id, handle, splitter, role, pending_since, read_hash, .. } =
            tracked;
        let mut emit = |piece: Piece<'_>| {
            on_line(FollowedLine {
                source,
                path,
                file: id,
                offset: piece.offset,
                end_offset: piece.end_offset,
                bytes: piece.bytes,
                issue: piece.issue,
            });
        };
        let mut budget = self.config.read_bytes_per_poll.max(1);
        let mut is_at_end = false;
        while budget > 0 {
            let want = (self.buf.len() as u64).min(budget) as usize;
            let chunk = &mut self.buf[..want];
            let result = match handle {
                Handle::Plain(file) => read_at(file, chunk, splitter.read_pos()),
                Handle::Compressed(reader) => read_some(reader, chunk),
            };
            let n_read = match result {
                Ok(0) => {
                    is_at_end = true;
                    break;
                }
                Ok(n_read) => n_read,
                Err(error) => {
                    report.notices.push(Notice::ReadFailed {
                        path: path.clone(),
                        message: describe_io_error(&error),
                    });
                    // A compressed file that cannot be decoded further is
                    // finished: what it held up to here was read.
                    is_at_end = matches!(handle, Handle::Compressed(_));
                    break;
                }
            };
            budget -= n_read as u64;
            report.n_bytes += n_read as u64;
            report.n_lines += splitter.push(&self.buf[..n_read], max_line_bytes, &mut emit);
            *pending_since = splitter.has_pending().then_some(now);
        }
        if budget == 0 {
            // More may be waiting; an error waits for the next poll instead.
            report.is_caught_up = false;
        }
        if !is_at_end {
            return false;
        }
        let is_finished = match (&*handle, *role) {
            (Handle::Compressed(_), _) => true,
            (Handle::Plain(_), Role::Draining { since }) => {
                now.saturating_duration_since(since) >= self.config.rotate_wait
            }
            (Handle::Plain(_), Role::Live) => false,
        };
        let is_idle = match (self.config.partial_line_timeout, *pending_since) {
            (Some(timeout), Some(since)) => now.saturating_duration_since(since) >= timeout,
            _ => false,
        };
        if is_finished || is_idle {
            report.n_lines += splitter.flush(max_line_bytes, &mut emit);
            *pending_since = None;
        }
        if let Handle::Plain(file) = handle {
            update_fingerprint(file, id);
            update_read_hash(file, read_hash, splitter.read_pos());
        }
        is_finished
    }
}

/// Opens the plain file at `path` for following from `start_at`.
fn open_plain(path: &Path, start_at: StartAt, source: &str) -> io::Result<(Tracked, u64)> {
    let file = File::open(path)?;
    let metadata = file.metadata()?;
    let mut prefix = Vec::new();
    (&file).take(FINGERPRINT_BYTES as u64).read_to_end(&mut prefix)?;
    let offset = match start_at {
        StartAt::Beginning => 0,
        StartAt::End => end_of_last_line(&file, metadata.len())?,
    };
    let tracked = Tracked {
        source: source.to_owned(),
        path: path.to_path_buf(),
        id: FileId {
            device: metadata.dev(),
            inode: metadata.ino(),
            fingerprint: Fingerprint::of_prefix(&prefix),
        },
        handle: Handle::Plain(file),
        splitter: Splitter::new(offset),
        role: Role::Live,
        pending_since: None,
        checked: (metadata.len(), metadata.modified().ok()),
        read_hash: (0, 0),
    };
    Ok((tracked, offset))
}

/// The offset after the last newline in the first `len` bytes of `file`
/// (looking back at most 1 MiB; past that, `len`).
fn end_of_last_line(file: &File, len: u64) -> io::Result<u64> {
    let mut buf = vec![0; 64 * 1024];
    let mut end = len;
    while end > 0 && len - end < 1024 * 1024 {
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        file.read_exact_at(chunk, start)?;
        if let Some(idx) = memchr::memrchr(b'\n', chunk) {
            return Ok(start + idx as u64 + 1);
        }
        end = start;
    }
    Ok(if end == 0 { 0 } else { len })
}

/// Opens a file as plain or compressed, as its first bytes say.
fn open_handle(path: &Path) -> io::Result<Handle> {
    let file = File::open(path)?;
    let reader = Reader::new(file.try_clone()?, &path.display().to_string())
        .map_err(|error| io::Error::other(error.to_string()))?;
    Ok(match reader.compression() {
        Compression::Plain => Handle::Plain(file),
        _ => Handle::Compressed(Box::new(reader)),
    })
}

/// The rotated set of a path: its directory and base name.
fn rotated_set(path: &Path) -> Option<(PathBuf, String)> {
    let dir = path.parent()?.to_path_buf();
    let name = path.file_name()?.to_str()?;
    Some((dir, parse_rotated_name(name).base.to_owned()))
}

/// A rotated sibling of a followed path.
#[derive(Debug)]
struct Sibling {
    path: PathBuf,
    device: u64,
    inode: u64,
    /// Its first bytes, decompressed.
    prefix: Vec<u8>,
    /// `None` when it is empty.
    fingerprint: Option<Fingerprint>,
}

/// The other files of `path`'s rotated set: same directory, same base name.
fn siblings(path: &Path) -> Vec<Sibling> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|name| name.to_str()))
    else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let base = parse_rotated_name(name).base;
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut siblings = Vec::new();
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        let Some(entry_name) = entry_name.to_str() else {
            continue;
        };
        if entry_name == name || parse_rotated_name(entry_name).base != base {
            continue;
        }
        let sibling_path = dir.join(entry_name);
        let Ok(metadata) = fs::metadata(&sibling_path) else {
            continue;
        };
        if !metadata.is_file() {
            continue;
        }
        let Ok(prefix) = load_prefix(&sibling_path) else {
            continue;
        };
        let fingerprint = (!prefix.is_empty()).then(|| Fingerprint::of_prefix(&prefix));
        siblings.push(Sibling {
            path: sibling_path,
            device: metadata.dev(),
            inode: metadata.ino(),
            prefix,
            fingerprint,
        });
    }
    siblings.sort_by(|a, b| a.path.cmp(&b.path));
    siblings
}

/// The first bytes of a file, decompressed.
fn load_prefix(path: &Path) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let mut reader = Reader::new(file, &path.display().to_string())
        .map_err(|error| io::Error::other(error.to_string()))?;
    read_prefix(&mut reader)
}

/// Finds the file of a checkpoint again: at its path or among its siblings,
/// by inode and fingerprint; failing that, by fingerprint alone (a
/// compressed or copied rotated file). Returns where it is, opened and
/// positioned at the checkpoint's offset, with its device and inode.
fn locate(checkpoint: &Checkpoint, files: &[Tracked]) -> Option<(PathBuf, Handle, u64, u64)> {
    let fingerprint = checkpoint.file.fingerprint;
    let mut candidates = Vec::new();
    if let Ok(metadata) = fs::metadata(&checkpoint.path)
        && metadata.is_file()
        && let Ok(prefix) = load_prefix(&checkpoint.path)
    {
        candidates.push(Sibling {
            path: checkpoint.path.clone(),
            device: metadata.dev(),
            inode: metadata.ino(),
            fingerprint: None,
            prefix,
        });
    }
    candidates.extend(siblings(&checkpoint.path));
    let is_taken = |candidate: &Sibling| {
        files.iter().any(|tracked| {
            (tracked.id.device, tracked.id.inode) == (candidate.device, candidate.inode)
        })
    };
    let has_prefix =
        |candidate: &Sibling| fingerprint.bytes == 0 || fingerprint.is_prefix_of(&candidate.prefix);
    let same_inode = candidates.iter().find(|candidate| {
        (candidate.device, candidate.inode) == (checkpoint.file.device, checkpoint.file.inode)
            && has_prefix(candidate)
            && !is_taken(candidate)
    });
    let found = same_inode.or_else(|| {
        candidates.iter().find(|candidate| {
            fingerprint.bytes > 0 && has_prefix(candidate) && !is_taken(candidate)
        })
    })?;
    let mut handle = open_handle(&found.path).ok()?;
    match &mut handle {
        Handle::Plain(file) => {
            if file.metadata().ok()?.len() < checkpoint.offset {
                return None;
            }
        }
        Handle::Compressed(reader) => {
            let skipped =
                io::copy(&mut reader.by_ref().take(checkpoint.offset), &mut io::sink()).ok()?;
            if skipped < checkpoint.offset {
                return None;
            }
        }
    }
    Some((found.path.clone(), handle, found.device, found.inode))
}

/// Whether the file got shorter than what was read, or its first bytes no
/// longer match its fingerprint (truncated and written again).
fn check_truncation(
    file: &File,
    read_pos: u64,
    fingerprint: Fingerprint,
    read_hash: (u32, u64),
    checked: &mut (u64, Option<SystemTime>),
) -> io::Result<bool> {
    let metadata = file.metadata()?;
    let len = metadata.len();
    if len < read_pos {
        return Ok(true);
    }
    let now_checked = (len, metadata.modified().ok());
    if now_checked == *checked || (fingerprint.bytes == 0 && read_hash.0 == 0) {
        return Ok(false);
    }
    *checked = now_checked;
    let mut prefix = vec![0; FINGERPRINT_BYTES];
    let n_read = read_full_at(file, &mut prefix, 0)?;
    let prefix = &prefix[..n_read];
    let is_same_fingerprint = fingerprint.bytes == 0 || fingerprint.is_prefix_of(prefix);
    let hashed = read_hash.0 as usize;
    let is_same_read =
        hashed == 0 || (prefix.len() >= hashed && fnv1a(&prefix[..hashed]) == read_hash.1);
    Ok(!(is_same_fingerprint && is_same_read))
}

/// Hashes the first bytes read (up to [`FINGERPRINT_BYTES`]) for the
/// truncation check.
fn update_read_hash(file: &File, read_hash: &mut (u32, u64), read_pos: u64) {
    let len = read_pos.min(FINGERPRINT_BYTES as u64) as usize;
    if (read_hash.0 as usize) < len {
        let mut prefix = vec![0; len];
        if let Ok(n_read) = read_full_at(file, &mut prefix, 0) {
            *read_hash = (n_read as u32, fnv1a(&prefix[..n_read]));
        }
    }
}

/// Extends the fingerprint of a file that had fewer than
/// [`FINGERPRINT_BYTES`] when it was taken to the bytes it has now.
fn update_fingerprint(file: &File, id: &mut FileId) {
    if id.fingerprint.bytes as usize >= FINGERPRINT_BYTES {
        return;
    }
    let mut prefix = vec![0; FINGERPRINT_BYTES];
    if let Ok(n_read) = read_full_at(file, &mut prefix, 0)
        && n_read > id.fingerprint.bytes as usize
        && (id.fingerprint.bytes == 0 || id.fingerprint.is_prefix_of(&prefix[..n_read]))
    {
        id.fingerprint = Fingerprint::of_prefix(&prefix[..n_read]);
    }
}

fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    loop {
        match file.read_at(buf, offset) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut len = 0;
    while len < buf.len() {
        match read_at(file, &mut buf[len..], offset + len as u64)? {
            0 => break,
            n_read => len += n_read,
        }
    }
    Ok(len)
}

fn read_some(reader: &mut Reader, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}
