//! The home page: what each person's roles reach.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::chrome::{modules_for, Module};
use askama::Template;
use axum::extract::State;

pub async fn show(State(state): State<AppState>, PageUser(p): PageUser) -> Result<HomePage, WebError> {
    let codes_left = state
        .app
        .recovery_codes_left(&p.actor())
        .await
        .map_err(WebError::page)?;
    let open_findings = state.app.open_findings(&p.actor()).await.map_err(WebError::page)?;
    let reminders = state.app.reminders(&p.actor()).await.map_err(WebError::page)?;
    Ok(HomePage {
        reminders,
        chrome: chrome(&state, &p, "/"),
        display_name: p.display_name.clone(),
        modules: modules_for(&state.app.policy(), &p),
        codes_left,
        open_findings,
    })
}

// The pages this file serves, each a template with its own struct.

#[derive(Template, Debug)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub display_name: String,
    pub modules: Vec<Module>,
    pub codes_left: i64,
    /// Access-monitoring findings waiting for review, for those who review them.
    pub open_findings: Option<i64>,
    pub reminders: Vec<carekeep_app::program::reminders::Reminder>,
}

crate::web::chrome::page_response!(HomePage);
