//! Conditions: a `where` mapping of field → matcher (all must hold), with
//! `any`, `all` and `not` to combine them.
//!
//! Parsing produces a `ConditionDef` (checked, with lines, set names not yet
//! resolved); compiling resolves sets and builds the fast matchers of a
//! [`Condition`], ordered so cheap tests run first.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use foldhash::fast::RandomState;
use ipnet::IpNet;
use model::Country;
use regex::Regex;
use serde_yaml_ng::Value;

use crate::facts::{
    Facts, Prefilter, kind_bit, method_bit, outcome_bit, presence_bit, status_bit, status_bits,
};
use crate::field::{
    Field, KINDS, NOTICES, NumberField, OUTCOMES, TextField, kind_name, notice_name, outcome_name,
};
use crate::location::Step;
use crate::pattern::one_line;
use crate::payload::{Confidence, Detector, PayloadFlags};
use crate::problem::did_you_mean;
use crate::reader::{Reader, describe};
use crate::site::EndpointClass;
use crate::{Problem, Sets};

/// Lists longer than this use a set or an automaton instead of a linear scan.
const LINEAR_LIMIT: usize = 8;

#[derive(Debug, Clone)]
pub(crate) enum ConditionDef {
    All(Vec<ConditionDef>),
    Any(Vec<ConditionDef>),
    Not(Box<ConditionDef>),
    Test { test: TestDef, line: usize },
}

#[derive(Debug, Clone)]
pub(crate) enum TestDef {
    Text {
        field: TextField,
        ops: Vec<TextOpDef>,
        ignore_case: bool,
    },
    Number {
        field: NumberField,
        ranges: Vec<(u64, u64)>,
    },
    Ip(Vec<IpOpDef>),
    Kind(u8),
    Outcome(u8),
    Notice(u16),
    Endpoint(u16),
    IsStatic(bool),
    Exists {
        field: Field,
        expected: bool,
    },
    Payload(u64),
    /// Countries listed, and a set of codes to add at compile time.
    Country {
        codes: Vec<Country>,
        set: Option<String>,
    },
    /// AS numbers listed, and a set of numbers to add at compile time.
    Asn {
        numbers: Vec<u32>,
        set: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum TextOpDef {
    Equals(Vec<String>),
    Prefix(Vec<String>),
    Suffix(Vec<String>),
    Contains(Vec<String>),
    Regex(Regex),
    InSet { name: String, mode: SetMode },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetMode {
    Exact,
    Prefix,
    Suffix,
    Contains,
}

#[derive(Debug, Clone)]
pub(crate) enum IpOpDef {
    Nets(Vec<IpNet>),
    InSet(String),
}

const COMBINATORS: [&str; 3] = ["any", "all", "not"];

/// Parses a condition mapping (`where:`). Problems go to the reader; `None` when any was found.
pub(crate) fn parse_condition(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
) -> Option<ConditionDef> {
    let mut fields = reader.mapping(value, path, "a condition")?;
    if fields.is_empty() {
        reader.problem(path, "empty condition (name at least one field)");
        return None;
    }
    let n_problems = reader.problems.len();
    let mut children = Vec::new();
    for (key, value, path) in fields.rest() {
        let parsed = match key {
            "any" | "all" => {
                let Some(items) = reader.list(value, &path, &format!("\"{key}\""), false) else {
                    continue;
                };
                if items.is_empty() {
                    reader.problem(&path, format!("\"{key}\" needs at least one condition"));
                    continue;
                }
                let items: Vec<ConditionDef> = items
                    .iter()
                    .filter_map(|(item, path)| parse_condition(reader, item, path))
                    .collect();
                Some(if key == "any" { ConditionDef::Any(items) } else { ConditionDef::All(items) })
            }
            "not" => {
                parse_condition(reader, value, &path).map(|inner| ConditionDef::Not(inner.into()))
            }
            name => match Field::from_name(name) {
                Some(field) => parse_test(reader, field, value, &path),
                None => {
                    let mut known = Field::names();
                    known.extend(COMBINATORS);
                    reader.problem(
                        &path,
                        format!("unknown field \"{name}\"{}", did_you_mean(name, &known)),
                    );
                    None
                }
            },
        };
        children.extend(parsed);
    }
    if reader.problems.len() > n_problems {
        return None;
    }
    Some(if children.len() == 1 { children.remove(0) } else { ConditionDef::All(children) })
}

fn parse_test(
    reader: &mut Reader<'_>,
    field: Field,
    value: &Value,
    path: &[Step],
) -> Option<ConditionDef> {
    let line = reader.line(path);
    if let Value::Sequence(items) = value
        && items.iter().any(|item| matches!(item, Value::Mapping(_)))
    {
        // A list with matcher mappings: any of them.
        let mut children = Vec::new();
        let mut is_ok = true;
        for (idx, item) in items.iter().enumerate() {
            let mut item_path = path.to_vec();
            item_path.push(Step::Index(idx));
            match parse_test(reader, field, item, &item_path) {
                Some(child) => children.push(child),
                None => is_ok = false,
            }
        }
        return is_ok.then_some(ConditionDef::Any(children));
    }
    if let Value::Mapping(_) = value {
        let mut fields = reader.mapping(value, path, "a matcher")?;
        if let Some((flag, flag_path)) = fields.take("exists") {
            let expected = reader.boolean(flag, &flag_path, "\"exists\"")?;
            if !fields.rest().is_empty() {
                reader.problem(path, "\"exists\" cannot be combined with other matchers");
                return None;
            }
            return Some(ConditionDef::Test { test: TestDef::Exists { field, expected }, line });
        }
    }
    let test = match field {
        Field::Text(text) => parse_text(reader, text, value, path),
        Field::Number(number) => parse_number(reader, number, value, path),
        Field::ClientIp => parse_ip(reader, value, path),
        Field::Kind => parse_names(reader, value, path, "event kind", &kind_names())
            .map(|bits| TestDef::Kind(fold_bits(&bits, |idx| kind_bit(KINDS[idx])))),
        Field::Outcome => parse_names(reader, value, path, "outcome", &outcome_names())
            .map(|bits| TestDef::Outcome(fold_bits(&bits, |idx| outcome_bit(Some(OUTCOMES[idx]))))),
        Field::Notice => parse_names(reader, value, path, "notice", &notice_names())
            .map(|bits| TestDef::Notice(fold_bits(&bits, |idx| 1u16 << idx))),
        Field::Endpoint => {
            parse_names(reader, value, path, "endpoint class", &EndpointClass::names())
                .map(|bits| TestDef::Endpoint(fold_bits(&bits, |idx| 1u16 << idx)))
        }
        Field::IsStatic => reader.boolean(value, path, "\"is_static\"").map(TestDef::IsStatic),
        Field::Payload => parse_payload(reader, value, path),
        Field::Country | Field::Asn => parse_geo(reader, field, value, path),
    }?;
    Some(ConditionDef::Test { test, line })
}

fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|kind| kind_name(*kind)).collect()
}

fn outcome_names() -> Vec<&'static str> {
    OUTCOMES.iter().map(|outcome| outcome_name(*outcome)).collect()
}

fn notice_names() -> Vec<&'static str> {
    NOTICES.iter().map(|notice| notice_name(*notice)).collect()
}

fn fold_bits<T: std::ops::BitOr<Output = T> + Default>(
    indices: &[usize],
    bit: impl Fn(usize) -> T,
) -> T {
    indices.iter().fold(T::default(), |bits, idx| bits | bit(*idx))
}

/// One name or a list of names from `known`, as indices into it.
fn parse_names(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &[Step],
    what: &str,
    known: &[&str],
) -> Option<Vec<usize>> {
    let items = reader.list(value, path, what, true)?;
    let mut indices = Vec::new();
    let mut is_ok = true;
    for (item, item_path) in items {
        let Some(name) = reader.text(item, &item_path, what, false) else {
            is_ok = false;
            continue;
        };
        match known.iter().position(|candidate| *candidate == name) {
            Some(idx) => indices.push(idx),
            None => {
                reader.problem(
                    &item_path,
                    format!("unknown {what} \"{name}\"{}", did_you_mean(&name, known)),
                );
                is_ok = false;
            }
        }
    }
    is_ok.then_some(indices)
}

/// A scalar or a list of scalars as text.
fn texts(reader: &mut Reader<'_>, value: &Value, path: &[Step], what: &str) -> Option<Vec<String>> {
    let items = reader.list(value, path, what, true)?;
    if items.is_empty() {
        reader.problem(path, format!("{what} needs at least one value"));
        return None;
    }
    let mut values = Vec::new();
    for (item, item_path) in items {
        values.push(reader.text(item, &item_path, what, true)?);
    }
    Some(values)
}

const TEXT_MATCHERS: [&str; 9] =
    ["equals", "prefix", "suffix", "contains", "regex", "in_set", "mode", "ignore_case", "exists"];

fn parse_text(
    reader: &mut Reader<'_>,
    field: TextField,
    value: &Value,
    path: &[Step],
) -> Option<TestDef> {
    let ignore_case_by_nature = field.is_case_insensitive();
    if !matches!(value, Value::Mapping(_)) {
        let values = texts(reader, value, path, &format!("\"{}\"", field.as_str()))?;
        return Some(TestDef::Text {
            field,
            ops: vec![TextOpDef::Equals(values)],
            ignore_case: ignore_case_by_nature,
        });
    }
    let mut fields = reader.mapping(value, path, "a matcher")?;
    let n_problems = reader.problems.len();
    let ignore_case = match fields.take("ignore_case") {
        Some((flag, flag_path)) => reader.boolean(flag, &flag_path, "\"ignore_case\"")?,
        None => ignore_case_by_nature,
    };
    let mut ops = Vec::new();
    for name in ["equals", "prefix", "suffix", "contains"] {
        if let Some((value, op_path)) = fields.take(name)
            && let Some(values) = texts(reader, value, &op_path, &format!("\"{name}\""))
        {
            ops.push(match name {
                "equals" => TextOpDef::Equals(values),
                "prefix" => TextOpDef::Prefix(values),
                "suffix" => TextOpDef::Suffix(values),
                _ => TextOpDef::Contains(values),
            });
        }
    }
    if let Some((value, regex_path)) = fields.take("regex")
        && let Some(source) = reader.text(value, &regex_path, "\"regex\"", false)
    {
        let full = if ignore_case { format!("(?i){source}") } else { source.clone() };
        match Regex::new(&full) {
            Ok(regex) => ops.push(TextOpDef::Regex(regex)),
            Err(error) => reader
                .problem(&regex_path, format!("invalid regex \"{source}\": {}", one_line(&error))),
        }
    }
    let mode = match fields.take("mode") {
        Some((value, mode_path)) => {
            let name = reader.text(value, &mode_path, "\"mode\"", false)?;
            let mode = match name.as_str() {
                "exact" => SetMode::Exact,
                "prefix" => SetMode::Prefix,
                "suffix" => SetMode::Suffix,
                "contains" => SetMode::Contains,
                other => {
                    reader.problem(
                        &mode_path,
                        format!("unknown mode \"{other}\" (exact, prefix, suffix or contains)"),
                    );
                    return None;
                }
            };
            if !fields.has("in_set") {
                reader.problem(&mode_path, "\"mode\" only applies to \"in_set\"");
            }
            mode
        }
        None => SetMode::Exact,
    };
    if let Some((value, set_path)) = fields.take("in_set")
        && let Some(name) = reader.text(value, &set_path, "\"in_set\"", false)
    {
        ops.push(TextOpDef::InSet { name, mode });
    }
    fields.finish(reader, &TEXT_MATCHERS);
    if reader.problems.len() > n_problems {
        return None;
    }
    if ops.is_empty() {
        reader.problem(path, "no matcher (use equals, prefix, suffix, contains, regex or in_set)");
        return None;
    }
    Some(TestDef::Text { field, ops, ignore_case })
}

fn parse_number(
    reader: &mut Reader<'_>,
    field: NumberField,
    value: &Value,
    path: &[Step],
) -> Option<TestDef> {
    let is_status = field == NumberField::Status;
    let scalar = |reader: &mut Reader<'_>, value: &Value, path: &[Step]| -> Option<(u64, u64)> {
        if is_status
            && let Value::String(text) = value
            && let Some(digit) = text.strip_suffix("xx").and_then(|d| d.parse::<u64>().ok())
            && (1..=5).contains(&digit)
        {
            return Some((digit * 100, digit * 100 + 99));
        }
        let number = reader.unsigned(value, path, "a number matcher")?;
        Some((number, number))
    };
    match value {
        Value::Mapping(_) => {
            let mut fields = reader.mapping(value, path, "a matcher")?;
            let n_problems = reader.problems.len();
            let mut ranges = Vec::new();
            let mut bound = (0u64, u64::MAX);
            let mut has_bound = false;
            if let Some((value, equals_path)) = fields.take("equals")
                && let Some(items) = reader.list(value, &equals_path, "\"equals\"", true)
            {
                for (item, item_path) in items {
                    ranges.extend(scalar(reader, item, &item_path));
                }
            }
            if let Some((value, range_path)) = fields.take("range") {
                match value {
                    Value::Sequence(items) if items.len() == 2 => {
                        let low = reader.unsigned(&items[0], &range_path, "a range bound");
                        let high = reader.unsigned(&items[1], &range_path, "a range bound");
                        if let (Some(low), Some(high)) = (low, high) {
                            if low > high {
                                reader.problem(&range_path, format!("empty range [{low}, {high}]"));
                            }
                            bound = (bound.0.max(low), bound.1.min(high));
                            has_bound = true;
                        }
                    }
                    other => reader.problem(
                        &range_path,
                        format!("\"range\" must be [low, high], not {}", describe(other)),
                    ),
                }
            }
            for (name, is_low) in [("gte", true), ("lte", false)] {
                if let Some((value, bound_path)) = fields.take(name)
                    && let Some(number) =
                        reader.unsigned(value, &bound_path, &format!("\"{name}\""))
                {
                    if is_low {
                        bound.0 = bound.0.max(number);
                    } else {
                        bound.1 = bound.1.min(number);
                    }
                    has_bound = true;
                }
            }
            fields.finish(reader, &["equals", "range", "gte", "lte", "exists"]);
            if reader.problems.len() > n_problems {
                return None;
            }
            if has_bound && !ranges.is_empty() {
                reader.problem(path, "\"equals\" cannot be combined with range, gte or lte");
                return None;
            }
            if has_bound {
                ranges.push(bound);
            }
            if ranges.is_empty() {
                reader.problem(path, "no matcher (use equals, range, gte or lte)");
                return None;
            }
            Some(TestDef::Number { field, ranges })
        }
        _ => {
            let items = reader.list(value, path, "a number matcher", true)?;
            let mut ranges = Vec::new();
            for (item, item_path) in items {
                ranges.push(scalar(reader, item, &item_path)?);
            }
            Some(TestDef::Number { field, ranges })
        }
    }
}

fn parse_net(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Option<IpNet> {
    let text = reader.text(value, path, "an address", false)?;
    match parse_net_text(&text) {
        Some(net) => Some(net),
        None => {
            reader.problem(path, format!("\"{text}\" is not an address or a CIDR range"));
            None
        }
    }
}

pub(crate) fn parse_net_text(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>().ok().or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

fn parse_ip(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Option<TestDef> {
    if !matches!(value, Value::Mapping(_)) {
        let items = reader.list(value, path, "\"client_ip\"", true)?;
        let mut nets = Vec::new();
        for (item, item_path) in items {
            nets.push(parse_net(reader, item, &item_path)?);
        }
        return Some(TestDef::Ip(vec![IpOpDef::Nets(nets)]));
    }
    let mut fields = reader.mapping(value, path, "a matcher")?;
    let n_problems = reader.problems.len();
    let mut ops = Vec::new();
    for name in ["cidr", "equals"] {
        if let Some((value, op_path)) = fields.take(name)
            && let Some(items) = reader.list(value, &op_path, &format!("\"{name}\""), true)
        {
            let nets: Vec<IpNet> = items
                .iter()
                .filter_map(|(item, item_path)| parse_net(reader, item, item_path))
                .collect();
            ops.push(IpOpDef::Nets(nets));
        }
    }
    if let Some((value, set_path)) = fields.take("in_set")
        && let Some(name) = reader.text(value, &set_path, "\"in_set\"", false)
    {
        ops.push(IpOpDef::InSet(name));
    }
    fields.finish(reader, &["cidr", "equals", "in_set", "exists"]);
    if reader.problems.len() > n_problems {
        return None;
    }
    if ops.is_empty() {
        reader.problem(path, "no matcher (use cidr, equals or in_set)");
        return None;
    }
    Some(TestDef::Ip(ops))
}

/// `country: [TW, HK]`, `asn: [13335, AS15169]`, or either as
/// `{equals: [...], in_set: name}`.
fn parse_geo(
    reader: &mut Reader<'_>,
    field: Field,
    value: &Value,
    path: &[Step],
) -> Option<TestDef> {
    let is_country = field == Field::Country;
    let what = if is_country { "\"country\"" } else { "\"asn\"" };
    let (listed, set) = if let Value::Mapping(_) = value {
        let mut fields = reader.mapping(value, path, "a matcher")?;
        let n_problems = reader.problems.len();
        let listed = fields.take("equals");
        let set = fields
            .take("in_set")
            .and_then(|(value, set_path)| reader.text(value, &set_path, "\"in_set\"", false));
        fields.finish(reader, &["equals", "in_set", "exists"]);
        if reader.problems.len() > n_problems {
            return None;
        }
        if listed.is_none() && set.is_none() {
            reader.problem(path, "no matcher (use equals or in_set)");
            return None;
        }
        (listed, set)
    } else {
        (Some((value, path.to_vec())), None)
    };
    let mut codes = Vec::new();
    let mut numbers = Vec::new();
    if let Some((value, list_path)) = listed {
        let items = reader.list(value, &list_path, what, true)?;
        if items.is_empty() {
            reader.problem(&list_path, format!("{what} needs at least one value"));
            return None;
        }
        let mut is_ok = true;
        for (item, item_path) in items {
            let Some(text) = reader.text(item, &item_path, what, true) else {
                is_ok = false;
                continue;
            };
            if is_country {
                match Country::parse(&text) {
                    Some(code) => codes.push(code),
                    None => {
                        reader.problem(
                            &item_path,
                            format!(
                                "\"{text}\" is not a two-letter country code (ISO 3166-1: TW, US)"
                            ),
                        );
                        is_ok = false;
                    }
                }
            } else {
                match parse_asn_text(&text) {
                    Some(number) => numbers.push(number),
                    None => {
                        reader.problem(
                            &item_path,
                            format!("\"{text}\" is not an AS number (13335 or AS13335)"),
                        );
                        is_ok = false;
                    }
                }
            }
        }
        if !is_ok {
            return None;
        }
    }
    Some(if is_country { TestDef::Country { codes, set } } else { TestDef::Asn { numbers, set } })
}

/// An AS number written `13335` or `AS13335`.
pub(crate) fn parse_asn_text(text: &str) -> Option<u32> {
    let text = text.trim();
    let digits = match text.get(..2) {
        Some(prefix) if prefix.eq_ignore_ascii_case("as") => &text[2..],
        _ => text,
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn parse_payload(reader: &mut Reader<'_>, value: &Value, path: &[Step]) -> Option<TestDef> {
    let detector_names: Vec<&str> = Detector::ALL.iter().map(|d| d.as_str()).collect();
    let detectors = |reader: &mut Reader<'_>, value: &Value, path: &[Step]| {
        parse_names(reader, value, path, "detector", &detector_names)
            .map(|indices| indices.into_iter().map(|idx| Detector::ALL[idx]).collect::<Vec<_>>())
    };
    if !matches!(value, Value::Mapping(_)) {
        let found = detectors(reader, value, path)?;
        return Some(TestDef::Payload(PayloadFlags::mask(&found, Confidence::Medium)));
    }
    let mut fields = reader.mapping(value, path, "a payload matcher")?;
    let n_problems = reader.problems.len();
    let found = match fields.take("detector") {
        Some((value, detector_path)) => detectors(reader, value, &detector_path),
        None => Some(Detector::ALL.to_vec()),
    };
    let confidence = match fields.take("confidence") {
        Some((value, level_path)) => {
            let names: Vec<&str> = Confidence::ALL.iter().map(|c| c.as_str()).collect();
            parse_names(reader, value, &level_path, "confidence", &names)
                .and_then(|indices| indices.first().map(|idx| Confidence::ALL[*idx]))
        }
        None => Some(Confidence::Medium),
    };
    fields.finish(reader, &["detector", "confidence", "exists"]);
    if reader.problems.len() > n_problems {
        return None;
    }
    Some(TestDef::Payload(PayloadFlags::mask(&found?, confidence?)))
}

// ---------------------------------------------------------------------------
// Compiled form.

/// A compiled condition: tests ordered cheap-first, plus the prefilter that
/// lets the engine skip it for most events.
#[derive(Debug, Clone)]
pub struct Condition {
    root: Node,
    prefilter: Prefilter,
    uses_payload: bool,
    uses_geo: bool,
}

#[derive(Debug, Clone)]
enum Node {
    All(Box<[Node]>),
    Any(Box<[Node]>),
    Not(Box<Node>),
    Test(Test),
}

#[derive(Debug, Clone)]
enum Test {
    Text {
        field: TextField,
        matcher: TextMatcher,
        memo: Memo,
    },
    Number {
        field: NumberField,
        ranges: Box<[(u64, u64)]>,
    },
    Ip {
        matcher: IpMatcher,
        memo: Memo,
    },
    Kind(u8),
    Outcome(u8),
    Notice(u16),
    Endpoint(u16),
    IsStatic(bool),
    Exists {
        field: Field,
        expected: bool,
    },
    Payload(u64),
    /// Sorted country codes.
    Country(Box<[Country]>),
    /// Sorted AS numbers.
    Asn(Box<[u32]>),
}

#[derive(Debug, Clone)]
enum TextMatcher {
    Equals {
        values: Box<[Box<str>]>,
        ignore_case: bool,
    },
    Set(HashSet<Box<str>, RandomState>),
    Prefix {
        values: Box<[Box<str>]>,
        ignore_case: bool,
    },
    Suffix {
        values: Box<[Box<str>]>,
        ignore_case: bool,
    },
    /// Any of the patterns occurs.
    Contains(Automaton),
    /// Any of the patterns starts the value.
    AnchoredPrefix(Automaton),
    /// The value is one of the patterns (leftmost-longest, anchored).
    AnchoredExact(Automaton),
    /// Any of the patterns ends the value: an anchored automaton over the
    /// reversed (and, ignoring case, lowercased) patterns, run on the
    /// reversed value.
    AnchoredSuffix {
        reversed: AhoCorasick,
        ignore_case: bool,
        longest: usize,
    },
    Regex(Regex),
}

/// A test's place in the per-event memory ([`Facts::remembered`]): tests
/// written the same way in several rules (the same field, operator and
/// values) share a slot, so an event answers each of them once.
#[derive(Debug, Clone, Default)]
struct Memo {
    key: Box<str>,
    slot: Option<u8>,
}

impl Memo {
    fn keyed(key: String) -> Memo {
        Memo { key: key.into_boxed_str(), slot: None }
    }
}

/// The slots handed out while a rule set compiles, by test key.
#[derive(Debug, Default)]
pub(crate) struct MemoSlots {
    slots: HashMap<Box<str>, u8>,
    /// Slots of tests that read only the user agent.
    pub(crate) user_agent: u64,
}

impl MemoSlots {
    fn assign(&mut self, memo: &mut Memo, field: Option<TextField>) {
        if let Some(slot) = self.slots.get(&memo.key) {
            memo.slot = Some(*slot);
            return;
        }
        let Ok(next) = u8::try_from(self.slots.len()) else { return };
        if usize::from(next) < crate::facts::MEMO_SLOTS {
            self.slots.insert(memo.key.clone(), next);
            memo.slot = Some(next);
            if field == Some(TextField::UserAgent) {
                self.user_agent |= 1 << next;
            }
        }
    }
}

/// Sorted, merged address ranges.
#[derive(Debug, Clone, Default)]
struct IpMatcher {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl Condition {
    /// Whether the event matches.
    pub fn matches(&self, facts: &Facts<'_, '_>) -> bool {
        self.root.eval(facts)
    }

    /// Necessary conditions, checked on an event's signature before `matches`.
    pub fn prefilter(&self) -> Prefilter {
        self.prefilter
    }

    /// Whether the condition tests payload verdicts.
    pub fn uses_payload(&self) -> bool {
        self.uses_payload
    }

    /// Whether the condition tests the country or the AS number (which only
    /// enrichment sets).
    pub fn uses_geo(&self) -> bool {
        self.uses_geo
    }

    pub(crate) fn compile(
        def: ConditionDef,
        sets: &Sets,
        origin: &str,
        problems: &mut Vec<Problem>,
        memo_slots: &mut MemoSlots,
    ) -> Option<Condition> {
        let mut root = compile_node(def, sets, origin, problems)?;
        root.assign_memo_slots(memo_slots);
        let prefilter = root.prefilter();
        let uses_payload = root.uses_payload();
        let uses_geo = root.uses_geo();
        Some(Condition { root, prefilter, uses_payload, uses_geo })
    }
}

// The order in which the tests of an `all` or `any` run (cheapest first).
// The payload verdicts are computed at most once per event and nearly every
// request needs them for the exploit rules anyway, so after the first rule
// asks they cost a lookup: they go right after the field comparisons and
// spare most requests the automata and regexes beside them.
const COST_CHEAP: u8 = 0;
const COST_TEXT: u8 = 1;
const COST_PAYLOAD: u8 = 2;
const COST_AUTOMATON: u8 = 3;
const COST_REGEX: u8 = 4;

fn compile_node(
    def: ConditionDef,
    sets: &Sets,
    origin: &str,
    problems: &mut Vec<Problem>,
) -> Option<Node> {
    let compile_all = |defs: Vec<ConditionDef>, problems: &mut Vec<Problem>| {
        let mut nodes = Vec::new();
        let mut is_ok = true;
        for def in defs {
            match compile_node(def, sets, origin, problems) {
                Some(node) => nodes.push(node),
                None => is_ok = false,
            }
        }
        // Cheap tests first; the sort is stable, so authors' order breaks ties.
        nodes.sort_by_key(Node::cost);
        is_ok.then_some(nodes)
    };
    match def {
        ConditionDef::All(defs) => Some(Node::All(compile_all(defs, problems)?.into())),
        ConditionDef::Any(defs) => Some(Node::Any(compile_all(defs, problems)?.into())),
        ConditionDef::Not(def) => {
            Some(Node::Not(compile_node(*def, sets, origin, problems)?.into()))
        }
        ConditionDef::Test { test, line } => compile_test(test, line, sets, origin, problems),
    }
}

fn compile_test(
    test: TestDef,
    line: usize,
    sets: &Sets,
    origin: &str,
    problems: &mut Vec<Problem>,
) -> Option<Node> {
    let mut problem = |message: String| problems.push(Problem::new(origin, line, message));
    let node = match test {
        TestDef::Text { field, ops, ignore_case } => {
            let mut nodes = Vec::new();
            for op in ops {
                let op_key = format!("{op:?}");
                let matcher = match op {
                    TextOpDef::Equals(values) => equals_matcher(values, ignore_case),
                    TextOpDef::Prefix(values) => prefix_matcher(values, ignore_case),
                    TextOpDef::Suffix(values) => suffix_matcher(values, ignore_case),
                    TextOpDef::Contains(values) => automaton(
                        &values,
                        ignore_case,
                        MatchKind::LeftmostFirst,
                        StartKind::Unanchored,
                    )
                    .map(TextMatcher::Contains),
                    TextOpDef::Regex(regex) => Ok(TextMatcher::Regex(regex)),
                    TextOpDef::InSet { name, mode } => {
                        let Some(values) = sets.get(&name) else {
                            let known: Vec<&str> = sets.names().collect();
                            problem(format!(
                                "unknown set \"{name}\"{}",
                                did_you_mean(&name, &known)
                            ));
                            continue;
                        };
                        let values: Vec<String> =
                            values.iter().map(|value| value.to_string()).collect();
                        match mode {
                            SetMode::Exact if !ignore_case => Ok(TextMatcher::Set(
                                values.into_iter().map(String::into_boxed_str).collect(),
                            )),
                            SetMode::Exact => automaton(
                                &values,
                                true,
                                MatchKind::LeftmostLongest,
                                StartKind::Anchored,
                            )
                            .map(TextMatcher::AnchoredExact),
                            SetMode::Prefix => prefix_matcher(values, ignore_case),
                            SetMode::Suffix => suffix_matcher(values, ignore_case),
                            SetMode::Contains => automaton(
                                &values,
                                ignore_case,
                                MatchKind::LeftmostFirst,
                                StartKind::Unanchored,
                            )
                            .map(TextMatcher::Contains),
                        }
                    }
                };
                match matcher {
                    Ok(matcher) => {
                        let memo = Memo::keyed(format!("{field:?} {ignore_case} {op_key}"));
                        nodes.push(Node::Test(Test::Text { field, matcher, memo }))
                    }
                    Err(message) => problem(message),
                }
            }
            // Cheap operators first (`contains` before `regex`).
            nodes.sort_by_key(Node::cost);
            if nodes.len() == 1 { nodes.remove(0) } else { Node::All(nodes.into()) }
        }
        TestDef::Number { field, ranges } => {
            Node::Test(Test::Number { field, ranges: ranges.into() })
        }
        TestDef::Ip(ops) => {
            let mut nodes = Vec::new();
            for op in ops {
                let memo = Memo::keyed(format!("ip {op:?}"));
                let nets = match op {
                    IpOpDef::Nets(nets) => nets,
                    IpOpDef::InSet(name) => {
                        let Some(values) = sets.get(&name) else {
                            let known: Vec<&str> = sets.names().collect();
                            problem(format!(
                                "unknown set \"{name}\"{}",
                                did_you_mean(&name, &known)
                            ));
                            continue;
                        };
                        let mut nets = Vec::new();
                        for value in values {
                            match parse_net_text(value) {
                                Some(net) => nets.push(net),
                                None => problem(format!(
                                    "set \"{name}\" holds \"{value}\", which is not an address or a CIDR range"
                                )),
                            }
                        }
                        nets
                    }
                };
                nodes.push(Node::Test(Test::Ip { matcher: IpMatcher::new(&nets), memo }));
            }
            if nodes.len() == 1 { nodes.remove(0) } else { Node::All(nodes.into()) }
        }
        TestDef::Kind(bits) => Node::Test(Test::Kind(bits)),
        TestDef::Outcome(bits) => Node::Test(Test::Outcome(bits)),
        TestDef::Notice(bits) => Node::Test(Test::Notice(bits)),
        TestDef::Endpoint(bits) => Node::Test(Test::Endpoint(bits)),
        TestDef::IsStatic(flag) => Node::Test(Test::IsStatic(flag)),
        TestDef::Exists { field, expected } => Node::Test(Test::Exists { field, expected }),
        TestDef::Payload(mask) => Node::Test(Test::Payload(mask)),
        TestDef::Country { mut codes, set } => {
            if let Some(name) = set {
                match sets.get(&name) {
                    Some(values) => {
                        for value in values {
                            match Country::parse(value) {
                                Some(code) => codes.push(code),
                                None => problem(format!(
                                    "set \"{name}\" holds \"{value}\", which is not a two-letter country code"
                                )),
                            }
                        }
                    }
                    None => {
                        let known: Vec<&str> = sets.names().collect();
                        problem(format!("unknown set \"{name}\"{}", did_you_mean(&name, &known)));
                    }
                }
            }
            codes.sort_unstable();
            codes.dedup();
            Node::Test(Test::Country(codes.into()))
        }
        TestDef::Asn { mut numbers, set } => {
            if let Some(name) = set {
                match sets.get(&name) {
                    Some(values) => {
                        for value in values {
                            match parse_asn_text(value) {
                                Some(number) => numbers.push(number),
                                None => problem(format!(
                                    "set \"{name}\" holds \"{value}\", which is not an AS number"
                                )),
                            }
                        }
                    }
                    None => {
                        let known: Vec<&str> = sets.names().collect();
                        problem(format!("unknown set \"{name}\"{}", did_you_mean(&name, &known)));
                    }
                }
            }
            numbers.sort_unstable();
            numbers.dedup();
            Node::Test(Test::Asn(numbers.into()))
        }
    };
    Some(node)
}

fn boxed(values: Vec<String>) -> Box<[Box<str>]> {
    values.into_iter().map(String::into_boxed_str).collect()
}

fn equals_matcher(values: Vec<String>, ignore_case: bool) -> Result<TextMatcher, String> {
    if values.len() > LINEAR_LIMIT {
        return if ignore_case {
            automaton(&values, true, MatchKind::LeftmostLongest, StartKind::Anchored)
                .map(TextMatcher::AnchoredExact)
        } else {
            Ok(TextMatcher::Set(values.into_iter().map(String::into_boxed_str).collect()))
        };
    }
    Ok(TextMatcher::Equals { values: boxed(values), ignore_case })
}

fn prefix_matcher(values: Vec<String>, ignore_case: bool) -> Result<TextMatcher, String> {
    if values.len() > LINEAR_LIMIT {
        return automaton(&values, ignore_case, MatchKind::LeftmostFirst, StartKind::Anchored)
            .map(TextMatcher::AnchoredPrefix);
    }
    Ok(TextMatcher::Prefix { values: boxed(values), ignore_case })
}

fn suffix_matcher(values: Vec<String>, ignore_case: bool) -> Result<TextMatcher, String> {
    if values.len() > LINEAR_LIMIT {
        // An anchored automaton over the reversed values, run on the reversed
        // text: it reads only as far back as the longest suffix that matches.
        // Reversed multi-byte characters are no longer UTF-8: build on bytes.
        let patterns: Vec<Vec<u8>> = values
            .iter()
            .map(|value| {
                let mut bytes =
                    if ignore_case { value.to_ascii_lowercase() } else { value.clone() }
                        .into_bytes();
                bytes.reverse();
                bytes
            })
            .collect();
        let exact = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .start_kind(StartKind::Anchored)
            .build(&patterns)
            .map_err(|error| {
                format!("cannot build a matcher for {} values: {error}", values.len())
            })?;
        let longest = patterns.iter().map(Vec::len).max().unwrap_or(0);
        return Ok(TextMatcher::AnchoredSuffix { reversed: exact, ignore_case, longest });
    }
    Ok(TextMatcher::Suffix { values: boxed(values), ignore_case })
}

/// Values up to this length are lowercased on the stack for case-insensitive
/// automata; longer ones use a slower case-folding automaton.
const FOLD_BUFFER: usize = 256;

/// A multi-pattern automaton. Case-insensitive search runs a case-sensitive
/// automaton over lowercase patterns on a lowercased copy of the value: the
/// case-folding automaton cannot use the SIMD prefilters and is several times
/// slower. Leftmost-first semantics (not "standard") enable those prefilters
/// too, and answer "is there a match" the same way.
#[derive(Debug, Clone)]
struct Automaton {
    exact: AhoCorasick,
    /// For case-insensitive matching of values too long for the stack buffer.
    folding: Option<AhoCorasick>,
}

impl Automaton {
    fn run(&self, value: &str, search: impl Fn(&AhoCorasick, &[u8]) -> bool) -> bool {
        let Some(folding) = &self.folding else { return search(&self.exact, value.as_bytes()) };
        if value.len() > FOLD_BUFFER {
            return search(folding, value.as_bytes());
        }
        let mut buffer = [0u8; FOLD_BUFFER];
        let lowered = &mut buffer[..value.len()];
        lowered.copy_from_slice(value.as_bytes());
        lowered.make_ascii_lowercase();
        search(&self.exact, lowered)
    }
}

fn automaton(
    values: &[String],
    ignore_case: bool,
    kind: MatchKind,
    start: StartKind,
) -> Result<Automaton, String> {
    let build = |values: &[String], is_folding: bool| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(is_folding)
            .match_kind(kind)
            .start_kind(start)
            .build(values)
            .map_err(|error| format!("cannot build a matcher for {} values: {error}", values.len()))
    };
    if !ignore_case {
        return Ok(Automaton { exact: build(values, false)?, folding: None });
    }
    let lowered: Vec<String> = values.iter().map(|value| value.to_ascii_lowercase()).collect();
    Ok(Automaton { exact: build(&lowered, false)?, folding: Some(build(values, true)?) })
}

impl Node {
    fn eval(&self, facts: &Facts<'_, '_>) -> bool {
        match self {
            Node::All(nodes) => nodes.iter().all(|node| node.eval(facts)),
            Node::Any(nodes) => nodes.iter().any(|node| node.eval(facts)),
            Node::Not(node) => !node.eval(facts),
            Node::Test(test) => test.eval(facts),
        }
    }

    fn assign_memo_slots(&mut self, slots: &mut MemoSlots) {
        match self {
            Node::All(nodes) | Node::Any(nodes) => {
                nodes.iter_mut().for_each(|node| node.assign_memo_slots(slots));
            }
            Node::Not(node) => node.assign_memo_slots(slots),
            Node::Test(test) => {
                let is_costly = test.cost() >= COST_AUTOMATON;
                match test {
                    Test::Text { memo, field, .. } if is_costly => slots.assign(memo, Some(*field)),
                    Test::Ip { memo, .. } => slots.assign(memo, None),
                    _ => {}
                }
            }
        }
    }

    fn uses_payload(&self) -> bool {
        match self {
            Node::All(nodes) | Node::Any(nodes) => nodes.iter().any(Node::uses_payload),
            Node::Not(node) => node.uses_payload(),
            Node::Test(test) => {
                matches!(test, Test::Payload(_) | Test::Exists { field: Field::Payload, .. })
            }
        }
    }

    fn uses_geo(&self) -> bool {
        match self {
            Node::All(nodes) | Node::Any(nodes) => nodes.iter().any(Node::uses_geo),
            Node::Not(node) => node.uses_geo(),
            Node::Test(test) => matches!(
                test,
                Test::Country(_)
                    | Test::Asn(_)
                    | Test::Exists { field: Field::Country | Field::Asn, .. }
            ),
        }
    }

    fn cost(&self) -> u8 {
        match self {
            Node::All(nodes) | Node::Any(nodes) => nodes.iter().map(Node::cost).max().unwrap_or(0),
            Node::Not(node) => node.cost(),
            Node::Test(test) => test.cost(),
        }
    }

    fn prefilter(&self) -> Prefilter {
        match self {
            Node::All(nodes) => {
                nodes.iter().fold(Prefilter::ALL, |prefilter, node| prefilter.and(node.prefilter()))
            }
            Node::Any(nodes) => {
                let mut prefilters = nodes.iter().map(Node::prefilter);
                let first = prefilters.next().unwrap_or(Prefilter::ALL);
                prefilters.fold(first, Prefilter::or)
            }
            Node::Not(_) => Prefilter::ALL,
            Node::Test(test) => test.prefilter(),
        }
    }
}

impl Test {
    fn eval(&self, facts: &Facts<'_, '_>) -> bool {
        let event = facts.event();
        match self {
            Test::Text { field, matcher, memo } => {
                facts.remembered(memo.slot, || matcher.is_match(field.value(event)))
            }
            Test::Number { field, ranges } => field.value(event).is_some_and(|value| {
                ranges.iter().any(|(low, high)| *low <= value && value <= *high)
            }),
            Test::Ip { matcher, memo } => facts
                .remembered(memo.slot, || event.client_ip.is_some_and(|ip| matcher.contains(ip))),
            Test::Kind(bits) => kind_bit(event.kind) & bits != 0,
            Test::Outcome(bits) => outcome_bit(facts.outcome()) & bits != 0,
            Test::Notice(bits) => {
                event.notice.is_some_and(|notice| (1u16 << notice as u16) & bits != 0)
            }
            Test::Endpoint(bits) => facts.endpoints().bits() & bits != 0,
            Test::IsStatic(expected) => {
                facts.endpoints().contains(EndpointClass::Static) == *expected
            }
            Test::Exists { field, expected } => exists(*field, facts) == *expected,
            Test::Payload(mask) => facts.payload().intersects(*mask),
            Test::Country(codes) => has_country(event, codes),
            Test::Asn(numbers) => has_asn(event, numbers),
        }
    }

    fn cost(&self) -> u8 {
        match self {
            Test::Text { matcher, .. } => match matcher {
                TextMatcher::Equals { .. }
                | TextMatcher::Set(_)
                | TextMatcher::Prefix { .. }
                | TextMatcher::Suffix { .. } => COST_TEXT,
                TextMatcher::Contains(_)
                | TextMatcher::AnchoredPrefix(_)
                | TextMatcher::AnchoredExact(_)
                | TextMatcher::AnchoredSuffix { .. } => COST_AUTOMATON,
                TextMatcher::Regex(_) => COST_REGEX,
            },
            Test::Payload(_) => COST_PAYLOAD,
            Test::Exists { field: Field::Payload, .. } => COST_PAYLOAD,
            _ => COST_CHEAP,
        }
    }

    fn prefilter(&self) -> Prefilter {
        let all = Prefilter::ALL;
        match self {
            Test::Kind(bits) => Prefilter { kinds: *bits, ..all },
            Test::Outcome(bits) => Prefilter { outcomes: *bits, ..all },
            Test::Notice(_) => Prefilter { kinds: kind_bit(model::EventKind::ServerNotice), ..all },
            Test::Endpoint(bits) => Prefilter { endpoints: Some(*bits), ..all },
            Test::Payload(_) => Prefilter { payloads: presence_bit(true), ..all },
            // A query test that an empty query fails needs a query.
            Test::Text { field: TextField::Query, matcher, .. } if !matcher.is_match("") => {
                Prefilter { queries: presence_bit(true), ..all }
            }
            Test::IsStatic(true) => {
                let mut set = crate::EndpointSet::EMPTY;
                set.insert(EndpointClass::Static);
                Prefilter { endpoints: Some(set.bits()), ..all }
            }
            Test::Number { field: NumberField::Status, ranges } => Prefilter {
                statuses: ranges
                    .iter()
                    .fold(0, |bits, (low, high)| bits | status_bits(*low, *high)),
                ..all
            },
            Test::Text {
                field: TextField::Method,
                matcher: TextMatcher::Equals { values, .. },
                ..
            } => Prefilter {
                methods: values.iter().fold(0, |bits, value| bits | method_bit(value).0),
                ..all
            },
            Test::Exists { field, expected } => {
                let no_status = status_bit(None);
                let no_outcome = outcome_bit(None);
                match (field, expected) {
                    (Field::Number(NumberField::Status), true) => {
                        Prefilter { statuses: !no_status, ..all }
                    }
                    (Field::Number(NumberField::Status), false) => {
                        Prefilter { statuses: no_status, ..all }
                    }
                    (Field::Outcome, true) => Prefilter { outcomes: !no_outcome, ..all },
                    (Field::Outcome, false) => Prefilter { outcomes: no_outcome, ..all },
                    (Field::Endpoint, true) => Prefilter { endpoints: Some(u16::MAX), ..all },
                    (Field::Payload, is_present) => {
                        Prefilter { payloads: presence_bit(*is_present), ..all }
                    }
                    (Field::Text(TextField::Query), is_present) => {
                        Prefilter { queries: presence_bit(*is_present), ..all }
                    }
                    (Field::Notice, true) => {
                        Prefilter { kinds: kind_bit(model::EventKind::ServerNotice), ..all }
                    }
                    _ => all,
                }
            }
            _ => all,
        }
    }
}

// The geo tests stay out of line: inlined into `Test::eval`, which runs
// millions of times per run, they cost every other test a few instructions.
#[inline(never)]
fn has_country(event: &model::Event<'_>, codes: &[Country]) -> bool {
    event.country.is_some_and(|country| codes.binary_search(&country).is_ok())
}

#[inline(never)]
fn has_asn(event: &model::Event<'_>, numbers: &[u32]) -> bool {
    event.asn.is_some_and(|asn| numbers.binary_search(&asn).is_ok())
}

fn exists(field: Field, facts: &Facts<'_, '_>) -> bool {
    let event = facts.event();
    match field {
        Field::Text(text) => !text.value(event).is_empty(),
        Field::Number(number) => number.value(event).is_some(),
        Field::ClientIp => event.client_ip.is_some(),
        Field::Kind | Field::IsStatic => true,
        Field::Outcome => facts.outcome().is_some(),
        Field::Notice => event.notice.is_some(),
        Field::Endpoint => !facts.endpoints().is_empty(),
        Field::Payload => !facts.payload().is_empty(),
        Field::Country => event.country.is_some(),
        Field::Asn => event.asn.is_some(),
    }
}

impl TextMatcher {
    fn is_match(&self, value: &str) -> bool {
        match self {
            TextMatcher::Equals { values, ignore_case: false } => {
                values.iter().any(|candidate| **candidate == *value)
            }
            TextMatcher::Equals { values, ignore_case: true } => {
                values.iter().any(|candidate| candidate.eq_ignore_ascii_case(value))
            }
            TextMatcher::Set(set) => set.contains(value),
            TextMatcher::Prefix { values, ignore_case } => values.iter().any(|candidate| {
                value.len() >= candidate.len()
                    && compare(
                        &value.as_bytes()[..candidate.len()],
                        candidate.as_bytes(),
                        *ignore_case,
                    )
            }),
            TextMatcher::Suffix { values, ignore_case } => values.iter().any(|candidate| {
                value.len() >= candidate.len()
                    && compare(
                        &value.as_bytes()[value.len() - candidate.len()..],
                        candidate.as_bytes(),
                        *ignore_case,
                    )
            }),
            TextMatcher::Contains(automaton) => {
                automaton.run(value, |automaton, haystack| automaton.is_match(haystack))
            }
            TextMatcher::AnchoredPrefix(automaton) => {
                automaton.run(value, |automaton, haystack| {
                    automaton.is_match(Input::new(haystack).anchored(Anchored::Yes))
                })
            }
            TextMatcher::AnchoredExact(automaton) => automaton.run(value, |automaton, haystack| {
                automaton
                    .find(Input::new(haystack).anchored(Anchored::Yes))
                    .is_some_and(|found| found.end() == haystack.len())
            }),
            TextMatcher::AnchoredSuffix { reversed, ignore_case, longest } => {
                // Only the last `longest` bytes can take part in a match.
                let tail = &value.as_bytes()[value.len().saturating_sub(*longest)..];
                let mut buffer = [0u8; FOLD_BUFFER];
                let mut owned = Vec::new();
                let haystack: &mut [u8] = if tail.len() <= FOLD_BUFFER {
                    &mut buffer[..tail.len()]
                } else {
                    owned.resize(tail.len(), 0);
                    &mut owned
                };
                for (slot, byte) in haystack.iter_mut().zip(tail.iter().rev()) {
                    *slot = if *ignore_case { byte.to_ascii_lowercase() } else { *byte };
                }
                reversed.is_match(Input::new(&*haystack).anchored(Anchored::Yes))
            }
            TextMatcher::Regex(regex) => regex.is_match(value),
        }
    }
}

fn compare(left: &[u8], right: &[u8], ignore_case: bool) -> bool {
    if ignore_case { left.eq_ignore_ascii_case(right) } else { left == right }
}

impl IpMatcher {
    fn new(nets: &[IpNet]) -> IpMatcher {
        let mut matcher = IpMatcher::default();
        for net in nets {
            match net.trunc() {
                IpNet::V4(net) => {
                    matcher.v4.push((u32::from(net.network()), u32::from(net.broadcast())))
                }
                IpNet::V6(net) => {
                    matcher.v6.push((u128::from(net.network()), u128::from(net.broadcast())))
                }
            }
        }
        merge(&mut matcher.v4);
        merge(&mut matcher.v6);
        matcher
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match ip.to_canonical() {
            IpAddr::V4(ip) => find(&self.v4, u32::from(ip)),
            IpAddr::V6(ip) => find(&self.v6, u128::from(ip)),
        }
    }
}

fn merge<T: Ord + Copy>(ranges: &mut Vec<(T, T)>) {
    ranges.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for &(low, high) in ranges.iter() {
        match merged.last_mut() {
            Some(last) if low <= last.1 => last.1 = last.1.max(high),
            _ => merged.push((low, high)),
        }
    }
    *ranges = merged;
}

fn find<T: Ord + Copy>(ranges: &[(T, T)], value: T) -> bool {
    let idx = ranges.partition_point(|(low, _)| *low <= value);
    idx > 0 && ranges[idx - 1].1 >= value
}
