//! Console users, their sessions and recovery codes.
//!
//! The store keeps only what is needed to check a secret, never the secret:
//! Argon2id password hashes (made by `service`), SHA-256 hashes of session
//! tokens and recovery codes. TOTP secrets are kept as they are, because the
//! server must compute the codes.

use model::Timestamp;

use crate::store::{Store, is_unique_violation, on_pool};
use crate::{Error, Result};

/// A console user.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Its id.
    pub id: i64,
    /// Its unique login name.
    pub name: String,
    /// `administrator`, `responder`, `auditor` or `viewer`.
    pub role: String,
    /// The password's Argon2id hash (PHC string).
    pub password_hash: String,
    /// Whether the next login must choose a new password (a one-time password was issued).
    pub must_change_password: bool,
    /// The TOTP secret, base32, once enrolled.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted (a code is never accepted twice).
    pub totp_last_step: i64,
    /// Failed logins since the last success.
    pub failed_logins: i64,
    /// Logins are refused until then.
    pub locked_until: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was disabled.
    pub disabled_at: Option<Timestamp>,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Hashes and secrets stay out of logs.
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("must_change_password", &self.must_change_password)
            .field("totp_enrolled", &self.totp_secret.is_some())
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish_non_exhaustive()
    }
}

/// A console session.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the session token (the cookie's value).
    pub token_hash: String,
    /// Whose.
    pub user_id: i64,
    /// The token every form of this session must send back.
    pub csrf_token: String,
    /// `setup` (must set a password and enrol TOTP) or `full`.
    pub stage: String,
    /// The client address it was opened from.
    pub address: String,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When it was last used.
    pub last_seen: Timestamp,
    /// When it ends.
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("user_id", &self.user_id)
            .field("stage", &self.stage)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

type UserRow =
    (i64, String, String, String, i64, Option<String>, i64, i64, Option<i64>, i64, Option<i64>);

const USER_COLUMNS: &str = "id, name, role, password_hash, must_change_password, totp_secret, \
     totp_last_step, failed_logins, locked_until, created_at, disabled_at";

fn user_from_row(row: UserRow) -> UserRecord {
    let (
        id,
        name,
        role,
        password_hash,
        must_change,
        totp_secret,
        step,
        failed,
        locked,
        created,
        disabled,
    ) = row;
    UserRecord {
        id,
        name,
        role,
        password_hash,
        must_change_password: must_change != 0,
        totp_secret,
        totp_last_step: step,
        failed_logins: failed,
        locked_until: locked.map(Timestamp::from_unix_micros),
        created_at: Timestamp::from_unix_micros(created),
        disabled_at: disabled.map(Timestamp::from_unix_micros),
    }
}

type SessionRow = (String, i64, String, String, String, i64, i64, i64);

const SESSION_COLUMNS: &str =
    "token_hash, user_id, csrf_token, stage, address, created_at, last_seen, expires_at";

fn session_from_row(row: SessionRow) -> SessionRecord {
    let (token_hash, user_id, csrf_token, stage, address, created, seen, expires) = row;
    SessionRecord {
        token_hash,
        user_id,
        csrf_token,
        stage,
        address,
        created_at: Timestamp::from_unix_micros(created),
        last_seen: Timestamp::from_unix_micros(seen),
        expires_at: Timestamp::from_unix_micros(expires),
    }
}

impl Store {
    /// Creates a user.
    pub async fn add_user(
        &self,
        name: &str,
        role: &str,
        password_hash: &str,
        must_change_password: bool,
        now: Timestamp,
    ) -> Result<UserRecord> {
        let sql = format!(
            "INSERT INTO users (name, role, password_hash, must_change_password, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
        );
        let row: Result<UserRow, sqlx::Error> = on_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(name)
                .bind(role)
                .bind(password_hash)
                .bind(i64::from(must_change_password))
                .bind(now.as_unix_micros())
                .fetch_one(pool)
                .await
        });
        match row {
            Ok(row) => Ok(user_from_row(row)),
            Err(error) if is_unique_violation(&error) => Err(Error::DuplicateUser(name.to_owned())),
            Err(error) => Err(error.into()),
        }
    }

    /// A user by login name.
    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1");
        let row: Option<UserRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).bind(name).fetch_optional(pool).await?);
        Ok(row.map(user_from_row))
    }

    /// A user by id.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(user_from_row))
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name");
        let rows: Vec<UserRow> =
            on_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await?);
        Ok(rows.into_iter().map(user_from_row).collect())
    }

    /// Replaces a user's password hash.
    pub async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        must_change_password: bool,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3",
            )
            .bind(password_hash)
            .bind(i64::from(must_change_password))
            .bind(user_id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Sets (or, with `None`, removes) a user's TOTP secret.
    pub async fn set_totp_secret(&self, user_id: i64, secret: Option<&str>) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = 0 WHERE id = $2")
                .bind(secret)
                .bind(user_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Records a TOTP time step as used; false when it (or a later one) was
    /// used before, so a code is never accepted twice, even by two requests at once.
    pub async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
            )
            .bind(step)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done > 0)
    }

    /// Counts a failed login; from `threshold` failures on, locks the user
    /// until `lock_until`. Returns the failures so far.
    pub async fn record_login_failure(
        &self,
        user_id: i64,
        threshold: i64,
        lock_until: Timestamp,
    ) -> Result<i64> {
        let failures = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "UPDATE users SET failed_logins = failed_logins + 1,
                 locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END
                 WHERE id = $3 RETURNING failed_logins",
            )
            .bind(threshold)
            .bind(lock_until.as_unix_micros())
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(failures.unwrap_or(0))
    }

    /// Clears the failed-login count and lock after a successful login.
    pub async fn clear_login_failures(&self, user_id: i64) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(user_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Stores a new session.
    pub async fn add_session(&self, session: &SessionRecord) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, stage, address, created_at, last_seen, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&session.token_hash)
            .bind(session.user_id)
            .bind(&session.csrf_token)
            .bind(&session.stage)
            .bind(&session.address)
            .bind(session.created_at.as_unix_micros())
            .bind(session.last_seen.as_unix_micros())
            .bind(session.expires_at.as_unix_micros())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A session by its token's hash, if it has not expired at `now`.
    pub async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<SessionRecord>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1 AND expires_at > $2"
        );
        let row: Option<SessionRow> = on_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(token_hash)
                .bind(now.as_unix_micros())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(session_from_row))
    }

    /// Notes a session's use and moves its end.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE sessions SET last_seen = $1, expires_at = $2 WHERE token_hash = $3",
            )
            .bind(now.as_unix_micros())
            .bind(expires_at.as_unix_micros())
            .bind(token_hash)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends every session of a user (after a password change), and the expired ones of everybody.
    pub async fn delete_sessions_of(&self, user_id: i64, now: Timestamp) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 OR expires_at <= $2")
                .bind(user_id)
                .bind(now.as_unix_micros())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Replaces a user's recovery codes with these hashes.
    pub async fn replace_recovery_codes(&self, user_id: i64, code_hashes: &[String]) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for hash in code_hashes {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user_id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Uses up a recovery code; false when the user has no unused code with this hash.
    pub async fn use_recovery_code(
        &self,
        user_id: i64,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE recovery_codes SET used_at = $1
                 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .bind(now.as_unix_micros())
            .bind(user_id)
            .bind(code_hash)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done > 0)
    }

    /// How many unused recovery codes a user has left.
    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        let left = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await?
        });
        Ok(left)
    }
}
