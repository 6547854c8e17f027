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
}
