//! Backup and restore-drill runs, kept as evidence.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// Records a run; `seconds` is how long it took where it was measured (the restore drill).
pub async fn record_run(
    conn: &mut Conn,
    kind: &str,
    ok: bool,
    detail: &str,
    seconds: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO backup_runs (kind, at, ok, detail, seconds) VALUES ($1, $2, $3, $4, $5)")
        .bind(kind)
        .bind(unix(now))
        .bind(i64::from(ok))
        .bind(detail)
        .bind(seconds)
        .execute(conn)
        .await?;
    Ok(())
}

/// The latest run of a kind with its measured seconds: `(when, ok, seconds)`.
pub async fn latest_timed(
    conn: &mut Conn,
    kind: &str,
) -> Result<Option<(OffsetDateTime, bool, Option<i64>)>, StoreError> {
    let r = sqlx::query("SELECT at, ok, seconds FROM backup_runs WHERE kind = $1 ORDER BY at DESC, id DESC LIMIT 1")
        .bind(kind)
        .fetch_optional(conn)
        .await?;
    r.map(|r| {
        Ok((
            from_unix(r.try_get("at")?)?,
            r.try_get::<i64, _>("ok")? != 0,
            r.try_get("seconds")?,
        ))
    })
    .transpose()
}

/// The latest run of a kind: `(when, ok, detail)`.
pub async fn latest(conn: &mut Conn, kind: &str) -> Result<Option<(OffsetDateTime, bool, String)>, StoreError> {
    let r = sqlx::query("SELECT at, ok, detail FROM backup_runs WHERE kind = $1 ORDER BY at DESC, id DESC LIMIT 1")
        .bind(kind)
        .fetch_optional(conn)
        .await?;
    r.map(|r| {
        Ok((
            from_unix(r.try_get("at")?)?,
            r.try_get::<i64, _>("ok")? != 0,
            r.try_get("detail")?,
        ))
    })
    .transpose()
}

/// A consistent copy of the store's SQLite database into a new file at `path` while it is in
/// use. A database file is copied page for page by SQLite's online backup in one step (one
/// read snapshot, the pages as they are, at about the speed of copying the file); an
/// in-memory one through `VACUUM INTO`, which rebuilds every table and index (several times
/// slower on a large clinic: issue 31).
pub async fn sqlite_snapshot(store: &crate::Store, path: &std::path::Path) -> Result<(), StoreError> {
    if let Some(db) = store.direct_path() {
        let path = path.to_path_buf();
        return tokio::task::spawn_blocking(move || page_copy(&db, &path))
            .await
            .map_err(|_| StoreError::Corrupt("the snapshot's thread stopped"))?;
    }
    let mut conn = store.read().await?;
    sqlx::query("VACUUM INTO $1")
        .bind(path.to_string_lossy().into_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How much of a database file a long read maps.
pub(crate) const MMAP_BYTES: i64 = 1 << 32;

fn page_copy(db: &std::path::Path, path: &std::path::Path) -> Result<(), StoreError> {
    use rusqlite::backup::{Backup, StepResult};
    let from = crate::db::direct::open_read_only(db)?;
    // Pages read from the file's mapping rather than a read call each (SQLite caps the size).
    from.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    let mut to = rusqlite::Connection::open(path)?;
    // A scratch file: the backup file made from it is synced; this one need not be, and
    // needs no journal (a failed snapshot is thrown away whole).
    to.pragma_update(None, "synchronous", "OFF")?;
    to.pragma_update(None, "journal_mode", "OFF")?;
    let copy = Backup::new(&from, &mut to)?;
    // Every page in one step: one read snapshot however the clinic writes meanwhile.
    match copy.step(-1)? {
        StepResult::Done => Ok(()),
        _ => Err(StoreError::Corrupt("the database was busy throughout the snapshot")),
    }
}

/// Folds the write-ahead log into the database file, so the file alone is the whole database.
pub async fn sqlite_checkpoint(conn: &mut Conn) -> Result<(), StoreError> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(conn).await?;
    Ok(())
}
