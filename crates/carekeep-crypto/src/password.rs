//! Argon2id password hashing (PRODUCT.md section 3). The cost is calibrated on the machine at
//! start-up (kanidm's approach) so every clinic's server pays about the same wall time per
//! guess; tests use a cheap policy. Parameters live in each PHC string, so old hashes still
//! verify after recalibration.

use crate::CryptoError;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::OsRng;
use std::time::{Duration, Instant};

/// OWASP's floor for Argon2id: 19 MiB, 2 passes, 1 lane.
const FLOOR_MEMORY_KIB: u32 = 19 * 1024;
const FLOOR_PASSES: u32 = 2;
const MAX_PASSES: u32 = 10;

/// How costly a password hash is.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    params: Params,
}

impl PasswordHasher {
    /// Raises the pass count from OWASP's floor until one hash takes about `target`.
    pub fn calibrated(target: Duration) -> Result<Self, CryptoError> {
        let mut passes = FLOOR_PASSES;
        loop {
            let hasher = Self::with(FLOOR_MEMORY_KIB, passes)?;
            let started = Instant::now();
            hasher.hash("calibration input")?;
            let took = started.elapsed();
            if took >= target || passes >= MAX_PASSES {
                return Ok(hasher);
            }
            passes += 1;
        }
    }

    /// A deliberately cheap policy, for tests only: never for real passwords.
    pub fn insecure_fast_for_tests() -> Self {
        Self {
            params: Params::new(8, 1, 1, None).unwrap_or_default(),
        }
    }

    fn with(memory_kib: u32, passes: u32) -> Result<Self, CryptoError> {
        let params = Params::new(memory_kib, passes, 1, None).map_err(|e| CryptoError::Hash(e.to_string()))?;
        Ok(Self { params })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
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

    /// The policy's cost, for the log at start-up.
    pub fn describe(&self) -> String {
        format!(
            "argon2id m={}KiB t={} p={}",
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost()
        )
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
        let floor = PasswordHasher::with(FLOOR_MEMORY_KIB, FLOOR_PASSES).unwrap();
        let stored = floor.hash("tulips in the waiting room").unwrap();
        assert!(cheap.verify("tulips in the waiting room", &stored));
    }
}
