//! Every way a request can fail, and the one table that maps each to a status and a code.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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
            ApiError::Service(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = match &self {
            // CrowdSec's exact answer, which bouncers recognize.
            ApiError::Forbidden => json!({ "message": "access forbidden" }),
            _ if status.is_server_error() => {
                // The details go to the operator's log, never to the client.
                // TODO(#6): route through tracing once the binary installs a subscriber.
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("api: internal error: {self}");
                }
                json!({ "code": code, "message": "internal error" })
            }
            _ => json!({ "code": code, "message": self.to_string() }),
        };
        (status, Json(body)).into_response()
    }
}
