//! FHIR R4 export and import of patient records (164.524(c)(2): a copy in the electronic form
//! and format requested, if readily producible; and a clinic's way out of Carekeep).
//!
//! Export builds the bundle from the same [`PatientView`] the chart shows, through the one
//! policy: a signed-in person exports what they may read, nothing more. The command line's
//! export (`carekeep export fhir`) is the clinic's own exit, run at the machine by whoever
//! holds the master key: it takes the whole designated record set. Both are audited.
//!
//! Import reads each file into a [`import::Plan`] first and writes a plan in one transaction
//! with its audit events, so a bad file leaves nothing behind.

mod codes;
pub mod export;
mod forms;
pub mod import;
mod record_pdf;

/// The readable copy of a record view (the portal's delivered copy uses the same writer).
pub(crate) fn record_copy_pdf(clinic: &str, view: &PatientView, at: &str) -> Result<Vec<u8>, AppError> {
    record_pdf::render(clinic, view, at)
}

use crate::permit::Permit;
use crate::records::view::PatientView;
use crate::records::{binding_of, chart_parts, AttachmentMeta, EntryInput, Grant, StoredEntry, StoredNote};
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::appointment::check_service;
use carekeep_domain::records::chart_access::designated_record_set;
use carekeep_domain::records::detail::{same_patient, Match, MatchFacts};
use carekeep_domain::records::patient::{Contact, Identity};
use carekeep_domain::DataClass;
use carekeep_store::chart_rows::chart_rows;
use carekeep_store::records::{self as store, CtColumn};
use carekeep_store::Conn;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// What one import wrote, and what it could not place.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub resources: usize,
    pub patients: usize,
    pub appointments: usize,
    pub notes: usize,
    pub addenda: usize,
    pub vitals: usize,
    pub diagnoses: usize,
    pub medications: usize,
    pub allergies: usize,
    pub attachments: usize,
    pub invoices: usize,
    pub payments: usize,
    /// What was not kept, by resource type (or `Type.field`) and reason, with counts.
    pub unmapped: BTreeMap<String, usize>,
    /// Incoming patients found already in the clinic, merged into that chart (`--merge`).
    pub merged: Vec<PatientMatch>,
    /// Records of a merged patient the chart already held (same kind, time and content),
    /// not written twice.
    pub already_in_chart: usize,
    /// The patients' ids, new or merged into.
    #[serde(skip)]
    pub patient_ids: Vec<i64>,
}

/// What a chart already holds, to compare a merged import with: times and amounts (plain)
/// and the sealed content of notes and entries.
#[derive(Default)]
struct Held {
    appointments: HashSet<(i64, i64)>,
    notes: HashSet<(i64, String)>,
    entries: HashSet<(i64, String)>,
    attachments: HashSet<(i64, i64)>,
    invoices: HashSet<(i64, i64)>,
}

impl App {
    /// Opens the chart a merge writes into, under a read event in the merge's own
    /// transaction (so a refused or failed merge leaves neither the records nor the read).
    async fn held(&self, tx: &mut carekeep_store::Tx, id: i64) -> Result<Held, AppError> {
        use carekeep_store::chart_rows::Part;
        let rows = chart_rows(
            tx.conn(),
            id,
            &[
                Part::Appointments,
                Part::Encounters,
                Part::Entries,
                Part::Attachments,
                Part::Invoices,
            ],
        )
        .await?;
        let mut event = self.event(&Actor::Cli, Action::PhiRead, Outcome::Success);
        event.patients = vec![id];
        event.resource_type = "Patient".into();
        event.resource_id = id.to_string();
        event.data_classes = vec![DataClass::Clinical];
        event.reason = "comparing a FHIR import with the chart it is merged into".into();
        let permit = self.permit_in(tx, &event).await?;
        let mut held = Held::default();
        for a in &rows.appointments {
            held.appointments
                .insert((a.start_at.unix_timestamp(), a.end_at.unix_timestamp()));
        }
        for e in &rows.encounters {
            let note: StoredNote = self.open_json(&permit, CtColumn::EncounterNote, e.id, &e.note_ct)?;
            held.notes
                .insert((e.at.unix_timestamp(), serde_json::to_string(&note).unwrap_or_default()));
        }
        for e in &rows.entries {
            let entry: StoredEntry = self.open_json(&permit, CtColumn::ChartEntryData, e.id, &e.data_ct)?;
            held.entries
                .insert((e.at.unix_timestamp(), serde_json::to_string(&entry).unwrap_or_default()));
        }
        for a in &rows.attachments {
            held.attachments.insert((a.at.unix_timestamp(), a.size_bytes));
        }
        for i in &rows.invoices {
            held.invoices.insert((i.created_at.unix_timestamp(), i.total_cents));
        }
        Ok(held)
    }
}

fn facts<'a>(i: &'a Identity, c: &'a Contact) -> MatchFacts<'a> {
    MatchFacts {
        given: &i.given_name,
        family: &i.family_name,
        birth: Some(i.date_of_birth),
        sex: i.sex.as_str(),
        identifiers: &i.identifiers,
        phone: &c.phone,
        email: &c.email,
    }
}

/// An incoming patient who is already in the clinic. Ids only: the report is printed and
/// may be kept, so it names no one.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PatientMatch {
    /// The Patient's position in the bundle's entries.
    pub entry: usize,
    /// The position among the bundle's patients (the plan's order).
    #[serde(skip)]
    pub planned: usize,
    pub patient_id: i64,
    /// identifier, or demographics (name, birth date, sex and a phone, email or identifier
    /// value in common).
    pub reason: &'static str,
}

impl ImportReport {
    pub fn add(&mut self, other: ImportReport) {
        self.resources += other.resources;
        self.patients += other.patients;
        self.appointments += other.appointments;
        self.notes += other.notes;
        self.addenda += other.addenda;
        self.vitals += other.vitals;
        self.diagnoses += other.diagnoses;
        self.medications += other.medications;
        self.allergies += other.allergies;
        self.attachments += other.attachments;
        self.invoices += other.invoices;
        self.payments += other.payments;
        for (k, v) in other.unmapped {
            *self.unmapped.entry(k).or_default() += v;
        }
        self.merged.extend(other.merged);
        self.already_in_chart += other.already_in_chart;
        self.patient_ids.extend(other.patient_ids);
    }

    pub fn unmapped_total(&self) -> usize {
        self.unmapped.values().sum()
    }
}

impl App {
    /// A patient's record as `p` may see it, as a FHIR R4 Bundle; audited as an export of the
    /// classes it holds before it is returned.
    pub async fn fhir_export(&self, actor: &Actor<'_>, id: i64) -> Result<serde_json::Value, AppError> {
        let p = actor.person()?;
        let (view, files) = self.export_view(&p.actor(), id).await?;
        Ok(export::bundle(&view, &files, &crate::records::rfc3339(self.now())))
    }

    /// The whole designated record set of one patient, for the command line's export.
    pub async fn fhir_export_custodian(&self, id: i64) -> Result<serde_json::Value, AppError> {
        let (view, files) = self.export_view(&Actor::Cli, id).await?;
        Ok(export::bundle(&view, &files, &crate::records::rfc3339(self.now())))
    }

    /// The same record as a readable PDF.
    pub async fn record_pdf(&self, actor: &Actor<'_>, id: i64) -> Result<Vec<u8>, AppError> {
        let p = actor.person()?;
        let (view, _) = self.export_view(&p.actor(), id).await?;
        record_pdf::render(self.clinic_name(), &view, &crate::records::rfc3339(self.now()))
    }

    /// Every patient's id, oldest first (for `export fhir --all`).
    pub async fn all_patient_ids(&self) -> Result<Vec<i64>, AppError> {
        let mut conn = self.store().read().await?;
        Ok(store::all_patient_ids(&mut conn).await?)
    }

    pub(crate) async fn export_view(
        &self,
        actor: &Actor<'_>,
        id: i64,
    ) -> Result<(PatientView, Vec<(i64, Vec<u8>)>), AppError> {
        let mut conn = self.store().read().await?;
        let (opened, roles) = match actor {
            Actor::User(p) => {
                let opened = self.open_patient(&mut conn, p, id).await?;
                if !opened.access().reads_any() {
                    drop(conn);
                    return Err(self
                        .refuse(
                            p,
                            Action::PhiExport,
                            id,
                            DataClass::Identity,
                            "your roles do not allow reading patient records".into(),
                        )
                        .await);
                }
                (opened, p.data_roles().to_vec())
            }
            Actor::Cli => {
                let opened = self
                    .open_for_command_line(&mut conn, actor, id, designated_record_set())
                    .await?;
                (opened, Vec::new())
            }
            // The patient's copy (164.524(c)): `App::portal_copy` checks the granted access
            // request first; `fhir_export` and `record_pdf` refuse a patient (`person()`).
            Actor::Patient(pp) => (self.open_portal_copy(&mut conn, pp, id).await?, Vec::new()),
        };
        let rows = chart_rows(&mut conn, id, &chart_parts(opened.access())).await?;
        let mut event = self.event(actor, Action::PhiExport, Outcome::Success);
        event.patients = vec![id];
        event.resource_type = "Patient".into();
        event.resource_id = id.to_string();
        event.data_classes = opened.access().read.iter().copied().collect();
        event.reason = match actor {
            Actor::Cli => "FHIR export of the designated record set".into(),
            Actor::User(_) => "record export".into(),
            Actor::Patient(_) => "copy of the record delivered in the portal".into(),
        };
        let permit = self.permit(event).await?;
        let mut view = self.build_view(&permit, rows, &roles, &opened)?;
        // Signed forms are part of the record's clinical class (issue 28, item 6).
        if let Some(c) = view.clinical.as_mut() {
            c.forms = self.signed_forms(&permit, &mut conn, id).await?;
        }
        let mut files = Vec::new();
        if let Some(c) = &view.clinical {
            for a in &c.attachments {
                files.push((a.id, self.attachment_bytes(&permit, &mut conn, a.id).await?));
            }
        }
        drop(conn);
        permit.confirm().await?;
        Ok((view, files))
    }

    async fn attachment_bytes(&self, permit: &Permit, conn: &mut Conn, id: i64) -> Result<Vec<u8>, AppError> {
        let (_, ct) = store::attachment_with_content(conn, id).await?;
        Ok(self
            .sealer()
            .open(permit, binding_of(CtColumn::AttachmentContent, id), &ct)?
            .to_vec())
    }

    /// The clinic's patients each incoming patient matches (an identifier in common, or
    /// name, birth date and sex with a confirming detail: `detail::same_patient`). Candidates
    /// are found by blind index and opened under one audited read naming them, as the
    /// command line.
    pub async fn fhir_matches(&self, plan: &import::Plan) -> Result<Vec<PatientMatch>, AppError> {
        let mut conn = self.store().read().await?;
        let mut candidates: Vec<(usize, i64)> = Vec::new();
        for (n, p) in plan.patients.iter().enumerate() {
            for x in p.identity.identifiers.iter().filter(|x| !x.system.is_empty()) {
                for id in self.patients_with_identifier(&mut conn, &x.system, &x.value).await? {
                    candidates.push((n, id));
                }
            }
            for id in self.patients_born(&mut conn, p.identity.date_of_birth).await? {
                candidates.push((n, id));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<i64> = candidates.iter().map(|c| c.1).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = store::patients_by_ids(&mut conn, &ids).await?;
        let mut event = self.event(&Actor::Cli, Action::PhiRead, Outcome::Success);
        event.patients = ids;
        event.resource_type = "Patient".into();
        event.data_classes = vec![DataClass::Identity, DataClass::Contact];
        event.reason = "matching a FHIR import against the clinic's patients".into();
        let permit = self.permit(event).await?;
        let mut opened = BTreeMap::new();
        for row in &rows {
            let identity: Identity = self.open_json(&permit, CtColumn::PatientIdentity, row.id, &row.identity_ct)?;
            let contact: Contact = self.open_json(&permit, CtColumn::PatientContact, row.id, &row.contact_ct)?;
            opened.insert(row.id, (identity, contact));
        }
        drop(conn);
        permit.confirm().await?;
        let mut found = Vec::new();
        for (n, id) in candidates {
            let (Some(p), Some((identity, contact))) = (plan.patients.get(n), opened.get(&id)) else {
                continue;
            };
            if found.iter().any(|m: &PatientMatch| m.planned == n) {
                continue;
            }
            let Some(how) = same_patient(&facts(&p.identity, &p.contact), &facts(identity, contact)) else {
                continue;
            };
            found.push(PatientMatch {
                entry: p.entry,
                planned: n,
                patient_id: id,
                reason: match how {
                    Match::Identifier => "identifier",
                    Match::Demographics => "demographics",
                },
            });
        }
        Ok(found)
    }

    /// Writes one file's plan in one transaction, with one audit event per patient, as the
    /// command line (`recorded_by` is the staff account the records are filed under). A
    /// patient in `merge` is not created again: their records are added to the chart they
    /// matched.
    pub async fn fhir_import(
        &self,
        actor: &Actor<'_>,
        plan: import::Plan,
        recorded_by: i64,
        merge: &[PatientMatch],
    ) -> Result<ImportReport, AppError> {
        let grant = Grant::for_import(actor)?;
        let mut report = ImportReport {
            resources: plan.resources,
            unmapped: plan.unmapped,
            ..ImportReport::default()
        };
        let now = self.now();
        let max_file = self.settings().records.attachment_max_bytes;
        let mut tx = self.store().begin().await?;
        let mut events = Vec::new();
        for (n, p) in plan.patients.into_iter().enumerate() {
            let merged = merge.iter().find(|m| m.planned == n);
            let mut classes = Vec::new();
            let id = match merged {
                // The chart already there keeps its identity and contact as the clinic has
                // them; only the records are added.
                Some(m) => {
                    report.merged.push(m.clone());
                    m.patient_id
                }
                None => {
                    let id = store::insert_patient(tx.conn(), now).await?;
                    let identity = Identity {
                        record_number: format!("MRN-{id:06}"),
                        ..p.identity
                    };
                    self.put_json(tx.conn(), &grant, CtColumn::PatientIdentity, id, &identity)
                        .await?;
                    self.put_json(tx.conn(), &grant, CtColumn::PatientContact, id, &p.contact)
                        .await?;
                    self.index_identity(tx.conn(), id, &identity).await?;
                    self.index_contact(tx.conn(), id, &p.contact).await?;
                    classes.extend([DataClass::Identity, DataClass::Contact]);
                    report.patients += 1;
                    id
                }
            };
            if !p.appointments.is_empty() {
                classes.push(DataClass::Scheduling);
            }
            if !(p.notes.is_empty() && p.entries.is_empty() && p.attachments.is_empty()) {
                classes.push(DataClass::Clinical);
            }
            if !p.invoices.is_empty() {
                classes.extend([DataClass::Billing, DataClass::Coding, DataClass::InvoiceStatus]);
            }
            let held = match merged {
                Some(_) => self.held(&mut tx, id).await?,
                None => Held::default(),
            };
            for a in p.appointments {
                if held
                    .appointments
                    .contains(&(a.start.unix_timestamp(), a.end.unix_timestamp()))
                {
                    report.already_in_chart += 1;
                    continue;
                }
                let service = check_service(&a.service).unwrap_or_else(|_| "Appointment".into());
                let appt = store::insert_appointment(tx.conn(), id, recorded_by, a.start, a.end, a.status, now).await?;
                self.put_json(tx.conn(), &grant, CtColumn::AppointmentService, appt, &service)
                    .await?;
                report.appointments += 1;
            }
            for n in p.notes {
                let note = match n.note.check() {
                    Ok(note) => note,
                    Err(_) => {
                        *report
                            .unmapped
                            .entry("Encounter: an empty or over-long note".into())
                            .or_default() += 1;
                        continue;
                    }
                };
                let note = StoredNote {
                    note,
                    encounter: n.encounter,
                };
                if held
                    .notes
                    .contains(&(n.at.unix_timestamp(), serde_json::to_string(&note).unwrap_or_default()))
                {
                    report.already_in_chart += 1;
                    continue;
                }
                let enc = store::insert_encounter(tx.conn(), id, recorded_by, n.at, now).await?;
                self.put_json(tx.conn(), &grant, CtColumn::EncounterNote, enc, &note)
                    .await?;
                if n.signed {
                    store::sign_encounter(tx.conn(), enc, n.at).await?;
                }
                report.notes += 1;
                for (at, text) in n.addenda {
                    let add = store::insert_addendum(tx.conn(), enc, id, recorded_by, at).await?;
                    self.put_json(tx.conn(), &grant, CtColumn::AddendumText, add, &text)
                        .await?;
                    report.addenda += 1;
                }
            }
            for (at, entry) in p.entries {
                let Ok(entry) = entry.check_imported() else {
                    *report
                        .unmapped
                        .entry("chart entry: refused by Carekeep's checks".into())
                        .or_default() += 1;
                    continue;
                };
                if held
                    .entries
                    .contains(&(at.unix_timestamp(), serde_json::to_string(&entry).unwrap_or_default()))
                {
                    report.already_in_chart += 1;
                    continue;
                }
                match &entry.entry {
                    EntryInput::Vitals(_) => report.vitals += 1,
                    EntryInput::Diagnosis { .. } => report.diagnoses += 1,
                    EntryInput::Medication { .. } => report.medications += 1,
                    EntryInput::Allergy { .. } => report.allergies += 1,
                }
                let e = store::insert_entry(tx.conn(), id, entry.entry.kind(), at, recorded_by).await?;
                self.put_json(tx.conn(), &grant, CtColumn::ChartEntryData, e, &entry)
                    .await?;
            }
            for a in p.attachments {
                let Some(content_type) = carekeep_domain::files::sniff(&a.bytes).filter(|_| a.bytes.len() <= max_file)
                else {
                    *report
                        .unmapped
                        .entry("attachment: larger than the clinic's file size limit".into())
                        .or_default() += 1;
                    continue;
                };
                let size = i64::try_from(a.bytes.len()).unwrap_or(i64::MAX);
                if held.attachments.contains(&(a.at.unix_timestamp(), size)) {
                    report.already_in_chart += 1;
                    continue;
                }
                let att = store::insert_attachment(tx.conn(), id, a.at, recorded_by, content_type, size).await?;
                let meta = AttachmentMeta {
                    filename: a.filename,
                    caption: a.caption,
                    pair: a.pair,
                    pair_label: a.pair_label,
                };
                self.put_json(tx.conn(), &grant, CtColumn::AttachmentMeta, att, &meta)
                    .await?;
                let ct = self
                    .sealer()
                    .seal(binding_of(CtColumn::AttachmentContent, att), &a.bytes)?;
                store::set_ct(tx.conn(), CtColumn::AttachmentContent, att, &ct).await?;
                report.attachments += 1;
            }
            for inv in p.invoices {
                let total: i64 = inv.lines.iter().map(|l| l.amount_cents).sum();
                if held.invoices.contains(&(inv.at.unix_timestamp(), total)) {
                    report.already_in_chart += 1;
                    continue;
                }
                let (inv_id, _) = store::insert_invoice(tx.conn(), id, total, recorded_by, inv.at).await?;
                self.put_json(tx.conn(), &grant, CtColumn::InvoiceLines, inv_id, &inv.lines)
                    .await?;
                report.invoices += 1;
                for (at, amount, method) in inv.payments {
                    store::insert_payment(tx.conn(), inv_id, id, amount, &method, recorded_by, at).await?;
                    report.payments += 1;
                }
            }
            let mut event = self.event(&Actor::Cli, Action::PhiCreate, Outcome::Success);
            event.patients = vec![id];
            event.resource_type = "Patient".into();
            event.resource_id = id.to_string();
            event.data_classes = classes;
            event.reason = if merged.is_some() {
                "imported from a FHIR bundle into the matching chart".into()
            } else {
                "imported from a FHIR bundle".into()
            };
            events.push(event);
            report.patient_ids.push(id);
        }
        self.audit_keys().record_all(&mut tx, &events).await?;
        tx.commit().await?;
        Ok(report)
    }
}
