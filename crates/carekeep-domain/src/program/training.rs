//! Workforce training due dates. 164.530(b)(2)(i)(B): each new workforce member is trained
//! within a reasonable period after joining; the clinic sets that period (default 30 days).
//! 164.308(a)(5) sets no frequency and the Privacy Rule no fixed refresher: retraining every
//! 12 months is the clinic's policy (the common practice), not a regulatory number.
//! Staff already working when the clinic starts its program (the program start date, asked at
//! set-up) are due within the same window from that date, not from a hire date years back:
//! 164.530(b) asked the workforce already there to be trained by the compliance date, and for
//! a clinic starting its program now, that start is the reasonable equivalent.

use super::dates::{add_months, standing, Standing};
use time::{Date, Duration};

/// The clinic's training policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainingPolicy {
    /// Days after hire within which the first training is due.
    pub days_after_hire: i64,
    /// Months between trainings.
    pub refresh_months: i32,
}

impl Default for TrainingPolicy {
    fn default() -> Self {
        TrainingPolicy {
            days_after_hire: 30,
            refresh_months: 12,
        }
    }
}

/// When a person's next training is due and how that stands today. Someone who has left is
/// not due anything. Nothing falls due before `program_start` plus the hire window: a person
/// hired (or last trained) long before the clinic started its program is due within the window
/// from that start.
pub fn due(
    policy: TrainingPolicy,
    program_start: Date,
    hired: Date,
    left: Option<Date>,
    last_completed: Option<Date>,
    today: Date,
) -> Option<(Date, Standing)> {
    if left.is_some_and(|l| l <= today) {
        return None;
    }
    let due = match last_completed {
        Some(done) if done >= hired => add_months(done, policy.refresh_months),
        _ => hired + Duration::days(policy.days_after_hire),
    };
    let due = due.max(program_start + Duration::days(policy.days_after_hire));
    Some((due, standing(due, today)))
}

/// Whether a clinic that requires training before PHI access (its choice; the rule asks only
/// for training within a reasonable period, 164.530(b)(2)(i)(B)) keeps a person from patient
/// data: they have no completion since their latest hire date. A login with no roster entry
/// has no hire date and no completion, so it is held too.
pub fn holds_phi_access(required: bool, hired: Option<Date>, last_completed: Option<Date>) -> bool {
    if !required {
        return false;
    }
    match (hired, last_completed) {
        (_, None) => true,
        (Some(hired), Some(done)) => done < hired,
        (None, Some(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn hire_and_refresher_dates() {
        let p = TrainingPolicy::default();
        let today = date!(2026 - 11 - 22);
        let cases = [
            // (hired, left, last completed) -> (due, standing)
            (
                date!(2026 - 11 - 20),
                None,
                None,
                Some((date!(2026 - 12 - 20), Standing::DueSoon)),
            ),
            (
                date!(2026 - 09 - 01),
                None,
                None,
                Some((date!(2026 - 10 - 01), Standing::Gap)),
            ),
            (
                date!(2020 - 01 - 01),
                None,
                Some(date!(2026 - 02 - 01)),
                Some((date!(2027 - 02 - 01), Standing::Done)),
            ),
            (
                date!(2020 - 01 - 01),
                None,
                Some(date!(2025 - 11 - 21)),
                Some((date!(2026 - 11 - 21), Standing::Gap)),
            ),
            (
                date!(2020 - 01 - 01),
                None,
                Some(date!(2025 - 12 - 01)),
                Some((date!(2026 - 12 - 01), Standing::DueSoon)),
            ),
            // Leap day: the refresher falls on 28 February.
            (
                date!(2020 - 01 - 01),
                None,
                Some(date!(2024 - 02 - 29)),
                Some((date!(2025 - 02 - 28), Standing::Gap)),
            ),
            // Training done before a re-hire does not count for the new hire.
            (
                date!(2026 - 11 - 01),
                None,
                Some(date!(2026 - 06 - 01)),
                Some((date!(2026 - 12 - 01), Standing::DueSoon)),
            ),
            // Left: nothing due.
            (date!(2020 - 01 - 01), Some(date!(2026 - 11 - 01)), None, None),
        ];
        // A program started long ago changes none of these.
        let start = date!(2019 - 01 - 01);
        for (hired, left, last, want) in cases {
            assert_eq!(
                due(p, start, hired, left, last, today),
                want,
                "hired {hired}, last {last:?}"
            );
        }
    }

    /// 164.530(b): staff already there when the program starts are due within the
    /// hire window from the program start date, not "overdue since" their hire.
    #[test]
    fn existing_staff_are_due_from_the_program_start() {
        let p = TrainingPolicy::default();
        let start = date!(2026 - 12 - 01);
        let cases = [
            // (hired, last completed, today) -> (due, standing)
            // Hired in 2019, never trained in Carekeep: due 30 days after the start, not 2019.
            (
                date!(2019 - 03 - 04),
                None,
                date!(2026 - 12 - 01),
                (date!(2026 - 12 - 31), Standing::DueSoon),
            ),
            // ... and overdue only once that window has passed.
            (
                date!(2019 - 03 - 04),
                None,
                date!(2027 - 01 - 01),
                (date!(2026 - 12 - 31), Standing::Gap),
            ),
            // Trained in 2021 (a refresher due in 2022): also from the start.
            (
                date!(2019 - 03 - 04),
                Some(date!(2021 - 05 - 01)),
                date!(2026 - 12 - 06),
                (date!(2026 - 12 - 31), Standing::DueSoon),
            ),
            // Trained this summer: the refresher date stands.
            (
                date!(2019 - 03 - 04),
                Some(date!(2026 - 07 - 01)),
                date!(2026 - 12 - 06),
                (date!(2027 - 07 - 01), Standing::Done),
            ),
            // Hired after the start: the hire window as before.
            (
                date!(2026 - 12 - 20),
                None,
                date!(2026 - 12 - 21),
                (date!(2027 - 01 - 19), Standing::DueSoon),
            ),
            // Hired a week before the start: the later of the two windows.
            (
                date!(2026 - 11 - 24),
                None,
                date!(2026 - 12 - 06),
                (date!(2026 - 12 - 31), Standing::DueSoon),
            ),
        ];
        for (hired, last, today, want) in cases {
            assert_eq!(
                due(p, start, hired, None, last, today),
                Some(want),
                "hired {hired}, last {last:?}, today {today}"
            );
        }
    }

    #[test]
    fn training_before_phi_access() {
        let hired = Some(date!(2026 - 11 - 01));
        let cases = [
            // (required, hired, last completed) -> held
            (false, hired, None, false),
            (true, hired, None, true),
            (true, None, None, true),
            (true, hired, Some(date!(2026 - 11 - 01)), false),
            (true, hired, Some(date!(2026 - 11 - 15)), false),
            // Training from before a re-hire does not lift the hold.
            (true, hired, Some(date!(2025 - 06 - 01)), true),
            (true, None, Some(date!(2025 - 06 - 01)), false),
        ];
        for (required, hired, last, want) in cases {
            assert_eq!(
                holds_phi_access(required, hired, last),
                want,
                "{required} {hired:?} {last:?}"
            );
        }
    }
}
