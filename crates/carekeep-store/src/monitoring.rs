//! Access-monitoring findings.

pub mod kept;

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct FindingRow {
    pub id: i64,
    pub rule: String,
    pub actor_id: Option<i64>,
    pub seqs: String,
    pub summary: String,
    pub detected_at: OffsetDateTime,
    pub reviewed_at: Option<OffsetDateTime>,
    pub reviewed_by: Option<i64>,
    /// Set only on findings reviewed before notes were sealed; see `review_note_ct`.
    pub review_note: String,
    /// The reviewer's note, encrypted by the caller (it may name a patient).
    pub review_note_ct: Option<Vec<u8>>,
}

fn from_row(r: &AnyRow) -> Result<FindingRow, StoreError> {
    Ok(FindingRow {
        id: r.try_get("id")?,
        rule: r.try_get("rule")?,
        actor_id: r.try_get("actor_id")?,
        seqs: r.try_get("seqs")?,
        summary: r.try_get("summary")?,
        detected_at: from_unix(r.try_get("detected_at")?)?,
        reviewed_at: r.try_get::<Option<i64>, _>("reviewed_at")?.map(from_unix).transpose()?,
        reviewed_by: r.try_get("reviewed_by")?,
        review_note: r.try_get("review_note")?,
        review_note_ct: r.try_get("review_note_ct")?,
    })
}

/// Records a finding unless one with the same key exists; true when it is new.
pub async fn insert(
    conn: &mut Conn,
    key: &str,
    rule: &str,
    actor_id: Option<i64>,
    seqs: &str,
    summary: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO monitoring_findings (finding_key, rule, actor_id, seqs, summary, detected_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (finding_key) DO NOTHING",
    )
    .bind(key)
    .bind(rule)
    .bind(actor_id)
    .bind(seqs)
    .bind(summary)
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Findings, newest first; with `open_only`, only those not yet reviewed.
pub async fn list(conn: &mut Conn, open_only: bool, limit: i64) -> Result<Vec<FindingRow>, StoreError> {
    sqlx::query(
        "SELECT id, rule, actor_id, seqs, summary, detected_at, reviewed_at, reviewed_by, review_note, review_note_ct
         FROM monitoring_findings WHERE ($1 = 0 OR reviewed_at IS NULL) ORDER BY id DESC LIMIT $2",
    )
    .bind(i64::from(open_only))
    .bind(limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// Open findings, and those of them detected before `overdue_before`: counted by the open
/// findings' index, not read whole (the dashboard needs the numbers only).
pub async fn open_counts(conn: &mut Conn, overdue_before: OffsetDateTime) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN detected_at < $1 THEN 1 ELSE 0 END), 0) AS overdue
         FROM monitoring_findings WHERE reviewed_at IS NULL",
    )
    .bind(unix(overdue_before))
    .fetch_one(conn)
    .await?;
    Ok((r.try_get("n")?, r.try_get("overdue")?))
}

pub async fn count_open(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM monitoring_findings WHERE reviewed_at IS NULL")
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}

/// Marks a finding reviewed with its sealed note; false when it does not exist or was
/// reviewed already.
pub async fn review(
    conn: &mut Conn,
    id: i64,
    by: i64,
    note_ct: &[u8],
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE monitoring_findings SET reviewed_at = $2, reviewed_by = $3, review_note = '', review_note_ct = $4
         WHERE id = $1 AND reviewed_at IS NULL",
    )
    .bind(id)
    .bind(unix(now))
    .bind(by)
    .bind(note_ct)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Reviewed findings whose note is still plain text (reviewed before notes were sealed).
pub async fn unsealed_notes(conn: &mut Conn) -> Result<Vec<(i64, String)>, StoreError> {
    sqlx::query("SELECT id, review_note FROM monitoring_findings WHERE review_note <> '' AND review_note_ct IS NULL")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("review_note")?)))
        .collect()
}

/// Replaces a plain review note by its sealed form.
pub async fn seal_note(conn: &mut Conn, id: i64, note_ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE monitoring_findings SET review_note = '', review_note_ct = $1 WHERE id = $2")
        .bind(note_ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
