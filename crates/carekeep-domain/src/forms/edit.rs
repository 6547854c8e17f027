//! The template editor's rules: what a button does to the form's structure (add, remove or
//! move a question, add or remove a part), how a question's type is chosen, every problem
//! named at the question it is about, and the legal elements a HIPAA authorization keeps
//! through any edit (45 CFR 164.508(c)(1) core elements and (c)(2) statements; an
//! authorization missing one is "not valid", 164.508(b)(2)). Pure: the page keeps the
//! structure between posts, the app saves.

use super::builtin::{auth_fields, AUTHORIZATION_STATEMENTS};
use super::{Condition, Field, FieldKind, FormKind, Section, Template};
use std::collections::BTreeSet;

/// A button of the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Show the page again with what was typed (a new type's own boxes appear).
    Keep,
    Save,
    AddQuestion(usize),
    Remove(usize, usize),
    Up(usize, usize),
    Down(usize, usize),
    AddSection,
    RemoveSection(usize),
}

impl Op {
    /// `save`, `add:0`, `remove:0:3`, `up:0:3`, `down:0:3`, `add_section`, `remove_section:1`.
    pub fn parse(s: &str) -> Op {
        let parts: Vec<&str> = s.split(':').collect();
        let n = |i: usize| parts.get(i).and_then(|p| p.parse::<usize>().ok());
        match (parts.first().copied().unwrap_or_default(), n(1), n(2)) {
            ("save", _, _) => Op::Save,
            ("add", Some(s), _) => Op::AddQuestion(s),
            ("remove", Some(s), Some(q)) => Op::Remove(s, q),
            ("up", Some(s), Some(q)) => Op::Up(s, q),
            ("down", Some(s), Some(q)) => Op::Down(s, q),
            ("add_section", _, _) => Op::AddSection,
            ("remove_section", Some(s), _) => Op::RemoveSection(s),
            _ => Op::Keep,
        }
    }
}

/// The field set's types, as the editor offers them: (code, words).
pub const KINDS: [(&str, &str); 12] = [
    ("text", "Short text"),
    ("long_text", "Long text"),
    ("choice", "One choice"),
    ("multiple_choice", "Several choices"),
    ("yes_no", "Yes or no"),
    ("yes_no_follow_up", "Yes or no, with a question when yes"),
    ("date", "Date"),
    ("number", "Number with a unit"),
    ("medication_list", "List of medicines"),
    ("allergy_list", "List of allergies"),
    ("signature", "Signature"),
    ("initials", "Initials"),
];

/// The editor's code for a type (yes/no with a follow-up is its own choice).
pub fn kind_code(k: &FieldKind) -> &'static str {
    match k {
        FieldKind::YesNo { follow_up: Some(_) } => "yes_no_follow_up",
        other => other.code(),
    }
}

/// A type from the editor's code and the boxes of its details (choices one a line, a unit, a
/// follow-up question). An unknown code keeps `was`.
pub fn kind_from(code: &str, options: &str, unit: &str, follow_up: &str, was: &FieldKind) -> FieldKind {
    let options: Vec<String> = options
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let (min, max) = match was {
        FieldKind::Number { min, max, .. } => (*min, *max),
        _ => (None, None),
    };
    match code {
        "text" => FieldKind::Text,
        "long_text" => FieldKind::LongText,
        "choice" => FieldKind::Choice { options },
        "multiple_choice" => FieldKind::MultipleChoice { options },
        "yes_no" => FieldKind::YesNo { follow_up: None },
        "yes_no_follow_up" => FieldKind::YesNo {
            follow_up: Some(follow_up.trim().to_owned()),
        },
        "date" => FieldKind::Date,
        "number" => FieldKind::Number {
            unit: unit.trim().to_owned(),
            min,
            max,
        },
        "medication_list" => FieldKind::MedicationList,
        "allergy_list" => FieldKind::AllergyList,
        "signature" => FieldKind::Signature,
        "initials" => FieldKind::Initials,
        _ => was.clone(),
    }
}

/// A key not yet used in `t`: `question_N`.
fn fresh_key(t: &Template) -> String {
    let used: BTreeSet<&str> = t.fields().map(|f| f.id.as_str()).collect();
    (1..)
        .map(|n| format!("question_{n}"))
        .find(|k| !used.contains(k.as_str()))
        .unwrap_or_default()
}

/// What a button does to the structure. Out-of-range places do nothing.
pub fn apply(t: &mut Template, op: Op) {
    match op {
        Op::Keep | Op::Save => {}
        Op::AddQuestion(s) => {
            let id = fresh_key(t);
            if let Some(sec) = t.sections.get_mut(s) {
                sec.fields.push(Field {
                    id,
                    label: String::new(),
                    help: String::new(),
                    kind: FieldKind::Text,
                    required: false,
                    show_if: None,
                    end_date: false,
                });
            }
        }
        Op::Remove(s, q) => {
            if let Some(sec) = t.sections.get_mut(s) {
                if q < sec.fields.len() {
                    sec.fields.remove(q);
                }
            }
        }
        Op::Up(s, q) => {
            let Some(sec) = t.sections.get_mut(s) else {
                return;
            };
            if q > 0 && q < sec.fields.len() {
                sec.fields.swap(q - 1, q);
            } else if q == 0 && s > 0 && !sec.fields.is_empty() {
                // The first question of a part moves to the end of the part before.
                let f = sec.fields.remove(0);
                if let Some(before) = t.sections.get_mut(s - 1) {
                    before.fields.push(f);
                }
            }
        }
        Op::Down(s, q) => {
            let parts = t.sections.len();
            let Some(sec) = t.sections.get_mut(s) else {
                return;
            };
            let len = sec.fields.len();
            if q + 1 < len {
                sec.fields.swap(q, q + 1);
            } else if q + 1 == len && s + 1 < parts {
                // The last question of a part moves to the start of the part after.
                let f = sec.fields.remove(q);
                if let Some(after) = t.sections.get_mut(s + 1) {
                    after.fields.insert(0, f);
                }
            }
        }
        Op::AddSection => t.sections.push(Section {
            title: String::new(),
            text: Vec::new(),
            fields: Vec::new(),
        }),
        Op::RemoveSection(s) => {
            if s < t.sections.len() {
                t.sections.remove(s);
            }
        }
    }
}

/// A problem, at the question (part, place) or the part it is about; neither: the whole form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub section: Option<usize>,
    pub question: Option<usize>,
    pub message: String,
}

/// Every problem of an edited template, each where it is (a form that cannot be filled is
/// never saved: `check_template` is the same rule for the whole), then the legal elements.
pub fn problems(t: &Template) -> Vec<Problem> {
    let mut out = Vec::new();
    let whole = |message: String| Problem {
        section: None,
        question: None,
        message,
    };
    if t.title.trim().is_empty() {
        out.push(whole("Give the form a title.".into()));
    }
    if t.sections.iter().all(|s| s.fields.is_empty()) {
        out.push(whole("Add at least one question.".into()));
    }
    let mut before: Vec<&Field> = Vec::new();
    let mut keys = BTreeSet::new();
    for (si, s) in t.sections.iter().enumerate() {
        if s.title.trim().is_empty() {
            out.push(Problem {
                section: Some(si),
                question: None,
                message: "Give this part a heading.".into(),
            });
        }
        for (qi, f) in s.fields.iter().enumerate() {
            let at = |message: String| Problem {
                section: Some(si),
                question: Some(qi),
                message,
            };
            if f.label.trim().is_empty() {
                out.push(at("Type the question's words.".into()));
            }
            let ok_key = !f.id.is_empty()
                && f.id.len() <= 40
                && f.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok_key {
                out.push(at("The key is up to 40 of a-z, 0-9 and _ (it names the answer).".into()));
            } else if !keys.insert(f.id.as_str()) {
                out.push(at(format!(
                    "Another question already has the key {}: choose another.",
                    f.id
                )));
            }
            match &f.kind {
                FieldKind::Choice { options } | FieldKind::MultipleChoice { options } => {
                    let distinct: BTreeSet<&String> = options.iter().collect();
                    if options.is_empty() {
                        out.push(at("Type the choices, one a line.".into()));
                    } else if distinct.len() != options.len() {
                        out.push(at("Each choice once: two lines are the same.".into()));
                    }
                }
                FieldKind::YesNo { follow_up: Some(q) } if q.trim().is_empty() => {
                    out.push(at("Type the question asked when the answer is yes.".into()));
                }
                FieldKind::Number { unit, .. } if unit.trim().is_empty() => {
                    out.push(at("Type the unit (for example lb, in or mg).".into()));
                }
                _ => {}
            }
            if let Some(c) = &f.show_if {
                match before.iter().find(|p| p.id == c.field) {
                    None => out.push(at(
                        "It is asked when an answer is given to a question that is no longer before it: choose an earlier yes/no question, or always."
                            .into(),
                    )),
                    Some(p) => {
                        let fits = match &p.kind {
                            FieldKind::YesNo { .. } => c.equals == "yes" || c.equals == "no",
                            FieldKind::Choice { options } | FieldKind::MultipleChoice { options } => {
                                options.contains(&c.equals)
                            }
                            _ => false,
                        };
                        if !fits {
                            out.push(at(format!(
                                "\u{201c}{}\u{201d} cannot be answered \u{201c}{}\u{201d}: choose an earlier yes/no question, or always.",
                                p.label, c.equals
                            )));
                        }
                    }
                }
            }
            before.push(f);
        }
    }
    if let Err(m) = required_elements(t) {
        out.push(whole(m));
    }
    out
}

/// The condition the editor sets: "asked when `parent` is yes" (an earlier yes/no question),
/// or an earlier choice question's condition kept as it was.
pub fn condition(parent: &str, was: Option<&Condition>) -> Option<Condition> {
    if parent.is_empty() {
        return None;
    }
    match was {
        Some(c) if c.field == parent => Some(c.clone()),
        _ => Some(Condition {
            field: parent.to_owned(),
            equals: "yes".into(),
        }),
    }
}

/// The elements a HIPAA authorization keeps through any edit: each core element's question,
/// required, of a type that can hold it (164.508(c)(1)(i)-(v)); the three required statements
/// word for word ((c)(2)(i)-(iii)); and the signature ((c)(1)(vi)). Other forms have none.
pub fn required_elements(t: &Template) -> Result<(), String> {
    if t.kind != FormKind::Authorization {
        return Ok(());
    }
    use auth_fields::*;
    let text_like = |k: &FieldKind| matches!(k, FieldKind::Text | FieldKind::LongText);
    for (key, what) in [
        (DESCRIPTION, "a description of the information (164.508(c)(1)(i))"),
        (DISCLOSED_BY, "who may disclose it (164.508(c)(1)(ii))"),
        (RECIPIENTS, "the recipients (164.508(c)(1)(iii))"),
        (PURPOSE, "the purpose (164.508(c)(1)(iv))"),
    ] {
        if !t
            .field(key)
            .is_some_and(|f| f.required && text_like(&f.kind) && f.show_if.is_none())
        {
            return Err(format!(
                "An authorization must ask, as a required text question with the key {key}, {what}."
            ));
        }
    }
    let ends_ok = t.field(ENDS).is_some_and(|f| {
        f.required
            && matches!(&f.kind, FieldKind::Choice { options }
                if options.iter().any(|o| o == "On a date") && options.iter().any(|o| o == "When an event happens"))
    }) && t
        .field(EXPIRES_ON)
        .is_some_and(|f| f.kind == FieldKind::Date && f.required)
        && t.field(EXPIRY_EVENT).is_some_and(|f| text_like(&f.kind) && f.required);
    if !ends_ok {
        return Err(format!(
            "An authorization must ask when it ends: an expiration date or event (164.508(c)(1)(v)), with the questions {ENDS}, {EXPIRES_ON} and {EXPIRY_EVENT}."
        ));
    }
    let words: Vec<&str> = t
        .sections
        .iter()
        .flat_map(|s| s.text.iter().map(String::as_str))
        .collect();
    for (cite, statement) in AUTHORIZATION_STATEMENTS {
        if !words.contains(&statement) {
            return Err(format!(
                "An authorization must keep the statement required by {cite}, word for word: \u{201c}{statement}\u{201d}"
            ));
        }
    }
    if !t.fields().any(|f| f.kind == FieldKind::Signature) {
        return Err("An authorization must be signed (164.508(c)(1)(vi)): keep a signature question.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
