//! The clinic's security evidence (scans, penetration tests, the compliance audit, the newest
//! Carekeep release it knows of, who receives threat alerts) and the disposal log of devices
//! and media (164.310(d)(2)(i)-(ii)). Written about the clinic's systems, never its patients.

use crate::{unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// The one row of security evidence; dates as `YYYY-MM-DD` text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactsRow {
    pub last_scan_on: Option<String>,
    pub scan_report: String,
    pub last_pentest_on: Option<String>,
    pub pentest_report: String,
    pub last_audit_on: Option<String>,
    pub latest_release: String,
    pub alerts_recipient: String,
    pub alerts_sources: String,
    pub alerts_checked_on: Option<String>,
}

pub async fn facts(conn: &mut Conn) -> Result<FactsRow, StoreError> {
    let r = sqlx::query(
        "SELECT last_scan_on, scan_report, last_pentest_on, pentest_report, last_audit_on, latest_release,
                alerts_recipient, alerts_sources, alerts_checked_on FROM security_facts WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?;
    let Some(r) = r else {
        return Ok(FactsRow::default());
    };
    Ok(FactsRow {
        last_scan_on: r.try_get("last_scan_on")?,
        scan_report: r.try_get("scan_report")?,
        last_pentest_on: r.try_get("last_pentest_on")?,
        pentest_report: r.try_get("pentest_report")?,
        last_audit_on: r.try_get("last_audit_on")?,
        latest_release: r.try_get("latest_release")?,
        alerts_recipient: r.try_get("alerts_recipient")?,
        alerts_sources: r.try_get("alerts_sources")?,
        alerts_checked_on: r.try_get("alerts_checked_on")?,
    })
}

pub async fn save_facts(conn: &mut Conn, f: &FactsRow, by: Option<i64>, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO security_facts (id, last_scan_on, scan_report, last_pentest_on, pentest_report, last_audit_on,
            latest_release, alerts_recipient, alerts_sources, alerts_checked_on, updated_at, updated_by)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET last_scan_on = $1, scan_report = $2, last_pentest_on = $3, pentest_report = $4,
            last_audit_on = $5, latest_release = $6, alerts_recipient = $7, alerts_sources = $8, alerts_checked_on = $9,
            updated_at = $10, updated_by = $11",
    )
    .bind(f.last_scan_on.clone())
    .bind(&f.scan_report)
    .bind(f.last_pentest_on.clone())
    .bind(&f.pentest_report)
    .bind(f.last_audit_on.clone())
    .bind(&f.latest_release)
    .bind(&f.alerts_recipient)
    .bind(&f.alerts_sources)
    .bind(f.alerts_checked_on.clone())
    .bind(unix(now))
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry of the disposal log.
#[derive(Clone, Debug, Default)]
pub struct DisposalRow {
    pub id: i64,
    pub assessment_id: i64,
    pub asset_id: i64,
    pub asset_name: String,
    pub disposed_on: String,
    /// wiped, destroyed or reused.
    pub action: String,
    pub method: String,
    pub done_by: String,
    pub certificate: String,
}

pub async fn insert_disposal(
    conn: &mut Conn,
    d: &DisposalRow,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO device_disposals (assessment_id, asset_id, asset_name, disposed_on, action, method, done_by,
            certificate, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(d.assessment_id)
    .bind(d.asset_id)
    .bind(&d.asset_name)
    .bind(&d.disposed_on)
    .bind(&d.action)
    .bind(&d.method)
    .bind(&d.done_by)
    .bind(&d.certificate)
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// The disposal log, newest first.
pub async fn disposals(conn: &mut Conn) -> Result<Vec<DisposalRow>, StoreError> {
    sqlx::query(
        "SELECT id, assessment_id, asset_id, asset_name, disposed_on, action, method, done_by, certificate
         FROM device_disposals ORDER BY disposed_on DESC, id DESC",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(DisposalRow {
            id: r.try_get("id")?,
            assessment_id: r.try_get("assessment_id")?,
            asset_id: r.try_get("asset_id")?,
            asset_name: r.try_get("asset_name")?,
            disposed_on: r.try_get("disposed_on")?,
            action: r.try_get("action")?,
            method: r.try_get("method")?,
            done_by: r.try_get("done_by")?,
            certificate: r.try_get("certificate")?,
        })
    })
    .collect()
}
