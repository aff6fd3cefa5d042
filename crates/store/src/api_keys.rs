//! API keys of the shop's own code (its login page calling the login check,
//! reporting results and posting events), kept apart from bouncers' keys.
//!
//! Like bouncer keys, only the key's SHA-256 ([`crate::hash_api_key`]) is kept.

use model::Timestamp;

use crate::store::{Store, is_unique_violation, on_pool};
use crate::{Error, Result};

/// An API key, without the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// Its id.
    pub id: i64,
    /// Its unique name.
    pub name: String,
    /// What it opens, comma-separated (`login`).
    pub scopes: String,
    /// When it was issued.
    pub created_at: Timestamp,
}

type ApiKeyRow = (i64, String, String, i64);

fn api_key_from_row((id, name, scopes, created_at): ApiKeyRow) -> ApiKeyRecord {
    ApiKeyRecord { id, name, scopes, created_at: Timestamp::from_unix_micros(created_at) }
}

impl Store {
    /// Registers an API key by the hash of the key.
    pub async fn add_api_key(
        &self,
        name: &str,
        key_hash: &str,
        scopes: &str,
        now: Timestamp,
    ) -> Result<ApiKeyRecord> {
        let row: Result<ApiKeyRow, sqlx::Error> = on_pool!(self, |pool| {
            sqlx::query_as(
                "INSERT INTO api_keys (name, key_hash, scopes, created_at) VALUES ($1, $2, $3, $4)
                 RETURNING id, name, scopes, created_at",
            )
            .bind(name)
            .bind(key_hash)
            .bind(scopes)
            .bind(now.as_unix_micros())
            .fetch_one(pool)
            .await
        });
        match row {
            Ok(row) => Ok(api_key_from_row(row)),
            Err(error) if is_unique_violation(&error) => {
                Err(Error::DuplicateApiKey(name.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Every API key, by name.
    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>> {
        let rows: Vec<ApiKeyRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name, scopes, created_at FROM api_keys ORDER BY name")
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(api_key_from_row).collect())
    }

    /// The API key with this hash.
    pub async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>> {
        let row: Option<ApiKeyRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name, scopes, created_at FROM api_keys WHERE key_hash = $1")
                .bind(key_hash)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(api_key_from_row))
    }

    /// Revokes an API key; false when there is none of that name.
    pub async fn delete_api_key(&self, name: &str) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM api_keys WHERE name = $1")
                .bind(name)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }
}
