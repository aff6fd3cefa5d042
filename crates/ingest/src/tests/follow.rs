//! The file follower: start positions, partial and long lines, each kind of
//! rotation, checkpoints, and a model-based test of random writes,
//! rotations and restarts.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::LineIssue;
use crate::follow::{FollowConfig, FollowState, Follower, Notice, StartAt};

/// A line as the tests see it: the file name it came from, its text and issue.
type Seen = (String, String, Option<LineIssue>);

/// A follower over files in a temporary directory, driven by hand: each
/// `poll` moves the clock by one second and polls until caught up.
struct Harness {
    dir: tempfile::TempDir,
    patterns: Vec<String>,
    config: FollowConfig,
    follower: Follower,
    now: Instant,
    notices: Vec<Notice>,
}

impl Harness {
    fn new(names: &[&str], config: FollowConfig) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let patterns: Vec<String> =
            names.iter().map(|name| dir.path().join(name).display().to_string()).collect();
        let follower = Follower::new(patterns.clone(), config.clone(), None);
        Harness { dir, patterns, config, follower, now: Instant::now(), notices: Vec::new() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn append(&self, name: &str, bytes: &[u8]) {
        let mut file = OpenOptions::new().create(true).append(true).open(self.path(name)).unwrap();
        file.write_all(bytes).unwrap();
    }

    fn poll(&mut self) -> Vec<Seen> {
        self.now += Duration::from_secs(1);
        let mut seen = Vec::new();
        for _ in 0..1000 {
            let report = self.follower.poll(self.now, &mut |line| {
                let name = line.path.file_name().unwrap().to_string_lossy().into_owned();
                seen.push((name, String::from_utf8_lossy(line.bytes).into_owned(), line.issue));
            });
            self.notices.extend(report.notices);
            if report.is_caught_up {
                return seen;
            }
        }
        panic!("the follower never caught up");
    }

    /// Texts only.
    fn poll_texts(&mut self) -> Vec<String> {
        self.poll().into_iter().map(|(_, text, _)| text).collect()
    }

    /// Drops the follower and starts another from the state it would have
    /// committed, through JSON.
    fn restart(&mut self) {
        let json = serde_json::to_string(&self.follower.state()).unwrap();
        let state: FollowState = serde_json::from_str(&json).unwrap();
        self.follower = Follower::new(self.patterns.clone(), self.config.clone(), Some(state));
    }
}

fn config(start_at: StartAt) -> FollowConfig {
    FollowConfig {
        start_at,
        max_line_bytes: 64,
        partial_line_timeout: None,
        rotate_wait: Duration::from_secs(3),
        ..FollowConfig::default()
    }
}

fn gzip(path: &Path) {
    let data = fs::read(path).unwrap();
    let gz_path = PathBuf::from(format!("{}.gz", path.display()));
    let mut encoder =
        flate2::write::GzEncoder::new(File::create(gz_path).unwrap(), flate2::Compression::fast());
    encoder.write_all(&data).unwrap();
    encoder.finish().unwrap();
    fs::remove_file(path).unwrap();
}

#[test]
fn starts_after_the_last_newline_of_existing_files() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::End));
    harness.append("access.log", b"old 1\nold 2\nhalf");
    assert_eq!(harness.poll_texts(), Vec::<String>::new());
    harness.append("access.log", b" done\nnew\n");
    assert_eq!(harness.poll_texts(), ["half done", "new"]);
}

#[test]
fn starts_at_the_beginning_when_asked() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"old 1\nold 2\n");
    assert_eq!(harness.poll_texts(), ["old 1", "old 2"]);
}

#[test]
fn waits_for_a_file_that_does_not_exist_yet() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::End));
    assert_eq!(harness.poll_texts(), Vec::<String>::new());
    harness.append("access.log", b"first\n");
    assert_eq!(harness.poll_texts(), ["first"], "a file created later is read from its start");
}

#[test]
fn holds_a_partial_line_until_its_newline() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"GET /a\r\nGET /");
    assert_eq!(harness.poll_texts(), ["GET /a"]);
    assert_eq!(harness.follower.state().checkpoints[0].offset, 8, "after the complete line");
    harness.append("access.log", b"b HTTP");
    assert_eq!(harness.poll_texts(), Vec::<String>::new());
    harness.append("access.log", b"/1.1\r\n");
    assert_eq!(harness.poll_texts(), ["GET /b HTTP/1.1"]);
}

#[test]
fn hands_out_an_idle_partial_line_after_the_timeout() {
    let config = FollowConfig {
        partial_line_timeout: Some(Duration::from_secs(2)),
        ..config(StartAt::Beginning)
    };
    let mut harness = Harness::new(&["access.log"], config);
    harness.append("access.log", b"no newline yet");
    assert_eq!(harness.poll(), []);
    assert_eq!(harness.poll(), []);
    assert_eq!(
        harness.poll(),
        [(
            "access.log".to_owned(),
            "no newline yet".to_owned(),
            Some(LineIssue::NoTrailingNewline)
        )]
    );
    harness.append("access.log", b" rest\n");
    assert_eq!(harness.poll_texts(), [" rest"], "the rest is a line of its own");
}

#[test]
fn cuts_oversized_lines_and_marks_them() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    let long = "x".repeat(100);
    harness.append("access.log", long.as_bytes());
    assert_eq!(harness.poll(), []);
    harness.append("access.log", format!("{long}\r\nshort\0\n").as_bytes());
    assert_eq!(
        harness.poll(),
        [
            ("access.log".to_owned(), "x".repeat(64), Some(LineIssue::TooLong { length: 200 })),
            ("access.log".to_owned(), "short\0".to_owned(), Some(LineIssue::ContainsNul)),
        ]
    );
}

#[test]
fn drains_a_renamed_file_that_is_still_written_then_reads_the_new_one() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"a1\n");
    assert_eq!(harness.poll_texts(), ["a1"]);
    let mut old_writer = OpenOptions::new().append(true).open(harness.path("access.log")).unwrap();
    fs::rename(harness.path("access.log"), harness.path("access.log.1")).unwrap();
    harness.append("access.log", b"b1\n");
    old_writer.write_all(b"a2\n").unwrap();
    assert_eq!(
        harness.poll(),
        [
            ("access.log.1".to_owned(), "a2".to_owned(), None),
            ("access.log".to_owned(), "b1".to_owned(), None)
        ],
        "the rotated file first, under its new name"
    );
    // The server has not reopened its log yet.
    old_writer.write_all(b"a3\n").unwrap();
    assert_eq!(harness.poll_texts(), ["a3"]);
    assert_eq!(harness.follower.state().checkpoints.len(), 2);
    // The rotation was seen 1 s ago; rotate_wait is 3 s.
    harness.poll();
    assert_eq!(harness.follower.state().checkpoints.len(), 2, "still within rotate_wait");
    harness.poll();
    assert_eq!(harness.follower.state().checkpoints.len(), 1, "closed after rotate_wait");
    assert!(harness.notices.contains(&Notice::Finished { path: harness.path("access.log.1") }));
    assert_eq!(harness.follower.state().finished.len(), 1);
}

#[test]
fn restarts_at_zero_after_copytruncate() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"line 1\nline 2\n");
    assert_eq!(harness.poll_texts(), ["line 1", "line 2"]);
    fs::copy(harness.path("access.log"), harness.path("access.log.1")).unwrap();
    OpenOptions::new().write(true).open(harness.path("access.log")).unwrap().set_len(0).unwrap();
    harness.append("access.log", b"line 3\n");
    assert_eq!(harness.poll_texts(), ["line 3"]);
    assert!(harness.notices.iter().any(|notice| matches!(notice, Notice::Truncated { .. })));
}

#[test]
fn notices_a_truncated_file_that_grew_past_the_old_offset() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"short 1\n");
    assert_eq!(harness.poll_texts(), ["short 1"]);
    fs::write(harness.path("access.log"), b"a much longer first line\n").unwrap();
    assert_eq!(harness.poll_texts(), ["a much longer first line"]);
}

#[test]
fn drains_a_deleted_file_and_reads_the_recreated_one() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"old 1\n");
    assert_eq!(harness.poll_texts(), ["old 1"]);
    harness.append("access.log", b"old 2\n");
    fs::remove_file(harness.path("access.log")).unwrap();
    harness.append("access.log", b"new 1\n");
    assert_eq!(harness.poll_texts(), ["old 2", "new 1"]);
}

#[test]
fn resumes_from_a_checkpoint_without_repeating_lines() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::End));
    harness.append("access.log", b"before start\n");
    harness.poll();
    harness.append("access.log", b"one\ntw");
    assert_eq!(harness.poll_texts(), ["one"]);
    harness.restart();
    harness.append("access.log", b"o\n");
    assert_eq!(harness.poll_texts(), ["two"]);
}

#[test]
fn resumes_in_a_rotated_file_that_was_compressed_meanwhile() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"a1\n");
    assert_eq!(harness.poll_texts(), ["a1"]);
    let old_path = harness.path("access.log");
    let old_state = harness.follower.state();
    harness.append("access.log", b"a2\na3\n");
    fs::rename(&old_path, harness.path("access.log.1")).unwrap();
    gzip(&harness.path("access.log.1"));
    harness.append("access.log", b"b1\n");
    // Restart from the state before the rotation.
    harness.follower =
        Follower::new(harness.patterns.clone(), harness.config.clone(), Some(old_state));
    assert_eq!(
        harness.poll(),
        [
            ("access.log.1.gz".to_owned(), "a2".to_owned(), None),
            ("access.log.1.gz".to_owned(), "a3".to_owned(), None),
            ("access.log".to_owned(), "b1".to_owned(), None),
        ]
    );
    harness.restart();
    assert_eq!(harness.poll(), [], "the compressed file is finished and not read again");
}

#[test]
fn reads_a_generation_rotated_away_between_two_polls() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"a1\n");
    assert_eq!(harness.poll_texts(), ["a1"]);
    fs::rename(harness.path("access.log"), harness.path("access.log.1")).unwrap();
    harness.append("access.log", b"b1\n");
    fs::rename(harness.path("access.log.1"), harness.path("access.log.2")).unwrap();
    fs::rename(harness.path("access.log"), harness.path("access.log.1")).unwrap();
    gzip(&harness.path("access.log.1"));
    harness.append("access.log", b"c1\n");
    let mut texts = harness.poll_texts();
    texts.sort();
    assert_eq!(texts, ["b1", "c1"]);
}

#[test]
fn ignores_rotated_files_present_at_a_fresh_start() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log.2.gz", b"");
    harness.append("access.log.1", b"history\n");
    harness.append("access.log", b"live\n");
    assert_eq!(harness.poll_texts(), ["live"]);
    fs::rename(harness.path("access.log.1"), harness.path("access.log.2")).unwrap();
    fs::rename(harness.path("access.log"), harness.path("access.log.1")).unwrap();
    harness.append("access.log", b"next\n");
    assert_eq!(harness.poll_texts(), ["next"]);
}

#[test]
fn a_reused_inode_with_other_content_is_not_the_checkpoint_file() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"first file\n");
    assert_eq!(harness.poll_texts(), ["first file"]);
    let mut state = harness.follower.state();
    state.checkpoints[0].file.fingerprint.fnv1a ^= 1;
    harness.follower = Follower::new(harness.patterns.clone(), harness.config.clone(), Some(state));
    assert_eq!(harness.poll_texts(), ["first file"], "read as a new file from its start");
    assert!(harness.notices.iter().any(|notice| matches!(notice, Notice::CheckpointLost { .. })));
}

#[test]
fn globs_follow_new_files_but_not_rotated_ones() {
    let mut harness = Harness::new(&["*.log*"], config(StartAt::Beginning));
    harness.append("shop.log", b"shop\n");
    harness.append("shop.log.1", b"rotated\n");
    harness.append("api.log.gz", b"compressed\n");
    assert_eq!(harness.poll(), [("shop.log".to_owned(), "shop".to_owned(), None)]);
    harness.append("admin.log", b"admin\n");
    assert_eq!(harness.poll_texts(), ["admin"]);
}

#[test]
fn checkpoint_json_names_every_field() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"abc\n");
    harness.poll();
    let state = harness.follower.state();
    let json = serde_json::to_value(&state).unwrap();
    let checkpoint = &json["checkpoints"][0];
    assert_eq!(checkpoint["offset"], 4);
    assert_eq!(checkpoint["file"]["fingerprint"]["bytes"], 4);
    assert_eq!(checkpoint["file"]["fingerprint"]["fnv1a"].as_str().unwrap().len(), 16);
    assert!(checkpoint["file"]["inode"].is_u64());
    assert!(checkpoint["path"].as_str().unwrap().ends_with("access.log"));
    assert_eq!(checkpoint["source"].as_str().unwrap(), harness.patterns[0]);
    let back: FollowState = serde_json::from_value(json).unwrap();
    assert_eq!(back, state);
}

#[test]
fn the_line_checkpoint_is_where_the_next_line_starts() {
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"ab\ncde\n");
    let mut checkpoints = Vec::new();
    harness.now += Duration::from_secs(1);
    harness
        .follower
        .poll(harness.now, &mut |line| checkpoints.push((line.offset, line.checkpoint().offset)));
    assert_eq!(checkpoints, [(0, 3), (3, 7)]);
}

/// What the model test does to the followed files, in random order.
#[derive(Debug, Clone)]
enum Op {
    /// Appends a whole line (completing a half-written one first).
    Write { pad: usize },
    /// Appends the first half of a line; the next write completes it.
    WriteHalf { pad: usize },
    /// Polls until caught up, then commits the state.
    Poll,
    /// Renames `access.log` to `access.log.1` (shifting older files up),
    /// writes `late` lines to the renamed file, as a server does until it
    /// reopens its log, and creates `access.log`. The server reopens it now,
    /// or with `is_reopen_later` at a [`Op::Reopen`] or before the second
    /// poll (well within `rotate_wait`), whichever comes first; and always
    /// before the next rotation step, as logrotate's postrotate script runs
    /// before it compresses.
    Rotate { late: usize, is_reopen_later: bool },
    /// The server reopens its log.
    Reopen,
    /// Copies `access.log` to `access.log.1` and truncates it.
    CopyTruncate,
    /// Compresses `access.log.1` into `access.log.1.gz`.
    Compress,
    /// Deletes `access.log` and creates it again.
    DeleteRecreate,
    /// Drops the follower and starts one from the last committed state.
    Crash,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..60usize).prop_map(|pad| Op::Write { pad }),
        2 => (0..60usize).prop_map(|pad| Op::WriteHalf { pad }),
        4 => Just(Op::Poll),
        2 => (0..3usize, any::<bool>())
            .prop_map(|(late, is_reopen_later)| Op::Rotate { late, is_reopen_later }),
        1 => Just(Op::Reopen),
        1 => Just(Op::CopyTruncate),
        1 => Just(Op::Compress),
        1 => Just(Op::DeleteRecreate),
        2 => Just(Op::Crash),
    ]
}

/// The model: every line written, the file generation (segment) it went
/// to, and what the follower may lose.
struct Model {
    harness: Harness,
    /// The server's descriptor, opened for appending like nginx's.
    writer: File,
    /// The segment the writer appends to: a new one per file created and
    /// per truncation, so order is checked within each.
    segment: u64,
    /// While the server still writes the rotated file: the segment of the
    /// new `access.log`, and the polls seen since the rotation.
    stale: Option<(u64, u32)>,
    n_segments: u64,
    /// Line text → (segment, index in segment).
    lines: HashMap<String, (u64, u64)>,
    next_index: HashMap<u64, u64>,
    /// A line whose first half is written.
    half: Option<String>,
    n_written: u64,
    /// Lines written to the live file since the last poll.
    unpolled: Vec<String>,
    /// Lines copytruncate may lose: written after the last poll and before
    /// a truncation.
    may_lose: HashSet<String>,
    delivered: HashSet<String>,
    last_delivered: HashMap<u64, u64>,
    committed: String,
}

impl Model {
    fn new() -> Model {
        let config = FollowConfig {
            read_bytes_per_poll: 100,
            max_line_bytes: 4096,
            ..config(StartAt::Beginning)
        };
        let harness = Harness::new(&["access.log"], config);
        let writer = open_append(&harness.path("access.log"));
        let committed = String::new();
        let mut model = Model {
            harness,
            writer,
            segment: 0,
            stale: None,
            n_segments: 1,
            lines: HashMap::new(),
            next_index: HashMap::new(),
            half: None,
            n_written: 0,
            unpolled: Vec::new(),
            may_lose: HashSet::new(),
            delivered: HashSet::new(),
            last_delivered: HashMap::new(),
            committed,
        };
        // The follower starts before the first write: files rotated before
        // a fresh start are history, not lines to deliver.
        model.poll();
        model
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Write { pad } => {
                self.complete_half();
                let text = self.new_text(pad);
                self.writer.write_all(format!("{text}\n").as_bytes()).unwrap();
                self.record(text, self.stale.is_none());
            }
            Op::WriteHalf { pad } => {
                self.complete_half();
                let text = self.new_text(pad);
                let half = &text[..text.len() / 2];
                self.writer.write_all(half.as_bytes()).unwrap();
                self.half = Some(text);
            }
            Op::Poll => self.poll(),
            Op::Reopen => self.reopen(),
            Op::Rotate { late, is_reopen_later } => {
                self.reopen();
                self.complete_half();
                self.shift_rotated();
                let path = self.harness.path("access.log");
                fs::rename(&path, self.harness.path("access.log.1")).unwrap();
                for _ in 0..late {
                    let text = self.new_text(5);
                    self.writer.write_all(format!("{text}\n").as_bytes()).unwrap();
                    self.record(text, false);
                }
                if is_reopen_later {
                    File::create(&path).unwrap();
                    self.stale = Some((self.n_segments, 0));
                    self.n_segments += 1;
                    self.unpolled.clear();
                } else {
                    self.new_file();
                }
            }
            Op::CopyTruncate => {
                self.reopen();
                self.complete_half();
                self.shift_rotated();
                let path = self.harness.path("access.log");
                fs::copy(&path, self.harness.path("access.log.1")).unwrap();
                OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
                // The one loss copytruncate forces: what was written since
                // the follower last read is only in the copy.
                self.may_lose.extend(self.unpolled.drain(..));
                self.segment = self.n_segments;
                self.n_segments += 1;
            }
            Op::Compress => {
                self.reopen();
                let path = self.harness.path("access.log.1");
                if path.exists() && !self.harness.path("access.log.1.gz").exists() {
                    gzip(&path);
                }
            }
            Op::DeleteRecreate => {
                self.reopen();
                self.complete_half();
                // A file deleted before anyone read it is lost by nature;
                // the follower is caught up first so that copytruncate's
                // window stays the only loss the model allows.
                if !self.unpolled.is_empty() {
                    self.poll();
                }
                fs::remove_file(self.harness.path("access.log")).unwrap();
                self.new_file();
            }
            Op::Crash => {
                let state: FollowState = serde_json::from_str(&self.committed).unwrap();
                let harness = &mut self.harness;
                harness.follower =
                    Follower::new(harness.patterns.clone(), harness.config.clone(), Some(state));
                self.poll();
            }
        }
    }

    fn new_text(&mut self, pad: usize) -> String {
        self.n_written += 1;
        format!("line {:05} {}", self.n_written, "x".repeat(pad))
    }

    /// The server reopens `access.log` after a rotation, finishing the line
    /// it was writing to the old file first.
    fn reopen(&mut self) {
        if let Some((segment, _)) = self.stale.take() {
            self.complete_half();
            self.writer = open_append(&self.harness.path("access.log"));
            self.segment = segment;
        }
    }

    /// Records a complete line; `is_live` when it went to the live file.
    fn record(&mut self, text: String, is_live: bool) {
        let index = self.next_index.entry(self.segment).or_default();
        self.lines.insert(text.clone(), (self.segment, *index));
        *index += 1;
        if is_live {
            self.unpolled.push(text);
        }
    }

    fn complete_half(&mut self) {
        if let Some(text) = self.half.take() {
            self.writer.write_all(format!("{}\n", &text[text.len() / 2..]).as_bytes()).unwrap();
            self.record(text, true);
        }
    }

    /// Creates `access.log` afresh and points the writer at it.
    fn new_file(&mut self) {
        let path = self.harness.path("access.log");
        File::create(&path).unwrap();
        self.writer = open_append(&path);
        self.segment = self.n_segments;
        self.n_segments += 1;
        self.unpolled.clear();
    }

    /// `access.log.N[.gz]` → `access.log.N+1[.gz]`, oldest first.
    fn shift_rotated(&self) {
        let mut highest = 0;
        while self.harness.path(&format!("access.log.{}", highest + 1)).exists()
            || self.harness.path(&format!("access.log.{}.gz", highest + 1)).exists()
        {
            highest += 1;
        }
        for number in (1..=highest).rev() {
            for extension in ["", ".gz"] {
                let from = self.harness.path(&format!("access.log.{number}{extension}"));
                if from.exists() {
                    let to = self.harness.path(&format!("access.log.{}{extension}", number + 1));
                    fs::rename(from, to).unwrap();
                }
            }
        }
    }

    fn poll(&mut self) {
        match &mut self.stale {
            Some((_, n_polls)) if *n_polls >= 1 => self.reopen(),
            Some((_, n_polls)) => *n_polls += 1,
            None => {}
        }
        for (_, text, issue) in self.harness.poll() {
            assert_eq!(issue, None, "{text:?}");
            let Some(&(segment, index)) = self.lines.get(&text) else {
                panic!("delivered a line never written in full: {text:?}");
            };
            assert!(self.delivered.insert(text.clone()), "delivered twice: {text:?}");
            if let Some(&last) = self.last_delivered.get(&segment) {
                assert!(index > last, "out of order in its file: {text:?}");
            }
            self.last_delivered.insert(segment, index);
        }
        self.unpolled.clear();
        self.committed = serde_json::to_string(&self.harness.follower.state()).unwrap();
    }

    /// Lets every rotated file finish, then checks that nothing is missing.
    fn check_nothing_lost(&mut self) {
        self.reopen();
        self.complete_half();
        for _ in 0..5 {
            self.poll();
        }
        let mut missing: Vec<&String> = self
            .lines
            .keys()
            .filter(|text| !self.delivered.contains(*text) && !self.may_lose.contains(*text))
            .collect();
        missing.sort();
        assert!(missing.is_empty(), "lost {missing:?}; notices {:?}", self.harness.notices);
        let state = self.harness.follower.state();
        assert!(state.checkpoints.len() == 1, "only the live file stays open: {state:?}");
        // Every finished entry names a rotated file still on disk (a file
        // may be named twice: as read, and as the copy of a truncation).
        let n_rotated = fs::read_dir(self.harness.dir.path()).unwrap().count() - 1;
        assert!(state.finished.len() <= 2 * n_rotated, "{n_rotated} files: {state:?}");
    }
}

fn open_append(path: &Path) -> File {
    OpenOptions::new().create(true).append(true).open(path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// No line is lost, none is delivered twice across restarts, and each
    /// file's lines come in order, whatever the writes, rotations and
    /// crashes, except the lines copytruncate loses by nature.
    #[test]
    fn follower_matches_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let mut model = Model::new();
        for op in &ops {
            model.apply(op);
        }
        model.check_nothing_lost();
    }
}

#[test]
fn lines_carry_the_pattern_that_found_their_file() {
    let mut harness = Harness::new(&["*.log"], config(StartAt::Beginning));
    harness.append("shop.log", b"s1\n");
    let pattern = harness.patterns[0].clone();
    let mut sources = Vec::new();
    harness.now += Duration::from_secs(1);
    harness.follower.poll(harness.now, &mut |line| sources.push(line.source.to_owned()));
    assert_eq!(sources, std::slice::from_ref(&pattern));
    // A generation rotated away unseen is read under the same source.
    fs::rename(harness.path("shop.log"), harness.path("shop.log.2")).unwrap();
    harness.append("shop.log.1", b"missed\n");
    harness.append("shop.log", b"s2\n");
    harness.now += Duration::from_secs(1);
    sources.clear();
    harness.follower.poll(harness.now, &mut |line| sources.push(line.source.to_owned()));
    assert_eq!(sources, [pattern.clone(), pattern.clone()]);
    let state = harness.follower.state();
    assert!(state.checkpoints.iter().all(|checkpoint| checkpoint.source == pattern));
}

#[test]
fn follows_a_generation_rotated_away_while_still_empty() {
    // Found by the model: the server had not written to `b` yet when it was
    // rotated away, then wrote to it before reopening its log.
    let mut harness = Harness::new(&["access.log"], config(StartAt::Beginning));
    harness.append("access.log", b"a1\n");
    assert_eq!(harness.poll_texts(), ["a1"]);
    fs::rename(harness.path("access.log"), harness.path("access.log.1")).unwrap();
    File::create(harness.path("access.log")).unwrap();
    fs::rename(harness.path("access.log.1"), harness.path("access.log.2")).unwrap();
    let mut stale_writer = open_append(&harness.path("access.log"));
    fs::rename(harness.path("access.log"), harness.path("access.log.1")).unwrap();
    File::create(harness.path("access.log")).unwrap();
    assert_eq!(harness.poll_texts(), Vec::<String>::new());
    stale_writer.write_all(b"b1\n").unwrap();
    assert_eq!(harness.poll_texts(), ["b1"]);
}

#[test]
fn reads_at_most_the_budget_per_poll_and_says_so() {
    let config = FollowConfig { read_bytes_per_poll: 10, ..config(StartAt::Beginning) };
    let mut harness = Harness::new(&["access.log"], config);
    harness.append("access.log", b"0123456789abcdef\nx\n");
    let mut texts = Vec::new();
    harness.now += Duration::from_secs(1);
    let report = harness.follower.poll(harness.now, &mut |line| texts.push(line.bytes.to_vec()));
    assert_eq!((report.n_bytes, report.is_caught_up, texts.len()), (10, false, 0));
    let report = harness.follower.poll(harness.now, &mut |line| texts.push(line.bytes.to_vec()));
    assert_eq!((report.n_bytes, report.is_caught_up), (9, true));
    assert_eq!(texts, [b"0123456789abcdef".to_vec(), b"x".to_vec()]);
}
