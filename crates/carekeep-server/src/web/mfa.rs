//! Two-step verification set-up: QR code, confirmation, recovery codes.

use super::chrome;
use crate::error::WebError;
use crate::session::PageEnrolling;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use carekeep_app::{AppError, Principal};
use serde::{Deserialize, Serialize};

use super::forms::{FieldWords, Refused};

/// The set-up page. The key waiting to be confirmed is the same on every showing until it is
/// confirmed, so a wrong code comes back with the same key and QR code, the message at the code.
async fn enroll_page(state: &AppState, p: &Principal, error: Option<String>, r: Refused) -> Result<Response, WebError> {
    match state.app.start_enrollment(&p.actor()).await {
        Ok(e) => Ok(EnrollPage {
            chrome: chrome(state, p, "/mfa/setup").error(error),
            qr_svg: e.qr_svg,
            secret: e.secret_base32,
            r,
        }
        .into_response()),
        Err(AppError::Conflict(_)) => Ok(urls::home().redirect()),
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn form(State(state): State<AppState>, PageEnrolling(p): PageEnrolling) -> Result<Response, WebError> {
    enroll_page(&state, &p, None, Refused::default()).await
}

#[derive(Deserialize, Serialize)]
pub struct ConfirmForm {
    code: String,
}

const CODE_FIELDS: &FieldWords = &[("code", &["code", "six digits"])];

pub async fn confirm(
    State(state): State<AppState>,
    PageEnrolling(p): PageEnrolling,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    match state.app.confirm_enrollment(&p.actor(), &f.code).await {
        Ok(enrolled) => {
            let p = Principal {
                mfa_verified: true,
                csrf_token: enrolled.csrf_token,
                ..p
            };
            Ok(RecoveryCodesPage {
                chrome: chrome(&state, &p, "/mfa/setup"),
                next: super::setup::landing(&state, &p).await.to_string(),
                codes: enrolled.recovery_codes,
            }
            .into_response())
        }
        Err(AppError::Invalid(msg)) => {
            let refused = Refused::new("enroll-form", &f, msg, CODE_FIELDS);
            let mut r = enroll_page(&state, &p, None, refused).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(WebError::page(e)),
    }
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "auth/enroll.html")]
pub struct EnrollPage {
    pub chrome: Chrome,
    pub qr_svg: String,
    pub secret: String,
    /// A wrong code: the same key again, the message at the code.
    pub r: Refused,
}

#[derive(Template, Debug)]
#[template(path = "auth/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub chrome: Chrome,
    /// Where "continue" goes: the set-up path on the owner's first sign-in, else home.
    pub next: String,
    pub codes: Vec<String>,
}

crate::web::chrome::page_response!(EnrollPage, RecoveryCodesPage);
