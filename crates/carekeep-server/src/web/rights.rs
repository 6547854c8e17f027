//! Patients' requests and the disclosure log, as pages. Thin: the rules are in the app.

use super::chrome;
use super::forms::{FieldWords, Refused};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use askama::Template;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::rights::decisions::{AuthorizationInput, DecisionInput, DocumentInput};
use carekeep_app::rights::{DisclosureInput, RequestInput};
use carekeep_app::{AppError, Principal};
use serde::{Deserialize, Serialize};

async fn requests_page(
    state: &AppState,
    p: &Principal,
    notice: Option<String>,
    error: Option<String>,
) -> Result<RequestsPage, WebError> {
    let actor = p.actor();
    let requests = state.app.patient_requests(&actor, None).await.map_err(WebError::page)?;
    let documents = state
        .app
        .request_documents(&actor, None)
        .await
        .map_err(WebError::page)?;
    Ok(RequestsPage {
        chrome: chrome(state, p, "/requests").notice(notice).error(error),
        requests,
        documents,
        today: state.app.clinic_today().to_string(),
        refused: Refused::default(),
    })
}

pub async fn list(State(state): State<AppState>, PageUser(p): PageUser) -> Result<RequestsPage, WebError> {
    requests_page(&state, &p, None, None).await
}

/// After a form on one request: back to the list, or the list again with the form as typed
/// and its message at its field.
async fn after<T>(
    state: &AppState,
    p: &Principal,
    refused: impl FnOnce(String) -> Refused,
    r: Result<T, AppError>,
) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(urls::requests().redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let mut page = requests_page(state, p, None, None).await?;
            page.refused = refused(e.to_string());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// One request's form, as typed: its element id is `{form}-{request}`, its fields' ids end in
/// `-{request}`.
fn on_request(form: &str, id: i64, typed: &impl Serialize, message: String, fields: &FieldWords) -> Refused {
    Refused::new(format!("{form}-{id}"), typed, message, fields).ids_end_in(&id.to_string())
}

const EXTEND_FIELDS: &FieldWords = &[("ext", &["reason", "delay", "extension"])];

/// Which field of a decision each message is about: the amended note before the amendment,
/// who takes complaints before the basis.
const DECIDE_FIELDS: &FieldWords = &[
    ("note", &["note it amends", "amended note"]),
    ("amend", &["amendment"]),
    (
        "acc",
        &["accommodation", "contacted instead", "confidential communications"],
    ),
    ("contact", &["complaints"]),
    ("out", &["outcome", "must be accepted"]),
    ("why", &["basis", "reason"]),
];

const DOCUMENT_FIELDS: &FieldWords = &[
    ("dh", &["how it was sent"]),
    ("ds", &["date sent"]),
    ("dn", &["note"]),
    ("dk", &["document"]),
];

const TERMINATION_FIELDS: &FieldWords = &[("tn", &["note"]), ("th", &["how it ends", "self-pay"])];

/// Which field of the request form each message is about.
const OPEN_FIELDS: &FieldWords = &[
    ("patient-find", &["patient"]),
    ("received_on", &["received", "date"]),
    ("details", &["what they ask", "details", "request text"]),
    ("kind", &["kind"]),
    ("self_pay", &["self-pay", "out of pocket"]),
];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OpenForm {
    /// The chosen patient's id, set by the picker.
    patient: String,
    /// What was typed to find them (without the picker's script: a patient id).
    patient_find: String,
    kind: String,
    received_on: String,
    details: String,
    self_pay: Option<String>,
}

pub async fn open(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<OpenForm>,
) -> Result<Response, WebError> {
    let chosen = match f.patient.trim() {
        "" => f.patient_find.trim(),
        id => id,
    };
    let r = match chosen.parse::<i64>() {
        Ok(patient) => {
            state
                .app
                .open_request(
                    &p.actor(),
                    patient,
                    RequestInput {
                        kind: f.kind.clone(),
                        received_on: f.received_on.clone(),
                        details: f.details.clone(),
                        self_pay: f.self_pay.is_some(),
                        copy_form: String::new(),
                    },
                )
                .await
        }
        Err(_) => Err(AppError::Invalid(
            "choose the patient: type their name, date of birth, phone or record number, then pick them from the list"
                .into(),
        )),
    };
    match r {
        Ok(_) => Ok(urls::requests().redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let mut page = requests_page(&state, &p, None, None).await?;
            page.refused = Refused::new("open-request", &f, e.to_string(), OPEN_FIELDS);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

const FIND_FIELDS: &FieldWords = &[("log-patient-find", &["patient"])];

/// A patient chosen by name to open their disclosures and authorizations.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FindForm {
    /// The chosen patient's id, set by the picker.
    patient: String,
    /// What was typed to find them (without the picker's script: a patient id).
    patient_find: String,
}

/// Opens a patient's disclosure log and authorizations, the patient chosen by name with the
/// picker: the id goes in the address, never what was typed.
pub async fn find_log(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<FindForm>,
) -> Result<Response, WebError> {
    let chosen = match f.patient.trim() {
        "" => f.patient_find.trim(),
        id => id,
    };
    match chosen.parse::<i64>() {
        Ok(patient) if patient > 0 => Ok(urls::patient_log(patient).redirect()),
        _ => {
            let mut page = requests_page(&state, &p, None, None).await?;
            page.refused = Refused::new(
                "find-log",
                &f,
                "choose the patient: type their name, date of birth, phone or record number, then pick them from the list"
                    .into(),
                FIND_FIELDS,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReasonForm {
    outcome: String,
    reason: String,
}

pub async fn extend(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let r = state.app.extend_request(&p.actor(), id, &f.reason).await;
    after(&state, &p, |m| on_request("extend", id, &f, m, EXTEND_FIELDS), r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DecisionForm {
    outcome: String,
    reason: String,
    contact: String,
    reviewable: Option<String>,
    amendment: String,
    amendment_note: String,
    accommodation: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let note = match f.amendment_note.trim() {
        "" => Ok(None),
        n => n.parse().map(Some).map_err(|_| {
            AppError::Invalid("give the note it amends by its number (like 12), or leave it empty".into())
        }),
    };
    let r = match note {
        Ok(amendment_note) => {
            state
                .app
                .decide_request_with(
                    &p.actor(),
                    id,
                    DecisionInput {
                        outcome: f.outcome.clone(),
                        reason: f.reason.clone(),
                        contact: f.contact.clone(),
                        reviewable: f.reviewable.is_some(),
                        amendment: f.amendment.clone(),
                        amendment_note,
                        accommodation: f.accommodation.clone(),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    after(&state, &p, |m| on_request("decide", id, &f, m, DECIDE_FIELDS), r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TerminationForm {
    how: String,
    note: String,
}

pub async fn terminate(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<TerminationForm>,
) -> Result<Response, WebError> {
    let r = state.app.terminate_restriction(&p.actor(), id, &f.how, &f.note).await;
    after(&state, &p, |m| on_request("end", id, &f, m, TERMINATION_FIELDS), r).await
}

pub async fn letter(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .decision_letter_pdf(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("decision-{id}.pdf"),
    ))
}

pub async fn document(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<DocumentInput>,
) -> Result<Response, WebError> {
    let r = state.app.record_document_sent(&p.actor(), id, f.clone()).await;
    after(&state, &p, |m| on_request("document", id, &f, m, DOCUMENT_FIELDS), r).await
}

async fn log_page(
    state: &AppState,
    p: &Principal,
    patient: i64,
    error: Option<String>,
) -> Result<DisclosuresPage, WebError> {
    let actor = p.actor();
    let log = state
        .app
        .disclosure_log(&actor, patient)
        .await
        .map_err(WebError::page)?;
    let name = state
        .app
        .rights_patient_name(&actor, patient)
        .await
        .map_err(WebError::page)?;
    let authorizations = state
        .app
        .authorizations(&actor, patient)
        .await
        .map_err(WebError::page)?;
    Ok(DisclosuresPage {
        chrome: chrome(state, p, "/requests").error(error),
        patient_id: patient,
        patient: name,
        log,
        authorizations,
        r: Refused::default(),
    })
}

pub async fn log(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(patient): Path<i64>,
) -> Result<DisclosuresPage, WebError> {
    log_page(&state, &p, patient, None).await
}

/// Which field of a disclosure each message is about: the corrected entry and the
/// authorization first, the recipient's address before the recipient.
const DISCLOSURE_FIELDS: &FieldWords = &[
    ("corrects", &["corrected entry"]),
    ("authorization", &["authorization", "rely on it"]),
    ("recipient_address", &["recipient's address"]),
    ("recipient", &["recipient"]),
    ("disclosed_on", &["disclosure date"]),
    ("description", &["description"]),
    ("purpose", &["purpose"]),
    ("basis", &["basis"]),
];

/// Which field of an authorization each message is about (the expiry before the signature:
/// "it expires before it was signed" is about the expiry).
const AUTHORIZATION_FIELDS: &FieldWords = &[
    ("a-expires", &["expiry date", "expiration date", "expires before"]),
    ("a-event", &["expiry event"]),
    ("a-signed", &["date signed", "date it was signed"]),
    ("a-signer", &["who signed", "signed by"]),
    ("a-description", &["description"]),
    ("a-by", &["who may disclose"]),
    ("a-to", &["recipients"]),
    ("a-purpose", &["purpose"]),
];

const REVOKE_FIELDS: &FieldWords = &[("rv", &["revocation", "date"])];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DisclosureForm {
    disclosed_on: String,
    recipient: String,
    recipient_address: String,
    description: String,
    purpose: String,
    basis: String,
    corrects: String,
    authorization: String,
}

pub async fn disclose(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(patient): Path<i64>,
    Form(f): Form<DisclosureForm>,
) -> Result<Response, WebError> {
    let corrects = match f.corrects.trim() {
        "" => Ok(None),
        c => c.parse().map(Some).map_err(|_| {
            AppError::Invalid("give the corrected entry by its number (like 3), or leave it empty".into())
        }),
    };
    let authorization_id = match f.authorization.trim() {
        "" => Ok(None),
        c => c
            .parse()
            .map(Some)
            .map_err(|_| AppError::Invalid("choose the authorization from the list".into())),
    };
    let r = match corrects.and_then(|c| authorization_id.map(|a| (c, a))) {
        Ok((corrects, authorization_id)) => {
            state
                .app
                .record_disclosure(
                    &p.actor(),
                    patient,
                    DisclosureInput {
                        disclosed_on: f.disclosed_on.clone(),
                        recipient: f.recipient.clone(),
                        recipient_address: f.recipient_address.clone(),
                        description: f.description.clone(),
                        purpose: f.purpose.clone(),
                        basis: f.basis.clone(),
                        corrects,
                        authorization_id,
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    let refused = |m| Refused::new("disclosure-form", &f, m, DISCLOSURE_FIELDS);
    after_log(&state, &p, patient, refused, r).await
}

/// After a form on the disclosures page: back to it, or the page again with the form as typed
/// and its message at its field.
async fn after_log<T>(
    state: &AppState,
    p: &Principal,
    patient: i64,
    refused: impl FnOnce(String) -> Refused,
    r: Result<T, AppError>,
) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(urls::patient_log(patient).redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let mut page = log_page(state, p, patient, None).await?;
            page.r = refused(e.to_string());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn authorize(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(patient): Path<i64>,
    Form(f): Form<AuthorizationInput>,
) -> Result<Response, WebError> {
    let r = state.app.record_authorization(&p.actor(), patient, f.clone()).await;
    let refused = |m| Refused::new("authorization-form", &f, m, AUTHORIZATION_FIELDS);
    after_log(&state, &p, patient, refused, r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RevokeForm {
    revoked_on: String,
}

pub async fn revoke(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((patient, id)): Path<(i64, i64)>,
    Form(f): Form<RevokeForm>,
) -> Result<Response, WebError> {
    let r = state.app.revoke_authorization(&p.actor(), id, &f.revoked_on).await;
    let refused = |m| Refused::new(format!("revoke-{id}"), &f, m, REVOKE_FIELDS).ids_end_in(&id.to_string());
    after_log(&state, &p, patient, refused, r).await
}

pub async fn accounting(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(patient): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .accounting_pdf(&p.actor(), patient, "", "")
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("accounting-{patient}.pdf"),
    ))
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "rights/requests.html")]
pub struct RequestsPage {
    pub chrome: Chrome,
    pub requests: Vec<carekeep_app::rights::RequestView>,
    pub documents: Vec<carekeep_app::rights::decisions::DocumentView>,
    pub today: String,
    /// The refused "log a request" form, or a form on one request, as typed.
    pub refused: Refused,
}

#[derive(Template, Debug)]
#[template(path = "rights/disclosures.html")]
pub struct DisclosuresPage {
    pub chrome: Chrome,
    pub patient_id: i64,
    pub patient: String,
    pub log: Vec<carekeep_app::rights::DisclosureView>,
    pub authorizations: Vec<carekeep_app::rights::decisions::AuthorizationView>,
    /// A refused disclosure, authorization or revocation, as typed.
    pub r: Refused,
}

impl RequestsPage {
    /// The documents sent for one request.
    pub fn sent(&self, request: &i64) -> Vec<&carekeep_app::rights::decisions::DocumentView> {
        self.documents.iter().filter(|d| d.request_id == *request).collect()
    }

    pub fn kind_words(&self, kind: &str) -> &'static str {
        carekeep_domain::rights::kind_words(kind)
    }

    pub fn status_words(&self, status: &str) -> &'static str {
        carekeep_domain::rights::status_words(status)
    }
}

impl DisclosuresPage {
    /// A disclosure's basis in words (the code where it is not one this version knows).
    pub fn basis_words<'a>(&self, basis: &'a str) -> &'a str {
        carekeep_domain::rights::accounting::Basis::parse(basis).map_or(basis, |b| b.words())
    }
}

crate::web::chrome::page_response!(RequestsPage, DisclosuresPage);

#[cfg(test)]
mod tests {
    use super::*;

    /// Each message of a decision, a disclosure and an authorization lands at its field.
    #[test]
    fn messages_land_at_their_fields() {
        let table: &[(&FieldWords, &str, &str)] = &[
            (DECIDE_FIELDS, "a denial needs its basis, in plain language (164.524(d)(2)(i), 164.526(d)(1)(i))", "why"),
            (DECIDE_FIELDS, "a denial names who takes complaints, with a phone number (164.524(d)(2)(iii), 164.526(d)(1)(iv))", "contact"),
            (DECIDE_FIELDS, "say how or where the patient is to be contacted instead (164.522(b))", "acc"),
            (DECIDE_FIELDS, "write the amendment to append to the record (164.526(c)(1))", "amend"),
            (DECIDE_FIELDS, "give the note it amends by its number (like 12), or leave it empty", "note"),
            (DECIDE_FIELDS, "the amended note is not in this patient's chart", "note"),
            (DECIDE_FIELDS, "a restriction on telling a health plan about care paid in full out of pocket must be accepted (164.522(a)(1)(vi))", "out"),
            (DISCLOSURE_FIELDS, "the recipient's address is longer than 400 characters (it has 401)", "recipient_address"),
            (DISCLOSURE_FIELDS, "the recipient is needed", "recipient"),
            (DISCLOSURE_FIELDS, "the disclosure date is in the future", "disclosed_on"),
            (DISCLOSURE_FIELDS, "choose the basis of the disclosure (e.g. public_health)", "basis"),
            (DISCLOSURE_FIELDS, "a disclosure under an authorization names the authorization on file", "authorization"),
            (DISCLOSURE_FIELDS, "give the corrected entry by its number (like 3), or leave it empty", "corrects"),
            (AUTHORIZATION_FIELDS, "an authorization needs an expiration date or event (164.508(c)(1)(v))", "a-expires"),
            (AUTHORIZATION_FIELDS, "it expires before it was signed", "a-expires"),
            (AUTHORIZATION_FIELDS, "an authorization needs the date it was signed (164.508(c)(1)(vi))", "a-signed"),
            (AUTHORIZATION_FIELDS, "an authorization needs who signed it (164.508(c)(1)(vi))", "a-signer"),
            (AUTHORIZATION_FIELDS, "an authorization needs who may disclose it (164.508(c)(1)(ii))", "a-by"),
            (AUTHORIZATION_FIELDS, "an authorization needs the recipients (164.508(c)(1)(iii))", "a-to"),
            (DOCUMENT_FIELDS, "the date sent is in the future", "ds"),
            (DOCUMENT_FIELDS, "the how it was sent is needed", "dh"),
            (TERMINATION_FIELDS, "the note is needed", "tn"),
            (TERMINATION_FIELDS, "the clinic may not end the self-pay restriction on its own; only the patient can (164.522(a)(2)(iii))", "th"),
        ];
        for (fields, message, field) in table {
            let r = Refused::new("f", &(), (*message).to_owned(), fields);
            assert_eq!(r.summary("f").map(|s| s.1), Some(*field), "{message}");
        }
    }
}
