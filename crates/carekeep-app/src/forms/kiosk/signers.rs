//! Who may sign on the tablet: the patient, or a personal representative on file who stands
//! in the patient's shoes today (164.502(g)(1); a parent or guardian of a minor,
//! 164.502(g)(3)). The list is the same rule the tablet's session asks at every step
//! (`kiosk_relation`): a revoked, expired or (g)(5)-suspended representative is never offered.

use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::portal::PortalRelation;
use carekeep_domain::DataClass;
use carekeep_store::people as people_store;

/// The desk's words when the one chosen to sign is not a representative on file who may act
/// today (or the choice was tampered with).
pub const NOT_A_SIGNER: &str = "Choose the patient or a representative on file who may sign for them today.";

/// A representative staff may hand the tablet to, as the desk's choice shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KioskSigner {
    pub person_id: i64,
    pub name: String,
    /// "Parent of a minor", ...: the basis on file, in words.
    pub basis: String,
}

/// The sealed row's name (the rest of it is not read here).
#[derive(serde::Deserialize)]
struct Named {
    name: String,
}

impl App {
    /// The representatives who may sign for the visit's patient on the tablet today. Reading
    /// their names is a read of the patient's contact class (the people card's), audited;
    /// refused (and recorded) for a role that does not read it.
    pub async fn kiosk_signers(&self, actor: &Actor<'_>, appointment: i64) -> Result<Vec<KioskSigner>, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let visit = carekeep_store::records::appointment_by_id(&mut conn, appointment)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let patient = visit.patient_id;
        let opened = self.open_patient(&mut conn, p, patient).await?;
        self.require_read(p, &opened, DataClass::Contact, Action::PhiRead)
            .await?;
        let mut acting = Vec::new();
        for row in people_store::for_patient(&mut conn, patient).await? {
            if let Ok(PortalRelation::Representative { basis, .. }) =
                self.kiosk_relation(&mut conn, patient, Some(row.id)).await
            {
                acting.push((row, basis));
            }
        }
        drop(conn);
        if acting.is_empty() {
            return Ok(Vec::new());
        }
        let mut event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            vec![patient],
            ("CarePeople", patient.to_string()),
            vec![DataClass::Contact],
        );
        event.reason = "representatives on file read to choose who signs on the clinic tablet".into();
        let permit = self.permit(event).await?;
        let mut out = Vec::new();
        for (row, basis) in acting {
            let named: Named = self.open_sealed(&permit, "care_people", "details_ct", row.id, &row.details_ct)?;
            out.push(KioskSigner {
                person_id: row.id,
                name: named.name,
                basis: basis.words().into(),
            });
        }
        permit.confirm().await?;
        Ok(out)
    }
}
