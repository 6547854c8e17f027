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
use carekeep_app::program::vendors::{VendorInput, VendorView};
use carekeep_app::{Actor, AppError};
use serde::Deserialize;
use utoipa::ToSchema;

fn api<T>(r: Result<T, AppError>) -> Result<T, WebError> {
    r.map_err(WebError::api)
}

/// The clinic's standing on each program item, worst first, with evidence and the next action.
#[utoipa::path(get, path = "/api/v1/program/dashboard", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<ChecklistItem>), (status = 403, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
) -> Result<Json<Vec<ChecklistItem>>, WebError> {
    Ok(Json(api(state.app.dashboard(&Actor::User(p)).await)?))
}

/// Every vendor, retired ones last.
#[utoipa::path(get, path = "/api/v1/vendors", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = Vec<VendorView>), (status = 403, body = ErrorBody)))]
pub async fn vendors(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<VendorView>>, WebError> {
    Ok(Json(api(state.app.vendors(&Actor::User(p)).await)?))
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
        Json(api(state.app.save_vendor(&Actor::User(p), 0, v).await)?),
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
    Ok(Json(api(state.app.vendor(&Actor::User(p), id).await)?))
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
    Ok(Json(api(state.app.save_vendor(&Actor::User(p), id, v).await)?))
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
        .upload_vendor_document(&Actor::User(p), id, &r.filename, &bytes)
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
    let (ct, bytes, name) = api(state.app.vendor_document(&Actor::User(p), id).await)?;
    Ok(super::records::file_response(ct, bytes, &name))
}

/// The audit binder: a zip with `binder.pdf`, CSVs of the checklist, vendors, training and
/// policy acknowledgements, and the signed documents.
#[utoipa::path(get, path = "/api/v1/program/binder", tag = "program", security(("bearer" = [])),
    responses((status = 200, description = "application/zip"), (status = 403, body = ErrorBody)))]
pub async fn binder(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Response, WebError> {
    let bytes = api(state.app.audit_binder(&Actor::User(p)).await)?;
    let name = format!("carekeep-binder-{}.zip", state.app.clinic_today());
    Ok(super::records::file_response("application/zip".into(), bytes, &name))
}
