//! The forms of a chart (appointments, notes, entries, uploads, invoices), the day's schedule
//! and the billing list. Each form calls one use case and returns to the chart.

use super::chrome;
use super::forms::{FieldWords, Refused};
use super::patients::after_change;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::records::{EntryInput, NewAppointment, NewAttachment, NewInvoice, NewPayment, NoteInput};
use carekeep_app::AppError;
use carekeep_domain::records::invoice::{parse_amount, Line};
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::records::vitals::{HeightUnit, TempUnit, Vitals, WeightUnit};
use carekeep_domain::{DataClass, UserId};
use serde::{Deserialize, Serialize};
use time::{Duration, PrimitiveDateTime, Time};

/// The booking form, every field as typed (a number typed wrong is a message, not a 400).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BookForm {
    provider_id: String,
    service: String,
    date: String,
    time: String,
    minutes: String,
}

const BOOK_FIELDS: &FieldWords = &[
    ("provider_id", &["provider", "clinician"]),
    ("service", &["service"]),
    ("time", &["the time", "09:30"]),
    ("minutes", &["minutes", "lasts"]),
    ("date", &["date", "start", "in the past", "closed"]),
];

pub async fn book(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<BookForm>,
) -> Result<Response, WebError> {
    let start = parse_date(&f.date).map_err(AppError::from).and_then(|d| {
        let t = Time::parse(f.time.trim(), time::macros::format_description!("[hour]:[minute]"))
            .map_err(|_| AppError::Invalid("the time looks like 09:30".into()))?;
        // The clinic's wall clock on that day, daylight saving or not.
        Ok(state.app.clinic_zone().assume(PrimitiveDateTime::new(d, t)))
    });
    let minutes = f
        .minutes
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::Invalid("an appointment lasts 1 to 720 minutes: type a number".into()));
    let provider = f
        .provider_id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::Invalid("choose the provider".into()));
    let r = match (start, minutes, provider) {
        (Ok(start), Ok(minutes), Ok(provider)) => {
            let input = NewAppointment {
                provider_id: UserId(provider),
                service: f.service.clone(),
                start,
                minutes,
            };
            state.app.book_appointment(&p.actor(), id, input).await
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
    };
    let refused = |message| Refused::new("book", &f, message, BOOK_FIELDS);
    super::patients::after_form(&state, &p, id, ("booked", "scheduling"), refused, r).await
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: String,
    back: String,
    #[serde(default)]
    day: String,
    /// "yes" once the person confirmed a change that cannot be undone.
    #[serde(default)]
    confirm: String,
}

pub async fn appointment_status(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response, WebError> {
    // A no-show or a cancellation cannot be undone: one click asks, the second does it.
    let status =
        carekeep_domain::records::appointment::Status::parse(&f.status).map_err(|e| WebError::page(e.into()))?;
    if status.asks_first() && f.confirm != "yes" {
        let back_href = if f.back == "schedule" {
            format!(
                "/schedule?date={}",
                parse_date(&f.day).map(|d| d.to_string()).unwrap_or_default()
            )
        } else {
            "/schedule".to_owned()
        };
        return Ok(ConfirmStatusPage {
            chrome: chrome(&state, &p, "/schedule"),
            id,
            status: f.status.clone(),
            label: status.label().to_lowercase(),
            back: f.back.clone(),
            day: f.day.clone(),
            back_href,
        }
        .into_response());
    }
    let appt = state
        .app
        .set_appointment_status(&p.actor(), id, &f.status)
        .await
        .map_err(WebError::page)?;
    let to = if f.back == "schedule" {
        let day = parse_date(&f.day).map(|d| d.to_string()).unwrap_or_default();
        urls::schedule().with("date", day)
    } else if f.back == "appointment" {
        // Checked in from the visit's page: back to its tablet card, now open.
        urls::calendar_appointment(id).done("status").at("tablet-h")
    } else {
        urls::patient(appt.patient_id).done("status").at("scheduling")
    };
    Ok(to.redirect())
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NoteForm {
    subjective: String,
    objective: String,
    assessment: String,
    plan: String,
    then: String,
    patient: i64,
}

impl NoteForm {
    fn note(&self) -> NoteInput {
        NoteInput {
            subjective: self.subjective.clone(),
            objective: self.objective.clone(),
            assessment: self.assessment.clone(),
            plan: self.plan.clone(),
        }
    }
}

pub async fn create_note(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    let r = state.app.create_note(&p.actor(), id, f.note()).await;
    let r = match (r, f.then.as_str()) {
        (Ok(note), "sign") => state.app.sign_note(&p.actor(), note).await.map(|()| "signed"),
        (Ok(_), _) => Ok("note"),
        (Err(e), _) => Err(e),
    };
    let done = *r.as_ref().unwrap_or(&"note");
    let refused = |message| Refused::new("new-note", &f, message, NOTE_FIELDS);
    super::patients::after_form(&state, &p, id, (done, "notes"), refused, r).await
}

/// A note's messages are about the whole note, except a part too long or mistyped.
const NOTE_FIELDS: &FieldWords = &[];

pub async fn update_note(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(note): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    let mut r = state.app.update_note(&p.actor(), note, f.note()).await.map(|()| "note");
    if r.is_ok() && f.then == "sign" {
        r = state.app.sign_note(&p.actor(), note).await.map(|()| "signed");
    }
    let done = *r.as_ref().unwrap_or(&"note");
    let refused = |message| Refused::new(format!("note-{note}"), &f, message, NOTE_FIELDS);
    super::patients::after_form(&state, &p, f.patient, (done, "notes"), refused, r).await
}

#[derive(Debug, Deserialize, Serialize)]
pub struct AddendumForm {
    text: String,
    patient: i64,
}

pub async fn addend(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(note): Path<i64>,
    Form(f): Form<AddendumForm>,
) -> Result<Response, WebError> {
    let r = state.app.addend_note(&p.actor(), note, &f.text).await;
    let refused =
        |message| Refused::new(format!("addendum-{note}"), &f, message, ADDENDUM_FIELDS).ids_end_in(&note.to_string());
    super::patients::after_form(&state, &p, f.patient, ("addendum", "notes"), refused, r).await
}

/// A clinician files an accepted amendment into the chart it waits on.
pub async fn file_amendment(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((patient, request)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let r = state.app.file_amendment(&p.actor(), patient, request).await.map(|_| ());
    after_change(&state, &p, patient, "amendment", "notes", r).await
}

/// Which vitals field each message is about (the domain's words and `num`'s).
const VITALS_FIELDS: &FieldWords = &[
    ("systolic", &["systolic", "blood pressure"]),
    ("diastolic", &["diastolic"]),
    ("pulse", &["pulse"]),
    ("temperature", &["temperature"]),
    ("weight", &["weight"]),
    ("height", &["height"]),
    ("spo2", &["spo2", "oxygen"]),
    ("systolic", &["at least one"]),
];

/// An optional number from a form field: empty is none; anything else must parse.
fn num<T: std::str::FromStr>(label: &str, s: &str) -> Result<Option<T>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| AppError::Invalid(format!("the {label} must be a number")))
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VitalsForm {
    systolic: String,
    diastolic: String,
    pulse: String,
    temperature: String,
    temperature_unit: String,
    weight: String,
    weight_unit: String,
    height: String,
    height_unit: String,
    spo2: String,
}

impl VitalsForm {
    fn vitals(&self) -> Result<Vitals, AppError> {
        let temperature: Option<f32> = num("temperature", &self.temperature)?;
        let weight: Option<f32> = num("weight", &self.weight)?;
        let height: Option<f32> = num("height", &self.height)?;
        Ok(Vitals {
            systolic_mmhg: num("systolic pressure", &self.systolic)?,
            diastolic_mmhg: num("diastolic pressure", &self.diastolic)?,
            pulse_bpm: num("pulse", &self.pulse)?,
            temperature,
            temperature_unit: temperature.map(|_| {
                if self.temperature_unit == "c" {
                    TempUnit::C
                } else {
                    TempUnit::F
                }
            }),
            weight,
            weight_unit: weight.map(|_| {
                if self.weight_unit == "kg" {
                    WeightUnit::Kg
                } else {
                    WeightUnit::Lb
                }
            }),
            height,
            height_unit: height.map(|_| {
                if self.height_unit == "cm" {
                    HeightUnit::Cm
                } else {
                    HeightUnit::In
                }
            }),
            spo2_percent: num("SpO2", &self.spo2)?,
        })
    }
}

pub async fn vitals(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<VitalsForm>,
) -> Result<Response, WebError> {
    let r = match f.vitals() {
        Ok(v) => state.app.add_entry(&p.actor(), id, EntryInput::Vitals(v)).await,
        Err(e) => Err(e),
    };
    let refused = |message| Refused::new("vitals-form", &f, message, VITALS_FIELDS);
    super::patients::after_form(&state, &p, id, ("entry", "vitals"), refused, r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EntryForm {
    code: String,
    description: String,
    name: String,
    dose: String,
    frequency: String,
    substance: String,
    reaction: String,
    severity: String,
}

const DX_FIELDS: &FieldWords = &[("dx-code", &["code", "icd"]), ("dx-text", &["description"])];
const MED_FIELDS: &FieldWords = &[
    ("med-name", &["medication"]),
    ("med-dose", &["dose"]),
    ("med-freq", &["frequency"]),
];
const ALLERGY_FIELDS: &FieldWords = &[
    ("al-sub", &["substance"]),
    ("al-re", &["reaction"]),
    ("al-sev", &["severity"]),
];
const ADDENDUM_FIELDS: &FieldWords = &[("ad", &["addendum"])];

/// Diagnoses, medications and allergies share one form shape; the path says which.
pub async fn entry(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    Form(f): Form<EntryForm>,
) -> Result<Response, WebError> {
    let (entry, form, fields): (EntryInput, &str, &FieldWords) = match kind.as_str() {
        "diagnoses" => (
            EntryInput::Diagnosis {
                code: f.code.clone(),
                description: f.description.clone(),
            },
            "dx-form",
            DX_FIELDS,
        ),
        "medications" => (
            EntryInput::Medication {
                name: f.name.clone(),
                dose: f.dose.clone(),
                frequency: f.frequency.clone(),
            },
            "med-form",
            MED_FIELDS,
        ),
        "allergies" => (
            EntryInput::Allergy {
                substance: f.substance.clone(),
                reaction: f.reaction.clone(),
                severity: f.severity.clone(),
            },
            "al-form",
            ALLERGY_FIELDS,
        ),
        _ => return Err(WebError::page(AppError::NotFound("page"))),
    };
    let r = state.app.add_entry(&p.actor(), id, entry).await;
    let refused = |message| Refused::new(form, &f, message, fields);
    super::patients::after_form(&state, &p, id, ("entry", "problems"), refused, r).await
}

/// What is typed on the upload form besides the file, kept to show again when it is refused
/// (a browser cannot put a chosen file back: the message says to choose it again).
#[derive(Debug, Default, Serialize)]
pub struct UploadForm {
    caption: String,
    pair: String,
    pair_label: String,
}

const UPLOAD_FIELDS: &FieldWords = &[
    ("pair_label", &["pair label"]),
    ("pair", &["pair is", "before or after"]),
    ("caption", &["caption"]),
    ("file", &["file", "upload", "photo"]),
];

/// The multipart upload form; the body limit is set from `attachment_max_mib`. The typed
/// fields come before the file in the form, so a file cut short by the limit is refused with
/// them kept.
pub async fn upload(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let mut typed = UploadForm::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    let cut_short =
        || AppError::Invalid("the upload was cut short or the file is too large; choose a smaller file".into());
    let read = async {
        while let Some(field) = form.next_field().await.map_err(|_| cut_short())? {
            match field.name().unwrap_or_default() {
                "file" => {
                    let name = field.file_name().unwrap_or_default().to_owned();
                    let bytes = field.bytes().await.map_err(|_| cut_short())?.to_vec();
                    file = Some((name, bytes));
                }
                "caption" => typed.caption = field.text().await.map_err(|_| cut_short())?,
                "pair" => typed.pair = field.text().await.map_err(|_| cut_short())?,
                "pair_label" => typed.pair_label = field.text().await.map_err(|_| cut_short())?,
                _ => {}
            }
        }
        Ok::<(), AppError>(())
    }
    .await;
    let r = match read {
        Ok(()) => {
            let (filename, bytes) = file.unwrap_or_default();
            let a = NewAttachment {
                filename,
                caption: typed.caption.clone(),
                pair: typed.pair.clone(),
                pair_label: typed.pair_label.clone(),
                bytes,
            };
            state.app.add_attachment(&p.actor(), id, a).await
        }
        Err(e) => Err(e),
    };
    let refused = |message| Refused::new("upload-form", &typed, message, UPLOAD_FIELDS);
    super::patients::after_form(&state, &p, id, ("uploaded", "photos"), refused, r).await
}

#[derive(Debug, Deserialize, Serialize)]
pub struct InvoiceForm {
    description: String,
    amount: String,
}

const INVOICE_FIELDS: &FieldWords = &[
    ("line-amount", &["amount", "$", "cents"]),
    ("line-desc", &["description"]),
];

pub async fn create_invoice(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<InvoiceForm>,
) -> Result<Response, WebError> {
    let r = match parse_amount(&f.amount) {
        Ok(amount_cents) => {
            let line = Line {
                description: f.description.clone(),
                procedure_code: String::new(),
                diagnosis_codes: Vec::new(),
                amount_cents,
            };
            state
                .app
                .create_invoice(&p.actor(), id, NewInvoice { lines: vec![line] })
                .await
        }
        Err(e) => Err(e.into()),
    };
    let refused = |message| Refused::new("invoice-form", &f, message, INVOICE_FIELDS);
    super::patients::after_form(&state, &p, id, ("invoice", "billing"), refused, r).await
}

#[derive(Debug, Deserialize)]
pub struct CodesForm {
    patient: i64,
    #[serde(default)]
    procedure_code: Vec<String>,
    #[serde(default)]
    diagnosis_codes: Vec<String>,
}

/// Which field of a coded line each message is about: `dc` (diagnoses) or `pc` (procedure).
const CODE_FIELDS: &FieldWords = &[("dc", &["diagnosis", "icd-10"]), ("pc", &["procedure"])];

fn diagnoses(typed: &str) -> Vec<String> {
    typed
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn code_invoice(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(invoice): Path<i64>,
    Form(f): Form<CodesForm>,
) -> Result<Response, WebError> {
    let codes: Vec<(String, Vec<String>)> = f
        .procedure_code
        .iter()
        .zip(&f.diagnosis_codes)
        .map(|(pc, dc)| (pc.clone(), diagnoses(dc)))
        .collect();
    // The line a refusal is about: the first whose codes the domain refuses (the use case
    // checks them in order and names no line).
    let line = codes
        .iter()
        .position(|(pc, dc)| carekeep_domain::records::invoice::check_codes(pc, dc).is_err())
        .map_or(1, |i| i + 1);
    let r = state.app.code_invoice(&p.actor(), invoice, codes).await;
    // Each line's fields as typed, named by line: `procedure_code-2`, `diagnosis_codes-2`.
    let typed: std::collections::BTreeMap<String, String> = f
        .procedure_code
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("procedure_code-{}", i + 1), v.clone()))
        .chain(
            f.diagnosis_codes
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("diagnosis_codes-{}", i + 1), v.clone())),
        )
        .collect();
    let refused = |message| {
        Refused::new(format!("code-form-{invoice}"), &typed, message, CODE_FIELDS)
            .ids_end_in(&format!("{invoice}-{line}"))
    };
    super::patients::after_form(&state, &p, f.patient, ("codes", "coding"), refused, r).await
}

#[derive(Debug, Deserialize, Serialize)]
pub struct PaymentForm {
    patient: i64,
    amount: String,
    method: String,
}

const PAYMENT_FIELDS: &FieldWords = &[
    ("method", &["method"]),
    ("pay", &["amount", "$", "cents", "pay", "more than"]),
];

pub async fn pay(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(invoice): Path<i64>,
    Form(f): Form<PaymentForm>,
) -> Result<Response, WebError> {
    let r = match parse_amount(&f.amount) {
        Ok(amount_cents) => {
            state
                .app
                .record_payment(
                    &p.actor(),
                    invoice,
                    NewPayment {
                        amount_cents,
                        method: f.method.clone(),
                    },
                )
                .await
        }
        Err(e) => Err(e.into()),
    };
    let refused = |message| {
        Refused::new(format!("pay-form-{invoice}"), &f, message, PAYMENT_FIELDS).ids_end_in(&invoice.to_string())
    };
    super::patients::after_form(&state, &p, f.patient, ("payment", "billing"), refused, r).await
}

#[derive(Debug, Deserialize)]
pub struct DayQuery {
    date: Option<String>,
}

pub async fn schedule(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(q): Query<DayQuery>,
) -> Result<SchedulePage, WebError> {
    let day = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => parse_date(d).map_err(|e| WebError::page(e.into()))?,
        None => state.app.clinic_today(),
    };
    let items = state.app.schedule(&p.actor(), day).await.map_err(WebError::page)?;
    Ok(SchedulePage {
        chrome: chrome(&state, &p, "/schedule"),
        day: day.to_string(),
        prev: (day - Duration::days(1)).to_string(),
        next: (day + Duration::days(1)).to_string(),
        items,
        can_change: state
            .app
            .policy()
            .access(p.data_roles(), DataClass::Scheduling)
            .can_write(),
    })
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "records/schedule.html")]
pub struct SchedulePage {
    pub chrome: Chrome,
    pub day: String,
    pub prev: String,
    pub next: String,
    pub items: Vec<carekeep_app::records::view::ScheduleItem>,
    pub can_change: bool,
}

impl SchedulePage {
    /// `2:30 PM`: the appointment's times are on the clinic's clock already.
    pub fn time(&self, s: &str) -> String {
        crate::web::formats::time_of(s)
    }
    /// `12/06/2026`.
    pub fn us_day(&self) -> String {
        crate::web::formats::iso_date(&self.day)
    }
}

crate::web::chrome::page_response!(SchedulePage);

/// "Mark this appointment as a no-show?": asked before a change that cannot be undone.
#[derive(Template, Debug)]
#[template(path = "records/confirm_status.html")]
pub struct ConfirmStatusPage {
    pub chrome: Chrome,
    pub id: i64,
    pub status: String,
    pub label: String,
    pub back: String,
    pub day: String,
    pub back_href: String,
}

crate::web::chrome::page_response!(ConfirmStatusPage);
