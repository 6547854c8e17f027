//! The calendar's day and week: appointments with the patient's name and the service (never
//! clinical detail), the free slots each provider can be booked in, and each day's summary.
//! One audited read of identity and scheduling for every patient shown, as the schedule does.

use super::hours::{all_weeks, day_bounds, default_shifts};
use crate::records::patients::identity_view;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::calendar::hours::free_slots;
use carekeep_domain::records::appointment::Status;
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::bookings::{self as store, BookingRow};
use carekeep_store::records::{CtColumn, PatientRow};
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime};

/// The grid's step: one row (day view) per half hour.
pub const SLOT_MINUTES: i64 = 30;

/// One appointment as the calendar shows it.
#[derive(Clone, Debug)]
pub struct CalendarItem {
    pub id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub service: String,
    pub provider_id: i64,
    pub room_id: Option<i64>,
    /// On the clinic's clock.
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub status: Status,
    pub confirmed: bool,
}

/// A day's count: booked (still holding their time), of them confirmed and unconfirmed, and
/// no-shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DaySummary {
    pub day: Option<Date>,
    pub booked: usize,
    pub confirmed: usize,
    pub unconfirmed: usize,
    pub no_show: usize,
    pub cancelled: usize,
}

/// A free start a provider can be booked at, on the clinic's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeSlot {
    pub provider_id: i64,
    pub start: OffsetDateTime,
}

#[derive(Clone, Debug, Default)]
pub struct CalendarView {
    pub days: Vec<Date>,
    pub providers: Vec<(i64, String)>,
    pub rooms: Vec<(i64, String)>,
    pub services: Vec<(i64, String)>,
    pub items: Vec<CalendarItem>,
    pub free: Vec<FreeSlot>,
    pub summary: Vec<DaySummary>,
}

/// Counts a day's appointments.
pub fn summarize(day: Date, items: &[&CalendarItem]) -> DaySummary {
    let mut s = DaySummary {
        day: Some(day),
        ..DaySummary::default()
    };
    for i in items {
        match i.status {
            Status::NoShow => s.no_show += 1,
            Status::Cancelled => s.cancelled += 1,
            Status::Booked => {
                s.booked += 1;
                if i.confirmed {
                    s.confirmed += 1;
                } else {
                    s.unconfirmed += 1;
                }
            }
            Status::CheckedIn | Status::Completed => {
                s.booked += 1;
                s.confirmed += 1;
            }
        }
    }
    s
}

impl App {
    /// `days` days of the calendar from `first` (1 for the day view, 7 for the week).
    pub async fn calendar(&self, actor: &Actor<'_>, first: Date, days: u8) -> Result<CalendarView, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let policy = self.policy();
        if !(policy.access(p.data_roles(), DataClass::Scheduling).can_read()
            && policy.access(p.data_roles(), DataClass::Identity).can_read())
        {
            return Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::Scheduling, DataClass::Identity],
                    "your roles do not include the calendar",
                )
                .await);
        }
        let zone = self.clinic_zone();
        let all_days: Vec<Date> = (0..i64::from(days.clamp(1, 7)))
            .filter_map(|d| first.checked_add(Duration::days(d)))
            .collect();
        let (from, _) = day_bounds(&zone, first);
        let (_, to) = day_bounds(&zone, all_days.last().copied().unwrap_or(first));
        let providers: Vec<(i64, String)> = self
            .bookable_providers()
            .await?
            .into_iter()
            .map(|(id, name)| (id.0, name))
            .collect();
        let mut conn = self.store().read().await?;
        let rows = store::between(&mut conn, from, to).await?;
        let rooms = carekeep_store::calendar::rooms(&mut conn).await?;
        let services = carekeep_store::calendar::services(&mut conn).await?;
        let weeks = all_weeks(&mut conn, &zone, &first.to_string()).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let patients = self.patients_by_id(&mut conn, &ids).await?;
        drop(conn);
        let shown: Vec<(&BookingRow, &PatientRow)> = rows
            .iter()
            .filter_map(|row| {
                let patient = patients.get(&row.patient_id)?;
                let a = self.list_access(&policy, p, patient);
                (a.reads(DataClass::Scheduling) && a.reads(DataClass::Identity)).then_some((row, patient))
            })
            .collect();
        let mut items = Vec::with_capacity(shown.len());
        if !shown.is_empty() {
            let mut listed: Vec<i64> = shown.iter().map(|(_, patient)| patient.id).collect();
            listed.sort_unstable();
            listed.dedup();
            let event = self.phi_event(
                p,
                Action::PhiRead,
                Outcome::Success,
                listed,
                ("Calendar", first.to_string()),
                vec![DataClass::Identity, DataClass::Scheduling],
            );
            let permit = self.permit(event).await?;
            let mut names: HashMap<i64, String> = HashMap::new();
            for (row, patient) in shown {
                if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(patient.id) {
                    let identity: Identity =
                        self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
                    slot.insert(identity_view(&identity).full_name());
                }
                let service: String = if row.service_ct.is_empty() {
                    String::new()
                } else {
                    self.open_json(&permit, CtColumn::AppointmentService, row.id, &row.service_ct)?
                };
                items.push(CalendarItem {
                    id: row.id,
                    patient_id: row.patient_id,
                    patient_name: names.get(&patient.id).cloned().unwrap_or_default(),
                    service,
                    provider_id: row.provider_id,
                    room_id: row.room_id,
                    start: zone.local(row.start_at),
                    end: zone.local(row.end_at),
                    status: Status::parse(&row.status)?,
                    confirmed: row.confirmed_at.is_some(),
                });
            }
            permit.confirm().await?;
        }
        // Free slots: every half hour of each provider's hours not held by an appointment
        // (its buffer included) or time off.
        let mut free = Vec::new();
        let step = Duration::minutes(SLOT_MINUTES);
        for (provider, _) in &providers {
            let week = weeks.get(provider).cloned().unwrap_or_default();
            let shifts = if week.shifts.is_empty() {
                default_shifts()
            } else {
                week.shifts
            };
            let busy: Vec<(OffsetDateTime, OffsetDateTime)> = rows
                .iter()
                .filter(|r| r.provider_id == *provider && !matches!(r.status.as_str(), "cancelled" | "no_show"))
                .map(|r| (r.start_at, r.end_at + Duration::minutes(r.buffer_minutes)))
                .collect();
            for day in &all_days {
                for start in free_slots(&zone, &shifts, &week.time_off, &busy, *day, step, step) {
                    free.push(FreeSlot {
                        provider_id: *provider,
                        start: zone.local(start),
                    });
                }
            }
        }
        let summary = all_days
            .iter()
            .map(|d| {
                let of_day: Vec<&CalendarItem> = items.iter().filter(|i| i.start.date() == *d).collect();
                summarize(*d, &of_day)
            })
            .collect();
        Ok(CalendarView {
            days: all_days,
            providers,
            rooms: rooms
                .into_iter()
                .filter(|r| !r.retired)
                .map(|r| (r.id, r.name))
                .collect(),
            services: services
                .into_iter()
                .filter(|s| !s.retired)
                .map(|s| (s.id, format!("{} ({} min)", s.name, s.minutes)))
                .collect(),
            items,
            free,
            summary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(status: Status, confirmed: bool) -> CalendarItem {
        CalendarItem {
            id: 1,
            patient_id: 1,
            patient_name: String::new(),
            service: String::new(),
            provider_id: 1,
            room_id: None,
            start: OffsetDateTime::UNIX_EPOCH,
            end: OffsetDateTime::UNIX_EPOCH,
            status,
            confirmed,
        }
    }

    #[test]
    fn a_days_summary_counts_each_status_once() {
        let items = [
            item(Status::Booked, true),
            item(Status::Booked, false),
            item(Status::Booked, false),
            item(Status::CheckedIn, false),
            item(Status::NoShow, false),
            item(Status::Cancelled, true),
        ];
        let refs: Vec<&CalendarItem> = items.iter().collect();
        let s = summarize(Date::MIN, &refs);
        assert_eq!(
            (s.booked, s.confirmed, s.unconfirmed, s.no_show, s.cancelled),
            (4, 2, 2, 1, 1)
        );
    }
}
