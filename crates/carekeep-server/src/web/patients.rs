//! Patient pages: find (as the front desk types), register, and the chart, each shaped by the
//! one policy below (a section the person may not read is not rendered at all).

use super::chrome;
use super::forms::{Refused, RegisterForm, REGISTER_FIELDS};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::when;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use askama::Template;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::records::{contact_input, NewPatient};
use carekeep_app::{AppError, Principal};
use carekeep_domain::{Capability, DataClass, UserId};
use serde::{Deserialize, Serialize};

const PER_PAGE: i64 = 25;

/// The ways a patient may prefer to be reached, with their words (the forms and the card).
pub const CONTACT_METHODS: [(&str, &str); 4] = [
    ("phone", "Phone call"),
    ("text", "Text message"),
    ("email", "Email"),
    ("mail", "Mail"),
];

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    page: Option<i64>,
}

/// The patient list, a page at a time. A search is never in the address (a name, a date of
/// birth or a phone number would sit in the browser's history and in proxies' logs): it is
/// posted to [`search`].
pub async fn list(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(lq): Query<ListQuery>,
) -> Result<PatientsPage, WebError> {
    patients_page(&state, &p, String::new(), lq.page.unwrap_or(1)).await
}

/// The list's search, typed in the box and posted (without script).
pub async fn search(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<PickForm>,
) -> Result<PatientsPage, WebError> {
    patients_page(&state, &p, f.q, 1).await
}

async fn patients_page(state: &AppState, p: &Principal, q: String, page: i64) -> Result<PatientsPage, WebError> {
    let policy = state.app.policy();
    let can_register = policy.access(p.data_roles(), DataClass::Identity).can_write()
        && policy.access(p.data_roles(), DataClass::Contact).can_write();
    let (rows, error, searched, page, pages) = if q.trim().is_empty() {
        let page = state
            .app
            .list_patients(&p.actor(), page, PER_PAGE)
            .await
            .map_err(WebError::page)?;
        let pages = (page.total + PER_PAGE - 1) / PER_PAGE;
        (page.patients, None, false, page.page, pages)
    } else {
        match state.app.search_patients(&p.actor(), &q).await {
            Ok(found) => (found.patients, None, true, 1, 1),
            Err(AppError::Invalid(m)) => (Vec::new(), Some(m), true, 1, 1),
            Err(e) => return Err(WebError::page(e)),
        }
    };
    Ok(PatientsPage {
        chrome: chrome(state, p, "/patients"),
        q,
        error,
        rows,
        searched,
        page,
        pages,
        can_register,
    })
}

/// The result rows alone, for the search box that answers as one types.
pub async fn search_fragment(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<PickForm>,
) -> Result<PatientRows, WebError> {
    match state.app.search_patients(&p.actor(), &f.q).await {
        Ok(found) => Ok(PatientRows {
            rows: found.patients,
            error: None,
            searched: true,
        }),
        Err(AppError::Invalid(m)) => Ok(PatientRows {
            rows: Vec::new(),
            error: Some(m),
            searched: true,
        }),
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PickForm {
    q: String,
}

/// The patient picker's answer as someone types: the same search as the patient list, with
/// its audit event, and the term in the POST body, never in an address that browsers keep in
/// history and proxies log.
pub async fn pick(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<PickForm>,
) -> Result<PatientPicks, WebError> {
    match state.app.search_patients(&p.actor(), &f.q).await {
        Ok(found) => Ok(PatientPicks {
            rows: found.patients,
            error: None,
        }),
        Err(AppError::Invalid(m)) => Ok(PatientPicks {
            rows: Vec::new(),
            error: Some(m),
        }),
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn new_form(State(state): State<AppState>, PageUser(p): PageUser) -> PatientNewPage {
    PatientNewPage {
        chrome: chrome(&state, &p, "/patients"),
        r: Refused::default(),
        f: RegisterForm {
            preferred: "phone".into(),
            ..RegisterForm::default()
        },
    }
}

pub async fn register(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<RegisterForm>,
) -> Result<Response, WebError> {
    let result = match contact_input(&f.phone, &f.email, &f.address, &f.emergency_contact, &f.preferred) {
        Ok(contact) => {
            let input = NewPatient {
                given_name: f.given_name.clone(),
                family_name: f.family_name.clone(),
                date_of_birth: f.date_of_birth.clone(),
                sex: f.sex.clone(),
                contact,
            };
            state.app.register_patient(&p.actor(), input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => Ok(urls::patient(v.id).done("registered").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let page = PatientNewPage {
                chrome: chrome(&state, &p, "/patients"),
                r: Refused::new("register", &f, e.to_string(), REGISTER_FIELDS),
                f,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// Fixed confirmations; nothing from the request is echoed back.
fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "registered" => "Patient registered.",
        "saved" => "Saved.",
        "forms_sent" => "Forms sent to the patient's portal. Nothing is texted or emailed now: the visit's reminder links to them, or ask the patient to sign in to the portal.",
        "booked" => "Appointment booked.",
        "status" => "Appointment updated.",
        "note" => "Note saved as a draft.",
        "signed" => "Note signed. It can no longer be changed, only addended.",
        "addendum" => "Addendum added.",
        "amendment" => "The accepted amendment is filed in the chart.",
        "entry" => "Added to the chart.",
        "uploaded" => "File uploaded.",
        "invoice" => "Invoice created.",
        "codes" => "Codes saved.",
        "payment" => "Payment recorded.",
        "glass" => "Emergency access opened. It is recorded and reported to the compliance officer.",
        "restriction" => "Restriction saved.",
        "npp" => "Notice of Privacy Practices acknowledgment recorded.",
        "person" => "Person involved in care added.",
        "representative" => "Personal representative added, with their document.",
        "revoked" => "Agreement withdrawn. They may not be told anything from now on.",
        "suspended" => "Representative suspended. They are no longer treated as the patient's representative.",
        "own_consent" => "Marked as care the minor consented to alone.",
        "esign_withdrawn" => "Withdrawal recorded: give this patient's forms on paper from now on. Forms already signed stay signed.",
        "esign_none" => "Nothing to withdraw: that person had no consent to sign electronically in effect. The portal asks for it before any form.",
        _ => return None,
    })
}

/// The chart page for `id`, with an optional error from a form just sent.
pub(crate) async fn chart_page(
    state: &AppState,
    p: &Principal,
    id: i64,
    error: Option<String>,
    done: Option<&str>,
) -> Result<ChartPage, WebError> {
    let v = state.app.patient(&p.actor(), id).await.map_err(WebError::page)?;
    let providers = state
        .app
        .bookable_providers()
        .await
        .map_err(WebError::page)?
        .into_iter()
        .map(|(id, name)| StaffOption { id: id.0, name })
        .collect();
    let head = super::chart_header::build(&v, state.app.now());
    let photos = v
        .clinical
        .as_ref()
        .map(|cl| super::chart_photos::group(&cl.attachments))
        .unwrap_or_default();
    // Forms in the record (issue 28, item 6): for a reader of the scheduling class.
    let signed_forms = match v.scheduling {
        Some(_) => Some(state.app.chart_forms(&p.actor(), id).await.map_err(WebError::page)?),
        None => None,
    };
    let people = match v.contact {
        Some(_) => Some(state.app.people(&p.actor(), id).await.map_err(WebError::page)?),
        None => None,
    };
    // The header's forms line (issue 28): the forms of the card still to fill or to review,
    // from the card's one audited read, and whether they must be on paper (the E-SIGN
    // consent was withdrawn, 15 U.S.C. 7001(c)(1)(A)).
    let forms = signed_forms.as_ref().map(|card| {
        card.forms
            .iter()
            .map(|f| f.line.clone())
            .filter(|f| f.status != carekeep_domain::forms::Status::Reviewed)
            .collect()
    });
    let paper_forms = signed_forms
        .as_ref()
        .and_then(|card| card.paper_since)
        .map(|t| super::formats::date(t.date()));
    let form_offers = state
        .app
        .form_templates(&p.actor())
        .await
        .map_err(WebError::page)?
        .into_iter()
        .filter(|t| !t.retired)
        .map(|t| (t.id, t.title))
        .collect();
    Ok(ChartPage {
        forms,
        paper_forms,
        form_offers,
        signed_forms,
        zone: state.app.clinic_zone(),
        people,
        chrome: chrome(state, p, "/patients").notice(notice(done)).error(error),
        head,
        photos,
        v,
        providers,
        today: state.app.clinic_today().to_string(),
        can_restrict: state.app.policy().has_capability(&p.roles, Capability::ManageProgram),
        me: p.user_id.0,
        r: Refused::default(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<ChartPage, WebError> {
    chart_page(&state, &p, id, None, d.done.as_deref()).await
}

/// After a change from the chart: back to it (with a confirmation), or the chart again with
/// the message when the input needs fixing.
pub(crate) async fn after_change<T>(
    state: &AppState,
    p: &Principal,
    patient: i64,
    done: &str,
    anchor: &str,
    result: Result<T, AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(urls::patient(patient).done(done).at(anchor).redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = chart_page(state, p, patient, Some(e.to_string()), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// As `after_change`, and a refused form comes back as typed, its message at its field.
pub(crate) async fn after_form<T>(
    state: &AppState,
    p: &Principal,
    patient: i64,
    (done, section): (&str, &str),
    refused: impl FnOnce(String) -> Refused,
    result: Result<T, AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(urls::patient(patient).done(done).at(section).redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let mut page = chart_page(state, p, patient, None, None).await?;
            page.r = refused(e.to_string());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IdentityForm {
    given_name: String,
    family_name: String,
    date_of_birth: String,
    sex: String,
}

pub async fn set_identity(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<IdentityForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .update_identity(&p.actor(), id, &f.given_name, &f.family_name, &f.date_of_birth, &f.sex)
        .await;
    let refused = |message| Refused::new("identity-form", &f, message, REGISTER_FIELDS);
    after_form(&state, &p, id, ("saved", "identity"), refused, r).await
}

pub async fn set_contact(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<RegisterForm>,
) -> Result<Response, WebError> {
    let r = match contact_input(&f.phone, &f.email, &f.address, &f.emergency_contact, &f.preferred) {
        Ok(c) => state.app.update_contact(&p.actor(), id, c).await,
        Err(e) => Err(e),
    };
    let refused = |message| Refused::new("contact-form", &f, message, REGISTER_FIELDS);
    after_form(&state, &p, id, ("saved", "contact"), refused, r).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct GlassForm {
    kind: String,
    reason: String,
}

const GLASS_FIELDS: &crate::web::forms::FieldWords = &[("glass-reason", &["reason", "words", "details"])];

pub async fn break_glass(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<GlassForm>,
) -> Result<Response, WebError> {
    let r = state.app.break_glass(&p.actor(), id, &f.kind, &f.reason).await;
    let refused = |message| Refused::new("glass-form", &f, message, GLASS_FIELDS);
    after_form(&state, &p, id, ("glass", "main"), refused, r).await
}

#[derive(Debug, Deserialize)]
pub struct RestrictionForm {
    #[serde(default)]
    restricted: Option<String>,
    #[serde(default)]
    provider: Vec<i64>,
}

const RESTRICTION_FIELDS: &crate::web::forms::FieldWords =
    &[("restrict-providers", &["provider", "clinical role", "staff account"])];

pub async fn set_restriction(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<RestrictionForm>,
) -> Result<Response, WebError> {
    let providers: Vec<UserId> = f.provider.iter().copied().map(UserId).collect();
    let r = state
        .app
        .set_restriction(&p.actor(), id, f.restricted.is_some(), &providers)
        .await;
    // The ticks as given: `restricted`, and `provider-{id}` for each provider ticked.
    let typed: std::collections::BTreeMap<String, String> = f
        .restricted
        .iter()
        .map(|_| ("restricted".to_owned(), "yes".to_owned()))
        .chain(f.provider.iter().map(|p| (format!("provider-{p}"), "yes".to_owned())))
        .collect();
    let refused = |message| Refused::new("restriction-form", &typed, message, RESTRICTION_FIELDS);
    after_form(&state, &p, id, ("restriction", "main"), refused, r).await
}

/// A photo or document, shown in the chart; each fetch is an audited attachment view.
pub async fn attachment(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = state
        .app
        .attachment(&p.actor(), id, attachment)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(ct, bytes, &name))
}

/// The record as the reader may see it, as a FHIR R4 file (for an access request); audited as
/// an export.
pub async fn export_fhir(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bundle = state.app.fhir_export(&p.actor(), id).await.map_err(WebError::page)?;
    let bytes = serde_json::to_vec_pretty(&bundle).map_err(|e| WebError::page(AppError::Internal(e.to_string())))?;
    Ok(crate::respond::file_response(
        "application/fhir+json".into(),
        bytes,
        &format!("patient-{id}.fhir.json"),
    ))
}

/// The same record as a readable PDF.
pub async fn export_pdf(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state.app.record_pdf(&p.actor(), id).await.map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("patient-{id}-record.pdf"),
    ))
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NppAckForm {
    kind: String,
    reason: String,
}

const NPP_FIELDS: &crate::web::forms::FieldWords = &[("npp-reason", &["reason", "what was tried"])];

/// Records the patient's acknowledgement of the notice, or the good-faith effort.
pub async fn npp_ack(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<NppAckForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .record_npp_ack(&p.actor(), id, f.kind == "signed", &f.reason)
        .await;
    let refused = |message| Refused::new("npp-form", &f, message, NPP_FIELDS);
    after_form(&state, &p, id, ("npp", "main"), refused, r).await
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "records/patients.html")]
pub struct PatientsPage {
    pub chrome: Chrome,
    pub q: String,
    pub error: Option<String>,
    pub rows: Vec<carekeep_app::records::view::PatientSummary>,
    pub searched: bool,
    pub page: i64,
    pub pages: i64,
    pub can_register: bool,
}

/// Patients offered to choose from as someone types (the patient picker).
#[derive(Template, Debug)]
#[template(path = "records/patient_picks.html")]
pub struct PatientPicks {
    pub rows: Vec<carekeep_app::records::view::PatientSummary>,
    pub error: Option<String>,
}

impl PatientPicks {
    /// `Pemberton, Harriet, born 05/05/1970, MRN-000004`: what the picker shows once chosen.
    pub fn label(&self, r: &carekeep_app::records::view::PatientSummary) -> String {
        match &r.identity {
            Some(i) => format!(
                "{}, {}, born {}, {}",
                i.family_name,
                i.given_name,
                crate::web::formats::iso_date(&i.date_of_birth),
                i.record_number
            ),
            None => format!("Patient {}", r.id),
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "records/patient_rows.html")]
pub struct PatientRows {
    pub rows: Vec<carekeep_app::records::view::PatientSummary>,
    pub error: Option<String>,
    pub searched: bool,
}

#[derive(Template, Debug)]
#[template(path = "records/patient_new.html")]
pub struct PatientNewPage {
    pub chrome: Chrome,
    pub r: Refused,
    pub f: RegisterForm,
}

/// A staff member offered in a form.
#[derive(Debug)]
pub struct StaffOption {
    pub id: i64,
    pub name: String,
}

#[derive(Template, Debug)]
#[template(path = "records/patient.html")]
pub struct ChartPage {
    pub chrome: Chrome,
    /// What a clinician needs first: allergies, problems, medications, alerts, what is next.
    pub head: super::chart_header::ChartHeader,
    /// The chart's photos by area and visit, oldest first.
    pub photos: Vec<super::chart_photos::Area>,
    pub v: carekeep_app::records::view::PatientView,
    pub providers: Vec<StaffOption>,
    pub today: String,
    pub can_restrict: bool,
    pub me: i64,
    /// People acting for the patient, for a reader of the contact class.
    pub people: Option<carekeep_app::people::PeopleView>,
    /// The forms asked of the patient, not yet reviewed, with their status (scheduling).
    pub forms: Option<Vec<carekeep_app::forms::FormLine>>,
    /// `12/06/2026`: the day the consent to sign electronically was withdrawn; forms on paper.
    pub paper_forms: Option<String>,
    /// The clinic's forms staff may send, `(template, title)`.
    pub form_offers: Vec<(i64, String)>,
    /// The patient's forms card (issue 28): statuses, and for clinicians the signer and review.
    pub signed_forms: Option<carekeep_app::forms::ChartForms>,
    pub zone: carekeep_domain::zone::ClinicZone,
    /// A refused chart form, shown again as typed.
    pub r: Refused,
}

impl ChartPage {
    /// Whether the refused coding form `form` is about the line whose fields are `pc` and `dc`.
    pub fn refused_line(&self, form: &str, pc: &str, dc: &str) -> bool {
        self.r
            .summary(form)
            .is_some_and(|(_, target)| target == pc || target == dc)
    }

    pub fn when(&self, s: &str) -> String {
        when(s)
    }
    /// A time of the forms card on the clinic's clock.
    pub fn at(&self, t: &time::OffsetDateTime) -> String {
        crate::web::formats::at(*t, &self.zone)
    }
    /// The usual reasons to break glass, offered before one's own words.
    pub fn glass_reasons(&self) -> &'static [(&'static str, &'static str)] {
        carekeep_domain::records::break_glass::REASONS
    }
    pub fn writes(&self, class: &str) -> bool {
        self.v.access.writes(class)
    }
    /// Whether a form still waits for the patient (the header's alert).
    pub fn forms_waiting(&self) -> bool {
        self.forms.as_ref().is_some_and(|l| l.iter().any(|f| !f.status.done()))
    }
    /// Whether the reader sees the clinical record (and so a form's answers).
    pub fn reads_clinical(&self) -> bool {
        self.v.clinical.is_some()
    }

    /// The chart's visits and notes as `(item, label, marked)` for the own-consent marking
    /// (164.502(g)(3)): `appointment-7` or `note-3`, with the date and what it was.
    pub fn consent_items(&self) -> Vec<(String, String, bool)> {
        let marked = |kind: &str, id: i64| {
            self.people
                .as_ref()
                .is_some_and(|pp| pp.own_consent.iter().any(|(k, i)| k == kind && *i == id))
        };
        let mut out = Vec::new();
        if let Some(s) = &self.v.scheduling {
            for a in &s.appointments {
                out.push((
                    format!("appointment-{}", a.id),
                    format!("Visit {}: {}", when(&a.start), a.service),
                    marked("appointment", a.id),
                ));
            }
        }
        if let Some(c) = &self.v.clinical {
            for e in &c.encounters {
                out.push((
                    format!("note-{}", e.id),
                    format!("Note {} by {}", when(&e.at), e.author_name),
                    marked("note", e.id),
                ));
            }
        }
        out
    }

    /// Today in US form, the default date of a patient's agreement.
    pub fn today_us(&self) -> String {
        crate::web::formats::us_dates(&self.today)
    }

    pub fn involved_count(&self) -> usize {
        self.people
            .as_ref()
            .map_or(0, |pp| pp.people.iter().filter(|x| !x.representative).count())
    }

    pub fn representative_count(&self) -> usize {
        self.people
            .as_ref()
            .map_or(0, |pp| pp.people.iter().filter(|x| x.representative).count())
    }

    pub fn topics(&self) -> &'static [carekeep_domain::people::Topic] {
        &carekeep_domain::people::Topic::ALL
    }

    pub fn agreements(&self) -> &'static [carekeep_domain::people::Agreement] {
        &carekeep_domain::people::Agreement::ALL
    }

    pub fn bases(&self) -> &'static [carekeep_domain::people::RepBasis] {
        &carekeep_domain::people::RepBasis::ALL
    }
}

crate::web::chrome::page_response!(PatientsPage, PatientPicks, PatientRows, PatientNewPage, ChartPage);
