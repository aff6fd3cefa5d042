//! Compiled rules: what the detection engine runs.

use std::collections::HashMap;
use std::time::Duration;

use model::{Event, LocalizedText, RuleId, Severity};
use regex::Regex;

use crate::condition::{Condition, MemoSlots};
use crate::field::{DistinctField, GroupField, TextField};
use crate::kinds::{Baseline, NewValue};
use crate::rule::{KindDef, ResponseDef, parse_rule};
use crate::{Problem, RuleDef, Sets, Site};

/// A validated, compiled set of rules with the site they run against.
///
/// Compiling is all-or-nothing: when any rule has a problem, the caller keeps
/// the rule set it had (rules are hot-swapped atomically).
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    site: Site,
    /// Memory slots of the tests that read only the user agent.
    user_agent_slots: u64,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    id: RuleId,
    origin: String,
    line: usize,
    title: LocalizedText,
    description: Option<LocalizedText>,
    severity: Severity,
    tags: Vec<String>,
    references: Vec<String>,
    false_positives: Vec<LocalizedText>,
    condition: Condition,
    kind: RuleKind,
    group_by: Vec<GroupField>,
    cooldown: Duration,
    responses: Vec<ResponseDef>,
}

/// What a rule counts, with its parameters.
#[derive(Debug, Clone)]
pub enum RuleKind {
    /// Every matching event fires (aggregated per key during the cooldown).
    Match,
    /// Fires when a key's matching events in a sliding window reach the threshold.
    Count {
        /// The window's length.
        window: Duration,
        /// Events (or distinct values) needed.
        threshold: u64,
        /// Count distinct values of this field instead of events.
        distinct: Option<DistinctField>,
    },
    /// Fires on a matching event from a key with no `preceding` event within `within` before it.
    Absence {
        /// The event that should have come first.
        preceding: Condition,
        /// How far back it may be.
        within: Duration,
    },
    /// Fires when a key walks through mostly consecutive ids.
    Enumeration(Enumeration),
    /// Fires when a key's count in the current period exceeds its trailing
    /// baseline by `increase`, with at least `min_count`, and the excess is
    /// concentrated as asked.
    Baseline(Baseline),
    /// Fires on a matching event from a key with a `preceding` event within
    /// `within` before it (and, with `new_value`, a value the key has not shown
    /// before; with `or_flagged`, also when another rule has an alert open for the key).
    Sequence(Sequence),
}

/// The parameters of a `sequence` rule.
#[derive(Debug, Clone)]
pub struct Sequence {
    /// The event that must have come first.
    pub preceding: Condition,
    /// How far back it may be.
    pub within: Duration,
    /// A value the key must not have shown in its earlier matching events.
    pub new_value: Option<NewValue>,
    /// Also fire when another rule grouped the same way has an alert open for the key.
    pub or_flagged: bool,
}

/// The parameters of an `enumeration` rule.
#[derive(Debug, Clone)]
pub struct Enumeration {
    /// The window's length.
    pub window: Duration,
    /// Distinct ids needed.
    pub threshold: u64,
    /// The field the id is read from.
    pub id_from: TextField,
    id_pattern: Regex,
    /// The share of consecutive (sorted) ids that must be close.
    pub sequential_share: f64,
    /// How far apart two ids may be and still count as consecutive.
    pub max_gap: u64,
}

impl Enumeration {
    /// The id an event touches, if its field matches the pattern and the
    /// capture is a number.
    pub fn id_of(&self, event: &Event<'_>) -> Option<u64> {
        let value = self.id_from.value(event);
        // Most values do not match: the plain search is much cheaper than
        // finding the capture, so it goes first.
        if !self.id_pattern.is_match(value) {
            return None;
        }
        let captures = self.id_pattern.captures(value)?;
        captures.get(1)?.as_str().parse().ok()
    }

    /// The id pattern as written.
    pub fn id_pattern(&self) -> &str {
        self.id_pattern.as_str()
    }
}

impl Rule {
    /// The rule's stable id.
    pub fn id(&self) -> &RuleId {
        &self.id
    }

    /// Where it came from, as the caller named it.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The line of its `id` in its origin.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Its title.
    pub fn title(&self) -> &LocalizedText {
        &self.title
    }

    /// Its description, if any.
    pub fn description(&self) -> Option<&LocalizedText> {
        self.description.as_ref()
    }

    /// How bad its alerts are.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Its tags (`credential-stuffing`, `attack.t1110.004`).
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Its references (URLs).
    pub fn references(&self) -> &[String] {
        &self.references
    }

    /// Known false positives.
    pub fn false_positives(&self) -> &[LocalizedText] {
        &self.false_positives
    }

    /// The `where` condition.
    pub fn condition(&self) -> &Condition {
        &self.condition
    }

    /// What it counts.
    pub fn kind(&self) -> &RuleKind {
        &self.kind
    }

    /// The fields its alerts are keyed by (1 to 3).
    pub fn group_by(&self) -> &[GroupField] {
        &self.group_by
    }

    /// After firing, matches closer together than this extend the same alert.
    pub fn cooldown(&self) -> Duration {
        self.cooldown
    }

    /// The responses it proposes.
    pub fn responses(&self) -> &[ResponseDef] {
        &self.responses
    }

    fn uses_payload(&self) -> bool {
        self.condition.uses_payload()
            || matches!(&self.kind, RuleKind::Absence { preceding, .. } if preceding.uses_payload())
            || matches!(&self.kind, RuleKind::Sequence(sequence) if sequence.preceding.uses_payload())
    }

    /// Whether the rule tests or groups by the country or the AS number, so
    /// that without enrichment it can never fire (or fires on nothing).
    pub fn uses_geo(&self) -> bool {
        self.condition.uses_geo()
            || self.group_by.iter().any(|field| field.is_geo())
            || matches!(
                &self.kind,
                RuleKind::Count { distinct: Some(DistinctField::Asn | DistinctField::Country), .. }
            )
            || matches!(&self.kind, RuleKind::Absence { preceding, .. } if preceding.uses_geo())
            || matches!(&self.kind, RuleKind::Sequence(sequence) if sequence.preceding.uses_geo() || sequence.new_value.is_some())
            || matches!(&self.kind, RuleKind::Baseline(baseline) if baseline.concentrated.iter().all(|test| test.by == crate::ConcentrationField::Asn) && !baseline.concentrated.is_empty())
    }
}

impl RuleSet {
    /// Compiles parsed rules: resolves named sets and checks that ids are
    /// unique. Every problem is reported. Rules are kept sorted by id.
    pub fn compile(defs: Vec<RuleDef>, sets: &Sets, site: &Site) -> Result<RuleSet, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut seen: HashMap<String, (String, usize)> = HashMap::new();
        let mut rules = Vec::with_capacity(defs.len());
        let mut memo_slots = MemoSlots::default();
        for def in defs {
            if let Some((origin, line)) = seen.get(&def.id.0) {
                problems.push(Problem::new(
                    &def.origin,
                    def.line,
                    format!("duplicate rule id \"{}\" (also in {origin}:{line})", def.id),
                ));
                continue;
            }
            seen.insert(def.id.0.clone(), (def.origin.clone(), def.line));
            if let Some(rule) = compile_rule(def, sets, &mut problems, &mut memo_slots) {
                rules.push(rule);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        rules.sort_by(|left, right| left.id.cmp(&right.id));
        Ok(RuleSet { rules, site: site.clone(), user_agent_slots: memo_slots.user_agent })
    }

    /// Parses and compiles rule files given as `(origin, text)` pairs, collecting
    /// the problems of every file.
    pub fn compile_sources<'s>(
        sources: impl IntoIterator<Item = (&'s str, &'s str)>,
        sets: &Sets,
        site: &Site,
    ) -> Result<RuleSet, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut defs = Vec::new();
        for (origin, text) in sources {
            match parse_rule(text, origin) {
                Ok(def) => defs.push(def),
                Err(mut found) => problems.append(&mut found),
            }
        }
        match RuleSet::compile(defs, sets, site) {
            Ok(rule_set) if problems.is_empty() => Ok(rule_set),
            Ok(_) => Err(problems),
            Err(mut found) => {
                problems.append(&mut found);
                Err(problems)
            }
        }
    }

    /// No rules.
    pub fn empty(site: &Site) -> RuleSet {
        RuleSet { rules: Vec::new(), site: site.clone(), user_agent_slots: 0 }
    }

    /// The rules, sorted by id.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|rule| rule.id.0.as_str().cmp(id))
            .ok()
            .map(|idx| &self.rules[idx])
    }

    /// The per-event memory slots ([`crate::Facts::memory`]) of the tests
    /// that read only the user agent: their answers hold for every event with
    /// the same user agent, so the engine may carry them from one event to the next.
    pub fn user_agent_slots(&self) -> u64 {
        self.user_agent_slots
    }

    /// The site the rules run against.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Whether any rule tests payload verdicts (so the caller should supply an inspector).
    pub fn uses_payload(&self) -> bool {
        self.rules.iter().any(Rule::uses_payload)
    }

    /// The rules that test or group by country or AS number (they need enrichment).
    pub fn geo_rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|rule| rule.uses_geo())
    }

    /// How many rules there are.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn compile_rule(
    def: RuleDef,
    sets: &Sets,
    problems: &mut Vec<Problem>,
    memo_slots: &mut MemoSlots,
) -> Option<Rule> {
    let condition = Condition::compile(def.condition, sets, &def.origin, problems, memo_slots);
    let kind = match def.kind {
        KindDef::Match => Some(RuleKind::Match),
        KindDef::Count { window, threshold, distinct } => {
            Some(RuleKind::Count { window, threshold, distinct })
        }
        KindDef::Absence { preceding, within } => {
            Condition::compile(preceding, sets, &def.origin, problems, memo_slots)
                .map(|preceding| RuleKind::Absence { preceding, within })
        }
        KindDef::Baseline(baseline) => Some(RuleKind::Baseline(baseline)),
        KindDef::Sequence(sequence) => {
            Condition::compile(sequence.preceding, sets, &def.origin, problems, memo_slots).map(
                |preceding| {
                    RuleKind::Sequence(Sequence {
                        preceding,
                        within: sequence.within,
                        new_value: sequence.new_value,
                        or_flagged: sequence.or_flagged,
                    })
                },
            )
        }
        KindDef::Enumeration {
            window,
            threshold,
            id_from,
            id_pattern,
            sequential_share,
            max_gap,
        } => Some(RuleKind::Enumeration(Enumeration {
            window,
            threshold,
            id_from,
            id_pattern,
            sequential_share,
            max_gap,
        })),
    };
    Some(Rule {
        id: def.id,
        origin: def.origin,
        line: def.line,
        title: def.title,
        description: def.description,
        severity: def.severity,
        tags: def.tags,
        references: def.references,
        false_positives: def.false_positives,
        condition: condition?,
        kind: kind?,
        group_by: def.group_by,
        cooldown: def.cooldown,
        responses: def.responses,
    })
}
