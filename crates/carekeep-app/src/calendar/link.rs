//! Confirm or cancel by link: a one-time token (only its SHA-256 is stored) valid until the
//! appointment, whose page needs no sign-in and shows only the clinic, the day and the time.
//! The answer is on the audit trail as the patient's, through the link.

use crate::{Actor, App, AppError};
use carekeep_crypto::token::{new_token, token_hash};
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::calendar::link::{state, LinkState};
use carekeep_domain::records::appointment::Status;
use carekeep_domain::DataClass;
use carekeep_store::bookings as store;
use carekeep_store::Conn;
use time::OffsetDateTime;

/// What the link's page shows: the clinic, the appointment's start on its clock, and what the
/// link can still do.
#[derive(Clone, Debug)]
pub struct LinkView {
    pub clinic: String,
    pub start: OffsetDateTime,
    pub state: LinkState,
    /// A form asked for this visit is not yet signed (no name: the page only offers the
    /// portal's forms page, where the patient signs in).
    pub forms_waiting: bool,
}

/// The link's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkAnswer {
    Confirm,
    Cancel,
}

fn link_actor() -> AuditActor {
    AuditActor {
        user_id: None,
        name: "patient (reminder link)".into(),
        roles: Vec::new(),
    }
}

impl App {
    /// A new link for an appointment, valid until it starts. The token is returned once;
    /// only its hash is kept.
    pub(crate) async fn issue_confirm_link(
        &self,
        conn: &mut Conn,
        appointment: i64,
        start: OffsetDateTime,
    ) -> Result<String, AppError> {
        let token = new_token();
        store::add_link(conn, appointment, &token_hash(&token), start, self.now()).await?;
        Ok(token)
    }

    /// The front desk makes a link to send the patient (until reminders send their own).
    pub async fn make_confirm_link(&self, actor: &Actor<'_>, appointment: i64) -> Result<String, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let row = store::by_id(tx.conn(), appointment)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(tx.conn(), p, row.patient_id).await?;
        let mut tx = self
            .require_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        if state(self.now(), row.start_at, false, Status::parse(&row.status)?) != LinkState::Open {
            return Err(AppError::Invalid(
                "a link can be made only for a booked appointment still to come".into(),
            ));
        }
        let token = self.issue_confirm_link(tx.conn(), appointment, row.start_at).await?;
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![row.patient_id],
            ("Appointment", appointment.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = "confirmation link made".into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(token)
    }

    async fn link_view(
        &self,
        conn: &mut Conn,
        token: &str,
    ) -> Result<(LinkView, store::LinkRow, store::BookingRow), AppError> {
        let link = store::link_by_hash(conn, &token_hash(token))
            .await
            .map_err(|_| AppError::NotFound("link"))?;
        let row = store::by_id(conn, link.appointment_id)
            .await
            .map_err(|_| AppError::NotFound("link"))?;
        // Offered while the visit is still booked and to come, answered through the link or not.
        let to_come = Status::parse(&row.status)? == Status::Booked && self.now() < link.expires_at;
        let forms_waiting = to_come
            && carekeep_store::forms::responses_for_appointments(conn, &[row.id])
                .await?
                .iter()
                .any(|r| {
                    !carekeep_domain::forms::Status::parse(&r.status).is_some_and(carekeep_domain::forms::Status::done)
                });
        let view = LinkView {
            forms_waiting,
            clinic: self.clinic_name().to_owned(),
            start: self.clinic_zone().local(row.start_at),
            state: state(
                self.now(),
                link.expires_at,
                link.used_at.is_some(),
                Status::parse(&row.status)?,
            ),
        };
        Ok((view, link, row))
    }

    /// The patient's own answer to an appointment, by the reminder's link or in the portal:
    /// confirmed, or cancelled. The caller has checked that the answer may still be given.
    pub(crate) async fn apply_patient_answer(
        &self,
        conn: &mut Conn,
        appointment: i64,
        answer: LinkAnswer,
    ) -> Result<(), AppError> {
        let now = self.now();
        match answer {
            LinkAnswer::Confirm => store::confirm(conn, appointment, now).await?,
            LinkAnswer::Cancel => {
                carekeep_store::records::set_appointment_status(conn, appointment, Status::Cancelled.as_str(), now)
                    .await?
            }
        }
        Ok(())
    }

    /// The link's page: unknown tokens are "not found", whatever they look like.
    /// Showing the day and time is a read of the patient's schedule: audited as the patient's
    /// through the link (no user id), naming the appointment (164.312(b)).
    pub async fn confirm_link(&self, token: &str, origin: Origin) -> Result<LinkView, AppError> {
        let mut tx = self.store().begin().await?;
        let (view, _, row) = self.link_view(tx.conn(), token).await?;
        let mut event = AuditEvent::new(self.now(), link_actor(), Action::PhiRead, Outcome::Success, origin);
        event.patients = vec![row.patient_id];
        event.resource_type = "Appointment".into();
        event.resource_id = row.id.to_string();
        event.data_classes = vec![DataClass::Scheduling];
        event.reason = "day and time shown through the patient's link".into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The patient's answer through the link: once, before the appointment, while booked.
    pub async fn answer_confirm_link(
        &self,
        token: &str,
        answer: LinkAnswer,
        origin: Origin,
    ) -> Result<LinkView, AppError> {
        let mut tx = self.store().begin().await?;
        let (view, link, row) = self.link_view(tx.conn(), token).await?;
        if view.state != LinkState::Open || !store::use_link(tx.conn(), link.id, self.now()).await? {
            return Ok(view);
        }
        let now = self.now();
        self.apply_patient_answer(tx.conn(), row.id, answer).await?;
        let mut event = AuditEvent::new(now, link_actor(), Action::PhiUpdate, Outcome::Success, origin);
        event.patients = vec![row.patient_id];
        event.resource_type = "Appointment".into();
        event.resource_id = row.id.to_string();
        event.data_classes = vec![DataClass::Scheduling];
        event.reason = match answer {
            LinkAnswer::Confirm => "confirmed by the patient's link",
            LinkAnswer::Cancel => "cancelled by the patient's link",
        }
        .into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(LinkView {
            state: LinkState::Used,
            ..view
        })
    }
}
