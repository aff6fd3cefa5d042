//! A deterministic generator of one day of a Taiwanese web shop's nginx
//! access log, with attack episodes planted in it, and the exact ground truth
//! of what it wrote.
//!
//! `leakguard demo` writes the log with [`generate`] and analyses it;
//! benchmarks generate millions of lines at a pinned seed and compare the
//! analyser's findings with the returned [`Truth`].
//!
//! ```
//! let spec = demo::Spec { lines: 20_000, ..demo::Spec::default() };
//! let mut log = Vec::new();
//! let truth = demo::generate(&spec, &mut log).unwrap();
//! assert_eq!(truth.lines, 20_000);
//! assert_eq!(truth.bytes, log.len() as u64);
//! assert_eq!(truth.episodes.len(), demo::EpisodeKind::ALL.len());
//! ```
//!
//! # The log
//!
//! nginx `combined` format, one request per line, times non-decreasing and
//! written in the spec's UTC offset (`[20/Nov/2026:00:00:01 +0800]`). The
//! same [`Spec`] always gives the same bytes, on every platform.
//!
//! Ordinary shoppers make most lines. They come from Taiwanese ISP ranges
//! (HiNet, the mobile carriers, some IPv6, a few from abroad) with the
//! browsers Taiwanese shoppers use, and browse as people do: a page and its
//! assets, products, search (percent-encoded Chinese), the cart, the
//! checkout, logging in to see their orders. Volume follows the day: quiet
//! from 2 to 7 am, a lunch peak, the evening peak from 20:00 to 23:00 local
//! time. Around them: Googlebot and bingbot from their real ranges at a
//! polite pace, Facebook link previews, an SEO crawler, uptime monitors, and
//! two staff members using the admin console from the office. Assets are
//! revalidated (304), gone products are 404, a deploy at 14:02 causes a
//! burst of 502, and clients give up (499).
//!
//! Site conventions the detection rules rely on: a failed `POST
//! /member/login` answers **401** (the form is re-rendered with the error),
//! a successful one **302** to `/member`; `/admin/login` behaves the same.
//! Member pages answer 302 to the login form when not logged in. Order
//! numbers are the order date and a sequence: `/member/orders/2026111900342`.
//! The shop's host in referers is `https://www.shop.example`.
//!
//! # Episodes
//!
//! Each [`EpisodeKind`] is planted once, at a fixed local time of day
//! ([`EpisodeKind::local_time`]), with its own addresses: no other line of
//! the day comes from them, so an episode's lines are exactly the lines from
//! its [`Episode::ips`]. Sizes grow with the cube root of [`Spec::lines`]
//! (credential stuffing is 360 attempts at 10,000 lines, 977 at 200,000,
//! 2,857 at 5,000,000).
//! From 10,000 lines up every episode is planted; smaller days get the
//! smallest episodes that fit in a quarter of the lines, at full size.
//!
//! # What it does not do
//!
//! It writes only the access log: no error log, no application login events
//! (accounts are in the ground truth for when those are generated), no
//! compression. It does no IO of its own and reads no clock: it writes to
//! the `io::Write` it is given, and the day starts at [`Spec::start`].

#![warn(missing_docs)]

mod account;
mod agent;
mod background;
mod day;
mod episode;
mod line;
mod network;
mod plan;
mod rng;
mod script;
mod shopper;
mod site;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashSet};
use std::io;
use std::net::IpAddr;

use model::Timestamp;
use serde::Serialize;

pub use episode::{Episode, EpisodeKind};

use crate::day::MICROS_PER_SEC;
use crate::line::{Line, LineWriter, PathRef};
use crate::network::ShopperAddresses;
use crate::plan::Plan;
use crate::script::ScriptPath;
use crate::shopper::{Session, Shop, Spawner};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Seed of every random choice: the same spec always gives the same bytes.
    pub seed: u64,
    /// Exact number of lines to write.
    pub lines: u64,
    /// Start of the 24 hours the log covers.
    pub start: Timestamp,
    /// Offset of the shop's local time from UTC, in seconds east; the log's
    /// times are written in it and episodes are scheduled by it.
    pub utc_offset_secs: i32,
}

impl Default for Spec {
    /// Seed 42, 200,000 lines, the day of 2026-11-20 in Taipei (UTC+8).
    fn default() -> Spec {
        Spec {
            seed: 42,
            lines: 200_000,
            start: Timestamp::from_civil(2026, 11, 19, 16, 0, 0, 0),
            utc_offset_secs: 8 * 3600,
        }
    }
}

/// What was written, counted while writing it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Truth {
    /// Lines written (always [`Spec::lines`]).
    pub lines: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Lines per HTTP status.
    pub status_counts: BTreeMap<u16, u64>,
    /// Distinct client addresses.
    pub distinct_ips: u64,
    /// Time of the first line, in whole seconds as the log shows it
    /// ([`Spec::start`] when no line was written).
    pub first_time: Timestamp,
    /// Time of the last line, in whole seconds ([`Spec::start`] when no line was written).
    pub last_time: Timestamp,
    /// The planted attacks, in the order they start.
    pub episodes: Vec<Episode>,
}

impl Truth {
    /// The planted episode of a kind, if it was planted.
    pub fn episode(&self, kind: EpisodeKind) -> Option<&Episode> {
        self.episodes.iter().find(|episode| episode.kind == kind)
    }
}

/// Writes the day's log to `out` and returns its ground truth.
///
/// The output is buffered internally (64 KiB at a time); an error from `out`
/// is returned as is, with the log incomplete.
pub fn generate(spec: &Spec, out: &mut impl io::Write) -> io::Result<Truth> {
    let plan = Plan::new(spec);
    let mut distinct_ips: HashSet<IpAddr> = plan
        .script
        .lines
        .iter()
        .map(|line| plan.script.sources[line.source as usize].address)
        .collect();
    let addresses = ShopperAddresses::new(plan.reserved_addresses());
    let mut shop = Shop::new(spec.seed, plan.day, addresses);
    let mut spawner = Spawner::new(spec.seed, &plan.day, plan.n_shopper_lines);
    let mut writer = LineWriter::new(out, spec.utc_offset_secs);

    // Sessions in flight, keyed by the time of their next line (ties go to the
    // lower slot, so the order is deterministic).
    let mut sessions: Vec<Session> = Vec::new();
    let mut free_slots: Vec<u32> = Vec::new();
    let mut due: BinaryHeap<Reverse<(i64, u32)>> = BinaryHeap::new();
    let mut scripted = plan.script.lines.iter().peekable();

    loop {
        let spawn_time = spawner.peek().unwrap_or(i64::MAX);
        let session_time = due.peek().map_or(i64::MAX, |Reverse((time, _))| *time);
        let script_time = scripted.peek().map_or(i64::MAX, |line| line.time);
        if spawn_time != i64::MAX && spawn_time <= session_time && spawn_time <= script_time {
            if let Some((start, budget)) = spawner.take() {
                let session = Session::start(&mut shop, start, budget);
                distinct_ips.insert(session.address());
                let slot = match free_slots.pop() {
                    Some(slot) => {
                        sessions[slot as usize] = session;
                        slot
                    }
                    None => {
                        sessions.push(session);
                        (sessions.len() - 1) as u32
                    }
                };
                due.push(Reverse((start, slot)));
            }
        } else if script_time != i64::MAX && script_time <= session_time {
            if let Some(line) = scripted.next() {
                let source = &plan.script.sources[line.source as usize];
                let path = match &line.path {
                    ScriptPath::Target(target) => PathRef::Target(*target),
                    ScriptPath::Text(text) => PathRef::Text(text),
                };
                writer.write(&Line {
                    time: line.time,
                    address: source.address_text.as_bytes(),
                    method: line.method,
                    path,
                    protocol: source.protocol,
                    status: line.status,
                    bytes: line.bytes,
                    referer: line.referer,
                    user_agent: source.user_agent,
                })?;
            }
        } else if let Some(Reverse((_, slot))) = due.pop() {
            // A page and its assets come in a quick burst: keep writing this
            // session while its next line is strictly earlier than anything
            // else, and skip the heap round trip.
            let others = due.peek().map_or(i64::MAX, |Reverse((time, _))| *time);
            let limit = others.min(spawn_time).min(script_time);
            let session = &mut sessions[slot as usize];
            loop {
                match session.emit(&mut shop, &mut writer)? {
                    Some(next) if next < limit => {}
                    Some(next) => {
                        due.push(Reverse((next, slot)));
                        break;
                    }
                    None => {
                        free_slots.push(slot);
                        break;
                    }
                }
            }
        } else {
            break;
        }
    }
    writer.flush()?;

    let whole_second = |micros: i64| Timestamp::from_unix_secs(micros.div_euclid(MICROS_PER_SEC));
    let status_counts = writer
        .status_counts
        .iter()
        .enumerate()
        .filter(|&(_, &count)| count > 0)
        .map(|(status, &count)| (status as u16, count))
        .collect();
    let (first_time, last_time) = match writer.first_time {
        Some(first) => (whole_second(first), whole_second(writer.last_time)),
        None => (spec.start, spec.start),
    };
    let mut episodes = plan.episodes;
    episodes.sort_by_key(|episode| (episode.first_time, episode.kind));
    Ok(Truth {
        lines: writer.n_lines,
        bytes: writer.n_bytes,
        status_counts,
        distinct_ips: distinct_ips.len() as u64,
        first_time,
        last_time,
        episodes,
    })
}

#[cfg(test)]
mod tests;
