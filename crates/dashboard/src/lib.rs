//! The web console: server-rendered HTML pages over a `service::Service`,
//! in Traditional Chinese and English (a cookie switches), with every asset
//! embedded in the binary (one hand-written CSS file, one small script, no
//! inline scripts or styles, so the Content-Security-Policy forbids both).
//!
//! [`router`] builds the axum `Router` of the pages: login with password and
//! TOTP, first-login setup (new password, TOTP enrolment with recovery
//! codes), the overview (an SVG chart drawn on the server), alerts with
//! their evidence and one-click ban or unban, decisions, and the audit trail
//! for auditors. [`security_headers`] is the middleware that sets the
//! security headers on every response of the process (the bouncer API's
//! too). Sessions live in the store (the cookie holds a random token the
//! store keeps only hashed); every POST carries a CSRF token; failed logins
//! are rate-limited per address here and locked per account by the service.
//! Every view of personal data asks for a purpose and is written, with it,
//! to the audit trail.
//!
//! This crate knows no SQL and no detection: it calls the service. Sockets
//! and TLS belong to `app`, which mounts this router next to the API.

mod chart;
mod guard;
mod html;
mod pages;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::Response;
use service::Service;

pub use html::Lang;

/// How the console runs.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// Whether clients reach it over TLS (cookies get `Secure` and a
    /// `__Host-` prefix, and HSTS is sent).
    pub tls: bool,
    /// The site's offset from UTC, in seconds, for showing times.
    pub utc_offset_secs: i32,
    /// The language before a user picks one.
    pub default_lang: Lang,
}

impl Default for ConsoleOptions {
    fn default() -> ConsoleOptions {
        ConsoleOptions { tls: false, utc_offset_secs: 8 * 3600, default_lang: Lang::ZhTw }
    }
}

/// What every handler shares.
#[derive(Debug)]
pub(crate) struct Console {
    pub(crate) service: Arc<Service>,
    pub(crate) options: ConsoleOptions,
    pub(crate) limiter: guard::Limiter,
}

/// The console's pages over a service.
pub fn router(service: Arc<Service>, options: ConsoleOptions) -> Router {
    let console = Arc::new(Console { service, options, limiter: guard::Limiter::default() });
    pages::routes().with_state(console)
}

/// The Content-Security-Policy of every response: only this origin's
/// scripts, styles and images; no inline code; no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Middleware: security headers on every response, and no `Server` or
/// `X-Powered-By`. `tls` adds HSTS.
pub async fn security_headers(
    tls: bool,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.remove(header::SERVER);
    headers.remove("x-powered-by");
    headers
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    if tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// The console and an API router in one, with the security headers on both.
pub fn with_console(api: Router, service: Arc<Service>, options: ConsoleOptions) -> Router {
    let tls = options.tls;
    api.merge(router(service, options)).layer(axum::middleware::from_fn(
        move |request: Request<axum::body::Body>, next: Next| security_headers(tls, request, next),
    ))
}

#[cfg(test)]
mod tests;
