//! Breach incidents as use cases: create and move them through their
//! statuses, mark checklist tasks done, keep evidence with its SHA-256 and
//! chain of custody, store the scope with the contact list encrypted, and
//! record approved notices. Every action lands on the incident's timeline;
//! every view of the contact list also lands in the audit trail.
//!
//! The contact list is sealed with ChaCha20-Poly1305 (ring's AEAD, already
//! compiled for rustls: no new crate) under a 256-bit key the caller loads
//! from a key file; the incident id is the associated data, so a list cannot
//! be moved to another incident. Only a fingerprint of the key is stored.

use incidents::{
    AffectedPerson, Checklist, Details, Facts, Incident, IncidentId, IncidentKind, Jurisdictions,
    Scope, ScopeSummary, Severity, Source, Status, TaskDone, TaskKind, TimelineEntry,
};
use model::Timestamp;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use store::{
    ApprovedNoticeRecord, CustodyRecord, EvidenceRecord, IncidentRecord, NewAuditEntry,
    NewEvidenceRecord, NewIncidentRecord, ScopeRecord, TaskRecord, TimelineRecord,
};

use crate::Service;

/// What can go wrong with an incident.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// No incident with that id (a user error).
    #[error("no incident {0}; `leakguard incident list` shows them")]
    NotFound(i64),
    /// A value or a move the incident rules refuse (a user error).
    #[error(transparent)]
    Invalid(#[from] incidents::Error),
    /// Another responder changed the status first (a user error: look again).
    #[error("incident {id} is no longer {expected}: someone changed it; look at it again")]
    StatusChanged {
        /// The incident.
        id: i64,
        /// The status it was expected to have.
        expected: Status,
    },
    /// Evidence too large to keep in the store (a user error).
    #[error(
        "evidence {name} is {size} bytes; the limit is {limit} bytes (keep a hash of larger files and add an extract)"
    )]
    EvidenceTooLarge {
        /// Its name.
        name: String,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The contact key is not 32 bytes (a user error).
    #[error("the contact key must be 32 bytes (64 hex digits); it has {0} bytes")]
    BadKey(usize),
    /// The stored contact list was sealed with another key (a user error).
    #[error(
        "the contact list of incident {id} was sealed with key {stored}, not with this key ({given})"
    )]
    WrongKey {
        /// The incident.
        id: i64,
        /// The stored key's fingerprint.
        stored: String,
        /// The given key's fingerprint.
        given: String,
    },
    /// The contact list does not decrypt or parse: tampering or corruption (internal).
    #[error("the contact list of incident {0} does not decrypt: it was altered or is corrupt")]
    Sealed(i64),
    /// A stored row that does not parse (internal).
    #[error("stored incident {id} is corrupt: {detail}")]
    Corrupt {
        /// The incident.
        id: i64,
        /// What does not parse.
        detail: String,
    },
    /// The store failed (internal).
    #[error(transparent)]
    Store(#[from] store::Error),
}

type Result<T, E = IncidentError> = std::result::Result<T, E>;

/// The largest piece of evidence kept in the store (64 MiB).
pub const MAX_EVIDENCE_BYTES: usize = 64 << 20;

/// A new incident, as a responder describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    /// Title.
    pub title: String,
    /// Type of breach.
    pub kind: IncidentKind,
    /// How the shop learned of it.
    pub source: Source,
    /// The alert id, complaint or case number.
    pub source_ref: Option<String>,
    /// How bad.
    pub severity: Severity,
    /// Who is in charge.
    pub owner: String,
    /// When the shop learned of it (defaults to now).
    pub discovered_at: Option<Timestamp>,
    /// When it began.
    pub occurred_from: Option<Timestamp>,
    /// When it ended.
    pub occurred_to: Option<Timestamp>,
    /// Jurisdiction ids (`tw` when empty).
    pub jurisdictions: Vec<String>,
    /// Findings so far.
    pub details: Details,
}

/// The 256-bit key that seals contact lists. `Debug` shows only its fingerprint.
#[derive(Clone)]
pub struct ContactKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for ContactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactKey").field("fingerprint", &self.fingerprint()).finish()
    }
}

impl ContactKey {
    /// From the text of a key file: 64 hex digits (whitespace ignored).
    pub fn from_hex(text: &str) -> Result<ContactKey> {
        let digits: Vec<u8> = text.bytes().filter(|byte| !byte.is_ascii_whitespace()).collect();
        let mut bytes = Vec::with_capacity(32);
        for pair in digits.chunks(2) {
            let text = std::str::from_utf8(pair).unwrap_or("");
            match u8::from_str_radix(text, 16) {
                Ok(byte) if pair.len() == 2 => bytes.push(byte),
                _ => return Err(IncidentError::BadKey(digits.len() / 2)),
            }
        }
        let bytes: [u8; 32] =
            bytes.as_slice().try_into().map_err(|_| IncidentError::BadKey(bytes.len()))?;
        Ok(ContactKey { bytes })
    }

    /// A new random key, as 64 hex digits for a key file.
    pub fn generate_hex() -> Result<String> {
        let mut bytes = [0_u8; 32];
        SystemRandom::new().fill(&mut bytes).map_err(|_| IncidentError::Sealed(0))?;
        Ok(hex(&bytes))
    }

    /// The first 8 bytes of the key's SHA-256, hex: what the store keeps.
    pub fn fingerprint(&self) -> String {
        hex(&Sha256::digest(self.bytes)[..8])
    }

    fn aead(&self) -> LessSafeKey {
        LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &self.bytes)
                .expect("a 32-byte key is valid for ChaCha20-Poly1305"),
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

const SEAL_VERSION: u8 = 1;

fn aad(incident_id: i64) -> Vec<u8> {
    format!("leakguard incident {incident_id} contacts v{SEAL_VERSION}").into_bytes()
}

/// Seals a plaintext: version byte, random nonce, ciphertext and tag.
fn seal(key: &ContactKey, incident_id: i64, plaintext: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0_u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).map_err(|_| IncidentError::Sealed(incident_id))?;
    let mut in_out = plaintext.to_vec();
    key.aead()
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(incident_id)),
            &mut in_out,
        )
        .map_err(|_| IncidentError::Sealed(incident_id))?;
    let mut sealed = Vec::with_capacity(1 + NONCE_LEN + in_out.len());
    sealed.push(SEAL_VERSION);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&in_out);
    Ok(sealed)
}

fn open(key: &ContactKey, incident_id: i64, sealed: &[u8]) -> Result<Vec<u8>> {
    let fail = || IncidentError::Sealed(incident_id);
    let (&version, rest) = sealed.split_first().ok_or_else(fail)?;
    if version != SEAL_VERSION || rest.len() < NONCE_LEN {
        return Err(fail());
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| fail())?;
    let mut in_out = ciphertext.to_vec();
    let plain = key
        .aead()
        .open_in_place(nonce, Aad::from(aad(incident_id)), &mut in_out)
        .map_err(|_| fail())?;
    Ok(plain.to_vec())
}

fn to_record(incident: &Incident) -> Result<NewIncidentRecord> {
    Ok(NewIncidentRecord {
        title: incident.title.clone(),
        kind: incident.kind.as_str().to_owned(),
        source: incident.source.as_str().to_owned(),
        source_ref: incident.source_ref.clone(),
        severity: incident.severity.as_str().to_owned(),
        status: incident.status.as_str().to_owned(),
        owner: incident.owner.clone(),
        discovered_at: incident.discovered_at,
        occurred_from: incident.occurred_from,
        occurred_to: incident.occurred_to,
        created_at: incident.created_at,
        jurisdictions: incident.jurisdictions.join(","),
        details: serde_json::to_string(&incident.details).map_err(|error| {
            IncidentError::Corrupt { id: incident.id.0, detail: error.to_string() }
        })?,
    })
}

fn from_record(record: IncidentRecord) -> Result<Incident> {
    let id = record.id;
    let corrupt = |detail: String| IncidentError::Corrupt { id, detail };
    let new = record.new;
    Ok(Incident {
        id: IncidentId(id),
        title: new.title,
        kind: new.kind.parse().map_err(|error: incidents::Error| corrupt(error.to_string()))?,
        source: new.source.parse().map_err(|error: incidents::Error| corrupt(error.to_string()))?,
        source_ref: new.source_ref,
        severity: new
            .severity
            .parse()
            .map_err(|error: incidents::Error| corrupt(error.to_string()))?,
        status: new.status.parse().map_err(|error: incidents::Error| corrupt(error.to_string()))?,
        owner: new.owner,
        discovered_at: new.discovered_at,
        occurred_from: new.occurred_from,
        occurred_to: new.occurred_to,
        created_at: new.created_at,
        jurisdictions: new
            .jurisdictions
            .split(',')
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect(),
        details: serde_json::from_str(&new.details)
            .map_err(|error| corrupt(format!("details: {error}")))?,
    })
}

fn entry(at: Timestamp, actor: &str, action: &str, detail: String) -> TimelineRecord {
    TimelineRecord { at, actor: actor.to_owned(), action: action.to_owned(), detail }
}

/// A rendered notice for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingNotice {
    /// The idempotency key (the same key is never enqueued twice).
    pub key: String,
    /// `email` or `sms`.
    pub channel: String,
    /// The address or number.
    pub recipient: String,
    /// The subject.
    pub subject: String,
    /// The text.
    pub body: String,
    /// `en` or `zh-TW`.
    pub language: String,
    /// The deterministic message id.
    pub message_id: String,
}

/// What a computed scope says, without the contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredScope {
    /// When it was computed.
    pub computed_at: Timestamp,
    /// By whom.
    pub computed_by: String,
    /// From what.
    pub source: String,
    /// The counts.
    pub summary: ScopeSummary,
    /// The fingerprint of the key that sealed the contacts.
    pub key_id: String,
}

impl Service {
    /// Records a new incident (status open) and returns it.
    pub async fn create_incident(&self, new: NewIncident, actor: &str) -> Result<Incident> {
        let table = Jurisdictions::builtin();
        let jurisdictions =
            if new.jurisdictions.is_empty() { vec!["tw".to_owned()] } else { new.jurisdictions };
        table.check_ids(&jurisdictions)?;
        let now = self.clock.now();
        let mut incident = Incident {
            id: IncidentId(0),
            title: new.title,
            kind: new.kind,
            source: new.source,
            source_ref: new.source_ref,
            severity: new.severity,
            status: Status::Open,
            owner: new.owner,
            discovered_at: new.discovered_at.unwrap_or(now),
            occurred_from: new.occurred_from,
            occurred_to: new.occurred_to,
            created_at: now,
            jurisdictions,
            details: new.details,
        };
        let detail = format!(
            "created: {} ({}, {}, from {})",
            incident.title, incident.kind, incident.severity, incident.source
        );
        let id = self
            .store
            .insert_incident(&to_record(&incident)?, &entry(now, actor, "created", detail))
            .await?;
        incident.id = IncidentId(id);
        Ok(incident)
    }

    /// One incident.
    pub async fn incident(&self, id: i64) -> Result<Incident> {
        let record = self.store.incident(id).await?.ok_or(IncidentError::NotFound(id))?;
        from_record(record)
    }

    /// Every incident, newest first.
    pub async fn incidents(&self) -> Result<Vec<Incident>> {
        self.store.incidents().await?.into_iter().map(from_record).collect()
    }

    /// Moves an incident to another status (the machine's legal moves only).
    pub async fn set_incident_status(
        &self,
        id: i64,
        to: Status,
        actor: &str,
        note: &str,
    ) -> Result<Incident> {
        let mut incident = self.incident(id).await?;
        let from = incident.status;
        from.transition(to)?;
        let now = self.clock.now();
        let detail = if note.is_empty() {
            format!("{from} → {to}")
        } else {
            format!("{from} → {to}: {note}")
        };
        let moved = self
            .store
            .set_incident_status(
                id,
                from.as_str(),
                to.as_str(),
                &entry(now, actor, "status", detail),
            )
            .await?;
        if !moved {
            return Err(IncidentError::StatusChanged { id, expected: from });
        }
        incident.status = to;
        Ok(incident)
    }

    /// Saves edited fields of an incident (not its status), with what changed.
    pub async fn update_incident(
        &self,
        incident: &Incident,
        actor: &str,
        what: &str,
    ) -> Result<()> {
        Jurisdictions::builtin().check_ids(&incident.jurisdictions)?;
        let now = self.clock.now();
        let changed = self
            .store
            .update_incident(
                incident.id.0,
                &to_record(incident)?,
                &entry(now, actor, "edit", what.to_owned()),
            )
            .await?;
        if changed { Ok(()) } else { Err(IncidentError::NotFound(incident.id.0)) }
    }

    /// Adds a free-text note to the timeline.
    pub async fn add_incident_note(&self, id: i64, actor: &str, note: &str) -> Result<()> {
        self.incident(id).await?;
        let now = self.clock.now();
        self.store.add_timeline(id, &entry(now, actor, "note", note.to_owned())).await?;
        Ok(())
    }

    /// Marks a checklist task done (at `at`, default now).
    pub async fn complete_task(
        &self,
        id: i64,
        task: TaskKind,
        actor: &str,
        note: &str,
        at: Option<Timestamp>,
    ) -> Result<TaskDone> {
        self.incident(id).await?;
        let now = self.clock.now();
        let done_at = at.unwrap_or(now);
        let record = TaskRecord {
            task: task.as_str().to_owned(),
            done_at,
            done_by: actor.to_owned(),
            note: note.to_owned(),
        };
        let detail =
            if note.is_empty() { format!("{task} done") } else { format!("{task} done: {note}") };
        self.store.add_task_done(id, &record, &entry(now, actor, "task", detail)).await?;
        Ok(TaskDone { task, at: done_at, by: actor.to_owned(), note: note.to_owned() })
    }

    /// The tasks marked done.
    pub async fn tasks_done(&self, id: i64) -> Result<Vec<TaskDone>> {
        self.store
            .tasks_done(id)
            .await?
            .into_iter()
            .map(|record| {
                Ok(TaskDone {
                    task: record.task.parse()?,
                    at: record.done_at,
                    by: record.done_by,
                    note: record.note,
                })
            })
            .collect()
    }

    /// The facts the statutory conditions are judged on: the latest scope's
    /// counts and the responders' findings.
    pub async fn incident_facts(&self, incident: &Incident) -> Result<Facts> {
        let scope = self.incident_scope(incident.id.0).await?;
        Ok(Facts {
            people: scope.as_ref().map(|scope| scope.summary.people),
            records: scope.as_ref().map(|scope| scope.summary.records),
            special_records: scope.as_ref().map(|scope| scope.summary.special_records),
            system_records: incident.details.system_records,
            malicious: incident.is_malicious(),
            high_risk: incident.details.high_risk,
            significant_harm: incident.details.significant_harm,
        })
    }

    /// The checklist now: every task with its deadline and countdown.
    pub async fn incident_checklist(&self, incident: &Incident) -> Result<Checklist> {
        let done = self.tasks_done(incident.id.0).await?;
        let facts = self.incident_facts(incident).await?;
        Ok(incidents::checklist(
            incident,
            &done,
            &facts,
            &Jurisdictions::builtin(),
            self.clock.now(),
        ))
    }

    /// The timeline, oldest first.
    pub async fn incident_timeline(&self, id: i64) -> Result<Vec<TimelineEntry>> {
        Ok(self
            .store
            .timeline(id)
            .await?
            .into_iter()
            .map(|record| TimelineEntry {
                at: record.at,
                actor: record.actor,
                action: record.action,
                detail: record.detail,
            })
            .collect())
    }

    /// Keeps a piece of evidence with its SHA-256 and an `added` custody entry.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_evidence(
        &self,
        id: i64,
        name: &str,
        kind: &str,
        content: Vec<u8>,
        origin: &str,
        actor: &str,
        note: &str,
    ) -> Result<EvidenceRecord> {
        self.incident(id).await?;
        if content.len() > MAX_EVIDENCE_BYTES {
            return Err(IncidentError::EvidenceTooLarge {
                name: name.to_owned(),
                size: content.len(),
                limit: MAX_EVIDENCE_BYTES,
            });
        }
        let now = self.clock.now();
        let sha256 = sha256_hex(&content);
        let size = content.len();
        let record = NewEvidenceRecord {
            incident_id: id,
            name: name.to_owned(),
            kind: kind.to_owned(),
            sha256: sha256.clone(),
            content,
            origin: origin.to_owned(),
            added_by: actor.to_owned(),
            added_at: now,
            note: note.to_owned(),
        };
        let detail = format!("{kind} {name} ({size} bytes, sha256 {sha256})");
        let evidence_id =
            self.store.add_evidence(&record, &entry(now, actor, "evidence", detail)).await?;
        Ok(EvidenceRecord {
            id: evidence_id,
            incident_id: id,
            name: record.name,
            kind: record.kind,
            sha256,
            size: i64::try_from(size).unwrap_or(i64::MAX),
            origin: record.origin,
            added_by: record.added_by,
            added_at: now,
            note: record.note,
        })
    }

    /// The evidence of an incident (without contents).
    pub async fn evidence(&self, id: i64) -> Result<Vec<EvidenceRecord>> {
        Ok(self.store.evidence(id).await?)
    }

    /// A piece of evidence's content, checked against its stored SHA-256.
    pub async fn evidence_content(&self, evidence: &EvidenceRecord) -> Result<Vec<u8>> {
        let content = self.store.evidence_content(evidence.id).await?.ok_or_else(|| {
            IncidentError::Corrupt {
                id: evidence.incident_id,
                detail: format!("evidence {} has no content", evidence.id),
            }
        })?;
        let actual = sha256_hex(&content);
        if actual != evidence.sha256 {
            return Err(IncidentError::Corrupt {
                id: evidence.incident_id,
                detail: format!(
                    "evidence {} ({}) hashes to {actual}, recorded {}",
                    evidence.id, evidence.name, evidence.sha256
                ),
            });
        }
        Ok(content)
    }

    /// Adds a chain-of-custody entry for a piece of evidence.
    pub async fn record_custody(
        &self,
        incident_id: i64,
        evidence_id: i64,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<()> {
        let custody = CustodyRecord {
            evidence_id,
            at: self.clock.now(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            detail: detail.to_owned(),
        };
        Ok(self.store.add_custody(incident_id, &custody).await?)
    }

    /// The chain of custody of an incident's evidence.
    pub async fn custody(&self, id: i64) -> Result<Vec<CustodyRecord>> {
        Ok(self.store.custody(id).await?)
    }

    /// Stores a computed scope: the counts in clear, the people (contacts
    /// and exposed fields) sealed under `key`.
    pub async fn save_scope(
        &self,
        id: i64,
        scope: &Scope,
        source: &str,
        actor: &str,
        key: &ContactKey,
    ) -> Result<StoredScope> {
        self.incident(id).await?;
        let now = self.clock.now();
        let people = serde_json::to_vec(&scope.people)
            .map_err(|error| IncidentError::Corrupt { id, detail: error.to_string() })?;
        let summary = serde_json::to_string(&scope.summary)
            .map_err(|error| IncidentError::Corrupt { id, detail: error.to_string() })?;
        let record = ScopeRecord {
            incident_id: id,
            computed_at: now,
            computed_by: actor.to_owned(),
            source: source.to_owned(),
            summary,
            contacts: seal(key, id, &people)?,
            key_id: key.fingerprint(),
        };
        let detail = format!(
            "scope from {source}: {} people, {} records ({} special)",
            scope.summary.people, scope.summary.records, scope.summary.special_records
        );
        self.store.save_scope(&record, &entry(now, actor, "scope", detail)).await?;
        Ok(StoredScope {
            computed_at: now,
            computed_by: actor.to_owned(),
            source: source.to_owned(),
            summary: scope.summary.clone(),
            key_id: record.key_id,
        })
    }

    /// The latest scope's counts (no contacts).
    pub async fn incident_scope(&self, id: i64) -> Result<Option<StoredScope>> {
        let Some(record) = self.store.latest_scope(id).await? else { return Ok(None) };
        let summary = serde_json::from_str(&record.summary).map_err(|error| {
            IncidentError::Corrupt { id, detail: format!("scope summary: {error}") }
        })?;
        Ok(Some(StoredScope {
            computed_at: record.computed_at,
            computed_by: record.computed_by,
            source: record.source,
            summary,
            key_id: record.key_id,
        }))
    }

    /// The people of the latest scope, decrypted; the view is recorded on
    /// the timeline and in the audit trail with its purpose.
    pub async fn scope_people(
        &self,
        id: i64,
        key: &ContactKey,
        actor: &str,
        purpose: &str,
    ) -> Result<Vec<AffectedPerson>> {
        let Some(record) = self.store.latest_scope(id).await? else { return Ok(Vec::new()) };
        if record.key_id != key.fingerprint() {
            return Err(IncidentError::WrongKey {
                id,
                stored: record.key_id,
                given: key.fingerprint(),
            });
        }
        let plain = open(key, id, &record.contacts)?;
        let people: Vec<AffectedPerson> =
            serde_json::from_slice(&plain).map_err(|_| IncidentError::Sealed(id))?;
        let now = self.clock.now();
        let detail = format!("contact list opened ({} people) for: {purpose}", people.len());
        self.store.add_timeline(id, &entry(now, actor, "contacts_view", detail)).await?;
        self.store
            .append_audit(&NewAuditEntry {
                at: now,
                actor: actor.to_owned(),
                address: "local".to_owned(),
                action: "incident_contacts_view".to_owned(),
                target: format!("incident:{id}"),
                purpose: purpose.to_owned(),
            })
            .await?;
        Ok(people)
    }

    /// Records a notice template approved by a named responder.
    pub async fn approve_notice(
        &self,
        id: i64,
        kind: incidents::NoticeKind,
        language: &str,
        template: &str,
        approver: &str,
    ) -> Result<ApprovedNoticeRecord> {
        self.incident(id).await?;
        let now = self.clock.now();
        let mut record = ApprovedNoticeRecord {
            id: 0,
            incident_id: id,
            kind: kind.as_str().to_owned(),
            language: language.to_owned(),
            template: template.to_owned(),
            template_sha256: sha256_hex(template.as_bytes()),
            approved_by: approver.to_owned(),
            approved_at: now,
        };
        let detail = format!(
            "{} notice ({language}) approved by {approver}, template sha256 {}",
            kind.as_str(),
            record.template_sha256
        );
        record.id = self
            .store
            .approve_notice(&record, &entry(now, approver, "notice_approved", detail))
            .await?;
        Ok(record)
    }

    /// Hands rendered notices to the notice outbox (idempotent on each
    /// notice's key); returns how many were new and how many were there already.
    pub async fn enqueue_incident_notices(
        &self,
        id: i64,
        notices: &[OutgoingNotice],
        actor: &str,
    ) -> Result<(u64, u64)> {
        self.incident(id).await?;
        let now = self.clock.now();
        let (mut new, mut existing) = (0, 0);
        for notice in notices {
            let record = store::NewNoticeRecord {
                key: notice.key.clone(),
                channel: notice.channel.clone(),
                recipient: notice.recipient.clone(),
                subject: notice.subject.clone(),
                body: notice.body.clone(),
                language: notice.language.clone(),
                reference: Some(format!("incident:{id}")),
                message_id: notice.message_id.clone(),
                created_at: now,
            };
            match self.store.enqueue_notice(&record).await? {
                store::Enqueued::New(_) => new += 1,
                store::Enqueued::Existing(_) => existing += 1,
            }
        }
        let detail = format!("{new} notices enqueued ({existing} were queued before)");
        self.store.add_timeline(id, &entry(now, actor, "notices_enqueued", detail)).await?;
        Ok((new, existing))
    }

    /// The approved notices, oldest first.
    pub async fn approved_notices(&self, id: i64) -> Result<Vec<ApprovedNoticeRecord>> {
        Ok(self.store.notices(id).await?)
    }
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
