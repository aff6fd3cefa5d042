//! Alerts as the console shows them, and hourly traffic counts.
//!
//! An alert is stored once per id (ids are deterministic: rule, key and
//! window); storing it again updates its count, last time and samples.
//! Samples and responses are JSON text written and read by `service`.

use model::Timestamp;

use crate::Result;
use crate::store::{Store, on_pool};

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRecord {
    /// The alert's id.
    pub id: String,
    /// The rule that fired.
    pub rule_id: String,
    /// The rule's title in English.
    pub title_en: String,
    /// The rule's title in Traditional Chinese.
    pub title_zh: String,
    /// `info`, `low`, `medium`, `high`, `critical`.
    pub severity: String,
    /// The key's kind (`ip`, `account`...).
    pub key_kind: String,
    /// The key's value.
    pub key_value: String,
    /// The whole key as text (compound keys included).
    pub key_text: String,
    /// Matching events.
    pub count: i64,
    /// First matching event.
    pub first_seen: Timestamp,
    /// Last matching event.
    pub last_seen: Timestamp,
    /// Why it fired.
    pub reason: String,
    /// The evidence lines, as JSON.
    pub samples: String,
    /// The proposed responses, as JSON.
    pub response: String,
    /// When it was stored.
    pub stored_at: Timestamp,
}

/// Which alerts to list. Empty strings match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    /// Only this severity.
    pub severity: String,
    /// Only this rule.
    pub rule_id: String,
    /// Only keys containing this text.
    pub key: String,
    /// At most this many (newest first).
    pub limit: i64,
}

type AlertRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    i64,
);

const ALERT_COLUMNS: &str = "id, rule_id, title_en, title_zh, severity, key_kind, key_value, \
     key_text, count, first_seen, last_seen, reason, samples, response, stored_at";

fn alert_from_row(row: AlertRow) -> AlertRecord {
    let (
        id,
        rule_id,
        title_en,
        title_zh,
        severity,
        key_kind,
        key_value,
        key_text,
        count,
        first_seen,
        last_seen,
        reason,
        samples,
        response,
        stored_at,
    ) = row;
    AlertRecord {
        id,
        rule_id,
        title_en,
        title_zh,
        severity,
        key_kind,
        key_value,
        key_text,
        count,
        first_seen: Timestamp::from_unix_micros(first_seen),
        last_seen: Timestamp::from_unix_micros(last_seen),
        reason,
        samples,
        response,
        stored_at: Timestamp::from_unix_micros(stored_at),
    }
}

impl Store {
    /// Stores alerts; one stored before is updated (count, last time, samples).
    pub async fn upsert_alerts(&self, alerts: &[AlertRecord]) -> Result<()> {
        let sql = format!(
            "INSERT INTO alerts ({ALERT_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT (id) DO UPDATE SET count = excluded.count,
                last_seen = excluded.last_seen, samples = excluded.samples, reason = excluded.reason"
        );
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for alert in alerts {
                sqlx::query(&sql)
                    .bind(&alert.id)
                    .bind(&alert.rule_id)
                    .bind(&alert.title_en)
                    .bind(&alert.title_zh)
                    .bind(&alert.severity)
                    .bind(&alert.key_kind)
                    .bind(&alert.key_value)
                    .bind(&alert.key_text)
                    .bind(alert.count)
                    .bind(alert.first_seen.as_unix_micros())
                    .bind(alert.last_seen.as_unix_micros())
                    .bind(&alert.reason)
                    .bind(&alert.samples)
                    .bind(&alert.response)
                    .bind(alert.stored_at.as_unix_micros())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Alerts matching a filter, newest first.
    pub async fn alerts(&self, filter: &AlertFilter) -> Result<Vec<AlertRecord>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts
             WHERE ($1 = '' OR severity = $1) AND ($2 = '' OR rule_id = $2)
               AND ($3 = '' OR key_text LIKE $4)
             ORDER BY first_seen DESC, id LIMIT $5"
        );
        let like = format!("%{}%", filter.key.replace(['\\', '%', '_'], ""));
        let rows: Vec<AlertRow> = on_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(&filter.severity)
                .bind(&filter.rule_id)
                .bind(&filter.key)
                .bind(&like)
                .bind(filter.limit.max(1))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(alert_from_row).collect())
    }

    /// One alert.
    pub async fn alert(&self, id: &str) -> Result<Option<AlertRecord>> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1");
        let row: Option<AlertRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(alert_from_row))
    }

    /// Adds request and error counts to hourly buckets (bucket = the hour's start).
    pub async fn add_traffic(&self, buckets: &[(Timestamp, i64, i64)]) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for (bucket, requests, errors) in buckets {
                sqlx::query(
                    "INSERT INTO traffic (bucket, requests, errors) VALUES ($1, $2, $3)
                     ON CONFLICT (bucket) DO UPDATE SET requests = traffic.requests + excluded.requests,
                        errors = traffic.errors + excluded.errors",
                )
                .bind(bucket.as_unix_micros())
                .bind(requests)
                .bind(errors)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Hourly buckets from `since` on, oldest first.
    pub async fn traffic(&self, since: Timestamp) -> Result<Vec<(Timestamp, i64, i64)>> {
        let rows: Vec<(i64, i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT bucket, requests, errors FROM traffic WHERE bucket >= $1 ORDER BY bucket",
            )
            .bind(since.as_unix_micros())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(bucket, requests, errors)| {
                (Timestamp::from_unix_micros(bucket), requests, errors)
            })
            .collect())
    }
}
