//! Sign in and sign out.

use crate::client::client_ip;
use crate::error::WebError;
use crate::session::{private_cookie, removal, PageEnrolling, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use axum_extra::extract::CookieJar;
use carekeep_app::{AppError, LoginInput, Principal};
use carekeep_crypto::token::new_token;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    ended: Option<u8>,
    signed_out: Option<u8>,
}

fn page(
    state: &AppState,
    jar: CookieJar,
    username: String,
    error: Option<String>,
    notice: Option<String>,
) -> (CookieJar, LoginPage) {
    let csrf = new_token();
    let jar = jar.add(private_cookie(LOGIN_CSRF_COOKIE, csrf.clone(), state.secure_cookies()));
    (
        jar,
        LoginPage {
            chrome: Chrome::anonymous(state.app.clinic_name()).notice(notice).error(error),
            login_csrf: csrf,
            username,
        },
    )
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: Option<axum::Extension<Principal>>,
    Query(q): Query<LoginQuery>,
    jar: CookieJar,
) -> Response {
    if signed_in.is_some() {
        return urls::home().redirect();
    }
    let notice = if q.ended == Some(2) {
        Some(
            "Your password is changed and you are signed out on every computer. Sign in with the new password."
                .to_owned(),
        )
    } else if q.ended == Some(3) {
        Some("You are signed out on every computer.".to_owned())
    } else if q.ended.is_some() {
        Some("You were signed out, after a period without activity or because your account changed. Sign in again to continue.".to_owned())
    } else if q.signed_out.is_some() {
        Some("You have signed out.".to_owned())
    } else {
        None
    };
    page(&state, jar, String::new(), None, notice).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    code: String,
}

pub async fn submit(State(state): State<AppState>, parts: Parts, jar: CookieJar, Form(f): Form<LoginForm>) -> Response {
    let ip = client_ip(&parts, &state.trusted_proxies());
    if let Err(wait) = state.limiter.check(ip, state.app.now()) {
        let msg = format!("too many sign-in attempts from this computer; try again in {wait} seconds");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            page(&state, jar, f.username, Some(msg), None),
        )
            .into_response();
    }
    let input = LoginInput {
        username: &f.username,
        password: &f.password,
        code: &f.code,
        origin: crate::client::origin(&parts, &state.trusted_proxies()),
    };
    match state.app.login(input).await {
        Ok(outcome) => {
            let jar = jar.remove(removal(LOGIN_CSRF_COOKIE)).add(private_cookie(
                SESSION_COOKIE,
                outcome.token,
                state.secure_cookies(),
            ));
            let to = if outcome.principal.mfa_verified {
                super::setup::landing(&state, &outcome.principal).await
            } else {
                urls::mfa_setup()
            };
            (jar, to.redirect()).into_response()
        }
        Err(e @ (AppError::BadCredentials | AppError::LockedOut { .. } | AppError::Invalid(_))) => {
            let status = match e {
                AppError::LockedOut { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            (status, page(&state, jar, f.username, Some(e.to_string()), None)).into_response()
        }
        Err(e) => WebError::page(e).into_response(),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    PageEnrolling(p): PageEnrolling,
    jar: CookieJar,
) -> Result<Response, WebError> {
    state.app.logout(&p.actor()).await.map_err(WebError::page)?;
    Ok((
        jar.remove(removal(SESSION_COOKIE)),
        urls::login().with("signed_out", 1).redirect(),
    )
        .into_response())
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub login_csrf: String,
    pub username: String,
}

crate::web::chrome::page_response!(LoginPage);
