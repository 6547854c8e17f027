//! MFA recovery codes: ten single-use codes shown once, stored as SHA-256. Each code carries
//! 50 random bits, so a fast hash is enough; a slow one would make ten checks per login slow.

use crate::token::{hex, random_bytes};
use sha2::{Digest, Sha256};

pub const COUNT: usize = 10;
/// Crockford-style alphabet without look-alikes (no i, l, o, u).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Ten fresh codes, formatted `xxxxx-xxxxx` for reading aloud or typing.
pub fn generate() -> Vec<String> {
    (0..COUNT)
        .map(|_| {
            let bytes = random_bytes::<10>();
            let chars: String = bytes
                .iter()
                .map(|b| {
                    #[allow(clippy::indexing_slicing, reason = "b % 32 is within the 32 letters")]
                    char::from(ALPHABET[usize::from(b % 32)])
                })
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// The stored form of a code; typing is forgiving about case, spaces and dashes.
pub fn hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex(&Sha256::digest(normal.as_bytes()))
}

/// Whether input looks like a recovery code rather than a six-digit TOTP code.
pub fn looks_like_code(input: &str) -> bool {
    input.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_distinct_and_forgiving() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), COUNT);
        let c = &codes[0];
        assert!(looks_like_code(c));
        assert_eq!(hash(c), hash(&c.to_uppercase().replace('-', " ")));
        assert!(!looks_like_code("123456"));
    }
}
