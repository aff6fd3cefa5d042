//! `leakguard run` against a model: a seeded random sequence of writes,
//! rotations (rename and create, copytruncate, compression of the rotated
//! file), truncations, deletions, `kill -9` and restarts, compared after
//! every settling point with what must have been processed.
//!
//! What is checked:
//! - every attacker written is banned, exactly once, and nobody else is
//!   (`GET /v1/decisions` at each settling point, `decisions list` at the
//!   end): no line of a followed file is lost and none decides twice;
//! - within one run of the daemon, its processed-line counter (`/health`)
//!   grows by exactly the lines written: nothing is read twice across
//!   rotations;
//! - after a `kill -9`, the lines read again are at most those written
//!   since the last settling point (whose checkpoint covered everything),
//!   and none when nothing was written since.
//!
//! Operations that destroy unread data by nature (a truncation, a deletion,
//! a copytruncate, which loses what is written between the last read and
//! the truncation) happen once the daemon has read everything, as the
//! ingest crate's model test documents; rotations, compression and writes
//! happen at any time, also while the daemon is down.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::run::{
    CONFIG, Daemon, add_bouncer, append, at, decisions_per_value, get, health, start_with,
};

/// A rule of its own, so that the daemon starts fast in debug builds: every
/// request for `/attack` bans its address.
const ATTACK_RULE: &str = "id: test-attack\ntitle: Requests /attack\nseverity: high\n\
    detection: {kind: match, where: {path: /attack}, group_by: [ip]}\n\
    response:\n  - {action: ban, scope: ip, duration: 24h}\n";

/// splitmix64: a seeded, dependency-free generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The attacker with number `n` (unique per test run).
fn attacker(n: u32) -> String {
    let (block, host) = (n / 250, n % 250 + 1);
    assert!(block < 2, "the test writes at most 500 attackers");
    format!("{}.{host}", ["203.0.113", "198.51.100"][block as usize])
}

/// What the daemon must have done, and what the test did to its files.
struct Model {
    dir: PathBuf,
    log: PathBuf,
    rng: Rng,
    /// Lines written so far (also the clock: line `n` is `n` seconds in).
    n_written: u32,
    n_attackers: u32,
    /// Rotated generations: number -> is compressed.
    rotated: BTreeMap<u32, bool>,
    daemon: Option<Daemon>,
    /// Lines written since the current daemon started (and while it was down before).
    written_in_life: u64,
    /// Lines the current daemon read again after its start (known at its first settling).
    replayed: Option<u64>,
    /// Lines written since the last settling point, of the daemon killed last.
    unsettled_before_kill: u64,
    /// Lines written since the last settling point.
    unsettled: u64,
    /// Whether access.log was renamed since the last settling point.
    is_renamed_since_settle: bool,
    n_kills: u32,
    n_settles: u32,
    /// Lines written before a kill and read after the restart, in all.
    n_replayed: u64,
    log_of_ops: Vec<String>,
}

impl Model {
    fn new(dir: &Path, seed: u64) -> Model {
        let rules = dir.join("rules");
        std::fs::create_dir_all(&rules).unwrap();
        std::fs::write(rules.join("attack.yaml"), ATTACK_RULE).unwrap();
        let config = "[logs]\nformat = \"combined\"\n[rules]\nbuiltin = false\ndirs = [\"rules\"]\n\
                      [store]\npath = \"data/leakguard.db\"\n[serve]\nlisten = \"127.0.0.1:0\"\n\
                      [run]\nfiles = [\"access.log\"]\nstart_at = \"beginning\"\n\
                      poll_interval = \"50ms\"\nrotate_wait = \"3s\"\n";
        std::fs::write(dir.join(CONFIG), config).unwrap();
        Model {
            dir: dir.to_owned(),
            log: dir.join("access.log"),
            rng: Rng(seed),
            n_written: 0,
            n_attackers: 0,
            rotated: BTreeMap::new(),
            daemon: None,
            written_in_life: 0,
            replayed: None,
            unsettled_before_kill: 0,
            unsettled: 0,
            is_renamed_since_settle: false,
            n_kills: 0,
            n_settles: 0,
            n_replayed: 0,
            log_of_ops: Vec::new(),
        }
    }

    fn note(&mut self, op: String) {
        self.log_of_ops.push(op);
    }

    /// `n` lines, one in five an attacker, appended to `path`.
    fn write(&mut self, path: &Path, n_lines: u32) {
        let mut text = String::new();
        for _ in 0..n_lines {
            let second = self.n_written;
            if self.rng.below(5) == 0 {
                let ip = attacker(self.n_attackers);
                self.n_attackers += 1;
                text.push_str(&format!(
                    "{ip} - - [{}] \"GET /attack HTTP/1.1\" 404 10 \"-\" \"curl/8\"\n",
                    at(second)
                ));
            } else {
                text.push_str(&format!(
                    "192.0.2.{} - - [{}] \"GET /product/{second} HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n",
                    second % 200 + 1,
                    at(second)
                ));
            }
            self.n_written += 1;
        }
        append(path, &text);
        self.written_in_life += u64::from(n_lines);
        self.unsettled += u64::from(n_lines);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        self.note(format!("write {n_lines} to {name}"));
    }

    fn rotated_path(&self, number: u32, is_compressed: bool) -> PathBuf {
        let suffix = if is_compressed { ".gz" } else { "" };
        self.dir.join(format!("access.log.{number}{suffix}"))
    }

    /// logrotate's numbering: every generation moves up by one.
    fn shift_generations(&mut self) {
        let generations: Vec<(u32, bool)> =
            self.rotated.iter().rev().map(|(number, gz)| (*number, *gz)).collect();
        for (number, is_compressed) in generations {
            std::fs::rename(
                self.rotated_path(number, is_compressed),
                self.rotated_path(number + 1, is_compressed),
            )
            .unwrap();
            self.rotated.remove(&number);
            self.rotated.insert(number + 1, is_compressed);
        }
    }

    /// Rename and create; the server may write the renamed file a little longer.
    fn rotate_rename(&mut self) {
        if !self.log.exists() {
            return;
        }
        // A file created and renamed away again before the daemon ever saw it
        // (two rotations within one poll, or while it is down) is not followed:
        // only the path is, so such a middle generation is lost by any
        // path-following reader. logrotate never rotates that fast; the model
        // lets the daemon open the new file before the next rename.
        if self.is_renamed_since_settle {
            self.settle();
        }
        self.is_renamed_since_settle = true;
        self.shift_generations();
        std::fs::rename(&self.log, self.rotated_path(1, false)).unwrap();
        self.rotated.insert(1, false);
        self.note("rename access.log to access.log.1".to_owned());
        if self.rng.below(2) == 0 {
            let n_lines = 1 + self.rng.below(5) as u32;
            self.write(&self.rotated_path(1, false), n_lines);
        }
        if self.rng.below(2) == 0 {
            std::fs::write(&self.log, "").unwrap();
            self.note("create access.log".to_owned());
        }
    }

    /// Compresses one uncompressed generation (logrotate's `compress`).
    fn compress(&mut self) {
        let Some(number) =
            self.rotated.iter().find(|(_, is_compressed)| !**is_compressed).map(|(n, _)| *n)
        else {
            return;
        };
        let plain = self.rotated_path(number, false);
        let bytes = std::fs::read(&plain).unwrap();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&bytes).unwrap();
        std::fs::write(self.rotated_path(number, true), encoder.finish().unwrap()).unwrap();
        std::fs::remove_file(&plain).unwrap();
        self.rotated.insert(number, true);
        self.note(format!("compress access.log.{number}"));
    }

    fn copytruncate(&mut self) {
        if !self.log.exists() {
            return;
        }
        self.settle();
        self.shift_generations();
        std::fs::copy(&self.log, self.rotated_path(1, false)).unwrap();
        self.rotated.insert(1, false);
        std::fs::OpenOptions::new().write(true).open(&self.log).unwrap().set_len(0).unwrap();
        self.note("copytruncate access.log".to_owned());
    }

    fn truncate(&mut self) {
        if !self.log.exists() {
            return;
        }
        self.settle();
        std::fs::OpenOptions::new().write(true).open(&self.log).unwrap().set_len(0).unwrap();
        self.note("truncate access.log".to_owned());
    }

    fn delete_and_recreate(&mut self) {
        if !self.log.exists() {
            return;
        }
        self.settle();
        std::fs::remove_file(&self.log).unwrap();
        self.note("delete access.log".to_owned());
        let n_lines = 1 + self.rng.below(10) as u32;
        self.write(&self.log.clone(), n_lines);
    }

    fn start(&mut self) {
        if self.daemon.is_none() {
            self.daemon = Some(start_with(&self.dir, CONFIG));
            self.replayed = None;
            self.note("start".to_owned());
        }
    }

    fn kill(&mut self) {
        if let Some(daemon) = self.daemon.take() {
            daemon.kill_9();
            self.n_kills += 1;
            self.unsettled_before_kill = self.unsettled;
            self.written_in_life = 0;
            self.note("kill -9".to_owned());
        }
    }

    /// Whether every file's checkpoint is at the file's end (the checkpoint
    /// covers everything written).
    fn is_checkpoint_at_the_ends(&self) -> bool {
        let Ok(bytes) = std::fs::read(self.dir.join("data/follow-state.json")) else {
            return false;
        };
        let state: Value = serde_json::from_slice(&bytes).unwrap();
        state["checkpoints"].as_array().unwrap().iter().all(|checkpoint| {
            let path = self.dir.join(checkpoint["path"].as_str().unwrap());
            // A file compressed since is checked through the counters.
            match std::fs::metadata(&path) {
                Ok(meta) if !path.to_string_lossy().ends_with(".gz") => {
                    checkpoint["offset"].as_u64() == Some(meta.len())
                }
                _ => true,
            }
        })
    }

    /// Waits until the daemon has read, processed and committed everything,
    /// then compares it with the model.
    fn settle(&mut self) {
        self.start();
        let daemon = self.daemon.as_ref().unwrap();
        let context = || format!("operations so far: {:?}", self.log_of_ops);
        let floor = self.written_in_life + self.replayed.unwrap_or(0);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last: Option<u64> = None;
        let lines = loop {
            let document = health(daemon);
            let source = &document["sources"][0];
            let lines = source["lines"].as_u64().unwrap();
            let is_settled = lines >= floor
                && source["unread_bytes"].as_u64() == Some(0)
                && document["input_queue"]["waiting"] == 0
                && self.is_checkpoint_at_the_ends();
            // Settled twice in a row, a few polls apart, with the same count.
            if is_settled && last == Some(lines) {
                break lines;
            }
            last = is_settled.then_some(lines);
            assert!(
                Instant::now() < deadline,
                "never settled: {lines} lines, at least {floor} expected\n{document}\n{}",
                context()
            );
            std::thread::sleep(Duration::from_millis(150));
        };
        match self.replayed {
            None => {
                let replayed = lines - self.written_in_life;
                assert!(
                    replayed <= self.unsettled_before_kill,
                    "{replayed} lines read again after a restart, but only {} were written \
                     after the last settled checkpoint\n{}",
                    self.unsettled_before_kill,
                    context()
                );
                self.replayed = Some(replayed);
                self.n_replayed += replayed;
                self.unsettled_before_kill = 0;
            }
            Some(replayed) => assert_eq!(
                lines,
                self.written_in_life + replayed,
                "lines processed by this daemon vs written since it started (+{replayed} read \
                 again)\n{}",
                context()
            ),
        }
        self.unsettled = 0;
        self.is_renamed_since_settle = false;
        self.n_settles += 1;
        self.check_decisions(daemon);
        self.note(format!("settled at {lines} lines"));
    }

    /// Every attacker so far banned exactly once, nobody else.
    fn check_decisions(&self, daemon: &Daemon) {
        let key = std::fs::read_to_string(self.dir.join("bouncer.key")).unwrap();
        let (code, body) = get(&daemon.address, "/v1/decisions", Some(key.trim())).unwrap();
        assert_eq!(code, 200, "{body}");
        let decisions: Value = serde_json::from_str(body.trim()).unwrap();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for decision in decisions.as_array().into_iter().flatten() {
            *counts.entry(decision["value"].as_str().unwrap().to_owned()).or_default() += 1;
        }
        check_counts(&counts, self.n_attackers, &self.log_of_ops);
    }
}

fn check_counts(counts: &HashMap<String, usize>, n_attackers: u32, ops: &[String]) {
    let missing: Vec<String> =
        (0..n_attackers).map(attacker).filter(|ip| !counts.contains_key(ip)).collect();
    assert!(missing.is_empty(), "never banned: {missing:?}\noperations: {ops:?}");
    let repeated: Vec<_> = counts.iter().filter(|(_, count)| **count > 1).collect();
    assert!(repeated.is_empty(), "banned twice: {repeated:?}\noperations: {ops:?}");
    assert_eq!(counts.len(), n_attackers as usize, "banned but never written: {counts:?}");
}

// Prints what each seed did, to show the sequence is not trivial.
#[allow(clippy::print_stdout)]
fn run_seed(seed: u64, n_ops: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Model::new(dir.path(), seed);
    let key = add_bouncer(dir.path());
    std::fs::write(dir.path().join("bouncer.key"), &key).unwrap();
    // The first start, settled, so that a checkpoint exists before any kill.
    model.start();
    let log = model.log.clone();
    model.write(&log, 5);
    model.settle();
    for _ in 0..n_ops {
        match model.rng.below(100) {
            0..40 => {
                let n_lines = 1 + model.rng.below(40) as u32;
                model.write(&log, n_lines);
            }
            40..50 => model.rotate_rename(),
            50..57 => model.compress(),
            57..62 => model.copytruncate(),
            62..66 => model.truncate(),
            66..70 => model.delete_and_recreate(),
            70..80 => {
                // A burst, then a kill while it is being processed, or just after.
                let n_lines = 50 + model.rng.below(300) as u32;
                model.write(&log, n_lines);
                let pause = model.rng.below(80);
                std::thread::sleep(Duration::from_millis(pause));
                model.kill();
            }
            80..90 => model.start(),
            _ => model.settle(),
        }
        // The writer's pace: a few milliseconds between operations.
        let pause = model.rng.below(20);
        std::thread::sleep(Duration::from_millis(pause));
    }
    model.settle();
    let (n_attackers, n_kills, n_settles) = (model.n_attackers, model.n_kills, model.n_settles);
    let ops = std::mem::take(&mut model.log_of_ops);
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for op in &ops {
        *kinds.entry(op.split(' ').next().unwrap_or_default()).or_default() += 1;
    }
    model.kill();
    check_counts(&decisions_per_value(dir.path()), n_attackers, &ops);
    assert!(n_kills >= 2 && n_settles >= 3, "seed {seed}: too few kills or settling points");
    println!(
        "seed {seed}: {} lines, {n_attackers} attackers, {} read by the next daemon after kills; {kinds:?}",
        model.n_written, model.n_replayed
    );
}

#[test]
fn run_matches_the_model_across_random_writes_rotations_truncations_and_kills() {
    for seed in [1, 2, 3] {
        run_seed(seed, 45);
    }
}
