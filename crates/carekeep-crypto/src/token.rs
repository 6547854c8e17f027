//! Random bearer tokens. The database keeps only a SHA-256 of each token, so a copy of the
//! database cannot be replayed as a live session.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A fresh 256-bit token, URL-safe base64.
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// A fresh set-up code of `len` characters drawn evenly from `alphabet` (rejection sampling:
/// no character is likelier than another), to be printed for a person to type.
pub fn new_code(alphabet: &[u8], len: usize) -> String {
    assert!(!alphabet.is_empty() && alphabet.len() <= 256);
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes::<32>() {
            if (b as usize) < limit && out.len() < len {
                if let Some(c) = alphabet.get(b as usize % alphabet.len()) {
                    out.push(*c as char);
                }
            }
        }
    }
    out
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    OsRng.fill_bytes(&mut buf);
    buf
}

/// Compares secrets without leaking where they first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_hash_stably() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
    }

    #[test]
    fn codes_use_only_the_alphabet() {
        let a = new_code(b"ABC", 40);
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|c| b"ABC".contains(&c)));
        assert_ne!(
            new_code(b"23456789ABCDEFGHJKMNPQRSTVWXYZ", 16),
            new_code(b"23456789ABCDEFGHJKMNPQRSTVWXYZ", 16)
        );
    }
}
