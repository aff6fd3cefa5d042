//! Finds attack payloads in what an access log records of a request: the path,
//! the raw query string, the user agent and the referer.
//!
//! Attackers probe a shop with injection payloads before they find the hole
//! that leaks its customer database, and those probes show in every access
//! log line. [`inspect`] judges one [`Request`] and returns a [`Verdict`] for
//! each part that carries a payload:
//!
//! - `sqli`: SQL injection, judged from a token stream of the value read in
//!   three contexts (as is, after a single quote, after a double quote), with
//!   rules for quote breakouts, boolean tautologies, `UNION SELECT`, stacked
//!   queries, time delays, system catalogs, casts and NoSQL operators;
//! - `xss`: script tags, event-handler attributes, `javascript:` and `data:`
//!   URLs, dangerous tags, JavaScript sinks and template expressions;
//! - `traversal`: `../` in any encoding, sensitive files (`/etc/passwd`,
//!   `win.ini`, dotfiles, backups), PHP stream wrappers, null bytes;
//! - `rfi`: URLs used as include parameters, URL tricks, exotic schemes;
//! - `rce`: shell and `cmd.exe` commands after separators, substitutions,
//!   obfuscated command words, reverse shells, mail-protocol injection;
//! - `code_injection`: PHP tags and functions, OGNL, SpEL, Java class loaders;
//! - `log4shell`: `${jndi:...}` lookups and their obfuscations;
//! - `shellshock`: `() { :; };` function definitions;
//! - `scanner`: user agents of attack and scanning tools.
//!
//! Every part is decoded the way a server and a browser would before it is
//! judged (see the `decode` module): repeated percent-decoding, `+` as space
//! in query values, `%uXXXX`, overlong UTF-8, nginx's `\xHH`, HTML entities
//! and JavaScript `\uXXXX` escapes. Each query parameter is judged on its own.
//!
//! Clean traffic is cheap: a byte-class table and a keyword check reject
//! ordinary paths, parameters and browser user agents without allocating.
//!
//! Deliberately not here: reading logs (the `parsers` crate turns lines into
//! events), request bodies and other headers (they are not in an access log),
//! deciding what to do about a verdict (the detection engine), and weak
//! signals such as a scripting library's user agent (`python-requests` is not
//! an attack tool by itself).
//!
//! Entry types: [`Request`] in, [`Verdict`]s out, each naming a [`Detector`],
//! a [`Part`] and a [`Confidence`].
//!
//! ```
//! use payloads::{Confidence, Detector, Part, Request, inspect};
//!
//! let request = Request {
//!     path: "/product/list",
//!     query: "cat=2&id=10%27%20UNION%20SELECT%20email,password%20FROM%20customers--",
//!     user_agent: "Mozilla/5.0",
//!     referer: "",
//! };
//! let verdicts = inspect(&request);
//! assert_eq!(verdicts.len(), 1);
//! assert_eq!(verdicts[0].detector, Detector::Sqli);
//! assert_eq!(verdicts[0].part, Part::Query("id".to_owned()));
//! assert_eq!(verdicts[0].confidence, Confidence::High);
//! assert_eq!(verdicts[0].reason, "UNION SELECT after quote");
//!
//! let clean = Request { path: "/category/shoes", query: "page=2&sort=price", ..request };
//! assert!(inspect(&clean).is_empty());
//! ```

mod code;
mod command;
mod decode;
mod lexicon;
mod log4shell;
mod patterns;
mod prefilter;
mod query;
mod rfi;
mod scanner;
mod shellshock;
mod sqli;
mod subject;
mod traversal;
mod xss;

#[cfg(test)]
mod tests;

use std::fmt;

use subject::{Finding, Findings, Origin};

/// What an access log records of one request, as text.
///
/// Fields are raw: percent-encoding and nginx's `\xHH` escapes are kept, as
/// the log wrote them. An unknown field is the empty string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Request<'a> {
    /// The request path, without the query string (`/search`).
    pub path: &'a str,
    /// The raw query string, without the leading `?` (`q=red+shoes&page=2`).
    pub query: &'a str,
    /// The `User-Agent` header.
    pub user_agent: &'a str,
    /// The `Referer` header (a full URL, or `-` / empty when absent).
    pub referer: &'a str,
}

/// Which detector found a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Detector {
    /// SQL (and NoSQL) injection.
    Sqli,
    /// Cross-site scripting and client-side template injection.
    Xss,
    /// Path traversal, local file inclusion and sensitive-file probes.
    Traversal,
    /// Remote file inclusion and URL tricks in parameters.
    Rfi,
    /// OS command injection (Unix shells and `cmd.exe`).
    Rce,
    /// PHP and Java expression or code injection.
    CodeInjection,
    /// Log4Shell JNDI lookups.
    Log4shell,
    /// Shellshock function definitions.
    Shellshock,
    /// Attack or scanning tool user agents.
    Scanner,
}

impl Detector {
    /// Every detector, in the order of [`Detector`]'s variants.
    pub const ALL: [Detector; 9] = [
        Detector::Sqli,
        Detector::Xss,
        Detector::Traversal,
        Detector::Rfi,
        Detector::Rce,
        Detector::CodeInjection,
        Detector::Log4shell,
        Detector::Shellshock,
        Detector::Scanner,
    ];

    /// The stable snake_case name (`sqli`, `code_injection`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Detector::Sqli => "sqli",
            Detector::Xss => "xss",
            Detector::Traversal => "traversal",
            Detector::Rfi => "rfi",
            Detector::Rce => "rce",
            Detector::CodeInjection => "code_injection",
            Detector::Log4shell => "log4shell",
            Detector::Shellshock => "shellshock",
            Detector::Scanner => "scanner",
        }
    }
}

impl fmt::Display for Detector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the request carried the payload.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The request path.
    Path,
    /// A query parameter, by its decoded name (cut at 64 bytes). A parameter
    /// without `=` is named by its whole text.
    Query(String),
    /// The `User-Agent` header.
    UserAgent,
    /// The `Referer` header.
    Referer,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Path => f.write_str("path"),
            Part::Query(name) => write!(f, "query:{name}"),
            Part::UserAgent => f.write_str("user_agent"),
            Part::Referer => f.write_str("referer"),
        }
    }
}

/// How sure a detector is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Suspicious, but ordinary traffic can look like this now and then.
    Medium,
    /// An attack payload; ordinary traffic does not look like this.
    High,
}

impl Confidence {
    /// `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One detector's judgement of one part of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The detector that fired.
    pub detector: Detector,
    /// Where the payload was.
    pub part: Part,
    /// How sure the detector is.
    pub confidence: Confidence,
    /// What matched, for an analyst (`UNION SELECT after quote`). Stable
    /// text: one per rule.
    pub reason: &'static str,
    /// The evidence: a token fingerprint (`s&1o1c`) or the matched text
    /// (decoded, cut at 80 bytes, control bytes escaped).
    pub detail: String,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {} ({}): {}", self.detector, self.part, self.confidence, self.reason)?;
        if !self.detail.is_empty() {
            write!(f, " [{}]", self.detail)?;
        }
        Ok(())
    }
}

/// Judges a request: one verdict per detector and part that found a payload,
/// the most confident finding of each, in the order path, query parameters,
/// user agent, referer. Clean requests give an empty `Vec` (no allocation).
pub fn inspect(request: &Request<'_>) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    let mut findings = Findings::default();

    if !request.path.is_empty() {
        subject::judge(request.path.as_bytes(), Origin::Path, &mut findings);
        findings.drain_into(&mut verdicts, || Part::Path);
    }
    let query = request.query.as_bytes();
    if !query.is_empty()
        && (subject::is_ungated() || prefilter::Scan::query_may_hold_payload(query))
    {
        for param in query::params(query) {
            subject::judge_param(param, Origin::QueryValue, &mut findings);
            if !findings.is_empty() {
                let name = param.display_name();
                findings.drain_into(&mut verdicts, || Part::Query(name.clone()));
            }
        }
    }
    if !request.user_agent.is_empty() {
        subject::judge(request.user_agent.as_bytes(), Origin::UserAgent, &mut findings);
        findings.drain_into(&mut verdicts, || Part::UserAgent);
    }
    if !request.referer.is_empty() && request.referer != "-" {
        subject::judge_referer(request.referer.as_bytes(), &mut findings);
        findings.drain_into(&mut verdicts, || Part::Referer);
    }
    verdicts
}

impl Findings {
    /// Moves the best finding per detector into `verdicts`, tagged with a part.
    fn drain_into(&mut self, verdicts: &mut Vec<Verdict>, part: impl Fn() -> Part) {
        if self.is_empty() {
            return;
        }
        for Finding { detector, confidence, reason, detail } in self.take_best() {
            verdicts.push(Verdict { detector, part: part(), confidence, reason, detail });
        }
    }
}
