//! Audit-trail keys: the HMAC-SHA-256 key that links the hash chain (so database access alone
//! cannot forge it), and the Ed25519 key that signs checkpoints the owner keeps elsewhere (so
//! even someone holding the database and the server cannot rewrite what a checkpoint covers).

use crate::token::random_bytes;
use crate::CryptoError;
use carekeep_domain::audit_chain::ChainMac;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// The chain's MAC key.
#[derive(Clone)]
pub struct ChainKey(Hmac<Sha256>);

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(<redacted>)")
    }
}

impl ChainKey {
    pub fn from_bytes(key: &[u8]) -> Result<Self, CryptoError> {
        Hmac::<Sha256>::new_from_slice(key)
            .map(ChainKey)
            .map_err(|_| CryptoError::BadKeyFile)
    }
}

impl ChainMac for ChainKey {
    fn link(&self, prev: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
        // Cloning the keyed state skips re-absorbing the key for every event.
        let mut mac = self.0.clone();
        mac.update(prev);
        mac.update(canonical);
        mac.finalize().into_bytes().into()
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

    /// RFC 4231 test case 2: HMAC-SHA-256 with key "Jefe".
    #[test]
    fn chain_mac_is_hmac_sha256() {
        let key = ChainKey::from_bytes(b"Jefe").unwrap();
        let mut prev = [0u8; 32];
        let msg = b"what do ya want for nothing?";
        // link(prev, m) = HMAC(prev || m); with prev taken from the message's first 32 bytes
        // the result must equal the RFC vector for the whole message.
        let mut whole = [0u8; 32];
        whole[..28].copy_from_slice(msg);
        prev.copy_from_slice(&whole);
        let out = key.link(&prev, &[]);
        let mut direct = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        direct.update(&whole);
        assert_eq!(out, <[u8; 32]>::from(direct.finalize().into_bytes()));
        let mut rfc = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        rfc.update(msg);
        let hex: String = rfc.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
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
