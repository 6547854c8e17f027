//! The copy of a whole clinic between PostgreSQL and a backup's SQLite file, as two streams
//! (issue 31): PostgreSQL's own `COPY` on one side, a prepared statement in one SQLite
//! transaction on the other, each side on a thread of its own with batches of rows between
//! them. Row by row through sqlx, the same copy took 28 s out and 64 s in at 1 M audit events
//! (BENCHMARKS.md, "Long operations").
//!
//! Out of PostgreSQL the rows come in the binary format (no text to parse, fields handed to
//! SQLite where they lie in the buffer); into PostgreSQL they go in the text format, which
//! PostgreSQL converts to each column's own type (BIGINT, SMALLINT, TEXT, BYTEA), so the copy
//! needs to know no more of PostgreSQL's schema than the backup's SQLite file says.
//!
//! As in [`super::copy`]: every row as it is, ids and hashes included, the immutability
//! triggers set aside for the copy alone, and the audit chain verified afterwards by whoever
//! asked for it.

use super::copy::{Kind, Table};
use super::pg_copy::CopyRows;
use crate::{Store, StoreError};
use futures_util::StreamExt;
use sqlx::Connection;
use std::collections::BTreeMap;
use std::path::Path;

/// Bytes of rows gathered before they are handed to the other side.
const BATCH_BYTES: usize = 1 << 20;

/// Batches in flight between the two sides.
const AHEAD: usize = 4;

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|(c, _)| quoted(c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_order(table: &Table) -> String {
    if table.key.is_empty() {
        String::new()
    } else {
        format!(
            " ORDER BY {}",
            table.key.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(", ")
        )
    }
}

/// One side stopped because the other did: the other side's error is the one to report.
const STOPPED: &str = "the copy's other side stopped";

fn first_cause<T>(a: Result<(), StoreError>, b: Result<T, StoreError>) -> Result<T, StoreError> {
    match (a, b) {
        (Err(e), _) if !matches!(e, StoreError::Corrupt(STOPPED)) => Err(e),
        (_, Err(e)) => Err(e),
        (Err(e), Ok(_)) => Err(e),
        (Ok(()), Ok(v)) => Ok(v),
    }
}

fn join_failed(_: tokio::task::JoinError) -> StoreError {
    StoreError::Corrupt(STOPPED)
}

/// Rows of one table out of PostgreSQL: the `COPY` bytes and where each field lies in them.
struct Batch {
    table: usize,
    buf: Vec<u8>,
    fields: Vec<(usize, i32)>,
}

/// Copies every table of `tables` (the SQLite file's own list, parents first) out of the
/// PostgreSQL clinic `from`, all from one repeatable-read snapshot, into the SQLite file at
/// `file`, which holds only what its migrations seeded. Returns the rows PostgreSQL counted
/// per table in that snapshot (its migrations' table included) and the rows copied.
#[allow(clippy::type_complexity)]
pub async fn postgres_to_sqlite(
    from: &Store,
    file: &Path,
    tables: &[Table],
) -> Result<(Vec<(String, i64)>, BTreeMap<String, i64>), StoreError> {
    let options = from
        .postgres_options()
        .ok_or(StoreError::Corrupt("a copy out of PostgreSQL from another database"))?;
    let mut conn = sqlx::postgres::PgConnection::connect_with(&options).await?;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut conn)
        .await?;
    let counts = postgres_counts(&mut conn).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Option<Batch>>(AHEAD);
    let writer = {
        let file = file.to_path_buf();
        let tables = tables.to_vec();
        tokio::task::spawn_blocking(move || write_sqlite(&file, &tables, rx))
    };
    let read = async {
        for (i, table) in tables.iter().enumerate() {
            let sql = format!(
                "COPY (SELECT {} FROM {}{}) TO STDOUT (FORMAT binary)",
                column_list(table),
                quoted(&table.name),
                key_order(table)
            );
            let mut stream = conn.copy_out_raw(&sql).await?;
            let mut rows = CopyRows::new();
            let mut fields = Vec::new();
            let mut ended = false;
            let mut stream_done = false;
            while !stream_done {
                match stream.next().await {
                    Some(bytes) => rows.buf.extend_from_slice(&bytes?),
                    None => stream_done = true,
                }
                if rows.buf.len() < BATCH_BYTES && !stream_done {
                    continue;
                }
                if !rows.header()? {
                    if stream_done {
                        return Err(StoreError::Corrupt("binary COPY header"));
                    }
                    continue;
                }
                while !ended {
                    let before = fields.len();
                    match rows.row_after(&mut fields) {
                        None => break,
                        Some(Err(())) => ended = true,
                        Some(Ok(())) => {
                            if fields.len() - before != table.columns.len() {
                                return Err(StoreError::Corrupt("binary COPY row"));
                            }
                        }
                    }
                }
                // The parsed rows go; the start of the next row stays.
                let rest = rows.buf.split_off(rows.at);
                let buf = std::mem::replace(&mut rows.buf, rest);
                rows.at = 0;
                let batch = Batch {
                    table: i,
                    buf,
                    fields: std::mem::take(&mut fields),
                };
                if tx.send(Some(batch)).await.is_err() {
                    return Err(StoreError::Corrupt(STOPPED));
                }
            }
            if !ended {
                return Err(StoreError::Corrupt("binary COPY ended early"));
            }
        }
        // Only now does the writer commit.
        tx.send(None).await.map_err(|_| StoreError::Corrupt(STOPPED))
    }
    .await;
    drop(tx);
    let written = writer.await.map_err(join_failed)?;
    let copied = first_cause(read, written)?;
    sqlx::query("COMMIT").execute(&mut conn).await?;
    Ok((counts, copied))
}

async fn postgres_counts(conn: &mut sqlx::postgres::PgConnection) -> Result<Vec<(String, i64)>, StoreError> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut counts = Vec::with_capacity(names.len());
    for (name,) in names {
        // The names come from the schema itself, not from input.
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {}", quoted(&name)))
            .fetch_one(&mut *conn)
            .await?;
        counts.push((name, n));
    }
    Ok(counts)
}

/// The writer's side of [`postgres_to_sqlite`]: one transaction, one prepared statement a
/// table, the triggers dropped and put back inside it.
fn write_sqlite(
    file: &Path,
    tables: &[Table],
    mut rx: tokio::sync::mpsc::Receiver<Option<Batch>>,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let mut conn = rusqlite::Connection::open(file)?;
    // A scratch file: the backup is sealed and synced from it afterwards, and a crash leaves
    // nothing but the scratch folder.
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "cache_size", -65536)?;
    let t = conn.transaction()?;
    let triggers = clear_sqlite(&t, tables)?;
    let mut copied: BTreeMap<String, i64> = tables.iter().map(|t| (t.name.clone(), 0)).collect();
    let mut current: Option<(usize, rusqlite::Statement<'_>)> = None;
    let mut done = false;
    while let Some(batch) = rx.blocking_recv() {
        let Some(batch) = batch else {
            done = true;
            break;
        };
        let table = tables
            .get(batch.table)
            .ok_or(StoreError::Corrupt("a batch of no table"))?;
        if current.as_ref().map(|(i, _)| *i) != Some(batch.table) {
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quoted(&table.name),
                column_list(table),
                vec!["?"; table.columns.len()].join(", ")
            );
            current = Some((batch.table, t.prepare(&sql)?));
        }
        let Some((_, statement)) = current.as_mut() else {
            continue;
        };
        let width = table.columns.len().max(1);
        let mut rows = 0;
        for row in batch.fields.chunks(width) {
            for (c, ((start, len), (_, kind))) in row.iter().zip(&table.columns).enumerate() {
                let at = c + 1;
                let Ok(len) = usize::try_from(*len) else {
                    statement.raw_bind_parameter(at, rusqlite::types::Null)?;
                    continue;
                };
                let bytes = batch
                    .buf
                    .get(*start..*start + len)
                    .ok_or(StoreError::Corrupt("binary COPY field"))?;
                match kind {
                    Kind::Integer => {
                        let v = match len {
                            8 => <[u8; 8]>::try_from(bytes).ok().map(i64::from_be_bytes),
                            4 => <[u8; 4]>::try_from(bytes)
                                .ok()
                                .map(|b| i64::from(i32::from_be_bytes(b))),
                            2 => <[u8; 2]>::try_from(bytes)
                                .ok()
                                .map(|b| i64::from(i16::from_be_bytes(b))),
                            _ => None,
                        }
                        .ok_or(StoreError::Corrupt("an integer of a size the copy does not know"))?;
                        statement.raw_bind_parameter(at, v)?;
                    }
                    Kind::Text => {
                        let s =
                            std::str::from_utf8(bytes).map_err(|_| StoreError::Corrupt("text that is not UTF-8"))?;
                        statement.raw_bind_parameter(at, s)?;
                    }
                    Kind::Blob => statement.raw_bind_parameter(at, bytes)?,
                }
            }
            statement.raw_execute()?;
            rows += 1;
        }
        if let Some(n) = copied.get_mut(&table.name) {
            *n += rows;
        }
    }
    drop(current);
    if !done {
        return Err(StoreError::Corrupt(STOPPED));
    }
    for sql in &triggers {
        t.execute_batch(sql)?;
    }
    t.commit()?;
    // The snapshot is read as one file: the log goes into it.
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
    Ok(copied)
}

/// Drops the SQLite file's triggers and the rows its migrations seeded (children before
/// parents: the seeded audit head gives way to the copy's); returns the triggers' statements.
fn clear_sqlite(t: &rusqlite::Transaction<'_>, tables: &[Table]) -> Result<Vec<String>, StoreError> {
    let mut triggers: Vec<(String, String)> = Vec::new();
    {
        let mut s = t.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")?;
        let mut rows = s.query([])?;
        while let Some(r) = rows.next()? {
            triggers.push((r.get(0)?, r.get(1)?));
        }
    }
    for (name, _) in &triggers {
        t.execute_batch(&format!("DROP TRIGGER {}", quoted(name)))?;
    }
    for table in tables.iter().rev() {
        t.execute_batch(&format!("DELETE FROM {}", quoted(&table.name)))?;
    }
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

/// What the reader of a SQLite file hands to PostgreSQL's `COPY ... FROM STDIN`.
enum Piece {
    Start(usize),
    Rows(Vec<u8>),
    End(usize, u64),
}

/// Copies every table of `tables` out of the SQLite file at `file` (one read transaction)
/// into the PostgreSQL clinic `to`, which holds only what its migrations seeded, in one
/// transaction. Returns the rows copied per table.
pub async fn sqlite_to_postgres(
    file: &Path,
    to: &Store,
    tables: &[Table],
) -> Result<BTreeMap<String, i64>, StoreError> {
    sqlite_to_postgres_with(file, to, tables, Some(SET_ASIDE_FROM)).await
}

/// A table of this many rows or more is loaded with its indexes and constraints set aside
/// (`pg_set_aside`); below it, building them again costs more than it saves.
pub const SET_ASIDE_FROM: u64 = 10_000;

/// [`sqlite_to_postgres`], setting aside the indexes and constraints of the tables with at least
/// `set_aside_from` rows (`None`: of none, as before issue 31's fourth session; the bench's same-run
/// comparison, and tests that set aside every table's).
pub async fn sqlite_to_postgres_with(
    file: &Path,
    to: &Store,
    tables: &[Table],
    set_aside_from: Option<u64>,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let large = match set_aside_from {
        None => Vec::new(),
        Some(from) => {
            let (file, tables) = (file.to_path_buf(), tables.to_vec());
            tokio::task::spawn_blocking(move || large_tables(&file, &tables, from))
                .await
                .map_err(join_failed)??
        }
    };
    let options = to
        .postgres_options()
        .ok_or(StoreError::Corrupt("a copy into PostgreSQL to another database"))?;
    let mut conn = sqlx::postgres::PgConnection::connect_with(&options).await?;
    sqlx::query("BEGIN").execute(&mut conn).await?;
    let names: Vec<String> = tables.iter().map(|t| quoted(&t.name)).collect();
    for t in &names {
        sqlx::query(&format!("ALTER TABLE {t} DISABLE TRIGGER USER"))
            .execute(&mut conn)
            .await?;
    }
    // Children before parents: the seeded rows (the audit head, say) give way to the copy's.
    for t in names.iter().rev() {
        sqlx::query(&format!("DELETE FROM {t}")).execute(&mut conn).await?;
    }
    let set_aside = super::pg_set_aside::set_aside(&mut conn, &large).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Piece>(AHEAD);
    let reader = {
        let file = file.to_path_buf();
        let tables = tables.to_vec();
        tokio::task::spawn_blocking(move || read_sqlite(&file, &tables, &tx))
    };
    let write = async {
        let mut copied = BTreeMap::new();
        // Each table: its start, its rows, its end with the count read.
        while let Some(piece) = rx.recv().await {
            let Piece::Start(i) = piece else {
                return Err(StoreError::Corrupt("rows outside a table's copy"));
            };
            let table = tables.get(i).ok_or(StoreError::Corrupt("a piece of no table"))?;
            let sql = format!("COPY {} ({}) FROM STDIN", quoted(&table.name), column_list(table));
            let mut copy = conn.copy_in_raw(&sql).await?;
            let read = loop {
                match rx.recv().await {
                    Some(Piece::Rows(bytes)) => {
                        copy.send(bytes).await?;
                    }
                    Some(Piece::End(j, read)) if j == i => break read,
                    _ => {
                        let _ = copy.abort("the copy stopped").await;
                        return Err(StoreError::Corrupt(STOPPED));
                    }
                }
            };
            let written = copy.finish().await?;
            if written != read {
                return Err(StoreError::Corrupt("a table arrived short"));
            }
            copied.insert(table.name.clone(), i64::try_from(read).unwrap_or(i64::MAX));
        }
        Ok::<_, StoreError>(copied)
    }
    .await;
    drop(rx);
    let read = reader.await.map_err(join_failed)?;
    let copied = first_cause(read, write)?;
    set_aside.build(&mut conn).await?;
    for t in &names {
        sqlx::query(&format!("ALTER TABLE {t} ENABLE TRIGGER USER"))
            .execute(&mut conn)
            .await?;
    }
    // Identity columns carry on after the copied ids.
    let serial: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval%')",
    )
    .fetch_all(&mut conn)
    .await?;
    for (t, c) in serial {
        sqlx::query(&format!(
            "SELECT CAST(setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({}), 0) + 1, false) AS BIGINT) FROM {}",
            quoted(&c),
            quoted(&t)
        ))
        .bind(quoted(&t))
        .bind(&c)
        .fetch_optional(&mut conn)
        .await?;
    }
    sqlx::query("COMMIT").execute(&mut conn).await?;
    Ok(copied)
}

/// The reader's side of [`sqlite_to_postgres`]: each table in key order, written as `COPY`'s
/// text format into batches of about [`BATCH_BYTES`].
/// The tables of the SQLite file at `file` holding `from` rows or more.
fn large_tables(file: &Path, tables: &[Table], from: u64) -> Result<Vec<String>, StoreError> {
    let conn = crate::db::direct::open_read_only(file)?;
    let mut large = Vec::new();
    for table in tables {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", quoted(&table.name)), [], |r| {
            r.get(0)
        })?;
        if u64::try_from(n).unwrap_or(0) >= from {
            large.push(table.name.clone());
        }
    }
    Ok(large)
}

fn read_sqlite(file: &Path, tables: &[Table], tx: &tokio::sync::mpsc::Sender<Piece>) -> Result<(), StoreError> {
    use rusqlite::types::ValueRef;
    let conn = crate::db::direct::open_read_only(file)?;
    conn.pragma_update(None, "mmap_size", crate::backups::MMAP_BYTES)?;
    conn.execute_batch("BEGIN")?;
    let send = |p: Piece| tx.blocking_send(p).map_err(|_| StoreError::Corrupt(STOPPED));
    for (i, table) in tables.iter().enumerate() {
        send(Piece::Start(i))?;
        let sql = format!(
            "SELECT {} FROM {}{}",
            column_list(table),
            quoted(&table.name),
            key_order(table)
        );
        let mut statement = conn.prepare(&sql)?;
        let mut rows = statement.query([])?;
        let mut buf = Vec::with_capacity(BATCH_BYTES + (BATCH_BYTES >> 2));
        let mut count = 0u64;
        while let Some(r) = rows.next()? {
            for (c, (_, kind)) in table.columns.iter().enumerate() {
                if c > 0 {
                    buf.push(b'\t');
                }
                match (kind, r.get_ref(c)?) {
                    (_, ValueRef::Null) => buf.extend_from_slice(b"\\N"),
                    (Kind::Integer, ValueRef::Integer(v)) => {
                        use std::io::Write;
                        let _ = write!(buf, "{v}");
                    }
                    (Kind::Text, ValueRef::Text(t)) => {
                        std::str::from_utf8(t).map_err(|_| StoreError::Corrupt("text that is not UTF-8"))?;
                        escape_text(t, &mut buf);
                    }
                    (Kind::Blob, ValueRef::Blob(b)) => escape_bytea(b, &mut buf),
                    _ => return Err(StoreError::Corrupt("a value of a type its column does not hold")),
                }
            }
            buf.push(b'\n');
            count += 1;
            if buf.len() >= BATCH_BYTES {
                let full = std::mem::replace(&mut buf, Vec::with_capacity(BATCH_BYTES + (BATCH_BYTES >> 2)));
                send(Piece::Rows(full))?;
            }
        }
        if !buf.is_empty() {
            send(Piece::Rows(buf))?;
        }
        send(Piece::End(i, count))?;
    }
    Ok(())
}

/// A text value in `COPY`'s text format: backslash, tab, newline and carriage return escaped.
fn escape_text(t: &[u8], out: &mut Vec<u8>) {
    for &b in t {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// A BYTEA value in `COPY`'s text format: `\x` and hex digits, its backslash escaped.
fn escape_bytea(b: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\\\x");
    for &x in b {
        for nibble in [x >> 4, x & 0x0f] {
            out.push(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{escape_bytea, escape_text};

    #[test]
    fn text_format_escapes() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"plain", b"plain"),
            (b"a\tb\nc\rd\\e", b"a\\tb\\nc\\rd\\\\e"),
            (b"", b""),
            ("caf\u{e9}".as_bytes(), "caf\u{e9}".as_bytes()),
        ];
        for (raw, want) in cases {
            let mut out = Vec::new();
            escape_text(raw, &mut out);
            assert_eq!(out, *want);
        }
        let mut out = Vec::new();
        escape_bytea(&[0x00, 0xff, 0x5c], &mut out);
        assert_eq!(out, b"\\\\x00ff5c");
        let mut out = Vec::new();
        escape_bytea(&[], &mut out);
        assert_eq!(out, b"\\\\x");
    }
}
