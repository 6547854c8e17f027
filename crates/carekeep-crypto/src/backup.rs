//! The backup key: held by the owner apart from the master key file (on paper, a USB stick).
//!
//! A backup's body is sealed in chunks with the STREAM construction (RustCrypto's
//! `aead::stream`, AES-256-GCM) under a key made for that one file; the backup key wraps that
//! file key with the file's header bound in as associated data. So a backup of any size is
//! sealed and opened in a chunk's worth of memory, and a wrong key, a changed header, or a
//! chunk changed, moved, dropped or cut short is refused.

use crate::keys::{open, seal};
use crate::token::random_bytes;
use crate::CryptoError;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::stream::{DecryptorBE32, EncryptorBE32};
use aes_gcm::Aes256Gcm;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

const PREFIX: &str = "carekeep-backup-key-v1:";

pub struct BackupKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for BackupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BackupKey(<redacted>)")
    }
}

impl BackupKey {
    pub fn generate() -> Self {
        BackupKey(Zeroizing::new(random_bytes::<32>()))
    }

    pub fn to_file_contents(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{PREFIX}{}\n", STANDARD.encode(*self.0)))
    }

    pub fn from_file_contents(text: &str) -> Result<Self, CryptoError> {
        let b64 = text.trim().strip_prefix(PREFIX).ok_or(CryptoError::BadKeyFile)?;
        let bytes = Zeroizing::new(STANDARD.decode(b64).map_err(|_| CryptoError::BadKeyFile)?);
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| CryptoError::BadKeyFile)?;
        Ok(BackupKey(Zeroizing::new(key)))
    }

    /// Starts sealing a backup whose header is `header`: returns the wrapped file key (to
    /// store after the header) and the sealer for the body's chunks.
    pub fn seal_body(&self, header: &[u8]) -> Result<(Vec<u8>, BodySealer), CryptoError> {
        let secret = Zeroizing::new(random_bytes::<FILE_SECRET>());
        let wrapped = seal(&self.0, 0, header, secret.as_slice())?;
        let (key, nonce) = secret.split_at(32);
        Ok((
            wrapped,
            BodySealer(EncryptorBE32::new(
                GenericArray::from_slice(key),
                GenericArray::from_slice(nonce),
            )),
        ))
    }

    /// Opens the file key of a backup whose header is `header`.
    pub fn open_body(&self, header: &[u8], wrapped: &[u8]) -> Result<BodyOpener, CryptoError> {
        let secret = open(&self.0, header, wrapped)?;
        if secret.len() != FILE_SECRET {
            return Err(CryptoError::Decrypt);
        }
        let (key, nonce) = secret.split_at(32);
        Ok(BodyOpener(DecryptorBE32::new(
            GenericArray::from_slice(key),
            GenericArray::from_slice(nonce),
        )))
    }
}

/// A file key (32 bytes) and the STREAM nonce prefix (AES-GCM's 12 bytes less STREAM's 5).
const FILE_SECRET: usize = 32 + 7;

pub struct BodySealer(EncryptorBE32<Aes256Gcm>);

impl std::fmt::Debug for BodySealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodySealer")
    }
}

impl BodySealer {
    pub fn next(&mut self, chunk: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.0.encrypt_next(chunk).map_err(|_| CryptoError::Encrypt)
    }

    /// The last chunk, marked as last: a body cut short after any earlier chunk is refused.
    pub fn last(self, chunk: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.0.encrypt_last(chunk).map_err(|_| CryptoError::Encrypt)
    }
}

pub struct BodyOpener(DecryptorBE32<Aes256Gcm>);

impl std::fmt::Debug for BodyOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyOpener")
    }
}

impl BodyOpener {
    pub fn next(&mut self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.0
            .decrypt_next(sealed)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }

    pub fn last(self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.0
            .decrypt_last(sealed)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(k: &BackupKey, header: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
        let (wrapped, mut sealer) = k.seal_body(header).unwrap();
        let a = sealer.next(b"the ").unwrap();
        let b = sealer.next(b"clinic").unwrap();
        let c = sealer.last(b".").unwrap();
        (wrapped, vec![a, b, c])
    }

    fn opens(k: &BackupKey, header: &[u8], wrapped: &[u8], chunks: &[Vec<u8>]) -> Result<Vec<u8>, CryptoError> {
        let mut o = k.open_body(header, wrapped)?;
        let mut out = Vec::new();
        let (last, rest) = chunks.split_last().unwrap();
        for c in rest {
            out.extend_from_slice(&o.next(c)?);
        }
        out.extend_from_slice(&o.last(last)?);
        Ok(out)
    }

    #[test]
    fn wrong_key_changed_header_and_changed_moved_or_dropped_chunks_are_refused() {
        let k = BackupKey::generate();
        let (wrapped, chunks) = sealed(&k, b"header");
        assert_eq!(opens(&k, b"header", &wrapped, &chunks).unwrap(), b"the clinic.");
        assert!(opens(&BackupKey::generate(), b"header", &wrapped, &chunks).is_err());
        assert!(opens(&k, b"headex", &wrapped, &chunks).is_err());
        let mut bent = chunks.clone();
        bent[1][3] ^= 1;
        assert!(opens(&k, b"header", &wrapped, &bent).is_err());
        let swapped = vec![chunks[1].clone(), chunks[0].clone(), chunks[2].clone()];
        assert!(opens(&k, b"header", &wrapped, &swapped).is_err());
        assert!(opens(&k, b"header", &wrapped, &chunks[..2]).is_err(), "cut short");
        let (other_wrapped, other) = sealed(&k, b"header");
        let mixed = vec![chunks[0].clone(), other[1].clone(), chunks[2].clone()];
        assert!(
            opens(&k, b"header", &wrapped, &mixed).is_err(),
            "a chunk of another backup"
        );
        assert!(opens(&k, b"header", &other_wrapped, &other).is_ok());
        let again = BackupKey::from_file_contents(&k.to_file_contents()).unwrap();
        assert_eq!(opens(&again, b"header", &wrapped, &chunks).unwrap(), b"the clinic.");
        assert!(BackupKey::from_file_contents("carekeep-master-key-v1:AAAA").is_err());
    }
}
