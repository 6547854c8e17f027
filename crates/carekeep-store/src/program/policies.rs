//! Policy versions and acknowledgements.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct VersionRow {
    pub id: i64,
    pub policy_key: String,
    pub version: i64,
    pub title: String,
    pub body: String,
    pub effective_on: String,
    pub reviewed_on: String,
    pub approved_by: i64,
    pub approved_at: OffsetDateTime,
}

/// Every version of every policy, newest version first within each policy.
pub async fn versions(conn: &mut Conn) -> Result<Vec<VersionRow>, StoreError> {
    sqlx::query(
        "SELECT v.id, p.policy_key, v.version, v.title, v.body, v.effective_on, v.reviewed_on, v.approved_by, v.approved_at
         FROM policy_versions v JOIN policies p ON p.id = v.policy_id ORDER BY p.policy_key, v.version DESC",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(VersionRow {
            id: r.try_get("id")?,
            policy_key: r.try_get("policy_key")?,
            version: r.try_get("version")?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            effective_on: r.try_get("effective_on")?,
            reviewed_on: r.try_get("reviewed_on")?,
            approved_by: r.try_get("approved_by")?,
            approved_at: from_unix(r.try_get("approved_at")?)?,
        })
    })
    .collect()
}

/// Adds a version (the policy row is created with its first); returns the new version number.
pub async fn add_version(
    conn: &mut Conn,
    key: &str,
    title: &str,
    body: &str,
    effective_on: &str,
    approved_by: i64,
    now: OffsetDateTime,
) -> Result<(i64, i64), StoreError> {
    sqlx::query("INSERT INTO policies (policy_key, created_at) VALUES ($1, $2) ON CONFLICT (policy_key) DO NOTHING")
        .bind(key)
        .bind(unix(now))
        .execute(&mut *conn)
        .await?;
    let policy: i64 = sqlx::query("SELECT id FROM policies WHERE policy_key = $1")
        .bind(key)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?;
    let next: i64 = sqlx::query(
        "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) AS n FROM policy_versions WHERE policy_id = $1",
    )
    .bind(policy)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let id: i64 = sqlx::query(
        "INSERT INTO policy_versions (policy_id, version, title, body, effective_on, reviewed_on, approved_by, approved_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING id",
    )
    .bind(policy)
    .bind(next)
    .bind(title)
    .bind(body)
    .bind(effective_on)
    .bind(approved_by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?;
    Ok((id, next))
}

pub async fn mark_reviewed(conn: &mut Conn, version_id: i64, on: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE policy_versions SET reviewed_on = $1 WHERE id = $2")
        .bind(on)
        .bind(version_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn acknowledge(conn: &mut Conn, version_id: i64, user: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO policy_acks (version_id, user_id, acked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(version_id)
    .bind(user)
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every acknowledgement: `(version id, user id, when)`.
pub async fn acks(conn: &mut Conn) -> Result<Vec<(i64, i64, OffsetDateTime)>, StoreError> {
    sqlx::query("SELECT version_id, user_id, acked_at FROM policy_acks ORDER BY acked_at")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("version_id")?,
                r.try_get("user_id")?,
                from_unix(r.try_get("acked_at")?)?,
            ))
        })
        .collect()
}
