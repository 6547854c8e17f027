//! The audit trail's use cases: recording an event inside the action's own transaction (the
//! action fails if the event cannot be written), signed checkpoints, and verification.

use crate::{App, AppError};
use carekeep_crypto::audit::{new_secret, verify_checkpoint, ChainKey, CheckpointSigner};
use carekeep_crypto::keys::MasterKey;
use carekeep_domain::audit::chain::{split_anchors, Anchor, ChainMac, Problem, Span, StoredLink, Verifier};
use carekeep_domain::audit::{canonical_at, AuditEvent};
use carekeep_store::audit::{self as store, Checkpoint, TrailChunk, TrailRange};
use carekeep_store::{Conn, Store, Tx};
use time::OffsetDateTime;

const CHAIN_KEY: &str = "audit_chain_mac";
const SIGNING_KEY: &str = "audit_checkpoint_signing";

/// Sign a checkpoint at least every this many events.
pub const CHECKPOINT_EVERY: i64 = 1000;
/// Events read per chunk while verifying: memory stays flat however long the trail, and each
/// chunk's MACs are one core's work for about a millisecond.
const CHUNK: usize = 2_048;
/// A trail of this many events or more is verified in two parts at once.
const SPLIT_FROM: i64 = 2 * CHUNK as i64;

/// Records an operation run on the whole clinic outside any signed-in request (a backup, a
/// restore, a restore drill) from the command line or the server's own jobs, in the clinic's
/// trail, with the clinic's chain key (164.312(b): the system's own handling of PHI in bulk
/// is on the record too). The command line acts as `cli`.
pub async fn record_operation(
    store: &Store,
    master: &MasterKey,
    action: carekeep_domain::audit::Action,
    outcome: carekeep_domain::audit::Outcome,
    what: &str,
    at: OffsetDateTime,
) -> Result<i64, AppError> {
    let event = AuditEvent::new(
        at,
        crate::Actor::Cli.audit_actor(),
        action,
        outcome,
        carekeep_domain::audit::Origin::default(),
    )
    .with_reason(what);
    let mut tx = store.begin().await?;
    let keys = AuditKeys::ensure(tx.conn(), master, at).await?;
    let seq = keys.record(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(seq)
}

/// The keys that MAC the chain and sign its checkpoints, unwrapped from the database with the
/// master key.
#[derive(Debug)]
pub struct AuditKeys {
    pub chain: ChainKey,
    pub signer: CheckpointSigner,
}

/// A secret wrapped by the master key under `purpose`, created on first use.
pub(crate) async fn ensure_secret(
    conn: &mut Conn,
    master: &MasterKey,
    purpose: &str,
    now: OffsetDateTime,
) -> Result<zeroize::Zeroizing<Vec<u8>>, AppError> {
    Ok(match store::secret(conn, purpose).await? {
        Some((wrapped, _)) => master.unwrap_secret(purpose, &wrapped)?,
        None => {
            let fresh = new_secret();
            store::insert_secret(conn, purpose, &master.wrap_secret(purpose, &*fresh)?, None, now).await?;
            zeroize::Zeroizing::new(fresh.to_vec())
        }
    })
}

impl AuditKeys {
    /// Loads the audit keys, creating them on first use.
    pub async fn ensure(conn: &mut Conn, master: &MasterKey, now: OffsetDateTime) -> Result<AuditKeys, AppError> {
        let chain = ensure_secret(conn, master, CHAIN_KEY, now).await?;
        let seed = match store::secret(conn, SIGNING_KEY).await? {
            Some((wrapped, _)) => master.unwrap_secret(SIGNING_KEY, &wrapped)?,
            None => {
                let fresh = new_secret();
                let public = CheckpointSigner::from_seed(&*fresh)?.public_key();
                let wrapped = master.wrap_secret(SIGNING_KEY, &*fresh)?;
                store::insert_secret(conn, SIGNING_KEY, &wrapped, Some(&public), now).await?;
                zeroize::Zeroizing::new(fresh.to_vec())
            }
        };
        Ok(AuditKeys {
            chain: ChainKey::from_bytes(&chain)?,
            signer: CheckpointSigner::from_seed(&seed)?,
        })
    }

    /// Appends `event` in `tx`; every [`CHECKPOINT_EVERY`] events also signs a checkpoint.
    pub async fn record(&self, tx: &mut Tx, event: &AuditEvent) -> Result<i64, AppError> {
        let seqs = self.record_all(tx, std::slice::from_ref(event)).await?;
        seqs.first()
            .copied()
            .ok_or_else(|| AppError::Internal("no sequence number".into()))
    }

    /// Appends events in order in `tx`, signing a checkpoint at every [`CHECKPOINT_EVERY`]th.
    pub async fn record_all(&self, tx: &mut Tx, events: &[AuditEvent]) -> Result<Vec<i64>, AppError> {
        let written = store::append(tx.conn(), events, &self.chain).await?;
        for ((seq, hash), event) in written.iter().zip(events) {
            if seq % CHECKPOINT_EVERY == 0 {
                self.checkpoint(tx.conn(), *seq, *hash, event.at).await?;
            }
        }
        Ok(written.into_iter().map(|(seq, _)| seq).collect())
    }

    async fn checkpoint(&self, conn: &mut Conn, seq: i64, hash: [u8; 32], at: OffsetDateTime) -> Result<(), AppError> {
        let at = at.unix_timestamp();
        let signature = self.signer.sign(seq, &hash, at).to_vec();
        store::insert_checkpoint(
            conn,
            &Checkpoint {
                seq,
                hash,
                at,
                signature,
            },
        )
        .await?;
        Ok(())
    }
}

/// A checkpoint as exported to the file the owner keeps elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportedCheckpoint {
    pub seq: i64,
    pub hash: String,
    pub at: i64,
    pub signature: String,
    pub public_key: String,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The outcome of a verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyReport {
    Intact { events: u64, head: i64, checkpoints: usize },
    Tampered { problem: Problem, events_before: i64 },
}

/// Walks the whole trail. `outside`: checkpoints from a file kept elsewhere; each must carry a
/// valid signature, or the whole check is refused.
pub async fn verify(store: &Store, keys: &AuditKeys, outside: &[ExportedCheckpoint]) -> Result<VerifyReport, AppError> {
    verify_reporting(store, keys, outside, &crate::progress::Silent).await
}

/// [`verify`], telling `progress` how many events are checked.
pub async fn verify_reporting(
    store: &Store,
    keys: &AuditKeys,
    outside: &[ExportedCheckpoint],
    progress: &dyn crate::progress::Progress,
) -> Result<VerifyReport, AppError> {
    verify_walking(store, keys, outside, progress, true).await
}

/// [`verify`] as one walk by one reader, never in two parts: how a trail that failed in two
/// parts is walked to name its problem, and the benchmark's comparison in the same run.
pub async fn verify_in_one_walk(store: &Store, keys: &AuditKeys) -> Result<VerifyReport, AppError> {
    verify_walking(store, keys, &[], &crate::progress::Silent, false).await
}

async fn verify_walking(
    store: &Store,
    keys: &AuditKeys,
    outside: &[ExportedCheckpoint],
    progress: &dyn crate::progress::Progress,
    in_two: bool,
) -> Result<VerifyReport, AppError> {
    let mut conn = store.read().await?;
    let public = keys.signer.public_key();
    let mut anchors = Vec::new();
    let inside = store::checkpoints(&mut conn).await?;
    for c in &inside {
        let sig: [u8; 64] = c.signature.as_slice().try_into().unwrap_or([0; 64]);
        if !verify_checkpoint(&public, c.seq, &c.hash, c.at, &sig) {
            return Ok(VerifyReport::Tampered {
                problem: Problem {
                    seq: c.seq,
                    kind: carekeep_domain::audit::chain::Tampering::Changed,
                },
                events_before: c.seq - 1,
            });
        }
        anchors.push(Anchor {
            seq: c.seq,
            hash: c.hash,
        });
    }
    for c in outside {
        let (Some(hash), Some(sig), Some(pk)) = (
            unhex::<32>(&c.hash),
            unhex::<64>(&c.signature),
            unhex::<32>(&c.public_key),
        ) else {
            return Err(AppError::Invalid(format!(
                "checkpoint {} in the file is malformed",
                c.seq
            )));
        };
        if !verify_checkpoint(&pk, c.seq, &hash, c.at, &sig) {
            return Err(AppError::Invalid(format!(
                "checkpoint {} in the file has a bad signature: the file itself was altered",
                c.seq
            )));
        }
        anchors.push(Anchor { seq: c.seq, hash });
    }
    let (head_seq, head_hash) = store::head(&mut conn).await?;
    if head_seq > 0 {
        anchors.push(Anchor {
            seq: head_seq,
            hash: head_hash,
        });
    }
    drop(conn);
    let checkpoints = inside.len() + outside.len();
    progress.step("checking the audit trail", u64::try_from(head_seq).ok());
    if in_two && head_seq >= SPLIT_FROM {
        // Two halves at once, each read and checked on its own core; intact only if both are
        // and they join. Anything else is walked again as one trail, which names the problem.
        if let Some(events) = verify_in_two(store, &keys.chain, &anchors, head_seq / 2, progress).await? {
            return Ok(VerifyReport::Intact {
                events,
                head: head_seq,
                checkpoints,
            });
        }
        progress.step("finding where the audit trail fails", u64::try_from(head_seq).ok());
    }
    let (to_check, chunks) = tokio::sync::mpsc::channel(2);
    let chain = keys.chain.clone();
    let checker = tokio::task::spawn_blocking(move || check_chunks(&chain, anchors, chunks));
    let mut trail = store::read_trail(store, CHUNK, TrailRange::ALL);
    while let Some(chunk) = trail.next().await? {
        progress.advance(chunk.len() as u64);
        if to_check.send(chunk).await.is_err() {
            // The checker stopped at a problem: nothing after it changes the verdict.
            break;
        }
    }
    drop(to_check);
    drop(trail);
    let outcome = checker
        .await
        .map_err(|e| AppError::Internal(format!("the audit check stopped: {e}")))?;
    Ok(match outcome {
        Ok(events) => VerifyReport::Intact {
            events,
            head: head_seq,
            checkpoints,
        },
        Err(problem) => VerifyReport::Tampered {
            problem,
            events_before: problem.seq - 1,
        },
    })
}

/// The trail verified as two parts at once (issue 31): the events up to `mid` and those after
/// it, each read by its own reader and checked on its own thread, so both cores read, encode
/// and MAC. The verdict is the whole walk's when it is "intact" (`Span::joins`; the domain's
/// tests hold the split to the whole walk at every point); `None` when either part fails or
/// they do not join, for the caller to name the problem with the whole walk.
async fn verify_in_two(
    store: &Store,
    chain: &ChainKey,
    anchors: &[Anchor],
    mid: i64,
    progress: &dyn crate::progress::Progress,
) -> Result<Option<u64>, AppError> {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let stop = Arc::new(AtomicBool::new(false));
    let (before, after) = split_anchors(anchors, mid);
    let parts = [
        (
            TrailRange {
                after: None,
                up_to: Some(mid),
            },
            before,
            None,
        ),
        (
            TrailRange {
                after: Some(mid),
                up_to: None,
            },
            after,
            Some(mid),
        ),
    ];
    let mut checkers = Vec::new();
    let mut feeds = Vec::new();
    for (range, anchors, after) in parts {
        let (to_check, chunks) = tokio::sync::mpsc::channel(2);
        let (chain, stop) = (chain.clone(), stop.clone());
        checkers.push(tokio::task::spawn_blocking(move || {
            check_part(&chain, anchors, after, chunks, &stop)
        }));
        feeds.push((range, to_check));
    }
    let [(first, to_first), (second, to_second)] =
        <[_; 2]>::try_from(feeds).map_err(|_| AppError::Internal("two parts".into()))?;
    let read = tokio::join!(
        feed(store, first, to_first, progress),
        feed(store, second, to_second, progress)
    );
    let mut spans = Vec::new();
    for c in checkers {
        spans.push(
            c.await
                .map_err(|e| AppError::Internal(format!("the audit check stopped: {e}")))?,
        );
    }
    read.0?;
    read.1?;
    Ok(match spans.as_slice() {
        [Some(a), Some(b)] if a.joins(b) => Some(a.checked + b.checked),
        _ => None,
    })
}

/// Reads `range` of the trail into `to_check` until it ends or the checker stops.
async fn feed(
    store: &Store,
    range: TrailRange,
    to_check: tokio::sync::mpsc::Sender<TrailChunk>,
    progress: &dyn crate::progress::Progress,
) -> Result<(), AppError> {
    let mut trail = store::read_trail(store, CHUNK, range);
    while let Some(chunk) = trail.next().await? {
        progress.advance(chunk.len() as u64);
        if to_check.send(chunk).await.is_err() {
            break;
        }
    }
    Ok(())
}

/// One part of the trail: each event's MAC, then the chain rule, on this thread. `None` at
/// the first problem (and `stop` tells the other part to give up).
fn check_part(
    chain: &ChainKey,
    anchors: Vec<Anchor>,
    after: Option<i64>,
    mut chunks: tokio::sync::mpsc::Receiver<TrailChunk>,
    stop: &std::sync::atomic::AtomicBool,
) -> Option<Span> {
    use std::sync::atomic::Ordering;
    let mut verifier = match after {
        None => Verifier::new(chain, anchors),
        Some(mid) => Verifier::after(chain, anchors, mid),
    };
    while let Some(chunk) = chunks.blocking_recv() {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        for (i, l) in chunk.links.iter().enumerate() {
            let bytes = chunk.canonical(i);
            let authentic = chain.link(&l.prev_hash, bytes) == l.hash;
            let encode = |seq: i64| canonical_at(bytes, seq);
            let link = StoredLink {
                seq: l.seq,
                prev_hash: l.prev_hash,
                hash: l.hash,
                canonical_at: &encode,
            };
            if !verifier.push_checked(&link, authentic) {
                stop.store(true, Ordering::Relaxed);
                return None;
            }
        }
    }
    let span = verifier.finish_span().ok();
    if span.is_none() {
        stop.store(true, Ordering::Relaxed);
    }
    span
}

/// Threads computing MACs while the trail is read (and the verdict kept in order).
const MAC_THREADS: usize = 2;

/// The check of a whole trail read in chunks: each chunk's MACs (is every event authentic at
/// its own number?) on [`MAC_THREADS`] cores, then the chain rule over the chunks in order
/// (`Verifier::push_checked`, which re-encodes only a failing event, at its neighbours'
/// numbers, to name what was done to it).
fn check_chunks(
    chain: &ChainKey,
    anchors: Vec<Anchor>,
    chunks: tokio::sync::mpsc::Receiver<TrailChunk>,
) -> Result<u64, Problem> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;
    // Chunks are numbered as they are taken, so the verdict can put them back in order.
    let source = Mutex::new((Some(chunks), 0usize));
    let stop = AtomicBool::new(false);
    let (done, checked) = std::sync::mpsc::channel::<(usize, TrailChunk, Vec<bool>)>();
    std::thread::scope(|scope| {
        for _ in 0..MAC_THREADS {
            let done = done.clone();
            let (source, stop) = (&source, &stop);
            scope.spawn(move || loop {
                let next = {
                    let Ok(mut source) = source.lock() else { return };
                    if stop.load(Ordering::Relaxed) {
                        // Dropping the receiver ends the read.
                        source.0 = None;
                        return;
                    }
                    let Some(chunk) = source.0.as_mut().and_then(|c| c.blocking_recv()) else {
                        return;
                    };
                    source.1 += 1;
                    (source.1 - 1, chunk)
                };
                let (n, chunk) = next;
                let authentic = chunk
                    .links
                    .iter()
                    .enumerate()
                    .map(|(i, l)| chain.link(&l.prev_hash, chunk.canonical(i)) == l.hash)
                    .collect();
                if done.send((n, chunk, authentic)).is_err() {
                    return;
                }
            });
        }
        drop(done);
        let mut verifier = Verifier::new(chain, anchors);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        'chunks: for (n, chunk, authentic) in checked.iter() {
            waiting.insert(n, (chunk, authentic));
            while let Some((chunk, authentic)) = waiting.remove(&next) {
                next += 1;
                for (i, (l, ok)) in chunk.links.iter().zip(authentic).enumerate() {
                    let bytes = chunk.canonical(i);
                    let encode = |seq: i64| canonical_at(bytes, seq);
                    let link = StoredLink {
                        seq: l.seq,
                        prev_hash: l.prev_hash,
                        hash: l.hash,
                        canonical_at: &encode,
                    };
                    if !verifier.push_checked(&link, ok) {
                        stop.store(true, Ordering::Relaxed);
                        if let Ok(mut source) = source.lock() {
                            source.0 = None;
                        }
                        break 'chunks;
                    }
                }
            }
        }
        // Unblock a thread still waiting to hand over a chunk.
        drop(checked);
        verifier.finish()
    })
}

/// Every checkpoint in the database, for the owner to keep elsewhere.
pub async fn export_checkpoints(store: &Store, keys: &AuditKeys) -> Result<Vec<ExportedCheckpoint>, AppError> {
    let mut conn = store.read().await?;
    let pk = hex(&keys.signer.public_key());
    Ok(store::checkpoints(&mut conn)
        .await?
        .into_iter()
        .map(|c| ExportedCheckpoint {
            seq: c.seq,
            hash: hex(&c.hash),
            at: c.at,
            signature: hex(&c.signature),
            public_key: pk.clone(),
        })
        .collect())
}

impl App {
    /// Records an event in the action's transaction. If this fails, the caller's `?` aborts
    /// the action: fail closed.
    pub async fn record(&self, tx: &mut Tx, event: &AuditEvent) -> Result<i64, AppError> {
        self.audit_keys().record(tx, event).await
    }

    /// Signs a checkpoint at the head when events were added since the last one and it is
    /// older than `every`. Run by the server on a timer.
    pub async fn checkpoint_if_due(&self, every: time::Duration) -> Result<bool, AppError> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let (seq, hash) = store::head(tx.conn()).await?;
        let last = store::checkpoints(tx.conn()).await?.pop();
        let due = seq > 0
            && last
                .as_ref()
                .is_none_or(|c| c.seq < seq && now.unix_timestamp() - c.at >= every.whole_seconds());
        if due {
            self.audit_keys().checkpoint(tx.conn(), seq, hash, now).await?;
            tx.commit().await?;
        }
        Ok(due)
    }

    /// Verifies the trail against its own checkpoints and any kept `outside` it (`carekeep audit verify`).
    pub async fn verify_audit(
        &self,
        outside: &[ExportedCheckpoint],
        progress: &dyn crate::progress::Progress,
    ) -> Result<VerifyReport, AppError> {
        verify_reporting(self.store(), self.audit_keys(), outside, progress).await
    }

    /// The signed checkpoints, to keep apart from the database (`carekeep audit checkpoints`).
    pub async fn audit_checkpoints(&self) -> Result<Vec<ExportedCheckpoint>, AppError> {
        export_checkpoints(self.store(), self.audit_keys()).await
    }

    /// Verifies the trail and keeps the result as evidence (the daily job).
    pub async fn verify_and_record(&self) -> Result<VerifyReport, AppError> {
        let report = verify(self.store(), self.audit_keys(), &[]).await?;
        let now = self.now();
        let v = match &report {
            VerifyReport::Intact { events, .. } => store::Verification {
                at: now,
                ok: true,
                events: i64::try_from(*events).unwrap_or(i64::MAX),
                problem_seq: None,
                problem: String::new(),
            },
            VerifyReport::Tampered { problem, events_before } => store::Verification {
                at: now,
                ok: false,
                events: *events_before,
                problem_seq: Some(problem.seq),
                problem: problem.kind.as_str().to_owned(),
            },
        };
        let mut tx = self.store().begin().await?;
        store::record_verification(tx.conn(), &v).await?;
        tx.commit().await?;
        if !v.ok {
            tracing::error!(seq = v.problem_seq, problem = %v.problem, "audit trail verification failed");
        }
        Ok(report)
    }

    /// The last verification's result.
    pub async fn latest_verification(&self) -> Result<Option<store::Verification>, AppError> {
        let mut conn = self.store().read().await?;
        Ok(store::latest_verification(&mut conn).await?)
    }
}

/// Group commit for events that stand alone: a PHI read writes nothing but its event, so many
/// readers' events go into one transaction and one durable commit. Each caller waits until
/// the batch holding its event has committed (fail closed: no commit, no data), and a failed
/// batch fails every caller in it.
#[derive(Clone, Debug)]
pub struct Appender {
    queue: tokio::sync::mpsc::Sender<Job>,
}

#[derive(Debug)]
struct Job {
    event: AuditEvent,
    done: tokio::sync::oneshot::Sender<Result<i64, String>>,
}

/// Most events in one batch.
const MAX_BATCH: usize = 512;

impl Appender {
    /// Starts the appender task on the current runtime.
    pub fn spawn(store: Store, keys: std::sync::Arc<AuditKeys>) -> Appender {
        let (queue, mut rx) = tokio::sync::mpsc::channel::<Job>(4096);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let events: Vec<AuditEvent> = batch.iter().map(|j| j.event.clone()).collect();
                let written: Result<Vec<i64>, AppError> = async {
                    let mut tx = store.begin().await?;
                    let seqs = keys.record_all(&mut tx, &events).await?;
                    tx.commit().await?;
                    Ok(seqs)
                }
                .await;
                match written {
                    Ok(seqs) => {
                        for (job, seq) in batch.into_iter().zip(seqs) {
                            let _ = job.done.send(Ok(seq));
                        }
                    }
                    Err(e) => {
                        let detail = e.to_string();
                        for job in batch {
                            let _ = job.done.send(Err(detail.clone()));
                        }
                    }
                }
            }
        });
        Appender { queue }
    }

    /// Hands one event to the appender; the receiver answers once it is durable (or failed).
    pub(crate) async fn enqueue(
        &self,
        event: AuditEvent,
    ) -> Result<tokio::sync::oneshot::Receiver<Result<i64, String>>, AppError> {
        let (done, wait) = tokio::sync::oneshot::channel();
        self.queue
            .send(Job { event, done })
            .await
            .map_err(|_| AppError::Internal("the audit appender has stopped".into()))?;
        Ok(wait)
    }

    /// Appends one event; returns its sequence number once it is durable.
    pub async fn append(&self, event: AuditEvent) -> Result<i64, AppError> {
        let wait = self.enqueue(event).await?;
        wait.await
            .map_err(|_| AppError::Internal("the audit appender has stopped".into()))?
            .map_err(|e| AppError::Internal(format!("audit append failed: {e}")))
    }
}

impl App {
    /// Records an event that stands alone (a read), group-committed with others. Returns once
    /// it is durable; an error means the caller must not hand out what it read.
    pub async fn append_event(&self, event: AuditEvent) -> Result<i64, AppError> {
        self.appender().append(event).await
    }
}

pub mod fhir;
pub mod people;
pub mod view;
