//! Scripted clients: everything that is not an ordinary shopper session.
//!
//! Crawlers, uptime monitors, the shop's own staff and every attack episode
//! are planned up front as a list of lines, sorted by time, and merged with
//! the shopper sessions while the log is written. They are few (about one
//! percent of the lines of a large day), so holding them costs little, and
//! the ground truth of each episode falls straight out of its list.

use std::net::IpAddr;

use crate::line::Referer;
use crate::network::AddressText;
use crate::site::{Method, Target};

/// HTTP/1.1 as logged: scripts, crawlers and attack tools.
pub(crate) const HTTP_1_1: &str = "HTTP/1.1";
/// HTTP/2 as nginx logs it: modern browsers.
pub(crate) const HTTP_2: &str = "HTTP/2.0";

/// A scripted client: one address with one user agent.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub(crate) address: IpAddr,
    pub(crate) address_text: AddressText,
    pub(crate) user_agent: &'static str,
    pub(crate) protocol: &'static str,
}

/// A request path: a site target, or literal text (probes and payloads).
#[derive(Debug, Clone)]
pub(crate) enum ScriptPath {
    Target(Target),
    Text(Box<str>),
}

/// One planned line.
#[derive(Debug, Clone)]
pub(crate) struct ScriptedLine {
    /// Microseconds: relative to the episode start while drafting, absolute once placed.
    pub(crate) time: i64,
    pub(crate) source: u32,
    pub(crate) method: Method,
    pub(crate) path: ScriptPath,
    pub(crate) status: u16,
    pub(crate) bytes: u64,
    pub(crate) referer: Referer,
}

/// A set of scripted clients and their lines.
#[derive(Debug, Default)]
pub(crate) struct Script {
    pub(crate) sources: Vec<Source>,
    pub(crate) lines: Vec<ScriptedLine>,
}

impl Script {
    pub(crate) fn add_source(
        &mut self,
        address: IpAddr,
        user_agent: &'static str,
        protocol: &'static str,
    ) -> u32 {
        self.sources.push(Source {
            address,
            address_text: AddressText::new(address),
            user_agent,
            protocol,
        });
        (self.sources.len() - 1) as u32
    }

    /// Adds a line for a site target.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        time: i64,
        source: u32,
        method: Method,
        target: Target,
        status: u16,
        bytes: u64,
        referer: Referer,
    ) {
        self.lines.push(ScriptedLine {
            time,
            source,
            method,
            path: ScriptPath::Target(target),
            status,
            bytes,
            referer,
        });
    }

    /// Adds a line with a literal path.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_text(
        &mut self,
        time: i64,
        source: u32,
        method: Method,
        path: &str,
        status: u16,
        bytes: u64,
        referer: Referer,
    ) {
        self.lines.push(ScriptedLine {
            time,
            source,
            method,
            path: ScriptPath::Text(path.into()),
            status,
            bytes,
            referer,
        });
    }

    /// Moves another script's sources and lines into this one, shifting its
    /// times by `offset`.
    pub(crate) fn append(&mut self, other: Script, offset: i64) {
        let base = self.sources.len() as u32;
        self.sources.extend(other.sources);
        self.lines.extend(other.lines.into_iter().map(|mut line| {
            line.time += offset;
            line.source += base;
            line
        }));
    }

    /// Sorts the lines by time, keeping the planned order of equal times.
    pub(crate) fn sort(&mut self) {
        self.lines.sort_by_key(|line| line.time);
    }

    /// First and last line time (relative or absolute, as the script holds them).
    pub(crate) fn time_span(&self) -> Option<(i64, i64)> {
        let first = self.lines.iter().map(|line| line.time).min()?;
        let last = self.lines.iter().map(|line| line.time).max()?;
        Some((first, last))
    }
}
