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
use carekeep_domain::forms::{citations, intent_words, is_shown, FieldKind, Problem, Section};

/// A problem named on the sign step, with where to fix it.
#[derive(Debug)]
pub struct ProblemLine {
    pub href: String,
    pub words: String,
}

/// One part's answers on the sign step, read-only, with the way back to change them.
#[derive(Debug)]
pub struct PartSummary {
    pub title: String,
    pub href: String,
    /// Each question shown and its answer in words.
    pub lines: Vec<(String, String)>,
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
    /// The part's words without their legal citations, which `why` gives one click away.
    pub part_text: Vec<String>,
    pub why: Vec<String>,
    pub fields: Vec<FieldView>,
    /// A list of the part whose rows run out: the default button comes first, so Enter in a
    /// box still saves and continues rather than adding rows.
    pub has_list: bool,
    /// On the sign step: what is being signed, part by part.
    pub summary: Vec<PartSummary>,
    /// The drawn signature sent with a refused form, drawn again so it is not lost.
    pub drawn: String,
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
    pub drawn: String,
    pub notice: Option<&'a str>,
}

pub(super) fn form_page(state: &AppState, p: &PortalPatient, v: &ResponseView, shown: Shown<'_>) -> FormPage {
    let Shown {
        part,
        problems,
        esign_needed,
        typed,
        drawn,
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
    let (part_text, why) = plain(section.map_or(sign_text, |s| s.text.clone()));
    let fields: Vec<FieldView> = section
        .map(|s| {
            s.fields
                .iter()
                .filter(|f| f.kind != FieldKind::Signature)
                .map(|f| field_view(v, f, problems))
                .collect()
        })
        .unwrap_or_default();
    FormPage {
        chrome,
        has_list: fields
            .iter()
            .any(|f| f.kind == "medication_list" || f.kind == "allergy_list"),
        summary: if sign_step { summary(p, v, &fill) } else { Vec::new() },
        drawn,
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
        part_text,
        why,
        fields,
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

/// Paragraphs without their citations, and the citations of them all (each once).
fn plain(paragraphs: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut why: Vec<String> = Vec::new();
    let text = paragraphs
        .iter()
        .map(|para| {
            let (text, cited) = citations::plain(para);
            for c in cited {
                if !why.contains(&c) {
                    why.push(c);
                }
            }
            text
        })
        .collect();
    (text, why)
}

/// Each part's questions shown and their answers in words, to read before signing.
fn summary(p: &PortalPatient, v: &ResponseView, fill: &[&Section]) -> Vec<PartSummary> {
    fill.iter()
        .enumerate()
        .map(|(i, s)| PartSummary {
            title: s.title.clone(),
            href: format!("{}/forms/{}?part={i}", base(p), v.id),
            lines: s
                .fields
                .iter()
                .filter(|f| f.kind != FieldKind::Signature && is_shown(&v.template, f, &v.answers))
                .map(|f| {
                    let words = match v.answers.get(&f.id).filter(|a| !a.is_empty()) {
                        Some(a) => carekeep_app::forms::answer_words(Some(a), &f.kind),
                        None => "Not answered".into(),
                    };
                    (citations::plain(&f.label).0, words)
                })
                .collect(),
        })
        .collect()
}
