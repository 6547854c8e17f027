//! Carekeep's storage: SQLite (the embedded default, WAL) and PostgreSQL behind one interface.
//!
//! Every query is written once, with `$N` placeholders that both databases accept, and runs
//! through sqlx's `Any` driver; only migrations and connection pragmas differ per backend, and
//! on SQLite the three reads every chart view makes also run on the calling thread
//! ([`db::direct`]), with the same SQL and row decoders.
//! Query functions take `&mut Conn`, so the same function serves a plain read and a step inside
//! a write transaction ([`Tx`]).

// The two-driver plumbing (pools, the SQLite fast path, the row reader, migrations, the copy
// between backends) apart from the tables, which are grouped by feature.
mod db;
mod error;

pub mod audit;
pub mod auth;
pub mod backups;
pub mod bookings;
pub mod calendar;
pub mod form_review;
pub mod forms;
pub mod incidents;
pub mod kiosk;
pub mod monitoring;
pub mod move_requests;
pub mod people;
pub mod portal;
pub mod portal_representative;
pub mod program;
pub mod records;
pub mod reminders;
pub mod rights;
pub mod waitlist;

// The tables by their own names as well, so a use case names what it touches.
pub use auth::{clinic, invitations, keys, mail_relay, network, portal_cert, roles, sessions, throttle, users};
pub use db::copy;
pub use db::copy_stream;
pub use db::migrate::migration_names;
pub use db::page_stream;
pub use db::reader::Reader;
pub use db::{Backend, Conn, Store, Tx};
pub use error::StoreError;
pub use program::{npp, policies, security, sra, workforce};
pub use records::chart_rows;

/// Parameters per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535.
pub(crate) const PARAMS_PER_STATEMENT: usize = 4_000;

/// The `VALUES` list of a multi-row insert of `rows` rows of `cols` columns. SQLite gets
/// anonymous `?` parameters: it looks a `$N` parameter's name up by a linear scan, so binding
/// thousands of `$N` costs the square of their number (it made seeding ten times slower);
/// anonymous ones bind in order with no lookup. PostgreSQL gets `$N`.
pub(crate) fn values_list(conn: &Conn, rows: usize, cols: usize) -> String {
    let sqlite = conn.backend_name() == "SQLite";
    let mut out = String::with_capacity(rows * cols * 6);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            if sqlite {
                out.push('?');
            } else {
                out.push_str(&format!("${}", r * cols + c + 1));
            }
        }
        out.push(')');
    }
    out
}

/// Unix seconds, the one time representation in the database.
pub(crate) fn unix(t: time::OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

pub(crate) fn from_unix(s: i64) -> Result<time::OffsetDateTime, StoreError> {
    time::OffsetDateTime::from_unix_timestamp(s).map_err(|_| StoreError::Corrupt("timestamp"))
}
