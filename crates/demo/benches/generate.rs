//! Generation throughput: lines per second written to a sink.
//!
//! Run with `cargo bench -p demo`.

use divan::counter::ItemsCount;

fn main() {
    divan::main();
}

/// The whole pipeline: planning, sessions, formatting, counting.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 5)]
fn generate_lines(bencher: divan::Bencher, lines: u64) {
    let spec = demo::Spec { lines, ..demo::Spec::default() };
    bencher
        .counter(ItemsCount::new(lines))
        .bench(|| demo::generate(&spec, &mut std::io::sink()).expect("a sink never fails"));
}
