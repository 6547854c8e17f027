//! The risk assessment's JSON API (tag `program`).

use super::records::Created;
use super::ApiJson;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use carekeep_app::program::sra::{AnswerInput, AssetInput, RiskInput, RiskView, SraSummary, SraView, TaskView};

use serde::Deserialize;
use utoipa::ToSchema;

use super::api;

/// Every assessment, newest first.
#[utoipa::path(get, path = "/api/v1/sra", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = [SraSummary]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<SraSummary>>, WebError> {
    Ok(Json(api(state.app.assessments(&p.actor()).await)?))
}

/// Start an assessment (a copy of the last finalised one, or the first).
#[utoipa::path(post, path = "/api/v1/sra", tag = "program", security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = api(state.app.start_assessment(&p.actor()).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// One assessment: every row with its answer and the system's evidence, assets, risks, tasks.
#[utoipa::path(get, path = "/api/v1/sra/{id}", tag = "program", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 200, body = SraView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<SraView>, WebError> {
    Ok(Json(api(state.app.assessment(&p.actor(), id).await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DetailsRequest {
    pub title: String,
    pub scope: String,
}

/// Change the title and scope of an open assessment.
#[utoipa::path(put, path = "/api/v1/sra/{id}", tag = "program", security(("bearer" = [])), request_body = DetailsRequest,
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 204, description = "Saved"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn details(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<DetailsRequest>,
) -> Result<StatusCode, WebError> {
    api(state
        .app
        .set_assessment_details(&p.actor(), id, &r.title, &r.scope)
        .await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answer one row (e.g. `TEC-04`); checked against 45 CFR 164.306(d).
#[utoipa::path(put, path = "/api/v1/sra/{id}/answers/{spec}", tag = "program", security(("bearer" = [])), request_body = AnswerInput,
    params(("id" = i64, Path, description = "Assessment id"), ("spec" = String, Path, description = "Row id, e.g. TEC-04")),
    responses((status = 204, description = "Saved"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path((id, spec)): Path<(i64, String)>,
    ApiJson(r): ApiJson<AnswerInput>,
) -> Result<StatusCode, WebError> {
    api(state.app.answer_spec(&p.actor(), id, &spec, r).await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add an asset to the inventory.
#[utoipa::path(post, path = "/api/v1/sra/{id}/assets", tag = "program", security(("bearer" = [])), request_body = AssetInput,
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 201, body = Created), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_asset(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<AssetInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = api(state.app.save_sra_asset(&p.actor(), id, 0, r).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change an asset.
#[utoipa::path(put, path = "/api/v1/sra/{id}/assets/{asset}", tag = "program", security(("bearer" = [])), request_body = AssetInput,
    params(("id" = i64, Path, description = "Assessment id"), ("asset" = i64, Path, description = "Asset id")),
    responses((status = 204, description = "Saved"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_asset(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path((id, asset)): Path<(i64, i64)>,
    ApiJson(r): ApiJson<AssetInput>,
) -> Result<StatusCode, WebError> {
    api(state.app.save_sra_asset(&p.actor(), id, asset, r).await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a risk (a catalogue key such as `ransomware`, or a threat in your words).
#[utoipa::path(post, path = "/api/v1/sra/{id}/risks", tag = "program", security(("bearer" = [])), request_body = RiskInput,
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 201, body = Created), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_risk(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<RiskInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = api(state.app.save_sra_risk(&p.actor(), id, 0, r).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a risk.
#[utoipa::path(put, path = "/api/v1/sra/{id}/risks/{risk}", tag = "program", security(("bearer" = [])), request_body = RiskInput,
    params(("id" = i64, Path, description = "Assessment id"), ("risk" = i64, Path, description = "Risk id")),
    responses((status = 204, description = "Saved"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_risk(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path((id, risk)): Path<(i64, i64)>,
    ApiJson(r): ApiJson<RiskInput>,
) -> Result<StatusCode, WebError> {
    api(state.app.save_sra_risk(&p.actor(), id, risk, r).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskRequest {
    pub title: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
}

/// Add a remediation task to a risk being mitigated.
#[utoipa::path(post, path = "/api/v1/sra/risks/{risk}/tasks", tag = "program", security(("bearer" = [])), request_body = TaskRequest,
    params(("risk" = i64, Path, description = "Risk id")),
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_task(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(risk): Path<i64>,
    ApiJson(r): ApiJson<TaskRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = api(state
        .app
        .add_sra_task(&p.actor(), risk, &r.title, &r.owner, &r.due_on)
        .await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Mark a remediation task done.
#[utoipa::path(post, path = "/api/v1/sra/tasks/{task}/done", tag = "program", security(("bearer" = [])),
    params(("task" = i64, Path, description = "Task id")),
    responses((status = 204, description = "Done"), (status = 404, body = ErrorBody)))]
pub async fn task_done(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(task): Path<i64>,
) -> Result<StatusCode, WebError> {
    api(state.app.complete_sra_task(&p.actor(), task).await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The remediation plan: every task, open first.
#[utoipa::path(get, path = "/api/v1/sra/tasks", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = [TaskView]), (status = 403, body = ErrorBody)))]
pub async fn tasks(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<TaskView>>, WebError> {
    Ok(Json(api(state.app.sra_tasks(&p.actor()).await)?))
}

/// The risk register across assessments.
#[utoipa::path(get, path = "/api/v1/sra/register", tag = "program", security(("bearer" = [])),
    responses((status = 200, body = [RiskView]), (status = 403, body = ErrorBody)))]
pub async fn register(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<RiskView>>, WebError> {
    Ok(Json(api(state.app.risk_register(&p.actor()).await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssessmentStatusRequest {
    /// `review`, `draft`, or `final` (with `signed_name`).
    pub status: String,
    #[serde(default)]
    pub signed_name: String,
}

/// Move an assessment: draft to review, back to draft, or finalise it with a signature.
#[utoipa::path(post, path = "/api/v1/sra/{id}/status", tag = "program", security(("bearer" = [])), request_body = AssessmentStatusRequest,
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 204, description = "Moved"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<AssessmentStatusRequest>,
) -> Result<StatusCode, WebError> {
    let actor = p.actor();
    if r.status == "final" {
        api(state.app.finalise_assessment(&actor, id, &r.signed_name).await)?;
    } else {
        api(state.app.move_assessment(&actor, id, &r.status).await)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The report as a PDF.
#[utoipa::path(get, path = "/api/v1/sra/{id}/report", tag = "program", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 200, description = "application/pdf"), (status = 404, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = api(state.app.assessment_pdf(&p.actor(), id).await)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("risk-assessment-{id}.pdf"),
    ))
}
