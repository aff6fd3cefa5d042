//! Remote file inclusion and URL tricks: a parameter holding a URL that an
//! include or fetch would follow. Shops pass their own URLs around
//! (`return_url=https://shop.example.tw/checkout`), so a plain URL is not
//! enough; it takes an include-like parameter name, a trailing `?` or null
//! byte (to cut off what the application appends), an exotic scheme
//! (`gopher:`, `jar:`, Java's `url:`), credentials or an `@` before the host,
//! a domain hidden inside another (`example.com.evil.com`), an explicit
//! port, an IP address, or a URL embedded in the path.

use crate::prefilter as class;
use crate::subject::{Findings, Origin, Subject};
use crate::{Confidence, Detector};

/// Parts of parameter names that an application passes to an include.
const INCLUDE_NAMES: &[&[u8]] = &[
    b"file",
    b"page",
    b"include",
    b"inc",
    b"path",
    b"dir",
    b"folder",
    b"root",
    b"template",
    b"tpl",
    b"document",
    b"load",
    b"module",
    b"conf",
    b"lang",
    b"style",
    b"layout",
    b"show",
    b"view",
    b"src",
    b"script",
];

/// Schemes that only server-side request forgery and inclusion use.
const EXOTIC_SCHEMES: &[&[u8]] =
    &[b"gopher", b"dict", b"ldap", b"ldaps", b"tftp", b"netdoc", b"smb", b"jar", b"rmi", b"iiop"];

/// Schemes of URLs an include can fetch.
const FETCH_SCHEMES: &[&[u8]] = &[b"http", b"https", b"ftp", b"ftps", b"sftp", b"file"];

/// Generic top-level labels that, in the middle of a host name, suggest a
/// domain dressed up inside another one.
const GENERIC_TLDS: &[&[u8]] = &[b"com", b"net", b"org", b"info", b"biz"];

pub(crate) fn detect(subject: &Subject<'_>, findings: &mut Findings) {
    match subject.origin {
        Origin::QueryValue | Origin::QueryName => value(subject, findings),
        Origin::Path => path(subject, findings),
        Origin::UserAgent | Origin::Referer | Origin::RefererPath => {}
    }
}

fn path(subject: &Subject<'_>, findings: &mut Findings) {
    if !subject.scan.has(class::COLON) {
        return;
    }
    for scheme in [&b"/http:/"[..], b"/https:/", b"/ftp:/", b"=http:/", b"=https:/"] {
        if let Some(idx) = crate::patterns::find(subject.lower, scheme) {
            findings.add_excerpt(
                Detector::Rfi,
                Confidence::Medium,
                "URL embedded in path",
                &subject.text[idx + 1..],
            );
            return;
        }
    }
}

fn value(subject: &Subject<'_>, findings: &mut Findings) {
    let text = subject.lower.trim_ascii();
    if text.len() < 4 || !text[0].is_ascii_alphabetic() {
        return;
    }
    let scheme_len =
        text.iter().take(16).take_while(|b| b.is_ascii_alphanumeric() || **b == b'.').count();
    let scheme = &text[..scheme_len];
    let rest = &text[scheme_len..];
    let evidence = subject.text.trim_ascii();

    // `http?`, `https://evil/shell.txt?`: a URL (or a bare scheme) ending in
    // `?` or a null byte makes the application's suffix a query string.
    let is_fetch_scheme = FETCH_SCHEMES.contains(&scheme);
    if is_fetch_scheme && (rest.is_empty() || rest[0] == b':' || rest[0] == b'?') {
        let ends_cut =
            text.ends_with(b"?") && memchr::memchr(b'?', &text[..text.len() - 1]).is_none();
        if ends_cut || text.ends_with(b"\0") {
            findings.add_excerpt(
                Detector::Rfi,
                Confidence::High,
                "URL ending with ? or null byte",
                evidence,
            );
            return;
        }
    }
    if rest.first() != Some(&b':') {
        return;
    }
    if scheme == b"url" && (rest.starts_with(b":file:") || rest.starts_with(b":http")) {
        findings.add_excerpt(Detector::Rfi, Confidence::High, "Java url: scheme", evidence);
        return;
    }
    if EXOTIC_SCHEMES.contains(&scheme) && (rest.starts_with(b"://") || scheme == b"jar") {
        findings.add_excerpt(Detector::Rfi, Confidence::High, "exotic URL scheme", evidence);
        return;
    }
    if !rest.starts_with(b"://") || !is_fetch_scheme || scheme == b"file" {
        return;
    }
    let after = &rest[3..];
    let authority_end =
        after.iter().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(after.len());
    let authority = &after[..authority_end];
    let location = &after[authority_end..];
    // `http://example.com%2f@evil.com/`: after decoding, the `@` sits right
    // after the first slash; either way a parser may take evil.com as host.
    let first_segment_end = location
        .iter()
        .skip(1)
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .map_or(location.len(), |p| p + 1);
    if memchr::memchr(b'@', authority).is_some()
        || memchr::memchr(b'@', &location[..first_segment_end]).is_some()
    {
        findings.add_excerpt(
            Detector::Rfi,
            Confidence::High,
            "credentials or @ before the host",
            evidence,
        );
        return;
    }
    let (host, port) = match memchr::memrchr(b':', authority) {
        Some(colon) if !authority.starts_with(b"[") || authority[..colon].ends_with(b"]") => {
            (&authority[..colon], Some(&authority[colon + 1..]))
        }
        _ => (authority, None),
    };
    let is_include_name = !subject.name.is_empty()
        && INCLUDE_NAMES.iter().any(|part| crate::patterns::find(subject.name, part).is_some());
    let is_ip = !host.is_empty()
        && host.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && host.iter().filter(|b| **b == b'.').count() == 3;
    let target_is_script =
        [&b".php"[..], b".txt", b".inc", b".asp", b".jsp", b".pl", b".cgi", b".gif?", b".jpg?"]
            .iter()
            .any(|ext| crate::patterns::find(location, ext).is_some());
    if is_include_name && (is_ip || target_is_script || location.ends_with(b"?")) {
        findings.add_excerpt(
            Detector::Rfi,
            Confidence::High,
            "URL in an include parameter",
            evidence,
        );
        return;
    }
    if is_ip && target_is_script {
        findings.add_excerpt(
            Detector::Rfi,
            Confidence::High,
            "script URL on an IP address",
            evidence,
        );
        return;
    }
    if is_include_name {
        findings.add_excerpt(
            Detector::Rfi,
            Confidence::Medium,
            "URL in an include parameter",
            evidence,
        );
        return;
    }
    if scheme != b"http" && scheme != b"https" {
        findings.add_excerpt(Detector::Rfi, Confidence::Medium, "FTP URL in parameter", evidence);
        return;
    }
    if hides_domain(host) {
        findings.add_excerpt(
            Detector::Rfi,
            Confidence::Medium,
            "domain hidden in host name",
            evidence,
        );
        return;
    }
    if port.is_some_and(|port| !port.is_empty() && port != b"80" && port != b"443") {
        findings.add_excerpt(Detector::Rfi, Confidence::Medium, "URL with explicit port", evidence);
    }
}

/// `example.com.evil.com`: a generic top-level label in the middle of a host,
/// followed by more than a two-letter country code (`shop.com.tw` is fine).
fn hides_domain(host: &[u8]) -> bool {
    let labels: Vec<&[u8]> = host.split(|b| *b == b'.').collect();
    labels.iter().enumerate().any(|(idx, label)| {
        let after = labels.len() - idx - 1;
        idx > 0
            && GENERIC_TLDS.contains(label)
            && (after >= 2 || (after == 1 && labels[idx + 1].len() > 2))
    })
}
