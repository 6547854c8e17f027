//! The clinic tablet's table (issue 28, item 3): a code's keyed digest and its tries, then the
//! tablet session it became (SHA-256 of the cookie's token), apart from staff and portal
//! sessions. Queries written once for both databases.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// A new opening, as staff make it.
#[derive(Debug)]
pub struct NewKiosk<'a> {
    pub patient_id: i64,
    pub appointment_id: i64,
    pub person_id: Option<i64>,
    pub code_digest: &'a str,
    pub code_expires_at: OffsetDateTime,
    pub opened_by: i64,
}

/// A row as stored.
#[derive(Clone, Debug)]
pub struct KioskRow {
    pub id: i64,
    pub patient_id: i64,
    pub appointment_id: i64,
    pub person_id: Option<i64>,
    pub code_expires_at: OffsetDateTime,
    pub wrong_tries: i64,
    pub csrf_token: Option<String>,
    pub started_at: Option<OffsetDateTime>,
    pub last_seen_at: Option<OffsetDateTime>,
    pub ended: bool,
}

const COLUMNS: &str = "id, patient_id, appointment_id, person_id, code_expires_at, wrong_tries, csrf_token, \
                       started_at, last_seen_at, ended_at";

fn row(r: &sqlx::any::AnyRow) -> Result<KioskRow, StoreError> {
    let at = |c: &str| -> Result<Option<OffsetDateTime>, StoreError> {
        r.try_get::<Option<i64>, _>(c)?.map(from_unix).transpose()
    };
    Ok(KioskRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        appointment_id: r.try_get("appointment_id")?,
        person_id: r.try_get("person_id")?,
        code_expires_at: from_unix(r.try_get("code_expires_at")?)?,
        wrong_tries: r.try_get("wrong_tries")?,
        csrf_token: r.try_get("csrf_token")?,
        started_at: at("started_at")?,
        last_seen_at: at("last_seen_at")?,
        ended: r.try_get::<Option<i64>, _>("ended_at")?.is_some(),
    })
}

pub async fn insert(conn: &mut Conn, k: &NewKiosk<'_>, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO kiosk_sessions (patient_id, appointment_id, person_id, code_digest, code_expires_at, opened_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(k.patient_id)
    .bind(k.appointment_id)
    .bind(k.person_id)
    .bind(k.code_digest)
    .bind(unix(k.code_expires_at))
    .bind(k.opened_by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Whether a code not yet typed and not expired has this digest (a new code must not).
pub async fn live_code_exists(conn: &mut Conn, code_digest: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT id FROM kiosk_sessions WHERE code_digest = $1 AND started_at IS NULL AND ended_at IS NULL AND code_expires_at > $2",
    )
    .bind(code_digest)
    .bind(unix(now))
    .fetch_optional(conn)
    .await?
    .is_some())
}

/// The newest opening whose code has this digest.
pub async fn by_code(conn: &mut Conn, code_digest: &str) -> Result<Option<KioskRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM kiosk_sessions WHERE code_digest = $1 ORDER BY id DESC LIMIT 1"
    ))
    .bind(code_digest)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row)
    .transpose()
}

/// A wrong code counts against every code still waiting to be typed (the tablet names none).
pub async fn wrong_try(conn: &mut Conn, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE kiosk_sessions SET wrong_tries = wrong_tries + 1 \
         WHERE started_at IS NULL AND ended_at IS NULL AND code_expires_at > $1",
    )
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The code typed: the opening becomes the tablet's session. `false` if it already was.
pub async fn start(
    conn: &mut Conn,
    id: i64,
    token_hash: &str,
    csrf_token: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE kiosk_sessions SET token_hash = $1, csrf_token = $2, started_at = $3, last_seen_at = $3 \
         WHERE id = $4 AND started_at IS NULL AND ended_at IS NULL",
    )
    .bind(token_hash)
    .bind(csrf_token)
    .bind(unix(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A live tablet session by its token's hash.
pub async fn session(conn: &mut Conn, token_hash: &str) -> Result<Option<KioskRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM kiosk_sessions WHERE token_hash = $1 AND ended_at IS NULL"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row)
    .transpose()
}

pub async fn touch(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE kiosk_sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends one opening (its code too, if not typed yet); `false` if it had ended.
pub async fn end(conn: &mut Conn, id: i64, why: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE kiosk_sessions SET ended_at = $1, ended_why = $2 WHERE id = $3 AND ended_at IS NULL")
            .bind(unix(now))
            .bind(why)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// The openings of a visit not ended yet (a code waiting, or a tablet in use).
pub async fn open_for_visit(conn: &mut Conn, appointment_id: i64) -> Result<Vec<KioskRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM kiosk_sessions WHERE appointment_id = $1 AND ended_at IS NULL ORDER BY id"
    ))
    .bind(appointment_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}
