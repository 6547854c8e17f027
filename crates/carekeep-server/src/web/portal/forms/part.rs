//! One part of a form: shown with what was saved, and saved as typed (a draft) whether or not
//! its answers pass, so nothing typed is lost; a mistake is named at its field.

use super::form_link;
use super::page::{fillable, form_page, Shown};
use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::Form;
use carekeep_app::portal::PortalPatient;
use carekeep_app::AppError;
use carekeep_domain::forms::RawAnswers;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Shows {
    done: String,
    part: Option<usize>,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
    Query(q): Query<Shows>,
) -> Result<Response, WebError> {
    let part = q.part.unwrap_or(0);
    page_at(&state, &p, id, part, (q.done == "saved").then_some("Saved.")).await
}

/// A part's address opened again (a reload after a save that named a problem lands on the
/// address the form posted to): the same part, with what its draft kept.
pub async fn reopen(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path((id, part)): Path<(i64, usize)>,
) -> Result<Response, WebError> {
    page_at(&state, &p, id, part, None).await
}

/// The sign step's address opened again: the sign step.
pub async fn reopen_sign(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    page_at(&state, &p, id, usize::MAX, None).await
}

async fn page_at(
    state: &AppState,
    p: &PortalPatient,
    id: i64,
    part: usize,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let v = state.app.portal_form(&p.actor(), id).await.map_err(WebError::page)?;
    let esign_needed = state
        .app
        .portal_forms(&p.actor())
        .await
        .map_err(WebError::page)?
        .esign_needed;
    let shown = Shown {
        part,
        problems: &[],
        esign_needed,
        typed: String::new(),
        drawn: String::new(),
        notice,
    };
    Ok(form_page(state, p, &v, shown).into_response())
}

/// The posted values, by name (`csrf` and the buttons left out).
fn raw_of(pairs: Vec<(String, String)>) -> (RawAnswers, String) {
    let mut raw = RawAnswers::new();
    let mut go = String::new();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => {}
            "go" => go = v,
            _ => raw.entry(k).or_default().push(v),
        }
    }
    (raw, go)
}

pub async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path((id, part)): Path<(i64, usize)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (raw, go) = raw_of(pairs);
    let v = state.app.portal_form(&p.actor(), id).await.map_err(WebError::page)?;
    let section = *fillable(&v.template)
        .get(part)
        .ok_or_else(|| WebError::page(AppError::NotFound("page")))?;
    let problems = state
        .app
        .portal_save_form(&p.actor(), id, section, &raw)
        .await
        .map_err(WebError::page)?;
    if go == "back" {
        return Ok(form_link(&p, id).with("part", part.saturating_sub(1)).redirect());
    }
    // More rows for a list: saved, and the same part again with two empty rows at the list.
    if let Some(list) = go.strip_prefix("rows:") {
        let at = v
            .template
            .sections
            .get(section)
            .and_then(|s| s.fields.iter().find(|f| f.id == list))
            .map_or_else(|| "part-form".to_owned(), |f| format!("f-{}", f.id));
        return Ok(form_link(&p, id).with("part", part).at(at).redirect());
    }
    if problems.is_empty() {
        return Ok(form_link(&p, id).with("part", part + 1).redirect());
    }
    let v = state.app.portal_form(&p.actor(), id).await.map_err(WebError::page)?;
    let esign_needed = state
        .app
        .portal_forms(&p.actor())
        .await
        .map_err(WebError::page)?
        .esign_needed;
    let shown = Shown {
        part,
        problems: &problems,
        esign_needed,
        typed: String::new(),
        drawn: String::new(),
        notice: None,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &p, &v, shown)).into_response())
}
