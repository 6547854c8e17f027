//! The access-monitoring page: findings grouped by person and day, each told as a sentence with
//! the charts and audit events behind it, and their review with a required note.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::forms::Refused;
use askama::Template;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use carekeep_app::monitoring::review::PersonDay;
use carekeep_app::AppError;
use carekeep_domain::monitoring::explain::{NO_NOTE, REVIEW_NEEDED};

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    all: Option<u8>,
    done: Option<String>,
}

async fn page(
    state: &AppState,
    p: &carekeep_app::Principal,
    show_all: bool,
    notice: Option<&'static str>,
    refused: Refused,
) -> Result<MonitoringPage, WebError> {
    let zone = state.app.clinic_zone();
    let mut groups = state
        .app
        .findings_to_review(&p.actor(), !show_all)
        .await
        .map_err(WebError::page)?;
    // Shown on the clinic's clock (the view keeps RFC 3339 for the API).
    for f in groups.iter_mut().flat_map(|g| g.findings.iter_mut()) {
        f.finding.detected_at = crate::web::formats::instant(&f.finding.detected_at, &zone);
        f.finding.reviewed_at = f
            .finding
            .reviewed_at
            .as_deref()
            .map(|t| crate::web::formats::instant(t, &zone));
    }
    Ok(MonitoringPage {
        chrome: chrome(state, p, "/monitoring").notice(notice),
        open: groups
            .iter()
            .flat_map(|g| &g.findings)
            .filter(|f| !f.finding.reviewed)
            .count(),
        groups,
        show_all,
        refused,
        review_needed: REVIEW_NEEDED,
        no_note: NO_NOTE,
    })
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<MonitoringPage, WebError> {
    let notice = match q.done.as_deref() {
        Some("reviewed") => Some("The finding is marked reviewed with your note."),
        Some("scanned") => Some("The audit trail of the last two days was scanned."),
        _ => None,
    };
    page(&state, &p, q.all.is_some(), notice, Refused::default()).await
}

pub async fn run(State(state): State<AppState>, PageUser(p): PageUser) -> Result<Response, WebError> {
    state.app.run_monitoring_now(&p.actor()).await.map_err(WebError::page)?;
    Ok(urls::monitoring().done("scanned").redirect())
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReviewForm {
    note: String,
}

/// The review form has one field.
const REVIEW_FIELDS: &crate::web::forms::FieldWords = &[("note", &["found", "note"])];

pub async fn review(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, WebError> {
    match state.app.review_finding(&p.actor(), id, &f.note).await {
        Ok(()) => Ok(urls::monitoring().done("reviewed").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new(format!("review-{id}"), &f, e.to_string(), REVIEW_FIELDS).ids_end_in(&id.to_string());
            let out = page(&state, &p, false, None, r).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, out).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "audit/monitoring.html")]
pub struct MonitoringPage {
    pub chrome: Chrome,
    pub groups: Vec<PersonDay>,
    pub open: usize,
    pub show_all: bool,
    pub refused: Refused,
    pub review_needed: &'static str,
    pub no_note: &'static str,
}

impl MonitoringPage {
    fn form_id(&self, id: &i64) -> String {
        format!("review-{id}")
    }
}

crate::web::chrome::page_response!(MonitoringPage);
