//! The clinic's tablet in kiosk mode (issue 28, item 3), under `/kiosk`: the code screen, the
//! packet's forms (the portal's own form handlers and pages, told apart by the tablet's
//! `KioskScope`: no menu, no copies, no way out), and the thanks page that shows nothing of
//! the patient. Its own cookie and session (never a staff or portal one), its own CSRF, a
//! per-address limit on the code screen; without a live tablet session every path but the
//! code screen and the thanks page goes back to the code screen.

mod gate;
mod pages;

use super::portal::forms;
use crate::middleware::ratelimit::RateLimiter;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The tablet session's cookie.
pub const COOKIE: &str = crate::portal_door::KIOSK_SESSION;
/// The code screen's double-submit CSRF token (no session yet).
pub(crate) const FORM_COOKIE: &str = crate::portal_door::KIOSK_FORM;
/// Codes typed per address per minute (the wrong-code limit itself is the use case's).
const CODES_PER_MINUTE: u32 = 20;

/// Every tablet path, for the tests that walk them (method, template).
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GET", "/kiosk"),
        ("POST", "/kiosk"),
        ("GET", "/kiosk/thanks"),
        ("POST", "/kiosk/end"),
        ("POST", "/kiosk/still-here"),
        ("GET", "/kiosk/forms"),
        ("POST", "/kiosk/forms/esign"),
        ("GET", "/kiosk/forms/{id}"),
        ("GET", "/kiosk/forms/{id}/part/{part}"),
        ("POST", "/kiosk/forms/{id}/part/{part}"),
        ("GET", "/kiosk/forms/{id}/sign"),
        ("POST", "/kiosk/forms/{id}/sign"),
    ]
}

/// The tablet's router: every path under `/kiosk`, behind its own gate.
pub fn routes(state: AppState) -> Router<AppState> {
    let limiter = Arc::new(RateLimiter::new(CODES_PER_MINUTE));
    Router::new()
        .route("/kiosk", get(pages::code_screen).post(pages::start))
        .route("/kiosk/thanks", get(pages::thanks))
        .route("/kiosk/end", post(pages::hand_back))
        .route("/kiosk/still-here", post(pages::still_here))
        .route("/kiosk/forms", get(forms::list))
        .route("/kiosk/forms/esign", post(forms::agree))
        .route("/kiosk/forms/{id}", get(forms::show))
        .route("/kiosk/forms/{id}/part/{part}", get(forms::reopen).post(forms::save))
        .route("/kiosk/forms/{id}/sign", get(forms::reopen_sign).post(forms::sign))
        .layer(axum::middleware::from_fn_with_state(state, gate::gate))
        .layer(axum::Extension(gate::CodeLimiter(limiter)))
}
