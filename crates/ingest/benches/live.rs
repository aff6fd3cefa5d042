//! Live input throughput: following a big file from its beginning (lines
//! and bytes per second through `Follower::poll`, page cache warm), and
//! parsing nginx syslog messages.
//!
//! Run with `cargo bench -p ingest --bench live`. The file (about 100 MB of
//! access-log lines of about 190 bytes) is written once to a temporary
//! directory.

use std::io::Write;
use std::sync::LazyLock;
use std::time::Instant;

use divan::counter::{BytesCount, ItemsCount};
use ingest::follow::{FollowConfig, Follower, StartAt};

fn main() {
    divan::main();
}

const TARGET_BYTES: usize = 100 * 1024 * 1024;

/// The temporary directory, the file's path, its size and its line count.
static FILE: LazyLock<(tempfile::TempDir, String, usize, usize)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("access.log");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("creates"));
    let (mut n_bytes, mut n_lines) = (0, 0);
    while n_bytes < TARGET_BYTES {
        let line = format!(
            "203.0.{}.{} - - [20/Nov/2026:10:{:02}:{:02} +0800] \"GET /product/{} HTTP/1.1\" 200 {} \"https://shop.example.tw/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0\"\n",
            n_lines / 256 % 256,
            n_lines % 256,
            n_lines / 60 % 60,
            n_lines % 60,
            n_lines % 100_000,
            n_lines % 60_000,
        );
        out.write_all(line.as_bytes()).expect("writes");
        n_bytes += line.len();
        n_lines += 1;
    }
    out.flush().expect("writes");
    let path = path.display().to_string();
    (dir, path, n_bytes, n_lines)
});

/// Following the file from its beginning until caught up.
#[divan::bench(sample_count = 10)]
fn follow_from_beginning(bencher: divan::Bencher<'_, '_>) {
    let (_, path, n_bytes, n_lines) = &*FILE;
    bencher.counter(ItemsCount::new(*n_lines)).counter(BytesCount::new(*n_bytes)).bench(|| {
        let config = FollowConfig { start_at: StartAt::Beginning, ..FollowConfig::default() };
        let mut follower = Follower::new(vec![path.clone()], config, None);
        let mut n_seen = 0;
        let mut n_line_bytes = 0;
        loop {
            let report = follower.poll(Instant::now(), &mut |line| {
                n_seen += 1;
                n_line_bytes += divan::black_box(line.bytes).len();
            });
            if report.is_caught_up {
                break;
            }
        }
        assert_eq!(n_seen, *n_lines);
        n_line_bytes
    });
}

/// Parsing nginx's RFC 3164 messages.
#[divan::bench]
fn parse_nginx_syslog(bencher: divan::Bencher<'_, '_>) {
    let frames: Vec<String> = (0..10_000)
        .map(|idx| format!("<190>Dec  1 23:31:{:02} web1 nginx: 203.0.113.{} - - [01/Dec/2026:23:31:14 +0800] \"GET /product/{idx} HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\"", idx % 60, idx % 256))
        .collect();
    bencher.counter(ItemsCount::new(frames.len())).bench(|| {
        let mut n_bytes = 0;
        for frame in &frames {
            let message = ingest::syslog::parse_message(frame.as_bytes()).expect("a message");
            n_bytes += divan::black_box(message.message).len();
        }
        n_bytes
    });
}
