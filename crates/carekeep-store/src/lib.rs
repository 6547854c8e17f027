//! Carekeep's storage: SQLite (the embedded default, WAL) and PostgreSQL behind one interface.
//!
//! Every query is written once, with `$N` placeholders that both databases accept, and runs
//! through sqlx's `Any` driver; only migrations and connection pragmas differ per backend.
//! Query functions take `&mut Conn`, so the same function serves a plain read and a step inside
//! a write transaction ([`Tx`]).

pub mod audit;
pub mod backups;
pub mod clinic;
mod db;
mod error;
pub mod incidents;
pub mod keys;
mod migrate;
pub mod monitoring;
pub mod npp;
pub mod policies;
pub mod program;
pub mod records;
pub mod rights;
pub mod roles;
pub mod sessions;
pub mod sra;
pub mod throttle;
pub mod users;
pub mod workforce;

pub use db::{Backend, Conn, Store, Tx};
pub use error::StoreError;
pub use migrate::migration_names;

/// Unix seconds, the one time representation in the database.
pub(crate) fn unix(t: time::OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

pub(crate) fn from_unix(s: i64) -> Result<time::OffsetDateTime, StoreError> {
    time::OffsetDateTime::from_unix_timestamp(s).map_err(|_| StoreError::Corrupt("timestamp"))
}
