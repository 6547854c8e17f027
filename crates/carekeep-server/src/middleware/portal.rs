//! The patients' door's own layers (issue 27, item 1): a strict Content-Security-Policy and
//! security headers of its own, a per-address limit apart from the staff sign-in's, the
//! confirm links' form check, and the one place portal cookies are named and made.
//! Portal cookies are made in one place, `crate::portal_door` (`portal_cookie`).

use crate::client::client_ip;
use crate::error::WebError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use carekeep_app::AppError;
use carekeep_crypto::token::constant_time_eq;

pub use crate::portal_door::{over_https, PortalHttps, PORTAL_CSP};

/// Security headers on every portal response.
pub async fn headers(req: Request, next: Next) -> Response {
    let https = over_https(req.extensions());
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, PORTAL_CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    set(h, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(
        h,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        // A patient's pages may be opened on a shared computer: never cached.
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if https {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    response
}

/// Paths not counted by the portal's limit: the certificate authority's validation and the
/// health check.
fn unlimited(path: &str) -> bool {
    path.starts_with("/.well-known/acme-challenge/") || path == "/healthz"
}

/// The portal's own limit per client address (`portal_rate_limit_per_minute`), apart from
/// the staff sign-in's: 429 with Retry-After and words for the patient.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if unlimited(req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let ip = client_ip(&parts, &state.trusted_proxies());
    if let Err(wait) = state.door.limiter.check(ip, state.app.now()) {
        let message = format!(
            "Too many requests from this address. Please wait {} and try again, or call the clinic.",
            if wait <= 1 {
                "a second".to_owned()
            } else {
                format!("{wait} seconds")
            }
        );
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            crate::web::chrome::ErrorPage::new(StatusCode::TOO_MANY_REQUESTS, &message).for_patients(),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.max(1).to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The largest form a link's page takes.
const FORM_LIMIT: usize = 64 * 1024;

/// A confirm link's form (`POST /c/{token}`) carries the link's own token as its CSRF token
/// (there is no session, and no staff session is ever read on the portal); its line breaks
/// come in as LF like every form's.
pub async fn link_form(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Some(token) = parts
        .uri
        .path()
        .strip_prefix("/c/")
        .filter(|t| !t.is_empty() && !t.contains('/'))
        .map(str::to_owned)
    else {
        return WebError::portal(AppError::NotFound("page")).into_response();
    };
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    };
    let sent = parts
        .headers
        .get(&super::X_CSRF_TOKEN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
        });
    if !sent.is_some_and(|s| constant_time_eq(s.as_bytes(), token.as_bytes())) {
        return WebError::portal(AppError::Forbidden(
            "this form has expired or did not come from the clinic; reload the page and try again".into(),
        ))
        .into_response();
    }
    let body = match carekeep_app::input::urlencoded(&bytes) {
        std::borrow::Cow::Owned(fixed) => Body::from(fixed),
        std::borrow::Cow::Borrowed(_) => Body::from(bytes),
    };
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal_door::{cookie_name, portal_cookie, read_portal_cookie, PORTAL_SESSION};

    #[test]
    fn host_prefix_only_over_https() {
        assert_eq!(cookie_name(PORTAL_SESSION, true), "__Host-carekeep_portal");
        assert_eq!(cookie_name(PORTAL_SESSION, false), "carekeep_portal");
        let c = portal_cookie(PORTAL_SESSION, "v".into(), true).to_string();
        assert!(c.starts_with("__Host-carekeep_portal=v"), "{c}");
        assert!(
            c.contains("Secure") && c.contains("Path=/") && c.contains("HttpOnly"),
            "{c}"
        );
        assert!(c.contains("SameSite=Strict") && !c.contains("Domain"), "{c}");
        let plain = portal_cookie(PORTAL_SESSION, "v".into(), false).to_string();
        assert!(!plain.contains("Secure") && !plain.starts_with("__Host-"), "{plain}");
    }

    #[test]
    fn over_https_a_cookie_without_the_prefix_is_ignored() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("carekeep_portal=planted"));
        assert_eq!(read_portal_cookie(&h, PORTAL_SESSION, true), None);
        assert_eq!(
            read_portal_cookie(&h, PORTAL_SESSION, false).as_deref(),
            Some("planted")
        );
        h.insert(header::COOKIE, HeaderValue::from_static("__Host-carekeep_portal=real"));
        assert_eq!(read_portal_cookie(&h, PORTAL_SESSION, true).as_deref(), Some("real"));
    }

    #[test]
    fn the_portal_policy_allows_nothing_from_elsewhere() {
        for part in [
            "default-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ] {
            assert!(PORTAL_CSP.contains(part), "{part}");
        }
        assert!(!PORTAL_CSP.contains("unsafe") && !PORTAL_CSP.contains("data:") && !PORTAL_CSP.contains("http"));
    }
}
