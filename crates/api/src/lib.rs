//! The HTTP API, compatible with CrowdSec's local API for bouncers, so the
//! bouncers shops already run (nginx, HAProxy, firewall, custom) work
//! unchanged when pointed at leakguard.
//!
//! [`router`] builds the axum `Router` over a `service::Service`:
//! `GET/HEAD /v1/decisions`, `GET/HEAD /v1/decisions/stream` and
//! `POST /v1/usage-metrics`, each behind `X-Api-Key` authentication.
//! [`ApiError`] maps every failure to a status and a JSON body (see
//! `docs/api.md`). The wire format is in [`wire`].
//!
//! [`login_router`] adds `POST /v1/login/check` and `POST /v1/login/result`
//! for the shop's own login code (API keys with the `login` scope), and
//! [`range_router`] the pwned-password range API (`GET /range/{prefix}`),
//! compatible with Have I Been Pwned's.
//!
//! This crate knows no SQL and no decision rules: it parses requests, calls
//! the service and writes responses. Binding sockets and TLS belong to `app`.

mod error;
mod login;
mod routes;
pub mod wire;

pub use error::ApiError;
pub use login::{login_router, range_router};
pub use routes::router;

#[cfg(test)]
mod tests;
