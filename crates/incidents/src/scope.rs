//! Scoping: from the records a breach exposed to the people affected,
//! deduplicated by person, with the fields exposed per person and the counts
//! the notice and the report need.
//!
//! The caller reads the shop's data and names each record's identity keys
//! (normalized e-mail, phone, national id: `email:a@b.tw`) and exposed fields
//! (the `pii` detectors' kind names); two records that share any key are the
//! same person.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

/// How to reach a person: what a notice is sent to. Never printed in clear.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The person's name.
    pub name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

impl std::fmt::Debug for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data stays out of logs and panics.
        f.debug_struct("Contact")
            .field("name", &self.name.as_ref().map(|_| "…"))
            .field("email", &self.email.as_ref().map(|_| "…"))
            .field("phone", &self.phone.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Contact {
    fn merge(&mut self, other: Contact) {
        if self.name.is_none() {
            self.name = other.name;
        }
        if self.email.is_none() {
            self.email = other.email;
        }
        if self.phone.is_none() {
            self.phone = other.phone;
        }
    }
}

/// One exposed record (an order, a member row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExposedRecord {
    /// Normalized identity keys (`email:…`, `phone:…`, `national_id:…`).
    pub keys: Vec<String>,
    /// The kinds of data exposed in it (`email`, `phone`, `address`...).
    pub fields: BTreeSet<String>,
    /// Whether it holds special data (PDPA Art. 6: medical, genetic, sex
    /// life, health examination, criminal record).
    pub is_special: bool,
    /// How to reach its person.
    pub contact: Contact,
}

/// One person affected, after deduplication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedPerson {
    /// How to reach them.
    pub contact: Contact,
    /// Every kind of data of theirs exposed.
    pub fields: BTreeSet<String>,
    /// How many records of theirs.
    pub records: u64,
    /// Whether any of them holds special data.
    pub has_special: bool,
}

/// The counts for the notice and the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeSummary {
    /// People affected (deduplicated).
    pub people: u64,
    /// Records affected.
    pub records: u64,
    /// Records with special data.
    pub special_records: u64,
    /// Records with general data only.
    pub general_records: u64,
    /// Per kind of data: how many people had it exposed.
    pub people_per_field: BTreeMap<String, u64>,
    /// Per kind of data: how many records held it.
    pub records_per_field: BTreeMap<String, u64>,
    /// Records without any identity key (each counted as its own person).
    pub records_without_key: u64,
    /// People with neither e-mail nor phone (they need a letter or the public notice).
    pub people_without_contact: u64,
}

/// The people and the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// The people, in first-seen order.
    pub people: Vec<AffectedPerson>,
    /// The counts.
    pub summary: ScopeSummary,
}

fn find(parent: &mut [usize], mut idx: usize) -> usize {
    while parent[idx] != idx {
        parent[idx] = parent[parent[idx]];
        idx = parent[idx];
    }
    idx
}

/// Groups records by person (any shared key joins two records) and counts.
pub fn deduplicate(records: Vec<ExposedRecord>) -> Scope {
    let mut parent: Vec<usize> = (0..records.len()).collect();
    let mut owner_of_key: HashMap<&str, usize> = HashMap::new();
    for (idx, record) in records.iter().enumerate() {
        for key in &record.keys {
            match owner_of_key.get(key.as_str()) {
                Some(&other) => {
                    let (a, b) = (find(&mut parent, idx), find(&mut parent, other));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    owner_of_key.insert(key, idx);
                }
            }
        }
    }
    let mut summary = ScopeSummary::default();
    let roots: Vec<usize> = (0..records.len()).map(|idx| find(&mut parent, idx)).collect();
    let mut person_of_root: HashMap<usize, usize> = HashMap::new();
    let mut people: Vec<AffectedPerson> = Vec::new();
    for (record, root) in records.into_iter().zip(roots) {
        summary.records += 1;
        if record.is_special {
            summary.special_records += 1;
        } else {
            summary.general_records += 1;
        }
        if record.keys.is_empty() {
            summary.records_without_key += 1;
        }
        for field in &record.fields {
            *summary.records_per_field.entry(field.clone()).or_default() += 1;
        }
        let idx = *person_of_root.entry(root).or_insert_with(|| {
            people.push(AffectedPerson {
                contact: Contact::default(),
                fields: BTreeSet::new(),
                records: 0,
                has_special: false,
            });
            people.len() - 1
        });
        let person = &mut people[idx];
        person.records += 1;
        person.has_special |= record.is_special;
        person.fields.extend(record.fields);
        person.contact.merge(record.contact);
    }
    summary.people = people.len() as u64;
    for person in &people {
        for field in &person.fields {
            *summary.people_per_field.entry(field.clone()).or_default() += 1;
        }
        if person.contact.email.is_none() && person.contact.phone.is_none() {
            summary.people_without_contact += 1;
        }
    }
    Scope { people, summary }
}
