//! Patients' requests and the disclosure log, as pages. Thin: the rules are in the app.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::templates::{DisclosuresPage, RequestsPage};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use carekeep_app::rights::{DisclosureInput, RequestInput};
use carekeep_app::{Actor, AppError, Principal};
use serde::Deserialize;

async fn requests_page(
    state: &AppState,
    p: &Principal,
    notice: Option<String>,
    error: Option<String>,
) -> Result<RequestsPage, WebError> {
    let requests = state
        .app
        .patient_requests(&Actor::User(p.clone()), None)
        .await
        .map_err(WebError::page)?;
    Ok(RequestsPage {
        chrome: chrome(state, p, "/requests"),
        requests,
        today: state.app.clinic_today().to_string(),
        notice,
        error,
    })
}

pub async fn list(State(state): State<AppState>, PageUser(p): PageUser) -> Result<RequestsPage, WebError> {
    requests_page(&state, &p, None, None).await
}

async fn after<T>(state: &AppState, p: &Principal, r: Result<T, AppError>) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(Redirect::to("/requests").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let page = requests_page(state, p, None, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpenForm {
    patient: String,
    kind: String,
    received_on: String,
    details: String,
}

pub async fn open(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<OpenForm>,
) -> Result<Response, WebError> {
    let r = match f.patient.trim().parse::<i64>() {
        Ok(patient) => {
            state
                .app
                .open_request(
                    &Actor::User(p.clone()),
                    patient,
                    RequestInput {
                        kind: f.kind,
                        received_on: f.received_on,
                        details: f.details,
                    },
                )
                .await
        }
        Err(_) => Err(AppError::Invalid(
            "the patient number is the number in the patient's page address".into(),
        )),
    };
    after(&state, &p, r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    outcome: String,
    reason: String,
}

pub async fn extend(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let r = state.app.extend_request(&Actor::User(p.clone()), id, &f.reason).await;
    after(&state, &p, r).await
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .decide_request(&Actor::User(p.clone()), id, &f.outcome, &f.reason)
        .await;
    after(&state, &p, r).await
}

async fn log_page(
    state: &AppState,
    p: &Principal,
    patient: i64,
    error: Option<String>,
) -> Result<DisclosuresPage, WebError> {
    let actor = Actor::User(p.clone());
    let log = state
        .app
        .disclosure_log(&actor, patient)
        .await
        .map_err(WebError::page)?;
    let name = state
        .app
        .patient_requests(&actor, Some(patient))
        .await
        .ok()
        .and_then(|r| r.first().map(|r| r.patient.clone()));
    Ok(DisclosuresPage {
        chrome: chrome(state, p, "/requests"),
        patient_id: patient,
        patient: name.unwrap_or_else(|| format!("patient {patient}")),
        log,
        error,
    })
}

pub async fn log(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(patient): Path<i64>,
) -> Result<DisclosuresPage, WebError> {
    log_page(&state, &p, patient, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DisclosureForm {
    disclosed_on: String,
    recipient: String,
    recipient_address: String,
    description: String,
    purpose: String,
    basis: String,
    corrects: String,
}

pub async fn disclose(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(patient): Path<i64>,
    Form(f): Form<DisclosureForm>,
) -> Result<Response, WebError> {
    let corrects = match f.corrects.trim() {
        "" => Ok(None),
        c => c
            .parse()
            .map(Some)
            .map_err(|_| AppError::Invalid("the corrected entry is a number".into())),
    };
    let r = match corrects {
        Ok(corrects) => {
            state
                .app
                .record_disclosure(
                    &Actor::User(p.clone()),
                    patient,
                    DisclosureInput {
                        disclosed_on: f.disclosed_on,
                        recipient: f.recipient,
                        recipient_address: f.recipient_address,
                        description: f.description,
                        purpose: f.purpose,
                        basis: f.basis,
                        corrects,
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/requests/patients/{patient}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::NotFound(_))) => {
            let page = log_page(&state, &p, patient, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn accounting(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(patient): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .accounting_pdf(&Actor::User(p), patient, "", "")
        .await
        .map_err(WebError::page)?;
    Ok(crate::api::records::file_response(
        "application/pdf".into(),
        bytes,
        &format!("accounting-{patient}.pdf"),
    ))
}
