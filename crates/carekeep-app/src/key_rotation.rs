//! Master key rotation (164.312(a)(2)(iv); keys are changed when a key file may have been
//! exposed, or on a schedule). The data keys and the stored secrets are re-wrapped under the new
//! master key in one transaction, with its audit event; no PHI ciphertext changes, so a running
//! server (which holds the unwrapped data keys) keeps reading and writing throughout.

use crate::{Actor, App, AppError};
use carekeep_crypto::keys::MasterKey;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::Capability;
use carekeep_store::keys;

/// What a rotation re-wrapped.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Rotated {
    pub data_keys: usize,
    pub secrets: usize,
}

impl App {
    /// Re-wraps every data key and secret from `old` to `new`. Fails, changing nothing, if
    /// `old` does not open them all.
    pub async fn rotate_master_key(
        &self,
        actor: &Actor,
        old: &MasterKey,
        new: &MasterKey,
    ) -> Result<Rotated, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let mut tx = self.store().begin().await?;
        let data_keys = keys::all(tx.conn()).await?;
        for (id, wrapped) in &data_keys {
            let key = old
                .unwrap_key(*id, wrapped)
                .map_err(|_| AppError::Invalid("the current key file does not open this clinic's data keys".into()))?;
            keys::rewrap(tx.conn(), *id, &new.wrap(&key)?).await?;
        }
        let secrets = keys::secrets(tx.conn()).await?;
        for (purpose, wrapped) in &secrets {
            let secret = old
                .unwrap_secret(purpose, wrapped)
                .map_err(|_| AppError::Invalid("the current key file does not open this clinic's secrets".into()))?;
            keys::rewrap_secret(tx.conn(), purpose, &new.wrap_secret(purpose, &secret)?).await?;
        }
        let event = self
            .event(actor, Action::KeyRotated, Outcome::Success)
            .with_reason(&format!(
                "{} data keys and {} secrets re-wrapped",
                data_keys.len(),
                secrets.len()
            ));
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Rotated {
            data_keys: data_keys.len(),
            secrets: secrets.len(),
        })
    }
}

/// Whether `master` opens every data key in this database (to pick the right key file after a
/// rotation that stopped between its commit and the key file's rename).
pub async fn opens(store: &carekeep_store::Store, master: &MasterKey) -> Result<bool, AppError> {
    let mut conn = store.read().await?;
    let wrapped = keys::all(&mut conn).await?;
    Ok(wrapped.iter().all(|(id, w)| master.unwrap_key(*id, w).is_ok()))
}
