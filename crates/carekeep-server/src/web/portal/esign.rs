//! The patient's page for signing electronically: the statement they agreed to, when, and the
//! button that withdraws the consent (15 U.S.C. 7001(c)(1)(A), the procedure promised by
//! (B)(iii); patients-and-messages.md 7.1). Linked from the forms page and from the statement.

use super::pages::{portal_chrome, Here};
use crate::error::WebError;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats::{clock, date};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use carekeep_app::portal::PortalPatient;
use carekeep_domain::forms::esign;
use serde::Deserialize;

#[derive(Template, Debug)]
#[template(path = "portal/esign.html")]
pub struct EsignPage {
    pub chrome: Chrome,
    pub here: Here,
    pub statement: Vec<&'static str>,
    /// `12/06/2026 at 2:30 PM`, when a consent is in effect.
    pub consented: Option<String>,
}

crate::web::chrome::page_response!(EsignPage);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let standing = state.app.portal_esign(&p.actor()).await.map_err(WebError::page)?;
    let notice = match q.done.as_str() {
        "withdrawn" => Some(
            "Your consent is withdrawn. Please fill in and sign your forms on paper at the front desk. \
             Forms you already signed stay signed.",
        ),
        "none" => Some("There was no consent to withdraw: your forms are on paper unless you agree again."),
        _ => None,
    };
    Ok(EsignPage {
        chrome: portal_chrome(&state, &p, notice),
        here: Here::Forms,
        statement: esign::STATEMENT.iter().map(|(_, w)| *w).collect(),
        consented: standing
            .consented_at
            .map(|t| format!("{} at {}", date(t.date()), clock(t))),
    }
    .into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
) -> Result<Response, WebError> {
    let withdrawn = state
        .app
        .portal_withdraw_esign(&p.actor())
        .await
        .map_err(WebError::page)?;
    Ok(urls::portal_esign()
        .done(if withdrawn { "withdrawn" } else { "none" })
        .redirect())
}
