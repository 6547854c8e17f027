//! The risk assessment's report (164.316(b)(1): the assessment in writing): scope, method, the
//! asset inventory, every specification with its answer and evidence, the risk register, the
//! remediation plan and the sign-off. A PDF here; the page shows the same.

use super::SraView;
use crate::pdf::{us_date, Pdf, Shade};
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::sra::topics::TOPICS;
use carekeep_domain::Capability;

/// How the assessment was made, for the report.
pub const METHOD: &str = "Every standard and implementation specification of the HIPAA Security Rule (45 CFR 164.308 to 164.316, 53 rows) was answered: required rows implemented or not; addressable rows implemented, or not as written with the reason and the equivalent measure (164.306(d)(3)). Where Carekeep can see the answer itself (accounts, two-step verification, automatic logoff, encryption, transport security, audit verification, monitoring reviews, vendor agreements, training, policies, offboarding) its evidence is shown with its date and a human answer it contradicts is flagged. Threats were linked to the assets that hold or move ePHI; likelihood and impact rated low, moderate or high; the risk level read from a 3x3 matrix (low x high and high x low are moderate; moderate x high and high x moderate are high). Each risk has a treatment; risks to mitigate carry tasks with an owner and a due date.";

/// An asset's safeguards in words, with its inventory (system, patching, support, disposal) and
/// the gaps the inventory found.
fn safeguards(a: &super::AssetView) -> String {
    let mut parts = vec![format!(
        "ePHI {}; encrypted {}; screen lock {}; patched {}; backed up {}",
        yes(a.holds_ephi),
        yes(a.encrypted),
        yes(a.screen_lock),
        yes(a.patched),
        yes(a.backed_up)
    )];
    for (label, t) in [
        ("operating system", &a.os),
        ("last patched", &a.last_patched_on),
        ("support ends", &a.support_ends_on),
        ("disposed of", &a.retired_on),
    ] {
        if !t.is_empty() {
            let shown = if label == "operating system" {
                t.clone()
            } else {
                us_date(t)
            };
            parts.push(format!("{label} {shown}"));
        }
    }
    if !a.gaps.is_empty() {
        parts.push(format!("GAPS: {}", a.gaps.join("; ")));
    }
    parts.join("; ")
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

    /// Built outside any `.await`: the PDF writer is not `Send`. Numbered sections with
    /// headings; the assets, the answers, the risks and the plan as tables; the heat map of
    /// the risks; the clinic's name and the page number on every page.
    pub(crate) fn assessment_pdf_of(&self, v: &SraView) -> Result<Vec<u8>, AppError> {
        let s = &v.summary;
        let mut pdf = Pdf::new(&s.title)?;
        pdf.running_head(self.clinic_name(), &s.title);
        pdf.title(&format!("{}: {}", self.clinic_name(), s.title));
        pdf.line(&if s.status == "final" {
            format!(
                "Finalized on {} and signed by {}.",
                us_date(&s.finalised_on),
                s.signed_by
            )
        } else {
            format!("Not finalized ({}), started {}.", s.status, us_date(&s.created_on))
        });
        pdf.heading("1. Scope");
        pdf.paragraph(&v.scope);
        pdf.heading("2. Method");
        pdf.paragraph(METHOD);

        pdf.heading("3. Summary");
        pdf.paragraph(&format!(
            "{} of {} rows answered; {} gaps; {} answers contradicted by the system's evidence; {} risks, of which {} high.",
            v.answered,
            v.rows.len(),
            v.gaps,
            v.contradictions,
            v.risks.len(),
            v.risks.iter().filter(|r| r.level == "high").count()
        ));
        let (rows, columns, cells) = heat_map(v);
        pdf.grid("Likelihood", rows, "Impact", columns, &cells);

        pdf.heading("4. Assets holding or moving ePHI");
        if v.assets.is_empty() {
            pdf.line("No assets recorded.");
        } else {
            let rows: Vec<Vec<String>> = v
                .assets
                .iter()
                .map(|a| {
                    vec![
                        if a.notes.is_empty() {
                            a.name.clone()
                        } else {
                            format!("{}. {}", a.name, a.notes)
                        },
                        if a.vendor.is_empty() {
                            a.kind.clone()
                        } else {
                            format!("{} ({})", a.kind, a.vendor)
                        },
                        dash(&a.owner),
                        dash(&a.location),
                        safeguards(a),
                    ]
                })
                .collect();
            pdf.table(
                &[
                    ("Asset", 0.26),
                    ("Kind", 0.16),
                    ("Owner", 0.14),
                    ("Location", 0.14),
                    ("Safeguards", 0.30),
                ],
                &rows,
            );
        }

        // What attacks small clinics: each topic with the rows that ask about it.
        pdf.heading("5. What attacks small clinics");
        let mut rows = Vec::new();
        for topic in TOPICS {
            for (id, _) in topic.asked {
                if let Some(r) = v.rows.iter().find(|r| r.id == *id) {
                    rows.push(vec![
                        format!("{}\n{}", topic.name, topic.cfr),
                        format!("{} {}", r.id, r.heading),
                        if r.answer_label.is_empty() {
                            "No answer".into()
                        } else {
                            r.answer_label.clone()
                        },
                        r.evidence.clone(),
                    ]);
                }
            }
        }
        pdf.table(
            &[("Topic", 0.24), ("Row", 0.30), ("Answer", 0.16), ("Evidence", 0.30)],
            &rows,
        );

        pdf.heading("6. Specifications and answers");
        let rows: Vec<Vec<String>> = v
            .rows
            .iter()
            .map(|r| {
                let mut notes = Vec::new();
                for (label, t) in [
                    ("Reason", &r.reason),
                    ("Measure", &r.measure),
                    ("Evidence", &r.evidence),
                ] {
                    if !t.is_empty() {
                        notes.push(format!("{label}: {t}"));
                    }
                }
                if r.contradicted {
                    notes.push("CONTRADICTED by the system's evidence".into());
                }
                vec![
                    format!("{}\n{}", r.id, r.cfr),
                    format!(
                        "{} ({})",
                        r.heading,
                        if r.required { "required" } else { "addressable" }
                    ),
                    if r.answer_label.is_empty() {
                        "No answer".into()
                    } else {
                        r.answer_label.clone()
                    },
                    notes.join(". "),
                ]
            })
            .collect();
        pdf.table(
            &[
                ("Row", 0.17),
                ("Specification", 0.28),
                ("Answer", 0.15),
                ("Reason, measure, evidence", 0.40),
            ],
            &rows,
        );

        pdf.heading("7. Risk register");
        if v.risks.is_empty() {
            pdf.line("No risks recorded.");
        } else {
            let rows: Vec<Vec<String>> = v
                .risks
                .iter()
                .map(|r| {
                    vec![
                        if r.asset.is_empty() {
                            format!("{}. {}", r.threat, r.vulnerability)
                        } else {
                            format!("{} / {}. {}", r.threat, r.asset, r.vulnerability)
                        },
                        format!("{} x {}", r.likelihood, r.impact),
                        r.level.clone(),
                        if r.justification.is_empty() {
                            r.treatment.clone()
                        } else {
                            format!("{}: {}", r.treatment, r.justification)
                        },
                        match r.tasks.len() {
                            0 if r.treatment == "mitigate" => "No task yet".into(),
                            0 => "-".into(),
                            1 => "1 task".into(),
                            n => format!("{n} tasks"),
                        },
                    ]
                })
                .collect();
            pdf.table(
                &[
                    ("Threat, asset and vulnerability", 0.40),
                    ("Likelihood x impact", 0.16),
                    ("Level", 0.10),
                    ("Treatment", 0.22),
                    ("Plan", 0.12),
                ],
                &rows,
            );
        }

        pdf.heading("8. Remediation plan");
        let tasks: Vec<Vec<String>> = v
            .risks
            .iter()
            .flat_map(|r| {
                r.tasks.iter().map(move |t| {
                    vec![
                        t.title.clone(),
                        r.threat.clone(),
                        dash(&t.owner),
                        us_date(&t.due_on),
                        if t.done_on.is_empty() {
                            "open".into()
                        } else {
                            format!("done {}", us_date(&t.done_on))
                        },
                    ]
                })
            })
            .collect();
        if tasks.is_empty() {
            pdf.line("No remediation tasks: no risk in this assessment is to be mitigated.");
        } else {
            pdf.table(
                &[
                    ("Task", 0.32),
                    ("For the risk", 0.26),
                    ("Owner", 0.14),
                    ("Due", 0.12),
                    ("Status", 0.16),
                ],
                &tasks,
            );
        }

        pdf.heading("9. Sign-off");
        pdf.line(&if s.status == "final" {
            format!(
                "Signed by {} on {}. This assessment no longer changes; it is kept six years (164.316(b)(2)(i)).",
                s.signed_by,
                us_date(&s.finalised_on)
            )
        } else {
            "Not signed yet.".into()
        });
        pdf.finish()
    }
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn dash(s: &str) -> String {
    if s.trim().is_empty() {
        "-".into()
    } else {
        s.to_owned()
    }
}

/// The heat map: likelihood high to low (top to bottom) by impact low to high, each cell
/// shaded by the level the 3x3 matrix gives it and saying that level and its count of risks.
type Cells = [[(String, Shade); 3]; 3];

fn heat_map(v: &SraView) -> ([&'static str; 3], [&'static str; 3], Cells) {
    use carekeep_domain::program::sra::risk::{level, Rating};
    let likelihoods = [Rating::High, Rating::Moderate, Rating::Low];
    let impacts = [Rating::Low, Rating::Moderate, Rating::High];
    let cells = likelihoods.map(|l| {
        impacts.map(|i| {
            let n = v
                .risks
                .iter()
                .filter(|r| Rating::parse(&r.likelihood) == Some(l) && Rating::parse(&r.impact) == Some(i))
                .count();
            let lvl = level(l, i);
            let shade = match lvl {
                Rating::Low => Shade::Low,
                Rating::Moderate => Shade::Moderate,
                Rating::High => Shade::High,
            };
            let word = match lvl {
                Rating::Low => "Low",
                Rating::Moderate => "Moderate",
                Rating::High => "High",
            };
            (format!("{word}: {n} risk{}", if n == 1 { "" } else { "s" }), shade)
        })
    });
    (["High", "Moderate", "Low"], ["Low", "Moderate", "High"], cells)
}
