//! Console users: roles and what they may do, passwords (Argon2id), TOTP,
//! recovery codes, sessions, and the lockout after failed logins.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use model::Timestamp;
use rand::{Rng, RngCore};
use store::{SessionRecord, UserRecord, hash_api_key};

use crate::totp;
use crate::{Error, Result, Service};

/// Failed logins in a row that lock an account.
pub const LOCK_AFTER_FAILURES: i64 = 5;
/// How long a locked account stays locked, in seconds.
pub const LOCK_SECS: i64 = 15 * 60;
/// A session ends after this long without use, in seconds.
pub const SESSION_IDLE_SECS: i64 = 30 * 60;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Recovery codes issued at TOTP enrolment.
pub const RECOVERY_CODES: usize = 10;

/// What a console user is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, users and settings included.
    Administrator,
    /// Alerts, decisions and personal data with a stated purpose.
    Responder,
    /// The audit trail and reports; no personal data.
    Auditor,
    /// Dashboards; no personal data.
    Viewer,
}

/// Something a role may or may not do. The matrix is [`Role::allows`] and `docs/security.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// The overview's counts and charts (addresses masked without [`Permission::ViewPersonalData`]).
    ViewDashboard,
    /// The alert list and alert details with their evidence lines.
    ViewAlerts,
    /// Client addresses and log lines in clear, with a stated purpose.
    ViewPersonalData,
    /// Listing, adding and deleting decisions (ban, unban).
    ManageDecisions,
    /// Reading and exporting the audit trail.
    ViewAudit,
    /// Creating users and changing settings.
    ManageUsers,
}

impl Permission {
    /// Every permission, in the matrix's order.
    pub const ALL: [Permission; 6] = [
        Permission::ViewDashboard,
        Permission::ViewAlerts,
        Permission::ViewPersonalData,
        Permission::ManageDecisions,
        Permission::ViewAudit,
        Permission::ManageUsers,
    ];
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Administrator, Role::Responder, Role::Auditor, Role::Viewer];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Responder => "responder",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }

    /// Whether this role may do that.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission as P;
        match self {
            Role::Administrator => true,
            Role::Responder => matches!(
                permission,
                P::ViewDashboard | P::ViewAlerts | P::ViewPersonalData | P::ManageDecisions
            ),
            Role::Auditor => matches!(permission, P::ViewDashboard | P::ViewAudit),
            Role::Viewer => matches!(permission, P::ViewDashboard),
        }
    }

    /// Whether this role must log in with a TOTP code.
    pub fn requires_totp(self) -> bool {
        matches!(self, Role::Administrator | Role::Responder)
    }
}

impl std::str::FromStr for Role {
    type Err = Error;

    fn from_str(text: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| Error::InvalidRole(text.to_owned()))
    }
}

/// A console user, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: i64,
    /// Its login name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Whether a TOTP authenticator is enrolled.
    pub has_totp: bool,
    /// Whether the next login must choose a new password.
    pub must_change_password: bool,
    /// When it was created.
    pub created: Timestamp,
}

fn user_from(record: &UserRecord) -> Result<User> {
    Ok(User {
        id: record.id,
        name: record.name.clone(),
        role: record.role.parse()?,
        has_totp: record.totp_secret.is_some(),
        must_change_password: record.must_change_password,
        created: record.created_at,
    })
}

/// A session as the console sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who.
    pub user: User,
    /// The token every form must carry.
    pub csrf_token: String,
    /// Whether the user must still set a password or enrol TOTP before anything else.
    pub needs_setup: bool,
}

/// A new session: the cookie's token (shown once, stored only hashed) and the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The cookie's value.
    pub token: String,
    /// The session.
    pub session: Session,
}

/// A TOTP secret offered at enrolment, before it is confirmed with a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpOffer {
    /// The secret in base32, as apps take it typed in.
    pub secret: String,
    /// The `otpauth://` URI, as apps take it scanned.
    pub uri: String,
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    buffer.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A random password or code from an alphabet without look-alikes (no 0/O, 1/l/I).
pub(crate) fn random_code(length: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..length).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}

fn is_valid_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-_.@".contains(&byte))
}

fn check_password_strength(password: &str, name: &str) -> Result<()> {
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=1024).contains(&chars) {
        return Err(Error::WeakPassword(format!(
            "use {MIN_PASSWORD_CHARS} to 1024 characters (this one has {chars})"
        )));
    }
    if password.eq_ignore_ascii_case(name) {
        return Err(Error::WeakPassword("it must differ from the user name".to_owned()));
    }
    Ok(())
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes), off the async threads.
async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| Error::PasswordHash(error.to_string()))
    })
    .await
    .map_err(|error| Error::PasswordHash(error.to_string()))?
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so an unknown
/// name takes as long to refuse as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$V0Zbq7pB8R0fH1fWn2nq2bC1VQp3Kk5sQ8kq4bVd0nQ";

impl Service {
    /// Creates a console user. Without a password, a one-time password is
    /// generated and returned (to be handed over privately); it must be
    /// changed at the first login, when TOTP is enrolled too.
    pub async fn create_user(
        &self,
        name: &str,
        role: Role,
        password: Option<&str>,
    ) -> Result<(User, Option<String>)> {
        if !is_valid_user_name(name) {
            return Err(Error::InvalidUserName(name.to_owned()));
        }
        let (password, one_time) = match password {
            Some(password) => {
                check_password_strength(password, name)?;
                (password.to_owned(), None)
            }
            None => {
                let generated = random_code(20);
                (generated.clone(), Some(generated))
            }
        };
        let hash = hash_password(&password).await?;
        let record =
            self.store.add_user(name, role.as_str(), &hash, one_time.is_some(), self.now()).await?;
        Ok((user_from(&record)?, one_time))
    }

    /// Every console user.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        self.store.users().await?.iter().map(user_from).collect()
    }

    /// Checks a login and opens a session. `code` is a TOTP code or a
    /// recovery code, needed when the user has TOTP. Failures are counted;
    /// [`LOCK_AFTER_FAILURES`] in a row lock the account for [`LOCK_SECS`].
    /// Every attempt is recorded in the audit trail.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        code: &str,
        address: &str,
    ) -> Result<NewSession> {
        let now = self.now();
        let Some(record) = self.store.user_by_name(name).await? else {
            let _ = verify_password(password, DUMMY_HASH).await;
            self.audit(name, address, "login_failed", name, "").await?;
            return Err(Error::LoginFailed);
        };
        if record.disabled_at.is_some() {
            self.audit(name, address, "login_failed", name, "").await?;
            return Err(Error::LoginFailed);
        }
        if let Some(until) = record.locked_until.filter(|until| *until > now) {
            self.audit(name, address, "login_locked", name, "").await?;
            return Err(Error::LockedOut { until });
        }
        let mut is_ok = verify_password(password, &record.password_hash).await;
        if is_ok && let Some(secret) = &record.totp_secret {
            is_ok = self.check_second_factor(&record, secret, code, now).await?;
        }
        if !is_ok {
            let failures = self
                .store
                .record_login_failure(record.id, LOCK_AFTER_FAILURES, now.add_secs(LOCK_SECS))
                .await?;
            self.audit(name, address, "login_failed", name, "").await?;
            if failures >= LOCK_AFTER_FAILURES {
                self.audit("system", address, "account_locked", name, "").await?;
                return Err(Error::LockedOut { until: now.add_secs(LOCK_SECS) });
            }
            return Err(Error::LoginFailed);
        }
        self.store.clear_login_failures(record.id).await?;
        self.audit(name, address, "login", name, "").await?;
        let user = user_from(&record)?;
        self.open_session(user, address).await
    }

    async fn check_second_factor(
        &self,
        record: &UserRecord,
        secret: &str,
        code: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let code = code.trim();
        let Some(secret) = totp::base32_decode(secret) else { return Ok(false) };
        let now_step = totp::step_of(now.as_unix_micros().div_euclid(1_000_000));
        if let Some(step) = totp::matching_step(&secret, code, now_step) {
            // Never the same code twice: the step must be newer than the last one used.
            return Ok(self.store.use_totp_step(record.id, step).await?);
        }
        let normalized: String =
            code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
        if normalized.len() == 10 {
            return Ok(self
                .store
                .use_recovery_code(record.id, &hash_api_key(&normalized), now)
                .await?);
        }
        Ok(false)
    }

    async fn open_session(&self, user: User, address: &str) -> Result<NewSession> {
        let now = self.now();
        let token = random_hex(32);
        let needs_setup =
            user.must_change_password || (user.role.requires_totp() && !user.has_totp);
        let record = SessionRecord {
            token_hash: hash_api_key(&token),
            user_id: user.id,
            csrf_token: random_hex(32),
            stage: if needs_setup { "setup" } else { "full" }.to_owned(),
            address: address.to_owned(),
            created_at: now,
            last_seen: now,
            expires_at: now.add_secs(SESSION_IDLE_SECS),
        };
        self.store.add_session(&record).await?;
        Ok(NewSession {
            token,
            session: Session { user, csrf_token: record.csrf_token, needs_setup },
        })
    }

    /// The session of a cookie's token, if it is live; each use moves its end.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let now = self.now();
        let hash = hash_api_key(token);
        let Some(record) = self.store.session(&hash, now).await? else { return Ok(None) };
        let Some(user) = self.store.user_by_id(record.user_id).await? else { return Ok(None) };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        self.store.touch_session(&hash, now, now.add_secs(SESSION_IDLE_SECS)).await?;
        Ok(Some(Session {
            user: user_from(&user)?,
            csrf_token: record.csrf_token,
            needs_setup: record.stage != "full",
        }))
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str, address: &str) -> Result<()> {
        if let Some(session) = self.session(token).await? {
            self.audit(&session.user.name, address, "logout", &session.user.name, "").await?;
        }
        Ok(self.store.delete_session(&hash_api_key(token)).await?)
    }

    /// Sets a user's own password (at first login, or later with the old one
    /// checked by the caller's fresh login). Ends the user's other sessions.
    pub async fn change_password(
        &self,
        user: &User,
        new_password: &str,
        address: &str,
    ) -> Result<()> {
        check_password_strength(new_password, &user.name)?;
        let hash = hash_password(new_password).await?;
        self.store.set_password(user.id, &hash, false).await?;
        self.audit(&user.name, address, "password_change", &user.name, "").await?;
        Ok(())
    }

    /// A new TOTP secret to show at enrolment (stored only once confirmed).
    pub fn offer_totp(&self, user: &User) -> TotpOffer {
        let mut secret = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let secret = totp::base32_encode(&secret);
        TotpOffer { uri: totp::otpauth_uri("leakguard", &user.name, &secret), secret }
    }

    /// Confirms an offered secret with a code from the app, stores it, and
    /// returns fresh recovery codes (shown once; stored hashed).
    pub async fn enrol_totp(
        &self,
        user: &User,
        secret: &str,
        code: &str,
        address: &str,
    ) -> Result<Vec<String>> {
        let bytes = totp::base32_decode(secret).filter(|bytes| bytes.len() >= 16);
        let Some(bytes) = bytes else { return Err(Error::InvalidCode) };
        let now_step = totp::step_of(self.now().as_unix_micros().div_euclid(1_000_000));
        let Some(step) = totp::matching_step(&bytes, code, now_step) else {
            return Err(Error::InvalidCode);
        };
        self.store.set_totp_secret(user.id, Some(secret)).await?;
        self.store.use_totp_step(user.id, step).await?;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| random_code(10)).collect();
        let hashes: Vec<String> = codes.iter().map(|code| hash_api_key(code)).collect();
        self.store.replace_recovery_codes(user.id, &hashes).await?;
        self.audit(&user.name, address, "totp_enrol", &user.name, "").await?;
        Ok(codes)
    }

    /// Ends a setup session and opens a full one once the password is set
    /// and TOTP enrolled as the role requires (a new token: the old one
    /// never gains rights).
    pub async fn finish_setup(&self, token: &str, address: &str) -> Result<Option<NewSession>> {
        let Some(session) = self.session(token).await? else { return Ok(None) };
        let Some(record) = self.store.user_by_id(session.user.id).await? else { return Ok(None) };
        let user = user_from(&record)?;
        if user.must_change_password || (user.role.requires_totp() && !user.has_totp) {
            return Ok(None);
        }
        self.store.delete_sessions_of(user.id, self.now()).await?;
        Ok(Some(self.open_session(user, address).await?))
    }

    /// Unused recovery codes a user has left.
    pub async fn recovery_codes_left(&self, user: &User) -> Result<i64> {
        Ok(self.store.recovery_codes_left(user.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use model::{Clock, Timestamp};

    use super::*;

    const T0: i64 = 1_800_000_000;

    #[derive(Debug)]
    struct FakeClock(AtomicI64);

    impl Clock for FakeClock {
        fn now(&self) -> Timestamp {
            Timestamp::from_unix_secs(self.0.load(Ordering::SeqCst))
        }
    }

    async fn service() -> (Service, Arc<FakeClock>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = store::Config::Sqlite { path: dir.path().join("leakguard.db") };
        let store = store::Store::open(&config).await.expect("open store");
        let clock = Arc::new(FakeClock(AtomicI64::new(T0)));
        (Service::new(store, clock.clone()), clock, dir)
    }

    fn code_now(secret: &str, clock: &FakeClock) -> String {
        let bytes = totp::base32_decode(secret).expect("base32");
        totp::code_at(&bytes, totp::step_of(clock.0.load(Ordering::SeqCst)))
    }

    #[test]
    fn the_role_matrix() {
        use Permission as P;
        let allowed = |role: Role| -> Vec<Permission> {
            Permission::ALL.into_iter().filter(|p| role.allows(*p)).collect()
        };
        assert_eq!(allowed(Role::Administrator), Permission::ALL.to_vec());
        assert_eq!(
            allowed(Role::Responder),
            [P::ViewDashboard, P::ViewAlerts, P::ViewPersonalData, P::ManageDecisions]
        );
        assert_eq!(allowed(Role::Auditor), [P::ViewDashboard, P::ViewAudit]);
        assert_eq!(allowed(Role::Viewer), [P::ViewDashboard]);
        assert!(Role::Responder.requires_totp() && !Role::Viewer.requires_totp());
        assert_eq!("auditor".parse::<Role>().expect("role"), Role::Auditor);
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "an unknown user must cost a real verification"
        );
    }

    #[tokio::test]
    async fn first_login_sets_a_password_and_enrols_totp_then_codes_work_once() {
        let (service, clock, _dir) = service().await;
        let (user, one_time) =
            service.create_user("ann", Role::Administrator, None).await.expect("create");
        let one_time = one_time.expect("a one-time password");
        assert!(user.must_change_password);
        assert!(matches!(
            service.create_user("ann", Role::Viewer, None).await,
            Err(Error::DuplicateUser(_))
        ));

        // First login: the one-time password opens a setup session only.
        let first = service.login("ann", &one_time, "", "192.0.2.1").await.expect("first login");
        assert!(first.session.needs_setup);
        assert!(service.finish_setup(&first.token, "192.0.2.1").await.expect("finish").is_none());
        assert!(matches!(
            service.change_password(&user, "short", "192.0.2.1").await,
            Err(Error::WeakPassword(_))
        ));
        service.change_password(&user, "correct horse battery", "192.0.2.1").await.expect("set");
        let offer = service.offer_totp(&user);
        assert!(offer.uri.starts_with("otpauth://totp/leakguard:ann?secret="));
        assert!(matches!(
            service.enrol_totp(&user, &offer.secret, "000000", "192.0.2.1").await,
            Err(Error::InvalidCode)
        ));
        let codes = service
            .enrol_totp(&user, &offer.secret, &code_now(&offer.secret, &clock), "192.0.2.1")
            .await
            .expect("enrol");
        assert_eq!(codes.len(), RECOVERY_CODES);
        let full = service.finish_setup(&first.token, "192.0.2.1").await.expect("finish");
        let full = full.expect("a full session");
        assert!(!full.session.needs_setup);
        assert!(
            service.session(&first.token).await.expect("old").is_none(),
            "the setup token dies"
        );

        // The code used at enrolment is not accepted again; the next step's is, once.
        let used = code_now(&offer.secret, &clock);
        let refused = service.login("ann", "correct horse battery", &used, "192.0.2.1").await;
        assert!(matches!(refused, Err(Error::LoginFailed)), "{refused:?}");
        clock.0.fetch_add(30, Ordering::SeqCst);
        let next = code_now(&offer.secret, &clock);
        service.login("ann", "correct horse battery", &next, "192.0.2.1").await.expect("login");
        let replay = service.login("ann", "correct horse battery", &next, "192.0.2.1").await;
        assert!(matches!(replay, Err(Error::LoginFailed)), "the same code twice: {replay:?}");
        assert!(
            service.login("ann", "correct horse battery", "", "192.0.2.1").await.is_err(),
            "TOTP is required"
        );

        // A recovery code works once.
        service
            .login("ann", "correct horse battery", &codes[0], "192.0.2.1")
            .await
            .expect("recovery");
        assert!(
            service.login("ann", "correct horse battery", &codes[0], "192.0.2.1").await.is_err()
        );
        assert_eq!(service.recovery_codes_left(&user).await.expect("left"), 9);

        // Logins are in the audit trail, and the chain holds.
        let entries = service.audit_entries(0, 100).await.expect("audit");
        let actions: Vec<&str> = entries.iter().map(|e| e.entry.action.as_str()).collect();
        assert!(actions.contains(&"login") && actions.contains(&"login_failed"), "{actions:?}");
        assert!(actions.contains(&"totp_enrol") && actions.contains(&"password_change"));
        let verdict = service.verify_audit().await.expect("verify");
        assert_eq!(verdict.problem, None);
        assert_eq!(verdict.entries, i64::try_from(entries.len()).expect("count"));
    }

    #[tokio::test]
    async fn failures_lock_the_account_for_a_while() {
        let (service, clock, _dir) = service().await;
        service
            .create_user("vic", Role::Viewer, Some("a long viewer password"))
            .await
            .expect("create");
        for _ in 0..LOCK_AFTER_FAILURES - 1 {
            let result = service.login("vic", "wrong password!", "", "192.0.2.9").await;
            assert!(matches!(result, Err(Error::LoginFailed)), "{result:?}");
        }
        let locked = service.login("vic", "wrong password!", "", "192.0.2.9").await;
        assert!(matches!(locked, Err(Error::LockedOut { .. })), "{locked:?}");
        let still = service.login("vic", "a long viewer password", "", "192.0.2.9").await;
        assert!(matches!(still, Err(Error::LockedOut { .. })), "the right password waits too");
        clock.0.fetch_add(LOCK_SECS, Ordering::SeqCst);
        let session = service.login("vic", "a long viewer password", "", "192.0.2.9").await;
        assert!(!session.expect("unlocked").session.needs_setup, "viewers need no TOTP");
        assert!(matches!(
            service.login("nobody", "whatever it is", "", "192.0.2.9").await,
            Err(Error::LoginFailed)
        ));
    }

    #[tokio::test]
    async fn sessions_end_when_idle() {
        let (service, clock, _dir) = service().await;
        service
            .create_user("vic", Role::Viewer, Some("a long viewer password"))
            .await
            .expect("create");
        let new =
            service.login("vic", "a long viewer password", "", "192.0.2.9").await.expect("login");
        clock.0.fetch_add(SESSION_IDLE_SECS - 1, Ordering::SeqCst);
        assert!(service.session(&new.token).await.expect("session").is_some(), "use moves the end");
        clock.0.fetch_add(SESSION_IDLE_SECS - 1, Ordering::SeqCst);
        assert!(service.session(&new.token).await.expect("session").is_some());
        clock.0.fetch_add(SESSION_IDLE_SECS, Ordering::SeqCst);
        assert!(service.session(&new.token).await.expect("session").is_none());
    }
}
