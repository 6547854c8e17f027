//! Carekeep's cryptography, in one crate over well-kept libraries: nothing here is hand-rolled.
//!
//! - [`password`]: Argon2id with a calibrated cost, and a cheap policy for tests.
//! - [`totp`]: RFC 6238 codes (via `totp-rs`), with replay refusal by time step.
//! - [`recovery`]: single-use MFA recovery codes, stored hashed.
//! - [`keys`]: AES-256-GCM data keys wrapped by a master key kept outside the database.
//! - [`token`]: session tokens (random; only their hash is stored) and constant-time compares.

pub mod audit;
pub mod backup;
pub mod blind;
pub mod keys;
pub mod password;
pub mod recovery;
pub mod token;
pub mod totp;

/// Errors from this crate. Messages never contain key material or secrets.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the key file is not a valid Carekeep master key")]
    BadKeyFile,
    #[error("decryption failed: wrong key, or the ciphertext was altered or moved")]
    Decrypt,
    #[error("encryption failed")]
    Encrypt,
    #[error("unknown data key {0}")]
    UnknownKey(u32),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("bad TOTP secret")]
    BadSecret,
}
