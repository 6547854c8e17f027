//! The patient's forms (issue 28, items 3 and 4): the list with the E-SIGN statement asked
//! once, each form one part at a time (every part posts and is kept as a draft, so nothing
//! typed is lost, and a mistake is named at its field), the sign step with a drawing pad and a
//! typed fallback, and the signed copy as a PDF.

use super::pages::{portal_chrome, Here};
use crate::error::WebError;
use crate::respond::file_response;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::Form;
use carekeep_app::forms::{FormLine, ResponseView, SignatureInput, Submitted};
use carekeep_app::portal::PortalPatient;
use carekeep_app::AppError;
use carekeep_domain::forms::{esign, intent_words, Answer, FieldKind, Problem, RawAnswers, Status};
use serde::Deserialize;

/// Where the forms are filled: the portal, or the clinic's tablet in kiosk mode (the same
/// handlers and pages; the tablet's have no menu, no copies to download and no way out).
fn base(p: &PortalPatient) -> &'static str {
    if p.kiosk.is_some() {
        "/kiosk"
    } else {
        "/portal"
    }
}

fn forms_link(p: &PortalPatient) -> urls::Link {
    if p.kiosk.is_some() {
        urls::kiosk_forms()
    } else {
        urls::portal_forms()
    }
}

fn form_link(p: &PortalPatient, id: i64) -> urls::Link {
    if p.kiosk.is_some() {
        urls::kiosk_form(id)
    } else {
        urls::portal_form(id)
    }
}

/// The chrome of a forms page: on the tablet, the seconds after which the page returns itself
/// to the code screen (the server ends the session then too).
fn chrome_for(state: &AppState, p: &PortalPatient, notice: Option<&str>) -> Chrome {
    let mut c = portal_chrome(state, p, notice);
    if p.kiosk.is_some() {
        c.kiosk_idle_seconds = carekeep_domain::forms::kiosk::page_refresh_seconds();
    }
    c
}

/// One form in the list.
#[derive(Debug)]
pub struct FormItem {
    pub id: i64,
    pub title: String,
    /// `For your visit on 12/14/2026`, or empty.
    pub visit: String,
    pub status: &'static str,
    pub done: bool,
    pub started: bool,
}

#[derive(Template, Debug)]
#[template(path = "portal/forms.html")]
pub struct FormsPage {
    pub chrome: Chrome,
    /// `/portal` or `/kiosk`.
    pub base: &'static str,
    pub kiosk: bool,
    pub here: Here,
    pub esign_needed: bool,
    pub statement: Vec<&'static str>,
    pub agree: &'static str,
    pub to_do: Vec<FormItem>,
    pub done: Vec<FormItem>,
}

/// One question as the page shows it, with what was saved and its problem.
#[derive(Debug, Default)]
pub struct FieldView {
    pub id: String,
    pub label: String,
    pub help: String,
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<(String, bool)>,
    pub value: String,
    pub unit: String,
    pub yes: Option<bool>,
    pub detail: String,
    pub follow_up: String,
    pub meds: Vec<[String; 3]>,
    pub allergies: Vec<[String; 2]>,
    pub error: String,
    /// Shown only when `show_if` (a field id) is `equals`; `depends` says so in words.
    pub show_if: String,
    pub equals: String,
    pub depends: String,
}

/// A problem named on the sign step, with where to fix it.
#[derive(Debug)]
pub struct ProblemLine {
    pub href: String,
    pub words: String,
}

#[derive(Template, Debug)]
#[template(path = "portal/form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    /// `/portal` or `/kiosk`.
    pub base: &'static str,
    pub kiosk: bool,
    pub here: Here,
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    pub submitted: bool,
    /// The part shown (`parts` = the sign step).
    pub part: usize,
    pub parts: Vec<String>,
    pub part_title: String,
    pub part_text: Vec<String>,
    pub fields: Vec<FieldView>,
    pub sign_step: bool,
    pub problems: Vec<ProblemLine>,
    pub intent: String,
    pub esign_needed: bool,
    pub typed: String,
}

crate::web::chrome::page_response!(FormsPage, FormPage);

/// `1980-04-23` as `04/23/1980`; anything else (kept as typed) unchanged.
fn us(iso: &str) -> String {
    carekeep_app::pdf::us_date(iso)
}

fn item(l: FormLine) -> FormItem {
    FormItem {
        id: l.response_id,
        visit: l
            .visit_on
            .map(|d| format!("For your visit on {}", crate::web::formats::date(d)))
            .unwrap_or_default(),
        title: l.title,
        status: l.status.words(),
        done: l.status.done(),
        started: l.status == Status::Draft,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
    part: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let f = state.app.portal_forms(&p.actor()).await.map_err(WebError::page)?;
    let notice = match q.done.as_str() {
        "signed" => Some("Thank you: your form is signed and sent to the clinic. You can download a copy below."),
        "agreed" => Some("Thank you: you can now fill in and sign your forms here."),
        _ => None,
    };
    let (done, to_do): (Vec<FormItem>, Vec<FormItem>) = f.forms.into_iter().map(item).partition(|i| i.done);
    Ok(FormsPage {
        chrome: chrome_for(&state, &p, notice),
        base: base(&p),
        kiosk: p.kiosk.is_some(),
        here: Here::Forms,
        esign_needed: f.esign_needed,
        statement: esign::STATEMENT.iter().map(|(_, w)| *w).collect(),
        agree: esign::AGREE,
        to_do,
        done,
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AgreeForm {
    agree: String,
}

pub async fn agree(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Form(f): Form<AgreeForm>,
) -> Result<Response, WebError> {
    if f.agree != "yes" {
        let forms = state.app.portal_forms(&p.actor()).await.map_err(WebError::page)?;
        let (done, to_do): (Vec<FormItem>, Vec<FormItem>) = forms.forms.into_iter().map(item).partition(|i| i.done);
        let chrome =
            chrome_for(&state, &p, None).error(Some("Tick the box to agree, or ask the front desk for paper forms."));
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            FormsPage {
                chrome,
                base: base(&p),
                kiosk: p.kiosk.is_some(),
                here: Here::Forms,
                esign_needed: true,
                statement: esign::STATEMENT.iter().map(|(_, w)| *w).collect(),
                agree: esign::AGREE,
                to_do,
                done,
            },
        )
            .into_response());
    }
    state
        .app
        .portal_esign_consent(&p.actor())
        .await
        .map_err(WebError::page)?;
    Ok(forms_link(&p).done("agreed").redirect())
}

fn field_view(v: &ResponseView, f: &carekeep_domain::forms::Field, problems: &[Problem]) -> FieldView {
    let a = v.answers.get(&f.id);
    let text = match a {
        Some(Answer::Text(s)) => s.clone(),
        _ => String::new(),
    };
    let mut out = FieldView {
        id: f.id.clone(),
        label: f.label.clone(),
        help: f.help.clone(),
        kind: f.kind.code(),
        required: f.required,
        error: problems
            .iter()
            .find(|p| p.field == f.id)
            .map(|p| p.message.clone())
            .unwrap_or_default(),
        ..FieldView::default()
    };
    if let Some(c) = &f.show_if {
        out.show_if = c.field.clone();
        out.equals = c.equals.clone();
        let parent = v.template.field(&c.field).map(|p| p.label.clone()).unwrap_or_default();
        let answer = match c.equals.as_str() {
            "yes" => "Yes",
            "no" => "No",
            other => other,
        };
        out.depends = format!("Only if you answered \u{201c}{answer}\u{201d} to \u{201c}{parent}\u{201d}.");
    }
    match &f.kind {
        FieldKind::Choice { options } => {
            out.options = options.iter().map(|o| (o.clone(), *o == text)).collect();
        }
        FieldKind::MultipleChoice { options } => {
            let chosen: Vec<String> = match a {
                Some(Answer::Many(v)) => v.clone(),
                _ => Vec::new(),
            };
            out.options = options.iter().map(|o| (o.clone(), chosen.contains(o))).collect();
        }
        FieldKind::YesNo { follow_up } => {
            if let Some(Answer::YesNo { yes, detail }) = a {
                out.yes = Some(*yes);
                out.detail = detail.clone();
            }
            out.follow_up = follow_up.clone().unwrap_or_default();
        }
        FieldKind::Date => out.value = us(&text),
        FieldKind::Number { unit, .. } => {
            out.value = text;
            out.unit = unit.clone();
        }
        FieldKind::MedicationList => {
            if let Some(Answer::Medications(v)) = a {
                out.meds = v
                    .iter()
                    .map(|m| [m.name.clone(), m.dose.clone(), m.how_often.clone()])
                    .collect();
            }
            out.meds
                .extend(std::iter::repeat_n([String::new(), String::new(), String::new()], 2));
        }
        FieldKind::AllergyList => {
            if let Some(Answer::Allergies(v)) = a {
                out.allergies = v.iter().map(|m| [m.substance.clone(), m.reaction.clone()]).collect();
            }
            out.allergies
                .extend(std::iter::repeat_n([String::new(), String::new()], 2));
        }
        _ => out.value = text,
    }
    out
}

/// The sections the patient fills, by index: a section of signature fields only is the sign
/// step itself (its words are shown above the pad).
fn fillable(t: &carekeep_domain::forms::Template) -> Vec<usize> {
    t.sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.fields.iter().any(|f| f.kind != FieldKind::Signature))
        .map(|(i, _)| i)
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    state: &AppState,
    p: &PortalPatient,
    v: &ResponseView,
    part: usize,
    problems: &[Problem],
    esign_needed: bool,
    typed: String,
    notice: Option<&str>,
) -> FormPage {
    let t = &v.template;
    let fill: Vec<&carekeep_domain::forms::Section> =
        fillable(t).into_iter().filter_map(|i| t.sections.get(i)).collect();
    let fill_ids = fillable(t);
    let parts: Vec<String> = fill.iter().map(|s| s.title.clone()).collect();
    let part = part.min(parts.len());
    let sign_step = part == parts.len();
    let section = fill.get(part).copied();
    let sign_text: Vec<String> = t
        .sections
        .iter()
        .enumerate()
        .filter(|(i, _)| !fill_ids.contains(i))
        .flat_map(|(_, s)| s.text.iter().cloned())
        .collect();
    let problem_lines = if sign_step {
        problems
            .iter()
            .map(|pr| {
                let at = fill.iter().position(|s| {
                    s.fields
                        .iter()
                        .any(|f| f.id == pr.field && f.kind != FieldKind::Signature)
                });
                let label = t.field(&pr.field).map(|f| f.label.clone());
                match (at.and_then(|a| Some((a, parts.get(a)?))), label) {
                    (Some((part, name)), Some(l)) => ProblemLine {
                        href: format!("{}/forms/{}?part={part}#f-{}", base(p), v.id, pr.field),
                        words: format!("{name} \u{2013} {l}: {}", pr.message),
                    },
                    _ if pr.field == "esign" => ProblemLine {
                        href: format!("{}/forms#esign", base(p)),
                        words: pr.message.clone(),
                    },
                    _ => ProblemLine {
                        href: "#signature".into(),
                        words: pr.message.clone(),
                    },
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut chrome = chrome_for(state, p, notice);
    if !problems.is_empty() {
        chrome = chrome.error(Some(if sign_step {
            "The form was not sent: fix what is listed below. Your answers are saved."
        } else {
            "Your answers are saved, but some need a change: see below."
        }));
    }
    FormPage {
        chrome,
        base: base(p),
        kiosk: p.kiosk.is_some(),
        here: Here::Forms,
        id: v.id,
        title: t.title.clone(),
        status: v.status.words(),
        submitted: v.status.done(),
        part,
        part_title: section
            .map(|s| s.title.clone())
            .unwrap_or_else(|| "Sign and send".into()),
        part_text: section.map_or(sign_text, |s| s.text.clone()),
        fields: section
            .map(|s| {
                s.fields
                    .iter()
                    .filter(|f| f.kind != FieldKind::Signature)
                    .map(|f| field_view(v, f, problems))
                    .collect()
            })
            .unwrap_or_default(),
        parts,
        sign_step,
        problems: problem_lines,
        intent: intent_words(&t.title),
        esign_needed,
        typed,
    }
}

pub async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let v = state.app.portal_form(&p.actor(), id).await.map_err(WebError::page)?;
    let esign_needed = state
        .app
        .portal_forms(&p.actor())
        .await
        .map_err(WebError::page)?
        .esign_needed;
    let notice = (q.done == "saved").then_some("Saved.");
    Ok(form_page(
        &state,
        &p,
        &v,
        q.part.unwrap_or(0),
        &[],
        esign_needed,
        String::new(),
        notice,
    )
    .into_response())
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
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(&state, &p, &v, part, &problems, esign_needed, String::new(), None),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignForm {
    drawn: String,
    typed: String,
}

pub async fn sign(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
    Form(f): Form<SignForm>,
) -> Result<Response, WebError> {
    let typed = f.typed.clone();
    match state
        .app
        .portal_submit_form(
            &p.actor(),
            id,
            SignatureInput {
                drawn: f.drawn,
                typed: f.typed,
            },
        )
        .await
        .map_err(WebError::page)?
    {
        // On the tablet, the packet's last form sent ends the session: the thanks page shows
        // nothing of the patient, and the cookie goes.
        Submitted::Done if p.kiosk.is_some() => {
            if state.app.kiosk_packet_done(&p.actor()).await.map_err(WebError::page)? {
                state
                    .app
                    .kiosk_hand_back(&p.actor(), "clinic tablet: ended: the packet was signed and sent")
                    .await
                    .map_err(WebError::page)?;
                return Ok(handed_back(urls::kiosk_thanks()));
            }
            Ok(urls::kiosk_forms().done("signed").redirect())
        }
        Submitted::Done => Ok(urls::portal_forms().done("signed").redirect()),
        Submitted::Refused(problems) => {
            let v = state.app.portal_form(&p.actor(), id).await.map_err(WebError::page)?;
            let esign_needed = state
                .app
                .portal_forms(&p.actor())
                .await
                .map_err(WebError::page)?
                .esign_needed;
            let parts = fillable(&v.template).len();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&state, &p, &v, parts, &problems, esign_needed, typed, None),
            )
                .into_response())
        }
    }
}

pub async fn pdf(
    State(state): State<AppState>,
    Extension(p): Extension<PortalPatient>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state
        .app
        .portal_form_pdf(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(file_response("application/pdf".into(), bytes, "signed-form.pdf"))
}

/// The tablet handed back: its session cookie removed (either name: plain or over HTTPS), and
/// on to `to` (the thanks page).
fn handed_back(to: urls::Link) -> Response {
    let mut r = to.redirect();
    for https in [false, true] {
        let gone = crate::portal_door::portal_cookie_removal(crate::portal_door::KIOSK_SESSION, https);
        if let Ok(v) = axum::http::HeaderValue::from_str(&gone.to_string()) {
            r.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    r
}
