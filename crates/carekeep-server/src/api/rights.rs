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
use carekeep_app::rights::decisions::{
    AuthorizationInput, AuthorizationView, DecisionInput, DocumentInput, DocumentView,
};
use carekeep_app::rights::{DisclosureInput, DisclosureView, RequestInput, RequestView};

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
    let v = api(state.app.open_request(&p.actor(), id, r).await)?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Every request with its due date, newest first.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", security(("bearer" = [])),
    responses((status = 200, body = [RequestView]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<RequestView>>, WebError> {
    Ok(Json(api(state.app.patient_requests(&p.actor(), None).await)?))
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
    Ok(Json(api(state.app.extend_request(&p.actor(), id, &r.reason).await)?))
}

/// Decide a request: a denial carries its basis (and, for access and amendment, who takes
/// complaints with a phone number); the self-pay restriction cannot be denied; an accepted
/// amendment is appended to the chart; a confidential communication says how to contact.
#[utoipa::path(post, path = "/api/v1/requests/{id}/decision", tag = "requests", security(("bearer" = [])), request_body = DecisionInput,
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = RequestView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<DecisionInput>,
) -> Result<Json<RequestView>, WebError> {
    Ok(Json(api(state.app.decide_request_with(&p.actor(), id, r).await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TerminationRequest {
    /// patient_in_writing, patient_orally or clinic_informs (not for the self-pay restriction).
    pub how: String,
    /// A note (required when the patient agreed orally: the documentation).
    #[serde(default)]
    pub note: String,
}

/// End an agreed restriction (164.522(a)(2)).
#[utoipa::path(post, path = "/api/v1/requests/{id}/termination", tag = "requests", security(("bearer" = [])), request_body = TerminationRequest,
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = RequestView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn terminate(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<TerminationRequest>,
) -> Result<Json<RequestView>, WebError> {
    Ok(Json(api(state
        .app
        .terminate_restriction(&p.actor(), id, &r.how, &r.note)
        .await)?))
}

/// The decision letter, as a PDF (164.524(d)(2), 164.526(c)-(d)).
#[utoipa::path(get, path = "/api/v1/requests/{id}/letter", tag = "requests", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, description = "application/pdf"), (status = 409, body = ErrorBody)))]
pub async fn letter(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = api(state.app.decision_letter_pdf(&p.actor(), id).await)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("decision-{id}.pdf"),
    ))
}

/// Record a document sent for a request (append-only).
#[utoipa::path(post, path = "/api/v1/requests/{id}/documents", tag = "requests", security(("bearer" = [])), request_body = DocumentInput,
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn send_document(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<DocumentInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let did = api(state.app.record_document_sent(&p.actor(), id, r).await)?;
    Ok((StatusCode::CREATED, Json(Created { id: did })))
}

/// Documents sent for one patient's requests.
#[utoipa::path(get, path = "/api/v1/patients/{id}/request-documents", tag = "requests", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, body = [DocumentView]), (status = 403, body = ErrorBody)))]
pub async fn documents(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DocumentView>>, WebError> {
    Ok(Json(api(state.app.request_documents(&p.actor(), Some(id)).await)?))
}

/// File a signed authorization (every core element of 164.508(c)(1)).
#[utoipa::path(post, path = "/api/v1/patients/{id}/authorizations", tag = "requests", security(("bearer" = [])), request_body = AuthorizationInput,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn authorize(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<AuthorizationInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let aid = api(state.app.record_authorization(&p.actor(), id, r).await)?;
    Ok((StatusCode::CREATED, Json(Created { id: aid })))
}

/// A patient's authorizations on file.
#[utoipa::path(get, path = "/api/v1/patients/{id}/authorizations", tag = "requests", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, body = [AuthorizationView]), (status = 403, body = ErrorBody)))]
pub async fn authorizations(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<AuthorizationView>>, WebError> {
    Ok(Json(api(state.app.authorizations(&p.actor(), id).await)?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RevocationRequest {
    /// `YYYY-MM-DD`; today when empty.
    pub revoked_on: String,
}

/// Record the written revocation of an authorization (164.508(b)(5)).
#[utoipa::path(post, path = "/api/v1/authorizations/{id}/revocation", tag = "requests", security(("bearer" = [])), request_body = RevocationRequest,
    params(("id" = i64, Path, description = "Authorization id")),
    responses((status = 204), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<RevocationRequest>,
) -> Result<StatusCode, WebError> {
    api(state.app.revoke_authorization(&p.actor(), id, &r.revoked_on).await)?;
    Ok(StatusCode::NO_CONTENT)
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
    let did = api(state.app.record_disclosure(&p.actor(), id, r).await)?;
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
    Ok(Json(api(state.app.disclosure_log(&p.actor(), id).await)?))
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
    let bytes = api(state.app.accounting_pdf(&p.actor(), id, &q.from, &q.to).await)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("accounting-{id}.pdf"),
    ))
}
