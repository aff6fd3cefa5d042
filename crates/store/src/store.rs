//! The store: one pool, SQLite or PostgreSQL, and the same queries on both.

use std::path::PathBuf;
use std::time::Duration;

use model::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::records::{
    AllowRecord, BouncerRecord, DecisionRecord, NewDecisionRecord, StreamState, Version,
};
use crate::{Error, Result, migrations};

/// Where the database is. `Debug` hides a URL's password.
#[derive(Clone, PartialEq, Eq)]
pub enum Config {
    /// A SQLite file, created (with its folder) on first open.
    Sqlite {
        /// The file.
        path: PathBuf,
    },
    /// A PostgreSQL server.
    Postgres {
        /// `postgres://user@host:port/database`.
        url: String,
    },
}

impl Config {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else
    /// (optionally `sqlite://`-prefixed) is a SQLite file path.
    pub fn from_location(location: &str) -> Config {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            Config::Postgres { url: location.to_owned() }
        } else {
            let path = location.strip_prefix("sqlite://").unwrap_or(location);
            Config::Sqlite { path: PathBuf::from(path) }
        }
    }

    /// The location to show in messages (a URL without its password).
    pub fn shown(&self) -> String {
        match self {
            Config::Sqlite { path } => path.display().to_string(),
            Config::Postgres { url } => redact_url(url),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Config::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
            Config::Postgres { .. } => {
                f.debug_struct("Postgres").field("url", &self.shown()).finish()
            }
        }
    }
}

fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database, opened and migrated. Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
}

// In the queries, a unary `+` on a column (`+deleted_at IS NULL`) keeps
// SQLite from choosing that column's index for the term: almost every row
// has no deletion time, so that index would visit the whole table, when the
// id range or the until index finds the few rows wanted. PostgreSQL reads
// `+x` as `x`.

/// Runs the same body against whichever pool the store has; the body is
/// compiled once per backend, so the same SQL serves both.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// SHA-256 of an API key, in lower-case hex: what the store keeps instead of the key.
pub fn hash_api_key(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

type DecisionRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    i64,
    Option<i64>,
);

const DECISION_COLUMNS: &str =
    "id, action, scope, value, origin, rule_id, alert_id, reason, created_at, until, deleted_at";

fn decision_from_row(row: DecisionRow) -> DecisionRecord {
    let (id, action, scope, value, origin, rule_id, alert_id, reason, created_at, until, deleted) =
        row;
    DecisionRecord {
        id,
        new: NewDecisionRecord {
            action,
            scope,
            value,
            origin,
            rule_id,
            alert_id,
            reason,
            created_at: Timestamp::from_unix_micros(created_at),
            until: Timestamp::from_unix_micros(until),
        },
        deleted_at: deleted.map(Timestamp::from_unix_micros),
    }
}

fn bouncer_from_row(
    (id, name, created_at, last_pull): (i64, String, i64, Option<i64>),
) -> BouncerRecord {
    BouncerRecord {
        id,
        name,
        created_at: Timestamp::from_unix_micros(created_at),
        last_pull: last_pull.map(Timestamp::from_unix_micros),
    }
}

pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database) if database.is_unique_violation())
}

impl Store {
    /// Opens (creating a SQLite file and its folder when missing) and migrates.
    pub async fn open(config: &Config) -> Result<Store> {
        let pool = match config {
            Config::Sqlite { path } => {
                if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(parent).map_err(|source| Error::CreateDir {
                        path: parent.display().to_string(),
                        source,
                    })?;
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // In WAL mode NORMAL keeps the database consistent; a power
                    // cut may lose the last commits, not corrupt the file.
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10));
                // Switching a brand-new file to WAL takes a lock that SQLite's
                // busy handler does not wait for: when several processes open
                // the same new database at once, the losers retry.
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                let pool = loop {
                    match SqlitePoolOptions::new()
                        .max_connections(4)
                        .connect_with(options.clone())
                        .await
                    {
                        Ok(pool) => break pool,
                        Err(source) if is_busy(&source) && std::time::Instant::now() < deadline => {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        Err(source) => {
                            return Err(Error::Open { location: config.shown(), source });
                        }
                    }
                };
                Pool::Sqlite(pool)
            }
            Config::Postgres { url } => {
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .map_err(|source| Error::Open { location: config.shown(), source })?;
                Pool::Postgres(pool)
            }
        };
        let store = Store { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The schema version the database is at.
    pub async fn schema_version(&self) -> Result<i64> {
        let version: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(pool).await?
        });
        Ok(version.unwrap_or(0))
    }

    /// Applies the migrations the database lacks, all in one transaction that
    /// holds the write lock (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory
    /// lock), so two processes opening a new database at once do not race.
    async fn migrate(&self) -> Result<()> {
        let backend = self.backend();
        let list = match backend {
            Backend::Sqlite => migrations::SQLITE,
            Backend::Postgres => migrations::POSTGRES,
        };
        let known = list.last().map_or(0, |(version, _)| *version);
        let begin = match backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        let failed = |version| move |source| Error::Migration { version, source };
        on_pool!(self, |pool| {
            let mut tx = pool.begin_with(begin).await.map_err(failed(0))?;
            if backend == Backend::Postgres {
                // Any fixed number: every leakguard process migrating takes the same lock.
                sqlx::query("SELECT pg_advisory_xact_lock(7326001)")
                    .execute(&mut *tx)
                    .await
                    .map_err(failed(0))?;
            }
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    applied_at BIGINT NOT NULL
                )",
            )
            .execute(&mut *tx)
            .await
            .map_err(failed(0))?;
            let current: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(failed(0))?;
            let current = current.unwrap_or(0);
            if current > known {
                return Err(Error::NewerSchema { found: current, known });
            }
            for &(version, sql) in list.iter().filter(|(version, _)| *version > current) {
                sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(failed(version))?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(version)
                    .bind(0_i64)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed(version))?;
            }
            tx.commit().await.map_err(failed(known))?;
        });
        Ok(())
    }

    /// Inserts decisions and returns the ones stored; a decision for an alert,
    /// action, scope and value stored before is skipped.
    pub async fn insert_decisions(
        &self,
        decisions: &[NewDecisionRecord],
    ) -> Result<Vec<DecisionRecord>> {
        let sql = format!(
            "INSERT INTO decisions (action, scope, value, origin, rule_id, alert_id, reason, created_at, until)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT DO NOTHING
             RETURNING {DECISION_COLUMNS}"
        );
        let mut stored = Vec::with_capacity(decisions.len());
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for decision in decisions {
                let row: Option<DecisionRow> = sqlx::query_as(&sql)
                    .bind(&decision.action)
                    .bind(&decision.scope)
                    .bind(&decision.value)
                    .bind(&decision.origin)
                    .bind(&decision.rule_id)
                    .bind(&decision.alert_id)
                    .bind(&decision.reason)
                    .bind(decision.created_at.as_unix_micros())
                    .bind(decision.until.as_unix_micros())
                    .fetch_optional(&mut *tx)
                    .await?;
                stored.extend(row.map(decision_from_row));
            }
            tx.commit().await?;
        });
        Ok(stored)
    }

    /// Marks a decision deleted at `now`; false when there is no such live decision.
    pub async fn delete_decision(&self, id: i64, now: Timestamp) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE decisions SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
                .bind(now.as_unix_micros())
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// Marks every live decision on this scope and value deleted at `now`; returns how many.
    pub async fn delete_decisions_on(
        &self,
        scope: &str,
        value: &str,
        now: Timestamp,
    ) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE decisions SET deleted_at = $1
                 WHERE scope = $2 AND value = $3 AND +deleted_at IS NULL AND +until > $1",
            )
            .bind(now.as_unix_micros())
            .bind(scope)
            .bind(value)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done)
    }

    /// One decision by id (deleted or not).
    pub async fn decision(&self, id: i64) -> Result<Option<DecisionRecord>> {
        let sql = format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE id = $1");
        let row: Option<DecisionRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(decision_from_row))
    }

    /// Decisions not deleted and not expired at `now`, in id order.
    pub async fn active_decisions(&self, now: Timestamp) -> Result<Vec<DecisionRecord>> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions
             WHERE +deleted_at IS NULL AND +until > $1 ORDER BY id"
        );
        let rows: Vec<DecisionRow> = on_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(now.as_unix_micros()).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(decision_from_row).collect())
    }

    /// Decisions above an id, not deleted and not expired at `now`, in id order.
    pub async fn active_decisions_after(
        &self,
        last_id: i64,
        now: Timestamp,
    ) -> Result<Vec<DecisionRecord>> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions
             WHERE id > $1 AND +deleted_at IS NULL AND +until > $2 ORDER BY id"
        );
        let rows: Vec<DecisionRow> = on_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(last_id).bind(now.as_unix_micros()).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(decision_from_row).collect())
    }

    /// The ids of decisions deleted after a time (microseconds, as in [`Version::max_deleted_at`]).
    pub async fn deleted_ids_after(&self, deleted_after_micros: i64) -> Result<Vec<i64>> {
        let ids = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM decisions WHERE deleted_at > $1 ORDER BY id")
                .bind(deleted_after_micros)
                .fetch_all(pool)
                .await?
        });
        Ok(ids)
    }

    /// Every decision ever stored (deleted and expired too), in id order.
    pub async fn all_decisions(&self) -> Result<Vec<DecisionRecord>> {
        let sql = format!("SELECT {DECISION_COLUMNS} FROM decisions ORDER BY id");
        let rows: Vec<DecisionRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await?);
        Ok(rows.into_iter().map(decision_from_row).collect())
    }

    /// How often each scope and value was banned (deleted and expired bans count).
    pub async fn ban_counts(&self) -> Result<Vec<(String, String, i64)>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT scope, value, COUNT(*) FROM decisions WHERE action = 'ban' GROUP BY scope, value",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Every alert id that produced a decision.
    pub async fn decided_alert_ids(&self) -> Result<Vec<String>> {
        let rows = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT DISTINCT alert_id FROM decisions WHERE alert_id IS NOT NULL")
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// The fingerprint of decisions and allowlist (see [`Version`]).
    pub async fn version(&self) -> Result<Version> {
        let (max_decision_id, max_deleted_at, max_allow_id, n_allow): (i64, i64, i64, i64) =
            on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT (SELECT COALESCE(MAX(id), 0) FROM decisions),
                            (SELECT COALESCE(MAX(deleted_at), 0) FROM decisions),
                            (SELECT COALESCE(MAX(id), 0) FROM allowlist),
                            (SELECT COUNT(*) FROM allowlist)",
                )
                .fetch_one(pool)
                .await?
            });
        Ok(Version { max_decision_id, max_deleted_at, max_allow_id, n_allow })
    }

    /// The decisions a bouncer at `state` has not been told about at `now`:
    /// new ones (id above the last sent, live) and deleted ones (deleted by
    /// hand or expired since the last pull). Returns them with the new state.
    pub async fn stream_delta(
        &self,
        state: StreamState,
        now: Timestamp,
    ) -> Result<(Vec<DecisionRecord>, Vec<DecisionRecord>, StreamState)> {
        let now_micros = now.as_unix_micros();
        let since = state.last_pull.map_or(i64::MIN, Timestamp::as_unix_micros);
        let new_sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions
             WHERE id > $1 AND id <= $2 AND +deleted_at IS NULL AND +until > $3 ORDER BY id"
        );
        // Two selects, each served by its own index: an OR, or a condition on
        // the id, would make SQLite scan the whole table.
        let deleted_sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions
             WHERE deleted_at > $1 AND deleted_at <= $2
             UNION ALL
             SELECT {DECISION_COLUMNS} FROM decisions
             WHERE +deleted_at IS NULL AND until > $1 AND until <= $2
             ORDER BY id"
        );
        let (new_rows, deleted_rows, max_id): (Vec<DecisionRow>, Vec<DecisionRow>, i64) =
            on_pool!(self, |pool| {
                let max_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM decisions")
                    .fetch_one(pool)
                    .await?;
                let new_rows = sqlx::query_as(&new_sql)
                    .bind(state.last_decision_id)
                    .bind(max_id)
                    .bind(now_micros)
                    .fetch_all(pool)
                    .await?;
                let deleted_rows = if state.last_pull.is_some() {
                    sqlx::query_as(&deleted_sql)
                        .bind(since)
                        .bind(now_micros)
                        .fetch_all(pool)
                        .await?
                } else {
                    Vec::new()
                };
                (new_rows, deleted_rows, max_id)
            });
        let next = StreamState {
            last_decision_id: max_id.max(state.last_decision_id),
            last_pull: Some(now),
        };
        Ok((
            new_rows.into_iter().map(decision_from_row).collect(),
            // Decisions above `max_id` were never sent, so there is nothing to take back.
            deleted_rows
                .into_iter()
                .map(decision_from_row)
                .filter(|record| record.id <= max_id)
                .collect(),
            next,
        ))
    }

    /// A bouncer's stream state (the start for one that never pulled).
    pub async fn stream_state(&self, bouncer_id: i64) -> Result<StreamState> {
        let row: Option<(i64, Option<i64>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT last_decision_id, last_pull FROM stream_state WHERE bouncer_id = $1",
            )
            .bind(bouncer_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map_or_else(StreamState::default, |(last_decision_id, last_pull)| StreamState {
            last_decision_id,
            last_pull: last_pull.map(Timestamp::from_unix_micros),
        }))
    }

    /// Saves a bouncer's stream state and notes its pull.
    pub async fn save_stream_state(&self, bouncer_id: i64, state: StreamState) -> Result<()> {
        let last_pull = state.last_pull.map(Timestamp::as_unix_micros);
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO stream_state (bouncer_id, last_decision_id, last_pull) VALUES ($1, $2, $3)
                 ON CONFLICT (bouncer_id) DO UPDATE
                 SET last_decision_id = excluded.last_decision_id, last_pull = excluded.last_pull",
            )
            .bind(bouncer_id)
            .bind(state.last_decision_id)
            .bind(last_pull)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE bouncers SET last_pull = $1 WHERE id = $2")
                .bind(last_pull)
                .bind(bouncer_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Registers a bouncer with the hash of its key.
    pub async fn add_bouncer(
        &self,
        name: &str,
        key_hash: &str,
        now: Timestamp,
    ) -> Result<BouncerRecord> {
        let row = on_pool!(self, |pool| {
            sqlx::query_as(
                "INSERT INTO bouncers (name, key_hash, created_at) VALUES ($1, $2, $3)
                 RETURNING id, name, created_at, last_pull",
            )
            .bind(name)
            .bind(key_hash)
            .bind(now.as_unix_micros())
            .fetch_one(pool)
            .await
        });
        match row {
            Ok(row) => Ok(bouncer_from_row(row)),
            Err(error) if is_unique_violation(&error) => {
                Err(Error::DuplicateBouncer(name.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Every bouncer, by name.
    pub async fn bouncers(&self) -> Result<Vec<BouncerRecord>> {
        let rows: Vec<(i64, String, i64, Option<i64>)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name, created_at, last_pull FROM bouncers ORDER BY name")
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(bouncer_from_row).collect())
    }

    /// The bouncer whose key has this hash.
    pub async fn bouncer_by_key_hash(&self, key_hash: &str) -> Result<Option<BouncerRecord>> {
        let row: Option<(i64, String, i64, Option<i64>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, name, created_at, last_pull FROM bouncers WHERE key_hash = $1",
            )
            .bind(key_hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(bouncer_from_row))
    }

    /// Revokes a bouncer's key (and forgets its stream); false when there is none of that name.
    pub async fn delete_bouncer(&self, name: &str) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM stream_state WHERE bouncer_id IN (SELECT id FROM bouncers WHERE name = $1)")
                .bind(name)
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query("DELETE FROM bouncers WHERE name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            done
        });
        Ok(done > 0)
    }

    /// Adds an allowlist entry.
    pub async fn add_allow(
        &self,
        value: &str,
        description: &str,
        now: Timestamp,
    ) -> Result<AllowRecord> {
        let row: Result<(i64, String, String, i64), sqlx::Error> = on_pool!(self, |pool| {
            sqlx::query_as(
                "INSERT INTO allowlist (value, description, created_at) VALUES ($1, $2, $3)
                 RETURNING id, value, description, created_at",
            )
            .bind(value)
            .bind(description)
            .bind(now.as_unix_micros())
            .fetch_one(pool)
            .await
        });
        match row {
            Ok((id, value, description, created_at)) => Ok(AllowRecord {
                id,
                value,
                description,
                created_at: Timestamp::from_unix_micros(created_at),
            }),
            Err(error) if is_unique_violation(&error) => {
                Err(Error::DuplicateAllow(value.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The allowlist, in the order entries were added.
    pub async fn allowlist(&self) -> Result<Vec<AllowRecord>> {
        let rows: Vec<(i64, String, String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, value, description, created_at FROM allowlist ORDER BY id")
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, value, description, created_at)| AllowRecord {
                id,
                value,
                description,
                created_at: Timestamp::from_unix_micros(created_at),
            })
            .collect())
    }

    /// Removes an allowlist entry; false when there is none with that value.
    pub async fn delete_allow(&self, value: &str) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM allowlist WHERE value = $1")
                .bind(value)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }
}

/// Whether SQLite answered "database is locked" (`SQLITE_BUSY`).
fn is_busy(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database) if database.code().as_deref() == Some("5"))
}
