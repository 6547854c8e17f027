//! The patient's own door (issue 27, items 2, 3 and 5): sign-in by a one-time code to the
//! contact on file, portal sessions apart from staff sessions, and what the patient sees.
//! Every page read opens the patient's record through the chart's one policy
//! (`access_for` with a portal reader) and a permit, audited with the patient as the actor
//! ("patient #id": the trail names the record by id, never by name).

mod moves;
mod notes;
mod pages;
mod representative;
mod requests;
mod sign_in;

pub use moves::{MoveOptions, MoveStatus};
pub use notes::PortalNote;
pub use pages::{AppointmentLine, NoticeView, PortalHome};
pub use representative::OWN_CONSENT_WORDS;
pub use requests::{CopyForm, PortalRequest};
pub use sign_in::CodeSent;
pub use sign_in::PortalSignedIn;

use crate::{Actor, AppError};
use carekeep_domain::audit::{AuditActor, Origin};
use carekeep_domain::portal::{NotesRelease, PortalRelation};
use carekeep_store::Conn;

/// A person signed in to the portal, as established from a live portal session.
#[derive(Clone, Debug)]
pub struct PortalPatient {
    pub session_id: i64,
    /// The record the person signed in for.
    pub patient_id: i64,
    /// Who the person is to that patient. The patient themself, or a personal representative
    /// (their basis and standing, worked out again from their row at each request).
    pub relation: PortalRelation,
    pub csrf_token: String,
    pub origin: Origin,
    /// Set when this is the clinic's tablet in kiosk mode (issue 28, item 3): only the forms
    /// of this visit's packet, and no other portal use case (`portal_patient` refuses it).
    pub kiosk: Option<KioskScope>,
}

/// What a tablet in kiosk mode was opened for by staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KioskScope {
    /// Its row in `kiosk_sessions`.
    pub kiosk_id: i64,
    /// The checked-in visit whose packet the tablet shows.
    pub appointment_id: i64,
}

impl PortalPatient {
    /// This person as the caller of a use case.
    pub fn actor(&self) -> Actor<'_> {
        Actor::Patient(self)
    }

    /// Signed in as the patient's personal representative.
    pub fn is_representative(&self) -> bool {
        matches!(self.relation, PortalRelation::Representative { .. })
    }

    /// The trail's actor: the record's id, no name (names are PHI; the actor column is plain).
    pub fn audit_actor(&self) -> AuditActor {
        let mut a = patient_actor(self.patient_id, self.relation);
        if self.kiosk.is_some() {
            a.name = a.name.replace("(portal)", "(clinic tablet)");
        }
        a
    }
}

pub(crate) fn patient_actor(patient: i64, relation: PortalRelation) -> AuditActor {
    AuditActor {
        user_id: None,
        name: match relation {
            PortalRelation::SelfPatient => format!("patient #{patient} (portal)"),
            PortalRelation::Representative { .. } => format!("representative of patient #{patient} (portal)"),
        },
        roles: Vec::new(),
    }
}

/// The caller as a portal patient: anyone else, and the clinic's tablet, are refused (fail
/// closed: the tablet reaches only its packet's forms, through [`forms_patient`]).
pub(crate) fn portal_patient<'a>(actor: &Actor<'a>) -> Result<&'a PortalPatient, AppError> {
    match actor {
        Actor::Patient(pp) if pp.kiosk.is_none() => Ok(pp),
        Actor::Patient(_) => Err(AppError::NotFound("page")),
        Actor::User(_) | Actor::Cli => Err(AppError::Forbidden("this is the patient portal's".into())),
    }
}

/// The caller filling in forms: a portal patient, or the clinic's tablet in kiosk mode.
pub(crate) fn forms_patient<'a>(actor: &Actor<'a>) -> Result<&'a PortalPatient, AppError> {
    match actor {
        Actor::Patient(pp) => Ok(pp),
        Actor::User(_) | Actor::Cli => Err(AppError::Forbidden("this is the patient portal's".into())),
    }
}

/// What the clinic releases through the portal (`on_request` until changed).
pub(crate) async fn release(conn: &mut Conn) -> Result<NotesRelease, AppError> {
    Ok(NotesRelease::parse(&carekeep_store::portal::notes_release(conn).await?))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
