//! File outputs for enforcers without a bouncer: an nginx include of `deny`
//! lines and an nftables script, each written atomically (a temporary file
//! in the same folder, then a rename) and followed by a reload command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;
use service::Service;

use crate::config::{ConfigProblem, Unknown, unknown_keys};

/// `[outputs]`: files `serve` keeps up to date.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawOutputs {
    /// nginx include file of `deny` lines (e.g. /etc/nginx/leakguard-deny.conf).
    nginx_deny_file: Option<PathBuf>,
    /// Command run after the nginx file changed, as a list (e.g. ["nginx", "-s", "reload"]).
    nginx_reload: Option<Vec<String>>,
    /// nftables script refilling the sets banned_v4 and banned_v6.
    nftables_file: Option<PathBuf>,
    /// Command run after the nftables file changed (e.g. ["nft", "-f", "/var/lib/leakguard/banned.nft"]).
    nftables_reload: Option<Vec<String>>,
    /// The nftables table (family inet) holding the sets (default "leakguard").
    nftables_table: Option<String>,
    /// How often `serve` checks for changes (default "10s").
    interval: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// One file and the command that makes its reader reload it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileOutput {
    pub(crate) path: PathBuf,
    pub(crate) reload: Vec<String>,
}

/// The validated `[outputs]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outputs {
    pub(crate) nginx: Option<FileOutput>,
    pub(crate) nftables: Option<FileOutput>,
    pub(crate) nftables_table: String,
    pub(crate) interval: Duration,
}

impl Default for Outputs {
    fn default() -> Outputs {
        Outputs {
            nginx: None,
            nftables: None,
            nftables_table: "leakguard".to_owned(),
            interval: Duration::from_secs(10),
        }
    }
}

impl Outputs {
    pub(crate) fn is_empty(&self) -> bool {
        self.nginx.is_none() && self.nftables.is_none()
    }
}

fn reload_or_problem(
    key: &str,
    reload: Option<Vec<String>>,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<String> {
    let reload = reload.unwrap_or_default();
    if reload.first().is_some_and(|program| program.trim().is_empty()) {
        problems.push(ConfigProblem {
            key: key.to_owned(),
            message: "the command's first element must name a program".to_owned(),
        });
    }
    reload
}

/// Validates `[outputs]`, adding every problem found.
pub(crate) fn validate(raw: RawOutputs, problems: &mut Vec<ConfigProblem>) -> Outputs {
    let mut outputs = Outputs::default();
    let nginx_reload = reload_or_problem("outputs.nginx_reload", raw.nginx_reload, problems);
    let nftables_reload =
        reload_or_problem("outputs.nftables_reload", raw.nftables_reload, problems);
    outputs.nginx = raw.nginx_deny_file.map(|path| FileOutput { path, reload: nginx_reload });
    outputs.nftables = raw.nftables_file.map(|path| FileOutput { path, reload: nftables_reload });
    if let Some(table) = raw.nftables_table {
        let is_identifier = !table.is_empty()
            && table.len() <= 64
            && table.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
            && table.bytes().next().is_some_and(|byte| byte.is_ascii_alphabetic());
        if is_identifier {
            outputs.nftables_table = table;
        } else {
            problems.push(ConfigProblem {
                key: "outputs.nftables_table".to_owned(),
                message: format!("{table:?} is not an nftables name (letters, digits, '_')"),
            });
        }
    }
    if let Some(text) = raw.interval {
        match service::parse_duration(&text) {
            Ok(secs) if secs > 0 => outputs.interval = Duration::from_secs(secs),
            _ => problems.push(ConfigProblem {
                key: "outputs.interval".to_owned(),
                message: format!("{text:?} is not a duration above zero (e.g. \"10s\")"),
            }),
        }
    }
    unknown_keys("outputs", &raw.unknown, problems);
    outputs
}

/// Writes `text` to `path` through a temporary file and a rename, so a
/// reader never sees half a file. Returns false (and writes nothing) when
/// the file already holds exactly this text.
pub(crate) fn write_atomically(path: &Path, text: &str) -> anyhow::Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|current| current == text) {
        return Ok(false);
    }
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or("output");
    let temporary = path.with_file_name(format!(".{name}.leakguard-tmp"));
    std::fs::write(&temporary, text).with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::File::open(&temporary)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("syncing {}", temporary.display()))?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("renaming {} to {}", temporary.display(), path.display()))?;
    Ok(true)
}

/// Runs a reload command (no shell) and fails when it does.
fn run_reload(reload: &[String]) -> anyhow::Result<()> {
    let Some((program, args)) = reload.split_first() else { return Ok(()) };
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{} failed ({}): {}",
        reload.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

/// Rewrites the configured files when the bans changed and runs their reload commands.
pub(crate) async fn refresh(service: &Service, outputs: &Outputs) -> anyhow::Result<()> {
    if outputs.is_empty() {
        return Ok(());
    }
    let nets = service.banned_nets().await?;
    if let Some(nginx) = &outputs.nginx
        && write_atomically(&nginx.path, &service::render_nginx_deny(&nets))?
    {
        run_reload(&nginx.reload)?;
    }
    if let Some(nftables) = &outputs.nftables
        && write_atomically(
            &nftables.path,
            &service::render_nftables(&nets, &outputs.nftables_table),
        )?
    {
        run_reload(&nftables.reload)?;
    }
    Ok(())
}

/// Rewrites the `[outputs]` files whenever the bans change, checking every
/// `outputs.interval`; `who` names the command in its error messages.
pub(crate) async fn keep_fresh(service: std::sync::Arc<Service>, outputs: Outputs, who: &str) {
    use std::io::Write as _;
    let mut ticks = tokio::time::interval(outputs.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_error = String::new();
    loop {
        ticks.tick().await;
        match refresh(&service, &outputs).await {
            Ok(()) => last_error.clear(),
            Err(error) => {
                // Report each distinct failure once, not every tick.
                let message = format!("{error:#}");
                if message != last_error {
                    let _ = writeln!(std::io::stderr().lock(), "{who}: outputs: {message}");
                    last_error = message;
                }
            }
        }
    }
}
