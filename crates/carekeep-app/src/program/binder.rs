//! The audit binder: one dated export of the program's current state and history, for an
//! auditor (164.316(b), 164.530(j)): a PDF to read, and a zip with the same in CSV plus the
//! signed documents. Later modules (risk assessment, incidents, requests) add their parts here.

use crate::pdf::Pdf;
use crate::seal::NotPhi;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::Capability;
use carekeep_store::program as store;
use std::io::Write;
use zip::write::SimpleFileOptions;

fn csv_bytes(header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, AppError> {
    let mut w = crate::csv::CsvWriter::new(header)?;
    for r in rows {
        w.row(r)?;
    }
    w.finish()
}

impl App {
    /// The binder's PDF. Built outside any `.await`: the PDF writer is not `Send`.
    fn binder_pdf(
        &self,
        today: time::Date,
        checklist: &[super::dashboard::ChecklistItem],
        vendors: &[super::vendors::VendorView],
        roster: &[super::workforce::PersonView],
        policies: &[super::policies::PolicyView],
        npp: &super::npp::NppView,
    ) -> Result<Vec<u8>, AppError> {
        let mut pdf = Pdf::new(&format!("{} compliance binder {today}", self.clinic_name()))?;
        pdf.title(&format!("{}: HIPAA compliance binder", self.clinic_name()));
        pdf.line(&format!(
            "Exported {today} from Carekeep. Everything below is taken from the running system."
        ));
        pdf.heading("Where the program stands");
        for i in checklist {
            pdf.line(&format!(
                "[{}] {} (45 CFR {}): {}",
                i.standing_label, i.title, i.cite, i.evidence
            ));
        }
        pdf.heading("Vendors and business associate agreements");
        if vendors.is_empty() {
            pdf.line("No vendors recorded.");
        }
        for v in vendors {
            pdf.line(&format!(
                "{} ({}): handles PHI: {}; BAA {}{}{}; {}{}",
                v.name,
                v.service,
                if v.needs_baa { "yes" } else { "no" },
                v.baa_status,
                if v.baa_signed_on.is_empty() {
                    String::new()
                } else {
                    format!(", signed {}", v.baa_signed_on)
                },
                if v.baa_renewal_on.is_empty() {
                    String::new()
                } else {
                    format!(", renews {}", v.baa_renewal_on)
                },
                v.standing_label,
                if v.retired { " (retired)" } else { "" }
            ));
        }
        pdf.heading("Workforce and training");
        if roster.is_empty() {
            pdf.line("Nobody on the roster.");
        }
        for p in roster {
            let last = p
                .training
                .first()
                .map_or("none".to_owned(), |t| format!("{} on {}", t.title, t.completed_on));
            pdf.line(&format!(
                "{}{}: hired {}{}; last training: {}; next due: {}",
                p.name,
                if p.job_title.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", p.job_title)
                },
                p.hired_on,
                if p.left_on.is_empty() {
                    String::new()
                } else {
                    format!(", left {}", p.left_on)
                },
                last,
                if p.training_due.is_empty() {
                    "-"
                } else {
                    &p.training_due
                }
            ));
        }
        for v in policies.iter().filter(|p| p.adopted) {
            pdf.heading(&format!("Policy: {}", v.title));
            super::policies::write_policy(&mut pdf, self.clinic_name(), v);
        }
        let not_adopted: Vec<&str> = policies
            .iter()
            .filter(|p| !p.adopted)
            .map(|p| p.title.as_str())
            .collect();
        if !not_adopted.is_empty() {
            pdf.heading("Policies not adopted");
            pdf.line(&not_adopted.join(", "));
        }
        pdf.heading("Notice of Privacy Practices");
        if npp.version == 0 {
            pdf.line("No notice published.");
        } else {
            pdf.line(&format!(
                "Versions: {}. Posted in the office: {}; on the website: {}. Patients without an acknowledgment or good-faith record: {}.",
                npp.history.iter().map(|(v, d)| format!("{v} from {d}")).collect::<Vec<_>>().join(", "),
                if npp.posted_office { "yes" } else { "no" },
                if npp.posted_website { "yes" } else { "no" },
                npp.patients_without_acknowledgement
            ));
            pdf.paragraph(&npp.body);
        }
        pdf.finish()
    }

    /// The binder as a zip: `binder.pdf`, CSVs, and `documents/`. Its export is audited.
    pub async fn audit_binder(&self, actor: &Actor<'_>) -> Result<Vec<u8>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let today = self.clinic_today();
        let checklist = self.dashboard(actor).await?;
        let vendors = self.vendors(actor).await?;
        let roster = self.roster(actor).await?;
        let policies = self.policy_views().await?;

        let npp = self.npp_view().await?;
        let pdf = self.binder_pdf(today, &checklist, &vendors, &roster, &policies, &npp)?;

        let mut files: Vec<(String, Vec<u8>)> = vec![("binder.pdf".into(), pdf)];
        // Every assessment's report: the finalised ones are the record kept six years.
        for a in self.assessments(actor).await? {
            let view = self.assessment(actor, a.id).await?;
            files.push((
                format!("risk-assessments/{}-{}.pdf", a.id, a.status),
                self.assessment_pdf_of(&view)?,
            ));
        }
        // Each incident's burden-of-proof record (164.414(b)) and the small-breach logs, for
        // those who handle incidents only: the records name patients and what happened to their
        // information, which the program's other managers have no need to see (164.502(b)).
        let handles_incidents = actor.may(self, Capability::HandleIncidents);
        if !handles_incidents {
            files.push((
                "incidents/README.txt".into(),
                b"The incident records are left out of this binder: they are kept for the people \
who handle incidents. Ask your compliance officer for them, or export the binder as one of them.\n"
                    .to_vec(),
            ));
        }
        let incident_ids: Vec<i64> = if !handles_incidents {
            Vec::new()
        } else {
            let mut conn = self.store().read().await?;
            carekeep_store::incidents::all(&mut conn)
                .await?
                .iter()
                .map(|i| i.id)
                .collect()
        };
        if !incident_ids.is_empty() {
            let mut event = self
                .event(actor, Action::ProgramDocumentViewed, Outcome::Success)
                .with_reason("incident records for the audit binder");
            event.resource_type = "IncidentList".into();
            let permit = self.permit(event).await?;
            for id in incident_ids {
                let view = self.incident_view(&permit, id).await?;
                files.push((format!("incidents/incident-{id}.pdf"), self.incident_record_of(&view)?));
            }
            permit.confirm().await?;
        }
        let register = self.risk_register(actor).await?;
        files.push((
            "risk-register.csv".into(),
            csv_bytes(
                &[
                    "assessment",
                    "threat",
                    "likelihood",
                    "impact",
                    "level",
                    "treatment",
                    "justification",
                    "open tasks",
                ],
                register
                    .iter()
                    .map(|r| {
                        vec![
                            r.assessment_id.to_string(),
                            r.threat.clone(),
                            r.likelihood.clone(),
                            r.impact.clone(),
                            r.level.clone(),
                            r.treatment.clone(),
                            r.justification.clone(),
                            r.tasks.iter().filter(|t| t.done_on.is_empty()).count().to_string(),
                        ]
                    })
                    .collect(),
            )?,
        ));
        files.push((
            "checklist.csv".into(),
            csv_bytes(
                &["item", "standing", "cite", "evidence", "action"],
                checklist
                    .iter()
                    .map(|i| {
                        vec![
                            i.title.into(),
                            i.standing.into(),
                            i.cite.into(),
                            i.evidence.clone(),
                            i.action.clone(),
                        ]
                    })
                    .collect(),
            )?,
        ));
        files.push((
            "vendors.csv".into(),
            csv_bytes(
                &[
                    "name",
                    "service",
                    "contact",
                    "needs_baa",
                    "baa_status",
                    "signed_on",
                    "effective_on",
                    "renewal_on",
                    "subcontractors",
                    "standing",
                    "retired",
                ],
                vendors
                    .iter()
                    .map(|v| {
                        vec![
                            v.name.clone(),
                            v.service.clone(),
                            v.contact.clone(),
                            v.needs_baa.to_string(),
                            v.baa_status.clone(),
                            v.baa_signed_on.clone(),
                            v.baa_effective_on.clone(),
                            v.baa_renewal_on.clone(),
                            v.subcontractors.clone(),
                            v.standing.clone(),
                            v.retired.to_string(),
                        ]
                    })
                    .collect(),
            )?,
        ));
        files.push((
            "training.csv".into(),
            csv_bytes(
                &[
                    "name",
                    "job",
                    "hired_on",
                    "left_on",
                    "training",
                    "kind",
                    "completed_on",
                    "score",
                    "attested",
                ],
                roster
                    .iter()
                    .flat_map(|p| {
                        let base = vec![
                            p.name.clone(),
                            p.job_title.clone(),
                            p.hired_on.clone(),
                            p.left_on.clone(),
                        ];
                        if p.training.is_empty() {
                            vec![[base.clone(), vec![String::new(); 5]].concat()]
                        } else {
                            p.training
                                .iter()
                                .map(|t| {
                                    [
                                        base.clone(),
                                        vec![
                                            t.title.clone(),
                                            t.kind.clone(),
                                            t.completed_on.clone(),
                                            t.score.map(|s| s.to_string()).unwrap_or_default(),
                                            t.attested.to_string(),
                                        ],
                                    ]
                                    .concat()
                                })
                                .collect()
                        }
                    })
                    .collect(),
            )?,
        ));
        files.push((
            "policy_acknowledgements.csv".into(),
            csv_bytes(
                &["policy", "version", "effective_on", "acknowledged_by", "on"],
                policies
                    .iter()
                    .flat_map(|p| {
                        p.acknowledged
                            .iter()
                            .map(|(n, d)| {
                                vec![
                                    p.title.clone(),
                                    p.version.to_string(),
                                    p.effective_on.clone(),
                                    n.clone(),
                                    d.clone(),
                                ]
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect(),
            )?,
        ));
        let mut conn = self.store().read().await?;
        for v in &vendors {
            if let Some((ct, _, name)) = store::vendor_document(&mut conn, v.id).await? {
                let bytes =
                    self.sealer()
                        .open_not_phi(NotPhi::VendorDocument, super::vendors::document_binding(v.id), &ct)?;
                files.push((document_path("vendor", v.id, &name, "baa"), bytes.to_vec()));
            }
        }
        for t in roster.iter().flat_map(|p| &p.training) {
            if t.certificate.is_empty() {
                continue;
            }
            if let Some((_, ct, name)) = carekeep_store::workforce::certificate(&mut conn, t.id).await? {
                let bytes = self.sealer().open_not_phi(
                    NotPhi::TrainingCertificate,
                    super::workforce::certificate_binding(t.id),
                    &ct,
                )?;
                files.push((document_path("training", t.id, &name, "certificate"), bytes.to_vec()));
            }
        }
        drop(conn);

        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in &files {
            zip.start_file(format!("binder-{today}/{name}"), options)
                .map_err(|e| AppError::Internal(format!("zip: {e}")))?;
            zip.write_all(bytes)
                .map_err(|e| AppError::Internal(format!("zip: {e}")))?;
        }
        let out = zip
            .finish()
            .map_err(|e| AppError::Internal(format!("zip: {e}")))?
            .into_inner();
        let mut event = self
            .event(actor, Action::ProgramDocumentViewed, Outcome::Success)
            .with_reason(&format!("audit binder exported ({} files)", files.len()));
        event.resource_type = "Binder".into();
        event.resource_id = today.to_string();
        self.append_event(event).await?;
        Ok(out)
    }
}

/// A document's place in the zip: its kind, its record id and a file name made safe.
fn document_path(kind: &str, id: i64, name: &str, fallback: &str) -> String {
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c))
        .collect();
    format!(
        "documents/{kind}-{id}-{}",
        if safe.is_empty() { fallback } else { &safe }
    )
}
