//! Blind indexes for exact search over encrypted fields (164.312(a)(2)(iv) encryption with
//! usable search). A digest is keyed BLAKE3 (a PRF, like HMAC) of a kind label and a
//! normalised value, truncated to 16 bytes: the database can match equal values without
//! holding any, and without the key (wrapped by the master key) nobody can test a guessed
//! name against it. The key is separate from the audit chain key and the data keys.

use crate::CryptoError;
use zeroize::Zeroizing;

/// Bytes kept of each digest: 128 bits makes accidental collisions irrelevant at clinic scale.
pub const DIGEST_LEN: usize = 16;

pub struct BlindIndexKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for BlindIndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlindIndexKey(<redacted>)")
    }
}

impl BlindIndexKey {
    pub fn from_bytes(key: &[u8]) -> Result<Self, CryptoError> {
        let key: [u8; 32] = key.try_into().map_err(|_| CryptoError::BadKeyFile)?;
        Ok(BlindIndexKey(Zeroizing::new(key)))
    }

    /// The digest of `value` under `kind` (e.g. `name_prefix`, `dob`, `phone`). The kind is
    /// part of the input, so equal text under different kinds never matches.
    pub fn digest(&self, kind: &str, value: &str) -> Vec<u8> {
        let mut h = blake3::Hasher::new_keyed(&self.0);
        h.update(kind.as_bytes());
        h.update(&[0]);
        h.update(value.as_bytes());
        h.finalize().as_bytes()[..DIGEST_LEN].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_keyed_and_kind_separated() {
        let a = BlindIndexKey::from_bytes(&[1; 32]).unwrap();
        let b = BlindIndexKey::from_bytes(&[2; 32]).unwrap();
        assert_eq!(a.digest("dob", "1980-04-23"), a.digest("dob", "1980-04-23"));
        assert_ne!(a.digest("dob", "1980-04-23"), b.digest("dob", "1980-04-23"));
        assert_ne!(a.digest("dob", "1980"), a.digest("phone", "1980"));
        assert_eq!(a.digest("dob", "x").len(), DIGEST_LEN);
        assert!(BlindIndexKey::from_bytes(&[0; 5]).is_err());
    }
}
