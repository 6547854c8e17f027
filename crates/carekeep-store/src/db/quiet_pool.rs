//! PostgreSQL's connections for the hot reads (the session, the patient and chart): a pool that
//! takes a connection back without a round trip when its reads finished. sqlx pings every
//! connection as it returns to its own pool, and an audited chart read takes two checkouts (the
//! session's, the chart's), so half of the read's round trips were pings (issue 31, item 5).
//!
//! The ping is kept where it is needed: a connection comes back "dirty" unless the last read on
//! it finished (a request abandoned mid-read, a read that failed, or one through
//! [`QuietConn::conn`] that no finished read followed). A dirty one is pinged on a task of its
//! own, its slot held, which drains whatever the abandoned read still had coming and closes it
//! if that was an error or the connection broke, as sqlx's pools do for every connection. One
//! idle over a second is pinged before it is handed out, as sqlx's pools do too.

use super::PING_AFTER_IDLE;
use crate::StoreError;
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, Connection};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Idle this long, a connection is closed instead (sqlx's pools' default).
const CLOSE_AFTER_IDLE: Duration = Duration::from_secs(600);
/// Taking a connection (waiting for a slot, a ping, connecting) longer than this is an error,
/// as in the sqlx pools.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// A dirty connection's ping taking longer than this closes it.
const CLEAN_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) struct QuietPool {
    options: AnyConnectOptions,
    idle: Mutex<Idle>,
    slots: Arc<Semaphore>,
    size: usize,
}

/// The idle connections, oldest first, and whether the pool was closed (checked under the same
/// lock as the list, so none is put back after [`QuietPool::close`] emptied it).
struct Idle {
    conns: Vec<(AnyConnection, Instant)>,
    closed: bool,
}

impl std::fmt::Debug for QuietPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QuietPool")
    }
}

/// A connection out of the pool; it goes back when dropped.
pub struct QuietConn {
    conn: Option<AnyConnection>,
    pool: Arc<QuietPool>,
    dirty: bool,
    slot: Option<OwnedSemaphorePermit>,
}

impl QuietPool {
    pub(crate) fn new(options: AnyConnectOptions, size: u32) -> Arc<QuietPool> {
        let size = usize::try_from(size).unwrap_or(4);
        Arc::new(QuietPool {
            options,
            idle: Mutex::new(Idle {
                conns: Vec::new(),
                closed: false,
            }),
            slots: Arc::new(Semaphore::new(size)),
            size,
        })
    }

    /// Whether no connection is out or being pinged.
    pub(crate) fn settled(&self) -> bool {
        self.slots.available_permits() == self.size
    }

    fn idle(&self) -> MutexGuard<'_, Idle> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) async fn acquire(self: &Arc<Self>) -> Result<QuietConn, StoreError> {
        tokio::time::timeout(ACQUIRE_TIMEOUT, self.acquire_now())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
    }

    async fn acquire_now(self: &Arc<Self>) -> Result<QuietConn, StoreError> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        // Those idle too long are closed, oldest first, whether or not they would be next.
        let expired: Vec<_> = {
            let mut idle = self.idle();
            let n = idle
                .conns
                .iter()
                .take_while(|(_, since)| since.elapsed() > CLOSE_AFTER_IDLE)
                .count();
            idle.conns.drain(..n).collect()
        };
        for (conn, _) in expired {
            let _ = conn.close().await;
        }
        // The most recently returned first: it is the one most likely still in the caches.
        loop {
            let next = self.idle().conns.pop();
            let Some((mut conn, since)) = next else { break };
            if since.elapsed() > PING_AFTER_IDLE && conn.ping().await.is_err() {
                continue;
            }
            return Ok(self.hand_out(conn, slot));
        }
        let conn = AnyConnection::connect_with(&self.options).await?;
        Ok(self.hand_out(conn, slot))
    }

    fn hand_out(self: &Arc<Self>, conn: AnyConnection, slot: OwnedSemaphorePermit) -> QuietConn {
        QuietConn {
            conn: Some(conn),
            pool: Arc::clone(self),
            dirty: false,
            slot: Some(slot),
        }
    }

    /// Puts a connection back, or drops it (closing its socket) if the pool is closed.
    fn put_back(&self, conn: AnyConnection) {
        let mut idle = self.idle();
        if !idle.closed {
            idle.conns.push((conn, Instant::now()));
        }
    }

    /// Closes the idle connections, and every one handed out as it comes back.
    pub(crate) async fn close(&self) {
        self.slots.close();
        let idle: Vec<_> = {
            let mut idle = self.idle();
            idle.closed = true;
            idle.conns.drain(..).collect()
        };
        for (conn, _) in idle {
            let _ = conn.close().await;
        }
    }
}

impl QuietConn {
    /// The connection, for any statement: it comes back dirty unless a read through
    /// [`QuietConn::finished`] follows.
    pub(crate) fn conn(&mut self) -> Result<&mut AnyConnection, StoreError> {
        self.dirty = true;
        // Only `Drop` takes it out.
        self.conn
            .as_mut()
            .ok_or(StoreError::Corrupt("a connection already returned"))
    }

    /// The last read on the connection ran to its end: nothing of it is still on the wire.
    pub(crate) fn finished(&mut self) {
        self.dirty = false;
    }
}

impl Drop for QuietConn {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        if !self.dirty {
            self.pool.put_back(conn);
            return;
        }
        // Without a runtime (never, in the server) the connection is dropped.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let pool = Arc::clone(&self.pool);
        let slot = self.slot.take();
        runtime.spawn(async move {
            if let Ok(Ok(())) = tokio::time::timeout(CLEAN_TIMEOUT, conn.ping()).await {
                pool.put_back(conn);
            }
            drop(slot);
        });
    }
}
