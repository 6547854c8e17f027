//! A length in inches as people type it: `66`, `5'6"`, `5 ft 6 in`, `5 feet 6 inches`, and the
//! curly quotes a phone's keyboard puts in (`5’6”`). A number field whose unit is `in` (the
//! medical history's height) reads it so, and keeps the inches; anything else is kept as typed
//! and named at the field ([`super::validate`]), so nothing typed is lost.

/// The unit that takes feet and inches too.
pub const INCHES: &str = "in";

/// The hint beside such a field.
pub const HINT: &str = "In inches (66) or in feet and inches (5'6\" or 5 ft 6 in).";

/// The message at the field when it is neither.
pub const PROBLEM: &str = "Type it in inches, like 66, or in feet and inches, like 5'6\" or 5 ft 6 in.";

/// The inches `typed` says, or `None` when it is not a length this reads.
pub fn inches(typed: &str) -> Option<f64> {
    let s: String = typed
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{2032}' | '`' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{2033}' => '"',
            c => c,
        })
        .collect();
    let s = s.replace("''", "\"");
    // Feet, then inches, each a number followed by its word or mark.
    let (feet, rest) = match split_unit(&s, &["feet", "foot", "ft", "'"]) {
        Some((n, rest)) => (Some(n), rest),
        None => (None, s.as_str()),
    };
    let rest = rest.trim().trim_start_matches(',').trim();
    let inch = if rest.is_empty() {
        None
    } else {
        let (n, tail) = match split_unit(rest, &["inches", "inch", "in", "\""]) {
            Some(found) => found,
            None => (number(rest)?, ""),
        };
        if !tail.trim().is_empty() {
            return None;
        }
        Some(n)
    };
    match (feet, inch) {
        (None, None) => None,
        (Some(f), None) => Some(f * 12.0),
        (None, Some(i)) => Some(i),
        // 5'13" is a mistake, not 6'1".
        (Some(f), Some(i)) if i < 12.0 && f.fract() == 0.0 => Some(f * 12.0 + i),
        _ => None,
    }
}

/// A number and the rest after one of `units` (the first that follows the number).
fn split_unit<'a>(s: &'a str, units: &[&str]) -> Option<(f64, &'a str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(s.len(), |(i, _)| i);
    let n = number(s.get(..end)?)?;
    let after = s.get(end..)?.trim_start();
    units.iter().find_map(|u| after.strip_prefix(u)).map(|rest| (n, rest))
}

fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The inches as the answer keeps them: `66`, `66.5`.
pub fn kept(inches: f64) -> String {
    if inches.fract() == 0.0 {
        format!("{inches:.0}")
    } else {
        format!("{}", (inches * 100.0).round() / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_as_people_type_them() {
        let cases: [(&str, Option<f64>); 22] = [
            ("66", Some(66.0)),
            ("66.5", Some(66.5)),
            (" 66 in", Some(66.0)),
            ("66 inches", Some(66.0)),
            ("66\"", Some(66.0)),
            ("5'6\"", Some(66.0)),
            ("5'6", Some(66.0)),
            ("5' 6\"", Some(66.0)),
            ("5 ft 6 in", Some(66.0)),
            ("5ft6in", Some(66.0)),
            ("5 feet 6 inches", Some(66.0)),
            ("5 foot 6", Some(66.0)),
            ("5 FT, 6 IN", Some(66.0)),
            ("5\u{2019}6\u{201d}", Some(66.0)),
            ("5''", Some(5.0)),
            ("6'", Some(72.0)),
            ("6 ft", Some(72.0)),
            // Not a length this reads: named at the field, kept as typed.
            ("five six", None),
            ("5'13\"", None),
            ("5.5'6", None),
            ("", None),
            ("170 cm", None),
        ];
        for (typed, want) in cases {
            assert_eq!(inches(typed), want, "{typed:?}");
        }
        assert_eq!(kept(66.0), "66");
        assert_eq!(kept(66.5), "66.5");
    }

    /// The medical history's height as a browser sends it: read as inches, or kept as typed
    /// and named at the field.
    #[test]
    fn the_height_question_reads_feet_and_inches() {
        use crate::forms::{builtin, read_section, validate, Answer, Answers, RawAnswers};
        let t = builtin::template("medical_history").unwrap();
        let cases = [
            ("5'6\"", "66", None),
            ("5 ft 6 in", "66", None),
            ("66", "66", None),
            ("5 ft 13 in", "5 ft 13 in", Some(PROBLEM)),
            ("five six", "five six", Some(PROBLEM)),
            // Read, but out of the question's range (20 to 100 inches).
            ("12'", "144", Some("Type a number from 20 to 100 in.")),
        ];
        for (typed, kept_as, problem) in cases {
            let mut raw = RawAnswers::new();
            raw.insert("height".into(), vec![typed.into()]);
            let mut a = Answers::new();
            read_section(&t, 0, &raw, &mut a);
            assert_eq!(a.get("height"), Some(&Answer::Text(kept_as.into())), "{typed}");
            let got = validate(&t, &a)
                .into_iter()
                .find(|p| p.field == "height")
                .map(|p| p.message);
            assert_eq!(got.as_deref(), problem, "{typed}");
        }
        assert_eq!(kept(66.5), "66.5");
    }
}
