//! The front desk's side of a patient's request for a new time (issue 27, item 3): the queue
//! on the calendar ("Patient asked to move"), the move through the booking's own use case and
//! conflict rule ([`App::move_in`], in the same transaction as the decision), or a decline
//! with a reason the patient reads (sealed). Which services patients may move online is the
//! owner's setting, audited. Every read and decision is on the trail (164.312(b)).

use super::book::{when, MoveInput};
use crate::records::binding_of;
use crate::records::patients::identity_view;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::calendar::conflict::REASON_MAX;
use carekeep_domain::calendar::move_request::State;
use carekeep_domain::records::patient::Identity;
use carekeep_domain::{Capability, DataClass};
use carekeep_store::bookings;
use carekeep_store::move_requests::{self as store, MoveRequestRow};
use carekeep_store::records::{set_ct, CtColumn};
use time::OffsetDateTime;

/// A waiting request as the front desk sees it.
#[derive(Clone, Debug)]
pub struct MoveRequestView {
    pub id: i64,
    pub appointment_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub service: String,
    /// The appointment's time now, `12/08/2026 10:00 AM`.
    pub now_at: String,
    /// The free time the patient picked, in words, and its provider's name.
    pub picked: Option<(String, String)>,
    /// What the patient wrote about the times that suit them.
    pub wishes: String,
    pub asked_at: OffsetDateTime,
    /// Asked by the patient's personal representative.
    pub by_representative: bool,
    /// The appointment's provider (the default for a time the desk types).
    pub provider_id: i64,
}

/// The words a request carries, sealed to its row.
pub(crate) fn seal_words(app: &App, col: CtColumn, id: i64, words: &str) -> Result<Vec<u8>, AppError> {
    let plain = zeroize::Zeroizing::new(words.as_bytes().to_vec());
    app.sealer().seal(binding_of(col, id), &plain)
}

impl App {
    /// Which services patients may ask to move in the portal: exactly `on` (service ids), the
    /// rest off. The owner's decision (it opens a door to the calendar from outside); audited.
    pub async fn set_portal_moves(&self, actor: &Actor<'_>, on: &[i64]) -> Result<(), AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let mut tx = self.store().begin().await?;
        let services = carekeep_store::calendar::services(tx.conn()).await?;
        let mut on: Vec<i64> = on
            .iter()
            .copied()
            .filter(|id| services.iter().any(|s| s.id == *id))
            .collect();
        on.sort_unstable();
        on.dedup();
        carekeep_store::calendar::set_portal_moves(tx.conn(), &on).await?;
        let names: Vec<String> = services
            .iter()
            .filter(|s| on.contains(&s.id))
            .map(|s| format!("service #{}", s.id))
            .collect();
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason(&if names.is_empty() {
                "patients may not ask for a new time online for any service".to_owned()
            } else {
                format!("patients may ask for a new time online for {}", names.join(", "))
            });
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The requests waiting for the front desk, oldest first: those whose patient the reader
    /// may see on the calendar (identity and scheduling), in one audited read.
    pub async fn move_requests(&self, actor: &Actor<'_>) -> Result<Vec<MoveRequestView>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let policy = self.policy();
        let mut conn = self.store().read().await?;
        let rows = store::waiting(&mut conn).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let patients = self.patients_by_id(&mut conn, &ids).await?;
        let mut shown = Vec::new();
        for r in rows {
            let Some(patient) = patients.get(&r.patient_id) else {
                continue;
            };
            let a = self.list_access(&policy, p, patient);
            if a.reads(DataClass::Scheduling) && a.reads(DataClass::Identity) {
                let b = bookings::by_id(&mut conn, r.appointment_id).await?;
                shown.push((r, patient.clone(), b));
            }
        }
        drop(conn);
        if shown.is_empty() {
            return Ok(Vec::new());
        }
        let mut listed: Vec<i64> = shown.iter().map(|(r, _, _)| r.patient_id).collect();
        listed.sort_unstable();
        listed.dedup();
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            listed,
            ("MoveRequestList", "waiting".into()),
            vec![DataClass::Identity, DataClass::Scheduling],
        );
        let permit = self.permit(event).await?;
        let zone = self.clinic_zone();
        let providers = self.bookable_providers().await?;
        let mut out = Vec::with_capacity(shown.len());
        for (r, patient, b) in shown {
            let identity: Identity =
                self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
            let service: String = if b.service_ct.is_empty() {
                String::new()
            } else {
                self.open_json(&permit, CtColumn::AppointmentService, b.id, &b.service_ct)?
            };
            let wishes = match &r.wishes_ct {
                Some(ct) => String::from_utf8_lossy(&self.sealer().open(
                    &permit,
                    binding_of(CtColumn::MoveRequestWishes, r.id),
                    ct,
                )?)
                .into_owned(),
                None => String::new(),
            };
            let picked = match (r.slot_start, r.slot_provider) {
                (Some(t), Some(who)) => Some((
                    when(&zone, t),
                    providers
                        .iter()
                        .find(|(id, _)| id.0 == who)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                )),
                _ => None,
            };
            out.push(MoveRequestView {
                id: r.id,
                appointment_id: r.appointment_id,
                patient_id: r.patient_id,
                patient_name: identity_view(&identity).full_name(),
                service,
                now_at: when(&zone, b.start_at),
                picked,
                wishes,
                asked_at: zone.local(r.asked_at),
                by_representative: r.person_id.is_some(),
                provider_id: b.provider_id,
            });
        }
        permit.confirm().await?;
        Ok(out)
    }

    /// Moves the appointment as the patient asked: to the free time they picked, or (when they
    /// only wrote words) to the time the desk typed, with the appointment's provider unless
    /// another is chosen. The same move as the calendar's (policy, conflict rule, sealed reason,
    /// its event), and the request is decided in the same transaction.
    pub async fn move_as_asked(
        &self,
        actor: &Actor<'_>,
        request: i64,
        typed: Option<(OffsetDateTime, i64)>,
    ) -> Result<Option<super::waitlist::FreedSlot>, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let r = waiting_request(tx.conn(), request).await?;
        let freed = super::waitlist::freed_slot(tx.conn(), r.appointment_id).await?;
        let (start, provider) = match (r.slot_start, r.slot_provider, typed) {
            (_, _, Some(t)) => t,
            (Some(t), Some(who), None) => (t, who),
            _ => return Err(AppError::Invalid("choose the new day and time".into())),
        };
        let input = MoveInput {
            provider,
            start: Some(start),
            room: None,
            reason: "the patient asked for a new time in the portal".into(),
            override_reason: String::new(),
        };
        let mut tx = self.move_in(tx, p, r.appointment_id, input).await?;
        if !store::decide(tx.conn(), r.id, State::Moved.as_str(), Some(p.user_id.0), self.now()).await? {
            return Err(AppError::Conflict("this request was already answered".into()));
        }
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![r.patient_id],
            ("MoveRequest", r.id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!("moved appointment #{} as the patient asked", r.appointment_id);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(freed)
    }

    /// Declines a request with a reason the patient reads in the portal (sealed: it can name
    /// their care). 3 to 500 characters.
    pub async fn decline_move(&self, actor: &Actor<'_>, request: i64, reason: &str) -> Result<(), AppError> {
        let p = actor.person()?;
        let reason = crate::input::text("reason", reason, REASON_MAX, false)?;
        if reason.chars().count() < 3 {
            return Err(AppError::Invalid(
                "say in a few words why the time cannot change: the patient reads it".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        let r = waiting_request(tx.conn(), request).await?;
        let opened = self.open_patient(tx.conn(), p, r.patient_id).await?;
        let (mut tx, _grant) = self
            .grant_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        if !store::decide(tx.conn(), r.id, State::Declined.as_str(), Some(p.user_id.0), self.now()).await? {
            return Err(AppError::Conflict("this request was already answered".into()));
        }
        let ct = seal_words(self, CtColumn::MoveRequestAnswer, r.id, &reason)?;
        set_ct(tx.conn(), CtColumn::MoveRequestAnswer, r.id, &ct).await?;
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![r.patient_id],
            ("MoveRequest", r.id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!("declined moving appointment #{}", r.appointment_id);
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn waiting_request(conn: &mut carekeep_store::Conn, id: i64) -> Result<MoveRequestRow, AppError> {
    let r = store::by_id(conn, id)
        .await
        .map_err(|_| AppError::NotFound("request"))?;
    if State::parse(&r.status) != Some(State::Asked) {
        return Err(AppError::Conflict("this request was already answered".into()));
    }
    Ok(r)
}
