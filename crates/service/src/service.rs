//! The service and its use cases.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use decisions::{
    Allowlist, Decision, DecisionAction, DecisionId, DecisionIndex, Ledger, NewDecision, Origin,
    Profile, Scope, parse_value,
};
use ipnet::IpNet;
use model::{Alert, Clock, RuleId, Timestamp};
use rand::RngCore;
use store::{AllowRecord, DecisionRecord, NewDecisionRecord, Store, Version};

use crate::{Error, Result};

/// A decision made by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualDecision {
    /// What to do.
    pub action: DecisionAction,
    /// What it applies to.
    pub scope: Scope,
    /// The value (checked and made canonical).
    pub value: String,
    /// How long, in seconds.
    pub duration_secs: u64,
    /// Why.
    pub reason: String,
}

/// A bouncer, as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bouncer {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// When its key was issued.
    pub created: Timestamp,
    /// When it last pulled decisions.
    pub last_pull: Option<Timestamp>,
}

impl From<store::BouncerRecord> for Bouncer {
    fn from(record: store::BouncerRecord) -> Bouncer {
        Bouncer {
            id: record.id,
            name: record.name,
            created: record.created_at,
            last_pull: record.last_pull,
        }
    }
}

/// What a bouncer asks about (CrowdSec's `GET /v1/decisions` parameters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionQuery {
    /// Decisions covering this address.
    pub ip: Option<IpAddr>,
    /// Decisions containing this range (or inside it, when `contains` is false).
    pub range: Option<IpNet>,
    /// For `range`: true for decisions containing it, false for decisions within it.
    pub contains: bool,
    /// Only this scope.
    pub scope: Option<Scope>,
    /// Only this value (with `scope` ip or range: matched as an address or range).
    pub value: Option<String>,
    /// Only this action.
    pub action: Option<DecisionAction>,
}

/// What a bouncer's stream pull returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamPull {
    /// Decisions to start enforcing.
    pub new: Vec<Decision>,
    /// Decisions to stop enforcing (deleted or expired).
    pub deleted: Vec<Decision>,
}

/// The index, the allowlist it was built with, and the highest decision id read into it.
pub(crate) type Snapshot = (Arc<DecisionIndex>, Arc<Allowlist>, i64);

#[derive(Debug)]
struct Cached {
    version: Version,
    /// The highest decision id read into the index (may be above `version`'s
    /// when decisions arrived while it was read).
    max_id_seen: i64,
    index: Arc<DecisionIndex>,
    allowlist: Arc<Allowlist>,
}

/// The use cases over one store.
pub struct Service {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    cache: Mutex<Option<Cached>>,
    /// Held by the one caller refreshing the cache.
    refresh: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("store", &self.store).finish_non_exhaustive()
    }
}

fn to_record(decision: &NewDecision) -> NewDecisionRecord {
    NewDecisionRecord {
        action: decision.action.as_str().to_owned(),
        scope: decision.scope.as_str().to_owned(),
        value: decision.value.clone(),
        origin: decision.origin.as_str().to_owned(),
        rule_id: decision.rule_id.as_ref().map(|id| id.0.clone()),
        alert_id: decision.alert_id.as_ref().map(|id| id.0.clone()),
        reason: decision.reason.clone(),
        created_at: decision.created,
        until: decision.until,
    }
}

fn from_record(record: DecisionRecord) -> Result<Decision> {
    let id = record.id;
    let corrupt = |error| Error::Corrupt { id, error };
    let new = record.new;
    Ok(NewDecision {
        action: new.action.parse().map_err(corrupt)?,
        scope: new.scope.parse().map_err(corrupt)?,
        value: new.value,
        origin: new.origin.parse().map_err(corrupt)?,
        rule_id: new.rule_id.map(RuleId),
        alert_id: new.alert_id.map(model::AlertId),
        reason: new.reason,
        created: new.created_at,
        until: new.until,
    }
    .with_id(DecisionId(id)))
}

fn from_records(records: Vec<DecisionRecord>) -> Result<Vec<Decision>> {
    records.into_iter().map(from_record).collect()
}

/// An allowlist value as a range: an address is its /32 or /128.
fn parse_allow(value: &str) -> Option<IpNet> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .map(|net| net.trunc())
        .ok()
        .or_else(|| value.parse::<IpAddr>().ok().map(IpNet::from))
}

fn compile_allowlist(records: &[AllowRecord]) -> Allowlist {
    Allowlist::new(records.iter().filter_map(|record| parse_allow(&record.value)))
}

/// A new API key: 32 random bytes in hex.
pub(crate) fn generate_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(crate) fn is_valid_bouncer_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
}

impl Service {
    /// A service over an opened store, with a clock for "now".
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Service {
        Service { store, clock, cache: Mutex::new(None), refresh: tokio::sync::Mutex::new(()) }
    }

    /// The current time, from the service's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The cached index and allowlist, if they are at this version.
    fn cached_at(&self, version: Version) -> Option<Snapshot> {
        let cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .as_ref()
            .filter(|cached| cached.version == version)
            .map(|cached| (cached.index.clone(), cached.allowlist.clone(), cached.max_id_seen))
    }

    /// The active, non-allowlisted decisions and the allowlist, brought up to
    /// date when the store changed: in place, reading only the new and deleted
    /// decisions, when the allowlist is unchanged; from scratch otherwise.
    /// One caller refreshes at a time; the others wait and reuse its work.
    pub(crate) async fn current(&self) -> Result<Snapshot> {
        let version = self.store.version().await?;
        if let Some(hit) = self.cached_at(version) {
            return Ok(hit);
        }
        let _refreshing = self.refresh.lock().await;
        let version = self.store.version().await?;
        if let Some(hit) = self.cached_at(version) {
            return Ok(hit);
        }
        let previous = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let now = self.now();
        let cached = match previous {
            Some(mut cached)
                if cached.version.max_allow_id == version.max_allow_id
                    && cached.version.n_allow == version.n_allow =>
            {
                let added = from_records(
                    self.store.active_decisions_after(cached.max_id_seen, now).await?,
                )?;
                let deleted: Vec<DecisionId> = self
                    .store
                    .deleted_ids_after(cached.version.max_deleted_at)
                    .await?
                    .into_iter()
                    .map(DecisionId)
                    .collect();
                // In place unless a request still holds the old index; then on a copy.
                let index = Arc::make_mut(&mut cached.index);
                for decision in added {
                    cached.max_id_seen = cached.max_id_seen.max(decision.id.0);
                    index.insert(decision, &cached.allowlist, now);
                }
                index.remove_all(&deleted);
                cached.version = version;
                cached
            }
            _ => {
                let allowlist = Arc::new(compile_allowlist(&self.store.allowlist().await?));
                let decisions = from_records(self.store.active_decisions(now).await?)?;
                let max_id_seen = decisions
                    .last()
                    .map_or(0, |decision| decision.id.0)
                    .max(version.max_decision_id);
                let index = Arc::new(DecisionIndex::new(decisions, &allowlist, now));
                Cached { version, max_id_seen, index, allowlist }
            }
        };
        let hit = (cached.index.clone(), cached.allowlist.clone(), cached.max_id_seen);
        *self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(cached);
        Ok(hit)
    }

    /// Turns alerts into stored decisions through a profile. `tags` gives each
    /// rule's tags. Alerts that produced decisions before produce none now;
    /// earlier bans (stored or from this batch) escalate new ones.
    pub async fn decide_alerts(
        &self,
        alerts: &[Alert],
        tags: &HashMap<RuleId, Vec<String>>,
        profile: &Profile,
    ) -> Result<Vec<Decision>> {
        let now = self.now();
        let mut ledger = Ledger::new();
        for alert_id in self.store.decided_alert_ids().await? {
            ledger.record_alert(model::AlertId(alert_id));
        }
        for (scope, value, n_bans) in self.store.ban_counts().await? {
            if let Ok(scope) = scope.parse::<Scope>() {
                ledger.record_bans(scope, &value, u32::try_from(n_bans).unwrap_or(u32::MAX));
            }
        }
        let allowlist = compile_allowlist(&self.store.allowlist().await?);
        let no_tags = Vec::new();
        let made: Vec<NewDecisionRecord> = alerts
            .iter()
            .flat_map(|alert| {
                let rule_tags = tags.get(&alert.rule_id).unwrap_or(&no_tags);
                profile.decide(alert, rule_tags, &allowlist, &mut ledger, now)
            })
            .map(|decision| to_record(&decision))
            .collect();
        from_records(self.store.insert_decisions(&made).await?)
    }

    /// Stores a decision made by hand; refused when it touches the allowlist.
    pub async fn add_decision(&self, manual: ManualDecision) -> Result<Decision> {
        let now = self.now();
        let value = parse_value(manual.scope, &manual.value)?;
        let decision = NewDecision {
            action: manual.action,
            scope: manual.scope,
            value,
            origin: Origin::Cli,
            rule_id: None,
            alert_id: None,
            reason: manual.reason,
            created: now,
            until: now.add_secs(i64::try_from(manual.duration_secs).unwrap_or(i64::MAX)),
        };
        for entry in self.store.allowlist().await? {
            if let Some(net) = parse_allow(&entry.value)
                && Allowlist::new([net]).blocks(&decision)
            {
                return Err(Error::Allowlisted { value: decision.value, allowed: entry.value });
            }
        }
        let stored = self.store.insert_decisions(&[to_record(&decision)]).await?;
        let record = stored.into_iter().next().ok_or(Error::NotStored)?;
        from_record(record)
    }

    /// Deletes a decision by id; false when there is no such live decision.
    pub async fn delete_decision(&self, id: DecisionId) -> Result<bool> {
        Ok(self.store.delete_decision(id.0, self.now()).await?)
    }

    /// Deletes every active decision on a scope and value; returns how many.
    pub async fn delete_decisions_on(&self, scope: Scope, value: &str) -> Result<u64> {
        let value = parse_value(scope, value)?;
        Ok(self.store.delete_decisions_on(scope.as_str(), &value, self.now()).await?)
    }

    /// Every active decision, in id order (allowlisted ones included, so the
    /// operator sees what the allowlist overrides).
    pub async fn list_decisions(&self) -> Result<Vec<Decision>> {
        from_records(self.store.active_decisions(self.now()).await?)
    }

    /// The active decisions a bouncer asks about, in id order; never one that
    /// touches the allowlist.
    pub async fn query_decisions(&self, query: &DecisionQuery) -> Result<Vec<Decision>> {
        let now = self.now();
        let (index, _, _) = self.current().await?;
        let mut ip = query.ip;
        let mut range = query.range;
        let mut value = query.value.clone();
        // `scope=ip&value=X` and `scope=range&value=X` match like `ip=` and `range=`.
        if let (Some(scope @ (Scope::Ip | Scope::Range)), Some(text)) = (query.scope, &value) {
            match scope {
                Scope::Ip => ip = ip.or(text.parse().ok()),
                _ => range = range.or(text.parse::<IpNet>().ok().map(|net| net.trunc())),
            }
            if ip.is_some() || range.is_some() {
                value = None;
            }
        }
        let found: Vec<&Decision> = match (ip, range) {
            (Some(ip), _) => index.covering(ip, now),
            (None, Some(range)) if query.contains => index.containing(range, now),
            (None, Some(range)) => index.within(range, now),
            (None, None) => index.decisions().filter(|decision| decision.is_active(now)).collect(),
        };
        let by_scope = query.scope.filter(|_| ip.is_none() && range.is_none());
        Ok(found
            .into_iter()
            .filter(|decision| by_scope.is_none_or(|scope| decision.scope == scope))
            .filter(|decision| value.as_ref().is_none_or(|value| decision.value == *value))
            .filter(|decision| query.action.is_none_or(|action| decision.action == action))
            .cloned()
            .collect())
    }

    /// The banned addresses and ranges for file-based enforcers (nginx,
    /// nftables): active `ban` decisions on ip and range scopes, allowlist excluded.
    pub async fn banned_nets(&self) -> Result<Vec<IpNet>> {
        let (index, _, _) = self.current().await?;
        Ok(decisions::banned_nets(&index, self.now()))
    }

    /// Whether any active decision covers the address.
    pub async fn is_banned(&self, ip: IpAddr) -> Result<bool> {
        let (index, _, _) = self.current().await?;
        Ok(index.is_covered(ip, self.now()))
    }

    /// A bouncer's pull of its stream: with `startup`, every active decision;
    /// otherwise what was added, deleted or expired since its last pull. Only
    /// the given scopes (all when empty); never a decision touching the allowlist.
    pub async fn pull_stream(
        &self,
        bouncer: &Bouncer,
        startup: bool,
        scopes: &[Scope],
    ) -> Result<StreamPull> {
        let now = self.now();
        let wanted = |decision: &Decision| scopes.is_empty() || scopes.contains(&decision.scope);
        if startup {
            // Everything active, straight from the in-memory index (allowlist excluded).
            let (index, _, max_id_seen) = self.current().await?;
            let new = index
                .decisions()
                .filter(|decision| decision.is_active(now) && wanted(decision))
                .cloned()
                .collect();
            let next = store::StreamState { last_decision_id: max_id_seen, last_pull: Some(now) };
            self.store.save_stream_state(bouncer.id, next).await?;
            return Ok(StreamPull { new, deleted: Vec::new() });
        }
        let state = self.store.stream_state(bouncer.id).await?;
        let (new, deleted, next) = self.store.stream_delta(state, now).await?;
        // The allowlist alone (a small table): the index may be stale and costly to refresh.
        let allowlist = compile_allowlist(&self.store.allowlist().await?);
        let new = from_records(new)?
            .into_iter()
            .filter(|decision| wanted(decision) && !allowlist.blocks(&decision.new))
            .collect();
        let deleted = from_records(deleted)?.into_iter().filter(wanted).collect();
        self.store.save_stream_state(bouncer.id, next).await?;
        Ok(StreamPull { new, deleted })
    }

    /// Issues a key for a new bouncer; the key is returned only here (the store keeps its hash).
    pub async fn add_bouncer(&self, name: &str) -> Result<(Bouncer, String)> {
        if !is_valid_bouncer_name(name) {
            return Err(Error::InvalidBouncerName(name.to_owned()));
        }
        let key = generate_key();
        let record = self.store.add_bouncer(name, &store::hash_api_key(&key), self.now()).await?;
        Ok((record.into(), key))
    }

    /// Every bouncer, by name.
    pub async fn list_bouncers(&self) -> Result<Vec<Bouncer>> {
        Ok(self.store.bouncers().await?.into_iter().map(Bouncer::from).collect())
    }

    /// Revokes a bouncer's key; false when there is none of that name.
    pub async fn delete_bouncer(&self, name: &str) -> Result<bool> {
        Ok(self.store.delete_bouncer(name).await?)
    }

    /// The bouncer holding this key, if any.
    pub async fn authenticate(&self, key: &str) -> Result<Option<Bouncer>> {
        if key.is_empty() {
            return Ok(None);
        }
        Ok(self.store.bouncer_by_key_hash(&store::hash_api_key(key)).await?.map(Bouncer::from))
    }

    /// Allowlists an address or range, and deletes the active decisions it
    /// overlaps (so bouncers' streams drop them). Returns the entry and how
    /// many decisions were deleted.
    pub async fn add_allow(&self, value: &str, description: &str) -> Result<(AllowRecord, u64)> {
        let net = parse_allow(value).ok_or_else(|| Error::InvalidAllow(value.to_owned()))?;
        let canonical = match net {
            IpNet::V4(v4) if v4.prefix_len() == 32 => v4.addr().to_string(),
            IpNet::V6(v6) if v6.prefix_len() == 128 => v6.addr().to_string(),
            other => other.to_string(),
        };
        let now = self.now();
        let record = self.store.add_allow(&canonical, description, now).await?;
        let allowlist = Allowlist::new([net]);
        let mut n_deleted = 0;
        for decision in self.store.active_decisions(now).await? {
            let decision = from_record(decision)?;
            if allowlist.blocks(&decision.new)
                && self.store.delete_decision(decision.id.0, now).await?
            {
                n_deleted += 1;
            }
        }
        Ok((record, n_deleted))
    }

    /// The allowlist, in the order entries were added.
    pub async fn list_allow(&self) -> Result<Vec<AllowRecord>> {
        Ok(self.store.allowlist().await?)
    }

    /// Removes an allowlist entry; false when there is none with that value.
    pub async fn delete_allow(&self, value: &str) -> Result<bool> {
        let canonical = match parse_allow(value) {
            Some(IpNet::V4(v4)) if v4.prefix_len() == 32 => v4.addr().to_string(),
            Some(IpNet::V6(v6)) if v6.prefix_len() == 128 => v6.addr().to_string(),
            Some(other) => other.to_string(),
            None => value.to_owned(),
        };
        Ok(self.store.delete_allow(&canonical).await?)
    }
}
