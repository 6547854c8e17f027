//! The clinic's email relay set up in the browser (issue 25, item 3): one row, written by the
//! owner on the set-up path and read on every send.

use crate::{unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// The stored relay. The password is sealed by the app before it comes here.
#[derive(Clone, Debug, Default)]
pub struct RelayRow {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    pub username: String,
    pub password_ct: Option<Vec<u8>>,
    pub from_addr: String,
    /// The vendor record of the relay's operator.
    pub vendor: String,
}

pub async fn get(conn: &mut Conn) -> Result<Option<RelayRow>, StoreError> {
    let row = sqlx::query(
        "SELECT host, port, security, username, password_ct, from_addr, vendor FROM mail_relay WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let port: i64 = r.try_get("port")?;
        Ok(RelayRow {
            host: r.try_get("host")?,
            port: u16::try_from(port).unwrap_or(0),
            security: r.try_get("security")?,
            username: r.try_get("username")?,
            password_ct: r.try_get("password_ct")?,
            from_addr: r.try_get("from_addr")?,
            vendor: r.try_get("vendor")?,
        })
    })
    .transpose()
}

/// Writes the relay (the one row, made if there is none).
pub async fn put(conn: &mut Conn, r: &RelayRow, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mail_relay (id, host, port, security, username, password_ct, from_addr, vendor, changed_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, security = excluded.security, \
         username = excluded.username, password_ct = excluded.password_ct, from_addr = excluded.from_addr, \
         vendor = excluded.vendor, changed_at = excluded.changed_at",
    )
    .bind(&r.host)
    .bind(i64::from(r.port))
    .bind(&r.security)
    .bind(&r.username)
    .bind(r.password_ct.clone())
    .bind(&r.from_addr)
    .bind(&r.vendor)
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the relay: nothing is mailed until one is set up again.
pub async fn clear(conn: &mut Conn) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM mail_relay WHERE id = 1").execute(conn).await?;
    Ok(())
}
