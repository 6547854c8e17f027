//! The Notice of Privacy Practices (164.520): versions that keep every required element,
//! effective no earlier than they are published, where they are posted, and each patient's
//! acknowledgement of receipt or the documented good-faith effort (164.520(c)(2)(ii)).

use crate::pdf::Pdf;
use crate::{Actor, App, AppError};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::npp::{missing_elements, template};
use carekeep_domain::program::setup::{fill, refuse_blanks, Blank};
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::{Capability, DataClass};
use carekeep_store::chart_rows::AckRow;
use carekeep_store::npp as store;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NppView {
    /// 0 when no notice has been published.
    pub version: i64,
    pub body: String,
    pub effective_on: String,
    pub posted_office: bool,
    pub posted_website: bool,
    /// `(version, effective on)`, newest first.
    pub history: Vec<(i64, String)>,
    /// Registered patients with no acknowledgement or good-faith record.
    pub patients_without_acknowledgement: i64,
}

impl App {
    pub(crate) async fn npp_view(&self) -> Result<NppView, AppError> {
        let mut conn = self.store().read().await?;
        let versions = store::versions(&mut conn).await?;
        let without = store::patients_without_ack(&mut conn).await?;
        drop(conn);
        let current = versions.first();
        let details = self.details_on_file().await?;
        Ok(NppView {
            version: current.map_or(0, |v| v.version),
            // The starting notice with the clinic's details filled in; a blank left is named
            // when the owner publishes it.
            body: current.map(|v| v.body.clone()).unwrap_or_else(|| {
                let name = if details.legal_name.trim().is_empty() {
                    self.clinic_name()
                } else {
                    Blank::LegalName.token()
                };
                fill(
                    &template(
                        name,
                        Blank::PrivacyContact.token(),
                        Blank::Phone.token(),
                        &self.clinic_today().to_string(),
                    ),
                    &details,
                )
            }),
            effective_on: current.map(|v| v.effective_on.clone()).unwrap_or_default(),
            posted_office: current.is_some_and(|v| v.posted_office),
            posted_website: current.is_some_and(|v| v.posted_website),
            history: versions.iter().map(|v| (v.version, v.effective_on.clone())).collect(),
            patients_without_acknowledgement: without,
        })
    }

    pub async fn npp(&self, actor: &Actor<'_>) -> Result<NppView, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        self.npp_view().await
    }

    /// Publishes a new version. It must keep every element of 164.520(b)(1), and take effect
    /// no earlier than today (164.520(b)(1)(viii)).
    pub async fn publish_npp(&self, actor: &Actor<'_>, body: &str, effective_on: &str) -> Result<i64, AppError> {
        let me = self
            .require(actor, Capability::ManageProgram)
            .await?
            .ok_or_else(|| AppError::Forbidden("a notice is approved by a signed-in person".into()))?;
        let body = body.trim();
        let missing = missing_elements(body);
        if !missing.is_empty() {
            return Err(AppError::Invalid(format!(
                "the notice is missing required content: {}",
                missing
                    .iter()
                    .map(|(c, w)| format!("{w} ({c})"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
        // 164.520(b)(1)(vii): the notice names its contact and phone; no blank is published.
        if let Some(refusal) = refuse_blanks("the notice", body) {
            return Err(AppError::Invalid(refusal));
        }
        let effective = match effective_on.trim() {
            "" => self.clinic_today(),
            d => parse_date(d).map_err(|_| AppError::Invalid("the effective date must look like 04/23/2026".into()))?,
        };
        if effective < self.clinic_today() {
            return Err(AppError::Invalid(
                "a notice cannot take effect before the day it is published".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        let version = store::add_version(tx.conn(), body, &effective.to_string(), me.user_id.0, self.now()).await?;
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!(
                "notice of privacy practices version {version}, effective {effective}"
            ));
        event.resource_type = "Npp".into();
        event.resource_id = version.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Records where the current notice is posted (164.520(c)(2)(iii)).
    pub async fn set_npp_posting(&self, actor: &Actor<'_>, office: bool, website: bool) -> Result<(), AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let mut tx = self.store().begin().await?;
        let current = store::versions(tx.conn())
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound("published notice"))?;
        store::set_posting(tx.conn(), current.id, office, website).await?;
        let mut event = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!(
                "notice version {} posted: office {office}, website {website}",
                current.version
            ));
        event.resource_type = "Npp".into();
        event.resource_id = current.version.to_string();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a patient's written acknowledgement of the current notice, or the good-faith
    /// effort and why it was not obtained (needs the right to change the patient's identity
    /// data, as the front desk has).
    pub async fn record_npp_ack(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        signed: bool,
        reason: &str,
    ) -> Result<(), AppError> {
        let p = actor.person()?;
        let reason = crate::input::text("reason", reason, 500, false)?;
        let reason = reason.as_str();
        if !signed && (reason.chars().count() < 5 || reason.chars().count() > 500) {
            return Err(AppError::Invalid(
                "say what was tried and why no acknowledgment was obtained (5 to 500 characters)".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        tx = self
            .require_write(tx, p, &opened, DataClass::Identity, Action::PhiCreate)
            .await?;
        let current = store::versions(tx.conn()).await?.into_iter().next().ok_or_else(|| {
            AppError::Invalid(
                "no notice of privacy practices is published yet; the owner publishes one under Compliance".into(),
            )
        })?;
        let kind = if signed { "signed" } else { "good_faith" };
        let id = store::insert_ack(tx.conn(), patient, current.id, kind, p.user_id.0, self.now()).await?;
        if !signed {
            let ct = self.sealer().seal(
                Binding {
                    table: "npp_acks",
                    column: "reason_ct",
                    row: id,
                },
                reason.as_bytes(),
            )?;
            store::set_ack_reason(tx.conn(), id, &ct).await?;
        }
        let mut event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![patient],
            ("NppAcknowledgement", id.to_string()),
            vec![DataClass::Identity],
        );
        event.reason = kind.into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The patient's latest acknowledgement, as the chart shows it.
    pub(crate) fn npp_status(&self, acks: &[AckRow]) -> Option<String> {
        use carekeep_domain::program::npp_ack::{standing, words, Ack, AckWay};
        let acks: Vec<Ack> = acks
            .iter()
            .filter_map(|a| {
                Some(Ack {
                    way: AckWay::parse(&a.kind)?,
                    version: a.version,
                    at: a.recorded_at,
                })
            })
            .collect();
        standing(&acks).map(|a| words(&a, &self.clinic_zone()))
    }

    /// The current notice as a PDF, to print and post.
    pub async fn npp_pdf(&self, actor: &Actor<'_>) -> Result<Vec<u8>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let v = self.npp_view().await?;
        if v.version == 0 {
            return Err(AppError::NotFound("published notice"));
        }
        let mut pdf = Pdf::new("Notice of Privacy Practices")?;
        pdf.paragraph(&v.body);
        pdf.finish()
    }
}
