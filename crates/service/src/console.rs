//! The console's other use cases: the audit trail, stored alerts and traffic.

use model::{Alert, Timestamp};
use serde::{Deserialize, Serialize};
use store::{AlertFilter, AlertRecord, AuditEntry, AuditVerdict, NewAuditEntry};

use crate::{Decision, DecisionAction, ManualDecision, Result, Scope, Service};

/// One evidence line of a stored alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLine {
    /// The source the line came from.
    pub source: String,
    /// Its 1-based line number.
    pub line: u64,
    /// The line.
    pub text: String,
}

/// A response a rule proposed, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedResponse {
    /// `ban`, `force_reset`, `require_otp`, `notify`.
    pub action: String,
    /// `ip`, `range`, `account`...
    pub scope: String,
    /// The value.
    pub value: String,
    /// How long, in seconds.
    #[serde(default)]
    pub duration_secs: Option<u64>,
}

/// A stored alert, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    /// The stored record.
    pub record: AlertRecord,
    /// Its evidence lines.
    pub evidence: Vec<EvidenceLine>,
    /// What the rule proposed.
    pub responses: Vec<ProposedResponse>,
}

fn to_alert_record(alert: &Alert, now: Timestamp) -> AlertRecord {
    let evidence: Vec<EvidenceLine> = alert
        .samples
        .iter()
        .map(|sample| EvidenceLine {
            source: sample.source.clone(),
            line: sample.line,
            text: sample.text.clone(),
        })
        .collect();
    let responses: Vec<ProposedResponse> = alert
        .response
        .iter()
        .map(|response| ProposedResponse {
            action: serde_json::to_value(response.action)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default(),
            scope: response.scope.as_str().to_owned(),
            value: response.value.clone(),
            duration_secs: response.duration_secs,
        })
        .collect();
    AlertRecord {
        id: alert.id.0.clone(),
        rule_id: alert.rule_id.0.clone(),
        title_en: alert.title.en.clone(),
        title_zh: alert.title.zh_tw.clone(),
        severity: alert.severity.as_str().to_owned(),
        key_kind: alert.key.kind.as_str().to_owned(),
        key_value: alert.key.value.clone(),
        key_text: alert.key.to_string(),
        count: i64::try_from(alert.count).unwrap_or(i64::MAX),
        first_seen: alert.first_seen,
        last_seen: alert.last_seen,
        reason: alert.reason.clone(),
        samples: serde_json::to_string(&evidence).unwrap_or_else(|_| "[]".to_owned()),
        response: serde_json::to_string(&responses).unwrap_or_else(|_| "[]".to_owned()),
        stored_at: now,
    }
}

fn from_alert_record(record: AlertRecord) -> StoredAlert {
    // A row that does not parse shows without evidence rather than failing the page.
    let evidence = serde_json::from_str(&record.samples).unwrap_or_default();
    let responses = serde_json::from_str(&record.response).unwrap_or_default();
    StoredAlert { record, evidence, responses }
}

/// A hand-written ban or unban from the console, with who asked and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor<'a> {
    /// The user name.
    pub name: &'a str,
    /// The client address.
    pub address: &'a str,
}

impl Service {
    /// Appends an entry to the audit trail, stamped with the service's clock.
    pub async fn audit(
        &self,
        actor: &str,
        address: &str,
        action: &str,
        target: &str,
        purpose: &str,
    ) -> Result<AuditEntry> {
        let entry = NewAuditEntry {
            at: self.now(),
            actor: actor.to_owned(),
            address: address.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            purpose: purpose.to_owned(),
        };
        Ok(self.store.append_audit(&entry).await?)
    }

    /// Entries after an id, oldest first.
    pub async fn audit_entries(&self, after_id: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(self.store.audit_entries(after_id, limit).await?)
    }

    /// The newest entries, newest first.
    pub async fn latest_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(self.store.latest_audit(limit).await?)
    }

    /// Recomputes the audit chain.
    pub async fn verify_audit(&self) -> Result<AuditVerdict> {
        Ok(self.store.verify_audit().await?)
    }

    /// Stores alerts for the console (again: updates count, last time and evidence).
    pub async fn store_alerts(&self, alerts: &[Alert]) -> Result<()> {
        let now = self.now();
        let records: Vec<AlertRecord> =
            alerts.iter().map(|alert| to_alert_record(alert, now)).collect();
        Ok(self.store.upsert_alerts(&records).await?)
    }

    /// Stored alerts, newest first.
    pub async fn list_alerts(&self, filter: &AlertFilter) -> Result<Vec<StoredAlert>> {
        Ok(self.store.alerts(filter).await?.into_iter().map(from_alert_record).collect())
    }

    /// One stored alert.
    pub async fn alert(&self, id: &str) -> Result<Option<StoredAlert>> {
        Ok(self.store.alert(id).await?.map(from_alert_record))
    }

    /// Adds requests and errors per hour.
    pub async fn add_traffic(&self, buckets: &[(Timestamp, i64, i64)]) -> Result<()> {
        Ok(self.store.add_traffic(buckets).await?)
    }

    /// Requests and errors per hour since a time.
    pub async fn traffic(&self, since: Timestamp) -> Result<Vec<(Timestamp, i64, i64)>> {
        Ok(self.store.traffic(since).await?)
    }

    /// Bans an address from the console, recorded in the audit trail.
    pub async fn ban_by(
        &self,
        actor: &Actor<'_>,
        scope: Scope,
        value: &str,
        duration_secs: u64,
        reason: &str,
    ) -> Result<Decision> {
        let decision = self
            .add_decision(ManualDecision {
                action: DecisionAction::Ban,
                scope,
                value: value.to_owned(),
                duration_secs,
                reason: reason.to_owned(),
            })
            .await?;
        let target =
            format!("decision {} ban {} {}", decision.id.0, scope.as_str(), decision.value);
        self.audit(actor.name, actor.address, "decision_add", &target, reason).await?;
        Ok(decision)
    }

    /// Deletes every live decision on a scope and value from the console, recorded in the audit trail.
    pub async fn unban_by(&self, actor: &Actor<'_>, scope: Scope, value: &str) -> Result<u64> {
        let value = decisions::parse_value(scope, value)?;
        let deleted = self.delete_decisions_on(scope, &value).await?;
        let target = format!("{} {value} ({deleted} deleted)", scope.as_str());
        self.audit(actor.name, actor.address, "decision_delete", &target, "").await?;
        Ok(deleted)
    }

    /// Deletes one decision by id from the console, recorded in the audit trail.
    pub async fn delete_decision_by(&self, actor: &Actor<'_>, id: i64) -> Result<bool> {
        let done = self.delete_decision(crate::DecisionId(id)).await?;
        if done {
            self.audit(actor.name, actor.address, "decision_delete", &format!("decision {id}"), "")
                .await?;
        }
        Ok(done)
    }
}
