//! People acting for the patient (issue 27): persons involved in care and personal
//! representatives (`care_people`), care a minor consented to alone (`own_consent_care`) and
//! the phone calls answered from the caller screen (`caller_checks`). Sealed columns are bound
//! to their table, column and row; they are set right after the insert.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// One person acting for the patient. Dates are `YYYY-MM-DD`.
#[derive(Clone, Default)]
pub struct PersonRow {
    pub id: i64,
    pub patient_id: i64,
    /// `involved` or `representative`.
    pub kind: String,
    pub details_ct: Vec<u8>,
    pub topics: String,
    pub agreed: String,
    pub agreed_on: Option<String>,
    pub basis: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub document_type: String,
    pub revoked_on: Option<String>,
    pub revoked_by: Option<i64>,
    pub suspended_on: Option<String>,
    pub suspended_by: Option<i64>,
    pub suspension_ct: Vec<u8>,
    pub created_by: i64,
    pub created_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for PersonRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonRow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, patient_id, kind, details_ct, topics, agreed, agreed_on, basis, starts_on, ends_on, \
     document_type, revoked_on, revoked_by, suspended_on, suspended_by, suspension_ct, created_by, created_at";

fn row(r: &AnyRow) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        kind: r.try_get("kind")?,
        details_ct: r.try_get::<Option<Vec<u8>>, _>("details_ct")?.unwrap_or_default(),
        topics: r.try_get("topics")?,
        agreed: r.try_get("agreed")?,
        agreed_on: r.try_get("agreed_on")?,
        basis: r.try_get("basis")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        document_type: r.try_get("document_type")?,
        revoked_on: r.try_get("revoked_on")?,
        revoked_by: r.try_get("revoked_by")?,
        suspended_on: r.try_get("suspended_on")?,
        suspended_by: r.try_get("suspended_by")?,
        suspension_ct: r.try_get::<Option<Vec<u8>>, _>("suspension_ct")?.unwrap_or_default(),
        created_by: r.try_get("created_by")?,
        created_at: Some(from_unix(r.try_get("created_at")?)?),
    })
}

/// Adds a person (their sealed details are set next, bound to the new id).
pub async fn insert(conn: &mut Conn, p: &PersonRow, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO care_people (patient_id, kind, topics, agreed, agreed_on, basis, starts_on, ends_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(p.patient_id)
    .bind(&p.kind)
    .bind(&p.topics)
    .bind(&p.agreed)
    .bind(&p.agreed_on)
    .bind(&p.basis)
    .bind(&p.starts_on)
    .bind(&p.ends_on)
    .bind(p.created_by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn set_details(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE care_people SET details_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The representative's document, sealed, and its content type.
pub async fn set_document(conn: &mut Conn, id: i64, content_type: &str, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE care_people SET document_type = $1, document_ct = $2 WHERE id = $3")
        .bind(content_type)
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A patient's people, in the order they were added.
pub async fn for_patient(conn: &mut Conn, patient: i64) -> Result<Vec<PersonRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM care_people WHERE patient_id = $1 ORDER BY id"
    ))
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<PersonRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM care_people WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    row(&r)
}

/// The sealed document of a person, if any.
pub async fn document(conn: &mut Conn, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(sqlx::query("SELECT document_ct FROM care_people WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get::<Option<Vec<u8>>, _>("document_ct"))
        .transpose()?
        .flatten())
}

/// Marks a person involved in care as revoked; false if it already was. The row stays.
pub async fn revoke(conn: &mut Conn, id: i64, on: &str, by: i64) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE care_people SET revoked_on = $1, revoked_by = $2 WHERE id = $3 AND revoked_on IS NULL")
            .bind(on)
            .bind(by)
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Records a (g)(5) suspension with its sealed reason; false if one is already recorded.
pub async fn suspend(conn: &mut Conn, id: i64, on: &str, by: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE care_people SET suspended_on = $1, suspended_by = $2 WHERE id = $3 AND suspended_on IS NULL",
    )
    .bind(on)
    .bind(by)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_suspension_reason(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE care_people SET suspension_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks an appointment or a note (`item_kind`) as care the minor consented to alone; false if
/// it already was.
pub async fn mark_own_consent(
    conn: &mut Conn,
    patient: i64,
    item_kind: &str,
    item_id: i64,
    by: i64,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO own_consent_care (patient_id, item_kind, item_id, marked_by, marked_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (item_kind, item_id) DO NOTHING",
    )
    .bind(patient)
    .bind(item_kind)
    .bind(item_id)
    .bind(by)
    .bind(unix(now))
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The patient's own-consent items as `(item_kind, item_id)`.
pub async fn own_consent(conn: &mut Conn, patient: i64) -> Result<Vec<(String, i64)>, StoreError> {
    sqlx::query("SELECT item_kind, item_id FROM own_consent_care WHERE patient_id = $1 ORDER BY item_kind, item_id")
        .bind(patient)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("item_kind")?, r.try_get("item_id")?)))
        .collect()
}

/// One answered call.
#[derive(Clone)]
pub struct CallRow {
    pub id: i64,
    pub patient_id: i64,
    pub person_id: i64,
    pub checks: String,
    pub shared_ct: Vec<u8>,
    pub disclosure_id: Option<i64>,
    pub at: OffsetDateTime,
    pub by_user: i64,
}

impl std::fmt::Debug for CallRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRow").field("id", &self.id).finish_non_exhaustive()
    }
}

pub async fn insert_call(
    conn: &mut Conn,
    patient: i64,
    person: i64,
    checks: &str,
    disclosure: Option<i64>,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO caller_checks (patient_id, person_id, checks, disclosure_id, at, by_user) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(patient)
    .bind(person)
    .bind(checks)
    .bind(disclosure)
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn set_call_shared(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE caller_checks SET shared_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The patient's answered calls, newest first.
pub async fn calls(conn: &mut Conn, patient: i64) -> Result<Vec<CallRow>, StoreError> {
    sqlx::query(
        "SELECT id, patient_id, person_id, checks, shared_ct, disclosure_id, at, by_user FROM caller_checks \
         WHERE patient_id = $1 ORDER BY at DESC, id DESC",
    )
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(CallRow {
            id: r.try_get("id")?,
            patient_id: r.try_get("patient_id")?,
            person_id: r.try_get("person_id")?,
            checks: r.try_get("checks")?,
            shared_ct: r.try_get::<Option<Vec<u8>>, _>("shared_ct")?.unwrap_or_default(),
            disclosure_id: r.try_get("disclosure_id")?,
            at: from_unix(r.try_get("at")?)?,
            by_user: r.try_get("by_user")?,
        })
    })
    .collect()
}
