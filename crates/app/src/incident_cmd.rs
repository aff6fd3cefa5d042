//! `leakguard incident`: the breach workflow from the command line: create
//! (from an alert), statuses and the checklist with its countdowns, evidence
//! and its bundle, scoping, notices (preview, approval, outbox), and the
//! reports to the regulator and to a CERT.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use incidents::{
    Applicability, Incident, IncidentKind, NoticeFacts, NoticeKind, PersonalFacts, Severity,
    Source, Status, TaskKind, Template, Tlp, calendar, format_span,
};
use model::Timestamp;
use serde::Deserialize;
use service::{ContactKey, NewIncident, OutgoingNotice, Service};

use crate::cli::OutputFormat;
use crate::config::{Config, Language};
use crate::decisions_cmd::{block_on, print_json};
use crate::incident_bundle::{self, Manifest, ManifestFile};
use crate::incident_scope;

#[derive(Debug, Subcommand)]
pub(crate) enum IncidentCommand {
    /// Record an incident (status open); every statutory clock starts at --discovered.
    ///
    /// Examples:
    ///   leakguard incident create --title "Customer got a scam call quoting an order" --source customer_complaint
    ///   leakguard analyze access.log -o json > analysis.json
    ///   leakguard incident create --from-alert analysis.json --alert-id 84921efef8b84f66
    Create(CreateArgs),
    /// List the incidents with their status and next deadline.
    List {
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// An incident: details, checklist with countdowns, obligations, evidence, scope, timeline.
    Show {
        id: i64,
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Move an incident: open → investigating → contained → notifying → closed.
    Status {
        id: i64,
        /// The new status.
        status: String,
        /// Why (on the timeline).
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        who: Who,
    },
    /// Mark a checklist task done: contain, preserve_evidence, scope,
    /// notify_regulator, notify_people, warn_scam_calls, fix_cause, review.
    Task {
        id: i64,
        task: String,
        /// What was done.
        #[arg(long, default_value = "")]
        note: String,
        /// When (default now), e.g. "2026-12-07 14:00".
        #[arg(long)]
        at: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Write the findings the report form asks for.
    Edit(EditArgs),
    /// Evidence: files and log extracts kept with their SHA-256.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Write the evidence bundle: a folder, or a .tar file, with manifest.json
    /// and SHA256SUMS (`sha256sum -c SHA256SUMS` checks it too).
    Export {
        id: i64,
        /// A new folder, or a file ending in .tar.
        #[arg(long, value_name = "DIR|FILE")]
        out: PathBuf,
        #[command(flatten)]
        who: Who,
    },
    /// Check an evidence bundle's hashes. Exit 1 when anything differs.
    Verify {
        bundle: PathBuf,
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// Find the people affected in the shop's exports (CSV or JSON) within the
    /// incident's window, deduplicated by e-mail, phone and national id; the
    /// contact list is stored encrypted with --key-file.
    ///
    /// Example:
    ///   leakguard incident scope 3 --data members.csv --data orders.json --key-file contacts.key
    Scope(ScopeArgs),
    /// Create a contact key file (64 hex digits, mode 0600).
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Notices to the people: preview (masked), approve, send to the outbox.
    #[command(subcommand)]
    Notice(NoticeCommand),
    /// The 72-hour report form (個人資料侵害事故通報與紀錄表) as HTML (.html) or Markdown (.md).
    Report {
        id: i64,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The shop's details (TOML: company, agency, reporter_name, ...).
        #[arg(long, value_name = "FILE")]
        shop: Option<PathBuf>,
    },
    /// A STIX 2.1 bundle of the attackers for a CERT (no customer data), from
    /// the incident's log evidence.
    Stix {
        id: i64,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// TLP marking: clear, green, amber, amber+strict, red.
        #[arg(long, default_value = "amber")]
        tlp: String,
        #[arg(long, value_name = "FILE")]
        shop: Option<PathBuf>,
    },
}

/// Who acts (recorded on the timeline).
#[derive(Debug, Args, Clone)]
pub(crate) struct Who {
    /// Your name, as the timeline records it (default: cli:$USER).
    #[arg(long, value_name = "NAME")]
    actor: Option<String>,
}

impl Who {
    fn name(&self) -> String {
        if let Some(actor) = &self.actor {
            return actor.clone();
        }
        // The app crate is where environment variables are read.
        #[allow(clippy::disallowed_methods)]
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
        format!("cli:{user}")
    }
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// A short title (default from the alert).
    #[arg(long)]
    title: Option<String>,
    /// theft, leak, alteration, damage, loss, other.
    #[arg(long, default_value = "leak")]
    kind: String,
    /// alert, customer_complaint, police, other.
    #[arg(long)]
    source: Option<String>,
    /// Complaint or police case number.
    #[arg(long = "ref")]
    source_ref: Option<String>,
    /// low, medium, high, critical (default from the alert, else high).
    #[arg(long)]
    severity: Option<String>,
    /// Who is in charge (default: the actor).
    #[arg(long)]
    owner: Option<String>,
    /// When the shop learned of it (default now).
    #[arg(long)]
    discovered: Option<String>,
    /// When it began.
    #[arg(long)]
    from: Option<String>,
    /// When it ended.
    #[arg(long)]
    to: Option<String>,
    /// Jurisdictions whose clocks apply: tw, eu, jp, sg, us-ca (repeatable; default tw).
    #[arg(long = "jurisdiction", value_name = "ID")]
    jurisdictions: Vec<String>,
    /// The JSON of `leakguard analyze --output json`; the alert's evidence lines are attached.
    #[arg(long, value_name = "FILE")]
    from_alert: Option<PathBuf>,
    /// Which alert of that file (needed when it holds several).
    #[arg(long)]
    alert_id: Option<String>,
    #[command(flatten)]
    who: Who,
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    id: i64,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    severity: Option<String>,
    #[arg(long)]
    owner: Option<String>,
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    to: Option<String>,
    /// Cause and summary.
    #[arg(long)]
    cause: Option<String>,
    #[arg(long)]
    damage: Option<String>,
    /// Possible consequences for the people.
    #[arg(long)]
    consequences: Option<String>,
    /// What was done and is planned (used in the notices).
    #[arg(long)]
    measures: Option<String>,
    /// When and how people are told.
    #[arg(long)]
    notification_plan: Option<String>,
    /// Why a report was late.
    #[arg(long)]
    late_reason: Option<String>,
    /// Records the affected system holds (draft PDPA threshold 10,000).
    #[arg(long)]
    system_records: Option<u64>,
    /// Likely high risk to the people (GDPR Art. 34).
    #[arg(long)]
    high_risk: Option<bool>,
    /// Likely significant harm (Singapore).
    #[arg(long)]
    significant_harm: Option<bool>,
    #[command(flatten)]
    who: Who,
}

#[derive(Debug, Subcommand)]
pub(crate) enum EvidenceCommand {
    /// Keep files (or a line range of one) with their SHA-256.
    ///
    /// Example:
    ///   leakguard incident evidence add 3 /var/log/nginx/access.log.1 --lines 8660-8750
    Add {
        id: i64,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only these lines (FROM-TO, 1-based): a log extract.
        #[arg(long, value_name = "FROM-TO")]
        lines: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        who: Who,
    },
    /// List the evidence and its chain of custody.
    List {
        id: i64,
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ScopeArgs {
    id: i64,
    /// CSV or JSON exports of members or orders (repeatable).
    #[arg(long = "data", required = true, value_name = "FILE")]
    data: Vec<PathBuf>,
    /// The key that seals the contact list (`leakguard incident keygen`).
    #[arg(long, value_name = "FILE")]
    key_file: PathBuf,
    /// The column with each row's date (default: created_at, order_time, 訂單時間...).
    #[arg(long)]
    date_column: Option<String>,
    /// A column whose non-empty values are special data (health, criminal record...).
    #[arg(long = "special-column")]
    special_columns: Vec<String>,
    #[command(flatten)]
    who: Who,
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct NoticeArgs {
    id: i64,
    /// The public notice instead of the individual one.
    #[arg(long)]
    public: bool,
    /// Your own template (see the shipped ones: `leakguard incident notice template`).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// The shop's details (TOML: company, contact_phone, contact_email, contact_hours, contact_after_hours).
    #[arg(long, value_name = "FILE")]
    shop: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum NoticeCommand {
    /// Print a shipped template to start your own from.
    Template {
        #[arg(long)]
        public: bool,
    },
    /// Show the notice as one person would get it, with their data masked.
    Preview {
        #[command(flatten)]
        notice: NoticeArgs,
        /// Preview with the first affected person (masked); without it a sample person.
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        #[command(flatten)]
        who: Who,
    },
    /// Record that a named responder approved the notice text (needed before sending).
    Approve {
        #[command(flatten)]
        notice: NoticeArgs,
        /// The responder approving it.
        #[arg(long = "by", value_name = "NAME")]
        approver: String,
    },
    /// Render every person's notice from the approved text and hand them to
    /// the notice outbox (each once, whatever happens); or write them to --out.
    Send {
        #[command(flatten)]
        notice: NoticeArgs,
        #[arg(long, value_name = "FILE")]
        key_file: PathBuf,
        /// email or sms.
        #[arg(long, default_value = "email")]
        channel: String,
        /// The sender address (for the message ids).
        #[arg(long, default_value = "noreply@shop.invalid")]
        from: String,
        /// Also write the rendered notices to this new folder (they hold personal data: keep it safe).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        who: Who,
        #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
        output: OutputFormat,
    },
    /// The public notice (web or media) as text.
    Public {
        #[command(flatten)]
        notice: NoticeArgs,
    },
}

/// The shop's details for notices and reports (`--shop FILE`, TOML).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shop {
    company: Option<String>,
    agency: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    contact_hours: Option<String>,
    contact_after_hours: Option<String>,
    reporter_name: Option<String>,
    reporter_title: Option<String>,
    reporter_phone: Option<String>,
    reporter_email: Option<String>,
    reporter_address: Option<String>,
}

fn load_shop(path: Option<&Path>) -> anyhow::Result<Shop> {
    let Some(path) = path else { return Ok(Shop::default()) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{}: invalid shop details", path.display()))
}

fn parse_time(text: &str, config: &Config, flag: &str) -> anyhow::Result<Timestamp> {
    incident_scope::parse_time(text, config.utc_offset_secs).with_context(|| {
        format!("{flag} {text:?} is not a time; write 2026-12-07 14:30 (site zone {}) or 2026-12-07T06:30:00Z", config.timezone)
    })
}

fn read_key(path: &Path) -> anyhow::Result<ContactKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key file {}", path.display()))?;
    ContactKey::from_hex(&text).with_context(|| format!("key file {}", path.display()))
}

/// The alert fields `--from-alert` reads from `analyze --output json`.
#[derive(Debug, Deserialize)]
struct AlertJson {
    id: String,
    rule_id: String,
    title: BTreeMap<String, String>,
    severity: String,
    key: serde_json::Value,
    count: u64,
    first_seen: String,
    last_seen: String,
    #[serde(default)]
    samples: Vec<SampleJson>,
}

#[derive(Debug, Deserialize)]
struct SampleJson {
    source: String,
    line: u64,
    text: String,
}

fn pick_alert(path: &Path, wanted: Option<&str>) -> anyhow::Result<(AlertJson, serde_json::Value)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let document: serde_json::Value = serde_json::from_str(&text).with_context(|| {
        format!("{}: not JSON (write it with leakguard analyze --output json)", path.display())
    })?;
    let alerts =
        document.get("alerts").and_then(serde_json::Value::as_array).with_context(|| {
            format!(
                "{}: no \"alerts\" (write it with leakguard analyze --output json)",
                path.display()
            )
        })?;
    let ids: Vec<&str> = alerts.iter().filter_map(|alert| alert["id"].as_str()).collect();
    let chosen = match wanted {
        Some(wanted) => alerts.iter().find(|alert| alert["id"] == wanted).with_context(|| {
            format!("{}: no alert {wanted:?}; it has: {}", path.display(), ids.join(", "))
        })?,
        None if alerts.len() == 1 => &alerts[0],
        None if alerts.is_empty() => bail!("{}: no alerts", path.display()),
        None => bail!(
            "{} has {} alerts; choose one with --alert-id (ids: {})",
            path.display(),
            alerts.len(),
            ids.join(", ")
        ),
    };
    let alert: AlertJson = serde_json::from_value(chosen.clone())
        .with_context(|| format!("{}: the alert is not in the analyze format", path.display()))?;
    Ok((alert, chosen.clone()))
}

fn lang_tag(language: Language) -> &'static str {
    if language == Language::TraditionalChinese { "zh-TW" } else { "en" }
}

pub(crate) fn run(
    command: IncidentCommand,
    config: &Config,
    language: Language,
) -> anyhow::Result<ExitCode> {
    let zh = language == Language::TraditionalChinese;
    match command {
        IncidentCommand::Verify { bundle, output } => {
            let verdict = incident_bundle::verify_bundle(&bundle)?;
            if output == OutputFormat::Json {
                print_json("incident verify", &verdict)?;
            } else {
                let mut stdout = std::io::stdout().lock();
                if verdict.problems.is_empty() {
                    let text =
                        if zh { "完整，雜湊值相符" } else { "intact: every hash matches" };
                    writeln!(
                        stdout,
                        "{}: incident {}, {} files, {text}",
                        bundle.display(),
                        verdict.incident_id,
                        verdict.files
                    )?;
                } else {
                    for problem in &verdict.problems {
                        writeln!(stdout, "{}: {problem}", bundle.display())?;
                    }
                }
            }
            return Ok(if verdict.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        IncidentCommand::Keygen { out } => {
            let hex = ContactKey::generate_hex()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&out)
                .with_context(|| format!("creating {} (it must not exist yet)", out.display()))?;
            file.write_all(format!("{hex}\n").as_bytes())?;
            writeln!(
                std::io::stdout().lock(),
                "{}: new contact key (keep it apart from the database and backed up)",
                out.display()
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        IncidentCommand::Notice(NoticeCommand::Template { public }) => {
            let kind = if public { NoticeKind::Public } else { NoticeKind::Individual };
            std::io::stdout().lock().write_all(incidents::builtin_template(kind, zh).as_bytes())?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    block_on(async move {
        let service = crate::decisions_cmd::open_service(config).await?;
        run_async(command, &service, config, language).await
    })
}

async fn run_async(
    command: IncidentCommand,
    service: &Service,
    config: &Config,
    language: Language,
) -> anyhow::Result<ExitCode> {
    let zh = language == Language::TraditionalChinese;
    let offset = config.utc_offset_secs;
    let mut stdout = std::io::stdout().lock();
    match command {
        IncidentCommand::Create(args) => {
            let actor = args.who.name();
            let alert = match &args.from_alert {
                Some(path) => Some(pick_alert(path, args.alert_id.as_deref())?),
                None => None,
            };
            let time = |text: &Option<String>, flag: &str| -> anyhow::Result<Option<Timestamp>> {
                text.as_deref().map(|text| parse_time(text, config, flag)).transpose()
            };
            let mut new = NewIncident {
                title: args.title.clone().unwrap_or_default(),
                kind: args.kind.parse::<IncidentKind>()?,
                source: args
                    .source
                    .as_deref()
                    .unwrap_or(if alert.is_some() { "alert" } else { "other" })
                    .parse::<Source>()?,
                source_ref: args.source_ref.clone(),
                severity: args.severity.as_deref().unwrap_or("high").parse::<Severity>()?,
                owner: args.owner.clone().unwrap_or_else(|| actor.clone()),
                discovered_at: time(&args.discovered, "--discovered")?,
                occurred_from: time(&args.from, "--from")?,
                occurred_to: time(&args.to, "--to")?,
                jurisdictions: args.jurisdictions.clone(),
                details: incidents::Details::default(),
            };
            if let Some((alert, _)) = &alert {
                let title = alert
                    .title
                    .get(if zh { "zh-TW" } else { "en" })
                    .or_else(|| alert.title.get("en"))
                    .cloned()
                    .unwrap_or_else(|| alert.rule_id.clone());
                if new.title.is_empty() {
                    new.title =
                        format!("{title} ({})", alert.key["value"].as_str().unwrap_or_default());
                }
                new.source_ref = new.source_ref.or_else(|| Some(alert.id.clone()));
                if args.severity.is_none() {
                    new.severity = match alert.severity.as_str() {
                        "critical" => Severity::Critical,
                        "high" => Severity::High,
                        "medium" => Severity::Medium,
                        _ => Severity::Low,
                    };
                }
                new.occurred_from =
                    new.occurred_from.or_else(|| incident_scope::parse_time(&alert.first_seen, 0));
                new.occurred_to =
                    new.occurred_to.or_else(|| incident_scope::parse_time(&alert.last_seen, 0));
            }
            if new.title.is_empty() {
                bail!("give the incident a --title (or create it --from-alert)");
            }
            let incident = service.create_incident(new, &actor).await?;
            let id = incident.id.0;
            if let Some((alert, raw)) = &alert {
                let mut extract = String::new();
                for sample in &alert.samples {
                    extract
                        .push_str(&format!("{}:{}: {}\n", sample.source, sample.line, sample.text));
                }
                let origin = args
                    .from_alert
                    .as_ref()
                    .map(|path| path.display().to_string())
                    .unwrap_or_default();
                let note =
                    format!("alert {} ({}), {} events", alert.id, alert.rule_id, alert.count);
                service
                    .add_evidence(
                        id,
                        &format!("alert-{}.json", alert.id),
                        "alert",
                        serde_json::to_vec_pretty(raw)?,
                        &origin,
                        &actor,
                        &note,
                    )
                    .await?;
                service
                    .add_evidence(
                        id,
                        &format!("alert-{}.log", alert.id),
                        "log_extract",
                        extract.into_bytes(),
                        &origin,
                        &actor,
                        &note,
                    )
                    .await?;
            }
            match args.output {
                OutputFormat::Json => {
                    print_json("incident create", incident_json(service, &incident, offset).await?)?
                }
                OutputFormat::Text => {
                    writeln!(
                        stdout,
                        "{} {id}: {}",
                        if zh { "已建立事故" } else { "incident" },
                        incident.title
                    )?;
                    print_checklist(&mut stdout, service, &incident, zh, offset).await?;
                }
            }
        }
        IncidentCommand::List { output } => {
            let list = service.incidents().await?;
            if output == OutputFormat::Json {
                let mut items = Vec::new();
                for incident in &list {
                    items.push(incident_json(service, incident, offset).await?);
                }
                print_json("incident list", serde_json::json!({ "incidents": items }))?;
            } else if list.is_empty() {
                writeln!(stdout, "{}", if zh { "沒有事故紀錄" } else { "no incidents" })?;
            } else {
                for incident in &list {
                    let checklist = service.incident_checklist(incident).await?;
                    let next = checklist
                        .tasks
                        .iter()
                        .filter(|task| task.done.is_none())
                        .filter_map(|task| {
                            task.countdown.map(|countdown| (countdown.deadline, task, countdown))
                        })
                        .min_by_key(|(deadline, _, _)| *deadline);
                    let next = next.map_or_else(String::new, |(_, task, countdown)| {
                        format!(
                            "  next: {} {}",
                            task.task.label(zh),
                            format_span(countdown.remaining_secs, zh)
                        )
                    });
                    writeln!(
                        stdout,
                        "{:>4}  {:<13}  {:<8}  {}  {}{next}",
                        incident.id.0,
                        incident.status.label(zh),
                        incident.severity.label(zh),
                        calendar::document_date_time(incident.discovered_at, offset, zh),
                        incident.title
                    )?;
                }
            }
        }
        IncidentCommand::Show { id, output } => {
            let incident = service.incident(id).await?;
            if output == OutputFormat::Json {
                print_json("incident show", incident_json(service, &incident, offset).await?)?;
            } else {
                let labels = if zh {
                    ["狀態", "類型", "來源", "嚴重度", "負責人", "知悉時間", "發生期間", "適用法域"]
                } else {
                    [
                        "status",
                        "kind",
                        "source",
                        "severity",
                        "owner",
                        "discovered",
                        "occurred",
                        "jurisdictions",
                    ]
                };
                writeln!(stdout, "#{} {}", incident.id, incident.title)?;
                let time = |value: Option<Timestamp>| {
                    value.map_or_else(
                        || "?".to_owned(),
                        |time| calendar::document_date_time(time, offset, zh),
                    )
                };
                let source = match &incident.source_ref {
                    Some(reference) => format!("{} ({reference})", incident.source.label(zh)),
                    None => incident.source.label(zh).to_owned(),
                };
                for (label, value) in labels.iter().zip([
                    incident.status.label(zh).to_owned(),
                    incident.kind.label(zh).to_owned(),
                    source,
                    incident.severity.label(zh).to_owned(),
                    incident.owner.clone(),
                    time(Some(incident.discovered_at)),
                    format!("{} – {}", time(incident.occurred_from), time(incident.occurred_to)),
                    incident.jurisdictions.join(", "),
                ]) {
                    writeln!(stdout, "  {label}: {value}")?;
                }
                print_checklist(&mut stdout, service, &incident, zh, offset).await?;
                if let Some(scope) = service.incident_scope(id).await? {
                    let summary = &scope.summary;
                    writeln!(stdout, "\n{}", if zh { "影響範圍" } else { "Scope" })?;
                    writeln!(
                        stdout,
                        "  {} {}, {} {} ({} {})",
                        summary.people,
                        if zh { "人" } else { "people" },
                        summary.records,
                        if zh { "筆" } else { "records" },
                        summary.special_records,
                        if zh { "筆特種個資" } else { "special" }
                    )?;
                    for (field, n) in &summary.people_per_field {
                        writeln!(stdout, "  {:<24} {n}", incident_scope::field_label(field, zh))?;
                    }
                }
                let evidence = service.evidence(id).await?;
                if !evidence.is_empty() {
                    writeln!(stdout, "\n{}", if zh { "證據" } else { "Evidence" })?;
                    for item in &evidence {
                        writeln!(
                            stdout,
                            "  {:>4}  {}  {} bytes  sha256 {}  {} {}",
                            item.id,
                            item.name,
                            item.size,
                            item.sha256,
                            item.added_by,
                            calendar::document_date_time(item.added_at, offset, zh)
                        )?;
                    }
                }
                writeln!(stdout, "\n{}", if zh { "時間軸" } else { "Timeline" })?;
                for entry in service.incident_timeline(id).await? {
                    writeln!(
                        stdout,
                        "  {}  {:<12}  {:<16}  {}",
                        calendar::document_date_time(entry.at, offset, zh),
                        entry.actor,
                        entry.action,
                        entry.detail
                    )?;
                }
            }
        }
        IncidentCommand::Status { id, status, note, who } => {
            let status: Status = status.parse()?;
            let incident = service.set_incident_status(id, status, &who.name(), &note).await?;
            writeln!(stdout, "incident {id}: {}", incident.status.label(zh))?;
        }
        IncidentCommand::Task { id, task, note, at, who } => {
            let task: TaskKind = task.parse()?;
            let at = at.as_deref().map(|text| parse_time(text, config, "--at")).transpose()?;
            let done = service.complete_task(id, task, &who.name(), &note, at).await?;
            writeln!(
                stdout,
                "incident {id}: {} ({} {})",
                task.label(zh),
                if zh { "完成於" } else { "done" },
                calendar::document_date_time(done.at, offset, zh)
            )?;
        }
        IncidentCommand::Edit(args) => {
            let mut incident = service.incident(args.id).await?;
            let mut changed = Vec::new();
            let details = &mut incident.details;
            for (name, value, target) in [
                ("cause", &args.cause, &mut details.cause),
                ("damage", &args.damage, &mut details.damage),
                ("consequences", &args.consequences, &mut details.consequences),
                ("measures", &args.measures, &mut details.measures),
                ("notification_plan", &args.notification_plan, &mut details.notification_plan),
                ("late_reason", &args.late_reason, &mut details.late_reason),
            ] {
                if let Some(value) = value {
                    target.clone_from(value);
                    changed.push(name);
                }
            }
            if let Some(records) = args.system_records {
                details.system_records = Some(records);
                changed.push("system_records");
            }
            if let Some(value) = args.high_risk {
                details.high_risk = value;
                changed.push("high_risk");
            }
            if let Some(value) = args.significant_harm {
                details.significant_harm = value;
                changed.push("significant_harm");
            }
            if let Some(title) = &args.title {
                incident.title.clone_from(title);
                changed.push("title");
            }
            if let Some(severity) = &args.severity {
                incident.severity = severity.parse()?;
                changed.push("severity");
            }
            if let Some(owner) = &args.owner {
                incident.owner.clone_from(owner);
                changed.push("owner");
            }
            if let Some(from) = &args.from {
                incident.occurred_from = Some(parse_time(from, config, "--from")?);
                changed.push("occurred_from");
            }
            if let Some(to) = &args.to {
                incident.occurred_to = Some(parse_time(to, config, "--to")?);
                changed.push("occurred_to");
            }
            if changed.is_empty() {
                bail!("nothing to change; see leakguard incident edit --help");
            }
            service
                .update_incident(
                    &incident,
                    &args.who.name(),
                    &format!("edited: {}", changed.join(", ")),
                )
                .await?;
            writeln!(stdout, "incident {}: {}", args.id, changed.join(", "))?;
        }
        IncidentCommand::Evidence(EvidenceCommand::Add { id, files, lines, note, who }) => {
            let actor = who.name();
            let range = lines.as_deref().map(parse_range).transpose()?;
            for file in &files {
                let content =
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
                let name = incident_bundle::safe_name(
                    &file
                        .file_name()
                        .map(|name| name.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                );
                let (content, kind, name) = match range {
                    Some((from, to)) => {
                        let text = String::from_utf8_lossy(&content);
                        let extract: String = text
                            .lines()
                            .enumerate()
                            .filter(|(idx, _)| (from..=to).contains(&(idx + 1)))
                            .map(|(_, line)| format!("{line}\n"))
                            .collect();
                        if extract.is_empty() {
                            bail!("{}: no lines {from}-{to}", file.display());
                        }
                        (extract.into_bytes(), "log_extract", format!("{name}.lines-{from}-{to}"))
                    }
                    None => (content, "file", name),
                };
                let origin = match range {
                    Some((from, to)) => format!("{}:{from}-{to}", file.display()),
                    None => file.display().to_string(),
                };
                let evidence =
                    service.add_evidence(id, &name, kind, content, &origin, &actor, &note).await?;
                writeln!(
                    stdout,
                    "{:>4}  {}  {} bytes  sha256 {}",
                    evidence.id, evidence.name, evidence.size, evidence.sha256
                )?;
            }
        }
        IncidentCommand::Evidence(EvidenceCommand::List { id, output }) => {
            let evidence = service.evidence(id).await?;
            let custody = service.custody(id).await?;
            if output == OutputFormat::Json {
                let evidence: Vec<_> = evidence.iter().map(|item| serde_json::json!({
                    "id": item.id, "name": item.name, "kind": item.kind, "sha256": item.sha256, "size": item.size,
                    "origin": item.origin, "added_by": item.added_by, "added_at": item.added_at, "note": item.note,
                })).collect();
                let custody: Vec<_> = custody.iter().map(|entry| serde_json::json!({
                    "evidence_id": entry.evidence_id, "at": entry.at, "actor": entry.actor, "action": entry.action, "detail": entry.detail,
                })).collect();
                print_json(
                    "incident evidence list",
                    serde_json::json!({ "evidence": evidence, "custody": custody }),
                )?;
            } else {
                for item in &evidence {
                    writeln!(
                        stdout,
                        "{:>4}  {:<11}  {}  {} bytes  sha256 {}",
                        item.id, item.kind, item.name, item.size, item.sha256
                    )?;
                    for entry in custody.iter().filter(|entry| entry.evidence_id == item.id) {
                        writeln!(
                            stdout,
                            "        {}  {}  {}  {}",
                            calendar::document_date_time(entry.at, offset, zh),
                            entry.actor,
                            entry.action,
                            entry.detail
                        )?;
                    }
                }
            }
        }
        IncidentCommand::Export { id, out, who } => {
            let actor = who.name();
            let incident = service.incident(id).await?;
            let evidence = service.evidence(id).await?;
            let mut files = Vec::new();
            let mut contents = Vec::new();
            for item in &evidence {
                let content = service.evidence_content(item).await?;
                files.push(ManifestFile {
                    path: format!(
                        "evidence/{:04}-{}",
                        item.id,
                        incident_bundle::safe_name(&item.name)
                    ),
                    sha256: item.sha256.clone(),
                    size: content.len() as u64,
                    evidence_id: item.id,
                    kind: item.kind.clone(),
                    origin: item.origin.clone(),
                    added_by: item.added_by.clone(),
                    added_at: item.added_at.to_rfc3339(),
                    note: item.note.clone(),
                });
                contents.push(content);
            }
            let now = service_now();
            for item in &evidence {
                service
                    .record_custody(
                        id,
                        item.id,
                        &actor,
                        "exported",
                        &format!("to {}", out.display()),
                    )
                    .await?;
            }
            let custody = service.custody(id).await?;
            let timeline = service.incident_timeline(id).await?;
            let manifest = Manifest {
                format: "leakguard-evidence-bundle/1".to_owned(),
                incident_id: id,
                incident_title: incident.title.clone(),
                exported_at: now.to_rfc3339(),
                exported_by: actor.clone(),
                files,
                custody: custody.iter().map(|entry| serde_json::json!({
                    "evidence_id": entry.evidence_id, "at": entry.at, "actor": entry.actor, "action": entry.action, "detail": entry.detail,
                })).collect(),
                timeline: timeline.iter().map(|entry| serde_json::to_value(entry).unwrap_or_default()).collect(),
            };
            incident_bundle::write_bundle(&out, &manifest, &contents)?;
            writeln!(
                stdout,
                "{}: {} evidence files, manifest.json, SHA256SUMS",
                out.display(),
                evidence.len()
            )?;
        }
        IncidentCommand::Scope(args) => {
            let actor = args.who.name();
            let incident = service.incident(args.id).await?;
            let key = read_key(&args.key_file)?;
            let loaded = incident_scope::load(
                &args.data,
                (incident.occurred_from, incident.occurred_to),
                args.date_column.as_deref(),
                &args.special_columns,
                offset,
            )?;
            let scope = incidents::deduplicate(loaded.records);
            let source = args
                .data
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let stored = service.save_scope(args.id, &scope, &source, &actor, &key).await?;
            let summary = &stored.summary;
            if args.output == OutputFormat::Json {
                print_json(
                    "incident scope",
                    serde_json::json!({
                        "incident": args.id,
                        "summary": summary,
                        "rows_read": loaded.rows_read,
                        "rows_outside_window": loaded.rows_outside_window,
                        "rows_without_date": loaded.rows_without_date,
                        "date_columns": loaded.date_columns,
                        "columns": loaded.columns.iter().map(|(name, kind)| serde_json::json!({"column": name, "kind": kind.as_str()})).collect::<Vec<_>>(),
                        "key_id": stored.key_id,
                    }),
                )?;
            } else {
                writeln!(
                    stdout,
                    "incident {}: {} {}, {} {} ({} {}); {} rows read, {} outside the window",
                    args.id,
                    summary.people,
                    if zh { "人受影響" } else { "people affected" },
                    summary.records,
                    if zh { "筆" } else { "records" },
                    summary.special_records,
                    if zh { "筆特種個資" } else { "special" },
                    loaded.rows_read,
                    loaded.rows_outside_window
                )?;
                if loaded.date_columns.is_empty()
                    && (incident.occurred_from.is_some() || incident.occurred_to.is_some())
                {
                    writeln!(
                        stdout,
                        "  {}",
                        if zh {
                            "注意：找不到日期欄位，已計入所有資料列（--date-column）"
                        } else {
                            "note: no date column found, every row counted (--date-column)"
                        }
                    )?;
                }
                for (field, n) in &summary.people_per_field {
                    writeln!(stdout, "  {:<24} {n}", incident_scope::field_label(field, zh))?;
                }
                writeln!(
                    stdout,
                    "  {} {}",
                    if zh {
                        "聯絡名單已加密保存，金鑰指紋"
                    } else {
                        "contact list stored encrypted, key"
                    },
                    stored.key_id
                )?;
            }
        }
        IncidentCommand::Notice(command) => {
            notice(command, service, config, language, &mut stdout).await?
        }
        IncidentCommand::Report { id, out, shop } => {
            let shop = load_shop(shop.as_deref())?;
            let incident = service.incident(id).await?;
            let scope = service.incident_scope(id).await?;
            let header = incidents::ReportHeader {
                company: shop.company.clone().unwrap_or_default(),
                agency: shop
                    .agency
                    .clone()
                    .unwrap_or_else(|| "數位發展部 Ministry of Digital Affairs".to_owned()),
                reporter: incidents::Reporter {
                    name: shop.reporter_name.clone().unwrap_or_default(),
                    title: shop.reporter_title.clone().unwrap_or_default(),
                    phone: shop.reporter_phone.clone().unwrap_or_default(),
                    email: shop.reporter_email.clone().unwrap_or_default(),
                    address: shop.reporter_address.clone().unwrap_or_default(),
                },
                report_time: service_now(),
                utc_offset_secs: offset,
            };
            let label = |name: &str| incident_scope::field_label(name, true);
            let report = incidents::RegulatorReport::build(
                &incident,
                scope.as_ref().map(|scope| &scope.summary),
                &label,
                header,
            );
            let is_html = out.extension().is_some_and(|extension| {
                extension.eq_ignore_ascii_case("html") || extension.eq_ignore_ascii_case("htm")
            });
            let text = if is_html { report.to_html() } else { report.to_markdown() };
            std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
            service
                .add_incident_note(
                    id,
                    "leakguard",
                    &format!("regulator report written to {}", out.display()),
                )
                .await?;
            writeln!(
                stdout,
                "{}: {}",
                out.display(),
                if zh {
                    "通報表已產生，請審閱後送出"
                } else {
                    "report form written; review it, then file it"
                }
            )?;
        }
        IncidentCommand::Stix { id, out, tlp, shop } => {
            let tlp = Tlp::parse(&tlp).with_context(|| {
                format!("unknown TLP {tlp:?}; use clear, green, amber, amber+strict or red")
            })?;
            let shop = load_shop(shop.as_deref())?;
            let incident = service.incident(id).await?;
            let observations = observations(service, id).await?;
            let producer = shop.company.clone().unwrap_or_else(|| "leakguard user".to_owned());
            let input = incidents::StixInput {
                incident: &incident,
                producer: &producer,
                tlp,
                observations: &observations,
            };
            let redact = |text: &str| redact_pii(text);
            let bundle = incidents::stix_bundle(&input, &redact);
            std::fs::write(&out, serde_json::to_vec_pretty(&bundle)?)
                .with_context(|| format!("writing {}", out.display()))?;
            service
                .add_incident_note(
                    id,
                    "leakguard",
                    &format!(
                        "STIX bundle ({} addresses) written to {}",
                        observations.len(),
                        out.display()
                    ),
                )
                .await?;
            writeln!(
                stdout,
                "{}: {} {}",
                out.display(),
                observations.len(),
                if zh { "個攻擊來源" } else { "attacking addresses" }
            )?;
        }
        IncidentCommand::Verify { .. } | IncidentCommand::Keygen { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn service_now() -> Timestamp {
    model::Clock::now(&model::SystemClock)
}

/// Personal data in free text masked (user agents, paths).
fn redact_pii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for span in pii::find_spans(text) {
        if span.kind == pii::Kind::IpAddress || span.start < last {
            continue;
        }
        out.push_str(&text[last..span.start]);
        out.push_str(&pii::mask(&text[span.start..span.end]));
        last = span.end;
    }
    out.push_str(&text[last..]);
    out
}

fn parse_range(text: &str) -> anyhow::Result<(usize, usize)> {
    let parsed = text.split_once('-').and_then(|(from, to)| {
        Some((from.trim().parse::<usize>().ok()?, to.trim().parse::<usize>().ok()?))
    });
    match parsed {
        Some((from, to)) if from >= 1 && from <= to => Ok((from, to)),
        _ => bail!("--lines {text:?}: write FROM-TO, e.g. 120-180"),
    }
}

/// Attacking addresses from the incident's log evidence (combined format lines).
async fn observations(service: &Service, id: i64) -> anyhow::Result<Vec<incidents::Observation>> {
    let parser = parsers::Parser::compile(
        &parsers::FormatSpec::Combined,
        &parsers::ParserOptions::default(),
    )
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    let mut by_address: BTreeMap<IpAddr, incidents::Observation> = BTreeMap::new();
    let mut labels: BTreeSet<String> = BTreeSet::new();
    for item in service.evidence(id).await? {
        let content = service.evidence_content(&item).await?;
        if item.kind == "alert" {
            if let Ok(alert) = serde_json::from_slice::<serde_json::Value>(&content)
                && let Some(title) = alert["title"]["en"].as_str()
            {
                labels.insert(title.to_owned());
            }
            continue;
        }
        let text = String::from_utf8_lossy(&content);
        for line in text.lines() {
            // Alert extracts prefix each line with `source:line: `.
            let line = match line.split_once(": ") {
                Some((prefix, rest))
                    if prefix
                        .rsplit_once(':')
                        .is_some_and(|(_, n)| n.bytes().all(|b| b.is_ascii_digit())) =>
                {
                    rest
                }
                _ => line,
            };
            let Ok(event) = parser.parse(line) else { continue };
            let Some(address) = event.client_ip else { continue };
            let entry = by_address.entry(address).or_insert_with(|| incidents::Observation {
                address,
                first_seen: event.time,
                last_seen: event.time,
                count: 0,
                requests: BTreeSet::new(),
                user_agents: BTreeSet::new(),
                labels: BTreeSet::new(),
            });
            entry.count += 1;
            entry.first_seen = entry.first_seen.min(event.time);
            entry.last_seen = entry.last_seen.max(event.time);
            entry.requests.insert((event.method.to_string(), event.path.to_string()));
            if !event.user_agent.is_empty() {
                entry.user_agents.insert(event.user_agent.to_string());
            }
        }
    }
    Ok(by_address
        .into_values()
        .map(|mut observation| {
            observation.labels.clone_from(&labels);
            observation
        })
        .collect())
}

async fn incident_json(
    service: &Service,
    incident: &Incident,
    offset: i32,
) -> anyhow::Result<serde_json::Value> {
    let checklist = service.incident_checklist(incident).await?;
    let scope = service.incident_scope(incident.id.0).await?;
    Ok(serde_json::json!({
        "incident": incident,
        "discovered_local": calendar::local_date_time(incident.discovered_at, offset),
        "discovered_roc": calendar::roc_date_time(incident.discovered_at, offset),
        "checklist": checklist,
        "scope": scope.map(|scope| scope.summary),
        "evidence": service.evidence(incident.id.0).await?.iter().map(|item| serde_json::json!({
            "id": item.id, "name": item.name, "kind": item.kind, "sha256": item.sha256, "size": item.size,
        })).collect::<Vec<_>>(),
        "timeline": service.incident_timeline(incident.id.0).await?,
    }))
}

async fn print_checklist(
    out: &mut impl Write,
    service: &Service,
    incident: &Incident,
    zh: bool,
    offset: i32,
) -> anyhow::Result<()> {
    let checklist = service.incident_checklist(incident).await?;
    writeln!(out, "\n{}", if zh { "待辦事項" } else { "Checklist" })?;
    for task in &checklist.tasks {
        let mark = if task.done.is_some() { "[x]" } else { "[ ]" };
        let when = match (&task.done, task.countdown) {
            (Some(done), Some(countdown)) if countdown.is_late => format!(
                "{} {} ({})",
                if zh { "完成於" } else { "done" },
                calendar::document_date_time(done.at, offset, zh),
                if zh { "逾期" } else { "late" }
            ),
            (Some(done), _) => format!(
                "{} {}",
                if zh { "完成於" } else { "done" },
                calendar::document_date_time(done.at, offset, zh)
            ),
            (None, Some(countdown)) => format!(
                "{} {}  {}",
                if zh { "期限" } else { "due" },
                calendar::document_date_time(countdown.deadline, offset, zh),
                format_span(countdown.remaining_secs, zh)
            ),
            (None, None) => (if zh { "儘速" } else { "without undue delay" }).to_owned(),
        };
        writeln!(out, "  {mark} {:<40} {when}  [{}]", task.task.label(zh), task.basis)?;
    }
    writeln!(out, "\n{}", if zh { "法定義務" } else { "Obligations" })?;
    for obligation in &checklist.obligations {
        let applies = match obligation.applicability {
            Applicability::Applies => {
                if zh {
                    "適用"
                } else {
                    "applies"
                }
            }
            Applicability::Possible => {
                if zh {
                    "可能適用"
                } else {
                    "may apply"
                }
            }
            Applicability::NotApplicable => {
                if zh {
                    "不適用"
                } else {
                    "does not apply"
                }
            }
        };
        let draft = if obligation.law_status == incidents::LawStatus::Draft {
            if zh { "（草案）" } else { " (draft)" }
        } else {
            ""
        };
        let due = obligation.countdown.map_or_else(
            || (if zh { "儘速" } else { "without undue delay" }).to_owned(),
            |countdown| {
                format!(
                    "{} {}",
                    calendar::document_date_time(countdown.deadline, offset, zh),
                    format_span(countdown.remaining_secs, zh)
                )
            },
        );
        let authority = if zh { &obligation.authority_zh } else { &obligation.authority_en };
        writeln!(out, "  {:<22} {:<14} {authority}{draft}: {due}", obligation.id, applies)?;
    }
    Ok(())
}

/// The template of a notice: the user's file, else the shipped one.
fn load_template(args: &NoticeArgs, zh: bool) -> anyhow::Result<(String, Template)> {
    let kind = if args.public { NoticeKind::Public } else { NoticeKind::Individual };
    let (text, name) = match &args.template {
        Some(path) => (
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
            path.display().to_string(),
        ),
        None => (incidents::builtin_template(kind, zh).to_owned(), "builtin".to_owned()),
    };
    let template = Template::parse(&text, kind, zh, &name)?;
    Ok((text, template))
}

async fn notice_facts(
    service: &Service,
    incident: &Incident,
    shop: &Shop,
    zh: bool,
    offset: i32,
) -> anyhow::Result<NoticeFacts> {
    let scope = service.incident_scope(incident.id.0).await?;
    let summary = scope.map(|scope| scope.summary).unwrap_or_default();
    let measures = if incident.details.measures.trim().is_empty() {
        bail!(
            "write what the shop has done first: leakguard incident edit {} --measures \"...\"",
            incident.id
        );
    } else {
        incident.details.measures.clone()
    };
    let company = shop.company.clone().with_context(|| {
        "the notice needs the company name: --shop FILE with company = \"...\"".to_owned()
    })?;
    Ok(NoticeFacts {
        company,
        title: incident.title.clone(),
        discovered_at: incident.discovered_at,
        occurred_from: incident.occurred_from,
        occurred_to: incident.occurred_to,
        people: summary.people,
        fields: summary
            .people_per_field
            .keys()
            .map(|field| incident_scope::field_label(field, zh))
            .collect(),
        measures,
        contact_phone: shop.contact_phone.clone().unwrap_or_default(),
        contact_email: shop.contact_email.clone().unwrap_or_default(),
        contact_hours: shop.contact_hours.clone().unwrap_or_default(),
        contact_after_hours: shop.contact_after_hours.clone().unwrap_or_default(),
        notice_date: service_now(),
        utc_offset_secs: offset,
    })
}

async fn notice(
    command: NoticeCommand,
    service: &Service,
    config: &Config,
    language: Language,
    stdout: &mut impl Write,
) -> anyhow::Result<()> {
    let zh = language == Language::TraditionalChinese;
    let offset = config.utc_offset_secs;
    let review = if zh {
        "※ 本通知範本應由貴公司法律顧問審閱後始得發送。"
    } else {
        "Note: have this notice reviewed by your counsel before sending it."
    };
    match command {
        NoticeCommand::Template { .. } => {}
        NoticeCommand::Preview { notice, key_file, who } => {
            let incident = service.incident(notice.id).await?;
            let shop = load_shop(notice.shop.as_deref())?;
            let (_, template) = load_template(&notice, zh)?;
            let facts = notice_facts(service, &incident, &shop, zh, offset).await?;
            let person = match &key_file {
                Some(path) => {
                    let people = service
                        .scope_people(
                            notice.id,
                            &read_key(path)?,
                            &who.name(),
                            "notice preview (masked)",
                        )
                        .await?;
                    people.first().map(|person| PersonalFacts {
                        name: person.contact.name.as_deref().map(pii::mask),
                        fields: person
                            .fields
                            .iter()
                            .map(|field| incident_scope::field_label(field, zh))
                            .collect(),
                    })
                }
                None => None,
            };
            let person = person.unwrap_or(PersonalFacts {
                name: Some(if zh { "王○明" } else { "J*** Doe" }.to_owned()),
                fields: facts.fields.clone(),
            });
            let rendered = template.render(&facts, Some(&person));
            writeln!(stdout, "{review}\n\nSubject: {}\n\n{}", rendered.subject, rendered.body)?;
        }
        NoticeCommand::Approve { notice, approver } => {
            let (text, template) = load_template(&notice, zh)?;
            let approved = service
                .approve_notice(
                    notice.id,
                    template.kind(),
                    if zh { "zh-TW" } else { "en" },
                    &text,
                    &approver,
                )
                .await?;
            writeln!(
                stdout,
                "incident {}: {} notice ({}) approved by {approver}, template sha256 {}",
                notice.id, approved.kind, approved.language, approved.template_sha256
            )?;
        }
        NoticeCommand::Public { notice } => {
            let incident = service.incident(notice.id).await?;
            let shop = load_shop(notice.shop.as_deref())?;
            let args = NoticeArgs { public: true, ..notice };
            let (text, template) = load_template(&args, zh)?;
            require_approval(service, args.id, NoticeKind::Public, zh, &text).await?;
            let rendered =
                template.render(&notice_facts(service, &incident, &shop, zh, offset).await?, None);
            writeln!(stdout, "{}\n\n{}", rendered.subject, rendered.body)?;
        }
        NoticeCommand::Send { notice, key_file, channel, from, out, who, output } => {
            if !matches!(channel.as_str(), "email" | "sms") {
                bail!("--channel {channel:?}: use email or sms");
            }
            let actor = who.name();
            let incident = service.incident(notice.id).await?;
            let shop = load_shop(notice.shop.as_deref())?;
            let (text, template) = load_template(&notice, zh)?;
            if template.kind() != NoticeKind::Individual {
                bail!("the public notice is published, not sent: leakguard incident notice public");
            }
            let approval =
                require_approval(service, notice.id, NoticeKind::Individual, zh, &text).await?;
            let facts = notice_facts(service, &incident, &shop, zh, offset).await?;
            let people = service
                .scope_people(notice.id, &read_key(&key_file)?, &actor, "send notices")
                .await?;
            if let Some(dir) = &out {
                std::fs::create_dir(dir).with_context(|| {
                    format!("creating {} (it must not exist yet)", dir.display())
                })?;
            }
            let mut outgoing = Vec::new();
            let mut without_contact = 0;
            for (idx, person) in people.iter().enumerate() {
                let recipient = match channel.as_str() {
                    "sms" => person.contact.phone.clone(),
                    _ => person.contact.email.clone(),
                };
                let personal = PersonalFacts {
                    name: person.contact.name.clone(),
                    fields: person
                        .fields
                        .iter()
                        .map(|field| incident_scope::field_label(field, zh))
                        .collect(),
                };
                let rendered = template.render(&facts, Some(&personal));
                let Some(recipient) = recipient else {
                    without_contact += 1;
                    continue;
                };
                // The key names the incident, the approved text and the person, never the address.
                let key = format!(
                    "incident-{}-notice-{}-{}",
                    notice.id,
                    approval.id,
                    service::sha256_hex(
                        format!("{channel}:{}", recipient.to_lowercase()).as_bytes()
                    )
                    .get(..24)
                    .unwrap_or_default()
                );
                if let Some(dir) = &out {
                    std::fs::write(
                        dir.join(format!("notice-{:05}.txt", idx + 1)),
                        format!(
                            "To: {recipient}\nSubject: {}\n\n{}",
                            rendered.subject, rendered.body
                        ),
                    )?;
                }
                outgoing.push(OutgoingNotice {
                    message_id: notify::email::message_id_for(&key, &from),
                    key,
                    channel: channel.clone(),
                    recipient,
                    subject: rendered.subject,
                    body: rendered.body,
                    language: lang_tag(language).to_owned(),
                });
            }
            let (new, existing) =
                service.enqueue_incident_notices(notice.id, &outgoing, &actor).await?;
            if output == OutputFormat::Json {
                print_json(
                    "incident notice send",
                    serde_json::json!({
                        "incident": notice.id, "approval": approval.id, "enqueued": new, "already_queued": existing, "without_contact": without_contact,
                    }),
                )?;
            } else {
                writeln!(
                    stdout,
                    "incident {}: {new} {}, {existing} {}, {without_contact} {}",
                    notice.id,
                    if zh { "則通知已排入寄送佇列" } else { "notices enqueued" },
                    if zh { "則先前已排入" } else { "were queued before" },
                    if zh {
                        "人無聯絡方式（請以書面或公告通知）"
                    } else {
                        "people without a contact (send a letter or publish the public notice)"
                    }
                )?;
            }
        }
    }
    Ok(())
}

async fn require_approval(
    service: &Service,
    id: i64,
    kind: NoticeKind,
    zh: bool,
    text: &str,
) -> anyhow::Result<store::ApprovedNoticeRecord> {
    let hash = service::sha256_hex(text.as_bytes());
    let language = if zh { "zh-TW" } else { "en" };
    service
        .approved_notices(id)
        .await?
        .into_iter()
        .rev()
        .find(|approval| approval.kind == kind.as_str() && approval.language == language && approval.template_sha256 == hash)
        .with_context(|| format!(
            "this {} notice text ({language}) has not been approved; a responder approves it first: leakguard incident notice approve {id} --by NAME{}",
            kind.as_str(),
            if kind == NoticeKind::Public { " --public" } else { "" }
        ))
}
