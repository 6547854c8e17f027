//! Which forms a visit's packet asks for, so a patient never sees the same form twice as
//! outstanding: a form already asked and not yet signed (sent by hand, or asked by another
//! booking) is reused for this visit, and a form signed within how often the service asks it
//! (every visit, yearly, once) is not asked again ([`needed`]). Asking twice is not a rule of
//! law; it is the clinic's own list (patients-and-messages.md 7.3, Design: one consent flow,
//! the same forms), and two open copies of one consent would leave two versions of the
//! patient's answer.

use super::{needed, Frequency, Status};
use time::Date;

/// A form the patient was asked for before (any packet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asked {
    pub response: i64,
    pub template: i64,
    pub status: Status,
    /// The clinic's day it was signed, once signed.
    pub signed_on: Option<Date>,
    /// Asked for the very visit being planned.
    pub for_this_visit: bool,
}

/// What the packet does for one form the service names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// The patient still has this form open: that request counts for this visit too.
    Reuse { template: i64, response: i64 },
    /// A new request for the template's latest version.
    New { template: i64 },
}

/// For each `(template, frequency)` the service wants, reuse the newest open request of that
/// template, else ask anew only when the frequency says the last signing no longer counts.
/// Forms not needed are left out.
pub fn plan(wanted: &[(i64, Frequency)], asked: &[Asked], visit: Date) -> Vec<Ask> {
    let mut out = Vec::new();
    for &(template, freq) in wanted {
        let same = || asked.iter().filter(move |a| a.template == template);
        if let Some(open) = same().filter(|a| !a.status.done()).max_by_key(|a| a.response) {
            out.push(Ask::Reuse {
                template,
                response: open.response,
            });
            continue;
        }
        let last = same().filter(|a| a.status.done()).filter_map(|a| a.signed_on).max();
        let for_this_visit = same().any(|a| a.status.done() && a.for_this_visit);
        if needed(freq, last, for_this_visit, visit) {
            out.push(Ask::New { template });
        }
    }
    out
}

/// The clinic's service a visit booked from the chart names in words: the same name, ignoring
/// case and spaces around it, among services not retired. Such a visit asks the service's
/// packet as one booked on the calendar does (a form missing before the visit is missing
/// whichever way it was booked). `None`: a visit of no service on the clinic's list.
pub fn service_named<'a>(typed: &str, services: impl IntoIterator<Item = (i64, &'a str, bool)>) -> Option<i64> {
    let typed = typed.trim();
    services
        .into_iter()
        .find(|(_, name, retired)| !retired && name.trim().eq_ignore_ascii_case(typed))
        .map(|(id, _, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const VISIT: Date = date!(2026 - 12 - 10);

    fn asked(response: i64, template: i64, status: Status, signed_on: Option<Date>) -> Asked {
        Asked {
            response,
            template,
            status,
            signed_on,
            for_this_visit: false,
        }
    }

    /// One row per case: (the service's form and frequency, what was asked before, the plan).
    #[test]
    fn an_open_form_is_reused_and_a_signed_one_counts_for_its_frequency() {
        use Frequency::{EveryVisit, Once, Yearly};
        use Status::{Draft, Pending, Reviewed, Submitted};
        let signed_lately = Some(date!(2026 - 03 - 01));
        let signed_long_ago = Some(date!(2025 - 11 - 01));
        let cases: Vec<(Frequency, Vec<Asked>, Vec<Ask>)> = vec![
            // Never asked: a new request, whatever the frequency.
            (EveryVisit, vec![], vec![Ask::New { template: 1 }]),
            (Yearly, vec![], vec![Ask::New { template: 1 }]),
            (Once, vec![], vec![Ask::New { template: 1 }]),
            // Sent by hand and not yet signed (pending or started): reused, for every frequency.
            (
                EveryVisit,
                vec![asked(7, 1, Pending, None)],
                vec![Ask::Reuse {
                    template: 1,
                    response: 7,
                }],
            ),
            (
                Yearly,
                vec![asked(7, 1, Draft, None)],
                vec![Ask::Reuse {
                    template: 1,
                    response: 7,
                }],
            ),
            (
                Once,
                vec![asked(7, 1, Pending, None)],
                vec![Ask::Reuse {
                    template: 1,
                    response: 7,
                }],
            ),
            // Two open requests (made before this rule): the newest is the one reused.
            (
                Yearly,
                vec![asked(7, 1, Pending, None), asked(9, 1, Draft, None)],
                vec![Ask::Reuse {
                    template: 1,
                    response: 9,
                }],
            ),
            // Another template's open request is not this one.
            (Once, vec![asked(7, 2, Pending, None)], vec![Ask::New { template: 1 }]),
            // Signed within its frequency: not asked again.
            (Once, vec![asked(7, 1, Reviewed, signed_long_ago)], vec![]),
            (Yearly, vec![asked(7, 1, Submitted, signed_lately)], vec![]),
            // Signed more than a year before the visit: asked again.
            (
                Yearly,
                vec![asked(7, 1, Submitted, signed_long_ago)],
                vec![Ask::New { template: 1 }],
            ),
            // Every visit: an earlier visit's signature does not count for this one.
            (
                EveryVisit,
                vec![asked(7, 1, Submitted, signed_lately)],
                vec![Ask::New { template: 1 }],
            ),
            // An open request wins over an older signature.
            (
                Yearly,
                vec![asked(5, 1, Submitted, signed_long_ago), asked(7, 1, Pending, None)],
                vec![Ask::Reuse {
                    template: 1,
                    response: 7,
                }],
            ),
        ];
        for (freq, before, want) in cases {
            assert_eq!(plan(&[(1, freq)], &before, VISIT), want, "{freq:?} {before:?}");
        }
    }

    #[test]
    fn a_form_signed_for_this_very_visit_is_not_asked_again() {
        let mut a = asked(7, 1, Status::Submitted, Some(VISIT));
        a.for_this_visit = true;
        assert_eq!(plan(&[(1, Frequency::EveryVisit)], &[a], VISIT), vec![]);
    }

    #[test]
    fn each_form_of_the_service_is_planned_on_its_own() {
        let before = [asked(7, 2, Status::Draft, None)];
        let wanted = [(1, Frequency::Once), (2, Frequency::Once)];
        assert_eq!(
            plan(&wanted, &before, VISIT),
            vec![
                Ask::New { template: 1 },
                Ask::Reuse {
                    template: 2,
                    response: 7
                }
            ]
        );
    }

    #[test]
    fn a_visit_booked_from_the_chart_is_of_the_service_it_names() {
        let list = [(1, "Skin check", false), (2, "Laser", true), (3, "Consult", false)];
        let cases = [
            ("Skin check", Some(1)),
            ("  skin CHECK ", Some(1)),
            ("Consult", Some(3)),
            // Retired: no packet for it any more.
            ("Laser", None),
            ("Skin", None),
            ("", None),
        ];
        for (typed, want) in cases {
            assert_eq!(service_named(typed, list), want, "{typed:?}");
        }
    }
}
