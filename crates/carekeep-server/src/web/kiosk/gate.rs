//! The tablet's one layer: its session from its own cookie (a staff or portal cookie opens
//! nothing here), CSRF on every unsafe request, line breaks normalized, the per-address limit
//! on the code screen, and the code screen for anyone without a live tablet session.

use super::{COOKIE, FORM_COOKIE};
use crate::client::{client_ip, origin};
use crate::error::WebError;
use crate::middleware::ratelimit::RateLimiter;
use crate::state::AppState;
use crate::urls;
use crate::web::portal::{read, removal, Tls};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use carekeep_app::AppError;
use carekeep_crypto::token::constant_time_eq;
use std::sync::Arc;

/// The per-address limit of the code screen.
#[derive(Clone, Debug)]
pub(crate) struct CodeLimiter(pub Arc<RateLimiter>);

/// The largest form the tablet takes (a form's part).
const FORM_LIMIT: usize = 64 * 1024;

/// Paths served without a tablet session.
fn is_open(path: &str) -> bool {
    path == "/kiosk" || path == "/kiosk/thanks"
}

pub(crate) async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let jar = CookieJar::from_headers(&parts.headers);
    let here = origin(&parts, &state.trusted_proxies());
    let tls = Tls(crate::portal_door::over_https(&parts.extensions) || state.secure_cookies());
    parts.extensions.insert(tls);
    let token = read(&jar, COOKIE, tls);
    let had_cookie = token.is_some();
    let tablet = match token {
        Some(t) => match state.app.kiosk_session(&t, here).await {
            Ok(p) => Some(p),
            Err(AppError::Unauthenticated) => None,
            Err(e) => return WebError::portal(e).into_response(),
        },
        None => None,
    };
    let path = parts.uri.path().to_owned();
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && path == "/kiosk" {
        if let Some(CodeLimiter(l)) = parts.extensions.get::<CodeLimiter>().cloned() {
            if let Err(wait) = l.check(client_ip(&parts, &state.trusted_proxies()), state.app.now()) {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, wait.to_string())],
                    "Too many codes typed on this tablet. Please wait a minute, or ask the front desk.",
                )
                    .into_response();
            }
        }
    }
    if tablet.is_none() && !is_open(&path) {
        let mut to = urls::kiosk();
        if had_cookie {
            to = to.with("ended", 1);
        }
        return (CookieJar::new().add(removal(COOKIE, tls)), to.redirect()).into_response();
    }
    let body = if unsafe_method {
        let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response(),
        };
        let sent = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
            .or_else(|| {
                parts
                    .headers
                    .get(&crate::middleware::X_CSRF_TOKEN)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            });
        let expected = match &tablet {
            Some(p) if !is_open(&path) => Some(p.csrf_token.clone()),
            _ => read(&jar, FORM_COOKIE, tls),
        };
        let ok = matches!((&sent, &expected), (Some(s), Some(e)) if !e.is_empty() && constant_time_eq(s.as_bytes(), e.as_bytes()));
        if !ok {
            return WebError::portal(AppError::Forbidden(
                "this page has expired: go back to the start and type the code again".into(),
            ))
            .into_response();
        }
        Body::from(carekeep_app::input::urlencoded(&bytes).into_owned())
    } else {
        body
    };
    if let Some(p) = tablet {
        parts.extensions.insert(p);
    }
    next.run(Request::from_parts(parts, body)).await
}
