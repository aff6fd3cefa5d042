//! Parsing and validating rule files: schema, kinds, and every problem with its line.

use std::time::Duration;

use model::{Action, KeyKind, Severity};
use proptest::prelude::*;

use crate::{GroupField, ResponseDef, RuleKind, RuleSet, Sets, Site, parse_rule};

const STUFFING: &str = r#"id: lg-credential-stuffing-ip          # stable, unique
title: {en: "Credential stuffing from one IP", zh-TW: "單一 IP 撞庫攻擊"}
description: {en: "Many failed logins from one address", zh-TW: "同一位址大量登入失敗"}
severity: high
tags: [credential-stuffing, attack.t1110.004]
references: ["https://owasp.org/www-community/attacks/Credential_stuffing"]
false_positives: [{en: "A shared office NAT", zh-TW: "共用辦公室 NAT"}]
detection:
  kind: count
  where:
    endpoint: member_login
    method: POST
  group_by: [ip]
  window: 1s
  threshold: 8
  distinct: account
  cooldown: 10m
response:
  - {action: ban, scope: ip, duration: 24h}
  - action: notify
    scope: site
"#;

fn problems(text: &str) -> Vec<String> {
    match parse_rule(text, "rules/x.yaml") {
        Ok(_) => Vec::new(),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

fn compile_problems(files: &[(&str, &str)], sets: &Sets) -> Vec<String> {
    match RuleSet::compile_sources(files.iter().copied(), sets, &Site::default()) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn parses_a_complete_rule() {
    let def = parse_rule(STUFFING, "rules/stuffing.yaml").unwrap();
    assert_eq!(def.id().0, "lg-credential-stuffing-ip");
    assert_eq!(def.line(), 1);
    assert_eq!(def.title().zh_tw, "單一 IP 撞庫攻擊");
    let rule_set = RuleSet::compile(vec![def], &Sets::new(), &Site::default()).unwrap();
    let rule = rule_set.get("lg-credential-stuffing-ip").unwrap();
    assert_eq!(rule.severity(), Severity::High);
    assert_eq!(rule.tags(), ["credential-stuffing", "attack.t1110.004"]);
    assert_eq!(rule.references().len(), 1);
    assert_eq!(rule.false_positives()[0].en, "A shared office NAT");
    assert_eq!(rule.description().unwrap().en, "Many failed logins from one address");
    assert_eq!(rule.group_by(), [GroupField::Ip]);
    assert_eq!(rule.cooldown(), Duration::from_secs(600));
    let RuleKind::Count { window, threshold, distinct } = rule.kind() else { panic!("a count") };
    assert_eq!((*window, *threshold), (Duration::from_secs(1), 8));
    assert_eq!(distinct.unwrap().as_str(), "account");
    assert_eq!(
        rule.responses(),
        [
            ResponseDef {
                action: Action::Ban,
                scope: KeyKind::Ip,
                duration: Some(Duration::from_secs(86_400))
            },
            ResponseDef { action: Action::Notify, scope: KeyKind::Site, duration: None },
        ]
    );
}

#[test]
fn parses_every_kind() {
    let absence = "id: a\ntitle: A\nseverity: high\ndetection:\n  kind: absence\n  where: {endpoint: admin_login, outcome: success}\n  unless_preceded_by:\n    where: {endpoint: admin_login, method: GET}\n    within: 12h\n";
    let enumeration = "id: e\ntitle: E\nseverity: high\ndetection:\n  kind: enumeration\n  where: {endpoint: order_pages}\n  id_from: path\n  id_pattern: '^/member/orders/(\\d+)$'\n  window: 10m\n  threshold: 20\n  sequential_share: 0.6\n  max_gap: 3\n";
    let matching =
        "id: m\ntitle: M\nseverity: low\ndetection: {kind: match, where: {path: /.env}}\n";
    let rule_set = RuleSet::compile_sources(
        [("a.yaml", absence), ("e.yaml", enumeration), ("m.yaml", matching)],
        &Sets::new(),
        &Site::default(),
    )
    .unwrap();
    let ids: Vec<&str> = rule_set.rules().iter().map(|rule| rule.id().0.as_str()).collect();
    assert_eq!(ids, ["a", "e", "m"]);
    let RuleKind::Absence { within, .. } = rule_set.rules()[0].kind() else { panic!() };
    assert_eq!(*within, Duration::from_secs(12 * 3600));
    let RuleKind::Enumeration(enumeration) = rule_set.rules()[1].kind() else { panic!() };
    assert_eq!(enumeration.id_of(&super::request("GET", "/member/orders/1042", 200)), Some(1042));
    assert_eq!(enumeration.id_of(&super::request("GET", "/member/orders/x", 200)), None);
    assert!(matches!(rule_set.rules()[2].kind(), RuleKind::Match));
    // Match rules default to ip keys and a ten-minute cooldown.
    assert_eq!(rule_set.rules()[2].group_by(), [GroupField::Ip]);
    assert_eq!(rule_set.rules()[2].cooldown(), Duration::from_secs(600));
}

#[test]
fn reports_an_unknown_field_at_its_line_with_a_suggestion() {
    let text = STUFFING.replace("threshold: 8", "thresold: 8");
    assert_eq!(
        problems(&text),
        [
            r#"rules/x.yaml:15: unknown field "thresold" (did you mean "threshold"?)"#,
            r#"rules/x.yaml:8: kind count needs "threshold""#,
        ]
    );
}

#[test]
fn collects_every_problem_of_a_file() {
    let text = r#"id: Bad_Id
title: {en: "T", fr: "x"}
severity: hihg
detection:
  kind: count
  where:
    endpoint: admin_logn
    path: {regex: "(unclosed"}
    status: {range: [500, 400]}
  group_by: [ip, ipp]
  window: 10x
  threshold: 0
  cooldown: 5s
response:
  - {action: ban, scope: account}
"#;
    assert_eq!(
        problems(text),
        [
            r#"rules/x.yaml:1: rule id "Bad_Id" must be lowercase letters, digits and single dashes (at most 64)"#,
            r#"rules/x.yaml:2: unknown field "fr""#,
            r#"rules/x.yaml:3: unknown severity "hihg" (info, low, medium, high, critical) (did you mean "high"?)"#,
            r#"rules/x.yaml:7: unknown endpoint class "admin_logn" (did you mean "admin_login"?)"#,
            r#"rules/x.yaml:8: invalid regex "(unclosed": error: unclosed group"#,
            r#"rules/x.yaml:9: empty range [500, 400]"#,
            r#"rules/x.yaml:10: cannot group by "ipp" (ip, range, account, session, site, user_agent, host, asn, country, path) (did you mean "ip"?)"#,
            r#"rules/x.yaml:13: cooldown 5s is shorter than the minimum 1m"#,
            r#"rules/x.yaml:11: window "10x" is not a duration (500ms, 10s, 10m, 24h, 1d; at most 90d)"#,
            r#"rules/x.yaml:12: threshold must be at least 1"#,
        ]
    );
}

#[test]
fn reports_yaml_syntax_errors_with_their_line() {
    let found = problems("id: x\ntitle: [unclosed\nseverity: low\n");
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("rules/x.yaml:3: invalid YAML: "), "{found:?}");
    // The parser places a duplicate key at the start of its mapping.
    assert_eq!(
        problems("id: x\nid: y\n"),
        [r#"rules/x.yaml:1: invalid YAML: duplicate entry with key "id""#]
    );
    assert_eq!(problems(""), ["rules/x.yaml:1: empty rule file"]);
    assert_eq!(problems("- a\n- b\n"), ["rules/x.yaml:1: a rule must be a mapping, not a list"]);
}

#[test]
fn reports_missing_fields_and_fields_the_kind_does_not_use() {
    assert_eq!(
        problems("id: x\ndetection:\n  kind: match\n  where: {path: /}\n  window: 1m\n"),
        [
            r#"rules/x.yaml:1: missing field "title""#,
            r#"rules/x.yaml:1: missing field "severity""#,
            r#"rules/x.yaml:5: "window" is not used by kind match"#,
        ]
    );
    assert_eq!(
        problems(
            "id: x\ntitle: T\nseverity: low\ndetection:\n  kind: counting\n  where: {path: /}\n"
        ),
        [
            r#"rules/x.yaml:5: unknown kind "counting" (match, count, absence, enumeration, baseline or sequence) (did you mean "count"?)"#
        ]
    );
    assert_eq!(
        problems(
            "id: x\ntitle: T\nseverity: low\ndetection:\n  kind: absence\n  where: {path: /}\n"
        ),
        [r#"rules/x.yaml:4: kind absence needs "unless_preceded_by""#]
    );
}

#[test]
fn rejects_window_values_without_units_and_bad_enumeration_settings() {
    let text = "id: e\ntitle: E\nseverity: high\ndetection:\n  kind: enumeration\n  where: {endpoint: order_pages}\n  id_from: status\n  id_pattern: '^/orders/\\d+$'\n  window: 10\n  threshold: 1\n  sequential_share: 1.5\n  max_gap: 0\n";
    assert_eq!(
        problems(text),
        [
            r#"rules/x.yaml:9: window 10 has no unit (write 10s, 10m, 10h...)"#,
            r#"rules/x.yaml:10: threshold must be at least 2"#,
            r#"rules/x.yaml:7: "id_from" must be a text field, not "status""#,
            r#"rules/x.yaml:8: id_pattern "^/orders/\d+$" must have exactly one capture group (it has 0)"#,
            r#"rules/x.yaml:11: sequential_share must be between 0 and 1"#,
            r#"rules/x.yaml:12: max_gap must be at least 1"#,
        ]
    );
}

#[test]
fn checks_responses_against_the_key() {
    let text = "id: r\ntitle: R\nseverity: high\ndetection:\n  kind: count\n  where: {endpoint: member_login}\n  group_by: [account]\n  window: 1m\n  threshold: 5\nresponse:\n  - {action: ban, scope: ip, duration: 1h}\n  - {action: force_reset, scope: account}\n  - {action: require_otp, scope: ip}\n  - action: ban\n    scope: range\n  - {action: notify, scope: site, duration: 1h}\n  - {action: block, scope: asn}\n";
    assert_eq!(
        problems(text),
        [
            r#"rules/x.yaml:11: scope "ip" is not in group_by [account], so the alert has no value for it"#,
            r#"rules/x.yaml:13: scope "ip" is not in group_by [account], so the alert has no value for it"#,
            r#"rules/x.yaml:13: require_otp applies to an account, not ip"#,
            r#"rules/x.yaml:15: scope "range" is not in group_by [account], so the alert has no value for it"#,
            r#"rules/x.yaml:14: ban needs a duration"#,
            r#"rules/x.yaml:16: notify takes no duration"#,
            r#"rules/x.yaml:17: unknown action "block" (ban, force_reset, require_otp, notify)"#,
        ]
    );
}

#[test]
fn reports_duplicate_ids_with_both_places() {
    let first = "id: dup\ntitle: A\nseverity: low\ndetection: {kind: match, where: {path: /a}}\n";
    let second = "# a comment first\nid: dup\ntitle: B\nseverity: low\ndetection: {kind: match, where: {path: /b}}\n";
    assert_eq!(
        compile_problems(&[("rules/x.yaml", first), ("rules/y.yaml", second)], &Sets::new()),
        [r#"rules/y.yaml:2: duplicate rule id "dup" (also in rules/x.yaml:1)"#]
    );
}

#[test]
fn collects_problems_across_files() {
    let broken = "id: a\ntitle: A\nseverity: low\ndetection: {kind: match, where: {path: {in_set: sensitive-path}}}\n";
    let also_broken =
        "id: b\ntitle: B\nseverity: extreme\ndetection: {kind: match, where: {path: /}}\n";
    let mut sets = Sets::new();
    sets.insert("sensitive-paths", ["/.env"]);
    assert_eq!(
        compile_problems(&[("rules/a.yaml", broken), ("rules/b.yaml", also_broken)], &sets),
        [
            r#"rules/b.yaml:3: unknown severity "extreme" (info, low, medium, high, critical)"#,
            r#"rules/a.yaml:4: unknown set "sensitive-path" (did you mean "sensitive-paths"?)"#,
        ]
    );
}

#[test]
fn finds_lines_in_block_and_indentless_sequences() {
    let text = "id: x\ntitle: T\nseverity: low\ndetection:\n  kind: match\n  where:\n    any:\n    - path: /a\n    - method: {prefix: P, sufix: T}\n";
    assert_eq!(
        problems(text),
        [r#"rules/x.yaml:9: unknown field "sufix" (did you mean "suffix"?)"#]
    );
    let text = "id: x\ntitle: T\nseverity: low\ndetection:\n  kind: match\n  where: {path: /a}\nresponse:\n  - action: notify\n    scope: site\n  - action: notify\n    scope: sight\n";
    assert_eq!(
        problems(text),
        [
            r#"rules/x.yaml:11: unknown scope "sight" (ip, range, account, session, site, asn, country, path)"#
        ]
    );
}

#[test]
fn accepts_a_plain_title_and_durations_in_every_unit() {
    for window in ["500ms", "10s", "10m", "24h", "1d"] {
        let text = format!(
            "id: x\ntitle: Just English\nseverity: info\ndetection:\n  kind: count\n  where: {{path: /}}\n  window: {window}\n  threshold: 3\n"
        );
        assert_eq!(problems(&text), Vec::<String>::new(), "{window}");
    }
    assert_eq!(crate::format_duration(Duration::from_secs(600)), "10m");
    assert_eq!(crate::format_duration(Duration::from_millis(1500)), "1500ms");
    assert_eq!(crate::format_duration(Duration::from_secs(90)), "90s");
}

proptest! {
    #[test]
    fn parsing_arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_rule(&text, "fuzz.yaml");
    }

    #[test]
    fn parsing_mutated_rules_never_panics(cut in 0usize..700, insert in "[ \\-:{}\\[\\]a-z0-9#\n]{0,12}") {
        let mut text = STUFFING.to_owned();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, &insert);
        let _ = RuleSet::compile_sources([("fuzz.yaml", text.as_str())], &Sets::new(), &Site::default());
    }
}

#[test]
fn asn_and_country_keys_allow_bans_of_their_scope() {
    let text = "id: r\ntitle: R\nseverity: high\ndetection:\n  kind: count\n  where: {endpoint: member_login}\n  group_by: [asn]\n  window: 1m\n  threshold: 5\nresponse:\n  - {action: ban, scope: asn, duration: 1h}\n  - {action: ban, scope: country, duration: 1h}\n";
    assert_eq!(
        problems(text),
        [
            r#"rules/x.yaml:12: scope "country" is not in group_by [asn], so the alert has no value for it"#
        ]
    );
}
