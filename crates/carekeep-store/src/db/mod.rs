//! Connecting, the two pools, and the write transaction; beside them the rest of the two-driver
//! plumbing.

pub(crate) mod cells;
pub mod copy;
pub mod copy_stream;
pub(crate) mod direct;
pub(crate) mod migrate;
pub mod page_stream;
pub(crate) mod pg_copy;
pub(crate) mod pg_set_aside;
pub(crate) mod quiet_pool;
pub(crate) mod reader;

use crate::StoreError;
use direct::DirectReads;
use quiet_pool::{QuietConn, QuietPool};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyPool, Connection, Executor};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A PostgreSQL connection idle this long is pinged before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// A database connection; every query function takes one.
pub type Conn = sqlx::AnyConnection;

/// Which database is behind the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend named by a URL's scheme (atuin's approach).
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// The database. On SQLite, writes go through a pool of one connection so writers queue in
/// the process instead of failing with SQLITE_BUSY; reads use a separate pool (WAL lets them
/// run beside the writer). PostgreSQL has a read pool and a write pool too.
#[derive(Clone, Debug)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// SQLite's hot reads, when the database is a file.
    direct: Option<Arc<DirectReads>>,
    /// PostgreSQL's own connection options, for what the `Any` driver cannot do (a binary
    /// `COPY` of the audit trail).
    postgres: Option<PgOptions>,
    /// PostgreSQL's hot reads' connections, taken back without sqlx's ping ([`QuietPool`]).
    quiet: Option<Arc<QuietPool>>,
}

/// Connection options that may hold a password: never printed.
#[derive(Clone)]
struct PgOptions(sqlx::postgres::PgConnectOptions);

impl std::fmt::Debug for PgOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgOptions(<redacted>)")
    }
}

impl Store {
    /// Connects and applies pending migrations. `now` stamps the migrations applied.
    pub async fn open(url: &str, now: time::OffsetDateTime) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(StoreError::Corrupt("database URL scheme"))?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                // sqlx pings every connection as it comes back to the pool, so one that broke in
                // use never returns; a ping on every checkout as well was one more round trip
                // per statement-sized checkout. PostgreSQL connections idle long enough for the
                // server to have gone away are pinged first; a pooled SQLite connection is a
                // file handle in this process and cannot go stale.
                .test_before_acquire(false)
                .before_acquire(move |conn, meta| {
                    Box::pin(async move {
                        if backend == Backend::Postgres && meta.idle_for > PING_AFTER_IDLE {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                })
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            // WAL for concurrent readers; FULL so an acknowledged commit
                            // survives power loss; foreign keys are off by default in SQLite;
                            // secure_delete so text that a write replaces (plain text emptied
                            // once sealed) is zeroed in the file, not left in its free space.
                            for pragma in [
                                "PRAGMA journal_mode = WAL",
                                "PRAGMA synchronous = FULL",
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA busy_timeout = 10000",
                                "PRAGMA secure_delete = ON",
                            ] {
                                conn.execute(pragma).await?;
                            }
                        }
                        Ok(())
                    })
                })
        };
        let mut quiet = None;
        let (read, write) = match backend {
            Backend::Sqlite => {
                let write = pool(1).connect_with(options.clone()).await?;
                let read = pool(4).connect_with(options).await?;
                (read, write)
            }
            Backend::Postgres => {
                // Two pools, as on SQLite, so reads held by requests never leave a writer (the
                // audit trail's group commit among them) waiting for a connection; each a few
                // connections per core. Every connection is a server process sharing the cores
                // with this one: at 32 clients on 2 cores a pool of 4 read charts 1.04x to 1.21x
                // faster than one of 16 (BENCHMARKS.md, issue 31, session 5).
                let size = postgres_pool_size();
                quiet = Some(QuietPool::new(options.clone(), size));
                let read = pool(size).connect_with(options.clone()).await?;
                let write = pool(size).connect_with(options).await?;
                (read, write)
            }
        };
        let direct = match backend {
            Backend::Sqlite => sqlite_file(url)?.map(|path| Arc::new(DirectReads::new(path))),
            Backend::Postgres => None,
        };
        let postgres = match backend {
            Backend::Postgres => Some(PgOptions(sqlx::postgres::PgConnectOptions::from_str(url)?)),
            Backend::Sqlite => None,
        };
        let store = Store {
            read,
            write,
            backend,
            direct,
            postgres,
            quiet,
        };
        let mut conn = store.write.acquire().await?;
        migrate::run(&mut conn, backend, now.unix_timestamp()).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the hot reads (session, patient, chart rows) run on the calling thread: on
    /// SQLite with its database in a file.
    pub fn reads_directly(&self) -> bool {
        self.direct.is_some()
    }

    /// The SQLite hot-read pool, if this store has one.
    /// The SQLite file, when the database is one.
    pub(crate) fn direct_path(&self) -> Option<PathBuf> {
        self.direct.as_ref().map(|d| d.path().to_path_buf())
    }

    pub(crate) fn postgres_options(&self) -> Option<sqlx::postgres::PgConnectOptions> {
        self.postgres.as_ref().map(|o| o.0.clone())
    }

    pub(crate) fn direct(&self) -> Option<&DirectReads> {
        self.direct.as_deref()
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<PoolConnection<Any>, StoreError> {
        Ok(self.read.acquire().await?)
    }

    /// A connection for the hot reads of a [`crate::Reader`] on PostgreSQL, given back without a
    /// round trip; `None` on SQLite.
    pub(crate) async fn quiet(&self) -> Result<Option<QuietConn>, StoreError> {
        match &self.quiet {
            Some(pool) => Ok(Some(pool.acquire().await?)),
            None => Ok(None),
        }
    }

    /// Whether every hot-read connection is back in its pool, none out or being pinged (always
    /// on SQLite): lets a test wait for the pings a dirty connection gets on the side.
    pub fn hot_reads_settled(&self) -> bool {
        self.quiet.as_ref().is_none_or(|q| q.settled())
    }

    /// A write transaction. Everything done through it, including its audit events, commits
    /// together or not at all.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(Tx(match self.backend {
            // IMMEDIATE takes the write lock up front, so a transaction that reads before it
            // writes waits (busy_timeout) for another process's writer instead of failing
            // when it upgrades (SQLITE_BUSY_SNAPSHOT), e.g. `carekeep key rotate` beside a server.
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        }))
    }

    /// A read-only transaction that sees one moment of the database however long it runs
    /// (PostgreSQL's REPEATABLE READ is a snapshot; a SQLite read transaction in WAL mode is
    /// one too): a backup of a clinic that keeps working.
    pub async fn snapshot(&self) -> Result<Tx, StoreError> {
        Ok(Tx(match self.backend {
            Backend::Sqlite => self.read.begin().await?,
            Backend::Postgres => {
                self.read
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        }))
    }

    /// A write transaction on one connection with the SQLite safety settings relaxed: for
    /// filling a scratch copy that is thrown away if anything fails.
    pub async fn begin_scratch(&self) -> Result<Tx, StoreError> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.write.acquire().await?;
            sqlx::query("PRAGMA synchronous = OFF").execute(&mut *conn).await?;
        }
        self.begin().await
    }

    pub async fn close(&self) {
        if let Some(direct) = &self.direct {
            direct.close();
        }
        if let Some(quiet) = &self.quiet {
            quiet.close().await;
        }
        self.read.close().await;
        self.write.close().await;
    }
}

/// Connections in each PostgreSQL pool: two per core of this machine, at least 4.
fn postgres_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(cores.saturating_mul(2)).unwrap_or(u32::MAX).max(4)
}

/// The file behind a SQLite URL, once connecting has created it; `None` for an in-memory
/// database, which only sqlx's own connections can see.
fn sqlite_file(url: &str) -> Result<Option<PathBuf>, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?;
    let path = options.get_filename();
    // Absolute, so a later change of working directory cannot point it elsewhere.
    Ok(match url.contains("mode=memory") {
        true => None,
        false => std::fs::canonicalize(path).ok().filter(|p| p.is_file()),
    })
}

/// A write transaction.
pub struct Tx(sqlx::Transaction<'static, Any>);

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tx")
    }
}

impl Tx {
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.0
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.0.commit().await?)
    }
}
