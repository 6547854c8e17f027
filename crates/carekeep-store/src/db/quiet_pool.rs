//! PostgreSQL's connections for the hot reads (the session, the patient and chart): a pool that
//! takes a connection back without a round trip. sqlx pings every connection as it returns to
//! its own pool, and an audited chart read takes two checkouts (the session's, the chart's), so
//! half of the read's round trips were pings (issue 31, item 5).
//!
//! What the ping guarded against, a connection left mid-exchange by a future dropped at an
//! `.await`, sqlx's PostgreSQL driver mends itself before its next statement (it flushes what it
//! had buffered and drains the replies still owed). A connection whose read failed is closed
//! rather than returned; one idle over a second is pinged before it is handed out (as the sqlx
//! pools do), so a restarted server costs no request an error.

use super::PING_AFTER_IDLE;
use crate::StoreError;
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, Connection};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Idle this long, a connection is closed instead (sqlx's pools' default).
const CLOSE_AFTER_IDLE: Duration = Duration::from_secs(600);
/// Waiting this long for a connection is an error (as the sqlx pools).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) struct QuietPool {
    options: AnyConnectOptions,
    idle: Mutex<Vec<(AnyConnection, Instant)>>,
    slots: Arc<Semaphore>,
}

impl std::fmt::Debug for QuietPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QuietPool")
    }
}

/// A connection out of the pool; it goes back when dropped unless a read on it failed.
pub struct QuietConn {
    conn: Option<AnyConnection>,
    pool: Arc<QuietPool>,
    failed: bool,
    _slot: OwnedSemaphorePermit,
}

impl QuietPool {
    pub(crate) fn new(options: AnyConnectOptions, size: u32) -> Arc<QuietPool> {
        Arc::new(QuietPool {
            options,
            idle: Mutex::new(Vec::new()),
            slots: Arc::new(Semaphore::new(usize::try_from(size).unwrap_or(4))),
        })
    }

    fn idle(&self) -> MutexGuard<'_, Vec<(AnyConnection, Instant)>> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) async fn acquire(self: &Arc<Self>) -> Result<QuietConn, StoreError> {
        let slot = tokio::time::timeout(ACQUIRE_TIMEOUT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        // The most recently returned first: it is the one most likely still in the caches.
        loop {
            let next = self.idle().pop();
            let Some((mut conn, since)) = next else { break };
            let idle = since.elapsed();
            if idle > CLOSE_AFTER_IDLE {
                let _ = conn.close().await;
                continue;
            }
            if idle > PING_AFTER_IDLE && conn.ping().await.is_err() {
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
            failed: false,
            _slot: slot,
        }
    }

    /// Closes the idle connections, and every one handed out as it comes back.
    pub(crate) async fn close(&self) {
        self.slots.close();
        let idle: Vec<_> = self.idle().drain(..).collect();
        for (conn, _) in idle {
            let _ = conn.close().await;
        }
    }
}

impl QuietConn {
    pub(crate) fn conn(&mut self) -> Result<&mut AnyConnection, StoreError> {
        // Only `Drop` takes it out.
        self.conn
            .as_mut()
            .ok_or(StoreError::Corrupt("a connection already returned"))
    }

    /// Marks the connection as one not to reuse: a read on it failed.
    pub(crate) fn failed(&mut self) {
        self.failed = true;
    }
}

impl Drop for QuietConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if self.failed || self.pool.slots.is_closed() {
            // Dropping the connection closes its socket; the server ends its process.
            return;
        }
        self.pool.idle().push((conn, Instant::now()));
    }
}
