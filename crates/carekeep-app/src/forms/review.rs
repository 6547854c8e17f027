//! A clinician reviews a submitted form into the chart (issue 28, item 5). The queue lists the
//! forms waiting; the review shows what the answers propose beside what the chart has
//! (`carekeep_domain::forms::review`), and filing writes each accepted item as a chart entry
//! through the chart's own write path (`grant_write` on the clinical class), credited to the
//! form (`form_review_items`), and marks the form reviewed, all in one transaction with its
//! audit event. Nothing is filed unreviewed: a form's answers reach the chart only here.
//!
//! Also the photography consent's gate on clinical photo uploads (`photo_consent_gap`).

use super::{parse_body, ResponseView};
use crate::permit::Permit;
use crate::records::patients::identity_view;
use crate::records::{EntryInput, StoredEntry};
use crate::{Actor, App, AppError, Principal};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms::review::{self as rule, Decision, Item, Line, PhotoConsent, ReviewProblem};
use carekeep_domain::forms::{Answer, FormKind, Status};
use carekeep_domain::records::detail::EntryDetail;
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::chart_rows::{chart_rows, Part};
use carekeep_store::form_review as store_review;
use carekeep_store::forms as store;
use carekeep_store::records::{self as records_store, CtColumn};
use std::collections::BTreeMap;

/// One decision already made on a reviewed form.
#[derive(Clone, Debug)]
pub struct Decided {
    pub key: String,
    pub decision: String,
    pub entry_id: Option<i64>,
}

/// A form under review: its answers, and each proposed item beside the chart.
#[derive(Clone, Debug)]
pub struct Review {
    pub response: ResponseView,
    pub title: String,
    /// Whose form it is, so the reviewer files into the right chart: the name, the birth date
    /// (`YYYY-MM-DD`) and the record number, for a reader of the identity class.
    pub patient: Option<(String, String, String)>,
    pub lines: Vec<Line>,
    /// Once reviewed: what was decided, item by item.
    pub decided: Vec<Decided>,
}

/// What a review filed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filed {
    pub accepted: usize,
    pub rejected: usize,
}

impl App {
    /// A form with its proposed items beside the chart: the clinical read of the answers and
    /// of the chart's entries, one audited event.
    pub async fn form_review(&self, actor: &Actor<'_>, id: i64) -> Result<Review, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let r = store::response(&mut conn, id)
            .await
            .map_err(|_| AppError::NotFound("form"))?;
        let opened = self.open_patient(&mut conn, p, r.patient_id).await?;
        let v = store::version(&mut conn, r.version_id).await?;
        let title = store::template(&mut conn, r.template_id).await?.title;
        let entries = chart_rows(&mut conn, r.patient_id, &[Part::Entries]).await?.entries;
        let decided = store_review::items(&mut conn, id).await?;
        drop(conn);
        let named = opened.access().reads(DataClass::Identity);
        let mut classes = vec![DataClass::Clinical];
        if named {
            classes.push(DataClass::Identity);
        }
        let permit = self
            .form_answers_permit(
                p,
                &opened,
                id,
                Action::PhiRead,
                classes,
                "form reviewed beside the chart",
            )
            .await?;
        let patient = if named {
            let row = opened.row();
            let identity: Identity = self.open_json(&permit, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
            let v = identity_view(&identity);
            Some((v.full_name(), v.birth_date_as_known.clone(), v.record_number.clone()))
        } else {
            None
        };
        let response = self.response_view(&permit, &r, &v)?;
        let chart = self.chart_items(&permit, &entries)?;
        let lines = rule::compare(rule::proposals(&response.template, &response.answers), &chart);
        permit.confirm().await?;
        Ok(Review {
            response,
            title,
            patient,
            lines,
            decided: decided
                .into_iter()
                .map(|d| Decided {
                    key: d.item_key,
                    decision: d.decision,
                    entry_id: d.entry_id,
                })
                .collect(),
        })
    }

    /// The chart's allergies, medications and problems, as items to compare with.
    fn chart_items(&self, permit: &Permit, entries: &[records_store::EntryRow]) -> Result<Vec<Item>, AppError> {
        let mut out = Vec::new();
        for row in entries {
            let stored: StoredEntry = self.open_json(permit, CtColumn::ChartEntryData, row.id, &row.data_ct)?;
            out.push(match stored.entry {
                EntryInput::Allergy {
                    substance, reaction, ..
                } => Item::Allergy(carekeep_domain::forms::Allergy { substance, reaction }),
                EntryInput::Medication { name, dose, frequency } => {
                    Item::Medication(carekeep_domain::forms::Medication {
                        name,
                        dose,
                        how_often: frequency,
                    })
                }
                EntryInput::Diagnosis { description, .. } => Item::History(description),
                EntryInput::Vitals(_) => continue,
            });
        }
        Ok(out)
    }

    /// Files a review: every item not already in the chart accepted or rejected; the accepted
    /// ones become chart entries credited to the form; the form is marked reviewed. One write
    /// with its audit event; a refusal changes nothing.
    pub async fn file_form_review(
        &self,
        actor: &Actor<'_>,
        id: i64,
        decisions: &BTreeMap<String, Decision>,
    ) -> Result<Filed, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let r = store::response(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("form"))?;
        let opened = self.open_patient(tx.conn(), p, r.patient_id).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Clinical, Action::PhiCreate)
            .await?;
        let v = store::version(tx.conn(), r.version_id).await?;
        let entries = chart_rows(tx.conn(), r.patient_id, &[Part::Entries]).await?.entries;
        let status = Status::parse(&r.status).unwrap_or(Status::Pending);
        let mut event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![r.patient_id],
            ("FormResponse", id.to_string()),
            vec![DataClass::Clinical],
        );
        let template = parse_body(&v.body)?;
        // What will be filed is decided from plain facts before anything is opened: the status
        // and the decisions' count name the event.
        let accepted_n = decisions.values().filter(|d| **d == Decision::Accept).count();
        event.reason = format!(
            "form reviewed into the chart ({accepted_n} accepted, {} rejected)",
            decisions.len() - accepted_n
        );
        if status != Status::Submitted {
            return Err(review_problem(ReviewProblem::NotSubmitted));
        }
        let permit = self.permit_in(&mut tx, &event).await?;
        let (answers, evidence) = self.open_response(&permit, &r)?;
        // Fail closed: answers that no longer match their signature are not filed
        // (164.312(c)(1) integrity).
        let holds = evidence
            .as_ref()
            .is_some_and(|e| e.matches(v.id, &template, &answers) && e.answers_sha256 == r.answers_sha256);
        if !holds {
            return Err(AppError::Conflict(
                "the answers no longer match the patient's signature: nothing was filed; tell the compliance officer"
                    .into(),
            ));
        }
        let chart = self.chart_items(&permit, &entries)?;
        let lines = rule::compare(rule::proposals(&template, &answers), &chart);
        let filed = rule::decide(status, &lines, decisions).map_err(review_problem)?;
        let now = self.now();
        let mut accepted = 0;
        for line in &lines {
            let key = &line.proposal.key;
            let file = filed.iter().any(|l| &l.proposal.key == key);
            let entry = if file {
                let stored = entry_of(&line.proposal.item)?;
                let entry_id =
                    records_store::insert_entry(tx.conn(), r.patient_id, stored.entry.kind(), now, p.user_id.0).await?;
                self.put_json(tx.conn(), &grant, CtColumn::ChartEntryData, entry_id, &stored)
                    .await?;
                accepted += 1;
                Some(entry_id)
            } else {
                None
            };
            let decision = match (file, decisions.get(key)) {
                (true, _) => Decision::Accept.as_str(),
                (false, Some(Decision::Reject)) => Decision::Reject.as_str(),
                (false, _) => "same",
            };
            store_review::insert_item(tx.conn(), id, key, decision, entry, p.user_id.0, now).await?;
        }
        if !store::mark_reviewed(tx.conn(), id, p.user_id.0, now).await? {
            return Err(review_problem(ReviewProblem::NotSubmitted));
        }
        tx.commit().await?;
        Ok(Filed {
            accepted,
            rejected: decisions.values().filter(|d| **d == Decision::Reject).count(),
        })
    }

    /// Refuses a clinical photo for a patient whose photography consent (clinical use) is
    /// missing or says no, naming the form, where the clinic uses such a form. The consent's
    /// answer is the clinical class: opened under its own audited read (kept on the trail
    /// whether or not the upload goes on).
    pub(crate) async fn check_photo_consent(&self, p: &Principal, patient: i64) -> Result<(), AppError> {
        let mut conn = self.store().read().await?;
        let opened = self.open_patient(&mut conn, p, patient).await?;
        if !opened.access().writes(DataClass::Clinical) {
            // The upload's own write check refuses this person, with its event; nothing of
            // the consent is opened for them.
            return Ok(());
        }
        let form = store::templates(&mut conn)
            .await?
            .into_iter()
            .find(|t| !t.retired && t.kind == FormKind::PhotoConsent.as_str());
        let Some(form) = form else { return Ok(()) };
        let mut rows: Vec<_> = store::responses_for_patient(&mut conn, patient)
            .await?
            .into_iter()
            .filter(|r| r.template_id == form.id)
            .collect();
        drop(conn);
        rows.sort_by_key(|r| std::cmp::Reverse((r.submitted_at, r.id)));
        let signed: Vec<_> = rows
            .iter()
            .filter(|r| Status::parse(&r.status).is_some_and(Status::done))
            .collect();
        let mut forms: Vec<PhotoConsent> = Vec::new();
        if let Some(newest) = signed.first() {
            let mut event = self.phi_event(
                p,
                Action::PhiRead,
                Outcome::Success,
                vec![patient],
                ("FormResponse", newest.id.to_string()),
                vec![DataClass::Clinical],
            );
            event.reason = "photography consent checked before a photo upload".into();
            let permit = self.permit(event).await?;
            let (answers, _) = self.open_response(&permit, newest)?;
            permit.confirm().await?;
            forms.push(PhotoConsent {
                status: Status::parse(&newest.status).unwrap_or(Status::Submitted),
                clinical_use: match answers.get(rule::CLINICAL_USE) {
                    Some(Answer::YesNo { yes, .. }) => Some(*yes),
                    _ => Some(false),
                },
            });
        }
        match rule::photo_consent_gap(Some(&form.title), &forms) {
            None => Ok(()),
            Some(gap) => Err(AppError::Invalid(gap.words())),
        }
    }
}

/// A proposed item as the chart keeps it (a history item is a problem in the patient's words,
/// with no ICD-10-CM code: as a condition brought from another system without one).
fn entry_of(item: &Item) -> Result<StoredEntry, AppError> {
    let entry = match item {
        Item::Allergy(a) => EntryInput::Allergy {
            substance: a.substance.clone(),
            reaction: a.reaction.clone(),
            severity: String::new(),
        },
        Item::Medication(m) => EntryInput::Medication {
            name: m.name.clone(),
            dose: m.dose.clone(),
            frequency: m.how_often.clone(),
        },
        Item::History(h) => EntryInput::Diagnosis {
            code: String::new(),
            description: h.clone(),
        },
    };
    let entry = entry
        .check_imported()
        .map_err(|e| AppError::Invalid(format!("{}: {}", item.kind_words(), e.0)))?;
    Ok(StoredEntry {
        entry,
        detail: EntryDetail::default(),
    })
}

fn review_problem(p: ReviewProblem) -> AppError {
    match p {
        ReviewProblem::Undecided(keys) => AppError::Invalid(format!(
            "Accept or reject each item before filing ({} left: marked below)",
            keys.len()
        )),
        ReviewProblem::Unknown(_) => {
            AppError::Conflict("the form's items changed since this page was opened: open it again".into())
        }
        ReviewProblem::NotSubmitted => AppError::Conflict("this form is not waiting for review".into()),
    }
}
