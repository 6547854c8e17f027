//! The patient's side: the forms of their own packets, saved section by section as drafts,
//! the E-SIGN consent asked once, and submission with a drawn or typed signature whose
//! evidence (signer and basis, time, device, address, version, answers' hash) is sealed with
//! the answers (patients-and-messages.md 7.4). Only the record the portal session is for.

use super::{packets::ResponseView, FormLine};
use crate::portal::forms_patient as portal_patient;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms::{self as rule, esign, Evidence, Problem, RawAnswers, Signer, Status};
use carekeep_domain::portal::PortalRelation;
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::forms::{self as store, ResponseRow};
use carekeep_store::records::CtColumn;
use carekeep_store::Conn;

/// The portal's forms page.
#[derive(Clone, Debug)]
pub struct PortalForms {
    /// The E-SIGN statement must be shown and agreed to before any form is signed.
    pub esign_needed: bool,
    pub forms: Vec<FormLine>,
}

/// The signature as the pad or the typed box sent it.
#[derive(Clone, Debug, Default)]
pub struct SignatureInput {
    /// SVG path data from the pad (`M x y L x y ...`).
    pub drawn: String,
    /// The typed name (the fallback without a pad, or the signer's choice).
    pub typed: String,
}

/// What a submission did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
    Done,
    /// Refused, with the problems by field (the answers were kept as a draft).
    Refused(Vec<Problem>),
}

/// The representative's name in their sealed row.
#[derive(serde::Deserialize)]
struct RepName {
    name: String,
}

impl App {
    pub(super) fn person_of(pp: &crate::portal::PortalPatient) -> Option<i64> {
        match pp.relation {
            PortalRelation::SelfPatient => None,
            PortalRelation::Representative { person, .. } => Some(person),
        }
    }

    /// On the clinic's tablet, only the forms of the visit staff opened it for.
    pub(crate) fn in_kiosk_packet(packet: &Option<Vec<i64>>, r: &ResponseRow) -> bool {
        packet.as_ref().is_none_or(|ids| ids.contains(&r.id))
    }

    /// On the clinic's tablet, the forms of the visit it was opened for: its own packet's and
    /// those reused for it (a form still open from an earlier request); `None` elsewhere.
    pub(crate) async fn kiosk_packet(
        conn: &mut Conn,
        pp: &crate::portal::PortalPatient,
    ) -> Result<Option<Vec<i64>>, AppError> {
        let Some(k) = pp.kiosk else { return Ok(None) };
        let rows = store::responses_for_appointments(conn, &[k.appointment_id]).await?;
        Ok(Some(rows.iter().map(|r| r.id).collect()))
    }

    /// The response, if it is one of this patient's.
    async fn own_response(
        &self,
        conn: &mut Conn,
        pp: &crate::portal::PortalPatient,
        id: i64,
    ) -> Result<(ResponseRow, carekeep_store::forms::VersionRow), AppError> {
        self.open_for_portal(conn, pp, pp.patient_id).await?;
        let left_out = self.portal_left_out(conn, pp).await?;
        let packet = Self::kiosk_packet(conn, pp).await?;
        let r = store::response(conn, id)
            .await
            .ok()
            .filter(|r| r.patient_id == pp.patient_id && !Self::form_left_out(r.appointment_id, &left_out))
            .filter(|r| Self::in_kiosk_packet(&packet, r))
            .ok_or(AppError::NotFound("page"))?;
        let v = store::version(conn, r.version_id).await?;
        Ok((r, v))
    }

    pub(super) fn portal_form_event(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        action: Action,
        resource: (&str, String),
        class: DataClass,
        reason: &str,
    ) -> carekeep_domain::audit::AuditEvent {
        let mut e = self.event(actor, action, Outcome::Success);
        e.patients = vec![patient];
        e.resource_type = resource.0.into();
        e.resource_id = resource.1;
        e.data_classes = vec![class];
        e.reason = match actor {
            Actor::Patient(pp) if pp.kiosk.is_some() => reason.replacen("portal:", "clinic tablet:", 1),
            _ => reason.into(),
        };
        e
    }

    /// The patient's forms and whether the E-SIGN consent is still to be asked.
    pub async fn portal_forms(&self, actor: &Actor<'_>) -> Result<PortalForms, AppError> {
        let pp = portal_patient(actor)?;
        let mut conn = self.store().read().await?;
        self.open_for_portal(&mut conn, pp, pp.patient_id).await?;
        let left_out = self.portal_left_out(&mut conn, pp).await?;
        let packet = Self::kiosk_packet(&mut conn, pp).await?;
        let rows: Vec<ResponseRow> = store::responses_for_patient(&mut conn, pp.patient_id)
            .await?
            .into_iter()
            .filter(|r| !Self::form_left_out(r.appointment_id, &left_out))
            .filter(|r| Self::in_kiosk_packet(&packet, r))
            .collect();
        let mut forms = self.form_lines(&mut conn, &rows).await?;
        // A visit left out of a representative's view is not named either.
        for f in &mut forms {
            f.visits.retain(|(a, _)| !Self::form_left_out(Some(*a), &left_out));
        }
        let consent = store::esign_consent(&mut conn, pp.patient_id, Self::person_of(pp)).await?;
        drop(conn);
        let event = self.portal_form_event(
            actor,
            pp.patient_id,
            Action::PhiRead,
            ("FormPacket", pp.patient_id.to_string()),
            DataClass::Scheduling,
            "portal: the patient's forms",
        );
        self.permit(event).await?.confirm().await?;
        Ok(PortalForms {
            esign_needed: !esign::in_effect(consent.map(|c| c.1 as u32), false),
            forms,
        })
    }

    /// The patient agrees to do business electronically (15 U.S.C. 7001(c)(1)(A), (C)(ii)):
    /// kept with the statement's version, the address and the browser.
    pub async fn portal_esign_consent(&self, actor: &Actor<'_>) -> Result<(), AppError> {
        let pp = portal_patient(actor)?;
        let mut tx = self.store().begin().await?;
        self.open_for_portal(tx.conn(), pp, pp.patient_id).await?;
        let origin = actor.origin();
        let id = store::insert_esign_consent(
            tx.conn(),
            pp.patient_id,
            Self::person_of(pp),
            i64::from(esign::VERSION),
            &origin.source_ip,
            &origin.user_agent,
            self.now(),
        )
        .await?;
        let event = self.portal_form_event(
            actor,
            pp.patient_id,
            Action::PhiCreate,
            ("EsignConsent", id.to_string()),
            DataClass::Identity,
            &format!(
                "portal: consent to sign electronically (statement version {})",
                esign::VERSION
            ),
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One of the patient's own forms with what they saved so far (an audited read).
    pub async fn portal_form(&self, actor: &Actor<'_>, id: i64) -> Result<ResponseView, AppError> {
        let pp = portal_patient(actor)?;
        let mut conn = self.store().read().await?;
        let (r, v) = self.own_response(&mut conn, pp, id).await?;
        drop(conn);
        let event = self.portal_form_event(
            actor,
            pp.patient_id,
            Action::PhiRead,
            ("FormResponse", id.to_string()),
            DataClass::Clinical,
            "portal: the patient's own form",
        );
        let permit = self.permit(event).await?;
        let view = self.response_view(&permit, &r, &v)?;
        permit.confirm().await?;
        Ok(view)
    }

    /// Saves one section as typed (a draft; nothing typed is dropped) and answers the problems
    /// of that section's fields. A submitted form no longer changes.
    pub async fn portal_save_form(
        &self,
        actor: &Actor<'_>,
        id: i64,
        section: usize,
        raw: &RawAnswers,
    ) -> Result<Vec<Problem>, AppError> {
        let pp = portal_patient(actor)?;
        let mut tx = self.store().begin().await?;
        let (r, v) = self.own_response(tx.conn(), pp, id).await?;
        if Status::parse(&r.status).is_some_and(Status::done) {
            return Err(AppError::Conflict("this form was already signed and sent".into()));
        }
        let event = self.portal_form_event(
            actor,
            pp.patient_id,
            Action::PhiUpdate,
            ("FormResponse", id.to_string()),
            DataClass::Clinical,
            "portal: form saved as a draft",
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        let template = super::parse_body(&v.body)?;
        let (mut answers, _) = self.open_response(&permit, &r)?;
        rule::read_section(&template, section, raw, &mut answers);
        let ct = self.seal_answers(id, &answers)?;
        let hash = rule::answers_hash(v.id, &template, &answers);
        store::save_draft(tx.conn(), id, &ct, &hash, self.now()).await?;
        tx.commit().await?;
        let ids: Vec<&str> = template
            .sections
            .get(section)
            .map(|s| s.fields.iter().map(|f| f.id.as_str()).collect())
            .unwrap_or_default();
        let mut problems = rule::validate(&template, &answers);
        problems.extend(rule::expiry::past_end_dates(&template, &answers, self.clinic_today()));
        Ok(problems
            .into_iter()
            .filter(|p| ids.contains(&p.field.as_str()))
            .collect())
    }

    /// Signs and submits a form. Refused, with each problem named by field, when a required
    /// answer or the signature is missing or the E-SIGN consent was not given; the answers stay
    /// as a draft. On success the answers, their hash and the evidence are sealed together.
    pub async fn portal_submit_form(
        &self,
        actor: &Actor<'_>,
        id: i64,
        signature: SignatureInput,
    ) -> Result<Submitted, AppError> {
        let pp = portal_patient(actor)?;
        let mut tx = self.store().begin().await?;
        let (r, v) = self.own_response(tx.conn(), pp, id).await?;
        if Status::parse(&r.status).is_some_and(Status::done) {
            return Err(AppError::Conflict("this form was already signed and sent".into()));
        }
        let person = Self::person_of(pp);
        let consent = store::esign_consent(tx.conn(), pp.patient_id, person).await?;
        let template = super::parse_body(&v.body)?;
        let mark = rule::mark::mark_of(&signature.drawn, &signature.typed);
        let event = self.portal_form_event(
            actor,
            pp.patient_id,
            Action::PhiUpdate,
            ("FormResponse", id.to_string()),
            DataClass::Clinical,
            "portal: form sent for signing",
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        let (answers, _) = self.open_response(&permit, &r)?;
        let signed = template.wants_signature() && mark.is_ok();
        let mut problems = rule::submission_problems(&template, &answers, signed || !template.wants_signature());
        problems.extend(rule::expiry::past_end_dates(&template, &answers, self.clinic_today()));
        if let (Err(why), true) = (&mark, template.wants_signature()) {
            if let Some(p) = problems.iter_mut().find(|p| {
                template
                    .field(&p.field)
                    .is_some_and(|f| f.kind == rule::FieldKind::Signature)
            }) {
                p.message = format!("{}: {why}.", p.message.trim_end_matches('.'));
            }
        }
        let Some((_, version, consented_at)) = consent.filter(|c| esign::in_effect(Some(c.1 as u32), false)) else {
            problems.push(Problem {
                field: "esign".into(),
                message: "Agree to sign electronically first.".into(),
            });
            // The answers were read to check them: the read stays on the trail.
            tx.commit().await?;
            return Ok(Submitted::Refused(problems));
        };
        if !problems.is_empty() {
            tx.commit().await?;
            return Ok(Submitted::Refused(problems));
        }
        let mark = mark.map_err(|w| AppError::Invalid(w.into()))?;
        let patient = carekeep_store::records::patient_by_id(tx.conn(), pp.patient_id).await?;
        let identity: Identity =
            self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
        let signer = match pp.relation {
            PortalRelation::SelfPatient => Signer::Patient {
                name: identity.full_name(),
            },
            PortalRelation::Representative { person, basis, .. } => {
                let row = carekeep_store::people::by_id(tx.conn(), person).await?;
                let rep: RepName = self.open_sealed(&permit, "care_people", "details_ct", person, &row.details_ct)?;
                Signer::Representative {
                    name: rep.name,
                    basis: basis.as_str().into(),
                    basis_words: basis.words().into(),
                }
            }
        };
        // The typed name and the initials must be the signer's (UETA 9(a) attribution).
        let mark_problems = rule::signed_name::problems(&template, &answers, &mark, signer.name());
        if !mark_problems.is_empty() {
            tx.commit().await?;
            return Ok(Submitted::Refused(mark_problems));
        }
        let origin = actor.origin();
        let hash = rule::answers_hash(v.id, &template, &answers);
        let evidence = Evidence {
            signer,
            mark,
            signed_at: self.now().unix_timestamp(),
            user_agent: origin.user_agent.clone(),
            address: origin.source_ip.clone(),
            template_version_id: v.id,
            template_sha256: template.sha256(),
            answers_sha256: hash.clone(),
            intent: rule::intent_words(&template.title),
            esign_version: version as u32,
            esign_consented_at: consented_at,
            // The clinic's tablet is "kiosk" (the chart, the answers page and the PDF say "the
            // clinic's tablet"); the device and address are the tablet's.
            channel: if pp.kiosk.is_some() { "kiosk" } else { "portal" }.into(),
        };
        let answers_ct = self.seal_answers(id, &answers)?;
        let evidence_ct = self.seal_evidence(id, &evidence)?;
        if !store::submit(tx.conn(), id, &answers_ct, &hash, &evidence_ct, self.now()).await? {
            return Err(AppError::Conflict("this form was already signed and sent".into()));
        }
        tx.commit().await?;
        Ok(Submitted::Done)
    }
}
