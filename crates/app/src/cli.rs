//! Command-line arguments and dispatch.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, Language, Overrides};
use crate::{analyze, decisions_cmd, demo, eval, eval_peers, eval_web, rules_cmd, serve};
use crate::{eval_pii, geoip_cmd, incident_cmd, run as run_cmd, scan};

/// leakguard keeps an online shop's customer data from leaking: it reads your
/// web server's logs and finds the attacks that end in a leak.
///
/// Start with `leakguard demo` to see it on a built-in day of shop traffic,
/// then run `leakguard analyze /var/log/nginx/access.log*` on your own logs.
#[derive(Debug, Parser)]
#[command(name = "leakguard", version, max_term_width = 100)]
pub(crate) struct Cli {
    /// Configuration file (TOML). `leakguard config example` prints a commented one.
    #[arg(long, short = 'c', global = true, env = "LEAKGUARD_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Language of reports: en or zh-TW (default: site.language, then $LANG).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read access logs and summarize them: volume, time span, top clients and
    /// paths, and every line that could not be parsed.
    ///
    /// Files may be plain, .gz or .zst (detected from their content), globs, or
    /// `-` for standard input. Rotated sets (access.log.2.gz access.log.1
    /// access.log) are read oldest first. Exit status: 0 when every input was
    /// read, 1 when some input could not be (the report still covers the rest).
    ///
    /// Examples:
    ///   leakguard analyze /var/log/nginx/access.log*
    ///   leakguard analyze --output json access.log.gz | jq .summary.top_ips
    ///   zcat old.log.gz | leakguard analyze -
    Analyze(AnalyzeArgs),
    /// Generate a realistic day of a web shop's traffic with attacks in it,
    /// analyze it, and show the report. Needs no services and no network.
    Demo(DemoArgs),
    /// Check or write the configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List, check and test detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Find personal data in files, folders and databases: the inventory the
    /// law requires (where customer data is kept), with masked samples only.
    ///
    /// Examples:
    ///   leakguard scan exports/ backups/members.sql.gz
    ///   leakguard scan sqlite:shop.db postgres://readonly@db/shop --output json
    Scan(scan::ScanArgs),
    /// Write a de-identified copy of a CSV, JSON/NDJSON, SQL dump or text
    /// file: personal data replaced by keyed pseudonyms (the same value always
    /// gets the same pseudonym, so joins still work; without the key it cannot
    /// be reversed).
    ///
    /// Example:
    ///   leakguard mask members.csv --out members.masked.csv --key-file mask.key
    Mask(scan::MaskArgs),
    /// Measure leakguard against data written by others (the evaluation corpora).
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Serve decisions to bouncers (CrowdSec's local API; see docs/api.md).
    Serve(serve::ServeArgs),
    /// The live daemon: follow the [run] logs across rotation and receive
    /// syslog, decide at once, and serve the bouncer API with /health and
    /// /metrics (see docs/live.md). SIGHUP reloads the rules.
    Run(run_cmd::RunArgs),
    /// Ask a running `leakguard run` how it is doing (its /health).
    Status(run_cmd::StatusArgs),
    /// List, add and delete decisions (bans, captchas, password resets).
    #[command(subcommand)]
    Decisions(decisions_cmd::DecisionsCommand),
    /// Issue and revoke bouncers' API keys.
    #[command(subcommand)]
    Bouncers(decisions_cmd::BouncersCommand),
    /// Addresses and ranges never decided on (the office, the payment gateway).
    #[command(subcommand)]
    Allowlist(decisions_cmd::AllowlistCommand),
    /// Issue and revoke API keys for the shop's own login code (the login
    /// check and results, docs/api.md).
    #[command(subcommand)]
    Keys(crate::pwned_cmd::KeysCommand),
    /// The pwned-password corpus: pack the downloader's folder for speed.
    #[command(subcommand)]
    Pwned(crate::pwned_cmd::PwnedCommand),
    /// Check a password against the pwned-password corpus, locally.
    #[command(subcommand)]
    Password(crate::pwned_cmd::PasswordCommand),
    /// Console users: create (with a one-time password file) and list.
    #[command(subcommand)]
    Admin(crate::console_cmd::AdminCommand),
    /// The audit trail: verify its hash chain, list and export it.
    #[command(subcommand)]
    Audit(crate::console_cmd::AuditCommand),
    /// Breach response: incidents with the legal checklist and its deadlines
    /// (Taiwan's 72-hour reports first), evidence bundles, scoping the people
    /// affected, notices and the reports to the regulator and a CERT
    /// (docs/incidents.md).
    ///
    /// Examples:
    ///   leakguard incident create --from-alert analysis.json --alert-id ID
    ///   leakguard incident show 1
    ///   leakguard incident report 1 --out report.html --shop shop.toml
    #[command(subcommand)]
    Incident(incident_cmd::IncidentCommand),
    /// The GeoIP and ASN databases of [geoip] (docs/geoip.md).
    #[command(subcommand)]
    Geoip(GeoipCommand),
    /// Tell the operator: test the [notify] channels (docs/notify.md).
    #[command(subcommand)]
    Notify(crate::notify_cmd::NotifyCommand),
    /// The breach-notice outbox: enqueue, send (throttled, crash-safe),
    /// status, reconcile, retry (docs/notify.md).
    #[command(subcommand)]
    Notices(crate::notices_cmd::NoticesCommand),
}

#[derive(Debug, Subcommand)]
enum GeoipCommand {
    /// Each configured database: its type, build date and age, size, and the
    /// credit its licence asks for.
    Status {
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// The country and AS number the databases give addresses.
    Lookup {
        /// Addresses.
        #[arg(value_name = "IP", required = true)]
        addresses: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// List the rules the configuration loads (the shipped pack and rules.dirs).
    List,
    /// Check rule folders: every problem with its file and line.
    Lint {
        /// Rule folders (*.yaml rules, data/*.txt word lists).
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Run the fixture cases next to each rule (`X.yaml` → `X.tests/<case>/`).
    Test {
        /// Rule folders.
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Parse every line of the public real logs and of the fail2ban and CrowdSec
    /// samples in a supported format; list any line that does not parse.
    Parse {
        /// The corpus directory (with real-logs/ and peers/).
        #[arg(long, default_value = "../shared/corpus", value_name = "DIR")]
        corpus: PathBuf,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Measure the attack-payload detectors on the labelled web-attack corpus
    /// (corpus/web-attacks/): recall per category, false positives on benign sets.
    WebAttacks {
        /// The corpus directory (with web-attacks/).
        #[arg(long, default_value = "../shared/corpus", value_name = "DIR")]
        corpus: PathBuf,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
        /// Show up to N missed attacks per row.
        #[arg(long, default_value_t = 0, value_name = "N")]
        show_misses: usize,
        /// Show up to N false positives per row.
        #[arg(long, default_value_t = 0, value_name = "N")]
        show_fps: usize,
    },
    /// Measure the personal-data detectors on the labelled shop corpus
    /// (corpus/pii/): column and span precision and recall per label, decoys.
    Pii {
        /// The corpus directory (with pii/).
        #[arg(long, default_value = "../shared/corpus", value_name = "DIR")]
        corpus: PathBuf,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
        /// Exit 0 even when a target is missed (print the numbers only).
        #[arg(long)]
        report_only: bool,
        /// Show up to N errors per label.
        #[arg(long, default_value_t = 0, value_name = "N")]
        show_errors: usize,
    },
    /// Score the shipped rule pack against the labelled fail2ban and CrowdSec
    /// samples (corpus/peers/): per source, per file and per case.
    Peers {
        /// The corpus directory (with peers/).
        #[arg(long, default_value = "../shared/corpus", value_name = "DIR")]
        corpus: PathBuf,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a configuration file and report every problem at once.
    Check {
        /// The file (default: --config).
        file: Option<PathBuf>,
    },
    /// Print a commented example configuration.
    Example,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// A readable report.
    Text,
    /// One JSON document (see docs/output.md).
    Json,
}

/// Options shared by commands that read logs.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct LogArgs {
    /// Log format: auto, combined, common, nginx-error, json, json:caddy,
    /// json:traefik, json:login.
    #[arg(long, short = 'f', value_name = "FORMAT")]
    format: Option<String>,
    /// An nginx log_format to compile (paste it from nginx.conf).
    #[arg(long, value_name = "LOG_FORMAT")]
    nginx_log_format: Option<String>,
    /// An Apache LogFormat to compile (paste it from httpd.conf).
    #[arg(long, value_name = "LOG_FORMAT")]
    apache_log_format: Option<String>,
    /// A proxy or CDN range whose X-Forwarded-For is believed (repeatable).
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    trusted_proxies: Vec<String>,
    /// Zone for timestamps without one (e.g. +08:00, Asia/Taipei).
    #[arg(long, value_name = "ZONE")]
    timezone: Option<String>,
    /// Lines longer than this are counted and skipped (e.g. 64KiB).
    #[arg(long, value_name = "SIZE")]
    max_line_bytes: Option<String>,
    /// A folder of extra rules (*.yaml) and word lists (data/*.txt) (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
}

impl LogArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            format: self.format.clone(),
            nginx_log_format: self.nginx_log_format.clone(),
            apache_log_format: self.apache_log_format.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            timezone: self.timezone.clone(),
            max_line_bytes: self.max_line_bytes.clone(),
            rule_dirs: self.rule_dirs.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct AnalyzeArgs {
    /// Log files, globs, or - for standard input.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<String>,
    #[command(flatten)]
    pub(crate) logs: LogArgs,
    /// Output: text or json.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,
    /// Rows in each top table.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub(crate) top: usize,
    /// Never show a progress bar (it is shown only when stderr is a terminal).
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Only parse and summarize: run no detection rules.
    #[arg(long)]
    pub(crate) no_detect: bool,
    /// Store the decisions the profile ([decisions]) makes from the alerts.
    #[arg(long)]
    pub(crate) decide: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Seed of the traffic generator (the same seed gives the same log).
    #[arg(long, default_value_t = 42)]
    pub(crate) seed: u64,
    /// Lines to generate.
    #[arg(long, default_value_t = 200_000)]
    pub(crate) lines: u64,
    /// Where to write the generated log (default: a file in the temp directory).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Only write the log (and print its ground truth as JSON); do not analyze it.
    #[arg(long)]
    pub(crate) generate_only: bool,
    /// Output: text or json.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,
    /// Never show a progress bar.
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Then serve the web console on the demo's alerts and decisions: a fresh
    /// state folder, a `demo` administrator with a one-time password file,
    /// a `demo` bouncer key file (paths printed).
    #[arg(long)]
    pub(crate) serve: bool,
    /// With --serve: where to listen (loopback; default 127.0.0.1:8080, port 0 picks one).
    #[arg(long, value_name = "ADDR", requires = "serve")]
    pub(crate) listen: Option<String>,
    /// With --serve: the state folder (default: a new one in the temp directory).
    #[arg(long, value_name = "DIR", requires = "serve")]
    pub(crate) state: Option<PathBuf>,
}

/// The report language: flag, then config, then `$LANG`, then English.
fn choose_language(flag: Option<&str>, configured: Option<Language>) -> anyhow::Result<Language> {
    if let Some(flag) = flag {
        return Language::parse(flag)
            .with_context(|| format!("unknown language {flag:?}; use en or zh-TW"));
    }
    if let Some(language) = configured {
        return Ok(language);
    }
    // The app crate is where environment variables are read.
    #[allow(clippy::disallowed_methods)]
    let lang = std::env::var("LC_ALL").or_else(|_| std::env::var("LANG")).unwrap_or_default();
    let lang = lang.to_ascii_lowercase();
    if lang.starts_with("zh_tw") || lang.starts_with("zh_hk") || lang.starts_with("zh-tw") {
        return Ok(Language::TraditionalChinese);
    }
    Ok(Language::English)
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Analyze(args) => {
            let config = config::load_config(cli.config.as_deref(), &args.logs.overrides())?;
            let language = choose_language(cli.lang.as_deref(), config.language)?;
            if args.decide {
                return decisions_cmd::analyze_and_decide(&args, &config, language);
            }
            analyze::run(&args, &config, language)
        }
        Command::Serve(args) => {
            serve::run(&args, &config::load_config(cli.config.as_deref(), &Overrides::default())?)
        }
        Command::Run(args) => run_cmd::run(
            &args,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
            cli.config.as_deref(),
        ),
        Command::Status(args) => run_cmd::status(
            &args,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Decisions(command) => decisions_cmd::decisions(
            command,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Bouncers(command) => decisions_cmd::bouncers(
            command,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Keys(command) => crate::pwned_cmd::keys(
            command,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Pwned(command) => crate::pwned_cmd::pwned(command),
        Command::Password(command) => {
            let config = config::load_config(cli.config.as_deref(), &Overrides::default())?;
            let language = choose_language(cli.lang.as_deref(), config.language)?;
            crate::pwned_cmd::password(command, &config, language)
        }
        Command::Allowlist(command) => decisions_cmd::allowlist(
            command,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Admin(command) => crate::console_cmd::admin(
            command,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Audit(command) => crate::console_cmd::audit(
            command,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Demo(args) => {
            let config = config::load_config(cli.config.as_deref(), &Overrides::default())?;
            let language = choose_language(cli.lang.as_deref(), config.language)?;
            demo::run(&args, &config, language)
        }
        Command::Scan(args) => {
            let config = config::load_config(cli.config.as_deref(), &Overrides::default())?;
            let language = choose_language(cli.lang.as_deref(), config.language)?;
            scan::run(&args, language)
        }
        Command::Incident(command) => {
            let config = config::load_config(cli.config.as_deref(), &Overrides::default())?;
            let language = choose_language(cli.lang.as_deref(), config.language)?;
            incident_cmd::run(command, &config, language)
        }
        Command::Mask(args) => scan::run_mask(&args),
        Command::Notify(command) => crate::notify_cmd::run(
            &command,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Notices(command) => crate::notices_cmd::run(
            command,
            &config::load_config(cli.config.as_deref(), &Overrides::default())?,
        ),
        Command::Geoip(command) => {
            let config = config::load_config(cli.config.as_deref(), &Overrides::default())?;
            match command {
                GeoipCommand::Status { output } => {
                    geoip_cmd::status(&config, output == OutputFormat::Json)
                }
                GeoipCommand::Lookup { addresses } => geoip_cmd::lookup(&config, &addresses),
            }
        }
        Command::Eval(EvalCommand::Pii { corpus, output, report_only, show_errors }) => {
            eval_pii::run_pii(&corpus, output, report_only, show_errors)
        }
        Command::Eval(EvalCommand::Parse { corpus, output }) => eval::run_parse(&corpus, output),
        Command::Eval(EvalCommand::WebAttacks { corpus, output, show_misses, show_fps }) => {
            eval_web::run_web_attacks(&corpus, output, show_misses, show_fps)
        }
        Command::Eval(EvalCommand::Peers { corpus, output }) => {
            eval_peers::run_peers(&corpus, output)
        }
        Command::Rules(command) => {
            let config = config::load_config(cli.config.as_deref(), &Overrides::default())?;
            let language = choose_language(cli.lang.as_deref(), config.language)?;
            match command {
                RulesCommand::List => rules_cmd::list(&config, language),
                RulesCommand::Lint { dirs } => rules_cmd::lint(&dirs, &config),
                RulesCommand::Test { dirs } => rules_cmd::test(&dirs),
            }
        }
        Command::Config(ConfigCommand::Example) => {
            std::io::stdout().lock().write_all(config::EXAMPLE.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(ConfigCommand::Check { file }) => {
            let Some(path) = file.or(cli.config) else {
                anyhow::bail!("no configuration file given: leakguard config check FILE");
            };
            config::load_config(Some(&path), &Overrides::default())?;
            writeln!(std::io::stdout().lock(), "{}: ok", path.display())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
