//! Encryption at rest (164.312(a)(2)(iv)): AES-256-GCM under data keys, data keys wrapped by a
//! master key that lives outside the database. Every ciphertext carries associated data naming
//! where it belongs (table, column, row), so a ciphertext moved elsewhere fails to decrypt.
//!
//! Ciphertext layout: `0x01 | key id (u32 BE) | nonce (12) | AES-GCM ciphertext and tag`.

use crate::token::random_bytes;
use crate::CryptoError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const HEADER: usize = 1 + 4 + 12;
const KEY_FILE_PREFIX: &str = "carekeep-master-key-v1:";

pub(crate) fn seal(key: &[u8; 32], key_id: u32, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes256Gcm::new(key.into());
    let nonce = random_bytes::<12>();
    let mut out = Vec::with_capacity(HEADER + plaintext.len() + 16);
    out.push(VERSION);
    out.extend_from_slice(&key_id.to_be_bytes());
    out.extend_from_slice(&nonce);
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad })
        .map_err(|_| CryptoError::Encrypt)?;
    out.extend_from_slice(&ct);
    Ok(out)
}

/// A ciphertext's parts: the data key's id, the nonce, and the sealed message with its tag.
pub(crate) fn parts(ciphertext: &[u8]) -> Result<(u32, &[u8], &[u8]), CryptoError> {
    let (&version, rest) = ciphertext.split_first().ok_or(CryptoError::Decrypt)?;
    let (id, rest) = rest.split_first_chunk::<4>().ok_or(CryptoError::Decrypt)?;
    let (nonce, msg) = rest.split_at_checked(HEADER - 5).ok_or(CryptoError::Decrypt)?;
    if version != VERSION || msg.len() < 16 {
        return Err(CryptoError::Decrypt);
    }
    Ok((u32::from_be_bytes(*id), nonce, msg))
}

fn key_id_of(ciphertext: &[u8]) -> Result<u32, CryptoError> {
    parts(ciphertext).map(|(id, _, _)| id)
}

pub(crate) fn open(key: &[u8; 32], aad: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let (_, nonce, msg) = parts(ciphertext)?;
    let cipher = Aes256Gcm::new(key.into());
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg, aad })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
}

/// The key that wraps the data keys. Kept in a file outside the database.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        MasterKey(Zeroizing::new(random_bytes::<32>()))
    }

    /// The key file's text form.
    pub fn to_file_contents(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{KEY_FILE_PREFIX}{}\n", STANDARD.encode(*self.0)))
    }

    pub fn from_file_contents(text: &str) -> Result<Self, CryptoError> {
        let b64 = text
            .trim()
            .strip_prefix(KEY_FILE_PREFIX)
            .ok_or(CryptoError::BadKeyFile)?;
        let bytes = Zeroizing::new(STANDARD.decode(b64).map_err(|_| CryptoError::BadKeyFile)?);
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| CryptoError::BadKeyFile)?;
        Ok(MasterKey(Zeroizing::new(key)))
    }

    fn wrap_aad(id: u32) -> Vec<u8> {
        format!("carekeep data key {id}").into_bytes()
    }

    /// Encrypts a data key for storage in the database.
    pub fn wrap(&self, key: &DataKey) -> Result<Vec<u8>, CryptoError> {
        seal(&self.0, 0, &Self::wrap_aad(key.id), key.key.as_slice())
    }

    /// Decrypts a stored data key; fails if the wrapped bytes were altered or belong to another id.
    pub fn unwrap_key(&self, id: u32, wrapped: &[u8]) -> Result<DataKey, CryptoError> {
        let raw = open(&self.0, &Self::wrap_aad(id), wrapped)?;
        let key: [u8; 32] = raw.as_slice().try_into().map_err(|_| CryptoError::Decrypt)?;
        Ok(DataKey {
            id,
            key: Zeroizing::new(key),
        })
    }
}

impl MasterKey {
    /// Encrypts a named secret (the audit chain key, the checkpoint signing key) for storage.
    pub fn wrap_secret(&self, purpose: &str, secret: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal(&self.0, 0, format!("carekeep secret {purpose}").as_bytes(), secret)
    }

    pub fn unwrap_secret(&self, purpose: &str, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        open(&self.0, format!("carekeep secret {purpose}").as_bytes(), wrapped)
    }
}

/// A key that encrypts PHI fields and secrets.
pub struct DataKey {
    id: u32,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({}, <redacted>)", self.id)
    }
}

impl DataKey {
    pub fn generate(id: u32) -> Self {
        DataKey {
            id,
            key: Zeroizing::new(random_bytes::<32>()),
        }
    }

    pub fn id(&self) -> u32 {
        self.id
    }
}

/// Where a ciphertext belongs; bound into it as associated data.
#[derive(Clone, Copy, Debug)]
pub struct Binding<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: i64,
}

impl Binding<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("{}.{}#{}", self.table, self.column, self.row).into_bytes()
    }
}

/// All data keys the clinic has; new ciphertexts use the newest.
#[derive(Debug)]
pub struct Keyring {
    keys: BTreeMap<u32, DataKey>,
}

impl Keyring {
    pub fn new(keys: impl IntoIterator<Item = DataKey>) -> Result<Self, CryptoError> {
        let keys: BTreeMap<u32, DataKey> = keys.into_iter().map(|k| (k.id, k)).collect();
        if keys.is_empty() {
            return Err(CryptoError::UnknownKey(0));
        }
        Ok(Keyring { keys })
    }

    /// A keyring with one fresh key, for tests.
    pub fn for_tests() -> Self {
        Keyring {
            keys: BTreeMap::from([(1, DataKey::generate(1))]),
        }
    }

    fn active(&self) -> Result<&DataKey, CryptoError> {
        self.keys.values().next_back().ok_or(CryptoError::UnknownKey(0))
    }

    pub fn encrypt(&self, at: Binding<'_>, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let key = self.active()?;
        seal(&key.key, key.id, &at.aad(), plaintext)
    }

    pub fn decrypt(&self, at: Binding<'_>, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let id = key_id_of(ciphertext)?;
        let key = self.keys.get(&id).ok_or(CryptoError::UnknownKey(id))?;
        open(&key.key, &at.aad(), ciphertext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: Binding<'static> = Binding {
        table: "users",
        column: "totp_secret",
        row: 7,
    };

    #[test]
    fn round_trip_and_binding() {
        let ring = Keyring::for_tests();
        let ct = ring.encrypt(AT, b"secret").unwrap();
        assert_eq!(ring.decrypt(AT, &ct).unwrap().as_slice(), b"secret");
        let other_row = Binding { row: 8, ..AT };
        let other_col = Binding { column: "name", ..AT };
        assert!(matches!(ring.decrypt(other_row, &ct), Err(CryptoError::Decrypt)));
        assert!(matches!(ring.decrypt(other_col, &ct), Err(CryptoError::Decrypt)));
        let mut flipped = ct.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(ring.decrypt(AT, &flipped).is_err());
    }

    #[test]
    fn master_key_wraps_and_file_round_trips() {
        let master = MasterKey::generate();
        let again = MasterKey::from_file_contents(&master.to_file_contents()).unwrap();
        let dk = DataKey::generate(3);
        let wrapped = master.wrap(&dk).unwrap();
        let back = again.unwrap_key(3, &wrapped).unwrap();
        assert_eq!(*back.key, *dk.key);
        assert!(again.unwrap_key(4, &wrapped).is_err(), "wrapped key bound to its id");
        assert!(MasterKey::generate().unwrap_key(3, &wrapped).is_err());
        assert!(MasterKey::from_file_contents("garbage").is_err());
    }

    #[test]
    fn old_keys_still_decrypt_after_a_new_key() {
        let k1 = DataKey::generate(1);
        let k1_copy = DataKey {
            id: 1,
            key: k1.key.clone(),
        };
        let old = Keyring::new([k1]).unwrap();
        let ct = old.encrypt(AT, b"x").unwrap();
        let newer = Keyring::new([k1_copy, DataKey::generate(2)]).unwrap();
        assert_eq!(newer.decrypt(AT, &ct).unwrap().as_slice(), b"x");
        assert_eq!(key_id_of(&newer.encrypt(AT, b"y").unwrap()).unwrap(), 2);
    }
}
