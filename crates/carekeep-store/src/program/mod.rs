//! The compliance program as stored: vendors with their BAAs, and program flags.

pub mod checklist_days;
pub mod npp;
pub mod policies;
pub mod security;
pub mod sra;
pub mod workforce;

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// A vendor as stored; dates as `YYYY-MM-DD` text.
#[derive(Clone, Debug, Default)]
pub struct VendorRow {
    pub id: i64,
    pub name: String,
    pub service: String,
    pub contact: String,
    pub creates_phi: bool,
    pub receives_phi: bool,
    pub maintains_phi: bool,
    pub transmits_phi: bool,
    pub conduit_only: bool,
    pub baa_status: String,
    pub baa_signed_on: Option<String>,
    pub baa_effective_on: Option<String>,
    pub baa_renewal_on: Option<String>,
    pub subcontractors: String,
    pub document_name: Option<String>,
    pub retired: bool,
}

const COLUMNS: &str =
    "id, name, service, contact, creates_phi, receives_phi, maintains_phi, transmits_phi, conduit_only, \
     baa_status, baa_signed_on, baa_effective_on, baa_renewal_on, subcontractors, document_name, retired_at";

fn flag(r: &AnyRow, col: &str) -> Result<bool, StoreError> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

fn vendor(r: &AnyRow) -> Result<VendorRow, StoreError> {
    Ok(VendorRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        service: r.try_get("service")?,
        contact: r.try_get("contact")?,
        creates_phi: flag(r, "creates_phi")?,
        receives_phi: flag(r, "receives_phi")?,
        maintains_phi: flag(r, "maintains_phi")?,
        transmits_phi: flag(r, "transmits_phi")?,
        conduit_only: flag(r, "conduit_only")?,
        baa_status: r.try_get("baa_status")?,
        baa_signed_on: r.try_get("baa_signed_on")?,
        baa_effective_on: r.try_get("baa_effective_on")?,
        baa_renewal_on: r.try_get("baa_renewal_on")?,
        subcontractors: r.try_get("subcontractors")?,
        document_name: r.try_get("document_name")?,
        retired: r.try_get::<Option<i64>, _>("retired_at")?.is_some(),
    })
}

/// Inserts (`id == 0`) or updates a vendor; returns its id.
pub async fn save_vendor(conn: &mut Conn, v: &VendorRow, now: OffsetDateTime) -> Result<i64, StoreError> {
    let id: i64 = if v.id == 0 {
        sqlx::query("INSERT INTO vendors (name, service, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
            .bind(&v.name)
            .bind(&v.service)
            .bind(unix(now))
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?
    } else {
        v.id
    };
    let done = sqlx::query(
        "UPDATE vendors SET name = $1, service = $2, contact = $3, creates_phi = $4, receives_phi = $5,
           maintains_phi = $6, transmits_phi = $7, conduit_only = $8, baa_status = $9, baa_signed_on = $10,
           baa_effective_on = $11, baa_renewal_on = $12, subcontractors = $13, updated_at = $14,
           retired_at = CASE WHEN $15 = 1 THEN COALESCE(retired_at, $14) ELSE NULL END
         WHERE id = $16",
    )
    .bind(&v.name)
    .bind(&v.service)
    .bind(&v.contact)
    .bind(i64::from(v.creates_phi))
    .bind(i64::from(v.receives_phi))
    .bind(i64::from(v.maintains_phi))
    .bind(i64::from(v.transmits_phi))
    .bind(i64::from(v.conduit_only))
    .bind(&v.baa_status)
    .bind(v.baa_signed_on.as_deref())
    .bind(v.baa_effective_on.as_deref())
    .bind(v.baa_renewal_on.as_deref())
    .bind(&v.subcontractors)
    .bind(unix(now))
    .bind(i64::from(v.retired))
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(id)
}

pub async fn vendors(conn: &mut Conn) -> Result<Vec<VendorRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM vendors ORDER BY retired_at IS NOT NULL, name, id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(vendor)
    .collect()
}

pub async fn vendor_by_id(conn: &mut Conn, id: i64) -> Result<VendorRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM vendors WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    vendor(&r)
}

/// Stores the signed agreement (encrypted by the caller).
pub async fn set_vendor_document(
    conn: &mut Conn,
    id: i64,
    ct: &[u8],
    content_type: &str,
    name: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE vendors SET document_ct = $1, document_type = $2, document_name = $3 WHERE id = $4")
        .bind(ct)
        .bind(content_type)
        .bind(name)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The stored agreement: ciphertext, content type, file name.
pub async fn vendor_document(conn: &mut Conn, id: i64) -> Result<Option<(Vec<u8>, String, String)>, StoreError> {
    let r = sqlx::query("SELECT document_ct, document_type, document_name FROM vendors WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let ct: Option<Vec<u8>> = r.try_get("document_ct")?;
    Ok(match ct {
        Some(ct) => Some((
            ct,
            r.try_get::<Option<String>, _>("document_type")?.unwrap_or_default(),
            r.try_get::<Option<String>, _>("document_name")?.unwrap_or_default(),
        )),
        None => None,
    })
}

/// Raises a flag (kept at its first raising until cleared).
pub async fn raise_flag(conn: &mut Conn, name: &str, reason: &str, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO program_flags (name, raised_at, reason) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(unix(now))
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// A raised flag: when, and why.
pub async fn flag_raised(conn: &mut Conn, name: &str) -> Result<Option<(OffsetDateTime, String)>, StoreError> {
    let r = sqlx::query("SELECT raised_at, reason FROM program_flags WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    r.map(|r| Ok((from_unix(r.try_get("raised_at")?)?, r.try_get("reason")?)))
        .transpose()
}

/// Clears a flag once what it asked for is done.
pub async fn clear_flag(conn: &mut Conn, name: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM program_flags WHERE name = $1")
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}
