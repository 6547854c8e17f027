//! Master key rotation as the command line runs it, beside a running server: a second opening
//! of the clinic re-wraps the data keys in one transaction, and the new key file replaces the
//! old only after that commits (a crash in between is finished by the next opening).

use crate::{datadir, open, Config, StartError};
use carekeep_app::key_rotation::Rotated;
use carekeep_app::{Actor, Clock};
use carekeep_crypto::password::PasswordHasher;
use std::sync::Arc;

pub async fn rotate(config: Config, clock: Arc<dyn Clock>, hasher: PasswordHasher) -> Result<Rotated, StartError> {
    let key_path = config.master_key_path();
    // Opening finishes a rotation that committed but stopped before its rename.
    let app = open(config, clock, hasher).await?.app;
    let pending = datadir::pending_key_path(&key_path);
    if pending.exists() {
        // Left by a rotation that never committed: the database does not use it.
        std::fs::remove_file(&pending).map_err(|e| StartError::App(format!("{}: {e}", pending.display())))?;
    }
    let old = datadir::load_master_key(&key_path)?;
    let new = datadir::create_pending_key(&key_path)?;
    let rotated = match app.rotate_master_key(&Actor::Cli, &old, &new).await {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&pending);
            return Err(e.into());
        }
    };
    datadir::promote_pending_key(&key_path)?;
    app.store().close().await;
    Ok(rotated)
}
