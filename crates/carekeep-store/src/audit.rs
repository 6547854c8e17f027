//! The audit trail's storage: append (inside the caller's transaction), read back for views
//! and verification, checkpoints, verification results, and the wrapped audit keys.
//!
//! The chain head is one row; `UPDATE ... RETURNING` on it hands out the next sequence number
//! and the previous hash, and on PostgreSQL holds its row lock until the transaction ends, so
//! sequence numbers stay gapless and appends stay ordered on both databases.

use crate::db::cells::Cells;
use crate::{unix, Conn, StoreError};
use carekeep_domain::audit::classes;
use carekeep_domain::audit::StoredFields;
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// A stored event with its place in the chain.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub seq: i64,
    pub fields: StoredFields,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

mod append;
mod trail;

pub use append::append;
pub use trail::{read_trail, TrailChunk, TrailLink, TrailRange, TrailReader};

/// The trail's head: the last sequence number and its hash.
pub(crate) const HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

pub(crate) fn hash32(v: Vec<u8>) -> [u8; 32] {
    hash32_of(&v)
}

fn hash32_of(v: &[u8]) -> [u8; 32] {
    // A stored hash of the wrong length cannot match any MAC: verification reports it.
    let mut out = [0u8; 32];
    for (o, b) in out.iter_mut().zip(v) {
        *o = *b;
    }
    if v.len() != 32 {
        out[0] ^= 0xff;
    }
    out
}

const COLUMNS: &str = "seq, at, actor_id, actor_name, actor_roles, action, outcome, patient_ids, resource_type, \
     resource_id, data_classes, source_ip, user_agent, request_id, reason, target_user_id, prev_hash, hash, classes, \
     agent_id";

/// An event's columns (its table as `e`) and the browser name it points at, if any.
pub(crate) fn select_columns() -> String {
    let mut columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("e.{}", c.trim())).collect();
    columns.push("ag.text AS agent_text".into());
    columns.join(", ")
}

/// Joined after `audit_events e` wherever events are read.
pub(crate) const AGENT_JOIN: &str = " LEFT JOIN audit_agents ag ON ag.id = e.agent_id";

/// The class list of a row: its text, or its packed bits (see `carekeep_domain::audit::classes`). A row never has
/// both; one that does was altered, and reads back as text no event had.
fn classes_of(r: &impl Cells) -> Result<String, StoreError> {
    let text = r.text("data_classes")?;
    Ok(match r.opt_int("classes")? {
        None => text,
        Some(bits) if text.is_empty() => classes::unpack(bits),
        Some(bits) => format!("{text};{}", classes::unpack(bits)),
    })
}

/// The browser's name of a row: its text, or the stored name it points at. A row never has
/// both; one that does was altered, and reads back as text no browser sends (a header value has
/// no line breaks). A name that is gone reads back as a visible `unknown-agent:` entry.
fn user_agent_of(r: &AnyRow) -> Result<String, StoreError> {
    let text: String = r.try_get("user_agent")?;
    Ok(match r.try_get::<Option<i64>, _>("agent_id")? {
        None => text,
        Some(id) => {
            let agent = r
                .try_get::<Option<String>, _>("agent_text")?
                .unwrap_or_else(|| format!("unknown-agent:{id}"));
            if text.is_empty() {
                agent
            } else {
                format!("{text}\n{agent}")
            }
        }
    })
}

pub(crate) fn from_row(r: &AnyRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        seq: r.try_get("seq")?,
        fields: StoredFields {
            at: r.try_get("at")?,
            actor_id: r.try_get("actor_id")?,
            actor_name: r.try_get("actor_name")?,
            actor_roles: r.try_get("actor_roles")?,
            action: r.try_get("action")?,
            outcome: r.try_get("outcome")?,
            patient_ids: r.try_get("patient_ids")?,
            resource_type: r.try_get("resource_type")?,
            resource_id: r.try_get("resource_id")?,
            data_classes: classes_of(r)?,
            source_ip: r.try_get("source_ip")?,
            user_agent: user_agent_of(r)?,
            request_id: r.try_get("request_id")?,
            reason: r.try_get("reason")?,
            target_user_id: r.try_get("target_user_id")?,
        },
        prev_hash: hash32(r.try_get("prev_hash")?),
        hash: hash32(r.try_get("hash")?),
    })
}

/// The recorded head: the last sequence number handed out and its hash.
pub async fn head(conn: &mut Conn) -> Result<(i64, [u8; 32]), StoreError> {
    let r = sqlx::query(HEAD).fetch_one(conn).await?;
    Ok((r.try_get("seq")?, hash32(r.try_get("hash")?)))
}

/// Up to `limit` events after `after_seq`, in order (verification reads the whole trail through
/// [`read_trail`] instead).
pub async fn after(conn: &mut Conn, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = format!(
        "SELECT {} FROM audit_events e{AGENT_JOIN} WHERE e.seq > $1 ORDER BY e.seq LIMIT $2",
        select_columns()
    );
    sqlx::query(&sql)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(conn)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The events with these sequence numbers, in order (at most 2,000 are read). The numbers are
/// integers written into the statement, never text from a request.
pub async fn by_seqs(conn: &mut Conn, seqs: &[i64]) -> Result<Vec<StoredEvent>, StoreError> {
    let mut seqs: Vec<i64> = seqs.to_vec();
    seqs.sort_unstable();
    seqs.dedup();
    seqs.truncate(2_000);
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = seqs.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT {} FROM audit_events e{AGENT_JOIN} WHERE e.seq IN ({}) ORDER BY e.seq",
        select_columns(),
        list.join(",")
    );
    sqlx::query(&sql).fetch_all(conn).await?.iter().map(from_row).collect()
}

/// Filters for reading the trail. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Events done by this user, or done to this user's account.
    pub user_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    /// Only events before this sequence number (paging, newest first).
    pub before_seq: Option<i64>,
    pub limit: i64,
    /// Read every event of the window and order them, rather than walk the trail from its
    /// newest event until the limit: for a short window asked for whole (the monitoring scan),
    /// where the walk would pass every event older than the window on its way to the limit.
    pub whole_window: bool,
}

/// Events matching `filter`, newest first. Only the filters given become conditions (each
/// bound as a parameter), so every query walks an index: a patient's history reads
/// `audit_patients` by `(patient_id, seq)` backwards, and a ten-million-event trail is never
/// scanned for a hundred events.
pub async fn find(conn: &mut Conn, filter: &Filter) -> Result<Vec<StoredEvent>, StoreError> {
    enum Bind {
        Int(i64),
        Text(String),
    }
    let mut binds = Vec::new();
    let mut conds = Vec::new();
    let mut next = |b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let (from, seq) = match filter.patient_id {
        Some(p) => {
            conds.push(format!("ap.patient_id = {}", next(Bind::Int(p))));
            ("audit_patients ap JOIN audit_events e ON e.seq = ap.seq", "ap.seq")
        }
        None => ("audit_events e", "e.seq"),
    };
    let user = filter.user_id;
    if let Some(a) = &filter.action {
        conds.push(format!("e.action = {}", next(Bind::Text(a.clone()))));
    }
    if let Some(t) = filter.from {
        conds.push(format!("e.at >= {}", next(Bind::Int(unix(t)))));
    }
    if let Some(t) = filter.to {
        conds.push(format!("e.at <= {}", next(Bind::Int(unix(t)))));
    }
    if let Some(b) = filter.before_seq {
        conds.push(format!("{seq} < {}", next(Bind::Int(b))));
    }
    let limit = next(Bind::Int(filter.limit.clamp(1, 10_000)));
    // A unary plus: the same order, but not one SQLite can take from the table's own order, so
    // it reads the window by `audit_events_at` and sorts it.
    let order = format!(
        "{}{seq} DESC",
        if filter.whole_window && filter.from.is_some() {
            "+"
        } else {
            ""
        }
    );
    let sql = match user {
        // A person's history: what they did, and what was done to their account. The two are
        // walked apart, each newest first and each to the limit, and the newest of both kept
        // (`IN` keeps an event the account did to itself once). One condition `actor OR
        // target` is answered by reading every event of the account and sorting them: 730 ms
        // on PostgreSQL and 1.3 s on SQLite for the busiest account at a million events
        // (issue 31). The account is a number written into the text, so PostgreSQL plans each
        // account by its own share of the trail (the trail's key walked backwards for a busy
        // one, the account index for a quiet one), never by an average account's.
        Some(n) => {
            let branch = |who: &str| {
                let mut c = conds.clone();
                c.push(format!("e.{who} = {n}"));
                format!(
                    "SELECT s FROM (SELECT {seq} AS s FROM {from} WHERE {} ORDER BY {order} LIMIT {limit}) {who}_side",
                    c.join(" AND ")
                )
            };
            format!(
                "SELECT {} FROM audit_events e{AGENT_JOIN} WHERE e.seq IN ({} UNION ALL {}) ORDER BY e.seq DESC LIMIT {limit}",
                select_columns(),
                branch("actor_id"),
                branch("target_user_id"),
            )
        }
        None => format!(
            "SELECT {} FROM {from}{AGENT_JOIN}{}{} ORDER BY {order} LIMIT {limit}",
            select_columns(),
            if conds.is_empty() { "" } else { " WHERE " },
            conds.join(" AND "),
        ),
    };
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = match b {
            Bind::Int(v) => q.bind(v),
            Bind::Text(v) => q.bind(v),
        };
    }
    q.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// What one event did with patients' information: the few columns a breach scope search reads.
#[derive(Clone, Debug)]
pub struct PatientUse {
    pub action: String,
    pub outcome: String,
    /// Comma-separated patient ids, as stored.
    pub patient_ids: String,
    /// Comma-separated data classes.
    pub data_classes: String,
}

/// The columns a breach scope search reads of an account's window, by `audit_events_actor_at`.
const PATIENT_USES: &str = "SELECT action, outcome, patient_ids, data_classes, classes FROM audit_events \
     WHERE actor_id = $1 AND at >= $2 AND at <= $3";

fn patient_use(r: &impl Cells) -> Result<PatientUse, StoreError> {
    Ok(PatientUse {
        action: r.text("action")?,
        outcome: r.text("outcome")?,
        patient_ids: r.text("patient_ids")?,
        data_classes: classes_of(r)?,
    })
}

/// Every event one account made in a window, narrow, each handed to `each` as it is read (a
/// busy account's months are never held at once). It reads the account's window by
/// `audit_events_actor_at` and only the columns the search needs: no row is decoded whole.
/// On SQLite the [`crate::Reader`] runs it on the calling thread
/// ([`each_patient_use_direct`]): a busy account's hour is a thousand rows.
pub async fn each_patient_use(
    conn: &mut Conn,
    actor_id: i64,
    from: OffsetDateTime,
    to: OffsetDateTime,
    mut each: impl FnMut(PatientUse),
) -> Result<(), StoreError> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query(PATIENT_USES)
        .bind(actor_id)
        .bind(unix(from))
        .bind(unix(to))
        .fetch(conn);
    while let Some(r) = rows.try_next().await? {
        each(patient_use(&r)?);
    }
    Ok(())
}

/// [`each_patient_use`] on a direct SQLite connection.
pub(crate) fn each_patient_use_direct(
    c: &rusqlite::Connection,
    actor_id: i64,
    from: OffsetDateTime,
    to: OffsetDateTime,
    mut each: impl FnMut(PatientUse),
) -> Result<(), StoreError> {
    crate::db::direct::each_row(c, PATIENT_USES, (actor_id, unix(from), unix(to)), |r| {
        each(patient_use(r)?);
        Ok(())
    })
}

/// A signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: [u8; 32],
    pub at: i64,
    pub signature: Vec<u8>,
}

pub async fn insert_checkpoint(conn: &mut Conn, c: &Checkpoint) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES ($1, $2, $3, $4)")
        .bind(c.seq)
        .bind(&c.hash[..])
        .bind(c.at)
        .bind(&c.signature)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn checkpoints(conn: &mut Conn) -> Result<Vec<Checkpoint>, StoreError> {
    sqlx::query("SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Checkpoint {
                seq: r.try_get("seq")?,
                hash: hash32(r.try_get("hash")?),
                at: r.try_get("at")?,
                signature: r.try_get("signature")?,
            })
        })
        .collect()
}

/// A verification run's result, kept as evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub at: OffsetDateTime,
    pub ok: bool,
    pub events: i64,
    pub problem_seq: Option<i64>,
    pub problem: String,
}

pub async fn record_verification(conn: &mut Conn, v: &Verification) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_verifications (at, ok, events, problem_seq, problem) VALUES ($1, $2, $3, $4, $5)")
        .bind(unix(v.at))
        .bind(i64::from(v.ok))
        .bind(v.events)
        .bind(v.problem_seq)
        .bind(&v.problem)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn latest_verification(conn: &mut Conn) -> Result<Option<Verification>, StoreError> {
    let row =
        sqlx::query("SELECT at, ok, events, problem_seq, problem FROM audit_verifications ORDER BY id DESC LIMIT 1")
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(Verification {
            at: crate::from_unix(r.try_get("at")?)?,
            ok: r.try_get::<i64, _>("ok")? != 0,
            events: r.try_get("events")?,
            problem_seq: r.try_get("problem_seq")?,
            problem: r.try_get("problem")?,
        })
    })
    .transpose()
}

/// A wrapped secret (ciphertext under the master key) and its public half, if any.
pub async fn secret(conn: &mut Conn, purpose: &str) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, StoreError> {
    let row = sqlx::query("SELECT wrapped, public FROM secret_keys WHERE purpose = $1")
        .bind(purpose)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("wrapped")?, r.try_get("public")?)))
        .transpose()
}

pub async fn insert_secret(
    conn: &mut Conn,
    purpose: &str,
    wrapped: &[u8],
    public: Option<&[u8]>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO secret_keys (purpose, wrapped, public, created_at) VALUES ($1, $2, $3, $4)")
        .bind(purpose)
        .bind(wrapped)
        .bind(public)
        .bind(unix(now))
        .execute(conn)
        .await?;
    Ok(())
}
