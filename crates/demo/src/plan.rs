//! How the day's lines are divided: attack episodes first, then benign
//! scripted traffic, and every remaining line to shopper sessions.

use std::collections::HashSet;
use std::net::IpAddr;

use crate::Spec;
use crate::background;
use crate::day::Day;
use crate::episode::{self, Episode, EpisodeKind};
use crate::script::Script;

/// Below this many lines per day, episodes keep their smallest size.
const EPISODE_BASE_LINES: u64 = 10_000;

/// The planned day.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) day: Day,
    /// Every scripted line, with absolute times, sorted.
    pub(crate) script: Script,
    pub(crate) episodes: Vec<Episode>,
    /// Lines left for shopper sessions.
    pub(crate) n_shopper_lines: u64,
}

impl Plan {
    pub(crate) fn new(spec: &Spec) -> Plan {
        let day = Day::new(spec.start.as_unix_micros(), spec.utc_offset_secs);
        let n_lines = spec.lines;
        let scale = episode_scale(n_lines);
        let mut script = background::plan(spec.seed, &day, n_lines);
        for line in &mut script.lines {
            line.time = line.time.clamp(day.start, day.end - 1);
        }

        // Every episode's addresses are its own. Ranges keep them apart, but
        // the three drawn from Taiwanese ranges could (very rarely) meet: redraw.
        let mut taken: HashSet<IpAddr> =
            script.sources.iter().map(|source| source.address).collect();
        let mut drafts = Vec::new();
        for kind in EpisodeKind::ALL {
            let mut attempt = 0;
            let draft = loop {
                let draft = episode::draft(kind, spec.seed, &day, scale, attempt);
                let addresses: HashSet<IpAddr> =
                    draft.script.sources.iter().map(|source| source.address).collect();
                if addresses.is_disjoint(&taken) || attempt >= 16 {
                    taken.extend(addresses);
                    break draft;
                }
                attempt += 1;
            };
            drafts.push(draft);
        }

        // Episodes get at most a quarter of the day: all of them from 10,000
        // lines up; on smaller days, the smallest that fit, at full size, so
        // that every planted episode is still recognisable.
        let mut by_size: Vec<usize> = (0..drafts.len()).collect();
        by_size.sort_by_key(|&idx| (drafts[idx].n_lines(), idx));
        let mut is_planted = vec![false; drafts.len()];
        let mut n_episode_lines = 0;
        for idx in by_size {
            let n_draft_lines = drafts[idx].n_lines();
            if n_episode_lines + n_draft_lines <= n_lines / 4 {
                is_planted[idx] = true;
                n_episode_lines += n_draft_lines;
            }
        }

        let mut episodes = Vec::new();
        for (draft, is_planted) in drafts.drain(..).zip(is_planted) {
            if !is_planted {
                continue;
            }
            let offset = draft.place(&day, spec.seed);
            episodes.push(draft.truth(offset));
            script.append(draft.script, offset);
        }
        script.sort();
        let n_shopper_lines = n_lines.saturating_sub(script.lines.len() as u64);
        Plan { day, script, episodes, n_shopper_lines }
    }

    /// Addresses shoppers must not use.
    pub(crate) fn reserved_addresses(&self) -> HashSet<IpAddr> {
        self.script.sources.iter().map(|source| source.address).collect()
    }
}

/// Episode size factor in thousandths: the cube root of the day's size
/// relative to 10,000 lines (1.0 at 10,000, 2.7 at 200,000, 7.9 at 5,000,000),
/// never below 1.0. Integer arithmetic, so every platform agrees.
fn episode_scale(n_lines: u64) -> u64 {
    let ratio = n_lines.max(EPISODE_BASE_LINES).saturating_mul(100_000);
    integer_cube_root(ratio)
}

fn integer_cube_root(value: u64) -> u64 {
    let (mut low, mut high) = (0_u64, 2_642_246_u64);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if mid.saturating_mul(mid).saturating_mul(mid) <= value {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    low
}
