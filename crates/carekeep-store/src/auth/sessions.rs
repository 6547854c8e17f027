//! Server-side sessions. The cookie or bearer token is random; only its hash is stored.

use crate::db::cells::Cells;
use crate::{unix, Conn, StoreError};
use carekeep_domain::UserId;
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: UserId,
    pub csrf_token: String,
    pub mfa_verified: bool,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub source_ip: String,
    pub user_agent: String,
}

impl std::fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRow")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "id, user_id, csrf_token, mfa_verified, created_at, last_seen_at, ended_at, source_ip, user_agent";

fn from_row(r: &impl Cells) -> Result<SessionRow, StoreError> {
    Ok(SessionRow {
        id: r.int("id")?,
        user_id: UserId(r.int("user_id")?),
        csrf_token: r.text("csrf_token")?,
        mfa_verified: r.flag("mfa_verified")?,
        created_at: r.time("created_at")?,
        last_seen_at: r.time("last_seen_at")?,
        ended_at: r.opt_time("ended_at")?,
        source_ip: r.text("source_ip")?,
        user_agent: r.text("user_agent")?,
    })
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub csrf_token: &'a str,
    pub mfa_verified: bool,
    pub source_ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn insert(conn: &mut Conn, s: &NewSession<'_>, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, mfa_verified, created_at, last_seen_at, source_ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING id",
    )
    .bind(s.token_hash)
    .bind(s.user_id.0)
    .bind(s.csrf_token)
    .bind(i64::from(s.mfa_verified))
    .bind(unix(now))
    .bind(s.source_ip)
    .bind(s.user_agent)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

const LIVE_WITH_USER: &str =
    "SELECT s.id, s.user_id, s.csrf_token, s.mfa_verified, s.created_at, s.last_seen_at, s.ended_at,
        s.source_ip, s.user_agent, u.username, u.display_name, u.password_hash, u.totp_secret,
        u.totp_pending, u.totp_last_step, u.mfa_enrolled_at, u.disabled_at,
        u.created_at AS user_created_at, r.role
 FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN user_roles r ON r.user_id = u.id
 WHERE s.token_hash = $1 AND s.ended_at IS NULL ORDER BY r.role";

/// A live session with its account and the account's roles, in one query: every request asks
/// this (through [`crate::Reader::live_with_user`]).
pub async fn live_with_user(conn: &mut Conn, token_hash: &str) -> Result<Option<LiveSession>, StoreError> {
    let mut found = None;
    for r in &sqlx::query(LIVE_WITH_USER).bind(token_hash).fetch_all(conn).await? {
        add_live_row(&mut found, r)?;
    }
    Ok(found)
}

/// [`live_with_user`] on a direct SQLite connection ([`crate::db::reader`]).
pub(crate) fn live_with_user_direct(
    c: &rusqlite::Connection,
    token_hash: &str,
) -> Result<Option<LiveSession>, StoreError> {
    let mut found = None;
    crate::db::direct::each_row(c, LIVE_WITH_USER, [token_hash], |r| add_live_row(&mut found, r))?;
    Ok(found)
}

/// A live session and its account, with the account's roles.
pub type LiveSession = (SessionRow, crate::users::UserRow);

/// One row of [`LIVE_WITH_USER`]: the session and account from the first, a role from each.
fn add_live_row(found: &mut Option<LiveSession>, r: &impl Cells) -> Result<(), StoreError> {
    let (_, user) = match found {
        Some(f) => f,
        None => found.insert((
            from_row(r)?,
            crate::users::from_row_named(r, "user_id", "user_created_at")?,
        )),
    };
    // An account without roles still has its one row, with no role in it.
    if r.opt_text("role")?.is_some() {
        user.roles.push(crate::users::role(r)?);
    }
    Ok(())
}

pub async fn touch(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND ended_at IS NULL")
        .bind(id)
        .bind(unix(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Makes an enrolment-only session a full one, under a new CSRF token.
pub async fn set_mfa_verified(conn: &mut Conn, id: i64, csrf_token: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET mfa_verified = 1, csrf_token = $1 WHERE id = $2")
        .bind(csrf_token)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends one session. With `owner`, only when it belongs to that user (a user ending their own).
pub async fn end(
    conn: &mut Conn,
    id: i64,
    owner: Option<UserId>,
    reason: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE sessions SET ended_at = $2, end_reason = $3
         WHERE id = $1 AND ended_at IS NULL AND ($4 = 0 OR user_id = $4)",
    )
    .bind(id)
    .bind(unix(now))
    .bind(reason)
    .bind(owner.map_or(0, |u| u.0))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every live session of a user; returns how many.
pub async fn end_all_for_user(
    conn: &mut Conn,
    user: UserId,
    reason: &str,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    let done =
        sqlx::query("UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE user_id = $1 AND ended_at IS NULL")
            .bind(user.0)
            .bind(unix(now))
            .bind(reason)
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// Ends every live session of `user` but `keep` (the one making a change to its own account).
pub async fn end_all_for_user_but(
    conn: &mut Conn,
    user: UserId,
    keep: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE user_id = $1 AND id <> $4 AND ended_at IS NULL",
    )
    .bind(user.0)
    .bind(unix(now))
    .bind(reason)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A user's sessions not yet ended, newest first.
pub async fn live_for_user(conn: &mut Conn, user: UserId) -> Result<Vec<SessionRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE user_id = $1 AND ended_at IS NULL ORDER BY id DESC");
    sqlx::query(&sql)
        .bind(user.0)
        .fetch_all(conn)
        .await?
        .iter()
        .map(from_row)
        .collect()
}
