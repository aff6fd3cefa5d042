//! Automation for the leakguard workspace, written in Rust rather than shell.
//!
//! - `cargo xtask tidy`: the structural checks (also run by `cargo test`).

mod tidy;

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    match task.as_str() {
        "tidy" => {
            let problems = tidy::check(&tidy::workspace_root())?;
            if problems.is_empty() {
                return Ok(());
            }
            anyhow::bail!("tidy found {} problem(s):\n{}", problems.len(), problems.join("\n"))
        }
        _ => anyhow::bail!("usage: cargo xtask <tidy>"),
    }
}
