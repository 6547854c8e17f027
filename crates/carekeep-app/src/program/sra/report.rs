//! The risk assessment's report (164.316(b)(1): the assessment in writing): scope, method, the
//! asset inventory, every specification with its answer and evidence, the risk register, the
//! remediation plan and the sign-off. A PDF here; the page shows the same.

use super::SraView;
use crate::pdf::Pdf;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::sra::topics::TOPICS;
use carekeep_domain::Capability;

/// How the assessment was made, for the report.
pub const METHOD: &str = "Every standard and implementation specification of the HIPAA Security Rule (45 CFR 164.308 to 164.316, 53 rows) was answered: required rows implemented or not; addressable rows implemented, or not as written with the reason and the equivalent measure (164.306(d)(3)). Where Carekeep can see the answer itself (accounts, two-step verification, automatic logoff, encryption, transport security, audit verification, monitoring reviews, vendor agreements, training, policies, offboarding) its evidence is shown with its date and a human answer it contradicts is flagged. Threats were linked to the assets that hold or move ePHI; likelihood and impact rated low, moderate or high; the risk level read from a 3x3 matrix (low x high and high x low are moderate; moderate x high and high x moderate are high). Each risk has a treatment; risks to mitigate carry tasks with an owner and a due date.";

/// An ISO date as `12/06/2026`; anything else unchanged.
fn us_date(s: &str) -> String {
    match carekeep_domain::records::patient::parse_date(s) {
        Ok(d) if s.len() == 10 && s.as_bytes().get(4) == Some(&b'-') => carekeep_domain::program::readiness::us_date(d),
        _ => s.to_owned(),
    }
}

impl App {
    /// The report as a PDF. Viewing it is audited like any program document.
    pub async fn assessment_pdf(&self, actor: &Actor<'_>, id: i64) -> Result<Vec<u8>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let view = self.assessment(actor, id).await?;
        let bytes = self.assessment_pdf_of(&view)?;
        let mut event = self.event(actor, Action::ProgramDocumentViewed, Outcome::Success);
        event.resource_type = "RiskAssessment".into();
        event.resource_id = id.to_string();
        self.append_event(event).await?;
        Ok(bytes)
    }

    /// Built outside any `.await`: the PDF writer is not `Send`.
    pub(crate) fn assessment_pdf_of(&self, v: &SraView) -> Result<Vec<u8>, AppError> {
        let s = &v.summary;
        let mut pdf = Pdf::new(&s.title)?;
        pdf.title(&format!("{}: {}", self.clinic_name(), s.title));
        pdf.line(&if s.status == "final" {
            format!("Finalised on {} and signed by {}.", s.finalised_on, s.signed_by)
        } else {
            format!("{} (not finalised), started {}.", s.status.to_uppercase(), s.created_on)
        });
        pdf.heading("Scope");
        pdf.paragraph(&v.scope);
        pdf.heading("Method");
        pdf.paragraph(METHOD);
        pdf.heading("Summary");
        pdf.line(&format!(
            "{} of {} rows answered; {} gaps; {} answers contradicted by the system's evidence; {} risks.",
            v.answered,
            v.rows.len(),
            v.gaps,
            v.contradictions,
            v.risks.len()
        ));
        pdf.heading("Assets holding or moving ePHI");
        for a in &v.assets {
            let yes = |b: bool| if b { "yes" } else { "no" };
            pdf.line(&format!(
                "{} ({}{}): owner {}; location {}; ePHI {}; encrypted {}; screen lock {}; patched {}; backed up {}{}",
                a.name,
                a.kind,
                if a.vendor.is_empty() {
                    String::new()
                } else {
                    format!(", vendor {}", a.vendor)
                },
                if a.owner.is_empty() { "-" } else { &a.owner },
                if a.location.is_empty() { "-" } else { &a.location },
                yes(a.holds_ephi),
                yes(a.encrypted),
                yes(a.screen_lock),
                yes(a.patched),
                yes(a.backed_up),
                if a.notes.is_empty() {
                    String::new()
                } else {
                    format!(". {}", a.notes)
                }
            ));
            let mut inventory = Vec::new();
            for (label, t) in [
                ("operating system", &a.os),
                ("last patched", &a.last_patched_on),
                ("support ends", &a.support_ends_on),
                ("disposed of", &a.retired_on),
            ] {
                if !t.is_empty() {
                    inventory.push(format!("{label} {}", us_date(t)));
                }
            }
            if !a.gaps.is_empty() {
                inventory.push(format!("GAPS: {}", a.gaps.join("; ")));
            }
            if !inventory.is_empty() {
                pdf.line(&format!("    {}.", inventory.join("; ")));
            }
        }
        // What attacks small clinics (issue 30): each topic with the rows that ask about it.
        pdf.heading("What attacks small clinics");
        for topic in TOPICS {
            pdf.line(&format!("{} ({}):", topic.name, topic.cfr));
            for (id, _) in topic.asked {
                if let Some(r) = v.rows.iter().find(|r| r.id == *id) {
                    pdf.line(&format!(
                        "    {} {}: {}{}",
                        r.id,
                        r.heading,
                        if r.answer_label.is_empty() {
                            "no answer"
                        } else {
                            &r.answer_label
                        },
                        if r.evidence.is_empty() {
                            String::new()
                        } else {
                            format!(". Evidence: {}", r.evidence)
                        }
                    ));
                }
            }
        }
        pdf.heading("Specifications");
        for r in &v.rows {
            let mut line = format!(
                "{} {} {} ({}): {}",
                r.id,
                r.cfr,
                r.heading,
                if r.required { "required" } else { "addressable" },
                if r.answer_label.is_empty() {
                    "no answer"
                } else {
                    &r.answer_label
                }
            );
            for (label, t) in [
                ("Reason", &r.reason),
                ("Measure", &r.measure),
                ("Evidence", &r.evidence),
            ] {
                if !t.is_empty() {
                    line.push_str(&format!(". {label}: {t}"));
                }
            }
            if r.contradicted {
                line.push_str(". CONTRADICTED by the system's evidence");
            }
            pdf.line(&line);
        }
        pdf.heading("Risk register");
        if v.risks.is_empty() {
            pdf.line("No risks recorded.");
        }
        for r in &v.risks {
            pdf.line(&format!(
                "{}{}: likelihood {}, impact {}, level {}; {}; treatment {}{}",
                r.threat,
                if r.asset.is_empty() {
                    String::new()
                } else {
                    format!(" / {}", r.asset)
                },
                r.likelihood,
                r.impact,
                r.level,
                r.vulnerability,
                r.treatment,
                if r.justification.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.justification)
                }
            ));
        }
        pdf.heading("Remediation plan");
        let tasks: Vec<_> = v
            .risks
            .iter()
            .flat_map(|r| r.tasks.iter().map(move |t| (r, t)))
            .collect();
        if tasks.is_empty() {
            pdf.line("No tasks.");
        }
        for (r, t) in tasks {
            pdf.line(&format!(
                "{} (for {}): owner {}, due {}{}",
                t.title,
                r.threat,
                t.owner,
                t.due_on,
                if t.done_on.is_empty() {
                    String::new()
                } else {
                    format!(", done {}", t.done_on)
                }
            ));
        }
        pdf.heading("Sign-off");
        pdf.line(&if s.status == "final" {
            format!(
                "Signed by {} on {}. This assessment no longer changes; it is kept six years (164.316(b)(2)(i)).",
                s.signed_by, s.finalised_on
            )
        } else {
            "Not signed yet.".into()
        });
        pdf.finish()
    }
}
