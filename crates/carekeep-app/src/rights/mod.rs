//! Patients' rights: requests with their legal clocks (164.522-164.528), the append-only
//! disclosure log, and the accounting of disclosures as a PDF. Handled by those with
//! `handle_incidents` ("incidents and patients' requests"); every step is audited.

use crate::pdf::Pdf;
use crate::permit::Permit;
use crate::{Actor, App, AppError, Principal};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::program::dates::{standing, Standing};
use carekeep_domain::records::patient::{parse_date, Identity};
use carekeep_domain::rights::accounting::{self, Basis, Disclosure};
use carekeep_domain::rights::clocks::{self, Kind};
use carekeep_domain::{Capability, DataClass};
use carekeep_store::records::{self as records_store, CtColumn};
use carekeep_store::rights::{self as store, DisclosureRow, RequestRow};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RequestInput {
    /// access, amendment, accounting, restriction or confidential_communication.
    pub kind: String,
    /// `YYYY-MM-DD`; today when empty.
    pub received_on: String,
    /// What the patient asks for, in their words.
    pub details: String,
    /// Restriction: the care was paid in full out of pocket and is not to go to the health
    /// plan (the restriction the clinic must accept, 164.522(a)(1)(vi)).
    pub self_pay: bool,
    /// Access: the form of the copy asked for (`pdf`, `fhir` or `both`, 164.524(c)(2)).
    pub copy_form: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub(crate) struct Details {
    /// Access: the form of the copy asked for (`pdf`, `fhir` or `both`).
    pub copy_form: String,
    pub asked: String,
    pub extension_reason: String,
    pub decision_reason: String,
    pub self_pay: bool,
    pub contact: String,
    pub reviewable: bool,
    pub amendment: String,
    pub accommodation: String,
    pub terminated: String,
    /// An accepted amendment waits for a clinician to file it into the chart.
    pub amendment_to_file: bool,
    /// The note the amendment amends, if one.
    pub amendment_note: Option<i64>,
    /// When and by whom the amendment was filed into the chart.
    pub amendment_filed: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub patient_id: i64,
    pub patient: String,
    pub kind: String,
    pub received_on: String,
    /// Empty when the rule sets no deadline (164.522).
    pub due_on: String,
    pub cfr: String,
    pub extended_on: String,
    /// open, granted, denied or completed.
    pub status: String,
    pub decided_on: String,
    /// Accounting: the first in 12 months is free (164.528(c)(2)).
    pub fee_free: bool,
    pub details: String,
    pub extension_reason: String,
    pub decision_reason: String,
    /// done, open, due_soon or gap (overdue).
    pub standing: String,
    /// The mandatory self-pay restriction (164.522(a)(1)(vi)).
    pub self_pay: bool,
    /// Amendment accepted: the text to append to the chart.
    pub amendment: String,
    /// An accepted amendment not yet filed into the chart by a clinician.
    pub amendment_to_file: bool,
    /// When and by whom an accepted amendment was filed into the chart.
    pub amendment_filed: String,
    /// Confidential communication granted: how to contact the patient instead.
    pub accommodation: String,
    /// A terminated restriction: how and why (164.522(a)(2)).
    pub terminated: String,
    /// Access: the form of the copy asked for (`pdf`, `fhir`, `both`; empty when not said).
    pub copy_form: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DisclosureInput {
    /// `YYYY-MM-DD`.
    pub disclosed_on: String,
    pub recipient: String,
    pub recipient_address: String,
    /// A brief description of the PHI disclosed.
    pub description: String,
    /// The purpose, or "copy of the written request attached".
    pub purpose: String,
    /// public_health, health_oversight, judicial, law_enforcement, research, hhs, impermissible,
    /// required_by_law (accountable), or tpo, to_individual, incidental, authorization,
    /// directory_or_involved, national_security, correctional_custody, limited_data_set,
    /// before_compliance_date (exempt, 164.528(a)(1)).
    pub basis: String,
    /// The entry this one corrects (the log is append-only).
    pub corrects: Option<i64>,
    /// Basis `authorization`: the authorization on file it relied on.
    pub authorization_id: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DisclosureView {
    pub id: i64,
    pub disclosed_on: String,
    pub recipient: String,
    pub recipient_address: String,
    pub description: String,
    pub purpose: String,
    pub basis: String,
    /// The exemption that keeps it out of the accounting, if any.
    pub exempt_under: String,
    pub corrects: Option<i64>,
    /// Corrected by a later entry.
    pub superseded: bool,
}

pub(crate) fn binding(table: &'static str, column: &'static str, row: i64) -> Binding<'static> {
    Binding { table, column, row }
}

pub(crate) fn text(label: &str, s: &str, max: usize, required: bool) -> Result<String, AppError> {
    crate::input::text(label, s, max, required)
}

pub(crate) fn day(label: &str, s: &str, default: Date) -> Result<Date, AppError> {
    Ok(crate::input::date(label, s, false)?.unwrap_or(default))
}

impl App {
    pub(crate) fn rights_event(
        &self,
        p: &Principal,
        action: Action,
        patient: i64,
        resource: (&str, String),
        what: &str,
    ) -> carekeep_domain::audit::AuditEvent {
        let mut e = self.phi_event(
            p,
            action,
            Outcome::Success,
            vec![patient],
            resource,
            vec![DataClass::Identity],
        );
        e.reason = what.to_owned();
        e
    }

    pub(crate) async fn handler<'a>(&self, actor: &Actor<'a>) -> Result<&'a Principal, AppError> {
        self.require(actor, Capability::HandleIncidents)
            .await?
            .ok_or_else(|| AppError::Forbidden("patients' requests are handled by a signed-in person".into()))
    }

    /// The patient's name for the heading of their disclosures and authorizations ("patient
    /// N" where the reader's roles show no names); reading it is audited.
    pub async fn rights_patient_name(&self, actor: &Actor<'_>, patient: i64) -> Result<String, AppError> {
        let p = self.handler(actor).await?;
        let permit = self
            .permit(self.rights_event(
                p,
                Action::PhiRead,
                patient,
                ("Patient", patient.to_string()),
                "named on the disclosures and authorizations page",
            ))
            .await?;
        let name = self.patient_name(&permit, p, patient).await?;
        permit.confirm().await?;
        Ok(name)
    }

    pub(crate) async fn patient_name(&self, permit: &Permit, p: &Principal, patient: i64) -> Result<String, AppError> {
        let mut conn = self.store().read().await?;
        let row = records_store::patient_by_id(&mut conn, patient)
            .await
            .map_err(|_| AppError::NotFound("patient"))?;
        let access = self.list_access(&self.policy(), p, &row);
        if !access.reads(DataClass::Identity) {
            return Ok(format!("patient {patient}"));
        }
        let i: Identity = self.open_json(permit, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
        Ok(i.full_name())
    }

    /// A request's encrypted details, bound to its row.
    pub(crate) fn request_details(&self, permit: &Permit, id: i64, details_ct: &[u8]) -> Result<Details, AppError> {
        self.open_sealed(permit, "patient_requests", "details_ct", id, details_ct)
    }

    pub(crate) fn request_view(
        &self,
        permit: &Permit,
        r: &RequestRow,
        patient: String,
    ) -> Result<RequestView, AppError> {
        let details = self.request_details(permit, r.id, &r.details_ct)?;
        let kind = Kind::parse(&r.kind).ok_or_else(|| AppError::Internal(format!("request kind {}", r.kind)))?;
        let received = parse_date(&r.received_on).map_err(|_| AppError::Internal("stored date".into()))?;
        let extended = r.extended_on.as_deref().and_then(|d| parse_date(d).ok());
        let due = clocks::due(kind, received, extended).ok().flatten();
        let done = r.status != "open";
        Ok(RequestView {
            id: r.id,
            patient_id: r.patient_id,
            patient,
            kind: r.kind.clone(),
            received_on: r.received_on.clone(),
            due_on: due.map(|d| d.to_string()).unwrap_or_default(),
            cfr: kind.clock().map(|c| c.1).unwrap_or("164.522").into(),
            extended_on: r.extended_on.clone().unwrap_or_default(),
            status: r.status.clone(),
            decided_on: r.decided_on.clone().unwrap_or_default(),
            fee_free: r.fee_free,
            details: details.asked,
            extension_reason: details.extension_reason,
            decision_reason: details.decision_reason,
            standing: match (done, due.map(|d| standing(d, self.clinic_today()))) {
                (true, _) => "done",
                (false, Some(Standing::Gap)) => "gap",
                (false, Some(Standing::DueSoon)) => "due_soon",
                (false, _) => "open",
            }
            .into(),
            self_pay: details.self_pay,
            amendment: details.amendment,
            amendment_to_file: details.amendment_to_file,
            amendment_filed: details.amendment_filed,
            accommodation: details.accommodation,
            terminated: details.terminated,
            copy_form: details.copy_form,
        })
    }

    /// Logs a request with its received date; the clock runs from it.
    pub async fn open_request(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        input: RequestInput,
    ) -> Result<RequestView, AppError> {
        let p = self.handler(actor).await?;
        let (row, permit) = self
            .receive_request(&p.actor(), Some(p.user_id.0), patient, input)
            .await?;
        let name = self.patient_name(&permit, p, patient).await?;
        self.request_view(&permit, &row, name)
    }

    /// A request received, by staff typing it in or from the patient through the portal:
    /// the same checks, clock and sealed words either way; `by` is on the audit trail.
    pub(crate) async fn receive_request(
        &self,
        by: &Actor<'_>,
        recorded_by: Option<i64>,
        patient: i64,
        input: RequestInput,
    ) -> Result<(RequestRow, Permit), AppError> {
        let kind = Kind::parse(&input.kind).ok_or_else(|| {
            AppError::Invalid(
                "the kind is access, amendment, accounting, restriction or confidential_communication".into(),
            )
        })?;
        let today = self.clinic_today();
        let received = day("received date", &input.received_on, today)?;
        if received > today {
            return Err(AppError::Invalid("the received date is in the future".into()));
        }
        let asked = text("request", &input.details, 4000, true)?;
        let mut tx = self.store().begin().await?;
        let fee_free = if kind == Kind::Accounting {
            let previous: Vec<Date> = store::requests(tx.conn(), Some(patient))
                .await?
                .iter()
                .filter(|r| r.kind == Kind::Accounting.as_str())
                .filter_map(|r| parse_date(&r.received_on).ok())
                .collect();
            accounting::free(&previous, received)
        } else {
            true
        };
        let mut row = RequestRow {
            patient_id: patient,
            kind: kind.as_str().into(),
            received_on: received.to_string(),
            status: "open".into(),
            fee_free,
            ..RequestRow::default()
        };
        row.id = store::insert_request(tx.conn(), &row, recorded_by, self.now()).await?;
        let details = Details {
            asked,
            self_pay: input.self_pay && kind == Kind::Restriction,
            copy_form: if kind == Kind::Access {
                input.copy_form
            } else {
                String::new()
            },
            ..Details::default()
        };
        row.details_ct = self.seal(&details, binding("patient_requests", "details_ct", row.id))?;
        store::update_request(tx.conn(), &row).await?;
        let mut event = self.event(by, Action::PhiCreate, Outcome::Success);
        event.patients = vec![patient];
        event.resource_type = "PatientRequest".into();
        event.resource_id = row.id.to_string();
        event.data_classes = vec![DataClass::Identity];
        event.reason = format!("{} request received", kind.as_str());
        let permit = self.permit_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok((row, permit))
    }

    pub(crate) fn seal<T: Serialize>(&self, value: &T, b: Binding<'static>) -> Result<Vec<u8>, AppError> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(value).map_err(|e| AppError::Internal(e.to_string()))?);
        self.sealer().seal(b, &plain)
    }

    /// The value [`Self::seal`] stored in `table.column` of row `id`.
    pub(crate) fn open_sealed<T: serde::de::DeserializeOwned>(
        &self,
        permit: &Permit,
        table: &'static str,
        column: &'static str,
        id: i64,
        ciphertext: &[u8],
    ) -> Result<T, AppError> {
        serde_json::from_slice(&self.sealer().open(permit, binding(table, column, id), ciphertext)?)
            .map_err(|e| AppError::Internal(format!("stored {table}.{column}: {e}")))
    }

    async fn change_request(
        &self,
        actor: &Actor<'_>,
        id: i64,
        what: &str,
        change: impl FnOnce(&mut RequestRow, &mut Details) -> Result<(), AppError>,
    ) -> Result<RequestView, AppError> {
        let p = self.handler(actor).await?;
        let mut tx = self.store().begin().await?;
        let mut row = store::request_by_id(tx.conn(), id)
            .await
            .map_err(|_| AppError::NotFound("request"))?;
        let event = self.rights_event(
            p,
            Action::PhiUpdate,
            row.patient_id,
            ("PatientRequest", id.to_string()),
            what,
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        let mut details = self.request_details(&permit, id, &row.details_ct)?;
        change(&mut row, &mut details)?;
        row.details_ct = self.seal(&details, binding("patient_requests", "details_ct", id))?;
        store::update_request(tx.conn(), &row).await?;
        tx.commit().await?;
        let name = self.patient_name(&permit, p, row.patient_id).await?;
        self.request_view(&permit, &row, name)
    }

    /// The one extension, with its written reasons, given before the first period ends.
    pub async fn extend_request(&self, actor: &Actor<'_>, id: i64, reason: &str) -> Result<RequestView, AppError> {
        let reason = text("reason for the delay", reason, 2000, true)?;
        let today = self.clinic_today();
        self.change_request(actor, id, "extension given", |row, details| {
            if row.extended_on.is_some() {
                return Err(AppError::Conflict("the rule allows one extension only".into()));
            }
            if row.status != "open" {
                return Err(AppError::Conflict("the request is already decided".into()));
            }
            let kind = Kind::parse(&row.kind).ok_or_else(|| AppError::Internal("request kind".into()))?;
            let received = parse_date(&row.received_on).map_err(|_| AppError::Internal("stored date".into()))?;
            clocks::due(kind, received, Some(today)).map_err(AppError::Invalid)?;
            row.extended_on = Some(today.to_string());
            details.extension_reason = reason;
            Ok(())
        })
        .await
    }

    /// Every request, newest first (one patient's when given).
    pub async fn patient_requests(
        &self,
        actor: &Actor<'_>,
        patient: Option<i64>,
    ) -> Result<Vec<RequestView>, AppError> {
        let p = self.handler(actor).await?;
        let rows = {
            let mut conn = self.store().read().await?;
            store::requests(&mut conn, patient).await?
        };
        let shown = rows.iter().map(|r| r.patient_id);
        let Some(permit) = self
            .audit_list(p, shown, ("PatientRequestList", patient), "requests listed")
            .await?
        else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for r in &rows {
            let name = self.patient_name(&permit, p, r.patient_id).await?;
            out.push(self.request_view(&permit, r, name)?);
        }
        permit.confirm().await?;
        Ok(out)
    }

    /// The read event of a list of rights records (requests, documents, authorizations) that
    /// names and details patients (164.312(b)): one event naming every patient shown, written
    /// before the list is answered, and the permit to read it. A list about one patient is
    /// audited even when empty, since "nothing on file" is itself about that patient; an empty
    /// clinic-wide list shows no one and needs no permit (`None`).
    pub(crate) async fn audit_list(
        &self,
        p: &Principal,
        shown: impl Iterator<Item = i64>,
        (resource, patient): (&str, Option<i64>),
        what: &str,
    ) -> Result<Option<Permit>, AppError> {
        let mut patients: Vec<i64> = shown.chain(patient).collect();
        patients.sort_unstable();
        patients.dedup();
        if patients.is_empty() {
            return Ok(None);
        }
        let mut e = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            patients,
            (resource, patient.map(|id| id.to_string()).unwrap_or_default()),
            vec![DataClass::Identity],
        );
        e.reason = what.to_owned();
        Ok(Some(self.permit(e).await?))
    }

    /// Open requests with a clock: `(standing, due)` for the dashboard.
    pub(crate) async fn open_request_clocks(&self) -> Result<Vec<(Standing, Date)>, AppError> {
        let rows = {
            let mut conn = self.store().read().await?;
            store::requests(&mut conn, None).await?
        };
        let today = self.clinic_today();
        Ok(rows
            .iter()
            .filter(|r| r.status == "open")
            .filter_map(|r| {
                let kind = Kind::parse(&r.kind)?;
                let received = parse_date(&r.received_on).ok()?;
                let ext = r.extended_on.as_deref().and_then(|d| parse_date(d).ok());
                let due = clocks::due(kind, received, ext).ok().flatten()?;
                Some((standing(due, today), due))
            })
            .collect())
    }

    /// Appends a disclosure to the log (a correction names the entry it corrects).
    pub async fn record_disclosure(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        input: DisclosureInput,
    ) -> Result<i64, AppError> {
        let p = self.handler(actor).await?;
        let basis = Basis::parse(&input.basis)
            .ok_or_else(|| AppError::Invalid("choose the basis of the disclosure (e.g. public_health)".into()))?;
        let today = self.clinic_today();
        let on = day("disclosure date", &input.disclosed_on, today)?;
        if on > today {
            return Err(AppError::Invalid("the disclosure date is in the future".into()));
        }
        let entry = DisclosureInput {
            disclosed_on: on.to_string(),
            recipient: text("recipient", &input.recipient, 200, true)?,
            recipient_address: text("recipient's address", &input.recipient_address, 400, false)?,
            description: text("description of the PHI", &input.description, 2000, true)?,
            purpose: text("purpose", &input.purpose, 2000, true)?,
            basis: basis.as_str().into(),
            corrects: input.corrects,
            authorization_id: input.authorization_id,
        };
        let mut tx = self.store().begin().await?;
        records_store::patient_by_id(tx.conn(), patient)
            .await
            .map_err(|_| AppError::NotFound("patient"))?;
        if let Some(c) = input.corrects {
            if !store::disclosures(tx.conn(), patient).await?.iter().any(|d| d.id == c) {
                return Err(AppError::Invalid(
                    "the corrected entry is not in this patient's log".into(),
                ));
            }
        }
        let id = store::append_disclosure(
            tx.conn(),
            &DisclosureRow {
                patient_id: patient,
                disclosed_on: on.to_string(),
                basis: basis.as_str().into(),
                corrects: input.corrects,
                authorization_id: input.authorization_id,
                ..DisclosureRow::default()
            },
            Some(p.user_id.0),
            self.now(),
        )
        .await?;
        // The entry's own event is the permit to check the authorization it relies on; a refusal
        // rolls both back.
        let event = self.rights_event(
            p,
            Action::PhiCreate,
            patient,
            ("Disclosure", id.to_string()),
            "disclosure logged",
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        self.check_authorization_basis(&permit, tx.conn(), patient, basis, input.authorization_id, on)
            .await?;
        let ct = self.seal(&entry, binding("disclosures", "entry_ct", id))?;
        store::seal_disclosure(tx.conn(), id, &ct).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A patient's disclosure log, oldest first, with what each entry's status is.
    pub async fn disclosure_log(&self, actor: &Actor<'_>, patient: i64) -> Result<Vec<DisclosureView>, AppError> {
        let p = self.handler(actor).await?;
        let rows = {
            let mut conn = self.store().read().await?;
            store::disclosures(&mut conn, patient).await?
        };
        let permit = self
            .permit(self.rights_event(
                p,
                Action::PhiRead,
                patient,
                ("DisclosureLog", patient.to_string()),
                "disclosure log viewed",
            ))
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let e: DisclosureInput = self.open_sealed(&permit, "disclosures", "entry_ct", r.id, &r.entry_ct)?;
            out.push(DisclosureView {
                id: r.id,
                disclosed_on: r.disclosed_on.clone(),
                recipient: e.recipient,
                recipient_address: e.recipient_address,
                description: e.description,
                purpose: e.purpose,
                basis: r.basis.clone(),
                exempt_under: Basis::parse(&r.basis)
                    .and_then(Basis::exemption)
                    .unwrap_or_default()
                    .into(),
                corrects: r.corrects,
                superseded: rows.iter().any(|x| x.corrects == Some(r.id)),
            });
        }
        permit.confirm().await?;
        Ok(out)
    }

    /// The accounting of disclosures for `[from, to]` (default: the six years before today),
    /// as a readable PDF (164.528(b)).
    pub async fn accounting_pdf(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<u8>, AppError> {
        let p = self.handler(actor).await?;
        let today = self.clinic_today();
        let to = day("end of the period", to, today)?;
        let from = day("start of the period", from, accounting::six_years_before(to))?;
        if from < accounting::six_years_before(to) {
            return Err(AppError::Invalid(
                "an accounting covers at most the six years before the request (164.528(a)(1))".into(),
            ));
        }
        let log = self.disclosure_log(actor, patient).await?;
        let domain: Vec<Disclosure> = log
            .iter()
            .filter_map(|d| {
                Some(Disclosure {
                    id: d.id,
                    on: parse_date(&d.disclosed_on).ok()?,
                    recipient: d.recipient.clone(),
                    purpose: d.purpose.clone(),
                    basis: Basis::parse(&d.basis)?,
                    superseded: d.superseded,
                })
            })
            .collect();
        let lines = accounting::lines(&domain, from, to);
        let mut e = self.rights_event(
            p,
            Action::PhiExport,
            patient,
            ("Accounting", patient.to_string()),
            "accounting of disclosures produced",
        );
        e.data_classes = vec![DataClass::Identity];
        let permit = self.permit(e).await?;
        let name = self.patient_name(&permit, p, patient).await?;
        permit.confirm().await?;
        // Built after the last await: the PDF writer is not Send.
        let mut pdf = Pdf::new("Accounting of disclosures")?;
        pdf.title(&format!("{}: accounting of disclosures", self.clinic_name()));
        pdf.line(&format!(
            "For {name}. Disclosures from {from} to {to}. Prepared {today}."
        ));
        pdf.paragraph("This lists disclosures of your health information that the law asks us to account for (45 CFR 164.528). It does not list disclosures for your treatment, payment and our health care operations, disclosures to you, those you authorized in writing, and the other kinds the rule exempts.");
        if lines.is_empty() {
            pdf.line("No disclosures to account for in this period.");
        }
        for l in &lines {
            if let Some(d) = log.iter().find(|d| d.id == l.first) {
                pdf.heading(&format!("{}: {}", d.disclosed_on, d.recipient));
                if !d.recipient_address.is_empty() {
                    pdf.line(&format!("Address: {}", d.recipient_address));
                }
                pdf.line(&format!("Information disclosed: {}", d.description));
                pdf.line(&format!("Purpose: {}", d.purpose));
                if l.count > 1 {
                    pdf.line(&format!(
                        "Disclosed {} times for this purpose; the last on {}.",
                        l.count, l.last_on
                    ));
                }
            }
        }
        pdf.finish()
    }
}

pub mod decisions;
