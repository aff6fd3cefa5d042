//! Path patterns that place a request in an endpoint class.
//!
//! Forms (see `docs/rules.md`, "Endpoint classes"):
//!
//! - `/member/login`: exactly this path;
//! - `/admin/*`, `/member/orders*`: a `*` at the very end matches any remainder, `/` included;
//! - `/member/*/export*`: elsewhere `*` matches within one path segment (no `/`);
//! - `/admin/**.csv`: `**` matches anything, `/` included; a leading `*` (`*.css`) does too;
//! - `/index.php?route=account/login*`: after `?`, `name=value` pairs that must appear
//!   among the query's `&`-separated parameters (`*` in a value matches anything;
//!   a bare `name` only requires the parameter); the path part may be empty (`?wc-ajax=*`);
//! - `~^/shop/[a-z]+/login$`: a regular expression on the path;
//! - a leading `!` excludes matching requests from the class.
//!
//! Paths are compared as logged (still percent-encoded) and case-sensitively,
//! except `*.ext` patterns, which compare the extension case-insensitively.

use regex::Regex;

/// One compiled path pattern.
#[derive(Debug, Clone)]
pub struct PathPattern {
    source: String,
    is_exclude: bool,
    path: PathMatch,
    query: Vec<QueryParam>,
}

#[derive(Debug, Clone)]
enum PathMatch {
    /// Any path (patterns that only test the query).
    Any,
    Exact(Box<str>),
    Prefix(Box<str>),
    Glob(Vec<GlobToken>),
    Regex(Regex),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum GlobToken {
    Literal(Box<[u8]>),
    /// Any run of bytes except `/`.
    Star,
    /// Any run of bytes.
    AnyStar,
}

#[derive(Debug, Clone)]
struct QueryParam {
    name: Box<[u8]>,
    /// `None` when only the parameter's presence is required.
    value: Option<Vec<GlobToken>>,
}

impl PathPattern {
    /// Parses a pattern; the error says what is wrong with it.
    pub fn parse(source: &str) -> Result<PathPattern, String> {
        let (is_exclude, text) = match source.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, source),
        };
        if let Some(expression) = text.strip_prefix('~') {
            let regex = Regex::new(expression)
                .map_err(|error| format!("invalid regex \"{expression}\": {}", one_line(&error)))?;
            return Ok(PathPattern {
                source: source.to_owned(),
                is_exclude,
                path: PathMatch::Regex(regex),
                query: Vec::new(),
            });
        }
        let (path_text, query_text) = match text.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (text, None),
        };
        let path = if path_text.is_empty() {
            if query_text.is_none() {
                return Err("empty path pattern".to_owned());
            }
            PathMatch::Any
        } else if !path_text.starts_with(['/', '*']) {
            return Err(format!(
                "path pattern \"{source}\" must start with \"/\", \"*\", \"?\" or \"~\""
            ));
        } else {
            compile_path(path_text)
        };
        let mut query = Vec::new();
        for pair in query_text.unwrap_or_default().split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = match pair.split_once('=') {
                Some((name, value)) => (name, Some(glob_tokens(value, true))),
                None => (pair, None),
            };
            if name.is_empty() {
                return Err(format!("query parameter without a name in \"{source}\""));
            }
            query.push(QueryParam { name: name.as_bytes().into(), value });
        }
        if query_text.is_some() && query.is_empty() {
            return Err(format!("nothing after \"?\" in \"{source}\""));
        }
        Ok(PathPattern { source: source.to_owned(), is_exclude, path, query })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether this pattern removes requests from its class (`!` patterns).
    pub fn is_exclude(&self) -> bool {
        self.is_exclude
    }

    /// Whether a request's path and query match (ignoring `!`).
    pub fn matches(&self, path: &str, query: &str) -> bool {
        let is_path_match = match &self.path {
            PathMatch::Any => true,
            PathMatch::Exact(exact) => path == &**exact,
            PathMatch::Prefix(prefix) => path.starts_with(&**prefix),
            PathMatch::Glob(tokens) => glob_match(tokens, path.as_bytes()),
            PathMatch::Regex(regex) => regex.is_match(path),
        };
        is_path_match && self.query.iter().all(|param| param.is_in(query))
    }

    /// The exact path, when the pattern is one path and nothing else.
    pub(crate) fn exact_path(&self) -> Option<&str> {
        match &self.path {
            PathMatch::Exact(exact) if self.query.is_empty() => Some(exact),
            _ => None,
        }
    }

    /// The lowercase extension, when the pattern is `*.ext` and nothing else.
    pub(crate) fn extension(&self) -> Option<String> {
        let PathMatch::Glob(tokens) = &self.path else { return None };
        let [GlobToken::AnyStar, GlobToken::Literal(literal)] = tokens.as_slice() else {
            return None;
        };
        let extension = literal.strip_prefix(b".")?;
        let is_plain = !extension.is_empty()
            && extension.len() <= MAX_EXTENSION
            && extension.iter().all(u8::is_ascii_alphanumeric);
        (is_plain && self.query.is_empty())
            .then(|| String::from_utf8_lossy(extension).to_ascii_lowercase())
    }

    /// The first path segment when the pattern fixes it completely (`member` for
    /// `/member/orders*`), so the site can index patterns by it.
    pub(crate) fn first_segment(&self) -> Option<&[u8]> {
        let literal: &[u8] = match &self.path {
            PathMatch::Exact(exact) => {
                let rest = exact.strip_prefix('/')?;
                return Some(rest.split('/').next().unwrap_or_default().as_bytes());
            }
            PathMatch::Prefix(prefix) => prefix.as_bytes(),
            PathMatch::Glob(tokens) => match tokens.first() {
                Some(GlobToken::Literal(literal)) => literal,
                _ => return None,
            },
            PathMatch::Any | PathMatch::Regex(_) => return None,
        };
        let rest = literal.strip_prefix(b"/")?;
        let end = rest.iter().position(|&byte| byte == b'/')?;
        Some(&rest[..end])
    }
}

/// Longest extension indexed by the site (`woff2`).
pub(crate) const MAX_EXTENSION: usize = 8;

impl QueryParam {
    fn is_in(&self, query: &str) -> bool {
        query.as_bytes().split(|&byte| byte == b'&').any(|pair| {
            let (name, value) = match pair.iter().position(|&byte| byte == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &b""[..]),
            };
            name == &*self.name && self.value.as_ref().is_none_or(|glob| glob_match(glob, value))
        })
    }
}

fn compile_path(text: &str) -> PathMatch {
    if !text.contains('*') {
        return PathMatch::Exact(text.into());
    }
    let star_count = text.matches('*').count();
    if star_count == 1 && text.ends_with('*') {
        return PathMatch::Prefix(text[..text.len() - 1].into());
    }
    PathMatch::Glob(glob_tokens(text, false))
}

/// Splits a glob into tokens. In values (`is_value`) every `*` matches anything;
/// in paths a lone `*` stays within a segment unless it leads or ends the pattern.
fn glob_tokens(text: &str, is_value: bool) -> Vec<GlobToken> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut idx = 0;
    let mut literal = Vec::new();
    while idx < bytes.len() {
        if bytes[idx] == b'*' {
            if !literal.is_empty() {
                tokens.push(GlobToken::Literal(std::mem::take(&mut literal).into()));
            }
            let is_double = bytes.get(idx + 1) == Some(&b'*');
            let is_edge = idx == 0 || idx + 1 + usize::from(is_double) == bytes.len();
            idx += 1 + usize::from(is_double);
            let token =
                if is_value || is_double || is_edge { GlobToken::AnyStar } else { GlobToken::Star };
            if tokens.last() != Some(&GlobToken::AnyStar) {
                tokens.push(token);
            }
        } else {
            literal.push(bytes[idx]);
            idx += 1;
        }
    }
    if !literal.is_empty() {
        tokens.push(GlobToken::Literal(literal.into()));
    }
    tokens
}

fn glob_match(tokens: &[GlobToken], text: &[u8]) -> bool {
    match tokens.split_first() {
        None => text.is_empty(),
        Some((GlobToken::Literal(literal), rest)) => {
            text.starts_with(literal) && glob_match(rest, &text[literal.len()..])
        }
        Some((GlobToken::Star, rest)) => {
            for idx in 0..=text.len() {
                if glob_match(rest, &text[idx..]) {
                    return true;
                }
                if text.get(idx) == Some(&b'/') {
                    return false;
                }
            }
            false
        }
        Some((GlobToken::AnyStar, rest)) => {
            if let [GlobToken::Literal(last)] = rest {
                return text.ends_with(last);
            }
            if rest.is_empty() {
                return true;
            }
            (0..=text.len()).any(|idx| glob_match(rest, &text[idx..]))
        }
    }
}

/// A regex error on one line (the crate's messages span several).
pub(crate) fn one_line(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines().rfind(|line| !line.trim().is_empty()).unwrap_or_default().trim().to_owned()
}
