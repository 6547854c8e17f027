//! One question as the page shows it: the saved answer put back into its inputs, its
//! problem, and the condition that shows it, in words.

use carekeep_app::forms::ResponseView;
use carekeep_domain::forms::{citations, height, Answer, Field, FieldKind, Problem};

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
    /// How a length in inches may be typed (feet and inches too).
    pub unit_hint: &'static str,
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

/// `1980-04-23` as `04/23/1980`; anything else (kept as typed) unchanged.
fn us(iso: &str) -> String {
    carekeep_app::pdf::us_date(iso)
}

pub(super) fn field_view(v: &ResponseView, f: &Field, problems: &[Problem]) -> FieldView {
    let a = v.answers.get(&f.id);
    let text = match a {
        Some(Answer::Text(s)) => s.clone(),
        _ => String::new(),
    };
    let mut out = FieldView {
        id: f.id.clone(),
        label: citations::plain(&f.label).0,
        help: citations::plain(&f.help).0,
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
            if unit == height::INCHES {
                out.unit_hint = height::HINT;
            }
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
