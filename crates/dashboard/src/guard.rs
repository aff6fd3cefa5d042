//! Who is asking: cookies, the session, the client address, CSRF checks and
//! the per-address limit on failed logins.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap, header};
use service::Session;

use crate::html::Lang;
use crate::{Console, ConsoleOptions};

/// Failed logins from one address within [`WINDOW`] before it must wait.
pub(crate) const MAX_FAILURES_PER_ADDRESS: u32 = 10;
/// The window of the per-address limit.
pub(crate) const WINDOW: Duration = Duration::from_secs(5 * 60);
/// Addresses tracked before the oldest windows are forgotten.
const TRACKED_ADDRESSES: usize = 10_000;

/// Failed logins per client address, in a sliding-start window.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    /// Whether this address may try again now.
    pub(crate) fn allows(&self, address: &str, now: Instant) -> bool {
        let failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.get(address).is_none_or(|(start, count)| {
            now.duration_since(*start) >= WINDOW || *count < MAX_FAILURES_PER_ADDRESS
        })
    }

    /// Counts a failure from this address.
    pub(crate) fn fail(&self, address: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() >= TRACKED_ADDRESSES {
            failures.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if failures.len() >= TRACKED_ADDRESSES {
                failures.clear();
            }
        }
        let entry = failures.entry(address.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }

    /// Forgets an address after a successful login.
    pub(crate) fn forget(&self, address: &str) {
        self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(address);
    }
}

/// A cookie's value from the request.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The session cookie's name: `__Host-` prefixed under TLS, so no other
/// host or path can set it.
pub(crate) fn session_cookie_name(options: &ConsoleOptions) -> &'static str {
    if options.tls { "__Host-lg_session" } else { "lg_session" }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`, Secure under TLS.
pub(crate) fn set_cookie(
    options: &ConsoleOptions,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> String {
    let mut out = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        out.push_str(&format!("; Max-Age={age}"));
    }
    if options.tls {
        out.push_str("; Secure");
    }
    out
}

/// The client's address, from the connection (never from headers a client could forge).
pub(crate) fn client_address(extensions: &Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(addr)| addr.ip().to_string())
}

/// The language: the cookie's, else the console's default.
pub(crate) fn language(headers: &HeaderMap, options: &ConsoleOptions) -> Lang {
    cookie(headers, "lg_lang").and_then(Lang::from_code).unwrap_or(options.default_lang)
}

/// Everything a handler needs about the request.
#[derive(Debug)]
pub(crate) struct Visit {
    pub(crate) lang: Lang,
    pub(crate) address: String,
    pub(crate) token: Option<String>,
    pub(crate) session: Option<Session>,
}

impl Visit {
    pub(crate) async fn of(
        console: &Console,
        headers: &HeaderMap,
        extensions: &Extensions,
    ) -> Visit {
        let token = cookie(headers, session_cookie_name(&console.options))
            .filter(|token| token.len() == 64 && token.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .map(str::to_owned);
        let session = match &token {
            Some(token) => console.service.session(token).await.ok().flatten(),
            None => None,
        };
        Visit {
            lang: language(headers, &console.options),
            address: client_address(extensions),
            token,
            session,
        }
    }
}

/// Compares two secrets without an early exit.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a form's CSRF field matches the session's token.
pub(crate) fn csrf_ok(session: &Session, form: &HashMap<String, String>) -> bool {
    form.get("csrf").is_some_and(|sent| !sent.is_empty() && same_secret(sent, &session.csrf_token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_stops_an_address_after_too_many_failures_and_forgets_after_the_window() {
        let limiter = Limiter::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES_PER_ADDRESS {
            assert!(limiter.allows("192.0.2.1", start));
            limiter.fail("192.0.2.1", start);
        }
        assert!(!limiter.allows("192.0.2.1", start));
        assert!(limiter.allows("192.0.2.2", start), "other addresses are not affected");
        assert!(limiter.allows("192.0.2.1", start + WINDOW));
        limiter.fail("192.0.2.1", start);
        limiter.forget("192.0.2.1");
        assert!(limiter.allows("192.0.2.1", start));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; lg_lang=en; lg_session=abc".parse().expect("header"));
        assert_eq!(cookie(&headers, "lg_lang"), Some("en"));
        assert_eq!(cookie(&headers, "lg_session"), Some("abc"));
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn cookies_are_strict_and_secure_under_tls() {
        let tls = ConsoleOptions { tls: true, ..ConsoleOptions::default() };
        assert_eq!(
            set_cookie(&tls, session_cookie_name(&tls), "t", None),
            "__Host-lg_session=t; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        let plain = ConsoleOptions::default();
        assert!(!set_cookie(&plain, "lg_session", "t", Some(0)).contains("Secure"));
    }
}
