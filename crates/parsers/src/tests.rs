//! Tests of the parsers through their public entry point.

use std::net::IpAddr;

use model::{Event, Timestamp};
use proptest::prelude::*;

use crate::{
    CompileError, Error, FormatDialect, FormatSpec, Parser, ParserOptions, TrustedProxies,
    detect_format,
};

fn parser(spec: &FormatSpec) -> Parser {
    Parser::compile(spec, &ParserOptions::default()).expect("format compiles")
}

fn check_ok<'a>(spec: &FormatSpec, line: &'a str) -> Event<'a> {
    let parser = parser(spec);
    match parser.parse(line) {
        Ok(event) => event.into_owned(),
        Err(error) => panic!("{line:?} should parse: {error}"),
    }
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().expect("valid test address"))
}

#[test]
fn parses_a_combined_line_into_every_field() {
    let line = r#"203.0.113.9 - alice [22/Nov/2026:10:00:00 +0800] "POST /member/login?next=%2Fmember HTTP/1.1" 302 0 "https://shop.example.tw/member/login" "Mozilla/5.0 (iPhone)""#;
    let event = check_ok(&FormatSpec::Combined, line);
    assert_eq!(event.client_ip, ip("203.0.113.9"));
    assert_eq!(event.remote_user, "alice");
    assert_eq!(event.time, Timestamp::from_civil(2026, 11, 22, 2, 0, 0, 0));
    assert_eq!(event.utc_offset_secs, 8 * 3600);
    assert_eq!((event.method.as_ref(), event.path.as_ref()), ("POST", "/member/login"));
    assert_eq!(event.query, "next=%2Fmember");
    assert_eq!(event.protocol, "HTTP/1.1");
    assert_eq!((event.status, event.bytes), (Some(302), Some(0)));
    assert_eq!(event.referer, "https://shop.example.tw/member/login");
    assert_eq!(event.user_agent, "Mozilla/5.0 (iPhone)");
}

#[test]
fn combined_tolerates_fields_appended_after_the_user_agent() {
    let line = r#"2001:db8::7 - - [01/Jan/2026:00:00:01 +0000] "GET / HTTP/2.0" 200 12 "-" "curl/8" "198.51.100.1" 0.004"#;
    let event = check_ok(&FormatSpec::Combined, line);
    assert_eq!(event.client_ip, ip("2001:db8::7"));
    assert_eq!(event.referer, "");
}

#[test]
fn unescapes_nginx_hex_and_apache_backslash_quotes() {
    let line = r#"198.51.100.2 - - [01/Jan/2026:00:00:01 +0000] "GET /search?q=\x22x\x22 HTTP/1.1" 200 1 "-" "Agent \"quoted\" \xE4\xB8\xAD""#;
    let event = check_ok(&FormatSpec::Combined, line);
    assert_eq!(event.query, "q=\"x\"");
    assert_eq!(event.user_agent, "Agent \"quoted\" 中");
}

#[test]
fn recovers_from_a_bare_quote_inside_the_request() {
    let line = r#"192.0.2.44 - - [21/Apr/2004:10:00:00 -0400] "GET" /admin/?page=' HTTP/1.0" 404 290 "-" "-""#;
    let event = check_ok(&FormatSpec::Combined, line);
    assert_eq!(event.status, Some(404));
    assert_eq!(event.method, "GET\"");
}

#[test]
fn keeps_garbage_and_empty_requests_as_events() {
    let empty = check_ok(
        &FormatSpec::Combined,
        r#"192.0.2.1 - - [01/Jan/2026:00:00:01 +0000] "-" 408 0 "-" "-""#,
    );
    assert_eq!((empty.method.as_ref(), empty.status), ("", Some(408)));
    let tls = check_ok(
        &FormatSpec::Combined,
        r#"192.0.2.1 - - [01/Jan/2026:00:00:01 +0000] "\x16\x03\x01\x00" 400 150 "-" "-""#,
    );
    assert_eq!(tls.status, Some(400));
    assert!(tls.path.is_empty());
    let absolute = check_ok(
        &FormatSpec::Combined,
        r#"192.0.2.1 - - [01/Jan/2026:00:00:01 +0000] "GET http://www.example.com/ HTTP/1.1" 404 0 "-" "-""#,
    );
    assert_eq!(absolute.path, "http://www.example.com/");
}

#[test]
fn parses_common_log_format() {
    let event = check_ok(
        &FormatSpec::Common,
        r#"192.0.2.5 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#,
    );
    assert_eq!(event.time, Timestamp::from_civil(2000, 10, 10, 20, 55, 36, 0));
    assert_eq!(event.bytes, Some(2326));
}

#[test]
fn errors_name_the_column_and_what_was_expected() {
    let parser = parser(&FormatSpec::Combined);
    let truncated = r#"192.0.2.5 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200"#;
    assert_eq!(
        parser.parse(truncated).unwrap_err(),
        Error::UnexpectedEnd { expected: "a space", column: 64 }
    );
    let bad_time = r#"192.0.2.5 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-""#;
    assert!(matches!(
        parser.parse(bad_time).unwrap_err(),
        Error::InvalidField { field: "time_local", column: 16, .. }
    ));
    let bad_ip = r#"not-an-ip! - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-""#;
    assert!(matches!(
        parser.parse(bad_ip).unwrap_err(),
        Error::InvalidField { field: "remote_addr", column: 1, .. }
    ));
    let bad_status = r#"192.0.2.5 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2x0 1 "-" "-""#;
    let error = parser.parse(bad_status).unwrap_err();
    assert_eq!(error.to_string(), "invalid status \"2x0\" at column 61");
}

#[test]
fn compiles_a_pasted_nginx_log_format_directive() {
    let directive = r#"log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time"';"#;
    let line = r#"10.0.0.5 - - [22/Nov/2026:10:00:00 +0800] "GET /product/10023 HTTP/1.1" 200 5120 "-" "Mozilla/5.0" "203.0.113.77" rt=0.012 uct="0.001""#;
    let event = check_ok(&FormatSpec::Nginx(directive.to_owned()), line);
    assert_eq!(event.forwarded_for, "203.0.113.77");
    assert_eq!(event.request_time, Some(0.012));
    assert_eq!(event.path, "/product/10023");
}

#[test]
fn compiles_iso8601_and_split_request_variables() {
    let format =
        "$time_iso8601|$remote_addr|$request_method|$request_uri|$status|$host|$msec_ignored";
    let line =
        "2026-11-22T10:00:00+08:00|192.0.2.7|GET|/member/orders/123?x=1|403|shop.example.tw|zzz";
    let event = check_ok(&FormatSpec::Nginx(format.to_owned()), line);
    assert_eq!(event.time, Timestamp::from_civil(2026, 11, 22, 2, 0, 0, 0));
    assert_eq!((event.path.as_ref(), event.query.as_ref()), ("/member/orders/123", "x=1"));
    assert_eq!(event.host, "shop.example.tw");
}

#[test]
fn compiles_a_pasted_apache_log_format() {
    let directive = r#"LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %D" combinedtimed"#;
    let line =
        r#"192.0.2.9 - - [22/Nov/2026:10:00:00 +0800] "GET /cart HTTP/1.1" 200 99 "-" "UA" 1500"#;
    let event = check_ok(&FormatSpec::Apache(directive.to_owned()), line);
    assert_eq!(event.path, "/cart");
    assert_eq!(event.request_time, Some(0.0015));
    let host_name = check_ok(
        &FormatSpec::Apache(r#"%h %l %u %t "%r" %>s %b"#.to_owned()),
        r#"crawler.example.net - - [22/Nov/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 1"#,
    );
    assert_eq!(host_name.client_ip, None);
}

#[test]
fn rejects_formats_that_cannot_work() {
    let compile = |text: &str, dialect| crate::CompiledFormat::compile(text, dialect).unwrap_err();
    assert_eq!(
        compile("[$time_local] $status", FormatDialect::Nginx),
        CompileError::NoClientAddress
    );
    assert!(matches!(
        compile("$remote_addr$remote_user [$time_local]", FormatDialect::Nginx),
        CompileError::AdjacentVariables { .. }
    ));
    assert!(matches!(
        compile("%h %Z %t", FormatDialect::Apache),
        CompileError::UnknownVariable { .. }
    ));
    assert!(matches!(
        compile("$remote_addr $status", FormatDialect::Nginx),
        CompileError::Malformed(_)
    ));
}

#[test]
fn believes_forwarded_for_only_from_trusted_proxies() {
    let options = ParserOptions {
        trusted_proxies: TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]),
        default_utc_offset_secs: 0,
    };
    let format = FormatSpec::Nginx(
        r#"$remote_addr [$time_local] "$request" $status "$http_x_forwarded_for""#.to_owned(),
    );
    let parser = Parser::compile(&format, &options).unwrap();
    let via_proxy = parser
        .parse(r#"10.0.0.5 [22/Nov/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 "198.51.100.4, 203.0.113.8, 10.0.0.9""#)
        .unwrap();
    assert_eq!(via_proxy.client_ip, ip("203.0.113.8"));
    assert_eq!(via_proxy.peer_ip, ip("10.0.0.5"));
    let spoofed = parser
        .parse(r#"198.51.100.66 [22/Nov/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 "1.1.1.1""#)
        .unwrap();
    assert_eq!(spoofed.client_ip, ip("198.51.100.66"));
    assert_eq!(spoofed.peer_ip, None);
}

#[test]
fn detects_combined_over_common_and_says_how_many_lines_fit() {
    let lines = [
        r#"192.0.2.1 - - [01/Jan/2026:00:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "a""#,
        r#"192.0.2.2 - - [01/Jan/2026:00:00:02 +0000] "GET /x HTTP/1.1" 404 1 "-" "b""#,
        "garbage",
    ];
    let detection = detect_format(&lines).unwrap();
    assert_eq!(detection.spec, FormatSpec::Combined);
    assert_eq!((detection.n_parsed, detection.n_sampled), (2, 3));
    let common = [r#"192.0.2.5 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326"#];
    assert_eq!(detect_format(&common).unwrap().spec, FormatSpec::Common);
    assert_eq!(detect_format(&["nothing here", ""]), None);
}

proptest! {
    #[test]
    fn combined_never_panics(line in "\\PC{0,300}") {
        let _ = parser(&FormatSpec::Combined).parse(&line);
    }

    #[test]
    fn combined_never_panics_on_near_miss_lines(
        ip in "[0-9a-f.:]{1,40}",
        time in "[0-9A-Za-z/: +-]{0,30}",
        request in "[ -~]{0,60}",
        tail in "[ -~]{0,40}",
    ) {
        let line = format!(r#"{ip} - - [{time}] "{request}" {tail}"#);
        let _ = parser(&FormatSpec::Combined).parse(&line);
    }

    #[test]
    fn compiling_any_format_string_never_panics(text in "[ -~]{0,80}") {
        if let Ok(parser) = Parser::compile(&FormatSpec::Nginx(text.clone()), &ParserOptions::default()) {
            let _ = parser.parse(&text);
        }
        let _ = Parser::compile(&FormatSpec::Apache(text), &ParserOptions::default());
    }
}

#[test]
fn reads_lines_inside_syslog_and_journal_envelopes() {
    let inner = r#"192.0.2.1 - - [22/Nov/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 1 "-" "a""#;
    for wrapped in [
        format!("<190>Nov 22 10:00:00 web1 nginx: {inner}"),
        format!("<190>Nov  2 10:00:00 web1 nginx[12]: {inner}"),
        format!("<190>1 2026-11-22T10:00:00+08:00 web1 nginx - - - {inner}"),
        format!(r#"<190>1 2026-11-22T10:00:00+08:00 web1 nginx 12 access [meta x="1\]"] {inner}"#),
        format!("web1 nginx[983]: {inner}"),
        format!("web1 nginx[983]: web1 nginx: {inner}"),
    ] {
        let event = check_ok(&FormatSpec::Combined, &wrapped);
        assert_eq!(event.client_ip, ip("192.0.2.1"), "{wrapped}");
    }
    let parser = parser(&FormatSpec::Combined);
    let error = parser.parse("<190>Nov 22 10:00:00 web1 nginx: garbage").unwrap_err();
    // The error speaks of the line as written (40 bytes), not of the unwrapped part.
    assert_eq!(error, Error::UnexpectedEnd { expected: "a space", column: 41 });
}

#[test]
fn parses_apache_error_log_lines_old_and_new() {
    let new = check_ok(
        &FormatSpec::ApacheError,
        "[Mon Nov 16 09:27:18.813902 2026] [auth_basic:error] [pid 16860:tid 1402] [client 198.51.100.23:59635] AH01618: user mallory not found: /admin",
    );
    assert_eq!(new.client_ip, ip("198.51.100.23"));
    assert_eq!(new.notice, Some(model::ServerNotice::AuthFailure));
    assert_eq!(new.remote_user, "mallory");
    assert_eq!(new.time, Timestamp::from_civil(2026, 11, 16, 9, 27, 18, 813_902));
    let old = check_ok(
        &FormatSpec::ApacheError,
        "[Sun Jun 09 07:57:47 2013] [error] [client 192.0.2.10] File does not exist: /var/www/wp-login.php",
    );
    assert_eq!(old.notice, Some(model::ServerNotice::Other));
    assert_eq!(old.message, "File does not exist: /var/www/wp-login.php");
    let prefixed = check_ok(
        &FormatSpec::ApacheError,
        "[Wed Apr 16 16:09:40.056610 2025] [ssl:info] [pid 1:tid 1] (70014)End of file found: [client 192.0.2.1:17036] AH02006: SSL handshake stopped",
    );
    assert_eq!(prefixed.notice, Some(model::ServerNotice::TlsHandshake));
    let parser = parser(&FormatSpec::ApacheError);
    assert!(matches!(
        parser.parse("[Mon Nov 16 09:27:18 2026] [notice] [pid 1] Apache configured"),
        Err(Error::NotThisFormat { .. })
    ));
    assert!(matches!(
        parser.parse("[Mon Foo 16 09:27:18 2026] [error] [client 192.0.2.1] x"),
        Err(Error::InvalidField { field: "time", .. })
    ));
}

#[test]
fn reads_the_combined_family_variants() {
    let vhost = check_ok(
        &FormatSpec::Combined,
        r#"shop.example.tw:443 192.0.2.8 - - [01/Jan/2026:00:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "a""#,
    );
    assert_eq!((vhost.client_ip, vhost.host.as_ref()), (ip("192.0.2.8"), "shop.example.tw:443"));
    let no_user = check_ok(
        &FormatSpec::Combined,
        r#"192.0.2.8 - [01/Jan/2026:00:00:01 +0000] "GET /api HTTP/1.1" 200 1 "-" "curl/8""#,
    );
    assert_eq!(no_user.path, "/api");
    let cut = check_ok(
        &FormatSpec::Combined,
        r#"192.0.2.8 - - [01/Jan/2026:00:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (compat"#,
    );
    assert_eq!(cut.user_agent, "Mozilla/5.0 (compat");
    let named = check_ok(
        &FormatSpec::Combined,
        r#"dsl-1.example.net - - [01/Jan/2026:00:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "a""#,
    );
    assert_eq!((named.client_ip, named.client_host.as_ref()), (None, "dsl-1.example.net"));
}

proptest! {
    #[test]
    fn apache_error_never_panics(line in "\\PC{0,200}", tail in "[ -~]{0,80}") {
        let parser = parser(&FormatSpec::ApacheError);
        let _ = parser.parse(&line);
        let _ = parser.parse(&format!("[Mon Nov 16 09:27:18 2026] [error] {tail}"));
        let _ = parser.parse(&format!("[Mon Nov 16 09:27:18 2026] [client {tail}"));
    }
}

proptest! {
    #[test]
    fn the_fast_ipv4_parser_agrees_with_std(text in "[0-9.]{0,16}", octets in any::<[u8; 4]>()) {
        let fast = crate::format::parse_ipv4_fast(&text);
        if let Some(ip) = fast {
            prop_assert_eq!(Some(ip), text.parse::<IpAddr>().ok());
        }
        let dotted = std::net::Ipv4Addr::from(octets).to_string();
        prop_assert_eq!(crate::format::parse_ipv4_fast(&dotted), Some(IpAddr::from(octets)));
    }
}
