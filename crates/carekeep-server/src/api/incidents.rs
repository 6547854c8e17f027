//! The incident log and breach engine's JSON API (tag `incidents`).

use super::api;
use super::records::Created;
use super::ApiJson;
use crate::error::{ErrorBody, WebError};
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use carekeep_app::incidents::{
    DeterminationInput, IncidentSummary, IncidentView, ObligationView, ReportInput, ScopePreview, ScopeSearch,
    ScopeView,
};
use carekeep_app::AppError;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Report an incident (anyone on staff). The breach is presumed until assessed, so its clocks
/// start from the discovery date at once.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])), request_body = ReportInput,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiJson(r): ApiJson<ReportInput>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = api(state.app.report_incident(&p.actor(), r).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The incident log, newest first.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = [IncidentSummary]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<IncidentSummary>>, WebError> {
    Ok(Json(api(state.app.incidents(&p.actor()).await)?))
}

/// One incident: facts, determination, scope, obligations, timeline.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, body = IncidentView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<IncidentView>, WebError> {
    Ok(Json(api(state.app.incident(&p.actor(), id).await)?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConclusionJson {
    /// no_phi, secured, excluded, low_probability or breach.
    pub conclusion: String,
}

/// Record the determination (164.402) and the facts the deadlines depend on.
#[utoipa::path(put, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])), request_body = DeterminationInput,
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, body = ConclusionJson), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn determine(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<DeterminationInput>,
) -> Result<Json<ConclusionJson>, WebError> {
    let c = api(state.app.determine_incident(&p.actor(), id, r).await)?;
    Ok(Json(ConclusionJson {
        conclusion: c.as_str().into(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionRequest {
    pub text: String,
}

/// Add a step to the incident's timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/actions", tag = "incidents", security(("bearer" = [])), request_body = ActionRequest,
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 204, description = "Added"), (status = 422, body = ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ActionRequest>,
) -> Result<StatusCode, WebError> {
    api(state.app.add_incident_action(&p.actor(), id, &r.text).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScopeRequest {
    /// The account compromised, or the person who looked where they should not.
    pub username: String,
    /// Start of the window: RFC 3339, or a date (from its first second).
    pub from: String,
    /// End of the window: RFC 3339, or a date (to its last second).
    pub to: String,
    /// One action only (`phi.read`, `phi.print`, `phi.export`...); every use of patient
    /// information when empty.
    #[serde(default)]
    pub action: String,
    /// One data class only (`clinical`, `contact`...); any when empty.
    #[serde(default)]
    pub class: String,
    /// Preview only: where the page of patients starts among those found (0, the first).
    #[serde(default)]
    pub offset: usize,
    /// Preview only: how many patients to name, 1 to 200 (25 when left out).
    #[serde(default)]
    pub limit: Option<usize>,
}

impl ScopeRequest {
    fn search(&self) -> Result<ScopeSearch, AppError> {
        ScopeSearch {
            username: self.username.clone(),
            from: window_edge("from", &self.from, false)?,
            to: window_edge("to", &self.to, true)?,
            action: None,
            class: None,
        }
        .narrowed(&self.action, &self.class)
    }
}

/// What an audit search would add to the scope, to review before adopting it with
/// `POST /scope` and the same body. Reading the names is audited.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/scope/preview", tag = "incidents", security(("bearer" = [])), request_body = ScopeRequest,
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, body = ScopePreview), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn scope_preview(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ScopeRequest>,
) -> Result<Json<ScopePreview>, WebError> {
    let s = api(r.search())?;
    Ok(Json(api(state
        .app
        .preview_scope(&p.actor(), id, &s, r.offset, r.limit)
        .await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NameRequest {
    /// The patient named by the person handling the incident.
    pub patient_id: i64,
    /// What was involved for them: data classes (`identity`, `clinical`...), at least one.
    pub classes: Vec<String>,
}

/// Add one patient to the scope, named by the person handling the incident; the affected
/// count follows the scope.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/scope/patients", tag = "incidents", security(("bearer" = [])), request_body = NameRequest,
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, body = ScopeView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn scope_name(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<NameRequest>,
) -> Result<Json<ScopeView>, WebError> {
    Ok(Json(api(state
        .app
        .name_in_scope(&p.actor(), id, r.patient_id, &r.classes)
        .await)?))
}

/// Parse a window edge: a full timestamp, or a date taken at its start or end (UTC).
pub(crate) fn window_edge(label: &str, s: &str, end: bool) -> Result<OffsetDateTime, AppError> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let d = carekeep_domain::records::patient::parse_date(s).map_err(|_| {
        AppError::Invalid(format!(
            "{label} must be a date (2026-11-22) or a time (2026-11-22T09:00:00Z)"
        ))
    })?;
    let t = if end {
        time::Time::from_hms(23, 59, 59).unwrap_or(time::Time::MIDNIGHT)
    } else {
        time::Time::MIDNIGHT
    };
    Ok(d.with_time(t).assume_utc())
}

/// Adopt into the scope the patients and data classes an audit search finds (preview it
/// first with `/scope/preview`); the affected count follows the scope.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/scope", tag = "incidents", security(("bearer" = [])), request_body = ScopeRequest,
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, body = ScopeView), (status = 422, body = ErrorBody)))]
pub async fn scope(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ScopeRequest>,
) -> Result<Json<ScopeView>, WebError> {
    let s = api(r.search())?;
    Ok(Json(api(state.app.scope_incident(&p.actor(), id, &s).await)?))
}

/// The obligations: `kind`, `due_on`, `state` (media), `cfr`, `done`, with contents.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/obligations", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, body = [ObligationView]), (status = 404, body = ErrorBody)))]
pub async fn obligations(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ObligationView>>, WebError> {
    Ok(Json(api(state.app.incident_obligations(&p.actor(), id).await)?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DoneRequest {
    /// For media: the State.
    pub state: String,
    /// How it was done.
    pub note: String,
}

/// Mark an obligation done.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/obligations/{kind}/done", tag = "incidents", security(("bearer" = [])), request_body = DoneRequest,
    params(("id" = i64, Path, description = "Incident id"), ("kind" = String, Path, description = "Obligation kind")),
    responses((status = 204, description = "Done"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn obligation_done(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path((id, kind)): Path<(i64, String)>,
    ApiJson(r): ApiJson<DoneRequest>,
) -> Result<StatusCode, WebError> {
    api(state
        .app
        .complete_obligation(&p.actor(), id, &kind, &r.state, &r.note)
        .await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct LettersQuery {
    /// One patient's letter; all of them merged when absent.
    pub patient: Option<i64>,
}

/// The letters to individuals, one page each, as PDF.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/letters", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id"), LettersQuery),
    responses((status = 200, description = "application/pdf"), (status = 422, body = ErrorBody)))]
pub async fn letters(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<LettersQuery>,
) -> Result<Response, WebError> {
    let bytes = api(state.app.breach_letters_pdf(&p.actor(), id, q.patient).await)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("incident-{id}-letters.pdf"),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SentRequest {
    /// mail (default) or email.
    pub method: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SentJson {
    pub recorded: usize,
}

/// Record that the letters were sent to every patient in scope.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/letters/sent", tag = "incidents", security(("bearer" = [])), request_body = SentRequest,
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, body = SentJson), (status = 422, body = ErrorBody)))]
pub async fn letters_sent(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<SentRequest>,
) -> Result<Json<SentJson>, WebError> {
    let recorded = api(state.app.record_letters_sent(&p.actor(), id, &r.method).await)?;
    Ok(Json(SentJson { recorded }))
}

/// The burden-of-proof record (164.414(b)) as PDF.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/record", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, description = "application/pdf"), (status = 404, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = api(state.app.incident_record_pdf(&p.actor(), id).await)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("incident-{id}.pdf"),
    ))
}

/// The log of breaches under 500 discovered in a year (164.408(c)), as CSV.
#[utoipa::path(get, path = "/api/v1/breach-log/{year}", tag = "incidents", security(("bearer" = [])),
    params(("year" = i32, Path, description = "Year of discovery")),
    responses((status = 200, description = "text/csv"), (status = 403, body = ErrorBody)))]
pub async fn breach_log(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(year): Path<i32>,
) -> Result<Response, WebError> {
    let bytes = api(state.app.breach_log_csv(&p.actor(), year).await)?;
    Ok(crate::respond::file_response(
        "text/csv".into(),
        bytes,
        &format!("breach-log-{year}.csv"),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IncidentAttachmentRequest {
    #[serde(default)]
    pub filename: String,
    /// PDF, JPEG, PNG or WebP, base64.
    pub content_base64: String,
}

/// Attach a file to an incident (stored encrypted).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/attachments", tag = "incidents", security(("bearer" = [])), request_body = IncidentAttachmentRequest,
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn attach(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<IncidentAttachmentRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(r.content_base64.trim())
        .map_err(|_| WebError::api(AppError::Invalid("content_base64 is not valid base64".into())))?;
    let aid = api(state.app.attach_to_incident(&p.actor(), id, &r.filename, &bytes).await)?;
    Ok((StatusCode::CREATED, Json(Created { id: aid })))
}

/// Download an incident's attachment.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/attachments/{attachment}", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id"), ("attachment" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file"), (status = 404, body = ErrorBody)))]
pub async fn attachment(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = api(state.app.incident_attachment(&p.actor(), id, aid).await)?;
    Ok(crate::respond::file_response(ct, bytes, &name))
}
