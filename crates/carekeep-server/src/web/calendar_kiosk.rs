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
use axum_extra::extract::Form;
use carekeep_app::forms::{KioskState, NOT_A_SIGNER};
use carekeep_app::AppError;
use serde::{Deserialize, Serialize};

/// Who signs on the tablet, as the desk chose: "" for the patient, else the representative's
/// id in `care_people`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TabletForm {
    pub signer: String,
}

/// `123456` as `123 456`, easier to read out.
fn spaced(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a} {b}")
}

pub async fn open(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<TabletForm>,
) -> Result<Response, WebError> {
    // A value that is no id is refused like an id not on file: the same words, no code made.
    let signer = match f.signer.trim() {
        "" => Ok(None),
        typed => typed.parse::<i64>().map(Some).map_err(|_| ()),
    };
    let made = match signer {
        Ok(signer) => state.app.open_kiosk(&p.actor(), id, signer).await,
        Err(()) => Err(AppError::Invalid(NOT_A_SIGNER.into())),
    };
    let mut page = appointment_page(
        &state,
        &p,
        id,
        MoveForm::default(),
        CancelForm::default(),
        Refused::default(),
    )
    .await?;
    page.signer = f.signer.trim().to_owned();
    match made {
        Ok(code) => {
            let until = state.app.clinic_zone().local(code.expires_at);
            page.kiosk_signer = Some(match page.signers.iter().find(|s| page.signs(&s.person_id)) {
                Some(s) => format!("{}, representative ({})", s.name, s.basis),
                None => "the patient".into(),
            });
            page.kiosk = Some(KioskState::CodeWaiting(code.expires_at));
            page.kiosk_code = Some((spaced(&code.code), super::formats::clock(until)));
            page.chrome.notice = Some(
                "The code is ready: read it to the patient for the clinic tablet. It is shown only this once.".into(),
            );
            Ok(page.into_response())
        }
        Err(AppError::Invalid(m)) if m == NOT_A_SIGNER => {
            page.r = Refused::for_field("tablet-form", &f, m, "signer");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
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
