//! What the access-monitoring scan keeps between runs (migration 0056): the last audit event
//! it read, and each account's clock hours so far for the bulk-lookup rule, so a scan reads the
//! events since the last one rather than the trail's last two days.

use crate::audit::{from_row, select_columns, StoredEvent, AGENT_JOIN};
use crate::{Conn, StoreError};
use carekeep_domain::monitoring::{HourSeen, Hours};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// The last event a scan read; 0 before the first scan.
pub async fn last_scanned(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT last_seq FROM monitoring_scanned WHERE id = 1")
        .fetch_one(conn)
        .await?
        .try_get(0)?)
}

/// Moves the mark from `from` to `to`; false when another scan moved it first (its findings
/// and hours were kept by it, so this scan's are not).
pub async fn advance(conn: &mut Conn, from: i64, to: i64) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE monitoring_scanned SET last_seq = $2 WHERE id = 1 AND last_seq = $1")
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The next `limit` events after `after_seq`, oldest first: the numbers `after_seq + 1` to
/// `after_seq + limit`, a range of the trail's own key (numbers are gapless, so it holds at most
/// `limit` events, and both databases read it by the key without estimating how many events
/// follow the mark). The caller keeps the window's and moves the mark past the rest.
pub async fn events_after(conn: &mut Conn, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = format!(
        "SELECT {} FROM audit_events e{AGENT_JOIN} WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq",
        select_columns()
    );
    sqlx::query(&sql)
        .bind(after_seq)
        .bind(after_seq.saturating_add(limit))
        .fetch_all(conn)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

fn ids(list: &str) -> impl Iterator<Item = i64> + '_ {
    list.split(',').filter_map(|s| s.parse().ok())
}

fn joined<'a>(list: impl IntoIterator<Item = &'a i64>) -> String {
    list.into_iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The kept hours among `wanted`.
pub async fn hours(conn: &mut Conn, wanted: &BTreeSet<(i64, i64)>) -> Result<Hours, StoreError> {
    let (Some(first), Some(last)) = (wanted.iter().map(|k| k.1).min(), wanted.iter().map(|k| k.1).max()) else {
        return Ok(Hours::new());
    };
    let rows =
        sqlx::query("SELECT actor_id, hour, patients, seqs FROM monitoring_hours WHERE hour >= $1 AND hour <= $2")
            .bind(first)
            .bind(last)
            .fetch_all(conn)
            .await?;
    let mut out = Hours::new();
    for r in rows {
        let key = (r.try_get("actor_id")?, r.try_get("hour")?);
        if wanted.contains(&key) {
            let (patients, seqs): (String, String) = (r.try_get("patients")?, r.try_get("seqs")?);
            out.insert(
                key,
                HourSeen {
                    patients: ids(&patients).collect(),
                    seqs: ids(&seqs).collect(),
                },
            );
        }
    }
    Ok(out)
}

/// Keeps `hours` as they are now, and forgets the hours before `before_hour`.
pub async fn keep_hours(conn: &mut Conn, hours: &Hours, before_hour: i64) -> Result<(), StoreError> {
    for ((actor, hour), seen) in hours {
        sqlx::query(
            "INSERT INTO monitoring_hours (actor_id, hour, patients, seqs) VALUES ($1, $2, $3, $4)
             ON CONFLICT (actor_id, hour) DO UPDATE SET patients = excluded.patients, seqs = excluded.seqs",
        )
        .bind(actor)
        .bind(hour)
        .bind(joined(&seen.patients))
        .bind(joined(&seen.seqs))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM monitoring_hours WHERE hour < $1")
        .bind(before_hour)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every finding's key and events (as kept, `seqs` comma-separated), for checking the kept
/// scan against a scan of the whole window.
pub async fn finding_keys(conn: &mut Conn) -> Result<BTreeMap<String, String>, StoreError> {
    sqlx::query("SELECT finding_key, seqs FROM monitoring_findings")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("finding_key")?, r.try_get("seqs")?)))
        .collect()
}
