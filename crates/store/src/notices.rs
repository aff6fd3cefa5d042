//! The notice outbox: notices to people (breach notices by email or SMS),
//! each with a unique key and a state recorded before and after sending.
//!
//! States: `pending` (waiting, perhaps for a retry time), `sending` (recorded
//! just before the message is handed to the server), `sent` (with the
//! server's reply), `failed` (refused for good, or out of attempts) and
//! `unknown` (found in `sending` after a crash: it may have gone out, so it
//! is never resent without reconciliation). Every change is also written to
//! `notice_events`, so bounces and failures stay on record.
//!
//! The meaning of channels and the sending itself belong to `service`.

use model::Timestamp;

use crate::Result;
use crate::store::{Store, on_pool};

/// A notice to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNoticeRecord {
    /// The idempotency key: enqueueing the same key again changes nothing.
    pub key: String,
    /// `email` or `sms`.
    pub channel: String,
    /// The address or phone number.
    pub recipient: String,
    /// The subject (email) or empty.
    pub subject: String,
    /// The text.
    pub body: String,
    /// `en` or `zh-TW`.
    pub language: String,
    /// What it belongs to (an incident id), if anything.
    pub reference: Option<String>,
    /// The deterministic message id (`Message-ID`, SMS client id).
    pub message_id: String,
    /// When it was enqueued.
    pub created_at: Timestamp,
}

/// A stored notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecord {
    /// Row id (increasing).
    pub id: i64,
    /// What it was enqueued with.
    pub new: NewNoticeRecord,
    /// `pending`, `sending`, `sent`, `failed` or `unknown`.
    pub state: String,
    /// Send attempts so far.
    pub attempts: i64,
    /// Not before this time (retries back off).
    pub next_attempt_at: Timestamp,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// The gateway's id (SMS).
    pub gateway_id: Option<String>,
    /// The server's reply when it took it.
    pub reply: Option<String>,
    /// Last change.
    pub updated_at: Timestamp,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
}

/// One recorded change of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeEvent {
    /// The notice.
    pub notice_id: i64,
    /// When.
    pub at: Timestamp,
    /// The state it went to.
    pub state: String,
    /// What happened (the server's reply, the error).
    pub detail: String,
}

/// What `enqueue_notice` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new notice with this id.
    New(i64),
    /// The key was known: this notice, untouched.
    Existing(i64),
}

const NOTICE_COLUMNS: &str = "id, key, channel, recipient, subject, body, language, reference, \
     message_id, state, attempts, next_attempt_at, last_error, gateway_id, reply, created_at, \
     updated_at, sent_at";

/// A notice from a row of `NOTICE_COLUMNS` (a macro, so the same text
/// serves SQLite's and PostgreSQL's row types; sqlx tuples stop at 16).
macro_rules! notice_from_row {
    ($row:expr) => {{
        use sqlx::Row as _;
        let row = $row;
        let micros = |value: i64| Timestamp::from_unix_micros(value);
        NoticeRecord {
            id: row.try_get(0)?,
            new: NewNoticeRecord {
                key: row.try_get(1)?,
                channel: row.try_get(2)?,
                recipient: row.try_get(3)?,
                subject: row.try_get(4)?,
                body: row.try_get(5)?,
                language: row.try_get(6)?,
                reference: row.try_get(7)?,
                message_id: row.try_get(8)?,
                created_at: micros(row.try_get(15)?),
            },
            state: row.try_get(9)?,
            attempts: row.try_get(10)?,
            next_attempt_at: micros(row.try_get(11)?),
            last_error: row.try_get(12)?,
            gateway_id: row.try_get(13)?,
            reply: row.try_get(14)?,
            updated_at: micros(row.try_get(16)?),
            sent_at: row.try_get::<Option<i64>, _>(17)?.map(micros),
        }
    }};
}

impl Store {
    /// Adds a notice in state `pending`, unless its key is known already.
    pub async fn enqueue_notice(&self, notice: &NewNoticeRecord) -> Result<Enqueued> {
        let now = notice.created_at.as_unix_micros();
        let inserted: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO notices (key, channel, recipient, subject, body, language, reference,
                     message_id, state, attempts, next_attempt_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9, $9)
                 ON CONFLICT (key) DO NOTHING
                 RETURNING id",
            )
            .bind(&notice.key)
            .bind(&notice.channel)
            .bind(&notice.recipient)
            .bind(&notice.subject)
            .bind(&notice.body)
            .bind(&notice.language)
            .bind(&notice.reference)
            .bind(&notice.message_id)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        if let Some(id) = inserted {
            return Ok(Enqueued::New(id));
        }
        let id: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM notices WHERE key = $1")
                .bind(&notice.key)
                .fetch_one(pool)
                .await?
        });
        Ok(Enqueued::Existing(id))
    }

    /// Pending notices due at `now`, oldest first.
    pub async fn due_notices(&self, now: Timestamp, limit: i64) -> Result<Vec<NoticeRecord>> {
        let sql = format!(
            "SELECT {NOTICE_COLUMNS} FROM notices
             WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"
        );
        let notices = on_pool!(self, |pool| {
            let rows =
                sqlx::query(&sql).bind(now.as_unix_micros()).bind(limit).fetch_all(pool).await?;
            let mut notices = Vec::with_capacity(rows.len());
            for row in &rows {
                notices.push(notice_from_row!(row));
            }
            notices
        });
        Ok(notices)
    }

    /// The earliest retry time of a pending notice (none: nothing pending).
    pub async fn next_notice_due(&self) -> Result<Option<Timestamp>> {
        let next: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM notices WHERE state = 'pending'")
                .fetch_one(pool)
                .await?
        });
        Ok(next.map(Timestamp::from_unix_micros))
    }

    /// Notices in a state, oldest first.
    pub async fn notices_in_state(&self, state: &str, limit: i64) -> Result<Vec<NoticeRecord>> {
        let sql =
            format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE state = $1 ORDER BY id LIMIT $2");
        let notices = on_pool!(self, |pool| {
            let rows = sqlx::query(&sql).bind(state).bind(limit).fetch_all(pool).await?;
            let mut notices = Vec::with_capacity(rows.len());
            for row in &rows {
                notices.push(notice_from_row!(row));
            }
            notices
        });
        Ok(notices)
    }

    /// One notice by key.
    pub async fn notice_by_key(&self, key: &str) -> Result<Option<NoticeRecord>> {
        let sql = format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE key = $1");
        let notice = on_pool!(self, |pool| {
            match sqlx::query(&sql).bind(key).fetch_optional(pool).await? {
                Some(row) => Some(notice_from_row!(&row)),
                None => None,
            }
        });
        Ok(notice)
    }

    /// Counts per channel and state.
    pub async fn notice_counts(&self) -> Result<Vec<(String, String, i64)>> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT channel, state, COUNT(*) FROM notices GROUP BY channel, state
                 ORDER BY channel, state",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Moves a notice from `from` to `to` and records the change, in one
    /// transaction; false when it was not in `from` (another sender took it).
    #[allow(clippy::too_many_arguments)]
    async fn move_notice(
        &self,
        id: i64,
        from: &[&str],
        to: &str,
        now: Timestamp,
        detail: &str,
        set: NoticeUpdate<'_>,
    ) -> Result<bool> {
        let from_list =
            from.iter().map(|state| format!("'{state}'")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "UPDATE notices SET state = $1, updated_at = $2,
                 attempts = attempts + $3,
                 next_attempt_at = COALESCE($4, next_attempt_at),
                 last_error = COALESCE($5, last_error),
                 gateway_id = COALESCE($6, gateway_id),
                 reply = COALESCE($7, reply),
                 sent_at = COALESCE($8, sent_at)
             WHERE id = $9 AND state IN ({from_list})"
        );
        let now_micros = now.as_unix_micros();
        let moved = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(&sql)
                .bind(to)
                .bind(now_micros)
                .bind(i64::from(set.attempt))
                .bind(set.next_attempt_at.map(Timestamp::as_unix_micros))
                .bind(set.error)
                .bind(set.gateway_id)
                .bind(set.reply)
                .bind(set.sent.then_some(now_micros))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let moved = done.rows_affected() == 1;
            if moved {
                sqlx::query(
                    "INSERT INTO notice_events (notice_id, at, state, detail) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(now_micros)
                .bind(to)
                .bind(detail)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            moved
        });
        Ok(moved)
    }

    /// `pending` → `sending`, counting an attempt; recorded (committed)
    /// before the message is handed over. False when it was not pending.
    pub async fn mark_notice_sending(&self, id: i64, now: Timestamp) -> Result<bool> {
        let set = NoticeUpdate { attempt: true, ..NoticeUpdate::default() };
        self.move_notice(id, &["pending"], "sending", now, "", set).await
    }

    /// `sending` (or `unknown`, when reconciled) → `sent`, with the server's reply.
    pub async fn mark_notice_sent(
        &self,
        id: i64,
        now: Timestamp,
        reply: &str,
        gateway_id: Option<&str>,
    ) -> Result<bool> {
        let set =
            NoticeUpdate { reply: Some(reply), gateway_id, sent: true, ..NoticeUpdate::default() };
        self.move_notice(id, &["sending", "unknown"], "sent", now, reply, set).await
    }

    /// `sending` → `pending` again at `retry_at` (a temporary failure), or →
    /// `failed` when `retry_at` is none (refused for good: a bounce, a bad
    /// number, or out of attempts).
    pub async fn mark_notice_failed(
        &self,
        id: i64,
        now: Timestamp,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<bool> {
        let set = NoticeUpdate {
            error: Some(error),
            next_attempt_at: retry_at,
            ..NoticeUpdate::default()
        };
        let to = if retry_at.is_some() { "pending" } else { "failed" };
        self.move_notice(id, &["sending", "unknown"], to, now, error, set).await
    }

    /// `sending` → `unknown`: it may have gone out (the server did not confirm).
    pub async fn mark_notice_unknown(&self, id: i64, now: Timestamp, reason: &str) -> Result<bool> {
        let set = NoticeUpdate { error: Some(reason), ..NoticeUpdate::default() };
        self.move_notice(id, &["sending"], "unknown", now, reason, set).await
    }

    /// `unknown` → `pending`: reconciliation found it was not delivered.
    pub async fn requeue_unknown_notice(
        &self,
        id: i64,
        now: Timestamp,
        reason: &str,
    ) -> Result<bool> {
        let set = NoticeUpdate { next_attempt_at: Some(now), ..NoticeUpdate::default() };
        self.move_notice(id, &["unknown"], "pending", now, reason, set).await
    }

    /// `failed` → `pending` (a retry asked for by hand).
    pub async fn retry_failed_notice(&self, id: i64, now: Timestamp) -> Result<bool> {
        let set = NoticeUpdate { next_attempt_at: Some(now), ..NoticeUpdate::default() };
        self.move_notice(id, &["failed"], "pending", now, "retry asked", set).await
    }

    /// At a sender's start: every notice left in `sending` by a crashed
    /// sender becomes `unknown`. Returns how many.
    pub async fn recover_sending_notices(&self, now: Timestamp) -> Result<u64> {
        let ids: Vec<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM notices WHERE state = 'sending' ORDER BY id")
                .fetch_all(pool)
                .await?
        });
        let mut moved = 0;
        for id in ids {
            if self.mark_notice_unknown(id, now, "found in flight at start").await? {
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// A notice's recorded changes, oldest first.
    pub async fn notice_events(&self, id: i64) -> Result<Vec<NoticeEvent>> {
        let rows: Vec<(i64, i64, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT notice_id, at, state, detail FROM notice_events WHERE notice_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(notice_id, at, state, detail)| NoticeEvent {
                notice_id,
                at: Timestamp::from_unix_micros(at),
                state,
                detail,
            })
            .collect())
    }
}

/// Columns a state change may set.
#[derive(Debug, Default, Clone, Copy)]
struct NoticeUpdate<'a> {
    attempt: bool,
    next_attempt_at: Option<Timestamp>,
    error: Option<&'a str>,
    gateway_id: Option<&'a str>,
    reply: Option<&'a str>,
    sent: bool,
}
