//! Per-address limit on login attempts, on top of the per-username lockout: one address
//! guessing across many usernames is slowed too. The rule (a sliding 60-second window) is
//! `carekeep_domain::rate_window`; this keeps one window per address.

use carekeep_domain::rate_window::SlidingWindow;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use time::OffsetDateTime;

/// Addresses remembered before idle ones are swept out.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, SlidingWindow>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `ip`; `Err(seconds to wait)` when over the limit.
    pub fn check(&self, ip: IpAddr, now: OffsetDateTime) -> Result<(), i64> {
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > SWEEP_AT {
            map.retain(|_, w| !w.is_idle(now));
        }
        map.entry(ip).or_default().attempt(self.per_minute, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn limits_per_address_in_any_sixty_seconds() {
        let l = RateLimiter::new(3);
        let t = datetime!(2026-11-22 10:00:59 UTC);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(l.check(a, t).is_ok());
        }
        assert_eq!(l.check(a, t), Err(60));
        assert!(l.check(b, t).is_ok());
        // A new calendar minute is no new allowance.
        assert_eq!(l.check(a, t + time::Duration::seconds(1)), Err(59));
        assert!(l.check(a, t + time::Duration::minutes(1)).is_ok());
    }
}
