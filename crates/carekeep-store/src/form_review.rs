//! A clinician's review of a submitted form (issue 28, item 5): the decision on each item the
//! form proposed, and the chart entries credited to the form. Keys and decisions only: the
//! items' words stay sealed in the answers and the entries.

use crate::forms::ResponseRow;
use crate::{unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// One decision of a review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRow {
    pub item_key: String,
    pub decision: String,
    pub entry_id: Option<i64>,
    pub reviewed_by: i64,
    pub reviewed_at: i64,
}

pub async fn insert_item(
    conn: &mut Conn,
    response: i64,
    key: &str,
    decision: &str,
    entry: Option<i64>,
    by: i64,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO form_review_items (response_id, item_key, decision, entry_id, reviewed_by, reviewed_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(response)
    .bind(key)
    .bind(decision)
    .bind(entry)
    .bind(by)
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A response's decisions, in the order they were made.
pub async fn items(conn: &mut Conn, response: i64) -> Result<Vec<ItemRow>, StoreError> {
    sqlx::query(
        "SELECT item_key, decision, entry_id, reviewed_by, reviewed_at FROM form_review_items \
         WHERE response_id = $1 ORDER BY id",
    )
    .bind(response)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ItemRow {
            item_key: r.try_get("item_key")?,
            decision: r.try_get("decision")?,
            entry_id: r.try_get("entry_id")?,
            reviewed_by: r.try_get("reviewed_by")?,
            reviewed_at: r.try_get("reviewed_at")?,
        })
    })
    .collect()
}

/// The chart entries of a patient filed from a form: `(entry, response, form title)`.
pub async fn credited_entries(conn: &mut Conn, patient: i64) -> Result<Vec<(i64, i64, String)>, StoreError> {
    sqlx::query(
        "SELECT i.entry_id, i.response_id, t.title FROM form_review_items i \
         JOIN form_responses r ON r.id = i.response_id JOIN form_templates t ON t.id = r.template_id \
         WHERE r.patient_id = $1 AND i.entry_id IS NOT NULL ORDER BY i.entry_id",
    )
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("entry_id")?, r.try_get("response_id")?, r.try_get("title")?)))
    .collect()
}

/// Every submitted form waiting for review, oldest first, at most `limit`.
pub async fn waiting(conn: &mut Conn, limit: i64) -> Result<Vec<ResponseRow>, StoreError> {
    let ids: Vec<i64> =
        sqlx::query("SELECT id FROM form_responses WHERE status = 'submitted' ORDER BY submitted_at, id LIMIT $1")
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(crate::forms::response(&mut *conn, id).await?);
    }
    Ok(out)
}
