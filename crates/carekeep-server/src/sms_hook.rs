//! The SMS gateway's inbound webhook (`POST /hooks/sms`): a patient's reply, posted by the
//! gateway in the common REST shape, a form or JSON with `from` and `body` (or `text`; the
//! capitalised `From`/`Body` too). A STOP reply opts the number out of texts at once
//! (`App::sms_reply`). No session and no CSRF: the gateway proves itself with the secret the
//! clinic set beside the gateway's base URL (`sms_webhook_secret`), sent as
//! `Authorization: Bearer <secret>` and compared in constant time. Every request counts against
//! a per-address limit. The answer never repeats the number or the text; the log names neither.

use crate::client::client_ip;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use carekeep_crypto::token::constant_time_eq;
use serde_json::Value;

/// The fields of a reply, whichever name the gateway uses.
const FROM: [&str; 3] = ["from", "From", "msisdn"];
const TEXT: [&str; 4] = ["body", "text", "Body", "Text"];

fn reply(status: StatusCode, words: &'static str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], words).into_response()
}

/// `from` and the text of the reply, from a form or a JSON object.
fn fields(parts: &Parts, body: &[u8]) -> Option<(String, String)> {
    let kind = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let pick = |get: &dyn Fn(&str) -> Option<String>, names: &[&str]| names.iter().find_map(|n| get(n));
    if kind.starts_with("application/json") {
        let v: Value = serde_json::from_slice(body).ok()?;
        let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        Some((pick(&get, &FROM)?, pick(&get, &TEXT).unwrap_or_default()))
    } else if kind.starts_with("application/x-www-form-urlencoded") {
        let get = |k: &str| {
            form_urlencoded::parse(body)
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.into_owned())
        };
        Some((pick(&get, &FROM)?, pick(&get, &TEXT).unwrap_or_default()))
    } else {
        None
    }
}

/// Whether the request carries the clinic's webhook secret.
fn authorized(parts: &Parts, secret: &str) -> bool {
    let sent = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    !secret.is_empty() && constant_time_eq(sent.trim().as_bytes(), secret.as_bytes())
}

pub(crate) async fn receive(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let secret = state.config.sms_webhook_secret.as_str();
    if secret.is_empty() {
        return reply(StatusCode::NOT_FOUND, "not found");
    }
    let ip = client_ip(&parts, &state.proxies);
    if let Err(wait) = state.hook_limiter.check(ip, state.app.now()) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            "too many requests",
        )
            .into_response();
    }
    if !authorized(&parts, secret) {
        tracing::warn!("an SMS webhook request without the shared secret was refused");
        return reply(StatusCode::UNAUTHORIZED, "the webhook secret is missing or wrong");
    }
    let Some((from, text)) = fields(&parts, &body) else {
        return reply(
            StatusCode::BAD_REQUEST,
            "send a form or JSON with from and body (or text)",
        );
    };
    match state.app.sms_reply(&from, &text).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            // The error names no number: sms_reply's errors are the store's.
            tracing::error!(error = %e, "an SMS reply could not be recorded");
            reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "the reply could not be recorded; try again",
            )
        }
    }
}
