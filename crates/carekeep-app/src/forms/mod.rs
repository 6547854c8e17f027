//! Intake and consent forms (issue 28): templates the clinic adopts and edits (versions that
//! never change once used), the forms each service needs, packets for a patient's visit,
//! answers saved as drafts and submitted with a signature whose evidence is sealed with them.
//!
//! Policy (one policy, no new class): a form's ANSWERS are the patient's `clinical` class
//! (what a medical history or a consent says is clinical PHI); WHICH forms a patient was asked
//! for and whether they are done is the `scheduling` class, so the front desk sees "Medical
//! history: not started" and never an answer. Templates hold no PHI: any signed-in staff
//! member reads them, `manage_program` edits them (the clinic's documents), `manage_calendar`
//! says which service needs which. The patient at the portal reads and writes only the forms
//! of their own packets (their own words), through `open_for_portal`. Every read of answers or
//! statuses is one audited event; every change is audited in its transaction.

mod esign;
mod kiosk;
mod lines;
mod packets;
mod pdf;
mod portal;
mod queue;
mod record;
mod review;
mod templates;

pub use esign::EsignStanding;
pub use kiosk::{KioskCode, KioskSigner, KioskStarted, KioskState, NOT_A_SIGNER};
pub use lines::{FormLine, PatientForms};
pub use packets::ResponseView;
pub use pdf::{answer_words, form_pdf_bytes, SignedPdf};
pub use portal::{PortalForms, SignatureInput, Submitted};
pub use queue::QueueLine;
pub use record::{ChartForm, ChartForms, SignedForm};
pub use review::{Decided, Filed, Review};
pub use templates::{BuiltinOffer, ServiceForm, TemplateSummary, VersionView};

use crate::rights::binding;
use crate::{App, AppError};
use carekeep_domain::forms::{Answers, Evidence, Template};
use carekeep_store::forms::ResponseRow;

/// The sealed columns of a response, bound to their row.
const ANSWERS: (&str, &str) = ("form_responses", "answers_ct");
const EVIDENCE: (&str, &str) = ("form_responses", "evidence_ct");

pub(crate) fn parse_body(body: &str) -> Result<Template, AppError> {
    serde_json::from_str(body).map_err(|e| AppError::Internal(format!("stored form template: {e}")))
}

pub(crate) fn body_json(t: &Template) -> Result<String, AppError> {
    serde_json::to_string(t).map_err(|e| AppError::Internal(e.to_string()))
}

impl App {
    pub(crate) fn seal_answers(&self, id: i64, a: &Answers) -> Result<Vec<u8>, AppError> {
        self.seal(a, binding(ANSWERS.0, ANSWERS.1, id))
    }

    pub(crate) fn seal_evidence(&self, id: i64, e: &Evidence) -> Result<Vec<u8>, AppError> {
        self.seal(e, binding(EVIDENCE.0, EVIDENCE.1, id))
    }

    /// The answers and evidence of a response, under a permit whose event named them.
    pub(crate) fn open_response(
        &self,
        permit: &crate::permit::Permit,
        r: &ResponseRow,
    ) -> Result<(Answers, Option<Evidence>), AppError> {
        let answers = if r.answers_ct.is_empty() {
            Answers::new()
        } else {
            self.open_sealed(permit, ANSWERS.0, ANSWERS.1, r.id, &r.answers_ct)?
        };
        let evidence = if r.evidence_ct.is_empty() {
            None
        } else {
            Some(self.open_sealed(permit, EVIDENCE.0, EVIDENCE.1, r.id, &r.evidence_ct)?)
        };
        Ok((answers, evidence))
    }
}
