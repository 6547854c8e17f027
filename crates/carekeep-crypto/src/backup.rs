//! The backup key: held by the owner apart from the master key file (on paper, a USB stick).
//! Backups are sealed with it (AES-256-GCM through the same sealing as the data keys), the
//! file's header bound in as associated data, so a wrong key, a changed header or a changed
//! byte of the body is refused.

use crate::keys::{open, seal};
use crate::token::random_bytes;
use crate::CryptoError;
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

    pub fn seal(&self, header: &[u8], body: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal(&self.0, 0, header, body)
    }

    pub fn open(&self, header: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        open(&self.0, header, sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_key_changed_header_and_changed_body_are_refused() {
        let k = BackupKey::generate();
        let sealed = k.seal(b"header", b"the clinic").unwrap();
        assert_eq!(k.open(b"header", &sealed).unwrap().as_slice(), b"the clinic");
        assert!(BackupKey::generate().open(b"header", &sealed).is_err());
        assert!(k.open(b"headex", &sealed).is_err());
        let mut bent = sealed.clone();
        let last = bent.len() - 1;
        bent[last] ^= 1;
        assert!(k.open(b"header", &bent).is_err());
        let again = BackupKey::from_file_contents(&k.to_file_contents()).unwrap();
        assert_eq!(again.open(b"header", &sealed).unwrap().as_slice(), b"the clinic");
        assert!(BackupKey::from_file_contents("carekeep-master-key-v1:AAAA").is_err());
    }
}
