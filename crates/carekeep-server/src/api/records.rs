//! `/api/v1` for the day's work: appointments and the schedule, notes, chart entries, photos
//! and documents, invoices and payments. Each handler calls one use case; the policy and the
//! audit trail sit below them.

use super::ApiJson;
use crate::error::{ErrorBody, WebError};
use crate::respond::file_response;
use crate::session::ApiUser;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use base64::Engine;
use carekeep_app::records::view::{AppointmentView, BillingItem, InvoiceCodes, InvoiceStatus, ScheduleItem};
use carekeep_app::records::{EntryInput, NewAppointment, NewAttachment, NewInvoice, NewPayment, NoteInput};
use carekeep_app::rights::RequestView;
use carekeep_app::AppError;
use carekeep_domain::records::invoice::Line;
use carekeep_domain::UserId;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::api;

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AppointmentRequest {
    pub provider_id: i64,
    pub service: String,
    /// RFC 3339, e.g. `2026-11-23T09:30:00-05:00`.
    pub start: String,
    /// Length in minutes.
    pub minutes: i64,
}

/// Book an appointment.
#[utoipa::path(post, path = "/api/v1/patients/{id}/appointments", tag = "schedule", security(("bearer" = [])), request_body = AppointmentRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 201, body = AppointmentView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn book(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<AppointmentRequest>,
) -> Result<(StatusCode, Json<AppointmentView>), WebError> {
    let start = OffsetDateTime::parse(r.start.trim(), &Rfc3339).map_err(|_| {
        WebError::api(AppError::Invalid(
            "start must be an RFC 3339 time, e.g. 2026-11-23T09:30:00-05:00".into(),
        ))
    })?;
    let input = NewAppointment {
        provider_id: UserId(r.provider_id),
        service: r.service,
        start,
        minutes: r.minutes,
    };
    Ok((
        StatusCode::CREATED,
        Json(api(state.app.book_appointment(&p.actor(), id, input).await)?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AppointmentStatusRequest {
    /// booked, checked_in, completed, no_show or cancelled.
    pub status: String,
}

/// Check in, complete, mark a no-show or cancel an appointment.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/status", tag = "schedule", security(("bearer" = [])), request_body = AppointmentStatusRequest,
    params(("id" = i64, Path, description = "Appointment id")),
    responses((status = 200, body = AppointmentView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn appointment_status(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<AppointmentStatusRequest>,
) -> Result<Json<AppointmentView>, WebError> {
    Ok(Json(api(state
        .app
        .set_appointment_status(&p.actor(), id, &r.status)
        .await)?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DayQuery {
    /// `YYYY-MM-DD`; today at the clinic when omitted.
    pub date: Option<String>,
}

/// One day's schedule.
#[utoipa::path(get, path = "/api/v1/schedule", tag = "schedule", security(("bearer" = [])), params(DayQuery),
    responses((status = 200, body = Vec<ScheduleItem>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Query(q): Query<DayQuery>,
) -> Result<Json<Vec<ScheduleItem>>, WebError> {
    let day = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => api(carekeep_domain::records::patient::parse_date(d).map_err(AppError::from))?,
        None => state.app.clinic_today(),
    };
    Ok(Json(api(state.app.schedule(&p.actor(), day).await)?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NoteRequest {
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
}

impl From<NoteRequest> for NoteInput {
    fn from(r: NoteRequest) -> Self {
        NoteInput {
            subjective: r.subjective,
            objective: r.objective,
            assessment: r.assessment,
            plan: r.plan,
        }
    }
}

/// Start a SOAP note (a draft until its author signs it).
#[utoipa::path(post, path = "/api/v1/patients/{id}/notes", tag = "chart", security(("bearer" = [])), request_body = NoteRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_note(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<NoteRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = api(state.app.create_note(&p.actor(), id, r.into()).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a draft note (its author only).
#[utoipa::path(put, path = "/api/v1/notes/{id}", tag = "chart", security(("bearer" = [])), request_body = NoteRequest,
    params(("id" = i64, Path, description = "Note id")),
    responses((status = 204, description = "Saved"), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_note(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<NoteRequest>,
) -> Result<StatusCode, WebError> {
    api(state.app.update_note(&p.actor(), id, r.into()).await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign a note (its author only); a signed note is never edited, only addended.
#[utoipa::path(post, path = "/api/v1/notes/{id}/sign", tag = "chart", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Note id")),
    responses((status = 204, description = "Signed"), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn sign_note(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    api(state.app.sign_note(&p.actor(), id).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddendumRequest {
    pub text: String,
}

/// Add an addendum to a signed note.
#[utoipa::path(post, path = "/api/v1/notes/{id}/addenda", tag = "chart", security(("bearer" = [])), request_body = AddendumRequest,
    params(("id" = i64, Path, description = "Note id")),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn addend(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<AddendumRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = api(state.app.addend_note(&p.actor(), id, &r.text).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// File an amendment the clinic accepted at the patient's request into the chart (164.526(c)(1)):
/// an addendum to the note it amends, or a new signed note, written by the caller under the
/// chart's access policy.
#[utoipa::path(post, path = "/api/v1/patients/{id}/amendments/{request}", tag = "chart", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Patient id"), ("request" = i64, Path, description = "The patient's amendment request")),
    responses((status = 200, body = RequestView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn file_amendment(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path((id, request)): Path<(i64, i64)>,
) -> Result<Json<RequestView>, WebError> {
    Ok(Json(api(state.app.file_amendment(&p.actor(), id, request).await)?))
}

/// A chart entry tagged by `kind`: vitals, diagnosis, medication or allergy (examples in the
/// operation's description).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(value_type = Object)]
pub struct ChartEntryRequest(pub serde_json::Value);

/// Record vitals, a diagnosis, a medication or an allergy. The body is tagged by `kind`:
/// `{"kind":"vitals","systolic_mmhg":120,"diastolic_mmhg":80,"pulse_bpm":72,"temperature":37.0,"temperature_unit":"c"}`,
/// `{"kind":"diagnosis","code":"E11.9","description":"Type 2 diabetes"}`,
/// `{"kind":"medication","name":"Metformin","dose":"500 mg","frequency":"twice daily"}`,
/// `{"kind":"allergy","substance":"Penicillin","reaction":"hives","severity":"moderate"}`.
#[utoipa::path(post, path = "/api/v1/patients/{id}/entries", tag = "chart", security(("bearer" = [])),
    request_body = ChartEntryRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_entry(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(ChartEntryRequest(body)): ApiJson<ChartEntryRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let entry: EntryInput = serde_json::from_value(body).map_err(|e| {
        WebError::api(AppError::Invalid(format!(
            "entry: {e}; kind is vitals, diagnosis, medication or allergy"
        )))
    })?;
    let id = api(state.app.add_entry(&p.actor(), id, entry).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChartAttachmentRequest {
    #[serde(default)]
    pub filename: String,
    #[serde(default)]
    pub caption: String,
    /// before, after or empty.
    #[serde(default)]
    pub pair: String,
    #[serde(default)]
    pub pair_label: String,
    /// The file, base64. JPEG, PNG, WebP or PDF.
    pub content_base64: String,
}

/// Upload a clinical photo or document (stored encrypted).
#[utoipa::path(post, path = "/api/v1/patients/{id}/attachments", tag = "chart", security(("bearer" = [])), request_body = ChartAttachmentRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ChartAttachmentRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(r.content_base64.trim())
        .map_err(|_| WebError::api(AppError::Invalid("content_base64 is not valid base64".into())))?;
    let input = NewAttachment {
        filename: r.filename,
        caption: r.caption,
        pair: r.pair,
        pair_label: r.pair_label,
        bytes,
    };
    let id = api(state.app.add_attachment(&p.actor(), id, input).await)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Download a photo or document.
#[utoipa::path(get, path = "/api/v1/patients/{id}/attachments/{attachment}", tag = "chart", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Patient id"), ("attachment" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = api(state.app.attachment(&p.actor(), id, attachment).await)?;
    Ok(file_response(ct, bytes, &name))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LineRequest {
    pub description: String,
    pub amount_cents: i64,
    /// Optional: only staff who may write codes (clinical) may set them.
    #[serde(default)]
    pub procedure_code: String,
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InvoiceRequest {
    pub lines: Vec<LineRequest>,
}

/// Create an invoice (billing).
#[utoipa::path(post, path = "/api/v1/patients/{id}/invoices", tag = "billing", security(("bearer" = [])), request_body = InvoiceRequest,
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 201, body = InvoiceStatus), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_invoice(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<InvoiceRequest>,
) -> Result<(StatusCode, Json<InvoiceStatus>), WebError> {
    let lines = r
        .lines
        .into_iter()
        .map(|l| Line {
            description: l.description,
            procedure_code: l.procedure_code,
            diagnosis_codes: l.diagnosis_codes,
            amount_cents: l.amount_cents,
        })
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(api(state
            .app
            .create_invoice(&p.actor(), id, NewInvoice { lines })
            .await)?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LineCodesRequest {
    pub procedure_code: String,
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodesRequest {
    /// One entry per invoice line, in order.
    pub lines: Vec<LineCodesRequest>,
}

/// Code an invoice's lines (clinical staff).
#[utoipa::path(put, path = "/api/v1/invoices/{id}/codes", tag = "billing", security(("bearer" = [])), request_body = CodesRequest,
    params(("id" = i64, Path, description = "Invoice id")),
    responses((status = 200, body = InvoiceCodes), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn code_invoice(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<CodesRequest>,
) -> Result<Json<InvoiceCodes>, WebError> {
    let codes = r
        .lines
        .into_iter()
        .map(|l| (l.procedure_code, l.diagnosis_codes))
        .collect();
    Ok(Json(api(state.app.code_invoice(&p.actor(), id, codes).await)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PaymentRequest {
    pub amount_cents: i64,
    /// cash, card, check, insurance or other.
    pub method: String,
}

/// Record a payment (billing).
#[utoipa::path(post, path = "/api/v1/invoices/{id}/payments", tag = "billing", security(("bearer" = [])), request_body = PaymentRequest,
    params(("id" = i64, Path, description = "Invoice id")),
    responses((status = 201, body = InvoiceStatus), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pay(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<PaymentRequest>,
) -> Result<(StatusCode, Json<InvoiceStatus>), WebError> {
    let input = NewPayment {
        amount_cents: r.amount_cents,
        method: r.method,
    };
    Ok((
        StatusCode::CREATED,
        Json(api(state.app.record_payment(&p.actor(), id, input).await)?),
    ))
}

/// The newest invoices across the clinic (billing work list).
#[utoipa::path(get, path = "/api/v1/invoices", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = Vec<BillingItem>), (status = 403, body = ErrorBody)))]
pub async fn invoices(State(state): State<AppState>, ApiUser(p): ApiUser) -> Result<Json<Vec<BillingItem>>, WebError> {
    Ok(Json(api(state.app.billing_worklist(&p.actor()).await)?))
}
