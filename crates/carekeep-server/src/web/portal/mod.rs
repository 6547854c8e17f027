//! The patient portal's pages (issue 27, items 2, 3 and 5), all under `/portal`: sign-in by a
//! one-time code, the patient's appointments, the notice of privacy practices, rights
//! requests and their copies. The portal has its own session cookie (never the staff one),
//! its own CSRF (the session's token; a double-submit cookie on the sign-in forms), and its
//! own per-address limit on the sign-in forms; every page's read is a use case that opens the
//! patient's own record through the chart's policy and audits it as the patient's.

mod esign;
pub(crate) mod forms;
mod gate;
mod moves;
mod pages;
mod requests;
pub(crate) mod sign_in;

use crate::middleware::ratelimit::RateLimiter;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The portal session's cookie (named by `portal_door`: `__Host-` over HTTPS).
pub const COOKIE: &str = crate::portal_door::PORTAL_SESSION;
/// The sign-in's challenge (which code the typed code answers).
pub(crate) const CHALLENGE_COOKIE: &str = "carekeep_portal_challenge";
/// The sign-in forms' double-submit CSRF token (no session yet).
pub(crate) const SIGN_IN_CSRF_COOKIE: &str = crate::portal_door::PORTAL_FORM;

/// Whether this request reached the portal over HTTPS (the portal's own TLS, or the staff
/// listener's), which decides the cookies' `__Host-` names; set by the gate on every request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tls(pub bool);

/// A portal cookie's value on this connection.
pub(crate) fn read(jar: &axum_extra::extract::CookieJar, base: &str, tls: Tls) -> Option<String> {
    jar.get(&crate::portal_door::cookie_name(base, tls.0))
        .map(|c| c.value().to_owned())
}

/// A portal cookie for this connection.
pub(crate) fn cookie(base: &str, value: String, tls: Tls) -> axum_extra::extract::cookie::Cookie<'static> {
    crate::portal_door::portal_cookie(base, value, tls.0)
}

/// The removal of a portal cookie on this connection.
pub(crate) fn removal(base: &str, tls: Tls) -> axum_extra::extract::cookie::Cookie<'static> {
    crate::portal_door::portal_cookie_removal(base, tls.0)
}
/// Sign-in form submissions per address per minute (the per-contact limit is the use case's).
const SIGN_IN_PER_MINUTE: u32 = 20;

/// Every portal path, for the tests that walk them (method, template).
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GET", "/portal/sign-in"),
        ("POST", "/portal/sign-in"),
        ("GET", "/portal/sign-in/code"),
        ("POST", "/portal/sign-in/code"),
        ("POST", "/portal/sign-out"),
        ("GET", "/portal"),
        ("POST", "/portal/appointments/{id}"),
        ("GET", "/portal/appointments/{id}/move"),
        ("POST", "/portal/appointments/{id}/move"),
        ("GET", "/portal/notes"),
        ("GET", "/portal/notice"),
        ("POST", "/portal/notice"),
        ("GET", "/portal/requests"),
        ("POST", "/portal/requests"),
        ("GET", "/portal/requests/{id}/copy.pdf"),
        ("GET", "/portal/requests/{id}/copy.json"),
        ("GET", "/portal/forms"),
        ("GET", "/portal/forms/esign"),
        ("POST", "/portal/forms/esign"),
        ("POST", "/portal/forms/esign/withdraw"),
        ("GET", "/portal/forms/{id}"),
        ("GET", "/portal/forms/{id}/part/{part}"),
        ("POST", "/portal/forms/{id}/part/{part}"),
        ("GET", "/portal/forms/{id}/sign"),
        ("POST", "/portal/forms/{id}/sign"),
        ("GET", "/portal/forms/{id}/signed.pdf"),
    ]
}

/// The portal's router: every path under `/portal`, behind the portal's own gate.
pub fn routes(state: AppState) -> Router<AppState> {
    let limiter = Arc::new(RateLimiter::new(SIGN_IN_PER_MINUTE));
    Router::new()
        .route("/portal/sign-in", get(sign_in::show).post(sign_in::ask))
        .route("/portal/sign-in/code", get(sign_in::show_code).post(sign_in::verify))
        .route("/portal/sign-out", post(sign_in::sign_out))
        .route("/portal", get(pages::home))
        .route("/portal/appointments/{id}", post(pages::answer))
        .route("/portal/appointments/{id}/move", get(moves::show).post(moves::ask))
        .route("/portal/notes", get(pages::notes))
        .route("/portal/notice", get(pages::notice).post(pages::acknowledge))
        .route("/portal/requests", get(requests::list).post(requests::file))
        .route("/portal/requests/{id}/copy.pdf", get(requests::copy_pdf))
        .route("/portal/requests/{id}/copy.json", get(requests::copy_fhir))
        .route("/portal/forms", get(forms::list))
        .route("/portal/forms/esign", get(esign::show).post(forms::agree))
        .route("/portal/forms/esign/withdraw", post(esign::withdraw))
        .route("/portal/forms/{id}", get(forms::show))
        .route("/portal/forms/{id}/part/{part}", get(forms::reopen).post(forms::save))
        .route("/portal/forms/{id}/sign", get(forms::reopen_sign).post(forms::sign))
        .route("/portal/forms/{id}/signed.pdf", get(forms::pdf))
        .layer(axum::middleware::from_fn_with_state(state, gate::gate))
        .layer(axum::Extension(gate::SignInLimiter(limiter)))
}
