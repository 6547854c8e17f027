//! Patients' requests and the disclosure log (append-only: the database refuses changes).

use crate::{unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug, Default)]
pub struct RequestRow {
    pub id: i64,
    pub patient_id: i64,
    pub kind: String,
    pub received_on: String,
    pub extended_on: Option<String>,
    pub status: String,
    pub decided_on: Option<String>,
    pub fee_free: bool,
    pub details_ct: Vec<u8>,
}

fn request(r: &AnyRow) -> Result<RequestRow, StoreError> {
    Ok(RequestRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        kind: r.try_get("kind")?,
        received_on: r.try_get("received_on")?,
        extended_on: r.try_get("extended_on")?,
        status: r.try_get("status")?,
        decided_on: r.try_get("decided_on")?,
        fee_free: r.try_get::<i64, _>("fee_free")? != 0,
        details_ct: r.try_get("details_ct")?,
    })
}

const REQUEST: &str = "id, patient_id, kind, received_on, extended_on, status, decided_on, fee_free, details_ct";

pub async fn insert_request(
    conn: &mut Conn,
    r: &RequestRow,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO patient_requests (patient_id, kind, received_on, fee_free, details_ct, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(r.patient_id)
    .bind(&r.kind)
    .bind(&r.received_on)
    .bind(i64::from(r.fee_free))
    .bind(&r.details_ct)
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Saves the mutable part of a request: extension, status, decision, details.
pub async fn update_request(conn: &mut Conn, r: &RequestRow) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE patient_requests SET extended_on = $1, status = $2, decided_on = $3, details_ct = $4 WHERE id = $5",
    )
    .bind(r.extended_on.as_deref())
    .bind(&r.status)
    .bind(r.decided_on.as_deref())
    .bind(&r.details_ct)
    .bind(r.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Requests, newest first; one patient's when `patient` is given.
pub async fn requests(conn: &mut Conn, patient: Option<i64>) -> Result<Vec<RequestRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {REQUEST} FROM patient_requests WHERE ($1 = -1 OR patient_id = $1) ORDER BY id DESC"
    ))
    .bind(patient.unwrap_or(-1))
    .fetch_all(conn)
    .await?
    .iter()
    .map(request)
    .collect()
}

pub async fn request_by_id(conn: &mut Conn, id: i64) -> Result<RequestRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {REQUEST} FROM patient_requests WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    request(&r)
}

#[derive(Clone, Debug, Default)]
pub struct DisclosureRow {
    pub id: i64,
    pub patient_id: i64,
    pub disclosed_on: String,
    pub basis: String,
    pub entry_ct: Vec<u8>,
    pub corrects: Option<i64>,
    /// The authorization on file it relied on.
    pub authorization_id: Option<i64>,
}

/// Appends an entry; its sealed content is set once, right after (the only update allowed).
pub async fn append_disclosure(
    conn: &mut Conn,
    d: &DisclosureRow,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO disclosures (patient_id, disclosed_on, basis, entry_ct, corrects, created_at, created_by, authorization_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(d.patient_id)
    .bind(&d.disclosed_on)
    .bind(&d.basis)
    .bind(Vec::<u8>::new())
    .bind(d.corrects)
    .bind(unix(now))
    .bind(by)
    .bind(d.authorization_id)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn seal_disclosure(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE disclosures SET entry_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A patient's disclosure log, oldest first.
pub async fn disclosures(conn: &mut Conn, patient: i64) -> Result<Vec<DisclosureRow>, StoreError> {
    sqlx::query(
        "SELECT id, patient_id, disclosed_on, basis, entry_ct, corrects, authorization_id FROM disclosures WHERE patient_id = $1 ORDER BY disclosed_on, id",
    )
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(DisclosureRow {
            id: r.try_get("id")?,
            patient_id: r.try_get("patient_id")?,
            disclosed_on: r.try_get("disclosed_on")?,
            basis: r.try_get("basis")?,
            entry_ct: r.try_get("entry_ct")?,
            corrects: r.try_get("corrects")?,
            authorization_id: r.try_get("authorization_id")?,
        })
    })
    .collect()
}

#[derive(Clone, Debug, Default)]
pub struct DocumentRow {
    pub id: i64,
    pub request_id: i64,
    pub patient_id: i64,
    pub sent_on: String,
    pub kind: String,
    pub detail_ct: Vec<u8>,
}

/// Records a document sent for a request; its sealed detail is set once, right after.
pub async fn append_document(
    conn: &mut Conn,
    request_id: i64,
    sent_on: &str,
    kind: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO request_documents (request_id, sent_on, kind, detail_ct, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(request_id)
    .bind(sent_on)
    .bind(kind)
    .bind(Vec::<u8>::new())
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn seal_document(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE request_documents SET detail_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Documents sent, oldest first, for the given requests.
pub async fn documents(conn: &mut Conn, patient: Option<i64>) -> Result<Vec<DocumentRow>, StoreError> {
    sqlx::query(
        "SELECT d.id, d.request_id, r.patient_id, d.sent_on, d.kind, d.detail_ct FROM request_documents d
         JOIN patient_requests r ON r.id = d.request_id
         WHERE ($1 = -1 OR r.patient_id = $1) ORDER BY d.sent_on, d.id",
    )
    .bind(patient.unwrap_or(-1))
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(DocumentRow {
            id: r.try_get("id")?,
            request_id: r.try_get("request_id")?,
            patient_id: r.try_get("patient_id")?,
            sent_on: r.try_get("sent_on")?,
            kind: r.try_get("kind")?,
            detail_ct: r.try_get("detail_ct")?,
        })
    })
    .collect()
}

#[derive(Clone, Debug, Default)]
pub struct AuthorizationRow {
    pub id: i64,
    pub patient_id: i64,
    pub signed_on: String,
    pub expires_on: Option<String>,
    pub revoked_on: Option<String>,
    pub details_ct: Vec<u8>,
}

fn authorization(r: &AnyRow) -> Result<AuthorizationRow, StoreError> {
    Ok(AuthorizationRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        signed_on: r.try_get("signed_on")?,
        expires_on: r.try_get("expires_on")?,
        revoked_on: r.try_get("revoked_on")?,
        details_ct: r.try_get("details_ct")?,
    })
}

pub async fn insert_authorization(
    conn: &mut Conn,
    a: &AuthorizationRow,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO authorizations (patient_id, signed_on, expires_on, details_ct, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(a.patient_id)
    .bind(&a.signed_on)
    .bind(a.expires_on.as_deref())
    .bind(Vec::<u8>::new())
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn seal_authorization(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE authorizations SET details_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the revocation (the one change the database allows, once).
pub async fn revoke_authorization(conn: &mut Conn, id: i64, on: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE authorizations SET revoked_on = $1 WHERE id = $2")
        .bind(on)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

const AUTHORIZATION: &str = "id, patient_id, signed_on, expires_on, revoked_on, details_ct";

pub async fn authorizations(conn: &mut Conn, patient: i64) -> Result<Vec<AuthorizationRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {AUTHORIZATION} FROM authorizations WHERE patient_id = $1 ORDER BY signed_on, id"
    ))
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(authorization)
    .collect()
}

pub async fn authorization_by_id(conn: &mut Conn, id: i64) -> Result<AuthorizationRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {AUTHORIZATION} FROM authorizations WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    authorization(&r)
}
