//! Appending to the trail in the caller's transaction. On PostgreSQL, where each statement is a
//! round trip to another process, a batch is the head's update (which also looks up the
//! browsers' names already stored) and one statement for the events, their patients and the
//! head's new hash (issue 31 item 5); SQLite runs the same parts as separate statements.

use super::hash32;
use crate::{Conn, StoreError};
use carekeep_domain::audit::chain::ChainMac;
use carekeep_domain::audit::classes;
use carekeep_domain::audit::{AuditEvent, StoredFields};
use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

const EVENT_COLUMNS: &str = "seq, at, actor_id, actor_name, actor_roles, action, outcome, patient_ids,
    resource_type, resource_id, data_classes, source_ip, user_agent, request_id, reason, target_user_id,
    prev_hash, hash, classes, agent_id";

/// An event ready to store: its number, fields, previous hash and hash.
type Row_ = (i64, StoredFields, [u8; 32], [u8; 32]);

/// `rows` rows of `cols` PostgreSQL parameters numbered from `first`.
fn numbered(first: usize, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (0..cols).map(|c| format!("${}", first + r * cols + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn bind_event<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    (seq, f, prev, hash): &'q Row_,
    agents: &HashMap<&str, i64>,
) -> Query<'q, Any, AnyArguments<'q>> {
    let packed = classes::pack(&f.data_classes);
    let text = if packed.is_some() { "" } else { f.data_classes.as_str() };
    let agent = agents.get(f.user_agent.as_str()).copied();
    let user_agent = if agent.is_some() { "" } else { f.user_agent.as_str() };
    q.bind(*seq)
        .bind(f.at)
        .bind(f.actor_id)
        .bind(f.actor_name.as_str())
        .bind(f.actor_roles.as_str())
        .bind(f.action.as_str())
        .bind(f.outcome.as_str())
        .bind(f.patient_ids.as_str())
        .bind(f.resource_type.as_str())
        .bind(f.resource_id.as_str())
        .bind(text)
        .bind(f.source_ip.as_str())
        .bind(user_agent)
        .bind(f.request_id.as_str())
        .bind(f.reason.as_str())
        .bind(f.target_user_id)
        .bind(&prev[..])
        .bind(&hash[..])
        .bind(packed)
        .bind(agent)
}

/// Appends events in order in the caller's transaction; returns each one's sequence number and
/// hash. One head update and a few multi-row inserts per call, so a batch costs a handful of
/// round trips however many events it holds.
pub async fn append(
    conn: &mut Conn,
    events: &[AuditEvent],
    mac: &impl ChainMac,
) -> Result<Vec<(i64, [u8; 32])>, StoreError> {
    let Ok(n) = i64::try_from(events.len()) else {
        return Err(StoreError::Corrupt("batch size"));
    };
    if n == 0 {
        return Ok(Vec::new());
    }
    let postgres = conn.backend_name() != "SQLite";
    let fields: Vec<StoredFields> = events.iter().map(AuditEvent::stored_fields).collect();
    let names: BTreeSet<String> = fields
        .iter()
        .filter(|f| !f.user_agent.is_empty())
        .map(|f| f.user_agent.clone())
        .collect();
    // PostgreSQL: the names already stored come back with the head, under its row lock; a new
    // name is stored by `agent_ids` below. A header value has no line breaks to split on.
    let head_sql = match postgres && !names.is_empty() {
        true => format!(
            "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash, (SELECT string_agg(CAST(id AS TEXT) || ' ' || text, chr(10)) FROM audit_agents WHERE text IN ({})) AS agents",
            (0..names.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ")
        ),
        false => "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash".to_owned(),
    };
    let mut q = sqlx::query(&head_sql).bind(n);
    if postgres {
        for name in &names {
            q = q.bind(name.as_str());
        }
    }
    let head = q.fetch_one(&mut *conn).await?;
    let mut known: HashMap<&str, i64> = HashMap::new();
    if postgres && !names.is_empty() {
        let listed: Option<String> = head.try_get("agents")?;
        for line in listed.as_deref().unwrap_or_default().lines() {
            if let Some((id, text)) = line.split_once(' ') {
                if let (Ok(id), Some(name)) = (id.parse(), names.get(text)) {
                    known.insert(name.as_str(), id);
                }
            }
        }
    }
    let first = head.try_get::<i64, _>("seq")? - n + 1;
    let mut prev = hash32(head.try_get("hash")?);
    let mut rows: Vec<Row_> = Vec::with_capacity(events.len());
    for (i, f) in (0..).zip(fields) {
        let seq = first + i;
        let hash = mac.link(&prev, &f.canonical(seq));
        rows.push((seq, f, prev, hash));
        prev = hash;
    }
    let agents = agent_ids(conn, names.iter().map(String::as_str), known).await?;
    let patients: Vec<(i64, i64)> = rows
        .iter()
        .zip(events)
        .flat_map(|((seq, ..), e)| e.patients.iter().map(move |p| (*p, *seq)))
        .collect();
    if postgres && rows.len() * 20 + patients.len() * 2 < crate::PARAMS_PER_STATEMENT {
        // One round trip for the rest of the batch: the events, their patients, the head.
        let after_events = rows.len() * 20 + 1;
        let with_patients = match patients.is_empty() {
            true => String::new(),
            false => format!(
                ", ap AS (INSERT INTO audit_patients (patient_id, seq) VALUES {})",
                numbered(after_events, patients.len(), 2)
            ),
        };
        let sql = format!(
            "WITH ev AS (INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES {}){with_patients} UPDATE audit_head SET hash = ${} WHERE id = 1",
            numbered(1, rows.len(), 20),
            after_events + patients.len() * 2
        );
        let mut q = sqlx::query(&sql);
        for row in &rows {
            q = bind_event(q, row, &agents);
        }
        for (p, seq) in &patients {
            q = q.bind(*p).bind(*seq);
        }
        q.bind(&prev[..]).execute(&mut *conn).await?;
        return Ok(rows.into_iter().map(|(seq, _, _, hash)| (seq, hash)).collect());
    }
    for chunk in rows.chunks(crate::PARAMS_PER_STATEMENT / 20) {
        let sql = format!(
            "INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES {}",
            crate::values_list(conn, chunk.len(), 20)
        );
        let mut q = sqlx::query(&sql);
        for row in chunk {
            q = bind_event(q, row, &agents);
        }
        q.execute(&mut *conn).await?;
    }
    for chunk in patients.chunks(crate::PARAMS_PER_STATEMENT / 2) {
        let sql = format!(
            "INSERT INTO audit_patients (patient_id, seq) VALUES {}",
            crate::values_list(conn, chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql);
        for (p, seq) in chunk {
            q = q.bind(*p).bind(*seq);
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev[..])
        .execute(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|(seq, _, _, hash)| (seq, hash)).collect())
}

/// The ids of the browsers' names among `names`, each stored on first sight. Called after the
/// head's update, whose row lock (PostgreSQL) or single writer (SQLite) keeps two appends from
/// storing the same name at once.
async fn agent_ids<'a>(
    conn: &mut Conn,
    names: impl Iterator<Item = &'a str>,
    known: HashMap<&'a str, i64>,
) -> Result<HashMap<&'a str, i64>, StoreError> {
    let mut ids = known;
    for name in names {
        if name.is_empty() || ids.contains_key(name) {
            continue;
        }
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM audit_agents WHERE text = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
        let id = match found {
            Some(id) => id,
            None => {
                sqlx::query_scalar("INSERT INTO audit_agents (text) VALUES ($1) RETURNING id")
                    .bind(name)
                    .fetch_one(&mut *conn)
                    .await?
            }
        };
        ids.insert(name, id);
    }
    Ok(ids)
}
