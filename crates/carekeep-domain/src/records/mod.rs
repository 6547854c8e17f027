//! Clinic records: who may see which part of a chart, and what a valid record looks like.
//! Pure rules; the app crate stores, encrypts and audits around them.

pub mod appointment;
pub mod break_glass;
pub mod chart_access;
pub mod chart_header;
pub mod codes;
pub mod detail;
pub mod invoice;
pub mod ledger;
pub mod patient;
pub mod search;
pub mod vitals;

/// A value that failed validation; the message says what to fix and never repeats PHI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

pub(crate) fn invalid<T>(msg: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid(msg.into()))
}
