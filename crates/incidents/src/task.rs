//! The checklist: the tasks the law and good practice ask for, each with a
//! deadline computed from the incident's stored timestamps (never stored),
//! and the countdown to it.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use model::Timestamp;
use serde::{Deserialize, Serialize};

use crate::incident::Incident;
use crate::jurisdiction::{Anchor, Applicability, Facts, Jurisdictions, LawStatus, Obligation};
use crate::{Error, Result};

/// A checklist task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Stop the leak (block the address, close the hole, rotate credentials).
    Contain,
    /// Keep logs, copies and hashes before anything is changed.
    PreserveEvidence,
    /// Find who is affected and which data.
    Scope,
    /// Report to the authorities.
    NotifyRegulator,
    /// Notify the people affected.
    NotifyPeople,
    /// Warn the people of scam calls quoting their orders.
    WarnScamCalls,
    /// Fix the cause.
    FixCause,
    /// Review the handling and the security plan.
    Review,
}

impl TaskKind {
    /// Every task, in checklist order.
    pub const ALL: [TaskKind; 8] = [
        TaskKind::Contain,
        TaskKind::PreserveEvidence,
        TaskKind::Scope,
        TaskKind::NotifyRegulator,
        TaskKind::NotifyPeople,
        TaskKind::WarnScamCalls,
        TaskKind::FixCause,
        TaskKind::Review,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Contain => "contain",
            TaskKind::PreserveEvidence => "preserve_evidence",
            TaskKind::Scope => "scope",
            TaskKind::NotifyRegulator => "notify_regulator",
            TaskKind::NotifyPeople => "notify_people",
            TaskKind::WarnScamCalls => "warn_scam_calls",
            TaskKind::FixCause => "fix_cause",
            TaskKind::Review => "review",
        }
    }

    /// What to do, in a language.
    pub fn label(self, zh_tw: bool) -> &'static str {
        match (self, zh_tw) {
            (TaskKind::Contain, false) => "Contain: stop the leak",
            (TaskKind::Contain, true) => "控制：阻止外洩持續",
            (TaskKind::PreserveEvidence, false) => "Preserve evidence (logs, copies, hashes)",
            (TaskKind::PreserveEvidence, true) => "保全證據（日誌、備份、雜湊值）",
            (TaskKind::Scope, false) => "Scope: who is affected, which data",
            (TaskKind::Scope, true) => "界定範圍：受影響之當事人及資料",
            (TaskKind::NotifyRegulator, false) => "Report to the authorities",
            (TaskKind::NotifyRegulator, true) => "通報主管機關",
            (TaskKind::NotifyPeople, false) => "Notify the people affected",
            (TaskKind::NotifyPeople, true) => "通知當事人",
            (TaskKind::WarnScamCalls, false) => "Warn about scam calls (165)",
            (TaskKind::WarnScamCalls, true) => "提醒防範詐騙電話（165）",
            (TaskKind::FixCause, false) => "Fix the cause",
            (TaskKind::FixCause, true) => "修補事故原因",
            (TaskKind::Review, false) => "Review the handling",
            (TaskKind::Review, true) => "檢討改善",
        }
    }
}

impl FromStr for TaskKind {
    type Err = Error;
    fn from_str(text: &str) -> Result<TaskKind> {
        let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
        TaskKind::ALL.into_iter().find(|task| task.as_str() == wanted).ok_or_else(|| {
            Error::UnknownValue {
                what: "task",
                value: text.to_owned(),
                known: TaskKind::ALL.map(TaskKind::as_str).join(", "),
            }
        })
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A task marked done: by whom and when (stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskDone {
    /// The task.
    pub task: TaskKind,
    /// When it was done.
    pub at: Timestamp,
    /// By whom.
    pub by: String,
    /// A note (what was done).
    pub note: String,
}

/// Time left to a deadline, or how late it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Countdown {
    /// The deadline.
    pub deadline: Timestamp,
    /// Seconds from now to the deadline (negative: past).
    pub remaining_secs: i64,
    /// Past the deadline and not done.
    pub is_overdue: bool,
    /// Done after the deadline.
    pub is_late: bool,
}

impl Countdown {
    /// The countdown at `now` for a deadline, given when the task was done.
    pub fn at(deadline: Timestamp, now: Timestamp, done_at: Option<Timestamp>) -> Countdown {
        let remaining_secs = deadline.as_unix_secs() - now.as_unix_secs();
        Countdown {
            deadline,
            remaining_secs,
            is_overdue: done_at.is_none() && now > deadline,
            is_late: done_at.is_some_and(|done| done > deadline),
        }
    }
}

/// `2d 5h`, `3h 20m`, `45m`: a span of seconds, short.
pub fn format_span(secs: i64, zh_tw: bool) -> String {
    let abs = secs.unsigned_abs();
    let (days, hours, minutes) = (abs / 86_400, abs / 3600 % 24, abs / 60 % 60);
    let text = match (zh_tw, days, hours) {
        (false, 1.., _) => format!("{days}d {hours}h"),
        (false, 0, 1..) => format!("{hours}h {minutes}m"),
        (false, 0, 0) => format!("{minutes}m"),
        (true, 1.., _) => format!("{days}天{hours}小時"),
        (true, 0, 1..) => format!("{hours}小時{minutes}分"),
        (true, 0, 0) => format!("{minutes}分"),
    };
    match (secs < 0, zh_tw) {
        (false, false) => format!("{text} left"),
        (false, true) => format!("剩餘{text}"),
        (true, false) => format!("{text} overdue"),
        (true, true) => format!("逾期{text}"),
    }
}

/// One obligation as it stands for an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObligationStatus {
    /// The obligation.
    pub id: String,
    /// Its jurisdiction.
    pub jurisdiction: String,
    /// Its task.
    pub task: TaskKind,
    /// Who is told (English).
    pub authority_en: String,
    /// Who is told (zh-TW).
    pub authority_zh: String,
    /// The legal source.
    pub law: String,
    /// In force or draft.
    pub law_status: LawStatus,
    /// Whether it applies on the facts known.
    pub applicability: Applicability,
    /// The deadline; `None`: without undue delay.
    pub countdown: Option<Countdown>,
    /// A note (English).
    pub note_en: String,
    /// A note (zh-TW).
    pub note_zh: String,
}

/// One checklist task as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskStatus {
    /// The task.
    pub task: TaskKind,
    /// The earliest deadline of the obligations that apply (or may), else
    /// the good-practice target.
    pub countdown: Option<Countdown>,
    /// Where the deadline comes from: an obligation id or `practice`.
    pub basis: String,
    /// Done, by whom, when.
    pub done: Option<TaskDone>,
}

/// The whole checklist of an incident at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// When it was computed.
    pub now: Timestamp,
    /// The tasks in order.
    pub tasks: Vec<TaskStatus>,
    /// Every obligation of the incident's jurisdictions.
    pub obligations: Vec<ObligationStatus>,
}

impl Checklist {
    /// A task's status.
    pub fn task(&self, task: TaskKind) -> Option<&TaskStatus> {
        self.tasks.iter().find(|status| status.task == task)
    }

    /// An obligation's status.
    pub fn obligation(&self, id: &str) -> Option<&ObligationStatus> {
        self.obligations.iter().find(|status| status.id == id)
    }
}

fn hours(anchor: Timestamp, hours: i64) -> Timestamp {
    anchor.add_secs(hours.saturating_mul(3600))
}

/// Computes the checklist of an incident at `now` from its stored facts:
/// the discovery time, the tasks done, and what the scope found.
pub fn checklist(
    incident: &Incident,
    done: &[TaskDone],
    facts: &Facts,
    table: &Jurisdictions,
    now: Timestamp,
) -> Checklist {
    let done_of = |task: TaskKind| done.iter().rfind(|entry| entry.task == task).cloned();
    let malicious = facts.malicious || incident.is_malicious();
    let facts = Facts { malicious, ..*facts };

    // Deadlines of the obligations, resolving `after:` anchors within a jurisdiction.
    let mut deadlines: BTreeMap<String, Option<Timestamp>> = BTreeMap::new();
    let mut obligations: Vec<ObligationStatus> = Vec::new();
    for id in &incident.jurisdictions {
        let Some(jurisdiction) = table.get(id) else { continue };
        for obligation in &jurisdiction.obligations {
            let deadline =
                obligation_deadline(obligation, incident, table, &deadlines, &done_of, malicious);
            deadlines.insert(obligation.id.clone(), deadline);
            let task_done = done_of(obligation.task);
            obligations.push(ObligationStatus {
                id: obligation.id.clone(),
                jurisdiction: obligation.jurisdiction.clone(),
                task: obligation.task,
                authority_en: obligation.authority_en.clone(),
                authority_zh: obligation.authority_zh.clone(),
                law: obligation.law.clone(),
                law_status: obligation.status,
                applicability: obligation.applicability(&facts),
                countdown: deadline
                    .map(|deadline| Countdown::at(deadline, now, task_done.as_ref().map(|d| d.at))),
                note_en: obligation.note_en.clone(),
                note_zh: obligation.note_zh.clone(),
            });
        }
    }

    let practice = &table.practice;
    let mut tasks = Vec::new();
    for task in TaskKind::ALL {
        let task_done = done_of(task);
        let done_at = task_done.as_ref().map(|entry| entry.at);
        let statutory = obligations
            .iter()
            .filter(|status| {
                status.task == task && status.applicability != Applicability::NotApplicable
            })
            .filter_map(|status| status.countdown.map(|countdown| (countdown.deadline, &status.id)))
            .min();
        let practice_hours = match task {
            TaskKind::Contain => Some(practice.contain),
            TaskKind::PreserveEvidence => Some(practice.preserve_evidence),
            TaskKind::Scope => Some(practice.scope),
            TaskKind::WarnScamCalls => Some(practice.warn_scam_calls),
            TaskKind::FixCause => Some(practice.fix_cause),
            TaskKind::Review => Some(practice.review),
            TaskKind::NotifyRegulator | TaskKind::NotifyPeople => None,
        };
        let (deadline, basis) = match (statutory, practice_hours) {
            (Some((deadline, id)), _) => (Some(deadline), id.clone()),
            (None, Some(practice_hours)) => {
                (Some(hours(incident.discovered_at, practice_hours)), "practice".to_owned())
            }
            (None, None) => (None, "without undue delay".to_owned()),
        };
        tasks.push(TaskStatus {
            task,
            countdown: deadline.map(|deadline| Countdown::at(deadline, now, done_at)),
            basis,
            done: task_done,
        });
    }
    Checklist { now, tasks, obligations }
}

fn obligation_deadline(
    obligation: &Obligation,
    incident: &Incident,
    table: &Jurisdictions,
    earlier: &BTreeMap<String, Option<Timestamp>>,
    done_of: &dyn Fn(TaskKind) -> Option<TaskDone>,
    malicious: bool,
) -> Option<Timestamp> {
    let clock = obligation.hours_for(malicious)?;
    let anchor = match &obligation.anchor {
        Anchor::Discovered => incident.discovered_at,
        Anchor::After(previous) => {
            // The earlier obligation's task done is when its clock ends; else its deadline.
            let previous_task = earlier.get(previous).copied().flatten();
            let previous_kind = table
                .jurisdictions
                .iter()
                .flat_map(|jurisdiction| jurisdiction.obligations.iter())
                .find(|other| &other.id == previous)
                .map(|other| other.task);
            match previous_kind.and_then(done_of) {
                Some(done) => done.at,
                None => previous_task?,
            }
        }
    };
    Some(hours(anchor, clock))
}

/// Whether the authority was told within 72 hours of discovery (the form's
/// last question): `None` while not yet reported and not yet late.
pub fn reported_within_72h(
    discovered_at: Timestamp,
    reported_at: Option<Timestamp>,
    now: Timestamp,
) -> Option<bool> {
    let deadline = hours(discovered_at, 72);
    match reported_at {
        Some(at) => Some(at <= deadline),
        None if now > deadline => Some(false),
        None => None,
    }
}
