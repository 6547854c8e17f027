//! The patients' door, live (issue 27, item 1): what the portal listener shares with its
//! handlers and its serve loop: its own per-address limit, the HTTP-01 challenges waiting to
//! be answered, and the certificate served now (read per connection, so a renewal needs no
//! restart).

use crate::middleware::ratelimit::RateLimiter;
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

/// The portal's cookies and headers, for the portal's pages (issue 27c): make every portal
/// cookie with `portal_cookie(PORTAL_SESSION, value, over_https(req.extensions()))` and read
/// it with `read_portal_cookie`; never name one by hand.
pub use crate::middleware::portal::{
    cookie_name, over_https, portal_cookie, portal_cookie_removal, read_portal_cookie, PortalHttps, PORTAL_CSP,
    PORTAL_FORM, PORTAL_SESSION,
};
