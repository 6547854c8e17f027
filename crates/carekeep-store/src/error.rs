//! `StoreError`: what callers can act on (not found, conflict) apart from everything else.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with an existing record")]
    Conflict,
    /// The database itself refused the change (a retention or immutability trigger).
    #[error("{0}")]
    Refused(String),
    /// The change names a record that does not exist (a foreign key): bad input, not a fault.
    #[error("it refers to a record that does not exist")]
    MissingReference,
    #[error("stored value is not valid: {0}")]
    Corrupt(&'static str),
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
    /// From the SQLite hot reads (`direct`), which never write.
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            other => StoreError::Sqlite(other),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::MissingReference,
            sqlx::Error::Database(db) if FROZEN.iter().any(|m| db.message().contains(m)) => {
                StoreError::Refused(db.message().to_owned())
            }
            _ => StoreError::Other(e),
        }
    }
}

/// What the immutability triggers say (migration 0010).
const FROZEN: [&str; 3] = ["never changes", "are kept", "append-only"];
