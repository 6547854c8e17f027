//! The desk's side of the tablet: a code for a checked-in visit's packet, read out once; the
//! session ended from the desk; whether a code waits or the tablet is in use.

use super::{six_digits, KioskCode, KioskState, NOT_A_SIGNER};
use crate::{Actor, App, AppError, Principal};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms::kiosk as rule;
use carekeep_domain::forms::Status as FormStatus;
use carekeep_domain::records::appointment::Status;
use carekeep_domain::DataClass;
use carekeep_store::kiosk::{self as store, NewKiosk};
use carekeep_store::records::AppointmentRow;
use carekeep_store::Tx;

impl App {
    /// Staff open the visit's packet on the clinic tablet: a code for ten minutes, the visit's
    /// earlier openings ended (one tablet per visit). Refused unless the visit is checked in
    /// and a form of its packet waits.
    pub async fn open_kiosk(
        &self,
        actor: &Actor<'_>,
        appointment: i64,
        signer: Option<i64>,
    ) -> Result<KioskCode, AppError> {
        let p = actor.person()?;
        let now = self.now();
        let (mut tx, visit) = self.visit_to_write(p, appointment, Action::PhiCreate).await?;
        let status = Status::parse(&visit.status).map_err(|_| AppError::NotFound("appointment"))?;
        rule::may_open(status).map_err(|w| AppError::Invalid(w.into()))?;
        // The visit's own packet and any open form reused for it.
        let waiting = carekeep_store::forms::responses_for_appointments(tx.conn(), &[appointment])
            .await?
            .iter()
            .any(|r| !FormStatus::parse(&r.status).is_some_and(FormStatus::done));
        if !waiting {
            return Err(AppError::Invalid(
                "No forms wait for this visit: send the forms first, from the patient's chart.".into(),
            ));
        }
        if self.kiosk_relation(tx.conn(), visit.patient_id, signer).await.is_err() {
            return Err(AppError::Invalid(NOT_A_SIGNER.into()));
        }
        for k in store::open_for_visit(tx.conn(), appointment).await? {
            store::end(tx.conn(), k.id, "a new code was made", now).await?;
        }
        // A new code never shares its digest with one still waiting (the tablet finds a code
        // by its digest alone).
        let mut code = six_digits();
        let mut tries = 0;
        while store::live_code_exists(tx.conn(), &self.kiosk_digest(&code), now).await? {
            tries += 1;
            if tries > 20 {
                return Err(AppError::Internal("no free kiosk code".into()));
            }
            code = six_digits();
        }
        let expires_at = now + rule::CODE_VALID_FOR;
        let id = store::insert(
            tx.conn(),
            &NewKiosk {
                patient_id: visit.patient_id,
                appointment_id: appointment,
                person_id: signer,
                code_digest: &self.kiosk_digest(&code),
                code_expires_at: expires_at,
                opened_by: p.user_id.0,
            },
            now,
        )
        .await?;
        let mut event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![visit.patient_id],
            ("KioskSession", id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!(
            "the visit's forms opened on the clinic tablet (appointment {appointment}; a code for {} minutes)",
            rule::CODE_VALID_FOR.whole_minutes()
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(KioskCode { code, expires_at })
    }

    /// Staff end the tablet's session for a visit (and any code waiting). The count ended.
    pub async fn end_kiosk(&self, actor: &Actor<'_>, appointment: i64) -> Result<usize, AppError> {
        let p = actor.person()?;
        let now = self.now();
        let (mut tx, visit) = self.visit_to_write(p, appointment, Action::PhiUpdate).await?;
        let mut ended = 0;
        for k in store::open_for_visit(tx.conn(), appointment).await? {
            if store::end(tx.conn(), k.id, "ended by staff", now).await? {
                ended += 1;
            }
        }
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![visit.patient_id],
            ("KioskSession", appointment.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!("the clinic tablet's session ended by staff (appointment {appointment})");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// The visit, in a transaction where `p` may write its patient's scheduling class (the
    /// tablet's codes and sessions are that class's writes); refused and recorded otherwise.
    async fn visit_to_write(
        &self,
        p: &Principal,
        appointment: i64,
        action: Action,
    ) -> Result<(Tx, AppointmentRow), AppError> {
        let mut tx = self.store().begin().await?;
        let visit = carekeep_store::records::appointment_by_id(tx.conn(), appointment)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(tx.conn(), p, visit.patient_id).await?;
        let tx = self
            .require_write(tx, p, &opened, DataClass::Scheduling, action)
            .await?;
        Ok((tx, visit))
    }

    /// Whether a code waits or the tablet is in use for this visit (no PHI: for the staff
    /// page, after the page's own audited read of the appointment).
    pub async fn kiosk_state(&self, actor: &Actor<'_>, appointment: i64) -> Result<Option<KioskState>, AppError> {
        actor.person()?;
        let now = self.now();
        let mut conn = self.store().read().await?;
        let rows = store::open_for_visit(&mut conn, appointment).await?;
        Ok(rows.iter().rev().find_map(|k| match (k.started_at, k.last_seen_at) {
            (Some(started), Some(seen)) if rule::session_live(now, started, seen) => Some(KioskState::InUse),
            (None, _) if k.code_expires_at > now && k.wrong_tries < rule::WRONG_TRIES => {
                Some(KioskState::CodeWaiting(k.code_expires_at))
            }
            _ => None,
        }))
    }
}
