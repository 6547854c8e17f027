//! The incident's documents: the burden-of-proof record (164.414(b)) as one printable PDF with
//! the HHS portal summary and a draft media notice; the letters to individuals with every
//! element of 164.404(c); the tracking of what was sent; the annual log of small breaches
//! (164.408(c)) as CSV.

use crate::incidents::IncidentView;
use crate::pdf::Pdf;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::incidents::letters::{address_lines, involved_sentence, long_date, sentence};
use carekeep_domain::incidents::obligations::{HHS_IMMEDIATE_AT, INDIVIDUAL_CONTENT};
use carekeep_domain::records::patient::{parse_date, Contact, Identity};
use carekeep_domain::{Capability, DataClass};
use carekeep_store::incidents as store;
use carekeep_store::records::{self as records_store, CtColumn, PatientRow};

impl App {
    /// The record that carries the burden of proof (164.414(b)): what happened, the
    /// determination with its reasons, the scope, every obligation with its date and whether
    /// it was met, the notices sent and the timeline. Kept six years (164.530(j)).
    pub async fn incident_record_pdf(&self, actor: &Actor<'_>, id: i64) -> Result<Vec<u8>, AppError> {
        let v = self.incident(actor, id).await?;
        self.incident_record_of(&v)
    }

    pub(crate) fn incident_record_of(&self, v: &IncidentView) -> Result<Vec<u8>, AppError> {
        let s = &v.summary;
        let d = &v.determination;
        let mut pdf = Pdf::new(&format!("Incident {}", s.id))?;
        pdf.title(&format!("{}: incident {}: {}", self.clinic_name(), s.id, s.title));
        pdf.line(&format!(
            "Status {}. Happened {}; discovered {} by {} (164.404(a)(2)); systems: {}.",
            s.status,
            if v.occurred_on.is_empty() {
                "unknown"
            } else {
                &v.occurred_on
            },
            s.discovered_on,
            v.discovered_by,
            if v.systems.is_empty() { "-" } else { &v.systems }
        ));
        pdf.heading("What happened");
        pdf.paragraph(if v.what_happened.is_empty() {
            "-"
        } else {
            &v.what_happened
        });
        pdf.heading("Is it a breach? (45 CFR 164.402)");
        let yes = |b: bool| if b { "yes" } else { "no" };
        pdf.line(&format!("PHI involved: {}.", yes(d.phi_involved)));
        pdf.line(&format!(
            "Safeguard: {}{}.",
            d.safeguard,
            if d.safeguard == "encrypted" {
                format!("; key compromised: {}", yes(d.key_compromised))
            } else {
                String::new()
            }
        ));
        pdf.line(&format!(
            "Exclusion: {}{}",
            if d.exclusion.is_empty() { "none" } else { &d.exclusion },
            if d.exclusion_reason.is_empty() {
                String::new()
            } else {
                format!(": {}", d.exclusion_reason)
            }
        ));
        for (label, t) in [
            ("(i) Nature and extent of the PHI", &d.nature_and_extent),
            ("(ii) The unauthorized person", &d.unauthorized_person),
            ("(iii) Actually acquired or viewed", &d.acquired_or_viewed),
            ("(iv) Extent mitigated", &d.mitigation),
        ] {
            pdf.line(&format!("{label}: {}", if t.is_empty() { "-" } else { t }));
        }
        pdf.line(&format!("Conclusion: {} {}", s.conclusion, v.conclusion_text));
        pdf.heading("Scope");
        pdf.line(&format!(
            "{} individuals affected; {} found in the audit trail; by state: {}; without usable contact details: {}.",
            s.affected,
            v.scope.patients,
            if d.by_state.is_empty() { "-" } else { &d.by_state },
            d.unreachable
        ));
        if !v.scope.classes.is_empty() {
            pdf.line(&format!(
                "Information exposed: {}.",
                v.scope
                    .classes
                    .iter()
                    .map(|(c, n)| format!("{c} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !d.law_enforcement.is_empty() {
            pdf.line(&format!(
                "Law-enforcement delay (164.412): {} statement of {} by {}, until {}.",
                d.law_enforcement,
                d.law_enforcement_stated_on,
                if d.law_enforcement_official.is_empty() {
                    "-"
                } else {
                    &d.law_enforcement_official
                },
                if d.law_enforcement_until.is_empty() {
                    "30 days at most"
                } else {
                    &d.law_enforcement_until
                }
            ));
        }
        pdf.heading("Obligations");
        if v.obligations.is_empty() {
            pdf.line("None: no notice is owed under Subpart D for the reason above.");
        }
        for o in &v.obligations {
            pdf.line(&format!(
                "{} (45 CFR {}): due {}{}.",
                o.title,
                o.cfr,
                o.due_on,
                if o.done {
                    format!("; done {}", o.done_on)
                } else {
                    "; NOT DONE".into()
                }
            ));
        }
        pdf.line(&format!("Letters to individuals recorded as sent: {}.", v.notices_sent));
        if v.obligations
            .iter()
            .any(|o| o.kind == "hhs" || o.kind == "hhs_annual_log")
        {
            pdf.heading("HHS breach portal summary");
            pdf.line(&format!("Covered entity: {}.", self.clinic_name()));
            pdf.line(&format!(
                "Breach dates: {} to {}; discovered {}.",
                if v.occurred_on.is_empty() {
                    "unknown"
                } else {
                    &v.occurred_on
                },
                if v.occurred_on.is_empty() {
                    "unknown"
                } else {
                    &v.occurred_on
                },
                s.discovered_on
            ));
            pdf.line(&format!(
                "Individuals affected: {}; report {}.",
                s.affected,
                if s.affected >= i64::from(HHS_IMMEDIATE_AT) {
                    "with the individual notices (164.408(b))"
                } else {
                    "in the annual log (164.408(c))"
                }
            ));
            pdf.line(&format!(
                "Location of the PHI: {}.",
                if v.systems.is_empty() { "-" } else { &v.systems }
            ));
            pdf.line(&format!(
                "Safeguards in place: {}. Actions taken: see the timeline.",
                d.safeguard
            ));
        }
        if v.obligations.iter().any(|o| o.kind == "media") {
            pdf.heading("Media notice (draft, 164.406)");
            pdf.paragraph(&format!(
                "{} is notifying patients of an incident discovered on {} that involved their health information. {} What we are doing: {} Questions: {}",
                self.clinic_name(),
                s.discovered_on,
                s.title,
                d.what_we_are_doing,
                d.contact_for_questions
            ));
        }
        if !v.attachments.is_empty() {
            pdf.line(&format!(
                "Attached: {}.",
                v.attachments
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        pdf.heading("Timeline");
        if v.timeline.is_empty() {
            pdf.line("No actions recorded.");
        }
        for (when, who, what) in &v.timeline {
            pdf.line(&format!("{when} {who}: {what}"));
        }
        pdf.finish()
    }

    /// One letter per patient in scope, with every element of 164.404(c)(1), for review and
    /// mailing. Names and addresses come through the policy: a role that cannot read contact
    /// details gets letters without the address. Printing them is audited.
    /// `only`: one patient's letter; all of them merged for mailing otherwise.
    pub async fn breach_letters_pdf(&self, actor: &Actor<'_>, id: i64, only: Option<i64>) -> Result<Vec<u8>, AppError> {
        let p = actor.person()?;
        let actor = p.actor();
        let v = self.incident(&actor, id).await?;
        let d = &v.determination;
        let (scope, rows) = {
            let mut conn = self.store().read().await?;
            let scope: Vec<_> = store::scope(&mut conn, id)
                .await?
                .into_iter()
                .filter(|s| only.is_none_or(|o| o == s.0))
                .collect();
            let ids: Vec<i64> = scope.iter().map(|s| s.0).collect();
            let rows = records_store::patients_by_ids(&mut conn, &ids).await?;
            (scope, rows)
        };
        if scope.is_empty() {
            return Err(AppError::Invalid(
                "no such patient in scope: compute the scope from the audit trail first".into(),
            ));
        }
        let policy = self.policy();
        // Who gets a letter, and with which classes, is the policy's answer before anything is
        // opened: that answer is the print's event and its permit.
        let addressed: Vec<(&PatientRow, bool)> = rows
            .iter()
            .filter_map(|row| {
                let access = self.list_access(&policy, p, row);
                access
                    .reads(DataClass::Identity)
                    .then(|| (row, access.reads(DataClass::Contact)))
            })
            .collect();
        if addressed.is_empty() {
            return Err(AppError::Forbidden(
                "your roles cannot read the names of the patients in scope".into(),
            ));
        }
        let mut classes_printed = vec![DataClass::Identity];
        if addressed.iter().any(|(_, contact)| *contact) {
            classes_printed.push(DataClass::Contact);
        }
        let printed: Vec<i64> = addressed.iter().map(|(row, _)| row.id).collect();
        let mut e = self.phi_event(
            p,
            Action::PhiPrint,
            Outcome::Success,
            printed,
            ("Incident", id.to_string()),
            classes_printed,
        );
        e.reason = format!("breach notice letters for incident {id}");
        let permit = self.permit(e).await?;
        let mut out = Vec::new();
        for (row, reads_contact) in addressed {
            let identity: Identity = self.open_json(&permit, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
            let address = if reads_contact {
                let c: Contact = self.open_json(&permit, CtColumn::PatientContact, row.id, &row.contact_ct)?;
                Some(address_lines(&c.address))
            } else {
                None
            };
            let classes: Vec<String> = scope
                .iter()
                .find(|s| s.0 == row.id)
                .map(|s| s.1.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            out.push((identity.full_name(), address, classes));
        }
        permit.confirm().await?;
        let today = long_date(self.clinic_today());
        let clinic = self.clinic_name().to_owned();
        let happened = match parse_date(&v.occurred_on) {
            Ok(d) => format!("It happened on {}", long_date(d)),
            Err(_) => "We are still establishing the date it happened".into(),
        };
        let discovered = parse_date(&v.summary.discovered_on)
            .map(long_date)
            .unwrap_or_else(|_| v.summary.discovered_on.clone());
        let filled = |typed: &str, missing: &str| match sentence(typed) {
            s if s.is_empty() => missing.to_owned(),
            s => s,
        };
        let mut pdf = Pdf::new(&format!("Breach notice letters, incident {id}"))?;
        let mut first = true;
        let mut missing = Vec::new();
        // A role that cannot read contact details prints the letter for someone who can to
        // address.
        let placeholder = vec!["[Address: to be added by staff who hold contact details.]".to_owned()];
        for (name, address, classes) in &out {
            let lines = match address {
                Some(lines) if !lines.is_empty() => lines,
                Some(_) => {
                    missing.push(name.clone());
                    continue;
                }
                None => &placeholder,
            };
            if !first {
                pdf.page_break();
            }
            first = false;
            pdf.line(&clinic);
            pdf.paragraph("");
            pdf.paragraph(&today);
            pdf.line(name);
            for l in lines {
                pdf.line(l);
            }
            pdf.paragraph("");
            pdf.title("Notice of a breach of your health information");
            pdf.paragraph(&format!("Dear {name}:"));
            pdf.heading("What happened");
            pdf.paragraph(&format!(
                "We are writing to tell you about an incident that involved some of your health information. {} {happened}, and we discovered it on {discovered}.",
                sentence(&v.summary.title)
            ));
            pdf.heading("What information was involved");
            let classes: Vec<&str> = classes.iter().map(String::as_str).collect();
            pdf.paragraph(&involved_sentence(&classes));
            pdf.heading("What you can do");
            pdf.paragraph(&filled(
                &d.steps_for_individuals,
                "[Steps you should take: fill in before sending.]",
            ));
            pdf.heading("What we are doing");
            pdf.paragraph(&filled(
                &d.what_we_are_doing,
                "[What the clinic is doing: fill in before sending.]",
            ));
            pdf.heading("For more information");
            pdf.paragraph(&filled(
                &d.contact_for_questions,
                "[A toll-free number, email address, website or postal address: fill in before sending.]",
            ));
            pdf.paragraph("We sincerely apologize for this incident.");
            pdf.paragraph("Sincerely,");
            pdf.paragraph(&clinic);
        }
        if !missing.is_empty() {
            if !first {
                pdf.page_break();
            }
            pdf.title("Address missing: substitute notice needed");
            pdf.paragraph(&format!(
                "No letter above for these {} people: there is no postal address to mail to. Give substitute notice (164.404(d)(2)): by phone or another written form for fewer than 10; for 10 or more, a notice on the clinic's website for 90 days or in major print or broadcast media, with a toll-free number that works for at least 90 days.",
                missing.len()
            ));
            for name in &missing {
                pdf.line(&format!("{name}: no postal address on file"));
            }
        }
        pdf.finish()
    }

    /// Records that the letters went out to every patient in scope, and how.
    pub async fn record_letters_sent(&self, actor: &Actor<'_>, id: i64, method: &str) -> Result<usize, AppError> {
        let me = self.require(actor, Capability::HandleIncidents).await?;
        let method = match method.trim() {
            "" | "mail" => "first-class mail",
            "email" => "email (the individual agreed to electronic notice)",
            other => return Err(AppError::Invalid(format!("'{other}': the method is mail or email"))),
        };
        let mut tx = self.store().begin().await?;
        let scope = store::scope(tx.conn(), id).await?;
        let sent = store::notices(tx.conn(), id).await?;
        let today = self.clinic_today().to_string();
        let mut noticed = Vec::new();
        for (patient, _, _) in &scope {
            if sent.iter().any(|s| s.0 == *patient) {
                continue;
            }
            store::add_notice(tx.conn(), id, *patient, &today, method, me.map(|p| p.user_id.0)).await?;
            noticed.push(*patient);
        }
        let n = noticed.len();
        let mut e = self
            .event(actor, Action::ProgramChanged, Outcome::Success)
            .with_reason(&format!("{n} breach notices recorded as sent by {method}"));
        e.resource_type = "Incident".into();
        e.resource_id = id.to_string();
        // Each notice is a fact about that patient's record: the event names them.
        e.patients = noticed;
        self.record(&mut tx, &e).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The log of breaches under 500 discovered in `year`, for the HHS annual report
    /// (164.408(c)), as CSV.
    pub async fn breach_log_csv(&self, actor: &Actor<'_>, year: i32) -> Result<Vec<u8>, AppError> {
        self.require(actor, Capability::HandleIncidents).await?;
        let mut event = self
            .event(actor, Action::ProgramDocumentViewed, Outcome::Success)
            .with_reason(&format!("breach log {year} exported"));
        event.resource_type = "IncidentList".into();
        let permit = self.permit(event).await?;
        let rows = {
            let mut conn = self.store().read().await?;
            self.incident_rows(&permit, &mut conn).await?
        };
        permit.confirm().await?;
        let mut w = crate::csv::CsvWriter::new([
            "incident",
            "title",
            "occurred_on",
            "discovered_on",
            "individuals",
            "by_state",
            "safeguard",
            "systems",
            "status",
        ])?;
        for i in rows.iter().rev().filter(|i| {
            i.determined_at.is_some()
                && i.conclusion == "breach"
                && i.affected < i64::from(HHS_IMMEDIATE_AT)
                && i.discovered_on.starts_with(&format!("{year}-"))
        }) {
            w.row([
                i.id.to_string(),
                i.title.clone(),
                i.occurred_on.clone().unwrap_or_default(),
                i.discovered_on.clone(),
                i.affected.to_string(),
                i.by_state.clone(),
                i.safeguard.clone(),
                i.systems.clone(),
                i.status.clone(),
            ])?;
        }
        let mut e = self
            .event(actor, Action::ProgramDocumentViewed, Outcome::Success)
            .with_reason(&format!("breach log {year} exported"));
        e.resource_type = "BreachLog".into();
        e.resource_id = year.to_string();
        self.append_event(e).await?;
        w.finish()
    }
}

/// The contents every individual notice must carry, for the page's checklist.
pub fn individual_contents() -> &'static [&'static str] {
    &INDIVIDUAL_CONTENT
}
