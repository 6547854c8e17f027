//! `/api/v1/audit/events`: the audit trail for the compliance officer and the owner.

use crate::audit_query::AuditParams;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use carekeep_app::audit::view::EventView;
use carekeep_app::Actor;
use serde::Deserialize;

/// Export format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportFormat {
    /// `csv` or `fhir` (a FHIR R4 Bundle of AuditEvent resources).
    pub format: String,
}

/// Export audit events as CSV or FHIR R4 AuditEvents (the export is itself recorded).
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", security(("bearer" = [])), params(ExportFormat, AuditParams),
    responses(
        (status = 200, description = "text/csv, or application/fhir+json with a Bundle of AuditEvent resources"),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Query(format): Query<ExportFormat>,
    Query(params): Query<AuditParams>,
) -> Result<Response, WebError> {
    let mut q = params
        .to_query(100_000, &state.app.clinic_zone())
        .map_err(WebError::api)?;
    q.limit = params.limit.unwrap_or(100_000).clamp(1, 100_000);
    export_as(&state, &p.actor(), &q, &format.format)
        .await
        .map_err(WebError::api)
}

/// The export response shared by the API and the audit page.
pub async fn export_as(
    state: &AppState,
    actor: &Actor<'_>,
    q: &carekeep_app::audit::view::AuditQuery,
    format: &str,
) -> Result<Response, carekeep_app::AppError> {
    match format {
        "csv" => {
            let csv = state.app.audit_csv(actor, q).await?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"carekeep-audit.csv\"",
                    ),
                ],
                csv,
            )
                .into_response())
        }
        "fhir" => {
            let bundle = state.app.audit_fhir(actor, q).await?;
            Ok((
                [
                    (header::CONTENT_TYPE, "application/fhir+json"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"carekeep-audit.fhir.json\"",
                    ),
                ],
                bundle.to_string(),
            )
                .into_response())
        }
        other => Err(carekeep_app::AppError::Invalid(format!(
            "unknown format '{other}': use csv or fhir"
        ))),
    }
}

/// Audit events, newest first (viewing is itself recorded).
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = Vec<EventView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Query(params): Query<AuditParams>,
) -> Result<Json<Vec<EventView>>, WebError> {
    let q = params.to_query(1000, &state.app.clinic_zone()).map_err(WebError::api)?;
    let events = state.app.audit_events(&p.actor(), &q).await.map_err(WebError::api)?;
    Ok(Json(events))
}
