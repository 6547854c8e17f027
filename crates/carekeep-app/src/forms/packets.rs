//! Packets: the forms one patient is asked to fill before a visit. Made when a visit is booked
//! (from the service's forms and how often each is asked), or sent by staff. Statuses are the
//! `scheduling` class; answers the `clinical` class.

use super::parse_body;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms::packet::{Ask, Asked};
use carekeep_domain::forms::{self as rule, Answers, Evidence, Frequency, Status, Template};
use carekeep_domain::DataClass;
use carekeep_store::forms::{self as store, ResponseRow};
use carekeep_store::Conn;
use time::OffsetDateTime;

/// One form with its answers and signature evidence.
#[derive(Clone, Debug)]
pub struct ResponseView {
    pub id: i64,
    pub patient_id: i64,
    pub version_id: i64,
    pub version: i64,
    pub template: Template,
    pub template_sha256: String,
    pub answers: Answers,
    pub status: Status,
    pub evidence: Option<Evidence>,
    /// The evidence still matches the answers and the version (false: changed since signing).
    pub evidence_holds: bool,
    pub submitted_at: Option<OffsetDateTime>,
}

impl App {
    pub(super) fn local(&self, unix: i64) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp(unix)
            .ok()
            .map(|t| self.clinic_zone().local(t))
    }

    /// Makes the packet a booked visit needs, in the booking's transaction: each form the
    /// service names, by `forms::packet::plan`: a form still open (sent by hand or asked by
    /// another booking) is reused and counted for this visit too, a form signed within how
    /// often it is asked is left out. A new form is pinned to the template's latest version,
    /// which is marked used (it never changes from then on). `None` when nothing new is asked.
    pub(crate) async fn make_visit_packet(
        &self,
        conn: &mut Conn,
        patient: i64,
        appointment: i64,
        service: i64,
        visit: OffsetDateTime,
        by: Option<i64>,
    ) -> Result<Option<i64>, AppError> {
        let wanted: Vec<(i64, Frequency)> = store::service_forms(conn)
            .await?
            .into_iter()
            .filter(|(s, _, _)| *s == service)
            .filter_map(|(_, t, f)| Some((t, Frequency::parse(&f)?)))
            .collect();
        if wanted.is_empty() {
            return Ok(None);
        }
        let visit_day = self.clinic_zone().local(visit).date();
        let plan = self
            .plan_forms(conn, patient, Some(appointment), &wanted, visit_day)
            .await?;
        self.carry_out(conn, patient, Some(appointment), &plan, by).await
    }

    /// The packet rule over what this patient was asked before.
    async fn plan_forms(
        &self,
        conn: &mut Conn,
        patient: i64,
        appointment: Option<i64>,
        wanted: &[(i64, Frequency)],
        visit_day: time::Date,
    ) -> Result<Vec<Ask>, AppError> {
        let asked: Vec<Asked> = store::responses_for_patient(conn, patient)
            .await?
            .iter()
            .map(|r| Asked {
                response: r.id,
                template: r.template_id,
                status: Status::parse(&r.status).unwrap_or(Status::Pending),
                signed_on: r.submitted_at.and_then(|t| self.local(t)).map(|t| t.date()),
                for_this_visit: appointment.is_some() && r.appointment_id == appointment,
            })
            .collect();
        Ok(rule::packet::plan(wanted, &asked, visit_day))
    }

    /// Asks the new forms of a plan in one packet and counts the reused ones for the visit.
    async fn carry_out(
        &self,
        conn: &mut Conn,
        patient: i64,
        appointment: Option<i64>,
        plan: &[Ask],
        by: Option<i64>,
    ) -> Result<Option<i64>, AppError> {
        let mut new = Vec::new();
        for ask in plan {
            match *ask {
                Ask::New { template } => new.push(template),
                Ask::Reuse { response, .. } => {
                    if let Some(a) = appointment {
                        let row = store::response(conn, response).await?;
                        if row.appointment_id != Some(a) {
                            store::add_response_visit(conn, response, a).await?;
                        }
                    }
                }
            }
        }
        self.packet_of(conn, patient, appointment, &new, by).await
    }

    /// A packet of `templates` (their latest versions, marked used).
    async fn packet_of(
        &self,
        conn: &mut Conn,
        patient: i64,
        appointment: Option<i64>,
        templates: &[i64],
        by: Option<i64>,
    ) -> Result<Option<i64>, AppError> {
        if templates.is_empty() {
            return Ok(None);
        }
        let all = store::templates(conn).await?;
        let now = self.now();
        let packet = store::insert_packet(conn, patient, appointment, by, now).await?;
        for t in templates {
            let row = all
                .iter()
                .find(|x| x.id == *t && !x.retired)
                .ok_or_else(|| AppError::Invalid("choose forms from the clinic's list".into()))?;
            store::mark_used(conn, row.latest_version_id, now).await?;
            store::insert_response(conn, packet, patient, row.id, row.latest_version_id, now).await?;
        }
        Ok(Some(packet))
    }

    /// Staff send forms to a patient (for a visit, or none): the scheduling class's write.
    pub async fn send_forms(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        appointment: Option<i64>,
        templates: &[i64],
    ) -> Result<i64, AppError> {
        let p = actor.person()?;
        if templates.is_empty() {
            return Err(AppError::Invalid("choose at least one form to send".into()));
        }
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let mut tx = self
            .require_write(tx, p, &opened, DataClass::Scheduling, Action::PhiCreate)
            .await?;
        if let Some(a) = appointment {
            let row = carekeep_store::records::appointment_by_id(tx.conn(), a)
                .await
                .map_err(|_| AppError::NotFound("appointment"))?;
            if row.patient_id != patient {
                return Err(AppError::NotFound("appointment"));
            }
        }
        // A form sent by hand is asked anew unless the patient still has it open.
        let mut wanted: Vec<(i64, Frequency)> = templates.iter().map(|t| (*t, Frequency::EveryVisit)).collect();
        wanted.sort_by_key(|(t, _)| *t);
        wanted.dedup_by_key(|(t, _)| *t);
        let day = self.clinic_zone().local(self.now()).date();
        let plan = self.plan_forms(tx.conn(), patient, appointment, &wanted, day).await?;
        let packet = self
            .carry_out(tx.conn(), patient, appointment, &plan, Some(p.user_id.0))
            .await?
            .ok_or_else(|| {
                AppError::Invalid(
                    "the patient already has these forms waiting to be filled in; nothing new was sent".into(),
                )
            })?;
        let mut event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![patient],
            ("FormPacket", packet.to_string()),
            vec![DataClass::Scheduling],
        );
        let sent = plan.iter().filter(|a| matches!(a, Ask::New { .. })).count();
        event.reason = format!("forms sent to the patient ({sent} forms)");
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(packet)
    }
    /// The permit to open one form's answers (to view, review or print them): the policy must
    /// let `p` read this patient's clinical class; the event names the form and `classes`.
    pub(crate) async fn form_answers_permit(
        &self,
        p: &crate::Principal,
        opened: &crate::records::access::Opened,
        id: i64,
        action: Action,
        classes: Vec<DataClass>,
        reason: &str,
    ) -> Result<crate::permit::Permit, AppError> {
        self.require_read(p, opened, DataClass::Clinical, action).await?;
        let mut event = self.phi_event(
            p,
            action,
            Outcome::Success,
            vec![opened.row().id],
            ("FormResponse", id.to_string()),
            classes,
        );
        event.reason = reason.into();
        self.permit(event).await
    }

    /// One form with its answers and signature: the clinical class's read, audited.
    pub async fn form_response(&self, actor: &Actor<'_>, id: i64) -> Result<ResponseView, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let r = store::response(&mut conn, id)
            .await
            .map_err(|_| AppError::NotFound("form"))?;
        let opened = self.open_patient(&mut conn, p, r.patient_id).await?;
        let v = store::version(&mut conn, r.version_id).await?;
        drop(conn);
        let permit = self
            .form_answers_permit(
                p,
                &opened,
                id,
                Action::PhiRead,
                vec![DataClass::Clinical],
                "form answers viewed",
            )
            .await?;
        let view = self.response_view(&permit, &r, &v)?;
        permit.confirm().await?;
        Ok(view)
    }

    pub(crate) fn response_view(
        &self,
        permit: &crate::permit::Permit,
        r: &ResponseRow,
        v: &store::VersionRow,
    ) -> Result<ResponseView, AppError> {
        let template = parse_body(&v.body)?;
        let (answers, evidence) = self.open_response(permit, r)?;
        let evidence_holds = evidence
            .as_ref()
            .is_some_and(|e| e.matches(v.id, &template, &answers) && e.answers_sha256 == r.answers_sha256);
        Ok(ResponseView {
            id: r.id,
            patient_id: r.patient_id,
            version_id: v.id,
            version: v.number,
            template_sha256: v.body_sha256.clone(),
            template,
            answers,
            status: Status::parse(&r.status).unwrap_or(Status::Pending),
            evidence,
            evidence_holds,
            submitted_at: r.submitted_at.and_then(|t| self.local(t)),
        })
    }
}
