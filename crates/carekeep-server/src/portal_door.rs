//! The patients' door, live (issue 27, item 1): what the portal listener shares with its
//! handlers and its serve loop: its own per-address limit, the HTTP-01 challenges waiting to
//! be answered, and the certificate served now (read per connection, so a renewal needs no
//! restart); and the one place portal cookies are named and made.
//!
//! Portal cookies (for the portal's pages, issue 27c): over HTTPS a cookie's name carries the
//! `__Host-` prefix, which browsers accept only with `Secure`, `Path=/` and no `Domain`
//! (RFC 6265bis 4.1.3.2), so no other host of the clinic's domain, and no plain-HTTP page, can
//! set or overwrite it. Make every portal cookie with
//! `portal_cookie(PORTAL_SESSION, value, over_https(req.extensions()))`, read it with
//! `read_portal_cookie(headers, PORTAL_SESSION, https)`, end it with `portal_cookie_removal`;
//! never name one by hand.

use crate::middleware::ratelimit::RateLimiter;
use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tokio_rustls::TlsAcceptor;

/// The portal's live state.
pub struct Door {
    /// Requests to the portal per client address (apart from the staff sign-in's limiter).
    pub limiter: RateLimiter,
    /// HTTP-01 key authorizations by token, while an order is being validated.
    challenges: RwLock<HashMap<String, String>>,
    /// The certificate and key served now, if the portal serves HTTPS.
    acceptor: RwLock<Option<TlsAcceptor>>,
    /// When the last ACME order failed (the next waits an hour).
    last_failure: RwLock<Option<time::OffsetDateTime>>,
}

impl std::fmt::Debug for Door {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Door")
            .field("https", &self.acceptor().is_some())
            .finish_non_exhaustive()
    }
}

impl Door {
    pub fn new(per_minute: u32) -> Self {
        Door {
            limiter: RateLimiter::new(per_minute),
            challenges: RwLock::new(HashMap::new()),
            acceptor: RwLock::new(None),
            last_failure: RwLock::new(None),
        }
    }

    /// The key authorization for an HTTP-01 token being validated now.
    pub fn challenge(&self, token: &str) -> Option<String> {
        self.challenges.read().ok()?.get(token).cloned()
    }

    pub fn offer_challenge(&self, token: String, key_authorization: String) {
        if let Ok(mut c) = self.challenges.write() {
            c.insert(token, key_authorization);
        }
    }

    pub fn withdraw_challenge(&self, token: &str) {
        if let Ok(mut c) = self.challenges.write() {
            c.remove(token);
        }
    }

    /// The certificate served now.
    pub fn acceptor(&self) -> Option<TlsAcceptor> {
        self.acceptor.read().ok().and_then(|a| a.clone())
    }

    pub fn last_failure(&self) -> Option<time::OffsetDateTime> {
        self.last_failure.read().ok().and_then(|f| *f)
    }

    pub fn set_last_failure(&self, at: Option<time::OffsetDateTime>) {
        if let Ok(mut f) = self.last_failure.write() {
            *f = at;
        }
    }

    /// Serves this certificate from the next connection on.
    pub fn set_acceptor(&self, acceptor: TlsAcceptor) {
        if let Ok(mut a) = self.acceptor.write() {
            *a = Some(acceptor);
        }
    }
}

/// Shared by the state.
pub type SharedDoor = Arc<Door>;

/// The name of the portal's session cookie (27c's session), before any prefix.
pub const PORTAL_SESSION: &str = "carekeep_portal";
/// The name of the portal's sign-in form token (a double-submit cookie before a session).
pub const PORTAL_FORM: &str = "carekeep_portal_form";
/// The clinic tablet's session cookie (issue 28, item 3: `web/kiosk`), apart from both.
pub const KIOSK_SESSION: &str = "carekeep_kiosk";
/// The tablet's code screen double-submit CSRF cookie.
pub const KIOSK_FORM: &str = "carekeep_kiosk_form";

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

/// The portal's Content-Security-Policy: its own scripts and styles only, no inline code, no
/// images from anywhere else (not even `data:`), no fetches, forms only to itself, never in a
/// frame. Stricter than the staff pages' (which draw `data:` images and poll the session).
pub const PORTAL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'none'; font-src 'none'; object-src 'none'; manifest-src 'none'; media-src 'none'; \
     worker-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
