//! The risk assessment as a wizard (issue 25, item 7): one page per safeguard section of the
//! Security Rule (164.308 administrative, 164.310 physical, 164.312 technical, 164.314
//! organizational, 164.316 policies and documentation), each saved with one submission. "We
//! don't know yet" is an answer: the row stays open (a gap) and becomes a risk to mitigate with
//! a task, an owner and a due date, so finalizing waits for it (164.308(a)(1)(ii)(A)-(B)).

use super::risk::Rating;

/// The sections in order: `(the rows' safeguard, the page's title)`.
pub const SECTIONS: [(&str, &str); 5] = [
    ("administrative", "Administrative safeguards (164.308)"),
    ("physical", "Physical safeguards (164.310)"),
    ("technical", "Technical safeguards (164.312)"),
    ("organizational", "Business associates and group plans (164.314)"),
    ("documentation", "Policies and documentation (164.316)"),
];

/// The section of a 1-based step number, if there is one.
pub fn section(step: usize) -> Option<(&'static str, &'static str)> {
    step.checked_sub(1).and_then(|i| SECTIONS.get(i).copied())
}

/// The form's value for "we don't know yet".
pub const UNKNOWN: &str = "unknown";

/// The risk a row answered "we don't know yet" becomes: its threat names the row, so a second
/// "don't know" finds it again instead of adding another.
pub fn unknown_threat(spec_id: &str, heading: &str) -> String {
    format!("Not known yet: {spec_id} {heading}")
}

/// An unknown safeguard is rated moderate on both axes: above low, so it needs its task with
/// an owner and a due date before the assessment can be finalised.
pub const UNKNOWN_RATING: (Rating, Rating) = (Rating::Moderate, Rating::Moderate);

/// How far along: sections with every row answered, of all.
pub fn progress(answered_per_section: &[(usize, usize)]) -> (usize, usize) {
    let done = answered_per_section.iter().filter(|(a, n)| a >= n).count();
    (done, answered_per_section.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::sra::risk::level;

    #[test]
    fn sections_cover_every_row_once_and_unknown_is_above_low() {
        let rows = super::super::specs::SPECS.iter();
        for r in rows {
            assert_eq!(
                SECTIONS.iter().filter(|(k, _)| *k == r.safeguard).count(),
                1,
                "{} ({}) is in one section",
                r.id,
                r.safeguard
            );
        }
        assert_eq!(section(1).unwrap().0, "administrative");
        assert_eq!(section(5).unwrap().0, "documentation");
        assert_eq!(section(0), None);
        assert_eq!(section(6), None);
        assert_ne!(level(UNKNOWN_RATING.0, UNKNOWN_RATING.1), Rating::Low);
        assert_eq!(
            unknown_threat("TEC-08", "Transmission security"),
            "Not known yet: TEC-08 Transmission security"
        );
        assert_eq!(progress(&[(3, 3), (1, 4), (0, 2)]), (1, 3));
    }
}
