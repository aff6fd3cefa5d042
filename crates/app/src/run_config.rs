//! The `[run]` section: what `leakguard run` follows and listens to, and
//! where it keeps its checkpoint.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::config::{ConfigProblem, Unknown, unknown_keys};

/// `[run]`: the live daemon's inputs.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawRun {
    /// Log files and globs to follow (the live files, not rotated copies).
    files: Option<Vec<String>>,
    /// Where a first start begins in existing files: "end" or "beginning".
    start_at: Option<String>,
    /// How often the files are looked at ("250ms", "1s").
    poll_interval: Option<String>,
    /// How long a rotated file keeps being read after the rotation ("10s").
    rotate_wait: Option<String>,
    /// The follower's checkpoint file.
    checkpoint: Option<PathBuf>,
    /// Receive syslog over UDP on this address (nginx `access_log syslog:`).
    syslog_udp: Option<String>,
    /// Receive syslog over TCP on this address.
    syslog_tcp: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The validated `[run]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunConfig {
    pub(crate) files: Vec<String>,
    pub(crate) start_at: ingest::follow::StartAt,
    pub(crate) poll_interval: Duration,
    pub(crate) rotate_wait: Duration,
    /// None: `follow-state.json` next to the SQLite store (or in the data directory).
    pub(crate) checkpoint: Option<PathBuf>,
    pub(crate) syslog_udp: Option<SocketAddr>,
    pub(crate) syslog_tcp: Option<SocketAddr>,
}

impl Default for RunConfig {
    fn default() -> RunConfig {
        let follow = ingest::follow::FollowConfig::default();
        RunConfig {
            files: Vec::new(),
            start_at: follow.start_at,
            poll_interval: follow.poll_interval,
            rotate_wait: follow.rotate_wait,
            checkpoint: None,
            syslog_udp: None,
            syslog_tcp: None,
        }
    }
}

/// Parses `250ms`, `2s`, `1m` (a whole number and a unit; seconds without one).
pub(crate) fn parse_interval(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Some(number) = text.strip_suffix("ms") {
        return number.trim().parse().ok().map(Duration::from_millis);
    }
    decisions::parse_duration(text).ok().map(Duration::from_secs)
}

/// Validates `[run]`, adding every problem found.
pub(crate) fn validate(raw: RawRun, problems: &mut Vec<ConfigProblem>) -> RunConfig {
    let mut run = RunConfig::default();
    let mut problem = |key: &str, message: String| {
        problems.push(ConfigProblem { key: key.to_owned(), message });
    };
    for (idx, file) in raw.files.unwrap_or_default().into_iter().enumerate() {
        if file.trim().is_empty() || file == "-" {
            problem(&format!("run.files[{idx}]"), format!("{file:?} is not a file or glob"));
        } else {
            run.files.push(file);
        }
    }
    match raw.start_at.as_deref() {
        None => {}
        Some("end") => run.start_at = ingest::follow::StartAt::End,
        Some("beginning") => run.start_at = ingest::follow::StartAt::Beginning,
        Some(other) => {
            problem("run.start_at", format!("{other:?} is not \"end\" or \"beginning\""))
        }
    }
    let mut interval = |key: &str, text: Option<String>, range: (Duration, Duration)| {
        let text = text?;
        match parse_interval(&text) {
            Some(value) if value >= range.0 && value <= range.1 => Some(value),
            _ => {
                problem(
                    key,
                    format!(
                        "{text:?} is not a duration between {:?} and {:?} (e.g. \"250ms\", \"10s\")",
                        range.0, range.1
                    ),
                );
                None
            }
        }
    };
    if let Some(value) = interval(
        "run.poll_interval",
        raw.poll_interval,
        (Duration::from_millis(10), Duration::from_secs(60)),
    ) {
        run.poll_interval = value;
    }
    if let Some(value) =
        interval("run.rotate_wait", raw.rotate_wait, (Duration::ZERO, Duration::from_secs(3600)))
    {
        run.rotate_wait = value;
    }
    run.checkpoint = raw.checkpoint;
    let mut address = |key: &str, text: Option<String>| {
        let text = text?;
        match text.parse::<SocketAddr>() {
            Ok(address) => Some(address),
            Err(_) => {
                problems.push(ConfigProblem {
                    key: key.to_owned(),
                    message: format!(
                        "{text:?} is not an address and port (e.g. \"127.0.0.1:5514\")"
                    ),
                });
                None
            }
        }
    };
    run.syslog_udp = address("run.syslog_udp", raw.syslog_udp);
    run.syslog_tcp = address("run.syslog_tcp", raw.syslog_tcp);
    unknown_keys("run", &raw.unknown, problems);
    run
}
