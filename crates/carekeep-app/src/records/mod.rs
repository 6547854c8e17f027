//! Clinic records under minimum necessary (164.502(b), 164.514(d)), encrypted at rest
//! (164.312(a)(2)(iv)), every access audited (164.312(b)).
//!
//! Every use case here opens the patient through [`App::open_patient`], which asks the one
//! policy ([`chart_access`]) what this person may read and write of this patient. Views are
//! built class by class from that answer, so a handler cannot return a class the policy did
//! not grant; writes check the class they change. Reads write their audit event before the
//! data is returned and fail if it cannot be written; writes record theirs in the same
//! transaction.

pub(crate) mod access;
mod billing;
mod chart;
pub mod fhir;
pub mod invoice_page;
pub(crate) mod patients;
mod schedule;
pub mod view;
mod worklist;

pub(crate) use access::{Grant, Opened};
pub use billing::{NewInvoice, NewPayment};
pub(crate) use chart::AttachmentMeta;
pub use chart::{EntryInput, NewAttachment, NoteInput, StoredEntry, StoredNote};
pub(crate) use patients::chart_parts;
pub use patients::{contact_input, NewPatient, SearchResult};
pub use schedule::NewAppointment;
pub use worklist::UnsignedNote;

use crate::permit::Permit;
use crate::{App, AppError, Principal};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, AuditEvent, Outcome};
use carekeep_domain::records::chart_access::{chart_access, ChartAccess, Gate};
use carekeep_domain::records::Invalid;
use carekeep_domain::DataClass;
use carekeep_store::records::{self as store, CtColumn, PatientRow};
use carekeep_store::Conn;
use serde::de::DeserializeOwned;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e.0)
    }
}

pub(crate) fn binding_of(col: CtColumn, row: i64) -> Binding<'static> {
    binding(col, row)
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn binding(col: CtColumn, row: i64) -> Binding<'static> {
    let (table, column) = col.place();
    Binding { table, column, row }
}

pub(crate) fn patient_not_found(e: carekeep_store::StoreError) -> AppError {
    match e {
        carekeep_store::StoreError::NotFound => AppError::NotFound("patient"),
        other => other.into(),
    }
}

impl App {
    /// Encrypts a value for one column of one row.
    fn seal_json<T: Serialize>(&self, col: CtColumn, row: i64, value: &T) -> Result<Vec<u8>, AppError> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(value).map_err(|e| AppError::Internal(e.to_string()))?);
        self.sealer().seal(binding(col, row), &plain)
    }

    /// Decrypts a value; fails if the ciphertext was moved from another row or column.
    pub(crate) fn open_json<T: DeserializeOwned>(
        &self,
        permit: &Permit,
        col: CtColumn,
        row: i64,
        ct: &[u8],
    ) -> Result<T, AppError> {
        let plain = self.sealer().open(permit, binding(col, row), ct)?;
        serde_json::from_slice(&plain).map_err(|e| AppError::Internal(format!("stored record: {e}")))
    }

    /// Seals and writes one column of one row of a chart: only under the policy's [`Grant`].
    pub(crate) async fn put_json<T: Serialize>(
        &self,
        conn: &mut Conn,
        _grant: &Grant,
        col: CtColumn,
        row: i64,
        value: &T,
    ) -> Result<(), AppError> {
        let ct = self.seal_json(col, row, value)?;
        store::set_ct(conn, col, row, &ct).await?;
        Ok(())
    }

    /// What `p` may see of a patient in a list (schedule, invoices, search results): the policy
    /// with the patient's restriction; break glass and naming apply to a chart opened alone.
    pub(crate) fn list_access(&self, policy: &carekeep_domain::Policy, p: &Principal, row: &PatientRow) -> ChartAccess {
        let gate = Gate {
            restricted: row.restricted,
            ..Gate::default()
        };
        chart_access(policy, p.data_roles(), gate)
    }

    /// The patients behind a list's rows, by id.
    pub(crate) async fn patients_by_id(
        &self,
        conn: &mut Conn,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, PatientRow>, AppError> {
        Ok(store::patients_by_ids(conn, ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect())
    }

    /// An audit event about PHI of `patients`.
    pub(crate) fn phi_event(
        &self,
        p: &Principal,
        action: Action,
        outcome: Outcome,
        patients: Vec<i64>,
        resource: (&str, String),
        classes: Vec<DataClass>,
    ) -> AuditEvent {
        let mut e = AuditEvent::new(self.now(), p.audit_actor(), action, outcome, p.origin.clone());
        e.patients = patients;
        e.resource_type = resource.0.to_owned();
        e.resource_id = resource.1;
        e.data_classes = classes;
        e
    }

    /// A refusal by role of a clinic-wide list (the schedule, invoices, patient lookup), before
    /// any record is read: recorded with the classes it needed, then answered with `why`.
    pub(crate) async fn refused_by_role(&self, p: &Principal, classes: Vec<DataClass>, why: &str) -> AppError {
        let mut event = self.phi_event(
            p,
            Action::AccessDenied,
            Outcome::Denied,
            Vec::new(),
            ("", String::new()),
            classes,
        );
        event.reason = why.to_owned();
        match self.append_event(event).await {
            Ok(_) => AppError::Forbidden(why.to_owned()),
            Err(e) => e,
        }
    }

    /// Records a refusal and returns the 403 to answer with. If the refusal cannot be recorded
    /// the request still fails (with a 500), so nothing is lost either way.
    pub(crate) async fn refuse(
        &self,
        p: &Principal,
        action: Action,
        patient: i64,
        class: DataClass,
        message: String,
    ) -> AppError {
        let event = self.phi_event(
            p,
            action,
            Outcome::Denied,
            vec![patient],
            ("Patient", patient.to_string()),
            vec![class],
        );
        match self.append_event(event).await {
            Ok(_) => AppError::Forbidden(message),
            Err(e) => e,
        }
    }
}
