//! Argon2id password hashing (PRODUCT.md section 3). The cost is calibrated on the machine
//! (kanidm's approach) so every clinic's server pays about the same wall time per guess; tests
//! use a cheap policy. Parameters live in each PHC string, so old hashes still verify after
//! recalibration. Calibrating takes about a second, so a server does it beside its start-up
//! ([`PasswordHasher::warm`] on another thread) rather than before it: the first hash waits for
//! it if it is not done.

use crate::CryptoError;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::OsRng;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// OWASP's floor for Argon2id: 19 MiB, 2 passes, 1 lane.
const FLOOR_MEMORY_KIB: u32 = 19 * 1024;
const FLOOR_PASSES: u32 = 2;
const MAX_PASSES: u32 = 10;

/// How costly a password hash is. Clones share one calibration.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    params: Arc<OnceLock<Params>>,
    target: Duration,
}

/// The pass count at OWASP's memory floor for which one hash takes about `target`, from one
/// timed hash at the floor's passes (the cost is linear in passes). One hash, not a search:
/// each try allocates the 19 MiB block array, and a search's churn stays resident.
fn calibrate(target: Duration) -> Params {
    // The floor's constants are valid Argon2 parameters; argon2's default is that same floor.
    let floor = |passes| Params::new(FLOOR_MEMORY_KIB, passes, 1, None).unwrap_or_default();
    let started = Instant::now();
    let salt = SaltString::generate(&mut OsRng);
    let _ = Argon2::new(Algorithm::Argon2id, Version::V0x13, floor(FLOOR_PASSES))
        .hash_password(b"calibration input", &salt);
    let per_pass = started.elapsed().as_secs_f64() / f64::from(FLOOR_PASSES);
    let passes = if per_pass > 0.0 {
        (target.as_secs_f64() / per_pass).ceil()
    } else {
        f64::from(MAX_PASSES)
    };
    floor((passes as u32).clamp(FLOOR_PASSES, MAX_PASSES))
}

impl PasswordHasher {
    /// Calibrated now, before it returns.
    pub fn calibrated(target: Duration) -> Result<Self, CryptoError> {
        let h = Self::lazily(target);
        h.warm();
        Ok(h)
    }

    /// Calibrated on first use, or by [`PasswordHasher::warm`] beforehand.
    pub fn lazily(target: Duration) -> Self {
        Self {
            params: Arc::new(OnceLock::new()),
            target,
        }
    }

    /// Calibrates now if not done yet (blocks; run it on a thread of its own).
    pub fn warm(&self) {
        self.params();
    }

    fn params(&self) -> &Params {
        self.params.get_or_init(|| calibrate(self.target))
    }

    /// A deliberately cheap policy, for tests only: never for real passwords.
    pub fn insecure_fast_for_tests() -> Self {
        Self {
            params: Arc::new(OnceLock::from(Params::new(8, 1, 1, None).unwrap_or_default())),
            target: Duration::ZERO,
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params().clone())
    }

    /// Hashes a password into a PHC string. Slow by design: call it off the async runtime.
    pub fn hash(&self, password: &str) -> Result<String, CryptoError> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| CryptoError::Hash(e.to_string()))
    }

    /// Checks a password against a stored PHC string, with the parameters stored in it.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => self.argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    }

    /// Spends the same time as a real check, for usernames that do not exist, so timing does
    /// not reveal which usernames are real.
    pub fn dummy_verify(&self, password: &str) {
        let _ = self.hash(password);
    }

    /// The policy's cost, for the log (without waiting for a calibration under way).
    pub fn describe(&self) -> String {
        match self.params.get() {
            Some(p) => format!("argon2id m={}KiB t={} p={}", p.m_cost(), p.t_cost(), p.p_cost()),
            None => format!("argon2id, calibrating to {} ms a hash", self.target.as_millis()),
        }
    }
}

/// Time a calibrated hash aims for at start-up.
pub const DEFAULT_TARGET: Duration = Duration::from_millis(250);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let h = PasswordHasher::insecure_fast_for_tests();
        let a = h.hash("correct horse battery staple").unwrap();
        let b = h.hash("correct horse battery staple").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(h.verify("correct horse battery staple", &a));
        assert!(!h.verify("correct horse battery stapler", &a));
        assert!(!h.verify("x", "not a phc string"));
    }

    #[test]
    fn hashes_made_under_one_cost_verify_under_another() {
        let cheap = PasswordHasher::insecure_fast_for_tests();
        // A zero target stops at the floor: OWASP's 19 MiB, 2 passes.
        let floor = PasswordHasher::calibrated(Duration::ZERO).unwrap();
        assert!(floor.describe().contains("m=19456KiB t=2"), "{}", floor.describe());
        let stored = floor.hash("tulips in the waiting room").unwrap();
        assert!(cheap.verify("tulips in the waiting room", &stored));
    }

    #[test]
    fn calibration_happens_once_and_clones_share_it() {
        let lazy = PasswordHasher::lazily(Duration::ZERO);
        assert!(lazy.describe().contains("calibrating"));
        let clone = lazy.clone();
        clone.warm();
        assert!(
            lazy.describe().contains("t=2"),
            "the clone's calibration is the original's"
        );
    }
}
