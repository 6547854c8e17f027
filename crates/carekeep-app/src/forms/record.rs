//! Forms in the record (issue 28, item 6): the chart's card of a patient's forms. Which forms
//! and whether they are done is the `scheduling` class (the front desk sees "Signed" or "Not
//! started", never an answer); who signed, how, and who reviewed it, and which chart entries
//! came from each form, are read with the answers' `clinical` class. One audited event per
//! view, naming the classes read.

use super::lines::FormLine;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms::Status;
use carekeep_domain::DataClass;
use carekeep_store::chart_rows::{chart_rows, Part};
use carekeep_store::form_review as store_review;
use carekeep_store::forms as store;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// One form on the chart's card.
#[derive(Clone, Debug)]
pub struct ChartForm {
    pub line: FormLine,
    /// For a reader of the clinical class: the signer in words ("Ada Vance, the patient").
    pub signer: Option<String>,
    /// For a reader of the clinical class: "portal" or "kiosk".
    pub channel: Option<String>,
    /// Who reviewed it into the chart, and when (clinic's zone).
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<OffsetDateTime>,
    /// How many chart entries were filed from it.
    pub filed: usize,
}

/// The chart's card.
#[derive(Clone, Debug)]
pub struct ChartForms {
    pub forms: Vec<ChartForm>,
    /// Whether the reader sees the answers (and so the signers and the links to them).
    pub answers: bool,
    /// Since when the patient's forms must be on paper (the E-SIGN consent was withdrawn,
    /// 15 U.S.C. 7001(c)(1)(A)), on the clinic's clock.
    pub paper_since: Option<OffsetDateTime>,
    /// Who has a consent to sign electronically in effect: `None` the patient, `Some` a
    /// representative (for the desk to record a withdrawal told in person).
    pub esign_consents: Vec<Option<i64>>,
}

impl App {
    /// A patient's forms for the chart: statuses for a reader of the scheduling class, with
    /// the signer and the review for a reader of the clinical class. One audited read.
    pub async fn chart_forms(&self, actor: &Actor<'_>, patient: i64) -> Result<ChartForms, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let opened = self.open_patient(&mut conn, p, patient).await?;
        let rows = store::responses_for_patient(&mut conn, patient).await?;
        let lines = self.form_lines(&mut conn, &rows).await?;
        let paper_since = self.paper_since(&mut conn, patient).await?;
        let esign_consents = self.esign_in_effect(&mut conn, patient).await?;
        let answers = opened.access().reads(DataClass::Clinical);
        let (names, credited) = if answers {
            let names = chart_rows(&mut conn, patient, &[Part::StaffNames]).await?.staff_names;
            let mut credited: BTreeMap<i64, usize> = BTreeMap::new();
            for (_, response, _) in store_review::credited_entries(&mut conn, patient).await? {
                *credited.entry(response).or_default() += 1;
            }
            (names, credited)
        } else {
            Default::default()
        };
        drop(conn);
        self.require_read(p, &opened, DataClass::Scheduling, Action::PhiRead)
            .await?;
        let mut classes = vec![DataClass::Scheduling];
        if answers {
            classes.push(DataClass::Clinical);
        }
        let mut event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            vec![patient],
            ("FormPacket", patient.to_string()),
            classes,
        );
        event.reason = if answers {
            "signed forms on the chart".into()
        } else {
            "which forms are done".into()
        };
        let permit = self.permit(event).await?;
        let mut forms = Vec::with_capacity(rows.len());
        for (row, line) in rows.iter().zip(lines) {
            let done = Status::parse(&row.status).is_some_and(Status::done);
            let evidence = if answers && done {
                self.open_response(&permit, row)?.1
            } else {
                None
            };
            forms.push(ChartForm {
                signer: evidence.as_ref().map(|e| e.signer.words()),
                channel: evidence.map(|e| e.channel),
                reviewed_by: row.reviewed_by.filter(|_| answers).and_then(|u| names.get(&u).cloned()),
                reviewed_at: row
                    .reviewed_at
                    .filter(|_| answers)
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                    .map(|t| self.clinic_zone().local(t)),
                filed: credited.get(&row.id).copied().unwrap_or(0),
                line,
            });
        }
        permit.confirm().await?;
        Ok(ChartForms {
            forms,
            answers,
            paper_since,
            esign_consents,
        })
    }
}

/// A signed form as the copy of the record carries it (FHIR and PDF): opened under the
/// export's own permit, which named the clinical class.
#[derive(Clone, Debug)]
pub struct SignedForm {
    pub id: i64,
    pub title: String,
    pub version: i64,
    pub template: carekeep_domain::forms::Template,
    pub answers: carekeep_domain::forms::Answers,
    pub evidence: Option<carekeep_domain::forms::Evidence>,
    pub status: Status,
    /// RFC 3339, on the clinic's clock.
    pub submitted_at: String,
    /// The visit the form was asked for, if any (a copy through the portal leaves out a
    /// minor's own-consent visit's forms).
    pub appointment_id: Option<i64>,
}

impl App {
    /// The patient's signed forms, oldest first, for the copy of the record. The caller's
    /// permit was made for an event naming the clinical class of this patient.
    pub(crate) async fn signed_forms(
        &self,
        permit: &crate::permit::Permit,
        conn: &mut carekeep_store::Conn,
        patient: i64,
    ) -> Result<Vec<SignedForm>, AppError> {
        let mut rows: Vec<_> = store::responses_for_patient(conn, patient)
            .await?
            .into_iter()
            .filter(|r| Status::parse(&r.status).is_some_and(Status::done))
            .collect();
        rows.sort_by_key(|r| (r.submitted_at, r.id));
        let titles: BTreeMap<i64, String> = store::templates(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.title))
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let v = store::version(conn, r.version_id).await?;
            let view = self.response_view(permit, &r, &v)?;
            out.push(SignedForm {
                id: r.id,
                title: titles.get(&r.template_id).cloned().unwrap_or_default(),
                version: v.number,
                submitted_at: view.submitted_at.map(crate::records::rfc3339).unwrap_or_default(),
                template: view.template,
                answers: view.answers,
                evidence: view.evidence,
                status: view.status,
                appointment_id: r.appointment_id,
            });
        }
        Ok(out)
    }
}
