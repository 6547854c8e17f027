//! Patients' requests and the disclosure log (tag `requests`).

use super::api;
use super::records::Created;
use super::ApiJson;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use carekeep_app::rights::{DisclosureInput, DisclosureView, RequestInput, RequestView};
use carekeep_app::Actor;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Log a patient's request (access, amendment, accounting, restriction, confidential
/// communication); its clock runs from the received date.
#[utoipa::path(post, path = "/api/v1/patients/{id}/requests", tag = "requests", security(("bearer" = [])), request_body = RequestInput,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 201, body = RequestView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<RequestInput>,
) -> Result<(StatusCode, Json<RequestView>), WebError> {
    let v = api(state.app.open_request(&Actor::User(p), id, r).await)?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Every request with its due date, newest first.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", security(("bearer" = [])),
    responses((status = 200, body = [RequestView]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<RequestView>>, WebError> {
    Ok(Json(api(state.app.patient_requests(&Actor::User(p), None).await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ExtensionRequest {
    /// The written reasons for the delay.
    pub reason: String,
}

/// Give the one extension (before the first period ends).
#[utoipa::path(post, path = "/api/v1/requests/{id}/extension", tag = "requests", security(("bearer" = [])), request_body = ExtensionRequest,
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = RequestView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn extend(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ExtensionRequest>,
) -> Result<Json<RequestView>, WebError> {
    Ok(Json(api(state
        .app
        .extend_request(&Actor::User(p), id, &r.reason)
        .await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// granted, denied or completed.
    pub outcome: String,
    /// Required for a denial: its basis.
    #[serde(default)]
    pub reason: String,
}

/// Decide a request.
#[utoipa::path(post, path = "/api/v1/requests/{id}/decision", tag = "requests", security(("bearer" = [])), request_body = DecisionRequest,
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = RequestView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<DecisionRequest>,
) -> Result<Json<RequestView>, WebError> {
    Ok(Json(api(state
        .app
        .decide_request(&Actor::User(p), id, &r.outcome, &r.reason)
        .await)?))
}

/// Append a disclosure to the patient's log.
#[utoipa::path(post, path = "/api/v1/patients/{id}/disclosures", tag = "requests", security(("bearer" = [])), request_body = DisclosureInput,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn disclose(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<DisclosureInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let did = api(state.app.record_disclosure(&Actor::User(p), id, r).await)?;
    Ok((StatusCode::CREATED, Json(Created { id: did })))
}

/// The patient's disclosure log, oldest first.
#[utoipa::path(get, path = "/api/v1/patients/{id}/disclosures", tag = "requests", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, body = [DisclosureView]), (status = 403, body = ErrorBody)))]
pub async fn disclosures(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DisclosureView>>, WebError> {
    Ok(Json(api(state.app.disclosure_log(&Actor::User(p), id).await)?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct PeriodQuery {
    /// First day (default: six years before `to`).
    pub from: String,
    /// Last day (default: today).
    pub to: String,
}

/// The accounting of disclosures as a PDF (164.528).
#[utoipa::path(get, path = "/api/v1/patients/{id}/accounting", tag = "requests", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Patient id"), PeriodQuery),
    responses((status = 200, description = "application/pdf"), (status = 422, body = ErrorBody)))]
pub async fn accounting(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let bytes = api(state.app.accounting_pdf(&Actor::User(p), id, &q.from, &q.to).await)?;
    Ok(super::records::file_response(
        "application/pdf".into(),
        bytes,
        &format!("accounting-{id}.pdf"),
    ))
}
