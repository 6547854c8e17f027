//! The patient portal's tables (issue 27): sign-in codes (keyed digests only), portal sessions
//! (apart from staff sessions), notice acknowledgments with their evidence, the clinic's
//! release setting, and the patient's own appointments.

use crate::bookings::BookingRow;
use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// A code as stored.
#[derive(Clone, Debug)]
pub struct CodeRow {
    pub id: i64,
    pub patient_id: Option<i64>,
    pub code_digest: String,
    pub wrong_tries: i64,
    pub expires_at: OffsetDateTime,
    pub used: bool,
}

/// A new code (the row is written for an unknown contact too, with no patient).
#[derive(Debug)]
pub struct NewCode<'a> {
    pub patient_id: Option<i64>,
    pub contact_digest: &'a str,
    pub challenge_hash: &'a str,
    pub code_digest: &'a str,
    pub channel: &'a str,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_code(conn: &mut Conn, c: &NewCode<'_>, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO portal_codes (patient_id, contact_digest, challenge_hash, code_digest, channel, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(c.patient_id)
    .bind(c.contact_digest)
    .bind(c.challenge_hash)
    .bind(c.code_digest)
    .bind(c.channel)
    .bind(unix(c.expires_at))
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// When codes were sent to this contact since `since`.
pub async fn codes_since(
    conn: &mut Conn,
    contact_digest: &str,
    since: OffsetDateTime,
) -> Result<Vec<OffsetDateTime>, StoreError> {
    sqlx::query("SELECT created_at FROM portal_codes WHERE contact_digest = $1 AND created_at >= $2")
        .bind(contact_digest)
        .bind(unix(since))
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| from_unix(r.try_get("created_at")?))
        .collect()
}

pub async fn code_by_challenge(conn: &mut Conn, challenge_hash: &str) -> Result<CodeRow, StoreError> {
    let r = sqlx::query(
        "SELECT id, patient_id, code_digest, wrong_tries, expires_at, used_at FROM portal_codes WHERE challenge_hash = $1",
    )
    .bind(challenge_hash)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(CodeRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        code_digest: r.try_get("code_digest")?,
        wrong_tries: r.try_get("wrong_tries")?,
        expires_at: from_unix(r.try_get("expires_at")?)?,
        used: r.try_get::<Option<i64>, _>("used_at")?.is_some(),
    })
}

/// Counts a wrong try.
pub async fn wrong_try(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE portal_codes SET wrong_tries = wrong_tries + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Uses a code up; `false` if it already was (two submissions racing: one wins).
pub async fn use_code(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE portal_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A portal session as stored.
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: i64,
    pub patient_id: i64,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

pub async fn insert_session(
    conn: &mut Conn,
    token_hash: &str,
    patient: i64,
    csrf: &str,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO portal_sessions (token_hash, patient_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(token_hash)
    .bind(patient)
    .bind(csrf)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// A session not ended, by its token's hash.
pub async fn session(conn: &mut Conn, token_hash: &str) -> Result<SessionRow, StoreError> {
    let r = sqlx::query(
        "SELECT id, patient_id, csrf_token, created_at, last_seen_at FROM portal_sessions WHERE token_hash = $1 AND ended_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(SessionRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        csrf_token: r.try_get("csrf_token")?,
        created_at: from_unix(r.try_get("created_at")?)?,
        last_seen_at: from_unix(r.try_get("last_seen_at")?)?,
    })
}

pub async fn touch_session(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE portal_sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn end_session(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE portal_sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The clinic's portal release setting (`on_request` until changed).
pub async fn notes_release(conn: &mut Conn) -> Result<String, StoreError> {
    Ok(sqlx::query("SELECT portal_notes_release FROM clinic LIMIT 1")
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get("portal_notes_release"))
        .transpose()?
        .unwrap_or_default())
}

pub async fn set_notes_release(conn: &mut Conn, value: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE clinic SET portal_notes_release = $1")
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}

/// A notice acknowledged in the portal.
#[derive(Clone, Debug)]
pub struct AckRow {
    pub version_id: i64,
    pub version_sha256: String,
    pub acknowledged_at: OffsetDateTime,
}

#[derive(Debug)]
pub struct NewAck<'a> {
    pub patient_id: i64,
    pub version_id: i64,
    pub version_sha256: &'a str,
    pub source_ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn insert_ack(conn: &mut Conn, a: &NewAck<'_>, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO portal_npp_acks (patient_id, version_id, version_sha256, source_ip, user_agent, acknowledged_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(a.patient_id)
    .bind(a.version_id)
    .bind(a.version_sha256)
    .bind(a.source_ip)
    .bind(a.user_agent)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// A patient's portal acknowledgments, newest first.
pub async fn acks(conn: &mut Conn, patient: i64) -> Result<Vec<AckRow>, StoreError> {
    sqlx::query(
        "SELECT version_id, version_sha256, acknowledged_at FROM portal_npp_acks WHERE patient_id = $1 ORDER BY acknowledged_at DESC, id DESC",
    )
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(AckRow {
            version_id: r.try_get("version_id")?,
            version_sha256: r.try_get("version_sha256")?,
            acknowledged_at: from_unix(r.try_get("acknowledged_at")?)?,
        })
    })
    .collect()
}

/// A patient's appointments, in time order.
pub async fn appointments(conn: &mut Conn, patient: i64) -> Result<Vec<BookingRow>, StoreError> {
    let ids: Vec<i64> = sqlx::query("SELECT id FROM appointments WHERE patient_id = $1 ORDER BY start_at, id")
        .bind(patient)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(crate::bookings::by_id(conn, id).await?);
    }
    Ok(out)
}
