//! The signed-in person's own account: sessions, recovery codes, idle-logoff status.

use super::chrome;
use crate::error::WebError;
use crate::session::{PageEnrolling, PageUser};
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::mfa::RecoveryCodesPage;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    ended: Option<u8>,
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(q): Query<AccountQuery>,
) -> Result<AccountPage, WebError> {
    let sessions = state.app.my_sessions(&p.actor()).await.map_err(WebError::page)?;
    let codes_left = state
        .app
        .recovery_codes_left(&p.actor())
        .await
        .map_err(WebError::page)?;
    let zone = state.app.clinic_zone();
    // On the clinic's clock, US style: `12/06/2026 2:30 PM`.
    let fmt = |t: time::OffsetDateTime| {
        let local = zone.local(t);
        format!(
            "{} {}",
            super::formats::date(local.date()),
            super::formats::clock(local)
        )
    };
    let mut sessions: Vec<SessionLine> = sessions
        .into_iter()
        .map(|s| SessionLine {
            id: s.id,
            created: fmt(s.created_at),
            last_seen: fmt(s.last_seen_at),
            source_ip: s.source_ip,
            device: carekeep_domain::client_words::in_words(&s.user_agent),
            user_agent: s.user_agent,
            current: s.id == p.session_id,
        })
        .collect();
    // This device first; the rest as the use case ordered them.
    sessions.sort_by_key(|s| !s.current);
    Ok(AccountPage {
        chrome: chrome(&state, &p, "/account").notice(q.ended.map(|_| "That session has been signed out.".to_owned())),
        sessions,
        codes_left,
        r: super::forms::Refused::default(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    code: String,
    new: String,
    again: String,
}

/// Nothing typed here is shown again: the form comes back empty, the message at its field.
#[derive(Serialize)]
struct NothingKept {}

const PASSWORD_FIELDS: &super::forms::FieldWords = &[
    ("current", &["current password"]),
    ("code", &["code"]),
    ("again", &["do not match"]),
    ("new", &["new password", "password"]),
];

pub async fn change_password(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    axum_extra::extract::Form(f): axum_extra::extract::Form<PasswordForm>,
) -> Result<Response, WebError> {
    let r = if f.new == f.again {
        state
            .app
            .change_own_password(&p.actor(), &f.current, &f.code, &f.new)
            .await
    } else {
        Err(carekeep_app::AppError::Invalid(
            "the two new passwords do not match".into(),
        ))
    };
    match r {
        Ok(()) => Ok(urls::login().with("ended", 2).redirect()),
        Err(e @ carekeep_app::AppError::Invalid(_)) => {
            let mut page = show(State(state), PageUser(p), Query(AccountQuery { ended: None })).await?;
            page.r =
                super::forms::Refused::new("change-password", &NothingKept {}, e.to_string(), PASSWORD_FIELDS).secret();
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn sign_out_everywhere(State(state): State<AppState>, PageUser(p): PageUser) -> Result<Response, WebError> {
    state
        .app
        .sign_out_everywhere(&p.actor())
        .await
        .map_err(WebError::page)?;
    Ok(urls::login().with("ended", 3).redirect())
}

pub async fn end_session(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.end_my_session(&p.actor(), id).await.map_err(WebError::page)?;
    Ok(urls::account().with("ended", 1).redirect())
}

pub async fn new_recovery_codes(
    State(state): State<AppState>,
    PageUser(p): PageUser,
) -> Result<RecoveryCodesPage, WebError> {
    let codes = state
        .app
        .regenerate_recovery_codes(&p.actor())
        .await
        .map_err(WebError::page)?;
    Ok(RecoveryCodesPage {
        next: "/".to_owned(),
        chrome: chrome(&state, &p, "/account"),
        codes,
    })
}

#[derive(Debug, Serialize)]
pub struct SessionStatus {
    seconds_left: i64,
}

/// How long until automatic logoff. Polling this does not count as activity.
pub async fn status(State(state): State<AppState>, PageEnrolling(p): PageEnrolling) -> Json<SessionStatus> {
    Json(SessionStatus {
        seconds_left: (p.expires_at - state.app.now()).whole_seconds().max(0),
    })
}

/// "Stay signed in": the request itself is the activity that resets the idle clock.
pub async fn keepalive(State(state): State<AppState>, PageEnrolling(p): PageEnrolling) -> Json<SessionStatus> {
    status(State(state), PageEnrolling(p)).await
}

// The pages this file serves, each a template with its own struct.

#[derive(Debug)]
pub struct SessionLine {
    pub id: i64,
    pub created: String,
    pub last_seen: String,
    pub source_ip: String,
    /// The browser's full name, for those who want it (shown on hover and to screen readers on
    /// request).
    pub user_agent: String,
    /// The browser and system in words: `Chrome on Windows`.
    pub device: String,
    pub current: bool,
}

#[derive(Template, Debug)]
#[template(path = "auth/account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub sessions: Vec<SessionLine>,
    pub codes_left: i64,
    /// A refused password change: the message at its field (passwords are never shown again).
    pub r: crate::web::forms::Refused,
}

crate::web::chrome::page_response!(AccountPage);
