//! Statutory clocks as data: `data/jurisdictions.toml`, compiled in and
//! parsed into [`Jurisdictions`].

use serde::{Deserialize, Serialize};

use crate::task::TaskKind;
use crate::{Error, Result};

/// The table shipped with leakguard.
pub const JURISDICTIONS_TOML: &str = include_str!("../data/jurisdictions.toml");

/// Whether an obligation binds today or is a draft built for in advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LawStatus {
    /// In force.
    InForce,
    /// Promulgated or drafted, not yet in force.
    Draft,
}

/// Where an obligation's clock starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// When the shop learned of the incident.
    Discovered,
    /// When another obligation was met (its task done), else at its deadline.
    After(String),
}

/// One condition under which an obligation applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Always.
    Always,
    /// Special data (PDPA Art. 6) is involved.
    SpecialData,
    /// The incident is malicious.
    Malicious,
    /// Likely high risk to the people (GDPR Art. 34).
    HighRisk,
    /// Likely significant harm (Singapore).
    SignificantHarm,
    /// At least this many records affected.
    RecordsAtLeast(u64),
    /// At least this many people affected.
    PeopleAtLeast(u64),
    /// More than this many people affected.
    PeopleMoreThan(u64),
    /// The affected system holds at least this many records.
    SystemRecordsAtLeast(u64),
}

impl Condition {
    fn parse(text: &str) -> Option<Condition> {
        let text = text.trim();
        let simple = match text {
            "always" => Some(Condition::Always),
            "special_data" => Some(Condition::SpecialData),
            "malicious" => Some(Condition::Malicious),
            "high_risk" => Some(Condition::HighRisk),
            "significant_harm" => Some(Condition::SignificantHarm),
            _ => None,
        };
        if simple.is_some() {
            return simple;
        }
        let mut parts = text.split_whitespace();
        let (subject, operator, number) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let number: u64 = number.replace(',', "").parse().ok()?;
        match (subject, operator) {
            ("records", ">=") => Some(Condition::RecordsAtLeast(number)),
            ("people", ">=") => Some(Condition::PeopleAtLeast(number)),
            ("people", ">") => Some(Condition::PeopleMoreThan(number)),
            ("system_records", ">=") => Some(Condition::SystemRecordsAtLeast(number)),
            _ => None,
        }
    }
}

/// What is known of an incident's scale: the inputs of the conditions.
/// `None` is "not yet known" (the scope has not been computed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// People affected.
    pub people: Option<u64>,
    /// Records affected.
    pub records: Option<u64>,
    /// Records of special data affected.
    pub special_records: Option<u64>,
    /// Records the affected system holds.
    pub system_records: Option<u64>,
    /// Malicious incident.
    pub malicious: bool,
    /// Likely high risk.
    pub high_risk: bool,
    /// Likely significant harm.
    pub significant_harm: bool,
}

/// Whether an obligation applies to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// It applies.
    Applies,
    /// It may apply: a count it depends on is not known yet.
    Possible,
    /// It does not apply on the facts known.
    NotApplicable,
}

impl Condition {
    /// Some(true/false) when decidable on the facts, None when a count is unknown.
    fn holds(&self, facts: &Facts) -> Option<bool> {
        let at_least = |value: Option<u64>, bound: u64| value.map(|value| value >= bound);
        match *self {
            Condition::Always => Some(true),
            Condition::SpecialData => facts.special_records.map(|count| count > 0),
            Condition::Malicious => Some(facts.malicious),
            Condition::HighRisk => Some(facts.high_risk),
            Condition::SignificantHarm => Some(facts.significant_harm),
            Condition::RecordsAtLeast(bound) => at_least(facts.records, bound),
            Condition::PeopleAtLeast(bound) => at_least(facts.people, bound),
            Condition::PeopleMoreThan(bound) => facts.people.map(|people| people > bound),
            Condition::SystemRecordsAtLeast(bound) => at_least(facts.system_records, bound),
        }
    }
}

/// One statutory duty: who is told, by when, under which law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Obligation {
    /// Stable id (`tw-moda-72h`).
    pub id: String,
    /// The jurisdiction's id.
    pub jurisdiction: String,
    /// The checklist task it belongs to.
    pub task: TaskKind,
    /// Who is told, in English.
    pub authority_en: String,
    /// Who is told, in Traditional Chinese.
    pub authority_zh: String,
    /// The legal source.
    pub law: String,
    /// In force or draft.
    pub status: LawStatus,
    /// The clock in hours; `None` is "without undue delay" (no fixed deadline).
    pub hours: Option<i64>,
    /// The clock for malicious incidents, when it differs.
    pub hours_malicious: Option<i64>,
    /// Where the clock starts.
    pub anchor: Anchor,
    /// Applies when any of these holds.
    pub when: Vec<Condition>,
    /// A note in English.
    pub note_en: String,
    /// A note in Traditional Chinese.
    pub note_zh: String,
}

impl Obligation {
    /// Whether it applies on the facts known.
    pub fn applicability(&self, facts: &Facts) -> Applicability {
        let mut unknown = false;
        for condition in &self.when {
            match condition.holds(facts) {
                Some(true) => return Applicability::Applies,
                Some(false) => {}
                None => unknown = true,
            }
        }
        if unknown { Applicability::Possible } else { Applicability::NotApplicable }
    }

    /// The clock in hours for this incident.
    pub fn hours_for(&self, malicious: bool) -> Option<i64> {
        if malicious { self.hours_malicious.or(self.hours) } else { self.hours }
    }
}

/// A jurisdiction and its obligations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jurisdiction {
    /// Id (`tw`, `eu`, `jp`, `sg`, `us-ca`).
    pub id: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Its obligations.
    pub obligations: Vec<Obligation>,
}

/// Good-practice targets (hours from discovery) for tasks no law times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practice {
    /// Stop the leak.
    pub contain: i64,
    /// Preserve the evidence.
    pub preserve_evidence: i64,
    /// Know who is affected.
    pub scope: i64,
    /// Warn the people of scam calls.
    pub warn_scam_calls: i64,
    /// Fix the cause.
    pub fix_cause: i64,
    /// Review the handling.
    pub review: i64,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jurisdictions {
    /// Targets for the untimed tasks.
    pub practice: Practice,
    /// The jurisdictions, in file order.
    pub jurisdictions: Vec<Jurisdiction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    practice: Practice,
    jurisdiction: Vec<RawJurisdiction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJurisdiction {
    id: String,
    name_en: String,
    name_zh: String,
    obligation: Vec<RawObligation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObligation {
    id: String,
    task: String,
    authority_en: String,
    authority_zh: String,
    law: String,
    status: LawStatus,
    hours: Option<i64>,
    hours_malicious: Option<i64>,
    from: String,
    when: Vec<String>,
    note_en: String,
    note_zh: String,
}

impl Jurisdictions {
    /// The table shipped with leakguard.
    pub fn builtin() -> Jurisdictions {
        Jurisdictions::parse(JURISDICTIONS_TOML)
            .expect("the shipped jurisdictions.toml is valid (tested)")
    }

    /// Parses a table; every problem is named with the obligation's id.
    pub fn parse(text: &str) -> Result<Jurisdictions> {
        let raw: RawTable =
            toml::from_str(text).map_err(|error| Error::Jurisdictions(error.to_string()))?;
        let mut problems = Vec::new();
        let mut jurisdictions = Vec::new();
        let mut ids = Vec::new();
        for raw_jurisdiction in raw.jurisdiction {
            let mut obligations = Vec::new();
            for raw_obligation in raw_jurisdiction.obligation {
                let id = raw_obligation.id.clone();
                let task = match raw_obligation.task.parse::<TaskKind>() {
                    Ok(task) => task,
                    Err(error) => {
                        problems.push(format!("{id}: {error}"));
                        continue;
                    }
                };
                let anchor = match raw_obligation.from.as_str() {
                    "discovered" => Anchor::Discovered,
                    other => match other.strip_prefix("after:") {
                        Some(previous) => Anchor::After(previous.to_owned()),
                        None => {
                            problems.push(format!("{id}: unknown clock start {other:?}"));
                            continue;
                        }
                    },
                };
                let mut when = Vec::new();
                for text in &raw_obligation.when {
                    match Condition::parse(text) {
                        Some(condition) => when.push(condition),
                        None => problems.push(format!("{id}: unknown condition {text:?}")),
                    }
                }
                if ids.contains(&id) {
                    problems.push(format!("{id}: duplicate obligation id"));
                }
                ids.push(id.clone());
                obligations.push(Obligation {
                    id,
                    jurisdiction: raw_jurisdiction.id.clone(),
                    task,
                    authority_en: raw_obligation.authority_en,
                    authority_zh: raw_obligation.authority_zh,
                    law: raw_obligation.law,
                    status: raw_obligation.status,
                    hours: raw_obligation.hours,
                    hours_malicious: raw_obligation.hours_malicious,
                    anchor,
                    when,
                    note_en: raw_obligation.note_en,
                    note_zh: raw_obligation.note_zh,
                });
            }
            jurisdictions.push(Jurisdiction {
                id: raw_jurisdiction.id,
                name_en: raw_jurisdiction.name_en,
                name_zh: raw_jurisdiction.name_zh,
                obligations,
            });
        }
        for jurisdiction in &jurisdictions {
            for obligation in &jurisdiction.obligations {
                if let Anchor::After(previous) = &obligation.anchor
                    && !jurisdiction.obligations.iter().any(|other| &other.id == previous)
                {
                    problems.push(format!(
                        "{}: its clock starts after {previous:?}, which is not an obligation of {}",
                        obligation.id, jurisdiction.id
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Jurisdictions(problems.join("; ")));
        }
        Ok(Jurisdictions { practice: raw.practice, jurisdictions })
    }

    /// A jurisdiction by id.
    pub fn get(&self, id: &str) -> Option<&Jurisdiction> {
        self.jurisdictions.iter().find(|jurisdiction| jurisdiction.id == id)
    }

    /// Checks that every id is known, naming the unknown one and the known ones.
    pub fn check_ids(&self, ids: &[String]) -> Result<()> {
        for id in ids {
            if self.get(id).is_none() {
                return Err(Error::UnknownValue {
                    what: "jurisdiction",
                    value: id.clone(),
                    known: self
                        .jurisdictions
                        .iter()
                        .map(|jurisdiction| jurisdiction.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        Ok(())
    }
}
