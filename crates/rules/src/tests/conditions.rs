//! Every matcher and combinator of `where`, through compiled rules.

use std::borrow::Cow;

use model::{EventKind, LoginOutcome, ServerNotice};

use super::{check_where, compile_where, request};
use crate::{Classification, Confidence, Detector, Facts, PayloadFlags, Sets, parse_set};

fn no_sets() -> Sets {
    Sets::new()
}

#[test]
fn scalars_compare_paths_exactly_and_methods_ignoring_case() {
    let sets = no_sets();
    assert!(check_where("{path: /member/login}", &sets, &request("GET", "/member/login", 200)));
    assert!(!check_where("{path: /member/login}", &sets, &request("GET", "/Member/Login", 200)));
    assert!(check_where("{method: POST}", &sets, &request("post", "/", 200)));
    assert!(check_where("{host: Shop.Example.TW}", &sets, &{
        let mut event = request("GET", "/", 200);
        event.host = Cow::Borrowed("shop.example.tw");
        event
    }));
}

#[test]
fn lists_match_any_of_their_values() {
    let sets = no_sets();
    let condition = "{method: [PUT, DELETE], status: [401, 403]}";
    assert!(check_where(condition, &sets, &request("DELETE", "/", 403)));
    assert!(!check_where(condition, &sets, &request("DELETE", "/", 404)));
    assert!(!check_where(condition, &sets, &request("GET", "/", 401)));
    let mixed = "{path: [/a, {prefix: /b/}, {suffix: .bak}]}";
    assert!(check_where(mixed, &sets, &request("GET", "/a", 200)));
    assert!(check_where(mixed, &sets, &request("GET", "/b/c", 200)));
    assert!(check_where(mixed, &sets, &request("GET", "/db.sql.bak", 200)));
    assert!(!check_where(mixed, &sets, &request("GET", "/c", 200)));
}

#[test]
fn prefix_suffix_and_contains_accept_one_value_or_a_list() {
    let sets = no_sets();
    let event = request("GET", "/admin/orders/export.csv", 200);
    assert!(check_where("{path: {prefix: /admin/}}", &sets, &event));
    assert!(check_where("{path: {suffix: [.xlsx, .csv]}}", &sets, &event));
    assert!(check_where("{path: {contains: export}}", &sets, &event));
    assert!(check_where("{path: {prefix: /admin/, suffix: .csv}}", &sets, &event));
    assert!(!check_where("{path: {prefix: /admin/, suffix: .xlsx}}", &sets, &event));
    assert!(!check_where("{path: {contains: [import, backup]}}", &sets, &event));
    let many: Vec<String> = (0..20).map(|idx| format!(".ext{idx}")).collect();
    let condition = format!("{{path: {{suffix: [{}, .csv]}}}}", many.join(", "));
    assert!(check_where(&condition, &sets, &event));
    let condition = format!("{{path: {{prefix: [{}, /admin]}}}}", many.join(", "));
    assert!(check_where(&condition, &sets, &event));
}

#[test]
fn ignore_case_applies_to_every_text_matcher() {
    let sets = no_sets();
    let mut event = request("GET", "/", 200);
    event.user_agent = Cow::Borrowed("SQLMap/1.7");
    assert!(!check_where("{user_agent: {contains: sqlmap}}", &sets, &event));
    assert!(check_where("{user_agent: {contains: sqlmap, ignore_case: true}}", &sets, &event));
    assert!(check_where("{user_agent: {prefix: sqlmap, ignore_case: true}}", &sets, &event));
    assert!(check_where("{user_agent: {equals: sqlmap/1.7, ignore_case: true}}", &sets, &event));
    assert!(check_where("{user_agent: {regex: '^sqlmap/', ignore_case: true}}", &sets, &event));
}

#[test]
fn regexes_are_rust_regexes() {
    let sets = no_sets();
    let condition = r"{path: {regex: '^/member/orders/\d+$'}}";
    assert!(check_where(condition, &sets, &request("GET", "/member/orders/1042", 200)));
    assert!(!check_where(condition, &sets, &request("GET", "/member/orders/1042/x", 200)));
}

#[test]
fn named_sets_match_exactly_or_by_mode() {
    let mut sets = Sets::new();
    sets.insert(
        "sensitive-paths",
        parse_set("# probes\n/.env\n\n/.git/config\n  /wp-config.php.bak  \n"),
    );
    sets.insert("tools", parse_set("sqlmap\nnikto\nNuclei\n"));
    assert_eq!(sets.get("sensitive-paths").unwrap().len(), 3);
    assert!(check_where("{path: {in_set: sensitive-paths}}", &sets, &request("GET", "/.env", 404)));
    assert!(!check_where(
        "{path: {in_set: sensitive-paths}}",
        &sets,
        &request("GET", "/.env.local", 404)
    ));
    assert!(check_where(
        "{path: {in_set: sensitive-paths, mode: prefix}}",
        &sets,
        &request("GET", "/.env.local", 404)
    ));
    assert!(check_where(
        "{path: {in_set: sensitive-paths, mode: suffix}}",
        &sets,
        &request("GET", "/shop/.git/config", 404)
    ));
    let mut event = request("GET", "/", 200);
    event.user_agent = Cow::Borrowed("Mozilla/5.0 (nuclei - projectdiscovery)");
    assert!(!check_where("{user_agent: {in_set: tools, mode: contains}}", &sets, &event));
    assert!(check_where(
        "{user_agent: {in_set: tools, mode: contains, ignore_case: true}}",
        &sets,
        &event
    ));
    event.user_agent = Cow::Borrowed("NIKTO");
    assert!(check_where("{user_agent: {in_set: tools, ignore_case: true}}", &sets, &event));
}

#[test]
fn addresses_match_by_cidr_and_by_set() {
    let mut sets = Sets::new();
    sets.insert("office", ["198.51.100.0/24", "2001:db8::/32", "192.0.2.7"]);
    let mut event = request("GET", "/", 200);
    assert!(check_where("{client_ip: {cidr: [10.0.0.0/8, 203.0.113.0/24]}}", &sets, &event));
    assert!(check_where("{client_ip: 203.0.113.9}", &sets, &event));
    assert!(!check_where("{client_ip: {in_set: office}}", &sets, &event));
    event.client_ip = Some("2001:db8::5".parse().unwrap());
    assert!(check_where("{client_ip: {in_set: office}}", &sets, &event));
    event.client_ip = Some("::ffff:192.0.2.7".parse().unwrap());
    assert!(check_where("{client_ip: {in_set: office}}", &sets, &event));
    event.client_ip = None;
    assert!(!check_where("{client_ip: {cidr: 0.0.0.0/0}}", &sets, &event));
    assert!(check_where("{client_ip: {exists: false}}", &sets, &event));
    sets.insert("broken", ["not-an-address"]);
    assert_eq!(
        compile_where("{client_ip: {in_set: broken}}", &sets).unwrap_err(),
        [
            r#"test.yaml:6: set "broken" holds "not-an-address", which is not an address or a CIDR range"#
        ]
    );
}

#[test]
fn numbers_match_ranges_and_bounds() {
    let sets = no_sets();
    let mut event = request("GET", "/", 404);
    event.bytes = Some(5_000_000);
    assert!(check_where("{status: {range: [400, 499]}}", &sets, &event));
    assert!(check_where("{status: 4xx}", &sets, &event));
    assert!(!check_where("{status: 5xx}", &sets, &event));
    assert!(check_where("{status: {gte: 400, lte: 404}}", &sets, &event));
    assert!(!check_where("{status: {gte: 405}}", &sets, &event));
    assert!(check_where("{bytes: {gte: 1000000}}", &sets, &event));
    assert!(!check_where("{bytes: {lte: 1000}}", &sets, &event));
    event.bytes = None;
    assert!(!check_where("{bytes: {lte: 1000}}", &sets, &event));
    assert!(check_where("{bytes: {exists: false}}", &sets, &event));
}

#[test]
fn exists_tells_present_from_absent() {
    let sets = no_sets();
    let mut event = request("GET", "/", 200);
    assert!(check_where("{account: {exists: false}, user_agent: {exists: true}}", &sets, &event));
    event.account = Cow::Borrowed("alice@example.com");
    assert!(check_where("{account: {exists: true}}", &sets, &event));
    assert_eq!(
        compile_where("{account: {exists: true, prefix: a}}", &sets).unwrap_err(),
        [r#"test.yaml:6: "exists" cannot be combined with other matchers"#]
    );
}

#[test]
fn kind_outcome_and_notice_name_event_properties() {
    let sets = no_sets();
    let mut login = request("", "", 0);
    login.kind = EventKind::Login;
    login.status = None;
    login.outcome = Some(LoginOutcome::Failure);
    login.account = Cow::Borrowed("alice");
    assert!(check_where("{kind: login, outcome: failure}", &sets, &login));
    assert!(!check_where("{kind: login, outcome: success}", &sets, &login));
    assert!(!check_where("{kind: request}", &sets, &login));
    let mut notice = request("", "", 0);
    notice.kind = EventKind::ServerNotice;
    notice.notice = Some(ServerNotice::LimitReq);
    assert!(check_where("{notice: [limit_req, limit_conn]}", &sets, &notice));
    assert!(!check_where("{notice: forbidden}", &sets, &notice));
    assert!(check_where("{kind: [server_notice, login]}", &sets, &notice));
}

#[test]
fn requests_get_their_outcome_from_the_endpoint() {
    let sets = no_sets();
    let condition = "{endpoint: member_login, outcome: failure}";
    assert!(check_where(condition, &sets, &request("POST", "/member/login", 200)));
    assert!(!check_where(condition, &sets, &request("POST", "/member/login", 302)));
    assert!(!check_where(condition, &sets, &request("GET", "/member/login", 200)));
    assert!(check_where(
        "{endpoint: member_login, outcome: success}",
        &sets,
        &request("POST", "/member/login", 302)
    ));
    assert!(check_where(
        "{outcome: {exists: false}}",
        &sets,
        &request("GET", "/member/login", 200)
    ));
}

#[test]
fn endpoints_and_is_static_come_from_the_site() {
    let sets = no_sets();
    assert!(check_where(
        "{endpoint: [admin_login, member_login]}",
        &sets,
        &request("POST", "/wp-login.php", 200)
    ));
    assert!(check_where(
        "{endpoint: admin_area}",
        &sets,
        &request("GET", "/wp-admin/users.php", 200)
    ));
    assert!(!check_where(
        "{endpoint: admin_area}",
        &sets,
        &request("POST", "/wp-admin/admin-ajax.php", 200)
    ));
    assert!(check_where(
        "{is_static: true}",
        &sets,
        &request("GET", "/wp-content/themes/x/style.CSS", 200)
    ));
    assert!(check_where("{is_static: false}", &sets, &request("GET", "/product/12", 200)));
    assert!(check_where(
        "{endpoint: {exists: true}}",
        &sets,
        &request("GET", "/member/orders/7", 200)
    ));
    assert!(!check_where("{endpoint: {exists: true}}", &sets, &request("GET", "/product/12", 200)));
}

#[test]
fn not_any_and_all_combine_conditions() {
    let sets = no_sets();
    let condition =
        "{any: [{path: /a}, {all: [{path: {prefix: /b}}, {status: 200}]}], not: {method: HEAD}}";
    assert!(check_where(condition, &sets, &request("GET", "/a", 500)));
    assert!(check_where(condition, &sets, &request("GET", "/bb", 200)));
    assert!(!check_where(condition, &sets, &request("GET", "/bb", 404)));
    assert!(!check_where(condition, &sets, &request("HEAD", "/a", 200)));
}

#[test]
fn payload_tests_ask_the_inspector_once_and_only_when_reached() {
    let rule_set = compile_where(
        "{path: /search, payload: {detector: [sqli, xss], confidence: high}}",
        &no_sets(),
    )
    .unwrap();
    assert!(rule_set.uses_payload());
    let rule = &rule_set.rules()[0];
    let calls = std::cell::Cell::new(0);
    let inspector = |_: &model::Event<'_>| {
        calls.set(calls.get() + 1);
        PayloadFlags::EMPTY.with(Detector::Sqli, Confidence::High)
    };
    let check = |target: &str| {
        let event = request("GET", target, 200);
        let classification: Classification = rule_set.site().classify(&event);
        let facts = Facts::new(&event, classification, Some(&inspector));
        let first = rule.condition().matches(&facts);
        let second = rule.condition().matches(&facts);
        assert_eq!(first, second);
        first
    };
    assert!(!check("/product?q=1"));
    assert_eq!(calls.get(), 0, "the cheap path test fails first");
    assert!(check("/search?q=1'+OR+1=1--"));
    assert_eq!(calls.get(), 1, "asked once per event");
    let medium = PayloadFlags::EMPTY.with(Detector::Xss, Confidence::Medium);
    assert!(medium.contains(Detector::Xss, Confidence::Medium));
    assert!(!medium.contains(Detector::Xss, Confidence::High));
    // Without an inspector, payload tests never match.
    let event = request("GET", "/search?q=1", 200);
    let facts = Facts::new(&event, rule_set.site().classify(&event), None);
    assert!(!rule.condition().matches(&facts));
}

#[test]
fn payload_shorthand_lists_detectors() {
    let flagged =
        |_: &model::Event<'_>| PayloadFlags::EMPTY.with(Detector::Traversal, Confidence::Medium);
    let rule_set = compile_where("{payload: [traversal, rfi]}", &no_sets()).unwrap();
    let event = request("GET", "/download?file=../../etc/passwd", 200);
    let facts = Facts::new(&event, rule_set.site().classify(&event), Some(&flagged));
    assert!(rule_set.rules()[0].condition().matches(&facts));
    assert_eq!(
        compile_where("{payload: [sqlinjection]}", &no_sets()).unwrap_err(),
        [r#"test.yaml:6: unknown detector "sqlinjection" (did you mean "sqli"?)"#]
    );
}

#[test]
fn prefilters_skip_events_a_condition_cannot_match() {
    let rule_set =
        compile_where("{endpoint: member_login, method: POST, status: 4xx}", &no_sets()).unwrap();
    let prefilter = rule_set.rules()[0].condition().prefilter();
    let admits = |method: &str, target: &str, status: u16| {
        let event = request(method, target, status);
        let facts = Facts::new(&event, rule_set.site().classify(&event), None);
        prefilter.admits(facts.signature())
    };
    assert!(admits("POST", "/member/login", 401));
    assert!(!admits("GET", "/member/login", 401));
    assert!(!admits("POST", "/member/login", 302));
    assert!(!admits("POST", "/static/app.js", 401));
}

#[test]
fn rejects_matchers_that_do_not_fit_the_field() {
    let sets = no_sets();
    assert_eq!(
        compile_where("{status: {prefix: '4'}}", &sets).unwrap_err(),
        [r#"test.yaml:6: unknown field "prefix""#]
    );
    assert_eq!(
        compile_where("{pth: /a}", &sets).unwrap_err(),
        [r#"test.yaml:6: unknown field "pth" (did you mean "path"?)"#]
    );
    assert_eq!(
        compile_where("{path: {mode: prefix, prefix: /a}}", &sets).unwrap_err(),
        [r#"test.yaml:6: "mode" only applies to "in_set""#]
    );
    assert_eq!(
        compile_where("{is_static: yes}", &sets).unwrap_err(),
        [r#"test.yaml:6: "is_static" must be true or false, not "yes""#]
    );
    assert_eq!(
        compile_where("{client_ip: 300.1.1.1}", &sets).unwrap_err(),
        [r#"test.yaml:6: "300.1.1.1" is not an address or a CIDR range"#]
    );
    assert_eq!(
        compile_where("{}", &sets).unwrap_err(),
        [r#"test.yaml:6: empty condition (name at least one field)"#]
    );
}

#[test]
fn a_long_suffix_list_matches_only_at_the_end_of_the_value() {
    let sets = no_sets();
    let mut many: Vec<String> = (0..20).map(|idx| format!(".ext{idx}")).collect();
    many.push("/.git/config".to_owned());
    many.push("備份.zip".to_owned());
    let exact = format!("{{path: {{suffix: [{}]}}}}", many.join(", "));
    let folded = format!("{{path: {{suffix: [{}], ignore_case: true}}}}", many.join(", "));
    for (path, is_exact, is_folded) in [
        ("/shop/.git/config", true, true),
        ("/shop/.GIT/Config", false, true),
        ("/shop/.git/config.php", false, false),
        ("/files/備份.zip", true, true),
        ("/files/備份.zip.txt", false, false),
        ("/a.ext7", true, true),
        ("/a.ext7/", false, false),
        ("", false, false),
        ("g", false, false),
    ] {
        let event = request("GET", path, 404);
        assert_eq!(check_where(&exact, &sets, &event), is_exact, "{path} (exact case)");
        assert_eq!(check_where(&folded, &sets, &event), is_folded, "{path} (ignoring case)");
    }
    let long_path = format!("/{}/.git/config", "x".repeat(600));
    assert!(check_where(&exact, &sets, &request("GET", &long_path, 404)));
}

fn from(country: Option<&str>, asn: Option<u32>) -> model::Event<'static> {
    let mut event = request("GET", "/admin/orders", 200);
    event.country = country.and_then(model::Country::parse);
    event.asn = asn;
    event
}

#[test]
fn country_and_asn_match_lists_sets_and_presence() {
    let mut sets = no_sets();
    sets.insert("home", parse_set("# staff\nTW\nhk\n"));
    sets.insert("hosting", parse_set("AS16509\n14061\n"));
    let taiwan = from(Some("TW"), Some(3462));
    let abroad = from(Some("US"), Some(16509));
    let unknown = from(None, None);
    assert!(check_where("{country: [TW, HK]}", &sets, &taiwan));
    assert!(check_where("{country: tw}", &sets, &taiwan));
    assert!(!check_where("{country: [TW, HK]}", &sets, &abroad));
    assert!(check_where("{country: {in_set: home}}", &sets, &taiwan));
    assert!(check_where("{country: {in_set: home, equals: [JP]}}", &sets, &from(Some("JP"), None)));
    assert!(check_where("{not: {country: {in_set: home}}}", &sets, &abroad));
    // An unknown country is in no list, so `not` alone matches it: rules add `exists`.
    assert!(check_where("{not: {country: [TW]}}", &sets, &unknown));
    assert!(!check_where("{country: {exists: true}, not: {country: [TW]}}", &sets, &unknown));
    assert!(check_where("{country: {exists: false}}", &sets, &unknown));
    assert!(check_where("{asn: [16509, AS14061]}", &sets, &abroad));
    assert!(!check_where("{asn: 16509}", &sets, &taiwan));
    assert!(check_where("{asn: {in_set: hosting}}", &sets, &abroad));
    assert!(check_where("{asn: {exists: true}}", &sets, &taiwan));
    assert!(!check_where("{asn: {exists: true}}", &sets, &unknown));
    let rule_set = compile_where("{country: [TW]}", &sets).unwrap();
    assert_eq!(rule_set.geo_rules().count(), 1);
    let rule_set = compile_where("{path: /x}", &sets).unwrap();
    assert_eq!(rule_set.geo_rules().count(), 0);
}

#[test]
fn bad_country_codes_and_as_numbers_are_problems() {
    let mut sets = no_sets();
    sets.insert("mixed", parse_set("TW\nTaiwan\n"));
    assert_eq!(
        compile_where("{country: [TW, TWN]}", &sets).unwrap_err(),
        [r#"test.yaml:6: "TWN" is not a two-letter country code (ISO 3166-1: TW, US)"#]
    );
    assert_eq!(
        compile_where("{asn: [AS-1]}", &sets).unwrap_err(),
        [r#"test.yaml:6: "AS-1" is not an AS number (13335 or AS13335)"#]
    );
    assert_eq!(
        compile_where("{country: {in_set: mixed}}", &sets).unwrap_err(),
        [r#"test.yaml:6: set "mixed" holds "Taiwan", which is not a two-letter country code"#]
    );
    assert_eq!(
        compile_where("{country: {in_sett: mixed}}", &sets).unwrap_err(),
        [r#"test.yaml:6: unknown field "in_sett" (did you mean "in_set"?)"#]
    );
}
