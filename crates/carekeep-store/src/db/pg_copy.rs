//! PostgreSQL's binary `COPY` stream, parsed in place: the trail's reader for verification and
//! the copy of a clinic out of PostgreSQL both take rows from it without copying a field.

use crate::StoreError;

/// PostgreSQL's binary `COPY` format: a signature, flags and a header extension, then per
/// row a field count and each field as a length (-1: NULL) and its bytes; a count of -1 ends.
pub(crate) struct CopyRows {
    pub(crate) buf: Vec<u8>,
    pub(crate) at: usize,
    header_done: bool,
}

const COPY_SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

impl CopyRows {
    pub(crate) fn new() -> CopyRows {
        CopyRows {
            buf: Vec::with_capacity(1 << 20),
            at: 0,
            header_done: false,
        }
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.buf.get(self.at..self.at + n)?;
        self.at += n;
        Some(s)
    }

    fn i32(&mut self) -> Option<i32> {
        self.take(4).and_then(|b| b.try_into().ok()).map(i32::from_be_bytes)
    }

    /// The header, once enough bytes are in.
    pub(crate) fn header(&mut self) -> Result<bool, StoreError> {
        if self.header_done {
            return Ok(true);
        }
        let start = self.at;
        let Some(sig) = self.take(COPY_SIGNATURE.len()) else {
            self.at = start;
            return Ok(false);
        };
        if sig != COPY_SIGNATURE {
            return Err(StoreError::Corrupt("binary COPY signature"));
        }
        let (Some(_flags), Some(ext)) = (self.i32(), self.i32()) else {
            self.at = start;
            return Ok(false);
        };
        let ext = usize::try_from(ext).map_err(|_| StoreError::Corrupt("binary COPY header"))?;
        if self.take(ext).is_none() {
            self.at = start;
            return Ok(false);
        }
        self.header_done = true;
        Ok(true)
    }

    /// The fields of the next complete row as (start, length) in `buf` (length -1: NULL);
    /// `Ok(None)` when the row is not all in yet; `Err` at the end marker.
    pub(crate) fn row(&mut self, fields: &mut Vec<(usize, i32)>) -> Option<Result<(), ()>> {
        fields.clear();
        self.row_after(fields)
    }

    /// As `row`, the fields added after those `fields` holds (a batch of rows in one buffer).
    pub(crate) fn row_after(&mut self, fields: &mut Vec<(usize, i32)>) -> Option<Result<(), ()>> {
        let start = self.at;
        let before = fields.len();
        let count = self.take(2).and_then(|b| b.try_into().ok()).map(i16::from_be_bytes);
        let Some(count) = count else {
            self.at = start;
            fields.truncate(before);
            return None;
        };
        if count < 0 {
            return Some(Err(()));
        }
        for _ in 0..count {
            let Some(len) = self.i32() else {
                self.at = start;
                fields.truncate(before);
                return None;
            };
            fields.push((self.at, len));
            if len > 0 && self.take(usize::try_from(len).unwrap_or(0)).is_none() {
                self.at = start;
                fields.truncate(before);
                return None;
            }
        }
        Some(Ok(()))
    }

    pub(crate) fn field(&self, f: Option<&(usize, i32)>) -> Option<&[u8]> {
        let (start, len) = *f?;
        let len = usize::try_from(len).ok()?;
        self.buf.get(start..start + len)
    }

    /// Drops the bytes already read.
    pub(crate) fn compact(&mut self) {
        self.buf.drain(..self.at);
        self.at = 0;
    }
}
