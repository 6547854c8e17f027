//! A patient's chart rows in one statement: each table's rows stacked with `UNION ALL`, a
//! `part` column saying which table a row came from.
//!
//! One statement instead of one per table: the whole chart comes from one snapshot on both
//! databases, and the statement is prepared once per connection.

use crate::db::cells::Cells;
use crate::records::{AddendumRow, AppointmentRow, AttachmentRow, EncounterRow, EntryRow, InvoiceRow, PaymentRow};
use crate::{Conn, StoreError};
use std::cmp::Reverse;
use std::collections::HashMap;
use time::OffsetDateTime;

/// One table of a patient's chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Appointments,
    Encounters,
    Addenda,
    Entries,
    Attachments,
    Invoices,
    Payments,
    /// The patient's Notice of Privacy Practices acknowledgements.
    NppAcks,
    /// Granted confidential-communication and restriction requests (164.522): what staff must
    /// honour.
    GrantedRequests,
    /// Staff display names, to say who wrote what.
    StaffNames,
}

impl Part {
    pub const ALL: [Part; 10] = [
        Part::Appointments,
        Part::Encounters,
        Part::Addenda,
        Part::Entries,
        Part::Attachments,
        Part::Invoices,
        Part::Payments,
        Part::NppAcks,
        Part::GrantedRequests,
        Part::StaffNames,
    ];
}

/// The rows of the parts asked for; a part not asked for stays empty. Each list is in the
/// order the chart shows it.
#[derive(Debug, Default)]
pub struct ChartRows {
    pub appointments: Vec<AppointmentRow>,
    pub encounters: Vec<EncounterRow>,
    pub addenda: Vec<AddendumRow>,
    pub entries: Vec<EntryRow>,
    pub attachments: Vec<AttachmentRow>,
    pub invoices: Vec<InvoiceRow>,
    pub payments: Vec<PaymentRow>,
    /// Newest first.
    pub npp_acks: Vec<AckRow>,
    pub granted_requests: Vec<GrantedRequest>,
    pub staff_names: HashMap<i64, String>,
}

/// An acknowledgement of the notice, or a good-faith effort to get one (`kind`).
#[derive(Clone, Debug)]
pub struct AckRow {
    pub id: i64,
    pub version: i64,
    pub kind: String,
    pub recorded_at: OffsetDateTime,
}

/// A granted request in force: its kind and its encrypted details.
#[derive(Clone, Debug)]
pub struct GrantedRequest {
    pub id: i64,
    pub kind: String,
    pub details_ct: Vec<u8>,
}

/// Each part's branch. Every part's rows share one narrow shape, read by position, so no row
/// carries another table's columns (sqlx copies every value of every row, NULLs included):
/// the branch's index here, the row's id, five integers, a text and the ciphertext. NULLs are
/// typed because PostgreSQL resolves a `UNION` pairwise.
const BRANCHES: [(Part, &str); 10] = [
    (
        Part::Appointments,
        "SELECT CAST(0 AS BIGINT), id, patient_id, provider_id, start_at, end_at, CAST(NULL AS BIGINT), status, \
         service_ct FROM appointments WHERE patient_id = $1",
    ),
    (
        Part::Encounters,
        "SELECT CAST(1 AS BIGINT), id, patient_id, author_id, at, signed_at, CAST(NULL AS BIGINT), \
         CAST(NULL AS TEXT), note_ct FROM encounters WHERE patient_id = $1",
    ),
    (
        Part::Addenda,
        "SELECT CAST(2 AS BIGINT), id, encounter_id, author_id, at, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), \
         CAST(NULL AS TEXT), text_ct FROM addenda WHERE patient_id = $1",
    ),
    (
        Part::Entries,
        "SELECT CAST(3 AS BIGINT), id, patient_id, recorded_by, at, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), \
         kind, data_ct FROM chart_entries WHERE patient_id = $1",
    ),
    (
        Part::Attachments,
        "SELECT CAST(4 AS BIGINT), id, patient_id, uploaded_by, at, size_bytes, CAST(NULL AS BIGINT), \
         content_type, meta_ct FROM attachments WHERE patient_id = $1",
    ),
    (
        Part::Invoices,
        "SELECT CAST(5 AS BIGINT), i.id, i.patient_id, \
         CAST(COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id AND p.kind = 'adjustment'), 0) AS BIGINT), \
         i.created_at, i.total_cents, \
         CAST(COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id AND p.kind <> 'adjustment'), 0) AS BIGINT), \
         i.number, i.lines_ct FROM invoices i WHERE i.patient_id = $1",
    ),
    (
        Part::Payments,
        "SELECT CAST(6 AS BIGINT), id, invoice_id, CAST(NULL AS BIGINT), received_at, amount_cents, \
         CAST(NULL AS BIGINT), method, CAST(NULL AS BYTEA) FROM payments WHERE patient_id = $1 AND kind <> 'adjustment'",
    ),
    (
        Part::NppAcks,
        "SELECT CAST(7 AS BIGINT), a.id, v.version, CAST(NULL AS BIGINT), a.recorded_at, CAST(NULL AS BIGINT), \
         CAST(NULL AS BIGINT), a.kind, CAST(NULL AS BYTEA) FROM npp_acks a JOIN npp_versions v ON v.id = a.version_id \
         WHERE a.patient_id = $1 \
         UNION ALL SELECT CAST(7 AS BIGINT), p.id, v.version, CAST(NULL AS BIGINT), p.acknowledged_at, \
         CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST('portal' AS TEXT), CAST(NULL AS BYTEA) \
         FROM portal_npp_acks p JOIN npp_versions v ON v.id = p.version_id WHERE p.patient_id = $1",
    ),
    (
        Part::GrantedRequests,
        "SELECT CAST(8 AS BIGINT), id, patient_id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), \
         CAST(NULL AS BIGINT), kind, details_ct FROM patient_requests WHERE patient_id = $1 AND status = 'granted' \
         AND kind IN ('confidential_communication', 'restriction', 'amendment')",
    ),
    (
        Part::StaffNames,
        "SELECT CAST(9 AS BIGINT), id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), \
         CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), display_name, CAST(NULL AS BYTEA) FROM users",
    ),
];

/// The statement loading `parts`.
fn statement(parts: &[Part]) -> String {
    BRANCHES
        .iter()
        .filter(|(part, _)| parts.contains(part))
        .map(|(_, branch)| *branch)
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// The patient's own row in the narrow shape, two rows of it (the shape has one ciphertext
/// column): the identity with the row's numbers, then the contact. Numbered after the parts.
const PATIENT_BRANCHES: &str =
    "SELECT CAST(10 AS BIGINT), id, restricted, CAST(NULL AS BIGINT), created_at, last_seen_at, \
     CAST(NULL AS BIGINT), CAST(NULL AS TEXT), identity_ct FROM patients WHERE id = $1 \
     UNION ALL SELECT CAST(11 AS BIGINT), id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), \
     CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT), contact_ct FROM patients WHERE id = $1";

/// The statement loading the patient's row and `parts`.
fn with_patient(parts: &[Part]) -> String {
    match parts.is_empty() {
        true => PATIENT_BRANCHES.to_owned(),
        false => format!("{PATIENT_BRANCHES} UNION ALL {}", statement(parts)),
    }
}

/// A patient's row and the rows of `parts` of their chart, in one statement (one round trip
/// on PostgreSQL instead of two), from one snapshot. `NotFound` when there is no such patient.
pub async fn patient_and_chart(
    conn: &mut Conn,
    patient_id: i64,
    parts: &[Part],
) -> Result<(crate::records::PatientRow, ChartRows), StoreError> {
    let rows = sqlx::query(&with_patient(parts))
        .bind(patient_id)
        .fetch_all(conn)
        .await?;
    let mut out = WithPatient::default();
    for r in &rows {
        out.add(r)?;
    }
    out.done()
}

/// [`patient_and_chart`] on a direct SQLite connection.
pub(crate) fn patient_and_chart_direct(
    c: &rusqlite::Connection,
    patient_id: i64,
    parts: &[Part],
) -> Result<(crate::records::PatientRow, ChartRows), StoreError> {
    let mut out = WithPatient::default();
    crate::db::direct::each_row(c, &with_patient(parts), [patient_id], |r| out.add(r))?;
    out.done()
}

/// The patient's row as its two narrow rows come, beside the chart's.
#[derive(Default)]
struct WithPatient {
    patient: Option<crate::records::PatientRow>,
    contact_ct: Option<Vec<u8>>,
    chart: ChartRows,
}

impl WithPatient {
    fn add(&mut self, r: &impl Cells) -> Result<(), StoreError> {
        match r.int(0)? {
            10 => {
                self.patient = Some(crate::records::PatientRow {
                    id: r.int(1)?,
                    identity_ct: r.ct(8)?,
                    contact_ct: Vec::new(),
                    restricted: r.flag(2)?,
                    created_at: r.time(4)?,
                    last_seen_at: r.opt_time(5)?,
                })
            }
            11 => self.contact_ct = Some(r.ct(8)?),
            _ => self.chart.add(r)?,
        }
        Ok(())
    }

    fn done(self) -> Result<(crate::records::PatientRow, ChartRows), StoreError> {
        let mut patient = self.patient.ok_or(StoreError::NotFound)?;
        patient.contact_ct = self.contact_ct.ok_or(StoreError::Corrupt("missing ciphertext"))?;
        Ok((patient, self.chart.sorted()))
    }
}

/// The rows of `parts` of one patient's chart.
pub async fn chart_rows(conn: &mut Conn, patient_id: i64, parts: &[Part]) -> Result<ChartRows, StoreError> {
    let mut out = ChartRows::default();
    if !parts.is_empty() {
        let rows = sqlx::query(&statement(parts)).bind(patient_id).fetch_all(conn).await?;
        for r in &rows {
            out.add(r)?;
        }
    }
    Ok(out.sorted())
}

/// [`chart_rows`] on a direct SQLite connection ([`crate::db::reader`]).
pub(crate) fn chart_rows_direct(
    c: &rusqlite::Connection,
    patient_id: i64,
    parts: &[Part],
) -> Result<ChartRows, StoreError> {
    let mut out = ChartRows::default();
    if !parts.is_empty() {
        crate::db::direct::each_row(c, &statement(parts), [patient_id], |r| out.add(r))?;
    }
    Ok(out.sorted())
}

impl ChartRows {
    /// One row of the narrow shape, read by position, into its part's list.
    fn add(&mut self, r: &impl Cells) -> Result<(), StoreError> {
        let id = r.int(1)?;
        match r.int(0)? {
            0 => self.appointments.push(AppointmentRow {
                id,
                patient_id: r.int(2)?,
                provider_id: r.int(3)?,
                start_at: r.time(4)?,
                end_at: r.time(5)?,
                status: r.text(7)?,
                service_ct: r.ct(8)?,
            }),
            1 => self.encounters.push(EncounterRow {
                id,
                patient_id: r.int(2)?,
                author_id: r.int(3)?,
                at: r.time(4)?,
                signed_at: r.opt_time(5)?,
                note_ct: r.ct(8)?,
            }),
            2 => self.addenda.push(AddendumRow {
                id,
                encounter_id: r.int(2)?,
                author_id: r.int(3)?,
                at: r.time(4)?,
                text_ct: r.ct(8)?,
            }),
            3 => self.entries.push(EntryRow {
                id,
                recorded_by: r.int(3)?,
                at: r.time(4)?,
                kind: r.text(7)?,
                data_ct: r.ct(8)?,
            }),
            4 => self.attachments.push(AttachmentRow {
                id,
                patient_id: r.int(2)?,
                uploaded_by: r.int(3)?,
                at: r.time(4)?,
                size_bytes: r.int(5)?,
                content_type: r.text(7)?,
                meta_ct: r.ct(8)?,
            }),
            5 => self.invoices.push(InvoiceRow {
                id,
                patient_id: r.int(2)?,
                created_at: r.time(4)?,
                total_cents: r.int(5)?,
                adjusted_cents: r.int(3)?,
                paid_cents: r.int(6)?,
                number: r.text(7)?,
                lines_ct: r.ct(8)?,
            }),
            6 => self.payments.push(PaymentRow {
                id,
                invoice_id: r.int(2)?,
                received_at: r.time(4)?,
                amount_cents: r.int(5)?,
                method: r.text(7)?,
            }),
            7 => self.npp_acks.push(AckRow {
                id,
                version: r.int(2)?,
                recorded_at: r.time(4)?,
                kind: r.text(7)?,
            }),
            8 => self.granted_requests.push(GrantedRequest {
                id,
                kind: r.text(7)?,
                details_ct: r.ct(8)?,
            }),
            9 => {
                self.staff_names.insert(id, r.text(7)?);
            }
            _ => return Err(StoreError::Corrupt("chart part")),
        }
        Ok(())
    }

    /// Each list in the order the chart shows it.
    fn sorted(mut self) -> ChartRows {
        self.appointments.sort_by_key(|a| Reverse((a.start_at, a.id)));
        self.encounters.sort_by_key(|e| Reverse((e.at, e.id)));
        self.addenda.sort_by_key(|a| (a.at, a.id));
        self.entries.sort_by_key(|e| Reverse((e.at, e.id)));
        self.attachments.sort_by_key(|a| Reverse((a.at, a.id)));
        self.invoices.sort_by_key(|i| Reverse((i.created_at, i.id)));
        self.payments.sort_by_key(|p| (p.received_at, p.id));
        self.npp_acks.sort_by_key(|a| Reverse((a.recorded_at, a.id)));
        self.granted_requests.sort_by_key(|r| r.id);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carekeep_domain::rights::clocks::Kind;

    #[test]
    fn every_part_has_one_branch_and_only_asked_parts_are_selected() {
        for (i, (part, branch)) in BRANCHES.iter().enumerate() {
            assert_eq!(BRANCHES.iter().filter(|(p, _)| p == part).count(), 1, "{part:?}");
            assert!(branch.starts_with(&format!("SELECT CAST({i} AS BIGINT), ")), "{part:?}");
        }
        assert_eq!(Part::ALL.len(), BRANCHES.len());
        assert!(Part::ALL.iter().all(|p| BRANCHES.iter().any(|(b, _)| b == p)));
        let kinds = &BRANCHES[8].1;
        for kind in [Kind::ConfidentialCommunication, Kind::Restriction] {
            assert!(kinds.contains(&format!("'{}'", kind.as_str())), "{kind:?}");
        }
        let sql = statement(&[Part::Appointments, Part::Payments]);
        assert_eq!(sql.matches("UNION ALL").count(), 1);
        assert!(sql.contains("FROM appointments") && sql.contains("FROM payments"));
        assert!(!sql.contains("encounters"));
        let sql = with_patient(&[Part::Encounters]);
        assert!(
            sql.starts_with("SELECT CAST(10 AS BIGINT), ") && sql.contains("UNION ALL SELECT CAST(11 AS BIGINT), ")
        );
        assert!(sql.contains("FROM encounters") && !sql.contains("FROM appointments"));
        assert!(
            !with_patient(&[]).contains("chart_entries"),
            "no part, the patient alone"
        );
    }
}
