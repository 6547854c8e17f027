//! The access-monitoring page: findings and their review.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    all: Option<u8>,
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<MonitoringPage, WebError> {
    let show_all = q.all.is_some();
    let zone = state.app.clinic_zone();
    let mut findings = state
        .app
        .findings(&p.actor(), !show_all)
        .await
        .map_err(WebError::page)?;
    // Shown on the clinic's clock (the view keeps RFC 3339 for the API).
    for f in &mut findings {
        f.detected_at = crate::web::formats::instant(&f.detected_at, &zone);
    }
    Ok(MonitoringPage {
        chrome: chrome(&state, &p, "/monitoring"),
        findings,
        show_all,
    })
}

pub async fn run(State(state): State<AppState>, PageUser(p): PageUser) -> Result<Response, WebError> {
    state.app.run_monitoring_now(&p.actor()).await.map_err(WebError::page)?;
    Ok(urls::monitoring().redirect())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    note: String,
}

pub async fn review(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, WebError> {
    state
        .app
        .review_finding(&p.actor(), id, &f.note)
        .await
        .map_err(WebError::page)?;
    Ok(urls::monitoring().redirect())
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "audit/monitoring.html")]
pub struct MonitoringPage {
    pub chrome: Chrome,
    pub findings: Vec<carekeep_app::monitoring::FindingView>,
    pub show_all: bool,
}

crate::web::chrome::page_response!(MonitoringPage);
