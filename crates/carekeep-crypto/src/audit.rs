//! Audit-trail keys: the key that links the hash chain (BLAKE3 in keyed mode, a MAC, so
//! database access alone cannot forge it), and the Ed25519 key that signs checkpoints the owner
//! keeps elsewhere (so even someone holding the database and the server cannot rewrite what a
//! checkpoint covers).
//!
//! Why BLAKE3 rather than HMAC-SHA-256: a clinic's six years of events must verify in seconds on
//! an ordinary CPU. Without SHA instructions (common on small servers) SHA-256 manages about
//! 400,000 events a second on one core; keyed BLAKE3 manages several times that.

use crate::token::random_bytes;
use crate::CryptoError;
use carekeep_domain::audit::chain::ChainMac;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use zeroize::Zeroizing;

/// The chain's MAC key.
#[derive(Clone)]
pub struct ChainKey(blake3::Hasher);

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(<redacted>)")
    }
}

impl ChainKey {
    pub fn from_bytes(key: &[u8]) -> Result<Self, CryptoError> {
        let key: [u8; 32] = key.try_into().map_err(|_| CryptoError::BadKeyFile)?;
        Ok(ChainKey(blake3::Hasher::new_keyed(&key)))
    }
}

impl ChainMac for ChainKey {
    fn link(&self, prev: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
        // Cloning the keyed state skips re-absorbing the key for every event.
        let mut mac = self.0.clone();
        mac.update(prev);
        mac.update(canonical);
        mac.finalize().into()
    }
}

/// Fresh secret bytes for a new chain or signing key.
pub fn new_secret() -> Zeroizing<[u8; 32]> {
    Zeroizing::new(random_bytes::<32>())
}

/// What a checkpoint signature covers.
fn checkpoint_message(seq: i64, hash: &[u8; 32], at_unix: i64) -> Vec<u8> {
    let mut m = b"carekeep audit checkpoint v1\n".to_vec();
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    m.extend_from_slice(&at_unix.to_be_bytes());
    m
}

/// Signs checkpoints.
pub struct CheckpointSigner(SigningKey);

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckpointSigner(<redacted>)")
    }
}

impl CheckpointSigner {
    pub fn from_seed(seed: &[u8]) -> Result<Self, CryptoError> {
        let seed: [u8; 32] = seed.try_into().map_err(|_| CryptoError::BadKeyFile)?;
        Ok(CheckpointSigner(SigningKey::from_bytes(&seed)))
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    pub fn sign(&self, seq: i64, hash: &[u8; 32], at_unix: i64) -> [u8; 64] {
        self.0.sign(&checkpoint_message(seq, hash, at_unix)).to_bytes()
    }
}

/// Checks a checkpoint's signature against a public key the owner kept.
pub fn verify_checkpoint(public_key: &[u8; 32], seq: i64, hash: &[u8; 32], at_unix: i64, signature: &[u8; 64]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    key.verify(
        &checkpoint_message(seq, hash, at_unix),
        &Signature::from_bytes(signature),
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_mac_is_keyed_blake3_over_prev_then_event() {
        let key = ChainKey::from_bytes(&[7u8; 32]).unwrap();
        let prev = [1u8; 32];
        let mut both = prev.to_vec();
        both.extend_from_slice(b"event");
        assert_eq!(
            key.link(&prev, b"event"),
            *blake3::keyed_hash(&[7u8; 32], &both).as_bytes()
        );
        let other = ChainKey::from_bytes(&[8u8; 32]).unwrap();
        assert_ne!(
            key.link(&prev, b"event"),
            other.link(&prev, b"event"),
            "the key matters"
        );
        assert_ne!(
            key.link(&prev, b"event"),
            key.link(&[2u8; 32], b"event"),
            "the predecessor matters"
        );
        assert!(ChainKey::from_bytes(b"short").is_err());
    }

    #[test]
    fn checkpoints_verify_only_unchanged() {
        let signer = CheckpointSigner::from_seed(&*new_secret()).unwrap();
        let pk = signer.public_key();
        let sig = signer.sign(100, &[9; 32], 1_800_000_000);
        assert!(verify_checkpoint(&pk, 100, &[9; 32], 1_800_000_000, &sig));
        assert!(!verify_checkpoint(&pk, 101, &[9; 32], 1_800_000_000, &sig));
        assert!(!verify_checkpoint(&pk, 100, &[8; 32], 1_800_000_000, &sig));
        let other = CheckpointSigner::from_seed(&*new_secret()).unwrap();
        assert!(!verify_checkpoint(
            &other.public_key(),
            100,
            &[9; 32],
            1_800_000_000,
            &sig
        ));
    }
}
