//! Master key rotation (164.312(a)(2)(iv); keys are changed when a key file may have been
//! exposed, or on a schedule). The data keys and the stored secrets are re-wrapped under the new
//! master key in one transaction, with its audit event; no PHI ciphertext changes, so a running
//! server (which holds the unwrapped data keys) keeps reading and writing throughout.

use crate::datadir::{self, ClinicFiles};
use crate::{Actor, App, AppError, AppSettings, Clock};
use carekeep_crypto::keys::MasterKey;
use carekeep_crypto::password::PasswordHasher;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::Capability;
use carekeep_store::keys;
use std::sync::Arc;

/// What a rotation re-wrapped.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Rotated {
    pub data_keys: usize,
    pub secrets: usize,
}

impl App {
    /// Whether `master` opens every data key of this clinic.
    pub async fn master_key_opens(&self, master: &MasterKey) -> Result<bool, AppError> {
        datadir::opens(self.store(), master).await
    }

    /// Re-wraps every data key and secret from `old` to `new`. Fails, changing nothing, if
    /// `old` does not open them all.
    pub async fn rotate_master_key(
        &self,
        actor: &Actor<'_>,
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

/// Rotation as the command line runs it, beside a running server: a second opening of the
/// clinic re-wraps the data keys in one transaction, and the new key file replaces the old only
/// after that commits (a crash in between is finished by the next opening).
pub async fn rotate(
    files: &ClinicFiles,
    clock: Arc<dyn Clock>,
    hasher: PasswordHasher,
    progress: &dyn crate::progress::Progress,
) -> Result<Rotated, datadir::OpenError> {
    progress.step("opening the clinic", None);
    // Opening finishes a rotation that committed but stopped before its rename.
    let app = datadir::open(files, clock, hasher, AppSettings::default()).await?;
    progress.step("re-wrapping the data keys under a new master key", None);
    let key_path = &files.master_key;
    let pending = datadir::pending_key_path(key_path);
    if pending.exists() {
        // Left by a rotation that never committed: the database does not use it.
        std::fs::remove_file(&pending).map_err(|e| AppError::Internal(format!("{}: {e}", pending.display())))?;
    }
    let old = datadir::load_master_key(key_path)?;
    let new = datadir::create_pending_key(key_path)?;
    let rotated = match app.rotate_master_key(&Actor::Cli, &old, &new).await {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&pending);
            app.close().await;
            return Err(e.into());
        }
    };
    datadir::promote_pending_key(key_path)?;
    app.close().await;
    Ok(rotated)
}
