//! Staff accounts. Accounts are disabled, never deleted (164.312(a)(2)(i) unique user
//! identification: an id once used stays that person's, and the audit trail keeps pointing at
//! them).

use crate::db::cells::Cells;
use crate::{unix, Conn, StoreError};
use carekeep_domain::{RoleName, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// A staff account as stored. Secrets stay encrypted here; the app decrypts what it needs.
#[derive(Clone)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub totp_secret: Option<Vec<u8>>,
    pub totp_pending: Option<Vec<u8>>,
    pub totp_last_step: Option<i64>,
    pub mfa_enrolled_at: Option<OffsetDateTime>,
    pub disabled_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub roles: Vec<RoleName>,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow").field("id", &self.id).finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, username, display_name, password_hash, totp_secret, totp_pending, totp_last_step, \
     mfa_enrolled_at, disabled_at, created_at";

fn from_row(r: &AnyRow) -> Result<UserRow, StoreError> {
    from_row_named(r, "id", "created_at")
}

/// An account from a row where its `id` and `created_at` carry other names (a join).
pub(crate) fn from_row_named(r: &impl Cells, id: &str, created_at: &str) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: UserId(r.int(id)?),
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        totp_secret: r.opt_bytes("totp_secret")?,
        totp_pending: r.opt_bytes("totp_pending")?,
        totp_last_step: r.opt_int("totp_last_step")?,
        mfa_enrolled_at: r.opt_time("mfa_enrolled_at")?,
        disabled_at: r.opt_time("disabled_at")?,
        created_at: r.time(created_at)?,
        roles: Vec::new(),
    })
}

async fn with_roles(conn: &mut Conn, mut user: UserRow) -> Result<UserRow, StoreError> {
    user.roles = roles_of(conn, user.id).await?;
    Ok(user)
}

/// A new account. Fails with `Conflict` when the username is taken (case-insensitively).
pub struct NewUser<'a> {
    pub username: &'a str,
    pub username_key: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
}

pub async fn insert(conn: &mut Conn, user: &NewUser<'_>, now: OffsetDateTime) -> Result<UserId, StoreError> {
    let id: i64 = sqlx::query(
        "INSERT INTO users (username, username_key, display_name, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(user.username)
    .bind(user.username_key)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(UserId(id))
}

pub async fn by_key(conn: &mut Conn, username_key: &str) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE username_key = $1");
    match sqlx::query(&sql).bind(username_key).fetch_optional(&mut *conn).await? {
        Some(r) => Ok(Some(with_roles(conn, from_row(&r)?).await?)),
        None => Ok(None),
    }
}

pub async fn by_id(conn: &mut Conn, id: UserId) -> Result<UserRow, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let r = sqlx::query(&sql).bind(id.0).fetch_one(&mut *conn).await?;
    with_roles(conn, from_row(&r)?).await
}

pub async fn all(conn: &mut Conn) -> Result<Vec<UserRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY username_key");
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(with_roles(conn, from_row(r)?).await?);
    }
    Ok(out)
}

pub async fn roles_of(conn: &mut Conn, id: UserId) -> Result<Vec<RoleName>, StoreError> {
    sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
        .bind(id.0)
        .fetch_all(conn)
        .await?
        .iter()
        .map(role)
        .collect()
}

pub(crate) fn role(r: &impl Cells) -> Result<RoleName, StoreError> {
    RoleName::new(&r.text("role")?).map_err(|_| StoreError::Corrupt("role name"))
}

/// Replaces a user's roles.
pub async fn set_roles(conn: &mut Conn, id: UserId, roles: &[RoleName], now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    for role in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(id.0)
            .bind(role.as_str())
            .execute(&mut *conn)
            .await?;
    }
    touch(conn, id, now).await
}

async fn touch(conn: &mut Conn, id: UserId, now: OffsetDateTime) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET updated_at = $2 WHERE id = $1")
        .bind(id.0)
        .bind(unix(now))
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Disables (`Some(now)`) or re-enables (`None`) an account.
pub async fn set_disabled(
    conn: &mut Conn,
    id: UserId,
    at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1")
        .bind(id.0)
        .bind(at.map(unix))
        .execute(&mut *conn)
        .await?;
    touch(conn, id, now).await
}

pub async fn set_password(conn: &mut Conn, id: UserId, hash: &str, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id.0)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    touch(conn, id, now).await
}

/// Stores an enrolment's secret (encrypted) until the user confirms it with a code.
pub async fn set_totp_pending(
    conn: &mut Conn,
    id: UserId,
    secret: &[u8],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET totp_pending = $2 WHERE id = $1")
        .bind(id.0)
        .bind(secret)
        .execute(&mut *conn)
        .await?;
    touch(conn, id, now).await
}

/// Makes the confirmed secret the user's MFA secret.
pub async fn confirm_totp(
    conn: &mut Conn,
    id: UserId,
    secret: &[u8],
    step: i64,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET totp_secret = $2, totp_pending = NULL, totp_last_step = $3, mfa_enrolled_at = $4 WHERE id = $1",
    )
    .bind(id.0)
    .bind(secret)
    .bind(step)
    .bind(unix(now))
    .execute(&mut *conn)
    .await?;
    touch(conn, id, now).await
}

/// Records the time step of an accepted code. Only moves forward, so two logins racing with
/// the same code cannot both succeed: the loser updates no row.
pub async fn advance_totp_step(conn: &mut Conn, id: UserId, step: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(id.0)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes MFA; the user must enrol again at next login.
pub async fn clear_mfa(conn: &mut Conn, id: UserId, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL, mfa_enrolled_at = NULL WHERE id = $1",
    )
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    touch(conn, id, now).await
}

/// Replaces the user's recovery codes with new hashes.
pub async fn replace_recovery_codes(conn: &mut Conn, id: UserId, hashes: &[String]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    for h in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(id.0)
            .bind(h)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses up a recovery code. True when an unused code with this hash existed.
pub async fn use_recovery_code(
    conn: &mut Conn,
    id: UserId,
    hash: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(id.0)
            .bind(hash)
            .bind(unix(now))
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn unused_recovery_codes(conn: &mut Conn, id: UserId) -> Result<i64, StoreError> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(id.0)
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}

/// Every account's display name by id, in one query (for labelling records).
pub async fn display_names(conn: &mut Conn) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    sqlx::query("SELECT id, display_name FROM users")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?)))
        .collect()
}
