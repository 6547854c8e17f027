//! How the clinic's computers reach Carekeep (issue 25, item 2): one row, written by the
//! owner's choice on the set-up path and read by the serve loop.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// The stored choice. Keys are sealed by the app before they come here.
#[derive(Clone, Debug, Default)]
pub struct NetworkRow {
    /// `this_computer`, `local_authority`, `own_certificate` or `proxy`.
    pub mode: String,
    /// The names and addresses staff type, one a line.
    pub names: String,
    /// The proxies' addresses or networks, one a line.
    pub trusted_proxies: String,
    /// The served certificate chain as PEM, the server's certificate first.
    pub chain_pem: String,
    pub key_ct: Option<Vec<u8>>,
    pub not_before: Option<OffsetDateTime>,
    pub not_after: Option<OffsetDateTime>,
    /// The local certificate authority (kept across choices, so devices that trust it keep
    /// trusting it).
    pub ca_cert_pem: String,
    pub ca_key_ct: Option<Vec<u8>>,
    pub changed_at: Option<OffsetDateTime>,
}

pub async fn get(conn: &mut Conn) -> Result<Option<NetworkRow>, StoreError> {
    let row = sqlx::query(
        "SELECT mode, names, trusted_proxies, chain_pem, key_ct, not_before, not_after, ca_cert_pem, ca_key_ct, changed_at \
         FROM network_setting WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?;
    let time = |v: Option<i64>| v.map(from_unix).transpose();
    row.map(|r| {
        Ok(NetworkRow {
            mode: r.try_get("mode")?,
            names: r.try_get("names")?,
            trusted_proxies: r.try_get("trusted_proxies")?,
            chain_pem: r.try_get("chain_pem")?,
            key_ct: r.try_get("key_ct")?,
            not_before: time(r.try_get("not_before")?)?,
            not_after: time(r.try_get("not_after")?)?,
            ca_cert_pem: r.try_get("ca_cert_pem")?,
            ca_key_ct: r.try_get("ca_key_ct")?,
            changed_at: time(Some(r.try_get("changed_at")?))?,
        })
    })
    .transpose()
}

/// Makes the row if there is none (mode empty), so keys can be sealed to its id first.
pub async fn ensure(conn: &mut Conn, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO network_setting (id, mode, changed_at) VALUES (1, '', $1) ON CONFLICT (id) DO NOTHING")
        .bind(unix(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes the whole row (after `ensure`).
pub async fn put(conn: &mut Conn, r: &NetworkRow, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE network_setting SET mode = $1, names = $2, trusted_proxies = $3, chain_pem = $4, key_ct = $5, \
         not_before = $6, not_after = $7, ca_cert_pem = $8, ca_key_ct = $9, changed_at = $10 WHERE id = 1",
    )
    .bind(&r.mode)
    .bind(&r.names)
    .bind(&r.trusted_proxies)
    .bind(&r.chain_pem)
    .bind(r.key_ct.clone())
    .bind(r.not_before.map(unix))
    .bind(r.not_after.map(unix))
    .bind(&r.ca_cert_pem)
    .bind(r.ca_key_ct.clone())
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(())
}
