//! The signed-in person's own account: sessions, recovery codes, idle-logoff status.

use super::chrome;
use crate::error::WebError;
use crate::session::{PageEnrolling, PageUser};
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::mfa::RecoveryCodesPage;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
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
    let sessions = state.app.my_sessions(&p).await.map_err(WebError::page)?;
    let codes_left = state.app.recovery_codes_left(&p).await.map_err(WebError::page)?;
    let zone = state.app.clinic_zone();
    let fmt = |t: time::OffsetDateTime| crate::web::formats::at(t, &zone);
    Ok(AccountPage {
        chrome: chrome(&state, &p, "/account"),
        sessions: sessions
            .into_iter()
            .map(|s| SessionLine {
                id: s.id,
                created: fmt(s.created_at),
                last_seen: fmt(s.last_seen_at),
                source_ip: s.source_ip,
                user_agent: s.user_agent,
                current: s.id == p.session_id,
            })
            .collect(),
        codes_left,
        notice: q.ended.map(|_| "That session has been signed out.".to_owned()),
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
        state.app.change_own_password(&p, &f.current, &f.code, &f.new).await
    } else {
        Err(carekeep_app::AppError::Invalid(
            "the two new passwords do not match".into(),
        ))
    };
    match r {
        Ok(()) => Ok(Redirect::to("/login?ended=2").into_response()),
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
    state.app.sign_out_everywhere(&p).await.map_err(WebError::page)?;
    Ok(Redirect::to("/login?ended=3").into_response())
}

pub async fn end_session(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.end_my_session(&p, id).await.map_err(WebError::page)?;
    Ok(Redirect::to("/account?ended=1").into_response())
}

pub async fn new_recovery_codes(
    State(state): State<AppState>,
    PageUser(p): PageUser,
) -> Result<RecoveryCodesPage, WebError> {
    let codes = state.app.regenerate_recovery_codes(&p).await.map_err(WebError::page)?;
    Ok(RecoveryCodesPage {
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
    pub user_agent: String,
    pub current: bool,
}

#[derive(Template, Debug)]
#[template(path = "auth/account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub sessions: Vec<SessionLine>,
    pub codes_left: i64,
    pub notice: Option<String>,
    /// A refused password change: the message at its field (passwords are never shown again).
    pub r: crate::web::forms::Refused,
}

crate::web::chrome::page_response!(AccountPage);
