//! Compliance program pages: the dashboard, vendors and their BAAs.

use super::chrome;
use super::forms::{FieldWords, Refused, VendorForm};
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
use carekeep_app::program::vendor_security::VendorSecurityInput;
use carekeep_app::{AppError, Principal};
use serde::{Deserialize, Serialize};

pub async fn dashboard(State(state): State<AppState>, PageUser(p): PageUser) -> Result<ProgramPage, WebError> {
    let actor = p.actor();
    let items = state.app.dashboard(&actor).await.map_err(WebError::page)?;
    let history = state
        .app
        .checklist_history(&actor, &items)
        .await
        .map_err(WebError::page)?;
    // The owner sees the set-up path here until every step is done.
    let setup = if state
        .app
        .policy()
        .has_capability(&p.roles, carekeep_domain::Capability::AdministerUsers)
    {
        let path = state
            .app
            .setup_path_from(&items, super::setup::network_settled(&state).await)
            .await
            .map_err(WebError::page)?;
        (!path.finished()).then(|| super::setup::path_view(&path))
    } else {
        None
    };
    Ok(ProgramPage {
        chrome: chrome(&state, &p, "/program"),
        setup,
        headline: history.today.headline(),
        rest: history.today.rest(),
        progress_svg: super::pictures::progress::svg(history.today),
        history_svg: super::pictures::checklist_history::svg(&history.weeks),
        weeks: history
            .weeks
            .iter()
            .rev()
            .map(|w| HistoryWeek {
                starts: super::formats::date(w.starts),
                tally: w.tally,
            })
            .collect(),
        set_up_on: super::formats::date(state.app.set_up_on()),
        items,
    })
}

/// A week of the checklist's history, for the table beside the picture.
#[derive(Debug)]
pub struct HistoryWeek {
    pub starts: String,
    pub tally: Option<carekeep_domain::program::checklist_history::Tally>,
}

/// Which vendor field each of the use case's messages is about.
const VENDOR_FIELDS: &FieldWords = &[
    ("baa_renewal_on", &["renewal"]),
    ("baa_signed_on", &["date signed", "date it was signed"]),
    ("baa_effective_on", &["effective"]),
    ("baa_status", &["baa"]),
    ("subcontractors", &["sub-contractor", "subcontractor"]),
    ("service", &["service", "what they do"]),
    ("contact", &["contact"]),
    ("name", &["name"]),
];

async fn list_page(state: &AppState, p: &Principal, f: VendorForm, r: Refused) -> Result<VendorsPage, WebError> {
    let vendors = state.app.vendors(&p.actor()).await.map_err(WebError::page)?;
    Ok(VendorsPage {
        chrome: chrome(state, p, "/program"),
        vendors,
        f,
        form_action: "/program/vendors",
        show_retired: false,
        r,
    })
}

pub async fn vendors(State(state): State<AppState>, PageUser(p): PageUser) -> Result<VendorsPage, WebError> {
    let f = VendorForm {
        baa_status: "none".into(),
        ..VendorForm::default()
    };
    list_page(&state, &p, f, Refused::default()).await
}

pub async fn create_vendor(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<VendorForm>,
) -> Result<Response, WebError> {
    match state.app.save_vendor(&p.actor(), 0, f.input()).await {
        Ok(v) => Ok(urls::vendor(v.id).done("saved").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("vendor-form", &f, e.to_string(), VENDOR_FIELDS);
            let page = list_page(&state, &p, f, r).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn vendor_page(
    state: &AppState,
    p: &Principal,
    id: i64,
    form: Option<VendorForm>,
    notice: Option<&'static str>,
) -> Result<VendorPage, WebError> {
    let v = state.app.vendor(&p.actor(), id).await.map_err(WebError::page)?;
    let security = state
        .app
        .vendor_security(&p.actor())
        .await
        .map_err(WebError::page)?
        .into_iter()
        .find(|s| s.vendor_id == id);
    Ok(VendorPage {
        security,
        reports: carekeep_domain::program::vendor_security::Report::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        chrome: chrome(state, p, "/program").notice(notice),
        f: form.unwrap_or_else(|| VendorForm::from_view(&v)),
        form_action: urls::vendor(id).to_string(),
        show_retired: true,
        v,
        r: Refused::default(),
    })
}

pub async fn vendor(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<VendorPage, WebError> {
    let notice = match d.done.as_deref() {
        Some("saved") => Some("Saved."),
        Some("document") => Some("Document stored, encrypted."),
        Some("security") => Some("Security review recorded."),
        _ => None,
    };
    vendor_page(&state, &p, id, None, notice).await
}

pub async fn update_vendor(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<VendorForm>,
) -> Result<Response, WebError> {
    match state.app.save_vendor(&p.actor(), id, f.input()).await {
        Ok(_) => Ok(urls::vendor(id).done("saved").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("vendor-form", &f, e.to_string(), VENDOR_FIELDS);
            let mut page = vendor_page(&state, &p, id, Some(f), None).await?;
            page.r = r;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// Which field of the security review each of the use case's messages is about.
const SECURITY_FIELDS: &FieldWords = &[
    ("report", &["report on file"]),
    ("report_on", &["security report"]),
    ("questionnaire_on", &["questionnaire"]),
    ("breach_history", &["breach history"]),
];

/// A review of a vendor's security beyond its BAA (issue 30).
pub async fn review_vendor_security(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<VendorSecurityInput>,
) -> Result<Response, WebError> {
    match state.app.review_vendor_security(&p.actor(), id, f.clone()).await {
        Ok(_) => Ok(urls::vendor(id).done("security").at("security").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("security", &f, e.to_string(), SECURITY_FIELDS);
            let mut page = vendor_page(&state, &p, id, None, None).await?;
            page.r = r;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn upload_document(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let file = super::file_field(&mut form).await?;
    let answer = match file {
        Some((name, bytes)) => state.app.upload_vendor_document(&p.actor(), id, &name, &bytes).await,
        None => Err(AppError::Invalid("choose a file to upload".into())),
    };
    match answer {
        Ok(()) => Ok(urls::vendor(id).done("document").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            // Nothing typed to keep (a file field cannot be filled again): the message sits
            // at the field.
            let mut page = vendor_page(&state, &p, id, None, None).await?;
            page.r = Refused::new("document-form", &(), e.to_string(), &[("file", &[""])]);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn document(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = state
        .app
        .vendor_document(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(ct, bytes, &name))
}

// ------------------------------------------------------------ workforce and training

use carekeep_app::program::workforce::PersonInput;
use carekeep_domain::program::course;

pub async fn workforce(State(state): State<AppState>, PageUser(p): PageUser) -> Result<WorkforcePage, WebError> {
    let people = state.app.roster(&p.actor()).await.map_err(WebError::page)?;
    Ok(WorkforcePage {
        chrome: chrome(&state, &p, "/program"),
        people,
        r: Refused::default(),
    })
}

/// Which roster field each of the use case's messages is about.
const PERSON_FIELDS: &FieldWords = &[
    ("username", &["login", "username", "account"]),
    ("left_on", &["leave"]),
    ("hired_on", &["hire"]),
    ("email", &["email"]),
    ("job_title", &["job"]),
    ("name", &["name"]),
];

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PersonForm {
    name: String,
    job_title: String,
    username: String,
    hired_on: String,
    left_on: String,
    email: String,
    owner_confirms: Option<String>,
}

impl PersonForm {
    fn input(self) -> PersonInput {
        PersonInput {
            name: self.name,
            job_title: self.job_title,
            username: self.username,
            hired_on: self.hired_on,
            left_on: self.left_on,
            email: self.email,
            owner_confirms: self.owner_confirms.is_some(),
        }
    }
}

pub async fn add_person(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<PersonForm>,
) -> Result<Response, WebError> {
    match state.app.save_person(&p.actor(), 0, f.clone().input()).await {
        Ok(id) => Ok(urls::person(id).done("saved").redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let people = state.app.roster(&p.actor()).await.map_err(WebError::page)?;
            let page = WorkforcePage {
                chrome: chrome(&state, &p, "/program"),
                people,
                r: Refused::new("add-person", &f, e.to_string(), PERSON_FIELDS),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

async fn person_page(
    state: &AppState,
    p: &Principal,
    id: i64,
    notice: Option<&'static str>,
    error: Option<String>,
    r: Refused,
) -> Result<PersonPage, WebError> {
    let person = state
        .app
        .roster(&p.actor())
        .await
        .map_err(WebError::page)?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(WebError::page(AppError::NotFound("person")))?;
    Ok(PersonPage {
        chrome: chrome(state, p, "/program").notice(notice).error(error),
        p: person,
        r,
    })
}

pub async fn person(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<PersonPage, WebError> {
    let notice = match d.done.as_deref() {
        Some("saved") => Some("Saved."),
        Some("training") => Some("Training recorded."),
        Some("step") => Some("Step marked done."),
        _ => None,
    };
    person_page(&state, &p, id, notice, None, Refused::default()).await
}

/// After a change on a person's page: to the page on success; on bad input the page again,
/// the form's typing kept by `refuse` (a step with nothing typed says so at the top).
async fn after_person_change<T, F: FnOnce(String) -> Refused + Send>(
    state: &AppState,
    p: &Principal,
    id: i64,
    done: &str,
    r: Result<T, AppError>,
    refuse: Option<F>,
) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(urls::person(id).done(done).redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = match refuse {
                Some(refuse) => person_page(state, p, id, None, None, refuse(e.to_string())).await?,
                None => person_page(state, p, id, None, Some(e.to_string()), Refused::default()).await?,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn update_person(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<PersonForm>,
) -> Result<Response, WebError> {
    let r = state.app.save_person(&p.actor(), id, f.clone().input()).await;
    let refuse = |m: String| Refused::new("person-form", &f, m, PERSON_FIELDS);
    after_person_change(&state, &p, id, "saved", r, Some(refuse)).await
}

/// The outside training form's text fields, kept to show again after a mistake.
#[derive(Debug, Serialize)]
struct TrainingForm {
    title: String,
    completed_on: String,
}

/// Which field of the training form each message is about.
const TRAINING_FIELDS: &FieldWords = &[
    ("certificate", &["certificate", "upload"]),
    ("completed_on", &["completion date"]),
    ("title", &["training's name"]),
];

/// Outside training: a multipart form with the title, the date and an optional certificate.
pub async fn record_training(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let bad = |_| {
        WebError::page(AppError::Invalid(
            "the upload was cut short or too large; try again".into(),
        ))
    };
    let (mut title, mut completed_on, mut file) = (String::new(), String::new(), None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("title") => title = field.text().await.map_err(bad)?,
            Some("completed_on") => completed_on = field.text().await.map_err(bad)?,
            Some("certificate") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(bad)?.to_vec();
                // A file input left empty still sends a part, with no name and no bytes.
                if !(name.is_empty() && bytes.is_empty()) {
                    file = Some((name, bytes));
                }
            }
            _ => {}
        }
    }
    let r = state
        .app
        .record_training(
            &p.actor(),
            id,
            &title,
            &completed_on,
            file.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        )
        .await;
    // The certificate cannot be put back in a file field: the form asks for it again.
    let typed = TrainingForm { title, completed_on };
    let refuse = |m: String| Refused::new("training-form", &typed, m, TRAINING_FIELDS);
    after_person_change(&state, &p, id, "training", r, Some(refuse)).await
}

pub async fn training_certificate(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = state
        .app
        .training_certificate(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(ct, bytes, &name))
}

pub async fn offboarding_step(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let r = state.app.complete_offboarding_step(&p.actor(), id, item).await;
    after_person_change(&state, &p, id, "step", r, None::<fn(String) -> Refused>).await
}

/// The course page; after a submission, the result, each wrong answer with the right one and
/// why, and (unless it passed) the choices made, ticked again for the retry.
fn course_page(
    state: &AppState,
    p: &Principal,
    answers: &[Option<usize>],
    result: Option<course::QuizResult>,
    r: Refused,
) -> CoursePage {
    let passed = result.is_some_and(|r| r.passed);
    // The score is what just happened: a pass is a notice, a fail says what to do next.
    let said = result.map(|r| {
        format!(
            "You answered {} of {} right ({}%). {}",
            r.right,
            r.total,
            r.percent,
            if r.passed {
                "Passed: your training is recorded."
            } else {
                "Not a pass yet: see what was wrong below, then retry; your answers are kept."
            }
        )
    });
    let (notice, error) = match said {
        Some(s) if passed => (Some(s), None),
        Some(s) => (None, Some(s)),
        None => (None, None),
    };
    CoursePage {
        chrome: chrome(state, p, "/training").notice(notice).error(error),
        title: course::TITLE,
        pass: course::PASS_PERCENT,
        sections: course::SECTIONS,
        questions: course::QUIZ,
        mistakes: if result.is_some() {
            course::mistakes(answers)
        } else {
            Vec::new()
        },
        chosen: if passed { Vec::new() } else { answers.to_vec() },
        result,
        r,
    }
}

pub async fn course_show(State(state): State<AppState>, PageUser(p): PageUser) -> CoursePage {
    course_page(&state, &p, &[], None, Refused::default())
}

pub async fn course_submit(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let answers: Vec<Option<usize>> = (0..course::QUIZ.len())
        .map(|i| {
            f.iter()
                .find(|(k, _)| *k == format!("q{i}"))
                .and_then(|(_, v)| v.parse().ok())
        })
        .collect();
    let attested = f.iter().any(|(k, _)| k == "attest");
    match state.app.complete_course(&p.actor(), &answers, attested).await {
        Ok(r) => Ok(course_page(&state, &p, &answers, Some(r), Refused::default()).into_response()),
        Err(e @ AppError::Invalid(_)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            // The answers come back ticked through `chosen`; the message sits at the box.
            course_page(
                &state,
                &p,
                &answers,
                None,
                Refused::new("quiz", &(), e.to_string(), &[("attest", &["tick the box"])]),
            ),
        )
            .into_response()),
        Err(e) => Err(WebError::page(e)),
    }
}

// ------------------------------------------------------------ policies

pub async fn policies_admin(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<PoliciesAdminPage, WebError> {
    let policies = state.app.policies(&p.actor()).await.map_err(WebError::page)?;
    let notice = d
        .done
        .as_deref()
        .and_then(|x| x.strip_prefix("adopted-"))
        .map(|n| format!("Adopted {n} policies. Staff see them under Policies to acknowledge."));
    Ok(PoliciesAdminPage {
        chrome: chrome(&state, &p, "/program").notice(notice),
        policies,
    })
}

async fn policy_page(
    state: &AppState,
    p: &Principal,
    key: &str,
    notice: Option<&'static str>,
    r: Refused,
) -> Result<PolicyAdminPage, WebError> {
    let policy = state
        .app
        .policies(&p.actor())
        .await
        .map_err(WebError::page)?
        .into_iter()
        .find(|x| x.key == key)
        .ok_or(WebError::page(AppError::NotFound("policy")))?;
    Ok(PolicyAdminPage {
        chrome: chrome(state, p, "/program").notice(notice),
        p: policy,
        today: state.app.clinic_today().to_string(),
        r,
    })
}

pub async fn policy_admin(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(key): Path<String>,
    Query(d): Query<Done>,
) -> Result<PolicyAdminPage, WebError> {
    let notice = match d.done.as_deref() {
        Some("version") => Some("Approved. Everyone is asked to acknowledge this version."),
        Some("reviewed") => Some("Review recorded."),
        _ => None,
    };
    policy_page(&state, &p, &key, notice, Refused::default()).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PolicyForm {
    title: String,
    body: String,
    effective_on: String,
}

/// Which field of a policy's revision each message is about.
const POLICY_FIELDS: &FieldWords = &[
    ("effective_on", &["effective date"]),
    ("title", &["title"]),
    ("body", &["policy text", "this policy", "blank"]),
];

pub async fn revise_policy(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(key): Path<String>,
    Form(f): Form<PolicyForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .revise_policy(&p.actor(), &key, &f.title, &f.body, &f.effective_on)
        .await
    {
        Ok(_) => Ok(urls::policy_admin(&key).done("version").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            // The refused text comes back as typed (a blank named in the message stays
            // where it was, to be filled), the date too.
            let r = Refused::new("policy-form", &f, e.to_string(), POLICY_FIELDS);
            let page = policy_page(&state, &p, &key, None, r).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn policy_reviewed(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    state
        .app
        .mark_policy_reviewed(&p.actor(), &key)
        .await
        .map_err(WebError::page)?;
    Ok(urls::policy_admin(&key).done("reviewed").redirect())
}

pub async fn policy_pdf(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let bytes = state.app.policy_pdf(&p.actor(), &key).await.map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("{key}.pdf"),
    ))
}

pub async fn policies_read(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<super::policy_review::ReadPage, WebError> {
    let policies = state.app.policies_to_read(&p.actor()).await.map_err(WebError::page)?;
    Ok(super::policy_review::ReadPage {
        chrome: chrome(&state, &p, "/policies")
            .notice((d.done.as_deref() == Some("ack")).then_some("Thank you: your acknowledgment is recorded.")),
        pending: policies.iter().filter(|x| !x.acknowledged).count(),
        policies,
    })
}

pub async fn acknowledge(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(version): Path<i64>,
) -> Result<Response, WebError> {
    state
        .app
        .acknowledge_policy(&p.actor(), version)
        .await
        .map_err(WebError::page)?;
    Ok(urls::policies().done("ack").redirect())
}

/// The audit binder, a dated zip.
pub async fn binder(State(state): State<AppState>, PageUser(p): PageUser) -> Result<Response, WebError> {
    let bytes = state.app.audit_binder(&p.actor()).await.map_err(WebError::page)?;
    let name = format!("carekeep-binder-{}.zip", state.app.clinic_today());
    Ok(crate::respond::file_response("application/zip".into(), bytes, &name))
}

// ------------------------------------------------------------ notice of privacy practices

async fn npp_page(
    state: &AppState,
    p: &Principal,
    notice: Option<&'static str>,
    r: Refused,
) -> Result<NppPage, WebError> {
    Ok(NppPage {
        r,
        chrome: chrome(state, p, "/program").notice(notice),
        v: state.app.npp(&p.actor()).await.map_err(WebError::page)?,
        today: state.app.clinic_today().to_string(),
    })
}

pub async fn npp(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<NppPage, WebError> {
    let notice = match d.done.as_deref() {
        Some("published") => Some("Published. Print it and post it in the office."),
        Some("posting") => Some("Saved."),
        _ => None,
    };
    npp_page(&state, &p, notice, Refused::default()).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NppForm {
    body: String,
    effective_on: String,
}

/// Which field of the notice each message is about.
const NPP_FIELDS: &FieldWords = &[
    // The missing parts can name the notice's own effective date: the text, not the field.
    ("body", &["missing required content"]),
    ("effective_on", &["effective date", "take effect"]),
    ("body", &["notice"]),
];

pub async fn publish_npp(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<NppForm>,
) -> Result<Response, WebError> {
    match state.app.publish_npp(&p.actor(), &f.body, &f.effective_on).await {
        Ok(_) => Ok(urls::npp().done("published").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("npp-form", &f, e.to_string(), NPP_FIELDS);
            let page = npp_page(&state, &p, None, r).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostingForm {
    office: Option<String>,
    website: Option<String>,
}

pub async fn npp_posting(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<PostingForm>,
) -> Result<Response, WebError> {
    state
        .app
        .set_npp_posting(&p.actor(), f.office.is_some(), f.website.is_some())
        .await
        .map_err(WebError::page)?;
    Ok(urls::npp().done("posting").redirect())
}

pub async fn npp_pdf(State(state): State<AppState>, PageUser(p): PageUser) -> Result<Response, WebError> {
    let bytes = state.app.npp_pdf(&p.actor()).await.map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        "notice-of-privacy-practices.pdf",
    ))
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "program/program.html")]
pub struct ProgramPage {
    pub chrome: Chrome,
    /// The set-up path, for the owner until it is done.
    pub setup: Option<super::setup::PathView>,
    pub items: Vec<carekeep_app::program::dashboard::ChecklistItem>,
    /// `12 of 15 done`, and the rest in words.
    pub headline: String,
    pub rest: String,
    pub progress_svg: String,
    pub history_svg: String,
    /// The history's weeks, newest first (the picture's text equivalent).
    pub weeks: Vec<HistoryWeek>,
    pub set_up_on: String,
}

#[derive(Template, Debug)]
#[template(path = "program/vendors.html")]
pub struct VendorsPage {
    pub chrome: Chrome,
    pub vendors: Vec<carekeep_app::program::vendors::VendorView>,
    pub f: VendorForm,
    pub form_action: &'static str,
    pub show_retired: bool,
    pub r: Refused,
}

#[derive(Template, Debug)]
#[template(path = "program/vendor.html")]
pub struct VendorPage {
    pub chrome: Chrome,
    pub v: carekeep_app::program::vendors::VendorView,
    /// What the clinic knows of its security beyond the BAA (vendors handling PHI only).
    pub security: Option<carekeep_app::program::vendor_security::VendorSecurityView>,
    /// The kinds of security report: code and words.
    pub reports: Vec<(&'static str, &'static str)>,
    pub f: VendorForm,
    pub form_action: String,
    pub show_retired: bool,
    pub r: Refused,
}

#[derive(Template, Debug)]
#[template(path = "program/workforce.html")]
pub struct WorkforcePage {
    pub chrome: Chrome,
    pub people: Vec<carekeep_app::program::workforce::PersonView>,
    pub r: Refused,
}

impl WorkforcePage {
    /// Who is current, due soon and overdue, as a picture (people who left are not counted).
    pub fn training_picture(&self) -> Option<String> {
        use crate::web::pictures::training::{picture, Standing};
        let mut s = Standing::default();
        for p in &self.people {
            match p.training_standing.as_str() {
                "gap" => s.overdue += 1,
                "due_soon" => s.due_soon += 1,
                "left" | "invited" => {}
                _ => s.current += 1,
            }
        }
        picture(s)
    }
}

#[derive(Template, Debug)]
#[template(path = "program/person.html")]
pub struct PersonPage {
    pub chrome: Chrome,
    pub p: carekeep_app::program::workforce::PersonView,
    /// A refused training or details form, shown again as typed.
    pub r: Refused,
}

#[derive(Template, Debug)]
#[template(path = "program/course.html")]
pub struct CoursePage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub pass: u32,
    pub sections: &'static [course::Section],
    pub questions: &'static [course::Question],
    pub result: Option<course::QuizResult>,
    /// The wrong answers of the submission just scored.
    pub mistakes: Vec<course::Mistake>,
    /// The choices to tick again (a refused or failed submission), by question.
    pub chosen: Vec<Option<usize>>,
    /// A refused submission (the attestation not ticked).
    pub r: Refused,
}

impl CoursePage {
    /// The questions with their choices, each ticked as in the submission shown again.
    pub fn quiz(&self) -> Vec<QuizQuestion> {
        self.questions
            .iter()
            .enumerate()
            .map(|(q, question)| QuizQuestion {
                index: q,
                text: question.text,
                choices: question
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(c, words)| QuizChoice {
                        index: c,
                        words,
                        checked: self.chosen.get(q).copied().flatten() == Some(c),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// A quiz question as the form shows it.
#[derive(Debug)]
pub struct QuizQuestion {
    pub index: usize,
    pub text: &'static str,
    pub choices: Vec<QuizChoice>,
}

/// A choice, ticked again after a refused or failed submission.
#[derive(Debug)]
pub struct QuizChoice {
    pub index: usize,
    pub words: &'static str,
    pub checked: bool,
}

#[derive(Template, Debug)]
#[template(path = "program/policies_admin.html")]
pub struct PoliciesAdminPage {
    pub chrome: Chrome,
    pub policies: Vec<carekeep_app::program::policies::PolicyView>,
}

impl PoliciesAdminPage {
    /// Whether any template waits to be adopted (the review page then has something to show).
    pub fn any_to_adopt(&self) -> bool {
        self.policies.iter().any(|p| !p.adopted)
    }
}

#[derive(Template, Debug)]
#[template(path = "program/policy_admin.html")]
pub struct PolicyAdminPage {
    pub chrome: Chrome,
    pub p: carekeep_app::program::policies::PolicyView,
    pub today: String,
    /// A refused revision, shown again as typed.
    pub r: Refused,
}

#[derive(Template, Debug)]
#[template(path = "program/npp.html")]
pub struct NppPage {
    pub chrome: Chrome,
    pub v: carekeep_app::program::npp::NppView,
    pub today: String,
    /// A refused notice, shown again as typed.
    pub r: Refused,
}

crate::web::chrome::page_response!(
    ProgramPage,
    VendorsPage,
    VendorPage,
    WorkforcePage,
    PersonPage,
    CoursePage,
    PoliciesAdminPage,
    PolicyAdminPage,
    NppPage
);
