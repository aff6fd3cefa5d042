//! Every way a request can fail, and the one table that maps each to a status and a code.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use service::{LoginError, RangeError};

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No `X-Api-Key`, or one no bouncer holds.
    #[error("access forbidden")]
    Forbidden,
    /// A query parameter that does not parse.
    #[error("{0}")]
    InvalidQuery(String),
    /// A request body that is not the expected JSON.
    #[error("{0}")]
    InvalidBody(String),
    /// The service failed.
    #[error(transparent)]
    Service(#[from] service::Error),
    /// No `X-Api-Key`, or one no API client holds (login endpoints).
    #[error("missing or unknown X-Api-Key; issue one with `leakguard keys add NAME --scope login`")]
    Unauthorized,
    /// A key without the scope the endpoint needs.
    #[error("this API key lacks the {0} scope")]
    MissingScope(&'static str),
    /// The login check or result failed.
    #[error(transparent)]
    Login(#[from] service::LoginError),
    /// The range API could not answer.
    #[error(transparent)]
    Range(#[from] service::RangeError),
    /// Something inside the server failed.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The status and the stable snake_case code of each error.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "access_forbidden"),
            ApiError::InvalidQuery(_) => (StatusCode::BAD_REQUEST, "invalid_query"),
            ApiError::InvalidBody(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
            ApiError::Service(error) if error.is_user_error() => {
                (StatusCode::BAD_REQUEST, "invalid_request")
            }
            ApiError::Service(_) | ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "invalid_api_key"),
            ApiError::MissingScope(_) => (StatusCode::FORBIDDEN, "missing_scope"),
            ApiError::Login(error) => match error {
                LoginError::InvalidAccount(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
                LoginError::NoEngine | LoginError::EngineUnavailable(_) => {
                    (StatusCode::SERVICE_UNAVAILABLE, "engine_unavailable")
                }
                LoginError::Service(error) if error.is_user_error() => {
                    (StatusCode::BAD_REQUEST, "invalid_request")
                }
                LoginError::Corpus(_) | LoginError::Service(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }
            },
            ApiError::Range(error) => match error {
                RangeError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_prefix"),
                RangeError::NoNtlm => (StatusCode::NOT_FOUND, "ntlm_unavailable"),
                RangeError::Corpus(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = match &self {
            // CrowdSec's exact answer, which bouncers recognize.
            ApiError::Forbidden => json!({ "message": "access forbidden" }),
            _ if status == StatusCode::INTERNAL_SERVER_ERROR => {
                // The details go to the operator's log, never to the client.
                // TODO(#6): route through tracing once the binary installs a subscriber.
                #[allow(clippy::print_stderr)]
                match &self {
                    // A corpus error names the prefix file, and a prefix is the
                    // asker's secret: say only that the corpus failed.
                    ApiError::Range(_) | ApiError::Login(LoginError::Corpus(_)) => {
                        eprintln!(
                            "api: internal error: the pwned-password corpus could not be read \
                             (details withheld: they would name the prefix asked; \
                             check the corpus with `leakguard pwned import`)"
                        );
                    }
                    _ => eprintln!("api: internal error: {self}"),
                }
                json!({ "code": code, "message": "internal error" })
            }
            _ => json!({ "code": code, "message": self.to_string() }),
        };
        (status, Json(body)).into_response()
    }
}
