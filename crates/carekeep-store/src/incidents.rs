//! The incident log: incidents with their breach determination and counts, the timeline of
//! actions, the patients in scope, obligations done and notices sent. Nothing is deleted.

use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug, Default)]
pub struct IncidentRow {
    pub id: i64,
    pub title: String,
    pub summary_ct: Vec<u8>,
    pub occurred_on: Option<String>,
    pub discovered_on: String,
    pub discovered_by: String,
    pub reported_by: Option<i64>,
    pub systems: String,
    pub vendor_id: Option<i64>,
    pub status: String,
    pub phi_involved: bool,
    pub safeguard: String,
    pub key_compromised: bool,
    pub exclusion: Option<String>,
    /// The exclusion's reasons and the four factors, encrypted JSON.
    pub determination_ct: Option<Vec<u8>>,
    pub low_probability: bool,
    pub conclusion: String,
    pub determined_at: Option<OffsetDateTime>,
    pub affected: i64,
    pub by_state: String,
    pub unreachable: i64,
    pub le_kind: Option<String>,
    pub le_stated_on: Option<String>,
    pub le_until: Option<String>,
    pub le_official: Option<String>,
    pub business_associate: bool,
    pub created_at: Option<OffsetDateTime>,
    /// The title, who discovered it and the systems, encrypted JSON (`set_details`); the plain
    /// columns above are empty once it is set.
    pub details_ct: Option<Vec<u8>>,
    /// What kind of incident (`carekeep_domain::incidents::kinds`): a code, naming no one.
    pub kind: String,
}

const COLUMNS: &str = "id, title, summary_ct, occurred_on, discovered_on, discovered_by, reported_by, systems, vendor_id, \
    status, phi_involved, safeguard, key_compromised, exclusion, determination_ct, low_probability, conclusion, \
    determined_at, affected, by_state, unreachable, le_kind, le_stated_on, le_until, le_official, business_associate, created_at, details_ct, kind";

fn row(r: &AnyRow) -> Result<IncidentRow, StoreError> {
    let flag = |c: &str| -> Result<bool, StoreError> { Ok(r.try_get::<i64, _>(c)? != 0) };
    Ok(IncidentRow {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        summary_ct: r.try_get("summary_ct")?,
        occurred_on: r.try_get("occurred_on")?,
        discovered_on: r.try_get("discovered_on")?,
        discovered_by: r.try_get("discovered_by")?,
        reported_by: r.try_get("reported_by")?,
        systems: r.try_get("systems")?,
        vendor_id: r.try_get("vendor_id")?,
        status: r.try_get("status")?,
        phi_involved: flag("phi_involved")?,
        safeguard: r.try_get("safeguard")?,
        key_compromised: flag("key_compromised")?,
        exclusion: r.try_get("exclusion")?,
        determination_ct: r.try_get("determination_ct")?,
        low_probability: flag("low_probability")?,
        conclusion: r.try_get("conclusion")?,
        determined_at: r
            .try_get::<Option<i64>, _>("determined_at")?
            .map(from_unix)
            .transpose()?,
        affected: r.try_get("affected")?,
        by_state: r.try_get("by_state")?,
        unreachable: r.try_get("unreachable")?,
        le_kind: r.try_get("le_kind")?,
        le_stated_on: r.try_get("le_stated_on")?,
        le_until: r.try_get("le_until")?,
        le_official: r.try_get("le_official")?,
        business_associate: flag("business_associate")?,
        created_at: Some(from_unix(r.try_get("created_at")?)?),
        details_ct: r.try_get("details_ct")?,
        kind: r.try_get("kind")?,
    })
}

/// Records a new incident; its summary is encrypted by the caller after the id is known, so
/// it starts empty.
pub async fn insert(conn: &mut Conn, i: &IncidentRow, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO incidents (title, summary_ct, occurred_on, discovered_on, discovered_by, reported_by, systems, vendor_id,
            phi_involved, business_associate, created_at, updated_at, kind)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id",
    )
    .bind(&i.title)
    .bind(&i.summary_ct)
    .bind(i.occurred_on.as_deref())
    .bind(&i.discovered_on)
    .bind(&i.discovered_by)
    .bind(i.reported_by)
    .bind(&i.systems)
    .bind(i.vendor_id)
    .bind(i64::from(i.phi_involved))
    .bind(i64::from(i.business_associate))
    .bind(unix(now))
    .bind(if i.kind.is_empty() { "other" } else { i.kind.as_str() })
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn set_summary(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE incidents SET summary_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores the sealed title, discoverer and systems, and empties their plain columns.
pub async fn set_details(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE incidents SET details_ct = $1, title = '', discovered_by = '', systems = '' WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Incidents whose free text is still in the plain columns (written before it was sealed).
pub async fn unsealed(conn: &mut Conn) -> Result<Vec<IncidentRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE details_ct IS NULL ORDER BY id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(row)
    .collect()
}

/// Saves the facts, the determination and the counts (everything after the report). The free
/// text sealed by `set_details` is not touched here.
pub async fn update(conn: &mut Conn, i: &IncidentRow, now: OffsetDateTime) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE incidents SET occurred_on = $1, discovered_on = $2, vendor_id = $3,
            status = $4, phi_involved = $5, safeguard = $6, key_compromised = $7, exclusion = $8, determination_ct = $9,
            low_probability = $10, conclusion = $11, updated_at = $12, affected = $13,
            by_state = $14, unreachable = $15, le_kind = $16, le_stated_on = $17, le_until = $18, le_official = $19,
            business_associate = $20
         WHERE id = $21",
    )
    .bind(i.occurred_on.as_deref())
    .bind(&i.discovered_on)
    .bind(i.vendor_id)
    .bind(&i.status)
    .bind(i64::from(i.phi_involved))
    .bind(&i.safeguard)
    .bind(i64::from(i.key_compromised))
    .bind(i.exclusion.as_deref())
    .bind(i.determination_ct.as_deref())
    .bind(i64::from(i.low_probability))
    .bind(&i.conclusion)
    .bind(unix(now))
    .bind(i.affected)
    .bind(&i.by_state)
    .bind(i.unreachable)
    .bind(i.le_kind.as_deref())
    .bind(i.le_stated_on.as_deref())
    .bind(i.le_until.as_deref())
    .bind(i.le_official.as_deref())
    .bind(i64::from(i.business_associate))
    .bind(i.id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records who made the determination, and when.
pub async fn mark_determined(conn: &mut Conn, id: i64, by: Option<i64>, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE incidents SET determined_at = $1, determined_by = $2 WHERE id = $3")
        .bind(unix(now))
        .bind(by)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn all(conn: &mut Conn) -> Result<Vec<IncidentRow>, StoreError> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM incidents ORDER BY id DESC"))
        .fetch_all(conn)
        .await?
        .iter()
        .map(row)
        .collect()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<IncidentRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM incidents WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    row(&r)
}

/// One entry of the timeline: `(id, at, by name, ciphertext)`.
pub type ActionRow = (i64, OffsetDateTime, String, Vec<u8>);

pub async fn add_action(
    conn: &mut Conn,
    incident: i64,
    by: Option<i64>,
    by_name: &str,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO incident_actions (incident_id, at, by_user, by_name, text_ct) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(incident)
    .bind(unix(now))
    .bind(by)
    .bind(by_name)
    .bind(Vec::<u8>::new())
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn set_action_text(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE incident_actions SET text_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn actions(conn: &mut Conn, incident: i64) -> Result<Vec<ActionRow>, StoreError> {
    sqlx::query("SELECT id, at, by_name, text_ct FROM incident_actions WHERE incident_id = $1 ORDER BY id")
        .bind(incident)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                from_unix(r.try_get("at")?)?,
                r.try_get("by_name")?,
                r.try_get("text_ct")?,
            ))
        })
        .collect()
}

/// A patient in scope: `(patient id, data classes, state of residence)`.
pub type ScopeRow = (i64, String, String);

/// Adds or refreshes patients in scope (never removes: the record keeps what was found).
pub async fn upsert_scope(conn: &mut Conn, incident: i64, rows: &[ScopeRow]) -> Result<(), StoreError> {
    for (patient, classes, state) in rows {
        sqlx::query(
            "INSERT INTO incident_patients (incident_id, patient_id, classes, state) VALUES ($1, $2, $3, $4)
             ON CONFLICT (incident_id, patient_id) DO UPDATE SET classes = excluded.classes, state = excluded.state",
        )
        .bind(incident)
        .bind(patient)
        .bind(classes)
        .bind(state)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Empties an incident's scope, to choose it again (the trail keeps who was removed).
pub async fn clear_scope(conn: &mut Conn, incident: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM incident_patients WHERE incident_id = $1")
        .bind(incident)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes one patient out of an incident's scope; false when they were not in it.
pub async fn remove_from_scope(conn: &mut Conn, incident: i64, patient: i64) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM incident_patients WHERE incident_id = $1 AND patient_id = $2")
        .bind(incident)
        .bind(patient)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn scope(conn: &mut Conn, incident: i64) -> Result<Vec<ScopeRow>, StoreError> {
    sqlx::query("SELECT patient_id, classes, state FROM incident_patients WHERE incident_id = $1 ORDER BY patient_id")
        .bind(incident)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("patient_id")?, r.try_get("classes")?, r.try_get("state")?)))
        .collect()
}

/// An obligation marked done. `note` is set only on rows written before notes were sealed.
#[derive(Clone, Debug)]
pub struct DoneRow {
    pub incident_id: i64,
    pub kind: String,
    pub state: String,
    pub done_on: String,
    pub note: String,
    pub note_ct: Option<Vec<u8>>,
}

/// An incident's obligations marked done.
pub async fn done_obligations(conn: &mut Conn, incident: i64) -> Result<Vec<DoneRow>, StoreError> {
    sqlx::query(
        "SELECT incident_id, kind, state, done_on, note, note_ct FROM incident_obligations WHERE incident_id = $1",
    )
    .bind(incident)
    .fetch_all(conn)
    .await?
    .iter()
    .map(done_row)
    .collect()
}

fn done_row(r: &AnyRow) -> Result<DoneRow, StoreError> {
    Ok(DoneRow {
        incident_id: r.try_get("incident_id")?,
        kind: r.try_get("kind")?,
        state: r.try_get("state")?,
        done_on: r.try_get("done_on")?,
        note: r.try_get("note")?,
        note_ct: r.try_get("note_ct")?,
    })
}

/// Obligations whose note is still plain text (written before notes were sealed).
pub async fn unsealed_notes(conn: &mut Conn) -> Result<Vec<DoneRow>, StoreError> {
    sqlx::query(
        "SELECT incident_id, kind, state, done_on, note, note_ct FROM incident_obligations
         WHERE note <> '' AND note_ct IS NULL",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(done_row)
    .collect()
}

/// Stores an obligation's sealed note and empties the plain one.
pub async fn set_obligation_note(
    conn: &mut Conn,
    (incident, kind, state): (i64, &str, &str),
    ct: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE incident_obligations SET note = '', note_ct = $1 WHERE incident_id = $2 AND kind = $3 AND state = $4",
    )
    .bind(ct)
    .bind(incident)
    .bind(kind)
    .bind(state)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mark_done(
    conn: &mut Conn,
    incident: i64,
    kind: &str,
    state: &str,
    done_on: &str,
    by: Option<i64>,
) -> Result<bool, StoreError> {
    // The note is sealed by the caller (`set_obligation_note`).
    let done = sqlx::query(
        "INSERT INTO incident_obligations (incident_id, kind, state, done_on, done_by, note) VALUES ($1, $2, $3, $4, $5, '')
         ON CONFLICT (incident_id, kind, state) DO NOTHING",
    )
    .bind(incident)
    .bind(kind)
    .bind(state)
    .bind(done_on)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A notice sent: `(patient id, sent on, method)`.
pub async fn notices(conn: &mut Conn, incident: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
    sqlx::query("SELECT patient_id, sent_on, method FROM incident_notices WHERE incident_id = $1 ORDER BY id")
        .bind(incident)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("patient_id")?, r.try_get("sent_on")?, r.try_get("method")?)))
        .collect()
}

pub async fn add_notice(
    conn: &mut Conn,
    incident: i64,
    patient: i64,
    sent_on: &str,
    method: &str,
    by: Option<i64>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO incident_notices (incident_id, patient_id, sent_on, method, sent_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(incident)
    .bind(patient)
    .bind(sent_on)
    .bind(method)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds an attachment row; the caller seals its name and content once the id is known.
pub async fn add_attachment(
    conn: &mut Conn,
    incident: i64,
    content_type: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO incident_attachments (incident_id, name, content_type, content_ct, added_by, added_at)
         VALUES ($1, '', $2, $3, $4, $5) RETURNING id",
    )
    .bind(incident)
    .bind(content_type)
    .bind(Vec::<u8>::new())
    .bind(by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Stores an attachment's sealed file name and empties the plain one.
pub async fn set_attachment_name(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE incident_attachments SET name = '', name_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Attachments whose file name is still plain text: `(id, name)`.
pub async fn unsealed_names(conn: &mut Conn) -> Result<Vec<(i64, String)>, StoreError> {
    sqlx::query("SELECT id, name FROM incident_attachments WHERE name <> '' AND name_ct IS NULL")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

pub async fn set_attachment_content(conn: &mut Conn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE incident_attachments SET content_ct = $1 WHERE id = $2")
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An attachment's name: plain on rows written before names were sealed, else sealed.
pub type NameCell = (String, Option<Vec<u8>>);

/// An incident's attachments: `(id, name, content type)`.
pub async fn attachments(conn: &mut Conn, incident: i64) -> Result<Vec<(i64, NameCell, String)>, StoreError> {
    sqlx::query("SELECT id, name, name_ct, content_type FROM incident_attachments WHERE incident_id = $1 ORDER BY id")
        .bind(incident)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                (r.try_get("name")?, r.try_get("name_ct")?),
                r.try_get("content_type")?,
            ))
        })
        .collect()
}

/// One attachment: `(name, content type, ciphertext)`.
pub async fn attachment(conn: &mut Conn, incident: i64, id: i64) -> Result<(NameCell, String, Vec<u8>), StoreError> {
    let r = sqlx::query(
        "SELECT name, name_ct, content_type, content_ct FROM incident_attachments WHERE incident_id = $1 AND id = $2",
    )
    .bind(incident)
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok((
        (r.try_get("name")?, r.try_get("name_ct")?),
        r.try_get("content_type")?,
        r.try_get("content_ct")?,
    ))
}
