//! A patient's access timeline: the page a compliance officer opens when a patient asks who
//! looked at their record (the trail kept under 164.312(b); reviewed under
//! 164.308(a)(1)(ii)(D)). Pure rules for how each event is marked and which parts of the
//! record it touched, in words.

/// How an event is drawn and named on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// The record, or part of it, was opened or searched.
    Looked,
    /// Something was added, changed or removed.
    Changed,
    /// A copy left the screen: an export, a print, a file opened.
    Copied,
    /// Emergency access to a restricted chart (164.312(a)(2)(ii)).
    Emergency,
    /// The attempt was refused or failed.
    Refused,
    /// Anything else that names the patient (an incident's scope, a request's handling).
    Other,
}

impl Mark {
    pub const ALL: [Mark; 6] = [
        Mark::Looked,
        Mark::Changed,
        Mark::Copied,
        Mark::Emergency,
        Mark::Refused,
        Mark::Other,
    ];

    /// The legend's word.
    pub fn words(self) -> &'static str {
        match self {
            Mark::Looked => "Looked at",
            Mark::Changed => "Changed",
            Mark::Copied => "Copied, printed or opened a file",
            Mark::Emergency => "Emergency access",
            Mark::Refused => "Refused",
            Mark::Other => "Other",
        }
    }
}

/// The mark of an event from its action code and outcome: every event that names the patient
/// is on the timeline, the ones not about their record as "other".
pub fn mark(action: &str, outcome: &str) -> Mark {
    let kind = match action {
        "phi.break_glass" => Mark::Emergency,
        "phi.read" | "phi.search" => Mark::Looked,
        "phi.create" | "phi.update" | "phi.delete" => Mark::Changed,
        "phi.export" | "phi.print" | "phi.attachment_view" => Mark::Copied,
        "access.denied" => Mark::Refused,
        _ => Mark::Other,
    };
    if outcome == "success" {
        kind
    } else {
        Mark::Refused
    }
}

/// The parts of the record an event names (`identity,clinical`), in words:
/// `name and date of birth, medical record`. Empty when the event names none.
pub fn parts_in_words(classes: &str) -> String {
    classes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(crate::incidents::letters::class_label)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_has_its_mark() {
        let cases = [
            ("phi.read", "success", Mark::Looked),
            ("phi.search", "success", Mark::Looked),
            ("phi.update", "success", Mark::Changed),
            ("phi.create", "success", Mark::Changed),
            ("phi.print", "success", Mark::Copied),
            ("phi.attachment_view", "success", Mark::Copied),
            // 164.312(a)(2)(ii): an emergency access stands out.
            ("phi.break_glass", "success", Mark::Emergency),
            ("phi.read", "denied", Mark::Refused),
            ("access.denied", "denied", Mark::Refused),
            ("program.changed", "success", Mark::Other),
        ];
        for (action, outcome, want) in cases {
            assert_eq!(mark(action, outcome), want, "{action} {outcome}");
        }
    }

    #[test]
    fn parts_are_words() {
        assert_eq!(
            parts_in_words("identity,clinical"),
            "name and date of birth, medical record"
        );
        assert_eq!(parts_in_words(""), "");
    }
}
