//! The `leakguard` binary: command line, configuration and wiring.
//!
//! Everything here is thin: the work happens in the library crates. `main` is
//! the single place that turns errors into messages and exit codes:
//! 0 success, 1 failure (or, for `analyze`, some input could not be read),
//! 2 bad usage.

mod analyze;
mod blocking_config;
mod cli;
mod config;
mod console_cmd;
mod decisions_cmd;
mod demo;
mod eval;
mod eval_peers;
mod eval_pii;
mod eval_web;
mod geoip_cmd;
mod incident_bundle;
mod incident_cmd;
mod incident_scope;
mod notices_cmd;
mod notifier;
mod notify_cmd;
mod notify_config;
mod outbox;
mod outputs;
mod pwned_cmd;
mod pwned_config;
mod report;
mod rule_pack;
mod rules_cmd;
mod run;
mod run_config;
mod scan;
mod serve;
mod tls;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
