//! The queue of forms waiting for a clinician's review (issue 28, item 5), each line naming
//! the patient by name and birth date, so two patients of one name are told apart.

use crate::records::patients::identity_view;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::form_review as store_review;
use carekeep_store::records::CtColumn;
use time::OffsetDateTime;

/// The most forms the queue lists at once.
const QUEUE_AT_MOST: i64 = 100;
/// A submitted form waiting for a clinician.
#[derive(Clone, Debug)]
pub struct QueueLine {
    pub response_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    /// The birth date as known (`YYYY-MM-DD`, or less when only part is known): two patients
    /// of one name told apart, read under the queue's own identity read.
    pub birth_date: String,
    pub title: String,
    /// In the clinic's zone.
    pub submitted_at: Option<OffsetDateTime>,
}

impl App {
    /// Forms signed and submitted, waiting for review, oldest first: only those of patients
    /// whose identity and clinical data `actor` reads and whose clinical data they write (a
    /// clinician). One audited read of the patients listed (their names).
    pub async fn review_queue(&self, actor: &Actor<'_>) -> Result<Vec<QueueLine>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let policy = self.policy();
        if !policy.access(p.data_roles(), DataClass::Clinical).can_write() {
            return Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::Clinical],
                    "reviewing forms into the chart is for clinicians",
                )
                .await);
        }
        let mut conn = self.store().read().await?;
        let rows = store_review::waiting(&mut conn, QUEUE_AT_MOST).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let patients = self.patients_by_id(&mut conn, &ids).await?;
        let lines = self.form_lines(&mut conn, &rows).await?;
        drop(conn);
        let shown: Vec<_> = rows
            .iter()
            .zip(lines)
            .filter_map(|(row, line)| {
                let patient = patients.get(&row.patient_id)?;
                let a = self.list_access(&policy, p, patient);
                (a.reads(DataClass::Identity) && a.writes(DataClass::Clinical)).then_some((line, patient))
            })
            .collect();
        if shown.is_empty() {
            return Ok(Vec::new());
        }
        let mut listed: Vec<i64> = shown.iter().map(|(_, patient)| patient.id).collect();
        listed.sort_unstable();
        listed.dedup();
        let mut event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            listed,
            ("FormReviewQueue", p.user_id.0.to_string()),
            vec![DataClass::Identity],
        );
        event.reason = "forms waiting for review".into();
        let permit = self.permit(event).await?;
        let mut out = Vec::with_capacity(shown.len());
        for (line, patient) in shown {
            let identity: Identity =
                self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
            let view = identity_view(&identity);
            out.push(QueueLine {
                response_id: line.response_id,
                patient_id: patient.id,
                patient_name: view.full_name(),
                birth_date: view.birth_date_as_known.clone(),
                title: line.title,
                submitted_at: line.submitted_at,
            });
        }
        permit.confirm().await?;
        Ok(out)
    }
}
