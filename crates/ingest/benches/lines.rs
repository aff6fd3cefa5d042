//! Line-splitting throughput: lines per second and bytes per second over an
//! in-memory log, plain and compressed.
//!
//! Run with `cargo bench -p ingest`. Inputs are built here, deterministically:
//! about 100 MB of access-log lines of about 200 bytes.

use std::io::Write;
use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use ingest::{DEFAULT_MAX_LINE_BYTES, LineReader, Reader};

fn main() {
    divan::main();
}

const TARGET_BYTES: usize = 100 * 1024 * 1024;
/// The compressed inputs are smaller: compressing 100 MB would make the
/// setup dominate the run.
const COMPRESSED_TARGET_BYTES: usize = 16 * 1024 * 1024;

/// Builds access-log lines until `target_bytes`, varying addresses, paths,
/// statuses and agents with a small linear congruential generator.
fn access_log(target_bytes: usize) -> (Vec<u8>, usize) {
    let agents = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
    ];
    let paths =
        ["/product/10023", "/static/css/app.css", "/member/orders?page=2", "/checkout", "/"];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state =
            state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut out = Vec::with_capacity(target_bytes + 512);
    let mut n_lines = 0;
    while out.len() < target_bytes {
        let random = next();
        writeln!(
            out,
            "{}.{}.{}.{} - - [20/Nov/2026:{:02}:{:02}:{:02} +0800] \"GET {} HTTP/1.1\" {} {} \"https://shop.example.tw/\" \"{}\"",
            random % 223 + 1,
            random / 7 % 256,
            random / 13 % 256,
            random / 17 % 256,
            n_lines / 3600 % 24,
            n_lines / 60 % 60,
            n_lines % 60,
            paths[random / 19 % paths.len()],
            [200, 200, 200, 304, 404, 302][random / 23 % 6],
            random % 60_000,
            agents[random / 29 % agents.len()],
        )
        .expect("writing to a Vec does not fail");
        n_lines += 1;
    }
    (out, n_lines)
}

static PLAIN: LazyLock<(Vec<u8>, usize)> = LazyLock::new(|| access_log(TARGET_BYTES));
static SMALL: LazyLock<(Vec<u8>, usize)> = LazyLock::new(|| access_log(COMPRESSED_TARGET_BYTES));

static GZIP: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    encoder.write_all(&SMALL.0).expect("writing to a Vec does not fail");
    encoder.finish().expect("writing to a Vec does not fail")
});

static ZSTD: LazyLock<Vec<u8>> = LazyLock::new(|| {
    ruzstd::encoding::compress_to_vec(&SMALL.0[..], ruzstd::encoding::CompressionLevel::Fastest)
});

/// Reads every line, returning the count and total length so that nothing
/// is optimized away.
fn count_lines(mut lines: LineReader<impl std::io::Read>) -> (usize, usize) {
    let mut n_lines = 0;
    let mut n_bytes = 0;
    while let Some(line) = lines.next_line() {
        let line = line.expect("reading from memory does not fail");
        n_lines += 1;
        n_bytes += divan::black_box(line.bytes).len();
    }
    (n_lines, n_bytes)
}

/// Splitting plain bytes, with the default buffer and with other sizes.
#[divan::bench(args = [64 * 1024, 256 * 1024, 1024 * 1024])]
fn split_plain(bencher: divan::Bencher<'_, '_>, buffer_bytes: usize) {
    let (data, n_lines) = &*PLAIN;
    bencher.counter(ItemsCount::new(*n_lines)).counter(BytesCount::new(data.len())).bench(|| {
        let lines = LineReader::with_buffer_bytes(&data[..], DEFAULT_MAX_LINE_BYTES, buffer_bytes);
        assert_eq!(count_lines(lines).0, *n_lines);
    });
}

/// The whole path for a plain source: magic bytes, counting, splitting.
#[divan::bench]
fn read_plain(bencher: divan::Bencher<'_, '_>) {
    let (data, n_lines) = &*PLAIN;
    bencher.counter(ItemsCount::new(*n_lines)).counter(BytesCount::new(data.len())).bench(|| {
        let reader = Reader::new(std::io::Cursor::new(data), "bench").expect("opens");
        assert_eq!(count_lines(LineReader::new(reader, DEFAULT_MAX_LINE_BYTES)).0, *n_lines);
    });
}

/// Decompressing and splitting gzip; bytes are the decompressed size.
#[divan::bench]
fn read_gzip(bencher: divan::Bencher<'_, '_>) {
    let (data, n_lines) = &*SMALL;
    let compressed = &*GZIP;
    bencher.counter(ItemsCount::new(*n_lines)).counter(BytesCount::new(data.len())).bench(|| {
        let reader = Reader::new(std::io::Cursor::new(compressed), "bench").expect("opens");
        assert_eq!(count_lines(LineReader::new(reader, DEFAULT_MAX_LINE_BYTES)).0, *n_lines);
    });
}

/// Decompressing and splitting zstd; bytes are the decompressed size.
#[divan::bench]
fn read_zstd(bencher: divan::Bencher<'_, '_>) {
    let (data, n_lines) = &*SMALL;
    let compressed = &*ZSTD;
    bencher.counter(ItemsCount::new(*n_lines)).counter(BytesCount::new(data.len())).bench(|| {
        let reader = Reader::new(std::io::Cursor::new(compressed), "bench").expect("opens");
        assert_eq!(count_lines(LineReader::new(reader, DEFAULT_MAX_LINE_BYTES)).0, *n_lines);
    });
}
