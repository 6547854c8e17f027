//! The portal's certificate from ACME (issue 27, item 1): one row, written by the renewal job
//! and read by the portal's serve loop. Secrets are sealed by the app before they come here.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug, Default)]
pub struct PortalCertRow {
    /// The host name the certificate is for, and the ACME directory that issued it.
    pub host: String,
    pub directory: String,
    /// The ACME account's credentials (JSON), sealed.
    pub account_ct: Option<Vec<u8>>,
    /// The certificate chain as PEM, the portal's certificate first.
    pub chain_pem: String,
    /// Its private key (PEM), sealed.
    pub key_ct: Option<Vec<u8>>,
    pub not_before: Option<OffsetDateTime>,
    pub not_after: Option<OffsetDateTime>,
}

pub async fn get(conn: &mut Conn) -> Result<Option<PortalCertRow>, StoreError> {
    let row = sqlx::query(
        "SELECT host, directory, account_ct, chain_pem, key_ct, not_before, not_after \
         FROM portal_certificate WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?;
    let time = |v: Option<i64>| v.map(from_unix).transpose();
    row.map(|r| {
        Ok(PortalCertRow {
            host: r.try_get("host")?,
            directory: r.try_get("directory")?,
            account_ct: r.try_get("account_ct")?,
            chain_pem: r.try_get("chain_pem")?,
            key_ct: r.try_get("key_ct")?,
            not_before: time(r.try_get("not_before")?)?,
            not_after: time(r.try_get("not_after")?)?,
        })
    })
    .transpose()
}

/// Makes the row if there is none, so secrets can be sealed to its id first.
pub async fn ensure(conn: &mut Conn, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO portal_certificate (id, changed_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
        .bind(unix(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes the whole row (after `ensure`).
pub async fn put(conn: &mut Conn, r: &PortalCertRow, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE portal_certificate SET host = $1, directory = $2, account_ct = $3, chain_pem = $4, key_ct = $5, \
         not_before = $6, not_after = $7, changed_at = $8 WHERE id = 1",
    )
    .bind(&r.host)
    .bind(&r.directory)
    .bind(r.account_ct.clone())
    .bind(&r.chain_pem)
    .bind(r.key_ct.clone())
    .bind(r.not_before.map(unix))
    .bind(r.not_after.map(unix))
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(())
}
