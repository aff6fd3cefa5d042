//! The `baseline` and `sequence` kinds: their parameters and how they are read.

use std::time::Duration;

use serde_yaml_ng::Value;

use crate::condition::{ConditionDef, parse_condition};
use crate::format_duration;
use crate::location::Step;
use crate::problem::did_you_mean;
use crate::reader::{Path, Reader};
use crate::rule::{read_duration, required};

/// Trailing periods a baseline may average at most.
pub(crate) const MAX_HISTORY: u64 = 30;
/// Values a `concentrated` test may name at most (`top`).
pub(crate) const MAX_TOP: u64 = 16;

/// What a baseline's excess may be concentrated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcentrationField {
    /// Client addresses.
    Ip,
    /// Autonomous systems (from enrichment).
    Asn,
}

impl ConcentrationField {
    /// The name used in rules.
    pub fn as_str(self) -> &'static str {
        match self {
            ConcentrationField::Ip => "ip",
            ConcentrationField::Asn => "asn",
        }
    }
}

/// `{by: ip, top: 5, share: 50%}`: the `top` values of `by` that grew most
/// since the previous period made at least `share` of the excess over the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concentration {
    /// What the excess is concentrated in.
    pub by: ConcentrationField,
    /// How many values may share it.
    pub top: u32,
    /// The share of the excess they must make (0 to 1).
    pub share: f64,
}

/// The parameters of a `baseline` rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The length of one period (periods are aligned on the Unix epoch, UTC).
    pub period: Duration,
    /// Trailing periods averaged into the baseline.
    pub history: u32,
    /// How far above the baseline the period's count must be (0.1 for 10%).
    pub increase: f64,
    /// The smallest count per period that can fire.
    pub min_count: u64,
    /// Where the excess must be concentrated (any one suffices); empty: a rise alone fires.
    pub concentrated: Vec<Concentration>,
}

impl Baseline {
    /// The count a period must exceed to be a rise over `baseline`, at least `min_count`.
    pub fn threshold(&self, baseline: f64) -> u64 {
        let above = (baseline * (1.0 + self.increase)).floor();
        let above = if above >= u64::MAX as f64 { u64::MAX } else { above as u64 + 1 };
        above.max(self.min_count)
    }
}

/// Reads a percentage (`10%`, `12.5%`) into a fraction.
fn read_percent(reader: &mut Reader<'_>, value: &Value, path: &[Step], what: &str) -> Option<f64> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => {
            reader.problem(path, format!("{what} {number} needs a percent sign (write {number}%)"));
            return None;
        }
        _ => {
            reader.problem(path, format!("{what} must be a percentage like 10%"));
            return None;
        }
    };
    let parsed = text.strip_suffix('%').and_then(|number| number.trim().parse::<f64>().ok());
    match parsed {
        Some(percent) if (0.0..=10_000.0).contains(&percent) => Some(percent / 100.0),
        _ => {
            reader.problem(
                path,
                format!("{what} \"{text}\" is not a percentage from 0% to 10000% (like 10%)"),
            );
            None
        }
    }
}

fn read_count(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
    what: &str,
    range: (u64, u64),
) -> Option<u64> {
    let number = reader.unsigned(value, path, what)?;
    if number < range.0 || number > range.1 {
        reader.problem(path, format!("{what} must be from {} to {}", range.0, range.1));
        return None;
    }
    Some(number)
}

/// Reads a `baseline` detection's own keys, already taken from the mapping.
pub(crate) fn read_baseline(
    reader: &mut Reader<'_>,
    path: &[Step],
    keys: &BaselineKeys<'_>,
) -> Option<Baseline> {
    let need = |reader: &mut Reader<'_>, found: &Option<(&Value, Path)>, key: &str| {
        if found.is_none() {
            reader.problem(path, format!("kind baseline needs \"{key}\""));
        }
    };
    need(reader, &keys.period, "period");
    need(reader, &keys.increase, "increase");
    need(reader, &keys.min_count, "min_count");
    let period =
        keys.period.as_ref().and_then(|(value, path)| read_duration(reader, value, path, "period"));
    if let (Some(found), Some((_, period_path))) = (period, &keys.period)
        && found < Duration::from_secs(60)
    {
        reader.problem(
            period_path,
            format!("period {} is shorter than the minimum 1m", format_duration(found)),
        );
    }
    let history = match &keys.history {
        Some((value, path)) => {
            read_count(reader, value, path, "history", (1, MAX_HISTORY)).map(|n| n as u32)
        }
        None => Some(7),
    };
    let increase = keys
        .increase
        .as_ref()
        .and_then(|(value, path)| read_percent(reader, value, path, "increase"));
    let min_count = keys.min_count.as_ref().and_then(|(value, path)| {
        read_count(reader, value, path, "min_count", (1, crate::rule::MAX_THRESHOLD))
    });
    let concentrated = match &keys.concentrated {
        Some((value, path)) => read_concentrated(reader, value, path),
        None => Some(Vec::new()),
    };
    Some(Baseline {
        period: period?,
        history: history?,
        increase: increase?,
        min_count: min_count?,
        concentrated: concentrated?,
    })
}

/// The keys of a `baseline` detection.
#[derive(Default)]
pub(crate) struct BaselineKeys<'v> {
    pub(crate) period: Option<(&'v Value, Path)>,
    pub(crate) history: Option<(&'v Value, Path)>,
    pub(crate) increase: Option<(&'v Value, Path)>,
    pub(crate) min_count: Option<(&'v Value, Path)>,
    pub(crate) concentrated: Option<(&'v Value, Path)>,
}

fn read_concentrated(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
) -> Option<Vec<Concentration>> {
    let items = match value {
        Value::Mapping(_) => vec![(value, path.to_vec())],
        _ => reader.list(value, path, "\"concentrated\"", false)?,
    };
    let n_problems = reader.problems.len();
    let mut found = Vec::new();
    for (item, item_path) in items {
        let Some(mut fields) = reader.mapping(item, &item_path, "a \"concentrated\" test") else {
            continue;
        };
        let by = required(reader, &mut fields, "by").and_then(|(value, path)| {
            let name = reader.text(value, &path, "\"by\"", false)?;
            match name.as_str() {
                "ip" => Some(ConcentrationField::Ip),
                "asn" => Some(ConcentrationField::Asn),
                other => {
                    reader.problem(
                        &path,
                        format!(
                            "cannot test concentration in \"{other}\" (ip, asn){}",
                            did_you_mean(other, &["ip", "asn"])
                        ),
                    );
                    None
                }
            }
        });
        let top = match fields.take("top") {
            Some((value, path)) => read_count(reader, value, &path, "top", (1, MAX_TOP)),
            None => Some(1),
        };
        let share = required(reader, &mut fields, "share").and_then(|(value, path)| {
            let share = read_percent(reader, value, &path, "share")?;
            if share > 1.0 {
                reader.problem(&path, "share must be at most 100%");
                return None;
            }
            Some(share)
        });
        fields.finish(reader, &["by", "top", "share"]);
        if let (Some(by), Some(top), Some(share)) = (by, top, share) {
            found.push(Concentration { by, top: top as u32, share });
        }
    }
    if found.is_empty() && reader.problems.len() == n_problems {
        reader.problem(path, "\"concentrated\" needs at least one test");
    }
    (reader.problems.len() == n_problems).then_some(found)
}

/// The parameters of a `sequence` rule, not yet compiled.
#[derive(Debug, Clone)]
pub(crate) struct SequenceDef {
    pub(crate) preceding: ConditionDef,
    pub(crate) within: Duration,
    pub(crate) new_value: Option<NewValue>,
    pub(crate) or_flagged: bool,
}

/// A value a key must not have shown before (`new_value: country`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewValue {
    /// The field (country or AS number).
    pub field: NoveltyField,
    /// How long a value seen stays known.
    pub remember: Duration,
}

/// A field whose values a `sequence` rule can remember per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoveltyField {
    /// The client's country.
    Country,
    /// The client's autonomous system.
    Asn,
}

impl NoveltyField {
    /// The name used in rules.
    pub fn as_str(self) -> &'static str {
        match self {
            NoveltyField::Country => "country",
            NoveltyField::Asn => "asn",
        }
    }
}

/// The keys of a `sequence` detection.
#[derive(Default)]
pub(crate) struct SequenceKeys<'v> {
    pub(crate) preceded_by: Option<(&'v Value, Path)>,
    pub(crate) new_value: Option<(&'v Value, Path)>,
    pub(crate) remember: Option<(&'v Value, Path)>,
    pub(crate) or_flagged: Option<(&'v Value, Path)>,
}

/// Reads a `sequence` detection's own keys.
pub(crate) fn read_sequence(
    reader: &mut Reader<'_>,
    path: &[Step],
    keys: &SequenceKeys<'_>,
) -> Option<SequenceDef> {
    let Some((value, preceded_path)) = &keys.preceded_by else {
        reader.problem(path, "kind sequence needs \"preceded_by\"");
        return None;
    };
    let preceded = read_preceded_by(reader, value, preceded_path);
    let field = match &keys.new_value {
        Some((value, path)) => {
            let name = reader.text(value, path, "\"new_value\"", false);
            match name.as_deref() {
                Some("country") => Some(Some(NoveltyField::Country)),
                Some("asn") => Some(Some(NoveltyField::Asn)),
                Some(other) => {
                    reader.problem(
                        path,
                        format!(
                            "cannot remember \"{other}\" (country, asn){}",
                            did_you_mean(other, &["country", "asn"])
                        ),
                    );
                    None
                }
                None => None,
            }
        }
        None => Some(None),
    };
    let remember = match &keys.remember {
        Some((value, remember_path)) => {
            if keys.new_value.is_none() {
                reader.problem(remember_path, "\"remember\" needs \"new_value\"");
            }
            read_duration(reader, value, remember_path, "remember")
        }
        None => Some(Duration::from_secs(30 * 86_400)),
    };
    let or_flagged = match &keys.or_flagged {
        Some((value, path)) => reader.boolean(value, path, "\"or_flagged\""),
        None => Some(false),
    };
    let (preceding, within) = preceded?;
    let field = field?;
    let remember = remember?;
    Some(SequenceDef {
        preceding,
        within,
        new_value: field.map(|field| NewValue { field, remember }),
        or_flagged: or_flagged?,
    })
}

fn read_preceded_by(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
) -> Option<(ConditionDef, Duration)> {
    let mut fields = reader.mapping(value, path, "\"preceded_by\"")?;
    let condition = required(reader, &mut fields, "where")
        .and_then(|(value, path)| parse_condition(reader, value, &path));
    let within = required(reader, &mut fields, "within")
        .and_then(|(value, path)| read_duration(reader, value, &path, "within"));
    fields.finish(reader, &["where", "within"]);
    Some((condition?, within?))
}
