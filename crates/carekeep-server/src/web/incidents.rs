//! Incident pages: the report form for everyone (two clicks from any page), and the log and
//! the incident for those who handle incidents. Thin: the rules are in the domain and app.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use askama::Template;

use super::forms::{FieldWords, Refused};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::incidents::{
    DeterminationInput, ReportInput, ScopeCandidate, ScopePreview, ScopeSearch, PREVIEW_PAGE,
};
use carekeep_app::{AppError, Principal};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Reported {
    reported: Option<i64>,
}

pub async fn new(State(state): State<AppState>, PageUser(p): PageUser, Query(q): Query<Reported>) -> IncidentNewPage {
    IncidentNewPage {
        chrome: chrome(&state, &p, "/incidents/new").notice(q.reported.map(|id| {
            format!(
                "Thank you: incident {id} is recorded and the compliance officer has been told. \
                 If you learn more, tell them directly."
            )
        })),
        today: state.app.clinic_today().to_string(),
        done: q.reported,
        r: Refused::default(),
        kinds: carekeep_domain::incidents::kinds::KINDS.to_vec(),
    }
}

/// Which field of the report each of the use case's messages is about.
const REPORT_FIELDS: &FieldWords = &[
    ("title", &["title"]),
    ("what_happened", &["description"]),
    ("occurred_on", &["date it happened"]),
    ("discovered_on", &["discovery date", "future"]),
    ("systems", &["systems"]),
];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReportForm {
    pub title: String,
    pub what_happened: String,
    pub occurred_on: String,
    pub discovered_on: String,
    pub systems: String,
    pub kind: String,
}

pub async fn report(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<ReportForm>,
) -> Result<Response, WebError> {
    let input = ReportInput {
        title: f.title.clone(),
        what_happened: f.what_happened.clone(),
        occurred_on: f.occurred_on.clone(),
        discovered_on: f.discovered_on.clone(),
        systems: f.systems.clone(),
        kind: f.kind.clone(),
        ..ReportInput::default()
    };
    match state.app.report_incident(&p.actor(), input).await {
        Ok(id) => Ok(urls::new_incident().with("reported", id).redirect()),
        Err(e @ AppError::Invalid(_)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            IncidentNewPage {
                chrome: chrome(&state, &p, "/incidents/new"),
                today: state.app.clinic_today().to_string(),
                done: None,
                r: Refused::new("report", &f, e.to_string(), REPORT_FIELDS),
                kinds: carekeep_domain::incidents::kinds::KINDS.to_vec(),
            },
        )
            .into_response()),
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn list(State(state): State<AppState>, PageUser(p): PageUser) -> Result<IncidentsPage, WebError> {
    let incidents = state.app.incidents(&p.actor()).await.map_err(WebError::page)?;
    Ok(IncidentsPage {
        chrome: chrome(&state, &p, "/incidents"),
        incidents,
        year: state.app.clinic_today().year() - 1,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<IncidentPage, WebError> {
    page(&state, &p, id, q.done.map(|d| format!("Saved ({d})")), None).await
}

async fn page(
    state: &AppState,
    p: &Principal,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<IncidentPage, WebError> {
    let i = state.app.incident(&p.actor(), id).await.map_err(WebError::page)?;
    let in_scope = match i.scope.patients {
        0 => Vec::new(),
        _ => state.app.scope_patients(&p.actor(), id).await.map_err(WebError::page)?,
    };
    Ok(IncidentPage {
        chrome: chrome(state, p, "/incidents").notice(notice).error(error),
        i,
        in_scope,
        preview: None,
        search: ScopeForm::default(),
        named: NameForm::default(),
        r: Refused::default(),
    })
}

async fn after<T>(
    state: &AppState,
    p: &Principal,
    id: i64,
    part: &str,
    r: Result<T, AppError>,
) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(urls::incident(id).done(part).at(part).redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = page(state, p, id, None, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// As `after`, for a form that comes back as typed with its message at its field.
async fn after_form<T>(
    state: &AppState,
    p: &Principal,
    id: i64,
    part: &str,
    refused: impl FnOnce(String) -> Refused,
    r: Result<T, AppError>,
) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(urls::incident(id).done(part).at(part).redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let mut page = page(state, p, id, None, None).await?;
            page.r = refused(e.to_string());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// Which field of the determination each of the use case's messages is about (the first
/// whose words the message holds: the official before the oral statement, the statement's
/// date before the states).
const DETERMINATION_FIELDS: &FieldWords = &[
    ("law_enforcement_official", &["official"]),
    (
        "law_enforcement_until",
        &["end of the law-enforcement delay", "written confirmation's end date"],
    ),
    ("law_enforcement_stated_on", &["statement date", "oral statement"]),
    ("law_enforcement", &["law-enforcement delay"]),
    ("discovered_on", &["discovery date"]),
    ("occurred_on", &["date it happened"]),
    ("discovered_by", &["who knew first"]),
    ("unreachable", &["without contact details"]),
    ("affected", &["number affected"]),
    ("by_state", &["state"]),
    ("safeguard", &["safeguard"]),
    ("exclusion_reason", &["exclusion"]),
    ("low_probability", &["all four factors"]),
    ("nature_and_extent", &["factor 1"]),
    ("unauthorized_person", &["factor 2"]),
    ("acquired_or_viewed", &["factor 3"]),
    ("mitigation", &["factor 4"]),
    ("steps_for_individuals", &["steps for individuals"]),
    ("what_we_are_doing", &["what the clinic is doing"]),
    ("contact_for_questions", &["contact for questions"]),
    ("status", &["status"]),
];

/// The determination form; checkboxes arrive only when ticked, numbers as text.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DeterminationForm {
    phi_involved: Option<String>,
    safeguard: String,
    key_compromised: Option<String>,
    exclusion: String,
    exclusion_reason: String,
    nature_and_extent: String,
    unauthorized_person: String,
    acquired_or_viewed: String,
    mitigation: String,
    low_probability: Option<String>,
    discovered_on: String,
    discovered_by: String,
    occurred_on: String,
    affected: String,
    by_state: String,
    unreachable: String,
    law_enforcement: String,
    law_enforcement_stated_on: String,
    law_enforcement_until: String,
    law_enforcement_official: String,
    business_associate: Option<String>,
    status: String,
    steps_for_individuals: String,
    what_we_are_doing: String,
    contact_for_questions: String,
}

fn count(label: &str, s: &str) -> Result<u32, AppError> {
    match s.trim() {
        "" => Ok(0),
        n => n
            .parse()
            .map_err(|_| AppError::Invalid(format!("the {label} must be a whole number"))),
    }
}

pub async fn determine(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<DeterminationForm>,
) -> Result<Response, WebError> {
    let r = async {
        let input = DeterminationInput {
            phi_involved: f.phi_involved.is_some(),
            safeguard: f.safeguard.clone(),
            key_compromised: f.key_compromised.is_some(),
            exclusion: f.exclusion.clone(),
            exclusion_reason: f.exclusion_reason.clone(),
            nature_and_extent: f.nature_and_extent.clone(),
            unauthorized_person: f.unauthorized_person.clone(),
            acquired_or_viewed: f.acquired_or_viewed.clone(),
            mitigation: f.mitigation.clone(),
            low_probability: f.low_probability.is_some(),
            discovered_on: f.discovered_on.clone(),
            discovered_by: f.discovered_by.clone(),
            occurred_on: f.occurred_on.clone(),
            affected: count("number affected", &f.affected)?,
            by_state: f.by_state.clone(),
            unreachable: count("number without contact details", &f.unreachable)?,
            law_enforcement: f.law_enforcement.clone(),
            law_enforcement_stated_on: f.law_enforcement_stated_on.clone(),
            law_enforcement_until: f.law_enforcement_until.clone(),
            law_enforcement_official: f.law_enforcement_official.clone(),
            business_associate: f.business_associate.is_some(),
            status: f.status.clone(),
            steps_for_individuals: f.steps_for_individuals.clone(),
            what_we_are_doing: f.what_we_are_doing.clone(),
            contact_for_questions: f.contact_for_questions.clone(),
        };
        state.app.determine_incident(&p.actor(), id, input).await
    }
    .await;
    let refused = |message| Refused::new("determination-form", &f, message, DETERMINATION_FIELDS);
    after_form(&state, &p, id, "determination", refused, r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActionForm {
    text: String,
}

const ACTION_FIELDS: &FieldWords = &[("action_text", &["action", "what was done"])];

pub async fn add_action(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Result<Response, WebError> {
    let r = state.app.add_incident_action(&p.actor(), id, &f.text).await;
    let refused = |message| Refused::new("action-form", &f, message, ACTION_FIELDS);
    after_form(&state, &p, id, "timeline", refused, r).await
}

/// An audit search for the scope: previewed first, adopted with the same fields.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScopeForm {
    username: String,
    from: String,
    to: String,
    action: String,
    class: String,
    /// Which page of the preview (its first patient's place among those found); not a field
    /// anyone types, so anything but a number is the first page.
    offset: String,
}

impl ScopeForm {
    fn offset(&self) -> usize {
        self.offset.trim().parse().unwrap_or(0)
    }

    fn search(&self) -> Result<ScopeSearch, AppError> {
        use crate::api::incidents::window_edge;
        if self.username.trim().is_empty() {
            return Err(AppError::Invalid("say whose activity to search (their login)".into()));
        }
        ScopeSearch {
            username: self.username.clone(),
            from: window_edge("the start of the window", &self.from, false)?,
            to: window_edge("the end of the window", &self.to, true)?,
            action: None,
            class: None,
        }
        .narrowed(&self.action, &self.class)
    }
}

/// A patient named by the person handling the incident, found with the picker.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    /// The chosen patient's id, set by the picker.
    patient: String,
    /// What was typed to find them (without the picker's script: a patient id).
    patient_find: String,
    /// The classes involved, one per ticked box.
    class: Vec<String>,
}

/// Which field of the audit search each message is about.
const SEARCH_FIELDS: &FieldWords = &[
    ("username", &["login", "whose activity"]),
    ("from", &["start of the window", "ends before it starts"]),
    ("to", &["end of the window"]),
    ("action", &["action"]),
    ("class", &["kind of information"]),
];

/// Which field of "name a patient" each message is about.
const NAME_FIELDS: &FieldWords = &[("name-classes", &["involved"]), ("patient-find", &["patient"])];

/// The page again with the message at the scope form's field and what was typed kept (the
/// forms hold their own values: `search` and `named`).
async fn scope_refused(
    state: &AppState,
    p: &Principal,
    id: i64,
    e: AppError,
    search: ScopeForm,
    named: NameForm,
    form: &'static str,
) -> Result<Response, WebError> {
    match e {
        AppError::Invalid(_) | AppError::Conflict(_) => {
            let mut page = page(state, p, id, None, None).await?;
            let fields = if form == "name-patient" {
                NAME_FIELDS
            } else {
                SEARCH_FIELDS
            };
            page.r = Refused::new(form, &(), e.to_string(), fields);
            page.search = search;
            page.named = named;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        e => Err(WebError::page(e)),
    }
}

/// Shows what an audit search would add, to review before adopting it.
pub async fn scope_preview(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ScopeForm>,
) -> Result<Response, WebError> {
    let r = match f.search() {
        Ok(s) => state.app.preview_scope(&p.actor(), id, &s, f.offset(), None).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(found) => {
            let mut page = page(&state, &p, id, None, None).await?;
            page.preview = Some(found);
            page.search = f;
            Ok(page.into_response())
        }
        Err(e) => scope_refused(&state, &p, id, e, f, NameForm::default(), "search-trail").await,
    }
}

/// Adopts a previewed audit search into the scope.
pub async fn scope(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ScopeForm>,
) -> Result<Response, WebError> {
    let r = match f.search() {
        Ok(s) => state.app.scope_incident(&p.actor(), id, &s).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(urls::incident(id).done("scope").at("scope").redirect()),
        Err(e) => scope_refused(&state, &p, id, e, f, NameForm::default(), "search-trail").await,
    }
}

/// Adds one patient, named by the person handling the incident.
pub async fn scope_name(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<NameForm>,
) -> Result<Response, WebError> {
    let chosen = match f.patient.trim() {
        "" => f.patient_find.trim(),
        id => id,
    };
    let r = match chosen.parse::<i64>() {
        Ok(patient) => state.app.name_in_scope(&p.actor(), id, patient, &f.class).await,
        Err(_) => Err(AppError::Invalid(
            "choose the patient: type their name, date of birth, phone or record number, then pick them from the list"
                .into(),
        )),
    };
    match r {
        Ok(_) => Ok(urls::incident(id).done("scope").at("scope").redirect()),
        Err(e) => scope_refused(&state, &p, id, e, ScopeForm::default(), f, "name-patient").await,
    }
}

/// Takes one patient out of the scope.
pub async fn scope_remove(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, patient)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let r = state.app.remove_from_scope(&p.actor(), id, patient).await;
    after(&state, &p, id, "scope", r).await
}

/// Empties the scope to choose it again.
pub async fn scope_clear(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state.app.clear_scope(&p.actor(), id).await;
    after(&state, &p, id, "scope", r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DoneForm {
    state: String,
    note: String,
}

const DONE_FIELDS: &FieldWords = &[("note", &["note", "how"])];

/// The element id's end of one notice's "mark done" form: its kind, and its state for a
/// notice owed per state.
pub(crate) fn done_suffix(kind: &str, state: Option<&str>) -> String {
    match state {
        Some(st) => format!("{kind}-{st}"),
        None => kind.to_owned(),
    }
}

pub async fn obligation_done(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    Form(f): Form<DoneForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .complete_obligation(&p.actor(), id, &kind, &f.state, &f.note)
        .await;
    let suffix = done_suffix(&kind, Some(f.state.as_str()).filter(|s| !s.is_empty()));
    let refused = |message| Refused::new(format!("done-{suffix}"), &f, message, DONE_FIELDS).ids_end_in(&suffix);
    after_form(&state, &p, id, "obligations", refused, r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SentForm {
    method: String,
}

pub async fn letters_sent(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<SentForm>,
) -> Result<Response, WebError> {
    let r = state.app.record_letters_sent(&p.actor(), id, &f.method).await;
    after(&state, &p, id, "obligations", r).await
}

pub async fn letters(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<crate::api::incidents::LettersQuery>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .breach_letters_pdf(&p.actor(), id, q.patient)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("incident-{id}-letters.pdf"),
    ))
}

pub async fn record(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .incident_record_pdf(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("incident-{id}.pdf"),
    ))
}

pub async fn breach_log(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let year: i32 = file
        .strip_suffix(".csv")
        .and_then(|y| y.parse().ok())
        .ok_or_else(|| WebError::page(AppError::NotFound("breach log")))?;
    let bytes = state
        .app
        .breach_log_csv(&p.actor(), year)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "text/csv".into(),
        bytes,
        &format!("breach-log-{year}.csv"),
    ))
}

const ATTACH_FIELDS: &FieldWords = &[("file", &["file", "pdf", "image", "attach"])];

/// An attachment: a multipart form (the CSRF token is its first field).
pub async fn attach(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let file = super::file_field(&mut form).await?;
    let r = match file {
        Some((name, bytes)) => state.app.attach_to_incident(&p.actor(), id, &name, &bytes).await,
        None => Err(AppError::Invalid("choose a file to attach".into())),
    };
    // Nothing typed to keep (a browser cannot put a chosen file back): the message at the file.
    let refused = |message| Refused::new("attach-form", &(), message, ATTACH_FIELDS);
    after_form(&state, &p, id, "timeline", refused, r).await
}

pub async fn attachment(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = state
        .app
        .incident_attachment(&p.actor(), id, aid)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(ct, bytes, &name))
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "incidents/incident_new.html")]
pub struct IncidentNewPage {
    pub chrome: Chrome,
    pub today: String,
    pub done: Option<i64>,
    /// A refused report, kept as typed.
    pub r: Refused,
    /// The kinds of incident, code and words.
    pub kinds: Vec<(&'static str, &'static str)>,
}

#[derive(Template, Debug)]
#[template(path = "incidents/incidents.html")]
pub struct IncidentsPage {
    pub chrome: Chrome,
    pub incidents: Vec<carekeep_app::incidents::IncidentSummary>,
    pub year: i32,
}

#[derive(Template, Debug)]
#[template(path = "incidents/incident.html")]
pub struct IncidentPage {
    pub chrome: Chrome,
    pub i: carekeep_app::incidents::IncidentView,
    /// The patients in the scope, by name, each removable.
    pub in_scope: Vec<ScopeCandidate>,
    /// What an audit search would add, shown for review before it is adopted.
    pub preview: Option<ScopePreview>,
    /// The scope section's error, shown there.
    /// The audit search as typed.
    pub search: ScopeForm,
    /// The patient naming form as typed.
    pub named: NameForm,
    /// A refused determination, action or "mark done" form, as typed.
    pub r: Refused,
}

impl IncidentPage {
    /// The kinds of information offered for a named patient: `(class, words)`.
    pub fn class_choices(&self) -> Vec<(&'static str, &'static str)> {
        carekeep_domain::DataClass::ALL
            .iter()
            .map(|c| (c.as_str(), carekeep_domain::incidents::letters::class_label(c.as_str())))
            .collect()
    }

    /// Whether the audit search as typed chose this action or class.
    pub fn searched(&self, field: &str, value: &str) -> bool {
        match field {
            "action" => self.search.action == value,
            _ => self.search.class == value,
        }
    }

    /// The element id's end of one notice's "mark done" form.
    pub fn done_id(&self, kind: &str, state: &Option<String>) -> String {
        done_suffix(kind, state.as_deref())
    }

    pub fn ticked(&self, class: &str) -> bool {
        self.named.class.iter().any(|c| c == class)
    }

    /// The preview's page in words: "Patients 51 to 100 of 230", or nothing when one page
    /// holds them all.
    pub fn preview_place(&self) -> String {
        match &self.preview {
            Some(f) if f.total > f.patients.len() => format!(
                "Patients {} to {} of {}, by record number",
                f.offset + 1,
                f.offset + f.patients.len(),
                f.total
            ),
            _ => String::new(),
        }
    }

    /// Where the previous and the next page of the preview start, where there is one.
    pub fn preview_pages(&self) -> (Option<usize>, Option<usize>) {
        match &self.preview {
            Some(f) => (
                (f.offset > 0).then(|| f.offset.saturating_sub(PREVIEW_PAGE)),
                (f.offset + f.patients.len() < f.total).then_some(f.offset + f.patients.len()),
            ),
            None => (None, None),
        }
    }
}

crate::web::chrome::page_response!(IncidentNewPage, IncidentsPage, IncidentPage);

#[cfg(test)]
mod tests {
    use super::*;

    /// Each message the determination's use case gives lands at the field it is about.
    #[test]
    fn determination_messages_land_at_their_fields() {
        for (message, field) in [
            ("the number affected must be a whole number", "affected"),
            (
                "the number without contact details must be a whole number",
                "unreachable",
            ),
            ("more people without contact details than affected", "unreachable"),
            ("the counts by state add up to 4, more than the 3 affected", "by_state"),
            ("'Texas' is not a US state or territory code", "by_state"),
            ("the discovery date is in the future", "discovered_on"),
            ("the date it happened must look like 04/23/2026", "occurred_on"),
            (
                "record who the official is (name, agency) with an oral statement (164.412(b))",
                "law_enforcement_official",
            ),
            (
                "the date of the oral statement is needed (like 04/23/2026)",
                "law_enforcement_stated_on",
            ),
            (
                "the statement date must look like 04/23/2026",
                "law_enforcement_stated_on",
            ),
            (
                "the end of the law-enforcement delay is needed (like 04/23/2026)",
                "law_enforcement_until",
            ),
            (
                "the law-enforcement delay is written, oral, or empty",
                "law_enforcement",
            ),
            (
                "write why the exclusion applies: the clinic carries the burden of proof (164.414(b))",
                "exclusion_reason",
            ),
            (
                "a low probability of compromise must rest on all four factors, each written out (164.402(2))",
                "low_probability",
            ),
            (
                "the factor 3 is longer than 4000 characters (it has 4001)",
                "acquired_or_viewed",
            ),
            (
                "the steps for individuals is longer than 4000 characters (it has 4001)",
                "steps_for_individuals",
            ),
            (
                "the contact for questions must fit on one line",
                "contact_for_questions",
            ),
            ("the status is open or closed", "status"),
        ] {
            let r = Refused::new("d", &(), message.to_owned(), DETERMINATION_FIELDS);
            assert_eq!(r.summary("d").map(|s| s.1), Some(field), "{message}");
        }
    }
}
