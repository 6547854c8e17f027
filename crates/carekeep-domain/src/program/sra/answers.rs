//! Answers to the specifications. 164.306(d)(2): a required specification must be
//! implemented. 164.306(d)(3): for an addressable one the clinic assesses whether it is
//! reasonable and appropriate and either implements it, or documents why not and implements an
//! equivalent alternative measure if that is reasonable and appropriate. "Addressable" is not
//! "optional": every answer other than "implemented" carries its written reason.

use super::specs::Spec;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Implemented,
    /// Addressable only: not as written, but an equivalent measure is in place.
    Alternative,
    /// Not implemented. For a required row this is a gap to fix.
    NotImplemented,
    /// The row does not apply to this clinic (a clearinghouse, a group health plan).
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 4] = [
        Answer::Implemented,
        Answer::Alternative,
        Answer::NotImplemented,
        Answer::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Implemented => "implemented",
            Answer::Alternative => "alternative",
            Answer::NotImplemented => "not_implemented",
            Answer::NotApplicable => "not_applicable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Answer::Implemented => "Implemented",
            Answer::Alternative => "Equivalent alternative in place",
            Answer::NotImplemented => "Not implemented",
            Answer::NotApplicable => "Not applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// Checks an answer for its row; the error says what is missing.
pub fn check(spec: &Spec, answer: Answer, reason: &str, measure: &str) -> Result<(), String> {
    let has = |s: &str| s.trim().chars().count() >= 10;
    let documented = |r: &str, m: &str| has(r) && has(m);
    match answer {
        Answer::Implemented => Ok(()),
        Answer::Alternative if spec.required => Err(format!(
            "{} is required (164.306(d)(2)): it is implemented or not; an alternative is only for addressable rows",
            spec.id
        )),
        Answer::Alternative | Answer::NotImplemented if !spec.required && !documented(reason, measure) => {
            Err(format!(
                "{} is addressable: write why it is not reasonable and appropriate here and the equivalent measure you use instead (164.306(d)(3))",
                spec.id
            ))
        }
        Answer::NotApplicable if !has(reason) => Err(format!("{}: say why it does not apply", spec.id)),
        _ => Ok(()),
    }
}

/// Whether the answer leaves a gap to fix: a required row not implemented. An addressable row
/// with its documented decision is met (164.306(d)(3)).
pub fn is_gap(spec: &Spec, answer: Option<Answer>) -> bool {
    match answer {
        None => true,
        Some(Answer::NotImplemented) => spec.required,
        Some(_) => false,
    }
}

/// A human answer the system's evidence contradicts: "implemented" while the system shows a
/// gap.
pub fn contradicted(answer: Option<Answer>, evidence_ok: Option<bool>) -> bool {
    matches!(
        (answer, evidence_ok),
        (Some(Answer::Implemented | Answer::Alternative), Some(false))
    )
}

#[cfg(test)]
mod tests {
    use super::super::specs::by_id;
    use super::*;

    #[test]
    fn what_each_answer_needs() {
        let required = by_id("TEC-01").unwrap();
        let addressable = by_id("TEC-04").unwrap();
        let why = "a single locked-down desktop, no laptops";
        let instead = "full-disk encryption on the only computer";
        let cases = [
            (required, Answer::Implemented, "", "", true),
            (required, Answer::NotImplemented, "", "", true),
            // 164.306(d)(2): no alternative for a required row.
            (required, Answer::Alternative, why, instead, false),
            // 164.306(d)(3): an addressable row not implemented needs the reason and the measure.
            (addressable, Answer::NotImplemented, "", "", false),
            (addressable, Answer::NotImplemented, why, "", false),
            (addressable, Answer::NotImplemented, why, instead, true),
            (addressable, Answer::Alternative, why, instead, true),
            (addressable, Answer::NotApplicable, "", "", false),
            (
                by_id("ORG-04").unwrap(),
                Answer::NotApplicable,
                "we are a clinic, not a health plan",
                "",
                true,
            ),
        ];
        for (spec, answer, reason, measure, ok) in cases {
            assert_eq!(
                check(spec, answer, reason, measure).is_ok(),
                ok,
                "{} {answer:?}",
                spec.id
            );
        }
    }

    #[test]
    fn gaps_and_contradictions() {
        let required = by_id("TEC-07").unwrap();
        let addressable = by_id("TEC-03").unwrap();
        assert!(is_gap(required, None));
        assert!(is_gap(required, Some(Answer::NotImplemented)));
        assert!(!is_gap(addressable, Some(Answer::NotImplemented)));
        assert!(!is_gap(required, Some(Answer::Implemented)));
        assert!(contradicted(Some(Answer::Implemented), Some(false)));
        assert!(!contradicted(Some(Answer::Implemented), Some(true)));
        assert!(!contradicted(Some(Answer::NotImplemented), Some(false)));
        assert!(!contradicted(None, Some(false)));
        assert!(!contradicted(Some(Answer::Implemented), None));
    }
}
