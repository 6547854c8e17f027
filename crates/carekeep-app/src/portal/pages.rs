//! What the patient sees: their appointments (confirm, cancel) and the clinic's current
//! Notice of Privacy Practices with its electronic acknowledgment. Each read opens the
//! patient's own record through the chart's policy and a permit, audited as the patient.

use super::{hex, portal_patient};
use crate::calendar::LinkAnswer;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::calendar::link::{state, LinkState};
use carekeep_domain::records::appointment::Status;
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::records::CtColumn;
use carekeep_store::{bookings, npp, portal as store};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// One appointment as the patient sees it.
#[derive(Clone, Debug)]
pub struct AppointmentLine {
    pub id: i64,
    /// On the clinic's clock.
    pub start: OffsetDateTime,
    pub service: String,
    pub status: &'static str,
    pub may_confirm: bool,
    pub may_cancel: bool,
    /// The patient may ask for a new time (the service allows it online; issue 27 item 3).
    pub may_ask_move: bool,
    /// The latest request for a new time, if any.
    pub move_status: Option<super::MoveStatus>,
}

/// The portal's first page.
#[derive(Clone, Debug)]
pub struct PortalHome {
    pub given_name: String,
    pub upcoming: Vec<AppointmentLine>,
    pub past: Vec<AppointmentLine>,
    /// Said to a minor's parent or guardian when the minor's own care is left out.
    pub left_out: Option<&'static str>,
    /// How many forms the clinic asked for are still to fill in and sign (which ones is the
    /// forms page's read).
    pub forms_to_fill: usize,
}

/// The clinic's current notice and whether this patient acknowledged it.
#[derive(Clone, Debug)]
pub struct NoticeView {
    pub version_id: i64,
    pub version: i64,
    pub effective_on: String,
    pub body: String,
    pub sha256: String,
    pub acknowledged_at: Option<OffsetDateTime>,
}

fn sha256(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

impl App {
    /// The patient's name and appointments, upcoming first in time order, then the past ones
    /// newest first. One audited read of identity and schedule (164.312(b)).
    pub async fn portal_home(&self, actor: &Actor<'_>) -> Result<PortalHome, AppError> {
        let pp = portal_patient(actor)?;
        let mut conn = self.store().read().await?;
        let opened = self.open_for_portal(&mut conn, pp, pp.patient_id).await?;
        if !opened.access().reads(DataClass::Scheduling) {
            return Err(AppError::NotFound("page"));
        }
        let left_out = self.portal_left_out(&mut conn, pp).await?;
        let forms_to_fill = carekeep_store::forms::responses_for_patient(&mut conn, pp.patient_id)
            .await?
            .iter()
            .filter(|r| !carekeep_domain::forms::Status::parse(&r.status).is_some_and(|s| s.done()))
            .filter(|r| !Self::form_left_out(r.appointment_id, &left_out))
            .count();
        let rows = store::appointments(&mut conn, pp.patient_id).await?;
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|b| !left_out.contains(&carekeep_domain::people::Item::Appointment(b.id)))
            .collect();
        let mut event = self.event(actor, Action::PhiRead, Outcome::Success);
        event.patients = vec![pp.patient_id];
        event.resource_type = "Patient".into();
        event.resource_id = pp.patient_id.to_string();
        event.data_classes = vec![DataClass::Identity, DataClass::Scheduling];
        event.reason = "portal: the patient's appointments".into();
        let permit = self.permit(event).await?;
        let row = opened.row();
        let identity: Identity = self.open_json(&permit, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
        let now = self.now();
        let rules = super::moves::MoveRules::read(&mut conn, pp.patient_id).await?;
        let mut moves = self.portal_move_statuses(&mut conn, &permit, pp.patient_id).await?;
        let (mut upcoming, mut past) = (Vec::new(), Vec::new());
        for b in rows {
            let status = Status::parse(&b.status)?;
            let service: String = if b.service_ct.is_empty() {
                String::new()
            } else {
                self.open_json(&permit, CtColumn::AppointmentService, b.id, &b.service_ct)?
            };
            let open = state(now, b.start_at, false, status) == LinkState::Open;
            let line = AppointmentLine {
                id: b.id,
                start: self.clinic_zone().local(b.start_at),
                service,
                status: match status {
                    Status::Booked if b.confirmed_at.is_some() => "Confirmed",
                    Status::Booked if b.start_at <= now => "Past",
                    Status::Booked => "Booked, not confirmed yet",
                    Status::CheckedIn => "Checked in",
                    Status::Completed => "Done",
                    Status::NoShow => "Missed",
                    Status::Cancelled => "Cancelled",
                },
                may_confirm: open && b.confirmed_at.is_none(),
                may_cancel: open,
                may_ask_move: rules.check(&b, now)?.is_ok(),
                move_status: moves
                    .iter()
                    .position(|(a, _)| *a == b.id)
                    .map(|i| moves.swap_remove(i).1),
            };
            if b.start_at > now && status != Status::Cancelled {
                upcoming.push(line);
            } else {
                past.push(line);
            }
        }
        past.reverse();
        drop(conn);
        permit.confirm().await?;
        Ok(PortalHome {
            given_name: identity.given_name,
            upcoming,
            past,
            left_out: App::portal_left_out_words(&left_out),
            forms_to_fill,
        })
    }

    /// The patient confirms or cancels one of their own appointments still to come, the same
    /// way the reminder's link does. Another patient's appointment is "not found".
    pub async fn portal_answer(&self, actor: &Actor<'_>, appointment: i64, answer: LinkAnswer) -> Result<(), AppError> {
        let pp = portal_patient(actor)?;
        let mut tx = self.store().begin().await?;
        let row = bookings::by_id(tx.conn(), appointment)
            .await
            .map_err(|_| AppError::NotFound("page"))?;
        let opened = self.open_for_portal(tx.conn(), pp, row.patient_id).await?;
        if !opened.access().writes(DataClass::Scheduling)
            || self
                .portal_left_out(tx.conn(), pp)
                .await?
                .contains(&carekeep_domain::people::Item::Appointment(row.id))
        {
            return Err(AppError::NotFound("page"));
        }
        let status = Status::parse(&row.status)?;
        if state(self.now(), row.start_at, false, status) != LinkState::Open {
            return Err(AppError::Conflict(
                "this appointment can no longer be changed here: please call the clinic".into(),
            ));
        }
        self.apply_patient_answer(tx.conn(), row.id, answer).await?;
        if answer == LinkAnswer::Cancel {
            carekeep_store::move_requests::withdraw_for(tx.conn(), row.id, self.now()).await?;
        }
        let mut event = self.event(actor, Action::PhiUpdate, Outcome::Success);
        event.patients = vec![row.patient_id];
        event.resource_type = "Appointment".into();
        event.resource_id = row.id.to_string();
        event.data_classes = vec![DataClass::Scheduling];
        event.reason = match answer {
            LinkAnswer::Confirm => "portal: confirmed by the patient",
            LinkAnswer::Cancel => "portal: cancelled by the patient",
        }
        .into();
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The clinic's current notice and whether the patient acknowledged it (an audited read
    /// of their acknowledgments). `None` while the clinic has published none.
    pub async fn portal_notice(&self, actor: &Actor<'_>) -> Result<Option<NoticeView>, AppError> {
        let pp = portal_patient(actor)?;
        let mut conn = self.store().read().await?;
        self.open_for_portal(&mut conn, pp, pp.patient_id).await?;
        let Some(current) = npp::versions(&mut conn).await?.into_iter().next() else {
            return Ok(None);
        };
        let acks = store::acks(&mut conn, pp.patient_id).await?;
        drop(conn);
        let mut event = self.event(actor, Action::PhiRead, Outcome::Success);
        event.patients = vec![pp.patient_id];
        event.resource_type = "NppAcknowledgement".into();
        event.resource_id = current.id.to_string();
        event.data_classes = vec![DataClass::Identity];
        event.reason = "portal: the notice of privacy practices and its acknowledgment".into();
        self.permit(event).await?.confirm().await?;
        let hash = sha256(&current.body);
        Ok(Some(NoticeView {
            version_id: current.id,
            version: current.version,
            effective_on: current.effective_on,
            acknowledged_at: acks
                .iter()
                .find(|a| a.version_id == current.id && a.version_sha256 == hash)
                .map(|a| self.clinic_zone().local(a.acknowledged_at)),
            body: current.body,
            sha256: hash,
        }))
    }

    /// The patient acknowledges receiving the current notice (164.520(c)(2)(ii)): kept with
    /// who, when, from where and the SHA-256 of the text shown. Only the current version.
    pub async fn portal_acknowledge_notice(&self, actor: &Actor<'_>, version_id: i64) -> Result<(), AppError> {
        let pp = portal_patient(actor)?;
        let mut tx = self.store().begin().await?;
        self.open_for_portal(tx.conn(), pp, pp.patient_id).await?;
        let current = npp::versions(tx.conn())
            .await?
            .into_iter()
            .next()
            .filter(|v| v.id == version_id)
            .ok_or_else(|| AppError::Conflict("the clinic has a newer notice: please read it again".into()))?;
        let hash = sha256(&current.body);
        let origin = actor.origin();
        let id = store::insert_ack(
            tx.conn(),
            &store::NewAck {
                patient_id: pp.patient_id,
                version_id: current.id,
                version_sha256: &hash,
                source_ip: &origin.source_ip,
                user_agent: &origin.user_agent,
            },
            self.now(),
        )
        .await?;
        let mut event = self.event(actor, Action::PhiCreate, Outcome::Success);
        event.patients = vec![pp.patient_id];
        event.resource_type = "NppAcknowledgement".into();
        event.resource_id = id.to_string();
        event.data_classes = vec![DataClass::Identity];
        event.reason = format!(
            "portal: notice version {} acknowledged electronically (sha256 {hash})",
            current.version
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}
