//! A clinician's own work left open: notes written and not yet signed (a note is part of the
//! record once signed; until then it can change). Listed with each patient's name, so the
//! list is a read of those patients' identities under the chart's policy, on the audit trail.

use super::patients::identity_view;
use super::rfc3339;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::records::{self as store, CtColumn};

/// The most unsigned notes listed at once.
const AT_MOST: i64 = 50;

/// A note its author has not signed yet.
#[derive(Clone, Debug)]
pub struct UnsignedNote {
    pub encounter_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    /// When the visit was, RFC 3339 on the clinic's clock.
    pub at: String,
}

impl App {
    /// The signed-in person's own notes not yet signed, oldest first. Someone whose roles
    /// write no clinical data has none; a chart their policy no longer lets them read (a
    /// restriction since) is left out. Audited as one read of the patients listed.
    pub async fn my_unsigned_notes(&self, actor: &Actor<'_>) -> Result<Vec<UnsignedNote>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let policy = self.policy();
        if !policy.access(p.data_roles(), DataClass::Clinical).can_write() {
            return Ok(Vec::new());
        }
        let mut conn = self.store().read().await?;
        let rows = store::unsigned_encounters_by(&mut conn, p.user_id.0, AT_MOST).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let patients = self.patients_by_id(&mut conn, &ids).await?;
        drop(conn);
        let shown: Vec<_> = rows
            .iter()
            .filter_map(|row| {
                let patient = patients.get(&row.patient_id)?;
                let a = self.list_access(&policy, p, patient);
                (a.reads(DataClass::Identity) && a.reads(DataClass::Clinical)).then_some((row, patient))
            })
            .collect();
        if shown.is_empty() {
            return Ok(Vec::new());
        }
        let mut listed: Vec<i64> = shown.iter().map(|(_, patient)| patient.id).collect();
        listed.sort_unstable();
        listed.dedup();
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            listed,
            ("Unsigned notes", p.user_id.0.to_string()),
            vec![DataClass::Identity],
        );
        let permit = self.permit(event).await?;
        let mut out = Vec::with_capacity(shown.len());
        for (row, patient) in shown {
            let identity: Identity =
                self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
            out.push(UnsignedNote {
                encounter_id: row.id,
                patient_id: patient.id,
                patient_name: identity_view(&identity).full_name(),
                at: rfc3339(self.clinic_zone().local(row.at)),
            });
        }
        permit.confirm().await?;
        Ok(out)
    }
}
