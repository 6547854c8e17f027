//! Withdrawing the consent to do business electronically (E-SIGN, 15 U.S.C. 7001(c)(1)(A):
//! an electronic record counts only while the consumer "has not withdrawn" the consent;
//! (B)(i) and (iii) promise the right and the procedure, patients-and-messages.md 7.1). The
//! patient (or their representative, for their own consent) withdraws at the portal; from
//! then the portal asks the consent again before any electronic form, and the chart tells
//! staff that this patient's forms are on paper. Forms signed before stay signed ((B)(i):
//! withdrawing "does not undo forms you already signed", as the statement says). A patient
//! who tells the front desk instead ("I want paper forms") is recorded by staff through the
//! same withdrawal ([`App::desk_withdraw_esign`]); (B)(iii) leaves the procedure to the clinic.

use crate::portal::portal_patient;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::DataClass;
use carekeep_store::forms as store;
use carekeep_store::Conn;
use time::OffsetDateTime;

/// The consent as the patient's withdrawal page shows it.
#[derive(Clone, Copy, Debug)]
pub struct EsignStanding {
    /// When the consent in effect was given (in the clinic's zone); `None`: none in effect.
    pub consented_at: Option<OffsetDateTime>,
}

impl App {
    /// The consent of the portal's signer (the patient, or the representative signed in):
    /// an audited read of the patient's record.
    pub async fn portal_esign(&self, actor: &Actor<'_>) -> Result<EsignStanding, AppError> {
        let pp = portal_patient(actor)?;
        let mut conn = self.store().read().await?;
        self.open_for_portal(&mut conn, pp, pp.patient_id).await?;
        let consent = store::esign_consent(&mut conn, pp.patient_id, Self::person_of(pp)).await?;
        drop(conn);
        let event = self.portal_form_event(
            actor,
            pp.patient_id,
            Action::PhiRead,
            ("EsignConsent", pp.patient_id.to_string()),
            DataClass::Identity,
            "portal: the consent to sign electronically",
        );
        self.permit(event).await?.confirm().await?;
        Ok(EsignStanding {
            consented_at: consent
                .and_then(|(_, _, at)| OffsetDateTime::from_unix_timestamp(at).ok())
                .map(|t| self.clinic_zone().local(t)),
        })
    }

    /// The portal's signer withdraws their consent (7001(c)(1)(A)); audited in the same
    /// transaction. False when no consent was in effect (nothing changes, nothing recorded).
    pub async fn portal_withdraw_esign(&self, actor: &Actor<'_>) -> Result<bool, AppError> {
        let pp = portal_patient(actor)?;
        let mut tx = self.store().begin().await?;
        self.open_for_portal(tx.conn(), pp, pp.patient_id).await?;
        if !self
            .withdraw_esign(tx.conn(), pp.patient_id, Self::person_of(pp))
            .await?
        {
            return Ok(false);
        }
        let event = self.portal_form_event(
            actor,
            pp.patient_id,
            Action::PhiUpdate,
            ("EsignConsent", pp.patient_id.to_string()),
            DataClass::Identity,
            "portal: consent to sign electronically withdrawn (paper forms from now on)",
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The one withdrawal, wherever it is told: the consent of `person` (`None`: the patient)
    /// in effect ends now. False when none was in effect.
    async fn withdraw_esign(&self, conn: &mut Conn, patient: i64, person: Option<i64>) -> Result<bool, AppError> {
        Ok(store::withdraw_esign_consent(conn, patient, person, self.now()).await?)
    }

    /// Staff record a withdrawal told at the front desk by the patient, or by a representative
    /// for their own consent (`person`), for a reader and writer of the patient's forms status
    /// (the scheduling class, as sending forms; a refusal by role is recorded). Audited in the
    /// same transaction as the portal's. False when that person had no consent in effect
    /// (nothing changes: the portal asks before any form anyway).
    pub async fn desk_withdraw_esign(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        person: Option<i64>,
    ) -> Result<bool, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let mut tx = self
            .require_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        let withdrawn = self.withdraw_esign(tx.conn(), patient, person).await?;
        let who = match person {
            None => "the patient".to_owned(),
            Some(id) => format!("representative #{id}"),
        };
        // Learning that no consent was in effect is a read of the patient's record: on the
        // trail too.
        let (action, reason) = if withdrawn {
            (
                Action::PhiUpdate,
                format!("front desk: consent to sign electronically withdrawn by {who} (paper forms from now on)"),
            )
        } else {
            (
                Action::PhiRead,
                format!("front desk: no consent to sign electronically in effect for {who}, nothing withdrawn"),
            )
        };
        let mut event = self.phi_event(
            p,
            action,
            Outcome::Success,
            vec![patient],
            ("EsignConsent", patient.to_string()),
            vec![DataClass::Identity, DataClass::Scheduling],
        );
        event.reason = reason;
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(withdrawn)
    }

    /// Who has a consent in effect (`None` the patient, `Some` a representative), read inside
    /// the chart's forms card's audited read.
    pub(crate) async fn esign_in_effect(&self, conn: &mut Conn, patient: i64) -> Result<Vec<Option<i64>>, AppError> {
        Ok(store::esign_in_effect(conn, patient).await?)
    }

    /// Since when this patient's forms must be on paper (someone withdrew the consent and has
    /// not given it again), in the clinic's zone. Read inside the caller's audited read.
    pub(crate) async fn paper_since(&self, conn: &mut Conn, patient: i64) -> Result<Option<OffsetDateTime>, AppError> {
        Ok(store::esign_withdrawn(conn, patient)
            .await?
            .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
            .map(|t| self.clinic_zone().local(t)))
    }
}
