//! `/api/v1/patients`: finding, registering and reading patients, each answer shaped by the one
//! policy (a class the caller may not read is absent from the JSON).

use super::ApiJson;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use carekeep_app::records::view::{PatientPage, PatientView};
use carekeep_app::records::{contact_input, NewPatient};
use carekeep_domain::UserId;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct PatientQuery {
    /// Two or more first letters of a first or last name, a full date of birth, or a phone
    /// number. Without it, a page of patients, most recently seen first.
    pub q: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Patients per page, 1 to 100 (default 25).
    pub per_page: Option<i64>,
}

/// Find patients, or list them most recently seen first.
#[utoipa::path(get, path = "/api/v1/patients", tag = "patients", security(("bearer" = [])), params(PatientQuery),
    responses((status = 200, body = PatientPage), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Query(q): Query<PatientQuery>,
) -> Result<Json<PatientPage>, WebError> {
    let app = &state.app;
    let page = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => {
            let found = app.search_patients(&p.actor(), text).await.map_err(WebError::api)?;
            let n = i64::try_from(found.patients.len()).unwrap_or(0);
            PatientPage {
                patients: found.patients,
                page: 1,
                per_page: n,
                total: n,
            }
        }
        None => app
            .list_patients(&p.actor(), q.page.unwrap_or(1), q.per_page.unwrap_or(25))
            .await
            .map_err(WebError::api)?,
    };
    Ok(Json(page))
}

/// Contact details as sent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ContactRequest {
    pub phone: String,
    pub email: String,
    pub address: String,
    pub emergency_contact: String,
    /// phone (default), text, email or mail.
    pub preferred: String,
}

impl ContactRequest {
    fn into_contact(self) -> Result<carekeep_domain::records::patient::Contact, WebError> {
        contact_input(
            &self.phone,
            &self.email,
            &self.address,
            &self.emergency_contact,
            &self.preferred,
        )
        .map_err(WebError::api)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentityRequest {
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD` (or `MM/DD/YYYY`).
    pub date_of_birth: String,
    /// female, male, other or unknown.
    pub sex: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[serde(flatten)]
    pub identity: IdentityRequest,
    #[serde(default)]
    pub contact: ContactRequest,
}

/// Register a patient (needs write access to identity and contact).
#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", security(("bearer" = [])), request_body = RegisterRequest,
    responses((status = 201, body = PatientView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<PatientView>), WebError> {
    let input = NewPatient {
        given_name: req.identity.given_name,
        family_name: req.identity.family_name,
        date_of_birth: req.identity.date_of_birth,
        sex: req.identity.sex,
        contact: req.contact.into_contact()?,
    };
    let view = state
        .app
        .register_patient(&p.actor(), input)
        .await
        .map_err(WebError::api)?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A patient as the caller may see them: `id` and each readable data class.
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, body = PatientView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PatientView>, WebError> {
    Ok(Json(state.app.patient(&p.actor(), id).await.map_err(WebError::api)?))
}

/// The patient's record as the caller may see it, as a FHIR R4 `collection` Bundle (Patient,
/// Appointment, Encounter, vital-sign Observations, Condition, MedicationStatement,
/// AllergyIntolerance, DocumentReference, Media, Invoice, PaymentReconciliation); for an access
/// request (164.524). Audited as an export.
#[utoipa::path(get, path = "/api/v1/patients/{id}/fhir", tag = "patients", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, description = "application/fhir+json: a FHIR R4 Bundle"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn fhir(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, WebError> {
    let bundle = state.app.fhir_export(&p.actor(), id).await.map_err(WebError::api)?;
    let bytes =
        serde_json::to_vec(&bundle).map_err(|e| WebError::api(carekeep_app::AppError::Internal(e.to_string())))?;
    Ok(crate::respond::file_response(
        "application/fhir+json".into(),
        bytes,
        &format!("patient-{id}.fhir.json"),
    ))
}

/// Change a patient's name, date of birth or sex.
#[utoipa::path(put, path = "/api/v1/patients/{id}/identity", tag = "patients", security(("bearer" = [])), request_body = IdentityRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, body = PatientView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_identity(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<IdentityRequest>,
) -> Result<Json<PatientView>, WebError> {
    let view = state
        .app
        .update_identity(&p.actor(), id, &r.given_name, &r.family_name, &r.date_of_birth, &r.sex)
        .await
        .map_err(WebError::api)?;
    Ok(Json(view))
}

/// Change a patient's contact details.
#[utoipa::path(put, path = "/api/v1/patients/{id}/contact", tag = "patients", security(("bearer" = [])), request_body = ContactRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, body = PatientView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_contact(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ContactRequest>,
) -> Result<Json<PatientView>, WebError> {
    let view = state
        .app
        .update_contact(&p.actor(), id, r.into_contact()?)
        .await
        .map_err(WebError::api)?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RestrictionRequest {
    pub restricted: bool,
    /// Staff ids of the providers who may open the chart.
    #[serde(default)]
    pub providers: Vec<i64>,
}

/// Restrict a chart to named providers, or lift the restriction (owner, compliance officer).
#[utoipa::path(put, path = "/api/v1/patients/{id}/restriction", tag = "patients", security(("bearer" = [])), request_body = RestrictionRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 204, description = "Changed"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_restriction(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<RestrictionRequest>,
) -> Result<StatusCode, WebError> {
    let providers: Vec<UserId> = r.providers.into_iter().map(UserId).collect();
    state
        .app
        .set_restriction(&p.actor(), id, r.restricted, &providers)
        .await
        .map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BreakGlassRequest {
    /// One of `emergency_treatment`, `covering_provider`, `urgent_result`, `patient_request`,
    /// or `other` (the default: the reason in `reason`, in words).
    #[serde(default)]
    pub kind: String,
    /// Why emergency access is needed, in words (10 to 500 characters; optional details with a
    /// listed `kind`); the compliance officer reviews it.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct BreakGlassResponse {
    /// When the access ends, RFC 3339.
    pub until: String,
}

/// Emergency access to a restricted chart, for a stated reason and a limited time.
#[utoipa::path(post, path = "/api/v1/patients/{id}/break-glass", tag = "patients", security(("bearer" = [])), request_body = BreakGlassRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, body = BreakGlassResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn break_glass(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<BreakGlassRequest>,
) -> Result<Json<BreakGlassResponse>, WebError> {
    let until = state
        .app
        .break_glass(&p.actor(), id, &r.kind, &r.reason)
        .await
        .map_err(WebError::api)?;
    Ok(Json(BreakGlassResponse { until }))
}
