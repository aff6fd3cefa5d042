//! `leakguard keys` (API keys for the shop's login code), `leakguard pwned
//! import` (packing the downloader's folder) and `leakguard password check`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use sha1::{Digest, Sha1};

use crate::cli::OutputFormat;
use crate::config::{Config, Language};
use crate::decisions_cmd::{block_on, print_json};

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Issue an API key for the shop's own code and print it (shown only this once).
    ///
    /// The `login` scope opens POST /v1/login/check, POST /v1/login/result and
    /// POST /v1/events (docs/api.md). Bouncers get their keys from
    /// `leakguard bouncers add` instead.
    ///
    /// Example:
    ///   leakguard keys add shop-web --scope login
    Add {
        /// A name for it (letters, digits, '-', '_', '.').
        name: String,
        /// What it opens: login.
        #[arg(long, value_delimiter = ',', default_value = "login")]
        scope: Vec<String>,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// List the API keys (names and scopes, never the keys).
    List {
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Revoke an API key (running daemons stop accepting it within a second).
    Delete {
        /// Its name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PwnedCommand {
    /// Pack the Have I Been Pwned downloader's folder (one file per 5-hex
    /// prefix, `SUFFIX:COUNT` lines) into one indexed file, read with one
    /// positioned read per request; then set `[pwned] corpus` to it.
    ///
    /// Examples:
    ///   haveibeenpwned-downloader -s false pwnedpasswords
    ///   leakguard pwned import pwnedpasswords --out /var/lib/leakguard/pwnedpasswords.lgp
    ///   leakguard pwned import pwnedpasswords-ntlm --ntlm --out /var/lib/leakguard/ntlm.lgp
    Import {
        /// The downloader's folder.
        dir: PathBuf,
        /// The packed file to write (replaced atomically).
        #[arg(long)]
        out: PathBuf,
        /// The folder holds NTLM hashes (the downloader's `-n`), not SHA-1.
        #[arg(long)]
        ntlm: bool,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PasswordCommand {
    /// Tell whether a password is in the pwned-password corpus, locally.
    ///
    /// The password is read from standard input (one line), never from the
    /// command line, where other users and the shell history would see it.
    /// Exit status: 0 not in the corpus, 3 in the corpus, 1 on errors.
    ///
    /// Examples:
    ///   printf '%s' "$NEW_PASSWORD" | leakguard password check
    ///   leakguard password check --corpus pwnedpasswords/ < secret.txt
    Check {
        /// The corpus (default: `[pwned] corpus` in the configuration).
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Output: text or json.
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
}

#[derive(Serialize)]
struct KeyView {
    name: String,
    scopes: Vec<String>,
    created: String,
}

pub(crate) fn keys(command: KeysCommand, config: &Config) -> anyhow::Result<ExitCode> {
    block_on(async {
        let service = crate::decisions_cmd::open_service(config).await?;
        let mut stdout = std::io::stdout().lock();
        match command {
            KeysCommand::Add { name, scope, output } => {
                let (client, key) = service.add_api_key(&name, &scope).await?;
                match output {
                    OutputFormat::Json => {
                        #[derive(Serialize)]
                        struct Body<'a> {
                            name: &'a str,
                            scopes: &'a [String],
                            api_key: &'a str,
                        }
                        let body =
                            Body { name: &client.name, scopes: &client.scopes, api_key: &key };
                        print_json("keys add", body)?;
                    }
                    OutputFormat::Text => {
                        writeln!(
                            stdout,
                            "API key {:?} ({}), shown only now; keep it safe:",
                            client.name,
                            client.scopes.join(", ")
                        )?;
                        writeln!(stdout)?;
                        writeln!(stdout, "    {key}")?;
                    }
                }
            }
            KeysCommand::List { output } => {
                let list: Vec<KeyView> = service
                    .list_api_keys()
                    .await?
                    .into_iter()
                    .map(|client| KeyView {
                        name: client.name,
                        scopes: client.scopes,
                        created: client.created.to_rfc3339(),
                    })
                    .collect();
                match output {
                    OutputFormat::Json => {
                        #[derive(Serialize)]
                        struct Body {
                            keys: Vec<KeyView>,
                        }
                        print_json("keys list", Body { keys: list })?;
                    }
                    OutputFormat::Text if list.is_empty() => writeln!(stdout, "no API keys")?,
                    OutputFormat::Text => {
                        for key in &list {
                            writeln!(
                                stdout,
                                "{}  scopes {}  added {}",
                                key.name,
                                key.scopes.join(","),
                                key.created
                            )?;
                        }
                    }
                }
            }
            KeysCommand::Delete { name } => {
                anyhow::ensure!(service.delete_api_key(&name).await?, "no API key named {name:?}");
                writeln!(stdout, "revoked API key {name:?}")?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub(crate) fn pwned(command: PwnedCommand) -> anyhow::Result<ExitCode> {
    let PwnedCommand::Import { dir, out, ntlm, output } = command;
    let kind = if ntlm { service::HashKind::Ntlm } else { service::HashKind::Sha1 };
    let started = Instant::now();
    let report = pwned::pack_directory(&dir, &out, kind)
        .with_context(|| format!("packing {} into {}", dir.display(), out.display()))?;
    let bytes = std::fs::metadata(&out).map(|metadata| metadata.len()).unwrap_or(0);
    let seconds = started.elapsed().as_secs_f64();
    match output {
        OutputFormat::Json => {
            #[derive(Serialize)]
            struct Body<'a> {
                out: &'a Path,
                kind: &'a str,
                files: u64,
                hashes: u64,
                ignored: u64,
                bytes: u64,
                seconds: f64,
            }
            print_json(
                "pwned import",
                Body {
                    out: &out,
                    kind: kind.as_str(),
                    files: report.n_files,
                    hashes: report.n_hashes,
                    ignored: report.n_ignored,
                    bytes,
                    seconds,
                },
            )?;
        }
        OutputFormat::Text => {
            let mut stdout = std::io::stdout().lock();
            writeln!(
                stdout,
                "packed {} {} hashes from {} prefix files into {} ({:.1} MiB) in {seconds:.1}s",
                report.n_hashes,
                kind.as_str(),
                report.n_files,
                out.display(),
                bytes as f64 / 1_048_576.0
            )?;
            if report.n_ignored > 0 {
                writeln!(stdout, "ignored {} other files in {}", report.n_ignored, dir.display())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The exit status of `password check` for a password in the corpus.
const FOUND: u8 = 3;

pub(crate) fn password(
    command: PasswordCommand,
    config: &Config,
    language: Language,
) -> anyhow::Result<ExitCode> {
    let PasswordCommand::Check { corpus, output } = command;
    let path = corpus.or_else(|| config.pwned.corpus.clone()).context(
        "no corpus: set [pwned] corpus in the configuration or give --corpus (see `leakguard pwned import --help`)",
    )?;
    let corpus = pwned::Corpus::open(&path, service::HashKind::Sha1)
        .with_context(|| format!("opening the pwned-password corpus {}", path.display()))?;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let hint = match language {
            Language::English => {
                "type the password and press Enter (it shows as you type; pipe it in to avoid that)"
            }
            Language::TraditionalChinese => {
                "請輸入密碼後按 Enter（輸入時會顯示；可改用管線輸入以避免顯示）"
            }
        };
        #[allow(clippy::print_stderr)]
        {
            eprintln!("{hint}");
        }
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    let hash: [u8; 20] = Sha1::digest(password.as_bytes()).into();
    let count = corpus.count(&hash).context("reading the pwned-password corpus")?;
    match output {
        OutputFormat::Json => {
            #[derive(Serialize)]
            struct Body {
                found: bool,
                count: u32,
            }
            print_json("password check", Body { found: count > 0, count })?;
        }
        OutputFormat::Text => {
            let text = match (language, count) {
                (Language::English, 0) => "not in the pwned-password corpus".to_owned(),
                (Language::English, n) => format!(
                    "in the pwned-password corpus: seen {n} time(s) in breaches; do not use it"
                ),
                (Language::TraditionalChinese, 0) => "不在外洩密碼資料庫中".to_owned(),
                (Language::TraditionalChinese, n) => {
                    format!("在外洩密碼資料庫中：已在外洩事件中出現 {n} 次，請勿使用")
                }
            };
            writeln!(std::io::stdout().lock(), "{text}")?;
        }
    }
    Ok(if count > 0 { ExitCode::from(FOUND) } else { ExitCode::SUCCESS })
}

/// The login-check and range routes `serve` and `run` add to the bouncer
/// API: the login check always, results when a sink (the engine) is given,
/// the range API when `[pwned] corpus` is set.
pub(crate) fn login_routes(
    service: std::sync::Arc<service::Service>,
    config: &Config,
    sink: Option<std::sync::Arc<dyn service::LoginSink>>,
) -> anyhow::Result<axum::Router> {
    let passwords = config.pwned.open()?;
    let mut guard = service::LoginGuard::new(service);
    if let Some(sink) = sink {
        guard = guard.with_sink(sink);
    }
    if let Some(passwords) = &passwords {
        guard = guard.with_passwords(passwords.clone());
    }
    let mut router = api::login_router(std::sync::Arc::new(guard));
    if let Some(passwords) = passwords {
        router = router.merge(api::range_router(passwords));
    }
    Ok(router)
}
