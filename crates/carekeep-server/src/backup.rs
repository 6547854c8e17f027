//! Encrypted backups, restores that prove themselves, and the restore drill
//! (164.308(a)(7)(ii)(A), (B), (D)).
//!
//! A backup is one file: a magic line, a JSON manifest (counts of every table, the audit
//! chain's head, a SHA-256 of the body), then the body sealed with the owner's backup key with
//! the header as associated data. The body is a consistent snapshot of the SQLite database
//! (`VACUUM INTO`, taken while the server runs) and the master key file, so the backup key
//! alone restores the clinic. It is written to a temporary file, synced, then renamed: a
//! crash or a full disk never leaves a half-written backup under the final name.
//! PostgreSQL deployments rely on the database's own backup (`pg_dump`); see the README.

use crate::config::Config;
use crate::datadir;
use carekeep_app::audit::VerifyReport;
use carekeep_crypto::backup::BackupKey;
use carekeep_store::{backups as store, Backend, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

const MAGIC: &[u8] = b"CAREKEEP-BACKUP-1\n";
/// A manifest larger than this is not ours.
const MAX_HEADER: usize = 1 << 20;

#[derive(Debug, Error)]
pub enum BackupError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

fn failed(what: &str) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Failed(format!("{what}: {e}"))
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    /// Rows per table.
    pub counts: BTreeMap<String, i64>,
    pub audit_head_seq: i64,
    pub audit_head_hash: String,
    /// SHA-256 of the body (database, then master key file).
    pub sha256: String,
    pub database_bytes: u64,
    pub key_bytes: u64,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the backup key file.
pub fn load_key(path: &Path) -> Result<BackupKey, BackupError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BackupError::Usage(format!("cannot read the backup key {}: {e}", path.display())))?;
    BackupKey::from_file_contents(&text)
        .map_err(|_| BackupError::Usage(format!("{} is not a Carekeep backup key", path.display())))
}

/// Writes a new backup key file (mode 0600); refuses to overwrite one.
pub fn create_key(path: &Path) -> Result<(), BackupError> {
    if path.exists() {
        return Err(BackupError::Usage(format!(
            "{} exists; a backup key is never overwritten",
            path.display()
        )));
    }
    write_private(path, BackupKey::generate().to_file_contents().as_bytes())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).map_err(failed("create"))?;
    f.write_all(bytes).map_err(failed("write"))?;
    f.sync_all().map_err(failed("sync"))
}

/// Takes a backup of the clinic `config` points at, into `out`, and records the run.
pub async fn create(
    config: &Config,
    key: &BackupKey,
    out: &Path,
    now: time::OffsetDateTime,
) -> Result<Manifest, BackupError> {
    if Backend::from_url(&config.database_url()) != Some(Backend::Sqlite) {
        return Err(BackupError::Usage(
            "this clinic uses PostgreSQL: back up the database with pg_dump and keep the master key file with it (see the README); `carekeep backup` covers the embedded SQLite database".into(),
        ));
    }
    let store = Store::open(&config.database_url(), now)
        .await
        .map_err(|e| BackupError::Failed(format!("open the database: {e}")))?;
    let result = snapshot_into(config, key, out, &store, now).await;
    let detail = match &result {
        Ok(m) => format!(
            "{} ({} bytes of database, audit head {})",
            out.display(),
            m.database_bytes,
            m.audit_head_seq
        ),
        Err(e) => e.to_string(),
    };
    if let Ok(mut tx) = store.begin().await {
        if store::record_run(tx.conn(), "backup", result.is_ok(), &detail, now)
            .await
            .is_ok()
        {
            let _ = tx.commit().await;
        }
    }
    store.close().await;
    result
}

async fn snapshot_into(
    config: &Config,
    key: &BackupKey,
    out: &Path,
    store: &Store,
    now: time::OffsetDateTime,
) -> Result<Manifest, BackupError> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let scratch = tempfile::tempdir_in(dir).map_err(failed("make a scratch folder next to the backup"))?;
    let snap = scratch.path().join("snapshot.db");
    {
        let mut conn = store.read().await.map_err(|e| BackupError::Failed(e.to_string()))?;
        store::sqlite_snapshot(&mut conn, &snap.to_string_lossy())
            .await
            .map_err(|e| BackupError::Failed(format!("snapshot: {e}")))?;
    }
    let (counts, head) = describe(&format!("sqlite://{}?mode=rw", snap.display()), now).await?;
    let db = std::fs::read(&snap).map_err(failed("read the snapshot"))?;
    let master = std::fs::read(config.master_key_path()).map_err(failed("read the master key file"))?;
    let mut body = db.clone();
    body.extend_from_slice(&master);
    let manifest = Manifest {
        format: 1,
        created_at: now.to_string(),
        counts,
        audit_head_seq: head.0,
        audit_head_hash: hex(&head.1),
        sha256: hex(&Sha256::digest(&body)),
        database_bytes: db.len() as u64,
        key_bytes: master.len() as u64,
    };
    let header = serde_json::to_vec(&manifest).map_err(|e| BackupError::Failed(e.to_string()))?;
    let sealed = key
        .seal(&header, &body)
        .map_err(|e| BackupError::Failed(e.to_string()))?;
    let tmp = scratch.path().join("backup.partial");
    {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&tmp).map_err(failed("create the backup"))?;
        f.write_all(MAGIC).map_err(failed("write the backup"))?;
        f.write_all(&u32::try_from(header.len()).unwrap_or(u32::MAX).to_be_bytes())
            .map_err(failed("write the backup"))?;
        f.write_all(&header).map_err(failed("write the backup"))?;
        f.write_all(&sealed).map_err(failed("write the backup"))?;
        f.sync_all().map_err(failed("sync the backup"))?;
    }
    std::fs::rename(&tmp, out).map_err(failed("move the backup into place"))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(manifest)
}

/// Counts of every table and the audit head, of the database at `url`.
async fn describe(
    url: &str,
    now: time::OffsetDateTime,
) -> Result<(BTreeMap<String, i64>, (i64, [u8; 32])), BackupError> {
    let db = Store::open(url, now)
        .await
        .map_err(|e| BackupError::Failed(format!("open the snapshot: {e}")))?;
    let mut conn = db.read().await.map_err(|e| BackupError::Failed(e.to_string()))?;
    let counts = store::table_counts(&mut conn)
        .await
        .map_err(|e| BackupError::Failed(format!("count the snapshot: {e}")))?;
    let head = carekeep_store::audit::head(&mut conn)
        .await
        .map_err(|e| BackupError::Failed(format!("read the audit head: {e}")))?;
    drop(conn);
    db.close().await;
    Ok((counts.into_iter().collect(), head))
}

/// Opens a backup file: the manifest, the database bytes and the master key file bytes.
/// A wrong key or any changed byte is refused.
pub fn read(path: &Path, key: &BackupKey) -> Result<(Manifest, Vec<u8>, Vec<u8>), BackupError> {
    let bytes = std::fs::read(path).map_err(|e| BackupError::Usage(format!("cannot read {}: {e}", path.display())))?;
    read_bytes(&bytes, path, key)
}

/// As [`read`], for a backup's bytes (`path` names it in errors).
pub fn read_bytes(bytes: &[u8], path: &Path, key: &BackupKey) -> Result<(Manifest, Vec<u8>, Vec<u8>), BackupError> {
    let damaged = || BackupError::Refused(format!("{} is not a Carekeep backup, or it is damaged", path.display()));
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(damaged)?;
    let (len, rest) = rest.split_at_checked(4).ok_or_else(damaged)?;
    let len = u32::from_be_bytes(len.try_into().map_err(|_| damaged())?) as usize;
    if len > MAX_HEADER {
        return Err(damaged());
    }
    let (header, sealed) = rest.split_at_checked(len).ok_or_else(damaged)?;
    let body = key.open(header, sealed).map_err(|_| {
        BackupError::Refused(format!(
            "{} does not open: the backup key is wrong, or the file was damaged or altered",
            path.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_slice(header).map_err(|_| damaged())?;
    if hex(&Sha256::digest(body.as_slice())) != manifest.sha256
        || body.len() as u64 != manifest.database_bytes + manifest.key_bytes
    {
        return Err(damaged());
    }
    let split = usize::try_from(manifest.database_bytes).map_err(|_| damaged())?;
    let (db, master) = body.split_at_checked(split).ok_or_else(damaged)?;
    Ok((manifest, db.to_vec(), master.to_vec()))
}

/// Restores a backup into `data_dir` (empty or absent, unless `force`), then proves it: the
/// counts match the manifest and the audit chain verifies to the recorded head.
pub async fn restore(
    path: &Path,
    key: &BackupKey,
    data_dir: &Path,
    force: bool,
    now: time::OffsetDateTime,
) -> Result<Manifest, BackupError> {
    let (manifest, db, master) = read(path, key)?;
    let occupied = std::fs::read_dir(data_dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if occupied && !force {
        return Err(BackupError::Refused(format!(
            "{} is not empty: restore into an empty folder (or pass --force to replace a clinic that is not running)",
            data_dir.display()
        )));
    }
    if occupied {
        for name in ["carekeep.db", "carekeep.db-wal", "carekeep.db-shm"] {
            let _ = std::fs::remove_file(data_dir.join(name));
        }
        let _ = std::fs::remove_file(data_dir.join("keys/master.key"));
    }
    datadir::create_dirs(data_dir).map_err(|e| BackupError::Failed(e.to_string()))?;
    std::fs::create_dir_all(data_dir.join("keys")).map_err(failed("create the keys folder"))?;
    write_private(&data_dir.join("carekeep.db"), &db)?;
    write_private(&data_dir.join("keys/master.key"), &master)?;
    prove(data_dir, &manifest, now).await?;
    Ok(manifest)
}

/// Checks a restored clinic against its manifest.
async fn prove(data_dir: &Path, manifest: &Manifest, now: time::OffsetDateTime) -> Result<(), BackupError> {
    let url = format!("sqlite://{}?mode=rw", data_dir.join("carekeep.db").display());
    let (counts, head) = describe(&url, now).await?;
    if counts != manifest.counts {
        return Err(BackupError::Refused(
            "the restored counts differ from the backup's manifest".into(),
        ));
    }
    if head.0 != manifest.audit_head_seq || hex(&head.1) != manifest.audit_head_hash {
        return Err(BackupError::Refused(
            "the restored audit head differs from the manifest".into(),
        ));
    }
    let config = Config {
        data_dir: data_dir.to_path_buf(),
        ..Config::default()
    };
    let state = crate::open(
        config,
        std::sync::Arc::new(carekeep_app::SystemClock),
        // Nothing is hashed while proving a restore; the cheap policy never meets a password.
        carekeep_crypto::password::PasswordHasher::insecure_fast_for_tests(),
    )
    .await
    .map_err(|e| BackupError::Failed(format!("open the restored clinic: {e}")))?;
    let report = carekeep_app::audit::verify(state.app.store(), state.app.audit_keys(), &[])
        .await
        .map_err(|e| BackupError::Failed(format!("verify the audit trail: {e}")))?;
    state.app.store().close().await;
    match report {
        VerifyReport::Intact { head, .. } if head == manifest.audit_head_seq => Ok(()),
        VerifyReport::Intact { head, .. } => Err(BackupError::Refused(format!(
            "the restored audit trail ends at {head}, the manifest at {}",
            manifest.audit_head_seq
        ))),
        VerifyReport::Tampered { problem, .. } => Err(BackupError::Refused(format!(
            "the restored audit trail does not verify at event {}",
            problem.seq
        ))),
    }
}

/// The restore drill: restores into a temporary folder, proves it, removes it, and records the
/// result in the live clinic (dashboard evidence).
pub async fn verify(
    config: &Config,
    path: &Path,
    key: &BackupKey,
    now: time::OffsetDateTime,
) -> Result<Manifest, BackupError> {
    let scratch = tempfile::tempdir().map_err(failed("make a scratch folder"))?;
    let target: PathBuf = scratch.path().join("clinic");
    let result = restore(path, key, &target, false, now).await;
    if Backend::from_url(&config.database_url()) == Some(Backend::Sqlite)
        && config.data_dir.join("carekeep.db").exists()
    {
        if let Ok(live) = Store::open(&config.database_url(), now).await {
            let detail = match &result {
                Ok(m) => format!(
                    "{}: restored and verified to audit event {}",
                    path.display(),
                    m.audit_head_seq
                ),
                Err(e) => e.to_string(),
            };
            if let Ok(mut tx) = live.begin().await {
                if store::record_run(tx.conn(), "verify", result.is_ok(), &detail, now)
                    .await
                    .is_ok()
                {
                    let _ = tx.commit().await;
                }
            }
            live.close().await;
        }
    }
    result
}

/// Copies a backup to the off-site folder. A target run by a vendor passes the BAA gate
/// first: a backup carries PHI.
pub async fn ship_offsite(state: &crate::AppState, file: &Path) -> Result<Option<PathBuf>, BackupError> {
    let dir = &state.config.backup_offsite_dir;
    if dir.as_os_str().is_empty() {
        return Ok(None);
    }
    let vendor = state.config.backup_offsite_vendor.trim();
    if !vendor.is_empty() {
        state
            .app
            .integration_gate("off-site backup target", vendor, true)
            .await
            .map_err(|e| BackupError::Refused(e.to_string()))?;
    }
    let name = file
        .file_name()
        .ok_or_else(|| BackupError::Usage("the backup has no file name".into()))?;
    let target = dir.join(name);
    let partial = dir.join(format!(".{}.partial", name.to_string_lossy()));
    std::fs::copy(file, &partial).map_err(failed("copy the backup off-site"))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(failed("sync the off-site copy"))?;
    std::fs::rename(&partial, &target).map_err(failed("move the off-site copy into place"))?;
    Ok(Some(target))
}

/// The nightly schedule: a backup when the last good one is a day old, pruning by the
/// retention policy, the off-site copy, and the weekly restore drill of the newest backup.
pub async fn scheduled(state: &crate::AppState) -> Result<(), BackupError> {
    let config = &state.config;
    if config.backup_dir.as_os_str().is_empty() {
        return Ok(());
    }
    let Some(key_path) = &config.backup_key_file else {
        return Ok(());
    };
    let now = state.app.now();
    let (last_backup, last_verify) = {
        let mut conn = state
            .app
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
    std::fs::create_dir_all(&config.backup_dir).map_err(failed("create the backup folder"))?;
    if due(&last_backup, time::Duration::hours(23)) {
        let stamp = now
            .format(&time::macros::format_description!(
                "[year][month][day]-[hour][minute][second]"
            ))
            .unwrap_or_default();
        let out = config.backup_dir.join(format!("carekeep-{stamp}.ckb"));
        let (cfg, key, target) = ((**config).clone(), key_path.clone(), out.clone());
        off_the_jobs_task(move || async move { create(&cfg, &load_key(&key)?, &target, now).await }).await?;
        prune(&config.backup_dir)?;
        ship_offsite(state, &out).await?;
    }
    if due(&last_verify, time::Duration::days(7)) {
        if let Some(newest) = backups_in(&config.backup_dir)?.into_iter().map(|(p, _)| p).max() {
            let (cfg, key) = ((**config).clone(), key_path.clone());
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
async fn off_the_jobs_task<F, Fut>(f: F) -> Result<Manifest, BackupError>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Manifest, BackupError>>,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(f()))
        .await
        .map_err(|e| BackupError::Failed(format!("the backup task stopped: {e}")))?
}
