//! A bound on how many password hashes run at once. Each Argon2id hash holds about 19 MiB
//! for its duration, so a burst of sign-ins (or of guesses) would otherwise cost memory in
//! proportion to the burst; beyond the bound, attempts wait their turn.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The most hashes that ever run at once, whatever the number of cores.
pub const MAX_CONCURRENT_HASHES: usize = 4;

#[derive(Debug)]
pub(crate) struct HashGate {
    slots: Arc<Semaphore>,
    counts: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    running: AtomicUsize,
    peak: AtomicUsize,
}

impl HashGate {
    /// One slot per core, at most [`MAX_CONCURRENT_HASHES`].
    pub(crate) fn for_this_machine() -> HashGate {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        HashGate {
            slots: Arc::new(Semaphore::new(cores.clamp(1, MAX_CONCURRENT_HASHES))),
            counts: Arc::default(),
        }
    }

    /// Runs `hash` on a blocking thread once a slot is free. The slot travels with the work,
    /// so a caller that goes away (a dropped connection) frees it only when the hash ends.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        hash: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, crate::AppError> {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| crate::AppError::Internal("the password-hash gate is closed".into()))?;
        let counts = self.counts.clone();
        Ok(tokio::task::spawn_blocking(move || {
            let running = counts.running.fetch_add(1, Ordering::SeqCst) + 1;
            counts.peak.fetch_max(running, Ordering::SeqCst);
            let out = hash();
            counts.running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            out
        })
        .await?)
    }

    /// The most hashes seen running at once since start.
    pub(crate) fn peak(&self) -> usize {
        self.counts.peak.load(Ordering::SeqCst)
    }
}
