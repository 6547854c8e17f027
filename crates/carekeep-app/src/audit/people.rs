//! The trail for people (164.308(a)(1)(ii)(D) information system activity review; 164.312(b)
//! audit controls): who by name, which patients by name. Staff names are not PHI; a patient's
//! name is, so naming the patients a page lists is its own audited read of identity, made
//! only for a reader whose roles show names (the others keep "Patient 12").

use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::{Capability, DataClass};
use carekeep_store::records::{self as records_store, CtColumn};
use carekeep_store::users;
use std::collections::BTreeMap;

/// A member of staff as the trail's filters offer them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

impl App {
    /// Everyone with an account, by display name, for a reader of the trail.
    pub async fn audit_staff(&self, actor: &Actor<'_>) -> Result<Vec<StaffMember>, AppError> {
        self.require(actor, Capability::ReadAuditLog).await?;
        let mut conn = self.store().read().await?;
        let mut staff: Vec<StaffMember> = users::all(&mut conn)
            .await?
            .into_iter()
            .map(|u| StaffMember {
                id: u.id.0,
                username: u.username,
                display_name: u.display_name,
            })
            .collect();
        staff.sort_by_key(|a| a.display_name.to_lowercase());
        Ok(staff)
    }

    /// The names of the patients `ids` for a reader of the trail whose roles show identity;
    /// the rest are left out (the page says "Patient 12"). The read is recorded, naming the
    /// patients, before any name is opened.
    pub async fn audit_patient_names(&self, actor: &Actor<'_>, ids: &[i64]) -> Result<BTreeMap<i64, String>, AppError> {
        let p = actor.person()?;
        self.require(&p.actor(), Capability::ReadAuditLog).await?;
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let rows = {
            let mut conn = self.store().read().await?;
            records_store::patients_by_ids(&mut conn, &ids).await?
        };
        let policy = self.policy();
        let named: Vec<&records_store::PatientRow> = rows
            .iter()
            .filter(|r| self.list_access(&policy, p, r).reads(DataClass::Identity))
            .collect();
        if named.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            named.iter().map(|r| r.id).collect(),
            ("AuditEvent", String::new()),
            vec![DataClass::Identity],
        );
        event.reason = "names of the patients on a page of the audit trail".into();
        let permit = self.permit(event).await?;
        let mut out = BTreeMap::new();
        for r in named {
            let i: Identity = self.open_json(&permit, CtColumn::PatientIdentity, r.id, &r.identity_ct)?;
            out.insert(r.id, i.full_name());
        }
        permit.confirm().await?;
        Ok(out)
    }
}
