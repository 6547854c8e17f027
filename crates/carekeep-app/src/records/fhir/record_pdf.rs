//! The readable copy of the same record the FHIR bundle carries: what a patient asking for
//! their record can read without software (164.524(c)(2)(i): the form and format requested,
//! or a readable hard copy).

use crate::pdf::Pdf;
use crate::records::view::PatientView;
use crate::AppError;

pub fn render(clinic: &str, v: &PatientView, made: &str) -> Result<Vec<u8>, AppError> {
    let mut pdf = Pdf::new("Patient record")?;
    let name = v
        .identity
        .as_ref()
        .map(|i| i.full_name())
        .unwrap_or_else(|| format!("patient {}", v.id));
    pdf.title(&format!("{clinic}: health record of {name}"));
    pdf.line(&format!(
        "Prepared {made}. The same record is available as a FHIR R4 file."
    ));
    if let Some(i) = &v.identity {
        pdf.heading("Identity");
        pdf.line(&format!("Name: {}", i.full_name()));
        pdf.line(&format!("Date of birth: {}", i.birth_date_as_known));
        pdf.line(&format!("Sex: {}", i.sex));
        pdf.line(&format!("Record number: {}", i.record_number));
        for r in &i.recorded {
            pdf.line(r);
        }
        // One reading of both places it is kept (`program::npp_ack`): staff's and the portal's.
        pdf.line(&format!(
            "Notice of Privacy Practices: {}",
            v.access.npp.as_deref().unwrap_or("not acknowledged")
        ));
    }
    if let Some(c) = &v.contact {
        pdf.heading("Contact");
        for (label, value) in [
            ("Phone", &c.phone_display),
            ("Email", &c.email),
            ("Address", &c.address),
            ("Emergency contact", &c.emergency_contact),
            ("Preferred contact", &c.preferred),
        ] {
            if !value.is_empty() {
                pdf.line(&format!("{label}: {value}"));
            }
        }
    }
    if let Some(s) = &v.scheduling {
        pdf.heading("Appointments");
        if s.appointments.is_empty() {
            pdf.line("None.");
        }
        for a in &s.appointments {
            pdf.line(&format!(
                "{} to {}: {} with {} ({})",
                a.start, a.end, a.service, a.provider_name, a.status_label
            ));
        }
    }
    if let Some(c) = &v.clinical {
        pdf.heading("Visit notes");
        if c.encounters.is_empty() {
            pdf.line("None.");
        }
        for e in &c.encounters {
            let state = match &e.signed_at {
                Some(at) => format!("signed {at}"),
                None => "draft".into(),
            };
            pdf.line(&format!("{}, {} ({state})", e.at, e.author_name));
            for (label, text) in [
                ("Subjective", &e.subjective),
                ("Objective", &e.objective),
                ("Assessment", &e.assessment),
                ("Plan", &e.plan),
            ] {
                if !text.is_empty() {
                    pdf.paragraph(&format!("{label}: {text}"));
                }
            }
            for a in &e.addenda {
                pdf.paragraph(&format!("Addendum {} by {}: {}", a.at, a.author_name, a.text));
            }
        }
        for (title, list) in [
            ("Vital signs", &c.vitals),
            ("Diagnoses", &c.diagnoses),
            ("Medications", &c.medications),
            ("Allergies", &c.allergies),
        ] {
            pdf.heading(title);
            if list.is_empty() {
                pdf.line("None recorded.");
            }
            for e in list {
                pdf.line(&format!("{}: {}", e.at, e.summary));
            }
        }
        pdf.heading("Photos and documents");
        if c.attachments.is_empty() {
            pdf.line("None.");
        }
        for a in &c.attachments {
            let what = if a.caption.is_empty() { &a.filename } else { &a.caption };
            pdf.line(&format!(
                "{}: {} ({}, {} bytes; in the FHIR file)",
                a.at, what, a.content_type, a.size_bytes
            ));
        }
        pdf.heading("Signed forms");
        if c.forms.is_empty() {
            pdf.line("None.");
        }
        for f in &c.forms {
            let (head, lines) = super::forms::pdf_lines(f);
            pdf.line(&head);
            for l in lines {
                pdf.paragraph(&l);
            }
        }
    }
    if let Some(st) = &v.invoice_status {
        pdf.heading("Invoices");
        for inv in &st.invoices {
            pdf.line(&format!(
                "{} of {}: total {}, balance {} ({})",
                inv.number, inv.created_at, inv.total, inv.balance, inv.status_label
            ));
            if let Some(b) = v
                .billing
                .as_ref()
                .and_then(|b| b.invoices.iter().find(|i| i.invoice_id == inv.invoice_id))
            {
                for l in &b.lines {
                    pdf.line(&format!("    {}: {}", l.description, l.amount));
                }
            }
            if let Some(c) = v
                .coding
                .as_ref()
                .and_then(|c| c.invoices.iter().find(|i| i.invoice_id == inv.invoice_id))
            {
                for l in c.lines.iter().filter(|l| !l.procedure_code.is_empty()) {
                    pdf.line(&format!(
                        "    Procedure {}; diagnoses {}",
                        l.procedure_code,
                        l.diagnosis_codes.join(", ")
                    ));
                }
            }
        }
        for p in v.billing.iter().flat_map(|b| &b.payments) {
            pdf.line(&format!("Payment {}: {} by {}", p.received_at, p.amount, p.method));
        }
    }
    pdf.finish()
}
