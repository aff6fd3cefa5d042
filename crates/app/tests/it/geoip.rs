//! `[geoip]`: without databases the geo rules are off and `analyze` says so;
//! bad paths are reported with their key. (No MMDB file is read here:
//! `cargo test` uses no shared data.)

use super::{combined, json_of, leakguard, write};

#[test]
fn analyze_without_databases_names_the_geo_rules_that_are_off_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = String::new();
    for second in 0..3 {
        content.push_str(&combined("198.51.100.7", second, "/admin/login", 200));
    }
    write(dir.path(), "access.log", content.as_bytes());
    let output =
        leakguard(dir.path(), &["analyze", "--no-progress", "--output", "json", "access.log"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(stderr.matches("no GeoIP database configured").count(), 1, "{stderr}");
    assert!(stderr.contains("lg-admin-foreign-country"), "{stderr}");
    let report = json_of(&output);
    let off = report["geoip"]["rules_off"].as_array().unwrap();
    assert!(off.iter().any(|id| id == "lg-login-failures-asn"), "{off:?}");
    assert_eq!(report["geoip"]["databases"].as_array().unwrap().len(), 0);
}

#[test]
fn geoip_paths_are_checked_with_their_key() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.toml",
        b"[geoip]\ncountry_db = \"GeoLite2-Country.tar.gz\"\nasn_db = \"asn.csv\"\ncity_db = \"x\"\n",
    );
    let output = leakguard(dir.path(), &["config", "check", "bad.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    for expected in [
        "geoip.country_db: GeoLite2-Country.tar.gz is an archive",
        "geoip.asn_db: asn.csv is a CSV file",
        "geoip.city_db: unknown key",
        "3 problems",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    write(dir.path(), "missing.toml", b"[geoip]\ncountry_db = \"nowhere.mmdb\"\n");
    let output = leakguard(dir.path(), &["--config", "missing.toml", "geoip", "status"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("geoip.country_db: opening nowhere.mmdb"), "{stderr}");
    write(dir.path(), "broken.mmdb", b"not a database");
    write(dir.path(), "broken.toml", b"[geoip]\nasn_db = \"broken.mmdb\"\n");
    let output = leakguard(dir.path(), &["--config", "broken.toml", "analyze", "access.log"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("geoip.asn_db: opening broken.mmdb"), "{stderr}");
}

#[test]
fn geoip_status_without_databases_says_geo_rules_are_off() {
    let dir = tempfile::tempdir().unwrap();
    let output = leakguard(dir.path(), &["geoip", "status"]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("no GeoIP database configured"), "{stdout}");
}
