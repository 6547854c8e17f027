//! Booking on the calendar: a service with a provider (and the room it needs) for a patient,
//! once or as a series, moved or cancelled with a reason. No double booking: a provider, a room
//! or a patient in two overlapping appointments is refused with the conflict named
//! (`carekeep_domain::calendar::conflict`), unless the person booking states why; that reason
//! is sealed (it can hold PHI) and the override is on the audit trail with the appointments it
//! overrode (164.312(b)). Writes go through the chart's policy (`grant_write`, class
//! `scheduling`).

use super::hours::{day_bounds, provider_week, Week};
use super::CalendarItem;
use crate::records::patients::identity_view;
use crate::{Actor, App, AppError, Principal};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::calendar::conflict::{self, Booking, Decision};
use carekeep_domain::calendar::hours::available;
use carekeep_domain::calendar::recurrence::{series, Repeat};
use carekeep_domain::records::appointment::Status;
use carekeep_domain::records::patient::{Contact, Identity};
use carekeep_domain::zone::{us_dates, ClinicZone};
use carekeep_domain::DataClass;
use carekeep_store::bookings::{self as store, BookingRow, NewBooking};
use carekeep_store::calendar::ServiceRow;
use carekeep_store::records::CtColumn;
use carekeep_store::{users, Conn, Tx};
use time::{Duration, OffsetDateTime};

/// A booking as the form gave it.
#[derive(Clone, Debug, Default)]
pub struct BookInput {
    pub patient: i64,
    pub provider: i64,
    pub service: i64,
    /// `None`: the room the service needs, if any.
    pub room: Option<i64>,
    pub start: Option<OffsetDateTime>,
    pub repeat: Option<Repeat>,
    /// Why it may be booked over a conflict; blank for none.
    pub override_reason: String,
}

/// A move as the form gave it.
#[derive(Clone, Debug, Default)]
pub struct MoveInput {
    pub provider: i64,
    pub start: Option<OffsetDateTime>,
    pub room: Option<i64>,
    pub reason: String,
    pub override_reason: String,
}

/// What the person booking sees of the patient: the name, their no-shows and how they asked to
/// be reached (164.522(b)).
#[derive(Clone, Debug, Default)]
pub struct PatientAtBooking {
    pub id: i64,
    pub name: String,
    pub no_shows: i64,
    pub reach: String,
    /// Where reminders go, by the patient's preferences and requests (164.522(b)); empty for
    /// a reader who may not see contact details.
    pub reminders: String,
}

/// `12/07/2026 9:00 AM` on the clinic's clock.
pub(crate) fn when(zone: &ClinicZone, t: OffsetDateTime) -> String {
    let local = zone.local(t);
    let (h, m) = (local.hour(), local.minute());
    let (twelve, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{} {twelve}:{m:02} {half}", us_dates(&local.date().to_string()))
}

/// A change's reason: 3 to 500 characters, line breaks kept as `\n`.
fn check_change_reason(what: &str, reason: &str) -> Result<String, AppError> {
    let reason = reason.trim().replace("\r\n", "\n");
    let n = reason.chars().count();
    if n < 3 {
        return Err(AppError::Invalid(format!("say in a few words why it is {what}")));
    }
    if n > conflict::REASON_MAX {
        return Err(AppError::Invalid(format!(
            "the reason may have at most {} characters",
            conflict::REASON_MAX
        )));
    }
    Ok(reason)
}

fn booking_of(row: &BookingRow) -> Result<Booking, AppError> {
    Ok(Booking {
        id: Some(row.id),
        start: row.start_at,
        end: row.end_at,
        buffer_after: Duration::minutes(row.buffer_minutes),
        provider: row.provider_id,
        room: row.room_id,
        patient: row.patient_id,
        status: Status::parse(&row.status)?,
    })
}

/// The words of a refusal: every clash, with the other appointment's time.
fn refusal(zone: &ClinicZone, found: &[conflict::Conflict], outside: &[String]) -> String {
    let mut lines: Vec<String> = outside.to_vec();
    for c in found {
        for clash in &c.clashes {
            lines.push(format!("{} ({} to {})", clash.words(), when(zone, c.start), {
                let w = when(zone, c.end);
                w.rsplit_once(' ')
                    .and_then(|(d, half)| d.rsplit_once(' ').map(|(_, t)| format!("{t} {half}")))
                    .unwrap_or(w)
            }));
        }
    }
    lines.sort();
    lines.dedup();
    format!(
        "{}. To book it anyway, say why in \"Reason to double-book\".",
        lines.join(". ")
    )
}

/// The refusal of a booking from the chart, which has no reason field: the calendar has.
fn chart_refusal(zone: &ClinicZone, found: &[conflict::Conflict]) -> String {
    refusal(zone, found, &[]).replace(
        "To book it anyway, say why in \"Reason to double-book\".",
        "To book it anyway, book it on the calendar and say why.",
    )
}

impl App {
    pub(super) async fn service(&self, conn: &mut Conn, id: i64) -> Result<ServiceRow, AppError> {
        carekeep_store::calendar::services(conn)
            .await?
            .into_iter()
            .find(|s| s.id == id && !s.retired)
            .ok_or_else(|| AppError::Invalid("choose a service".into()))
    }

    async fn check_bookable(&self, conn: &mut Conn, provider: i64) -> Result<(), AppError> {
        let ok = match users::by_id(conn, carekeep_domain::UserId(provider)).await {
            Ok(u) => u.disabled_at.is_none() && self.policy().access(&u.roles, DataClass::Clinical).can_write(),
            Err(carekeep_store::StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if ok {
            Ok(())
        } else {
            Err(AppError::Invalid("choose a provider who can see patients".into()))
        }
    }

    /// The conflicts and hours problems of placing `new` at each of `times`.
    async fn clashes(
        &self,
        conn: &mut Conn,
        new: Booking,
        times: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<(Vec<conflict::Conflict>, Vec<String>), AppError> {
        let zone = self.clinic_zone();
        let week: Week = provider_week(conn, &zone, new.provider).await?;
        let mut found = Vec::new();
        let mut outside = Vec::new();
        for (start, end) in times {
            let b = Booking {
                start: *start,
                end: *end,
                ..new
            };
            let rows = store::near(conn, *start, b.held_until(), b.provider, b.room, b.patient).await?;
            let calendar = rows.iter().map(booking_of).collect::<Result<Vec<_>, _>>()?;
            found.extend(conflict::conflicts(&b, &calendar));
            if let Err(why) = available(&zone, &week.shifts, &week.time_off, *start, *end) {
                outside.push(format!("{} ({})", why.words(), when(&zone, *start)));
            }
        }
        Ok((found, outside))
    }

    /// The chart's booking (one provider, no room, no buffer) refused over any clash: the
    /// same rule as the calendar's, without the override (the calendar has its reason field).
    pub(crate) async fn refuse_chart_clashes(
        &self,
        conn: &mut Conn,
        patient: i64,
        provider: i64,
        start: OffsetDateTime,
        end: OffsetDateTime,
    ) -> Result<(), AppError> {
        let new = Booking {
            id: None,
            start,
            end,
            buffer_after: Duration::ZERO,
            provider,
            room: None,
            patient,
            status: Status::Booked,
        };
        let rows = store::near(conn, start, end, provider, None, patient).await?;
        let calendar = rows.iter().map(booking_of).collect::<Result<Vec<_>, _>>()?;
        let found = conflict::conflicts(&new, &calendar);
        if found.is_empty() {
            Ok(())
        } else {
            Err(AppError::Conflict(chart_refusal(&self.clinic_zone(), &found)))
        }
    }

    /// Decides over conflicts: clear, or over them with a checked reason, or refused.
    fn decide(
        &self,
        found: Vec<conflict::Conflict>,
        outside: &[String],
        reason: &str,
    ) -> Result<Option<(String, Vec<conflict::Conflict>)>, AppError> {
        if found.is_empty() && outside.is_empty() {
            return Ok(None);
        }
        let zone = self.clinic_zone();
        let words = refusal(&zone, &found, outside);
        if reason.trim().is_empty() {
            return Err(AppError::Conflict(words));
        }
        let reason = conflict::check_reason(reason)?;
        match conflict::decide(found, Some(&reason)) {
            Ok(Decision::Override { reason, over }) => Ok(Some((reason, over))),
            Ok(Decision::Clear) => Ok(Some((reason, Vec::new()))),
            Err(_) => Err(AppError::Conflict(words)),
        }
    }

    async fn seal_reason(
        &self,
        tx: &mut Tx,
        grant: &crate::records::access::Grant,
        p: &Principal,
        appointment: i64,
        kind: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let id = store::add_reason(tx.conn(), appointment, kind, p.user_id.0, self.now()).await?;
        self.put_json(tx.conn(), grant, CtColumn::AppointmentReason, id, &reason)
            .await
    }

    /// What the person booking sees of the patient: name, no-shows, how to reach them. A read
    /// of identity, contact and scheduling, audited.
    pub async fn patient_at_booking(&self, actor: &Actor<'_>, patient: i64) -> Result<PatientAtBooking, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let opened = self.open_patient(&mut conn, p, patient).await?;
        let a = opened.access();
        if !(a.reads(DataClass::Identity) && a.reads(DataClass::Scheduling)) {
            drop(conn);
            return Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::Identity, DataClass::Scheduling],
                    "your roles do not include booking appointments",
                )
                .await);
        }
        let no_shows = store::no_shows(&mut conn, patient).await?;
        let requests = if a.reads(DataClass::Contact) {
            Some(self.reminder_requests(&mut conn, patient).await?)
        } else {
            None
        };
        drop(conn);
        let mut classes = vec![DataClass::Identity, DataClass::Scheduling];
        let reads_contact = a.reads(DataClass::Contact);
        if reads_contact {
            classes.push(DataClass::Contact);
        }
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            vec![patient],
            ("Patient", patient.to_string()),
            classes,
        );
        let permit = self.permit(event).await?;
        let row = opened.row();
        let identity: Identity = self.open_json(&permit, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
        let (reach, reminders) = match requests {
            Some((granted, opted_out)) if reads_contact => {
                let c: Contact = if row.contact_ct.is_empty() {
                    Contact::default()
                } else {
                    self.open_json(&permit, CtColumn::PatientContact, row.id, &row.contact_ct)?
                };
                let prefs = self.reminder_preferences(&permit, &c, &granted, opted_out)?;
                let reach = if row.contact_ct.is_empty() {
                    String::new()
                } else {
                    format!("Prefers {}", c.preferred.as_str())
                };
                (reach, super::reminders::reminder_route_words(&prefs))
            }
            _ => (String::new(), String::new()),
        };
        permit.confirm().await?;
        Ok(PatientAtBooking {
            id: patient,
            name: identity_view(&identity).full_name(),
            no_shows,
            reach,
            reminders,
        })
    }

    /// Books a service for a patient: once, or as a series every N weeks. Refused with the
    /// conflicts named unless an override reason is given. Returns the new appointments' ids.
    pub async fn calendar_book(&self, actor: &Actor<'_>, input: BookInput) -> Result<Vec<i64>, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, input.patient).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Scheduling, Action::PhiCreate)
            .await?;
        let service = self.service(tx.conn(), input.service).await?;
        self.check_bookable(tx.conn(), input.provider).await?;
        let start = input
            .start
            .ok_or_else(|| AppError::Invalid("choose the day and time".into()))?;
        let length = Duration::minutes(service.minutes);
        let zone = self.clinic_zone();
        let times = match input.repeat {
            Some(r) => series(&zone, start, length, r),
            None => vec![(start, start + length)],
        };
        let new = Booking {
            id: None,
            start,
            end: start + length,
            buffer_after: Duration::minutes(service.buffer_minutes),
            provider: input.provider,
            room: input.room.or(service.room_id),
            patient: input.patient,
            status: Status::Booked,
        };
        let (found, outside) = self.clashes(tx.conn(), new, &times).await?;
        let over = self.decide(found, &outside, &input.override_reason)?;
        let now = self.now();
        let mut ids = Vec::with_capacity(times.len());
        for (s, e) in &times {
            let id = store::insert(
                tx.conn(),
                &NewBooking {
                    patient_id: input.patient,
                    provider_id: input.provider,
                    start: *s,
                    end: *e,
                    service_id: Some(service.id),
                    room_id: new.room,
                    buffer_minutes: service.buffer_minutes,
                },
                now,
            )
            .await?;
            self.put_json(tx.conn(), &grant, CtColumn::AppointmentService, id, &service.name)
                .await?;
            if let Some((reason, _)) = &over {
                self.seal_reason(&mut tx, &grant, p, id, "override", reason).await?;
            }
            // The forms the service needs for this visit (issue 28): the packet the reminder
            // links to.
            self.make_visit_packet(tx.conn(), input.patient, id, service.id, *s, Some(p.user_id.0))
                .await?;
            ids.push(id);
        }
        let mut event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![input.patient],
            ("Appointment", ids.first().copied().unwrap_or_default().to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = over_words(
            if ids.len() > 1 { "booked a series" } else { "booked" },
            &ids,
            over.as_ref(),
        );
        let _permit = self.permit_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Moves an appointment to another time, provider or room, with a reason; the same
    /// conflict rule as booking.
    pub async fn calendar_move(&self, actor: &Actor<'_>, id: i64, input: MoveInput) -> Result<(), AppError> {
        let p = actor.person()?;
        let tx = self.store().begin().await?;
        self.move_in(tx, p, id, input).await?.commit().await?;
        Ok(())
    }

    /// The move itself, inside the caller's transaction (a patient's request moved by the front
    /// desk is decided in the same one): the chart's policy, the conflict rule, the sealed
    /// reason and the audit event. Returns the transaction uncommitted.
    pub(crate) async fn move_in(&self, tx: Tx, p: &Principal, id: i64, input: MoveInput) -> Result<Tx, AppError> {
        let mut tx = tx;
        let row = store::by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(tx.conn(), p, row.patient_id).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        if Status::parse(&row.status)? != Status::Booked {
            return Err(AppError::Invalid("only a booked appointment can be moved".into()));
        }
        let reason = check_change_reason("moved", &input.reason)?;
        self.check_bookable(tx.conn(), input.provider).await?;
        let start = input
            .start
            .ok_or_else(|| AppError::Invalid("choose the new day and time".into()))?;
        let end = start + (row.end_at - row.start_at);
        let mut b = booking_of(&row)?;
        b.provider = input.provider;
        b.room = input.room.or(row.room_id);
        let (found, outside) = self.clashes(tx.conn(), b, &[(start, end)]).await?;
        let over = self.decide(found, &outside, &input.override_reason)?;
        store::reschedule(tx.conn(), id, start, end, input.provider, b.room, self.now()).await?;
        self.seal_reason(&mut tx, &grant, p, id, "moved", &reason).await?;
        if let Some((why, _)) = &over {
            self.seal_reason(&mut tx, &grant, p, id, "override", why).await?;
        }
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![row.patient_id],
            ("Appointment", id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = over_words("moved", &[id], over.as_ref());
        let _permit = self.permit_in(&mut tx, &event).await?;
        Ok(tx)
    }

    /// Cancels an appointment with a reason (sealed).
    pub async fn calendar_cancel(&self, actor: &Actor<'_>, id: i64, reason: &str) -> Result<(), AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let row = store::by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(tx.conn(), p, row.patient_id).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        Status::parse(&row.status)?.move_to(Status::Cancelled)?;
        let reason = check_change_reason("cancelled", reason)?;
        carekeep_store::records::set_appointment_status(tx.conn(), id, Status::Cancelled.as_str(), self.now()).await?;
        carekeep_store::move_requests::withdraw_for(tx.conn(), id, self.now()).await?;
        self.seal_reason(&mut tx, &grant, p, id, "cancelled", &reason).await?;
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![row.patient_id],
            ("Appointment", id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = "status cancelled".into();
        let _permit = self.permit_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that the patient confirmed (by phone, at the desk).
    pub async fn calendar_confirm(&self, actor: &Actor<'_>, id: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let row = store::by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(tx.conn(), p, row.patient_id).await?;
        let mut tx = self
            .require_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        if Status::parse(&row.status)? != Status::Booked {
            return Err(AppError::Invalid("only a booked appointment can be confirmed".into()));
        }
        store::confirm(tx.conn(), id, self.now()).await?;
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![row.patient_id],
            ("Appointment", id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = "confirmed".into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One appointment as the calendar shows it, for the page that moves or cancels it: an
    /// audited read of the patient's name and the appointment.
    pub async fn calendar_appointment(&self, actor: &Actor<'_>, id: i64) -> Result<CalendarItem, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let row = store::by_id(&mut conn, id)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(&mut conn, p, row.patient_id).await?;
        drop(conn);
        let a = opened.access();
        if !(a.reads(DataClass::Identity) && a.reads(DataClass::Scheduling)) {
            return Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::Identity, DataClass::Scheduling],
                    "your roles do not include the calendar",
                )
                .await);
        }
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            vec![row.patient_id],
            ("Appointment", id.to_string()),
            vec![DataClass::Identity, DataClass::Scheduling],
        );
        let permit = self.permit(event).await?;
        let patient = opened.row();
        let identity: Identity =
            self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
        let service: String = if row.service_ct.is_empty() {
            String::new()
        } else {
            self.open_json(&permit, CtColumn::AppointmentService, row.id, &row.service_ct)?
        };
        permit.confirm().await?;
        let zone = self.clinic_zone();
        Ok(CalendarItem {
            id,
            patient_id: row.patient_id,
            patient_name: identity_view(&identity).full_name(),
            service,
            provider_id: row.provider_id,
            room_id: row.room_id,
            start: zone.local(row.start_at),
            end: zone.local(row.end_at),
            status: Status::parse(&row.status)?,
            confirmed: row.confirmed_at.is_some(),
        })
    }

    /// The bounds of a day at the clinic (23 or 25 hours when the clocks change).
    pub fn clinic_day(&self, day: time::Date) -> (OffsetDateTime, OffsetDateTime) {
        day_bounds(&self.clinic_zone(), day)
    }
}

/// The audit reason of a booking or move: what was done and, for an override, over which
/// appointments and what clashed (the person's reason itself is sealed beside the appointment).
fn over_words(done: &str, ids: &[i64], over: Option<&(String, Vec<conflict::Conflict>)>) -> String {
    let mut words = format!(
        "{done} {}",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    );
    if let Some((_, conflicts)) = over {
        let what: Vec<String> = conflicts
            .iter()
            .map(|c| {
                let clashes: Vec<&str> = c
                    .clashes
                    .iter()
                    .map(|x| match x {
                        conflict::Clash::Provider => "provider",
                        conflict::Clash::Room => "room",
                        conflict::Clash::Patient => "patient",
                    })
                    .collect();
                format!("appointment {} ({})", c.with, clashes.join("+"))
            })
            .collect();
        words.push_str("; double-booking override");
        if !what.is_empty() {
            words.push_str(" over ");
            words.push_str(&what.join(", "));
        } else {
            words.push_str(" outside working hours");
        }
    }
    words
}
