//! A patient (or their representative) asks for a new time in the portal (issue 27, item 3):
//! only for a service the clinic lets patients move online, picking one of the clinic's free
//! times for the same provider (the calendar's free-slot rule through
//! `carekeep_domain::calendar::move_request::offered`) or writing the times that suit them.
//! The request waits for the front desk, which moves the appointment through the booking's own
//! conflict rule or declines with a reason the patient reads here. Audited as the patient.

use super::portal_patient;
use crate::calendar::hours::provider_week;
use crate::calendar::{seal_words, SLOT_MINUTES};
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::calendar::move_request::{self as rule, State};
use carekeep_domain::people::Item;
use carekeep_domain::portal::PortalRelation;
use carekeep_domain::records::appointment::Status;
use carekeep_domain::DataClass;
use carekeep_store::bookings::{self, BookingRow};
use carekeep_store::move_requests::{self as store, NewMoveRequest};
use carekeep_store::records::{set_ct, CtColumn};
use carekeep_store::Conn;
use time::{Duration, OffsetDateTime};

/// What the patient may pick from to move one appointment.
#[derive(Clone, Debug)]
pub struct MoveOptions {
    pub appointment_id: i64,
    /// On the clinic's clock.
    pub start: OffsetDateTime,
    pub service: String,
    /// Free starts with the same provider, on the clinic's clock, in time order.
    pub offered: Vec<OffsetDateTime>,
}

/// The patient's latest request for one appointment, as they read it.
#[derive(Clone, Debug)]
pub struct MoveStatus {
    pub state: State,
    pub words: &'static str,
    /// The clinic's reason when it declined.
    pub answer: String,
}

impl App {
    /// The appointment behind a portal move, opened through the policy: another patient's, one
    /// left out for a representative (164.502(g)(3)), or a reader who may not write the
    /// schedule gets "not found".
    async fn movable(
        &self,
        conn: &mut Conn,
        pp: &super::PortalPatient,
        appointment: i64,
    ) -> Result<BookingRow, AppError> {
        let row = bookings::by_id(conn, appointment)
            .await
            .map_err(|_| AppError::NotFound("page"))?;
        let opened = self.open_for_portal(conn, pp, row.patient_id).await?;
        if !opened.access().writes(DataClass::Scheduling)
            || self
                .portal_left_out(conn, pp)
                .await?
                .contains(&Item::Appointment(row.id))
        {
            return Err(AppError::NotFound("page"));
        }
        MoveRules::read(conn, row.patient_id)
            .await?
            .check(&row, self.now())?
            .map_err(|n| AppError::Conflict(n.words().into()))?;
        Ok(row)
    }

    /// The free starts the portal offers for moving `row`: the same provider's hours, with the
    /// provider, the room and the patient held by every other appointment (buffers included).
    async fn offered_times(&self, conn: &mut Conn, row: &BookingRow) -> Result<Vec<OffsetDateTime>, AppError> {
        let zone = self.clinic_zone();
        let now = self.now();
        let week = provider_week(conn, &zone, row.provider_id).await?;
        let until = now + Duration::days(rule::DAYS_AHEAD + 2);
        let busy: Vec<(OffsetDateTime, OffsetDateTime)> = bookings::between(conn, now, until)
            .await?
            .into_iter()
            .filter(|b| b.id != row.id && !matches!(b.status.as_str(), "cancelled" | "no_show"))
            .filter(|b| {
                b.provider_id == row.provider_id
                    || b.patient_id == row.patient_id
                    || (row.room_id.is_some() && b.room_id == row.room_id)
            })
            .map(|b| (b.start_at, b.end_at + Duration::minutes(b.buffer_minutes)))
            .collect();
        let length = (row.end_at - row.start_at) + Duration::minutes(row.buffer_minutes);
        // Its own time is no new time (overlapping it is: the appointment frees its time).
        Ok(rule::offered(
            &zone,
            &week.shifts,
            &week.time_off,
            &busy,
            now,
            length,
            Duration::minutes(SLOT_MINUTES),
        )
        .into_iter()
        .filter(|t| *t != row.start_at)
        .collect())
    }

    /// The free times the patient may pick to move one appointment (one audited read).
    pub async fn portal_move_options(&self, actor: &Actor<'_>, appointment: i64) -> Result<MoveOptions, AppError> {
        let pp = portal_patient(actor)?;
        let mut conn = self.store().read().await?;
        let row = self.movable(&mut conn, pp, appointment).await?;
        let offered = self.offered_times(&mut conn, &row).await?;
        drop(conn);
        let mut event = self.event(actor, Action::PhiRead, Outcome::Success);
        event.patients = vec![row.patient_id];
        event.resource_type = "Appointment".into();
        event.resource_id = row.id.to_string();
        event.data_classes = vec![DataClass::Scheduling];
        event.reason = "portal: free times to move an appointment".into();
        let permit = self.permit(event).await?;
        let service: String = if row.service_ct.is_empty() {
            String::new()
        } else {
            self.open_json(&permit, CtColumn::AppointmentService, row.id, &row.service_ct)?
        };
        permit.confirm().await?;
        let zone = self.clinic_zone();
        Ok(MoveOptions {
            appointment_id: row.id,
            start: zone.local(row.start_at),
            service,
            offered: offered.into_iter().map(|t| zone.local(t)).collect(),
        })
    }

    /// The patient asks for a new time: one of the offered starts (`slot`, checked again here)
    /// or only words, or both. The words are sealed; the request waits for the front desk.
    pub async fn portal_ask_move(
        &self,
        actor: &Actor<'_>,
        appointment: i64,
        slot: Option<OffsetDateTime>,
        wishes: &str,
    ) -> Result<i64, AppError> {
        let pp = portal_patient(actor)?;
        let wishes = crate::input::text("note", wishes, rule::WISHES_MAX, false)?;
        if slot.is_none() && wishes.is_empty() {
            return Err(AppError::Invalid(
                "pick a new time, or write which days and times suit you".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        let row = self.movable(tx.conn(), pp, appointment).await?;
        if let Some(start) = slot {
            let offered = self.offered_times(tx.conn(), &row).await?;
            if !rule::is_offered(&offered, start) {
                return Err(AppError::Conflict(
                    "that time is no longer free: pick another, or write which times suit you".into(),
                ));
            }
        }
        let person = match pp.relation {
            PortalRelation::SelfPatient => None,
            PortalRelation::Representative { person, .. } => Some(person),
        };
        let id = store::insert(
            tx.conn(),
            &NewMoveRequest {
                appointment_id: row.id,
                patient_id: row.patient_id,
                person_id: person,
                slot: slot.map(|t| (t, row.provider_id)),
            },
            self.now(),
        )
        .await?;
        if !wishes.is_empty() {
            let ct = seal_words(self, CtColumn::MoveRequestWishes, id, &wishes)?;
            set_ct(tx.conn(), CtColumn::MoveRequestWishes, id, &ct).await?;
        }
        let mut event = self.event(actor, Action::PhiCreate, Outcome::Success);
        event.patients = vec![row.patient_id];
        event.resource_type = "MoveRequest".into();
        event.resource_id = id.to_string();
        event.data_classes = vec![DataClass::Scheduling];
        event.reason = format!(
            "portal: asked for a new time for appointment #{} ({})",
            row.id,
            if slot.is_some() {
                "a free time picked"
            } else {
                "times written"
            }
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The latest request for each of the patient's appointments, with the clinic's reason when
    /// declined (opened under the caller's permit for the page).
    pub(crate) async fn portal_move_statuses(
        &self,
        conn: &mut Conn,
        permit: &crate::permit::Permit,
        patient: i64,
    ) -> Result<Vec<(i64, MoveStatus)>, AppError> {
        let mut out: Vec<(i64, MoveStatus)> = Vec::new();
        for r in store::of_patient(conn, patient).await? {
            if out.iter().any(|(a, _)| *a == r.appointment_id) {
                continue;
            }
            let Some(state) = State::parse(&r.status) else {
                continue;
            };
            let answer = match &r.answer_ct {
                Some(ct) => String::from_utf8_lossy(&self.sealer().open(
                    permit,
                    crate::records::binding_of(CtColumn::MoveRequestAnswer, r.id),
                    ct,
                )?)
                .into_owned(),
                None => String::new(),
            };
            out.push((
                r.appointment_id,
                MoveStatus {
                    state,
                    words: state.words(),
                    answer,
                },
            ));
        }
        Ok(out)
    }
}

/// What decides whether a patient may ask to move their appointments: the services the clinic
/// lets patients move online, and the appointments with a request already waiting.
pub(crate) struct MoveRules {
    online: Vec<i64>,
    waiting: Vec<i64>,
}

impl MoveRules {
    pub(crate) async fn read(conn: &mut Conn, patient: i64) -> Result<MoveRules, AppError> {
        let online = carekeep_store::calendar::services(conn)
            .await?
            .into_iter()
            .filter(|s| s.portal_move && !s.retired)
            .map(|s| s.id)
            .collect();
        let waiting = store::of_patient(conn, patient)
            .await?
            .into_iter()
            .filter(|r| r.status == State::Asked.as_str())
            .map(|r| r.appointment_id)
            .collect();
        Ok(MoveRules { online, waiting })
    }

    /// The domain's answer for one appointment at `now`.
    pub(crate) fn check(&self, row: &BookingRow, now: OffsetDateTime) -> Result<Result<(), rule::NotAsked>, AppError> {
        let allows = row.service_id.is_some_and(|id| self.online.contains(&id));
        Ok(rule::may_ask(
            allows,
            Status::parse(&row.status)?,
            row.start_at,
            now,
            self.waiting.contains(&row.id),
        ))
    }
}
