//! Layers every response passes through: a request id, security headers, and, for pages, the
//! session and the CSRF check.

mod csrf_multipart;
pub(crate) mod portal;
pub(crate) mod ratelimit;
pub(crate) mod to_https;

use crate::client::{origin, RequestId};
use crate::error::WebError;
use crate::respond::{Explained, InternalDetail};
use crate::session::{self, SESSION_COOKIE};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use carekeep_app::AppError;
use carekeep_crypto::token::constant_time_eq;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub static X_CSRF_TOKEN: HeaderName = HeaderName::from_static("x-csrf-token");

/// Gives every request an id; logs a 5xx's internal detail under it and answers only with the
/// id, so no internals or PHI reach the client.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let wants_json = req.uri().path().starts_with("/api/");
    let patients = req.uri().path().starts_with("/portal")
        || req.uri().path().starts_with("/kiosk")
        || req.uri().path().starts_with("/c/");
    let mut response = next.run(req).await;
    if let Some(InternalDetail(detail)) = response.extensions_mut().remove::<InternalDetail>() {
        tracing::error!(request_id = %id, error = %detail, "request failed");
    }
    if response.status().is_server_error() && response.extensions().get::<Explained>().is_none() {
        let message = format!("internal error; quote request id {id} when reporting it");
        response = if wants_json {
            (
                response.status(),
                axum::Json(serde_json::json!({"error": "internal", "message": message})),
            )
                .into_response()
        } else {
            let page = crate::web::chrome::ErrorPage::new(response.status(), &message);
            (response.status(), if patients { page.for_patients() } else { page }).into_response()
        };
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), v);
    }
    response
}

/// Security headers on every response (PRODUCT.md section 5: no inline script, no CDN).
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    set(h, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages may carry PHI: never kept in a shared or browser cache.
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if state.secure_cookies() {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Paths a page may poll without counting as activity (the idle-logoff warning asks how long
/// is left; asking must not reset the clock).
const PASSIVE_PATHS: &[&str] = &["/session/status"];

/// The largest urlencoded form read (a long note, percent-encoded).
const FORM_LIMIT: usize = 1024 * 1024;

/// Resolves the page session once per request and enforces CSRF on every unsafe method: the
/// token comes from the form field `csrf` or the `X-CSRF-Token` header and must match the
/// session's (or, on the login form, the pre-session cookie's).
pub async fn page_session(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let jar = axum_extra::extract::CookieJar::from_headers(&parts.headers);
    let touch = !PASSIVE_PATHS.contains(&parts.uri.path());
    let had_cookie = jar.get(SESSION_COOKIE).is_some();
    let principal = match jar.get(SESSION_COOKIE) {
        Some(c) => match state.app.authenticate(c.value(), touch).await {
            Ok(p) => Some(p),
            // An ended or unknown session signs the person out. Anything else (the database
            // unreachable) is an outage, answered as one with a request id: telling someone
            // mid-task that they were signed out would send them to sign in again, in vain.
            Err(AppError::Unauthenticated) => None,
            Err(e) => return WebError::page(e).into_response(),
        },
        None => None,
    };
    if had_cookie && principal.is_none() {
        parts.extensions.insert(session::SessionEnded);
    }
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    // An upload is streamed to its handler: its token is the form's first field, read alone
    // (never the URL, which browsers keep in history and send on as Referer).
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("multipart/form-data"))
        .map(csrf_multipart::boundary);
    let body = if unsafe_method {
        let (bytes, body, from_body) = match multipart {
            Some(boundary) => {
                let (token, body) = match boundary {
                    Some(b) => csrf_multipart::first_field_csrf(body, &b).await,
                    None => (None, body),
                };
                (axum::body::Bytes::new(), Some(body), token)
            }
            None => match axum::body::to_bytes(body, FORM_LIMIT).await {
                Ok(b) => {
                    let token = form_field(&b, "csrf");
                    (b, None, token)
                }
                Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response(),
            },
        };
        let sent = parts
            .headers
            .get(&X_CSRF_TOKEN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or(from_body);
        // A reminder's confirm link has no session: its form carries the link's own token,
        // which only the person holding the link knows.
        // An invitation's page (`/invite/{token}`) is the same: no session, its own token.
        let path = parts.uri.path();
        let link_token = path
            .strip_prefix("/c/")
            .or_else(|| path.strip_prefix("/invite/"))
            .filter(|t| !t.is_empty() && !t.contains('/'))
            .map(str::to_owned);
        let expected = match &principal {
            _ if link_token.is_some() => link_token.clone(),
            Some(p) => Some(p.csrf_token.clone()),
            // The set-up code's page (`/invite`) has no session either: the sign-in's
            // double-submit token.
            None if matches!(parts.uri.path(), "/login" | "/invite") => {
                jar.get(session::LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned())
            }
            None => None,
        };
        let ok = matches!((&sent, &expected), (Some(s), Some(e)) if !e.is_empty() && constant_time_eq(s.as_bytes(), e.as_bytes()));
        if !ok {
            if principal.is_none() && !matches!(parts.uri.path(), "/login" | "/invite") && link_token.is_none() {
                let e = if had_cookie {
                    AppError::Unauthenticated
                } else {
                    AppError::SignInRequired
                };
                return WebError::page(e).into_response();
            }
            return WebError::page(AppError::Forbidden(
                "this form has expired or did not come from Carekeep; reload the page and try again".into(),
            ))
            .into_response();
        }
        // Every form's text comes in with LF line breaks (carekeep_app::input), whichever
        // handler reads it: browsers send a textarea's breaks as CRLF.
        let form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        body.unwrap_or_else(|| match carekeep_app::input::urlencoded(&bytes) {
            std::borrow::Cow::Owned(fixed) if form => Body::from(fixed),
            _ => Body::from(bytes),
        })
    } else {
        body
    };
    if let Some(mut p) = principal {
        p.origin = origin(&parts, &state.trusted_proxies());
        parts.extensions.insert(p);
    }
    next.run(Request::from_parts(parts, body)).await
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Requests that still work in read-only emergency mode besides reads: signing in and out,
/// keeping the session alive, and enrolling an authenticator.
const READ_ONLY_ALLOWED: [&str; 8] = [
    "/login",
    "/logout",
    "/session/keepalive",
    "/mfa/setup",
    "/api/v1/auth/login",
    "/api/v1/auth/logout",
    "/api/v1/auth/mfa/enroll",
    "/api/v1/auth/mfa/confirm",
];

/// In read-only emergency mode (164.308(a)(7)(ii)(C)), refuses every change with a 503 that
/// says why; reads go through (and are audited as always).
pub async fn read_only_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use axum::http::Method;
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = req.uri().path();
    if state.config.read_only && writes && !READ_ONLY_ALLOWED.contains(&path) {
        let e = AppError::ReadOnly;
        return if path.starts_with("/api/") {
            IntoResponse::into_response(WebError::api(e))
        } else {
            IntoResponse::into_response(WebError::page(e))
        };
    }
    next.run(req).await
}
