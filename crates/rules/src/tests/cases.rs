//! The fixture case model: parsing `case.toml` and checking alerts against it.

use std::path::Path;

use model::{Alert, AlertId, AlertKey, KeyKind, LocalizedText, RuleId, Severity, Timestamp};

use crate::{cases_dir, parse_case};

fn alert(rule: &str, ip: &str, count: u64) -> Alert {
    Alert {
        id: AlertId("0".to_owned()),
        rule_id: RuleId(rule.to_owned()),
        title: LocalizedText::default(),
        severity: Severity::High,
        key: AlertKey { kind: KeyKind::Ip, value: ip.to_owned(), extra: Vec::new() },
        count,
        distinct: None,
        first_seen: Timestamp::EPOCH,
        last_seen: Timestamp::EPOCH,
        samples: Vec::new(),
        response: Vec::new(),
        reason: String::new(),
    }
}

#[test]
fn parses_a_case_and_checks_alerts_against_it() {
    let case = parse_case(
        r#"
format = "combined"
description = "twelve failed logins in a second"
expect = [{ rule = "lg-stuffing", key = "ip 203.0.113.9", count = 12 }]
"#,
        "rules/stuffing.tests/fires/case.toml",
    )
    .unwrap();
    assert_eq!(case.format, "combined");
    assert!(case.check("lg-stuffing", &[alert("lg-stuffing", "203.0.113.9", 12)]).is_empty());
    assert_eq!(
        case.check(
            "lg-stuffing",
            &[alert("lg-stuffing", "203.0.113.9", 11), alert("other", "1.1.1.1", 1)]
        ),
        ["lg-stuffing for ip 203.0.113.9: count 11, expected 12"]
    );
    assert_eq!(
        case.check("lg-stuffing", &[alert("lg-stuffing", "198.51.100.1", 12)]),
        [
            "expected lg-stuffing to fire for ip 203.0.113.9, it did not",
            "lg-stuffing fired for ip 198.51.100.1 (count 12), not expected",
        ]
    );
}

#[test]
fn an_empty_expectation_means_the_rule_must_not_fire() {
    let case = parse_case("format = \"combined\"\nexpect = []\n", "case.toml").unwrap();
    assert!(case.check("lg-stuffing", &[alert("other-rule", "203.0.113.9", 3)]).is_empty());
    assert_eq!(
        case.check("lg-stuffing", &[alert("lg-stuffing", "203.0.113.9", 3)]),
        ["lg-stuffing fired for ip 203.0.113.9 (count 3), not expected"]
    );
}

#[test]
fn reports_case_problems_with_their_line() {
    let problems =
        parse_case("format = \"combined\"\nexpect = []\nexpekt = 1\n", "x/case.toml").unwrap_err();
    assert_eq!(problems[0].line, 3);
    assert!(
        problems[0].to_string().starts_with("x/case.toml:3: unknown field `expekt`"),
        "{}",
        problems[0]
    );
    assert_eq!(
        cases_dir(Path::new("rules/magento/admin.yaml")),
        Path::new("rules/magento/admin.tests")
    );
}

/// The example rules in `test_data/rules` with their cases: every rule parses
/// and compiles, every case parses, and every rule has a case that expects
/// alerts and one that expects none. (Replaying the cases needs the parsers;
/// the pipeline's fixture test does that.)
#[test]
fn example_rules_and_their_cases_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/rules");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "yaml") {
            sources.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    sources.sort();
    assert_eq!(sources.len(), 3);
    let named: Vec<(String, &str)> = sources
        .iter()
        .map(|(path, text)| {
            (path.strip_prefix(&root).unwrap().display().to_string(), text.as_str())
        })
        .collect();
    let rule_set = crate::RuleSet::compile_sources(
        named.iter().map(|(origin, text)| (origin.as_str(), *text)),
        &crate::Sets::new(),
        &crate::Site::default(),
    )
    .unwrap();
    for (path, _) in &sources {
        let mut n_firing = 0;
        let mut n_quiet = 0;
        for entry in std::fs::read_dir(cases_dir(path)).unwrap() {
            let case_dir = entry.unwrap().path();
            let text = std::fs::read_to_string(case_dir.join(crate::CASE_FILE)).unwrap();
            let case = parse_case(&text, &case_dir.display().to_string()).unwrap();
            assert!(case_dir.join(crate::INPUT_FILE).exists());
            for expectation in &case.expect {
                assert!(rule_set.get(&expectation.rule).is_some(), "{}", expectation.rule);
            }
            if case.expect.is_empty() { n_quiet += 1 } else { n_firing += 1 }
        }
        assert!(n_firing >= 1 && n_quiet >= 1, "{}", path.display());
    }
}
