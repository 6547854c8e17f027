//! The backup file: a magic line, the manifest (JSON, in the clear so `backup verify` can say
//! what a file holds before it opens), the file key wrapped by the owner's backup key with the
//! manifest bound in, then the body (the SQLite database, then the master key file) sealed in
//! chunks of a mebibyte. Written and read in a chunk's worth of memory, whatever the clinic's
//! size.
#![allow(
    clippy::indexing_slicing,
    reason = "chunk offsets are bounded by the buffers the read and seal loops fill"
)]

use super::{failed, hex, BackupError, Manifest};
use crate::progress::Progress;
use carekeep_crypto::backup::{BackupKey, BodyKey};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use zeroize::Zeroizing;

const MAGIC: &[u8] = b"CAREKEEP-BACKUP-2\n";
const CHUNK: usize = 1 << 20;
/// AES-GCM's tag on every chunk.
const TAG: usize = 16;
/// A manifest or a wrapped key larger than these is not ours.
const MAX_HEADER: usize = 1 << 20;
const MAX_WRAPPED: usize = 1 << 10;
/// A master key file is a line of base64.
const MAX_KEY_FILE: u64 = 1 << 12;

/// Reads until `buf` is full or the input ends; how many bytes it read.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Chunks in flight between the reading thread and the sealing or opening threads.
const AHEAD: usize = 8;
/// Threads sealing or opening chunks while this one reads, hashes and writes.
const THREADS: usize = 2;

/// Chunk `i`'s position in the STREAM.
fn position(i: usize) -> Result<u32, BackupError> {
    u32::try_from(i).map_err(|_| BackupError::Failed("the backup is too large".into()))
}

/// Sealing or opening threads, each taking every [`THREADS`]th chunk, answered in the order
/// given: the thread that hands them out writes or takes the results in the body's order.
struct Workers<'s> {
    jobs: Vec<std::sync::mpsc::Sender<(u32, bool, Vec<u8>)>>,
    results: Vec<std::sync::mpsc::Receiver<Result<Vec<u8>, carekeep_crypto::CryptoError>>>,
    sent: usize,
    taken: usize,
    _scope: std::marker::PhantomData<&'s ()>,
}

impl<'s> Workers<'s> {
    fn start<'e>(
        scope: &'s std::thread::Scope<'s, 'e>,
        work: &'s (impl Fn(u32, bool, &mut Vec<u8>) -> Result<(), carekeep_crypto::CryptoError> + Sync),
    ) -> Workers<'s> {
        let (mut jobs, mut results) = (Vec::new(), Vec::new());
        for _ in 0..THREADS {
            let (job, todo) = std::sync::mpsc::channel::<(u32, bool, Vec<u8>)>();
            let (done, result) = std::sync::mpsc::channel();
            scope.spawn(move || {
                for (at, last, mut chunk) in todo {
                    let r = work(at, last, &mut chunk).map(|()| chunk);
                    if done.send(r).is_err() {
                        return;
                    }
                }
            });
            jobs.push(job);
            results.push(result);
        }
        Workers {
            jobs,
            results,
            sent: 0,
            taken: 0,
            _scope: std::marker::PhantomData,
        }
    }

    fn in_flight(&self) -> usize {
        self.sent - self.taken
    }

    fn send(&mut self, at: u32, last: bool, chunk: Vec<u8>) -> bool {
        let ok = self
            .jobs
            .get(self.sent % THREADS)
            .is_some_and(|j| j.send((at, last, chunk)).is_ok());
        self.sent += 1;
        ok
    }

    /// The next chunk in order; `None` if its thread stopped.
    fn take(&mut self) -> Option<Result<Vec<u8>, carekeep_crypto::CryptoError>> {
        let r = self.results.get(self.taken % THREADS)?.recv().ok();
        self.taken += 1;
        r
    }
}

/// Writes a whole backup to `out`: header, wrapped key, then the sealed chunks of the database
/// file (`manifest.database_bytes` long) followed by `master`. One pass over the body: each
/// chunk is hashed as it is read and sealed on [`THREADS`] other threads, and the header,
/// whose length the checksum does not change (64 hex digits), is written in front of the body
/// at the end. Returns the manifest with the body's SHA-256.
pub(super) fn write<W: Write + Seek>(
    out: &mut W,
    key: &BackupKey,
    mut manifest: Manifest,
    database: &mut dyn Read,
    master: &[u8],
    progress: &dyn Progress,
) -> Result<Manifest, BackupError> {
    let fail = |e: carekeep_crypto::CryptoError| BackupError::Failed(e.to_string());
    let json = |m: &Manifest| serde_json::to_vec(m).map_err(|e| BackupError::Failed(e.to_string()));
    let body = BodyKey::generate();
    manifest.sha256 = "0".repeat(64);
    let placeholder = json(&manifest)?;
    let wrapped_len = key.wrap_body(&placeholder, &body).map_err(fail)?.len();
    let body_at = MAGIC.len() + 4 + placeholder.len() + 4 + wrapped_len;
    let w = failed("write the backup");
    out.seek(SeekFrom::Start(body_at as u64)).map_err(&w)?;
    let total = manifest.database_bytes + master.len() as u64;
    let mut input = database.take(manifest.database_bytes).chain(master);
    let chunks = usize::try_from(total.div_ceil(CHUNK as u64).max(1))
        .map_err(|_| BackupError::Failed("the backup is too large".into()))?;
    let mut hash = Sha256::new();
    let seal = |at: u32, last: bool, chunk: &mut Vec<u8>| body.seal(at, last, chunk);
    std::thread::scope(|scope| -> Result<(), BackupError> {
        let mut workers = Workers::start(scope, &seal);
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let mut left = total;
        let mut written = 0;
        while written < chunks {
            while workers.sent < chunks && workers.in_flight() < AHEAD {
                let n = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
                let mut chunk = spare.pop().unwrap_or_else(|| Vec::with_capacity(CHUNK + TAG));
                chunk.resize(n, 0);
                input.read_exact(&mut chunk).map_err(failed("read the snapshot"))?;
                hash.update(&chunk);
                left -= n as u64;
                let at = position(workers.sent)?;
                if !workers.send(at, workers.sent + 1 == chunks, chunk) {
                    return Err(BackupError::Failed("a sealing thread stopped".into()));
                }
            }
            let sealed = workers
                .take()
                .ok_or_else(|| BackupError::Failed("a sealing thread stopped".into()))?
                .map_err(fail)?;
            let n = u32::try_from(sealed.len()).map_err(|_| BackupError::Failed("a chunk is too large".into()))?;
            out.write_all(&n.to_be_bytes()).map_err(&w)?;
            out.write_all(&sealed).map_err(&w)?;
            progress.advance(sealed.len().saturating_sub(TAG) as u64);
            spare.push(sealed);
            written += 1;
        }
        Ok(())
    })?;
    let (database, _) = input.into_inner();
    if database
        .into_inner()
        .read(&mut [0; 1])
        .map_err(failed("read the snapshot"))?
        != 0
    {
        return Err(BackupError::Failed("the snapshot grew while it was sealed".into()));
    }
    manifest.sha256 = hex(&hash.finalize());
    let header = json(&manifest)?;
    let wrapped = key.wrap_body(&header, &body).map_err(fail)?;
    if header.len() != placeholder.len() || wrapped.len() != wrapped_len {
        return Err(BackupError::Failed("the backup's header changed length".into()));
    }
    let len = |n: usize| u32::try_from(n).map(u32::to_be_bytes);
    out.seek(SeekFrom::Start(0)).map_err(&w)?;
    out.write_all(MAGIC).map_err(&w)?;
    for part in [&header, &wrapped] {
        let n = len(part.len()).map_err(|_| BackupError::Failed("the manifest is too large".into()))?;
        out.write_all(&n).map_err(&w)?;
        out.write_all(part).map_err(&w)?;
    }
    out.seek(SeekFrom::End(0)).map_err(&w)?;
    Ok(manifest)
}

/// Reads a backup from `input`: the database goes to `database` as it is opened, the master
/// key file's bytes are returned. Refuses a wrong key and any changed, moved or missing byte;
/// what was written to `database` before a refusal is the caller's to discard. The chunks are
/// opened on [`THREADS`] threads while this one reads the next and hashes and writes the last.
pub(super) fn read(
    input: &mut impl Read,
    name: &Path,
    key: &BackupKey,
    database: &mut impl Write,
    progress: &dyn Progress,
) -> Result<(Manifest, Zeroizing<Vec<u8>>), BackupError> {
    let damaged = || BackupError::Refused(format!("{} is not a Carekeep backup, or it is damaged", name.display()));
    let io = |_: std::io::Error| damaged();
    let mut magic = [0; MAGIC.len()];
    input.read_exact(&mut magic).map_err(io)?;
    if magic != MAGIC {
        return Err(damaged());
    }
    let mut part = |max: usize| -> Result<Vec<u8>, BackupError> {
        let mut n = [0; 4];
        input.read_exact(&mut n).map_err(io)?;
        let n = u32::from_be_bytes(n) as usize;
        if n > max {
            return Err(damaged());
        }
        let mut v = vec![0; n];
        input.read_exact(&mut v).map_err(io)?;
        Ok(v)
    };
    let header = part(MAX_HEADER)?;
    let wrapped = part(MAX_WRAPPED)?;
    let body = key.open_body(&header, &wrapped).map_err(|_| {
        BackupError::Refused(format!(
            "{} does not open: the backup key is wrong, or the file was damaged or altered",
            name.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_slice(&header).map_err(|_| damaged())?;
    if manifest.key_bytes > MAX_KEY_FILE {
        return Err(damaged());
    }
    progress.step("opening the backup", Some(manifest.database_bytes + manifest.key_bytes));
    let mut hash = Sha256::new();
    let mut written = 0u64;
    let mut master = Zeroizing::new(Vec::new());
    let mut take = |plain: &[u8]| -> Result<(), BackupError> {
        hash.update(plain);
        let to_db = usize::try_from(manifest.database_bytes.saturating_sub(written))
            .unwrap_or(usize::MAX)
            .min(plain.len());
        database
            .write_all(&plain[..to_db])
            .map_err(failed("write the restored database"))?;
        master.extend_from_slice(&plain[to_db..]);
        written += plain.len() as u64;
        progress.advance(plain.len() as u64);
        if master.len() as u64 > manifest.key_bytes {
            return Err(damaged());
        }
        Ok(())
    };
    let open = |at: u32, last: bool, chunk: &mut Vec<u8>| body.open(at, last, chunk);
    std::thread::scope(|scope| -> Result<(), BackupError> {
        let mut workers = Workers::start(scope, &open);
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let mut pending = read_chunk(input, Vec::new()).map_err(io)?;
        if pending.is_none() {
            return Err(damaged());
        }
        loop {
            while workers.in_flight() < AHEAD {
                let Some(sealed) = pending.take() else { break };
                pending = read_chunk(input, spare.pop().unwrap_or_default()).map_err(io)?;
                let at = position(workers.sent).map_err(|_| damaged())?;
                if !workers.send(at, pending.is_none(), sealed) {
                    return Err(damaged());
                }
            }
            if workers.in_flight() == 0 {
                return Ok(());
            }
            let plain = workers.take().ok_or_else(damaged)?.map_err(|_| damaged())?;
            take(&plain)?;
            spare.push(plain);
        }
    })?;
    if written != manifest.database_bytes + manifest.key_bytes || hex(&hash.finalize()) != manifest.sha256 {
        return Err(damaged());
    }
    Ok((manifest, master))
}

/// The next sealed chunk, read into `buf`, or `None` at the end of the file.
fn read_chunk(input: &mut impl Read, mut buf: Vec<u8>) -> std::io::Result<Option<Vec<u8>>> {
    let mut n = [0; 4];
    match fill(input, &mut n)? {
        0 => return Ok(None),
        4 => {}
        _ => return Err(std::io::ErrorKind::UnexpectedEof.into()),
    }
    let n = u32::from_be_bytes(n) as usize;
    if n > CHUNK + TAG {
        return Err(std::io::ErrorKind::InvalidData.into());
    }
    buf.resize(n, 0);
    input.read_exact(&mut buf)?;
    Ok(Some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(db: &[u8], master: &[u8]) -> Manifest {
        let mut h = Sha256::new();
        h.update(db);
        h.update(master);
        Manifest {
            format: 2,
            created_at: "2026-03-02 9:00:00.0 +00:00:00".into(),
            source: "sqlite".into(),
            counts: Default::default(),
            audit_head_seq: 0,
            audit_head_hash: String::new(),
            sha256: hex(&h.finalize()),
            database_bytes: db.len() as u64,
            key_bytes: master.len() as u64,
        }
    }

    /// A body of two and a half chunks, written and read back, then bent in every way.
    #[test]
    fn a_multi_chunk_body_round_trips_and_any_cut_or_change_is_refused() {
        let db: Vec<u8> = (0..(CHUNK * 5 / 2) as u32).map(|i| (i % 251) as u8).collect();
        let master = b"carekeep-master-key-v1:AAAA\n".to_vec();
        let key = BackupKey::generate();
        let m = manifest(&db, &master);
        let mut out = std::io::Cursor::new(Vec::new());
        let written = write(
            &mut out,
            &key,
            m.clone(),
            &mut db.as_slice(),
            &master,
            &crate::progress::Silent,
        )
        .unwrap();
        assert_eq!(written, m, "the checksum computed while sealing is the body's");
        // A database that is shorter or longer than its manifest says is refused.
        for wrong in [&db[..db.len() - 1], &[db.as_slice(), b"x"].concat()[..]] {
            let mut out = std::io::Cursor::new(Vec::new());
            let mut input = wrong;
            assert!(write(&mut out, &key, m.clone(), &mut input, &master, &crate::progress::Silent).is_err());
        }
        let file = out.into_inner();
        let open = |bytes: &[u8], key: &BackupKey| {
            let mut out = Vec::new();
            read(
                &mut std::io::Cursor::new(bytes),
                Path::new("t.ckb"),
                key,
                &mut out,
                &crate::progress::Silent,
            )
            .map(|(m, k)| (m, k, out))
        };
        let (back, k, out) = open(&file, &key).unwrap();
        assert_eq!((back, k.to_vec(), out), (m, master.clone(), db.clone()));
        assert!(open(&file, &BackupKey::generate()).is_err(), "wrong key");
        // Cut after the second chunk (a whole number of chunks): the last one is missing.
        let header_end = file.len() - 3 * 4 - 2 * (CHUNK + TAG) - (CHUNK / 2 + master.len() + TAG);
        let cut = header_end + 2 * (4 + CHUNK + TAG);
        assert!(open(&file[..cut], &key).is_err(), "cut at a chunk boundary");
        assert!(open(&file[..file.len() - 1], &key).is_err(), "cut by a byte");
        let mut longer = file.clone();
        longer.extend_from_slice(&[0, 0, 0, 0]);
        assert!(open(&longer, &key).is_err(), "bytes after the last chunk");
        // Every byte of the header and the wrapped key; each chunk's length, first, middle and
        // last byte and its tag's first (chunks sealed on two threads, opened on two).
        let mut places: Vec<usize> = (0..header_end).collect();
        let mut chunk_at = header_end;
        while chunk_at < file.len() {
            let n = u32::from_be_bytes(file[chunk_at..chunk_at + 4].try_into().unwrap()) as usize;
            places.extend(chunk_at..chunk_at + 4);
            places.extend([
                chunk_at + 4,
                chunk_at + 4 + n / 2,
                chunk_at + 4 + n - TAG,
                chunk_at + 3 + n,
            ]);
            chunk_at += 4 + n;
        }
        assert_eq!(chunk_at, file.len());
        for at in places {
            let mut bent = file.clone();
            bent[at] ^= 1;
            assert!(open(&bent, &key).is_err(), "byte {at}");
        }
    }
}
