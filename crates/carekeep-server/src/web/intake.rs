//! The clinic's forms (issue 28): `/forms` lists the templates and the built-ins to adopt, a
//! version's preview, a filled form's PDF, and sending forms from the chart. The editor is
//! `form_editor`'s; the answers page is `forms_review`'s.

use super::chrome;
use crate::error::WebError;
use crate::respond::file_response;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::forms::{BuiltinOffer, TemplateSummary, VersionView};
use carekeep_app::{AppError, Principal};
use carekeep_domain::forms::{FieldKind, Template as FormTemplate};
use carekeep_domain::Capability;
use serde::Deserialize;

#[derive(Template, Debug)]
#[template(path = "forms/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub templates: Vec<TemplateSummary>,
    pub builtins: Vec<BuiltinOffer>,
    pub may_edit: bool,
}

/// One question in the preview or the editor.
#[derive(Debug)]
pub struct QuestionView {
    pub label: String,
    pub help: String,
    pub kind: &'static str,
    pub required: bool,
    pub options: String,
    pub depends: String,
}

#[derive(Debug)]
pub struct SectionView {
    pub index: usize,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub questions: Vec<QuestionView>,
}

#[derive(Template, Debug)]
#[template(path = "forms/version.html")]
pub struct VersionPage {
    pub chrome: Chrome,
    pub v: VersionView,
    pub versions: Vec<(i64, i64, bool)>,
    pub sections: Vec<SectionView>,
    pub may_edit: bool,
}

crate::web::chrome::page_response!(ListPage, VersionPage);

fn may_edit(state: &AppState, p: &Principal) -> bool {
    state.app.policy().has_capability(&p.roles, Capability::ManageProgram)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<Response, WebError> {
    let notice = match d.done.as_str() {
        "adopted" => Some("Adopted: the form is now the clinic's own. Edit it to fit your practice."),
        _ => None,
    };
    Ok(ListPage {
        chrome: chrome(&state, &p, "/forms").notice(notice),
        templates: state.app.form_templates(&p.actor()).await.map_err(WebError::page)?,
        builtins: state.app.form_builtins(&p.actor()).await.map_err(WebError::page)?,
        may_edit: may_edit(&state, &p),
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdoptForm {
    key: String,
}

pub async fn adopt(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<AdoptForm>,
) -> Result<Response, WebError> {
    state.app.adopt_form(&p.actor(), &f.key).await.map_err(WebError::page)?;
    Ok(urls::forms().done("adopted").redirect())
}

fn sections_of(t: &FormTemplate) -> Vec<SectionView> {
    t.sections
        .iter()
        .enumerate()
        .map(|(index, s)| SectionView {
            index,
            title: s.title.clone(),
            paragraphs: s.text.clone(),
            questions: s
                .fields
                .iter()
                .map(|f| QuestionView {
                    label: f.label.clone(),
                    help: f.help.clone(),
                    kind: kind_words(&f.kind),
                    required: f.required,
                    options: match &f.kind {
                        FieldKind::Choice { options } | FieldKind::MultipleChoice { options } => options.join("\n"),
                        _ => String::new(),
                    },
                    depends: f
                        .show_if
                        .as_ref()
                        .map(|c| {
                            let parent = t.field(&c.field).map(|p| p.label.clone()).unwrap_or_default();
                            format!(
                                "Asked only when \u{201c}{parent}\u{201d} is \u{201c}{}\u{201d}",
                                c.equals
                            )
                        })
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect()
}

fn kind_words(k: &FieldKind) -> &'static str {
    match k {
        FieldKind::Text => "Short text",
        FieldKind::LongText => "Long text",
        FieldKind::Choice { .. } => "One choice",
        FieldKind::MultipleChoice { .. } => "Several choices",
        FieldKind::YesNo { follow_up: Some(_) } => "Yes or no, with a question when yes",
        FieldKind::YesNo { follow_up: None } => "Yes or no",
        FieldKind::Date => "Date",
        FieldKind::Number { .. } => "Number",
        FieldKind::MedicationList => "List of medicines",
        FieldKind::AllergyList => "List of allergies",
        FieldKind::Signature => "Signature",
        FieldKind::Initials => "Initials",
    }
}

pub async fn version(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<Response, WebError> {
    let v = state.app.form_version(&p.actor(), id).await.map_err(WebError::page)?;
    let versions = state
        .app
        .form_versions(&p.actor(), v.template_id)
        .await
        .map_err(WebError::page)?
        .into_iter()
        .map(|x| (x.id, x.number, x.used))
        .collect();
    let notice = match d.done.as_str() {
        "new" => Some("Saved as a new version: forms already sent keep the version they were sent."),
        "corrected" => Some("Saved: this version had not been sent to anyone yet, so it was corrected."),
        _ => None,
    };
    Ok(VersionPage {
        chrome: chrome(&state, &p, "/forms").notice(notice),
        sections: sections_of(&v.template),
        v,
        versions,
        may_edit: may_edit(&state, &p),
    }
    .into_response())
}

pub async fn response_pdf(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let pdf = state.app.form_pdf(&p.actor(), id).await.map_err(WebError::page)?;
    Ok(file_response("application/pdf".into(), pdf.bytes, &pdf.file_name))
}

/// Staff send forms from the chart: `template` repeated.
pub async fn send(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let templates: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "template")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    match state.app.send_forms(&p.actor(), id, None, &templates).await {
        Ok(_) => Ok(urls::patient(id).done("forms_sent").at("forms").redirect()),
        Err(AppError::Invalid(m)) => {
            let page = super::patients::chart_page(&state, &p, id, Some(super::formats::sentence(&m)), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}
