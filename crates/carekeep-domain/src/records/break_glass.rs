//! Why someone breaks glass into a restricted chart (164.312(a)(2)(ii) emergency access
//! procedure; 164.308(a)(1)(ii)(D) information system activity review). The compliance
//! officer reviews every reason, so a reason must say something: one of the usual emergencies,
//! optionally with details, or in the person's own words (not ten of the same character).

use super::{invalid, Invalid};
use time::OffsetDateTime;

/// The usual reasons, offered as a list: `(code, words recorded)`.
pub const REASONS: &[(&str, &str)] = &[
    ("emergency_treatment", "Emergency treatment: the patient needs care now"),
    ("covering_provider", "Covering for the patient's named provider"),
    ("urgent_result", "An urgent result or call about this patient"),
    ("patient_request", "The patient asked me, in person or by phone"),
];

/// The code for "in my own words".
pub const OTHER: &str = "other";

/// The reason as recorded, from the chosen `kind` (empty: in one's own words) and the text.
pub fn reason(kind: &str, text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    let kind = kind.trim();
    if text.chars().count() > 500 {
        return invalid("the reason may be at most 500 characters");
    }
    if kind.is_empty() || kind == OTHER {
        if !says_something(text) {
            return invalid(
                "say why you need emergency access, in words (at least 10 characters), or choose a reason from the list",
            );
        }
        return Ok(text.to_owned());
    }
    let Some((_, label)) = REASONS.iter().find(|(code, _)| *code == kind) else {
        return invalid("choose a reason from the list, or give one in your own words");
    };
    if text.is_empty() {
        return Ok((*label).to_owned());
    }
    if !says_something(text) {
        return invalid("the details must be words (at least 10 characters), or leave them out");
    }
    Ok(format!("{label}: {text}"))
}

/// At least 10 characters, two words, and five different letters: "aaaaaaaaaa", "..........",
/// "1234567890" and "asdf" say nothing.
fn says_something(text: &str) -> bool {
    let words = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 2)
        .count();
    let mut letters: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    letters.sort_unstable();
    letters.dedup();
    text.chars().count() >= 10 && words >= 2 && letters.len() >= 5
}

/// Breaking glass while one's access to the chart is still live would stretch it past the
/// grant's end unnoticed: refused with the end, so that access beyond it is a new grant,
/// asked for once this one ends and reported on its own.
pub fn may_break_again(live_until: Option<OffsetDateTime>, now: OffsetDateTime) -> Result<(), OffsetDateTime> {
    match live_until {
        Some(until) if until > now => Err(until),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_reason_must_say_something() {
        let cases = [
            (
                "",
                "patient collapsed, need allergy list",
                Some("patient collapsed, need allergy list"),
            ),
            (
                "other",
                "urgent call from the hospital",
                Some("urgent call from the hospital"),
            ),
            ("", "aaaaaaaaaa", None),
            ("", "..........", None),
            ("", "1234567890", None),
            ("", "short", None),
            ("", "abababababab", None),
            (
                "emergency_treatment",
                "",
                Some("Emergency treatment: the patient needs care now"),
            ),
            (
                "urgent_result",
                "lab called about potassium",
                Some("An urgent result or call about this patient: lab called about potassium"),
            ),
            ("urgent_result", "xxxxxxxxxxxx", None),
            ("because", "patient collapsed at the desk", None),
        ];
        for (kind, text, want) in cases {
            assert_eq!(reason(kind, text).ok().as_deref(), want, "{kind:?} {text:?}");
        }
        assert!(reason("", &"word ".repeat(101)).is_err(), "at most 500 characters");
    }

    #[test]
    fn live_access_is_not_stretched() {
        let t = datetime!(2026-11-22 10:00 UTC);
        assert_eq!(may_break_again(None, t), Ok(()));
        assert_eq!(may_break_again(Some(t), t), Ok(()), "ended exactly now");
        let until = t + time::Duration::minutes(30);
        assert_eq!(may_break_again(Some(until), t), Err(until));
    }
}
