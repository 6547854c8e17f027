//! The whole router: pages, API, and the layers every request passes through.

use crate::error::WebError;
use crate::state::AppState;
use crate::{api, middleware, web};
use axum::extract::{MatchedPath, Request};
use axum::Router;
use carekeep_app::AppError;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted: an upload of the configured size, base64-encoded (4/3),
/// plus room for the form around it.
fn body_limit(state: &AppState) -> usize {
    state.config.attachment_max_mib * 1024 * 1024 / 3 * 4 + 1024 * 1024
}

pub fn router(state: AppState) -> Router {
    let limit = body_limit(&state);
    Router::new()
        .merge(web::router(state.clone()))
        .merge(web::portal::routes(state.clone()))
        .merge(api::router())
        // The gateway's webhook: no page session and no CSRF; its own secret and limit.
        .route("/hooks/sms", axum::routing::post(crate::sms_hook::receive))
        .fallback(not_found)
        // The span names the route template, never the raw path: paths can hold ids.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default();
            let request_id = req
                .extensions()
                .get::<crate::client::RequestId>()
                .map(|r| r.0.clone())
                .unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), route, request_id)
        }))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::read_only_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        // Plain HTTP goes to HTTPS when the network choice serves it (164.312(e)(1)).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::to_https::to_https,
        ))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .with_state(state)
}

async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if req.uri().path().starts_with("/api/") {
        WebError::api(AppError::NotFound("page")).into_response()
    } else {
        web::not_found(&state, req.headers()).await
    }
}
