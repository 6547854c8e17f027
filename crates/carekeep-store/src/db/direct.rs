//! SQLite's hot reads, run on the calling thread: the session behind every request, a patient,
//! and a chart's rows.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement and every
//! row across threads, copying each value twice. For these small indexed reads that hand-off
//! cost five times the read itself (BENCHMARKS.md, "Chart read"), so they run here on a plain
//! rusqlite connection instead, on the request's thread: a read of cached pages takes
//! microseconds, and in WAL mode a reader never waits for the writer. Only reads come here
//! (`query_only`); every write, and every other read, still goes through sqlx. The SQL and the
//! row decoders are the ones the sqlx path uses ([`crate::db::cells`]), so both paths return the
//! same rows, and the PostgreSQL suite runs the sqlx path of the same functions.

use crate::StoreError;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// Idle connections kept; more are opened under load and closed when they come back.
const KEEP_IDLE: usize = 8;

/// The same patience with a busy database as the sqlx connections (`db.rs`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A pool of read-only connections to one SQLite file.
#[derive(Debug)]
pub(crate) struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl DirectReads {
    pub(crate) fn new(path: PathBuf) -> DirectReads {
        DirectReads {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> Result<rusqlite::Connection, StoreError> {
        open_read_only(&self.path)
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Runs `read` on an idle connection (or a new one), then keeps the connection.
    ///
    /// It blocks the calling thread, an async runtime's worker included, for the read's
    /// duration: microseconds for these reads (see the module's note).
    pub(crate) fn run<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self
            .idle
            .lock()
            .map_err(|_| StoreError::Corrupt("direct read pool"))?
            .pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = read(&conn);
        // A connection SQLite reported an error on is closed rather than handed to the next
        // reader; "not found" and the like say nothing about the connection.
        if !matches!(out, Err(StoreError::Sqlite(_))) {
            if let Ok(mut idle) = self.idle.lock() {
                if idle.len() < KEEP_IDLE {
                    idle.push(conn);
                }
            }
        }
        out
    }

    /// Closes the idle connections (the store is closing).
    pub(crate) fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

/// A `query_only` connection to the store's file.
pub(crate) fn open_read_only(path: &std::path::Path) -> Result<rusqlite::Connection, StoreError> {
    use rusqlite::OpenFlags as F;
    // The file exists: the store created and migrated it before any read.
    let conn = rusqlite::Connection::open_with_flags(path, F::SQLITE_OPEN_READ_WRITE | F::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", true)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// Runs `sql` with `params` and hands each row to `row`.
pub(crate) fn each_row(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut row: impl FnMut(&rusqlite::Row<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    while let Some(r) = rows.next()? {
        row(r)?;
    }
    Ok(())
}
