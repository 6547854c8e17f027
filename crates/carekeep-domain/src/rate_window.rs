//! The per-address limit on sign-in attempts (164.308(a)(5)(ii)(C) log-in monitoring): at most
//! `limit` attempts in any 60 seconds. A sliding window over the attempts themselves, not
//! calendar minutes: counting per minute let twice the limit through in two seconds across a
//! minute's boundary.

use std::collections::VecDeque;
use time::{Duration, OffsetDateTime};

/// How long the window is.
pub const WINDOW: Duration = Duration::minutes(1);

/// The recent attempts of one address.
#[derive(Clone, Debug, Default)]
pub struct SlidingWindow {
    attempts: VecDeque<OffsetDateTime>,
}

impl SlidingWindow {
    /// Counts an attempt at `now` if fewer than `limit` fall in the last [`WINDOW`];
    /// `Err(seconds until one more is allowed)` otherwise (a refused attempt is not counted).
    pub fn attempt(&mut self, limit: u32, now: OffsetDateTime) -> Result<(), i64> {
        self.forget_before(now);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if self.attempts.len() >= limit {
            let wait = match self.attempts.front() {
                Some(oldest) => (*oldest + WINDOW - now).whole_seconds().max(1),
                None => WINDOW.whole_seconds(),
            };
            return Err(wait);
        }
        self.attempts.push_back(now);
        Ok(())
    }

    /// Whether nothing in the window is left (the address can be forgotten).
    pub fn is_idle(&mut self, now: OffsetDateTime) -> bool {
        self.forget_before(now);
        self.attempts.is_empty()
    }

    fn forget_before(&mut self, now: OffsetDateTime) {
        while self.attempts.front().is_some_and(|t| *t + WINDOW <= now) {
            self.attempts.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_minute_boundary_lets_nothing_extra_through() {
        // 30 attempts at 10:00:59, then 30 more at 10:01:00: the second burst is refused.
        let mut w = SlidingWindow::default();
        let t = datetime!(2026-11-22 10:00:59 UTC);
        for _ in 0..30 {
            assert!(w.attempt(30, t).is_ok());
        }
        let next = t + Duration::seconds(1);
        assert_eq!(w.attempt(30, next), Err(59));
        let allowed = (0..30).filter(|_| w.attempt(30, next).is_ok()).count();
        assert_eq!(allowed, 0);
    }

    #[test]
    fn attempts_leave_the_window_sixty_seconds_later() {
        let mut w = SlidingWindow::default();
        let t = datetime!(2026-11-22 10:00:00 UTC);
        let cases = [
            (0, true),
            (10, true),
            (20, true),
            (30, false), // three in the last minute
            (59, false),
            (60, true), // the one at 0 has left
            (61, false),
            (70, true),
        ];
        for (second, ok) in cases {
            assert_eq!(w.attempt(3, t + Duration::seconds(second)).is_ok(), ok, "at {second} s");
        }
        assert!(!w.is_idle(t + Duration::seconds(100)));
        assert!(w.is_idle(t + Duration::seconds(130)));
    }
}
