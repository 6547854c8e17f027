//! `/api/v1/program` and `/api/v1/vendors`: the compliance dashboard and the vendor/BAA
//! inventory (owner and compliance officer).

use super::ApiJson;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use base64::Engine;
use carekeep_app::program::dashboard::ChecklistItem;
use carekeep_app::program::vendor_security::{VendorSecurityInput, VendorSecurityView};
use carekeep_app::program::vendors::{VendorInput, VendorView};
use carekeep_app::AppError;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api;

/// The clinic's standing on each program item, worst first, with evidence and the next action.
#[utoipa::path(get, path = "/api/v1/program/dashboard", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<ChecklistItem>), (status = 403, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
) -> Result<Json<Vec<ChecklistItem>>, WebError> {
    Ok(Json(api(state.app.dashboard(&p.actor()).await)?))
}

/// Every vendor, retired ones last.
#[utoipa::path(get, path = "/api/v1/vendors", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<VendorView>), (status = 403, body = ErrorBody)))]
pub async fn vendors(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<VendorView>>, WebError> {
    Ok(Json(api(state.app.vendors(&p.actor()).await)?))
}

/// Add a vendor.
#[utoipa::path(post, path = "/api/v1/vendors", tag = "program", security(("bearer" = [])), request_body = VendorInput,
    responses((status = 201, body = VendorView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_vendor(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(v): ApiJson<VendorInput>,
) -> Result<(StatusCode, Json<VendorView>), WebError> {
    Ok((
        StatusCode::CREATED,
        Json(api(state.app.save_vendor(&p.actor(), 0, v).await)?),
    ))
}

/// One vendor.
#[utoipa::path(get, path = "/api/v1/vendors/{id}", tag = "program", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Vendor id")),
    responses((status = 200, body = VendorView), (status = 404, body = ErrorBody)))]
pub async fn vendor(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<VendorView>, WebError> {
    Ok(Json(api(state.app.vendor(&p.actor(), id).await)?))
}

/// What the clinic knows of each PHI vendor's security beyond its BAA, with a rating.
#[utoipa::path(get, path = "/api/v1/vendors/security", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<VendorSecurityView>), (status = 403, body = ErrorBody)))]
pub async fn vendor_security(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
) -> Result<Json<Vec<VendorSecurityView>>, WebError> {
    Ok(Json(api(state.app.vendor_security(&p.actor()).await)?))
}

/// Record a review of a vendor's security as of today; a rating above low becomes a risk with
/// a task in the open risk assessment.
#[utoipa::path(post, path = "/api/v1/vendors/{id}/security", tag = "program", security(("bearer" = [])),
    request_body = VendorSecurityInput, params(("id" = i64, Path, description = "Vendor id")),
    responses((status = 200, body = VendorSecurityView), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn review_vendor_security(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(v): ApiJson<VendorSecurityInput>,
) -> Result<Json<VendorSecurityView>, WebError> {
    Ok(Json(api(state.app.review_vendor_security(&p.actor(), id, v).await)?))
}

/// Change a vendor (all fields; nothing is ever deleted: set `retired`).
#[utoipa::path(put, path = "/api/v1/vendors/{id}", tag = "program", security(("bearer" = [])), request_body = VendorInput,
    params(("id" = i64, Path, description = "Vendor id")),
    responses((status = 200, body = VendorView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_vendor(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(v): ApiJson<VendorInput>,
) -> Result<Json<VendorView>, WebError> {
    Ok(Json(api(state.app.save_vendor(&p.actor(), id, v).await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DocumentRequest {
    #[serde(default)]
    pub filename: String,
    /// The signed agreement, base64: PDF, JPEG or PNG.
    pub content_base64: String,
}

/// Upload the signed BAA (stored encrypted).
#[utoipa::path(put, path = "/api/v1/vendors/{id}/document", tag = "program", security(("bearer" = [])), request_body = DocumentRequest,
    params(("id" = i64, Path, description = "Vendor id")),
    responses((status = 204, description = "Stored"), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn upload_document(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<DocumentRequest>,
) -> Result<StatusCode, WebError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(r.content_base64.trim())
        .map_err(|_| WebError::api(AppError::Invalid("content_base64 is not valid base64".into())))?;
    api(state
        .app
        .upload_vendor_document(&p.actor(), id, &r.filename, &bytes)
        .await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Download the signed BAA.
#[utoipa::path(get, path = "/api/v1/vendors/{id}/document", tag = "program", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Vendor id")),
    responses((status = 200, description = "The document"), (status = 404, body = ErrorBody)))]
pub async fn download_document(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = api(state.app.vendor_document(&p.actor(), id).await)?;
    Ok(crate::respond::file_response(ct, bytes, &name))
}

/// The audit binder: a zip with `binder.pdf`, CSVs of the checklist, vendors, training and
/// policy acknowledgements, and the signed documents.
#[utoipa::path(get, path = "/api/v1/program/binder", tag = "program", security(("bearer" = [])),
    responses((status = 200, description = "application/zip"), (status = 403, body = ErrorBody)))]
pub async fn binder(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Response, WebError> {
    let bytes = api(state.app.audit_binder(&p.actor()).await)?;
    let name = format!("carekeep-binder-{}.zip", state.app.clinic_today());
    Ok(crate::respond::file_response("application/zip".into(), bytes, &name))
}

use super::records::Created;
use carekeep_app::program::npp::NppView;
use carekeep_app::program::policies::{PolicyToRead, PolicyView};
use carekeep_app::program::reminders::Reminder;
use carekeep_app::program::workforce::{PersonInput, PersonView};

/// The workforce roster with training due dates and offboarding checklists.
#[utoipa::path(get, path = "/api/v1/workforce", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<PersonView>), (status = 403, body = ErrorBody)))]
pub async fn roster(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<PersonView>>, WebError> {
    Ok(Json(api(state.app.roster(&p.actor()).await)?))
}

/// Add a person to the roster (a leave date that has come offboards them at once).
#[utoipa::path(post, path = "/api/v1/workforce", tag = "program", security(("bearer" = [])), request_body = PersonInput,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn add_person(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(r): ApiJson<PersonInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = api(state.app.save_person(&p.actor(), 0, r).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a person (set `left_on` to offboard them on that date).
#[utoipa::path(put, path = "/api/v1/workforce/{id}", tag = "program", security(("bearer" = [])), request_body = PersonInput,
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 204, description = "Saved"), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_person(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<PersonInput>,
) -> Result<StatusCode, WebError> {
    api(state.app.save_person(&p.actor(), id, r).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TrainingRequest {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub completed_on: String,
    /// The certificate's file name (optional).
    #[serde(default)]
    pub certificate_filename: String,
    /// The certificate, base64: PDF, JPEG, PNG or WebP (optional; stored encrypted).
    #[serde(default)]
    pub certificate_base64: String,
}

/// Record outside or in-person training for a person.
#[utoipa::path(post, path = "/api/v1/workforce/{id}/training", tag = "program", security(("bearer" = [])), request_body = TrainingRequest,
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn record_training(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<TrainingRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let certificate = match r.certificate_base64.trim() {
        "" => None,
        b64 => Some(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| WebError::api(AppError::Invalid("certificate_base64 is not valid base64".into())))?,
        ),
    };
    let id = api(state
        .app
        .record_training(
            &p.actor(),
            id,
            &r.title,
            &r.completed_on,
            certificate.as_deref().map(|b| (r.certificate_filename.as_str(), b)),
        )
        .await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Every policy: template or current version, review standing, acknowledgements.
#[utoipa::path(get, path = "/api/v1/policies", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<PolicyView>), (status = 403, body = ErrorBody)))]
pub async fn policies(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<PolicyView>>, WebError> {
    Ok(Json(api(state.app.policies(&p.actor()).await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PolicyRequest {
    pub title: String,
    pub body: String,
    /// `YYYY-MM-DD`; today when empty.
    #[serde(default)]
    pub effective_on: String,
}

/// Adopt a template or approve a new version of a policy.
#[utoipa::path(put, path = "/api/v1/policies/{key}", tag = "program", security(("bearer" = [])), request_body = PolicyRequest,
    params(("key" = String, Path, description = "Policy key, e.g. breach_response")),
    responses((status = 200, body = Created), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revise_policy(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(key): Path<String>,
    ApiJson(r): ApiJson<PolicyRequest>,
) -> Result<Json<Created>, WebError> {
    let id = api(state
        .app
        .revise_policy(&p.actor(), &key, &r.title, &r.body, &r.effective_on)
        .await)?;
    Ok(Json(Created { id }))
}

/// The adopted policies as the caller reads them, with whether they acknowledged each.
#[utoipa::path(get, path = "/api/v1/me/policies", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<PolicyToRead>)))]
pub async fn my_policies(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
) -> Result<Json<Vec<PolicyToRead>>, WebError> {
    Ok(Json(api(state.app.policies_to_read(&p.actor()).await)?))
}

/// Acknowledge a policy version.
#[utoipa::path(post, path = "/api/v1/me/policies/{version}/acknowledge", tag = "program", security(("bearer" = [])),
    params(("version" = i64, Path, description = "Policy version id")),
    responses((status = 204, description = "Recorded"), (status = 404, body = ErrorBody)))]
pub async fn acknowledge_policy(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(version): Path<i64>,
) -> Result<StatusCode, WebError> {
    api(state.app.acknowledge_policy(&p.actor(), version).await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// What falls due for the caller (no PHI).
#[utoipa::path(get, path = "/api/v1/me/reminders", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<Reminder>)))]
pub async fn reminders(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<Reminder>>, WebError> {
    Ok(Json(api(state.app.reminders(&p.actor()).await)?))
}

/// The Notice of Privacy Practices: current version (or the template), posting, history.
#[utoipa::path(get, path = "/api/v1/npp", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = NppView), (status = 403, body = ErrorBody)))]
pub async fn npp(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<NppView>, WebError> {
    Ok(Json(api(state.app.npp(&p.actor()).await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NppRequest {
    pub body: String,
    /// `YYYY-MM-DD`, not before today; today when empty.
    #[serde(default)]
    pub effective_on: String,
}

/// Publish a version of the notice (refused if a required element is missing).
#[utoipa::path(put, path = "/api/v1/npp", tag = "program", security(("bearer" = [])), request_body = NppRequest,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn publish_npp(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(r): ApiJson<NppRequest>,
) -> Result<Json<Created>, WebError> {
    let id = api(state.app.publish_npp(&p.actor(), &r.body, &r.effective_on).await)?;
    Ok(Json(Created { id }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NppPostingRequest {
    /// Posted in the office (164.520(c)(2)(iii)).
    pub office: bool,
    /// Posted on the clinic's website (164.520(c)(3)(i)).
    pub website: bool,
}

/// Record where the current notice is posted.
#[utoipa::path(put, path = "/api/v1/npp/posting", tag = "program", security(("bearer" = [])), request_body = NppPostingRequest,
    responses((status = 204, description = "Saved"), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn npp_posting(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(r): ApiJson<NppPostingRequest>,
) -> Result<StatusCode, WebError> {
    api(state.app.set_npp_posting(&p.actor(), r.office, r.website).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NppAckRequest {
    /// The patient signed the acknowledgement of receipt.
    pub signed: bool,
    /// When not signed: the good-faith effort and why it failed (164.520(c)(2)(ii)).
    #[serde(default)]
    pub reason: String,
}

/// Record a patient's acknowledgement of the current notice, or the good-faith effort.
#[utoipa::path(post, path = "/api/v1/patients/{id}/npp-acknowledgement", tag = "patients", security(("bearer" = [])), request_body = NppAckRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 204, description = "Recorded"), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn npp_acknowledgement(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<NppAckRequest>,
) -> Result<StatusCode, WebError> {
    api(state.app.record_npp_ack(&p.actor(), id, r.signed, &r.reason).await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Download a training certificate.
#[utoipa::path(get, path = "/api/v1/training/{id}/certificate", tag = "program", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Training record id")),
    responses((status = 200, description = "The certificate"), (status = 404, body = ErrorBody)))]
pub async fn training_certificate(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = api(state.app.training_certificate(&p.actor(), id).await)?;
    Ok(crate::respond::file_response(ct, bytes, &name))
}
