//! Automation for the leakguard workspace, written in Rust rather than shell.
//!
//! - `cargo xtask tidy`: the structural checks (also run by `cargo test`).
//! - `cargo xtask bench [--lines N] [--seed N] [-- analyze flags]`: end-to-end
//!   throughput of `leakguard analyze` on the demo log, against `wc -l`.

mod bench;
mod tidy;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = tidy::workspace_root();
    match args.first().map(String::as_str) {
        Some("tidy") => {
            let problems = tidy::check(&root)?;
            if problems.is_empty() {
                return Ok(());
            }
            anyhow::bail!("tidy found {} problem(s):\n{}", problems.len(), problems.join("\n"))
        }
        Some("bench") => bench::run(&root, &bench::BenchArgs::parse(&args[1..])?),
        _ => anyhow::bail!("usage: cargo xtask <tidy|bench>"),
    }
}
