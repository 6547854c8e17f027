//! The waitlist per service (issue 26): staff with the scheduling class put a patient on a
//! service's list with preferred weekdays and hours and a sealed note; when an appointment for
//! that service is cancelled, the first person waiting who fits the freed slot
//! (`carekeep_domain::calendar::waitlist::first_fit`) is offered it, and booked into it through
//! the same booking use case and conflict rule, leaving the list. Writes go through the chart's
//! policy (`grant_write`, class `scheduling`); every read of names is one audited read
//! (164.312(b)).

use super::book::{when, BookInput};
use crate::records::patients::identity_view;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::calendar::waitlist::{self as rule, Slot, Waiting};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::records::{CtColumn, PatientRow};
use carekeep_store::waitlist::{self as store, NewWait, WaitRow};
use std::collections::HashMap;
use time::{Time, Weekday};

/// An entry as the form gave it.
#[derive(Clone, Debug, Default)]
pub struct WaitInput {
    pub patient: i64,
    pub service: i64,
    /// Preferred weekdays (Monday = bit 0); 0 any day.
    pub days: u8,
    pub from: Option<Time>,
    pub until: Option<Time>,
    pub note: String,
}

/// One person waiting, as the list shows them.
#[derive(Clone, Debug)]
pub struct WaitView {
    pub id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub service_id: i64,
    /// `Mon, Tue` or `Any day`.
    pub days: String,
    /// `9:00 AM to 12:00 PM` or `Any time`.
    pub hours: String,
    pub note: String,
    /// `12/06/2026`.
    pub added: String,
}

/// A time a cancelled or moved appointment freed: its service, provider, room and times.
/// Ids and times only, no patient: it may travel in an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreedSlot {
    pub service: i64,
    pub provider: i64,
    pub room: Option<i64>,
    pub start: time::OffsetDateTime,
    pub end: time::OffsetDateTime,
}

/// A freed slot offered to the first person waiting who fits it.
#[derive(Clone, Debug)]
pub struct Offer {
    pub wait_id: i64,
    pub slot: FreedSlot,
    pub patient_name: String,
    pub service: String,
    /// `12/08/2026 9:00 AM`.
    pub when: String,
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Mon"),
    (Weekday::Tuesday, "Tue"),
    (Weekday::Wednesday, "Wed"),
    (Weekday::Thursday, "Thu"),
    (Weekday::Friday, "Fri"),
    (Weekday::Saturday, "Sat"),
    (Weekday::Sunday, "Sun"),
];

fn clock(t: Time) -> String {
    let (h, m) = (t.hour(), t.minute());
    let (twelve, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{twelve}:{m:02} {half}")
}

fn plain(t: time::OffsetDateTime) -> time::PrimitiveDateTime {
    time::PrimitiveDateTime::new(t.date(), t.time())
}

fn minute(t: Time) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

fn time_of(m: i64) -> Option<Time> {
    Time::from_hms(u8::try_from(m / 60).ok()?, u8::try_from(m % 60).ok()?, 0).ok()
}

fn waiting(row: &WaitRow) -> Waiting {
    let hours = match (row.from_minute.and_then(time_of), row.until_minute.and_then(time_of)) {
        (Some(f), Some(u)) => Some((f, u)),
        _ => None,
    };
    Waiting {
        id: row.id,
        service: row.service_id,
        days: u8::try_from(row.days & 0x7f).unwrap_or(0),
        hours,
        added_at: row.added_at.unix_timestamp(),
    }
}

impl App {
    fn require_calendar_reader(&self, p: &crate::Principal) -> bool {
        let policy = self.policy();
        policy.access(p.data_roles(), DataClass::Scheduling).can_read()
            && policy.access(p.data_roles(), DataClass::Identity).can_read()
    }

    /// Puts a patient on a service's waitlist. Returns the entry's id.
    pub async fn waitlist_add(&self, actor: &Actor<'_>, input: WaitInput) -> Result<i64, AppError> {
        let p = actor.person()?;
        let hours = rule::check_hours(input.from, input.until)?;
        let note = rule::check_note(&input.note)?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, input.patient).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Scheduling, Action::PhiCreate)
            .await?;
        let service = self.service(tx.conn(), input.service).await?;
        let id = store::add(
            tx.conn(),
            &NewWait {
                patient_id: input.patient,
                service_id: service.id,
                days: i64::from(input.days & 0x7f),
                from_minute: hours.map(|(f, _)| minute(f)),
                until_minute: hours.map(|(_, u)| minute(u)),
                added_by: p.user_id.0,
            },
            self.now(),
        )
        .await?;
        if !note.is_empty() {
            self.put_json(tx.conn(), &grant, CtColumn::WaitlistNote, id, &note)
                .await?;
        }
        let mut event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![input.patient],
            ("Waitlist", id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!("added to the waitlist of service {}", service.id);
        let _permit = self.permit_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Takes a patient off the waitlist.
    pub async fn waitlist_remove(&self, actor: &Actor<'_>, id: i64) -> Result<(), AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let row = store::open_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("waitlist entry"))?;
        let opened = self.open_patient(tx.conn(), p, row.patient_id).await?;
        let (mut tx, _grant) = self
            .grant_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        store::close(tx.conn(), id, "removed", None, self.now()).await?;
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![row.patient_id],
            ("Waitlist", id.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = "removed from the waitlist".into();
        let _permit = self.permit_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Everyone waiting, every service, first come first: one audited read of the names and
    /// notes shown.
    pub async fn waitlist(&self, actor: &Actor<'_>) -> Result<Vec<WaitView>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        if !self.require_calendar_reader(p) {
            return Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::Scheduling, DataClass::Identity],
                    "your roles do not include the calendar",
                )
                .await);
        }
        let policy = self.policy();
        let mut conn = self.store().read().await?;
        let rows = store::open(&mut conn).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let patients = self.patients_by_id(&mut conn, &ids).await?;
        drop(conn);
        let shown: Vec<(&WaitRow, &PatientRow)> = rows
            .iter()
            .filter_map(|row| {
                let patient = patients.get(&row.patient_id)?;
                let a = self.list_access(&policy, p, patient);
                (a.reads(DataClass::Scheduling) && a.reads(DataClass::Identity)).then_some((row, patient))
            })
            .collect();
        if shown.is_empty() {
            return Ok(Vec::new());
        }
        let mut listed: Vec<i64> = shown.iter().map(|(_, patient)| patient.id).collect();
        listed.sort_unstable();
        listed.dedup();
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            listed,
            ("Waitlist", "all".into()),
            vec![DataClass::Identity, DataClass::Scheduling],
        );
        let permit = self.permit(event).await?;
        let zone = self.clinic_zone();
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut out = Vec::with_capacity(shown.len());
        for (row, patient) in shown {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(patient.id) {
                let identity: Identity =
                    self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
                slot.insert(identity_view(&identity).full_name());
            }
            let note: String = if row.note_ct.is_empty() {
                String::new()
            } else {
                self.open_json(&permit, CtColumn::WaitlistNote, row.id, &row.note_ct)?
            };
            let w = waiting(row);
            let days: Vec<&str> = DAYS
                .iter()
                .filter(|(d, _)| w.days & rule::day_bit(*d) != 0)
                .map(|(_, n)| *n)
                .collect();
            let added = when(&zone, row.added_at);
            out.push(WaitView {
                id: row.id,
                patient_id: row.patient_id,
                patient_name: names.get(&patient.id).cloned().unwrap_or_default(),
                service_id: row.service_id,
                days: if days.is_empty() {
                    "Any day".into()
                } else {
                    days.join(", ")
                },
                hours: match w.hours {
                    Some((f, u)) => format!("{} to {}", clock(f), clock(u)),
                    None => "Any time".into(),
                },
                note,
                added: added.split(' ').next().unwrap_or_default().to_string(),
            });
        }
        permit.confirm().await?;
        Ok(out)
    }

    /// The time an appointment holds now, as a slot it would free (before a move or after a
    /// cancel); none without a service. Reads no names.
    pub async fn freed_by(&self, appointment: i64) -> Result<Option<FreedSlot>, AppError> {
        let mut conn = self.store().read().await?;
        freed_slot(&mut conn, appointment).await
    }

    /// The first entry of the waitlist that fits a freed slot still to come.
    async fn first_waiting(&self, slot: &FreedSlot) -> Result<Option<WaitRow>, AppError> {
        if slot.start <= self.now() || slot.end <= slot.start {
            return Ok(None);
        }
        let mut conn = self.store().read().await?;
        let rows = store::open_for(&mut conn, slot.service).await?;
        drop(conn);
        let zone = self.clinic_zone();
        let local = Slot {
            service: slot.service,
            start: plain(zone.local(slot.start)),
            end: plain(zone.local(slot.end)),
        };
        let list: Vec<Waiting> = rows.iter().map(waiting).collect();
        let Some(first) = rule::first_fit(&local, &list) else {
            return Ok(None);
        };
        let id = first.id;
        Ok(rows.into_iter().find(|r| r.id == id))
    }

    /// Whether someone on the waitlist fits the slot a cancelled or moved appointment freed (no names).
    pub async fn waitlist_fits(&self, slot: &FreedSlot) -> Result<bool, AppError> {
        Ok(self.first_waiting(slot).await?.is_some())
    }

    /// The offer of the slot a cancelled or moved appointment freed: the first person waiting for its
    /// service who fits it, by name (an audited read), or none.
    pub async fn waitlist_offer(&self, actor: &Actor<'_>, slot: &FreedSlot) -> Result<Option<Offer>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let Some(wait) = self.first_waiting(slot).await? else {
            return Ok(None);
        };
        let mut conn = self.store().read().await?;
        let opened = self.open_patient(&mut conn, p, wait.patient_id).await?;
        let services = carekeep_store::calendar::services(&mut conn).await?;
        drop(conn);
        let a = opened.access();
        if !(a.reads(DataClass::Identity) && a.reads(DataClass::Scheduling)) {
            return Ok(None);
        }
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            vec![wait.patient_id],
            ("Waitlist", wait.id.to_string()),
            vec![DataClass::Identity, DataClass::Scheduling],
        );
        let permit = self.permit(event).await?;
        let patient = opened.row();
        let identity: Identity =
            self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
        permit.confirm().await?;
        Ok(Some(Offer {
            wait_id: wait.id,
            slot: *slot,
            patient_name: identity_view(&identity).full_name(),
            service: services
                .iter()
                .find(|s| s.id == slot.service)
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            when: when(&self.clinic_zone(), slot.start),
        }))
    }

    /// Books the person waiting into the slot a cancelled or moved appointment freed, through the same
    /// booking and conflict rule (no override), and takes them off the list. Returns the new
    /// appointment's id.
    pub async fn waitlist_book(&self, actor: &Actor<'_>, wait: i64, slot: &FreedSlot) -> Result<i64, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let entry = store::open_by_id(&mut conn, wait)
            .await
            .map_err(|_| AppError::Invalid("this person is no longer on the waitlist".into()))?;
        drop(conn);
        if slot.service != entry.service_id || slot.start <= self.now() {
            return Err(AppError::Invalid("this time is no longer free for this service".into()));
        }
        let ids = self
            .calendar_book(
                actor,
                BookInput {
                    patient: entry.patient_id,
                    provider: slot.provider,
                    service: entry.service_id,
                    room: slot.room,
                    start: Some(slot.start),
                    repeat: None,
                    override_reason: String::new(),
                },
            )
            .await?;
        let id = ids.first().copied().unwrap_or_default();
        let mut tx = self.store().begin().await?;
        store::close(tx.conn(), wait, "booked", Some(id), self.now()).await?;
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![entry.patient_id],
            ("Waitlist", wait.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!("booked from the waitlist into appointment {id}");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// The time an appointment holds now, which a move or a cancellation frees (no names read).
pub(crate) async fn freed_slot(
    conn: &mut carekeep_store::Conn,
    appointment: i64,
) -> Result<Option<FreedSlot>, AppError> {
    let row = carekeep_store::bookings::by_id(conn, appointment)
        .await
        .map_err(|_| AppError::NotFound("appointment"))?;
    Ok(row.service_id.map(|service| FreedSlot {
        service,
        provider: row.provider_id,
        room: row.room_id,
        start: row.start_at,
        end: row.end_at,
    }))
}
