//! Writing lines in nginx `combined` format, and counting what was written.
//!
//! `$remote_addr - $remote_user [$time_local] "$request" $status
//! $body_bytes_sent "$http_referer" "$http_user_agent"`: every line is built
//! in one reusable buffer, the `$time_local` text is cached per second, and
//! the counters behind the ground truth are updated as the line is written.

use std::io::{self, Write};

use crate::site::{self, ORIGIN, Target};

/// When the buffer is flushed to the output.
const FLUSH_AT: usize = 64 * 1024;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// The request path of a line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PathRef<'a> {
    Target(Target),
    Text(&'a str),
}

/// The referer of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Referer {
    /// Logged as `-`.
    None,
    /// A full URL of another site.
    External(&'static str),
    /// A page of the shop.
    Page(Target),
}

/// One line to write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// Microseconds since the epoch (UTC).
    pub(crate) time: i64,
    pub(crate) address: &'a [u8],
    pub(crate) method: site::Method,
    pub(crate) path: PathRef<'a>,
    pub(crate) protocol: &'static str,
    pub(crate) status: u16,
    pub(crate) bytes: u64,
    pub(crate) referer: Referer,
    pub(crate) user_agent: &'a str,
}

/// Buffers lines into an output and counts them.
#[derive(Debug)]
pub(crate) struct LineWriter<'w, W: Write> {
    out: &'w mut W,
    buf: Vec<u8>,
    utc_offset_secs: i32,
    cached_sec: i64,
    time_text: Vec<u8>,
    pub(crate) n_lines: u64,
    pub(crate) n_bytes: u64,
    pub(crate) status_counts: Box<[u64; 600]>,
    pub(crate) first_time: Option<i64>,
    pub(crate) last_time: i64,
}

impl<'w, W: Write> LineWriter<'w, W> {
    pub(crate) fn new(out: &'w mut W, utc_offset_secs: i32) -> LineWriter<'w, W> {
        LineWriter {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            utc_offset_secs,
            cached_sec: i64::MIN,
            time_text: Vec::with_capacity(32),
            n_lines: 0,
            n_bytes: 0,
            status_counts: Box::new([0; 600]),
            first_time: None,
            last_time: i64::MIN,
        }
    }

    pub(crate) fn write(&mut self, line: &Line<'_>) -> io::Result<()> {
        let sec = line.time.div_euclid(1_000_000);
        if sec != self.cached_sec {
            self.cached_sec = sec;
            format_time_local(&mut self.time_text, sec, self.utc_offset_secs);
        }
        let start = self.buf.len();
        let buf = &mut self.buf;
        buf.extend_from_slice(line.address);
        buf.extend_from_slice(b" - - [");
        buf.extend_from_slice(&self.time_text);
        buf.extend_from_slice(b"] \"");
        buf.extend_from_slice(line.method.as_bytes());
        buf.push(b' ');
        match line.path {
            PathRef::Target(target) => site::render_target(buf, target),
            PathRef::Text(text) => buf.extend_from_slice(text.as_bytes()),
        }
        buf.push(b' ');
        buf.extend_from_slice(line.protocol.as_bytes());
        buf.extend_from_slice(b"\" ");
        site::push_decimal(buf, u64::from(line.status));
        buf.push(b' ');
        site::push_decimal(buf, line.bytes);
        buf.extend_from_slice(b" \"");
        match line.referer {
            Referer::None => buf.push(b'-'),
            Referer::External(url) => buf.extend_from_slice(url.as_bytes()),
            Referer::Page(target) => {
                buf.extend_from_slice(ORIGIN.as_bytes());
                site::render_target(buf, target);
            }
        }
        buf.extend_from_slice(b"\" \"");
        buf.extend_from_slice(line.user_agent.as_bytes());
        buf.extend_from_slice(b"\"\n");

        self.n_bytes += (self.buf.len() - start) as u64;
        self.n_lines += 1;
        self.status_counts[usize::from(line.status).min(599)] += 1;
        if self.first_time.is_none() {
            self.first_time = Some(line.time);
        }
        self.last_time = line.time;
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}

/// Writes `20/Nov/2026:00:00:01 +0800` for a Unix second in a fixed offset.
fn format_time_local(text: &mut Vec<u8>, unix_sec: i64, utc_offset_secs: i32) {
    let local = unix_sec + i64::from(utc_offset_secs);
    let (year, month, day) = model::civil::civil_from_days(local.div_euclid(86_400));
    let second_of_day = local.rem_euclid(86_400);
    text.clear();
    push_two(text, u64::from(day));
    text.push(b'/');
    text.extend_from_slice(MONTHS[(month as usize).saturating_sub(1) % 12]);
    text.push(b'/');
    let year = year.clamp(0, 9_999) as u64;
    push_two(text, year / 100);
    push_two(text, year % 100);
    text.push(b':');
    push_two(text, (second_of_day / 3600) as u64);
    text.push(b':');
    push_two(text, (second_of_day / 60 % 60) as u64);
    text.push(b':');
    push_two(text, (second_of_day % 60) as u64);
    text.push(b' ');
    text.push(if utc_offset_secs < 0 { b'-' } else { b'+' });
    let offset = u64::from(utc_offset_secs.unsigned_abs());
    push_two(text, offset / 3600 % 100);
    push_two(text, offset / 60 % 60);
}

fn push_two(text: &mut Vec<u8>, value: u64) {
    text.push(b'0' + (value / 10 % 10) as u8);
    text.push(b'0' + (value % 10) as u8);
}
