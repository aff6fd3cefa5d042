//! Breach incidents: the incident rows, their timeline, the checklist tasks
//! done, evidence with its chain of custody, scopes (the contact list only
//! as ciphertext) and approved notices.
//!
//! Deadlines are not stored: `incidents` computes them from these
//! timestamps. Kinds, statuses and details are plain text (JSON for the
//! details and the scope summary) whose meaning is `incidents`'.

use model::Timestamp;

use crate::Result;
use crate::store::{Store, on_pool};

/// An incident as stored (without its id: to insert).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncidentRecord {
    /// Title.
    pub title: String,
    /// `theft`, `leak`, `alteration`, `damage`, `loss`, `other`.
    pub kind: String,
    /// `alert`, `customer_complaint`, `police`, `other`.
    pub source: String,
    /// The alert id, complaint or case number.
    pub source_ref: Option<String>,
    /// `low`, `medium`, `high`, `critical`.
    pub severity: String,
    /// `open`, `investigating`, `contained`, `notifying`, `closed`.
    pub status: String,
    /// The responder in charge.
    pub owner: String,
    /// When the shop learned of it.
    pub discovered_at: Timestamp,
    /// When it began.
    pub occurred_from: Option<Timestamp>,
    /// When it ended.
    pub occurred_to: Option<Timestamp>,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// Jurisdiction ids, comma-separated.
    pub jurisdictions: String,
    /// The responders' findings, JSON.
    pub details: String,
}

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    /// Its id.
    pub id: i64,
    /// The rest.
    pub new: NewIncidentRecord,
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRecord {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub actor: String,
    /// What kind of action.
    pub action: String,
    /// What, in words.
    pub detail: String,
}

/// A checklist task marked done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    /// The task's name.
    pub task: String,
    /// When.
    pub done_at: Timestamp,
    /// By whom.
    pub done_by: String,
    /// What was done.
    pub note: String,
}

/// A piece of evidence (to insert).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidenceRecord {
    /// The incident.
    pub incident_id: i64,
    /// A file name for the bundle.
    pub name: String,
    /// `file`, `log_extract`, `alert`.
    pub kind: String,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// The content.
    pub content: Vec<u8>,
    /// Where it came from (a path, an alert id).
    pub origin: String,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: Timestamp,
    /// Why it matters.
    pub note: String,
}

/// A stored piece of evidence, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRecord {
    /// Its id.
    pub id: i64,
    /// The incident.
    pub incident_id: i64,
    /// File name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// Where it came from.
    pub origin: String,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: Timestamp,
    /// Why it matters.
    pub note: String,
}

/// One chain-of-custody entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyRecord {
    /// The evidence.
    pub evidence_id: i64,
    /// When.
    pub at: Timestamp,
    /// Who.
    pub actor: String,
    /// `added`, `exported`, `verified`...
    pub action: String,
    /// Details.
    pub detail: String,
}

/// A computed scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRecord {
    /// The incident.
    pub incident_id: i64,
    /// When it was computed.
    pub computed_at: Timestamp,
    /// By whom.
    pub computed_by: String,
    /// What it was computed from (file names, a database without password).
    pub source: String,
    /// The counts, JSON.
    pub summary: String,
    /// The contact list, encrypted (nonce and ciphertext).
    pub contacts: Vec<u8>,
    /// Which key encrypted it (a fingerprint, never the key).
    pub key_id: String,
}

/// A notice template approved for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedNoticeRecord {
    /// Its id.
    pub id: i64,
    /// The incident.
    pub incident_id: i64,
    /// `individual` or `public`.
    pub kind: String,
    /// `en` or `zh-TW`.
    pub language: String,
    /// The template text approved.
    pub template: String,
    /// Its SHA-256, hex.
    pub template_sha256: String,
    /// The responder who approved it.
    pub approved_by: String,
    /// When.
    pub approved_at: Timestamp,
}

type IncidentRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    String,
    String,
);

const INCIDENT_COLUMNS: &str = "id, title, kind, source, source_ref, severity, status, owner, \
     discovered_at, occurred_from, occurred_to, created_at, jurisdictions, details";

fn incident_from_row(row: IncidentRow) -> IncidentRecord {
    let (
        id,
        title,
        kind,
        source,
        source_ref,
        severity,
        status,
        owner,
        discovered_at,
        occurred_from,
        occurred_to,
        created_at,
        jurisdictions,
        details,
    ) = row;
    IncidentRecord {
        id,
        new: NewIncidentRecord {
            title,
            kind,
            source,
            source_ref,
            severity,
            status,
            owner,
            discovered_at: Timestamp::from_unix_micros(discovered_at),
            occurred_from: occurred_from.map(Timestamp::from_unix_micros),
            occurred_to: occurred_to.map(Timestamp::from_unix_micros),
            created_at: Timestamp::from_unix_micros(created_at),
            jurisdictions,
            details,
        },
    }
}

type EvidenceRow = (i64, i64, String, String, String, i64, String, String, i64, String);

const EVIDENCE_COLUMNS: &str =
    "id, incident_id, name, kind, sha256, size, origin, added_by, added_at, note";

fn evidence_from_row(row: EvidenceRow) -> EvidenceRecord {
    let (id, incident_id, name, kind, sha256, size, origin, added_by, added_at, note) = row;
    EvidenceRecord {
        id,
        incident_id,
        name,
        kind,
        sha256,
        size,
        origin,
        added_by,
        added_at: Timestamp::from_unix_micros(added_at),
        note,
    }
}

type ScopeRow = (i64, i64, String, String, String, Vec<u8>, String);

type NoticeRow = (i64, i64, String, String, String, String, String, i64);

const TIMELINE_INSERT: &str =
    "INSERT INTO incident_timeline (incident_id, at, actor, action, detail)
     VALUES ($1, $2, $3, $4, $5)";

impl Store {
    /// Inserts an incident with the first entry of its timeline; returns its id.
    pub async fn insert_incident(
        &self,
        incident: &NewIncidentRecord,
        entry: &TimelineRecord,
    ) -> Result<i64> {
        let sql = "INSERT INTO incidents (title, kind, source, source_ref, severity, status, owner,
                 discovered_at, occurred_from, occurred_to, created_at, jurisdictions, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(sql)
                .bind(&incident.title)
                .bind(&incident.kind)
                .bind(&incident.source)
                .bind(&incident.source_ref)
                .bind(&incident.severity)
                .bind(&incident.status)
                .bind(&incident.owner)
                .bind(incident.discovered_at.as_unix_micros())
                .bind(incident.occurred_from.map(Timestamp::as_unix_micros))
                .bind(incident.occurred_to.map(Timestamp::as_unix_micros))
                .bind(incident.created_at.as_unix_micros())
                .bind(&incident.jurisdictions)
                .bind(&incident.details)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(TIMELINE_INSERT)
                .bind(id)
                .bind(entry.at.as_unix_micros())
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.detail)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// One incident.
    pub async fn incident(&self, id: i64) -> Result<Option<IncidentRecord>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1");
        let row: Option<IncidentRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(incident_from_row))
    }

    /// Every incident, newest first.
    pub async fn incidents(&self) -> Result<Vec<IncidentRecord>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents ORDER BY id DESC");
        let rows: Vec<IncidentRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await?);
        Ok(rows.into_iter().map(incident_from_row).collect())
    }

    /// Changes an incident's status from `from` to `to`, with a timeline
    /// entry; false (nothing written) when its status is no longer `from`
    /// (someone else moved it first).
    pub async fn set_incident_status(
        &self,
        id: i64,
        from: &str,
        to: &str,
        entry: &TimelineRecord,
    ) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed =
                sqlx::query("UPDATE incidents SET status = $1 WHERE id = $2 AND status = $3")
                    .bind(to)
                    .bind(id)
                    .bind(from)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if changed > 0 {
                sqlx::query(TIMELINE_INSERT)
                    .bind(id)
                    .bind(entry.at.as_unix_micros())
                    .bind(&entry.actor)
                    .bind(&entry.action)
                    .bind(&entry.detail)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            changed > 0
        });
        Ok(done)
    }

    /// Replaces an incident's editable fields (title, kind, severity, owner,
    /// times, jurisdictions, details), with a timeline entry.
    pub async fn update_incident(
        &self,
        id: i64,
        incident: &NewIncidentRecord,
        entry: &TimelineRecord,
    ) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE incidents SET title = $1, kind = $2, severity = $3, owner = $4,
                     occurred_from = $5, occurred_to = $6, jurisdictions = $7, details = $8
                 WHERE id = $9",
            )
            .bind(&incident.title)
            .bind(&incident.kind)
            .bind(&incident.severity)
            .bind(&incident.owner)
            .bind(incident.occurred_from.map(Timestamp::as_unix_micros))
            .bind(incident.occurred_to.map(Timestamp::as_unix_micros))
            .bind(&incident.jurisdictions)
            .bind(&incident.details)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed > 0 {
                sqlx::query(TIMELINE_INSERT)
                    .bind(id)
                    .bind(entry.at.as_unix_micros())
                    .bind(&entry.actor)
                    .bind(&entry.action)
                    .bind(&entry.detail)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            changed > 0
        });
        Ok(done)
    }

    /// Adds a timeline entry.
    pub async fn add_timeline(&self, incident_id: i64, entry: &TimelineRecord) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(TIMELINE_INSERT)
                .bind(incident_id)
                .bind(entry.at.as_unix_micros())
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.detail)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// An incident's timeline, oldest first.
    pub async fn timeline(&self, incident_id: i64) -> Result<Vec<TimelineRecord>> {
        let rows: Vec<(i64, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT at, actor, action, detail FROM incident_timeline
                 WHERE incident_id = $1 ORDER BY id",
            )
            .bind(incident_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(at, actor, action, detail)| TimelineRecord {
                at: Timestamp::from_unix_micros(at),
                actor,
                action,
                detail,
            })
            .collect())
    }

    /// Marks a checklist task done, with a timeline entry.
    pub async fn add_task_done(
        &self,
        incident_id: i64,
        task: &TaskRecord,
        entry: &TimelineRecord,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO incident_tasks (incident_id, task, done_at, done_by, note)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(incident_id)
            .bind(&task.task)
            .bind(task.done_at.as_unix_micros())
            .bind(&task.done_by)
            .bind(&task.note)
            .execute(&mut *tx)
            .await?;
            sqlx::query(TIMELINE_INSERT)
                .bind(incident_id)
                .bind(entry.at.as_unix_micros())
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.detail)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The tasks marked done, oldest first.
    pub async fn tasks_done(&self, incident_id: i64) -> Result<Vec<TaskRecord>> {
        let rows: Vec<(String, i64, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT task, done_at, done_by, note FROM incident_tasks
                 WHERE incident_id = $1 ORDER BY id",
            )
            .bind(incident_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(task, done_at, done_by, note)| TaskRecord {
                task,
                done_at: Timestamp::from_unix_micros(done_at),
                done_by,
                note,
            })
            .collect())
    }

    /// Stores a piece of evidence with its first custody entry (`added`) and a
    /// timeline entry; returns its id.
    pub async fn add_evidence(
        &self,
        evidence: &NewEvidenceRecord,
        entry: &TimelineRecord,
    ) -> Result<i64> {
        let size = i64::try_from(evidence.content.len()).unwrap_or(i64::MAX);
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO incident_evidence
                     (incident_id, name, kind, sha256, size, content, origin, added_by, added_at, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(evidence.incident_id)
            .bind(&evidence.name)
            .bind(&evidence.kind)
            .bind(&evidence.sha256)
            .bind(size)
            .bind(&evidence.content)
            .bind(&evidence.origin)
            .bind(&evidence.added_by)
            .bind(evidence.added_at.as_unix_micros())
            .bind(&evidence.note)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO incident_custody (evidence_id, incident_id, at, actor, action, detail)
                 VALUES ($1, $2, $3, $4, 'added', $5)",
            )
            .bind(id)
            .bind(evidence.incident_id)
            .bind(evidence.added_at.as_unix_micros())
            .bind(&evidence.added_by)
            .bind(format!("sha256 {} from {}", evidence.sha256, evidence.origin))
            .execute(&mut *tx)
            .await?;
            sqlx::query(TIMELINE_INSERT)
                .bind(evidence.incident_id)
                .bind(entry.at.as_unix_micros())
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.detail)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// An incident's evidence (without contents), in the order added.
    pub async fn evidence(&self, incident_id: i64) -> Result<Vec<EvidenceRecord>> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM incident_evidence WHERE incident_id = $1 ORDER BY id"
        );
        let rows: Vec<EvidenceRow> = on_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(incident_id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(evidence_from_row).collect())
    }

    /// A piece of evidence's content.
    pub async fn evidence_content(&self, evidence_id: i64) -> Result<Option<Vec<u8>>> {
        let content: Option<Vec<u8>> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT content FROM incident_evidence WHERE id = $1")
                .bind(evidence_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(content)
    }

    /// Adds a chain-of-custody entry.
    pub async fn add_custody(&self, incident_id: i64, custody: &CustodyRecord) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO incident_custody (evidence_id, incident_id, at, actor, action, detail)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(custody.evidence_id)
            .bind(incident_id)
            .bind(custody.at.as_unix_micros())
            .bind(&custody.actor)
            .bind(&custody.action)
            .bind(&custody.detail)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// An incident's chain of custody, oldest first.
    pub async fn custody(&self, incident_id: i64) -> Result<Vec<CustodyRecord>> {
        let rows: Vec<(i64, i64, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT evidence_id, at, actor, action, detail FROM incident_custody
                 WHERE incident_id = $1 ORDER BY id",
            )
            .bind(incident_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(evidence_id, at, actor, action, detail)| CustodyRecord {
                evidence_id,
                at: Timestamp::from_unix_micros(at),
                actor,
                action,
                detail,
            })
            .collect())
    }

    /// Stores a computed scope with a timeline entry (the latest one counts).
    pub async fn save_scope(&self, scope: &ScopeRecord, entry: &TimelineRecord) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO incident_scopes
                     (incident_id, computed_at, computed_by, source, summary, contacts, key_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(scope.incident_id)
            .bind(scope.computed_at.as_unix_micros())
            .bind(&scope.computed_by)
            .bind(&scope.source)
            .bind(&scope.summary)
            .bind(&scope.contacts)
            .bind(&scope.key_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(TIMELINE_INSERT)
                .bind(scope.incident_id)
                .bind(entry.at.as_unix_micros())
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.detail)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The latest scope of an incident.
    pub async fn latest_scope(&self, incident_id: i64) -> Result<Option<ScopeRecord>> {
        let row: Option<ScopeRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT incident_id, computed_at, computed_by, source, summary, contacts, key_id
                     FROM incident_scopes WHERE incident_id = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(incident_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(incident_id, computed_at, computed_by, source, summary, contacts, key_id)| {
            ScopeRecord {
                incident_id,
                computed_at: Timestamp::from_unix_micros(computed_at),
                computed_by,
                source,
                summary,
                contacts,
                key_id,
            }
        }))
    }

    /// Records a notice template approved by a responder, with a timeline
    /// entry; returns its id.
    pub async fn approve_notice(
        &self,
        notice: &ApprovedNoticeRecord,
        entry: &TimelineRecord,
    ) -> Result<i64> {
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO incident_notices
                     (incident_id, kind, language, template, template_sha256, approved_by, approved_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(notice.incident_id)
            .bind(&notice.kind)
            .bind(&notice.language)
            .bind(&notice.template)
            .bind(&notice.template_sha256)
            .bind(&notice.approved_by)
            .bind(notice.approved_at.as_unix_micros())
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(TIMELINE_INSERT)
                .bind(notice.incident_id)
                .bind(entry.at.as_unix_micros())
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.detail)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The approved notices of an incident, oldest first.
    pub async fn notices(&self, incident_id: i64) -> Result<Vec<ApprovedNoticeRecord>> {
        let rows: Vec<NoticeRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, incident_id, kind, language, template, template_sha256, approved_by,
                         approved_at
                     FROM incident_notices WHERE incident_id = $1 ORDER BY id",
            )
            .bind(incident_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, incident_id, kind, language, template, template_sha256, approved_by, at)| {
                ApprovedNoticeRecord {
                    id,
                    incident_id,
                    kind,
                    language,
                    template,
                    template_sha256,
                    approved_by,
                    approved_at: Timestamp::from_unix_micros(at),
                }
            })
            .collect())
    }
}
