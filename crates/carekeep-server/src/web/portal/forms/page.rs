//! The page of one form: a part to fill in, or the sign step with the problems that kept the
//! form from being sent, each linked to its field.

use super::fields::{field_view, FieldView};
use super::{base, chrome_for};
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::portal::pages::Here;
use askama::Template;
use carekeep_app::forms::ResponseView;
use carekeep_app::portal::PortalPatient;
use carekeep_domain::forms::{intent_words, FieldKind, Problem, Section};

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

crate::web::chrome::page_response!(FormPage);

/// The sections the patient fills, by index: a section of signature fields only is the sign
/// step itself (its words are shown above the pad).
pub(super) fn fillable(t: &carekeep_domain::forms::Template) -> Vec<usize> {
    t.sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.fields.iter().any(|f| f.kind != FieldKind::Signature))
        .map(|(i, _)| i)
        .collect()
}

/// What one page of a form shows, besides the form itself.
pub(super) struct Shown<'a> {
    pub part: usize,
    pub problems: &'a [Problem],
    pub esign_needed: bool,
    pub typed: String,
    pub notice: Option<&'a str>,
}

pub(super) fn form_page(state: &AppState, p: &PortalPatient, v: &ResponseView, shown: Shown<'_>) -> FormPage {
    let Shown {
        part,
        problems,
        esign_needed,
        typed,
        notice,
    } = shown;
    let t = &v.template;
    let fill_ids = fillable(t);
    let fill: Vec<&Section> = fill_ids.iter().filter_map(|i| t.sections.get(*i)).collect();
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
            .map(|pr| problem_line(p, v, &fill, &parts, pr))
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

/// A problem on the sign step, linked to its field's part (or to the consent, or the pad).
fn problem_line(p: &PortalPatient, v: &ResponseView, fill: &[&Section], parts: &[String], pr: &Problem) -> ProblemLine {
    let at = fill.iter().position(|s| {
        s.fields
            .iter()
            .any(|f| f.id == pr.field && f.kind != FieldKind::Signature)
    });
    let label = v.template.field(&pr.field).map(|f| f.label.clone());
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
}
