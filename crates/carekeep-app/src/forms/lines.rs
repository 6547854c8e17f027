//! Where each form asked of a patient stands, with no answers (the `scheduling` class): the
//! chart header's "Forms:" line and the calendar's "Forms missing". A form sent by hand and
//! reused for a booked visit is wanted before that visit, and said so.

use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms::Status;
use carekeep_domain::DataClass;
use carekeep_store::forms::{self as store, ResponseRow};
use carekeep_store::Conn;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// One form asked of a patient, with its status (no answers).
#[derive(Clone, Debug)]
pub struct FormLine {
    pub response_id: i64,
    pub packet_id: i64,
    pub appointment_id: Option<i64>,
    pub title: String,
    pub status: Status,
    /// In the clinic's zone.
    pub submitted_at: Option<OffsetDateTime>,
    /// The day of the visit the form was asked for, in the clinic's zone (none: sent by staff).
    pub visit_on: Option<time::Date>,
    /// Every visit the form is for, not cancelled, in time order, in the clinic's zone: the
    /// one its packet was made for and each later one it was reused for (a form sent by hand
    /// and then asked by a booking is for that booking's visit).
    pub visits: Vec<(i64, OffsetDateTime)>,
}

/// A patient's forms for the chart header.
#[derive(Clone, Debug)]
pub struct PatientForms {
    pub lines: Vec<FormLine>,
    /// Since when forms must be given on paper (the consent to sign electronically was
    /// withdrawn and not given again), in the clinic's zone.
    pub paper_since: Option<OffsetDateTime>,
}

impl App {
    /// The lines of a patient's responses, with their titles.
    pub(crate) async fn form_lines(&self, conn: &mut Conn, rows: &[ResponseRow]) -> Result<Vec<FormLine>, AppError> {
        let titles: BTreeMap<i64, String> = store::templates(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.title))
            .collect();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let reused = store::response_visits(conn, &ids).await?;
        // Each visit's start, and whether it still takes place.
        let mut visits: BTreeMap<i64, (OffsetDateTime, bool)> = BTreeMap::new();
        let wanted = rows
            .iter()
            .filter_map(|r| r.appointment_id)
            .chain(reused.iter().map(|v| v.1));
        for a in wanted {
            if let std::collections::btree_map::Entry::Vacant(e) = visits.entry(a) {
                if let Ok(row) = carekeep_store::records::appointment_by_id(conn, a).await {
                    e.insert((self.clinic_zone().local(row.start_at), row.status != "cancelled"));
                }
            }
        }
        let visits_of = |r: &ResponseRow| -> Vec<(i64, OffsetDateTime)> {
            let mut v: Vec<(i64, OffsetDateTime)> = r
                .appointment_id
                .into_iter()
                .chain(reused.iter().filter(|v| v.0 == r.id).map(|v| v.1))
                .filter_map(|a| visits.get(&a).filter(|(_, on)| *on).map(|(t, _)| (a, *t)))
                .collect();
            v.sort_by_key(|(a, t)| (*t, *a));
            v.dedup();
            v
        };
        // A form sent by hand and reused for a booked visit is wanted before that visit: the
        // next one it counts for (else the latest), as a form of the visit's own packet.
        let today = self.clinic_today();
        let wanted_by = |response: i64| {
            let days = || {
                reused
                    .iter()
                    .filter(move |(r, _)| *r == response)
                    .filter_map(|(_, a)| visits.get(a).map(|(t, _)| t.date()))
            };
            days().filter(|d| *d >= today).min().or_else(|| days().max())
        };
        Ok(rows
            .iter()
            .map(|r| FormLine {
                visits: visits_of(r),
                visit_on: match r.appointment_id {
                    Some(a) => visits.get(&a).map(|(t, _)| t.date()),
                    None => wanted_by(r.id),
                },
                response_id: r.id,
                packet_id: r.packet_id,
                appointment_id: r.appointment_id,
                title: titles.get(&r.template_id).cloned().unwrap_or_default(),
                status: Status::parse(&r.status).unwrap_or(Status::Pending),
                submitted_at: r.submitted_at.and_then(|t| self.local(t)),
            })
            .collect())
    }

    /// The forms a patient was asked for and where each stands: no answers. The scheduling
    /// class's read (the front desk sees which forms are done); one audited read.
    pub async fn patient_forms(&self, actor: &Actor<'_>, patient: i64) -> Result<Vec<FormLine>, AppError> {
        Ok(self.patient_forms_view(actor, patient).await?.lines)
    }

    /// The same, with whether the patient's forms must be on paper (the E-SIGN consent was
    /// withdrawn, 15 U.S.C. 7001(c)(1)(A)): the chart header's "Forms:" line.
    pub async fn patient_forms_view(&self, actor: &Actor<'_>, patient: i64) -> Result<PatientForms, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let opened = self.open_patient(&mut conn, p, patient).await?;
        let rows = store::responses_for_patient(&mut conn, patient).await?;
        let lines = self.form_lines(&mut conn, &rows).await?;
        let paper_since = self.paper_since(&mut conn, patient).await?;
        drop(conn);
        self.require_read(p, &opened, DataClass::Scheduling, Action::PhiRead)
            .await?;
        let mut event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            vec![patient],
            ("FormPacket", patient.to_string()),
            vec![DataClass::Scheduling],
        );
        event.reason = "which forms are done".into();
        self.permit(event).await?.confirm().await?;
        Ok(PatientForms { lines, paper_since })
    }

    /// The forms still missing for each of these appointments (titles), for the calendar:
    /// only appointments of patients whose scheduling class `actor` reads. The calendar's own
    /// read already recorded the appointments; the titles name no answer.
    pub async fn forms_missing(
        &self,
        actor: &Actor<'_>,
        appointments: &[i64],
    ) -> Result<BTreeMap<i64, Vec<String>>, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let rows = store::responses_for_appointments(&mut conn, appointments).await?;
        let patients: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let by_id = self.patients_by_id(&mut conn, &patients).await?;
        let policy = self.policy();
        let open: Vec<ResponseRow> = rows
            .into_iter()
            .filter(|r| !Status::parse(&r.status).is_some_and(Status::done))
            .filter(|r| {
                by_id
                    .get(&r.patient_id)
                    .is_some_and(|row| self.list_access(&policy, p, row).reads(DataClass::Scheduling))
            })
            .collect();
        let lines = self.form_lines(&mut conn, &open).await?;
        let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for l in lines {
            if let Some(a) = l.appointment_id {
                out.entry(a).or_default().push(l.title);
            }
        }
        Ok(out)
    }
}
