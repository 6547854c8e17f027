//! The template editor (`/forms/{id}/edit`, issue 28 item 1): words and structure. The page is
//! one plain form; every button posts everything typed with the structure so far (a hidden
//! copy of the template, which holds no PHI), so adding, removing or moving a question, adding
//! or removing a part, or changing a question's type never loses typing, and works without
//! script. Only "Save" saves: an unused version is corrected in place, a used one makes the
//! next version (`save_form`). Every problem is named at its question
//! (`forms::edit::problems`); an authorization missing a 164.508(c) element is refused naming
//! it.

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
use carekeep_app::forms::VersionView;
use carekeep_app::{AppError, Principal};
use carekeep_domain::forms::edit::{self, Op, KINDS};
use carekeep_domain::forms::{FieldKind, Template as FormTemplate};

/// One question as the editor shows it.
#[derive(Debug)]
pub struct QuestionEdit {
    /// `q{part}_{place}`: the names of its boxes.
    pub name: String,
    pub place: usize,
    pub key: String,
    pub label: String,
    pub help: String,
    pub kind: &'static str,
    pub required: bool,
    /// A date that ends a permission: it may not be in the past when signed.
    pub end_date: bool,
    pub options: String,
    pub unit: String,
    pub follow_up: String,
    /// The question it depends on (its key), or empty: always asked.
    pub parent: String,
    /// Earlier questions it may depend on: (key, words).
    pub parents: Vec<(String, String)>,
    pub error: String,
    pub last: bool,
}

#[derive(Debug)]
pub struct PartEdit {
    pub index: usize,
    pub title: String,
    pub text: String,
    pub error: String,
    pub questions: Vec<QuestionEdit>,
}

#[derive(Template, Debug)]
#[template(path = "forms/edit.html")]
pub struct EditPage {
    pub chrome: Chrome,
    pub template_id: i64,
    pub version: i64,
    pub used: bool,
    pub title: String,
    /// The structure so far (JSON), carried between the buttons.
    pub body: String,
    pub parts: Vec<PartEdit>,
    pub kinds: &'static [(&'static str, &'static str)],
    /// A problem with the form as a whole (the title, a missing legal element).
    pub form_error: String,
}

crate::web::chrome::page_response!(EditPage);

async fn latest(state: &AppState, p: &Principal, template: i64) -> Result<VersionView, WebError> {
    let t = state
        .app
        .form_templates(&p.actor())
        .await
        .map_err(WebError::page)?
        .into_iter()
        .find(|t| t.id == template)
        .ok_or_else(|| WebError::page(AppError::NotFound("form")))?;
    state
        .app
        .form_version(&p.actor(), t.version_id)
        .await
        .map_err(WebError::page)
}

fn page(
    state: &AppState,
    p: &Principal,
    id: i64,
    v: &VersionView,
    t: &FormTemplate,
    problems: &[edit::Problem],
) -> EditPage {
    let at = |s: Option<usize>, q: Option<usize>| {
        problems
            .iter()
            .filter(|x| x.section == s && x.question == q)
            .map(|x| x.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut earlier: Vec<(String, String)> = Vec::new();
    let mut parts = Vec::new();
    for (si, s) in t.sections.iter().enumerate() {
        let mut questions = Vec::new();
        for (qi, f) in s.fields.iter().enumerate() {
            let parent = f.show_if.as_ref().map(|c| c.field.clone()).unwrap_or_default();
            let mut parents = earlier.clone();
            // A condition on an earlier choice question is kept as it was.
            // A question removed or moved below it stays chosen, so Save names the problem.
            if !parent.is_empty() && !parents.iter().any(|(k, _)| *k == parent) {
                let equals = f.show_if.as_ref().map(|c| c.equals.clone()).unwrap_or_default();
                let words = match t.field(&parent) {
                    Some(pf)
                        if earlier.iter().all(|(k, _)| *k != parent)
                            && t.fields().position(|x| x.id == parent) < t.fields().position(|x| x.id == f.id) =>
                    {
                        format!("{} is {equals}", pf.label)
                    }
                    _ => format!("{parent} is {equals} (a question no longer before this one)"),
                };
                parents.push((parent.clone(), words));
            }
            questions.push(QuestionEdit {
                name: format!("q{si}_{qi}"),
                place: qi,
                key: f.id.clone(),
                label: f.label.clone(),
                help: f.help.clone(),
                kind: edit::kind_code(&f.kind),
                required: f.required,
                end_date: carekeep_domain::forms::expiry::ends_a_permission(f),
                options: match &f.kind {
                    FieldKind::Choice { options } | FieldKind::MultipleChoice { options } => options.join("\n"),
                    _ => String::new(),
                },
                unit: match &f.kind {
                    FieldKind::Number { unit, .. } => unit.clone(),
                    _ => String::new(),
                },
                follow_up: match &f.kind {
                    FieldKind::YesNo { follow_up: Some(q) } => q.clone(),
                    _ => String::new(),
                },
                parent,
                parents,
                error: at(Some(si), Some(qi)),
                last: qi + 1 == s.fields.len() && si + 1 == t.sections.len(),
            });
            if matches!(f.kind, FieldKind::YesNo { .. }) {
                let words = if f.label.trim().is_empty() {
                    f.id.clone()
                } else {
                    f.label.clone()
                };
                earlier.push((f.id.clone(), format!("{words} is yes")));
            }
        }
        parts.push(PartEdit {
            index: si,
            title: s.title.clone(),
            text: s.text.join("\n\n"),
            error: at(Some(si), None),
            questions,
        });
    }
    let form_error = at(None, None);
    let error = (!problems.is_empty()).then(|| {
        format!(
            "Not saved: {} to fix, each named at its place below. Everything you typed is still here.",
            if problems.len() == 1 {
                "one thing".to_owned()
            } else {
                format!("{} things", problems.len())
            }
        )
    });
    EditPage {
        chrome: chrome(state, p, "/forms").error(error),
        template_id: id,
        version: v.number,
        used: v.used,
        title: t.title.clone(),
        body: serde_json::to_string(t).unwrap_or_default(),
        parts,
        kinds: &KINDS,
        form_error,
    }
}

pub async fn edit(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    // Who may not save may not start typing either: refused here, before any typing is lost.
    state
        .app
        .require_capability(&p.actor(), carekeep_domain::Capability::ManageProgram)
        .await
        .map_err(WebError::page)?;
    let v = latest(&state, &p, id).await?;
    Ok(page(&state, &p, id, &v, &v.template, &[]).into_response())
}

/// The structure carried by the page with the typed words and choices put in. The kind (what
/// the form is for) is always the saved one's: an authorization stays an authorization.
fn typed(saved: &FormTemplate, pairs: &[(String, String)]) -> FormTemplate {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.replace("\r\n", "\n"));
    let mut t: FormTemplate = get("body")
        .and_then(|b| serde_json::from_str(&b).ok())
        .unwrap_or_else(|| saved.clone());
    t.kind = saved.kind;
    if let Some(title) = get("title") {
        t.title = title.trim().to_owned();
    }
    for (si, s) in t.sections.iter_mut().enumerate() {
        if let Some(v) = get(&format!("s{si}.title")) {
            s.title = v.trim().to_owned();
        }
        if let Some(v) = get(&format!("s{si}.text")) {
            s.text = v
                .split("\n\n")
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
        }
        for (qi, f) in s.fields.iter_mut().enumerate() {
            let name = format!("q{si}_{qi}");
            let Some(label) = get(&format!("{name}.label")) else {
                continue;
            };
            f.label = label.trim().to_owned();
            f.help = get(&format!("{name}.help")).unwrap_or_default().trim().to_owned();
            if let Some(key) = get(&format!("{name}.key")) {
                f.id = key.trim().to_owned();
            }
            let code = get(&format!("{name}.kind")).unwrap_or_default();
            let detail = |k: &str| get(&format!("{name}.{k}")).unwrap_or_default();
            f.kind = edit::kind_from(
                &code,
                &detail("options"),
                &detail("unit"),
                &detail("follow_up"),
                &f.kind,
            );
            f.required = f.kind == FieldKind::Signature || detail("required") == "yes";
            f.end_date = f.kind == FieldKind::Date && detail("end_date") == "yes";
            f.show_if = edit::condition(detail("if").trim(), f.show_if.as_ref());
        }
    }
    t
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = latest(&state, &p, id).await?;
    let mut t = typed(&v.template, &pairs);
    let op = Op::parse(pairs.iter().find(|(n, _)| n == "op").map_or("", |(_, o)| o.as_str()));
    edit::apply(&mut t, op);
    if op != Op::Save {
        return Ok(page(&state, &p, id, &v, &t, &[]).into_response());
    }
    let problems = edit::problems(&t);
    if !problems.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, &p, id, &v, &t, &problems),
        )
            .into_response());
    }
    match state.app.save_form(&p.actor(), id, t.clone()).await {
        Ok((version, new)) => Ok(urls::form_version(version)
            .done(if new { "new" } else { "corrected" })
            .redirect()),
        Err(AppError::Invalid(m)) => {
            let whole = [edit::Problem {
                section: None,
                question: None,
                message: m,
            }];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &p, id, &v, &t, &whole)).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}
