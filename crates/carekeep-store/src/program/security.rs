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

/// What the clinic knows of one vendor's security beyond its BAA; dates as `YYYY-MM-DD` text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VendorSecurityRow {
    pub vendor_id: i64,
    /// `none`, `soc2`, `hitrust`, `iso27001` or `other`.
    pub report: String,
    pub report_on: Option<String>,
    pub questionnaire_on: Option<String>,
    /// The breaches the clinic knows of, in its words; empty for none.
    pub breach_history: String,
    pub reviewed_on: Option<String>,
    /// The rating at the last review (`low`, `moderate`, `high`).
    pub rating: Option<String>,
}

/// Every vendor's security knowledge, by vendor id.
pub async fn vendor_security(conn: &mut Conn) -> Result<Vec<VendorSecurityRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, security_report, security_report_on, questionnaire_on, breach_history, security_reviewed_on,
                security_rating FROM vendors ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(VendorSecurityRow {
                vendor_id: r.try_get("id")?,
                report: r.try_get("security_report")?,
                report_on: r.try_get("security_report_on")?,
                questionnaire_on: r.try_get("questionnaire_on")?,
                breach_history: r.try_get("breach_history")?,
                reviewed_on: r.try_get("security_reviewed_on")?,
                rating: r.try_get("security_rating")?,
            })
        })
        .collect()
}

/// Records a review of a vendor's security (the whole row as reviewed).
pub async fn save_vendor_security(
    conn: &mut Conn,
    s: &VendorSecurityRow,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE vendors SET security_report = $1, security_report_on = $2, questionnaire_on = $3, breach_history = $4,
            security_reviewed_on = $5, security_rating = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&s.report)
    .bind(s.report_on.clone())
    .bind(s.questionnaire_on.clone())
    .bind(&s.breach_history)
    .bind(s.reviewed_on.clone())
    .bind(s.rating.clone())
    .bind(unix(now))
    .bind(s.vendor_id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A report behind the security evidence, without its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityReportRow {
    pub id: i64,
    /// `scan`, `pentest` or `audit`.
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub uploaded_at: OffsetDateTime,
}

/// Adds a report; its sealed content follows with [`set_security_report_content`] in the same
/// transaction (the seal is bound to the row's id).
pub async fn insert_security_report(
    conn: &mut Conn,
    kind: &str,
    file_name: &str,
    content_type: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO security_reports (kind, file_name, content_type, uploaded_at, uploaded_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(kind)
    .bind(file_name)
    .bind(content_type)
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?)
}

pub async fn set_security_report_content(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE security_reports SET content_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every report, newest first.
pub async fn security_reports(conn: &mut Conn) -> Result<Vec<SecurityReportRow>, StoreError> {
    let rows =
        sqlx::query("SELECT id, kind, file_name, content_type, uploaded_at FROM security_reports ORDER BY id DESC")
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(SecurityReportRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                uploaded_at: crate::from_unix(r.try_get("uploaded_at")?)?,
            })
        })
        .collect()
}

/// One report's sealed content with its row.
pub async fn security_report(conn: &mut Conn, id: i64) -> Result<(SecurityReportRow, Vec<u8>), StoreError> {
    let r = sqlx::query(
        "SELECT id, kind, file_name, content_type, uploaded_at, content_ct FROM security_reports WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    let ct: Option<Vec<u8>> = r.try_get("content_ct")?;
    Ok((
        SecurityReportRow {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            file_name: r.try_get("file_name")?,
            content_type: r.try_get("content_type")?,
            uploaded_at: crate::from_unix(r.try_get("uploaded_at")?)?,
        },
        ct.ok_or(StoreError::NotFound)?,
    ))
}
