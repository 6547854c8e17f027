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
use carekeep_crypto::backup::BackupKey;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
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

/// SHA-256 and length of the body: the database file, then the master key file.
pub(super) fn digest(database: &Path, master: &[u8]) -> Result<(String, u64), BackupError> {
    let mut f = std::fs::File::open(database).map_err(failed("read the snapshot"))?;
    let mut h = Sha256::new();
    let mut buf = vec![0; CHUNK];
    let mut len = 0u64;
    loop {
        let n = fill(&mut f, &mut buf).map_err(failed("read the snapshot"))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        len += n as u64;
    }
    h.update(master);
    Ok((hex(&h.finalize()), len))
}

/// Writes a whole backup to `out`: header, wrapped key, then the sealed chunks of the database
/// file followed by `master`.
pub(super) fn write(
    out: &mut impl Write,
    key: &BackupKey,
    manifest: &Manifest,
    database: &Path,
    master: &[u8],
    progress: &dyn Progress,
) -> Result<(), BackupError> {
    let header = serde_json::to_vec(manifest).map_err(|e| BackupError::Failed(e.to_string()))?;
    let (wrapped, mut sealer) = key.seal_body(&header).map_err(|e| BackupError::Failed(e.to_string()))?;
    let w = failed("write the backup");
    let len = |n: usize| u32::try_from(n).map(u32::to_be_bytes);
    out.write_all(MAGIC).map_err(&w)?;
    for part in [&header, &wrapped] {
        let n = len(part.len()).map_err(|_| BackupError::Failed("the manifest is too large".into()))?;
        out.write_all(&n).map_err(&w)?;
        out.write_all(part).map_err(&w)?;
    }
    let mut body = std::fs::File::open(database)
        .map_err(failed("read the snapshot"))?
        .chain(master);
    let mut this = vec![0; CHUNK];
    let mut next = vec![0; CHUNK];
    let mut n = fill(&mut body, &mut this).map_err(failed("read the snapshot"))?;
    let mut put = |sealed: Vec<u8>| -> Result<(), BackupError> {
        let n = len(sealed.len()).map_err(|_| BackupError::Failed("a chunk is too large".into()))?;
        out.write_all(&n).map_err(&w)?;
        out.write_all(&sealed).map_err(&w)
    };
    let sealing = |e: carekeep_crypto::CryptoError| BackupError::Failed(e.to_string());
    loop {
        // One chunk ahead, so the last chunk is sealed as the last.
        let m = fill(&mut body, &mut next).map_err(failed("read the snapshot"))?;
        if m == 0 {
            break;
        }
        put(sealer.next(&this[..n]).map_err(sealing)?)?;
        progress.advance(n as u64);
        std::mem::swap(&mut this, &mut next);
        n = m;
    }
    put(sealer.last(&this[..n]).map_err(sealing)?)?;
    progress.advance(n as u64);
    Ok(())
}

/// Reads a backup from `input`: the database goes to `database` as it is opened, the master
/// key file's bytes are returned. Refuses a wrong key and any changed, moved or missing byte;
/// what was written to `database` before a refusal is the caller's to discard.
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
    let mut opener = key.open_body(&header, &wrapped).map_err(|_| {
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
    let mut sealed = read_chunk(input).map_err(io)?.ok_or_else(damaged)?;
    loop {
        match read_chunk(input).map_err(io)? {
            None => {
                take(&opener.last(&sealed).map_err(|_| damaged())?)?;
                break;
            }
            Some(following) => {
                take(&opener.next(&sealed).map_err(|_| damaged())?)?;
                sealed = following;
            }
        }
    }
    if written != manifest.database_bytes + manifest.key_bytes || hex(&hash.finalize()) != manifest.sha256 {
        return Err(damaged());
    }
    Ok((manifest, master))
}

/// The next sealed chunk, or `None` at the end of the file.
fn read_chunk(input: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
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
    let mut v = vec![0; n];
    input.read_exact(&mut v)?;
    Ok(Some(v))
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
        let dir = tempfile::tempdir().unwrap();
        let db: Vec<u8> = (0..(CHUNK * 5 / 2) as u32).map(|i| (i % 251) as u8).collect();
        let path = dir.path().join("db");
        std::fs::write(&path, &db).unwrap();
        let master = b"carekeep-master-key-v1:AAAA\n".to_vec();
        let key = BackupKey::generate();
        let m = manifest(&db, &master);
        let mut file = Vec::new();
        write(&mut file, &key, &m, &path, &master, &crate::progress::Silent).unwrap();
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
        for at in [0, 30, header_end - 1, header_end + 10, cut + 100, file.len() - 1] {
            let mut bent = file.clone();
            bent[at] ^= 1;
            assert!(open(&bent, &key).is_err(), "byte {at}");
        }
    }
}
