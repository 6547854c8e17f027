//! Notice of Privacy Practices versions and patients' acknowledgements.

use crate::{unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct NppRow {
    pub id: i64,
    pub version: i64,
    pub body: String,
    pub effective_on: String,
    pub posted_office: bool,
    pub posted_website: bool,
    pub approved_by: i64,
}

/// Every version, newest first.
pub async fn versions(conn: &mut Conn) -> Result<Vec<NppRow>, StoreError> {
    sqlx::query("SELECT id, version, body, effective_on, posted_office, posted_website, approved_by FROM npp_versions ORDER BY version DESC")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(NppRow {
                id: r.try_get("id")?,
                version: r.try_get("version")?,
                body: r.try_get("body")?,
                effective_on: r.try_get("effective_on")?,
                posted_office: r.try_get::<i64, _>("posted_office")? != 0,
                posted_website: r.try_get::<i64, _>("posted_website")? != 0,
                approved_by: r.try_get("approved_by")?,
            })
        })
        .collect()
}

pub async fn add_version(
    conn: &mut Conn,
    body: &str,
    effective_on: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    let next: i64 = sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) AS n FROM npp_versions")
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    sqlx::query(
        "INSERT INTO npp_versions (version, body, effective_on, approved_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(next)
    .bind(body)
    .bind(effective_on)
    .bind(by)
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(next)
}

pub async fn set_posting(conn: &mut Conn, id: i64, office: bool, website: bool) -> Result<(), StoreError> {
    sqlx::query("UPDATE npp_versions SET posted_office = $1, posted_website = $2 WHERE id = $3")
        .bind(i64::from(office))
        .bind(i64::from(website))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_ack(
    conn: &mut Conn,
    patient: i64,
    version_id: i64,
    kind: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO npp_acks (patient_id, version_id, kind, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(patient)
    .bind(version_id)
    .bind(kind)
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn set_ack_reason(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE npp_acks SET reason_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Patients with no acknowledgement or good-faith record at all, kept by staff or in the
/// portal (`carekeep_domain::program::npp_ack`: either counts): the count the writes keep
/// (migration 0046), one row, however many patients the clinic has.
pub async fn patients_without_ack(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT n FROM npp_unacked WHERE id = 1")
        .fetch_one(conn)
        .await?
        .try_get("n")?)
}

/// The same count taken over every patient, to check the kept one against.
pub async fn recount_patients_without_ack(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM patients p WHERE NOT EXISTS (SELECT 1 FROM npp_acks a WHERE a.patient_id = p.id) \
         AND NOT EXISTS (SELECT 1 FROM portal_npp_acks q WHERE q.patient_id = p.id)",
    )
    .fetch_one(conn)
    .await?
    .try_get("n")?)
}
