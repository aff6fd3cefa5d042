//! The routes and their handlers.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use service::{Bouncer, Decision, DecisionAction, DecisionQuery, Scope, Service};

use crate::error::ApiError;
use crate::wire::{WireDecision, WireStream};

/// The largest usage-metrics body accepted, in bytes.
const MAX_METRICS_BYTES: usize = 256 * 1024;

/// The bouncer API over a service.
pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/v1/decisions", get(get_decisions))
        .route("/v1/decisions/stream", get(get_stream))
        .route("/v1/usage-metrics", post(post_usage_metrics))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_METRICS_BYTES))
        .with_state(service)
}

/// The bouncer that sent the request, from its `X-Api-Key`.
struct Authenticated(Bouncer);

impl FromRequestParts<Arc<Service>> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        service: &Arc<Service>,
    ) -> Result<Authenticated, ApiError> {
        let key = parts
            .headers
            .get("x-api-key")
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .ok_or(ApiError::Forbidden)?;
        service.authenticate(key).await?.map(Authenticated).ok_or(ApiError::Forbidden)
    }
}

fn parse_param<T: std::str::FromStr>(
    params: &HashMap<String, String>,
    name: &str,
    hint: &str,
) -> Result<Option<T>, ApiError> {
    match params.get(name).map(|text| text.trim()).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| ApiError::InvalidQuery(format!("invalid {name} {text:?}; {hint}"))),
    }
}

fn parse_bool(
    params: &HashMap<String, String>,
    name: &str,
    default: bool,
) -> Result<bool, ApiError> {
    match params.get(name).map(|text| text.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(text) if text.is_empty() => Ok(default),
        Some(text) => match text.as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(ApiError::InvalidQuery(format!("invalid {name} {text:?}; use true or false"))),
        },
    }
}

fn parse_scopes(text: &str) -> Result<Vec<Scope>, ApiError> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<Scope>()
                .map_err(|_| ApiError::InvalidQuery(format!("invalid scope {part:?} in scopes")))
        })
        .collect()
}

/// The `origins`, `scenarios_containing` and `scenarios_not_containing` filters.
fn keep_by_origin_and_scenario(params: &HashMap<String, String>, decision: &Decision) -> bool {
    let list = |name: &str| -> Vec<String> {
        params
            .get(name)
            .map(|text| {
                text.split(',')
                    .map(|part| part.trim().to_ascii_lowercase())
                    .filter(|part| !part.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let scenario = decision.rule_id.as_ref().map_or("manual", |rule_id| rule_id.0.as_str());
    let scenario = scenario.to_ascii_lowercase();
    let origins = list("origins");
    let containing = list("scenarios_containing");
    let not_containing = list("scenarios_not_containing");
    (origins.is_empty() || origins.iter().any(|origin| origin == decision.origin.as_str()))
        && (containing.is_empty() || containing.iter().any(|part| scenario.contains(part.as_str())))
        && !not_containing.iter().any(|part| scenario.contains(part.as_str()))
}

async fn get_decisions(
    State(service): State<Arc<Service>>,
    Authenticated(_bouncer): Authenticated,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let query = DecisionQuery {
        ip: parse_param::<IpAddr>(&params, "ip", "use an IPv4 or IPv6 address")?,
        range: parse_param::<ipnet::IpNet>(
            &params,
            "range",
            "use a CIDR range such as 203.0.113.0/24",
        )?
        .map(|net| net.trunc()),
        contains: parse_bool(&params, "contains", true)?,
        scope: parse_param::<Scope>(&params, "scope", "use ip, range, as, country or account")?,
        value: params
            .get("value")
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty()),
        action: parse_param::<DecisionAction>(&params, "type", "use ban or captcha")?,
    };
    let now = service.now();
    let found: Vec<WireDecision> = service
        .query_decisions(&query)
        .await?
        .iter()
        .filter(|decision| keep_by_origin_and_scenario(&params, decision))
        .map(|decision| WireDecision::new(decision, now))
        .collect();
    // CrowdSec answers `null`, not `[]`, when nothing matches; bouncers rely on it.
    let body = if found.is_empty() { None } else { Some(found) };
    Ok(Json(body).into_response())
}

async fn get_stream(
    State(service): State<Arc<Service>>,
    method: Method,
    Authenticated(bouncer): Authenticated,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let startup = parse_bool(&params, "startup", false)?;
    // A HEAD (a bouncer checking that the API is up) must not consume the
    // changes its next GET is due.
    if method == Method::HEAD {
        return Ok(StatusCode::OK.into_response());
    }
    let scopes = match params.get("scopes") {
        Some(text) => parse_scopes(text)?,
        None => vec![Scope::Ip, Scope::Range],
    };
    let pull = service.pull_stream(&bouncer, startup, &scopes).await?;
    let now = service.now();
    let wire = |decisions: Vec<Decision>| -> Option<Vec<WireDecision>> {
        let list: Vec<WireDecision> = decisions
            .iter()
            .filter(|decision| keep_by_origin_and_scenario(&params, decision))
            .map(|decision| WireDecision::new(decision, now))
            .collect();
        if list.is_empty() { None } else { Some(list) }
    };
    Ok(Json(WireStream { new: wire(pull.new), deleted: wire(pull.deleted) }).into_response())
}

async fn post_usage_metrics(
    Authenticated(_bouncer): Authenticated,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    // Accepted and checked, not yet kept: leakguard reports its own metrics.
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|error| ApiError::InvalidBody(format!("usage metrics are not JSON: {error}")))?;
    if !value.is_object() {
        return Err(ApiError::InvalidBody("usage metrics must be a JSON object".to_owned()));
    }
    Ok(StatusCode::CREATED.into_response())
}
