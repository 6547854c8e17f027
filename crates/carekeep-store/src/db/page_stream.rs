//! A SQLite clinic's database file as a stream of its pages, for a backup made in one pass
//! (issue 31, item 2): the pages are read in page order from one read transaction through
//! SQLite's `sqlite_dbpage` table (the snapshot the transaction sees, write-ahead log
//! included), with every table's row count and the audit trail's head read in the same
//! transaction. So the backup hashes and seals the pages as they are read, while the clinic
//! keeps writing, with no snapshot file written first (and no scratch space the size of the
//! clinic). The bytes streamed are a whole database file that opens as it is.
//!
//! `sqlite_dbpage` is compiled in by `.cargo/config.toml` (`SQLITE_ENABLE_DBPAGE_VTAB`), with
//! `SQLITE_DEFAULT_DEFENSIVE`, which keeps that table read-only to SQL on every connection. A
//! build without it has no stream ([`sqlite_pages`] answers `None`) and the backup takes the
//! page-for-page snapshot file instead.

use crate::db::copy::{count_statement, SQLITE_TABLES};
use crate::db::direct;
use crate::{Store, StoreError};
use std::io::Read;
use std::sync::mpsc;

/// Bytes handed from the reading thread at a time.
const BATCH: usize = 1 << 20;
/// Batches read ahead of the sealer.
const AHEAD: usize = 4;

/// What the stream's transaction saw before its first page.
#[derive(Debug, Clone)]
pub struct PagesSeen {
    /// Rows per table, the migrations' table included, as [`crate::copy::table_counts`] counts.
    pub counts: Vec<(String, i64)>,
    /// The audit trail's head: the last sequence number and its hash.
    pub head: (i64, [u8; 32]),
    /// The file's length: pages times the page size.
    pub bytes: u64,
}

/// The pages, in order, as one `Read`: it ends after exactly [`PagesSeen::bytes`] bytes, or
/// answers an error (a page of the wrong size, a page count that moved, a read that failed).
pub struct PageStream {
    batches: mpsc::Receiver<Result<Vec<u8>, StoreError>>,
    now: Vec<u8>,
    at: usize,
}

impl Read for PageStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.now.len() {
            match self.batches.recv() {
                Ok(Ok(next)) => {
                    self.now = next;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(std::io::Error::other(e.to_string())),
                // The reader sent every page and stopped (or stopped early: the caller, which
                // knows the length, finds the bytes short).
                Err(_) => return Ok(0),
            }
        }
        let n = self.now.get(self.at..).unwrap_or_default().read(buf)?;
        self.at += n;
        Ok(n)
    }
}

/// Starts streaming the pages of a store kept in a database file. `None` when the store is
/// not a file, or this build has no `sqlite_dbpage`.
pub async fn sqlite_pages(store: &Store) -> Result<Option<(PagesSeen, PageStream)>, StoreError> {
    let Some(db) = store.direct_path() else {
        return Ok(None);
    };
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel();
    let (tx, batches) = mpsc::sync_channel(AHEAD);
    std::thread::Builder::new()
        .name("backup-pages".into())
        .spawn(move || {
            let mut seen_tx = Some(seen_tx);
            let result = read_pages(&db, &mut seen_tx, &tx);
            match (result, seen_tx) {
                // Failed before the first page: the caller is still waiting for what was seen.
                (Err(e), Some(seen)) => {
                    let _ = seen.send(Err(e));
                }
                (Err(e), None) => {
                    let _ = tx.send(Err(e));
                }
                (Ok(()), _) => {}
            }
        })
        .map_err(|_| StoreError::Corrupt("cannot start the backup's page reader"))?;
    match seen_rx.await {
        Ok(Ok(Some(seen))) => Ok(Some((
            seen,
            PageStream {
                batches,
                now: Vec::new(),
                at: 0,
            },
        ))),
        Ok(Ok(None)) => Ok(None),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(StoreError::Corrupt("the backup's page reader stopped")),
    }
}

type Seen = tokio::sync::oneshot::Sender<Result<Option<PagesSeen>, StoreError>>;

fn read_pages(
    db: &std::path::Path,
    seen_tx: &mut Option<Seen>,
    tx: &mpsc::SyncSender<Result<Vec<u8>, StoreError>>,
) -> Result<(), StoreError> {
    let conn = direct::open_read_only(db)?;
    // Pages come from the file's mapping rather than a read call each.
    conn.pragma_update(None, "mmap_size", crate::backups::MMAP_BYTES)?;
    let mut pages = match conn.prepare("SELECT data FROM sqlite_dbpage") {
        Ok(s) => s,
        Err(_) => {
            if let Some(seen) = seen_tx.take() {
                let _ = seen.send(Ok(None));
            }
            return Ok(());
        }
    };
    // One read transaction: the counts, the head and every page are of one moment.
    conn.execute_batch("BEGIN")?;
    let names = {
        let mut s = conn.prepare(SQLITE_TABLES)?;
        let names = s.query_map([], |r| r.get::<_, String>(0))?;
        names.collect::<Result<Vec<_>, _>>()?
    };
    let counts = if names.is_empty() {
        Vec::new()
    } else {
        let mut s = conn.prepare(&count_statement(&names))?;
        let rows = s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    let (seq, hash): (i64, Vec<u8>) = conn.query_row(crate::audit::HEAD, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let hash = crate::audit::hash32(hash);
    let page_count: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let (page_count, page_size) = (
        u64::try_from(page_count).map_err(|_| StoreError::Corrupt("the page count"))?,
        usize::try_from(page_size).map_err(|_| StoreError::Corrupt("the page size"))?,
    );
    let seen = PagesSeen {
        counts,
        head: (seq, hash),
        bytes: page_count * page_size as u64,
    };
    let Some(told) = seen_tx.take() else {
        return Ok(());
    };
    if told.send(Ok(Some(seen))).is_err() {
        return Ok(());
    }
    let mut batch = Vec::with_capacity(BATCH);
    let mut read: u64 = 0;
    let mut rows = pages.query([])?;
    while let Some(r) = rows.next()? {
        let rusqlite::types::ValueRef::Blob(page) = r.get_ref(0)? else {
            return Err(StoreError::Corrupt("a database page that is not bytes"));
        };
        if page.len() != page_size {
            return Err(StoreError::Corrupt("a database page of the wrong size"));
        }
        batch.extend_from_slice(page);
        read += 1;
        if batch.len() >= BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if tx.send(Ok(full)).is_err() {
                // The backup stopped reading: nothing more to do.
                return Ok(());
            }
        }
    }
    drop(rows);
    conn.execute_batch("COMMIT")?;
    if read != page_count {
        return Err(StoreError::Corrupt("the database's pages changed in number while read"));
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
    Ok(())
}
