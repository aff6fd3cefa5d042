//! `leakguard decisions`, `bouncers` and `allowlist`, and `analyze --decide`:
//! the operator's side of decisions, over the store the configuration names.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use service::{Decision, DecisionAction, DecisionId, ManualDecision, Scope, Service};

use crate::cli::{AnalyzeArgs, OutputFormat};
use crate::config::{Config, Language};
use crate::{analyze, rule_pack};

/// The version of the JSON documents these commands print.
const OUTPUT_VERSION: u32 = 1;

#[derive(Debug, Subcommand)]
pub(crate) enum DecisionsCommand {
    /// List the active decisions.
    List {
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Add a decision by hand (refused when it touches the allowlist).
    ///
    /// Examples:
    ///   leakguard decisions add --ip 203.0.113.9 --duration 24h
    ///   leakguard decisions add --range 203.0.113.0/24 --type captcha
    ///   leakguard decisions add --scope account --value alice@example.com --type force_reset
    Add {
        #[command(flatten)]
        target: Target,
        /// ban, captcha, force_reset or require_otp.
        #[arg(long = "type", default_value = "ban", value_name = "ACTION")]
        action: String,
        /// How long (30m, 4h, 7d).
        #[arg(long, short = 'd', default_value = "4h")]
        duration: String,
        /// Why (shown to operators).
        #[arg(long, default_value = "manual decision")]
        reason: String,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Write the active bans as an nginx include of `deny` lines or an
    /// nftables script (the allowlist excluded), to standard output or a file
    /// (written atomically). `serve` keeps the `[outputs]` files fresh itself.
    Export {
        /// nginx or nftables.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The file to write (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Delete decisions: one by id, or every active one on a value.
    Delete {
        /// The decision's id (from `decisions list`).
        #[arg(long, conflicts_with_all = ["ip", "range", "scope", "value"])]
        id: Option<i64>,
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    /// `deny ADDR;` lines for an nginx include.
    Nginx,
    /// An `nft -f` script refilling the sets banned_v4 and banned_v6.
    Nftables,
}

/// What a decision is about: `--ip`, `--range`, or `--scope` with `--value`.
#[derive(Debug, clap::Args)]
pub(crate) struct Target {
    /// An address (same as --scope ip --value ADDR).
    #[arg(long, short = 'i', value_name = "ADDR")]
    ip: Option<String>,
    /// A CIDR range (same as --scope range --value CIDR).
    #[arg(long, short = 'r', value_name = "CIDR")]
    range: Option<String>,
    /// ip, range, asn, country or account.
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
    /// The value for --scope.
    #[arg(long, short = 'v', value_name = "VALUE")]
    value: Option<String>,
}

impl Target {
    fn resolve(&self) -> anyhow::Result<(Scope, String)> {
        match (&self.ip, &self.range, &self.scope, &self.value) {
            (Some(ip), None, None, None) => Ok((Scope::Ip, ip.clone())),
            (None, Some(range), None, None) => Ok((Scope::Range, range.clone())),
            (None, None, Some(scope), Some(value)) => Ok((scope.parse()?, value.clone())),
            _ => anyhow::bail!(
                "name what it is about: --ip ADDR, --range CIDR, or --scope SCOPE --value VALUE"
            ),
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum BouncersCommand {
    /// Register a bouncer and print its API key (shown only this once).
    Add {
        /// A name for it (letters, digits, '-', '_', '.').
        name: String,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// List the bouncers and when each last pulled.
    List {
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Revoke a bouncer's key.
    Delete {
        /// Its name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AllowlistCommand {
    /// List the allowlist.
    List {
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Allowlist an address or range; active decisions it overlaps are deleted.
    Add {
        /// An address or CIDR range (the office, the payment gateway, monitoring).
        value: String,
        /// Why it is allowed.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Remove an allowlist entry.
    Delete {
        /// The address or range, as listed.
        value: String,
    },
}

/// The default SQLite file: `$XDG_DATA_HOME/leakguard/leakguard.db`, else
/// `~/.local/share/leakguard/leakguard.db`, else `./leakguard.db`.
pub(crate) fn default_store() -> store::Config {
    // The app crate is where environment variables are read.
    #[allow(clippy::disallowed_methods)]
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")));
    let path = data_home
        .map_or_else(|| PathBuf::from("leakguard.db"), |dir| dir.join("leakguard/leakguard.db"));
    store::Config::Sqlite { path }
}

/// Opens the store the configuration names and adds the file's allowlist to it.
pub(crate) async fn open_service(config: &Config) -> anyhow::Result<Service> {
    let store_config = config.blocking.store.clone().unwrap_or_else(default_store);
    let store = store::Store::open(&store_config)
        .await
        .with_context(|| format!("opening the store at {}", store_config.shown()))?;
    let service = Service::new(store, Arc::new(model::SystemClock));
    let listed: Vec<String> =
        service.list_allow().await?.into_iter().map(|entry| entry.value).collect();
    for net in &config.blocking.allowlist {
        let text = match net.prefix_len() {
            32 | 128 if net.addr() == net.network() => net.addr().to_string(),
            _ => net.to_string(),
        };
        if !listed.contains(&text) {
            service.add_allow(&text, "from the configuration file").await?;
        }
    }
    Ok(service)
}

pub(crate) fn block_on<T>(future: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(future)
}

#[derive(Serialize)]
struct Document<'a, T: Serialize> {
    version: u32,
    command: &'a str,
    #[serde(flatten)]
    body: T,
}

pub(crate) fn print_json<T: Serialize>(command: &str, body: T) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(
        &mut stdout,
        &Document { version: OUTPUT_VERSION, command, body },
    )?;
    writeln!(stdout)?;
    Ok(())
}

fn decision_line(decision: &Decision) -> String {
    format!(
        "{:>6}  {:<11}  {}:{}  until {}  {}  {}",
        decision.id.0,
        decision.action.as_str(),
        decision.scope.as_str(),
        decision.value,
        decision.until,
        decision.rule_id.as_ref().map_or("manual", |rule_id| rule_id.0.as_str()),
        decision.reason
    )
}

pub(crate) fn decisions(command: DecisionsCommand, config: &Config) -> anyhow::Result<ExitCode> {
    block_on(async {
        let service = open_service(config).await?;
        let mut stdout = std::io::stdout().lock();
        match command {
            DecisionsCommand::List { output } => {
                let list = service.list_decisions().await?;
                match output {
                    OutputFormat::Json => {
                        #[derive(Serialize)]
                        struct Body<'a> {
                            decisions: &'a [Decision],
                        }
                        print_json("decisions list", Body { decisions: &list })?;
                    }
                    OutputFormat::Text if list.is_empty() => {
                        writeln!(stdout, "no active decisions")?
                    }
                    OutputFormat::Text => {
                        for decision in &list {
                            writeln!(stdout, "{}", decision_line(decision))?;
                        }
                    }
                }
            }
            DecisionsCommand::Add { target, action, duration, reason, output } => {
                let (scope, value) = target.resolve()?;
                let action: DecisionAction = action.parse()?;
                let duration_secs = service::parse_duration(&duration)?;
                anyhow::ensure!(duration_secs > 0, "--duration must be above zero");
                let manual = ManualDecision { action, scope, value, duration_secs, reason };
                let decision = service.add_decision(manual).await?;
                match output {
                    OutputFormat::Json => {
                        #[derive(Serialize)]
                        struct Body<'a> {
                            decision: &'a Decision,
                        }
                        print_json("decisions add", Body { decision: &decision })?;
                    }
                    OutputFormat::Text => writeln!(stdout, "added {}", decision_line(&decision))?,
                }
            }
            DecisionsCommand::Export { format, out } => {
                let nets = service.banned_nets().await?;
                let text = match format {
                    ExportFormat::Nginx => service::render_nginx_deny(&nets),
                    ExportFormat::Nftables => {
                        service::render_nftables(&nets, &config.blocking.outputs.nftables_table)
                    }
                };
                match out {
                    Some(path) => {
                        crate::outputs::write_atomically(&path, &text)?;
                        writeln!(stdout, "wrote {} ban(s) to {}", nets.len(), path.display())?;
                    }
                    None => stdout.write_all(text.as_bytes())?,
                }
            }
            DecisionsCommand::Delete { id: Some(id), .. } => {
                let found = service.delete_decision(DecisionId(id)).await?;
                anyhow::ensure!(found, "no active decision with id {id}");
                writeln!(stdout, "deleted decision {id}")?;
            }
            DecisionsCommand::Delete { id: None, target } => {
                let (scope, value) = target.resolve()?;
                let n_deleted = service.delete_decisions_on(scope, &value).await?;
                anyhow::ensure!(n_deleted > 0, "no active decision on {} {value}", scope.as_str());
                writeln!(stdout, "deleted {n_deleted} decision(s) on {} {value}", scope.as_str())?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Serialize)]
struct BouncerView {
    name: String,
    created: String,
    last_pull: Option<String>,
}

pub(crate) fn bouncers(command: BouncersCommand, config: &Config) -> anyhow::Result<ExitCode> {
    block_on(async {
        let service = open_service(config).await?;
        let mut stdout = std::io::stdout().lock();
        match command {
            BouncersCommand::Add { name, output } => {
                let (bouncer, key) = service.add_bouncer(&name).await?;
                match output {
                    OutputFormat::Json => {
                        #[derive(Serialize)]
                        struct Body<'a> {
                            name: &'a str,
                            api_key: &'a str,
                        }
                        print_json("bouncers add", Body { name: &bouncer.name, api_key: &key })?;
                    }
                    OutputFormat::Text => {
                        writeln!(
                            stdout,
                            "API key for bouncer {:?} (shown only now; keep it safe):",
                            bouncer.name
                        )?;
                        writeln!(stdout)?;
                        writeln!(stdout, "    {key}")?;
                    }
                }
            }
            BouncersCommand::List { output } => {
                let list: Vec<BouncerView> = service
                    .list_bouncers()
                    .await?
                    .into_iter()
                    .map(|bouncer| BouncerView {
                        name: bouncer.name,
                        created: bouncer.created.to_rfc3339(),
                        last_pull: bouncer.last_pull.map(|time| time.to_rfc3339()),
                    })
                    .collect();
                match output {
                    OutputFormat::Json => {
                        #[derive(Serialize)]
                        struct Body {
                            bouncers: Vec<BouncerView>,
                        }
                        print_json("bouncers list", Body { bouncers: list })?;
                    }
                    OutputFormat::Text if list.is_empty() => writeln!(stdout, "no bouncers")?,
                    OutputFormat::Text => {
                        for bouncer in &list {
                            let pulled = bouncer.last_pull.as_deref().unwrap_or("never");
                            writeln!(
                                stdout,
                                "{}  added {}  last pull {pulled}",
                                bouncer.name, bouncer.created
                            )?;
                        }
                    }
                }
            }
            BouncersCommand::Delete { name } => {
                anyhow::ensure!(service.delete_bouncer(&name).await?, "no bouncer named {name:?}");
                writeln!(stdout, "deleted bouncer {name:?}; its key no longer works")?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub(crate) fn allowlist(command: AllowlistCommand, config: &Config) -> anyhow::Result<ExitCode> {
    block_on(async {
        let service = open_service(config).await?;
        let mut stdout = std::io::stdout().lock();
        match command {
            AllowlistCommand::List { output } => {
                let list = service.list_allow().await?;
                match output {
                    OutputFormat::Json => {
                        #[derive(Serialize)]
                        struct Entry<'a> {
                            value: &'a str,
                            description: &'a str,
                            created: String,
                        }
                        #[derive(Serialize)]
                        struct Body<'a> {
                            allowlist: Vec<Entry<'a>>,
                        }
                        let allowlist = list
                            .iter()
                            .map(|entry| Entry {
                                value: &entry.value,
                                description: &entry.description,
                                created: entry.created_at.to_rfc3339(),
                            })
                            .collect();
                        print_json("allowlist list", Body { allowlist })?;
                    }
                    OutputFormat::Text if list.is_empty() => {
                        writeln!(stdout, "the allowlist is empty")?
                    }
                    OutputFormat::Text => {
                        for entry in &list {
                            writeln!(stdout, "{}  {}", entry.value, entry.description)?;
                        }
                    }
                }
            }
            AllowlistCommand::Add { value, description } => {
                let (entry, n_deleted) = service.add_allow(&value, &description).await?;
                writeln!(stdout, "allowlisted {}", entry.value)?;
                if n_deleted > 0 {
                    writeln!(stdout, "deleted {n_deleted} active decision(s) it overlapped")?;
                }
            }
            AllowlistCommand::Delete { value } => {
                anyhow::ensure!(
                    service.delete_allow(&value).await?,
                    "{value:?} is not allowlisted"
                );
                writeln!(stdout, "removed {value} from the allowlist")?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `leakguard analyze --decide`: analyze as usual, then store the decisions
/// the profile makes from the alerts (each alert at most once, ever).
pub(crate) fn analyze_and_decide(
    args: &AnalyzeArgs,
    config: &Config,
    language: Language,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(!args.no_detect, "--decide needs detection; drop --no-detect");
    let files = if args.files.is_empty() { vec!["-".to_owned()] } else { args.files.clone() };
    let started = Instant::now();
    let mut processor = analyze::processor_for(config, args.top, true)?;
    let is_complete =
        analyze::analyze_sources(&files, &mut processor, config.max_line_bytes, !args.no_progress)?;
    let analysis = analyze::conclude(&mut processor, started);
    analyze::print_analysis(&analysis, args.output, config, language)?;
    let extra = rule_pack::load_dirs(&config.rule_dirs)?;
    let rule_set =
        rule_pack::compile(&extra, config.builtin_rules, &config.disabled_rules, &config.site)?;
    let tags: HashMap<model::RuleId, Vec<String>> =
        rule_set.rules().iter().map(|rule| (rule.id().clone(), rule.tags().to_vec())).collect();
    let made = block_on(async {
        let service = open_service(config).await?;
        service.store_alerts(&analysis.alerts).await?;
        Ok(service.decide_alerts(&analysis.alerts, &tags, &config.blocking.profile).await?)
    })?;
    crate::notifier::tell_decided(config, &analysis.alerts, &made);
    let summary = format!(
        "decisions: {} new from {} alert(s) (alerts decided on before and allowlisted addresses give none)",
        made.len(),
        analysis.alerts.len()
    );
    match args.output {
        // Keep stdout one JSON document; the summary goes to stderr.
        OutputFormat::Json => writeln!(std::io::stderr().lock(), "{summary}")?,
        OutputFormat::Text => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{summary}")?;
            for decision in &made {
                writeln!(stdout, "  {}", decision_line(decision))?;
            }
        }
    }
    Ok(if is_complete { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
