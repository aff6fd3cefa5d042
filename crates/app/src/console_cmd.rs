//! The console's commands and wiring: `leakguard admin` (console users),
//! `leakguard audit` (verify, list, export the audit trail), mounting the
//! web console next to the API in `serve` and `run`, and `demo --serve`.

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;
use service::{Role, Service};

use crate::cli::OutputFormat;
use crate::config::{Config, Language};
use crate::decisions_cmd::block_on;
use crate::decisions_cmd::open_service;

/// Console users.
#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Create a console user. Without --one-time-password-file the password
    /// is asked for on the terminal (or read as one line from standard
    /// input). With it, a one-time password is generated and written to that
    /// file (mode 0600, never printed): the user changes it and enrols an
    /// authenticator app at the first login.
    ///
    /// Examples:
    ///   leakguard admin create ann
    ///   leakguard admin create rita --role responder --one-time-password-file rita.otp
    Create(CreateArgs),
    /// List console users (names, roles, whether TOTP is enrolled).
    List {
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The login name (letters, digits, '-', '_', '.', '@').
    name: String,
    /// administrator, responder, auditor or viewer.
    #[arg(long, default_value = "administrator")]
    role: String,
    /// Generate a one-time password and write it to this new file (0600).
    #[arg(long, value_name = "FILE")]
    one_time_password_file: Option<PathBuf>,
}

/// The audit trail.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Recompute the hash chain; exit 1 and name the entry when anything was
    /// changed or removed.
    ///
    /// Example:
    ///   leakguard audit verify
    Verify {
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// The newest entries.
    List {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Every entry with its hashes, as CSV or JSON lines, for an auditor.
    ///
    /// Example:
    ///   leakguard audit export --format csv > audit.csv
    Export {
        /// csv or jsonl.
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

/// Who runs a command, for the audit trail.
fn local_actor() -> String {
    // The app crate is where environment variables are read.
    #[allow(clippy::disallowed_methods)]
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{user}")
}

/// Reads a password without echo on a terminal, or one line from a pipe.
fn read_password(prompt: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let is_terminal = stdin.is_terminal();
    if is_terminal {
        let mut stderr = std::io::stderr().lock();
        write!(stderr, "{prompt}")?;
        stderr.flush()?;
        // No terminal crate: stty turns echo off and back on.
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if is_terminal {
        let _ = std::process::Command::new("stty").arg("echo").status();
        let _ = writeln!(std::io::stderr().lock());
    }
    read.context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Writes a secret to a new file only its owner can read.
fn write_secret_file(path: &Path, secret: &str) -> anyhow::Result<()> {
    let mut file = create_secret_file(path)?;
    writeln!(file, "{secret}").with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Creates a new file only its owner can read; refuses an existing one.
fn create_secret_file(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("creating {} (it must not exist yet)", path.display()))
}

pub(crate) fn admin(command: AdminCommand, config: &Config) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::Create(args) => {
            let role: Role = args.role.parse()?;
            let password = match &args.one_time_password_file {
                Some(_) => None,
                None => {
                    let first = read_password("Password (12 characters or more): ")?;
                    if std::io::stdin().is_terminal() {
                        let again = read_password("The same again: ")?;
                        anyhow::ensure!(first == again, "the two passwords differ");
                    }
                    Some(first)
                }
            };
            // The file first: a user whose password could not be handed over is not created.
            let mut file = match &args.one_time_password_file {
                Some(path) => Some((path, create_secret_file(path)?)),
                None => None,
            };
            let created = block_on(async {
                let service = open_service(config).await?;
                let (user, one_time) =
                    service.create_user(&args.name, role, password.as_deref()).await?;
                if let (Some((path, file)), Some(one_time)) = (&mut file, &one_time) {
                    writeln!(file, "{one_time}")
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                service
                    .audit(
                        &local_actor(),
                        "local",
                        "user_create",
                        &format!("{} {}", user.name, role.as_str()),
                        "",
                    )
                    .await?;
                Ok(user)
            });
            let user = match created {
                Ok(user) => user,
                Err(error) => {
                    if let Some((path, _)) = &file {
                        let _ = std::fs::remove_file(path);
                    }
                    return Err(error);
                }
            };
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "created {} ({})", user.name, user.role.as_str())?;
            if let Some(path) = &args.one_time_password_file {
                writeln!(
                    stdout,
                    "one-time password written to {} (mode 0600); hand it over privately: it must be changed, and an authenticator enrolled, at the first login",
                    path.display()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::List { output } => {
            let users = block_on(async { Ok(open_service(config).await?.list_users().await?) })?;
            let mut stdout = std::io::stdout().lock();
            if output == OutputFormat::Json {
                let rows: Vec<_> = users
                    .iter()
                    .map(|user| {
                        serde_json::json!({
                            "name": user.name,
                            "role": user.role.as_str(),
                            "totp": user.has_totp,
                            "must_change_password": user.must_change_password,
                            "created": user.created.to_rfc3339(),
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(
                    &mut stdout,
                    &serde_json::json!({"version": 1, "command": "admin list", "users": rows}),
                )?;
                writeln!(stdout)?;
            } else {
                for user in &users {
                    writeln!(
                        stdout,
                        "{:<24} {:<14} totp {}{}",
                        user.name,
                        user.role.as_str(),
                        if user.has_totp { "yes" } else { "no" },
                        if user.must_change_password {
                            "  (one-time password pending)"
                        } else {
                            ""
                        }
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Serialize)]
struct VerifyDocument {
    version: u32,
    command: &'static str,
    entries: i64,
    head: String,
    intact: bool,
    problem_entry: Option<i64>,
    problem: Option<String>,
}

pub(crate) fn audit(command: AuditCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match command {
        AuditCommand::Verify { output } => {
            let verdict =
                block_on(async { Ok(open_service(config).await?.verify_audit().await?) })?;
            let (problem_entry, problem) = match &verdict.problem {
                Some((id, what)) => (Some(*id), Some(what.clone())),
                None => (None, None),
            };
            if output == OutputFormat::Json {
                let document = VerifyDocument {
                    version: 1,
                    command: "audit verify",
                    entries: verdict.entries,
                    head: verdict.head.clone(),
                    intact: problem.is_none(),
                    problem_entry,
                    problem: problem.clone(),
                };
                serde_json::to_writer_pretty(&mut stdout, &document)?;
                writeln!(stdout)?;
            } else {
                match (&problem_entry, &problem) {
                    (Some(id), Some(what)) => {
                        writeln!(stdout, "audit trail BROKEN at entry {id}: {what}")?;
                        writeln!(stdout, "稽核軌跡遭竄改：第 {id} 筆")?;
                    }
                    _ => {
                        writeln!(
                            stdout,
                            "audit trail intact: {} entries, head {}",
                            verdict.entries, verdict.head
                        )?;
                        writeln!(stdout, "稽核軌跡完整：{} 筆", verdict.entries)?;
                    }
                }
            }
            Ok(if problem.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        AuditCommand::List { limit, output } => {
            let entries =
                block_on(async { Ok(open_service(config).await?.latest_audit(limit).await?) })?;
            if output == OutputFormat::Json {
                let rows: Vec<_> = entries.iter().map(entry_json).collect();
                serde_json::to_writer_pretty(
                    &mut stdout,
                    &serde_json::json!({"version": 1, "command": "audit list", "entries": rows}),
                )?;
                writeln!(stdout)?;
            } else {
                for stored in entries.iter().rev() {
                    let entry = &stored.entry;
                    writeln!(
                        stdout,
                        "{:>6}  {}  {:<16} {:<15} {:<16} {}{}",
                        stored.id,
                        crate::report::local_time(entry.at, config.utc_offset_secs),
                        entry.actor,
                        entry.address,
                        entry.action,
                        entry.target,
                        if entry.purpose.is_empty() {
                            String::new()
                        } else {
                            format!("  purpose: {}", entry.purpose)
                        }
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Export { format } => {
            anyhow::ensure!(
                format == "csv" || format == "jsonl",
                "unknown --format {format:?}; use csv or jsonl"
            );
            let entries = block_on(async {
                let service = open_service(config).await?;
                service.audit(&local_actor(), "local", "audit_export", &format, "").await?;
                let mut all = Vec::new();
                let mut after = 0;
                loop {
                    let batch = service.audit_entries(after, 1000).await?;
                    let Some(last) = batch.last() else { break };
                    after = last.id;
                    all.extend(batch);
                }
                Ok(all)
            })?;
            if format == "csv" {
                writeln!(stdout, "id,at,actor,address,action,target,purpose,prev_hash,hash")?;
            }
            for stored in &entries {
                if format == "csv" {
                    let entry = &stored.entry;
                    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
                    writeln!(
                        stdout,
                        "{},{},{},{},{},{},{},{},{}",
                        stored.id,
                        entry.at.to_rfc3339(),
                        quote(&entry.actor),
                        quote(&entry.address),
                        quote(&entry.action),
                        quote(&entry.target),
                        quote(&entry.purpose),
                        stored.prev_hash,
                        stored.hash
                    )?;
                } else {
                    serde_json::to_writer(&mut stdout, &entry_json(stored))?;
                    writeln!(stdout)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn entry_json(stored: &service::AuditEntry) -> serde_json::Value {
    serde_json::json!({
        "id": stored.id,
        "at": stored.entry.at.to_rfc3339(),
        "actor": stored.entry.actor,
        "address": stored.entry.address,
        "action": stored.entry.action,
        "target": stored.entry.target,
        "purpose": stored.entry.purpose,
        "prev_hash": stored.prev_hash,
        "hash": stored.hash,
    })
}

/// The console's options from the configuration.
pub(crate) fn console_options(config: &Config, tls: bool) -> dashboard::ConsoleOptions {
    dashboard::ConsoleOptions {
        tls,
        utc_offset_secs: config.utc_offset_secs,
        default_lang: match config.language {
            Some(Language::English) => dashboard::Lang::En,
            _ => dashboard::Lang::ZhTw,
        },
    }
}

/// The client's address as the listener saw it, plain or TLS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(SocketAddr);

impl
    axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, tokio::net::TcpListener>>
    for Peer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, tokio::net::TcpListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

impl
    axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, crate::tls::TlsListener>>
    for Peer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, crate::tls::TlsListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// The web console mounted next to `api` (same port: pages under `/`, the
/// API under `/v1`), with the security headers on everything and the
/// client's address known to the handlers.
pub(crate) fn mount(
    api: axum::Router,
    service: Arc<Service>,
    config: &Config,
    tls: bool,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, Peer> {
    dashboard::with_console(api, service, console_options(config, tls))
        .layer(axum::middleware::from_fn(
            |mut request: axum::extract::Request, next: axum::middleware::Next| async move {
                let peer = request
                    .extensions()
                    .get::<axum::extract::ConnectInfo<Peer>>()
                    .map(|info| info.0.0);
                if let Some(peer) = peer {
                    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                }
                next.run(request).await
            },
        ))
        .into_make_service_with_connect_info::<Peer>()
}

/// Stores the live daemon's new alerts for the console; a failure is told, not fatal.
pub(crate) fn store_alerts_live(
    runtime: &tokio::runtime::Handle,
    service: &Service,
    alerts: &[model::Alert],
) {
    if let Err(error) = runtime.block_on(service.store_alerts(alerts)) {
        let _ = writeln!(
            std::io::stderr().lock(),
            "leakguard run: storing alerts for the console: {error}"
        );
    }
}

/// Requests and error responses per hour of a combined-format log, from
/// each line's `[07/Dec/2026:10:00:00 +0800]` and status.
fn hourly_traffic(path: &Path) -> anyhow::Result<Vec<(model::Timestamp, i64, i64)>> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut hours: std::collections::BTreeMap<i64, (i64, i64)> = std::collections::BTreeMap::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let Some(hour) = line_hour(&line) else { continue };
        let status = line
            .split('"')
            .nth(2)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|status| status.parse::<u16>().ok())
            .unwrap_or(0);
        let entry = hours.entry(hour).or_default();
        entry.0 += 1;
        if status >= 400 {
            entry.1 += 1;
        }
    }
    Ok(hours
        .into_iter()
        .map(|(hour, (requests, errors))| {
            (model::Timestamp::from_unix_secs(hour * 3600), requests, errors)
        })
        .collect())
}

fn line_hour(line: &str) -> Option<i64> {
    let start = line.find('[')? + 1;
    let stamp = line.get(start..start + 26)?;
    let day: u32 = stamp.get(0..2)?.parse().ok()?;
    let month = model::civil::month_from_abbrev(stamp.get(3..6)?.as_bytes())?;
    let year: i64 = stamp.get(7..11)?.parse().ok()?;
    let hour: i64 = stamp.get(12..14)?.parse().ok()?;
    let minute: i64 = stamp.get(15..17)?.parse().ok()?;
    let sign = if stamp.get(21..22)? == "-" { -1 } else { 1 };
    let zone_h: i64 = stamp.get(22..24)?.parse().ok()?;
    let zone_m: i64 = stamp.get(24..26)?.parse().ok()?;
    let days = model::civil::days_from_civil(year, month, day);
    let local_minutes = days * 1440 + hour * 60 + minute;
    let utc_minutes = local_minutes - sign * (zone_h * 60 + zone_m);
    Some(utc_minutes.div_euclid(60))
}

/// What `demo --serve` needs from the demo run.
#[derive(Debug)]
pub(crate) struct DemoServe<'a> {
    pub(crate) log: &'a Path,
    pub(crate) alerts: &'a [model::Alert],
    pub(crate) listen: Option<&'a str>,
    pub(crate) state: Option<&'a Path>,
}

/// `leakguard demo --serve`: store the demo's alerts, decisions and hourly
/// traffic in a fresh state folder, create a `demo` administrator with a
/// one-time password file and a `demo` bouncer key file, and serve the
/// console and the API until interrupted.
pub(crate) fn demo_serve(
    demo: &DemoServe<'_>,
    config: &Config,
    language: Language,
) -> anyhow::Result<ExitCode> {
    let zh = language == Language::TraditionalChinese;
    let state = match demo.state {
        Some(dir) => dir.to_path_buf(),
        None => std::env::temp_dir().join(format!("leakguard-demo-console-{}", std::process::id())),
    };
    std::fs::create_dir_all(&state).with_context(|| format!("creating {}", state.display()))?;
    let database = state.join("leakguard.db");
    anyhow::ensure!(
        !database.exists(),
        "{} exists already; give --state an empty folder",
        database.display()
    );
    let mut config = config.clone();
    config.blocking.store = Some(store::Config::Sqlite { path: database.clone() });
    let listen: SocketAddr =
        demo.listen.unwrap_or("127.0.0.1:8080").parse().with_context(|| {
            format!("--listen {:?}: use an address and port such as 127.0.0.1:8080", demo.listen)
        })?;
    anyhow::ensure!(
        listen.ip().is_loopback(),
        "--listen {listen}: the demo console listens on loopback only"
    );
    let traffic = hourly_traffic(demo.log)?;
    let extra = crate::rule_pack::load_dirs(&config.rule_dirs)?;
    let rule_set = crate::rule_pack::compile(
        &extra,
        config.builtin_rules,
        &config.disabled_rules,
        &config.site,
    )?;
    let tags: HashMap<model::RuleId, Vec<String>> =
        rule_set.rules().iter().map(|rule| (rule.id().clone(), rule.tags().to_vec())).collect();
    let password_file = state.join("demo-admin.one-time-password");
    let key_file = state.join("demo-bouncer.key");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let service = Arc::new(open_service(&config).await?);
        service.store_alerts(demo.alerts).await?;
        let made = service.decide_alerts(demo.alerts, &tags, &config.blocking.profile).await?;
        service.add_traffic(&traffic).await?;
        let (_, one_time) = service.create_user("demo", Role::Administrator, None).await?;
        if let Some(one_time) = one_time {
            write_secret_file(&password_file, &one_time)?;
        }
        let (_, key) = service.add_bouncer("demo").await?;
        write_secret_file(&key_file, &key)?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let local = listener.local_addr().context("reading the bound address")?;
        {
            let mut stdout = std::io::stdout().lock();
            if zh {
                writeln!(stdout, "\n示範主控台：http://{local}/")?;
                writeln!(
                    stdout,
                    "  已儲存 {} 則警報、{} 筆封鎖決策",
                    demo.alerts.len(),
                    made.len()
                )?;
                writeln!(stdout, "  使用者 demo 的一次性密碼檔：{}", password_file.display())?;
                writeln!(stdout, "  阻擋器金鑰檔：{}", key_file.display())?;
                writeln!(stdout, "  資料夾：{}（按 Ctrl-C 結束）", state.display())?;
            } else {
                writeln!(stdout, "\nDemo console: http://{local}/")?;
                writeln!(
                    stdout,
                    "  stored {} alerts and {} decisions",
                    demo.alerts.len(),
                    made.len()
                )?;
                writeln!(
                    stdout,
                    "  user demo, one-time password file: {}",
                    password_file.display()
                )?;
                writeln!(stdout, "  bouncer key file: {}", key_file.display())?;
                writeln!(stdout, "  state folder: {} (Ctrl-C stops)", state.display())?;
            }
            stdout.flush()?;
        }
        let app = mount(api::router(service.clone()), service, &config, false);
        axum::serve(listener, app)
            .with_graceful_shutdown(crate::serve::shutdown_signal())
            .await
            .context("serving the demo console")?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_of_combined_lines_are_in_utc() {
        let line =
            r#"203.0.113.9 - - [07/Dec/2026:10:59:59 +0800] "GET / HTTP/1.1" 404 12 "-" "curl""#;
        let hour = line_hour(line).expect("hour");
        assert_eq!(
            model::Timestamp::from_unix_secs(hour * 3600).to_rfc3339(),
            "2026-12-07T02:00:00Z"
        );
        assert_eq!(line_hour("no time here"), None);
    }
}
