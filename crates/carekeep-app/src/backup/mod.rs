//! Encrypted backups, restores that prove themselves, and the restore drill
//! (164.308(a)(7)(ii)(A), (B), (D)).
//!
//! A backup is one file (see [`format`]): the manifest (counts of every table, the audit
//! chain's head, a SHA-256 of the body), then the body sealed with the owner's backup key: a
//! consistent snapshot of the database as a SQLite file, and the master key file, so the backup
//! key alone restores the clinic. A SQLite clinic is snapshotted page for page by SQLite's online
//! backup; a PostgreSQL clinic is copied table by table inside one REPEATABLE READ transaction,
//! the database's own snapshot, while the server keeps writing. Either backup restores onto either
//! backend. It is written to a temporary file, synced, then renamed: a crash or a full disk
//! never leaves a half-written backup under the final name.

pub mod browser;
mod format;
pub mod key_rotation;
pub mod offsite;
pub mod schedule;

pub use browser::{BackupSetup, FirstRun};
pub use offsite::{Offsite, S3Target};
pub use schedule::Plan;

use crate::audit::VerifyReport;
use crate::datadir::{self, ClinicFiles};
use crate::progress::{Progress, Silent};
use carekeep_crypto::backup::BackupKey;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_store::{backups as store, copy, Backend, Store};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use thiserror::Error;

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

fn store_failed(what: &str) -> impl Fn(carekeep_store::StoreError) -> BackupError + '_ {
    move |e| BackupError::Failed(format!("{what}: {e}"))
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    /// The backend the clinic ran on ("sqlite" or "postgres").
    pub source: String,
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

fn sqlite_url(file: &Path, mode: &str) -> String {
    format!("sqlite://{}?mode={mode}", file.display())
}

/// The config file's name inside the data folder: a restore target may hold one already.
const CONFIG_FILE: &str = "carekeep.toml";

/// The migrations' bookkeeping differs by backend and by version; it is not the clinic's data.
const MIGRATIONS: &str = "schema_migrations";

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
    let mut f = create_private(path)?;
    f.write_all(BackupKey::generate().to_file_contents().as_bytes())
        .map_err(failed("write"))?;
    f.sync_all().map_err(failed("sync"))
}

/// A new file only its owner reads (0600); refuses to replace one.
fn create_private(path: &Path) -> Result<std::fs::File, BackupError> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
        .map_err(|e| BackupError::Failed(format!("create {}: {e}", path.display())))
}

/// Makes `path` appear whole: sync, rename, sync the folder.
fn put_in_place(file: std::fs::File, partial: &Path, path: &Path) -> Result<(), BackupError> {
    file.sync_all().map_err(failed("sync"))?;
    drop(file);
    std::fs::rename(partial, path).map_err(failed("move into place"))?;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Takes a backup of the clinic `config` points at, into `out`, and records the run.
pub async fn create(
    config: &ClinicFiles,
    key: &BackupKey,
    out: &Path,
    now: time::OffsetDateTime,
) -> Result<Manifest, BackupError> {
    create_reporting(config, key, out, now, &Silent).await
}

/// [`create`], telling `progress` of each step.
pub async fn create_reporting(
    config: &ClinicFiles,
    key: &BackupKey,
    out: &Path,
    now: time::OffsetDateTime,
    progress: &dyn Progress,
) -> Result<Manifest, BackupError> {
    let store = Store::open(&config.database_url, now)
        .await
        .map_err(store_failed("open the database"))?;
    let result = snapshot_into(config, key, out, &store, now, progress).await;
    let detail = match &result {
        Ok(m) => format!(
            "{} ({} bytes of database, audit head {})",
            out.display(),
            m.database_bytes,
            m.audit_head_seq
        ),
        Err(e) => e.to_string(),
    };
    record_run(&store, "backup", result.is_ok(), &detail, None, now).await;
    let audited = audit_operation(config, &store, Action::BackupCreated, result.is_ok(), &detail, now).await;
    store.close().await;
    // A backup that cannot be put on the record is not handed over as done.
    audited.and(result)
}

/// Puts a backup, restore or restore drill on the clinic's audit trail. Every copy of the whole
/// database is a bulk handling of PHI, so it is recorded like any other access.
async fn audit_operation(
    config: &ClinicFiles,
    store: &Store,
    action: Action,
    ok: bool,
    detail: &str,
    now: time::OffsetDateTime,
) -> Result<(), BackupError> {
    let master = datadir::load_master_key(&config.master_key).map_err(|e| BackupError::Failed(e.to_string()))?;
    let outcome = if ok { Outcome::Success } else { Outcome::Failure };
    crate::audit::record_operation(store, &master, action, outcome, detail, now)
        .await
        .map_err(|e| BackupError::Failed(format!("record it in the audit trail: {e}")))?;
    Ok(())
}

/// Evidence for the dashboard; a clinic that cannot record it still has its backup.
async fn record_run(
    store: &Store,
    kind: &str,
    ok: bool,
    detail: &str,
    seconds: Option<i64>,
    now: time::OffsetDateTime,
) {
    if let Ok(mut tx) = store.begin().await {
        if store::record_run(tx.conn(), kind, ok, detail, seconds, now)
            .await
            .is_ok()
        {
            let _ = tx.commit().await;
        }
    }
}

async fn snapshot_into(
    config: &ClinicFiles,
    key: &BackupKey,
    out: &Path,
    store: &Store,
    now: time::OffsetDateTime,
    progress: &dyn Progress,
) -> Result<Manifest, BackupError> {
    progress.step("taking a consistent snapshot of the database", None);
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let scratch = tempfile::tempdir_in(dir).map_err(failed("make a scratch folder next to the backup"))?;
    // A SQLite clinic's pages stream straight into the seal (one pass, no snapshot file);
    // otherwise a snapshot file is made first and counted.
    let pages = match store.backend() {
        Backend::Sqlite => carekeep_store::page_stream::sqlite_pages(store)
            .await
            .map_err(store_failed("snapshot"))?,
        Backend::Postgres => None,
    };
    let (counts, head, database_bytes, mut input): (_, _, _, Box<dyn std::io::Read + Send>) = match pages {
        Some((seen, stream)) => (
            seen.counts.into_iter().collect(),
            seen.head,
            seen.bytes,
            Box::new(stream),
        ),
        None => {
            let snap = scratch.path().join("snapshot.db");
            match store.backend() {
                Backend::Sqlite => store::sqlite_snapshot(store, &snap)
                    .await
                    .map_err(store_failed("snapshot"))?,
                Backend::Postgres => copy_out_of_postgres(store, &snap, now).await?,
            }
            progress.step("counting every table of the snapshot", None);
            let (counts, head) = describe(&sqlite_url(&snap, "rw"), now).await?;
            let bytes = std::fs::metadata(&snap).map_err(failed("read the snapshot"))?.len();
            let file = std::fs::File::open(&snap).map_err(failed("read the snapshot"))?;
            (counts, head, bytes, Box::new(file))
        }
    };
    let master =
        zeroize::Zeroizing::new(std::fs::read(&config.master_key).map_err(failed("read the master key file"))?);
    let manifest = Manifest {
        format: 2,
        created_at: now.to_string(),
        source: match store.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
        .into(),
        counts,
        audit_head_seq: head.0,
        audit_head_hash: hex(&head.1),
        // Computed as the body is sealed, in the same pass.
        sha256: String::new(),
        database_bytes,
        key_bytes: master.len() as u64,
    };
    let partial = scratch.path().join("backup.partial");
    let file = create_private(&partial)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    progress.step("sealing the backup", Some(database_bytes + master.len() as u64));
    let manifest = format::write(&mut w, key, manifest, &mut input, &master, progress)?;
    let file = w
        .into_inner()
        .map_err(|e| BackupError::Failed(format!("write the backup: {}", e.error())))?;
    put_in_place(file, &partial, out)?;
    Ok(manifest)
}

/// Copies a PostgreSQL clinic into a new SQLite file, all of it from one snapshot, and checks
/// every table arrived whole.
async fn copy_out_of_postgres(store: &Store, snap: &Path, now: time::OffsetDateTime) -> Result<(), BackupError> {
    let target = Store::open(&sqlite_url(snap, "rwc"), now)
        .await
        .map_err(store_failed("make the snapshot file"))?;
    // The file's own schema says what to copy; the rows stream in on a connection of their
    // own, so the store lets go of the file first.
    let tables = async {
        let mut conn = target.read().await?;
        copy::sqlite_tables(&mut conn).await
    }
    .await;
    target.close().await;
    let result = match tables {
        Ok(tables) => carekeep_store::copy_stream::postgres_to_sqlite(store, snap, &tables).await,
        Err(e) => Err(e),
    };
    let (source, copied) = result.map_err(store_failed("copy the database"))?;
    let source: BTreeMap<String, i64> = source.into_iter().filter(|(t, _)| t != MIGRATIONS).collect();
    if source != copied {
        return Err(BackupError::Failed(
            "the database's tables differ from this version's schema; run the server once to migrate it, then back up"
                .into(),
        ));
    }
    Ok(())
}

/// Counts of every table and the audit head, of the database at `url`.
async fn describe(
    url: &str,
    now: time::OffsetDateTime,
) -> Result<(BTreeMap<String, i64>, (i64, [u8; 32])), BackupError> {
    let db = Store::open(url, now).await.map_err(store_failed("open the snapshot"))?;
    let result = async {
        let mut conn = db.read().await?;
        let counts = copy::table_counts(&mut conn, db.backend()).await?;
        let head = carekeep_store::audit::head(&mut conn).await?;
        Ok::<_, carekeep_store::StoreError>((counts, head))
    }
    .await;
    db.close().await;
    let (counts, head) = result.map_err(store_failed("count the snapshot"))?;
    Ok((counts.into_iter().collect(), head))
}

/// Opens a backup's bytes: the manifest, the database and the master key file. A wrong key or
/// any changed byte is refused (`path` names the file in errors).
pub fn read_bytes(bytes: &[u8], path: &Path, key: &BackupKey) -> Result<(Manifest, Vec<u8>, Vec<u8>), BackupError> {
    let mut db = Vec::new();
    let (manifest, master) = format::read(&mut std::io::Cursor::new(bytes), path, key, &mut db, &Silent)?;
    Ok((manifest, db, master.to_vec()))
}

/// Opens the backup at `path` and writes its database to `database` (a new file), returning
/// the manifest and the master key file. Nothing is left at `database` if it does not open.
fn open_into(
    path: &Path,
    key: &BackupKey,
    database: &Path,
    progress: &dyn Progress,
) -> Result<(Manifest, zeroize::Zeroizing<Vec<u8>>), BackupError> {
    let input =
        std::fs::File::open(path).map_err(|e| BackupError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let partial = database.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let file = create_private(&partial)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let opened = format::read(
        &mut std::io::BufReader::with_capacity(1 << 20, input),
        path,
        key,
        &mut w,
        progress,
    )
    .and_then(|opened| {
        let file = w
            .into_inner()
            .map_err(|e| BackupError::Failed(format!("write the restored database: {}", e.error())))?;
        put_in_place(file, &partial, database)?;
        Ok(opened)
    });
    if opened.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    opened
}

/// Restores a backup into the clinic `target` describes, then proves it: the counts match the
/// manifest and the audit chain verifies to the recorded head.
///
/// SQLite: the data folder must be empty (a `carekeep.toml` aside) unless `force`.
/// PostgreSQL: the database must be new (only what the migrations make); `force` does not
/// empty one, since dropping a clinic's database is a decision for its administrator.
pub async fn restore(
    path: &Path,
    key: &BackupKey,
    target: &ClinicFiles,
    force: bool,
    now: time::OffsetDateTime,
) -> Result<Manifest, BackupError> {
    restore_reporting(path, key, target, force, now, &Silent).await
}

/// [`restore`], telling `progress` of each step.
pub async fn restore_reporting(
    path: &Path,
    key: &BackupKey,
    target: &ClinicFiles,
    force: bool,
    now: time::OffsetDateTime,
    progress: &dyn Progress,
) -> Result<Manifest, BackupError> {
    let data_dir = &target.data_dir;
    let backend = Backend::from_url(&target.database_url)
        .ok_or_else(|| BackupError::Usage("the database URL is neither sqlite: nor postgres:".into()))?;
    let master_path = target.master_key.clone();
    let occupied = std::fs::read_dir(data_dir)
        .map(|d| d.flatten().any(|e| e.file_name() != CONFIG_FILE))
        .unwrap_or(false);
    match backend {
        Backend::Sqlite if occupied && !force => {
            return Err(BackupError::Refused(format!(
                "{} is not empty: restore into an empty folder (or pass --force to replace a clinic that is not running)",
                data_dir.display()
            )))
        }
        Backend::Sqlite if occupied => {
            for name in ["carekeep.db", "carekeep.db-wal", "carekeep.db-shm"] {
                let _ = std::fs::remove_file(data_dir.join(name));
            }
            let _ = std::fs::remove_file(&master_path);
        }
        Backend::Postgres if master_path.exists() && !force => {
            return Err(BackupError::Refused(format!(
                "the master key file {} exists: restore into a new data folder (or pass --force to replace the key of a clinic that is not running)",
                master_path.display()
            )))
        }
        Backend::Postgres if master_path.exists() => {
            let _ = std::fs::remove_file(&master_path);
        }
        _ => {}
    }
    datadir::create_dirs(data_dir).map_err(|e| BackupError::Failed(e.to_string()))?;
    let scratch = tempfile::tempdir_in(data_dir).map_err(failed("make a scratch folder"))?;
    let manifest = match backend {
        Backend::Sqlite => {
            let (m, master) = open_into(path, key, &data_dir.join("carekeep.db"), progress)?;
            write_master(&master_path, &master)?;
            m
        }
        Backend::Postgres => {
            let body = scratch.path().join("restore.db");
            let (m, master) = open_into(path, key, &body, progress)?;
            progress.step("copying into PostgreSQL", None);
            copy_into_postgres(&body, &target.database_url, scratch.path(), now).await?;
            write_master(&master_path, &master)?;
            m
        }
    };
    drop(scratch);
    prove(target, &manifest, now, progress).await?;
    // The restored clinic's trail says where it came from.
    let store = Store::open(&target.database_url, now)
        .await
        .map_err(store_failed("open the restored database"))?;
    let detail = format!(
        "restored from {} (taken {}, audit head {})",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        manifest.created_at,
        manifest.audit_head_seq
    );
    let audited = audit_operation(target, &store, Action::BackupRestored, true, &detail, now).await;
    store.close().await;
    audited?;
    Ok(manifest)
}

fn write_master(path: &Path, master: &[u8]) -> Result<(), BackupError> {
    if let Some(dir) = path.parent() {
        datadir::create_private_dir(dir).map_err(|e| BackupError::Failed(format!("create the keys folder: {e}")))?;
    }
    let mut f = create_private(path)?;
    f.write_all(master).map_err(failed("write the master key file"))?;
    f.sync_all().map_err(failed("sync the master key file"))
}

/// Copies a backup's SQLite body into a new PostgreSQL database, in one transaction.
async fn copy_into_postgres(
    body: &Path,
    url: &str,
    scratch: &Path,
    now: time::OffsetDateTime,
) -> Result<(), BackupError> {
    // What a database holds when its migrations have run and nothing else.
    let fresh_file = scratch.join("fresh.db");
    let fresh = Store::open(&sqlite_url(&fresh_file, "rwc"), now)
        .await
        .map_err(store_failed("prepare"))?;
    let seeded = async {
        let mut conn = fresh.read().await?;
        copy::table_counts(&mut conn, Backend::Sqlite).await
    }
    .await;
    fresh.close().await;
    let seeded = seeded.map_err(store_failed("prepare"))?;
    // Opening migrates an older backup's schema forward before it is copied.
    let source = Store::open(&sqlite_url(body, "rw"), now)
        .await
        .map_err(store_failed("open the backup's database"))?;
    let target = Store::open(url, now)
        .await
        .map_err(store_failed("open the target database"))?;
    let result = async {
        let mut conn = target.read().await?;
        if !copy::is_fresh(&mut conn, Backend::Postgres, &seeded).await? {
            return Ok(false);
        }
        drop(conn);
        let tables = {
            let mut from = source.read().await?;
            copy::sqlite_tables(&mut from).await?
        };
        carekeep_store::copy_stream::sqlite_to_postgres(body, &target, &tables).await?;
        Ok::<_, carekeep_store::StoreError>(true)
    }
    .await;
    source.close().await;
    target.close().await;
    match result.map_err(store_failed("copy into the database"))? {
        true => Ok(()),
        false => Err(BackupError::Refused(
            "the target database already holds a clinic: restore into a new, empty database".into(),
        )),
    }
}

/// Checks a restored clinic against its manifest.
async fn prove(
    target: &ClinicFiles,
    manifest: &Manifest,
    now: time::OffsetDateTime,
    progress: &dyn Progress,
) -> Result<(), BackupError> {
    progress.step("counting every table against the manifest", None);
    let (counts, head) = describe(&target.database_url, now).await?;
    let differs = manifest
        .counts
        .iter()
        .filter(|(t, _)| *t != MIGRATIONS)
        .any(|(t, n)| counts.get(t) != Some(n));
    if differs {
        return Err(BackupError::Refused(
            "the restored counts differ from the backup's manifest".into(),
        ));
    }
    if head.0 != manifest.audit_head_seq || hex(&head.1) != manifest.audit_head_hash {
        return Err(BackupError::Refused(
            "the restored audit head differs from the manifest".into(),
        ));
    }
    let app = datadir::open(
        target,
        std::sync::Arc::new(crate::SystemClock),
        // Nothing is hashed while proving a restore; the cheap policy never meets a password.
        carekeep_crypto::password::PasswordHasher::insecure_fast_for_tests(),
        crate::AppSettings::default(),
    )
    .await
    .map_err(|e| BackupError::Failed(format!("open the restored clinic: {e}")))?;
    let report = app
        .verify_audit(&[], progress)
        .await
        .map_err(|e| BackupError::Failed(format!("verify the audit trail: {e}")))?;
    app.close().await;
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

/// The restore drill: restores into a temporary SQLite folder (whatever the clinic runs on),
/// proves it, removes it, and records the result in the live clinic (dashboard evidence).
pub async fn verify(
    config: &ClinicFiles,
    path: &Path,
    key: &BackupKey,
    now: time::OffsetDateTime,
) -> Result<Manifest, BackupError> {
    verify_reporting(config, path, key, now, &Silent).await
}

/// [`verify`], telling `progress` of each step.
pub async fn verify_reporting(
    config: &ClinicFiles,
    path: &Path,
    key: &BackupKey,
    now: time::OffsetDateTime,
    progress: &dyn Progress,
) -> Result<Manifest, BackupError> {
    let scratch = tempfile::tempdir().map_err(failed("make a scratch folder"))?;
    let target = ClinicFiles::sqlite_in(&scratch.path().join("clinic"));
    // The time to restore, measured on a monotonic clock: evidence for the contingency plan
    // and the proposed rule's 72 hours. Elapsed time, not a date, so the Clock is not needed.
    let started = std::time::Instant::now();
    let result = restore_reporting(path, key, &target, false, now, progress).await;
    let seconds = i64::try_from(started.elapsed().as_secs()).unwrap_or(i64::MAX);
    let live_exists = Backend::from_url(&config.database_url) == Some(Backend::Postgres)
        || config.data_dir.join("carekeep.db").exists();
    if live_exists {
        if let Ok(live) = Store::open(&config.database_url, now).await {
            let detail = match &result {
                Ok(m) => format!(
                    "{}: restored and verified to audit event {} in {seconds} seconds",
                    path.display(),
                    m.audit_head_seq
                ),
                Err(e) => e.to_string(),
            };
            record_run(&live, "verify", result.is_ok(), &detail, Some(seconds), now).await;
            let drill = format!("restore drill: {detail}");
            let audited = audit_operation(config, &live, Action::BackupRestored, result.is_ok(), &drill, now).await;
            live.close().await;
            audited?;
        }
    }
    result
}
