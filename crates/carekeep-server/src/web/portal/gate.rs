//! The portal's one layer: the portal session from its own cookie, CSRF on every unsafe
//! request, line breaks normalized as on the staff pages, the per-address limit on the
//! sign-in forms, and a sign-in required everywhere else.

use super::{read, Tls, COOKIE, SIGN_IN_CSRF_COOKIE};
use crate::client::{client_ip, origin};
use crate::error::WebError;
use crate::middleware::ratelimit::RateLimiter;
use crate::state::AppState;
use crate::urls;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use carekeep_app::AppError;
use carekeep_crypto::token::constant_time_eq;
use std::sync::Arc;

/// The per-address limit of the sign-in forms (27a's portal limiter replaces it at merge).
#[derive(Clone, Debug)]
pub(crate) struct SignInLimiter(pub Arc<RateLimiter>);

/// The largest portal form read (a request's words).
const FORM_LIMIT: usize = 64 * 1024;

/// Marks a request whose portal session has ended (the sign-in page says so).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PortalEnded;

fn is_sign_in(path: &str) -> bool {
    path == "/portal/sign-in" || path == "/portal/sign-in/code"
}

pub(crate) async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let jar = CookieJar::from_headers(&parts.headers);
    let here = origin(&parts, &state.trusted_proxies());
    let tls = Tls(crate::portal_door::over_https(&parts.extensions) || state.secure_cookies());
    parts.extensions.insert(tls);
    let session = read(&jar, COOKIE, tls);
    let had_cookie = session.is_some();
    let patient = match session {
        Some(c) => match state.app.portal_session(&c, here.clone()).await {
            Ok(p) => Some(p),
            Err(AppError::Unauthenticated) => None,
            Err(e) => return WebError::portal(e).into_response(),
        },
        None => None,
    };
    let path = parts.uri.path().to_owned();
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && is_sign_in(&path) {
        let limiter = parts.extensions.get::<SignInLimiter>().cloned();
        if let Some(SignInLimiter(l)) = limiter {
            if let Err(wait) = l.check(client_ip(&parts, &state.trusted_proxies()), state.app.now()) {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, wait.to_string())],
                    "Too many tries from this address. Please wait a minute, or call the clinic.",
                )
                    .into_response();
            }
        }
    }
    if patient.is_none() && !is_sign_in(&path) {
        let mut to = urls::portal_sign_in();
        if had_cookie {
            to = to.with("ended", 1);
        }
        return to.redirect();
    }
    let body = if unsafe_method {
        let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response(),
        };
        let sent = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned());
        let expected = match &patient {
            Some(p) if !is_sign_in(&path) => Some(p.csrf_token.clone()),
            _ => read(&jar, SIGN_IN_CSRF_COOKIE, tls),
        };
        let ok = matches!((&sent, &expected), (Some(s), Some(e)) if !e.is_empty() && constant_time_eq(s.as_bytes(), e.as_bytes()));
        if !ok {
            return WebError::portal(AppError::Forbidden(
                "this form has expired: go back, reload the page and try again".into(),
            ))
            .into_response();
        }
        Body::from(carekeep_app::input::urlencoded(&bytes).into_owned())
    } else {
        body
    };
    if had_cookie && patient.is_none() {
        parts.extensions.insert(PortalEnded);
    }
    if let Some(p) = patient {
        parts.extensions.insert(p);
    }
    next.run(Request::from_parts(parts, body)).await
}
