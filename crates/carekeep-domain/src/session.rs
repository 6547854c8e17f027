//! Server-side session lifetime: automatic logoff (164.312(a)(2)(iii)) after idle time, and an
//! absolute lifetime so a session cannot be kept alive forever.

use time::{Duration, OffsetDateTime};

/// Default idle timeout before automatic logoff (PRODUCT.md section 3).
pub const DEFAULT_IDLE: Duration = Duration::minutes(15);
/// The idle timeout a clinic may configure, in minutes (issue 2: 2 to 60).
pub const IDLE_MINUTES_RANGE: std::ops::RangeInclusive<i64> = 2..=60;
/// Default absolute lifetime of a session.
pub const DEFAULT_ABSOLUTE: Duration = Duration::hours(12);
/// The page warns this long before the idle logoff.
pub const WARN_BEFORE: Duration = Duration::minutes(1);
/// Activity is written to the session at most this often. Recording every request would make
/// each read a write transaction; a late record only ends the session sooner (the idle clock
/// runs from the last recorded activity), never later.
pub const TOUCH_EVERY: Duration = Duration::seconds(15);

/// Session lifetime settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for Lifetime {
    fn default() -> Self {
        Lifetime {
            idle: DEFAULT_IDLE,
            absolute: DEFAULT_ABSOLUTE,
        }
    }
}

/// Whether a session may still be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    Active,
    /// Automatic logoff after inactivity (164.312(a)(2)(iii)).
    IdleExpired,
    /// The absolute lifetime ran out.
    AbsoluteExpired,
}

impl Lifetime {
    pub fn state(&self, created_at: OffsetDateTime, last_seen_at: OffsetDateTime, now: OffsetDateTime) -> SessionState {
        if now >= created_at + self.absolute {
            SessionState::AbsoluteExpired
        } else if now >= last_seen_at + self.idle {
            SessionState::IdleExpired
        } else {
            SessionState::Active
        }
    }

    /// Whether a request at `now` is recorded as the session's latest activity.
    pub fn needs_touch(&self, last_seen_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        now - last_seen_at >= TOUCH_EVERY
    }

    /// When the session ends if nothing more happens.
    pub fn expires_at(&self, created_at: OffsetDateTime, last_seen_at: OffsetDateTime) -> OffsetDateTime {
        (last_seen_at + self.idle).min(created_at + self.absolute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn idle_and_absolute_limits() {
        let life = Lifetime::default();
        let t0 = datetime!(2026-11-22 08:00 UTC);
        let cases = [
            (t0, t0 + Duration::minutes(14), SessionState::Active),
            (t0, t0 + Duration::minutes(15), SessionState::IdleExpired),
            (
                t0 + Duration::hours(11),
                t0 + Duration::hours(11) + Duration::minutes(5),
                SessionState::Active,
            ),
            (
                t0 + Duration::hours(11) + Duration::minutes(59),
                t0 + Duration::hours(12),
                SessionState::AbsoluteExpired,
            ),
        ];
        for (last_seen, now, want) in cases {
            assert_eq!(life.state(t0, last_seen, now), want, "last_seen {last_seen} now {now}");
        }
        assert_eq!(life.expires_at(t0, t0), t0 + Duration::minutes(15));
        assert_eq!(life.expires_at(t0, t0 + Duration::hours(12)), t0 + Duration::hours(12));
    }

    /// A skipped touch may only shorten the session: the idle clock keeps running from the
    /// recorded activity, so logoff (164.312(a)(2)(iii)) comes at most TOUCH_EVERY early.
    #[test]
    fn activity_is_recorded_at_most_every_touch_interval() {
        let life = Lifetime::default();
        let t0 = datetime!(2026-11-22 08:00 UTC);
        let cases = [
            (Duration::ZERO, false),
            (Duration::seconds(14), false),
            (TOUCH_EVERY, true),
            (Duration::minutes(10), true),
            (Duration::seconds(-5), false),
        ];
        for (after, want) in cases {
            assert_eq!(life.needs_touch(t0, t0 + after), want, "{after} after the last touch");
        }
    }
}
