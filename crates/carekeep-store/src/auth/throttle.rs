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

/// Counts an attempt as failure number `count` if the record still holds `seen` (what the
/// caller read): a compare-and-set, so two attempts can never both take the same count, on
/// either database. `false` means someone else counted first: read again and retry.
pub async fn count_attempt(
    conn: &mut Conn,
    key: &str,
    seen: Option<u32>,
    count: u32,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = match seen {
        None => {
            sqlx::query(
                "INSERT INTO login_throttle (username_key, failures, last_failure_at) VALUES ($1, $2, $3)
                 ON CONFLICT (username_key) DO NOTHING",
            )
            .bind(key)
            .bind(i64::from(count))
            .bind(unix(now))
            .execute(conn)
            .await?
        }
        Some(seen) => {
            sqlx::query(
                "UPDATE login_throttle SET failures = $1, last_failure_at = $2
                 WHERE username_key = $3 AND failures = $4",
            )
            .bind(i64::from(count))
            .bind(unix(now))
            .bind(key)
            .bind(i64::from(seen))
            .execute(conn)
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

pub async fn clear(conn: &mut Conn, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_throttle WHERE username_key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
