//! The nightly schedule and the retention policy; the weekly restore drill.

use super::{create, failed, load_key, verify, BackupError, Manifest, Offsite};
use crate::datadir::ClinicFiles;
use crate::App;
use carekeep_store::backups as store;
use std::path::{Path, PathBuf};

/// The clinic's backup settings: where backups go, the key that seals them, the off-site copy.
#[derive(Clone, Debug)]
pub struct Plan {
    pub clinic: ClinicFiles,
    /// Empty when the clinic has not set up scheduled backups.
    pub backup_dir: PathBuf,
    pub key_file: Option<PathBuf>,
    pub offsite: Offsite,
}

impl App {
    /// The nightly schedule: a backup when the last good one is a day old, pruning by the
    /// retention policy, the off-site copy, and the weekly restore drill of the newest backup.
    pub async fn scheduled_backup(&self, plan: &Plan) -> Result<(), BackupError> {
        scheduled(self, plan).await
    }
}

async fn scheduled(app: &App, plan: &Plan) -> Result<(), BackupError> {
    // The folder chosen in the browser is read on every tick: no restart after setting it.
    let plan = &app
        .backup_plan_in_effect(plan)
        .await
        .map_err(|e| BackupError::Failed(format!("read the backup settings: {e:?}")))?;
    if plan.backup_dir.as_os_str().is_empty() {
        return Ok(());
    }
    let Some(key_path) = &plan.key_file else {
        return Ok(());
    };
    let now = app.now();
    let (last_backup, last_verify) = {
        let mut conn = app
            .store()
            .read()
            .await
            .map_err(|e| BackupError::Failed(e.to_string()))?;
        let b = store::latest(&mut conn, "backup")
            .await
            .map_err(|e| BackupError::Failed(e.to_string()))?;
        let v = store::latest(&mut conn, "verify")
            .await
            .map_err(|e| BackupError::Failed(e.to_string()))?;
        (b, v)
    };
    let due = |last: &Option<(time::OffsetDateTime, bool, String)>, every: time::Duration| {
        last.as_ref().is_none_or(|(at, ok, _)| !ok || now - *at >= every)
    };
    load_key(key_path)?;
    std::fs::create_dir_all(&plan.backup_dir).map_err(failed("create the backup folder"))?;
    if due(&last_backup, time::Duration::hours(23)) {
        let stamp = now
            .format(&time::macros::format_description!(
                "[year][month][day]-[hour][minute][second]"
            ))
            .unwrap_or_default();
        let out = plan.backup_dir.join(format!("carekeep-{stamp}.ckb"));
        let (cfg, key, target) = (plan.clinic.clone(), key_path.clone(), out.clone());
        off_the_jobs_task(move || async move { create(&cfg, &load_key(&key)?, &target, now).await }).await?;
        prune(&plan.backup_dir)?;
        app.ship_offsite(&plan.offsite, &out).await?;
    }
    if due(&last_verify, time::Duration::days(7)) {
        if let Some(newest) = backups_in(&plan.backup_dir)?.into_iter().map(|(p, _)| p).max() {
            let (cfg, key) = (plan.clinic.clone(), key_path.clone());
            off_the_jobs_task(move || async move { verify(&cfg, &newest, &load_key(&key)?, now).await }).await?;
        }
    }
    Ok(())
}

/// The backups in a folder with their dates (from their names).
fn backups_in(dir: &Path) -> Result<Vec<(PathBuf, time::Date)>, BackupError> {
    let fmt = time::macros::format_description!("[year][month][day]");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(failed("list the backup folder"))? {
        let path = entry.map_err(failed("list the backup folder"))?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(date) = name
            .strip_prefix("carekeep-")
            .and_then(|r| r.strip_suffix(".ckb"))
            .and_then(|r| r.get(..8))
            .and_then(|d| time::Date::parse(d, &fmt).ok())
        {
            out.push((path, date));
        }
    }
    Ok(out)
}

/// The newest backup in a folder (by its name's date and time) with its size in bytes.
pub(crate) fn newest_in(dir: &Path) -> Option<(String, u64)> {
    let newest = backups_in(dir).ok()?.into_iter().map(|(p, _)| p).max()?;
    let bytes = std::fs::metadata(&newest).ok()?.len();
    Some((newest.file_name()?.to_string_lossy().into_owned(), bytes))
}

/// Removes the backups the retention policy no longer keeps.
fn prune(dir: &Path) -> Result<(), BackupError> {
    let all = backups_in(dir)?;
    let dates: Vec<time::Date> = all.iter().map(|(_, d)| *d).collect();
    let keep = carekeep_domain::program::retention::keep(&dates);
    for (i, (path, _)) in all.iter().enumerate() {
        if !keep.contains(&i) {
            std::fs::remove_file(path).map_err(failed("remove an old backup"))?;
        }
    }
    Ok(())
}

/// Runs a backup step on a blocking thread: opening a second store is not `Send` across every
/// lifetime sqlx asks for, and the jobs task must be.
pub(crate) async fn off_the_jobs_task<F, Fut>(f: F) -> Result<Manifest, BackupError>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Manifest, BackupError>>,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(f()))
        .await
        .map_err(|e| BackupError::Failed(format!("the backup task stopped: {e}")))?
}
