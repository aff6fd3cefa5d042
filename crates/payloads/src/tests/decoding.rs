//! Decoding fixtures: what a server (and a browser) would see.

use super::check_value;
use crate::decode::{Mode, decode};

fn check(raw: &str, mode: Mode, expected: &str) {
    let mut out = Vec::new();
    decode(raw.as_bytes(), mode, &mut out);
    assert_eq!(String::from_utf8_lossy(&out), expected, "decoding {raw:?}");
}

#[test]
fn decodes_percent_and_plus_in_query_values_only() {
    check("a+b%20c", Mode::Query, "a b c");
    check("a+b%20c", Mode::Path, "a+b c");
    check("a+b", Mode::Header, "a+b");
}

#[test]
fn decodes_repeatedly_but_keeps_an_encoded_plus() {
    check("%252e%252e%252f", Mode::Query, "../");
    check("%25252527", Mode::Query, "'");
    check("%252B", Mode::Query, "+");
}

#[test]
fn folds_overlong_utf8_and_iis_escapes() {
    check("..%c0%af..%c1%9c", Mode::Path, "../..\\");
    check("%e0%80%ae%e0%80%ae%2f", Mode::Path, "../");
    check("%u002e%u002E%u2215", Mode::Path, "..\u{2215}");
}

#[test]
fn undoes_nginx_hex_escapes() {
    check("\\x22\\x3Cscript\\x3E", Mode::Header, "\"<script>");
    check("C:\\xyz", Mode::Header, "C:\\xyz");
}

#[test]
fn decodes_html_entities_and_js_escapes() {
    check("&lt;b&gt; &#60;i&#62; &#x3C;u&#x3e; &#0000060;s&gt", Mode::Query, "<b> <i> <u> <s>");
    check("50%2526%252339%253Bs", Mode::Query, "50's");
    check("\\u003cimg\\u{3e}", Mode::Query, "<img>");
    check("AT&T &amp co", Mode::Query, "AT&T & co");
}

#[test]
fn leaves_text_without_escapes_as_it_is() {
    check("%E9%9E%8B%E5%AD%90", Mode::Query, "鞋子");
    check("100%", Mode::Query, "100%");
    check("%zz%4", Mode::Query, "%zz%4");
}

#[test]
fn judges_the_decoded_value() {
    check_value("%2527%2520or%25201%253D1--%2520", "sqli query:v high: boolean after quote");
    check_value(
        "%26%2339%3B%20or%20%26%2339%3Ba%26%2339%3B%3D%26%2339%3Ba",
        "sqli query:v high: boolean after quote",
    );
}

#[test]
fn keeps_entity_encoded_ampersands_inside_one_parameter() {
    super::check(
        "/p?v=&#60;script&#62;alert(1)&#60;/script&#62;&page=2",
        &["xss query:v high: dangerous tag"],
    );
}
