//! `leakguard run`: the live daemon.
//!
//! One process follows the `[run]` files across rotation and receives syslog,
//! feeds every line through the same [`Processor`] and detection engine as
//! `analyze`, turns each new alert into decisions through the same
//! `Service::decide_alerts` as `analyze --decide`, and serves the bouncer API
//! (with `/health` and `/metrics`) in the same process.
//!
//! Threads and queues:
//!
//! ```text
//! follower thread ──batch per poll──┐
//!                                   ├─ bounded channel ─▶ processing thread ─▶ store
//! syslog tasks ─▶ bounded channel ──┘                      (commits the checkpoint)
//! ```
//!
//! The follower polls on its own thread and sends one batch per poll, with
//! the follower's state after it. The processing thread feeds the lines, asks
//! the service for the decisions of the alerts they opened, and only once
//! those are stored writes the state to the checkpoint file (a temporary
//! file, fsync, rename, fsync of the folder). A `kill -9` at any moment
//! therefore loses no line (the checkpoint never runs ahead of the store) and
//! repeats no decision (lines after the checkpoint are read again, and their
//! alerts, whose ids are deterministic, are already in the ledger).
//! When processing falls behind, the channel fills, the follower waits in
//! `blocking_send`, and reading slows: nothing is dropped from files.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use detection::{Engine, EngineLimits};
use ingest::LineIssue;
use ingest::follow::{FollowConfig, FollowState, Follower};
use ingest::syslog::{
    ListenerConfig, Received, SyslogStats, SyslogStatsSnapshot, Transport, listen_tcp, listen_udp,
};
use model::{Alert, Clock, RuleId, Timestamp};
use pipeline::{Processor, SourceId};
use serde::Serialize;
use service::{Profile, Service};
use tokio::sync::mpsc;

use crate::blocking_config::check_listen;
use crate::config::{Config, Overrides};
use crate::decisions_cmd::open_service;
use crate::{analyze, rule_pack};

mod login_sink;
mod watch;

/// Batches waiting between the inputs and the processing thread. Small: a
/// file batch holds up to `read_bytes_per_poll` per file.
const INPUT_QUEUE: usize = 4;
/// Syslog messages waiting to be batched.
const SYSLOG_QUEUE: usize = 8192;
/// Syslog messages handed over in one batch.
const SYSLOG_BATCH: usize = 1024;
/// The window lines per second are measured over.
const RATE_WINDOW: Duration = Duration::from_secs(10);
/// While batches are waiting, the checkpoint is committed at most this often.
const COMMIT_WHILE_BUSY: Duration = Duration::from_secs(1);
/// How long to wait before trying the store again after it failed.
const STORE_RETRY: Duration = Duration::from_secs(1);

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Address and port of the bouncer API (default: serve.listen; port 0
    /// picks a free one, printed at start).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// More log files or globs to follow, besides run.files.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// The daemon's address (default: serve.listen).
    #[arg(long, value_name = "ADDR")]
    address: Option<String>,
    /// Output: text or json (the `/health` document as it is).
    #[arg(long, short = 'o', value_enum, default_value_t = crate::cli::OutputFormat::Text)]
    output: crate::cli::OutputFormat,
}

// ---------------------------------------------------------------------------
// Health

/// What `/health` reports about one source.
#[derive(Debug, Clone, Serialize)]
struct SourceHealth {
    source: String,
    kind: &'static str,
    format: String,
    lines: u64,
    events: u64,
    parse_errors: u64,
    lines_per_sec: f64,
    /// The newest event time seen.
    last_event: Option<String>,
    /// Wall-clock seconds between now and the newest event time.
    lag_secs: Option<f64>,
    /// Bytes written to the source's files and not yet read (files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    unread_bytes: Option<u64>,
    #[serde(skip)]
    samples: VecDeque<(Instant, u64)>,
    #[serde(skip)]
    last_event_time: Option<Timestamp>,
}

/// Syslog counters of one listener.
#[derive(Debug, Clone, Serialize)]
struct ListenerHealth {
    address: String,
    received: u64,
    malformed: u64,
    dropped: u64,
    connections: u64,
    last_malformed: Option<String>,
}

#[derive(Debug, Default)]
struct HealthState {
    sources: Vec<SourceHealth>,
    alerts: u64,
    decisions: u64,
    checkpoints: u64,
    last_checkpoint: Option<Timestamp>,
    last_error: Option<String>,
    last_reload: Option<String>,
    rules: usize,
    notices: VecDeque<String>,
}

/// Shared between the processing thread (writer) and the HTTP handlers.
#[derive(Debug)]
struct Health {
    started: Timestamp,
    checkpoint_path: PathBuf,
    state: Mutex<HealthState>,
    udp: Option<(SocketAddr, Arc<SyslogStats>)>,
    tcp: Option<(SocketAddr, Arc<SyslogStats>)>,
    /// The followed patterns, in source order.
    patterns: Vec<String>,
    /// The follower's state after its last poll (what it has read, not what
    /// was processed): the bytes past it are measured when asked, so the lag
    /// keeps growing in the report while processing is stuck.
    read_state: Mutex<Option<FollowState>>,
    /// The input queue, to report how full it is (weak: it never keeps the
    /// processing thread waiting at shutdown).
    input: mpsc::WeakSender<Input>,
}

/// How full the queue in front of the processing thread is.
#[derive(Debug, Serialize)]
struct QueueHealth {
    /// Batches read and waiting to be processed.
    waiting: usize,
    capacity: usize,
}

/// The `/health` document.
#[derive(Debug, Serialize)]
struct HealthDocument {
    version: u32,
    status: &'static str,
    started: String,
    uptime_secs: i64,
    rules: usize,
    sources: Vec<SourceHealth>,
    syslog: Vec<ListenerHealth>,
    /// Full while processing falls behind: the follower then waits and
    /// `unread_bytes` grows.
    input_queue: QueueHealth,
    alerts: u64,
    decisions: u64,
    checkpoint: String,
    checkpoints: u64,
    last_checkpoint: Option<String>,
    last_error: Option<String>,
    last_reload: Option<String>,
    notices: Vec<String>,
}

fn listener_health(address: SocketAddr, stats: &SyslogStats) -> ListenerHealth {
    let SyslogStatsSnapshot { n_received, n_malformed, n_dropped, n_connections, last_malformed } =
        stats.snapshot();
    ListenerHealth {
        address: address.to_string(),
        received: n_received,
        malformed: n_malformed,
        dropped: n_dropped,
        connections: n_connections,
        last_malformed,
    }
}

impl Health {
    fn document(&self) -> HealthDocument {
        let now = model::SystemClock.now();
        let instant = Instant::now();
        let read_state = match self.read_state.lock() {
            Ok(state) => state.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let unread = read_state.map(|state| unread_bytes(&state, &self.patterns));
        let input_queue = match self.input.upgrade() {
            Some(sender) => QueueHealth {
                waiting: sender.max_capacity() - sender.capacity(),
                capacity: sender.max_capacity(),
            },
            None => QueueHealth { waiting: 0, capacity: INPUT_QUEUE },
        };
        let state = match self.state.lock() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        let sources = state
            .sources
            .iter()
            .enumerate()
            .filter(|(_, source)| source.kind != "unused")
            .map(|(slot, source)| {
                let mut source = source.clone();
                if let Some(bytes) = unread.as_ref().and_then(|unread| unread.get(slot)) {
                    source.unread_bytes = Some(*bytes);
                }
                source.lines_per_sec = match source.samples.front() {
                    Some(&(since, lines)) => {
                        let secs = instant.duration_since(since).as_secs_f64().max(1.0);
                        (source.lines.saturating_sub(lines)) as f64 / secs
                    }
                    None => 0.0,
                };
                source.lag_secs = source.last_event_time.map(|time| {
                    (now.as_unix_micros() - time.as_unix_micros()) as f64 / 1_000_000.0
                });
                source
            })
            .collect();
        let syslog = [&self.udp, &self.tcp]
            .into_iter()
            .flatten()
            .map(|(address, stats)| listener_health(*address, stats))
            .collect();
        HealthDocument {
            version: 1,
            status: if state.last_error.is_some() { "degraded" } else { "ok" },
            started: self.started.to_rfc3339(),
            uptime_secs: (now.as_unix_micros() - self.started.as_unix_micros()) / 1_000_000,
            rules: state.rules,
            sources,
            syslog,
            input_queue,
            alerts: state.alerts,
            decisions: state.decisions,
            checkpoint: self.checkpoint_path.display().to_string(),
            checkpoints: state.checkpoints,
            last_checkpoint: state.last_checkpoint.map(Timestamp::to_rfc3339),
            last_error: state.last_error.clone(),
            last_reload: state.last_reload.clone(),
            notices: state.notices.iter().cloned().collect(),
        }
    }

    fn update(&self, change: impl FnOnce(&mut HealthState)) {
        let mut state = match self.state.lock() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        change(&mut state);
    }
}

/// Escapes a Prometheus label value.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The `/metrics` text (Prometheus exposition format).
fn metrics_text(document: &HealthDocument) -> String {
    let mut text = String::new();
    let mut family = |name: &str, kind: &str, help: &str, rows: Vec<(String, f64)>| {
        let _ = writeln!(text, "# HELP leakguard_{name} {help}");
        let _ = writeln!(text, "# TYPE leakguard_{name} {kind}");
        for (labels, value) in rows {
            let _ = writeln!(text, "leakguard_{name}{labels} {value}");
        }
    };
    let per_source = |pick: &dyn Fn(&SourceHealth) -> Option<f64>| -> Vec<(String, f64)> {
        document
            .sources
            .iter()
            .filter_map(|source| {
                pick(source)
                    .map(|value| (format!("{{source=\"{}\"}}", label(&source.source)), value))
            })
            .collect()
    };
    family(
        "lines_total",
        "counter",
        "Lines read per source.",
        per_source(&|s| Some(s.lines as f64)),
    );
    family(
        "events_total",
        "counter",
        "Lines parsed into events.",
        per_source(&|s| Some(s.events as f64)),
    );
    family(
        "parse_errors_total",
        "counter",
        "Lines that could not be parsed.",
        per_source(&|s| Some(s.parse_errors as f64)),
    );
    family("lag_seconds", "gauge", "Now minus the newest event time.", per_source(&|s| s.lag_secs));
    family(
        "unread_bytes",
        "gauge",
        "Bytes written to followed files and not read yet.",
        per_source(&|s| s.unread_bytes.map(|bytes| bytes as f64)),
    );
    let per_listener = |pick: &dyn Fn(&ListenerHealth) -> u64| -> Vec<(String, f64)> {
        document
            .syslog
            .iter()
            .map(|listener| {
                (format!("{{address=\"{}\"}}", label(&listener.address)), pick(listener) as f64)
            })
            .collect()
    };
    family(
        "syslog_received_total",
        "counter",
        "Syslog messages received.",
        per_listener(&|l| l.received),
    );
    family(
        "syslog_malformed_total",
        "counter",
        "Malformed syslog frames.",
        per_listener(&|l| l.malformed),
    );
    family(
        "syslog_dropped_total",
        "counter",
        "UDP messages dropped because the queue was full.",
        per_listener(&|l| l.dropped),
    );
    family(
        "input_queue_waiting",
        "gauge",
        "Batches read and waiting to be processed (full: reading waits).",
        vec![(String::new(), document.input_queue.waiting as f64)],
    );
    family(
        "alerts_total",
        "counter",
        "Alerts opened.",
        vec![(String::new(), document.alerts as f64)],
    );
    family(
        "decisions_total",
        "counter",
        "Decisions stored from alerts.",
        vec![(String::new(), document.decisions as f64)],
    );
    family(
        "checkpoints_total",
        "counter",
        "Checkpoints committed.",
        vec![(String::new(), document.checkpoints as f64)],
    );
    text
}

// ---------------------------------------------------------------------------
// Inputs

/// One poll's lines, contiguous in `data`, and the follower's state after it.
#[derive(Debug)]
struct FileBatch {
    data: Vec<u8>,
    /// (pattern index, start, end, issue)
    lines: Vec<(usize, usize, usize, Option<LineIssue>)>,
    state: FollowState,
    notices: Vec<String>,
}

/// What the processing thread receives, in order.
#[derive(Debug)]
enum Input {
    Files(FileBatch),
    Syslog(Transport, Vec<Received>),
    /// JSON lines from `POST /v1/events`, answered once processed and decided.
    Intake(String, tokio::sync::oneshot::Sender<IntakeReply>),
    /// New rules, and what made them be read (a signal, a change).
    Reload(Box<Rules>, &'static str),
}

/// The answer to `POST /v1/events`.
#[derive(Debug, Serialize)]
struct IntakeReply {
    /// Lines that became events.
    accepted: u64,
    /// Lines that did not parse.
    rejected: u64,
    /// The first rejected lines, with their number in the body.
    errors: Vec<IntakeError>,
    /// Decisions the events led to.
    decisions: usize,
}

#[derive(Debug, Serialize)]
struct IntakeError {
    line: u64,
    message: String,
}

/// Rejected lines listed in an intake reply.
const INTAKE_ERRORS: usize = 10;

/// The rules and the profile, rebuilt on SIGHUP.
struct Rules {
    engine: Engine,
    tags: HashMap<RuleId, Vec<String>>,
    profile: Profile,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules").field("engine", &self.engine).finish_non_exhaustive()
    }
}

fn load_rules(config: &Config) -> anyhow::Result<Rules> {
    let extra = rule_pack::load_dirs(&config.rule_dirs)?;
    let rule_set =
        rule_pack::compile(&extra, config.builtin_rules, &config.disabled_rules, &config.site)?;
    let tags =
        rule_set.rules().iter().map(|rule| (rule.id().clone(), rule.tags().to_vec())).collect();
    let mut engine = Engine::new(rule_set, EngineLimits::default());
    if engine.rule_set().uses_payload() {
        engine = engine.with_payload_inspector(pipeline::payload_inspector());
    }
    Ok(Rules { engine, tags, profile: config.blocking.profile.clone() })
}

/// Bytes each checkpoint's file holds past its offset (0 when it is not at
/// its path any more).
fn unread_bytes(state: &FollowState, patterns: &[String]) -> Vec<u64> {
    use std::os::unix::fs::MetadataExt;
    let mut unread = vec![0; patterns.len()];
    for checkpoint in &state.checkpoints {
        let Some(idx) = patterns.iter().position(|pattern| *pattern == checkpoint.source) else {
            continue;
        };
        if let Ok(meta) = std::fs::metadata(&checkpoint.path)
            && meta.ino() == checkpoint.file.inode
        {
            unread[idx] += meta.len().saturating_sub(checkpoint.offset);
        }
    }
    unread
}

/// Polls the files until `stop` is dropped or the processing thread is gone.
fn follow_loop(
    mut follower: Follower,
    health: &Health,
    sender: &mpsc::Sender<Input>,
    stop: &std::sync::mpsc::Receiver<()>,
    ready: std::sync::mpsc::SyncSender<()>,
) {
    let interval = follower.poll_interval();
    let mut ready = Some(ready);
    loop {
        let started = Instant::now();
        let mut data = Vec::new();
        let mut lines = Vec::new();
        let report = follower.poll(started, &mut |line| {
            let idx =
                health.patterns.iter().position(|pattern| pattern == line.source).unwrap_or(0);
            let start = data.len();
            data.extend_from_slice(line.bytes);
            lines.push((idx, start, data.len(), line.issue));
        });
        let state = follower.state();
        match health.read_state.lock() {
            Ok(mut read) => *read = Some(state.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(state.clone()),
        }
        let notices = report.notices.iter().map(|notice| format!("{notice:?}")).collect();
        let batch = FileBatch { data, lines, state, notices };
        if sender.blocking_send(Input::Files(batch)).is_err() {
            return;
        }
        // The first poll fixed where reading starts: the daemon may say it is up.
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        let wait = if report.is_caught_up {
            interval.saturating_sub(started.elapsed())
        } else {
            Duration::ZERO
        };
        match stop.recv_timeout(wait) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Hands syslog messages to the processing thread in batches, waiting while
/// it is busy (TCP senders then wait too; UDP drops and counts).
async fn forward_syslog(
    transport: Transport,
    mut receiver: mpsc::Receiver<Received>,
    sender: mpsc::Sender<Input>,
) {
    let mut buffer = Vec::with_capacity(SYSLOG_BATCH);
    while receiver.recv_many(&mut buffer, SYSLOG_BATCH).await > 0 {
        let batch = std::mem::replace(&mut buffer, Vec::with_capacity(SYSLOG_BATCH));
        if sender.send(Input::Syslog(transport, batch)).await.is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Processing

/// Writes the follower state atomically and durably.
fn write_checkpoint(path: &Path, state: &FollowState) -> anyhow::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let text = serde_json::to_vec_pretty(state).context("serialising the checkpoint")?;
    {
        let mut file = std::fs::File::create(&temporary)
            .with_context(|| format!("creating {}", temporary.display()))?;
        file.write_all(&text).with_context(|| format!("writing {}", temporary.display()))?;
        file.sync_all().with_context(|| format!("syncing {}", temporary.display()))?;
    }
    std::fs::rename(&temporary, path)
        .with_context(|| format!("renaming {} to {}", temporary.display(), path.display()))?;
    if let Some(dir) = path.parent()
        && let Ok(dir) =
            std::fs::File::open(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
    {
        // The rename is durable once the folder is synced.
        let _ = dir.sync_all();
    }
    Ok(())
}

fn read_checkpoint(path: &Path) -> anyhow::Result<Option<FollowState>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).with_context(|| {
            format!(
                "reading the checkpoint {}: it is not a follower state; move it away to start \
                 again from the end of the files",
                path.display()
            )
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => {
            Err(error).with_context(|| format!("reading the checkpoint {}", path.display()))
        }
    }
}

/// With SQLite, makes the decisions just stored survive a power cut before
/// the checkpoint says their lines are done. The store commits in WAL mode
/// with `synchronous = NORMAL`, which writes each commit to the `-wal` file
/// without syncing it; syncing that file is what `synchronous = FULL` does at
/// every commit, paid here once per batch that made decisions.
fn sync_store_log(log: &Path) -> std::io::Result<()> {
    match std::fs::File::open(log) {
        Ok(file) => file.sync_data(),
        // No log: the commit went to the database file, synced by SQLite.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// The SQLite store's write-ahead log, when the store is SQLite.
fn store_log(config: &Config) -> Option<PathBuf> {
    let store = config.blocking.store.clone().unwrap_or_else(crate::decisions_cmd::default_store);
    match store {
        store::Config::Sqlite { path } => {
            let mut log = path.into_os_string();
            log.push("-wal");
            Some(PathBuf::from(log))
        }
        _ => None,
    }
}

struct Processing {
    processor: Processor,
    rules_tags: HashMap<RuleId, Vec<String>>,
    profile: Profile,
    service: Arc<Service>,
    runtime: tokio::runtime::Handle,
    health: Arc<Health>,
    checkpoint_path: PathBuf,
    committed: Option<FollowState>,
    last_commit: Option<Instant>,
    /// Processor sources: the followed patterns first, then syslog over UDP
    /// and TCP, then the HTTP intake.
    sources: Vec<SourceId>,
    n_files: usize,
    /// The intake's events are the shop's own JSON login lines.
    intake_parser: parsers::Parser,
    numbers: Vec<u64>,
    stopping: Arc<AtomicBool>,
    /// Tells the operator about new alerts and decisions (`[notify]`).
    notifier: Option<crate::notifier::Notifier>,
    /// The SQLite store's `-wal` file, synced after decisions are stored.
    store_log: Option<PathBuf>,
}

impl Processing {
    fn syslog_slot(&self, transport: Transport) -> usize {
        match transport {
            Transport::Udp => self.n_files,
            Transport::Tcp => self.n_files + 1,
        }
    }

    /// Decides on the alerts the lines opened; retries while the store fails,
    /// so that nothing after them is committed before they are stored.
    fn decide(&mut self) -> Option<usize> {
        let _ = self.processor.take_closed_alerts();
        let alerts: Vec<Alert> = self.processor.take_new_alerts();
        if alerts.is_empty() {
            return Some(0);
        }
        loop {
            let made = self.runtime.block_on(self.service.decide_alerts(
                &alerts,
                &self.rules_tags,
                &self.profile,
            ));
            match made {
                Ok(made) => {
                    crate::console_cmd::store_alerts_live(&self.runtime, &self.service, &alerts);
                    if let Some(notifier) = &self.notifier {
                        notifier.offer(&alerts, &made);
                    }
                    let n_made = made.len() as u64;
                    self.health.update(|state| {
                        state.alerts += alerts.len() as u64;
                        state.decisions += n_made;
                        state.last_error = None;
                    });
                    if !made.is_empty()
                        && let Some(log) = &self.store_log
                        && let Err(error) = sync_store_log(log)
                    {
                        let message = format!("syncing {}: {error}", log.display());
                        let _ = writeln!(std::io::stderr().lock(), "leakguard run: {message}");
                        self.health.update(|state| state.last_error = Some(message));
                    }
                    return Some(made.len());
                }
                Err(error) => {
                    let message = format!("storing decisions: {error}");
                    let _ = writeln!(std::io::stderr().lock(), "leakguard run: {message}");
                    self.health.update(|state| state.last_error = Some(message));
                    if self.stopping.load(Ordering::Relaxed) {
                        return None;
                    }
                    std::thread::sleep(STORE_RETRY);
                }
            }
        }
    }

    fn refresh_health(&self, notices: Vec<String>) {
        let instant = Instant::now();
        self.health.update(|state| {
            for (slot, id) in self.sources.iter().enumerate() {
                let summary = self.processor.source_summary(*id);
                let Some(health) = state.sources.get_mut(slot) else { continue };
                health.format.clone_from(&summary.format);
                health.lines = summary.lines;
                health.events = summary.events;
                health.parse_errors = summary.parse_errors;
                if let Some(time) = self.processor.source_last_time(*id) {
                    health.last_event_time = Some(time);
                    health.last_event = Some(time.to_rfc3339());
                }
                health.samples.push_back((instant, summary.lines));
                while health.samples.len() > 2
                    && health
                        .samples
                        .get(1)
                        .is_some_and(|(at, _)| instant.duration_since(*at) >= RATE_WINDOW)
                {
                    health.samples.pop_front();
                }
            }
            for notice in notices {
                if state.notices.len() >= 20 {
                    state.notices.pop_front();
                }
                state.notices.push_back(notice);
            }
        });
    }

    /// Processes one poll's lines; commits the checkpoint unless more
    /// batches are waiting and the last commit is recent (catching up, each
    /// fsync would otherwise cost more than the batch).
    fn files(&mut self, batch: FileBatch, is_more_waiting: bool) -> bool {
        let mut touched = vec![false; self.sources.len()];
        for &(idx, start, end, issue) in &batch.lines {
            let Some(&id) = self.sources.get(idx) else { continue };
            self.numbers[idx] += 1;
            touched[idx] = true;
            self.processor.line(id, self.numbers[idx], &batch.data[start..end], issue);
        }
        // A source whose format is detected holds its first lines until it
        // has a sample; live, the sample is what has arrived so far, so that
        // no committed line waits unprocessed.
        for (idx, is_touched) in touched.iter().enumerate() {
            if *is_touched {
                self.processor.end_source(self.sources[idx]);
            }
        }
        if self.decide().is_none() {
            return false;
        }
        let is_commit_due =
            !is_more_waiting || self.last_commit.is_none_or(|at| at.elapsed() >= COMMIT_WHILE_BUSY);
        if is_commit_due && self.committed.as_ref() != Some(&batch.state) {
            match write_checkpoint(&self.checkpoint_path, &batch.state) {
                Ok(()) => {
                    self.committed = Some(batch.state);
                    self.last_commit = Some(Instant::now());
                    self.health.update(|state| {
                        // The store worked for this batch and the checkpoint now: all is well.
                        state.last_error = None;
                        state.checkpoints += 1;
                        state.last_checkpoint = Some(model::SystemClock.now());
                    });
                }
                Err(error) => {
                    // The next batch's state covers these lines too; a replay
                    // of them repeats no decision.
                    let message = format!("{error:#}");
                    let _ = writeln!(std::io::stderr().lock(), "leakguard run: {message}");
                    self.health.update(|state| state.last_error = Some(message));
                }
            }
        }
        self.refresh_health(batch.notices);
        true
    }

    fn syslog(&mut self, transport: Transport, messages: &[Received]) -> bool {
        let slot = self.syslog_slot(transport);
        let id = self.sources[slot];
        for message in messages {
            self.numbers[slot] += 1;
            self.processor.line(id, self.numbers[slot], message.message.trim_ascii(), None);
        }
        self.processor.end_source(id);
        let decided = self.decide();
        self.refresh_health(Vec::new());
        decided.is_some()
    }

    fn intake(&mut self, body: &str, reply: tokio::sync::oneshot::Sender<IntakeReply>) -> bool {
        let slot = self.n_files + 2;
        let id = self.sources[slot];
        let mut answer = IntakeReply { accepted: 0, rejected: 0, errors: Vec::new(), decisions: 0 };
        for (idx, line) in body.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            self.numbers[slot] += 1;
            match self.intake_parser.parse(line) {
                Ok(event) => {
                    self.processor.event(id, &event, self.numbers[slot], line);
                    answer.accepted += 1;
                }
                Err(error) => {
                    answer.rejected += 1;
                    if answer.errors.len() < INTAKE_ERRORS {
                        answer
                            .errors
                            .push(IntakeError { line: idx as u64 + 1, message: error.to_string() });
                    }
                }
            }
        }
        let Some(n_made) = self.decide() else { return false };
        answer.decisions = n_made;
        self.refresh_health(Vec::new());
        // The sender may have given up waiting; the events are processed anyway.
        let _ = reply.send(answer);
        true
    }

    fn reload(&mut self, rules: Rules, cause: &str) {
        let n_rules = rules.engine.rule_set().len();
        // The alerts of the old engine are decided before it goes.
        let _ = self.decide();
        let processor = std::mem::replace(
            &mut self.processor,
            Processor::new(
                pipeline::FormatChoice::Auto,
                parsers::ParserOptions::default(),
                pipeline::SummaryLimits::default(),
            ),
        );
        self.processor = processor.with_engine(rules.engine);
        self.rules_tags = rules.tags;
        self.profile = rules.profile;
        self.health.update(|state| {
            state.rules = n_rules;
            state.last_reload = Some(format!(
                "{}: loaded {n_rules} rule(s) ({cause})",
                model::SystemClock.now().to_rfc3339()
            ));
        });
    }

    fn run(mut self, mut receiver: mpsc::Receiver<Input>) -> bool {
        while let Some(input) = receiver.blocking_recv() {
            let is_ok = match input {
                Input::Files(batch) => {
                    let is_more_waiting = !receiver.is_empty();
                    self.files(batch, is_more_waiting)
                }
                Input::Syslog(transport, messages) => self.syslog(transport, &messages),
                Input::Intake(body, reply) => self.intake(&body, reply),
                Input::Reload(rules, cause) => {
                    self.reload(*rules, cause);
                    true
                }
            };
            if !is_ok {
                return false;
            }
        }
        true
    }
}

// ---------------------------------------------------------------------------
// Wiring

/// `POST /v1/events`: the shop's own login events as JSON lines (the
/// `json:login` mapping), with a bouncer's or a login API key; answered once they
/// are processed and their decisions stored.
async fn intake(
    service: &Service,
    sender: &mpsc::Sender<Input>,
    headers: &axum::http::HeaderMap,
    body: String,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let message = |status: StatusCode, text: &str| {
        (status, axum::Json(serde_json::json!({ "message": text }))).into_response()
    };
    let key = headers.get("x-api-key").and_then(|value| value.to_str().ok()).map(str::trim);
    let key = key.unwrap_or_default();
    // A bouncer's key, or an API key with the login scope (`leakguard keys add`).
    let client = match service.authenticate_client(key).await {
        Ok(client) => client.filter(|client| client.has_scope(service::LOGIN_SCOPE)),
        Err(_) => return message(StatusCode::SERVICE_UNAVAILABLE, "the store is unavailable"),
    };
    match service.authenticate(key).await {
        _ if client.is_some() => {}
        Ok(Some(_)) => {}
        Ok(None) => return message(StatusCode::FORBIDDEN, "access forbidden"),
        Err(_) => return message(StatusCode::SERVICE_UNAVAILABLE, "the store is unavailable"),
    }
    let (reply, answer) = tokio::sync::oneshot::channel();
    if sender.send(Input::Intake(body, reply)).await.is_err() {
        return message(StatusCode::SERVICE_UNAVAILABLE, "leakguard is stopping");
    }
    match answer.await {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(_) => message(StatusCode::SERVICE_UNAVAILABLE, "not processed; send the events again"),
    }
}

/// The default data folder: `$XDG_DATA_HOME/leakguard`, else `~/.local/share/leakguard`.
fn data_dir() -> PathBuf {
    // The app crate is where environment variables are read.
    #[allow(clippy::disallowed_methods)]
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")));
    data_home.map_or_else(|| PathBuf::from("."), |dir| dir.join("leakguard"))
}

/// `run.checkpoint`, else `follow-state.json` next to the SQLite store, else in the data folder.
fn checkpoint_path(config: &Config) -> PathBuf {
    if let Some(path) = &config.run.checkpoint {
        return path.clone();
    }
    match &config.blocking.store {
        Some(store::Config::Sqlite { path }) => {
            path.parent().unwrap_or(Path::new(".")).join("follow-state.json")
        }
        _ => data_dir().join("follow-state.json"),
    }
}

fn say(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "leakguard run: {text}")?;
    stdout.flush()?;
    Ok(())
}

pub(crate) fn run(
    args: &RunArgs,
    config: &Config,
    config_path: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let listen = match &args.listen {
        Some(text) => {
            check_listen(text, config.blocking.allow_plain_http || config.blocking.tls.is_some())
                .map_err(|message| anyhow::anyhow!("--listen: {message}"))?
        }
        None => config.blocking.listen,
    };
    let mut patterns = config.run.files.clone();
    patterns.extend(args.files.iter().cloned());
    let checkpoint = checkpoint_path(config);
    if let Some(dir) = checkpoint.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let resume = read_checkpoint(&checkpoint)?;
    let rules = load_rules(config)?;
    let acceptor = match &config.blocking.tls {
        Some((cert, key)) => Some(crate::tls::load_acceptor(cert, key)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let is_clean = runtime.block_on(async {
        let service = Arc::new(open_service(config).await?);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let local = listener.local_addr().context("reading the bound address")?;
        let (input_sender, input_receiver) = mpsc::channel::<Input>(INPUT_QUEUE);
        let mut syslog_tasks = Vec::new();
        let mut bind_syslog = async |address: Option<SocketAddr>, transport: Transport| {
            let Some(address) = address else { return anyhow::Ok(None) };
            let (sender, receiver) = mpsc::channel(SYSLOG_QUEUE);
            let stats = Arc::new(SyslogStats::default());
            let limits = ListenerConfig::default();
            let (bound, task) = match transport {
                Transport::Udp => listen_udp(address, limits, sender, stats.clone()).await,
                Transport::Tcp => listen_tcp(address, limits, sender, stats.clone()).await,
            }
            .with_context(|| format!("listening for syslog on {address}"))?;
            syslog_tasks.push(task);
            let forward = forward_syslog(transport, receiver, input_sender.clone());
            syslog_tasks.push(tokio::spawn(forward));
            anyhow::Ok(Some((bound, stats)))
        };
        let udp = bind_syslog(config.run.syslog_udp, Transport::Udp).await?;
        let tcp = bind_syslog(config.run.syslog_tcp, Transport::Tcp).await?;
        let health = Arc::new(Health {
            started: model::SystemClock.now(),
            checkpoint_path: checkpoint.clone(),
            state: Mutex::new(HealthState::default()),
            udp: udp.clone(),
            tcp: tcp.clone(),
            patterns: patterns.clone(),
            read_state: Mutex::new(None),
            input: input_sender.downgrade(),
        });

        // The processor: the same as `analyze`, with the rules' engine.
        let mut processor = analyze::processor_for(config, 10, false)?;
        let mut sources = Vec::new();
        let mut source_health = Vec::new();
        let shown = |bound: &Option<(SocketAddr, Arc<SyslogStats>)>| {
            bound.as_ref().map_or(String::new(), |(address, _)| address.to_string())
        };
        let names = patterns.iter().map(|pattern| (pattern.clone(), "file")).chain([
            (format!("syslog+udp://{}", shown(&udp)), "syslog"),
            (format!("syslog+tcp://{}", shown(&tcp)), "syslog"),
            ("intake".to_owned(), "intake"),
        ]);
        for (name, kind) in names {
            sources.push(processor.begin_source(&name).context("compiling the log format")?);
            source_health.push(SourceHealth {
                source: name,
                kind,
                format: String::new(),
                lines: 0,
                events: 0,
                parse_errors: 0,
                lines_per_sec: 0.0,
                last_event: None,
                lag_secs: None,
                unread_bytes: None,
                samples: VecDeque::new(),
                last_event_time: None,
            });
        }
        // Unused syslog slots are not reported.
        if udp.is_none() {
            source_health[patterns.len()].kind = "unused";
        }
        if tcp.is_none() {
            source_health[patterns.len() + 1].kind = "unused";
        }
        let n_rules = rules.engine.rule_set().len();
        health.update(|state| {
            state.sources = source_health;
            state.rules = n_rules;
        });
        let stopping = Arc::new(AtomicBool::new(false));
        let (notifier, notifier_task) = crate::notifier::Notifier::spawn(config).unzip();
        let processing = Processing {
            processor: processor.with_engine(rules.engine),
            rules_tags: rules.tags,
            profile: rules.profile,
            service: service.clone(),
            runtime: tokio::runtime::Handle::current(),
            health: health.clone(),
            checkpoint_path: checkpoint.clone(),
            committed: resume.clone(),
            last_commit: None,
            numbers: vec![0; sources.len()],
            sources,
            n_files: patterns.len(),
            intake_parser: parsers::Parser::compile(
                &parsers::FormatSpec::from_name("json:login")
                    .context("the json:login preset exists")?,
                &parsers::ParserOptions {
                    trusted_proxies: config.trusted_proxies.clone(),
                    default_utc_offset_secs: config.utc_offset_secs,
                },
            )
            .context("compiling the json:login format")?,
            stopping: stopping.clone(),
            notifier,
            store_log: store_log(config),
        };
        let processing_thread = std::thread::Builder::new()
            .name("leakguard-process".to_owned())
            .spawn(move || processing.run(input_receiver))
            .context("starting the processing thread")?;

        // The follower on its own thread.
        let (stop_follower, stop_receiver) = std::sync::mpsc::channel::<()>();
        let (ready_sender, ready) = std::sync::mpsc::sync_channel::<()>(1);
        let follower_thread = if patterns.is_empty() {
            None
        } else {
            let follow_config = FollowConfig {
                start_at: config.run.start_at,
                max_line_bytes: config.max_line_bytes,
                poll_interval: config.run.poll_interval,
                rotate_wait: config.run.rotate_wait,
                ..FollowConfig::default()
            };
            let follower = Follower::new(patterns.clone(), follow_config, resume);
            let sender = input_sender.clone();
            let health = health.clone();
            Some(
                std::thread::Builder::new()
                    .name("leakguard-follow".to_owned())
                    .spawn(move || {
                        follow_loop(follower, &health, &sender, &stop_receiver, ready_sender);
                    })
                    .context("starting the follower thread")?,
            )
        };
        if follower_thread.is_some() {
            // Announce the API only once the start position in the files is fixed, so
            // that a line written after the announcement is never taken for history.
            let _ = tokio::task::spawn_blocking(move || ready.recv()).await;
        }

        if !config.blocking.outputs.is_empty() {
            tokio::spawn(crate::outputs::keep_fresh(
                service.clone(),
                config.blocking.outputs.clone(),
                "leakguard run",
            ));
        }
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        say(&format!("bouncer API on {scheme}://{local}"))?;
        if let Some((address, _)) = &udp {
            say(&format!("syslog on udp://{address}"))?;
        }
        if let Some((address, _)) = &tcp {
            say(&format!("syslog on tcp://{address}"))?;
        }
        for pattern in &patterns {
            say(&format!("following {pattern}"))?;
        }
        say(&format!("checkpoint {}", checkpoint.display()))?;

        let health_for_routes = health.clone();
        let routes = axum::Router::new()
            .route(
                "/health",
                axum::routing::get(async move || axum::Json(health_for_routes.document())),
            )
            .route(
                "/metrics",
                axum::routing::get({
                    let health = health.clone();
                    async move || {
                        (
                            [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                            metrics_text(&health.document()),
                        )
                    }
                }),
            );
        let routes = routes.route(
            "/v1/events",
            axum::routing::post({
                let (service, sender) = (service.clone(), input_sender.clone());
                async move |headers: axum::http::HeaderMap, body: String| {
                    intake(&service, &sender, &headers, body).await
                }
            }),
        );
        let login = crate::pwned_cmd::login_routes(
            service.clone(),
            config,
            Some(login_sink::EngineSink::new(input_sender.clone())),
        )?;
        let router = api::router(service.clone()).merge(routes).merge(login);
        let router = crate::console_cmd::mount(router, service.clone(), config, acceptor.is_some());
        let (stop_api, api_stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = api_stopped.await;
        };
        let server = match acceptor {
            Some(acceptor) => {
                let listener = crate::tls::TlsListener::spawn(listener, acceptor)?;
                tokio::spawn(async move {
                    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
                })
            }
            None => tokio::spawn(async move {
                axum::serve(listener, router).with_graceful_shutdown(shutdown).await
            }),
        };

        // Wait for a signal; SIGHUP, or a change to the configuration file or
        // the rule folders, reloads the rules and the profile.
        let (done_sender, mut done) = tokio::sync::oneshot::channel::<()>();
        let processing_thread = tokio::task::spawn_blocking(move || {
            let is_ok = processing_thread.join().unwrap_or(false);
            let _ = done_sender.send(());
            is_ok
        });
        // Registered once, before the loop, so that no signal falls between two waits.
        let listen_for = |kind| tokio::signal::unix::signal(kind).context("listening for signals");
        let mut hangups = listen_for(tokio::signal::unix::SignalKind::hangup())?;
        let mut interrupts = listen_for(tokio::signal::unix::SignalKind::interrupt())?;
        let mut terminations = listen_for(tokio::signal::unix::SignalKind::terminate())?;
        let mut watched_dirs = config.rule_dirs.clone();
        let mut seen = watch::fingerprint(config_path, &watched_dirs);
        let mut ticks = tokio::time::interval(watch::WATCH_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let cause = tokio::select! {
                _ = interrupts.recv() => break,
                _ = terminations.recv() => break,
                _ = &mut done => break,
                _ = hangups.recv() => "SIGHUP",
                _ = ticks.tick() => "changed on disk",
            };
            let now = watch::fingerprint(config_path, &watched_dirs);
            if cause != "SIGHUP" && now == seen {
                continue;
            }
            seen = now;
            let reload = Reload { config_path, running: config, health: &health };
            if let Some(dirs) = reload.load(&input_sender, cause).await?
                && dirs != watched_dirs
            {
                watched_dirs = dirs;
                seen = watch::fingerprint(config_path, &watched_dirs);
            }
        }

        // Stop reading and serving (requests under way are answered), then
        // let the processing thread drain what was read and commit.
        stopping.store(true, Ordering::Relaxed);
        drop(stop_follower);
        for task in &syslog_tasks {
            task.abort();
        }
        let _ = stop_api.send(());
        let served = server.await.context("the API task")?;
        drop(input_sender);
        if let Some(thread) = follower_thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        let is_clean = processing_thread.await.unwrap_or(false);
        if let Some(task) = notifier_task {
            // What waits in the digests goes out before the daemon stops.
            task.finish(std::time::Duration::from_secs(10)).await;
        }
        served.context("serving the bouncer API")?;
        say("stopped")?;
        anyhow::Ok(is_clean)
    })?;
    Ok(if is_clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Reading the configuration and the rules again while running.
struct Reload<'a> {
    config_path: Option<&'a Path>,
    /// The configuration the daemon started with.
    running: &'a Config,
    health: &'a Health,
}

impl Reload<'_> {
    /// Hands the new rules and profile to the processing thread, or, when
    /// they are invalid, keeps the running ones and says why (stderr and
    /// `last_reload` in `/health`). Returns the new rule folders to watch,
    /// when the configuration could be read.
    async fn load(
        &self,
        sender: &mpsc::Sender<Input>,
        cause: &'static str,
    ) -> anyhow::Result<Option<Vec<PathBuf>>> {
        let new_config = match crate::config::load_config(self.config_path, &Overrides::default()) {
            Ok(new_config) => new_config,
            Err(error) => {
                self.refuse(cause, &error);
                return Ok(None);
            }
        };
        match load_rules(&new_config) {
            Ok(rules) => {
                if new_config.run != self.running.run {
                    // Files and addresses are bound at start.
                    let message = "the [run] section changed: restart leakguard run to apply it";
                    let _ = writeln!(std::io::stderr().lock(), "leakguard run: {message}");
                    self.health.update(|state| {
                        if state.notices.len() >= 20 {
                            state.notices.pop_front();
                        }
                        state.notices.push_back(message.to_owned());
                    });
                }
                let n_rules = rules.engine.rule_set().len();
                if sender.send(Input::Reload(Box::new(rules), cause)).await.is_ok() {
                    say(&format!("reloaded ({cause}): {n_rules} rule(s)"))?;
                }
            }
            Err(error) => self.refuse(cause, &error),
        }
        Ok(Some(new_config.rule_dirs))
    }

    fn refuse(&self, cause: &str, error: &anyhow::Error) {
        let message = format!(
            "{}: reload failed ({cause}), keeping the old rules: {error:#}",
            model::SystemClock.now().to_rfc3339()
        );
        let _ = writeln!(std::io::stderr().lock(), "leakguard run: {message}");
        self.health.update(|state| state.last_reload = Some(message));
    }
}

// ---------------------------------------------------------------------------
// `leakguard status`

/// One GET over plain HTTP/1.1; returns the status code and the body.
fn http_get(address: &str, path: &str) -> anyhow::Result<(u16, String)> {
    use std::io::Read as _;
    let mut stream = std::net::TcpStream::connect(address)
        .with_context(|| format!("connecting to leakguard run at {address}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let is_chunked = head.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    if !is_chunked {
        return Ok((status, body.to_owned()));
    }
    let mut decoded = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        decoded.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    Ok((status, decoded))
}

pub(crate) fn status(args: &StatusArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let address = match &args.address {
        Some(address) => address.clone(),
        None => {
            anyhow::ensure!(
                config.blocking.tls.is_none(),
                "`leakguard status` speaks plain HTTP; with serve.tls_cert set, query \
                 https://{}/health with curl instead",
                config.blocking.listen
            );
            let mut listen = config.blocking.listen;
            if listen.ip().is_unspecified() {
                listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            listen.to_string()
        }
    };
    let (code, body) = http_get(&address, "/health")?;
    anyhow::ensure!(code == 200, "{address}/health answered {code}: {body}");
    let mut stdout = std::io::stdout().lock();
    if args.output == crate::cli::OutputFormat::Json {
        writeln!(stdout, "{}", body.trim())?;
        return Ok(ExitCode::SUCCESS);
    }
    let health: serde_json::Value =
        serde_json::from_str(body.trim()).context("reading the /health document")?;
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::Null => "-".to_owned(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    writeln!(
        stdout,
        "leakguard run at {address}: {}, up {}s, {} rule(s)",
        text(&health["status"]),
        text(&health["uptime_secs"]),
        text(&health["rules"])
    )?;
    writeln!(
        stdout,
        "alerts {}, decisions {}, last checkpoint {} ({})",
        text(&health["alerts"]),
        text(&health["decisions"]),
        text(&health["last_checkpoint"]),
        text(&health["checkpoint"])
    )?;
    for source in health["sources"].as_array().into_iter().flatten() {
        if source["kind"] == "unused" {
            continue;
        }
        let rate = source["lines_per_sec"].as_f64().unwrap_or(0.0);
        let lag =
            source["lag_secs"].as_f64().map_or_else(|| "-".to_owned(), |lag| format!("{lag:.1}s"));
        writeln!(
            stdout,
            "  {}  {} lines ({rate:.1}/s), {} parse errors, lag {lag}, unread {} bytes, format {}",
            text(&source["source"]),
            text(&source["lines"]),
            text(&source["parse_errors"]),
            text(&source["unread_bytes"]),
            text(&source["format"])
        )?;
    }
    for listener in health["syslog"].as_array().into_iter().flatten() {
        writeln!(
            stdout,
            "  syslog {}  received {}, malformed {}, dropped {}",
            text(&listener["address"]),
            text(&listener["received"]),
            text(&listener["malformed"]),
            text(&listener["dropped"])
        )?;
    }
    let queue = &health["input_queue"];
    if queue["waiting"].as_u64().unwrap_or(0) > 0 {
        writeln!(
            stdout,
            "input queue: {} of {} batch(es) waiting (processing is behind; reading waits)",
            text(&queue["waiting"]),
            text(&queue["capacity"])
        )?;
    }
    if !health["last_error"].is_null() {
        writeln!(stdout, "last error: {}", text(&health["last_error"]))?;
    }
    if !health["last_reload"].is_null() {
        writeln!(stdout, "last reload: {}", text(&health["last_reload"]))?;
    }
    Ok(ExitCode::SUCCESS)
}
