//! `leakguard notify test`: one test message through each `[notify]` channel.

use std::io::Write;
use std::process::ExitCode;

use clap::Subcommand;
use model::{Clock, SystemClock};
use notify::Language;
use notify::digest::Outgoing;

use crate::cli::OutputFormat;
use crate::config::Config;
use crate::notifier::Channels;

/// `leakguard notify ...`
#[derive(Debug, Subcommand)]
pub(crate) enum NotifyCommand {
    /// Send a test message through each channel of [notify] (email, webhook,
    /// Telegram, LINE) and say what each answered. Exit status 1 when any
    /// channel failed.
    ///
    /// Examples:
    ///   leakguard -c leakguard.toml notify test
    ///   leakguard -c leakguard.toml notify test --output json
    Test {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
}

fn test_message(site: &str, language: Language) -> Outgoing {
    let (subject, text) = match language {
        Language::English => (
            format!("[leakguard] {site}: test message"),
            format!(
                "[leakguard] {site}: test message\n\nThis channel works: leakguard will send critical and high alerts and new decisions here, grouped and at most a few per hour.\n"
            ),
        ),
        Language::TraditionalChinese => (
            format!("[leakguard] {site}：測試訊息"),
            format!(
                "[leakguard] {site}：測試訊息\n\n此管道運作正常：leakguard 會將嚴重與高風險警示及新決策傳送至此，並彙整成少量訊息。\n"
            ),
        ),
    };
    Outgoing {
        subject,
        text,
        items: Vec::new(),
        alerts: 0,
        decisions: 0,
        unlisted: 0,
        delayed_by_cap: false,
        language: language.tag(),
    }
}

pub(crate) fn run(command: &NotifyCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let &NotifyCommand::Test { output } = command;
    anyhow::ensure!(
        config.notify.is_configured(),
        "no channel in [notify]; add [notify.email], [notify.webhook], [notify.telegram] or [notify.line] (docs/notify.md)"
    );
    let channels = Channels::new(config);
    let language = config.notify.language.unwrap_or(match config.language {
        Some(crate::config::Language::TraditionalChinese) => Language::TraditionalChinese,
        _ => Language::English,
    });
    let message = test_message(&config.site_name, language);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let outcomes = runtime.block_on(async {
        let mut outcomes = Vec::new();
        for name in channels.names() {
            outcomes.push((name, channels.deliver(name, &message, SystemClock.now()).await));
        }
        outcomes
    });
    let failed = outcomes.iter().filter(|(_, outcome)| outcome.is_err()).count();
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Json => {
            let channels: Vec<_> = outcomes
                .iter()
                .map(|(name, outcome)| match outcome {
                    Ok(answer) => {
                        serde_json::json!({"channel": name.as_str(), "ok": true, "answer": answer})
                    }
                    Err(error) => {
                        serde_json::json!({"channel": name.as_str(), "ok": false, "error": error})
                    }
                })
                .collect();
            writeln!(stdout, "{}", serde_json::json!({"version": 1, "channels": channels}))?;
        }
        OutputFormat::Text => {
            let zh = language == Language::TraditionalChinese;
            for (name, outcome) in &outcomes {
                match (outcome, zh) {
                    (Ok(answer), false) => writeln!(stdout, "{}: sent ({answer})", name.as_str())?,
                    (Ok(answer), true) => {
                        writeln!(stdout, "{}：已送出（{answer}）", name.as_str())?
                    }
                    (Err(error), false) => writeln!(stdout, "{}: FAILED: {error}", name.as_str())?,
                    (Err(error), true) => writeln!(stdout, "{}：失敗：{error}", name.as_str())?,
                }
            }
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
