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

/// A consistent copy of a SQLite database into `path` while it is in use (`VACUUM INTO`
/// reads one snapshot).
pub async fn sqlite_snapshot(conn: &mut Conn, path: &str) -> Result<(), StoreError> {
    sqlx::query("VACUUM INTO $1")
        .bind(path.to_owned())
        .execute(conn)
        .await?;
    Ok(())
}

/// Folds the write-ahead log into the database file, so the file alone is the whole database.
pub async fn sqlite_checkpoint(conn: &mut Conn) -> Result<(), StoreError> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(conn).await?;
    Ok(())
}
