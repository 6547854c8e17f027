//! When the portal's certificate is renewed (issue 27, item 1): transmission security,
//! 164.312(e)(1), needs a certificate browsers accept every day, so a new one is ordered well
//! before the old one ends: when 30 days are left or a third of its lifetime, whichever comes
//! later in its life (the shorter wait), so a 90-day certificate renews with 30 days left and
//! a 6-day one with 2. A certificate not valid now (expired, or not yet valid) is renewed at
//! once, and a failed attempt waits [`RETRY_AFTER_FAILURE`] before the next.

use time::{Duration, OffsetDateTime};

/// Renew with this much left at most.
pub const RENEW_DAYS_LEFT: i64 = 30;

/// After a failed order, the next attempt waits this long (a CA's rate limits are per week).
pub const RETRY_AFTER_FAILURE: Duration = Duration::hours(1);

/// What the background job does about the portal's certificate now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renewal {
    /// No certificate yet, or the one held is not valid now: order one.
    OrderNow,
    /// In its renewal window: order a new one.
    Renew,
    /// Nothing to do until then.
    WaitUntil(OffsetDateTime),
}

/// The moment a certificate valid from `not_before` to `not_after` enters its renewal window:
/// `not_after` minus the lesser of 30 days and a third of its lifetime.
pub fn renew_from(not_before: OffsetDateTime, not_after: OffsetDateTime) -> OffsetDateTime {
    let lifetime = not_after - not_before;
    let margin = std::cmp::min(Duration::days(RENEW_DAYS_LEFT), lifetime / 3);
    not_after - margin
}

/// What to do at `now` with the certificate held (its validity, if any), given the last
/// failed attempt, if any.
pub fn renewal(
    held: Option<(OffsetDateTime, OffsetDateTime)>,
    last_failure: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Renewal {
    let due = match held {
        None => Renewal::OrderNow,
        Some((nb, na)) if now < nb || now >= na => Renewal::OrderNow,
        Some((nb, na)) => {
            let from = renew_from(nb, na);
            if now >= from {
                Renewal::Renew
            } else {
                return Renewal::WaitUntil(from);
            }
        }
    };
    match last_failure.map(|f| f + RETRY_AFTER_FAILURE) {
        Some(retry) if now < retry => Renewal::WaitUntil(retry),
        _ => due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);

    #[test]
    fn renews_at_thirty_days_or_a_third_of_the_lifetime_whichever_is_shorter() {
        // (lifetime, the renewal window's start after issue) - 164.312(e)(1)
        let cases = [
            (Duration::days(90), Duration::days(60)), // Let's Encrypt: 30 days left
            (Duration::days(6), Duration::days(4)),   // short-lived: 2 days left
            (Duration::days(365 * 5), Duration::days(365 * 5 - 30)), // long: 30 days left
            (Duration::days(30), Duration::days(20)), // a third (10 days) is less than 30
            (Duration::days(3), Duration::days(2)),   // a third of three days
        ];
        for (lifetime, after) in cases {
            assert_eq!(renew_from(T0, T0 + lifetime), T0 + after, "lifetime {lifetime}");
        }
    }

    #[test]
    fn what_the_job_does_now() {
        let ninety = Some((T0, T0 + Duration::days(90)));
        let failed = |t: OffsetDateTime| Some(t);
        type Held = Option<(OffsetDateTime, OffsetDateTime)>;
        let cases: [(Held, Option<OffsetDateTime>, OffsetDateTime, Renewal); 9] = [
            // none held: order now
            (None, None, T0, Renewal::OrderNow),
            // fresh: wait for the window
            (
                ninety,
                None,
                T0 + Duration::days(1),
                Renewal::WaitUntil(T0 + Duration::days(60)),
            ),
            // one second before the window
            (
                ninety,
                None,
                T0 + Duration::days(60) - Duration::seconds(1),
                Renewal::WaitUntil(T0 + Duration::days(60)),
            ),
            // in the window
            (ninety, None, T0 + Duration::days(60), Renewal::Renew),
            (ninety, None, T0 + Duration::days(89), Renewal::Renew),
            // expired, or not valid yet (a clock set back): order now
            (ninety, None, T0 + Duration::days(90), Renewal::OrderNow),
            (ninety, None, T0 - Duration::seconds(1), Renewal::OrderNow),
            // a failure half an hour ago: wait out the hour, then try again
            (
                ninety,
                failed(T0 + Duration::days(70)),
                T0 + Duration::days(70) + Duration::minutes(30),
                Renewal::WaitUntil(T0 + Duration::days(70) + Duration::hours(1)),
            ),
            (None, failed(T0), T0 + Duration::hours(1), Renewal::OrderNow),
        ];
        for (held, failure, now, want) in cases {
            assert_eq!(
                renewal(held, failure, now),
                want,
                "held {held:?}, failed {failure:?}, at {now}"
            );
        }
    }
}
