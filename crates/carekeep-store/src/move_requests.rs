//! A patient's request for a new time, asked in the portal and decided by the front desk
//! (issue 27). The patient's words and the answer are sealed (`wishes_ct`, `answer_ct`).

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// One request as stored.
#[derive(Clone)]
pub struct MoveRequestRow {
    pub id: i64,
    pub appointment_id: i64,
    pub patient_id: i64,
    pub person_id: Option<i64>,
    pub slot_start: Option<OffsetDateTime>,
    pub slot_provider: Option<i64>,
    pub wishes_ct: Option<Vec<u8>>,
    /// `asked`, `moved`, `declined` or `withdrawn`.
    pub status: String,
    pub asked_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    pub answer_ct: Option<Vec<u8>>,
}

impl std::fmt::Debug for MoveRequestRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MoveRequestRow")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, appointment_id, patient_id, person_id, slot_start, slot_provider, wishes_ct, status, \
                       asked_at, decided_at, answer_ct";

fn row(r: &AnyRow) -> Result<MoveRequestRow, StoreError> {
    Ok(MoveRequestRow {
        id: r.try_get("id")?,
        appointment_id: r.try_get("appointment_id")?,
        patient_id: r.try_get("patient_id")?,
        person_id: r.try_get("person_id")?,
        slot_start: r.try_get::<Option<i64>, _>("slot_start")?.map(from_unix).transpose()?,
        slot_provider: r.try_get("slot_provider")?,
        wishes_ct: r.try_get("wishes_ct")?,
        status: r.try_get("status")?,
        asked_at: from_unix(r.try_get("asked_at")?)?,
        decided_at: r.try_get::<Option<i64>, _>("decided_at")?.map(from_unix).transpose()?,
        answer_ct: r.try_get("answer_ct")?,
    })
}

/// A new request (its words are sealed into the row afterwards, bound to its id).
#[derive(Debug)]
pub struct NewMoveRequest {
    pub appointment_id: i64,
    pub patient_id: i64,
    pub person_id: Option<i64>,
    pub slot: Option<(OffsetDateTime, i64)>,
}

pub async fn insert(conn: &mut Conn, m: &NewMoveRequest, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO move_requests (appointment_id, patient_id, person_id, slot_start, slot_provider, status, asked_at) \
         VALUES ($1, $2, $3, $4, $5, 'asked', $6) RETURNING id",
    )
    .bind(m.appointment_id)
    .bind(m.patient_id)
    .bind(m.person_id)
    .bind(m.slot.map(|(t, _)| unix(t)))
    .bind(m.slot.map(|(_, p)| p))
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<MoveRequestRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM move_requests WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    row(&r)
}

/// Requests still waiting for the front desk, oldest first.
pub async fn waiting(conn: &mut Conn) -> Result<Vec<MoveRequestRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM move_requests WHERE status = 'asked' ORDER BY asked_at, id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}

/// One patient's requests, newest first.
pub async fn of_patient(conn: &mut Conn, patient: i64) -> Result<Vec<MoveRequestRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM move_requests WHERE patient_id = $1 ORDER BY asked_at DESC, id DESC"
    ))
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}

/// Decides a waiting request; `false` when it was no longer waiting (decided by someone else,
/// or withdrawn), so two clicks cannot both decide it.
pub async fn decide(
    conn: &mut Conn,
    id: i64,
    status: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE move_requests SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'asked'",
    )
    .bind(status)
    .bind(by)
    .bind(unix(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes the waiting request of an appointment that was cancelled (nothing left to move).
pub async fn withdraw_for(conn: &mut Conn, appointment: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE move_requests SET status = 'withdrawn', decided_at = $1 WHERE appointment_id = $2 AND status = 'asked'",
    )
    .bind(unix(now))
    .bind(appointment)
    .execute(conn)
    .await?;
    Ok(())
}
