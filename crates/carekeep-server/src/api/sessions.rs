//! `/api/v1/sessions`: the caller's own sessions.

use super::types::*;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

/// The caller's live sessions.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionJson>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<SessionJson>>, WebError> {
    let rows = state.app.my_sessions(&p.actor()).await.map_err(WebError::api)?;
    Ok(Json(
        rows.into_iter()
            .map(|s| SessionJson {
                current: s.id == p.session_id,
                id: s.id,
                created_at: rfc3339(s.created_at),
                last_seen_at: rfc3339(s.last_seen_at),
                source_ip: s.source_ip,
                user_agent: s.user_agent,
            })
            .collect(),
    ))
}

/// End one of the caller's sessions.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 204, description = "Ended"), (status = 404, body = ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.app.end_my_session(&p.actor(), id).await.map_err(WebError::api)?;
    Ok(StatusCode::NO_CONTENT)
}
