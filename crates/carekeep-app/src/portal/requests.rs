//! Rights requests filed by the patient in the portal, through the same use case as staff
//! typing one in (`App::receive_request`): the clock starts on receipt (164.524(b)(2),
//! 164.526(b)(2), 164.528(c)(1)), the words are sealed, and the request is in the compliance
//! officer's Requests. Once an access request is granted, the copy is delivered here in the
//! form asked for (164.524(c)(2)), each download an audited export.

use super::portal_patient;
use crate::rights::RequestInput;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::portal::{request_words, status_words};
use carekeep_domain::rights::clocks::Kind;
use carekeep_domain::DataClass;
use carekeep_store::rights as rights_store;

pub use carekeep_domain::portal::CopyForm;
use carekeep_domain::portal::PortalRelation;

/// The one field of a representative's sealed details a request names.
#[derive(serde::Deserialize, Default)]
struct RepName {
    #[serde(default)]
    name: String,
}

/// One of the patient's requests as they see it.
#[derive(Clone, Debug)]
pub struct PortalRequest {
    pub id: i64,
    pub kind: &'static str,
    /// ISO; pages show it as 12/07/2026.
    pub received_on: String,
    /// Empty when the rule sets no deadline.
    pub due_on: String,
    pub status: &'static str,
    pub details: String,
    /// Access, once granted: the forms the copy may be taken in.
    pub copy_pdf: bool,
    pub copy_fhir: bool,
}

impl App {
    /// The patient's own requests, newest first (one audited read).
    pub async fn portal_requests(&self, actor: &Actor<'_>) -> Result<Vec<PortalRequest>, AppError> {
        let pp = portal_patient(actor)?;
        let rows = {
            let mut conn = self.store().read().await?;
            self.open_for_portal(&mut conn, pp, pp.patient_id).await?;
            rights_store::requests(&mut conn, Some(pp.patient_id)).await?
        };
        let mut event = self.event(actor, Action::PhiRead, Outcome::Success);
        event.patients = vec![pp.patient_id];
        event.resource_type = "PatientRequestList".into();
        event.resource_id = pp.patient_id.to_string();
        event.data_classes = vec![DataClass::Identity];
        event.reason = "portal: the patient's requests".into();
        let permit = self.permit(event).await?;
        let mut out = Vec::new();
        for r in rows.iter().rev().filter(|r| r.patient_id == pp.patient_id) {
            let v = self.request_view(&permit, r, String::new())?;
            let kind = Kind::parse(&v.kind).ok_or_else(|| AppError::Internal("request kind".into()))?;
            let granted = kind == Kind::Access && matches!(v.status.as_str(), "granted" | "completed");
            let form = CopyForm::parse(&v.copy_form).unwrap_or(CopyForm::Both);
            out.push(PortalRequest {
                id: v.id,
                kind: request_words(kind),
                received_on: v.received_on,
                due_on: if v.status == "open" { v.due_on } else { String::new() },
                status: status_words(&v.status),
                details: v.details,
                copy_pdf: granted && form.includes(CopyForm::Pdf),
                copy_fhir: granted && form.includes(CopyForm::Fhir),
            });
        }
        permit.confirm().await?;
        Ok(out)
    }

    /// A request filed by the patient: received today, in their words.
    pub async fn portal_file_request(
        &self,
        actor: &Actor<'_>,
        kind: &str,
        words: &str,
        copy_form: &str,
    ) -> Result<i64, AppError> {
        let pp = portal_patient(actor)?;
        let kind = Kind::parse(kind).ok_or_else(|| AppError::Invalid("choose what you are asking for".into()))?;
        let words = crate::input::text("request", words, 4000, false)?;
        let details = match kind {
            Kind::Access => {
                let form = CopyForm::parse(copy_form)
                    .ok_or_else(|| AppError::Invalid("choose how you want the copy".into()))?;
                let mut d = format!("Copy wanted as {} (asked in the portal).", form.words());
                if !words.is_empty() {
                    d.push_str("\n\n");
                    d.push_str(&words);
                }
                d
            }
            Kind::Accounting if words.is_empty() => "Asked in the portal.".to_owned(),
            _ if words.is_empty() => {
                return Err(AppError::Invalid(
                    match kind {
                        Kind::Amendment => "say what should change in your record, and why",
                        Kind::Restriction => "say what the clinic should limit",
                        _ => "say how or where the clinic should reach you",
                    }
                    .into(),
                ))
            }
            _ => words,
        };
        let details = {
            let mut conn = self.store().read().await?;
            self.open_for_portal(&mut conn, pp, pp.patient_id).await?;
            match pp.relation {
                // Filed by the patient's personal representative: recorded as theirs, with
                // their name and basis (164.502(g)), inside the sealed words the officer reads.
                PortalRelation::Representative { person, basis, .. } => {
                    let row = carekeep_store::people::by_id(&mut conn, person).await?;
                    drop(conn);
                    let mut event = self.event(actor, Action::PhiRead, Outcome::Success);
                    event.patients = vec![pp.patient_id];
                    event.resource_type = "CarePerson".into();
                    event.resource_id = person.to_string();
                    event.data_classes = vec![DataClass::Contact];
                    event.reason = "portal: the representative's name on the request they filed".into();
                    let permit = self.permit(event).await?;
                    let who: RepName =
                        self.open_sealed(&permit, "care_people", "details_ct", person, &row.details_ct)?;
                    permit.confirm().await?;
                    format!(
                        "Filed in the portal by {}, the patient's personal representative ({}, {}).\n\n{details}",
                        who.name,
                        basis.words(),
                        basis.cites()
                    )
                }
                PortalRelation::SelfPatient => details,
            }
        };
        let (row, _permit) = self
            .receive_request(
                actor,
                None,
                pp.patient_id,
                RequestInput {
                    kind: kind.as_str().into(),
                    received_on: String::new(),
                    details,
                    self_pay: false,
                    copy_form: if kind == Kind::Access {
                        copy_form.trim().to_owned()
                    } else {
                        String::new()
                    },
                },
            )
            .await?;
        Ok(row.id)
    }

    /// The copy of a granted access request, in a form asked for: the PDF or the FHIR bundle
    /// (as JSON text). Another patient's request, one not granted, or a form not asked for is
    /// "not found". The export is audited as the patient's (`phi.export`).
    pub async fn portal_copy(&self, actor: &Actor<'_>, request: i64, form: CopyForm) -> Result<Vec<u8>, AppError> {
        let pp = portal_patient(actor)?;
        let row = {
            let mut conn = self.store().read().await?;
            rights_store::request_by_id(&mut conn, request)
                .await
                .map_err(|_| AppError::NotFound("page"))?
        };
        let granted = row.kind == Kind::Access.as_str() && matches!(row.status.as_str(), "granted" | "completed");
        if row.patient_id != pp.patient_id || !granted {
            return Err(AppError::NotFound("page"));
        }
        let mut event = self.event(actor, Action::PhiRead, Outcome::Success);
        event.patients = vec![pp.patient_id];
        event.resource_type = "PatientRequest".into();
        event.resource_id = request.to_string();
        event.data_classes = vec![DataClass::Identity];
        event.reason = "portal: the form of the copy asked for".into();
        let permit = self.permit(event).await?;
        let asked = self.request_view(&permit, &row, String::new())?.copy_form;
        permit.confirm().await?;
        if !CopyForm::parse(&asked).unwrap_or(CopyForm::Both).includes(form) {
            return Err(AppError::NotFound("page"));
        }
        let (mut view, files) = self.export_view(actor, pp.patient_id).await?;
        let left_out = {
            let mut conn = self.store().read().await?;
            self.portal_left_out(&mut conn, pp).await?
        };
        App::leave_out_of_copy(&mut view, &left_out);
        let at = crate::records::rfc3339(self.now());
        match form {
            CopyForm::Pdf | CopyForm::Both => crate::records::fhir::record_copy_pdf(self.clinic_name(), &view, &at),
            CopyForm::Fhir => serde_json::to_vec_pretty(&crate::records::fhir::export::bundle(&view, &files, &at))
                .map_err(|e| AppError::Internal(e.to_string())),
        }
    }
}
