//! Consecutive login failures per username (whether or not the account exists).

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// `(consecutive failures, time of the last)` for a username key.
pub async fn get(conn: &mut Conn, key: &str) -> Result<Option<(u32, OffsetDateTime)>, StoreError> {
    let row = sqlx::query("SELECT failures, last_failure_at FROM login_throttle WHERE username_key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        let failures: i64 = r.try_get("failures")?;
        Ok((
            u32::try_from(failures).unwrap_or(u32::MAX),
            from_unix(r.try_get("last_failure_at")?)?,
        ))
    })
    .transpose()
}

/// Counts one more failure and returns the new count.
pub async fn record_failure(conn: &mut Conn, key: &str, now: OffsetDateTime) -> Result<u32, StoreError> {
    let failures: i64 = sqlx::query(
        "INSERT INTO login_throttle (username_key, failures, last_failure_at) VALUES ($1, 1, $2)
         ON CONFLICT (username_key) DO UPDATE SET failures = login_throttle.failures + 1,
           last_failure_at = excluded.last_failure_at
         RETURNING failures",
    )
    .bind(key)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(u32::try_from(failures).unwrap_or(u32::MAX))
}

pub async fn clear(conn: &mut Conn, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_throttle WHERE username_key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
