//! Run with: cargo run --release -p pii --example throughput -- spans|cells FILE [REPEAT]
//!
//! Measures the detectors on a real file: `spans` runs `find_spans` on every
//! line (the text and log path of `leakguard scan`), `cells` splits each line
//! on commas and runs `classify_value` on every cell (the column path). Prints
//! bytes, seconds and MB/s; under `valgrind --tool=callgrind` the instruction
//! count per byte is a measure that does not depend on the machine's load.

// A measurement tool: it reports on standard output and errors on standard error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: throughput spans|cells FILE [REPEAT]");
        return ExitCode::from(2);
    };
    let repeat: usize = args.get(3).and_then(|value| value.parse().ok()).unwrap_or(1);
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let mut found = 0usize; // a checksum of what was found, to compare versions
    for _ in 0..repeat {
        found = match mode.as_str() {
            "spans" => text
                .lines()
                .flat_map(pii::find_spans)
                .map(|span| span.start ^ (span.end << 20) ^ (span.kind as usize) << 40)
                .fold(0usize, |sum, mixed| sum.wrapping_mul(31).wrapping_add(mixed)),
            "cells" => text
                .lines()
                .flat_map(|line| line.split(','))
                .map(|cell| pii::classify_value(cell).map_or(0, |kind| kind as usize + 1))
                .fold(0usize, |sum, kind| sum.wrapping_mul(31).wrapping_add(kind)),
            other => {
                eprintln!("unknown mode {other:?}: spans or cells");
                return ExitCode::from(2);
            }
        };
    }
    let seconds = started.elapsed().as_secs_f64();
    let bytes = text.len() * repeat;
    println!(
        "{mode}: {bytes} bytes, checksum {found:016x}, {seconds:.3} s, {:.1} MB/s",
        bytes as f64 / seconds / 1e6
    );
    ExitCode::SUCCESS
}
