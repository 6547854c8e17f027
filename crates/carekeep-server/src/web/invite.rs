//! The page behind an invitation (`/invite/{token}`): no sign-in; the invited person chooses
//! a password, once, within 72 hours. A used or expired link says so plainly; an unknown one is
//! the ordinary "not found". Every request counts against the address's link limit. The
//! form's token is the link's own (there is no session to hold one).

use super::token_links::{limited, unknown_is_not_found};
use crate::client::origin;
use crate::error::WebError;
use crate::session::{private_cookie, LOGIN_CSRF_COOKIE};
use crate::state::AppState;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
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

/// The page where a printed set-up code is typed (`/invite`): no sign-in, so its form
/// carries a double-submit token as the sign-in form does; every request counts against the
/// link limit.
#[derive(Template, Debug)]
#[template(path = "auth/invite_code.html")]
pub struct CodePage {
    pub chrome: Chrome,
    pub csrf: String,
    /// What was typed in the code's box, kept when something else is wrong.
    pub code: String,
    /// Where the error belongs: `code` or `password`.
    pub error_at: &'static str,
    pub error: Option<String>,
    /// The outcome once the code was read: the person's name and username, and what it says.
    pub done: Option<(String, String)>,
}

crate::web::chrome::page_response!(CodePage);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    password: String,
    again: String,
}

fn code_page(state: &AppState, jar: CookieJar, mut page: CodePage) -> Response {
    // A fresh double-submit token whenever the form is shown; an outcome shows no form.
    let jar = if page.done.is_none() {
        let csrf = carekeep_crypto::token::new_token();
        page.csrf = csrf.clone();
        jar.add(private_cookie(LOGIN_CSRF_COOKIE, csrf, state.config.secure_cookies()))
    } else {
        jar
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, [(header::CACHE_CONTROL, "no-store")], jar, page).into_response()
}

fn blank(state: &AppState) -> CodePage {
    CodePage {
        chrome: Chrome::anonymous(state.app.clinic_name()),
        csrf: String::new(),
        code: String::new(),
        error_at: "",
        error: None,
        done: None,
    }
}

pub async fn code_form(State(state): State<AppState>, parts: Parts, jar: CookieJar) -> Result<Response, WebError> {
    if let Some(r) = limited(&state, &parts, "") {
        return Ok(r);
    }
    Ok(code_page(&state, jar, blank(&state)))
}

pub async fn accept_code(
    State(state): State<AppState>,
    parts: Parts,
    jar: CookieJar,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    if let Some(r) = limited(&state, &parts, "") {
        return Ok(r);
    }
    let refused = |at: &'static str, e: String| CodePage {
        code: f.code.clone(),
        error_at: at,
        error: Some(e),
        ..blank(&state)
    };
    if f.password != f.again {
        let e = "The two passwords differ. Type the same password in both boxes.".to_owned();
        return Ok(code_page(&state, jar, refused("password", e)));
    }
    match state
        .app
        .accept_setup_code(&f.code, &f.password, origin(&parts, &state.proxies))
        .await
    {
        Ok((v, saved)) => {
            let words = if saved {
                "Your password is saved. Sign in now: you will set up your authenticator app next."
            } else {
                v.state.words()
            };
            let said = Chrome::anonymous(state.app.clinic_name());
            let page = CodePage {
                chrome: if saved {
                    said.notice(Some(words))
                } else {
                    said.error(Some(words))
                },
                done: Some((v.display_name, v.username)),
                ..blank(&state)
            };
            Ok(code_page(&state, jar, page))
        }
        Err(AppError::Invalid(m)) if m.starts_with("password: ") => {
            let mut m = m["password: ".len()..].to_owned();
            if let Some(c) = m.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            Ok(code_page(&state, jar, refused("password", m)))
        }
        Err(AppError::Invalid(m)) => {
            let mut m = m;
            if let Some(c) = m.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            Ok(code_page(&state, jar, refused("code", m)))
        }
        Err(e) => Err(WebError::page(e)),
    }
}
