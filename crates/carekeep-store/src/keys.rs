//! Wrapped data keys. Only ciphertext is stored: the master key that unwraps them lives
//! outside the database.

use crate::{unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

pub async fn insert(conn: &mut Conn, id: u32, wrapped: &[u8], now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO data_keys (id, wrapped, created_at) VALUES ($1, $2, $3)")
        .bind(i64::from(id))
        .bind(wrapped)
        .bind(unix(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Every data key, oldest first: `(id, wrapped bytes)`.
pub async fn all(conn: &mut Conn) -> Result<Vec<(u32, Vec<u8>)>, StoreError> {
    sqlx::query("SELECT id, wrapped FROM data_keys ORDER BY id")
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let id = u32::try_from(id).map_err(|_| StoreError::Corrupt("data key id"))?;
            Ok((id, r.try_get("wrapped")?))
        })
        .collect()
}
