//! The login check: before a shop lets a customer in, it asks whether to
//! allow the login, ask for a one-time password, or refuse, and whether the
//! password is one breached corpora hold; after the attempt it reports the
//! outcome, which reaches the detection engine through a [`LoginSink`].
//!
//! Answers come from the in-memory decision index the bouncer API uses,
//! re-checked against the store at most every [`LoginGuard::max_staleness`]
//! (and at once after a result reported through this guard), and from an
//! in-memory cache of API keys (a revoked key stops working within
//! [`KEY_CACHE_SECS`] seconds); neither passwords nor their hashes are kept
//! or logged.

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use decisions::{Decision, DecisionAction, DecisionIndex, Scope};
use model::{LoginOutcome, Timestamp};

use crate::service::{generate_key, is_valid_bouncer_name};
use crate::{Error, Passwords, Result, Service};

/// The scope that opens `/v1/login/check`, `/v1/login/result` and `/v1/events`.
pub const LOGIN_SCOPE: &str = "login";

/// Every scope an API key can hold.
pub const API_KEY_SCOPES: &[&str] = &[LOGIN_SCOPE];

/// How long an API key's lookup is trusted, in seconds.
pub const KEY_CACHE_SECS: u64 = 1;

/// The most API keys (known or unknown) remembered at once.
const KEY_CACHE_ENTRIES: usize = 4096;

/// A key issued to the shop's own code, as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it opens (`login`).
    pub scopes: Vec<String>,
    /// When it was issued.
    pub created: Timestamp,
}

impl ApiClient {
    /// Whether the key holds this scope.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|held| held == scope)
    }
}

impl From<store::ApiKeyRecord> for ApiClient {
    fn from(record: store::ApiKeyRecord) -> ApiClient {
        ApiClient {
            id: record.id,
            name: record.name,
            scopes: record.scopes.split(',').map(str::to_owned).collect(),
            created: record.created_at,
        }
    }
}

impl Service {
    /// Issues a key for the shop's own code; the key is returned only here.
    pub async fn add_api_key(&self, name: &str, scopes: &[String]) -> Result<(ApiClient, String)> {
        if !is_valid_bouncer_name(name) {
            return Err(Error::InvalidKeyName(name.to_owned()));
        }
        let mut scopes: Vec<String> =
            scopes.iter().map(|scope| scope.trim().to_ascii_lowercase()).collect();
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(Error::InvalidKeyScope(String::new()));
        }
        if let Some(unknown) = scopes.iter().find(|scope| !API_KEY_SCOPES.contains(&scope.as_str()))
        {
            return Err(Error::InvalidKeyScope(unknown.clone()));
        }
        let key = generate_key();
        let record = self
            .store
            .add_api_key(name, &store::hash_api_key(&key), &scopes.join(","), self.now())
            .await?;
        Ok((record.into(), key))
    }

    /// Every API key, by name.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiClient>> {
        Ok(self.store.api_keys().await?.into_iter().map(ApiClient::from).collect())
    }

    /// Revokes an API key; false when there is none of that name.
    pub async fn delete_api_key(&self, name: &str) -> Result<bool> {
        Ok(self.store.delete_api_key(name).await?)
    }

    /// The client holding this API key, if any (read from the store every time).
    pub async fn authenticate_client(&self, key: &str) -> Result<Option<ApiClient>> {
        if key.is_empty() {
            return Ok(None);
        }
        Ok(self.store.api_key_by_hash(&store::hash_api_key(key)).await?.map(ApiClient::from))
    }
}

/// A login about to be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    /// The customer's address (as the shop sees it, after its proxies).
    pub ip: IpAddr,
    /// The account name typed (e-mail, member id...).
    pub account: String,
    /// The browser's user agent, if known.
    pub user_agent: Option<String>,
    /// The SHA-1 of the password typed, if the shop wants it checked.
    pub password_sha1: Option<[u8; 20]>,
}

/// What the shop should do with a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Go on as usual.
    Allow,
    /// Ask for a one-time password (e-mail, SMS or app) before letting in.
    RequireOtp,
    /// Refuse, whatever the password.
    Deny,
}

impl Verdict {
    /// `allow`, `require_otp`, `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::RequireOtp => "require_otp",
            Verdict::Deny => "deny",
        }
    }
}

/// Why a verdict is what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An active decision on the address, its range or the account.
    Decision(Decision),
    /// The password is in the breached-password corpus.
    PasswordBreached {
        /// How many times the corpus saw it.
        count: u32,
    },
}

impl Reason {
    /// The stable code of the reason: `ip_ban`, `account_force_reset`,
    /// `password_breached`... (scope, then action, for decisions).
    pub fn code(&self) -> String {
        match self {
            Reason::Decision(decision) => {
                let scope = match decision.scope {
                    Scope::Ip | Scope::Range => "ip",
                    other => other.as_str(),
                };
                format!("{scope}_{}", decision.action.as_str())
            }
            Reason::PasswordBreached { .. } => "password_breached".to_owned(),
        }
    }
}

/// The answer to a login check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginVerdict {
    /// What to do.
    pub verdict: Verdict,
    /// Whether the customer must choose a new password (after the OTP, when one is asked).
    pub change_password: bool,
    /// Why, most severe first.
    pub reasons: Vec<Reason>,
}

/// What a decision asks of a login: the verdict and whether the password must change.
fn consequence(action: DecisionAction) -> (Verdict, bool) {
    match action {
        DecisionAction::Ban => (Verdict::Deny, false),
        DecisionAction::Captcha | DecisionAction::RequireOtp => (Verdict::RequireOtp, false),
        // The owner proves who they are before choosing a new password: whoever
        // guessed the old one must not be the one to change it.
        DecisionAction::ForceReset => (Verdict::RequireOtp, true),
    }
}

/// A login's outcome, reported after the attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginResult {
    /// When it happened.
    pub time: Timestamp,
    /// The customer's address.
    pub ip: IpAddr,
    /// The account name typed.
    pub account: String,
    /// Whether the password was accepted.
    pub outcome: LoginOutcome,
    /// The browser's user agent, if known.
    pub user_agent: Option<String>,
}

/// A boxed future, as a sink returns it.
pub type SinkFuture<'a> =
    Pin<Box<dyn std::future::Future<Output = std::result::Result<usize, String>> + Send + 'a>>;

/// Where login results go: the running detection engine. `app` implements it
/// over the live daemon's processing thread; it answers once the result was
/// processed and its decisions stored, with how many decisions it made, or
/// with why it could not be processed.
pub trait LoginSink: Send + Sync + std::fmt::Debug {
    /// Feeds one result to the engine.
    fn submit(&self, result: LoginResult) -> SinkFuture<'_>;
}

/// What can go wrong in a login check or report.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// No detection engine runs in this process (`leakguard serve`): results cannot be used.
    #[error("login results need the live daemon; run `leakguard run` instead of `leakguard serve`")]
    NoEngine,
    /// The engine did not take the result (it is stopping or restarting).
    #[error("the detection engine did not take the result: {0}")]
    EngineUnavailable(String),
    /// An account name that is empty or too long.
    #[error("invalid account: {0}")]
    InvalidAccount(&'static str),
    /// The corpus could not be read (internal).
    #[error(transparent)]
    Corpus(#[from] pwned::Error),
    /// The store failed (internal).
    #[error(transparent)]
    Service(#[from] Error),
}

/// The longest account name accepted, in bytes.
pub const MAX_ACCOUNT_BYTES: usize = 256;

/// Decisions on accounts, by account, for the index they were read from.
#[derive(Debug)]
struct Snapshot {
    /// When the store was last asked; `None` once a change is known.
    checked: Option<Instant>,
    index: Arc<DecisionIndex>,
    accounts: Arc<HashMap<String, Vec<Decision>>>,
}

/// The login check and result intake over a service, a corpus and a sink.
#[derive(Debug)]
pub struct LoginGuard {
    service: Arc<Service>,
    passwords: Option<Arc<Passwords>>,
    sink: Option<Arc<dyn LoginSink>>,
    max_staleness: Duration,
    snapshot: Mutex<Option<Snapshot>>,
    keys: Mutex<HashMap<String, (Instant, Option<ApiClient>)>>,
}

impl LoginGuard {
    /// How stale the decisions may be by default: the store is asked whether
    /// anything changed at most this often.
    pub const DEFAULT_MAX_STALENESS: Duration = Duration::from_millis(100);

    /// A guard over a service; add a corpus and a sink with the `with_` methods.
    pub fn new(service: Arc<Service>) -> LoginGuard {
        LoginGuard {
            service,
            passwords: None,
            sink: None,
            max_staleness: LoginGuard::DEFAULT_MAX_STALENESS,
            snapshot: Mutex::new(None),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Checks passwords against this corpus.
    pub fn with_passwords(mut self, passwords: Arc<Passwords>) -> LoginGuard {
        self.passwords = Some(passwords);
        self
    }

    /// Feeds results to this sink.
    pub fn with_sink(mut self, sink: Arc<dyn LoginSink>) -> LoginGuard {
        self.sink = Some(sink);
        self
    }

    /// Asks the store for changes at most this often (zero: on every check).
    pub fn with_max_staleness(mut self, max_staleness: Duration) -> LoginGuard {
        self.max_staleness = max_staleness;
        self
    }

    /// How stale the decisions may be.
    pub fn max_staleness(&self) -> Duration {
        self.max_staleness
    }

    /// The service behind it.
    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }

    /// Whether results can be reported (a sink is attached).
    pub fn has_engine(&self) -> bool {
        self.sink.is_some()
    }

    /// The client holding this API key, from a short-lived cache.
    pub async fn authenticate(&self, key: &str) -> Result<Option<ApiClient>> {
        if key.is_empty() {
            return Ok(None);
        }
        let hash = store::hash_api_key(key);
        let ttl = Duration::from_secs(KEY_CACHE_SECS);
        {
            let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((checked, client)) = keys.get(&hash)
                && checked.elapsed() < ttl
            {
                return Ok(client.clone());
            }
        }
        let client = self.service.store.api_key_by_hash(&hash).await?.map(ApiClient::from);
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if keys.len() >= KEY_CACHE_ENTRIES {
            keys.retain(|_, (checked, _)| checked.elapsed() < ttl);
            if keys.len() >= KEY_CACHE_ENTRIES {
                keys.clear();
            }
        }
        keys.insert(hash, (Instant::now(), client.clone()));
        Ok(client)
    }

    /// The decision index and the account decisions, refreshed when older than allowed.
    async fn decisions(&self) -> Result<(Arc<DecisionIndex>, Arc<HashMap<String, Vec<Decision>>>)> {
        {
            let snapshot = self.snapshot.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(snapshot) = snapshot.as_ref()
                && snapshot.checked.is_some_and(|checked| checked.elapsed() < self.max_staleness)
            {
                return Ok((snapshot.index.clone(), snapshot.accounts.clone()));
            }
        }
        let checked = Instant::now();
        let (index, _, _) = self.service.current().await?;
        let mut snapshot = self.snapshot.lock().unwrap_or_else(PoisonError::into_inner);
        let accounts = match snapshot.as_ref() {
            Some(previous) if Arc::ptr_eq(&previous.index, &index) => previous.accounts.clone(),
            _ => {
                let mut accounts: HashMap<String, Vec<Decision>> = HashMap::new();
                for decision in
                    index.decisions().filter(|decision| decision.scope == Scope::Account)
                {
                    accounts.entry(decision.value.clone()).or_default().push(decision.clone());
                }
                Arc::new(accounts)
            }
        };
        *snapshot = Some(Snapshot {
            checked: Some(checked),
            index: index.clone(),
            accounts: accounts.clone(),
        });
        Ok((index, accounts))
    }

    /// Forgets the decisions read, so the next check asks the store.
    fn mark_stale(&self) {
        if let Some(snapshot) =
            self.snapshot.lock().unwrap_or_else(PoisonError::into_inner).as_mut()
        {
            snapshot.checked = None;
        }
    }

    /// Whether to allow a login, ask for a one-time password, or refuse; and
    /// whether the password must change.
    pub async fn check(&self, attempt: &LoginAttempt) -> Result<LoginVerdict, LoginError> {
        check_account(&attempt.account)?;
        let now = self.service.now();
        let (index, accounts) = self.decisions().await?;
        let mut reasons: Vec<Reason> = index
            .covering(attempt.ip, now)
            .into_iter()
            .chain(accounts.get(&attempt.account).into_iter().flatten())
            .filter(|decision| decision.is_active(now))
            .cloned()
            .map(Reason::Decision)
            .collect();
        if let (Some(hash), Some(passwords)) = (attempt.password_sha1, &self.passwords) {
            let passwords = passwords.clone();
            let count = tokio::task::spawn_blocking(move || passwords.count_sha1(&hash))
                .await
                .map_err(|error| LoginError::EngineUnavailable(error.to_string()))??;
            if count > 0 {
                reasons.push(Reason::PasswordBreached { count });
            }
        }
        let weigh = |reason: &Reason| match reason {
            Reason::Decision(decision) => consequence(decision.action),
            Reason::PasswordBreached { .. } => (Verdict::Allow, true),
        };
        let verdict = reasons.iter().map(|reason| weigh(reason).0).max().unwrap_or(Verdict::Allow);
        let change_password = reasons.iter().any(|reason| weigh(reason).1);
        reasons.sort_by_key(|reason| std::cmp::Reverse(weigh(reason)));
        Ok(LoginVerdict { verdict, change_password, reasons })
    }

    /// Reports a login's outcome to the engine; returns how many decisions it made.
    pub async fn report(&self, result: LoginResult) -> Result<usize, LoginError> {
        check_account(&result.account)?;
        let sink = self.sink.as_ref().ok_or(LoginError::NoEngine)?;
        let made = sink.submit(result).await.map_err(LoginError::EngineUnavailable)?;
        if made > 0 {
            self.mark_stale();
        }
        Ok(made)
    }
}

fn check_account(account: &str) -> Result<(), LoginError> {
    if account.trim().is_empty() {
        return Err(LoginError::InvalidAccount("it is empty"));
    }
    if account.len() > MAX_ACCOUNT_BYTES {
        return Err(LoginError::InvalidAccount("it is longer than 256 bytes"));
    }
    Ok(())
}
