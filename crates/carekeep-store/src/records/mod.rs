//! Clinic records as stored: ids, times, statuses and amounts in the clear; every PHI value as
//! ciphertext (`Vec<u8>`) that only the app, holding the data keys, can open. Each ciphertext
//! is written after its row exists, because it is bound to the row's id.

pub mod chart_rows;

use crate::db::cells::Cells;
use crate::{from_unix, unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

/// A ciphertext column this module may set. Names are fixed here, never taken from input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtColumn {
    PatientIdentity,
    PatientContact,
    BreakGlassReason,
    AppointmentService,
    EncounterNote,
    AddendumText,
    ChartEntryData,
    AttachmentMeta,
    AttachmentContent,
    InvoiceLines,
    AppointmentReason,
    WaitlistNote,
    MoveRequestWishes,
    MoveRequestAnswer,
}

impl CtColumn {
    /// `(table, column)`: also the binding the ciphertext is sealed to.
    pub fn place(self) -> (&'static str, &'static str) {
        match self {
            CtColumn::PatientIdentity => ("patients", "identity_ct"),
            CtColumn::PatientContact => ("patients", "contact_ct"),
            CtColumn::BreakGlassReason => ("break_glass", "reason_ct"),
            CtColumn::AppointmentService => ("appointments", "service_ct"),
            CtColumn::EncounterNote => ("encounters", "note_ct"),
            CtColumn::AddendumText => ("addenda", "text_ct"),
            CtColumn::ChartEntryData => ("chart_entries", "data_ct"),
            CtColumn::AttachmentMeta => ("attachments", "meta_ct"),
            CtColumn::AttachmentContent => ("attachments", "content_ct"),
            CtColumn::InvoiceLines => ("invoices", "lines_ct"),
            CtColumn::AppointmentReason => ("appointment_reasons", "reason_ct"),
            CtColumn::WaitlistNote => ("waitlist", "note_ct"),
            CtColumn::MoveRequestWishes => ("move_requests", "wishes_ct"),
            CtColumn::MoveRequestAnswer => ("move_requests", "answer_ct"),
        }
    }
}

/// Writes a ciphertext into its row.
pub async fn set_ct(conn: &mut Conn, col: CtColumn, id: i64, ct: &[u8]) -> Result<(), StoreError> {
    let (table, column) = col.place();
    let done = sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE id = $2"))
        .bind(ct)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------- patients

#[derive(Clone)]
pub struct PatientRow {
    pub id: i64,
    pub identity_ct: Vec<u8>,
    pub contact_ct: Vec<u8>,
    pub restricted: bool,
    pub created_at: OffsetDateTime,
    pub last_seen_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for PatientRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatientRow")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

const PATIENT_COLUMNS: &str = "id, identity_ct, contact_ct, restricted, created_at, last_seen_at";

fn patient(r: &impl Cells) -> Result<PatientRow, StoreError> {
    Ok(PatientRow {
        id: r.int("id")?,
        identity_ct: r.ct("identity_ct")?,
        contact_ct: r.ct("contact_ct")?,
        restricted: r.flag("restricted")?,
        created_at: r.time("created_at")?,
        last_seen_at: r.opt_time("last_seen_at")?,
    })
}

/// A new patient row; its ciphertexts are set next, in the same transaction.
pub async fn insert_patient(conn: &mut Conn, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(
        sqlx::query("INSERT INTO patients (created_at, updated_at) VALUES ($1, $1) RETURNING id")
            .bind(unix(now))
            .fetch_one(conn)
            .await?
            .try_get("id")?,
    )
}

pub async fn patient_by_id(conn: &mut Conn, id: i64) -> Result<PatientRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    patient(&r)
}

/// Patients by id, in no particular order; unknown ids are skipped.
pub async fn patients_by_ids(conn: &mut Conn, ids: &[i64]) -> Result<Vec<PatientRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {PATIENT_COLUMNS} FROM patients WHERE id IN ({})",
        placeholders(ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn).await?.iter().map(patient).collect()
}

/// A page of patients, most recently seen first (registration counts as being seen).
pub async fn recent_patients(conn: &mut Conn, limit: i64, offset: i64) -> Result<Vec<PatientRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {PATIENT_COLUMNS} FROM patients ORDER BY COALESCE(last_seen_at, created_at) DESC, id DESC LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?
    .iter()
    .map(patient)
    .collect()
}

/// Every patient's id, oldest first.
pub async fn all_patient_ids(conn: &mut Conn) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query("SELECT id FROM patients ORDER BY id")
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

pub async fn count_patients(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM patients")
        .fetch_one(conn)
        .await?
        .try_get("n")?)
}

pub async fn touch_patient(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE patients SET updated_at = $1 WHERE id = $2")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_seen(conn: &mut Conn, id: i64, at: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE patients SET last_seen_at = $1 WHERE id = $2 AND (last_seen_at IS NULL OR last_seen_at < $1)")
        .bind(unix(at))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a patient restricted (or not) and names the providers who may open the chart.
pub async fn set_restriction(conn: &mut Conn, id: i64, restricted: bool, providers: &[i64]) -> Result<(), StoreError> {
    sqlx::query("UPDATE patients SET restricted = $1 WHERE id = $2")
        .bind(i64::from(restricted))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM patient_providers WHERE patient_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for user in providers {
        sqlx::query("INSERT INTO patient_providers (patient_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*user)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn named_providers(conn: &mut Conn, id: i64) -> Result<Vec<i64>, StoreError> {
    sqlx::query("SELECT user_id FROM patient_providers WHERE patient_id = $1 ORDER BY user_id")
        .bind(id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("user_id")?))
        .collect()
}

// ---------------------------------------------------------------- blind indexes

/// Replaces a patient's blind-index entries of the given kinds.
pub async fn replace_index(
    conn: &mut Conn,
    patient_id: i64,
    kinds: &[&str],
    entries: &[(&str, Vec<u8>)],
) -> Result<(), StoreError> {
    for kind in kinds {
        sqlx::query("DELETE FROM patient_index WHERE patient_id = $1 AND kind = $2")
            .bind(patient_id)
            .bind(*kind)
            .execute(&mut *conn)
            .await?;
    }
    for (kind, digest) in entries {
        sqlx::query("INSERT INTO patient_index (kind, digest, patient_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(*kind)
            .bind(digest.as_slice())
            .bind(patient_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Patients whose index holds this digest, newest first.
pub async fn lookup_index(conn: &mut Conn, kind: &str, digest: &[u8], limit: i64) -> Result<Vec<i64>, StoreError> {
    sqlx::query(
        "SELECT patient_id FROM patient_index WHERE kind = $1 AND digest = $2 ORDER BY patient_id DESC LIMIT $3",
    )
    .bind(kind)
    .bind(digest)
    .bind(limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok(r.try_get("patient_id")?))
    .collect()
}

// ---------------------------------------------------------------- break glass

pub async fn insert_break_glass(
    conn: &mut Conn,
    user_id: i64,
    patient_id: i64,
    now: OffsetDateTime,
    expires: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO break_glass (user_id, patient_id, started_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(patient_id)
    .bind(unix(now))
    .bind(unix(expires))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// A break-glass grant's sealed reason, if the grant exists and has one.
pub async fn break_glass_reason(conn: &mut Conn, grant: i64) -> Result<Option<Vec<u8>>, StoreError> {
    let r = sqlx::query("SELECT reason_ct FROM break_glass WHERE id = $1")
        .bind(grant)
        .fetch_optional(conn)
        .await?;
    Ok(match r {
        Some(r) => r.try_get("reason_ct")?,
        None => None,
    })
}

/// When this person's break-glass access to this patient ends, if it is live now.
pub async fn break_glass_until(
    conn: &mut Conn,
    user_id: i64,
    patient_id: i64,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, StoreError> {
    let r = sqlx::query(
        "SELECT MAX(expires_at) AS until FROM break_glass WHERE user_id = $1 AND patient_id = $2 AND expires_at > $3",
    )
    .bind(user_id)
    .bind(patient_id)
    .bind(unix(now))
    .fetch_one(conn)
    .await?;
    r.opt_time("until")
}

// ---------------------------------------------------------------- appointments

#[derive(Clone, Debug)]
pub struct AppointmentRow {
    pub id: i64,
    pub patient_id: i64,
    pub provider_id: i64,
    pub start_at: OffsetDateTime,
    pub end_at: OffsetDateTime,
    pub status: String,
    pub service_ct: Vec<u8>,
}

const APPT_COLUMNS: &str = "id, patient_id, provider_id, start_at, end_at, status, service_ct";

fn appointment(r: &AnyRow) -> Result<AppointmentRow, StoreError> {
    Ok(AppointmentRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        provider_id: r.try_get("provider_id")?,
        start_at: from_unix(r.try_get("start_at")?)?,
        end_at: from_unix(r.try_get("end_at")?)?,
        status: r.try_get("status")?,
        service_ct: r.ct("service_ct")?,
    })
}

pub async fn insert_appointment(
    conn: &mut Conn,
    patient_id: i64,
    provider_id: i64,
    start: OffsetDateTime,
    end: OffsetDateTime,
    status: &str,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO appointments (patient_id, provider_id, start_at, end_at, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(patient_id)
    .bind(provider_id)
    .bind(unix(start))
    .bind(unix(end))
    .bind(status)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn appointment_by_id(conn: &mut Conn, id: i64) -> Result<AppointmentRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {APPT_COLUMNS} FROM appointments WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    appointment(&r)
}

pub async fn set_appointment_status(
    conn: &mut Conn,
    id: i64,
    status: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE appointments SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Appointments starting in `[from, to)`, in time order.
pub async fn appointments_between(
    conn: &mut Conn,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<AppointmentRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {APPT_COLUMNS} FROM appointments WHERE start_at >= $1 AND start_at < $2 ORDER BY start_at, id"
    ))
    .bind(unix(from))
    .bind(unix(to))
    .fetch_all(conn)
    .await?
    .iter()
    .map(appointment)
    .collect()
}

// ---------------------------------------------------------------- encounters and addenda

#[derive(Clone, Debug)]
pub struct EncounterRow {
    pub id: i64,
    pub patient_id: i64,
    pub author_id: i64,
    pub at: OffsetDateTime,
    pub note_ct: Vec<u8>,
    pub signed_at: Option<OffsetDateTime>,
}

const ENC_COLUMNS: &str = "id, patient_id, author_id, at, note_ct, signed_at";

fn encounter(r: &AnyRow) -> Result<EncounterRow, StoreError> {
    Ok(EncounterRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        author_id: r.try_get("author_id")?,
        at: from_unix(r.try_get("at")?)?,
        note_ct: r.ct("note_ct")?,
        signed_at: r.opt_time("signed_at")?,
    })
}

pub async fn insert_encounter(
    conn: &mut Conn,
    patient_id: i64,
    author_id: i64,
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO encounters (patient_id, author_id, at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(patient_id)
    .bind(author_id)
    .bind(unix(at))
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

pub async fn encounter_by_id(conn: &mut Conn, id: i64) -> Result<EncounterRow, StoreError> {
    let r = sqlx::query(&format!("SELECT {ENC_COLUMNS} FROM encounters WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    encounter(&r)
}

/// An author's notes not yet signed, oldest first (the home page's reminder to sign them).
pub async fn unsigned_encounters_by(
    conn: &mut Conn,
    author_id: i64,
    limit: i64,
) -> Result<Vec<EncounterRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {ENC_COLUMNS} FROM encounters WHERE author_id = $1 AND signed_at IS NULL ORDER BY at, id LIMIT $2"
    ))
    .bind(author_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(encounter).collect()
}

/// Signs a note. Returns false if it was already signed (a signed note never changes).
pub async fn sign_encounter(conn: &mut Conn, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE encounters SET signed_at = $1, updated_at = $1 WHERE id = $2 AND signed_at IS NULL")
        .bind(unix(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug)]
pub struct AddendumRow {
    pub id: i64,
    pub encounter_id: i64,
    pub author_id: i64,
    pub at: OffsetDateTime,
    pub text_ct: Vec<u8>,
}

pub async fn insert_addendum(
    conn: &mut Conn,
    encounter_id: i64,
    patient_id: i64,
    author_id: i64,
    at: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO addenda (encounter_id, patient_id, author_id, at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(encounter_id)
    .bind(patient_id)
    .bind(author_id)
    .bind(unix(at))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

// ---------------------------------------------------------------- chart entries

#[derive(Clone, Debug)]
pub struct EntryRow {
    pub id: i64,
    pub kind: String,
    pub at: OffsetDateTime,
    pub recorded_by: i64,
    pub data_ct: Vec<u8>,
}

pub async fn insert_entry(
    conn: &mut Conn,
    patient_id: i64,
    kind: &str,
    at: OffsetDateTime,
    by: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO chart_entries (patient_id, kind, at, recorded_by) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(patient_id)
    .bind(kind)
    .bind(unix(at))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

// ---------------------------------------------------------------- attachments

#[derive(Clone, Debug)]
pub struct AttachmentRow {
    pub id: i64,
    pub patient_id: i64,
    pub at: OffsetDateTime,
    pub uploaded_by: i64,
    pub content_type: String,
    pub size_bytes: i64,
    pub meta_ct: Vec<u8>,
}

pub async fn insert_attachment(
    conn: &mut Conn,
    patient_id: i64,
    at: OffsetDateTime,
    by: i64,
    content_type: &str,
    size: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO attachments (patient_id, at, uploaded_by, content_type, size_bytes) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(patient_id)
    .bind(unix(at))
    .bind(by)
    .bind(content_type)
    .bind(size)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

fn attachment(r: &AnyRow) -> Result<AttachmentRow, StoreError> {
    Ok(AttachmentRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        at: from_unix(r.try_get("at")?)?,
        uploaded_by: r.try_get("uploaded_by")?,
        content_type: r.try_get("content_type")?,
        size_bytes: r.try_get("size_bytes")?,
        meta_ct: r.ct("meta_ct")?,
    })
}

const ATT_COLUMNS: &str = "id, patient_id, at, uploaded_by, content_type, size_bytes, meta_ct";

/// One attachment with its (encrypted) content.
pub async fn attachment_with_content(conn: &mut Conn, id: i64) -> Result<(AttachmentRow, Vec<u8>), StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {ATT_COLUMNS}, content_ct FROM attachments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok((attachment(&r)?, r.ct("content_ct")?))
}

// ---------------------------------------------------------------- invoices and payments

#[derive(Clone, Debug)]
pub struct InvoiceRow {
    pub id: i64,
    pub patient_id: i64,
    pub number: String,
    pub created_at: OffsetDateTime,
    /// The lines' total as invoiced.
    pub total_cents: i64,
    pub lines_ct: Vec<u8>,
    /// Payments less refunds.
    pub paid_cents: i64,
    /// The sum of adjustments: the signed change to what is owed.
    pub adjusted_cents: i64,
}

const INV_SELECT: &str = "SELECT i.id, i.patient_id, i.number, i.created_at, i.total_cents, i.lines_ct,
     CAST(COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id AND p.kind <> 'adjustment'), 0) AS BIGINT) AS paid_cents,
     CAST(COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id AND p.kind = 'adjustment'), 0) AS BIGINT) AS adjusted_cents
     FROM invoices i";

fn invoice(r: &AnyRow) -> Result<InvoiceRow, StoreError> {
    Ok(InvoiceRow {
        id: r.try_get("id")?,
        patient_id: r.try_get("patient_id")?,
        number: r.try_get("number")?,
        created_at: from_unix(r.try_get("created_at")?)?,
        total_cents: r.try_get("total_cents")?,
        lines_ct: r.ct("lines_ct")?,
        paid_cents: r.try_get("paid_cents")?,
        adjusted_cents: r.try_get("adjusted_cents")?,
    })
}

pub async fn insert_invoice(
    conn: &mut Conn,
    patient_id: i64,
    total_cents: i64,
    by: i64,
    now: OffsetDateTime,
) -> Result<(i64, String), StoreError> {
    let id: i64 = sqlx::query(
        "INSERT INTO invoices (patient_id, created_at, created_by, total_cents)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(patient_id)
    .bind(unix(now))
    .bind(by)
    .bind(total_cents)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    let number = format!("INV-{id:06}");
    sqlx::query("UPDATE invoices SET number = $1 WHERE id = $2")
        .bind(number.as_str())
        .bind(id)
        .execute(conn)
        .await?;
    Ok((id, number))
}

pub async fn invoice_by_id(conn: &mut Conn, id: i64) -> Result<InvoiceRow, StoreError> {
    let r = sqlx::query(&format!("{INV_SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    invoice(&r)
}

/// The newest invoices across the clinic (the billing work list).
pub async fn recent_invoices(conn: &mut Conn, limit: i64) -> Result<Vec<InvoiceRow>, StoreError> {
    sqlx::query(&format!("{INV_SELECT} ORDER BY i.created_at DESC, i.id DESC LIMIT $1"))
        .bind(limit)
        .fetch_all(conn)
        .await?
        .iter()
        .map(invoice)
        .collect()
}

/// Invoices created between `from` and `to` (inclusive), newest first (the work list).
pub async fn invoices_between(
    conn: &mut Conn,
    from: OffsetDateTime,
    to: OffsetDateTime,
    limit: i64,
) -> Result<Vec<InvoiceRow>, StoreError> {
    sqlx::query(&format!(
        "{INV_SELECT} WHERE i.created_at >= $1 AND i.created_at <= $2 ORDER BY i.created_at DESC, i.id DESC LIMIT $3"
    ))
    .bind(unix(from))
    .bind(unix(to))
    .bind(limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(invoice)
    .collect()
}

/// One entry of an invoice's ledger: a payment, refund or adjustment.
#[derive(Clone, Debug)]
pub struct LedgerRow {
    pub id: i64,
    pub kind: String,
    pub amount_cents: i64,
    pub method: String,
    pub received_at: OffsetDateTime,
    pub recorded_by: i64,
    /// The sealed reason of a refund or adjustment.
    pub reason_ct: Option<Vec<u8>>,
}

/// An invoice's ledger, oldest first.
pub async fn invoice_ledger(conn: &mut Conn, invoice_id: i64) -> Result<Vec<LedgerRow>, StoreError> {
    sqlx::query(
        "SELECT id, kind, amount_cents, method, received_at, recorded_by, reason_ct FROM payments
         WHERE invoice_id = $1 ORDER BY received_at, id",
    )
    .bind(invoice_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(LedgerRow {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            amount_cents: r.try_get("amount_cents")?,
            method: r.try_get("method")?,
            received_at: from_unix(r.try_get("received_at")?)?,
            recorded_by: r.try_get("recorded_by")?,
            reason_ct: r.try_get("reason_ct")?,
        })
    })
    .collect()
}

/// Adds a refund or adjustment to an invoice's ledger; its reason is sealed after, bound to
/// the new row ([`seal_ledger_reason`]).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_ledger_entry(
    conn: &mut Conn,
    invoice_id: i64,
    patient_id: i64,
    kind: &str,
    amount_cents: i64,
    method: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO payments (invoice_id, patient_id, amount_cents, method, received_at, recorded_by, kind)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(invoice_id)
    .bind(patient_id)
    .bind(amount_cents)
    .bind(method)
    .bind(unix(now))
    .bind(by)
    .bind(kind)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Stores the sealed reason of a ledger entry.
pub async fn seal_ledger_reason(conn: &mut Conn, id: i64, reason_ct: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE payments SET reason_ct = $1 WHERE id = $2")
        .bind(reason_ct)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct PaymentRow {
    pub id: i64,
    pub invoice_id: i64,
    pub amount_cents: i64,
    pub method: String,
    pub received_at: OffsetDateTime,
}

pub async fn insert_payment(
    conn: &mut Conn,
    invoice_id: i64,
    patient_id: i64,
    amount_cents: i64,
    method: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO payments (invoice_id, patient_id, amount_cents, method, received_at, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(invoice_id)
    .bind(patient_id)
    .bind(amount_cents)
    .bind(method)
    .bind(unix(now))
    .bind(by)
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}
