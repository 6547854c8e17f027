//! The audit log page and its CSV download.

use super::chrome;
use crate::audit_query::AuditParams;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::filters;
use askama::Template;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use carekeep_domain::audit::Action;

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(params): Query<AuditParams>,
) -> Result<Response, WebError> {
    let q = params.to_query(500, &state.app.clinic_zone()).map_err(WebError::page)?;
    let events = state.app.audit_events(&p.actor(), &q).await.map_err(WebError::page)?;
    let older = (events.len() as i64 >= q.limit)
        .then(|| events.last().map(|e| params.link(Some(e.seq))))
        .flatten();
    let verification = state.app.latest_verification().await.map_err(WebError::page)?;
    let zone = state.app.clinic_zone();
    Ok(AuditPage {
        chrome: chrome(&state, &p, "/audit"),
        actions: Action::ALL.iter().map(|a| a.code()).collect(),
        user: params.user.clone().unwrap_or_default(),
        patient: params.patient.clone().unwrap_or_default(),
        action: params.action.clone().unwrap_or_default(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        export_link: format!("{}?{}", urls::audit_export_csv(), params.link(None)),
        fhir_link: format!("{}?{}", urls::audit_export_fhir(), params.link(None)),
        older,
        zone: zone.clone(),
        verification: verification.map(|v| {
            let on = crate::web::formats::at(v.at, &zone);
            if v.ok {
                format!("Intact: {} events verified on {on}", v.events)
            } else {
                format!(
                    "TAMPERING FOUND on {on}: event {} was {}",
                    v.problem_seq.unwrap_or(0),
                    v.problem
                )
            }
        }),
        events,
    }
    .into_response())
}

async fn export(state: &AppState, p: PageUser, params: &AuditParams, format: &str) -> Result<Response, WebError> {
    let mut q = params
        .to_query(100_000, &state.app.clinic_zone())
        .map_err(WebError::page)?;
    q.limit = params.limit.unwrap_or(100_000).clamp(1, 100_000);
    crate::api::audit::export_as(state, &p.0.actor(), &q, format)
        .await
        .map_err(WebError::page)
}

pub async fn export_csv(
    State(state): State<AppState>,
    p: PageUser,
    Query(params): Query<AuditParams>,
) -> Result<Response, WebError> {
    export(&state, p, &params, "csv").await
}

pub async fn export_fhir(
    State(state): State<AppState>,
    p: PageUser,
    Query(params): Query<AuditParams>,
) -> Result<Response, WebError> {
    export(&state, p, &params, "fhir").await
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "audit/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub events: Vec<carekeep_app::audit::view::EventView>,
    pub actions: Vec<&'static str>,
    pub user: String,
    pub patient: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub export_link: String,
    pub fhir_link: String,
    pub older: Option<String>,
    pub verification: Option<String>,
    pub zone: carekeep_domain::zone::ClinicZone,
}

impl AuditPage {
    /// An event's time (stored in UTC) on the clinic's clock, with EST/EDT.
    pub fn at(&self, rfc3339: &str) -> String {
        crate::web::formats::instant(rfc3339, &self.zone)
    }
    /// "Viewed patient information" for `phi.read`; the code stays in the exports.
    pub fn action_words(&self, code: &str) -> String {
        match code.parse::<Action>() {
            Ok(a) => a.words().to_owned(),
            Err(_) => code.to_owned(),
        }
    }
    /// "front desk, billing" for `front_desk,billing`.
    pub fn role_words(&self, roles: &str) -> String {
        crate::web::formats::role_words(roles)
    }
    /// Outcomes as words.
    pub fn outcome_words(&self, outcome: &str) -> &'static str {
        match outcome {
            "success" => "done",
            "denied" => "refused",
            _ => "failed",
        }
    }
}

crate::web::chrome::page_response!(AuditPage);
