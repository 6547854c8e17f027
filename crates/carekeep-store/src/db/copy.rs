//! Copies a whole clinic between databases, table by table. A backup of either backend is one
//! SQLite file, and a restore lands on either backend: a PostgreSQL clinic's backup opens on a
//! laptop in emergency mode, and a SQLite clinic that outgrows one machine moves to PostgreSQL.
//!
//! The copy preserves every row as it is, ids and hashes included; the immutability and
//! append-only triggers are set aside for the copy alone (they guard changes to records, and a
//! copy changes none), and the audit chain is verified afterwards by whoever asked for it. The
//! rows themselves stream through `COPY` ([`super::copy_stream`]); this module knows the tables.

use crate::{Backend, Conn, StoreError};
use futures_util::TryStreamExt;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row};
use std::collections::{BTreeMap, BTreeSet};

/// The migrations' own bookkeeping: each side keeps its own.
const MIGRATIONS: &str = "schema_migrations";

const ROWS_PER_STATEMENT: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Integer,
    Text,
    Blob,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub(crate) columns: Vec<(String, Kind)>,
    pub(crate) key: Vec<String>,
}

enum Value {
    Integer(Option<i64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// SQLite's type affinity rules (section 3.1 of its datatype page), for the three we use.
fn kind(declared: &str) -> Result<Kind, StoreError> {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        Ok(Kind::Integer)
    } else if t.contains("CHAR") || t.contains("TEXT") || t.contains("CLOB") {
        Ok(Kind::Text)
    } else if t.contains("BLOB") || t.is_empty() {
        Ok(Kind::Blob)
    } else {
        Err(StoreError::Corrupt("a column type the copy does not know"))
    }
}

/// The tables of a SQLite database with their columns, parents before children so every
/// foreign key finds its row, and the migrations' table left out.
pub async fn sqlite_tables(conn: &mut Conn) -> Result<Vec<Table>, StoreError> {
    let names: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("name"))
            .collect::<Result<_, _>>()?;
    let mut tables = BTreeMap::new();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in names.into_iter().filter(|n| n != MIGRATIONS) {
        let mut columns = Vec::new();
        let mut key = Vec::new();
        for r in sqlx::query("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?
        {
            let column: String = r.try_get("name")?;
            if r.try_get::<i64, _>("pk")? > 0 {
                key.push((r.try_get::<i64, _>("pk")?, column.clone()));
            }
            columns.push((column, kind(&r.try_get::<String, _>("type")?)?));
        }
        key.sort();
        let refs: BTreeSet<String> = sqlx::query("SELECT \"table\" AS parent FROM pragma_foreign_key_list($1)")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("parent"))
            .collect::<Result<_, _>>()?;
        parents.insert(name.clone(), refs.into_iter().filter(|p| *p != name).collect());
        tables.insert(
            name.clone(),
            Table {
                name,
                columns,
                key: key.into_iter().map(|(_, c)| c).collect(),
            },
        );
    }
    // Kahn's order over the foreign keys; a cycle would leave some table waiting forever.
    let mut ordered = Vec::new();
    while !tables.is_empty() {
        let ready: Vec<String> = tables
            .keys()
            .filter(|t| {
                parents
                    .get(*t)
                    .is_none_or(|ps| ps.iter().all(|p| !tables.contains_key(p)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(StoreError::Corrupt("the tables' foreign keys form a cycle"));
        }
        for t in ready {
            if let Some(table) = tables.remove(&t) {
                ordered.push(table);
            }
        }
    }
    Ok(ordered)
}

/// SQLite's tables, the migrations' table included: what [`table_counts`] counts.
pub(crate) const SQLITE_TABLES: &str =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";

/// One statement counting the rows of each table named (`t`, `n`). The names come from the
/// schema itself, not from input.
pub(crate) fn count_statement(names: &[String]) -> String {
    names
        .iter()
        .map(|n| {
            format!(
                "SELECT '{}' AS t, COUNT(*) AS n FROM {}",
                n.replace('\'', "''"),
                quoted(n)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Rows per table (the migrations' table included): a backup's manifest and a restore's proof.
pub async fn table_counts(conn: &mut Conn, backend: Backend) -> Result<Vec<(String, i64)>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => SQLITE_TABLES,
        Backend::Postgres => "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY name",
    };
    let names: Vec<String> = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query(&count_statement(&names))
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("t")?, r.try_get("n")?)))
        .collect()
}

/// What the target holds before the copy: the rows its migrations seeded, nothing more.
pub async fn is_fresh(conn: &mut Conn, backend: Backend, fresh: &[(String, i64)]) -> Result<bool, StoreError> {
    let now: BTreeMap<String, i64> = table_counts(conn, backend).await?.into_iter().collect();
    Ok(fresh
        .iter()
        .filter(|(t, _)| t != MIGRATIONS)
        .all(|(t, n)| now.get(t) == Some(n)))
}

fn bind<'q>(q: Query<'q, Any, AnyArguments<'q>>, v: Value) -> Query<'q, Any, AnyArguments<'q>> {
    match v {
        Value::Integer(x) => q.bind(x),
        Value::Text(x) => q.bind(x),
        Value::Blob(x) => q.bind(x),
    }
}

async fn insert(to: &mut Conn, table: &Table, rows: &mut Vec<Vec<Value>>) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let tuples = crate::values_list(to, rows.len(), table.columns.len());
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {tuples}",
        quoted(&table.name),
        table
            .columns
            .iter()
            .map(|(c, _)| quoted(c))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query(&sql);
    for v in rows.drain(..).flatten() {
        q = bind(q, v);
    }
    q.execute(&mut *to).await?;
    Ok(())
}

/// Copies one table's rows, in key order, streaming: a ten-million-event audit trail passes
/// through a few hundred rows of memory.
async fn copy_table(from: &mut Conn, to: &mut Conn, table: &Table) -> Result<i64, StoreError> {
    let columns: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    let order = if table.key.is_empty() {
        String::new()
    } else {
        format!(
            " ORDER BY {}",
            table.key.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(", ")
        )
    };
    let sql = format!("SELECT {} FROM {}{order}", columns.join(", "), quoted(&table.name));
    let batch = (crate::PARAMS_PER_STATEMENT / columns.len().max(1)).clamp(1, ROWS_PER_STATEMENT);
    let mut rows = Vec::with_capacity(batch);
    let mut copied = 0;
    let mut stream = sqlx::query(&sql).fetch(&mut *from);
    while let Some(r) = stream.try_next().await? {
        let mut row = Vec::with_capacity(columns.len());
        for (i, (_, k)) in table.columns.iter().enumerate() {
            row.push(match k {
                Kind::Integer => Value::Integer(r.try_get(i)?),
                Kind::Text => Value::Text(r.try_get(i)?),
                Kind::Blob => Value::Blob(r.try_get(i)?),
            });
        }
        rows.push(row);
        copied += 1;
        if rows.len() == batch {
            insert(to, table, &mut rows).await?;
        }
    }
    drop(stream);
    insert(to, table, &mut rows).await?;
    Ok(copied)
}

/// The copy before issue 31, row by row through sqlx, kept for the benchmark's same-run
/// comparison (`carekeep-bench scale` on PostgreSQL); backups and restores stream through
/// `COPY` (`copy_stream`).
///
/// Copies every table of `tables` from `from` (one consistent snapshot: a transaction the
/// caller opened) into `to`, which holds only what its migrations seeded, inside the caller's
/// transaction on `to`. Returns rows copied per table.
pub async fn copy_row_by_row(
    from: &mut Conn,
    to: &mut Conn,
    to_backend: Backend,
    tables: &[Table],
) -> Result<BTreeMap<String, i64>, StoreError> {
    let names: Vec<String> = tables.iter().map(|t| quoted(&t.name)).collect();
    let triggers: Vec<(String, String)> = match to_backend {
        Backend::Sqlite => sqlx::query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .fetch_all(&mut *to)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("sql")?)))
            .collect::<Result<_, StoreError>>()?,
        Backend::Postgres => Vec::new(),
    };
    match to_backend {
        Backend::Sqlite => {
            for (name, _) in &triggers {
                sqlx::query(&format!("DROP TRIGGER {}", quoted(name)))
                    .execute(&mut *to)
                    .await?;
            }
        }
        Backend::Postgres => {
            for t in &names {
                sqlx::query(&format!("ALTER TABLE {t} DISABLE TRIGGER USER"))
                    .execute(&mut *to)
                    .await?;
            }
        }
    }
    // Children before parents: the seeded rows (the audit head, say) give way to the copy's.
    for t in names.iter().rev() {
        sqlx::query(&format!("DELETE FROM {t}")).execute(&mut *to).await?;
    }
    let mut copied = BTreeMap::new();
    for table in tables {
        copied.insert(table.name.clone(), copy_table(from, to, table).await?);
    }
    match to_backend {
        Backend::Sqlite => {
            for (_, sql) in &triggers {
                sqlx::query(sql).execute(&mut *to).await?;
            }
        }
        Backend::Postgres => {
            for t in &names {
                sqlx::query(&format!("ALTER TABLE {t} ENABLE TRIGGER USER"))
                    .execute(&mut *to)
                    .await?;
            }
            // Identity columns carry on after the copied ids.
            let serial: Vec<(String, String)> = sqlx::query(
                "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c FROM information_schema.columns WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval%')",
            )
            .fetch_all(&mut *to)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("t")?, r.try_get("c")?)))
            .collect::<Result<_, StoreError>>()?;
            for (t, c) in serial {
                sqlx::query(&format!(
                    "SELECT CAST(setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({}), 0) + 1, false) AS BIGINT) FROM {}",
                    quoted(&c),
                    quoted(&t)
                ))
                .bind(quoted(&t))
                .bind(&c)
                .fetch_optional(&mut *to)
                .await?;
            }
        }
    }
    Ok(copied)
}
