//! Code and expression injection fixtures.

use super::{check, check_clean, check_value};

#[test]
fn flags_php_tags_and_calls() {
    check_value(
        "%3C%3Fphp%20passthru(%24_GET%5Bq%5D)%3B%20%3F%3E",
        "code_injection query:v high: PHP open tag",
    );
    check(
        "/p?v=%3C%3F%3D%60id%60%3F%3E",
        &["rce query:v high: command substitution", "code_injection query:v high: PHP open tag"],
    );
    check_value(
        "assert(base64_decode(%27cGhwaW5mbygpOw%3D%3D%27))",
        "code_injection query:v high: PHP code execution call",
    );
    check_value(
        "O%3A8%3A%22Gadget_1%22%3A1%3A%7Bs%3A1%3A%22x%22%3Bs%3A1%3A%22y%22%3B%7D",
        "code_injection query:v high: PHP serialized object",
    );
}

#[test]
fn flags_java_expression_injection() {
    check_value(
        "%25%7B%23a%3D%40java.lang.Runtime%40getRuntime()%7D",
        "code_injection query:v high: OGNL expression",
    );
    check_value("T(java.lang.ProcessBuilder)", "code_injection query:v high: SpEL type reference");
    check(
        "/?class.module.classLoader.URLs%5B0%5D=x",
        &["code_injection query:class.module.classLoader.URLs[0] high: Java class loader access"],
    );
    check_value(
        "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3Rvcg%3D%3D",
        "code_injection query:v high: serialized Java object",
    );
}

#[test]
fn flags_node_and_python_object_tricks() {
    check_value(
        "require(%27child_process%27).exec(%27id%27)",
        "code_injection query:v high: Node.js code execution",
    );
    check_value(
        "%7B%7B%27%27.__class__.__mro__%7D%7D",
        "code_injection query:v high: Python object traversal",
    );
    check(
        "/?__proto__[admin]=1",
        &["code_injection query:__proto__[admin] medium: prototype pollution"],
    );
}

#[test]
fn leaves_xml_and_prose_alone() {
    check_clean(&[
        "/api/feed?doc=%3C%3Fxml%20version%3D%221.0%22%3F%3E%3Cfeed%2F%3E",
        "/search?q=system+requirements",
        "/search?q=eval+board",
        "/search?q=java+coffee+beans",
        "/search?q=the+system+(v2)+manual",
    ]);
}
