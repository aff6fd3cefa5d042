//! Tests of the JSON-lines parser, through [`crate::Parser`].

use std::borrow::Cow;
use std::net::IpAddr;

use model::{Event, EventKind, LoginOutcome, Timestamp};
use proptest::prelude::*;

use super::{DurationUnit, JsonEventKind, JsonFields, JsonMapping, TimeFormat};
use crate::{CompileError, Error, FormatSpec, Parser, ParserOptions};

fn parser(mapping: JsonMapping) -> Parser {
    Parser::compile(&FormatSpec::Json(mapping), &ParserOptions::default())
        .expect("mapping compiles")
}

fn check_ok(mapping: JsonMapping, line: &str) -> Event<'_> {
    match parser(mapping).parse(line) {
        Ok(event) => event,
        Err(error) => panic!("{line:?} should parse: {error}"),
    }
}

fn check_err(mapping: JsonMapping, line: &str) -> Error {
    match parser(mapping).parse(line) {
        Ok(event) => panic!("{line:?} should not parse, got {event:?}"),
        Err(error) => error,
    }
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().expect("valid test address"))
}

fn paths(values: &[&str]) -> Vec<String> {
    values.iter().map(|&value| value.to_owned()).collect()
}

/// A mapping with only the required fields, for tests of one feature.
fn minimal() -> JsonMapping {
    let fields =
        JsonFields { time: paths(&["t"]), client_ip: paths(&["ip"]), ..JsonFields::default() };
    JsonMapping { name: "test".to_owned(), fields: Box::new(fields), ..JsonMapping::default() }
}

#[test]
fn reads_an_nginx_escape_json_line_with_numbers_written_as_strings() {
    let line = r#"{"time":"2026-11-22T10:00:00+08:00","remote_addr":"203.0.113.9","request_method":"POST","request_uri":"/member/login?next=%2Fmember","server_protocol":"HTTP/1.1","status":"302","body_bytes_sent":"0","http_referer":"https://shop.example.tw/member/login","http_user_agent":"Mozilla/5.0 (iPhone)","http_x_forwarded_for":"-","request_time":"0.004","host":"shop.example.tw","upstream_addr":"127.0.0.1:9000"}"#;
    let event = check_ok(JsonMapping::nginx(), line);
    assert_eq!(event.kind, EventKind::Request);
    assert_eq!(event.time, Timestamp::from_civil(2026, 11, 22, 2, 0, 0, 0));
    assert_eq!(event.utc_offset_secs, 8 * 3600);
    assert_eq!(event.client_ip, ip("203.0.113.9"));
    assert_eq!((event.method.as_ref(), event.path.as_ref()), ("POST", "/member/login"));
    assert_eq!(event.query, "next=%2Fmember");
    assert_eq!(event.protocol, "HTTP/1.1");
    assert_eq!((event.status, event.bytes), (Some(302), Some(0)));
    assert_eq!(event.referer, "https://shop.example.tw/member/login");
    assert_eq!(event.user_agent, "Mozilla/5.0 (iPhone)");
    assert_eq!(event.forwarded_for, "");
    assert_eq!(event.request_time, Some(0.004));
    assert_eq!(event.host, "shop.example.tw");
    assert_eq!(event.upstream, "127.0.0.1:9000");
}

#[test]
fn reads_nginx_numbers_written_as_numbers_and_a_dash_status_as_absent() {
    let line = r#"{"time":"2026-11-22T10:00:00Z","remote_addr":"198.51.100.20","request":"GET /cart?id=7 HTTP/2.0","status":"-","body_bytes_sent":1532,"request_time":0.25}"#;
    let event = check_ok(JsonMapping::nginx(), line);
    assert_eq!(event.status, None);
    assert_eq!(event.bytes, Some(1532));
    assert_eq!(event.request_time, Some(0.25));
    assert_eq!((event.method.as_ref(), event.path.as_ref()), ("GET", "/cart"));
    assert_eq!((event.query.as_ref(), event.protocol.as_ref()), ("id=7", "HTTP/2.0"));
}

#[test]
fn reads_a_caddy_access_log_line() {
    let line = r#"{"level":"info","ts":1795831200.123456,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"203.0.113.50","remote_port":"51234","client_ip":"203.0.113.50","proto":"HTTP/2.0","method":"GET","host":"shop.example.tw","uri":"/search?q=shoes","headers":{"Accept":["*/*"],"User-Agent":["curl/8.4.0","ignored"],"Referer":["https://shop.example.tw/"]},"tls":{"resumed":false,"version":772}},"bytes_read":0,"user_id":"","duration":0.001834,"size":5120,"status":200,"resp_headers":{"Server":["Caddy"]}}"#;
    let event = check_ok(JsonMapping::caddy(), line);
    assert_eq!(event.time, Timestamp::from_unix_micros(1_795_831_200_123_456));
    assert_eq!(event.client_ip, ip("203.0.113.50"));
    assert_eq!((event.method.as_ref(), event.path.as_ref()), ("GET", "/search"));
    assert_eq!((event.query.as_ref(), event.protocol.as_ref()), ("q=shoes", "HTTP/2.0"));
    assert_eq!(event.host, "shop.example.tw");
    assert_eq!(event.user_agent, "curl/8.4.0");
    assert_eq!(event.referer, "https://shop.example.tw/");
    assert_eq!((event.status, event.bytes), (Some(200), Some(5120)));
    assert_eq!(event.request_time, Some(0.001834));
    assert_eq!(event.remote_user, "");
}

#[test]
fn caddy_falls_back_to_remote_addr_and_drops_its_port() {
    let ipv4 = r#"{"ts":1795831200,"request":{"remote_addr":"192.0.2.77:40112","method":"GET","uri":"/"},"status":404}"#;
    assert_eq!(check_ok(JsonMapping::caddy(), ipv4).client_ip, ip("192.0.2.77"));
    let ipv6 = r#"{"ts":1795831200,"request":{"remote_addr":"[2001:db8::42]:443","method":"GET","uri":"/"},"status":404}"#;
    assert_eq!(check_ok(JsonMapping::caddy(), ipv6).client_ip, ip("2001:db8::42"));
}

#[test]
fn reads_a_traefik_access_log_line() {
    let line = r#"{"ClientAddr":"198.51.100.8:55012","ClientHost":"198.51.100.8","ClientPort":"55012","ClientUsername":"-","DownstreamContentSize":842,"DownstreamStatus":401,"Duration":2345678,"RequestHost":"admin.example.tw","RequestMethod":"POST","RequestPath":"/api/login?redirect=%2F","RequestProtocol":"HTTP/1.1","request_User-Agent":"python-requests/2.31","request_Referer":"","StartUTC":"2026-11-22T02:00:00.123456789Z","level":"info","msg":"","time":"2026-11-22T02:00:00Z"}"#;
    let event = check_ok(JsonMapping::traefik(), line);
    assert_eq!(event.time, Timestamp::from_civil(2026, 11, 22, 2, 0, 0, 0));
    assert_eq!(event.client_ip, ip("198.51.100.8"));
    assert_eq!((event.method.as_ref(), event.path.as_ref()), ("POST", "/api/login"));
    assert_eq!(event.query, "redirect=%2F");
    assert_eq!((event.status, event.bytes), (Some(401), Some(842)));
    assert_eq!(event.host, "admin.example.tw");
    assert_eq!(event.user_agent, "python-requests/2.31");
    assert_eq!((event.referer.as_ref(), event.remote_user.as_ref()), ("", ""));
    let seconds = event.request_time.expect("duration is read");
    assert!((seconds - 0.002_345_678).abs() < 1e-12, "{seconds}");
}

#[test]
fn traefik_without_time_uses_start_utc() {
    let line = r#"{"ClientHost":"2001:db8:5::9","StartUTC":"2026-11-22T02:00:00.5Z","RequestMethod":"GET","RequestPath":"/","DownstreamStatus":200}"#;
    let event = check_ok(JsonMapping::traefik(), line);
    assert_eq!(event.time, Timestamp::from_civil(2026, 11, 22, 2, 0, 0, 500_000));
    assert_eq!(event.client_ip, ip("2001:db8:5::9"));
}

#[test]
fn reads_a_shop_login_failure() {
    let line = r#"{"time":"2026-11-22T10:00:00+08:00","ip":"203.0.113.9","account":"alice@example.com","outcome":"failure","event":"login","user_agent":"Mozilla/5.0","session":"s-81d2"}"#;
    let event = check_ok(JsonMapping::login(), line);
    assert_eq!(event.kind, EventKind::Login);
    assert_eq!(event.client_ip, ip("203.0.113.9"));
    assert_eq!(event.account, "alice@example.com");
    assert_eq!(event.outcome, Some(LoginOutcome::Failure));
    assert_eq!(event.user_agent, "Mozilla/5.0");
    assert_eq!(event.session, "s-81d2");
}

#[test]
fn login_accepts_alternative_field_names_and_a_boolean_success() {
    let line =
        r#"{"ts":"2026-11-22T02:00:00Z","client_ip":"192.0.2.5","username":"bob","success":true}"#;
    let event = check_ok(JsonMapping::login(), line);
    assert_eq!(event.kind, EventKind::Login);
    assert_eq!(event.account, "bob");
    assert_eq!(event.outcome, Some(LoginOutcome::Success));
    let denied = r#"{"timestamp":"2026-11-22T02:00:00Z","remote_addr":"192.0.2.5","email":"bob@example.com","result":"DENIED"}"#;
    assert_eq!(check_ok(JsonMapping::login(), denied).outcome, Some(LoginOutcome::Failure));
}

#[test]
fn login_outcome_outside_both_lists_is_absent() {
    let line = r#"{"time":"2026-11-22T02:00:00Z","ip":"192.0.2.5","account":"bob","outcome":"mfa_required"}"#;
    assert_eq!(check_ok(JsonMapping::login(), line).outcome, None);
}

#[test]
fn an_event_field_naming_something_else_makes_a_request() {
    let line =
        r#"{"time":"2026-11-22T02:00:00Z","ip":"192.0.2.5","account":"bob","event":"logout"}"#;
    assert_eq!(check_ok(JsonMapping::login(), line).kind, EventKind::Request);
    let mapping = JsonMapping {
        fields: Box::new(JsonFields {
            kind: paths(&["type"]),
            ..minimal().fields.as_ref().clone()
        }),
        ..minimal()
    };
    let login = r#"{"t":"2026-11-22T02:00:00Z","ip":"192.0.2.5","type":"Sign_In"}"#;
    assert_eq!(check_ok(mapping, login).kind, EventKind::Login);
}

#[test]
fn a_line_without_time_or_client_is_a_missing_field() {
    let no_time = r#"{"ip":"203.0.113.9","account":"alice","outcome":"failure"}"#;
    assert_eq!(
        check_err(JsonMapping::login(), no_time),
        Error::MissingField("time|ts|timestamp".to_owned())
    );
    let no_client = r#"{"time":"2026-11-22T02:00:00Z","account":"alice","ip":null}"#;
    assert_eq!(
        check_err(JsonMapping::login(), no_client),
        Error::MissingField("ip|client_ip|remote_addr".to_owned())
    );
}

#[test]
fn text_that_is_not_a_json_object_is_a_json_error() {
    for line in [
        "",
        "[1,2,3]",
        r#""just a string""#,
        r#"{"time":"2026-11-22T02:00:00Z","ip":"192.0.2.1""#,
        r#"{"time":"2026-11-22T02:00:00Z","ip":"192.0.2.1"} trailing"#,
        "203.0.113.9 - - [22/Nov/2026:10:00:00 +0800] \"GET / HTTP/1.1\" 200 1",
    ] {
        let error = check_err(minimal(), line);
        assert!(matches!(error, Error::Json(_)), "{line:?} gave {error:?}");
    }
}

#[test]
fn strings_without_escapes_are_borrowed_and_escaped_ones_are_decoded() {
    let line = r#"{"t":"2026-11-22T02:00:00Z","ip":"192.0.2.1","ua":"plain agent","ref":"say \"hi\" \u4e2d\/x"}"#;
    let fields = JsonFields {
        user_agent: paths(&["ua"]),
        referer: paths(&["ref"]),
        ..minimal().fields.as_ref().clone()
    };
    let event = check_ok(JsonMapping { fields: Box::new(fields), ..minimal() }, line);
    assert!(matches!(event.user_agent, Cow::Borrowed("plain agent")));
    assert!(matches!(event.referer, Cow::Owned(_)));
    assert_eq!(event.referer, "say \"hi\" 中/x");
}

#[test]
fn an_escaped_request_uri_is_decoded_before_splitting() {
    let line = r#"{"time":"2026-11-22T02:00:00Z","remote_addr":"192.0.2.1","request_uri":"/search?q=\"x\"","status":200}"#;
    let event = check_ok(JsonMapping::nginx(), line);
    assert_eq!((event.path.as_ref(), event.query.as_ref()), ("/search", "q=\"x\""));
}

#[test]
fn an_invalid_time_or_address_names_the_field_and_column() {
    let bad_time = r#"{"t":"yesterday","ip":"192.0.2.1"}"#;
    assert_eq!(
        check_err(minimal(), bad_time),
        Error::InvalidField { field: "time", value: "\"yesterday\"".to_owned(), column: 6 }
    );
    let bad_ip = r#"{"t":"2026-11-22T02:00:00Z","ip":"unix:"}"#;
    assert_eq!(
        check_err(minimal(), bad_ip),
        Error::InvalidField { field: "client_ip", value: "\"unix:\"".to_owned(), column: 34 }
    );
}

#[test]
fn a_status_that_is_not_a_number_is_invalid() {
    let line = r#"{"time":"2026-11-22T02:00:00Z","remote_addr":"192.0.2.1","status":"OK"}"#;
    let error = check_err(JsonMapping::nginx(), line);
    assert!(matches!(error, Error::InvalidField { field: "status", .. }), "{error:?}");
}

#[test]
fn the_first_present_alternative_wins() {
    let fields = JsonFields {
        time: paths(&["t"]),
        client_ip: paths(&["a", "b", "c"]),
        ..JsonFields::default()
    };
    let mapping = JsonMapping { fields: Box::new(fields), ..minimal() };
    // `a` is absent in every form; `b` comes after `c` in the line but ranks first.
    let line = r#"{"t":"2026-11-22T02:00:00Z","a":"-","c":"192.0.2.3","b":"192.0.2.2"}"#;
    assert_eq!(check_ok(mapping.clone(), line).client_ip, ip("192.0.2.2"));
    let line = r#"{"t":"2026-11-22T02:00:00Z","a":"","c":"192.0.2.3","b":null}"#;
    assert_eq!(check_ok(mapping, line).client_ip, ip("192.0.2.3"));
}

#[test]
fn paths_that_meet_the_wrong_shape_find_nothing() {
    let fields = JsonFields {
        user_agent: paths(&["h.ua[3]", "ip.deeper", "list[0].name"]),
        ..minimal().fields.as_ref().clone()
    };
    let mapping = JsonMapping { fields: Box::new(fields), ..minimal() };
    let line = r#"{"t":"2026-11-22T02:00:00Z","ip":"192.0.2.1","h":{"ua":["only one"]},"list":"not a list"}"#;
    assert_eq!(check_ok(mapping.clone(), line).user_agent, "");
    let line = r#"{"t":"2026-11-22T02:00:00Z","ip":"192.0.2.1","list":[{"name":"first"},{"name":"second"}]}"#;
    assert_eq!(check_ok(mapping, line).user_agent, "first");
}

#[test]
fn a_path_can_be_both_a_property_and_the_parent_of_another() {
    let fields = JsonFields {
        session: paths(&["ctx"]),
        account: paths(&["ctx.user"]),
        ..minimal().fields.as_ref().clone()
    };
    let mapping = JsonMapping { fields: Box::new(fields), ..minimal() };
    let line = r#"{"t":"2026-11-22T02:00:00Z","ip":"192.0.2.1","ctx":{"user":"carol"}}"#;
    let event = check_ok(mapping, line);
    assert_eq!(event.account, "carol");
    assert_eq!(event.session, r#"{"user":"carol"}"#);
}

#[test]
fn a_key_with_a_dot_is_written_with_a_backslash() {
    let fields =
        JsonFields { status: paths(&[r"http\.status"]), ..minimal().fields.as_ref().clone() };
    let mapping = JsonMapping { fields: Box::new(fields), ..minimal() };
    let line = r#"{"t":"2026-11-22T02:00:00Z","ip":"192.0.2.1","http.status":503}"#;
    assert_eq!(check_ok(mapping, line).status, Some(503));
}

#[test]
fn reads_every_time_format() {
    let cases = [
        (TimeFormat::Auto, r#""2026-11-22T10:00:00""#, 3600),
        (TimeFormat::Iso8601, r#""2026-11-22T10:00:00+01:00""#, 3600),
        (TimeFormat::Clf, r#""22/Nov/2026:10:00:00 +0100""#, 3600),
        (TimeFormat::Auto, r#""[22/Nov/2026:10:00:00 +0100]""#, 3600),
        (TimeFormat::EpochSecs, "1795338000", 3600),
        (TimeFormat::EpochSecs, r#""1795338000.000""#, 3600),
        (TimeFormat::EpochMillis, "1795338000000", 3600),
        (TimeFormat::Auto, "1795338000000", 3600),
        (TimeFormat::Auto, "1795338000000000", 3600),
        (TimeFormat::Auto, "1.795338e9", 3600),
    ];
    for (time_format, value, offset) in cases {
        let mapping = JsonMapping { time_format, ..minimal() };
        let options = ParserOptions { default_utc_offset_secs: offset, ..ParserOptions::default() };
        let parser = Parser::compile(&FormatSpec::Json(mapping), &options).expect("compiles");
        let line = format!(r#"{{"t":{value},"ip":"192.0.2.1"}}"#);
        let event = parser.parse(&line).unwrap_or_else(|error| panic!("{value}: {error}"));
        assert_eq!(event.time, Timestamp::from_civil(2026, 11, 22, 9, 0, 0, 0), "{value}");
        assert_eq!(event.utc_offset_secs, 3600, "{value}");
    }
}

#[test]
fn epoch_millis_keep_their_fraction() {
    let mapping = JsonMapping { time_format: TimeFormat::EpochMillis, ..minimal() };
    let line = r#"{"t":1795338000123.5,"ip":"192.0.2.1"}"#;
    assert_eq!(check_ok(mapping, line).time, Timestamp::from_unix_micros(1_795_338_000_123_500));
}

#[test]
fn an_epoch_number_is_not_read_as_iso8601() {
    let mapping = JsonMapping { time_format: TimeFormat::Iso8601, ..minimal() };
    let error = check_err(mapping, r#"{"t":1795338000,"ip":"192.0.2.1"}"#);
    assert!(matches!(error, Error::InvalidField { field: "time", .. }), "{error:?}");
}

#[test]
fn request_time_follows_its_unit() {
    let fields = JsonFields { request_time: paths(&["took"]), ..minimal().fields.as_ref().clone() };
    let mapping = JsonMapping {
        request_time_unit: DurationUnit::Millis,
        fields: Box::new(fields),
        ..minimal()
    };
    let line = r#"{"t":"2026-11-22T02:00:00Z","ip":"192.0.2.1","took":"250"}"#;
    assert_eq!(check_ok(mapping, line).request_time, Some(0.25));
}

#[test]
fn every_preset_is_found_by_name_and_compiles() {
    for name in ["nginx", "caddy", "traefik", "login"] {
        let mapping = JsonMapping::preset(name).expect("preset exists");
        assert_eq!(mapping.name, name);
        let parser = parser(mapping);
        assert_eq!(parser.name(), format!("json:{name}"));
    }
    assert_eq!(JsonMapping::preset("apache"), None);
}

#[test]
fn the_login_preset_does_not_read_nginx_lines_as_logins_by_accident() {
    // Detection relies on the nginx preset rejecting login lines (no remote_addr).
    let login =
        r#"{"time":"2026-11-22T02:00:00Z","ip":"192.0.2.5","account":"bob","outcome":"failure"}"#;
    assert_eq!(
        check_err(JsonMapping::nginx(), login),
        Error::MissingField("remote_addr|client_ip|realip_remote_addr".to_owned())
    );
}

#[test]
fn a_mapping_reads_from_config_with_one_path_or_many() {
    let config = r#"{
        "name": "shop-login",
        "kind": "login",
        "time_format": "epoch_millis",
        "fields": {"time": ["ts", "time"], "client_ip": "ip", "outcome": "ok"},
        "success_values": ["yes"]
    }"#;
    let mapping: JsonMapping = serde_json::from_str(config).expect("valid config");
    assert_eq!(mapping.kind, JsonEventKind::Login);
    assert_eq!(mapping.time_format, TimeFormat::EpochMillis);
    assert_eq!(mapping.fields.time, paths(&["ts", "time"]));
    assert_eq!(mapping.fields.client_ip, paths(&["ip"]));
    assert_eq!(mapping.success_values, paths(&["yes"]));
    assert!(mapping.failure_values.contains(&"failure".to_owned()));
    let line = r#"{"ts":1795338000000,"ip":"192.0.2.1","ok":"YES"}"#;
    assert_eq!(check_ok(mapping.clone(), line).outcome, Some(LoginOutcome::Success));

    let again: JsonMapping =
        serde_json::from_str(&serde_json::to_string(&mapping).expect("serializes"))
            .expect("round trips");
    assert_eq!(again, mapping);
}

#[test]
fn a_mapping_with_an_unknown_key_is_rejected() {
    let typo = r#"{"name":"x","fields":{"time":"t","client_ip":"ip","user_agnet":"ua"}}"#;
    let error = serde_json::from_str::<JsonMapping>(typo).expect_err("unknown field");
    assert!(error.to_string().contains("user_agnet"), "{error}");
    let top = r#"{"name":"x","fields":{"time":"t","client_ip":"ip"},"time_fromat":"clf"}"#;
    assert!(serde_json::from_str::<JsonMapping>(top).is_err());
}

#[test]
fn compiling_reports_every_problem_of_a_mapping() {
    let fields = JsonFields {
        time: Vec::new(),
        client_ip: Vec::new(),
        host: paths(&["a..b", "[0]", "x[y]", "ok.path[2].z"]),
        ..JsonFields::default()
    };
    let mapping = JsonMapping { name: "broken".to_owned(), fields: Box::new(fields), ..minimal() };
    let Err(CompileError::Mapping(message)) =
        Parser::compile(&FormatSpec::Json(mapping), &ParserOptions::default())
    else {
        panic!("mapping should not compile");
    };
    for part in [
        "broken: ",
        r#"invalid path "a..b" in fields.host"#,
        r#"invalid path "[0]""#,
        r#"invalid path "x[y]""#,
        "no path for fields.time",
        "no path for fields.client_ip",
    ] {
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
    assert!(!message.contains("ok.path"), "{message}");
}

#[test]
fn a_syslog_envelope_around_a_json_line_is_removed() {
    let line = r#"<190>Nov 22 10:00:00 web1 shop: {"time":"2026-11-22T02:00:00Z","ip":"192.0.2.9","account":"dave","outcome":"ok"}"#;
    let event = check_ok(JsonMapping::login(), line);
    assert_eq!(event.account, "dave");
    assert_eq!(event.outcome, Some(LoginOutcome::Success));
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_input(line in "\\PC{0,200}") {
        for name in ["nginx", "caddy", "traefik", "login"] {
            let mapping = JsonMapping::preset(name).expect("preset exists");
            let _ = parser(mapping).parse(&line);
        }
    }

    #[test]
    fn never_panics_on_json_shaped_input(
        keys in prop::collection::vec(
            prop::sample::select(vec!["ts", "time", "ip", "request", "headers", "User-Agent", "status", "uri", "x"]),
            0..8,
        ),
        values in prop::collection::vec(
            prop::sample::select(vec![
                "null", "true", "1795338000.5", "-1", "1e400", "\"\"", "\"-\"", "\"192.0.2.1:80\"",
                "\"[::1]:443\"", "\"2026-11-22T02:00:00Z\"", "\"\\u00e9\\\"\"", "[\"a\"]", "{}",
                "{\"remote_ip\":\"::1\",\"headers\":{\"User-Agent\":[1]}}", "[[[]]]", "\"\\ud800\"",
            ]),
            0..8,
        ),
    ) {
        let body: Vec<String> =
            keys.iter().zip(values.iter()).map(|(key, value)| format!("\"{key}\":{value}")).collect();
        let line = format!("{{{}}}", body.join(","));
        for name in ["nginx", "caddy", "traefik", "login"] {
            let mapping = JsonMapping::preset(name).expect("preset exists");
            let _ = parser(mapping).parse(&line);
        }
    }
}
