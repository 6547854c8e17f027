//! People acting for the patient on the chart (persons involved in care, representatives) and
//! the front desk's "Someone is on the phone" screen. Thin: read the form, call one use case,
//! answer with the chart or the phone screen (a refused form comes back as typed).

use super::forms::{FieldWords, Refused};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::people::{CallInput, PeopleView, PersonInput};
use carekeep_app::{AppError, Principal};
use carekeep_domain::people::{Check, Topic};
use serde::{Deserialize, Serialize};

/// The form for a person involved in care. Topics are one field each, so a refused form can
/// tick them again.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PersonForm {
    name: String,
    relationship: String,
    phone: String,
    topic_appointments: Option<String>,
    topic_billing: Option<String>,
    topic_results: Option<String>,
    topic_involvement: Option<String>,
    words: String,
    agreed: String,
    agreed_on: String,
}

pub const PERSON_FIELDS: &FieldWords = &[
    ("person-phone", &["phone"]),
    ("person-topics", &["topic"]),
    ("person-agreed-on", &["date the patient agreed"]),
    ("person-agreed", &["how the patient agreed"]),
    ("person-words", &["words"]),
    ("person-relationship", &["relationship"]),
    ("person-name", &["name"]),
];

pub async fn add_person(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<PersonForm>,
) -> Result<Response, WebError> {
    let ticked = [
        (&f.topic_appointments, Topic::Appointments),
        (&f.topic_billing, Topic::Billing),
        (&f.topic_results, Topic::Results),
        (&f.topic_involvement, Topic::Involvement),
    ];
    let input = PersonInput {
        kind: "involved".into(),
        name: f.name.clone(),
        relationship: f.relationship.clone(),
        phone: f.phone.clone(),
        topics: ticked
            .iter()
            .filter(|(v, _)| v.is_some())
            .map(|(_, t)| t.as_str().to_owned())
            .collect(),
        words: f.words.clone(),
        agreed: f.agreed.clone(),
        agreed_on: f.agreed_on.clone(),
        ..PersonInput::default()
    };
    let r = state.app.add_person(&p.actor(), id, input).await;
    let refused = |message| Refused::new("person-form", &f, message, PERSON_FIELDS);
    super::patients::after_form(&state, &p, id, ("person", "people"), refused, r).await
}

/// The representative's form, read from the upload (the document is a file).
#[derive(Debug, Default, Serialize)]
pub struct RepForm {
    name: String,
    relationship: String,
    phone: String,
    email: String,
    basis: String,
    starts_on: String,
    ends_on: String,
    words: String,
}

pub const REP_FIELDS: &FieldWords = &[
    ("rep-phone", &["phone"]),
    ("rep-email", &["email"]),
    ("rep-basis", &["basis"]),
    ("rep-ends", &["end date"]),
    ("rep-starts", &["start date"]),
    ("rep-file", &["document", "upload", "file"]),
    ("rep-words", &["words"]),
    ("rep-relationship", &["relationship"]),
    ("rep-name", &["name"]),
];

pub async fn add_representative(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let mut typed = RepForm::default();
    let mut file: (String, Vec<u8>) = (String::new(), Vec::new());
    let cut_short =
        || AppError::Invalid("the upload was cut short or the document is too large; choose a smaller file".into());
    let read = async {
        while let Some(field) = form.next_field().await.map_err(|_| cut_short())? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "document" {
                let filename = field.file_name().unwrap_or_default().to_owned();
                file = (filename, field.bytes().await.map_err(|_| cut_short())?.to_vec());
                continue;
            }
            let text = field.text().await.map_err(|_| cut_short())?;
            match name.as_str() {
                "name" => typed.name = text,
                "relationship" => typed.relationship = text,
                "phone" => typed.phone = text,
                "email" => typed.email = text,
                "basis" => typed.basis = text,
                "starts_on" => typed.starts_on = text,
                "ends_on" => typed.ends_on = text,
                "words" => typed.words = text,
                _ => {}
            }
        }
        Ok::<(), AppError>(())
    }
    .await;
    let r = match read {
        Ok(()) => {
            let input = PersonInput {
                kind: "representative".into(),
                name: typed.name.clone(),
                relationship: typed.relationship.clone(),
                phone: typed.phone.clone(),
                email: typed.email.clone(),
                words: typed.words.clone(),
                basis: typed.basis.clone(),
                starts_on: typed.starts_on.clone(),
                ends_on: typed.ends_on.clone(),
                document_name: file.0,
                document: file.1,
                ..PersonInput::default()
            };
            state.app.add_person(&p.actor(), id, input).await
        }
        Err(e) => Err(e),
    };
    let refused = |message| Refused::new("rep-form", &typed, message, REP_FIELDS);
    super::patients::after_form(&state, &p, id, ("representative", "people"), refused, r).await
}

pub async fn revoke(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, person)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let r = state.app.revoke_person(&p.actor(), id, person).await;
    super::patients::after_change(&state, &p, id, "revoked", "people", r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SuspendForm {
    reason: String,
}

const SUSPEND_FIELDS: &FieldWords = &[("suspend-reason", &["reason"])];

pub async fn suspend(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, person)): Path<(i64, i64)>,
    Form(f): Form<SuspendForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .suspend_representative(&p.actor(), id, person, &f.reason)
        .await;
    let refused = move |message| {
        Refused::new(format!("suspend-{person}"), &f, message, SUSPEND_FIELDS).ids_end_in(&person.to_string())
    };
    super::patients::after_form(&state, &p, id, ("suspended", "people"), refused, r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OwnConsentForm {
    item: String,
}

const OWN_FIELDS: &FieldWords = &[("own-item", &["visit or note", "marked"])];

pub async fn own_consent(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<OwnConsentForm>,
) -> Result<Response, WebError> {
    let r = state.app.mark_own_consent(&p.actor(), id, &f.item).await;
    let refused = |message| Refused::new("own-form", &f, message, OWN_FIELDS);
    super::patients::after_form(&state, &p, id, ("own_consent", "people"), refused, r).await
}

pub async fn document(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, person)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = state
        .app
        .representative_document(&p.actor(), id, person)
        .await
        .map_err(WebError::page)?;
    let name = if name.is_empty() {
        format!("representative-{person}")
    } else {
        name
    };
    Ok(crate::respond::file_response(ct, bytes, &name))
}

/// "Someone is on the phone": the search, the answer in words, the record of the call.
#[derive(Template)]
#[template(path = "records/caller.html")]
pub struct CallerPage {
    pub chrome: Chrome,
    pub patient: i64,
    /// The card: the patient's name and the calls answered (the found people are in `found`).
    pub card: PeopleView,
    /// What was searched, and whom it found (None before a search).
    pub q: String,
    pub found: Option<PeopleView>,
    pub search_error: Option<String>,
    /// When each answered call was, on the clinic's clock (in the order of `card.calls`).
    pub times: Vec<String>,
    pub r: Refused,
}

impl CallerPage {
    pub fn checks(&self) -> &'static [Check] {
        &Check::ALL
    }
    pub fn time_of(&self, i: &usize) -> &str {
        self.times.get(*i).map_or("", String::as_str)
    }
}

crate::web::chrome::page_response!(CallerPage);

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn caller_notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "recorded" => Some("The call is recorded, with what was shared, in the patient's disclosure log."),
        _ => None,
    }
}

async fn caller_page(
    state: &AppState,
    p: &Principal,
    patient: i64,
    q: String,
    r: Refused,
    notice: Option<&'static str>,
) -> Result<CallerPage, WebError> {
    let card = state.app.people(&p.actor(), patient).await.map_err(WebError::page)?;
    let (found, search_error) = if q.trim().is_empty() {
        (None, None)
    } else {
        match state.app.find_caller(&p.actor(), patient, &q).await {
            Ok(v) => (Some(v), None),
            Err(AppError::Invalid(m)) => (None, Some(m)),
            Err(e) => return Err(WebError::page(e)),
        }
    };
    let zone = state.app.clinic_zone();
    let times = card
        .calls
        .iter()
        .map(|c| crate::web::formats::at(c.at, &zone))
        .collect();
    Ok(CallerPage {
        times,
        chrome: super::chrome(state, p, "/patients").notice(notice),
        patient,
        card,
        q,
        found,
        search_error,
        r,
    })
}

pub async fn caller(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<CallerPage, WebError> {
    caller_page(
        &state,
        &p,
        id,
        String::new(),
        Refused::default(),
        caller_notice(d.done.as_deref()),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    q: String,
}

/// The caller's name is posted, never put in the address (browsers keep addresses in history).
pub async fn search(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<SearchForm>,
) -> Result<CallerPage, WebError> {
    caller_page(&state, &p, id, f.q, Refused::default(), None).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CallForm {
    q: String,
    person: String,
    check_birth_date: Option<String>,
    check_appointment: Option<String>,
    check_call_back: Option<String>,
    check_known: Option<String>,
    check_document: Option<String>,
    shared: String,
}

const CALL_FIELDS: &FieldWords = &[
    ("shared", &["what was shared"]),
    ("checks", &["tick", "authority", "checked"]),
];

pub async fn record(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CallForm>,
) -> Result<Response, WebError> {
    let person: i64 = f.person.trim().parse().unwrap_or_default();
    let ticked = [
        (&f.check_birth_date, Check::KnewBirthDate),
        (&f.check_appointment, Check::KnewAppointment),
        (&f.check_call_back, Check::CalledBack),
        (&f.check_known, Check::KnownToStaff),
        (&f.check_document, Check::DocumentOnFile),
    ];
    let call = CallInput {
        person,
        checks: ticked
            .iter()
            .filter(|(v, _)| v.is_some())
            .map(|(_, c)| c.as_str().to_owned())
            .collect(),
        shared: f.shared.clone(),
    };
    match state.app.record_call(&p.actor(), id, call).await {
        Ok(_) => Ok(urls::caller(id).done("recorded").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let r =
                Refused::new(format!("call-{person}"), &f, e.to_string(), CALL_FIELDS).ids_end_in(&person.to_string());
            let page = caller_page(&state, &p, id, f.q.clone(), r, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}
