//! What the pages opened by a one-time link share (the confirm-or-cancel link, the staff
//! invitation): they need no sign-in, so every request counts against the per-address limit,
//! and a token that is not known is the ordinary not-found page, telling nothing more.

use crate::client::client_ip;
use crate::error::WebError;
use crate::state::AppState;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use carekeep_app::AppError;

/// `Some(429 with Retry-After)` once this address has tried too many links; `after` is what
/// the person may do while they wait.
pub(crate) fn limited(state: &AppState, parts: &Parts, after: &str) -> Option<Response> {
    let ip = client_ip(parts, &state.trusted_proxies());
    state.link_limiter.check(ip, state.app.now()).err().map(|wait| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            format!("Too many tries from this address. Please wait a minute{after}."),
        )
            .into_response()
    })
}

/// A link's answer as a page: an unknown token is "page not found", whatever the use case
/// called it.
pub(crate) fn unknown_is_not_found(e: AppError) -> WebError {
    match e {
        AppError::NotFound(_) => WebError::page(AppError::NotFound("page")),
        e => WebError::page(e),
    }
}
