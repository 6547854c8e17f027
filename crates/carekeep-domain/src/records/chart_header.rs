//! What a clinician needs first when a chart opens: which diagnoses, medications and allergies
//! are still current, the next appointment, and the alerts to heed before anything else
//! (an agreed restriction or confidential communication, 164.522; emergency access open,
//! 164.312(a)(2)(ii); the privacy notice's acknowledgement missing, 164.520(c)(2)). Pure rules:
//! the app reads the chart, the page lays the header out.

use time::OffsetDateTime;

/// The three kinds of chart entry the header lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    Diagnosis,
    Medication,
    Allergy,
}

/// Whether an entry with this FHIR status and verification belongs on the header. An entry
/// typed at the desk has no status and is current; one recorded in error, refuted, resolved,
/// stopped or completed is history, kept in its section below.
pub fn is_current(kind: Listed, status: &str, verification: &str) -> bool {
    if matches!(verification, "entered-in-error" | "refuted") {
        return false;
    }
    let current: &[&str] = match kind {
        Listed::Diagnosis => &["", "active", "recurrence", "relapse"],
        // MedicationStatement: on hold or intended is still on the list to reconcile.
        Listed::Medication => &["", "active", "intended", "on-hold", "unknown"],
        Listed::Allergy => &["", "active"],
    };
    current.contains(&status)
}

/// The next appointment still to come: the earliest booked or checked-in one that has not
/// ended by `now`. `appointments` are (start, end, status code); the answer is an index.
pub fn next_appointment(now: OffsetDateTime, appointments: &[(OffsetDateTime, OffsetDateTime, &str)]) -> Option<usize> {
    appointments
        .iter()
        .enumerate()
        .filter(|(_, (_, end, status))| matches!(*status, "booked" | "checked_in") && *end > now)
        .min_by_key(|(_, (start, _, _))| *start)
        .map(|(i, _)| i)
}

/// An alert the header shows above everything else, most pressing first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Alert {
    /// Emergency access to a restricted chart is open (164.312(a)(2)(ii)).
    BreakGlassOpen,
    /// The chart is restricted to named providers.
    Restricted,
    /// A granted restriction or confidential communication to honour (164.522).
    Honour,
    /// No acknowledgement of the notice of privacy practices, nor a good-faith effort
    /// recorded (164.520(c)(2)(ii)).
    NoticeNotAcknowledged,
}

/// What the header knows to decide its alerts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlertFacts {
    pub break_glass_open: bool,
    pub restricted: bool,
    pub requests_to_honour: usize,
    /// `None` when the reader may not see whether the notice was acknowledged.
    pub notice_acknowledged: Option<bool>,
}

/// The alerts for a chart, most pressing first.
pub fn alerts(f: AlertFacts) -> Vec<Alert> {
    let mut out = Vec::new();
    if f.break_glass_open {
        out.push(Alert::BreakGlassOpen);
    }
    if f.restricted && !f.break_glass_open {
        out.push(Alert::Restricted);
    }
    if f.requests_to_honour > 0 {
        out.push(Alert::Honour);
    }
    if f.notice_acknowledged == Some(false) {
        out.push(Alert::NoticeNotAcknowledged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn what_is_current() {
        // FHIR's clinical and medication statuses, and a desk entry with none.
        let cases = [
            (Listed::Diagnosis, "", "", true),
            (Listed::Diagnosis, "active", "", true),
            (Listed::Diagnosis, "relapse", "", true),
            (Listed::Diagnosis, "resolved", "", false),
            (Listed::Diagnosis, "remission", "", false),
            (Listed::Diagnosis, "active", "entered-in-error", false),
            (Listed::Medication, "", "", true),
            (Listed::Medication, "on-hold", "", true),
            (Listed::Medication, "stopped", "", false),
            (Listed::Medication, "completed", "", false),
            (Listed::Allergy, "", "", true),
            (Listed::Allergy, "active", "confirmed", true),
            (Listed::Allergy, "resolved", "", false),
            (Listed::Allergy, "active", "refuted", false),
        ];
        for (kind, status, verification, want) in cases {
            assert_eq!(
                is_current(kind, status, verification),
                want,
                "{kind:?} {status} {verification}"
            );
        }
    }

    #[test]
    fn the_next_appointment_is_the_earliest_still_to_come() {
        let now = datetime!(2026-12-06 15:00 UTC);
        let half = time::Duration::minutes(30);
        let a = |t: OffsetDateTime, s: &'static str| (t, t + half, s);
        let list = [
            a(datetime!(2026-12-01 09:00 UTC), "completed"),
            a(datetime!(2026-12-09 09:00 UTC), "booked"),
            a(datetime!(2026-12-07 09:00 UTC), "cancelled"),
            a(datetime!(2026-12-08 09:00 UTC), "booked"),
            a(datetime!(2026-12-05 09:00 UTC), "booked"),
        ];
        assert_eq!(next_appointment(now, &list), Some(3));
        // Checked in and under way now: still the one to show.
        let under_way = [a(datetime!(2026-12-06 14:45 UTC), "checked_in"), list[1]];
        assert_eq!(next_appointment(now, &under_way), Some(0));
        assert_eq!(next_appointment(now, &list[..1]), None);
    }

    #[test]
    fn alerts_most_pressing_first() {
        let cases = [
            (AlertFacts::default(), vec![]),
            (
                AlertFacts {
                    notice_acknowledged: Some(true),
                    ..Default::default()
                },
                vec![],
            ),
            // 164.520(c)(2)(ii): no acknowledgement, no good-faith effort.
            (
                AlertFacts {
                    notice_acknowledged: Some(false),
                    ..Default::default()
                },
                vec![Alert::NoticeNotAcknowledged],
            ),
            // Open emergency access replaces the restriction's own alert (164.312(a)(2)(ii)).
            (
                AlertFacts {
                    break_glass_open: true,
                    restricted: true,
                    requests_to_honour: 1,
                    notice_acknowledged: Some(false),
                },
                vec![Alert::BreakGlassOpen, Alert::Honour, Alert::NoticeNotAcknowledged],
            ),
            (
                AlertFacts {
                    restricted: true,
                    requests_to_honour: 2,
                    notice_acknowledged: None,
                    ..Default::default()
                },
                vec![Alert::Restricted, Alert::Honour],
            ),
        ];
        for (facts, want) in cases {
            assert_eq!(alerts(facts), want, "{facts:?}");
        }
    }
}
