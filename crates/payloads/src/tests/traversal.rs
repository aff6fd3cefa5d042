//! Path traversal and local file inclusion fixtures.

use super::{check, check_agent, check_clean, check_value};

#[test]
fn flags_dot_dot_slash_in_any_encoding() {
    check_value("..%2F..%2F..%2Fetc%2Fgroup", "traversal query:v high: ../ traversal");
    check_value("..%252f..%252f..%252fetc%252fhostname", "traversal query:v high: ../ traversal");
    check_value("..%c0%af..%c0%afboot.ini", "traversal query:v high: ../ traversal");
    check_value("..%u2216..%u2216inetpub", "traversal query:v high: ../ traversal");
    check_value("....%2F%2F....%2F%2Fetc%2Fmotd", "traversal query:v high: ../ traversal");
}

#[test]
fn flags_traversal_in_the_path() {
    check("/static/..%2f..%2f..%2fproc/version", &["traversal path high: ../ traversal"]);
    // Browsers resolve `..` before sending; a raw one comes from a tool.
    check("/blog/../feed", &["traversal path high: ../ traversal"]);
}

#[test]
fn flags_sensitive_files_without_dot_dot() {
    check_value("%2Fetc%2Fshadow", "traversal query:v high: sensitive file");
    check_value("C%3A%5CWindows%5Cwin.ini", "traversal query:v high: sensitive file");
    check("/@fs/root/.bash_history", &["traversal path high: sensitive file"]);
    check_agent("/proc/self/cmdline", &["traversal user_agent high: sensitive file"]);
}

#[test]
fn flags_stream_wrappers_and_file_urls() {
    check_value(
        "php%3A%2F%2Ffilter%2Fread%3Dstring.rot13%2Fresource%3Dconfig.php",
        "traversal query:v high: PHP stream wrapper",
    );
    check_value("file%3A%2F%2F%2Fvar%2Fbackups%2Fdb.tgz", "traversal query:v high: file: URL");
}

#[test]
fn flags_null_bytes_after_file_names() {
    check_value("invoice.pdf%00.png", "traversal query:v high: null byte");
}

#[test]
fn flags_requests_for_files_a_shop_never_serves() {
    check("/.env", &["traversal path high: dotfile probe"]);
    check("/.git/config", &["traversal path high: sensitive file"]);
    check("/.cache/thumbnails", &["traversal path medium: dotfile probe"]);
    check("/p?file=..%2Fconfig.inc", &["traversal query:file medium: ../ traversal"]);
    check("/db_backup.sql.gz", &["traversal path high: backup or dump file"]);
    check("/wp-content/debug.log", &["traversal path medium: configuration or log file"]);
    check("/backup.zip", &["traversal path medium: backup archive"]);
}

#[test]
fn flags_xml_external_entities() {
    check_value(
        "%3C!DOCTYPE%20r%20%5B%3C!ENTITY%20x%20SYSTEM%20%22file%3A%2F%2F%2Fetc%2Fhosts%22%3E%5D%3E",
        "traversal query:v high: sensitive file",
    );
}

#[test]
fn leaves_relative_links_and_ordinary_files_alone() {
    check_clean(&[
        "/static/css/app.3f2a1b.css",
        "/images/shoes/red.webp",
        "/.well-known/security.txt",
        "/downloads/size-guide.pdf",
        "/product/10023?ref=shoes%2F..%2Fbags&x=1",
        "/files/sample.log",
        "/docs/nginx-tips.html",
        "/search?q=etc",
        "/search?q=password+reset",
    ]);
}
