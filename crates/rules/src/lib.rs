//! leakguard's detection rules: the file schema, parsing and validation, and
//! compiling to a [`RuleSet`] the detection engine runs.
//!
//! A rule is data, one YAML file each (the schema is taught in `docs/rules.md`):
//! an id, a title in English and Traditional Chinese, a severity, and a
//! `detection` saying which events count (`where`), how they are grouped
//! (`group_by`) and when the rule fires (`kind`: `match`, `count`, `absence`
//! or `enumeration`), plus the `response` it proposes.
//!
//! - [`parse_rule`] turns one file's text into a [`RuleDef`], reporting *every*
//!   problem as a [`Problem`] with its line (`rules/x.yaml:7: unknown field "thresold"`).
//! - [`RuleSet::compile`] resolves named [`Sets`] (`{in_set: sensitive-paths}`),
//!   rejects duplicate ids and builds the fast matchers. [`RuleSet::compile_sources`]
//!   does both for many files at once.
//! - [`Site`] is site configuration, not rules: which paths are a
//!   `member_login` or an `order_pages` endpoint and which statuses mean a login
//!   succeeded. Its defaults cover WordPress/WooCommerce, Magento, OpenCart,
//!   Shopify-style and common custom shop layouts; [`EndpointsConfig`] adjusts them.
//! - [`Condition::matches`] tests an event's [`Facts`]; [`Prefilter`] lets the
//!   engine skip most rules for most events from a cheap [`Signature`].
//! - [`Case`] is the data model of a rule's fixture (`X.tests/<case>/case.toml`).
//!
//! This crate does no IO: the caller reads rule files and set files and hands
//! over their text. It keeps no state over time either; counting, windows and
//! alerts are the `detection` crate's work. Payload detection (SQL injection,
//! XSS) belongs to another crate, reached through a [`PayloadInspector`].
//!
//! ```
//! use rules::{RuleSet, Sets, Site, parse_rule};
//!
//! let text = r#"
//! id: lg-credential-stuffing-ip
//! title: {en: "Credential stuffing from one IP", zh-TW: "單一 IP 撞庫攻擊"}
//! severity: high
//! detection:
//!   kind: count
//!   where: {endpoint: member_login, outcome: failure}
//!   group_by: [ip]
//!   window: 1m
//!   threshold: 8
//! response:
//!   - {action: ban, scope: ip, duration: 24h}
//! "#;
//! let def = parse_rule(text, "rules/stuffing.yaml").expect("a valid rule");
//! let rule_set = RuleSet::compile(vec![def], &Sets::new(), &Site::default()).expect("compiles");
//! assert_eq!(rule_set.rules()[0].id().0, "lg-credential-stuffing-ip");
//!
//! let problems = parse_rule("id: x\ntitle: t\nseverity: hihg\n", "rules/x.yaml").unwrap_err();
//! assert_eq!(
//!     problems[0].to_string(),
//!     r#"rules/x.yaml:3: unknown severity "hihg" (info, low, medium, high, critical) (did you mean "high"?)"#
//! );
//! ```

#![warn(missing_docs)]

mod case;
mod condition;
mod duration;
mod facts;
mod field;
mod kinds;
mod location;
mod pattern;
mod payload;
mod problem;
mod reader;
mod rule;
mod rule_set;
mod sets;
mod site;

pub use case::{CASE_FILE, Case, Expectation, GeoEntry, INPUT_FILE, cases_dir, parse_case};
pub use condition::Condition;
pub use duration::format_duration;
pub use facts::{Facts, Prefilter, Signature};
pub use field::{DistinctField, GroupField, TextField};
pub use kinds::{Baseline, Concentration, ConcentrationField, NewValue, NoveltyField};
pub use pattern::PathPattern;
pub use payload::{Confidence, Detector, PayloadFlags, PayloadInspector};
pub use problem::Problem;
pub use rule::{ResponseDef, RuleDef, parse_rule};
pub use rule_set::{Enumeration, Rule, RuleKind, RuleSet, Sequence};
pub use sets::{Sets, parse_set};
pub use site::{
    Classification, EndpointClass, EndpointConfig, EndpointSet, EndpointsConfig, Site, StatusEntry,
};

#[cfg(test)]
mod tests;
