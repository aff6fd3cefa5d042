//! The audit trail: append-only and hash-chained.
//!
//! Entry `n` stores `hash = SHA-256(prev_hash, n, at, actor, address, action,
//! target, purpose)` over a length-prefixed canonical encoding, where
//! `prev_hash` is entry `n - 1`'s hash (64 zeros for the first). Ids run
//! 1, 2, 3... without gaps, and `audit_head` holds the last id and hash in
//! the same transaction as each append. [`Store::verify_audit`] recomputes
//! the chain: a changed field, a removed or inserted entry, or a cut tail
//! breaks it. Triggers refuse `UPDATE` and `DELETE` on the table, so only
//! someone who drops them (with direct write access to the database) can
//! change it, and then verification names the first entry that differs.

use model::Timestamp;
use sha2::{Digest, Sha256};

use crate::Result;
use crate::store::{Pool, Store, on_pool};

/// The previous hash of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// When.
    pub at: Timestamp,
    /// Who: a user name, `cli:<os user>`, or `system`.
    pub actor: String,
    /// From where: the client address, or `local`.
    pub address: String,
    /// What: `login`, `login_failed`, `decision_add`, `alert_view`...
    pub action: String,
    /// On what: a decision id, an alert id, a user name.
    pub target: String,
    /// Why, when personal data was viewed or exported (empty otherwise).
    pub purpose: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its place in the chain, from 1.
    pub id: i64,
    /// What was recorded.
    pub entry: NewAuditEntry,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// What [`Store::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerdict {
    /// Entries read.
    pub entries: i64,
    /// The last entry's hash (note it down: a later verification must extend it).
    pub head: String,
    /// The first problem, if any: the entry's id and what is wrong.
    pub problem: Option<(i64, String)>,
}

fn push_field(hasher: &mut Sha256, field: &[u8]) {
    hasher.update((field.len() as u64).to_be_bytes());
    hasher.update(field);
}

/// The hash of entry `id` after `prev_hash`, in lower-case hex.
pub fn audit_hash(prev_hash: &str, id: i64, entry: &NewAuditEntry) -> String {
    let mut hasher = Sha256::new();
    push_field(&mut hasher, b"leakguard-audit-v1");
    push_field(&mut hasher, prev_hash.as_bytes());
    push_field(&mut hasher, &id.to_be_bytes());
    push_field(&mut hasher, &entry.at.as_unix_micros().to_be_bytes());
    for field in [&entry.actor, &entry.address, &entry.action, &entry.target, &entry.purpose] {
        push_field(&mut hasher, field.as_bytes());
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

type AuditRow = (i64, i64, String, String, String, String, String, String, String);

const AUDIT_COLUMNS: &str = "id, at, actor, address, action, target, purpose, prev_hash, hash";

fn audit_from_row(row: AuditRow) -> AuditEntry {
    let (id, at, actor, address, action, target, purpose, prev_hash, hash) = row;
    AuditEntry {
        id,
        entry: NewAuditEntry {
            at: Timestamp::from_unix_micros(at),
            actor,
            address,
            action,
            target,
            purpose,
        },
        prev_hash,
        hash,
    }
}

impl Store {
    /// Appends an entry to the chain, under the write lock (SQLite
    /// `BEGIN IMMEDIATE`, a PostgreSQL advisory lock) so appends never fork it.
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry> {
        let begin = match self.pool {
            Pool::Sqlite(_) => "BEGIN IMMEDIATE",
            Pool::Postgres(_) => "BEGIN",
        };
        let is_postgres = matches!(self.pool, Pool::Postgres(_));
        let stored = on_pool!(self, |pool| {
            let mut tx = pool.begin_with(begin).await?;
            if is_postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(7326002)").execute(&mut *tx).await?;
            }
            let head: Option<(i64, String)> =
                sqlx::query_as("SELECT last_id, last_hash FROM audit_head WHERE one = 1")
                    .fetch_optional(&mut *tx)
                    .await?;
            let (last_id, prev_hash) = head.unwrap_or_else(|| (0, GENESIS_HASH.to_owned()));
            let id = last_id + 1;
            let hash = audit_hash(&prev_hash, id, entry);
            sqlx::query(
                "INSERT INTO audit (id, at, actor, address, action, target, purpose, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(entry.at.as_unix_micros())
            .bind(&entry.actor)
            .bind(&entry.address)
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&entry.purpose)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO audit_head (one, last_id, last_hash) VALUES (1, $1, $2)
                 ON CONFLICT (one) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash",
            )
            .bind(id)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            AuditEntry { id, entry: entry.clone(), prev_hash, hash }
        });
        Ok(stored)
    }

    /// Entries with an id above `after_id`, oldest first, at most `limit`.
    pub async fn audit_entries(&self, after_id: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE id > $1 ORDER BY id LIMIT $2");
        let rows: Vec<AuditRow> = on_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(after_id).bind(limit).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(audit_from_row).collect())
    }

    /// The newest entries, newest first, at most `limit`.
    pub async fn latest_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit ORDER BY id DESC LIMIT $1");
        let rows: Vec<AuditRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?);
        Ok(rows.into_iter().map(audit_from_row).collect())
    }

    /// Recomputes the whole chain and reports the first entry that does not fit.
    pub async fn verify_audit(&self) -> Result<AuditVerdict> {
        let head: Option<(i64, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT last_id, last_hash FROM audit_head WHERE one = 1")
                .fetch_optional(pool)
                .await?
        });
        let mut expected_id = 1;
        let mut prev_hash = GENESIS_HASH.to_owned();
        let mut entries = 0;
        loop {
            let batch = self.audit_entries(expected_id - 1, 1000).await?;
            let Some(last) = batch.last().map(|entry| entry.id) else { break };
            for stored in batch {
                entries += 1;
                let problem = if stored.id != expected_id {
                    Some((expected_id, format!("it was removed (the next entry is {})", stored.id)))
                } else if stored.prev_hash != prev_hash {
                    Some((stored.id, "its link to the previous entry is broken".to_owned()))
                } else if audit_hash(&prev_hash, stored.id, &stored.entry) != stored.hash {
                    Some((
                        stored.id,
                        "its contents do not match its hash: it was changed".to_owned(),
                    ))
                } else {
                    None
                };
                if let Some(problem) = problem {
                    return Ok(AuditVerdict { entries, head: prev_hash, problem: Some(problem) });
                }
                prev_hash = stored.hash;
                expected_id += 1;
            }
            expected_id = last + 1;
        }
        let last_id = expected_id - 1;
        let problem = match head {
            None if last_id == 0 => None,
            None => Some((last_id, "the chain's head record is missing".to_owned())),
            Some((head_id, _)) if head_id > last_id => {
                Some((last_id + 1, format!("entries {} to {head_id} were removed", last_id + 1)))
            }
            Some((head_id, head_hash)) if head_id != last_id || head_hash != prev_hash => {
                Some((last_id, "the chain's head record does not match the last entry".to_owned()))
            }
            Some(_) => None,
        };
        Ok(AuditVerdict { entries, head: prev_hash, problem })
    }
}
