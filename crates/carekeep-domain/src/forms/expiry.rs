//! An authorization's end date that has already passed: such an authorization is defective
//! from the moment it is signed (164.508(b)(2)(i): "the expiration date has passed"), so the
//! form refuses it at its field rather than letting the patient sign something void.

use super::builtin::auth_fields;
use super::{is_shown, Answer, Answers, Problem, Template, DATE_ISO};
use time::Date;

/// The date questions that end an authorization: the HIPAA authorization's, and the
/// photography consent's marketing use (an authorization under 164.508(a)(3)).
const ENDS_ON: [&str; 2] = [auth_fields::EXPIRES_ON, "marketing_expires"];

/// Each end date shown and answered that is before `today` (the clinic's day).
pub fn past_end_dates(t: &Template, answers: &Answers, today: Date) -> Vec<Problem> {
    t.fields()
        .filter(|f| ENDS_ON.contains(&f.id.as_str()) && is_shown(t, f, answers))
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
}
