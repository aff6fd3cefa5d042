//! `leakguard notices ...`: the breach-notice outbox from the command line:
//! enqueue rendered notices, send them (throttled, resumable after a crash),
//! show the counts, reconcile notices whose fate is unknown, retry failures.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use model::{Clock, SystemClock};
use store::{Enqueued, Store};

use crate::cli::OutputFormat;
use crate::config::Config;
use crate::outbox::{self, NewNotice, SendOptions};

/// `leakguard notices ...`
#[derive(Debug, Subcommand)]
pub(crate) enum NoticesCommand {
    /// Add rendered notices to the outbox from a JSON-lines file (`-` for
    /// standard input), one object per line: {"key", "channel": "email"|"sms",
    /// "recipient", "subject", "body", "language", "reference"}. A key already
    /// in the outbox is skipped, so the same file can be loaded twice.
    ///
    /// Example:
    ///   leakguard notices enqueue notices.jsonl
    Enqueue {
        /// The JSON-lines file.
        file: PathBuf,
    },
    /// Send the due notices at a steady rate until none is due. Safe to
    /// kill and restart: a notice recorded as sent is never sent again, and
    /// one caught in flight becomes "unknown" until `notices reconcile`.
    ///
    /// Examples:
    ///   leakguard notices send --rate 20/s
    ///   leakguard notices send --wait     # also wait for retries that are not due yet
    Send {
        /// Messages per second (default: `[notices] rate`, then 10/s).
        #[arg(long, value_name = "RATE")]
        rate: Option<String>,
        /// Stop after this many send attempts.
        #[arg(long)]
        limit: Option<u64>,
        /// Wait for retries not due yet instead of stopping.
        #[arg(long)]
        wait: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
    /// Counts of notices per channel and state.
    Status {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
    /// Settle notices whose fate is unknown (caught in flight by a crash):
    /// email ones found among the messages the mail server accepted become
    /// sent, the others are queued again; SMS ones are asked of the gateway.
    ///
    /// Examples:
    ///   leakguard notices reconcile --accepted /var/log/mail.log   # lines with message-id=<...>
    ///   leakguard notices reconcile --maildir /srv/mail/notices-copy
    Reconcile {
        /// A file holding the Message-IDs the server accepted (a list, or an MTA log).
        #[arg(long, value_name = "FILE")]
        accepted: Vec<PathBuf>,
        /// A Maildir whose messages the server accepted (a copy of what was sent).
        #[arg(long, value_name = "DIR")]
        maildir: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
    /// Queue failed notices again (after the address or number was fixed).
    Retry {
        /// Notice keys (none: every failed notice).
        keys: Vec<String>,
    },
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let location =
        config.blocking.store.clone().unwrap_or_else(crate::decisions_cmd::default_store);
    Store::open(&location)
        .await
        .with_context(|| format!("opening the store at {}", location.shown()))
}

pub(crate) fn run(command: NoticesCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(command, config))
}

async fn run_async(command: NoticesCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let mut stdout = std::io::stdout().lock();
    match command {
        NoticesCommand::Enqueue { file } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading standard input")?
            } else {
                std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?
            };
            let (mut added, mut known) = (0_u64, 0_u64);
            for (idx, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let notice: NewNotice = serde_json::from_str(line).with_context(|| {
                    format!("{} line {}: not a notice", file.display(), idx + 1)
                })?;
                match outbox::enqueue(&store, &config.notices, &notice, SystemClock.now())
                    .await
                    .with_context(|| format!("{} line {}", file.display(), idx + 1))?
                {
                    Enqueued::New(_) => added += 1,
                    Enqueued::Existing(_) => known += 1,
                }
            }
            writeln!(
                stdout,
                "notices: {added} added, {known} already in the outbox / 通知：新增 {added} 則，{known} 則已在佇列中"
            )?;
            Ok(ExitCode::SUCCESS)
        }
        NoticesCommand::Send { rate, limit, wait, output } => {
            let rate_per_sec = match rate {
                Some(text) => crate::notify_config::parse_rate(&text)
                    .with_context(|| format!("--rate {text:?} is not a rate such as \"20/s\""))?,
                None => config.notices.rate_per_sec,
            };
            let stats = outbox::send(
                &store,
                &config.notices,
                SendOptions { rate_per_sec, limit, wait_for_retries: wait },
            )
            .await?;
            match output {
                OutputFormat::Json => {
                    writeln!(stdout, "{}", serde_json::json!({"version": 1, "send": stats}))?
                }
                OutputFormat::Text => {
                    writeln!(
                        stdout,
                        "sent {}, retry later {}, failed {}, unknown {} (+{} found in flight at start) in {:.1}s",
                        stats.sent,
                        stats.retried,
                        stats.failed,
                        stats.unknown,
                        stats.recovered_unknown,
                        stats.seconds
                    )?;
                    writeln!(
                        stdout,
                        "已送出 {}，稍後重試 {}，失敗 {}，狀態不明 {}（啟動時發現 {} 則傳送中）",
                        stats.sent,
                        stats.retried,
                        stats.failed,
                        stats.unknown,
                        stats.recovered_unknown
                    )?;
                    if stats.unknown + stats.recovered_unknown > 0 {
                        writeln!(
                            stdout,
                            "unknown notices are not resent: run `leakguard notices reconcile` / 狀態不明的通知不會自動重送，請執行 leakguard notices reconcile"
                        )?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        NoticesCommand::Status { output } => {
            let counts = store.notice_counts().await?;
            match output {
                OutputFormat::Json => {
                    let rows: Vec<_> = counts
                        .iter()
                        .map(|(channel, state, count)| serde_json::json!({"channel": channel, "state": state, "count": count}))
                        .collect();
                    writeln!(stdout, "{}", serde_json::json!({"version": 1, "notices": rows}))?;
                }
                OutputFormat::Text => {
                    if counts.is_empty() {
                        writeln!(stdout, "no notices / 沒有通知")?;
                    }
                    for (channel, state, count) in &counts {
                        writeln!(stdout, "{channel:<6} {state:<8} {count}")?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        NoticesCommand::Reconcile { accepted, maildir, output } => {
            let mut ids = std::collections::HashSet::new();
            for path in &accepted {
                let text =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                ids.extend(outbox::message_ids_in(&String::from_utf8_lossy(&text)));
            }
            for dir in &maildir {
                ids.extend(outbox::maildir_message_ids(dir)?);
            }
            let has_email_unknowns = store
                .notices_in_state("unknown", 100_000)
                .await?
                .iter()
                .any(|notice| notice.new.channel == "email");
            anyhow::ensure!(
                !has_email_unknowns || !accepted.is_empty() || !maildir.is_empty(),
                "unknown email notices need the server's word: give --accepted FILE (Message-IDs, e.g. the MTA log) or --maildir DIR"
            );
            let email = if has_email_unknowns {
                outbox::reconcile_email(&store, &ids).await?
            } else {
                outbox::ReconcileStats::default()
            };
            let sms = outbox::reconcile_sms(&store, &config.notices).await?;
            match output {
                OutputFormat::Json => writeln!(
                    stdout,
                    "{}",
                    serde_json::json!({"version": 1, "email": email, "sms": sms, "message_ids_read": ids.len()})
                )?,
                OutputFormat::Text => {
                    writeln!(
                        stdout,
                        "email: {} found sent, {} queued again; sms: {} found sent, {} failed, {} queued again, {} still unknown",
                        email.found_sent,
                        email.requeued,
                        sms.found_sent,
                        sms.failed,
                        sms.requeued,
                        sms.still_unknown
                    )?;
                    writeln!(
                        stdout,
                        "電子郵件：{} 則確認已送達、{} 則重新排入；簡訊：{} 則確認已送達、{} 則失敗、{} 則重新排入、{} 則仍不明",
                        email.found_sent,
                        email.requeued,
                        sms.found_sent,
                        sms.failed,
                        sms.requeued,
                        sms.still_unknown
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        NoticesCommand::Retry { keys } => {
            let mut queued = 0;
            if keys.is_empty() {
                for notice in store.notices_in_state("failed", 1_000_000).await? {
                    queued +=
                        u64::from(store.retry_failed_notice(notice.id, SystemClock.now()).await?);
                }
            } else {
                for key in &keys {
                    let notice = store
                        .notice_by_key(key)
                        .await?
                        .with_context(|| format!("no notice with key {key:?}"))?;
                    queued +=
                        u64::from(store.retry_failed_notice(notice.id, SystemClock.now()).await?);
                }
            }
            writeln!(
                stdout,
                "{queued} failed notice(s) queued again / {queued} 則失敗通知已重新排入"
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
