//! A rule file: parsing its YAML text into a checked [`RuleDef`].

use std::time::Duration;

use model::{Action, KeyKind, LocalizedText, RuleId, Severity};
use regex::Regex;
use serde_yaml_ng::Value;

use crate::condition::{ConditionDef, parse_condition};
use crate::duration::parse_duration;
use crate::field::{DistinctField, GroupField, TextField};
use crate::kinds::{
    Baseline, BaselineKeys, SequenceDef, SequenceKeys, read_baseline, read_sequence,
};
use crate::location::Step;
use crate::pattern::one_line;
use crate::problem::did_you_mean;
use crate::reader::{Fields, Path, Reader, describe};
use crate::{Problem, format_duration};

/// The shortest cooldown: alerts closer together than this are one alert.
pub(crate) const MIN_COOLDOWN: Duration = Duration::from_secs(60);
/// The cooldown of `match` and `absence` rules when the rule gives none.
pub(crate) const DEFAULT_EVENT_COOLDOWN: Duration = Duration::from_secs(600);
/// The largest threshold a rule may ask for.
pub(crate) const MAX_THRESHOLD: u64 = 1_000_000;

/// A parsed and checked rule file, not yet compiled (sets are resolved by
/// [`RuleSet::compile`](crate::RuleSet::compile)).
#[derive(Debug, Clone)]
pub struct RuleDef {
    pub(crate) origin: String,
    pub(crate) line: usize,
    pub(crate) id: RuleId,
    pub(crate) title: LocalizedText,
    pub(crate) description: Option<LocalizedText>,
    pub(crate) severity: Severity,
    pub(crate) tags: Vec<String>,
    pub(crate) references: Vec<String>,
    pub(crate) false_positives: Vec<LocalizedText>,
    pub(crate) condition: ConditionDef,
    pub(crate) kind: KindDef,
    pub(crate) group_by: Vec<GroupField>,
    pub(crate) cooldown: Duration,
    pub(crate) responses: Vec<ResponseDef>,
}

impl RuleDef {
    /// The rule's id.
    pub fn id(&self) -> &RuleId {
        &self.id
    }

    /// Where the rule came from, as the caller named it.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The line of the rule's `id`.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The rule's title.
    pub fn title(&self) -> &LocalizedText {
        &self.title
    }
}

#[derive(Debug, Clone)]
pub(crate) enum KindDef {
    Match,
    Count {
        window: Duration,
        threshold: u64,
        distinct: Option<DistinctField>,
    },
    Absence {
        preceding: ConditionDef,
        within: Duration,
    },
    Enumeration {
        window: Duration,
        threshold: u64,
        id_from: TextField,
        id_pattern: Regex,
        sequential_share: f64,
        max_gap: u64,
    },
    Baseline(Baseline),
    Sequence(SequenceDef),
}

/// A response a rule proposes when it fires: `{action: ban, scope: ip, duration: 24h}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseDef {
    /// What to do.
    pub action: Action,
    /// What it applies to; its value comes from the alert's key.
    pub scope: KeyKind,
    /// How long it lasts, when it expires.
    pub duration: Option<Duration>,
}

const TOP_FIELDS: [&str; 9] = [
    "id",
    "title",
    "description",
    "severity",
    "tags",
    "references",
    "false_positives",
    "detection",
    "response",
];

const DETECTION_FIELDS: [&str; 21] = [
    "kind",
    "where",
    "group_by",
    "window",
    "threshold",
    "distinct",
    "cooldown",
    "unless_preceded_by",
    "id_from",
    "id_pattern",
    "sequential_share",
    "max_gap",
    "period",
    "history",
    "increase",
    "min_count",
    "concentrated",
    "preceded_by",
    "new_value",
    "remember",
    "or_flagged",
];

/// Parses one rule file. `origin` names it in problems (`rules/magento/admin-bruteforce.yaml`).
///
/// Every problem found is returned, each with its line.
pub fn parse_rule(text: &str, origin: &str) -> Result<RuleDef, Vec<Problem>> {
    let value: Value = match serde_yaml_ng::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            let line = error.location().map_or(0, |location| location.line());
            let message = error.to_string();
            // The message ends with " at line L column C"; the line is already in front.
            let message = match message.find(" at line ") {
                Some(at) => message[..at].to_owned(),
                None => message,
            };
            return Err(vec![Problem::new(origin, line, format!("invalid YAML: {message}"))]);
        }
    };
    let mut reader = Reader::new(origin, text);
    let def = read_rule(&mut reader, &value);
    match def {
        Some(def) if reader.problems.is_empty() => Ok(def),
        _ => {
            let mut problems = reader.problems;
            if problems.is_empty() {
                problems.push(Problem::new(origin, 1, "invalid rule"));
            }
            Err(problems)
        }
    }
}

pub(crate) fn required<'v>(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'v>,
    key: &str,
) -> Option<(&'v Value, Path)> {
    let found = fields.take(key);
    if found.is_none() {
        let path = fields.path.clone();
        reader.problem(&path, format!("missing field \"{key}\""));
    }
    found
}

fn read_rule(reader: &mut Reader<'_>, value: &Value) -> Option<RuleDef> {
    if matches!(value, Value::Null) {
        reader.problem(&[], "empty rule file");
        return None;
    }
    let mut fields = reader.mapping(value, &[], "a rule")?;
    let id =
        required(reader, &mut fields, "id").and_then(|(value, path)| read_id(reader, value, &path));
    let line = reader.line(&[Step::Key("id".to_owned())]);
    let title = required(reader, &mut fields, "title")
        .and_then(|(value, path)| read_localized(reader, value, &path, "\"title\""));
    let description = fields
        .take("description")
        .map(|(value, path)| read_localized(reader, value, &path, "\"description\""));
    let severity = required(reader, &mut fields, "severity")
        .and_then(|(value, path)| read_severity(reader, value, &path));
    let tags = fields.take("tags").map(|(value, path)| read_tags(reader, value, &path));
    let references =
        fields.take("references").map(|(value, path)| read_references(reader, value, &path));
    let false_positives = fields.take("false_positives").map(|(value, path)| {
        reader
            .list(value, &path, "\"false_positives\"", false)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(item, item_path)| {
                read_localized(reader, item, &item_path, "a false positive")
            })
            .collect::<Vec<_>>()
    });
    let detection = required(reader, &mut fields, "detection")
        .and_then(|(value, path)| read_detection(reader, value, &path));
    let responses = match (fields.take("response"), &detection) {
        (Some((value, path)), Some(detection)) => {
            read_responses(reader, value, &path, &detection.2)
        }
        _ => Some(Vec::new()),
    };
    fields.finish(reader, &TOP_FIELDS);
    let (condition, kind, group_by, cooldown) = detection?;
    Some(RuleDef {
        origin: reader.origin.to_owned(),
        line,
        id: id?,
        title: title?,
        description: description.flatten(),
        severity: severity?,
        tags: tags.unwrap_or_default(),
        references: references.unwrap_or_default(),
        false_positives: false_positives.unwrap_or_default(),
        condition,
        kind,
        group_by,
        cooldown,
        responses: responses?,
    })
}

fn read_id(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Option<RuleId> {
    let id = reader.text(value, path, "\"id\"", false)?;
    let is_valid = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--");
    if !is_valid {
        reader.problem(
            path,
            format!(
                "rule id \"{id}\" must be lowercase letters, digits and single dashes (at most 64)"
            ),
        );
        return None;
    }
    Some(RuleId(id))
}

fn read_localized(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
    what: &str,
) -> Option<LocalizedText> {
    if let Value::String(text) = value {
        return Some(LocalizedText { en: text.clone(), zh_tw: String::new() });
    }
    let mut fields = reader.mapping(value, path, what)?;
    let en = match fields.take("en") {
        Some((value, path)) => reader.text(value, &path, "\"en\"", false),
        None => {
            reader.problem(path, format!("{what} needs an \"en\" text"));
            None
        }
    };
    let zh_tw = match fields.take("zh-TW") {
        Some((value, path)) => reader.text(value, &path, "\"zh-TW\"", false),
        None => Some(String::new()),
    };
    fields.finish(reader, &["en", "zh-TW"]);
    let en = en?;
    if en.trim().is_empty() {
        reader.problem(path, format!("{what} is empty"));
        return None;
    }
    Some(LocalizedText { en, zh_tw: zh_tw? })
}

fn read_severity(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Option<Severity> {
    let name = reader.text(value, path, "\"severity\"", false)?;
    let all = [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];
    let found = all.into_iter().find(|severity| severity.as_str() == name);
    if found.is_none() {
        let names: Vec<&str> = all.iter().map(|severity| severity.as_str()).collect();
        reader.problem(
            path,
            format!(
                "unknown severity \"{name}\" ({}){}",
                names.join(", "),
                did_you_mean(&name, &names)
            ),
        );
    }
    found
}

fn read_tags(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Vec<String> {
    let mut tags = Vec::new();
    for (item, item_path) in reader.list(value, path, "\"tags\"", false).unwrap_or_default() {
        let Some(tag) = reader.text(item, &item_path, "a tag", false) else { continue };
        if tag.is_empty() || tag.chars().any(char::is_whitespace) {
            reader.problem(&item_path, format!("tag \"{tag}\" must be one word"));
            continue;
        }
        tags.push(tag);
    }
    tags
}

fn read_references(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Vec<String> {
    let mut references = Vec::new();
    for (item, item_path) in reader.list(value, path, "\"references\"", false).unwrap_or_default() {
        let Some(reference) = reader.text(item, &item_path, "a reference", false) else {
            continue;
        };
        if !reference.starts_with("https://") && !reference.starts_with("http://") {
            reader.problem(&item_path, format!("reference \"{reference}\" must be a URL"));
            continue;
        }
        references.push(reference);
    }
    references
}

pub(crate) fn read_duration(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
    what: &str,
) -> Option<Duration> {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => {
            reader.problem(
                path,
                format!("{what} {number} has no unit (write {number}s, {number}m, {number}h...)"),
            );
            return None;
        }
        other => {
            reader.problem(
                path,
                format!("{what} must be a duration like 10m, not {}", describe(other)),
            );
            return None;
        }
    };
    match parse_duration(&text) {
        Some(duration) if duration.is_zero() => {
            reader.problem(path, format!("{what} must be longer than 0"));
            None
        }
        Some(duration) => Some(duration),
        None => {
            reader.problem(
                path,
                format!(
                    "{what} \"{text}\" is not a duration (500ms, 10s, 10m, 24h, 1d; at most 90d)"
                ),
            );
            None
        }
    }
}

fn read_threshold(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
    minimum: u64,
) -> Option<u64> {
    let threshold = reader.unsigned(value, path, "\"threshold\"")?;
    if threshold < minimum {
        reader.problem(path, format!("threshold must be at least {minimum}"));
        return None;
    }
    if threshold > MAX_THRESHOLD {
        reader.problem(path, format!("threshold must be at most {MAX_THRESHOLD}"));
        return None;
    }
    Some(threshold)
}

type Detection = (ConditionDef, KindDef, Vec<GroupField>, Duration);

fn read_detection(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Option<Detection> {
    let mut fields = reader.mapping(value, path, "\"detection\"")?;
    let n_problems = reader.problems.len();
    let kind_name = required(reader, &mut fields, "kind")
        .and_then(|(value, path)| Some((reader.text(value, &path, "\"kind\"", false)?, path)));
    let condition = required(reader, &mut fields, "where")
        .and_then(|(value, path)| parse_condition(reader, value, &path));
    let group_by = match fields.take("group_by") {
        Some((value, path)) => read_group_by(reader, value, &path),
        None => Some(vec![GroupField::Ip]),
    };
    // Read every kind-specific key, then check which ones the kind uses.
    let mut taken: Vec<(&'static str, Path)> = Vec::new();
    let window = take_tracked(&mut fields, &mut taken, "window");
    let threshold = take_tracked(&mut fields, &mut taken, "threshold");
    let distinct = take_tracked(&mut fields, &mut taken, "distinct");
    let unless = take_tracked(&mut fields, &mut taken, "unless_preceded_by");
    let id_from = take_tracked(&mut fields, &mut taken, "id_from");
    let id_pattern = take_tracked(&mut fields, &mut taken, "id_pattern");
    let sequential_share = take_tracked(&mut fields, &mut taken, "sequential_share");
    let max_gap = take_tracked(&mut fields, &mut taken, "max_gap");
    let baseline_keys = BaselineKeys {
        period: take_tracked(&mut fields, &mut taken, "period"),
        history: take_tracked(&mut fields, &mut taken, "history"),
        increase: take_tracked(&mut fields, &mut taken, "increase"),
        min_count: take_tracked(&mut fields, &mut taken, "min_count"),
        concentrated: take_tracked(&mut fields, &mut taken, "concentrated"),
    };
    let sequence_keys = SequenceKeys {
        preceded_by: take_tracked(&mut fields, &mut taken, "preceded_by"),
        new_value: take_tracked(&mut fields, &mut taken, "new_value"),
        remember: take_tracked(&mut fields, &mut taken, "remember"),
        or_flagged: take_tracked(&mut fields, &mut taken, "or_flagged"),
    };
    let cooldown = fields.take("cooldown").and_then(|(value, path)| {
        let cooldown = read_duration(reader, value, &path, "cooldown")?;
        if cooldown < MIN_COOLDOWN {
            reader.problem(
                &path,
                format!(
                    "cooldown {} is shorter than the minimum {}",
                    format_duration(cooldown),
                    format_duration(MIN_COOLDOWN)
                ),
            );
        }
        Some(cooldown)
    });
    fields.finish(reader, &DETECTION_FIELDS);

    let (kind_name, kind_path) = kind_name?;
    let (used, minimum_threshold): (&[&str], u64) = match kind_name.as_str() {
        "match" => (&[], 1),
        "count" => (&["window", "threshold", "distinct"], 1),
        "absence" => (&["unless_preceded_by"], 1),
        "enumeration" => {
            (&["window", "threshold", "id_from", "id_pattern", "sequential_share", "max_gap"], 2)
        }
        "baseline" => (&["period", "history", "increase", "min_count", "concentrated"], 1),
        "sequence" => (&["preceded_by", "new_value", "remember", "or_flagged"], 1),
        other => {
            let kinds = ["match", "count", "absence", "enumeration", "baseline", "sequence"];
            reader.problem(
                &kind_path,
                format!(
                    "unknown kind \"{other}\" (match, count, absence, enumeration, baseline or sequence){}",
                    did_you_mean(other, &kinds)
                ),
            );
            return None;
        }
    };
    for (key, key_path) in &taken {
        if !used.contains(key) {
            reader.problem(key_path, format!("\"{key}\" is not used by kind {kind_name}"));
        }
    }
    let need = |reader: &mut Reader<'_>, found, key| need_key(reader, path, &kind_name, found, key);
    let kind = match kind_name.as_str() {
        "match" => Some(KindDef::Match),
        "count" => {
            let window = need(reader, window, "window")
                .and_then(|(value, path)| read_duration(reader, value, &path, "window"));
            let threshold = need(reader, threshold, "threshold")
                .and_then(|(value, path)| read_threshold(reader, value, &path, minimum_threshold));
            let distinct = match distinct {
                Some((value, path)) => {
                    let name = reader.text(value, &path, "\"distinct\"", false);
                    match name.as_deref().map(|name| (name, DistinctField::from_name(name))) {
                        Some((_, Some(field))) => Some(Some(field)),
                        Some((name, None)) => {
                            reader.problem(&path, format!("cannot count distinct \"{name}\""));
                            None
                        }
                        None => None,
                    }
                }
                None => Some(None),
            };
            Some(KindDef::Count { window: window?, threshold: threshold?, distinct: distinct? })
        }
        "absence" => {
            let unless = need(reader, unless, "unless_preceded_by")
                .and_then(|(value, path)| read_preceded(reader, value, &path));
            unless.map(|(preceding, within)| KindDef::Absence { preceding, within })
        }
        "baseline" => read_baseline(reader, path, &baseline_keys).map(KindDef::Baseline),
        "sequence" => read_sequence(reader, path, &sequence_keys).map(KindDef::Sequence),
        _ => {
            let window = need(reader, window, "window")
                .and_then(|(value, path)| read_duration(reader, value, &path, "window"));
            let threshold = need(reader, threshold, "threshold")
                .and_then(|(value, path)| read_threshold(reader, value, &path, minimum_threshold));
            let id_from = need(reader, id_from, "id_from").and_then(|(value, path)| {
                let name = reader.text(value, &path, "\"id_from\"", false)?;
                let field = TextField::from_name(&name);
                if field.is_none() {
                    reader.problem(
                        &path,
                        format!("\"id_from\" must be a text field, not \"{name}\""),
                    );
                }
                field
            });
            let id_pattern = need(reader, id_pattern, "id_pattern")
                .and_then(|(value, path)| read_id_pattern(reader, value, &path));
            let sequential_share = match sequential_share {
                Some((value, path)) => {
                    reader.float(value, &path, "\"sequential_share\"").and_then(|share| {
                        if (0.0..=1.0).contains(&share) {
                            Some(share)
                        } else {
                            reader.problem(&path, "sequential_share must be between 0 and 1");
                            None
                        }
                    })
                }
                None => Some(0.6),
            };
            let max_gap = match max_gap {
                Some((value, path)) => {
                    reader.unsigned(value, &path, "\"max_gap\"").and_then(|gap| {
                        if gap == 0 {
                            reader.problem(&path, "max_gap must be at least 1");
                            None
                        } else {
                            Some(gap)
                        }
                    })
                }
                None => Some(3),
            };
            Some(KindDef::Enumeration {
                window: window?,
                threshold: threshold?,
                id_from: id_from?,
                id_pattern: id_pattern?,
                sequential_share: sequential_share?,
                max_gap: max_gap?,
            })
        }
    };
    let kind = kind?;
    let default_cooldown = match &kind {
        KindDef::Count { window, .. } | KindDef::Enumeration { window, .. } => {
            (*window).max(MIN_COOLDOWN)
        }
        KindDef::Baseline(baseline) => baseline.period,
        KindDef::Match | KindDef::Absence { .. } | KindDef::Sequence(_) => DEFAULT_EVENT_COOLDOWN,
    };
    let cooldown = cooldown.unwrap_or(default_cooldown);
    if reader.problems.len() > n_problems {
        return None;
    }
    Some((condition?, kind, group_by?, cooldown))
}

fn take_tracked<'v>(
    fields: &mut Fields<'v>,
    taken: &mut Vec<(&'static str, Path)>,
    key: &'static str,
) -> Option<(&'v Value, Path)> {
    let found = fields.take(key);
    if let Some((_, path)) = &found {
        taken.push((key, path.clone()));
    }
    found
}

fn need_key<'v>(
    reader: &mut Reader<'_>,
    path: &[Step],
    kind_name: &str,
    found: Option<(&'v Value, Path)>,
    key: &str,
) -> Option<(&'v Value, Path)> {
    if found.is_none() {
        reader.problem(path, format!("kind {kind_name} needs \"{key}\""));
    }
    found
}

fn read_group_by(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Option<Vec<GroupField>> {
    let items = reader.list(value, path, "\"group_by\"", true)?;
    if items.is_empty() || items.len() > 3 {
        reader.problem(path, "group_by needs 1 to 3 fields");
        return None;
    }
    let names: Vec<&str> = GroupField::ALL.iter().map(|field| field.as_str()).collect();
    let mut fields = Vec::new();
    for (item, item_path) in items {
        let name = reader.text(item, &item_path, "a group_by field", false)?;
        let Some(field) = GroupField::from_name(&name) else {
            reader.problem(
                &item_path,
                format!(
                    "cannot group by \"{name}\" ({}){}",
                    names.join(", "),
                    did_you_mean(&name, &names)
                ),
            );
            return None;
        };
        if fields.contains(&field) {
            reader.problem(&item_path, format!("\"{name}\" appears twice in group_by"));
            return None;
        }
        fields.push(field);
    }
    if fields.len() > 1 && fields.contains(&GroupField::Site) {
        reader.problem(path, "\"site\" already groups everything; use it alone");
        return None;
    }
    Some(fields)
}

fn read_preceded(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
) -> Option<(ConditionDef, Duration)> {
    let mut fields = reader.mapping(value, path, "\"unless_preceded_by\"")?;
    let condition = required(reader, &mut fields, "where")
        .and_then(|(value, path)| parse_condition(reader, value, &path));
    let within = required(reader, &mut fields, "within")
        .and_then(|(value, path)| read_duration(reader, value, &path, "within"));
    fields.finish(reader, &["where", "within"]);
    Some((condition?, within?))
}

fn read_id_pattern(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Option<Regex> {
    let source = reader.text(value, path, "\"id_pattern\"", false)?;
    match Regex::new(&source) {
        Ok(regex) if regex.captures_len() == 2 => Some(regex),
        Ok(regex) => {
            reader.problem(
                path,
                format!(
                    "id_pattern \"{source}\" must have exactly one capture group (it has {})",
                    regex.captures_len() - 1
                ),
            );
            None
        }
        Err(error) => {
            reader.problem(path, format!("invalid regex \"{source}\": {}", one_line(&error)));
            None
        }
    }
}

fn read_responses(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
    group_by: &[GroupField],
) -> Option<Vec<ResponseDef>> {
    let items = reader.list(value, path, "\"response\"", false)?;
    let n_problems = reader.problems.len();
    let mut responses = Vec::new();
    for (item, item_path) in items {
        let Some(mut fields) = reader.mapping(item, &item_path, "a response") else { continue };
        let action = required(reader, &mut fields, "action").and_then(|(value, path)| {
            let name = reader.text(value, &path, "\"action\"", false)?;
            let actions = ["ban", "force_reset", "require_otp", "notify"];
            let action = match name.as_str() {
                "ban" => Action::Ban,
                "force_reset" => Action::ForceReset,
                "require_otp" => Action::RequireOtp,
                "notify" => Action::Notify,
                other => {
                    reader.problem(
                        &path,
                        format!(
                            "unknown action \"{other}\" ({}){}",
                            actions.join(", "),
                            did_you_mean(other, &actions)
                        ),
                    );
                    return None;
                }
            };
            Some((action, path))
        });
        let scope = required(reader, &mut fields, "scope").and_then(|(value, path)| {
            let name = reader.text(value, &path, "\"scope\"", false)?;
            let scope = match name.as_str() {
                "ip" => KeyKind::Ip,
                "range" => KeyKind::Range,
                "account" => KeyKind::Account,
                "session" => KeyKind::Session,
                "site" => KeyKind::Site,
                "asn" => KeyKind::Asn,
                "country" => KeyKind::Country,
                "path" => KeyKind::Path,
                other => {
                    let scopes =
                        ["ip", "range", "account", "session", "site", "asn", "country", "path"];
                    reader.problem(
                        &path,
                        format!(
                            "unknown scope \"{other}\" ({}){}",
                            scopes.join(", "),
                            did_you_mean(other, &scopes)
                        ),
                    );
                    return None;
                }
            };
            Some((scope, path))
        });
        let duration = fields
            .take("duration")
            .map(|(value, path)| (read_duration(reader, value, &path, "duration"), path));
        fields.finish(reader, &["action", "scope", "duration"]);
        let (Some((action, action_path)), Some((scope, scope_path))) = (action, scope) else {
            continue;
        };
        let is_derivable = match scope {
            KeyKind::Ip => group_by.contains(&GroupField::Ip),
            KeyKind::Range => {
                group_by.contains(&GroupField::Ip) || group_by.contains(&GroupField::Range)
            }
            KeyKind::Account => group_by.contains(&GroupField::Account),
            KeyKind::Session => group_by.contains(&GroupField::Session),
            KeyKind::Asn => group_by.contains(&GroupField::Asn),
            KeyKind::Country => group_by.contains(&GroupField::Country),
            KeyKind::Path => group_by.contains(&GroupField::Path),
            _ => true,
        };
        if !is_derivable {
            let names: Vec<&str> = group_by.iter().map(|field| field.as_str()).collect();
            reader.problem(
                &scope_path,
                format!(
                    "scope \"{}\" is not in group_by [{}], so the alert has no value for it",
                    scope.as_str(),
                    names.join(", ")
                ),
            );
        }
        match action {
            Action::Ban
                if !matches!(
                    scope,
                    KeyKind::Ip | KeyKind::Range | KeyKind::Asn | KeyKind::Country
                ) =>
            {
                reader.problem(
                    &scope_path,
                    format!(
                        "ban applies to an ip, a range, an asn or a country, not {}",
                        scope.as_str()
                    ),
                )
            }
            Action::ForceReset | Action::RequireOtp if scope != KeyKind::Account => reader.problem(
                &scope_path,
                format!(
                    "{} applies to an account, not {}",
                    if action == Action::ForceReset { "force_reset" } else { "require_otp" },
                    scope.as_str()
                ),
            ),
            _ => {}
        }
        let duration = match duration {
            Some((Some(duration), duration_path)) => {
                if action == Action::Notify {
                    reader.problem(&duration_path, "notify takes no duration");
                }
                Some(duration)
            }
            Some((None, _)) => None,
            None => {
                if action == Action::Ban {
                    reader.problem(&action_path, "ban needs a duration");
                }
                None
            }
        };
        responses.push(ResponseDef { action, scope, duration });
    }
    (reader.problems.len() == n_problems).then_some(responses)
}
