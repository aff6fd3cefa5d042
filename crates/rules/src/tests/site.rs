//! Endpoint classes: the built-in layouts, outcomes, patterns and configuration.

use model::LoginOutcome;

use super::request;
use crate::{EndpointClass, EndpointConfig, EndpointsConfig, PathPattern, Site, StatusEntry};

fn classes(site: &Site, target: &str) -> Vec<&'static str> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    site.endpoints(path, query).iter().map(EndpointClass::as_str).collect()
}

#[test]
fn default_layouts_classify_common_shops() {
    let site = Site::default();
    let table: &[(&str, &[&str])] = &[
        // WordPress / WooCommerce
        ("/wp-login.php", &["admin_login"]),
        ("/wp-login.php?action=lostpassword", &["password_reset"]),
        ("/wp-admin/edit.php", &["admin_area"]),
        ("/wp-admin/admin-ajax.php", &[]),
        ("/my-account/", &["member_login", "member_area"]),
        ("/my-account/orders/", &["member_area", "order_pages"]),
        ("/my-account/view-order/1042/", &["member_area", "order_pages"]),
        ("/my-account/lost-password/", &["password_reset", "member_area"]),
        ("/?wc-ajax=get_refreshed_fragments", &[]),
        ("/?s=shoes", &["search"]),
        // Magento
        ("/customer/account/loginPost/", &["member_login", "member_area"]),
        ("/customer/account/forgotpasswordpost/", &["password_reset", "member_area"]),
        ("/sales/order/view/order_id/77/", &["member_area", "order_pages"]),
        ("/admin/customer/index/exportCsv/", &["admin_area", "exports"]),
        ("/catalogsearch/result/?q=bag", &["search"]),
        // OpenCart
        ("/index.php?route=account/login", &["member_login", "member_area"]),
        (
            "/index.php?language=en-gb&route=account/order.info&order_id=3",
            &["member_area", "order_pages"],
        ),
        ("/index.php?route=product/product&product_id=42", &[]),
        ("/admin/index.php?route=common/login", &["admin_login", "admin_area"]),
        // Shopify-style
        ("/account/login", &["member_login", "member_area"]),
        ("/account/orders/1001", &["member_area", "order_pages"]),
        ("/admin/orders", &["admin_area"]),
        // Custom shops
        ("/member/login", &["member_login", "member_area"]),
        ("/member/orders/1042", &["member_area", "order_pages"]),
        ("/member/password/change", &["password_change", "member_area"]),
        ("/member/password/reset", &["password_reset", "member_area"]),
        ("/admin/login", &["admin_login", "admin_area"]),
        ("/admin/members/export", &["admin_area", "exports"]),
        ("/admin/reports/2026/customers.xlsx", &["admin_area", "exports"]),
        ("/export/orders.csv", &["exports"]),
        // Static assets and everything else
        ("/static/app.js", &["static"]),
        ("/images/logo.PNG", &["static"]),
        ("/favicon.ico", &["static"]),
        ("/product/shoes-42", &[]),
        ("", &[]),
    ];
    for (target, expected) in table {
        let mut found = classes(&site, target);
        let mut expected = expected.to_vec();
        found.sort_unstable();
        expected.sort_unstable();
        assert_eq!(found, expected, "{target}");
    }
}

#[test]
fn login_outcomes_follow_method_and_status() {
    let site = Site::default();
    let outcome = |method: &str, target: &str, status: u16| {
        site.classify(&request(method, target, status)).outcome
    };
    assert_eq!(outcome("POST", "/member/login", 302), Some(LoginOutcome::Success));
    assert_eq!(outcome("POST", "/member/login", 200), Some(LoginOutcome::Failure));
    assert_eq!(outcome("POST", "/member/login", 401), Some(LoginOutcome::Failure));
    assert_eq!(outcome("POST", "/member/login", 500), None);
    assert_eq!(outcome("GET", "/member/login", 200), None);
    assert_eq!(outcome("GET", "/member/orders/7", 200), Some(LoginOutcome::Success));
    assert_eq!(outcome("GET", "/member/orders/7", 403), Some(LoginOutcome::Failure));
    assert_eq!(outcome("GET", "/static/app.js", 200), None);
    assert_eq!(outcome("GET", "/product/1", 200), None);
}

#[test]
fn configuration_adds_replaces_and_excludes_paths() {
    let config = EndpointsConfig {
        member_login: EndpointConfig {
            paths: Some(vec!["/api/v2/session".to_owned()]),
            success_statuses: Some(vec![
                StatusEntry::Code(200),
                StatusEntry::Range("3xx".to_owned()),
            ]),
            failure_statuses: Some(vec![StatusEntry::Range("400-403".to_owned())]),
            ..EndpointConfig::default()
        },
        order_pages: EndpointConfig {
            extra_paths: vec![
                "/shop/~*/invoice".to_owned(),
                "~^/o/[0-9]+$".to_owned(),
                "!/member/orders/export*".to_owned(),
            ],
            ..EndpointConfig::default()
        },
        ..EndpointsConfig::default()
    };
    let site = Site::compile(&config).unwrap();
    assert_eq!(classes(&site, "/api/v2/session"), ["member_login"]);
    assert_eq!(classes(&site, "/member/login"), ["member_area"]);
    assert_eq!(classes(&site, "/o/123"), ["order_pages"]);
    assert_eq!(classes(&site, "/shop/~alice/invoice"), ["order_pages"]);
    assert_eq!(classes(&site, "/member/orders/export.csv"), ["member_area"]);
    let outcome = |status| site.classify(&request("POST", "/api/v2/session", status)).outcome;
    assert_eq!(outcome(200), Some(LoginOutcome::Success));
    assert_eq!(outcome(403), Some(LoginOutcome::Failure));
}

#[test]
fn configuration_problems_name_their_key() {
    let config: EndpointsConfig = toml::from_str(
        r#"
[member_login]
paths = ["/login", "no-slash", "~(unclosed"]
success_statuses = [200, "9xx"]
failure_statuses = [200]
outcome_methods = ["POST", "P0ST"]
"#,
    )
    .unwrap();
    let problems: Vec<String> =
        Site::compile(&config).unwrap_err().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            r#"site.endpoints.member_login.paths[1]: path pattern "no-slash" must start with "/", "*", "?" or "~""#,
            r#"site.endpoints.member_login.paths[2]: invalid regex "(unclosed": error: unclosed group"#,
            r#"site.endpoints.member_login.outcome_methods[1]: "P0ST" is not an HTTP method"#,
            r#"site.endpoints.member_login.success_statuses[1]: Range("9xx") is not a status (write 302, "3xx" or "300-303")"#,
            r#"site.endpoints.member_login: statuses 200 mean both success and failure"#,
        ]
    );
    let unknown = toml::from_str::<EndpointsConfig>("[admin_logn]\npaths = []\n").unwrap_err();
    assert!(unknown.to_string().contains("unknown field `admin_logn`"), "{unknown}");
    let unknown = toml::from_str::<EndpointsConfig>("[static]\npath = []\n").unwrap_err();
    assert!(unknown.to_string().contains("unknown field `path`"), "{unknown}");
}

#[test]
fn path_patterns_follow_their_documented_forms() {
    let check = |pattern: &str, target: &str| {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        PathPattern::parse(pattern).unwrap().matches(path, query)
    };
    assert!(check("/member/login", "/member/login"));
    assert!(!check("/member/login", "/member/login/"));
    assert!(check("/admin/*", "/admin/a/b/c"));
    assert!(!check("/admin/*", "/administrator"));
    assert!(check("/member/orders*", "/member/orders"));
    assert!(check("/member/*/export*", "/member/orders/export.csv"));
    assert!(!check("/member/*/export*", "/member/a/b/export.csv"));
    assert!(check("/admin/**/export*", "/admin/a/b/export.csv"));
    assert!(check("*.csv", "/deep/down/file.csv"));
    assert!(check("/index.php?route=account/*", "/index.php?x=1&route=account/edit"));
    assert!(!check("/index.php?route=account/*", "/index.php?route=product/1"));
    assert!(check("?wc-ajax", "/any?wc-ajax=x"));
    assert!(check("~^/o/\\d+$", "/o/12"));
    assert!(PathPattern::parse("!/x").unwrap().is_exclude());
    assert_eq!(PathPattern::parse("/a?").unwrap_err(), r#"nothing after "?" in "/a?""#);
}
