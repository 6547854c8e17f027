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

/// The gateway's webhook: no page session and no CSRF; its own secret and limit.
const SMS_HOOK: &str = "/hooks/sms";

/// The staff listener's router: every page, the API, the webhook (and the confirm links, so
/// a clinic without a portal listener still works).
pub fn router(state: AppState) -> Router {
    let limit = body_limit(&state);
    Router::new()
        .merge(web::router(state.clone()))
        .merge(web::portal::routes(state.clone()))
        // The clinic's tablet (issue 28, item 3): on the clinic's own listener only.
        .merge(web::kiosk::routes(state.clone()))
        .merge(api::router())
        .route(SMS_HOOK, axum::routing::post(crate::sms_hook::receive))
        .fallback(not_found)
        .layer(TraceLayer::new_for_http().make_span_with(span))
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

/// The span names the route template, never the raw path: paths can hold ids.
fn span(req: &Request) -> tracing::Span {
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
}

/// Every route the staff listener serves, as `(METHOD, path)`: the page table, the
/// documented API with its document, the webhook, and the assets. Made from the same tables
/// as the router, so the portal's sweep test walks all of them.
pub fn staff_routes() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = web::routes().into_iter().map(|(m, p)| (m, p.to_owned())).collect();
    let (_, doc) = api::documented();
    for (path, item) in &doc.paths.paths {
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (m, has) in methods {
            if has {
                all.push((m.to_owned(), path.clone()));
            }
        }
    }
    all.push(("GET".into(), api::OPENAPI_PATH.into()));
    all.push(("POST".into(), SMS_HOOK.into()));
    for (m, p) in web::ASSET_ROUTES {
        all.push(((*m).to_owned(), (*p).to_owned()));
    }
    all
}

/// The patient-facing table: each path with its handlers. The portal's router and its list
/// (`patient_routes`) are both made from it.
macro_rules! patient_pages {
    ($($path:literal => $method:ident($handler:path) $(.$more:ident($more_handler:path))*,)*) => {
        /// Every route the portal listener serves, as `(METHOD, path)`.
        pub fn patient_routes() -> Vec<(String, &'static str)> {
            vec![$(
                (stringify!($method).to_uppercase(), $path),
                $((stringify!($more).to_uppercase(), $path),)*
            )*]
        }

        fn patient_table() -> Router<AppState> {
            Router::new()$(.route($path, axum::routing::$method($handler)$(.$more($more_handler))*))*
        }
    };
}

patient_pages! {
    // The portal's pages (`web::portal::routes()`, under `/portal`) are merged in
    // `patient_router` below, beside this table.
    "/c/{token}" => get(web::confirm_link::show).post(web::confirm_link::answer),
    "/.well-known/acme-challenge/{token}" => get(acme_challenge),
    "/static/app.css" => get(web::assets::css),
    "/static/app.js" => get(web::assets::js),
    "/healthz" => get(web::assets::health),
}

/// The portal listener's router (issue 27): ONLY the patient-facing routes. No staff page,
/// no API, no webhook is routed here, so they cannot be reached from the patients' door at
/// all (a sweep test walks `staff_routes`). Its own headers (a strict CSP), its own
/// per-address limit, and its own not-found page (no staff session is ever read here).
pub fn patient_router(state: AppState) -> Router {
    Router::new()
        .merge(patient_table().route_layer(axum::middleware::from_fn(middleware::portal::link_form)))
        // The portal's own pages, behind their own session, CSRF and sign-in limit.
        .merge(web::portal::routes(state.clone()))
        .fallback(portal_not_found)
        .layer(TraceLayer::new_for_http().make_span_with(span))
        .layer(RequestBodyLimitLayer::new(PORTAL_BODY_LIMIT))
        .layer(axum::extract::DefaultBodyLimit::max(PORTAL_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::read_only_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::portal::rate_limit,
        ))
        .layer(axum::middleware::from_fn(middleware::portal::headers))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .with_state(state)
}

/// The portal's plain-HTTP port when ACME is used: the HTTP-01 challenges, and a permanent
/// redirect to HTTPS on the portal's host for everything else (164.312(e)(1)).
pub fn challenge_router(state: AppState, host: String, https_port: u16) -> Router {
    let to_https = move |req: Request| {
        let host = host.clone();
        async move {
            use axum::response::IntoResponse;
            let authority = if https_port == 443 {
                host
            } else {
                format!("{host}:{https_port}")
            };
            let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
            let to = format!("https://{authority}{path}");
            match axum::http::HeaderValue::from_str(&to) {
                Ok(v) => (
                    axum::http::StatusCode::PERMANENT_REDIRECT,
                    [(axum::http::header::LOCATION, v)],
                )
                    .into_response(),
                Err(_) => portal_not_found().await,
            }
        }
    };
    Router::new()
        .route(
            "/.well-known/acme-challenge/{token}",
            axum::routing::get(acme_challenge),
        )
        .fallback(to_https)
        .layer(axum::middleware::from_fn(middleware::portal::headers))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .with_state(state)
}

/// The largest request the portal takes (its forms are short; 27c's uploads may raise it).
const PORTAL_BODY_LIMIT: usize = 1024 * 1024;

/// An HTTP-01 challenge (RFC 8555 8.3): the key authorization of a token being validated now,
/// as text; anything else is not found.
async fn acme_challenge(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.door.challenge(&token) {
        Some(key_authorization) => (
            [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
            key_authorization,
        )
            .into_response(),
        None => portal_not_found().await,
    }
}

/// Not found on the portal: the plain page, whatever cookies came along.
async fn portal_not_found() -> axum::response::Response {
    use axum::response::IntoResponse;
    WebError::portal(AppError::NotFound("page")).into_response()
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
