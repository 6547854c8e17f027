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

/// Replaces a data key's wrapped bytes (master key rotation).
pub async fn rewrap(conn: &mut Conn, id: u32, wrapped: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE data_keys SET wrapped = $1 WHERE id = $2")
        .bind(wrapped)
        .bind(i64::from(id))
        .execute(conn)
        .await?;
    Ok(())
}

/// Every secret wrapped by the master key: `(purpose, wrapped bytes)`.
pub async fn secrets(conn: &mut Conn) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    sqlx::query("SELECT purpose, wrapped FROM secret_keys ORDER BY purpose")
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get("purpose")?, r.try_get("wrapped")?)))
        .collect()
}

pub async fn rewrap_secret(conn: &mut Conn, purpose: &str, wrapped: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE secret_keys SET wrapped = $1 WHERE purpose = $2")
        .bind(wrapped)
        .bind(purpose)
        .execute(conn)
        .await?;
    Ok(())
}
