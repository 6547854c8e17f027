//! Lockout with growing delay after repeated login failures (164.308(a)(5)(ii)(C) log-in
//! monitoring, (D) password management). Kept per username, whether or not the account
//! exists, so the delay itself never reveals which usernames are real.

use time::{Duration, OffsetDateTime};

/// Failures allowed before the account locks.
pub const FREE_FAILURES: u32 = 5;
/// The first lock lasts this long; each further failure doubles it.
pub const FIRST_DELAY: Duration = Duration::seconds(60);
/// No lock lasts longer than this, so a forgotten password never means a dead account.
pub const MAX_DELAY: Duration = Duration::hours(1);

/// How long login stays locked after `consecutive_failures` failures in a row.
pub fn delay_after(consecutive_failures: u32) -> Option<Duration> {
    if consecutive_failures < FREE_FAILURES {
        return None;
    }
    let doublings = (consecutive_failures - FREE_FAILURES).min(12);
    let delay = FIRST_DELAY * 2i32.pow(doublings);
    Some(if delay > MAX_DELAY { MAX_DELAY } else { delay })
}

/// When login is possible again, or `None` when it is possible now.
pub fn locked_until(
    consecutive_failures: u32,
    last_failure_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let until = last_failure_at + delay_after(consecutive_failures)?;
    (until > now).then_some(until)
}

/// The answer to a sign-in attempt before any password is hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Evaluate the attempt; it is already counted as failure number `count` (a success
    /// clears the count afterwards). Counting before hashing is what keeps a burst of
    /// concurrent guesses to [`FREE_FAILURES`] evaluated ones per lock window.
    Evaluate { count: u32 },
    /// Locked: refuse without hashing.
    Locked { until: OffsetDateTime },
}

/// Decides a new attempt from the recorded `(failures, time of the last)`, counting it
/// pessimistically as a failure (164.308(a)(5)(ii)(C) log-in monitoring).
pub fn admit(recorded: Option<(u32, OffsetDateTime)>, now: OffsetDateTime) -> Admission {
    let Some((failures, last)) = recorded else {
        return Admission::Evaluate { count: 1 };
    };
    match locked_until(failures, last, now) {
        Some(until) => Admission::Locked { until },
        None => Admission::Evaluate {
            count: failures.saturating_add(1),
        },
    }
}

/// Whether a session may be issued to an attempt admitted as failure number `own_count`,
/// now that the record reads `(failures, last)`: not while the other attempts counted since
/// lock the account. Its own count never does (it is a success, about to be cleared).
pub fn may_issue_session(own_count: u32, recorded: Option<(u32, OffsetDateTime)>, now: OffsetDateTime) -> bool {
    match recorded {
        None => true,
        Some((failures, last)) => failures <= own_count || locked_until(failures - 1, last, now).is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn delay_grows_after_five_failures_and_is_capped() {
        let cases = [
            (0, None),
            (4, None),
            (5, Some(60)),
            (6, Some(120)),
            (7, Some(240)),
            (10, Some(1920)),
            (11, Some(3600)),
            (40, Some(3600)),
        ];
        for (failures, want) in cases {
            assert_eq!(
                delay_after(failures).map(|d| d.whole_seconds()),
                want,
                "{failures} failures"
            );
        }
    }

    #[test]
    fn lock_ends_when_the_delay_has_passed() {
        let t = datetime!(2026-11-22 10:00 UTC);
        assert_eq!(
            locked_until(5, t, t + Duration::seconds(59)),
            Some(t + Duration::seconds(60))
        );
        assert_eq!(locked_until(5, t, t + Duration::seconds(60)), None);
        assert_eq!(locked_until(4, t, t), None);
    }

    #[test]
    fn attempts_are_counted_before_they_are_evaluated() {
        let t = datetime!(2026-11-22 10:00 UTC);
        let cases = [
            (None, Admission::Evaluate { count: 1 }),
            (Some((3, t)), Admission::Evaluate { count: 4 }),
            (Some((4, t)), Admission::Evaluate { count: 5 }),
            (
                Some((5, t)),
                Admission::Locked {
                    until: t + Duration::seconds(60),
                },
            ),
            (Some((5, t - Duration::seconds(60))), Admission::Evaluate { count: 6 }),
        ];
        for (recorded, want) in cases {
            assert_eq!(admit(recorded, t), want, "{recorded:?}");
        }
    }

    #[test]
    fn a_burst_evaluates_at_most_the_free_failures() {
        let t = datetime!(2026-11-22 10:00 UTC);
        let mut recorded = None;
        let mut evaluated = 0;
        for _ in 0..30 {
            if let Admission::Evaluate { count } = admit(recorded, t) {
                evaluated += 1;
                recorded = Some((count, t));
            }
        }
        assert_eq!(evaluated, FREE_FAILURES);
    }

    #[test]
    fn a_session_waits_for_a_lock_set_by_later_attempts() {
        let t = datetime!(2026-11-22 10:00 UTC);
        // Alone, or the fifth of five: the lock its own count sets does not count against it.
        assert!(may_issue_session(1, Some((1, t)), t));
        assert!(may_issue_session(5, Some((5, t)), t));
        assert!(may_issue_session(3, None, t));
        // Counted third, but six more failures were counted after it: locked.
        assert!(!may_issue_session(3, Some((7, t)), t));
        // Later attempts that did not reach the lock do not matter.
        assert!(may_issue_session(2, Some((5, t)), t));
    }
}
