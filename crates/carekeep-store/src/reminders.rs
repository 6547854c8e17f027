//! Appointment reminders: the append-only sent log and text-message opt-outs.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// One line of the sent log, as written. `address_ct` and `body_ct` are sealed (None when held).
#[derive(Clone)]
pub struct NewSend<'a> {
    pub appointment_id: i64,
    pub patient_id: i64,
    pub channel: &'a str,
    pub vendor: &'a str,
    pub outcome: &'a str,
    pub address_ct: Option<&'a [u8]>,
    pub body_ct: Option<&'a [u8]>,
}

/// One line of the sent log, read back.
#[derive(Clone)]
pub struct SendRow {
    pub id: i64,
    pub appointment_id: i64,
    pub patient_id: i64,
    pub channel: String,
    pub vendor: String,
    pub outcome: String,
    pub address_ct: Option<Vec<u8>>,
    pub body_ct: Option<Vec<u8>>,
    pub at: OffsetDateTime,
}

impl std::fmt::Debug for SendRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendRow")
            .field("id", &self.id)
            .field("appointment_id", &self.appointment_id)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// Appends one line to the sent log.
pub async fn append(conn: &mut Conn, s: &NewSend<'_>, at: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO reminder_sends (appointment_id, patient_id, channel, vendor, outcome, address_ct, body_ct, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(s.appointment_id)
    .bind(s.patient_id)
    .bind(s.channel)
    .bind(s.vendor)
    .bind(s.outcome)
    .bind(s.address_ct.map(<[u8]>::to_vec))
    .bind(s.body_ct.map(<[u8]>::to_vec))
    .bind(unix(at))
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A patient's sent log, oldest first.
pub async fn for_patient(conn: &mut Conn, patient: i64) -> Result<Vec<SendRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, appointment_id, patient_id, channel, vendor, outcome, address_ct, body_ct, at
         FROM reminder_sends WHERE patient_id = $1 ORDER BY at, id",
    )
    .bind(patient)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SendRow {
                id: r.try_get("id")?,
                appointment_id: r.try_get("appointment_id")?,
                patient_id: r.try_get("patient_id")?,
                channel: r.try_get("channel")?,
                vendor: r.try_get("vendor")?,
                outcome: r.try_get("outcome")?,
                address_ct: r.try_get("address_ct")?,
                body_ct: r.try_get("body_ct")?,
                at: from_unix(r.try_get("at")?)?,
            })
        })
        .collect()
}

/// Whether the appointment's reminder went out, or was tried since `since`.
pub async fn settled(conn: &mut Conn, appointment: i64, since: OffsetDateTime) -> Result<bool, StoreError> {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) FROM reminder_sends WHERE appointment_id = $1 AND (outcome = 'sent' OR at >= $2)")
            .bind(appointment)
            .bind(unix(since))
            .fetch_one(conn)
            .await?
            .try_get(0)?;
    Ok(n > 0)
}

/// Records an opt-out of text messages; the first one stands.
pub async fn opt_out(conn: &mut Conn, patient: i64, at: OffsetDateTime, source: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sms_opt_outs (patient_id, at, source) VALUES ($1, $2, $3) ON CONFLICT (patient_id) DO NOTHING",
    )
    .bind(patient)
    .bind(unix(at))
    .bind(source)
    .execute(conn)
    .await?;
    Ok(())
}

/// When the patient opted out of text messages, if they did.
pub async fn opted_out(conn: &mut Conn, patient: i64) -> Result<Option<OffsetDateTime>, StoreError> {
    let at: Option<i64> = sqlx::query("SELECT at FROM sms_opt_outs WHERE patient_id = $1")
        .bind(patient)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    at.map(from_unix).transpose()
}

/// The patient's opt-out of text messages: when, and how (`reply` or `staff`).
pub async fn opt_out_row(conn: &mut Conn, patient: i64) -> Result<Option<(OffsetDateTime, String)>, StoreError> {
    sqlx::query("SELECT at, source FROM sms_opt_outs WHERE patient_id = $1")
        .bind(patient)
        .fetch_optional(conn)
        .await?
        .map(|r| Ok((from_unix(r.try_get("at")?)?, r.try_get("source")?)))
        .transpose()
}

/// Removes the patient's opt-out (they asked for texts again); whether there was one.
pub async fn opt_in(conn: &mut Conn, patient: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query("DELETE FROM sms_opt_outs WHERE patient_id = $1")
        .bind(patient)
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}
