//! The whole trail, read for verification (issue 31): one statement in sequence order, each
//! event encoded straight from the database's own row buffer into its canonical bytes (the
//! bytes the chain's MAC covers), many events to a chunk, so the verifier can check a chunk's
//! MACs on every core while the next chunk is read.
//!
//! On a SQLite file the read runs on rusqlite on a thread of its own (sqlx would hand every
//! row across threads and copy every value twice); on PostgreSQL it is one binary `COPY` out
//! in a read-only repeatable-read snapshot; in-memory SQLite (tests) reads through sqlx. The
//! browsers' names are read once, in the same snapshot, instead of joined to every row. Rows
//! are decoded with the same rules as every other read of the trail (`classes_of`,
//! `user_agent_of` in the parent module), and a value of a type the column never holds
//! (possible in SQLite) makes its event's encoding one no MAC can match: it is reported as
//! changed, at its sequence number.

use super::{hash32_of, COLUMNS};
use crate::db::pg_copy::CopyRows;
use crate::{Backend, Store, StoreError};
use carekeep_domain::audit::classes;
use carekeep_domain::audit::CanonicalFields;
use futures_util::StreamExt;
use sqlx::Row;
use std::borrow::Cow;
use std::collections::HashMap;

/// Chunks read ahead of the verifier.
const AHEAD: usize = 4;

/// One stored event in a chunk: its number, its stored hashes, and where its canonical bytes
/// end in the chunk's buffer.
#[derive(Clone, Copy, Debug)]
pub struct TrailLink {
    pub seq: i64,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
    end: usize,
}

/// Consecutive events of the trail, each encoded at its own stored sequence number.
#[derive(Debug, Default)]
pub struct TrailChunk {
    canonical: Vec<u8>,
    pub links: Vec<TrailLink>,
}

impl TrailChunk {
    fn with_capacity(events: usize) -> TrailChunk {
        TrailChunk {
            canonical: Vec::with_capacity(events * 256),
            links: Vec::with_capacity(events),
        }
    }

    pub fn len(&self) -> usize {
        self.links.len()
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// The canonical bytes of the `i`th event, at its stored sequence number.
    pub fn canonical(&self, i: usize) -> &[u8] {
        let start = match i.checked_sub(1) {
            Some(before) => self.links.get(before).map_or(0, |l| l.end),
            None => 0,
        };
        let end = self.links.get(i).map_or(start, |l| l.end);
        self.canonical.get(start..end).unwrap_or_default()
    }
}

/// A poisoned encoding: one byte past the end of a complete canonical encoding (whose length
/// its own prefixes fix), so it equals no event's encoding and no MAC matches it.
const POISON: u8 = 0xff;

/// The raw columns of one row, borrowed from the driver's buffer.
struct RawEvent<'r> {
    seq: i64,
    at: Option<i64>,
    actor_id: Option<i64>,
    /// In `COLUMNS` order: actor_name .. request_id, reason (data_classes and user_agent
    /// among them, decoded below).
    texts: [Option<&'r [u8]>; 12],
    target_user_id: Option<i64>,
    prev_hash: Option<&'r [u8]>,
    hash: Option<&'r [u8]>,
    classes: Option<i64>,
    agent_id: Option<i64>,
    /// A value of a type its column never holds.
    odd: bool,
}

const DATA_CLASSES: usize = 7;
const USER_AGENT: usize = 9;

/// Encodes rows into chunks: the browsers' names by id, and the class lists by their bits.
struct Encoder {
    agents: HashMap<i64, Vec<u8>>,
    classes: HashMap<i64, Vec<u8>>,
    per_chunk: usize,
    chunk: TrailChunk,
}

impl Encoder {
    fn new(agents: HashMap<i64, Vec<u8>>, per_chunk: usize) -> Encoder {
        Encoder {
            agents,
            classes: HashMap::new(),
            per_chunk,
            chunk: TrailChunk::with_capacity(per_chunk),
        }
    }

    /// Adds a row; returns a full chunk when this row filled one.
    fn push(&mut self, r: &RawEvent<'_>) -> Option<TrailChunk> {
        let mut odd = r.odd || r.at.is_none() || r.texts.iter().any(Option::is_none);
        let text = |i: usize| r.texts.get(i).copied().flatten().unwrap_or_default();
        // The class list, as `classes_of` reads it.
        let class_text = text(DATA_CLASSES);
        let classes: Cow<'_, [u8]> = match r.classes {
            None => Cow::Borrowed(class_text),
            Some(bits) => {
                let unpacked = self
                    .classes
                    .entry(bits)
                    .or_insert_with(|| classes::unpack(bits).into_bytes());
                if class_text.is_empty() {
                    Cow::Borrowed(unpacked.as_slice())
                } else {
                    Cow::Owned([class_text, b";", unpacked].concat())
                }
            }
        };
        // The browser's name, as `user_agent_of` reads it.
        let agent_text = text(USER_AGENT);
        let agent: Cow<'_, [u8]> = match r.agent_id {
            None => Cow::Borrowed(agent_text),
            Some(id) => {
                let named: Cow<'_, [u8]> = match self.agents.get(&id) {
                    Some(name) => Cow::Borrowed(name.as_slice()),
                    None => Cow::Owned(format!("unknown-agent:{id}").into_bytes()),
                };
                if agent_text.is_empty() {
                    named
                } else {
                    Cow::Owned([agent_text, b"\n", &named].concat())
                }
            }
        };
        let mut texts = [&b""[..]; 12];
        for (i, t) in texts.iter_mut().enumerate() {
            *t = text(i);
        }
        texts[DATA_CLASSES] = &classes;
        texts[USER_AGENT] = &agent;
        let fields = CanonicalFields {
            at: r.at.unwrap_or(i64::MIN),
            actor_id: r.actor_id,
            texts,
            target_user_id: r.target_user_id,
        };
        let hashes = match (r.prev_hash, r.hash) {
            (Some(p), Some(h)) => (hash32_of(p), hash32_of(h)),
            _ => {
                odd = true;
                ([0; 32], [0; 32])
            }
        };
        fields.write(r.seq, &mut self.chunk.canonical);
        if odd {
            self.chunk.canonical.push(POISON);
        }
        self.chunk.links.push(TrailLink {
            seq: r.seq,
            prev_hash: hashes.0,
            hash: hashes.1,
            end: self.chunk.canonical.len(),
        });
        (self.chunk.len() >= self.per_chunk)
            .then(|| std::mem::replace(&mut self.chunk, TrailChunk::with_capacity(self.per_chunk)))
    }

    fn rest(self) -> Option<TrailChunk> {
        (!self.chunk.is_empty()).then_some(self.chunk)
    }
}

/// The trail in sequence order, a chunk at a time.
#[derive(Debug)]
pub struct TrailReader {
    chunks: tokio::sync::mpsc::Receiver<Result<TrailChunk, StoreError>>,
}

impl TrailReader {
    /// The next chunk; `None` after the last event.
    pub async fn next(&mut self) -> Result<Option<TrailChunk>, StoreError> {
        self.chunks.recv().await.transpose()
    }
}

type Sender = tokio::sync::mpsc::Sender<Result<TrailChunk, StoreError>>;

/// Which events to read, by sequence number: after `after` and up to `up_to`, where given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrailRange {
    pub after: Option<i64>,
    pub up_to: Option<i64>,
}

impl TrailRange {
    /// The whole trail, whatever numbers its rows carry.
    pub const ALL: TrailRange = TrailRange {
        after: None,
        up_to: None,
    };

    /// The statement's condition; the bounds are numbers, written into its text.
    fn condition(&self) -> String {
        match (self.after, self.up_to) {
            (Some(a), Some(b)) => format!("WHERE seq > {a} AND seq <= {b}"),
            (Some(a), None) => format!("WHERE seq > {a}"),
            (None, Some(b)) => format!("WHERE seq <= {b}"),
            (None, None) => String::new(),
        }
    }
}

/// Starts reading the trail's events in `range`, `per_chunk` events to a chunk. Dropping the
/// reader stops the read.
pub fn read_trail(store: &Store, per_chunk: usize, range: TrailRange) -> TrailReader {
    let per_chunk = per_chunk.max(1);
    let (tx, rx) = tokio::sync::mpsc::channel(AHEAD);
    match (store.backend(), store.direct_path(), store.postgres_options()) {
        (Backend::Sqlite, Some(path), _) => {
            tokio::task::spawn_blocking(move || {
                if let Err(e) = sqlite_file(&path, per_chunk, range, &tx) {
                    let _ = tx.blocking_send(Err(e));
                }
            });
        }
        (Backend::Postgres, _, Some(options)) => {
            tokio::spawn(async move {
                if let Err(e) = postgres(options, per_chunk, range, &tx).await {
                    let _ = tx.send(Err(e)).await;
                }
            });
        }
        _ => {
            let store = store.clone();
            tokio::spawn(async move {
                if let Err(e) = any_driver(&store, per_chunk, range, &tx).await {
                    let _ = tx.send(Err(e)).await;
                }
            });
        }
    }
    TrailReader { chunks: rx }
}

fn sqlite_file(path: &std::path::Path, per_chunk: usize, range: TrailRange, tx: &Sender) -> Result<(), StoreError> {
    use rusqlite::types::ValueRef;
    let conn = crate::db::direct::open_read_only(path)?;
    conn.pragma_update(None, "mmap_size", crate::backups::MMAP_BYTES)?;
    // One snapshot for the names and the events.
    conn.execute_batch("BEGIN")?;
    let mut agents = HashMap::new();
    crate::db::direct::each_row(&conn, "SELECT id, text FROM audit_agents", [], |r| {
        let text = match r.get_ref(1)? {
            ValueRef::Text(t) => t.to_vec(),
            _ => b"\xffnot text".to_vec(),
        };
        agents.insert(r.get::<_, i64>(0)?, text);
        Ok(())
    })?;
    let mut enc = Encoder::new(agents, per_chunk);
    let sql = format!("SELECT {COLUMNS} FROM audit_events {} ORDER BY seq", range.condition());
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query([])?;
    while let Some(r) = rows.next()? {
        let mut odd = false;
        let mut int = |i: usize| match r.get_ref(i) {
            Ok(ValueRef::Integer(v)) => Some(v),
            Ok(ValueRef::Null) => None,
            _ => {
                odd = true;
                None
            }
        };
        let seq = int(0).unwrap_or(i64::MIN);
        let (at, actor_id, target_user_id, classes, agent_id) = (int(1), int(2), int(15), int(18), int(19));
        let mut texts = [None; 12];
        for (k, t) in texts.iter_mut().enumerate() {
            *t = match r.get_ref(3 + k) {
                Ok(ValueRef::Text(b)) => Some(b),
                _ => None,
            };
        }
        let blob = |i: usize| match r.get_ref(i) {
            Ok(ValueRef::Blob(b)) => Some(b),
            _ => None,
        };
        let raw = RawEvent {
            seq,
            at,
            actor_id,
            texts,
            target_user_id,
            prev_hash: blob(16),
            hash: blob(17),
            classes,
            agent_id,
            odd,
        };
        if let Some(full) = enc.push(&raw) {
            if tx.blocking_send(Ok(full)).is_err() {
                return Ok(());
            }
        }
    }
    if let Some(last) = enc.rest() {
        let _ = tx.blocking_send(Ok(last));
    }
    Ok(())
}

async fn postgres(
    options: sqlx::postgres::PgConnectOptions,
    per_chunk: usize,
    range: TrailRange,
    tx: &Sender,
) -> Result<(), StoreError> {
    use sqlx::Connection;
    let mut conn = sqlx::postgres::PgConnection::connect_with(&options).await?;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut conn)
        .await?;
    let agents: Vec<(i64, String)> = sqlx::query_as("SELECT id, text FROM audit_agents")
        .fetch_all(&mut conn)
        .await?;
    let mut enc = Encoder::new(
        agents.into_iter().map(|(id, t)| (id, t.into_bytes())).collect(),
        per_chunk,
    );
    let sql = format!(
        "COPY (SELECT {COLUMNS} FROM audit_events {} ORDER BY seq) TO STDOUT (FORMAT binary)",
        range.condition()
    );
    let mut stream = conn.copy_out_raw(&sql).await?;
    let mut rows = CopyRows::new();
    let mut fields = Vec::with_capacity(20);
    let mut ended = false;
    // An integer column: BIGINT, or SMALLINT for the packed classes; NULL is `None`.
    fn int(b: Option<&[u8]>, odd: &mut bool) -> Option<i64> {
        let b = b?;
        let v = match b.len() {
            8 => <[u8; 8]>::try_from(b).ok().map(i64::from_be_bytes),
            4 => <[u8; 4]>::try_from(b).ok().map(i32::from_be_bytes).map(i64::from),
            2 => <[u8; 2]>::try_from(b).ok().map(i16::from_be_bytes).map(i64::from),
            _ => None,
        };
        *odd |= v.is_none();
        v
    }
    while let Some(bytes) = stream.next().await {
        rows.buf.extend_from_slice(&bytes?);
        if !rows.header()? {
            continue;
        }
        while !ended {
            match rows.row(&mut fields) {
                None => break,
                Some(Err(())) => ended = true,
                Some(Ok(())) => {
                    if fields.len() != 20 {
                        return Err(StoreError::Corrupt("binary COPY row"));
                    }
                    let f = |i: usize| rows.field(fields.get(i));
                    let mut texts = [None; 12];
                    for (k, t) in texts.iter_mut().enumerate() {
                        *t = f(3 + k);
                    }
                    let mut odd = false;
                    let raw = RawEvent {
                        seq: int(f(0), &mut odd).unwrap_or(i64::MIN),
                        at: int(f(1), &mut odd),
                        actor_id: int(f(2), &mut odd),
                        texts,
                        target_user_id: int(f(15), &mut odd),
                        prev_hash: f(16),
                        hash: f(17),
                        classes: int(f(18), &mut odd),
                        agent_id: int(f(19), &mut odd),
                        odd,
                    };
                    if let Some(full) = enc.push(&raw) {
                        if tx.send(Ok(full)).await.is_err() {
                            return Ok(());
                        }
                    }
                }
            }
        }
        rows.compact();
    }
    drop(stream);
    sqlx::query("COMMIT").execute(&mut conn).await?;
    if let Some(last) = enc.rest() {
        let _ = tx.send(Ok(last)).await;
    }
    Ok(())
}

/// In-memory SQLite: through sqlx, in one read transaction.
async fn any_driver(store: &Store, per_chunk: usize, range: TrailRange, tx: &Sender) -> Result<(), StoreError> {
    let mut snapshot = store.snapshot().await?;
    let agents: Vec<(i64, String)> = sqlx::query_as("SELECT id, text FROM audit_agents")
        .fetch_all(snapshot.conn())
        .await?;
    let mut enc = Encoder::new(
        agents.into_iter().map(|(id, t)| (id, t.into_bytes())).collect(),
        per_chunk,
    );
    let sql = format!("SELECT {COLUMNS} FROM audit_events {} ORDER BY seq", range.condition());
    let mut rows = sqlx::query(&sql).fetch(snapshot.conn());
    while let Some(r) = rows.next().await {
        let r = r?;
        let mut odd = false;
        let mut int = |c: &str| match r.try_get::<Option<i64>, _>(c) {
            Ok(v) => v,
            Err(_) => {
                odd = true;
                None
            }
        };
        let (seq, at, actor_id, target_user_id, classes, agent_id) = (
            int("seq").unwrap_or(i64::MIN),
            int("at"),
            int("actor_id"),
            int("target_user_id"),
            int("classes"),
            int("agent_id"),
        );
        let names = COLUMNS.split(", ").map(str::trim).collect::<Vec<_>>();
        let mut texts = [None; 12];
        for (k, t) in texts.iter_mut().enumerate() {
            *t = names
                .get(3 + k)
                .and_then(|c| r.try_get::<&str, _>(*c).ok())
                .map(str::as_bytes);
        }
        let raw = RawEvent {
            seq,
            at,
            actor_id,
            texts,
            target_user_id,
            prev_hash: r.try_get::<&[u8], _>("prev_hash").ok(),
            hash: r.try_get::<&[u8], _>("hash").ok(),
            classes,
            agent_id,
            odd,
        };
        if let Some(full) = enc.push(&raw) {
            if tx.send(Ok(full)).await.is_err() {
                return Ok(());
            }
        }
    }
    drop(rows);
    if let Some(last) = enc.rest() {
        let _ = tx.send(Ok(last)).await;
    }
    Ok(())
}
