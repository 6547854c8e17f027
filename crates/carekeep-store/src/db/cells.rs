//! One way to read a row's values, whichever driver fetched it: sqlx (every query) or rusqlite
//! (the SQLite hot reads in [`crate::db::direct`]). A decoder written against [`Cells`] serves both,
//! so the two paths cannot drift apart.

use crate::{from_unix, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// A column, by name or position: both drivers accept either.
pub(crate) trait Col: sqlx::ColumnIndex<AnyRow> + rusqlite::RowIndex + Copy {}
impl<T: sqlx::ColumnIndex<AnyRow> + rusqlite::RowIndex + Copy> Col for T {}

pub(crate) trait Cells {
    fn opt_int(&self, c: impl Col) -> Result<Option<i64>, StoreError>;
    fn opt_text(&self, c: impl Col) -> Result<Option<String>, StoreError>;
    fn opt_bytes(&self, c: impl Col) -> Result<Option<Vec<u8>>, StoreError>;

    fn int(&self, c: impl Col) -> Result<i64, StoreError> {
        self.opt_int(c)?.ok_or(StoreError::Corrupt("missing number"))
    }
    fn text(&self, c: impl Col) -> Result<String, StoreError> {
        self.opt_text(c)?.ok_or(StoreError::Corrupt("missing text"))
    }
    /// A ciphertext column, which is never empty on a stored row.
    fn ct(&self, c: impl Col) -> Result<Vec<u8>, StoreError> {
        self.opt_bytes(c)?.ok_or(StoreError::Corrupt("missing ciphertext"))
    }
    fn flag(&self, c: impl Col) -> Result<bool, StoreError> {
        Ok(self.int(c)? != 0)
    }
    fn time(&self, c: impl Col) -> Result<OffsetDateTime, StoreError> {
        from_unix(self.int(c)?)
    }
    fn opt_time(&self, c: impl Col) -> Result<Option<OffsetDateTime>, StoreError> {
        self.opt_int(c)?.map(from_unix).transpose()
    }
}

impl Cells for AnyRow {
    fn opt_int(&self, c: impl Col) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(c)?)
    }
    fn opt_text(&self, c: impl Col) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(c)?)
    }
    fn opt_bytes(&self, c: impl Col) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.try_get(c)?)
    }
}

impl Cells for rusqlite::Row<'_> {
    fn opt_int(&self, c: impl Col) -> Result<Option<i64>, StoreError> {
        Ok(self.get(c)?)
    }
    fn opt_text(&self, c: impl Col) -> Result<Option<String>, StoreError> {
        Ok(self.get(c)?)
    }
    fn opt_bytes(&self, c: impl Col) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.get(c)?)
    }
}
