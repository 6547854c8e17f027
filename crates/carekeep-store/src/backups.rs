//! Backup and restore-drill runs, kept as evidence.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

pub async fn record_run(
    conn: &mut Conn,
    kind: &str,
    ok: bool,
    detail: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO backup_runs (kind, at, ok, detail) VALUES ($1, $2, $3, $4)")
        .bind(kind)
        .bind(unix(now))
        .bind(i64::from(ok))
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
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

/// Every table's row count, for a backup's manifest.
pub async fn table_counts(conn: &mut Conn) -> Result<Vec<(String, i64)>, StoreError> {
    let names: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("name"))
            .collect::<Result<_, _>>()?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    // One statement: the names come from the schema itself, not from input.
    let sql = names
        .iter()
        .map(|n| format!("SELECT '{n}' AS t, COUNT(*) AS n FROM \"{n}\""))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    sqlx::query(&sql)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("t")?, r.try_get("n")?)))
        .collect()
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
