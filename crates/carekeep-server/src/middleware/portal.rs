//! The patients' door's own layers (issue 27, item 1): a strict Content-Security-Policy and
//! security headers of its own, a per-address limit apart from the staff sign-in's, the
//! confirm links' form check, and the one place portal cookies are named and made.
//!
//! Portal cookies: over HTTPS a cookie's name carries the `__Host-` prefix, which browsers
//! accept only with `Secure`, `Path=/` and no `Domain` (RFC 6265bis 4.1.3.2), so no other host
//! of the clinic's domain, and no plain-HTTP page, can set or overwrite it. Make every portal
//! cookie with [`portal_cookie`] and read it with [`read_portal_cookie`], never by hand.

use crate::client::client_ip;
use crate::error::WebError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use carekeep_app::AppError;
use carekeep_crypto::token::constant_time_eq;

/// The portal's Content-Security-Policy: its own scripts and styles only, no inline code, no
/// images from anywhere else (not even `data:`), no fetches, forms only to itself, never in a
/// frame. Stricter than the staff pages' (which draw `data:` images and poll the session).
pub const PORTAL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'none'; font-src 'none'; object-src 'none'; manifest-src 'none'; media-src 'none'; \
     worker-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The name of the portal's session cookie (27c's session), before any prefix.
pub const PORTAL_SESSION: &str = "carekeep_portal";
/// The name of the portal's sign-in form token (a double-submit cookie before a session).
pub const PORTAL_FORM: &str = "carekeep_portal_form";

/// Marks a request that reached the portal over HTTPS (its own TLS, or the clinic's TLS
/// proxy in front).
#[derive(Clone, Copy, Debug)]
pub struct PortalHttps;

/// Whether this request reached the portal over HTTPS.
pub fn over_https(extensions: &axum::http::Extensions) -> bool {
    extensions.get::<PortalHttps>().is_some()
}

/// A portal cookie's name on this connection: `__Host-<base>` over HTTPS, `<base>` on plain
/// HTTP (this computer only), where browsers refuse the prefix.
pub fn cookie_name(base: &str, https: bool) -> String {
    if https {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// A portal cookie: named for the connection, HttpOnly, SameSite=Strict, `Path=/`, no
/// `Domain`, `Secure` over HTTPS; it ends with the browser (no Max-Age).
pub fn portal_cookie(base: &str, value: String, https: bool) -> Cookie<'static> {
    Cookie::build((cookie_name(base, https), value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(https)
        .path("/")
        .build()
}

/// Removes a portal cookie (same name, path and flags as it was made with).
pub fn portal_cookie_removal(base: &str, https: bool) -> Cookie<'static> {
    let mut c = portal_cookie(base, String::new(), https);
    c.make_removal();
    c
}

/// A portal cookie's value as this connection names it: over HTTPS only the `__Host-` one
/// counts, so a cookie without the prefix (set by a plain page or a sibling host) is ignored.
pub fn read_portal_cookie(headers: &HeaderMap, base: &str, https: bool) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(&cookie_name(base, https))
        .map(|c| c.value().to_owned())
}

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
            crate::web::chrome::ErrorPage::new(StatusCode::TOO_MANY_REQUESTS, &message),
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
        return WebError::page(AppError::NotFound("page")).into_response();
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
        return WebError::page(AppError::Forbidden(
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
