//! The assessment's life: draft, review, finalised. A finalised assessment never changes and
//! is kept six years (164.316(b)(2)(i)); the next starts as a copy. The rule sets no
//! frequency for risk analysis (164.308(a)(1)(ii)(A); "periodic" evaluation, 164.308(a)(8)):
//! twelve months is the clinic's policy (common practice), and a significant change in the
//! environment calls for a review before then (164.308(a)(8), 164.316(b)(2)(iii)).

use crate::program::dates::{add_months, standing as due_standing, Standing};
use time::Date;

/// Months between assessments: the clinic's policy, not a regulatory number.
pub const REFRESH_MONTHS: i32 = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Draft,
    Review,
    Final,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Final => "final",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Draft, Status::Review, Status::Final]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// Whether the contents may change.
    pub fn editable(self) -> bool {
        self != Status::Final
    }
}

/// Moves allowed: draft to review, review back to draft or on to final. Nothing leaves final.
pub fn may_move(from: Status, to: Status) -> bool {
    matches!(
        (from, to),
        (Status::Draft, Status::Review) | (Status::Review, Status::Draft) | (Status::Review, Status::Final)
    )
}

/// Changes that call for a review of a finalised assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    NewPhiVendor,
    NewAsset,
    NewLocation,
    Breach,
    SecurityOfficer,
}

impl Change {
    pub fn describe(self) -> &'static str {
        match self {
            Change::NewPhiVendor => "a new vendor handles PHI",
            Change::NewAsset => "a new device or system holds ePHI",
            Change::NewLocation => "the clinic has a new location",
            Change::Breach => "a breach occurred",
            Change::SecurityOfficer => "the security officer changed",
        }
    }
}

/// Where the clinic stands: no finalised assessment is a gap; a significant change after the
/// last one is a gap until it is reviewed; otherwise due twelve months after finalisation.
/// Returns the due date when there is one.
pub fn standing(last_final: Option<Date>, changed_on: Option<Date>, today: Date) -> (Option<Date>, Standing) {
    let Some(done) = last_final else {
        return (None, Standing::Gap);
    };
    let due = add_months(done, REFRESH_MONTHS);
    if changed_on.is_some_and(|c| c >= done) {
        return (Some(due), Standing::Gap);
    }
    (Some(due), due_standing(due, today))
}

/// Checks the signer's full name on a finalized assessment: at least two words (a given name
/// and a family name), each with a letter, and not only initials. The signature is the
/// assessment's documentation of who performed it (164.316(b)(1)); "Sam" names no one an
/// auditor can find.
pub fn check_signer(name: &str) -> Result<(), &'static str> {
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let letters = |w: &&str| w.chars().filter(|c| c.is_alphabetic()).count();
    if words.len() < 2
        || words.iter().filter(|w| letters(w) >= 2).count() < 1
        || words.iter().map(letters).sum::<usize>() < 4
    {
        return Err("sign with your full name: your first and last name, like \"Dana Reyes\"");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 164.316(b)(1): the signature says who performed the assessment.
    #[test]
    fn the_signer_gives_a_full_name() {
        for (name, ok) in [
            ("Dana Reyes", true),
            ("Mary-Jo O'Neil", true),
            ("J. Smith", true),
            ("José María García", true),
            ("Sam", false),
            ("  Sam  ", false),
            ("S. R.", false),
            ("Sam 2", false),
            ("A B", false),
            ("", false),
        ] {
            assert_eq!(check_signer(name).is_ok(), ok, "{name:?}");
        }
    }
    use time::macros::date;

    #[test]
    fn due_and_flagged() {
        let today = date!(2026 - 11 - 22);
        let cases = [
            (None, None, None, Standing::Gap),
            (
                Some(date!(2026 - 06 - 01)),
                None,
                Some(date!(2027 - 06 - 01)),
                Standing::Done,
            ),
            (
                Some(date!(2025 - 12 - 10)),
                None,
                Some(date!(2026 - 12 - 10)),
                Standing::DueSoon,
            ),
            (
                Some(date!(2025 - 11 - 21)),
                None,
                Some(date!(2026 - 11 - 21)),
                Standing::Gap,
            ),
            // Leap day: due on 28 February.
            (
                Some(date!(2024 - 02 - 29)),
                None,
                Some(date!(2025 - 02 - 28)),
                Standing::Gap,
            ),
            // A new PHI vendor after the last one: review it now.
            (
                Some(date!(2026 - 06 - 01)),
                Some(date!(2026 - 09 - 01)),
                Some(date!(2027 - 06 - 01)),
                Standing::Gap,
            ),
            // A change before it was finalised was part of it.
            (
                Some(date!(2026 - 06 - 01)),
                Some(date!(2026 - 05 - 01)),
                Some(date!(2027 - 06 - 01)),
                Standing::Done,
            ),
        ];
        for (last, changed, due, s) in cases {
            assert_eq!(standing(last, changed, today), (due, s), "{last:?} {changed:?}");
        }
    }

    #[test]
    fn moves() {
        use Status::*;
        for (from, to, ok) in [
            (Draft, Review, true),
            (Review, Draft, true),
            (Review, Final, true),
            (Draft, Final, false),
            (Final, Draft, false),
            (Final, Review, false),
        ] {
            assert_eq!(may_move(from, to), ok, "{from:?} -> {to:?}");
        }
    }
}
