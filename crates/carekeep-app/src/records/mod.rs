//! Clinic records under minimum necessary (164.502(b), 164.514(d)), encrypted at rest
//! (164.312(a)(2)(iv)), every access audited (164.312(b)).
//!
//! Every use case here opens the patient through [`App::open_patient`], which asks the one
//! policy ([`chart_access`]) what this person may read and write of this patient. Views are
//! built class by class from that answer, so a handler cannot return a class the policy did
//! not grant; writes check the class they change. Reads write their audit event before the
//! data is returned and fail if it cannot be written; writes record theirs in the same
//! transaction.

mod billing;
mod chart;
pub mod fhir;
mod patients;
mod schedule;
pub mod view;
mod worklist;

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
use carekeep_store::{Conn, Reader, Tx};
use serde::de::DeserializeOwned;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e.0)
    }
}

/// A patient opened for one person: the row and what the policy lets them do with it.
#[derive(Debug)]
pub(crate) struct Opened {
    pub row: PatientRow,
    pub access: ChartAccess,
    pub glass_until: Option<OffsetDateTime>,
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

/// Full sign-in (MFA done) and no training hold: what opening any patient record needs.
fn may_open_patients(p: &Principal) -> Result<(), AppError> {
    p.require_full()?;
    if p.training_hold {
        return Err(AppError::Forbidden(
            "the clinic opens patient records after you complete your HIPAA training: see Training".into(),
        ));
    }
    Ok(())
}

pub(crate) fn patient_not_found(e: carekeep_store::StoreError) -> AppError {
    match e {
        carekeep_store::StoreError::NotFound => AppError::NotFound("patient"),
        other => other.into(),
    }
}

impl App {
    /// Encrypts a value for one column of one row.
    pub(crate) fn seal_json<T: Serialize>(&self, col: CtColumn, row: i64, value: &T) -> Result<Vec<u8>, AppError> {
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

    pub(crate) async fn put_json<T: Serialize>(
        &self,
        conn: &mut Conn,
        col: CtColumn,
        row: i64,
        value: &T,
    ) -> Result<(), AppError> {
        let ct = self.seal_json(col, row, value)?;
        store::set_ct(conn, col, row, &ct).await?;
        Ok(())
    }

    /// Loads a patient and asks the policy what `p` may do with them now.
    pub(crate) async fn open_patient(&self, conn: &mut Conn, p: &Principal, id: i64) -> Result<Opened, AppError> {
        may_open_patients(p)?;
        let row = store::patient_by_id(conn, id).await.map_err(patient_not_found)?;
        self.gate(conn, p, row).await
    }

    /// [`Self::open_patient`] through a [`Reader`]: on SQLite it takes a pooled connection only
    /// for a restricted record.
    pub(crate) async fn open_patient_to_read(
        &self,
        reader: &mut Reader<'_>,
        p: &Principal,
        id: i64,
    ) -> Result<Opened, AppError> {
        may_open_patients(p)?;
        let row = reader.patient(id).await.map_err(patient_not_found)?;
        match row.restricted {
            true => self.gate(reader.conn().await?, p, row).await,
            false => Ok(self.opened(p, row, false, None)),
        }
    }

    /// What the policy lets `p` do with `row` now, asking who may open a restricted record.
    async fn gate(&self, conn: &mut Conn, p: &Principal, row: PatientRow) -> Result<Opened, AppError> {
        if !row.restricted {
            return Ok(self.opened(p, row, false, None));
        }
        let named = store::named_providers(conn, row.id).await?.contains(&p.user_id.0);
        let glass_until = store::break_glass_until(conn, p.user_id.0, row.id, self.now()).await?;
        Ok(self.opened(p, row, named, glass_until))
    }

    fn opened(
        &self,
        p: &Principal,
        row: PatientRow,
        named_on_patient: bool,
        glass_until: Option<OffsetDateTime>,
    ) -> Opened {
        let gate = Gate {
            restricted: row.restricted,
            named_on_patient,
            break_glass_active: glass_until.is_some(),
        };
        let access = chart_access(&self.policy(), p.data_roles(), gate);
        Opened {
            row,
            access,
            glass_until,
        }
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

    /// Refuses unless the policy lets `p` write `class` of this patient. Takes the write
    /// transaction and hands it back: a refusal rolls it back first, so the refusal's own
    /// audit event can be written (SQLite has one writer).
    pub(crate) async fn require_write(
        &self,
        tx: Tx,
        p: &Principal,
        opened: &Opened,
        class: DataClass,
        action: Action,
    ) -> Result<Tx, AppError> {
        if opened.access.writes(class) {
            return Ok(tx);
        }
        drop(tx);
        let why = if opened.access.withheld_by_restriction.contains(&class) {
            "this patient's chart is restricted to the providers named on it"
        } else {
            "your roles do not allow it"
        };
        Err(self
            .refuse(
                p,
                action,
                opened.row.id,
                class,
                format!("you may not change this patient's {} data: {why}", class.as_str()),
            )
            .await)
    }

    /// Refuses unless the policy lets `p` read `class` of this patient.
    pub(crate) async fn require_read(
        &self,
        p: &Principal,
        opened: &Opened,
        class: DataClass,
        action: Action,
    ) -> Result<(), AppError> {
        if opened.access.reads(class) {
            return Ok(());
        }
        Err(self
            .refuse(
                p,
                action,
                opened.row.id,
                class,
                format!("you may not see this patient's {} data", class.as_str()),
            )
            .await)
    }
}
