//! How far a long operation has come (a backup, a restore and its proof, the audit trail's
//! verification, a key rotation), for a front end to show: the command line draws a bar on a
//! terminal; the server's jobs and the tests pass [`Silent`].

/// Told of each step of a long operation and of the units done in it.
pub trait Progress: Send + Sync {
    /// A new step: what it does, in words, and how many units it has when that is known.
    fn step(&self, _what: &str, _total: Option<u64>) {}
    /// `n` more units of the current step are done.
    fn advance(&self, _n: u64) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
