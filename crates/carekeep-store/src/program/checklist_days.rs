//! The dashboard's daily tally (done, due soon, gaps), for the checklist's history.

use crate::{unix, Conn, StoreError};
use sqlx::Row;
use time::OffsetDateTime;

/// One day's counts; the day as `YYYY-MM-DD` in the clinic's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayRow {
    pub day: String,
    pub done: i64,
    pub due_soon: i64,
    pub gaps: i64,
}

/// Records a day's counts; a later count the same day replaces it.
pub async fn record(conn: &mut Conn, row: &DayRow, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO checklist_days (day, done, due_soon, gaps, recorded_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (day) DO UPDATE SET done = excluded.done, due_soon = excluded.due_soon, \
         gaps = excluded.gaps, recorded_at = excluded.recorded_at",
    )
    .bind(&row.day)
    .bind(row.done)
    .bind(row.due_soon)
    .bind(row.gaps)
    .bind(unix(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The days recorded from `since` (`YYYY-MM-DD`) on, oldest first.
pub async fn since(conn: &mut Conn, since: &str) -> Result<Vec<DayRow>, StoreError> {
    let rows = sqlx::query("SELECT day, done, due_soon, gaps FROM checklist_days WHERE day >= $1 ORDER BY day")
        .bind(since)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DayRow {
                day: r.try_get("day")?,
                done: r.try_get("done")?,
                due_soon: r.try_get("due_soon")?,
                gaps: r.try_get("gaps")?,
            })
        })
        .collect()
}
