//! The workforce roster, training records and offboarding checklists.

use crate::{unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug, Default)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub job_title: String,
    pub user_id: Option<i64>,
    /// `YYYY-MM-DD`.
    pub hired_on: String,
    pub left_on: Option<String>,
    pub offboarded: bool,
    /// A work address for reminders; never a patient's.
    pub email: Option<String>,
}

fn person(r: &AnyRow) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        job_title: r.try_get("job_title")?,
        user_id: r.try_get("user_id")?,
        hired_on: r.try_get("hired_on")?,
        left_on: r.try_get("left_on")?,
        offboarded: r.try_get::<Option<i64>, _>("offboarded_at")?.is_some(),
        email: r.try_get("email")?,
    })
}

const COLUMNS: &str = "id, name, job_title, user_id, hired_on, left_on, offboarded_at, email";

/// Inserts (`id == 0`) or updates a person; returns the id.
pub async fn save_person(conn: &mut Conn, p: &PersonRow, now: OffsetDateTime) -> Result<i64, StoreError> {
    if p.id == 0 {
        return Ok(sqlx::query(
            "INSERT INTO workforce (name, job_title, user_id, hired_on, left_on, created_at, updated_at, email)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
        )
        .bind(&p.name)
        .bind(&p.job_title)
        .bind(p.user_id)
        .bind(&p.hired_on)
        .bind(p.left_on.as_deref())
        .bind(unix(now))
        .bind(p.email.as_deref())
        .fetch_one(conn)
        .await?
        .try_get("id")?);
    }
    let done = sqlx::query(
        "UPDATE workforce SET name = $1, job_title = $2, user_id = $3, hired_on = $4, left_on = $5, updated_at = $6, email = $7
         WHERE id = $8",
    )
    .bind(&p.name)
    .bind(&p.job_title)
    .bind(p.user_id)
    .bind(&p.hired_on)
    .bind(p.left_on.as_deref())
    .bind(unix(now))
    .bind(p.email.as_deref())
    .bind(p.id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(p.id)
}

pub async fn people(conn: &mut Conn) -> Result<Vec<PersonRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM workforce ORDER BY left_on IS NOT NULL, name, id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(person)
    .collect()
}

pub async fn person_by_id(conn: &mut Conn, id: i64) -> Result<PersonRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM workforce WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    person(&r)
}

pub async fn person_by_user(conn: &mut Conn, user_id: i64) -> Result<Option<PersonRow>, StoreError> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM workforce WHERE user_id = $1"))
        .bind(user_id)
        .fetch_optional(conn)
        .await?
        .map(|r| person(&r))
        .transpose()
}

/// People whose leave date has come but who are not offboarded yet.
pub async fn due_offboarding(conn: &mut Conn, today: &str) -> Result<Vec<PersonRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM workforce WHERE left_on IS NOT NULL AND left_on <= $1 AND offboarded_at IS NULL"
    ))
    .bind(today)
    .fetch_all(conn)
    .await?
    .iter()
    .map(person)
    .collect()
}

pub async fn mark_offboarded(conn: &mut Conn, id: i64, items: &[&str], now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE workforce SET offboarded_at = $1 WHERE id = $2")
        .bind(unix(now))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for item in items {
        sqlx::query("INSERT INTO offboarding_items (person_id, item) VALUES ($1, $2)")
            .bind(id)
            .bind(*item)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// An offboarding step: `(id, item, done)`.
pub async fn offboarding_items(conn: &mut Conn, person: i64) -> Result<Vec<(i64, String, bool)>, StoreError> {
    sqlx::query("SELECT id, item, done_at FROM offboarding_items WHERE person_id = $1 ORDER BY id")
        .bind(person)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("item")?,
                r.try_get::<Option<i64>, _>("done_at")?.is_some(),
            ))
        })
        .collect()
}

pub async fn complete_offboarding_item(
    conn: &mut Conn,
    person: i64,
    item: i64,
    by: i64,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE offboarding_items SET done_at = $1, done_by = $2 WHERE id = $3 AND person_id = $4 AND done_at IS NULL",
    )
    .bind(unix(now))
    .bind(by)
    .bind(item)
    .bind(person)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug)]
pub struct TrainingRow {
    pub id: i64,
    pub person_id: i64,
    pub title: String,
    pub kind: String,
    pub completed_on: String,
    pub score: Option<i64>,
    pub attested: bool,
    pub certificate_name: Option<String>,
}

pub struct NewTraining<'a> {
    pub person_id: i64,
    pub title: &'a str,
    pub kind: &'a str,
    pub completed_on: &'a str,
    pub score: Option<i64>,
    pub attested: bool,
    pub recorded_by: Option<i64>,
}

pub async fn insert_training(conn: &mut Conn, t: &NewTraining<'_>, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO training_records (person_id, title, kind, completed_on, score, attested, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(t.person_id)
    .bind(t.title)
    .bind(t.kind)
    .bind(t.completed_on)
    .bind(t.score)
    .bind(i64::from(t.attested))
    .bind(t.recorded_by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn set_certificate(conn: &mut Conn, id: i64, ct: &[u8], name: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE training_records SET certificate_ct = $1, certificate_name = $2 WHERE id = $3")
        .bind(ct)
        .bind(name)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn training(conn: &mut Conn) -> Result<Vec<TrainingRow>, StoreError> {
    sqlx::query(
        "SELECT id, person_id, title, kind, completed_on, score, attested, certificate_name FROM training_records ORDER BY completed_on DESC, id DESC",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(TrainingRow {
            id: r.try_get("id")?,
            person_id: r.try_get("person_id")?,
            title: r.try_get("title")?,
            kind: r.try_get("kind")?,
            completed_on: r.try_get("completed_on")?,
            score: r.try_get("score")?,
            attested: r.try_get::<i64, _>("attested")? != 0,
            certificate_name: r.try_get("certificate_name")?,
        })
    })
    .collect()
}

/// A training record's certificate: `(person id, ciphertext, file name)`.
pub async fn certificate(conn: &mut Conn, id: i64) -> Result<Option<(i64, Vec<u8>, String)>, StoreError> {
    let r = sqlx::query("SELECT person_id, certificate_ct, certificate_name FROM training_records WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let ct: Option<Vec<u8>> = r.try_get("certificate_ct")?;
    Ok(match ct {
        Some(ct) => Some((
            r.try_get("person_id")?,
            ct,
            r.try_get::<Option<String>, _>("certificate_name")?.unwrap_or_default(),
        )),
        None => None,
    })
}

/// Claims today's reminder mail for a person: true the first time on a day, false after.
pub async fn claim_reminder_mail(conn: &mut Conn, person: i64, day: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("INSERT INTO reminder_mail (person_id, sent_on) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(person)
        .bind(day)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives back a claim whose mail could not be sent, so the next run tries again.
pub async fn release_reminder_mail(conn: &mut Conn, person: i64, day: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM reminder_mail WHERE person_id = $1 AND sent_on = $2")
        .bind(person)
        .bind(day)
        .execute(conn)
        .await?;
    Ok(())
}

/// The latest completion date (`YYYY-MM-DD`) of a person's training, if any.
pub async fn last_completion(conn: &mut Conn, person: i64) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query("SELECT MAX(completed_on) AS last FROM training_records WHERE person_id = $1")
            .bind(person)
            .fetch_one(conn)
            .await?
            .try_get("last")?,
    )
}
