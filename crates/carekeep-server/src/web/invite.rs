//! The page behind an invitation (`/invite/{token}`): no sign-in; the invited person chooses
//! a password, once, within 72 hours. A used or expired link says so plainly; an unknown one is
//! the ordinary "not found". Every request counts against the address's link limit. The
//! form's token is the link's own (there is no session to hold one).

use super::token_links::{limited, unknown_is_not_found};
use crate::client::origin;
use crate::error::WebError;
use crate::state::AppState;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::invite::InvitationView;
use carekeep_app::AppError;
use carekeep_domain::program::invite::InviteState;
use serde::Deserialize;

#[derive(Template, Debug)]
#[template(path = "auth/invite.html")]
pub struct InvitePage {
    pub chrome: Chrome,
    pub token: String,
    pub clinic: String,
    pub display_name: String,
    pub username: String,
    pub open: bool,
    pub words: &'static str,
    pub error: Option<String>,
}

crate::web::chrome::page_response!(InvitePage);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    password: String,
    again: String,
}

fn page(
    state: &AppState,
    token: String,
    v: InvitationView,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = InvitePage {
        chrome: Chrome::anonymous(state.app.clinic_name()).notice(notice),
        token,
        clinic: v.clinic,
        display_name: v.display_name,
        username: v.username,
        open: v.state == InviteState::Open,
        words: v.state.words(),
        error,
    };
    // The token is in this page's address: no other site is told it, nothing keeps a copy.
    (
        status,
        [
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

fn found(r: Result<InvitationView, AppError>) -> Result<InvitationView, WebError> {
    r.map_err(unknown_is_not_found)
}

pub async fn show(
    State(state): State<AppState>,
    parts: Parts,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if let Some(r) = limited(&state, &parts, "") {
        return Ok(r);
    }
    let v = found(state.app.invitation(&token).await)?;
    Ok(page(&state, token, v, None, None))
}

pub async fn accept(
    State(state): State<AppState>,
    parts: Parts,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    if let Some(r) = limited(&state, &parts, "") {
        return Ok(r);
    }
    let before = found(state.app.invitation(&token).await)?;
    if before.state == InviteState::Open && f.password != f.again {
        let e = "The two passwords differ. Type the same password in both boxes.".to_owned();
        return Ok(page(&state, token, before, None, Some(e)));
    }
    match state
        .app
        .accept_invitation(&token, &f.password, origin(&parts, &state.trusted_proxies()))
        .await
    {
        Ok(v) => {
            let notice = (before.state == InviteState::Open && v.state == InviteState::Used)
                .then_some("Your password is saved. Sign in now: you will set up your authenticator app next.");
            Ok(page(&state, token, v, notice, None))
        }
        Err(AppError::Invalid(m)) => {
            let m = m.strip_prefix("password: ").unwrap_or(&m);
            let mut m = m.to_owned();
            if let Some(c) = m.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            Ok(page(&state, token, before, None, Some(m)))
        }
        Err(e) => Err(unknown_is_not_found(e)),
    }
}
