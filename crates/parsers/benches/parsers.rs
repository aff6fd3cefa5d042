//! Parser throughput benchmarks.

fn main() {
    divan::main();
}
