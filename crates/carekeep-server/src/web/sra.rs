//! The risk assessment pages: the list with the register and the remediation plan, and one
//! assessment with its rows, assets, risks and tasks. Thin: every rule is in the app.

use super::chrome;
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
use carekeep_app::program::sra::inventory::{DisposalInput, DisposalView, FactsInput, FactsView};
use carekeep_app::program::sra::{AnswerInput, AssetInput, RiskInput};
use carekeep_app::{AppError, Principal};
use serde::{Deserialize, Serialize};

pub async fn list(State(state): State<AppState>, PageUser(p): PageUser) -> Result<SraListPage, WebError> {
    list_page(&state, &p, None).await
}

async fn list_page(state: &AppState, p: &Principal, error: Option<String>) -> Result<SraListPage, WebError> {
    let actor = p.actor();
    let assessments = state.app.assessments(&actor).await.map_err(WebError::page)?;
    let register = state.app.risk_register(&actor).await.map_err(WebError::page)?;
    let tasks = state.app.sra_tasks(&actor).await.map_err(WebError::page)?;
    Ok(SraListPage {
        chrome: chrome(state, p, "/program").error(error),
        assessments,
        register,
        tasks,
    })
}

pub async fn start(State(state): State<AppState>, PageUser(p): PageUser) -> Result<Response, WebError> {
    match state.app.start_assessment(&p.actor()).await {
        Ok(id) => Ok(urls::assessment(id).redirect()),
        Err(e @ AppError::Conflict(_)) => {
            let page = list_page(&state, &p, Some(e.to_string())).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
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
) -> Result<SraPage, WebError> {
    page(&state, &p, id, q.done.map(|d| format!("Saved ({d}).")), None).await
}

async fn page(
    state: &AppState,
    p: &Principal,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<SraPage, WebError> {
    let actor = p.actor();
    let a = state.app.assessment(&actor, id).await.map_err(WebError::page)?;
    let vendors = state.app.vendors(&actor).await.map_err(WebError::page)?;
    let (heat_map, cells) = heat_map(&a.risks);
    let facts = state.app.security_facts(&actor).await.map_err(WebError::page)?;
    let disposals = state.app.disposals(&actor).await.map_err(WebError::page)?;
    let unplanned = carekeep_app::program::sra::unplanned_risks(&a.risks);
    let mut chrome = chrome(state, p, "/program").notice(notice);
    if error.is_some() {
        chrome.error_link = unplanned
            .first()
            .map(|first| (format!("#risk-{first}"), "Go to the risk".to_owned()));
    }
    Ok(SraPage {
        chrome: chrome.error(error),
        heat_map,
        cells,
        vendors,
        facts,
        report_kinds: carekeep_app::program::sra::inventory::REPORT_KINDS.to_vec(),
        disposals,
        actions: carekeep_app::program::sra::inventory::DISPOSAL_ACTIONS.to_vec(),
        threats: carekeep_domain::program::sra::catalogue::THREATS
            .iter()
            .map(|t| (t.key, t.name))
            .collect(),
        kinds: carekeep_domain::program::sra::catalogue::ASSET_KINDS.to_vec(),
        today: state.app.clinic_today().to_string(),
        refused: Refused::default(),
        unplanned,
        needs_a_plan: carekeep_domain::program::sra::risk::NEEDS_A_PLAN,
        a,
    })
}

/// One cell of the heat map in words: the text equivalent of the picture.
#[derive(Debug)]
pub struct HeatCell {
    pub anchor: String,
    pub label: String,
    pub level: &'static str,
    /// (risk id, threat / asset)
    pub risks: Vec<(i64, String)>,
}

/// The heat map (when there are risks) and its nine cells in words, most severe first.
fn heat_map(risks: &[carekeep_app::program::sra::RiskView]) -> (Option<String>, Vec<HeatCell>) {
    use crate::web::pictures::heat_map::{cell_anchor, picture, Counts};
    use carekeep_domain::program::sra::risk::{level, Rating};
    if risks.is_empty() {
        return (None, Vec::new());
    }
    let mut counts: Counts = [[0; 3]; 3];
    let mut cells = Vec::new();
    for (l, lr) in Rating::ALL.into_iter().enumerate().rev() {
        for (i, ir) in Rating::ALL.into_iter().enumerate().rev() {
            let here: Vec<(i64, String)> = risks
                .iter()
                .filter(|r| Rating::parse(&r.likelihood) == Some(lr) && Rating::parse(&r.impact) == Some(ir))
                .map(|r| {
                    let name = if r.asset.is_empty() {
                        r.threat.clone()
                    } else {
                        format!("{} / {}", r.threat, r.asset)
                    };
                    (r.id, name)
                })
                .collect();
            if let Some(c) = counts.get_mut(l).and_then(|row| row.get_mut(i)) {
                *c = here.len();
            }
            cells.push(HeatCell {
                anchor: cell_anchor(lr, ir),
                label: format!("Likelihood {}, impact {}", lr.as_str(), ir.as_str()),
                level: level(lr, ir).as_str(),
                risks: here,
            });
        }
    }
    (Some(picture(&counts)), cells)
}

/// After a change: back to the assessment at the part changed, or the page with what to fix.
async fn after<T>(
    state: &AppState,
    p: &Principal,
    id: i64,
    part: &str,
    r: Result<T, AppError>,
) -> Result<Response, WebError> {
    match r {
        Ok(_) => Ok(urls::assessment(id).done(part).at(part).redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = page(state, p, id, None, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    title: String,
    scope: String,
}

pub async fn details(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<DetailsForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .set_assessment_details(&p.actor(), id, &f.title, &f.scope)
        .await;
    after(&state, &p, id, "scope", r).await
}

/// Which field of a row each message is about.
const ANSWER_FIELDS: &FieldWords = &[
    ("measure", &["measure", "instead"]),
    ("reason", &["reason", "why"]),
    ("answer", &["answer"]),
];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
    reason: String,
    measure: String,
}

pub async fn answer(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, spec)): Path<(i64, String)>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .answer_spec(
            &p.actor(),
            id,
            &spec,
            AnswerInput {
                answer: f.answer.clone(),
                reason: f.reason.clone(),
                measure: f.measure.clone(),
            },
        )
        .await;
    match r {
        Ok(_) => Ok(urls::assessment(id).done(&spec).at(&spec).redirect()),
        // The row comes back as typed and the page opens at it, not 12,000 px above.
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let mut page = page(&state, &p, id, None, None).await?;
            page.refused = Refused::new(spec.clone(), &f, e.to_string(), ANSWER_FIELDS).ids_end_in(&spec);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// The asset form; checkboxes arrive only when ticked.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AssetForm {
    name: String,
    kind: String,
    owner: String,
    location: String,
    holds_ephi: Option<String>,
    encrypted: Option<String>,
    screen_lock: Option<String>,
    patched: Option<String>,
    backed_up: Option<String>,
    vendor_id: String,
    notes: String,
    os: String,
    last_patched_on: String,
    support_ends_on: String,
}

/// Which field of the asset form each message is about.
const ASSET_FIELDS: &FieldWords = &[
    ("asset_patched_on", &["last patched"]),
    ("asset_support", &["support end"]),
    ("asset_os", &["operating system"]),
    ("asset_name", &["asset name"]),
    ("asset_kind", &["kind"]),
    ("asset_owner", &["owner"]),
    ("asset_location", &["location"]),
    ("asset_vendor", &["vendor"]),
    ("asset_notes", &["notes"]),
];

/// After a refused form: the page again, the form as typed, the message at its field.
async fn refused(
    state: &AppState,
    p: &Principal,
    id: i64,
    form: &str,
    typed: &impl Serialize,
    e: AppError,
    fields: &FieldWords,
) -> Result<Response, WebError> {
    match e {
        AppError::Invalid(_) | AppError::Conflict(_) => {
            let mut page = page(state, p, id, None, None).await?;
            page.refused = Refused::new(form, typed, e.to_string(), fields);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        e => Err(WebError::page(e)),
    }
}

pub async fn add_asset(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<AssetForm>,
) -> Result<Response, WebError> {
    let vendor_id = match f.vendor_id.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                let e = AppError::Invalid("choose a vendor from the list".into());
                return refused(&state, &p, id, "assets", &f, e, ASSET_FIELDS).await;
            }
        },
    };
    let input = AssetInput {
        name: f.name.clone(),
        kind: f.kind.clone(),
        owner: f.owner.clone(),
        location: f.location.clone(),
        holds_ephi: f.holds_ephi.is_some(),
        encrypted: f.encrypted.is_some(),
        screen_lock: f.screen_lock.is_some(),
        patched: f.patched.is_some(),
        backed_up: f.backed_up.is_some(),
        vendor_id,
        notes: f.notes.clone(),
        os: f.os.clone(),
        last_patched_on: f.last_patched_on.clone(),
        support_ends_on: f.support_ends_on.clone(),
    };
    match state.app.save_sra_asset(&p.actor(), id, 0, input).await {
        Ok(_) => Ok(urls::assessment(id).done("assets").at("assets").redirect()),
        Err(e) => refused(&state, &p, id, "assets", &f, e, ASSET_FIELDS).await,
    }
}

/// The disposal form, one per asset.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DisposalForm {
    disposed_on: String,
    action: String,
    method: String,
    done_by: String,
    certificate: String,
}

const DISPOSAL_FIELDS: &FieldWords = &[
    ("disposed_on", &["disposal date"]),
    ("action", &["what was done"]),
    ("method", &["method"]),
    ("done_by", &["done by"]),
    ("certificate", &["certificate"]),
];

pub async fn dispose(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, asset)): Path<(i64, i64)>,
    Form(f): Form<DisposalForm>,
) -> Result<Response, WebError> {
    let input = DisposalInput {
        disposed_on: f.disposed_on.clone(),
        action: f.action.clone(),
        method: f.method.clone(),
        done_by: f.done_by.clone(),
        certificate: f.certificate.clone(),
    };
    let form = format!("dispose-{asset}");
    match state.app.dispose_asset(&p.actor(), id, asset, input).await {
        Ok(_) => Ok(urls::assessment(id).done("disposal").at("disposals").redirect()),
        // Already disposed of: its form is gone, so the page says it at the top.
        Err(e @ AppError::Conflict(_)) => {
            let page = page(&state, &p, id, None, Some(e.to_string())).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e @ AppError::Invalid(_)) => {
            let mut page = page(&state, &p, id, None, None).await?;
            page.refused = Refused::new(form, &f, e.to_string(), DISPOSAL_FIELDS).ids_end_in(&asset.to_string());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

const FACTS_FIELDS: &FieldWords = &[
    ("last_scan_on", &["vulnerability scan date"]),
    ("scan_report", &["scan report"]),
    ("last_pentest_on", &["penetration test date"]),
    ("pentest_report", &["penetration test report"]),
    ("last_audit_on", &["compliance audit"]),
    ("latest_release", &["newest release"]),
    ("alerts_checked_on", &["alerts checked"]),
    ("alerts_recipient", &["alerts recipient"]),
    ("alerts_sources", &["alert sources"]),
];

pub async fn save_facts(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<FactsInput>,
) -> Result<Response, WebError> {
    match state.app.save_security_facts(&p.actor(), f.clone()).await {
        Ok(()) => Ok(urls::assessment(id).done("security evidence").at("security").redirect()),
        Err(e) => refused(&state, &p, id, "security", &f, e, FACTS_FIELDS).await,
    }
}

/// A report behind the security evidence (a scan, a penetration test, an audit), uploaded
/// encrypted. A refused file comes back as the page with the message at the upload.
pub async fn upload_report(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, kind)): Path<(i64, String)>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let file = super::file_field(&mut form).await?;
    let Some((name, bytes)) = file else {
        return refused_upload(&state, &p, id, &kind, "choose a report file to upload".into()).await;
    };
    match state.app.upload_security_report(&p.actor(), &kind, &name, &bytes).await {
        Ok(_) => Ok(urls::assessment(id).done("report file").at("security").redirect()),
        Err(AppError::Invalid(m)) => refused_upload(&state, &p, id, &kind, m).await,
        Err(e) => Err(WebError::page(e)),
    }
}

async fn refused_upload(
    state: &AppState,
    p: &Principal,
    id: i64,
    kind: &str,
    message: String,
) -> Result<Response, WebError> {
    let mut page = page(state, p, id, None, None).await?;
    page.refused = Refused::new(
        format!("report-{kind}"),
        &serde_json::json!({}),
        message,
        &[("file", &["file"])],
    )
    .ids_end_in(kind);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A report behind the security evidence, as uploaded (audited as a document view).
pub async fn report_file(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (ct, bytes, name) = state
        .app
        .security_report(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(crate::respond::file_response(ct, bytes, &name))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RiskForm {
    threat: String,
    custom_threat: String,
    asset_id: String,
    vulnerability: String,
    likelihood: String,
    impact: String,
    controls: String,
    treatment: String,
    justification: String,
}

pub async fn add_risk(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<RiskForm>,
) -> Result<Response, WebError> {
    let input = RiskInput {
        threat: if f.custom_threat.trim().is_empty() {
            f.threat
        } else {
            f.custom_threat
        },
        asset_id: f.asset_id.trim().parse().ok(),
        vulnerability: f.vulnerability,
        likelihood: f.likelihood,
        impact: f.impact,
        controls: f.controls,
        treatment: f.treatment,
        justification: f.justification,
    };
    let r = state.app.save_sra_risk(&p.actor(), id, 0, input).await;
    after(&state, &p, id, "risks", r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaskForm {
    title: String,
    owner: String,
    due_on: String,
}

pub async fn add_task(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, risk)): Path<(i64, i64)>,
    Form(f): Form<TaskForm>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .add_sra_task(&p.actor(), risk, &f.title, &f.owner, &f.due_on)
        .await;
    after(&state, &p, id, "risks", r).await
}

pub async fn task_done(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, task)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let r = state.app.complete_sra_task(&p.actor(), task).await;
    after(&state, &p, id, "risks", r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    to: String,
    signed_name: String,
}

pub async fn status(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response, WebError> {
    let actor = p.actor();
    let r = if f.to == "final" {
        state.app.finalise_assessment(&actor, id, &f.signed_name).await
    } else {
        state.app.move_assessment(&actor, id, &f.to).await
    };
    after(&state, &p, id, "status", r).await
}

pub async fn report_pdf(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state.app.assessment_pdf(&p.actor(), id).await.map_err(WebError::page)?;
    Ok(crate::respond::file_response(
        "application/pdf".into(),
        bytes,
        &format!("risk-assessment-{id}.pdf"),
    ))
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "program/sra_list.html")]
pub struct SraListPage {
    pub chrome: Chrome,
    pub assessments: Vec<carekeep_app::program::sra::SraSummary>,
    pub register: Vec<carekeep_app::program::sra::RiskView>,
    pub tasks: Vec<carekeep_app::program::sra::TaskView>,
}

#[derive(Template, Debug)]
#[template(path = "program/sra.html")]
pub struct SraPage {
    pub chrome: Chrome,
    /// The risk heat map, and its cells in words beside it.
    pub heat_map: Option<String>,
    pub cells: Vec<HeatCell>,
    pub a: carekeep_app::program::sra::SraView,
    pub vendors: Vec<carekeep_app::program::vendors::VendorView>,
    /// The clinic's security evidence (scans, alerts, Carekeep's release).
    pub facts: FactsView,
    /// The kinds of report that can stand behind the evidence: code and words.
    pub report_kinds: Vec<(&'static str, &'static str)>,
    /// The disposal log, newest first.
    pub disposals: Vec<DisposalView>,
    /// What can be done with a device at its end: code and words.
    pub actions: Vec<(&'static str, &'static str)>,
    pub threats: Vec<(&'static str, &'static str)>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub today: String,
    /// A refused row, as typed.
    pub refused: Refused,
    /// Risks above low to mitigate with no planned task yet: each is marked, and finalizing is refused.
    pub unplanned: Vec<i64>,
    pub needs_a_plan: &'static str,
}

impl SraPage {
    /// Whether risk `id` is high, to be mitigated, and without a task.
    pub fn unplanned_at(&self, id: &i64) -> bool {
        self.unplanned.contains(id)
    }
}

impl SraPage {
    /// An ISO date as `12/06/2026`; empty stays empty.
    pub fn us(&self, s: &str) -> String {
        crate::web::formats::iso_date(s)
    }

    /// The newest report of `kind` uploaded behind the evidence.
    pub fn report_of(&self, kind: &str) -> Option<&carekeep_app::program::sra::inventory::ReportFile> {
        self.facts.reports.iter().find(|r| r.kind == kind)
    }

    /// The security evidence form's fields: name, label, saved value, whether it is a date.
    pub fn fact_fields(&self) -> Vec<(&'static str, &'static str, String, bool)> {
        let f = &self.facts;
        vec![
            ("last_scan_on", "Last vulnerability scan", f.last_scan_on.clone(), true),
            (
                "scan_report",
                "Where the scan report is kept",
                f.scan_report.clone(),
                false,
            ),
            (
                "last_pentest_on",
                "Last penetration test",
                f.last_pentest_on.clone(),
                true,
            ),
            (
                "pentest_report",
                "Where the test report is kept",
                f.pentest_report.clone(),
                false,
            ),
            ("last_audit_on", "Last compliance audit", f.last_audit_on.clone(), true),
            (
                "latest_release",
                "Newest Carekeep release known",
                f.latest_release.clone(),
                false,
            ),
            (
                "alerts_recipient",
                "Who receives threat alerts",
                f.alerts_recipient.clone(),
                false,
            ),
            (
                "alerts_sources",
                "From where (CISA, vendors' advisories, an ISAC, the IT provider)",
                f.alerts_sources.clone(),
                false,
            ),
            (
                "alerts_checked_on",
                "Alerts arrangement last checked",
                f.alerts_checked_on.clone(),
                true,
            ),
        ]
    }
}

crate::web::chrome::page_response!(SraListPage, SraPage);
