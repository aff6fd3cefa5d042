//! Fixtures for the detectors, written for this project, through the public
//! entry point: each detector has cases that must fire (with detector, part,
//! confidence and reason) and look-alikes from ordinary shop traffic that
//! must not.

mod clean;
mod code;
mod decoding;
mod properties;
mod rce;
mod rfi;
mod scanner;
mod sqli;
mod traversal;
mod xss;

use crate::{Request, Verdict, inspect};

/// A browser's user agent, for requests whose payload is elsewhere.
pub(super) const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/// One line per verdict: `detector part confidence: reason`.
fn lines(verdicts: &[Verdict]) -> Vec<String> {
    verdicts
        .iter()
        .map(|verdict| {
            format!(
                "{} {} {}: {}",
                verdict.detector, verdict.part, verdict.confidence, verdict.reason
            )
        })
        .collect()
}

/// Checks the verdicts for a request target (`/path?query`) sent by a
/// browser.
pub(super) fn check(target: &str, expected: &[&str]) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    check_request(&Request { path, query, user_agent: BROWSER, referer: "" }, expected);
}

/// Checks the verdicts for a user agent (on a plain request).
pub(super) fn check_agent(user_agent: &str, expected: &[&str]) {
    check_request(&Request { path: "/", query: "", user_agent, referer: "" }, expected);
}

pub(super) fn check_request(request: &Request<'_>, expected: &[&str]) {
    let actual = lines(&inspect(request));
    assert_eq!(actual, expected, "verdicts for {request:?}");
}

/// Checks that a query value (already percent-encoded as it would be sent)
/// gets exactly one verdict, from `detector`, with `reason`.
pub(super) fn check_value(value: &str, expected: &str) {
    check(&format!("/p?v={value}"), &[expected]);
}

/// Checks that none of these request targets gets a verdict.
pub(super) fn check_clean(targets: &[&str]) {
    for target in targets {
        check(target, &[]);
    }
}
