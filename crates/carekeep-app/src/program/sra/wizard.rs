//! The risk assessment's wizard (issue 25, item 7): one section's rows saved with one
//! submission, through the same checks as the full page (`answer_spec`); "we don't know yet"
//! makes a risk to mitigate with a task, an owner and a due date
//! (`carekeep-domain::program::sra::wizard`).

use super::{AnswerInput, RiskInput};
use crate::{Actor, App, AppError};
use carekeep_domain::program::sra::answers::{self, Answer};
use carekeep_domain::program::sra::specs;
use carekeep_domain::program::sra::wizard::{unknown_threat, UNKNOWN, UNKNOWN_RATING};
use carekeep_domain::Capability;

/// One row as the wizard's form sends it.
#[derive(Clone, Debug, Default)]
pub struct SectionAnswer {
    pub spec: String,
    /// implemented, alternative, not_implemented, not_applicable, unknown, or empty (left).
    pub answer: String,
    pub reason: String,
    pub measure: String,
}

/// A section refused: the row (or `task` for the owner and due date) and why.
#[derive(Debug)]
pub struct SectionRefusal {
    pub spec: String,
    pub error: AppError,
}

impl App {
    /// Saves one section of the assessment. Every row is checked before any is saved; a row
    /// left empty stays as it was. Returns how many rows were saved.
    pub async fn answer_section(
        &self,
        actor: &Actor<'_>,
        id: i64,
        rows: &[SectionAnswer],
        task_owner: &str,
        task_due: &str,
    ) -> Result<usize, SectionRefusal> {
        let refuse = |spec: &str, error| SectionRefusal {
            spec: spec.to_owned(),
            error,
        };
        self.require(actor, Capability::ManageProgram)
            .await
            .map_err(|e| refuse("", e))?;
        let view = self.assessment(actor, id).await.map_err(|e| refuse("", e))?;
        if !view.editable {
            return Err(refuse(
                "",
                AppError::Conflict("this assessment is final; start the next one from it".into()),
            ));
        }
        let mut unknown = false;
        for r in rows.iter().filter(|r| !r.answer.trim().is_empty()) {
            let spec = specs::by_id(&r.spec).ok_or_else(|| refuse(&r.spec, AppError::NotFound("specification")))?;
            if r.answer == UNKNOWN {
                unknown = true;
                continue;
            }
            let answer = Answer::parse(&r.answer)
                .ok_or_else(|| refuse(&r.spec, AppError::Invalid("choose one of the answers".into())))?;
            answers::check(spec, answer, &r.reason, &r.measure).map_err(|m| refuse(&r.spec, AppError::Invalid(m)))?;
        }
        if unknown {
            crate::input::line("owner of the tasks", task_owner, 120, true).map_err(|e| refuse("task", e))?;
            let due = crate::input::date("tasks' due date", task_due, true)
                .map_err(|e| refuse("task", e))?
                .unwrap_or_else(|| self.clinic_today());
            if due < self.clinic_today() {
                return Err(refuse(
                    "task",
                    AppError::Invalid("the tasks' due date has passed".into()),
                ));
            }
        }
        let mut saved = 0;
        for r in rows.iter().filter(|r| !r.answer.trim().is_empty()) {
            if r.answer == UNKNOWN {
                let heading = view
                    .rows
                    .iter()
                    .find(|v| v.id == r.spec)
                    .map(|v| v.heading.clone())
                    .unwrap_or_default();
                let threat = unknown_threat(&r.spec, &heading);
                if view.risks.iter().any(|k| k.threat == threat) {
                    continue;
                }
                let question = specs::by_id(&r.spec).map_or("", |s| s.question);
                let risk = self
                    .save_sra_risk(
                        actor,
                        id,
                        0,
                        RiskInput {
                            threat: threat.clone(),
                            vulnerability: format!("Nobody knows yet whether this is in place: {question}"),
                            likelihood: UNKNOWN_RATING.0.as_str().into(),
                            impact: UNKNOWN_RATING.1.as_str().into(),
                            controls: String::new(),
                            treatment: "mitigate".into(),
                            ..RiskInput::default()
                        },
                    )
                    .await
                    .map_err(|e| refuse(&r.spec, e))?;
                self.add_sra_task(
                    actor,
                    risk,
                    &format!("Find out and answer {} {heading}", r.spec),
                    task_owner,
                    &crate::input::date("tasks' due date", task_due, true)
                        .ok()
                        .flatten()
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                )
                .await
                .map_err(|e| refuse(&r.spec, e))?;
            } else {
                self.answer_spec(
                    actor,
                    id,
                    &r.spec,
                    AnswerInput {
                        answer: r.answer.clone(),
                        reason: r.reason.clone(),
                        measure: r.measure.clone(),
                    },
                )
                .await
                .map_err(|e| refuse(&r.spec, e))?;
            }
            saved += 1;
        }
        Ok(saved)
    }
}
