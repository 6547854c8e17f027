//! Appointments and the day's schedule (class `scheduling`).

use super::patients::identity_view;
use super::rfc3339;
use super::view::*;
use crate::permit::Permit;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms;
use carekeep_domain::records::appointment::{
    check_provider, check_service, check_times, ProviderLookup, Status, NOT_BOOKABLE,
};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::{DataClass, UserId};
use carekeep_store::records::{self as store, AppointmentRow, CtColumn, PatientRow};
use carekeep_store::users;
use std::collections::HashMap;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

/// A booking as typed.
#[derive(Debug)]
pub struct NewAppointment {
    pub provider_id: UserId,
    pub service: String,
    pub start: OffsetDateTime,
    pub minutes: i64,
}

impl App {
    pub(crate) fn appointment_view(
        &self,
        permit: &Permit,
        row: &AppointmentRow,
        names: &HashMap<i64, String>,
    ) -> Result<AppointmentView, AppError> {
        let status = Status::parse(&row.status)?;
        Ok(AppointmentView {
            id: row.id,
            patient_id: row.patient_id,
            provider_id: row.provider_id,
            provider_name: names.get(&row.provider_id).cloned().unwrap_or_default(),
            service: self.open_json(permit, CtColumn::AppointmentService, row.id, &row.service_ct)?,
            start: rfc3339(self.clinic_zone().local(row.start_at)),
            end: rfc3339(self.clinic_zone().local(row.end_at)),
            status: status.as_str().to_owned(),
            status_label: status.label().to_owned(),
            next: status.next().iter().map(|s| s.as_str().to_owned()).collect(),
        })
    }

    pub(crate) fn scheduling_view(
        &self,
        permit: &Permit,
        rows: &[AppointmentRow],
        names: &HashMap<i64, String>,
    ) -> Result<SchedulingView, AppError> {
        Ok(SchedulingView {
            appointments: rows
                .iter()
                .map(|r| self.appointment_view(permit, r, names))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Today's date at the clinic.
    pub fn clinic_today(&self) -> Date {
        self.clinic_zone().local(self.now()).date()
    }

    /// Books an appointment with a provider.
    pub async fn book_appointment(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        input: NewAppointment,
    ) -> Result<AppointmentView, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Scheduling, Action::PhiCreate)
            .await?;
        let service = check_service(&input.service)?;
        // Bounded before any arithmetic: a huge length would overflow the time types (found by
        // the API fuzzer: the request panicked).
        if !(1..=12 * 60).contains(&input.minutes) {
            return Err(AppError::Invalid("an appointment lasts 1 to 720 minutes".into()));
        }
        let end = input
            .start
            .checked_add(time::Duration::minutes(input.minutes))
            .ok_or_else(|| AppError::Invalid("the appointment's start is out of range".into()))?;
        check_times(input.start, end)?;
        let provider = match users::by_id(tx.conn(), input.provider_id).await {
            Ok(u) => Some(u),
            Err(carekeep_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        check_provider(match &provider {
            None => ProviderLookup::Missing,
            Some(u) => ProviderLookup::Found {
                active: u.disabled_at.is_none(),
                clinical: self.policy().access(&u.roles, DataClass::Clinical).can_write(),
            },
        })?;
        let Some(provider) = provider else {
            return Err(AppError::Invalid(NOT_BOOKABLE.into()));
        };
        // No double booking from the chart either (issue 26): the clash is named.
        self.refuse_chart_clashes(tx.conn(), patient, provider.id.0, input.start, end)
            .await?;
        let now = self.now();
        let id = store::insert_appointment(
            tx.conn(),
            patient,
            provider.id.0,
            input.start,
            end,
            Status::Booked.as_str(),
            now,
        )
        .await?;
        self.put_json(tx.conn(), &grant, CtColumn::AppointmentService, id, &service)
            .await?;
        // The forms the named service asks (issue 28): the same packet as a booking on the
        // calendar, so a form sent earlier by hand and still open counts for this visit.
        let services = carekeep_store::calendar::services(tx.conn()).await?;
        let named = forms::packet::service_named(&service, services.iter().map(|s| (s.id, s.name.as_str(), s.retired)));
        if let Some(named) = named {
            self.make_visit_packet(tx.conn(), patient, id, named, input.start, Some(p.user_id.0))
                .await?;
        }
        let event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![patient],
            ("Appointment", id.to_string()),
            vec![DataClass::Scheduling],
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        let row = store::appointment_by_id(tx.conn(), id).await?;
        let names = users::display_names(tx.conn()).await?;
        tx.commit().await?;
        self.appointment_view(&permit, &row, &names)
    }

    /// Moves an appointment on: check in, complete, no-show, cancel.
    pub async fn set_appointment_status(
        &self,
        actor: &Actor<'_>,
        appointment: i64,
        to: &str,
    ) -> Result<AppointmentView, AppError> {
        let p = actor.person()?;
        let to = Status::parse(to)?;
        let mut tx = self.store().begin().await?;
        let row = store::appointment_by_id(tx.conn(), appointment)
            .await
            .map_err(|_| AppError::NotFound("appointment"))?;
        let opened = self.open_patient(tx.conn(), p, row.patient_id).await?;
        tx = self
            .require_write(tx, p, &opened, DataClass::Scheduling, Action::PhiUpdate)
            .await?;
        Status::parse(&row.status)?.move_to(to)?;
        let now = self.now();
        store::set_appointment_status(tx.conn(), appointment, to.as_str(), now).await?;
        if matches!(to, Status::CheckedIn | Status::Completed) {
            store::mark_seen(tx.conn(), row.patient_id, now).await?;
        }
        let mut event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![row.patient_id],
            ("Appointment", appointment.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = format!("status {}", to.as_str());
        let permit = self.permit_in(&mut tx, &event).await?;
        let row = store::appointment_by_id(tx.conn(), appointment).await?;
        let names = users::display_names(tx.conn()).await?;
        tx.commit().await?;
        self.appointment_view(&permit, &row, &names)
    }

    /// One day's schedule at the clinic, in time order, with each patient's name. Needs read
    /// access to scheduling and identity; audited as one read of every patient listed.
    pub async fn schedule(&self, actor: &Actor<'_>, day: Date) -> Result<Vec<ScheduleItem>, AppError> {
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
                    "your roles do not include the schedule",
                )
                .await);
        }
        // A day at the clinic: 23 or 25 hours long when the clocks change.
        let from = self.clinic_zone().assume(PrimitiveDateTime::new(day, Time::MIDNIGHT));
        let to = match day.next_day() {
            Some(next) => self.clinic_zone().assume(PrimitiveDateTime::new(next, Time::MIDNIGHT)),
            None => from + time::Duration::days(1),
        };
        let mut conn = self.store().read().await?;
        let rows = store::appointments_between(&mut conn, from, to).await?;
        let names = users::display_names(&mut conn).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let patients = self.patients_by_id(&mut conn, &ids).await?;
        drop(conn);
        let shown: Vec<(&AppointmentRow, &PatientRow)> = rows
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
        listed.dedup();
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            listed,
            ("Schedule", day.to_string()),
            vec![DataClass::Identity, DataClass::Scheduling],
        );
        let permit = self.permit(event).await?;
        let mut out = Vec::with_capacity(shown.len());
        for (row, patient) in shown {
            let identity: Identity =
                self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
            let iv = identity_view(&identity);
            out.push(ScheduleItem {
                appointment: self.appointment_view(&permit, row, &names)?,
                patient_name: iv.full_name(),
                record_number: iv.record_number,
            });
        }
        permit.confirm().await?;
        Ok(out)
    }

    /// Staff who can be booked: active accounts with clinical write access.
    pub async fn bookable_providers(&self) -> Result<Vec<(UserId, String)>, AppError> {
        let mut conn = self.store().read().await?;
        let policy = self.policy();
        Ok(users::all(&mut conn)
            .await?
            .into_iter()
            .filter(|u| u.disabled_at.is_none() && policy.access(&u.roles, DataClass::Clinical).can_write())
            .map(|u| (u.id, u.display_name))
            .collect())
    }
}
