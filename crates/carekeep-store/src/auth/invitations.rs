//! Invitations: one-time links that let a new account choose its password. Only the token's
//! SHA-256 is stored.

use crate::{from_unix, unix, Conn, StoreError};
use carekeep_domain::UserId;
use sqlx::Row;
use time::OffsetDateTime;

/// One invitation.
#[derive(Clone, Debug)]
pub struct InvitationRow {
    pub id: i64,
    pub user_id: UserId,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

/// Adds an invitation; the account's earlier open invitations stop working (one link at a time).
pub async fn add(
    conn: &mut Conn,
    user: UserId,
    token_hash: &str,
    expires: OffsetDateTime,
    by: UserId,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE user_id = $2 AND used_at IS NULL AND expires_at > $1")
        .bind(unix(now))
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query(
        "INSERT INTO invitations (user_id, token_hash, expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user.0)
    .bind(token_hash)
    .bind(unix(expires))
    .bind(by.0)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// The invitation with this token hash.
pub async fn by_hash(conn: &mut Conn, token_hash: &str) -> Result<InvitationRow, StoreError> {
    let r = sqlx::query("SELECT id, user_id, expires_at, used_at FROM invitations WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(InvitationRow {
        id: r.try_get("id")?,
        user_id: UserId(r.try_get("user_id")?),
        expires_at: from_unix(r.try_get("expires_at")?)?,
        used_at: r.try_get::<Option<i64>, _>("used_at")?.map(from_unix).transpose()?,
    })
}

/// Marks an invitation used; `false` if it already was (two clicks racing: one wins).
pub async fn use_it(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The accounts invited and not yet set up (no invitation used): shown as "invited".
pub async fn pending_user_ids(conn: &mut Conn) -> Result<Vec<UserId>, StoreError> {
    let rows = sqlx::query("SELECT user_id FROM invitations GROUP BY user_id HAVING MAX(used_at) IS NULL")
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok(UserId(r.try_get("user_id")?))).collect()
}
