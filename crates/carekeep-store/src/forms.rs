//! Intake and consent forms (issue 28): templates and their versions, the forms each service
//! needs, packets, responses (answers and signature evidence sealed by the app, bound to the
//! row) and the E-SIGN consent. A version's body changes only while `first_used_at` is NULL,
//! enforced here in the statement itself as well as by the rule in the domain.

use crate::{unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// A template with its latest version.
#[derive(Clone, Debug)]
pub struct TemplateRow {
    pub id: i64,
    pub builtin_key: String,
    pub kind: String,
    pub title: String,
    pub retired: bool,
    pub latest_version_id: i64,
    pub latest_number: i64,
    pub latest_used: bool,
}

#[derive(Clone, Debug)]
pub struct VersionRow {
    pub id: i64,
    pub template_id: i64,
    pub number: i64,
    pub body: String,
    pub body_sha256: String,
    pub created_at: i64,
    pub first_used_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct PacketRow {
    pub id: i64,
    pub patient_id: i64,
    pub appointment_id: Option<i64>,
    pub status: String,
    pub created_at: i64,
}

/// One form of a packet. The sealed columns are empty until first saved.
#[derive(Clone, Default)]
pub struct ResponseRow {
    pub id: i64,
    pub packet_id: i64,
    pub patient_id: i64,
    pub template_id: i64,
    pub version_id: i64,
    pub status: String,
    pub answers_ct: Vec<u8>,
    pub answers_sha256: String,
    pub evidence_ct: Vec<u8>,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub reviewed_by: Option<i64>,
    /// The packet's appointment, if any.
    pub appointment_id: Option<i64>,
}

impl std::fmt::Debug for ResponseRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseRow")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

fn version_row(r: &AnyRow) -> Result<VersionRow, StoreError> {
    Ok(VersionRow {
        id: r.try_get("id")?,
        template_id: r.try_get("template_id")?,
        number: r.try_get("number")?,
        body: r.try_get("body")?,
        body_sha256: r.try_get("body_sha256")?,
        created_at: r.try_get("created_at")?,
        first_used_at: r.try_get("first_used_at")?,
    })
}

const RESPONSE_COLUMNS: &str = "r.id, r.packet_id, r.patient_id, r.template_id, r.version_id, r.status, r.answers_ct, \
     r.answers_sha256, r.evidence_ct, r.updated_at, r.submitted_at, r.reviewed_at, r.reviewed_by, p.appointment_id";

fn response_row(r: &AnyRow) -> Result<ResponseRow, StoreError> {
    Ok(ResponseRow {
        id: r.try_get("id")?,
        packet_id: r.try_get("packet_id")?,
        patient_id: r.try_get("patient_id")?,
        template_id: r.try_get("template_id")?,
        version_id: r.try_get("version_id")?,
        status: r.try_get("status")?,
        answers_ct: r.try_get::<Option<Vec<u8>>, _>("answers_ct")?.unwrap_or_default(),
        answers_sha256: r.try_get("answers_sha256")?,
        evidence_ct: r.try_get::<Option<Vec<u8>>, _>("evidence_ct")?.unwrap_or_default(),
        updated_at: r.try_get("updated_at")?,
        submitted_at: r.try_get("submitted_at")?,
        reviewed_at: r.try_get("reviewed_at")?,
        reviewed_by: r.try_get("reviewed_by")?,
        appointment_id: r.try_get("appointment_id")?,
    })
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub async fn insert_template(
    conn: &mut Conn,
    builtin_key: &str,
    kind: &str,
    title: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO form_templates (builtin_key, kind, title, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(builtin_key)
    .bind(kind)
    .bind(title)
    .bind(by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn set_title(conn: &mut Conn, template: i64, title: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE form_templates SET title = $1 WHERE id = $2")
        .bind(title)
        .bind(template)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_retired(conn: &mut Conn, template: i64, retired: bool) -> Result<(), StoreError> {
    sqlx::query("UPDATE form_templates SET retired = $1 WHERE id = $2")
        .bind(i64::from(retired))
        .bind(template)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds version `number` of a template.
pub async fn insert_version(
    conn: &mut Conn,
    template: i64,
    number: i64,
    body: &str,
    sha256: &str,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO form_versions (template_id, number, body, body_sha256, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(template)
    .bind(number)
    .bind(body)
    .bind(sha256)
    .bind(by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Corrects an unused version in place; false (nothing changed) once it has been used.
pub async fn update_unused_version(conn: &mut Conn, id: i64, body: &str, sha256: &str) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE form_versions SET body = $1, body_sha256 = $2 WHERE id = $3 AND first_used_at IS NULL")
            .bind(body)
            .bind(sha256)
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Marks a version used (from then on it never changes).
pub async fn mark_used(conn: &mut Conn, version: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE form_versions SET first_used_at = $1 WHERE id = $2 AND first_used_at IS NULL")
        .bind(unix(now))
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every template with its latest version, by title.
pub async fn templates(conn: &mut Conn) -> Result<Vec<TemplateRow>, StoreError> {
    sqlx::query(
        "SELECT t.id, t.builtin_key, t.kind, t.title, t.retired, v.id AS vid, v.number, v.first_used_at \
         FROM form_templates t JOIN form_versions v ON v.template_id = t.id \
         WHERE v.number = (SELECT MAX(number) FROM form_versions w WHERE w.template_id = t.id) \
         ORDER BY t.title, t.id",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(TemplateRow {
            id: r.try_get("id")?,
            builtin_key: r.try_get("builtin_key")?,
            kind: r.try_get("kind")?,
            title: r.try_get("title")?,
            retired: r.try_get::<i64, _>("retired")? != 0,
            latest_version_id: r.try_get("vid")?,
            latest_number: r.try_get("number")?,
            latest_used: r.try_get::<Option<i64>, _>("first_used_at")?.is_some(),
        })
    })
    .collect()
}

pub async fn template(conn: &mut Conn, id: i64) -> Result<TemplateRow, StoreError> {
    templates(conn)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(StoreError::NotFound)
}

pub async fn versions(conn: &mut Conn, template: i64) -> Result<Vec<VersionRow>, StoreError> {
    sqlx::query(
        "SELECT id, template_id, number, body, body_sha256, created_at, first_used_at FROM form_versions \
         WHERE template_id = $1 ORDER BY number DESC",
    )
    .bind(template)
    .fetch_all(conn)
    .await?
    .iter()
    .map(version_row)
    .collect()
}

pub async fn version(conn: &mut Conn, id: i64) -> Result<VersionRow, StoreError> {
    let r = sqlx::query(
        "SELECT id, template_id, number, body, body_sha256, created_at, first_used_at FROM form_versions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    version_row(&r)
}

/// The forms each service needs: `(service, template, frequency)`.
pub async fn service_forms(conn: &mut Conn) -> Result<Vec<(i64, i64, String)>, StoreError> {
    sqlx::query("SELECT service_id, template_id, frequency FROM service_forms ORDER BY service_id, template_id")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("service_id")?,
                r.try_get("template_id")?,
                r.try_get("frequency")?,
            ))
        })
        .collect()
}

/// Replaces the forms a service needs.
pub async fn set_service_forms(conn: &mut Conn, service: i64, forms: &[(i64, String)]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM service_forms WHERE service_id = $1")
        .bind(service)
        .execute(&mut *conn)
        .await?;
    for (template, frequency) in forms {
        sqlx::query("INSERT INTO service_forms (service_id, template_id, frequency) VALUES ($1, $2, $3)")
            .bind(service)
            .bind(template)
            .bind(frequency)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn insert_packet(
    conn: &mut Conn,
    patient: i64,
    appointment: Option<i64>,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO form_packets (patient_id, appointment_id, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(patient)
    .bind(appointment)
    .bind(by)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn packets_for_patient(conn: &mut Conn, patient: i64) -> Result<Vec<PacketRow>, StoreError> {
    sqlx::query(
        "SELECT id, patient_id, appointment_id, status, created_at FROM form_packets WHERE patient_id = $1 ORDER BY id DESC",
    )
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(PacketRow {
            id: r.try_get("id")?,
            patient_id: r.try_get("patient_id")?,
            appointment_id: r.try_get("appointment_id")?,
            status: r.try_get("status")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}

pub async fn insert_response(
    conn: &mut Conn,
    packet: i64,
    patient: i64,
    template: i64,
    version: i64,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO form_responses (packet_id, patient_id, template_id, version_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(packet)
    .bind(patient)
    .bind(template)
    .bind(version)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// A patient's responses, newest first.
pub async fn responses_for_patient(conn: &mut Conn, patient: i64) -> Result<Vec<ResponseRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {RESPONSE_COLUMNS} FROM form_responses r JOIN form_packets p ON p.id = r.packet_id \
         WHERE r.patient_id = $1 ORDER BY r.id DESC"
    ))
    .bind(patient)
    .fetch_all(conn)
    .await?
    .iter()
    .map(response_row)
    .collect()
}

/// The responses of the packets made for these appointments.
pub async fn responses_for_appointments(conn: &mut Conn, appointments: &[i64]) -> Result<Vec<ResponseRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in appointments.chunks(500) {
        let sql = format!(
            "SELECT {RESPONSE_COLUMNS} FROM form_responses r JOIN form_packets p ON p.id = r.packet_id \
             WHERE p.appointment_id IN ({}) ORDER BY r.id",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(response_row(&r)?);
        }
        // Forms reused for a later visit count for it too, under that visit's id.
        let sql = format!(
            "SELECT {}, v.appointment_id AS appointment_id FROM form_responses r \
             JOIN form_response_visits v ON v.response_id = r.id WHERE v.appointment_id IN ({}) ORDER BY r.id",
            RESPONSE_COLUMNS.trim_end_matches(", p.appointment_id"),
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(response_row(&r)?);
        }
    }
    Ok(out)
}

/// The later visits each of these responses was reused for, as `(response, appointment)`.
pub async fn response_visits(conn: &mut Conn, responses: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut out = Vec::new();
    for chunk in responses.chunks(500) {
        let sql = format!(
            "SELECT response_id, appointment_id FROM form_response_visits WHERE response_id IN ({}) \
             ORDER BY response_id, appointment_id",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push((r.try_get("response_id")?, r.try_get("appointment_id")?));
        }
    }
    Ok(out)
}

/// Counts an open response for a later visit as well (a form asked again is reused).
pub async fn add_response_visit(conn: &mut Conn, response: i64, appointment: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO form_response_visits (response_id, appointment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(response)
    .bind(appointment)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn response(conn: &mut Conn, id: i64) -> Result<ResponseRow, StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {RESPONSE_COLUMNS} FROM form_responses r JOIN form_packets p ON p.id = r.packet_id WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    response_row(&r)
}

/// Keeps a draft's sealed answers; false once the form was submitted (nothing changes then).
pub async fn save_draft(
    conn: &mut Conn,
    id: i64,
    answers_ct: &[u8],
    sha256: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE form_responses SET answers_ct = $1, answers_sha256 = $2, status = 'draft', updated_at = $3 \
         WHERE id = $4 AND status IN ('pending', 'draft')",
    )
    .bind(answers_ct)
    .bind(sha256)
    .bind(unix(now))
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Submits a form with its signature's evidence; false if it was already submitted.
pub async fn submit(
    conn: &mut Conn,
    id: i64,
    answers_ct: &[u8],
    sha256: &str,
    evidence_ct: &[u8],
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE form_responses SET answers_ct = $1, answers_sha256 = $2, evidence_ct = $3, status = 'submitted', \
         updated_at = $4, submitted_at = $4 WHERE id = $5 AND status IN ('pending', 'draft')",
    )
    .bind(answers_ct)
    .bind(sha256)
    .bind(evidence_ct)
    .bind(unix(now))
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Marks a submitted form reviewed (issue 28 item 5 files its items first).
pub async fn mark_reviewed(conn: &mut Conn, id: i64, by: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE form_responses SET status = 'reviewed', reviewed_at = $1, reviewed_by = $2 WHERE id = $3 AND status = 'submitted'",
    )
    .bind(unix(now))
    .bind(by)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The E-SIGN consent in effect for a patient (or their representative): its id, the
/// statement's version and when. `None` if never given or withdrawn.
pub async fn esign_consent(
    conn: &mut Conn,
    patient: i64,
    person: Option<i64>,
) -> Result<Option<(i64, i64, i64)>, StoreError> {
    let r = sqlx::query(
        "SELECT id, statement_version, consented_at FROM esign_consents WHERE patient_id = $1 \
         AND COALESCE(person_id, 0) = $2 AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(patient)
    .bind(person.unwrap_or(0))
    .fetch_optional(conn)
    .await?;
    r.map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("statement_version")?,
            r.try_get("consented_at")?,
        ))
    })
    .transpose()
}

pub async fn insert_esign_consent(
    conn: &mut Conn,
    patient: i64,
    person: Option<i64>,
    version: i64,
    source_ip: &str,
    user_agent: &str,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO esign_consents (patient_id, person_id, statement_version, source_ip, user_agent, consented_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(patient)
    .bind(person)
    .bind(version)
    .bind(source_ip)
    .bind(user_agent)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Withdraws the consent in effect for a patient (or their representative); false when none
/// was in effect.
pub async fn withdraw_esign_consent(
    conn: &mut Conn,
    patient: i64,
    person: Option<i64>,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE esign_consents SET withdrawn_at = $1 WHERE patient_id = $2 AND COALESCE(person_id, 0) = $3 \
         AND withdrawn_at IS NULL",
    )
    .bind(unix(now))
    .bind(patient)
    .bind(person.unwrap_or(0))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Who has an E-SIGN consent in effect for a patient: `None` the patient, `Some` a
/// representative's row in `care_people`. The patient first.
pub async fn esign_in_effect(conn: &mut Conn, patient: i64) -> Result<Vec<Option<i64>>, StoreError> {
    let rows =
        sqlx::query("SELECT DISTINCT person_id FROM esign_consents WHERE patient_id = $1 AND withdrawn_at IS NULL")
            .bind(patient)
            .fetch_all(conn)
            .await?;
    // Sorted here: the two databases order NULL differently.
    let mut who = rows
        .iter()
        .map(|r| r.try_get("person_id"))
        .collect::<Result<Vec<Option<i64>>, _>>()?;
    who.sort();
    Ok(who)
}

/// When the consent was last withdrawn by someone (the patient or a representative) whose
/// newest consent is withdrawn and not given again: forms must be on paper for them.
pub async fn esign_withdrawn(conn: &mut Conn, patient: i64) -> Result<Option<i64>, StoreError> {
    let rows = sqlx::query("SELECT person_id, withdrawn_at FROM esign_consents WHERE patient_id = $1 ORDER BY id")
        .bind(patient)
        .fetch_all(conn)
        .await?;
    let mut newest: std::collections::BTreeMap<i64, Option<i64>> = std::collections::BTreeMap::new();
    for r in rows {
        let person: Option<i64> = r.try_get("person_id")?;
        newest.insert(person.unwrap_or(0), r.try_get("withdrawn_at")?);
    }
    Ok(newest.into_values().flatten().max())
}
