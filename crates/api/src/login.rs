//! The login check for the shop's own login code, and the pwned-password
//! range API compatible with Have I Been Pwned's.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::{
    ApiClient, HashKind, LOGIN_SCOPE, LoginAttempt, LoginGuard, LoginResult, Passwords, Reason,
};

use crate::error::ApiError;

/// The largest login request body accepted, in bytes.
const MAX_LOGIN_BODY_BYTES: usize = 8 * 1024;

/// `POST /v1/login/check` and `POST /v1/login/result`, behind API keys with the `login` scope.
pub fn login_router(guard: Arc<LoginGuard>) -> Router {
    Router::new()
        .route("/v1/login/check", post(post_check))
        .route("/v1/login/result", post(post_result))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_LOGIN_BODY_BYTES))
        .with_state(guard)
}

/// `GET /range/{prefix}`, open like Have I Been Pwned's (it reveals nothing
/// about the asker's password beyond 20 bits of its hash).
pub fn range_router(passwords: Arc<Passwords>) -> Router {
    Router::new().route("/range/{prefix}", get(get_range)).with_state(passwords)
}

/// The API client that sent the request, holding the `login` scope.
struct LoginClient(#[allow(dead_code)] ApiClient);

impl FromRequestParts<Arc<LoginGuard>> for LoginClient {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        guard: &Arc<LoginGuard>,
    ) -> Result<LoginClient, ApiError> {
        let key = parts
            .headers
            .get("x-api-key")
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .unwrap_or_default();
        let client = guard.authenticate(key).await?.ok_or(ApiError::Unauthorized)?;
        if !client.has_scope(LOGIN_SCOPE) {
            return Err(ApiError::MissingScope(LOGIN_SCOPE));
        }
        Ok(LoginClient(client))
    }
}

/// The body of `POST /v1/login/check`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    ip: IpAddr,
    account: String,
    #[serde(default)]
    user_agent: Option<String>,
    /// 40 hex digits; never the password itself.
    #[serde(default)]
    password_sha1: Option<String>,
}

/// The body of `POST /v1/login/result`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultBody {
    ip: IpAddr,
    account: String,
    outcome: String,
    #[serde(default)]
    user_agent: Option<String>,
}

/// One reason in a check's answer.
#[derive(Debug, Serialize)]
struct WireReason {
    /// `ip_ban`, `ip_captcha`, `ip_require_otp`, `account_ban`,
    /// `account_require_otp`, `account_force_reset`, `password_breached`...
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision_id: Option<i64>,
    /// The rule behind the decision (`manual` for decisions made by hand).
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    /// How many times the corpus saw the password.
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
}

/// The answer to `POST /v1/login/check`.
#[derive(Debug, Serialize)]
struct WireVerdict {
    verdict: &'static str,
    change_password: bool,
    decision_ids: Vec<i64>,
    reasons: Vec<WireReason>,
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError::InvalidBody(format!("the body is not the expected JSON: {error}"))
    })
}

/// A hex SHA-1 (either case) as bytes.
fn parse_sha1(text: &str) -> Result<[u8; 20], ApiError> {
    let invalid = || {
        ApiError::InvalidBody(
            "password_sha1 must be 40 hex digits: the SHA-1 of the password's UTF-8 bytes"
                .to_owned(),
        )
    };
    let bytes = service::parse_hash(HashKind::Sha1, text).ok_or_else(invalid)?;
    bytes.try_into().map_err(|_| invalid())
}

async fn post_check(
    State(guard): State<Arc<LoginGuard>>,
    LoginClient(_client): LoginClient,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body: CheckBody = parse_json(&body)?;
    let password_sha1 = body.password_sha1.as_deref().map(parse_sha1).transpose()?;
    let attempt = LoginAttempt {
        ip: body.ip,
        account: body.account,
        user_agent: body.user_agent,
        password_sha1,
    };
    let answer = guard.check(&attempt).await?;
    let reasons: Vec<WireReason> = answer
        .reasons
        .iter()
        .map(|reason| match reason {
            Reason::Decision(decision) => WireReason {
                code: reason.code(),
                decision_id: Some(decision.id.0),
                scenario: Some(
                    decision.rule_id.as_ref().map_or("manual", |rule| rule.0.as_str()).to_owned(),
                ),
                until: Some(decision.until.to_rfc3339()),
                count: None,
            },
            Reason::PasswordBreached { count } => WireReason {
                code: reason.code(),
                decision_id: None,
                scenario: None,
                until: None,
                count: Some(*count),
            },
        })
        .collect();
    Ok(Json(WireVerdict {
        verdict: answer.verdict.as_str(),
        change_password: answer.change_password,
        decision_ids: reasons.iter().filter_map(|reason| reason.decision_id).collect(),
        reasons,
    })
    .into_response())
}

async fn post_result(
    State(guard): State<Arc<LoginGuard>>,
    LoginClient(_client): LoginClient,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body: ResultBody = parse_json(&body)?;
    let outcome = match body.outcome.trim().to_ascii_lowercase().as_str() {
        "success" => model::LoginOutcome::Success,
        "failure" => model::LoginOutcome::Failure,
        _ => {
            return Err(ApiError::InvalidBody(format!(
                "invalid outcome {:?}; use success or failure",
                body.outcome
            )));
        }
    };
    let result = LoginResult {
        time: guard.service().now(),
        ip: body.ip,
        account: body.account,
        outcome,
        user_agent: body.user_agent,
    };
    let n_decisions = guard.report(result).await?;
    Ok(Json(serde_json::json!({ "accepted": true, "decisions": n_decisions })).into_response())
}

/// `?mode=ntlm` (or `sha1`, the default).
#[derive(Debug, Deserialize)]
struct RangeQuery {
    #[serde(default)]
    mode: Option<String>,
}

async fn get_range(
    State(passwords): State<Arc<Passwords>>,
    Path(prefix): Path<String>,
    Query(query): Query<RangeQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let kind = match query.mode.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("" | "sha1") => HashKind::Sha1,
        Some("ntlm") => HashKind::Ntlm,
        Some(_) => return Err(ApiError::InvalidQuery("invalid mode; use ntlm or sha1".to_owned())),
    };
    let padded = headers
        .get("add-padding")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
    let body = tokio::task::spawn_blocking(move || passwords.range(&prefix, kind, padded))
        .await
        .map_err(|error| ApiError::Internal(format!("range task failed: {error}")))??;
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], body).into_response())
}
