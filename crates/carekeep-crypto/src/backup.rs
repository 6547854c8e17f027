//! The backup key: held by the owner apart from the master key file (on paper, a USB stick).
//!
//! A backup's body is sealed in chunks with the STREAM construction (RustCrypto's
//! `aead::stream`, AES-256-GCM) under a key made for that one file; the backup key wraps that
//! file key with the file's header bound in as associated data. So a backup of any size is
//! sealed and opened in a chunk's worth of memory, and a wrong key, a changed header, or a
//! chunk changed, moved, dropped or cut short is refused.

use crate::keys::{open, parts, seal};
use crate::token::random_bytes;
use crate::CryptoError;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::stream::{NewStream, StreamBE32, StreamPrimitive};
use aes_gcm::{Aes256Gcm, KeyInit};
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

    /// Wraps `body`'s file key for a backup whose header is `header` (bound in as associated
    /// data): what is stored after the header. The body may be sealed before the header is
    /// known (its checksum is computed in the same pass), since the chunks do not depend on it.
    pub fn wrap_body(&self, header: &[u8], body: &BodyKey) -> Result<Vec<u8>, CryptoError> {
        seal(&self.0, 0, header, body.secret.as_slice())
    }

    /// Opens the file key of a backup whose header is `header`.
    /// The wrapped key's id is not covered by its tag, so it is held to the one a backup
    /// writes (0): no byte of a backup can change and still open.
    pub fn open_body(&self, header: &[u8], wrapped: &[u8]) -> Result<BodyKey, CryptoError> {
        if parts(wrapped)?.0 != 0 {
            return Err(CryptoError::Decrypt);
        }
        let secret = open(&self.0, header, wrapped)?;
        let secret: [u8; FILE_SECRET] = secret.as_slice().try_into().map_err(|_| CryptoError::Decrypt)?;
        Ok(BodyKey::from_secret(Zeroizing::new(secret)))
    }
}

/// A file key (32 bytes) and the STREAM nonce prefix (AES-GCM's 12 bytes less STREAM's 5).
const FILE_SECRET: usize = 32 + 7;

/// One backup's file key: seals and opens the body's chunks by their position (STREAM, big
/// endian 32-bit counter: chunk `i` under the nonce prefix, `i`, and a flag on the last), so
/// chunks are sealed and opened on several cores at once. The bytes are those RustCrypto's
/// `EncryptorBE32` makes chunk after chunk (tested below), so every earlier backup opens.
pub struct BodyKey {
    stream: StreamBE32<Aes256Gcm>,
    secret: Zeroizing<[u8; FILE_SECRET]>,
}

impl std::fmt::Debug for BodyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyKey(<redacted>)")
    }
}

impl BodyKey {
    /// A fresh key for a new backup.
    pub fn generate() -> BodyKey {
        BodyKey::from_secret(Zeroizing::new(random_bytes::<FILE_SECRET>()))
    }

    fn from_secret(secret: Zeroizing<[u8; FILE_SECRET]>) -> BodyKey {
        let (key, nonce) = secret.split_at(32);
        let stream = StreamBE32::from_aead(
            Aes256Gcm::new(GenericArray::from_slice(key)),
            GenericArray::from_slice(nonce),
        );
        BodyKey { stream, secret }
    }

    /// Seals chunk `position` in place (its tag appended); `last` marks the body's last chunk,
    /// so a body cut short after any earlier chunk is refused.
    pub fn seal(&self, position: u32, last: bool, chunk: &mut Vec<u8>) -> Result<(), CryptoError> {
        self.stream
            .encrypt_in_place(position, last, &[], chunk)
            .map_err(|_| CryptoError::Encrypt)
    }

    /// Opens chunk `position` in place (its tag removed). Refuses a chunk changed, moved, of
    /// another backup, or not the last where the body ends.
    pub fn open(&self, position: u32, last: bool, sealed: &mut Vec<u8>) -> Result<(), CryptoError> {
        self.stream
            .decrypt_in_place(position, last, &[], sealed)
            .map_err(|_| CryptoError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(k: &BackupKey, header: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
        let body = BodyKey::generate();
        let wrapped = k.wrap_body(header, &body).unwrap();
        let parts: [&[u8]; 3] = [b"the ", b"clinic", b"."];
        let chunks = parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut c = p.to_vec();
                body.seal(i as u32, i == 2, &mut c).unwrap();
                c
            })
            .collect();
        (wrapped, chunks)
    }

    fn opens(k: &BackupKey, header: &[u8], wrapped: &[u8], chunks: &[Vec<u8>]) -> Result<Vec<u8>, CryptoError> {
        let body = k.open_body(header, wrapped)?;
        let mut out = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            let mut c = c.clone();
            body.open(i as u32, i + 1 == chunks.len(), &mut c)?;
            out.extend_from_slice(&c);
        }
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

    /// Sealing by position makes the bytes the sequential STREAM encryptor made before issue
    /// 31, and opens them: a backup taken by an earlier version restores.
    #[test]
    fn chunks_sealed_by_position_are_the_sequential_streams_bytes() {
        use aes_gcm::aead::stream::{DecryptorBE32, EncryptorBE32};
        let body = BodyKey::generate();
        let (key, nonce) = body.secret.split_at(32);
        let mut before =
            EncryptorBE32::<Aes256Gcm>::new(GenericArray::from_slice(key), GenericArray::from_slice(nonce));
        let parts: [&[u8]; 3] = [&[7; 100], &[8; 100], &[9; 5]];
        let mut theirs = vec![
            before.encrypt_next(parts[0]).unwrap(),
            before.encrypt_next(parts[1]).unwrap(),
        ];
        theirs.push(before.encrypt_last(parts[2]).unwrap());
        for (i, p) in parts.iter().enumerate() {
            let mut ours = p.to_vec();
            body.seal(i as u32, i == 2, &mut ours).unwrap();
            assert_eq!(ours, theirs[i], "chunk {i}");
            body.open(i as u32, i == 2, &mut ours).unwrap();
            assert_eq!(ours, *p);
        }
        let mut back = DecryptorBE32::<Aes256Gcm>::new(GenericArray::from_slice(key), GenericArray::from_slice(nonce));
        let mut mine = parts[0].to_vec();
        body.seal(0, false, &mut mine).unwrap();
        assert_eq!(back.decrypt_next(mine.as_slice()).unwrap(), parts[0]);
    }
}
