//! Role definitions, stored so a clinic can add its own in the same terms as the defaults.

use crate::{Conn, StoreError};
use carekeep_domain::RoleDef;
use sqlx::Row;

/// Inserts a role, or updates it when it exists.
pub async fn upsert(conn: &mut Conn, role: &RoleDef) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO roles (name, description, grants, capabilities, builtin) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name) DO UPDATE SET description = excluded.description, grants = excluded.grants,
           capabilities = excluded.capabilities, builtin = excluded.builtin",
    )
    .bind(role.name.as_str())
    .bind(&role.description)
    .bind(role.grants_text())
    .bind(role.capabilities_text())
    .bind(i64::from(role.builtin))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn all(conn: &mut Conn) -> Result<Vec<RoleDef>, StoreError> {
    sqlx::query("SELECT name, description, grants, capabilities, builtin FROM roles ORDER BY name")
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| {
            let builtin: i64 = r.try_get("builtin")?;
            RoleDef::parse(
                &r.try_get::<String, _>("name")?,
                &r.try_get::<String, _>("description")?,
                &r.try_get::<String, _>("grants")?,
                &r.try_get::<String, _>("capabilities")?,
                builtin != 0,
            )
            .map_err(|_| StoreError::Corrupt("role definition"))
        })
        .collect()
}
