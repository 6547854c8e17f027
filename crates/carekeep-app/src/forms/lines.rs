//! The lines of a patient's forms (no answers: the `scheduling` class): each form's title,
//! status, when it was signed, and the visits it is for.

use crate::{App, AppError};
use carekeep_domain::forms::Status;
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
        Ok(rows
            .iter()
            .map(|r| FormLine {
                visits: visits_of(r),
                visit_on: r.appointment_id.and_then(|a| visits.get(&a).map(|(t, _)| t.date())),
                response_id: r.id,
                packet_id: r.packet_id,
                appointment_id: r.appointment_id,
                title: titles.get(&r.template_id).cloned().unwrap_or_default(),
                status: Status::parse(&r.status).unwrap_or(Status::Pending),
                submitted_at: r.submitted_at.and_then(|t| self.local(t)),
            })
            .collect())
    }
}
