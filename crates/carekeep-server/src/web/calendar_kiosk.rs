//! "Fill on the clinic tablet" on a checked-in visit's page (issue 28, item 3): the code the
//! patient types on the tablet, shown once (only its digest is kept), and ending the tablet's
//! session from the desk.

use super::calendar::{appointment_page, CancelForm, MoveForm};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::forms::Refused;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use carekeep_app::forms::KioskState;
use carekeep_app::AppError;

/// `123456` as `123 456`, easier to read out.
fn spaced(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a} {b}")
}

pub async fn open(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let made = state.app.open_kiosk(&p.actor(), id, None).await;
    let mut page = appointment_page(
        &state,
        &p,
        id,
        MoveForm::default(),
        CancelForm::default(),
        Refused::default(),
    )
    .await?;
    match made {
        Ok(code) => {
            let until = state.app.clinic_zone().local(code.expires_at);
            page.kiosk = Some(KioskState::CodeWaiting(code.expires_at));
            page.kiosk_code = Some((spaced(&code.code), super::formats::clock(until)));
            page.chrome.notice = Some(
                "The code is ready: read it to the patient for the clinic tablet. It is shown only this once.".into(),
            );
            Ok(page.into_response())
        }
        Err(AppError::Invalid(m)) => {
            page.chrome.error = Some(m);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn end(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.end_kiosk(&p.actor(), id).await.map_err(WebError::page)?;
    Ok(urls::calendar_appointment(id)
        .done("tablet_ended")
        .at("tablet-h")
        .redirect())
}
