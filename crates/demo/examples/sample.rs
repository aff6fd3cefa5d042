//! Run with: cargo run -p demo --example sample > demo.log
//!
//! Writes the default demo day (200,000 lines) to standard output and its
//! ground truth, as JSON, to standard error.

use std::io::Write as _;

fn main() -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let truth = demo::generate(&demo::Spec::default(), &mut out)?;
    out.flush()?;
    let json = serde_json::to_string_pretty(&truth).map_err(std::io::Error::other)?;
    let mut stderr = std::io::stderr().lock();
    stderr.write_all(json.as_bytes())?;
    stderr.write_all(b"\n")
}
