//! `/api/v1/monitoring/*`: access-monitoring findings for the compliance officer and the owner.

use super::ApiJson;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use carekeep_app::monitoring::FindingView;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingsQuery {
    /// Only findings not yet reviewed (default true).
    pub open: Option<bool>,
}

/// Access-monitoring findings, newest first.
#[utoipa::path(get, path = "/api/v1/monitoring/findings", tag = "audit", security(("bearer" = [])), params(FindingsQuery),
    responses((status = 200, body = Vec<FindingView>), (status = 403, body = ErrorBody)))]
pub async fn findings(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Query(q): Query<FindingsQuery>,
) -> Result<Json<Vec<FindingView>>, WebError> {
    let list = state
        .app
        .findings(&p.actor(), q.open.unwrap_or(true))
        .await
        .map_err(WebError::api)?;
    Ok(Json(list))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScanResult {
    /// New findings recorded by this scan.
    pub added: usize,
}

/// Scan the last two days of the audit trail now.
#[utoipa::path(post, path = "/api/v1/monitoring/run", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = ScanResult), (status = 403, body = ErrorBody)))]
pub async fn run(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<ScanResult>, WebError> {
    let added = state.app.run_monitoring_now(&p.actor()).await.map_err(WebError::api)?;
    Ok(Json(ScanResult { added }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// What the reviewer found.
    pub note: String,
}

/// Mark a finding reviewed with a note (recorded in the audit trail).
#[utoipa::path(post, path = "/api/v1/monitoring/findings/{id}/review", tag = "audit", security(("bearer" = [])), request_body = ReviewRequest,
    params(("id" = i64, Path, description = "Finding id")),
    responses((status = 204, description = "Reviewed"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .review_finding(&p.actor(), id, &req.note)
        .await
        .map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT)
}
