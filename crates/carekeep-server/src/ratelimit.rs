//! Per-address limit on login attempts, on top of the per-username lockout: one address
//! guessing across many usernames is slowed too.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use time::OffsetDateTime;

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
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
        let minute = now.unix_timestamp().div_euclid(60);
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (m, _)| *m == minute);
        }
        let entry = map.entry(ip).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        if entry.1 > self.per_minute {
            Err(60 - now.unix_timestamp().rem_euclid(60))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn limits_per_address_per_minute() {
        let l = RateLimiter::new(3);
        let t = datetime!(2026-11-22 10:00:10 UTC);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(l.check(a, t).is_ok());
        }
        assert_eq!(l.check(a, t), Err(50));
        assert!(l.check(b, t).is_ok());
        assert!(l.check(a, t + time::Duration::minutes(1)).is_ok());
    }
}
