//! The risk assessment as a wizard (issue 25, item 7): `/program/sra/{id}/wizard/{step}`, one
//! page per safeguard section with previous, next and progress, each saved with one
//! submission. Rows the system can answer show their evidence, and an unanswered row the
//! evidence supports comes ticked "in place"; "we don't know yet" makes a task. The full page
//! (`/program/sra/{id}`) stays for risks, finalizing and printing.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::program::sra::wizard::SectionAnswer;
use carekeep_app::program::sra::SpecRow;
use carekeep_app::{AppError, Principal};
use carekeep_domain::program::sra::wizard::{progress, section, unknown_threat, SECTIONS, UNKNOWN};

/// One row of the section as shown, with what was typed.
#[derive(Debug)]
pub struct WizardRow {
    pub row: SpecRow,
    pub answer: String,
    pub reason: String,
    pub measure: String,
    /// The evidence supports "in place" and nobody answered yet: ticked for them.
    pub prefilled: bool,
    pub error: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "program/sra_wizard.html")]
pub struct WizardPage {
    pub chrome: Chrome,
    pub id: i64,
    pub step: usize,
    pub steps: usize,
    pub title: &'static str,
    /// Each section's title and whether all its rows are answered.
    pub sections: Vec<(&'static str, bool)>,
    pub done: usize,
    pub rows: Vec<WizardRow>,
    pub owner: String,
    pub due: String,
    pub task_error: Option<String>,
}

crate::web::chrome::page_response!(WizardPage);

async fn page(
    state: &AppState,
    p: &Principal,
    id: i64,
    step: usize,
    typed: Option<&[(String, String)]>,
) -> Result<WizardPage, WebError> {
    let (key, title) = section(step).ok_or(WebError::page(AppError::NotFound("page")))?;
    let a = state.app.assessment(&p.actor(), id).await.map_err(WebError::page)?;
    let get = |k: String| typed.and_then(|t| t.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()));
    let per_section: Vec<(usize, usize)> = SECTIONS
        .iter()
        .map(|(k, _)| {
            let rows: Vec<&SpecRow> = a.rows.iter().filter(|r| r.safeguard == *k).collect();
            (rows.iter().filter(|r| !r.answer.is_empty()).count(), rows.len())
        })
        .collect();
    let (done, steps) = progress(&per_section);
    let rows = a
        .rows
        .iter()
        .filter(|r| r.safeguard == key)
        .map(|r| {
            let unknown = r.answer.is_empty() && a.risks.iter().any(|k| k.threat == unknown_threat(r.id, &r.heading));
            let prefilled = r.answer.is_empty() && !unknown && r.evidence_ok == Some(true);
            let saved = if unknown {
                UNKNOWN.to_owned()
            } else if prefilled {
                "implemented".to_owned()
            } else {
                r.answer.clone()
            };
            WizardRow {
                answer: get(format!("{}_answer", r.id)).unwrap_or(saved),
                reason: get(format!("{}_reason", r.id)).unwrap_or_else(|| r.reason.clone()),
                measure: get(format!("{}_measure", r.id)).unwrap_or_else(|| r.measure.clone()),
                prefilled,
                error: None,
                row: SpecRow {
                    evidence: super::formats::us_dates(&r.evidence),
                    ..r.clone()
                },
            }
        })
        .collect();
    let in_30_days = state.app.clinic_today() + time::Duration::days(30);
    Ok(WizardPage {
        chrome: chrome(state, p, "/program"),
        id,
        step,
        steps,
        title,
        sections: SECTIONS
            .iter()
            .zip(&per_section)
            .map(|((_, t), (a, n))| (*t, a >= n))
            .collect(),
        done,
        rows,
        owner: get("task_owner".into()).unwrap_or_else(|| p.display_name.clone()),
        due: get("task_due".into()).unwrap_or_else(|| super::formats::date(in_30_days)),
        task_error: None,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, step)): Path<(i64, usize)>,
) -> Result<WizardPage, WebError> {
    page(&state, &p, id, step, None).await
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path((id, step)): Path<(i64, usize)>,
    Form(typed): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut shown = page(&state, &p, id, step, Some(&typed)).await?;
    let get = |k: &str| {
        typed
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let rows: Vec<SectionAnswer> = shown
        .rows
        .iter()
        .map(|r| SectionAnswer {
            spec: r.row.id.to_owned(),
            answer: get(&format!("{}_answer", r.row.id)),
            reason: get(&format!("{}_reason", r.row.id)),
            measure: get(&format!("{}_measure", r.row.id)),
        })
        .collect();
    match state
        .app
        .answer_section(&p.actor(), id, &rows, &get("task_owner"), &get("task_due"))
        .await
    {
        Ok(_) if get("go") == "previous" && step > 1 => Ok(urls::sra_wizard(id, step - 1).redirect()),
        Ok(_) if step < SECTIONS.len() => Ok(urls::sra_wizard(id, step + 1).redirect()),
        Ok(_) => Ok(urls::assessment(id).done("wizard").at("risks").redirect()),
        Err(r) if matches!(r.error, AppError::Invalid(_) | AppError::Conflict(_)) => {
            let mut m = r.error.to_string();
            if let Some(c) = m.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            if r.spec == "task" {
                shown.task_error = Some(m.clone());
            } else if let Some(row) = shown.rows.iter_mut().find(|x| x.row.id == r.spec) {
                row.error = Some(m.clone());
            }
            shown.chrome = shown
                .chrome
                .error(Some(format!("Nothing in this section was saved. {m}")));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
        Err(r) => Err(WebError::page(r.error)),
    }
}
