//! The clinic this database belongs to (one per database).

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct Clinic {
    pub name: String,
    pub created_at: OffsetDateTime,
    /// The IANA zone chosen in the settings page; empty when none was chosen there.
    pub time_zone: String,
}

pub async fn get(conn: &mut Conn) -> Result<Option<Clinic>, StoreError> {
    let row = sqlx::query("SELECT name, created_at, time_zone FROM clinic WHERE id = 1")
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(Clinic {
            name: r.try_get("name")?,
            created_at: from_unix(r.try_get("created_at")?)?,
            time_zone: r.try_get("time_zone")?,
        })
    })
    .transpose()
}

pub async fn create(conn: &mut Conn, name: &str, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO clinic (id, name, created_at) VALUES (1, $1, $2)")
        .bind(name)
        .bind(unix(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the clinic's time zone (an IANA name the caller has checked).
pub async fn set_time_zone(conn: &mut Conn, name: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE clinic SET time_zone = $1 WHERE id = 1")
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

/// The clinic's details as typed on the set-up path; empty strings where not filled yet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    pub legal_name: String,
    pub address: String,
    pub phone: String,
    pub website: String,
    pub privacy_contact: String,
}

pub async fn details(conn: &mut Conn) -> Result<Details, StoreError> {
    let row = sqlx::query("SELECT legal_name, address, phone, website, privacy_contact FROM clinic WHERE id = 1")
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(Details {
            legal_name: r.try_get("legal_name")?,
            address: r.try_get("address")?,
            phone: r.try_get("phone")?,
            website: r.try_get("website")?,
            privacy_contact: r.try_get("privacy_contact")?,
        })
    })
    .transpose()
    .map(Option::unwrap_or_default)
}

/// Records the clinic's details (checked by the caller).
pub async fn set_details(conn: &mut Conn, d: &Details) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE clinic SET legal_name = $1, address = $2, phone = $3, website = $4, privacy_contact = $5 WHERE id = 1",
    )
    .bind(&d.legal_name)
    .bind(&d.address)
    .bind(&d.phone)
    .bind(&d.website)
    .bind(&d.privacy_contact)
    .execute(conn)
    .await?;
    Ok(())
}

/// Where the owner chose, in the browser, to keep backups, and the backup key's file; empty
/// strings when not set.
pub async fn backup_settings(conn: &mut Conn) -> Result<(String, String), StoreError> {
    let row = sqlx::query("SELECT backup_dir, backup_key_file FROM clinic WHERE id = 1")
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("backup_dir")?, r.try_get("backup_key_file")?)))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Records the backup folder and key file (checked by the caller).
pub async fn set_backup_settings(conn: &mut Conn, dir: &str, key_file: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE clinic SET backup_dir = $1, backup_key_file = $2 WHERE id = 1")
        .bind(dir)
        .bind(key_file)
        .execute(conn)
        .await?;
    Ok(())
}
