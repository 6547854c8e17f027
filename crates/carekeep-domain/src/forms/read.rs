//! Reading one section's typed values into [`Answers`]. Nothing typed is dropped: a date that
//! does not parse is kept as typed and [`super::validate`] names it, so a refused form shows
//! the patient's own words again.

use super::{Allergy, Answer, Answers, FieldKind, Medication, Template, DATE_ISO};
use std::collections::BTreeMap;
use time::Date;

/// The values a browser sent, by name, in order (a name may repeat: multiple choice, list rows).
pub type RawAnswers = BTreeMap<String, Vec<String>>;

fn one<'a>(raw: &'a RawAnswers, key: &str) -> &'a str {
    raw.get(key).and_then(|v| v.first()).map_or("", |s| s.as_str())
}

fn column<'a>(raw: &'a RawAnswers, key: &str) -> &'a [String] {
    raw.get(key).map_or(&[], |v| v.as_slice())
}

/// Line breaks as `\n`, outer spaces trimmed.
fn clean(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n").trim().to_owned()
}

/// A date as typed (`04/23/1980` or `1980-04-23`) as `YYYY-MM-DD`, or as typed when it is not one.
fn date(s: &str) -> String {
    let s = s.trim();
    let us = time::macros::format_description!("[month padding:none]/[day padding:none]/[year]");
    Date::parse(s, DATE_ISO)
        .or_else(|_| Date::parse(s, us))
        .map(|d| d.to_string())
        .unwrap_or_else(|_| s.to_owned())
}

/// A number typed with the field's own unit after it ("180 lbs", "180lb.", "72 in") without
/// that unit; anything else as typed, for the check to name.
pub fn without_unit(typed: &str, unit: &str) -> String {
    let unit = unit.trim().to_lowercase();
    if unit.is_empty() {
        return typed.to_owned();
    }
    let lower = typed.trim().to_lowercase();
    let number = [
        format!("{unit}s."),
        format!("{unit}s"),
        format!("{unit}."),
        unit.clone(),
    ]
    .iter()
    .find_map(|u| lower.strip_suffix(u.as_str()))
    .map(str::trim_end);
    match number {
        Some(n) if !n.is_empty() && n.parse::<f64>().is_ok() => n.to_owned(),
        _ => typed.to_owned(),
    }
}

/// Replaces the answers of section `index` of `t` with what `raw` holds for its fields.
pub fn read_section(t: &Template, index: usize, raw: &RawAnswers, answers: &mut Answers) {
    let Some(section) = t.sections.get(index) else { return };
    for f in &section.fields {
        answers.remove(&f.id);
        let id = f.id.as_str();
        let value = match &f.kind {
            FieldKind::Signature => None,
            // A length in inches may be typed in feet and inches; kept as the inches.
            FieldKind::Number { unit, .. } if unit == super::height::INCHES => {
                let typed = clean(one(raw, id));
                let kept = super::height::inches(&typed).map_or(typed, super::height::kept);
                Some(Answer::Text(kept)).filter(|a| !matches!(a, Answer::Text(s) if s.is_empty()))
            }
            // "180 lbs" beside a box that says "lb" is the number the patient meant.
            FieldKind::Number { unit, .. } => {
                let typed = clean(one(raw, id));
                Some(Answer::Text(without_unit(&typed, unit))).filter(|a| !matches!(a, Answer::Text(s) if s.is_empty()))
            }
            FieldKind::Text | FieldKind::LongText | FieldKind::Choice { .. } | FieldKind::Initials => {
                Some(Answer::Text(clean(one(raw, id)))).filter(|a| !matches!(a, Answer::Text(s) if s.is_empty()))
            }
            FieldKind::Date => {
                Some(Answer::Text(date(one(raw, id)))).filter(|a| !matches!(a, Answer::Text(s) if s.is_empty()))
            }
            FieldKind::MultipleChoice { .. } => {
                let v: Vec<String> = column(raw, id)
                    .iter()
                    .map(|s| clean(s))
                    .filter(|s| !s.is_empty())
                    .collect();
                Some(Answer::Many(v)).filter(|a| !matches!(a, Answer::Many(v) if v.is_empty()))
            }
            FieldKind::YesNo { .. } => match one(raw, id) {
                "yes" => Some(Answer::YesNo {
                    yes: true,
                    detail: clean(one(raw, &format!("{id}.detail"))),
                }),
                "no" => Some(Answer::YesNo {
                    yes: false,
                    detail: String::new(),
                }),
                _ => None,
            },
            FieldKind::MedicationList => {
                let names = column(raw, &format!("{id}.name"));
                let doses = column(raw, &format!("{id}.dose"));
                let often = column(raw, &format!("{id}.how_often"));
                let n = names.len().max(doses.len()).max(often.len());
                let rows: Vec<Medication> = (0..n)
                    .map(|i| Medication {
                        name: clean(names.get(i).map_or("", |s| s)),
                        dose: clean(doses.get(i).map_or("", |s| s)),
                        how_often: clean(often.get(i).map_or("", |s| s)),
                    })
                    .filter(|m| !(m.name.is_empty() && m.dose.is_empty() && m.how_often.is_empty()))
                    .collect();
                Some(Answer::Medications(rows)).filter(|a| !matches!(a, Answer::Medications(v) if v.is_empty()))
            }
            FieldKind::AllergyList => {
                let subs = column(raw, &format!("{id}.substance"));
                let reactions = column(raw, &format!("{id}.reaction"));
                let n = subs.len().max(reactions.len());
                let rows: Vec<Allergy> = (0..n)
                    .map(|i| Allergy {
                        substance: clean(subs.get(i).map_or("", |s| s)),
                        reaction: clean(reactions.get(i).map_or("", |s| s)),
                    })
                    .filter(|a| !(a.substance.is_empty() && a.reaction.is_empty()))
                    .collect();
                Some(Answer::Allergies(rows)).filter(|a| !matches!(a, Answer::Allergies(v) if v.is_empty()))
            }
        };
        if let Some(v) = value {
            answers.insert(f.id.clone(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_unit;

    #[test]
    fn a_number_typed_with_its_fields_unit_is_the_number() {
        for (typed, unit, want) in [
            ("180", "lb", "180"),
            ("180 lbs", "lb", "180"),
            ("180 LB", "lb", "180"),
            ("180lb.", "lb", "180"),
            ("98.6 F", "F", "98.6"),
            ("180 kg", "lb", "180 kg"),
            ("lbs", "lb", "lbs"),
            ("about 180 lbs", "lb", "about 180 lbs"),
            ("180 lbs", "", "180 lbs"),
        ] {
            assert_eq!(without_unit(typed, unit), want, "{typed:?} {unit:?}");
        }
    }
}
