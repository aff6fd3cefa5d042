//! Tests of the nginx error-log parser, through [`crate::Parser`].

use std::net::IpAddr;

use model::{Event, EventKind, ServerNotice, Timestamp};
use proptest::prelude::*;

use crate::{Error, FormatSpec, Parser, ParserOptions};

fn parser() -> Parser {
    Parser::compile(&FormatSpec::NginxError, &ParserOptions::default()).expect("compiles")
}

fn check_ok(line: &str) -> Event<'_> {
    match parser().parse(line) {
        Ok(event) => event,
        Err(error) => panic!("{line:?} should parse: {error}"),
    }
}

fn check_notice(line: &str, notice: ServerNotice, client: &str) -> Event<'static> {
    let event = check_ok(line).into_owned();
    assert_eq!(event.notice, Some(notice), "{line}");
    assert_eq!(event.client_ip, ip(client), "{line}");
    assert_eq!(event.kind, EventKind::ServerNotice);
    event
}

fn check_err(line: &str) -> Error {
    match parser().parse(line) {
        Ok(event) => panic!("{line:?} should not parse, got {event:?}"),
        Err(error) => error,
    }
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().expect("valid test address"))
}

#[test]
fn reads_a_limit_req_rejection_with_its_request() {
    let line = r#"2026/11/22 10:00:07 [error] 1311#1311: *90210 limiting requests, excess: 3.210 by zone "checkout", client: 203.0.113.77, server: shop.example.tw, request: "POST /checkout/pay?step=2 HTTP/1.1", host: "shop.example.tw", referrer: "https://shop.example.tw/cart""#;
    let event = check_notice(line, ServerNotice::LimitReq, "203.0.113.77");
    assert_eq!(event.time, Timestamp::from_civil(2026, 11, 22, 10, 0, 7, 0));
    assert_eq!(event.utc_offset_secs, 0);
    assert_eq!((event.method.as_ref(), event.path.as_ref()), ("POST", "/checkout/pay"));
    assert_eq!((event.query.as_ref(), event.protocol.as_ref()), ("step=2", "HTTP/1.1"));
    assert_eq!(event.host, "shop.example.tw");
    assert_eq!(event.referer, "https://shop.example.tw/cart");
}

#[test]
fn a_delayed_request_is_a_limit_req_notice() {
    let line = r#"2026/11/22 10:00:07 [warn] 88#88: *5 delaying request, excess: 0.512, by zone "burst", client: 198.51.100.31, server: shop.example.tw, request: "GET /robots.txt HTTP/1.1", host: "shop.example.tw""#;
    check_notice(line, ServerNotice::LimitReq, "198.51.100.31");
}

#[test]
fn reads_a_limit_conn_rejection() {
    let line = r#"2026/11/22 10:00:07 [error] 88#88: *6 limiting connections by zone "perip", client: 198.51.100.32, server: shop.example.tw, request: "GET /.git/config HTTP/1.1", host: "shop.example.tw""#;
    let event = check_notice(line, ServerNotice::LimitConn, "198.51.100.32");
    assert_eq!(event.path, "/.git/config");
}

#[test]
fn uses_the_configured_offset_for_the_zoneless_time() {
    let options = ParserOptions { default_utc_offset_secs: 8 * 3600, ..ParserOptions::default() };
    let parser = Parser::compile(&FormatSpec::NginxError, &options).expect("compiles");
    let line = r#"2026/11/22 10:00:07 [error] 88#88: *6 access forbidden by rule, client: 192.0.2.10, server: shop.example.tw, request: "GET /admin/ HTTP/1.1", host: "shop.example.tw""#;
    let event = parser.parse(line).expect("parses");
    assert_eq!(event.time, Timestamp::from_civil(2026, 11, 22, 2, 0, 7, 0));
    assert_eq!(event.utc_offset_secs, 8 * 3600);
}

#[test]
fn reads_basic_auth_failures_with_the_user() {
    let not_found = r#"2026/11/22 10:00:07 [error] 90#90: *41 user "root" was not found in "/etc/nginx/htpasswd.admin", client: 192.0.2.61, server: admin.example.tw, request: "GET /admin/ HTTP/1.1", host: "admin.example.tw""#;
    let event = check_notice(not_found, ServerNotice::AuthFailure, "192.0.2.61");
    assert_eq!(event.remote_user, "root");
    let mismatch = r#"2026/11/22 10:00:08 [error] 90#90: *42 user "shop owner": password mismatch, client: 192.0.2.62, server: , request: "GET /admin/ HTTP/2.0", host: "admin.example.tw:8443", referrer: "https://admin.example.tw/""#;
    let event = check_notice(mismatch, ServerNotice::AuthFailure, "192.0.2.62");
    assert_eq!(event.remote_user, "shop owner");
    assert_eq!(event.host, "admin.example.tw:8443");
}

#[test]
fn a_request_without_credentials_is_an_auth_failure_without_a_user() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *43 no user/password was provided for basic authentication, client: 192.0.2.63, server: admin.example.tw, request: "GET /admin/ HTTP/1.1", host: "admin.example.tw""#;
    let event = check_notice(line, ServerNotice::AuthFailure, "192.0.2.63");
    assert_eq!(event.remote_user, "");
}

#[test]
fn reads_a_pam_auth_failure() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *44 PAM: user 'backup' - not authenticated: Authentication failure, client: 192.0.2.64, server: dav.example.tw, request: "PROPFIND /files/ HTTP/1.1", host: "dav.example.tw""#;
    let event = check_notice(line, ServerNotice::AuthFailure, "192.0.2.64");
    assert_eq!(event.remote_user, "backup");
    assert_eq!(event.method, "PROPFIND");
}

#[test]
fn reads_a_forbidden_by_rule_notice() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *45 access forbidden by rule, client: 192.0.2.65, server: shop.example.tw, request: "GET /wp-admin/install.php HTTP/1.1", host: "shop.example.tw""#;
    let event = check_notice(line, ServerNotice::Forbidden, "192.0.2.65");
    assert_eq!(event.path, "/wp-admin/install.php");
}

#[test]
fn keeps_the_message_before_the_request_context() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *47 open() "/srv/shop/cgi-bin/test.cgi" failed (2: No such file or directory), client: 192.0.2.67, server: shop.example.tw, request: "GET /cgi-bin/test.cgi HTTP/1.1", host: "shop.example.tw""#;
    let event = check_notice(line, ServerNotice::Other, "192.0.2.67");
    assert_eq!(
        event.message,
        r#"open() "/srv/shop/cgi-bin/test.cgi" failed (2: No such file or directory)"#
    );
    assert_eq!(event.path, "/cgi-bin/test.cgi");
}

#[test]
fn reads_bad_requests() {
    for message in [
        "client sent invalid request while reading client request line",
        "client sent invalid method while reading client request line",
        "client sent too long URI while reading client request line",
        r#"client sent invalid header line: "X-Probe\x01: 1" while reading client request headers"#,
    ] {
        let line = format!(
            r#"2026/11/22 10:00:07 [info] 90#90: *46 {message}, client: 192.0.2.66, server: shop.example.tw, request: "GET /%%% HTTP/1.1""#
        );
        check_notice(&line, ServerNotice::BadRequest, "192.0.2.66");
    }
}

#[test]
fn reads_a_failed_tls_handshake_without_a_request() {
    let line = "2026/11/22 10:00:07 [crit] 90#90: *47 SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking, client: 198.51.100.99, server: 0.0.0.0:443";
    let event = check_notice(line, ServerNotice::TlsHandshake, "198.51.100.99");
    assert_eq!((event.method.as_ref(), event.path.as_ref(), event.host.as_ref()), ("", "", ""));
}

#[test]
fn a_tls_alert_while_waiting_for_a_request_counts_only_above_info() {
    let message = "SSL_read() failed (SSL: error:0A000412:SSL routines::sslv3 alert bad certificate:SSL alert number 42) while waiting for request, client: 198.51.100.98, server: 0.0.0.0:443";
    let crit = format!("2026/11/22 10:00:07 [crit] 90#90: *48 {message}");
    check_notice(&crit, ServerNotice::TlsHandshake, "198.51.100.98");
    let info = format!("2026/11/22 10:00:07 [info] 90#90: *48 {message}");
    check_notice(&info, ServerNotice::Other, "198.51.100.98");
}

#[test]
fn any_other_message_with_a_client_is_other() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *49 connect() failed (111: Connection refused) while connecting to upstream, client: 192.0.2.67, server: shop.example.tw, request: "GET /api/cart HTTP/1.1", upstream: "http://127.0.0.1:8080/api/cart", host: "shop.example.tw""#;
    let event = check_notice(line, ServerNotice::Other, "192.0.2.67");
    assert_eq!(event.upstream, "http://127.0.0.1:8080/api/cart");
    assert_eq!(event.host, "shop.example.tw");
}

#[test]
fn reads_ipv6_clients() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *50 limiting requests, excess: 9.000 by zone "api", client: 2001:db8:7::1f, server: , request: "GET / HTTP/1.1", host: "shop.example.tw""#;
    check_notice(line, ServerNotice::LimitReq, "2001:db8:7::1f");
    let loopback = r#"2026/11/22 10:00:07 [error] 90#90: *50 limiting requests, excess: 9.000 by zone "api", client: ::1, server: , request: "GET / HTTP/1.1", host: "localhost""#;
    check_notice(loopback, ServerNotice::LimitReq, "::1");
}

#[test]
fn keeps_an_absolute_url_request_without_protocol() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *51 limiting requests, excess: 2.000 by zone "api", client: 192.0.2.68, server: shop.example.tw, request: "POST https://shop.example.tw/a&b.html", host: "shop.example.tw", referrer: "https://shop.example.tw/?from=/""#;
    let event = check_notice(line, ServerNotice::LimitReq, "192.0.2.68");
    assert_eq!((event.method.as_ref(), event.protocol.as_ref()), ("POST", ""));
    assert_eq!(event.path, "https://shop.example.tw/a&b.html");
    assert_eq!(event.referer, "https://shop.example.tw/?from=/");
}

#[test]
fn a_journal_prefix_is_removed() {
    let line = r#"web1 nginx[4242]: 2026/11/22 10:00:07 [error] 4242#4242: *52 user "admin": password mismatch, client: 192.0.2.69, server: shop.example.tw, request: "GET /admin HTTP/1.1", host: "shop.example.tw""#;
    check_notice(line, ServerNotice::AuthFailure, "192.0.2.69");
}

#[test]
fn blames_the_last_client_when_the_user_name_forges_a_context() {
    // The user name carries a fake context; the file name ends nginx's message.
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *53 user "x": password mismatch, client: 10.9.9.9, server: a, request: "GET / HTTP/1.1", host: "shop.example.tw"": was not found in "/etc/nginx/htpasswd", client: 192.0.2.70, server: , request: "GET / HTTP/1.1", host: "shop.example.tw""#;
    let event = check_notice(line, ServerNotice::AuthFailure, "192.0.2.70");
    assert!(event.remote_user.starts_with("x\": password mismatch, client: 10.9.9.9"));
}

#[test]
fn blames_the_first_client_when_the_referrer_forges_a_context() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *54 limiting requests, excess: 5.000 by zone "api", client: 192.0.2.71, server: shop.example.tw, request: "GET / HTTP/1.1", host: "shop.example.tw", referrer: "x", client: 10.9.9.9, server: a, request: "GET / HTTP/1.1", host: "shop.example.tw""#;
    let event = check_notice(line, ServerNotice::LimitReq, "192.0.2.71");
    assert_eq!(
        event.referer,
        r#"x", client: 10.9.9.9, server: a, request: "GET / HTTP/1.1", host: "shop.example.tw"#
    );
}

#[test]
fn an_auth_failure_with_two_valid_contexts_is_not_counted() {
    // Either the user name or the referrer forged a context; nobody can tell
    // which, so the line must not count as anyone's auth failure.
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *55 user "a": password mismatch, client: 192.0.2.72, server: s, request: "GET / HTTP/1.1", host: "h", referrer: "b": password mismatch, client: 10.9.9.9, server: s, request: "GET / HTTP/1.1", host: "h""#;
    let event = check_ok(line);
    assert_eq!(event.notice, Some(ServerNotice::Other));
}

#[test]
fn a_line_stuffed_with_contexts_is_not_counted() {
    let forged =
        r#", client: 10.9.9.9, server: s, request: "GET / HTTP/1.1", host: "h""#.repeat(500);
    let line = format!(
        r#"2026/11/22 10:00:07 [error] 90#90: *55 user "{forged}": password mismatch, client: 192.0.2.75, server: s, request: "GET / HTTP/1.1", host: "h""#
    );
    let event = check_ok(&line);
    assert_eq!(event.client_ip, ip("192.0.2.75"));
    assert_eq!(event.notice, Some(ServerNotice::Other));
}

#[test]
fn an_unusual_context_falls_back_to_the_client_field() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *56 upstream timed out (110: Connection timed out) while proxying connection, client: 192.0.2.73, server: 0.0.0.0:3306, upstream: "10.0.0.5:3306", bytes from/to client:0/0, bytes from/to upstream:0/0"#;
    let event = check_notice(line, ServerNotice::Other, "192.0.2.73");
    assert_eq!(event.upstream, "10.0.0.5:3306");
}

#[test]
fn a_line_without_a_client_is_not_an_event() {
    for line in [
        "2026/11/22 10:00:07 [notice] 1#1: signal process started",
        "2026/11/22 10:00:07 [notice] 1#1: *3 client 192.0.2.74 closed keepalive connection",
    ] {
        assert_eq!(
            check_err(line),
            Error::NotThisFormat { format: "nginx error log", reason: "no client address" }
        );
    }
}

#[test]
fn a_client_that_is_not_an_address_is_an_invalid_field() {
    let line = r#"2026/11/22 10:00:07 [error] 90#90: *57 access forbidden by rule, client: unix:, server: shop.example.tw"#;
    assert_eq!(
        check_err(line),
        Error::InvalidField { field: "client", value: "unix:".to_owned(), column: 74 }
    );
}

#[test]
fn a_line_that_is_not_an_error_log_line_names_the_column() {
    let access = r#"203.0.113.9 - - [22/Nov/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 1 "-" "-""#;
    assert!(matches!(check_err(access), Error::InvalidField { field: "time", column: 1, .. }));
    let level = "2026/11/22 10:00:07 [loud] 90#90: *1 x, client: 192.0.2.1, server: a";
    assert_eq!(
        check_err(level),
        Error::InvalidField { field: "level", value: "loud".to_owned(), column: 22 }
    );
    let pid = "2026/11/22 10:00:07 [error] nginx: x, client: 192.0.2.1, server: a";
    assert!(matches!(check_err(pid), Error::Mismatch { column: 29, .. }), "{:?}", check_err(pid));
    let bracket = "2026/11/22 10:00:07 error 90#90: x, client: 192.0.2.1, server: a";
    assert!(matches!(check_err(bracket), Error::Mismatch { column: 20, .. }));
    assert!(matches!(check_err("2026/11/22 10:00:07"), Error::UnexpectedEnd { column: 20, .. }));
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_input(line in "\\PC{0,200}") {
        let _ = parser().parse(&line);
    }

    #[test]
    fn never_panics_on_lines_with_a_valid_header(
        level in prop::sample::select(vec!["error", "crit", "info", "warn"]),
        message in "(user \"|PAM: user '|limiting requests|SSL_read\\(\\) failed|client sent )?\\PC{0,40}",
        tail in prop::collection::vec(
            prop::sample::select(vec![
                ", client: ", "192.0.2.1", "::1", ", server: ", ", request: \"", ", host: \"",
                ", referrer: \"", ", upstream: \"", "\"", "GET / HTTP/1.1", " ", "é", ",", ": ",
                "\" was not found in \"", "\": password mismatch", "' - not authenticated",
            ]),
            0..14,
        ),
    ) {
        let line = format!("2026/11/22 10:00:07 [{level}] 90#90: *1 {message}{}", tail.concat());
        let _ = parser().parse(&line);
    }
}
