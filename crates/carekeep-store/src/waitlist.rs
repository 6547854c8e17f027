//! The waitlist per service: who waits for which service, their preferred weekdays and hours,
//! and a sealed note. Entries leave the list by being removed or booked (`closed_at`, `closed_how`).

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// One open entry. `note_ct` is sealed to `waitlist.note_ct` and the row id.
#[derive(Clone)]
pub struct WaitRow {
    pub id: i64,
    pub patient_id: i64,
    pub service_id: i64,
    pub days: i64,
    pub from_minute: Option<i64>,
    pub until_minute: Option<i64>,
    pub note_ct: Vec<u8>,
    pub added_at: OffsetDateTime,
}

impl std::fmt::Debug for WaitRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitRow").field("id", &self.id).finish_non_exhaustive()
    }
}

/// A new entry (the note is sealed after the insert, bound to its id).
pub struct NewWait {
    pub patient_id: i64,
    pub service_id: i64,
    pub days: i64,
    pub from_minute: Option<i64>,
    pub until_minute: Option<i64>,
    pub added_by: i64,
}

fn row(r: &AnyRow) -> Result<WaitRow, StoreError> {
    Ok(WaitRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        service_id: r.try_get("service_id")?,
        days: r.try_get("days")?,
        from_minute: r.try_get("from_minute")?,
        until_minute: r.try_get("until_minute")?,
        note_ct: r.try_get::<Option<Vec<u8>>, _>("note_ct")?.unwrap_or_default(),
        added_at: from_unix(r.try_get("added_at")?)?,
    })
}

const COLUMNS: &str = "id, patient_id, service_id, days, from_minute, until_minute, note_ct, added_at";

pub async fn add(conn: &mut Conn, new: &NewWait, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO waitlist (patient_id, service_id, days, from_minute, until_minute, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.patient_id)
    .bind(new.service_id)
    .bind(new.days)
    .bind(new.from_minute)
    .bind(new.until_minute)
    .bind(new.added_by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// The open entries, every service, first come first.
pub async fn open(conn: &mut Conn) -> Result<Vec<WaitRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM waitlist WHERE closed_at IS NULL ORDER BY service_id, added_at, id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}

/// The open entries of one service, first come first.
pub async fn open_for(conn: &mut Conn, service: i64) -> Result<Vec<WaitRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM waitlist WHERE closed_at IS NULL AND service_id = $1 ORDER BY added_at, id"
    ))
    .bind(service)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}

/// One open entry.
pub async fn open_by_id(conn: &mut Conn, id: i64) -> Result<WaitRow, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM waitlist WHERE closed_at IS NULL AND id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row)
    .transpose()?
    .ok_or(StoreError::NotFound)
}

/// Closes an open entry: `how` is "removed" or "booked" (with the appointment).
pub async fn close(
    conn: &mut Conn,
    id: i64,
    how: &str,
    appointment: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE waitlist SET closed_at = $1, closed_how = $2, appointment_id = $3 WHERE id = $4 AND closed_at IS NULL",
    )
    .bind(unix(now))
    .bind(how)
    .bind(appointment)
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
