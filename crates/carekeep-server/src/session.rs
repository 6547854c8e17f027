//! Session cookies and the extractors that hand a handler the signed-in person. A handler
//! that takes `PageUser` or `ApiUser` cannot run without a live, MFA-complete session.

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, SameSite};
use carekeep_app::{AppError, Principal};

pub const SESSION_COOKIE: &str = "carekeep_session";
/// Double-submit token for the login form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "carekeep_login_csrf";

/// A cookie that scripts cannot read, never sent cross-site, Secure under TLS.
pub fn private_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// Removes a cookie from the browser.
pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build((name, "")).path("/").build();
    c.make_removal();
    c
}

/// Marks a request that carried a session cookie whose session has ended (idle logoff,
/// revocation), so the sign-in page can say why.
#[derive(Clone, Copy, Debug)]
pub struct SessionEnded;

/// A signed-in person on a page, MFA complete.
#[derive(Debug)]
pub struct PageUser(pub Principal);

/// A signed-in person on a page who may still be enrolling in MFA.
#[derive(Debug)]
pub struct PageEnrolling(pub Principal);

impl FromRequestParts<AppState> for PageEnrolling {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, WebError> {
        match parts.extensions.get::<Principal>() {
            Some(p) => Ok(PageEnrolling(p.clone())),
            None if parts.extensions.get::<SessionEnded>().is_some() => Err(WebError::page(AppError::Unauthenticated)),
            None => Err(WebError::page(AppError::SignInRequired)),
        }
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let PageEnrolling(p) = PageEnrolling::from_request_parts(parts, state).await?;
        p.require_full().map_err(WebError::page)?;
        Ok(PageUser(p))
    }
}

/// A caller of the JSON API with a bearer token, MFA complete.
#[derive(Debug)]
pub struct ApiUser(pub Principal);

/// A caller of the JSON API who may still be enrolling in MFA.
#[derive(Debug)]
pub struct ApiEnrolling(pub Principal);

impl FromRequestParts<AppState> for ApiEnrolling {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(WebError::api(AppError::Unauthenticated))?;
        let mut p = state.app.authenticate(token, true).await.map_err(WebError::api)?;
        p.origin = crate::client::origin(parts, &state.trusted_proxies());
        Ok(ApiEnrolling(p))
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let ApiEnrolling(p) = ApiEnrolling::from_request_parts(parts, state).await?;
        p.require_full().map_err(WebError::api)?;
        Ok(ApiUser(p))
    }
}
