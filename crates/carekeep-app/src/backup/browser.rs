//! Backups set up from the browser (issue 25, item 6): the owner types a folder (a USB disk,
//! a NAS share), Carekeep makes the backup key beside the master key's folder, keeps both
//! settings on the clinic row (read by the nightly job on every tick, so no restart), and runs
//! the first backup and the restore drill at once (164.308(a)(7)(ii)(A), (D)). The key is
//! shown, printed or downloaded only to an owner, and each time is on the audit trail.

use super::{create, load_key, schedule, verify, BackupError};
use crate::datadir::ClinicFiles;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::backup_folder;
use carekeep_domain::Capability;
use carekeep_store::{backups as runs, clinic};
use std::path::{Path, PathBuf};

/// The key file's name, in the folder of the master key (the data folder's `keys/`).
const KEY_FILE: &str = "backup.key";

/// How backups stand, for the set-up page.
#[derive(Clone, Debug, Default)]
pub struct BackupSetup {
    /// The folder chosen in the browser (or in carekeep.toml); empty when none.
    pub folder: String,
    /// Whether the folder comes from carekeep.toml (which wins over the browser's).
    pub from_config: bool,
    /// Whether a backup key exists for the schedule.
    pub key_ready: bool,
    /// The newest backup in the folder: its name and size in bytes.
    pub newest: Option<(String, u64)>,
    /// The last backup: when, and whether it worked.
    pub last_backup: Option<(time::OffsetDateTime, bool)>,
    /// The last restore drill: when, whether it passed, seconds to restore.
    pub last_drill: Option<(time::OffsetDateTime, bool, Option<i64>)>,
}

/// The first backup and drill, as run when the folder was chosen.
#[derive(Clone, Debug)]
pub struct FirstRun {
    pub file_name: String,
    pub bytes: u64,
    pub at: time::OffsetDateTime,
    /// Milliseconds the backup took and the restore took (monotonic clock).
    pub backup_ms: u128,
    pub restore_ms: u128,
}

fn is_owner(actor: &Actor<'_>) -> bool {
    match actor {
        Actor::Cli => true,
        Actor::User(p) => p.roles.iter().any(|r| r.as_str() == "owner"),
        Actor::Patient(_) => false,
    }
}

fn wrap(e: BackupError) -> AppError {
    match e {
        BackupError::Usage(m) | BackupError::Refused(m) => AppError::Invalid(m),
        BackupError::Failed(m) => AppError::Internal(m),
    }
}

impl App {
    /// The folder and key in effect for the nightly job: carekeep.toml's when it names a
    /// folder, else the browser's (read from the database each time, so no restart).
    pub async fn backup_plan_in_effect(&self, plan: &schedule::Plan) -> Result<schedule::Plan, AppError> {
        if !plan.backup_dir.as_os_str().is_empty() {
            return Ok(plan.clone());
        }
        let (dir, key) = {
            let mut conn = self.store().read().await?;
            clinic::backup_settings(&mut conn).await?
        };
        let mut out = plan.clone();
        if !dir.is_empty() && !key.is_empty() {
            out.backup_dir = PathBuf::from(dir);
            out.key_file = Some(PathBuf::from(key));
        }
        Ok(out)
    }

    /// How backups stand (those who administer the clinic).
    pub async fn backup_setup(&self, actor: &Actor<'_>, plan: &schedule::Plan) -> Result<BackupSetup, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let from_config = !plan.backup_dir.as_os_str().is_empty();
        let plan = self.backup_plan_in_effect(plan).await?;
        let mut conn = self.store().read().await?;
        let last_backup = runs::latest(&mut conn, "backup").await?.map(|(at, ok, _)| (at, ok));
        let last_drill = runs::latest_timed(&mut conn, "verify").await?;
        drop(conn);
        let newest = if plan.backup_dir.as_os_str().is_empty() {
            None
        } else {
            schedule::newest_in(&plan.backup_dir)
        };
        Ok(BackupSetup {
            folder: plan.backup_dir.display().to_string(),
            from_config,
            key_ready: plan.key_file.as_deref().is_some_and(Path::exists),
            newest,
            last_backup,
            last_drill,
        })
    }

    /// Chooses the backup folder: checked (a full path outside the data folder, existing,
    /// writable), the backup key made if there is none (never replaced), the settings saved and
    /// audited, then the first backup and the restore drill run at once. Owners only.
    pub async fn configure_backups(
        &self,
        actor: &Actor<'_>,
        files: &ClinicFiles,
        typed: &str,
    ) -> Result<FirstRun, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        if !is_owner(actor) {
            return Err(AppError::Forbidden("only an owner sets up backups".into()));
        }
        let folder = backup_folder::check(typed, &files.data_dir.display().to_string())
            .map_err(|m| AppError::Invalid(m.into()))?;
        let dir = PathBuf::from(&folder);
        if !dir.is_dir() {
            return Err(AppError::Invalid(
                "the backup folder was not found: plug in the disk (or connect the NAS share) and check the path"
                    .into(),
            ));
        }
        writable(&dir)?;
        let key_dir = files
            .master_key
            .parent()
            .map_or_else(|| files.data_dir.clone(), Path::to_path_buf);
        let key_file = key_dir.join(KEY_FILE);
        if !key_file.exists() {
            super::create_key(&key_file).map_err(wrap)?;
        }
        load_key(&key_file).map_err(wrap)?;
        let key_text = key_file.display().to_string();
        let mut tx = self.store().begin().await?;
        clinic::set_backup_settings(tx.conn(), &folder, &key_text).await?;
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason("nightly backups set up from the browser: folder chosen, backup key in place");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        self.first_run(files, &dir, &key_file).await
    }

    async fn first_run(&self, files: &ClinicFiles, dir: &Path, key_file: &Path) -> Result<FirstRun, AppError> {
        let now = self.now();
        let stamp = now
            .format(&time::macros::format_description!(
                "[year][month][day]-[hour][minute][second]"
            ))
            .unwrap_or_default();
        let name = format!("carekeep-{stamp}.ckb");
        let out = dir.join(&name);
        let started = std::time::Instant::now();
        let (cfg, key, target) = (files.clone(), key_file.to_path_buf(), out.clone());
        schedule::off_the_jobs_task(move || async move { create(&cfg, &load_key(&key)?, &target, now).await })
            .await
            .map_err(wrap)?;
        let backup_ms = started.elapsed().as_millis();
        let started = std::time::Instant::now();
        let (cfg, key, target) = (files.clone(), key_file.to_path_buf(), out.clone());
        schedule::off_the_jobs_task(move || async move { verify(&cfg, &target, &load_key(&key)?, now).await })
            .await
            .map_err(wrap)?;
        let restore_ms = started.elapsed().as_millis();
        let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        Ok(FirstRun {
            file_name: name,
            bytes,
            at: now,
            backup_ms,
            restore_ms,
        })
    }

    /// The backup key's text, for the owner's download and recovery sheet; every viewing is
    /// on the audit trail before the key is handed over (164.312(b)). `how` says which
    /// (`"downloaded"`, `"recovery sheet shown"`).
    pub async fn backup_key_text(
        &self,
        actor: &Actor<'_>,
        plan: &schedule::Plan,
        how: &str,
    ) -> Result<zeroize::Zeroizing<String>, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        if !is_owner(actor) {
            let event = self
                .event(actor, Action::AccessDenied, Outcome::Denied)
                .with_reason("backup key: owners only");
            self.append_event(event).await?;
            return Err(AppError::Forbidden("only an owner sees the backup key".into()));
        }
        let plan = self.backup_plan_in_effect(plan).await?;
        let Some(path) = plan.key_file.filter(|p| p.exists()) else {
            return Err(AppError::NotFound("backup key"));
        };
        let key = load_key(&path).map_err(wrap)?;
        let mut tx = self.store().begin().await?;
        let event = self
            .event(actor, Action::BackupKeyViewed, Outcome::Success)
            .with_reason(&format!("backup key {how}"));
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(key.to_file_contents())
    }
}

/// Tries to write and remove a small file: a read-only share or a full disk is refused here,
/// at the field, not at two in the morning.
fn writable(dir: &Path) -> Result<(), AppError> {
    let probe = dir.join(".carekeep-write-check");
    let _ = std::fs::remove_file(&probe);
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"carekeep").and_then(|()| f.sync_all()));
    let _ = std::fs::remove_file(&probe);
    result.map_err(|_| {
        AppError::Invalid(
            "Carekeep cannot write in the backup folder: check that the disk is not read-only or full and that Carekeep may write there".into(),
        )
    })
}
