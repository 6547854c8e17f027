//! An authorization's end date that has already passed: such an authorization is defective
//! from the moment it is signed (164.508(b)(2)(i): "the expiration date has passed"), so the
//! form refuses it at its field rather than letting the patient sign something void.

use super::builtin::auth_fields;
use super::{is_shown, Answer, Answers, Field, FieldKind, Problem, Template, DATE_ISO};
use time::Date;

/// The date questions that ended an authorization before the flag [`Field::end_date`] existed:
/// the HIPAA authorization's, and the photography consent's marketing use (an authorization
/// under 164.508(a)(3)). Versions adopted then keep the rule by these ids.
const ENDS_ON_BEFORE_THE_FLAG: [&str; 2] = [auth_fields::EXPIRES_ON, "marketing_expires"];

/// Whether `f` is a date that ends a permission.
pub fn ends_a_permission(f: &Field) -> bool {
    f.kind == FieldKind::Date && (f.end_date || ENDS_ON_BEFORE_THE_FLAG.contains(&f.id.as_str()))
}

/// Each end date shown and answered that is before `today` (the clinic's day).
pub fn past_end_dates(t: &Template, answers: &Answers, today: Date) -> Vec<Problem> {
    t.fields()
        .filter(|f| ends_a_permission(f) && is_shown(t, f, answers))
        .filter_map(|f| match answers.get(&f.id) {
            Some(Answer::Text(s)) => Date::parse(s, DATE_ISO).ok().filter(|d| *d < today).map(|_| Problem {
                field: f.id.clone(),
                message: "This date has passed: choose the day this permission should end, today or later.".into(),
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::builtin;
    use time::macros::date;

    #[test]
    fn an_authorization_cannot_end_before_it_is_signed() {
        let t = builtin::template("hipaa_authorization").unwrap();
        let today = date!(2026 - 12 - 07);
        let with = |ends: &str, on: &str| {
            let mut a = Answers::new();
            a.insert(auth_fields::ENDS.into(), Answer::Text(ends.into()));
            a.insert(auth_fields::EXPIRES_ON.into(), Answer::Text(on.into()));
            a
        };
        let cases = [
            ("On a date", "1980-04-23", 1),
            ("On a date", "2026-12-06", 1),
            ("On a date", "2026-12-07", 0),
            ("On a date", "2027-06-30", 0),
            // Not a date (the field check says so), or the date question is hidden.
            ("On a date", "06/30", 0),
            ("When an event happens", "1980-04-23", 0),
        ];
        for (ends, on, n) in cases {
            let got = past_end_dates(&t, &with(ends, on), today);
            assert_eq!(got.len(), n, "{ends} {on}: {got:?}");
            assert!(got.iter().all(|p| p.field == auth_fields::EXPIRES_ON));
        }
    }

    /// The rule follows the flag on the field, whatever its id; a version stored before the
    /// flag (no `end_date` in its JSON) keeps it by the two built-in ids.
    #[test]
    fn an_end_date_is_a_property_of_the_field() {
        let today = date!(2026 - 12 - 07);
        let form = |id: &str, flagged: bool| {
            let mut f = Field {
                id: id.into(),
                label: "Ends on".into(),
                help: String::new(),
                kind: FieldKind::Date,
                required: true,
                show_if: None,
                end_date: flagged,
            };
            if id == "text" {
                f.kind = FieldKind::Text;
            }
            Template {
                title: "Permission".into(),
                kind: crate::forms::FormKind::Other,
                sections: vec![crate::forms::Section {
                    title: "When it ends".into(),
                    text: vec![],
                    fields: vec![f],
                }],
            }
        };
        let past = |id: &str| {
            let mut a = Answers::new();
            a.insert(id.into(), Answer::Text("2026-01-31".into()));
            a
        };
        let cases = [
            ("ends_on", true, 1),
            ("ends_on", false, 0),
            ("expires_on", false, 1),
            ("marketing_expires", false, 1),
            ("text", true, 0),
        ];
        for (id, flagged, n) in cases {
            assert_eq!(
                past_end_dates(&form(id, flagged), &past(id), today).len(),
                n,
                "{id} {flagged}"
            );
        }
        // The built-in templates carry the flag.
        for (key, id) in [
            ("hipaa_authorization", auth_fields::EXPIRES_ON),
            ("photo_consent", "marketing_expires"),
        ] {
            let t = builtin::template(key).unwrap();
            assert!(t.field(id).is_some_and(|f| f.end_date), "{key}");
        }
        // The flag is part of what a version's hash covers (and only when set, so the hash of
        // a version stored before it is unchanged).
        assert_ne!(form("ends_on", true).sha256(), form("ends_on", false).sha256());
    }
}
