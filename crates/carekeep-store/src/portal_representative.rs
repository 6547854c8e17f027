//! A personal representative at the portal (issue 27): the blind indexes of their mobile number
//! (`care_people_phone`) and email (`care_people_email`), and the representative a sign-in code
//! or a portal session is for.

use crate::{Conn, StoreError};
use sqlx::Row;

/// Which of the representative's contacts a blind index is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contact {
    Phone,
    Email,
}

impl Contact {
    fn table(self) -> &'static str {
        match self {
            Contact::Phone => "care_people_phone",
            Contact::Email => "care_people_email",
        }
    }
}

/// Sets the digest of the representative's phone or email (None: none on their record).
pub async fn set_digest(conn: &mut Conn, which: Contact, person: i64, digest: Option<&[u8]>) -> Result<(), StoreError> {
    let table = which.table();
    sqlx::query(&format!("DELETE FROM {table} WHERE person_id = $1"))
        .bind(person)
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!("INSERT INTO {table} (person_id, digest) VALUES ($1, $2)"))
        .bind(person)
        .bind(digest.map(<[u8]>::to_vec))
        .execute(conn)
        .await?;
    Ok(())
}

/// Representatives whose phone or email is not indexed yet (rows from before the index), with
/// their sealed details.
pub async fn unindexed(conn: &mut Conn, which: Contact, limit: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT id, details_ct FROM care_people WHERE kind = 'representative' \
         AND id NOT IN (SELECT person_id FROM {}) ORDER BY id LIMIT $1",
        which.table()
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get::<Option<Vec<u8>>, _>("details_ct")?.unwrap_or_default(),
            ))
        })
        .collect()
}

/// The representatives whose phone or email has this digest.
pub async fn by_digest(conn: &mut Conn, which: Contact, digest: &[u8], limit: i64) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT person_id FROM {} WHERE digest = $1 ORDER BY person_id LIMIT $2",
        which.table()
    ))
    .bind(digest)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("person_id")?)).collect()
}

/// Marks the code asked for with this challenge as a representative's.
pub async fn set_code_person(conn: &mut Conn, challenge_hash: &str, person: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE portal_codes SET person_id = $1 WHERE challenge_hash = $2")
        .bind(person)
        .bind(challenge_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The representative a code was asked for (None: the patient themself, or no one).
pub async fn code_person(conn: &mut Conn, code_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query("SELECT person_id FROM portal_codes WHERE id = $1")
        .bind(code_id)
        .fetch_one(conn)
        .await?
        .try_get("person_id")?)
}

/// Marks a portal session as a representative's.
pub async fn set_session_person(conn: &mut Conn, session: i64, person: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE portal_sessions SET person_id = $1 WHERE id = $2")
        .bind(person)
        .bind(session)
        .execute(conn)
        .await?;
    Ok(())
}

/// The representative whose session this is (None: the patient themself).
pub async fn session_person(conn: &mut Conn, session: i64) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query("SELECT person_id FROM portal_sessions WHERE id = $1")
        .bind(session)
        .fetch_one(conn)
        .await?
        .try_get("person_id")?)
}
