//! A signed form as a US Letter PDF: the questions and answers as the patient saw them, the
//! signature (drawn, or the typed name), and its evidence: who signed and as what, when (the
//! clinic's time), the device, the address, the exact version and both hashes, and whether the
//! answers still match the hash signed (patients-and-messages.md 7.4; 7001(d) reproduction).

use super::packets::ResponseView;
use crate::pdf::Pdf;
use crate::portal::portal_patient;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::forms::{file_name, is_shown, Answer, FieldKind, Mark};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::zone::ClinicZone;
use carekeep_domain::DataClass;
use carekeep_store::forms::{self as store, ResponseRow, VersionRow};
use carekeep_store::records::CtColumn;
use time::OffsetDateTime;

/// A signed form's PDF and the name to save it under.
#[derive(Clone, Debug)]
pub struct SignedPdf {
    pub bytes: Vec<u8>,
    pub file_name: String,
}

/// `12/07/2026 at 9:05 AM` in the clinic's zone.
fn us_time(zone: &ClinicZone, unix: i64) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    let abbreviation = zone.abbreviation_at(t);
    let t = zone.local(t);
    let (h, m) = (t.hour(), t.minute());
    let (h12, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!(
        "{:02}/{:02}/{} at {h12}:{m:02} {half} ({})",
        u8::from(t.month()),
        t.day(),
        t.year(),
        abbreviation
    )
}

/// The strokes of a pad's path data (`M x y L x y ...`).
pub(crate) fn strokes(path: &str) -> Vec<Vec<(f32, f32)>> {
    let mut out: Vec<Vec<(f32, f32)>> = Vec::new();
    let mut toks = path.split_whitespace();
    while let Some(cmd) = toks.next() {
        let (Some(x), Some(y)) = (toks.next(), toks.next()) else {
            break;
        };
        let (Ok(x), Ok(y)) = (x.parse::<f32>(), y.parse::<f32>()) else {
            break;
        };
        match cmd {
            "M" => out.push(vec![(x, y)]),
            _ => match out.last_mut() {
                Some(s) => s.push((x, y)),
                None => out.push(vec![(x, y)]),
            },
        }
    }
    out
}

/// An answer in words (dates the US way, lists one a line): the PDF and the pages.
pub fn answer_words(a: Option<&Answer>, kind: &FieldKind) -> String {
    let Some(a) = a else {
        return "(no answer)".into();
    };
    match a {
        Answer::Text(s) if *kind == FieldKind::Date => crate::pdf::us_date(s),
        Answer::Text(s) => match kind {
            FieldKind::Number { unit, .. } => format!("{s} {unit}"),
            _ => s.clone(),
        },
        Answer::Many(v) => v.join("; "),
        Answer::YesNo { yes: true, detail } if !detail.is_empty() => format!("Yes. {detail}"),
        Answer::YesNo { yes, .. } => if *yes { "Yes" } else { "No" }.into(),
        Answer::Medications(v) => v
            .iter()
            .map(|m| {
                [m.name.as_str(), m.dose.as_str(), m.how_often.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Answer::Allergies(v) => v
            .iter()
            .map(|x| match x.reaction.as_str() {
                "" => x.substance.clone(),
                r => format!("{} ({r})", x.substance),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The PDF of a form (its answers and, once signed, the signature and its evidence).
pub fn form_pdf_bytes(
    clinic: &str,
    zone: &ClinicZone,
    patient: &str,
    born: &str,
    v: &ResponseView,
) -> Result<Vec<u8>, AppError> {
    let t = &v.template;
    let mut pdf = Pdf::new(&t.title)?;
    pdf.running_head(clinic, &t.title);
    pdf.title(&t.title);
    pdf.line(&format!("Patient: {patient}, born {born}"));
    pdf.line(&format!("Form version {} ({})", v.version, v.status.words()));
    let only_signing = |s: &carekeep_domain::forms::Section| s.fields.iter().all(|f| f.kind == FieldKind::Signature);
    for s in t.sections.iter().filter(|s| !only_signing(s)) {
        pdf.heading(&s.title);
        for p in &s.text {
            pdf.paragraph(p);
        }
        for f in s.fields.iter().filter(|f| f.kind != FieldKind::Signature) {
            if !is_shown(t, f, &v.answers) {
                continue;
            }
            pdf.paragraph(&format!("{}\n{}", f.label, answer_words(v.answers.get(&f.id), &f.kind)));
        }
    }
    pdf.heading("Signature");
    for p in t
        .sections
        .iter()
        .filter(|s| only_signing(s))
        .flat_map(|s| s.text.iter())
    {
        pdf.paragraph(p);
    }
    match &v.evidence {
        None => pdf.paragraph("Not signed yet."),
        Some(e) => {
            pdf.paragraph(&e.intent);
            match &e.mark {
                Mark::Drawn(path) => pdf.drawing(&strokes(path), 600.0, 200.0, 90.0),
                Mark::Typed(name) => pdf.paragraph(&format!("/s/ {name} (typed)")),
            }
            pdf.heading("Evidence of the electronic signature");
            for line in [
                format!("Signed by: {}", e.signer.words()),
                format!("Signed on: {}", us_time(zone, e.signed_at)),
                format!(
                    "How: {}",
                    match e.mark {
                        Mark::Drawn(_) => "drawn on the screen",
                        Mark::Typed(_) => "name typed",
                    }
                ),
                format!(
                    "Where: {}",
                    if e.channel == "kiosk" {
                        "the clinic's tablet"
                    } else {
                        "the patient portal"
                    }
                ),
                format!("Device (browser): {}", e.user_agent),
                format!("Internet address: {}", e.address),
                format!("Form version: {} (record {})", v.version, e.template_version_id),
                format!("Form content SHA-256: {}", e.template_sha256),
                format!("Answers SHA-256: {}", e.answers_sha256),
                format!(
                    "Consent to sign electronically: given {} (statement version {})",
                    us_time(zone, e.esign_consented_at),
                    e.esign_version
                ),
                if v.evidence_holds {
                    "Check: the answers above match the answers signed.".to_owned()
                } else {
                    "Check: THE ANSWERS ABOVE DO NOT MATCH THE ANSWERS SIGNED.".to_owned()
                },
            ] {
                pdf.line(&line);
            }
        }
    }
    pdf.finish()
}

impl App {
    async fn form_pdf_of(
        &self,
        permit: &crate::permit::Permit,
        r: &ResponseRow,
        v: &VersionRow,
    ) -> Result<Vec<u8>, AppError> {
        let view = self.response_view(permit, r, v)?;
        let mut conn = self.store().read().await?;
        let row = carekeep_store::records::patient_by_id(&mut conn, r.patient_id).await?;
        drop(conn);
        let identity: Identity = self.open_json(permit, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
        let born = crate::pdf::us_date(&identity.date_of_birth.to_string());
        form_pdf_bytes(
            self.clinic_name(),
            &self.clinic_zone(),
            &identity.full_name(),
            &born,
            &view,
        )
    }

    /// A form as a PDF for staff: the clinical read (answers), audited as a print; with the
    /// name to save it under (the form's title and signing day, never the patient's name).
    pub async fn form_pdf(&self, actor: &Actor<'_>, id: i64) -> Result<SignedPdf, AppError> {
        let p = actor.person()?;
        let mut conn = self.store().read().await?;
        let r = store::response(&mut conn, id)
            .await
            .map_err(|_| AppError::NotFound("form"))?;
        let opened = self.open_patient(&mut conn, p, r.patient_id).await?;
        let v = store::version(&mut conn, r.version_id).await?;
        drop(conn);
        let permit = self
            .form_answers_permit(
                p,
                &opened,
                id,
                Action::PhiPrint,
                vec![DataClass::Identity, DataClass::Clinical],
                "signed form as PDF",
            )
            .await?;
        let bytes = self.form_pdf_of(&permit, &r, &v).await?;
        permit.confirm().await?;
        self.signed_pdf(bytes, &r, &v)
    }

    /// The PDF with the name to save it under: the form's title and the day it was signed.
    fn signed_pdf(&self, bytes: Vec<u8>, r: &ResponseRow, v: &VersionRow) -> Result<SignedPdf, AppError> {
        let title = super::parse_body(&v.body)?.title;
        let signed_on = r.submitted_at.and_then(|t| self.local(t)).map(|t| t.date());
        Ok(SignedPdf {
            bytes,
            file_name: file_name::signed_form_pdf(&title, signed_on),
        })
    }

    /// The patient's copy of a form they signed (164.508(c)(4) for an authorization; 7001(d)).
    pub async fn portal_form_pdf(&self, actor: &Actor<'_>, id: i64) -> Result<SignedPdf, AppError> {
        let pp = portal_patient(actor)?;
        let mut conn = self.store().read().await?;
        self.open_for_portal(&mut conn, pp, pp.patient_id).await?;
        let left_out = self.portal_left_out(&mut conn, pp).await?;
        let r = store::response(&mut conn, id)
            .await
            .ok()
            .filter(|r| {
                r.patient_id == pp.patient_id
                    && r.submitted_at.is_some()
                    && !Self::form_left_out(r.appointment_id, &left_out)
            })
            .ok_or(AppError::NotFound("page"))?;
        let v = store::version(&mut conn, r.version_id).await?;
        drop(conn);
        let mut event = self.event(actor, Action::PhiExport, Outcome::Success);
        event.patients = vec![pp.patient_id];
        event.resource_type = "FormResponse".into();
        event.resource_id = id.to_string();
        event.data_classes = vec![DataClass::Identity, DataClass::Clinical];
        event.reason = "portal: the patient's copy of a signed form".into();
        let permit = self.permit(event).await?;
        let bytes = self.form_pdf_of(&permit, &r, &v).await?;
        permit.confirm().await?;
        self.signed_pdf(bytes, &r, &v)
    }
}
