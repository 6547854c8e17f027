//! Access monitoring: scan the recent audit trail with the rules, keep what they find, and let
//! the compliance officer review each finding with a note (the review is itself audited).

pub mod review;
mod scan;

use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::Capability;
use carekeep_store::{monitoring as store, users};
use serde::Serialize;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;

const FINDINGS: &str = "monitoring_findings";
const REVIEW_NOTE: &str = "review_note_ct";

/// A finding as the views (page, API) show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FindingView {
    pub id: i64,
    pub rule: String,
    pub description: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    /// The audit events behind it.
    pub seqs: Vec<i64>,
    pub summary: String,
    pub detected_at: String,
    pub reviewed: bool,
    pub review_note: String,
    /// Who reviewed it (a display name) and when (RFC 3339), once reviewed.
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

fn describe(rule: &str) -> &'static str {
    use carekeep_domain::monitoring::Rule;
    Rule::ALL
        .into_iter()
        .find(|r| r.code() == rule)
        .map_or("Access to review", |r| r.describe())
}

impl App {
    /// A person changed their own access: scan now, so the finding is there the same day for
    /// the compliance officer to review (the change itself has been committed).
    pub(crate) async fn flag_self_escalation(&self) {
        match self.run_monitoring().await {
            Ok(_) => tracing::warn!("a person changed their own access; it is a monitoring finding to review"),
            Err(e) => {
                tracing::error!(error = %e, "a person changed their own access, and the scan that flags it failed")
            }
        }
    }

    /// Runs a scan now, for the compliance officer.
    pub async fn run_monitoring_now(&self, actor: &Actor<'_>) -> Result<usize, AppError> {
        self.require(actor, Capability::ReadAuditLog).await?;
        self.run_monitoring().await
    }

    /// Findings, newest first.
    pub async fn findings(&self, actor: &Actor<'_>, open_only: bool) -> Result<Vec<FindingView>, AppError> {
        self.require(actor, Capability::ReadAuditLog).await?;
        let mut conn = self.store().read().await?;
        let staff = users::all(&mut conn).await?;
        let names: BTreeMap<i64, String> = staff.iter().map(|u| (u.id.0, u.username.clone())).collect();
        let shown: BTreeMap<i64, String> = staff.into_iter().map(|u| (u.id.0, u.display_name)).collect();
        let rows = store::list(&mut conn, open_only, 500).await?;
        drop(conn);
        // A review note may name a patient: showing the notes is a look at the trail's review.
        let permit = match rows.iter().any(|f| f.review_note_ct.is_some()) {
            true => Some(
                self.permit(
                    self.event(actor, Action::AuditViewed, Outcome::Success)
                        .with_reason("monitoring findings with their review notes"),
                )
                .await?,
            ),
            false => None,
        };
        let views = rows
            .into_iter()
            .map(|f| {
                let review_note = match (&f.review_note_ct, &permit) {
                    (Some(ct), Some(permit)) => self.open_sealed(permit, FINDINGS, REVIEW_NOTE, f.id, ct)?,
                    _ => f.review_note,
                };
                Ok(FindingView {
                    description: describe(&f.rule).to_owned(),
                    actor: f.actor_id.and_then(|a| names.get(&a).cloned()).unwrap_or_default(),
                    seqs: f.seqs.split(',').filter_map(|s| s.parse().ok()).collect(),
                    detected_at: f.detected_at.format(&Rfc3339).unwrap_or_default(),
                    reviewed: f.reviewed_at.is_some(),
                    reviewed_by: f.reviewed_by.and_then(|u| shown.get(&u).cloned()),
                    reviewed_at: f.reviewed_at.and_then(|t| t.format(&Rfc3339).ok()),
                    id: f.id,
                    rule: f.rule,
                    actor_id: f.actor_id,
                    summary: f.summary,
                    review_note,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        if let Some(permit) = permit {
            permit.confirm().await?;
        }
        Ok(views)
    }

    /// How many findings wait for review; `None` for people who do not review them.
    pub async fn open_findings(&self, actor: &Actor<'_>) -> Result<Option<i64>, AppError> {
        if !actor.may(self, Capability::ReadAuditLog) {
            return Ok(None);
        }
        let mut conn = self.store().read().await?;
        Ok(Some(store::count_open(&mut conn).await?))
    }

    /// Seals the review notes written before notes were sealed; run at start.
    pub(crate) async fn seal_legacy_review_notes(&self) -> Result<usize, AppError> {
        let notes = store::unsealed_notes(&mut *self.store().read().await?).await?;
        if notes.is_empty() {
            return Ok(0);
        }
        let mut tx = self.store().begin().await?;
        for (id, note) in &notes {
            let sealed = self.seal(note, crate::rights::binding(FINDINGS, REVIEW_NOTE, *id))?;
            store::seal_note(tx.conn(), *id, &sealed).await?;
        }
        tx.commit().await?;
        Ok(notes.len())
    }

    /// Marks a finding reviewed with the reviewer's note.
    pub async fn review_finding(&self, actor: &Actor<'_>, id: i64, note: &str) -> Result<(), AppError> {
        let p = self.require(actor, Capability::ReadAuditLog).await?.ok_or_else(|| {
            AppError::Forbidden("a finding is reviewed by a person, not from the command line".into())
        })?;
        let note = crate::input::text("note", note, 2000, false)?;
        if note.is_empty() {
            return Err(AppError::Invalid(
                "Write what you found before marking it reviewed.".into(),
            ));
        }
        // The note may name a patient: sealed to the finding, and kept out of the trail.
        let sealed = self.seal(&note, crate::rights::binding(FINDINGS, REVIEW_NOTE, id))?;
        let mut tx = self.store().begin().await?;
        if !store::review(tx.conn(), id, p.user_id.0, &sealed, self.now()).await? {
            return Err(AppError::NotFound("unreviewed finding"));
        }
        let event = self
            .event(actor, Action::FindingReviewed, Outcome::Success)
            .with_reason("reviewed (the note is kept, sealed, with the finding)");
        let event = carekeep_domain::audit::AuditEvent {
            resource_type: "finding".into(),
            resource_id: id.to_string(),
            ..event
        };
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
