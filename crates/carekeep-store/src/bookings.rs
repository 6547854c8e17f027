//! Appointments as the calendar books them: with their service, room, buffer and confirmation,
//! and the sealed reasons for changes (cancelled, moved, booked over a conflict). The chart's
//! own appointment rows (`records`) are the same table read narrowly.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// One appointment on the calendar. `service_ct` is the sealed service name, as on the chart.
#[derive(Clone)]
pub struct BookingRow {
    pub id: i64,
    pub patient_id: i64,
    pub provider_id: i64,
    pub start_at: OffsetDateTime,
    pub end_at: OffsetDateTime,
    pub status: String,
    pub service_ct: Vec<u8>,
    pub service_id: Option<i64>,
    pub room_id: Option<i64>,
    pub buffer_minutes: i64,
    pub confirmed_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for BookingRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BookingRow")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, patient_id, provider_id, start_at, end_at, status, service_ct, service_id, room_id, \
                       buffer_minutes, confirmed_at";

fn row(r: &AnyRow) -> Result<BookingRow, StoreError> {
    Ok(BookingRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        provider_id: r.try_get("provider_id")?,
        start_at: from_unix(r.try_get("start_at")?)?,
        end_at: from_unix(r.try_get("end_at")?)?,
        status: r.try_get("status")?,
        service_ct: r.try_get::<Option<Vec<u8>>, _>("service_ct")?.unwrap_or_default(),
        service_id: r.try_get("service_id")?,
        room_id: r.try_get("room_id")?,
        buffer_minutes: r.try_get("buffer_minutes")?,
        confirmed_at: r
            .try_get::<Option<i64>, _>("confirmed_at")?
            .map(from_unix)
            .transpose()?,
    })
}

/// The longest an appointment and its buffer can reach back: 12 hours plus a day of buffer.
const REACH_BACK_SECS: i64 = 36 * 3600;

/// Appointments starting in `[from, to)`, in time order.
pub async fn between(conn: &mut Conn, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<BookingRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE start_at >= $1 AND start_at < $2 ORDER BY start_at, id"
    ))
    .bind(unix(from))
    .bind(unix(to))
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}

/// Appointments that could overlap `[from, to)` and share its provider, room or patient: the
/// conflict rule decides which do.
pub async fn near(
    conn: &mut Conn,
    from: OffsetDateTime,
    to: OffsetDateTime,
    provider: i64,
    room: Option<i64>,
    patient: i64,
) -> Result<Vec<BookingRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE start_at >= $1 AND start_at < $2
         AND (provider_id = $3 OR patient_id = $4 OR room_id = $5) ORDER BY start_at, id"
    ))
    .bind(unix(from) - REACH_BACK_SECS)
    .bind(unix(to))
    .bind(provider)
    .bind(patient)
    .bind(room.unwrap_or(-1))
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<BookingRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM appointments WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    row(&r)
}

/// What a new booking holds.
#[derive(Clone, Copy, Debug)]
pub struct NewBooking {
    pub patient_id: i64,
    pub provider_id: i64,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub service_id: Option<i64>,
    pub room_id: Option<i64>,
    pub buffer_minutes: i64,
}

/// Inserts a booked appointment; its sealed service is written after (bound to the id).
pub async fn insert(conn: &mut Conn, b: &NewBooking, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO appointments (patient_id, provider_id, start_at, end_at, status, service_id, room_id,
         buffer_minutes, created_at, updated_at) VALUES ($1, $2, $3, $4, 'booked', $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(b.patient_id)
    .bind(b.provider_id)
    .bind(unix(b.start))
    .bind(unix(b.end))
    .bind(b.service_id)
    .bind(b.room_id)
    .bind(b.buffer_minutes)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Moves an appointment to another time, provider or room; a move asks the patient again, so
/// a confirmation is cleared.
pub async fn reschedule(
    conn: &mut Conn,
    id: i64,
    start: OffsetDateTime,
    end: OffsetDateTime,
    provider: i64,
    room: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE appointments SET start_at = $1, end_at = $2, provider_id = $3, room_id = $4, confirmed_at = NULL,
         updated_at = $5 WHERE id = $6",
    )
    .bind(unix(start))
    .bind(unix(end))
    .bind(provider)
    .bind(room)
    .bind(unix(now))
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records that the patient confirmed the appointment.
pub async fn confirm(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE appointments SET confirmed_at = $1, updated_at = $1 WHERE id = $2")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many of a patient's appointments were no-shows.
pub async fn no_shows(conn: &mut Conn, patient: i64) -> Result<i64, StoreError> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM appointments WHERE patient_id = $1 AND status = 'no_show'")
            .bind(patient)
            .fetch_one(conn)
            .await?
            .try_get("n")?,
    )
}

/// Adds the row a change's sealed reason is written into; returns its id.
pub async fn add_reason(
    conn: &mut Conn,
    appointment: i64,
    kind: &str,
    user: i64,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO appointment_reasons (appointment_id, kind, user_id, at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(appointment)
    .bind(kind)
    .bind(user)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// A confirm-or-cancel link as stored (its token's hash only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkRow {
    pub id: i64,
    pub appointment_id: i64,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

/// Stores a new link's hash; returns its id.
pub async fn add_link(
    conn: &mut Conn,
    appointment: i64,
    token_hash: &str,
    expires: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO confirm_links (appointment_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(appointment)
    .bind(token_hash)
    .bind(unix(expires))
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// The link with this token hash.
pub async fn link_by_hash(conn: &mut Conn, token_hash: &str) -> Result<LinkRow, StoreError> {
    let r = sqlx::query("SELECT id, appointment_id, expires_at, used_at FROM confirm_links WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(LinkRow {
        id: r.try_get("id")?,
        appointment_id: r.try_get("appointment_id")?,
        expires_at: from_unix(r.try_get("expires_at")?)?,
        used_at: r.try_get::<Option<i64>, _>("used_at")?.map(from_unix).transpose()?,
    })
}

/// Marks a link used; `false` if it already was (two clicks racing: one wins).
pub async fn use_link(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE confirm_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
