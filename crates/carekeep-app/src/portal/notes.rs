//! Signed visit notes in the portal, when the clinic releases them there (the clinic's
//! setting, `NotesRelease`; on request by default, so the portal then points to a request for
//! a copy, 164.524). Read through the chart's policy with the portal reader and one audited
//! permit; drafts are never shown.

use super::portal_patient;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::portal::NotesRelease;
use carekeep_domain::{Capability, DataClass};
use carekeep_store::chart_rows::{chart_rows, Part};

/// One signed note as the patient reads it.
#[derive(Clone, Debug)]
pub struct PortalNote {
    /// RFC 3339, when the visit was written.
    pub at: String,
    pub author: String,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    /// Later additions: who wrote each, and what.
    pub addenda: Vec<(String, String)>,
}

impl App {
    /// The patient's signed notes, newest first; `None` when the clinic releases notes only
    /// on request (nothing is read then).
    pub async fn portal_notes(&self, actor: &Actor<'_>) -> Result<Option<Vec<PortalNote>>, AppError> {
        let pp = portal_patient(actor)?;
        let mut conn = self.store().read().await?;
        let opened = self.open_for_portal(&mut conn, pp, pp.patient_id).await?;
        if !opened.access().reads(DataClass::Clinical) {
            return Ok(None);
        }
        let rows = chart_rows(
            &mut conn,
            pp.patient_id,
            &[Part::StaffNames, Part::Encounters, Part::Addenda],
        )
        .await?;
        drop(conn);
        let mut event = self.event(actor, Action::PhiRead, Outcome::Success);
        event.patients = vec![pp.patient_id];
        event.resource_type = "Patient".into();
        event.resource_id = pp.patient_id.to_string();
        event.data_classes = opened.access().read.iter().copied().collect();
        event.reason = "portal: the patient's signed visit notes".into();
        let permit = self.permit(event).await?;
        let view = self.build_view(&permit, rows, &[], &opened)?;
        permit.confirm().await?;
        let mut notes: Vec<PortalNote> = view
            .clinical
            .map(|c| c.encounters)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.signed_at.is_some())
            .map(|e| PortalNote {
                at: e.at,
                author: e.author_name,
                subjective: e.subjective,
                objective: e.objective,
                assessment: e.assessment,
                plan: e.plan,
                addenda: e.addenda.into_iter().map(|a| (a.author_name, a.text)).collect(),
            })
            .collect();
        notes.sort_by(|a, b| b.at.cmp(&a.at));
        Ok(Some(notes))
    }

    /// What the clinic releases through the portal (owners, on the settings page).
    pub async fn portal_release_setting(&self, actor: &Actor<'_>) -> Result<NotesRelease, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let mut conn = self.store().read().await?;
        super::release(&mut conn).await
    }

    /// Changes what the portal releases (`on_request` or `after_signing`); audited as a
    /// setting change.
    pub async fn set_portal_release(&self, actor: &Actor<'_>, value: &str) -> Result<NotesRelease, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let chosen = match value.trim() {
            v @ ("on_request" | "after_signing") => NotesRelease::parse(v),
            _ => return Err(AppError::Invalid("choose when visit notes appear in the portal".into())),
        };
        let mut tx = self.store().begin().await?;
        let before = super::release(tx.conn()).await?;
        carekeep_store::portal::set_notes_release(tx.conn(), chosen.as_str()).await?;
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason(&format!(
                "portal notes release {} (was {})",
                chosen.as_str(),
                before.as_str()
            ));
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(chosen)
    }
}
