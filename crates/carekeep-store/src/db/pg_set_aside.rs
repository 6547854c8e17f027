//! A large table's indexes and constraints set aside while a restore loads it into PostgreSQL,
//! and built again from the rows once they are in (issue 31): one sort per index instead of an
//! index insertion per row, and one check per foreign key over the table instead of one per
//! row. Inside the copy's own transaction, so a restore that fails leaves the schema as the
//! migrations made it; every definition is PostgreSQL's own (`pg_get_indexdef`,
//! `pg_get_constraintdef`), so what is rebuilt is what was there, and a unique key or foreign
//! key the rows break fails the restore as it would have row by row.

use crate::StoreError;
use sqlx::postgres::PgConnection;

/// Memory for each index build, for this transaction only (PostgreSQL's default is 64 MiB; a
/// million-row index sorts in memory with this).
const BUILD_MEMORY: &str = "256MB";

/// What was set aside, in the order it is built again.
#[derive(Debug, Default)]
pub(crate) struct SetAside {
    /// Primary and unique keys no foreign key refers to: (table, name, definition).
    keys: Vec<(String, String, String)>,
    /// Plain indexes: their `CREATE INDEX` statements.
    indexes: Vec<String>,
    /// The tables' own foreign keys: (table, name, definition).
    foreign: Vec<(String, String, String)>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Drops the indexes and constraints of `tables` (names in the current schema) that a bulk
/// load can do without; [`SetAside::build`] makes them again.
pub(crate) async fn set_aside(conn: &mut PgConnection, tables: &[String]) -> Result<SetAside, StoreError> {
    if tables.is_empty() {
        return Ok(SetAside::default());
    }
    const HERE: &str =
        "c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relname = ANY($1)";
    let foreign: Vec<(String, String, String)> = sqlx::query_as(&format!(
        "SELECT CAST(c.relname AS TEXT), CAST(k.conname AS TEXT), pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE {HERE} AND k.contype = 'f' ORDER BY k.oid"
    ))
    .bind(tables)
    .fetch_all(&mut *conn)
    .await?;
    // A key another table's foreign key refers to stays: dropping it would drop that key too.
    let keys: Vec<(String, String, String)> = sqlx::query_as(&format!(
        "SELECT CAST(c.relname AS TEXT), CAST(k.conname AS TEXT), pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE {HERE} AND k.contype IN ('p', 'u') AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid) ORDER BY k.oid"
    ))
    .bind(tables)
    .fetch_all(&mut *conn)
    .await?;
    // Nor an index that is a key's own, or that a foreign key refers to (a unique index can be).
    let indexes: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT CAST(ic.relname AS TEXT), pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid WHERE {HERE} AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x', 'f')) ORDER BY i.indexrelid"
    ))
    .bind(tables)
    .fetch_all(&mut *conn)
    .await?;
    for (table, name, _) in foreign.iter().chain(&keys) {
        sqlx::query(&format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            quoted(table),
            quoted(name)
        ))
        .execute(&mut *conn)
        .await?;
    }
    for (name, _) in &indexes {
        sqlx::query(&format!("DROP INDEX {}", quoted(name)))
            .execute(&mut *conn)
            .await?;
    }
    Ok(SetAside {
        keys,
        indexes: indexes.into_iter().map(|(_, def)| def).collect(),
        foreign,
    })
}

impl SetAside {
    /// Builds everything set aside again, keys first (the foreign keys' checks use them).
    pub(crate) async fn build(self, conn: &mut PgConnection) -> Result<(), StoreError> {
        if self.keys.is_empty() && self.indexes.is_empty() && self.foreign.is_empty() {
            return Ok(());
        }
        sqlx::query(&format!("SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
            .execute(&mut *conn)
            .await?;
        for (table, name, def) in &self.keys {
            sqlx::query(&format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {def}",
                quoted(table),
                quoted(name)
            ))
            .execute(&mut *conn)
            .await?;
        }
        for def in &self.indexes {
            sqlx::query(def).execute(&mut *conn).await?;
        }
        for (table, name, def) in &self.foreign {
            sqlx::query(&format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {def}",
                quoted(table),
                quoted(name)
            ))
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}
