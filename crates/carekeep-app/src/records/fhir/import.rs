//! Reading FHIR R4 Bundles (transaction or collection, as synthetic-patient generators and
//! other systems write them) into a plan of Carekeep records, without touching the database.
//!
//! The plan is built whole before anything is written, so a malformed file is refused with its
//! entry and reason and nothing of it is stored. Every entry is either mapped or counted as
//! unmapped with the reason; none is dropped silently. Mapping:
//! Patient -> patient; Appointment -> appointment; Encounter (+ its note DocumentReference,
//! addenda, Procedures) -> note; vital-sign Observations at one time -> one vitals set;
//! Condition -> diagnosis; MedicationStatement/MedicationRequest -> medication;
//! AllergyIntolerance -> allergy; Media and non-text DocumentReference -> photo or document;
//! Invoice and Claim -> invoice; PaymentReconciliation -> payments.
#![allow(
    clippy::indexing_slicing,
    reason = "indexes into the import plan this module builds, at the positions it assigned"
)]

use super::codes::*;
use crate::records::{EntryInput, NoteInput};
use base64::Engine;
use carekeep_domain::records::codes::{icd10cm, procedure};
use carekeep_domain::records::invoice::Line;
use carekeep_domain::records::patient::{check_contact, check_name, Contact, ContactMethod, Sex};
use carekeep_domain::records::vitals::{HeightUnit, TempUnit, Vitals, WeightUnit};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use time::{Date, OffsetDateTime};

/// Why a file was refused: which entry, and what is wrong with it.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(pub String);

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one file will become.
#[derive(Debug, Default)]
pub struct Plan {
    pub patients: Vec<PlannedPatient>,
    /// Entries in the bundle.
    pub resources: usize,
    /// Entries Carekeep has no place for, by resource type and reason.
    pub unmapped: BTreeMap<String, usize>,
}

impl Plan {
    pub fn unmapped_total(&self) -> usize {
        self.unmapped.values().sum()
    }
}

#[derive(Debug)]
pub struct PlannedPatient {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub sex: Sex,
    pub contact: Contact,
    pub appointments: Vec<PlannedAppointment>,
    pub notes: Vec<PlannedNote>,
    pub entries: Vec<(OffsetDateTime, EntryInput)>,
    pub attachments: Vec<PlannedAttachment>,
    pub invoices: Vec<PlannedInvoice>,
}

#[derive(Debug)]
pub struct PlannedAppointment {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub status: &'static str,
    pub service: String,
}

#[derive(Debug)]
pub struct PlannedNote {
    pub at: OffsetDateTime,
    pub signed: bool,
    pub note: NoteInput,
    pub addenda: Vec<(OffsetDateTime, String)>,
}

#[derive(Debug)]
pub struct PlannedAttachment {
    pub at: OffsetDateTime,
    pub filename: String,
    pub caption: String,
    pub pair: String,
    pub pair_label: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug)]
pub struct PlannedInvoice {
    pub at: OffsetDateTime,
    pub lines: Vec<Line>,
    pub payments: Vec<(OffsetDateTime, i64, String)>,
}

/// Bundle types that carry resources to load.
const BUNDLE_TYPES: [&str; 5] = ["transaction", "collection", "batch", "searchset", "document"];

/// The longest text a chart entry keeps (the form's limit).
const ENTRY_TEXT: usize = 200;

/// Reads one file's bytes. `now` dates entries that carry no date of their own; `today`
/// bounds dates of birth.
pub fn plan(bytes: &[u8], now: OffsetDateTime, today: Date) -> Result<Plan, Malformed> {
    let bundle: Value = serde_json::from_slice(bytes).map_err(|e| Malformed(format!("not JSON: {e}")))?;
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(Malformed("not a FHIR Bundle (resourceType is not \"Bundle\")".into()));
    }
    let kind = str_at(&bundle, "/type").unwrap_or_default();
    if !BUNDLE_TYPES.contains(&kind) {
        return Err(Malformed(format!(
            "a Bundle of type \"{kind}\" carries no resources to load; use a transaction or collection bundle"
        )));
    }
    let entries = match bundle.get("entry") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(_) => return Err(Malformed("Bundle.entry is not a list".into())),
    };
    let mut b = Builder::new(entries.len(), now, today);
    for (i, e) in entries.iter().enumerate() {
        let r = e
            .get("resource")
            .filter(|r| r.is_object())
            .ok_or_else(|| Malformed(format!("entry {i}: has no resource")))?;
        let ty = r
            .get("resourceType")
            .and_then(Value::as_str)
            .ok_or_else(|| Malformed(format!("entry {i}: the resource has no resourceType")))?;
        if let Some(url) = str_at(e, "/fullUrl") {
            b.by_url.insert(url.to_owned(), i);
        }
        if let Some(id) = str_at(r, "/id") {
            b.by_url.insert(format!("{ty}/{id}"), i);
        }
    }
    // Patients first: everything else is filed under one.
    for (i, e) in entries.iter().enumerate() {
        if let Some(r) = e
            .get("resource")
            .filter(|r| str_at(r, "/resourceType") == Some("Patient"))
        {
            let p = b.patient(i, r)?;
            b.patient_of.insert(i, b.plan.patients.len());
            b.plan.patients.push(p);
        }
    }
    // Encounters before what hangs on them.
    for (i, e) in entries.iter().enumerate() {
        if let Some(r) = e
            .get("resource")
            .filter(|r| str_at(r, "/resourceType") == Some("Encounter"))
        {
            b.encounter(i, r)?;
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let Some(r) = e.get("resource") else { continue };
        match str_at(r, "/resourceType").unwrap_or_default() {
            "Patient" | "Encounter" => {}
            "Appointment" => b.appointment(i, r)?,
            "DocumentReference" => b.document(i, r)?,
            "Media" => b.media(i, r)?,
            "Procedure" => b.procedure(i, r)?,
            "Observation" => b.observation(i, r)?,
            "Condition" => b.condition(i, r)?,
            "MedicationStatement" | "MedicationRequest" => b.medication(i, r, &entries)?,
            "AllergyIntolerance" => b.allergy(i, r)?,
            "Invoice" => b.invoice(i, r)?,
            "Claim" => b.claim(i, r)?,
            "PaymentReconciliation" => {}
            other => b.unmapped(other, "Carekeep keeps no such record"),
        }
    }
    for (i, e) in entries.iter().enumerate() {
        if let Some(r) = e
            .get("resource")
            .filter(|r| str_at(r, "/resourceType") == Some("PaymentReconciliation"))
        {
            b.payment(i, r)?;
        }
    }
    b.finish()
}

struct OpenEncounter {
    patient: usize,
    at: OffsetDateTime,
    signed: bool,
    summary: Vec<String>,
    note: Option<NoteInput>,
    addenda: Vec<(OffsetDateTime, String)>,
}

struct Builder {
    plan: Plan,
    now: OffsetDateTime,
    today: Date,
    by_url: HashMap<String, usize>,
    /// Entry index of a Patient -> index in `plan.patients`.
    patient_of: HashMap<usize, usize>,
    encounters: BTreeMap<usize, OpenEncounter>,
    /// (patient, effective time) -> vitals and how many Observations went into it.
    vitals: BTreeMap<(usize, String), (OffsetDateTime, Vitals, usize)>,
    /// Entry index of an Invoice or Claim -> (patient, index in its invoices).
    invoice_of: HashMap<usize, (usize, usize)>,
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A CodeableConcept's words: its text, else its first coding's display, else its code.
fn concept_text(c: Option<&Value>) -> Option<String> {
    let c = c?;
    str_at(c, "/text")
        .or_else(|| str_at(c, "/coding/0/display"))
        .or_else(|| str_at(c, "/coding/0/code"))
        .map(|s| clip(s, ENTRY_TEXT))
}

/// The code a CodeableConcept carries in `system`.
fn code_in<'a>(c: Option<&'a Value>, system: &str) -> Option<&'a str> {
    c?.get("coding")?
        .as_array()?
        .iter()
        .find(|x| str_at(x, "/system") == Some(system))
        .and_then(|x| str_at(x, "/code"))
}

fn codes_of(c: Option<&Value>) -> Vec<&str> {
    c.and_then(|c| c.get("coding"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| str_at(x, "/code")).collect())
        .unwrap_or_default()
}

/// At most `n` characters, without control characters but newlines.
fn clip(s: &str, n: usize) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(n)
        .collect()
}

/// A FHIR date, dateTime or instant; partial dates mean their first day, dates midnight UTC.
pub fn instant(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let mut parts = s.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u8 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    let date = Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    Some(date.midnight().assume_utc())
}

fn money_cents(v: Option<&Value>) -> Option<i64> {
    let x = v?.get("value")?.as_f64()?;
    let cents = (x * 100.0).round();
    (cents.is_finite() && cents.abs() < 1e12).then_some(cents as i64)
}

fn b64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s.as_bytes()).ok()
}

impl Builder {
    fn new(resources: usize, now: OffsetDateTime, today: Date) -> Self {
        Builder {
            plan: Plan {
                resources,
                ..Plan::default()
            },
            now,
            today,
            by_url: HashMap::new(),
            patient_of: HashMap::new(),
            encounters: BTreeMap::new(),
            vitals: BTreeMap::new(),
            invoice_of: HashMap::new(),
        }
    }

    fn unmapped(&mut self, ty: &str, why: &str) {
        *self.plan.unmapped.entry(format!("{ty}: {why}")).or_default() += 1;
    }

    fn resolve(&self, reference: &str) -> Option<usize> {
        if let Some(i) = self.by_url.get(reference) {
            return Some(*i);
        }
        let mut parts = reference.rsplit('/');
        let id = parts.next()?;
        let ty = parts.next()?;
        self.by_url.get(&format!("{ty}/{id}")).copied()
    }

    /// The patient a resource is about, through the first of `pointers` it has.
    fn patient_ref(&self, i: usize, r: &Value, pointers: &[&str]) -> Result<usize, Malformed> {
        let ty = str_at(r, "/resourceType").unwrap_or_default();
        let reference = pointers
            .iter()
            .find_map(|p| str_at(r, p))
            .ok_or_else(|| Malformed(format!("entry {i} ({ty}): names no patient")))?;
        self.resolve(reference)
            .and_then(|e| self.patient_of.get(&e).copied())
            .ok_or_else(|| {
                Malformed(format!(
                    "entry {i} ({ty}): its patient {reference} is not in this bundle"
                ))
            })
    }

    fn date_of(&self, r: &Value, pointers: &[&str]) -> OffsetDateTime {
        pointers
            .iter()
            .find_map(|p| str_at(r, p).and_then(instant))
            .unwrap_or(self.now)
    }

    fn patient(&mut self, i: usize, r: &Value) -> Result<PlannedPatient, Malformed> {
        let bad = |why: String| Malformed(format!("entry {i} (Patient): {why}"));
        let names = r.get("name").and_then(Value::as_array).cloned().unwrap_or_default();
        let name = names
            .iter()
            .find(|n| str_at(n, "/use") == Some("official"))
            .or_else(|| names.first())
            .ok_or_else(|| bad("has no name; Carekeep needs one to file the record".into()))?;
        let given = name
            .get("given")
            .and_then(Value::as_array)
            .map(|g| g.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        let family = str_at(name, "/family").unwrap_or_default();
        let (given, family) = match (given.trim().is_empty(), family.is_empty()) {
            (false, false) => (given, family.to_owned()),
            _ => {
                let text = str_at(name, "/text").ok_or_else(|| bad("its name has no given and family parts".into()))?;
                match text.rsplit_once(' ') {
                    Some((g, f)) => (g.to_owned(), f.to_owned()),
                    None => return Err(bad("its name has no given and family parts".into())),
                }
            }
        };
        let given = check_name("first name", &given).map_err(|e| bad(e.0))?;
        let family = check_name("last name", &family).map_err(|e| bad(e.0))?;
        let dob = str_at(r, "/birthDate")
            .ok_or_else(|| bad("has no birthDate; Carekeep needs one to tell patients apart".into()))?;
        let dob = carekeep_domain::records::patient::parse_date(dob).map_err(|e| bad(e.0))?;
        let dob = carekeep_domain::records::patient::check_date_of_birth(dob, self.today).map_err(|e| bad(e.0))?;
        let sex = Sex::parse(str_at(r, "/gender").unwrap_or("unknown")).map_err(|e| bad(e.0))?;
        let telecom = r.get("telecom").and_then(Value::as_array).cloned().unwrap_or_default();
        let first = |system: &str| {
            let mut of: Vec<&Value> = telecom
                .iter()
                .filter(|t| str_at(t, "/system") == Some(system))
                .collect();
            of.sort_by_key(|t| t.get("rank").and_then(Value::as_u64).unwrap_or(u64::MAX));
            of.first().and_then(|t| str_at(t, "/value")).map(str::to_owned)
        };
        let phone = first("phone").unwrap_or_default();
        let email = first("email").unwrap_or_default();
        let address = r
            .pointer("/address/0")
            .map(|a| {
                str_at(a, "/text").map(str::to_owned).unwrap_or_else(|| {
                    let lines = a
                        .get("line")
                        .and_then(Value::as_array)
                        .map(|l| l.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default();
                    let place = [str_at(a, "/city"), str_at(a, "/state"), str_at(a, "/postalCode")]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    [lines, place]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
            })
            .unwrap_or_default();
        let emergency = r
            .pointer("/contact/0")
            .map(|c| {
                [
                    str_at(c, "/name/text").map(str::to_owned).or_else(|| {
                        let g = c
                            .pointer("/name/given")
                            .and_then(Value::as_array)
                            .map(|g| g.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "));
                        let f = str_at(c, "/name/family").map(str::to_owned);
                        let n = [g, f].into_iter().flatten().collect::<Vec<_>>().join(" ");
                        (!n.is_empty()).then_some(n)
                    }),
                    str_at(c, "/telecom/0/value").map(str::to_owned),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
            })
            .unwrap_or_default();
        let preferred = r
            .get("extension")
            .and_then(Value::as_array)
            .and_then(|x| x.iter().find(|e| str_at(e, "/url") == Some(EXT_PREFERRED_CONTACT)))
            .and_then(|e| str_at(e, "/valueCode"))
            .and_then(|c| ContactMethod::parse(c).ok());
        let preferred = preferred.unwrap_or(match (phone.is_empty(), email.is_empty(), address.is_empty()) {
            (false, _, _) => ContactMethod::Phone,
            (true, false, _) => ContactMethod::Email,
            (true, true, false) => ContactMethod::Mail,
            _ => ContactMethod::Phone,
        });
        let contact = Contact {
            phone,
            email,
            address: clip(&address, 300),
            emergency_contact: clip(&emergency, 300),
            preferred,
        };
        // A contact block Carekeep would refuse at the desk (a phone of letters, say) keeps
        // its name and address and drops the unusable method, counted as unmapped.
        let contact = match check_contact(contact.clone()) {
            Ok(c) => c,
            Err(_) => {
                self.unmapped("Patient.telecom", "phone or email Carekeep cannot use");
                check_contact(Contact {
                    phone: String::new(),
                    email: String::new(),
                    preferred: if contact.address.is_empty() {
                        ContactMethod::Phone
                    } else {
                        ContactMethod::Mail
                    },
                    ..contact
                })
                .unwrap_or_default()
            }
        };
        Ok(PlannedPatient {
            given_name: given,
            family_name: family,
            date_of_birth: dob,
            sex,
            contact,
            appointments: Vec::new(),
            notes: Vec::new(),
            entries: Vec::new(),
            attachments: Vec::new(),
            invoices: Vec::new(),
        })
    }

    fn encounter(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/subject/reference", "/patient/reference"])?;
        let at = self.date_of(r, &["/period/start", "/period/end"]);
        let status = str_at(r, "/status").unwrap_or_default();
        let mut summary = Vec::new();
        if let Some(t) = concept_text(r.pointer("/type/0")) {
            summary.push(format!("Encounter: {t}"));
        }
        if let Some(t) = concept_text(r.pointer("/reasonCode/0")) {
            summary.push(format!("Reason: {t}"));
        }
        self.encounters.insert(
            i,
            OpenEncounter {
                patient,
                at,
                signed: status == "finished",
                summary,
                note: None,
                addenda: Vec::new(),
            },
        );
        Ok(())
    }

    fn encounter_of(&self, r: &Value, pointer: &str) -> Option<usize> {
        let e = self.resolve(str_at(r, pointer)?)?;
        self.encounters.contains_key(&e).then_some(e)
    }

    fn appointment(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = {
            let actors: Vec<&str> = r
                .get("participant")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|p| str_at(p, "/actor/reference")).collect())
                .unwrap_or_default();
            actors
                .iter()
                .find_map(|a| self.resolve(a).and_then(|e| self.patient_of.get(&e).copied()))
                .ok_or_else(|| {
                    Malformed(format!(
                        "entry {i} (Appointment): no participant is a patient in this bundle"
                    ))
                })?
        };
        let Some(status) = str_at(r, "/status").and_then(appointment_status_from_fhir) else {
            self.unmapped(
                "Appointment",
                "a status Carekeep does not keep (proposed, pending, waitlist)",
            );
            return Ok(());
        };
        let (Some(start), Some(end)) = (
            str_at(r, "/start").and_then(instant),
            str_at(r, "/end").and_then(instant),
        ) else {
            self.unmapped("Appointment", "no start and end time");
            return Ok(());
        };
        if end <= start {
            return Err(Malformed(format!("entry {i} (Appointment): it ends before it starts")));
        }
        let service = concept_text(r.pointer("/serviceType/0"))
            .or_else(|| concept_text(r.get("appointmentType")))
            .or_else(|| str_at(r, "/description").map(|s| clip(s, ENTRY_TEXT)))
            .unwrap_or_else(|| "Appointment".into());
        self.plan.patients[patient].appointments.push(PlannedAppointment {
            start,
            end,
            status,
            service,
        });
        Ok(())
    }

    fn document(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/subject/reference"])?;
        let content_type = str_at(r, "/content/0/attachment/contentType").unwrap_or_default();
        let data = str_at(r, "/content/0/attachment/data");
        let Some(bytes) = data.and_then(b64) else {
            if data.is_some() {
                return Err(Malformed(format!(
                    "entry {i} (DocumentReference): its data is not base64"
                )));
            }
            self.unmapped("DocumentReference", "content not carried in the bundle (a URL only)");
            return Ok(());
        };
        let at = self.date_of(r, &["/date", "/content/0/attachment/creation"]);
        if content_type.starts_with("text/plain") {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let appends = r
                .get("relatesTo")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| str_at(x, "/code") == Some("appends")));
            let enc = self.encounter_of(r, "/context/encounter/0/reference");
            match (enc.and_then(|e| self.encounters.get_mut(&e)), appends) {
                (Some(e), true) if e.note.is_some() || e.signed => e.addenda.push((at, clip(&text, 20_000))),
                (Some(e), _) if e.note.is_none() => e.note = Some(soap(&text)),
                (Some(e), _) => e.addenda.push((at, clip(&text, 20_000))),
                (None, _) => self.plan.patients[patient].notes.push(PlannedNote {
                    at,
                    signed: str_at(r, "/docStatus") != Some("preliminary"),
                    note: soap(&text),
                    addenda: Vec::new(),
                }),
            }
            return Ok(());
        }
        let caption = str_at(r, "/description")
            .map(|s| clip(s, ENTRY_TEXT))
            .unwrap_or_default();
        self.file(patient, r, at, bytes, caption, "DocumentReference");
        Ok(())
    }

    fn media(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/subject/reference"])?;
        let data = str_at(r, "/content/data");
        let Some(bytes) = data.and_then(b64) else {
            if data.is_some() {
                return Err(Malformed(format!("entry {i} (Media): its data is not base64")));
            }
            self.unmapped("Media", "content not carried in the bundle (a URL only)");
            return Ok(());
        };
        let at = self.date_of(r, &["/createdDateTime", "/content/creation", "/issued"]);
        let caption = str_at(r, "/note/0/text")
            .map(|s| clip(s, ENTRY_TEXT))
            .unwrap_or_default();
        self.file(patient, r, at, bytes, caption, "Media");
        Ok(())
    }

    fn file(&mut self, patient: usize, r: &Value, at: OffsetDateTime, bytes: Vec<u8>, caption: String, ty: &str) {
        if carekeep_domain::files::sniff(&bytes).is_none() {
            self.unmapped(ty, "not a JPEG, PNG, WebP or PDF");
            return;
        }
        let ext = |url: &str| {
            r.get("extension")
                .and_then(Value::as_array)
                .and_then(|x| x.iter().find(|e| str_at(e, "/url") == Some(url)))
                .and_then(|e| str_at(e, "/valueCode").or_else(|| str_at(e, "/valueString")))
                .map(|s| clip(s, ENTRY_TEXT))
                .unwrap_or_default()
        };
        let pair = ext(EXT_PHOTO_PAIR);
        let pair = if pair == "before" || pair == "after" {
            pair
        } else {
            String::new()
        };
        let filename = str_at(r, "/content/0/attachment/title")
            .or_else(|| str_at(r, "/content/title"))
            .map(|s| clip(s, ENTRY_TEXT))
            .unwrap_or_default();
        self.plan.patients[patient].attachments.push(PlannedAttachment {
            at,
            filename,
            caption,
            pair,
            pair_label: ext(EXT_PHOTO_PAIR_LABEL),
            bytes,
        });
    }

    fn procedure(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/subject/reference"])?;
        let what = concept_text(r.get("code")).unwrap_or_else(|| "procedure".into());
        let line = format!("Procedure: {what}");
        match self.encounter_of(r, "/encounter/reference") {
            Some(e) => {
                if let Some(enc) = self.encounters.get_mut(&e) {
                    enc.summary.push(line);
                }
            }
            None => {
                let at = self.date_of(r, &["/performedDateTime", "/performedPeriod/start"]);
                self.plan.patients[patient].notes.push(PlannedNote {
                    at,
                    signed: true,
                    note: NoteInput {
                        objective: line,
                        ..NoteInput::default()
                    },
                    addenda: Vec::new(),
                });
            }
        }
        Ok(())
    }

    fn observation(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/subject/reference"])?;
        let codes = codes_of(r.get("code"));
        let qty = |v: Option<&Value>| -> Option<(f64, String)> {
            let v = v?;
            Some((
                v.get("value")?.as_f64()?,
                str_at(v, "/code")
                    .or_else(|| str_at(v, "/unit"))
                    .unwrap_or_default()
                    .to_owned(),
            ))
        };
        let value = qty(r.get("valueQuantity"));
        let component = |code: &str| {
            r.get("component").and_then(Value::as_array).and_then(|cs| {
                cs.iter()
                    .find(|c| codes_of(c.get("code")).contains(&code))
                    .and_then(|c| qty(c.get("valueQuantity")))
            })
        };
        let has = |c: &str| codes.contains(&c);
        let mut v = Vitals::default();
        let u16_of = |x: f64| (x.round() >= 0.0 && x.round() <= f64::from(u16::MAX)).then_some(x.round() as u16);
        let mapped = if has(LOINC_BP) || has("55284-4") {
            v.systolic_mmhg = component(LOINC_SYSTOLIC).and_then(|(x, _)| u16_of(x));
            v.diastolic_mmhg = component(LOINC_DIASTOLIC).and_then(|(x, _)| u16_of(x));
            v.systolic_mmhg.is_some() && v.diastolic_mmhg.is_some()
        } else if has(LOINC_HEART_RATE) {
            v.pulse_bpm = value.as_ref().and_then(|(x, _)| u16_of(*x));
            v.pulse_bpm.is_some()
        } else if has(LOINC_BODY_TEMP) {
            if let Some((x, unit)) = &value {
                v.temperature = Some(*x as f32);
                v.temperature_unit = Some(if unit.contains("F") { TempUnit::F } else { TempUnit::C });
            }
            value.is_some()
        } else if has(LOINC_BODY_WEIGHT) {
            if let Some((x, unit)) = &value {
                let (x, u) = match unit.as_str() {
                    "[lb_av]" | "lb" | "lbs" => (*x, WeightUnit::Lb),
                    "g" => (*x / 1000.0, WeightUnit::Kg),
                    _ => (*x, WeightUnit::Kg),
                };
                v.weight = Some(x as f32);
                v.weight_unit = Some(u);
            }
            value.is_some()
        } else if has(LOINC_BODY_HEIGHT) {
            if let Some((x, unit)) = &value {
                let (x, u) = match unit.as_str() {
                    "[in_i]" | "in" => (*x, HeightUnit::In),
                    "m" => (*x * 100.0, HeightUnit::Cm),
                    _ => (*x, HeightUnit::Cm),
                };
                v.height = Some(x as f32);
                v.height_unit = Some(u);
            }
            value.is_some()
        } else if has(LOINC_SPO2_ARTERIAL) || has(LOINC_SPO2_PULSE_OX) {
            v.spo2_percent = value
                .as_ref()
                .and_then(|(x, _)| (0.0..=100.0).contains(x).then_some(x.round() as u8));
            v.spo2_percent.is_some()
        } else {
            false
        };
        if !mapped {
            self.unmapped(
                "Observation",
                "not a vital sign Carekeep records (labs, scores, surveys)",
            );
            return Ok(());
        }
        let when = str_at(r, "/effectiveDateTime")
            .or_else(|| str_at(r, "/effectivePeriod/start"))
            .or_else(|| str_at(r, "/issued"))
            .unwrap_or_default()
            .to_owned();
        let at = instant(&when).unwrap_or(self.now);
        // Carekeep's own sets carry their id ("vitals-12-bp"): group by it; others by time.
        let set = r
            .get("identifier")
            .and_then(Value::as_array)
            .and_then(|ids| ids.iter().find(|x| str_at(x, "/system") == Some(VITALS_SET_SYSTEM)))
            .and_then(|x| str_at(x, "/value"))
            .and_then(|v| v.rsplit_once('-'))
            .map(|(set, _)| set.to_owned());
        let key = match set {
            Some(set) => format!("{when} {set}"),
            None => when,
        };
        let slot = self.vitals.entry((patient, key)).or_insert((at, Vitals::default(), 0));
        merge(&mut slot.1, v);
        slot.2 += 1;
        Ok(())
    }

    fn condition(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/subject/reference", "/patient/reference"])?;
        let Some(description) = concept_text(r.get("code")) else {
            self.unmapped("Condition", "no name or code");
            return Ok(());
        };
        let code = code_in(r.get("code"), ICD10CM)
            .and_then(|c| icd10cm(c).ok())
            .unwrap_or_default();
        let at = self.date_of(r, &["/recordedDate", "/onsetDateTime", "/onsetPeriod/start"]);
        self.plan.patients[patient]
            .entries
            .push((at, EntryInput::Diagnosis { code, description }));
        Ok(())
    }

    fn medication(&mut self, i: usize, r: &Value, entries: &[&Value]) -> Result<(), Malformed> {
        let ty = str_at(r, "/resourceType").unwrap_or_default().to_owned();
        let patient = self.patient_ref(i, r, &["/subject/reference", "/patient/reference"])?;
        let referenced = str_at(r, "/medicationReference/reference")
            .and_then(|m| self.resolve(m))
            .and_then(|e| entries.get(e))
            .and_then(|e| concept_text(e.pointer("/resource/code")));
        let Some(name) = concept_text(r.get("medicationCodeableConcept"))
            .or(referenced)
            .or_else(|| str_at(r, "/medicationReference/display").map(|s| clip(s, ENTRY_TEXT)))
        else {
            self.unmapped(&ty, "no medication named");
            return Ok(());
        };
        let dosage = str_at(r, "/dosage/0/text")
            .or_else(|| str_at(r, "/dosageInstruction/0/text"))
            .unwrap_or_default();
        let dose = r
            .get("extension")
            .and_then(Value::as_array)
            .and_then(|x| x.iter().find(|e| str_at(e, "/url") == Some(EXT_DOSE)))
            .and_then(|e| str_at(e, "/valueString"))
            .unwrap_or_default();
        let frequency = match dosage.strip_prefix(dose) {
            Some(rest) if !dose.is_empty() => rest.trim_start_matches(',').trim(),
            _ => dosage,
        };
        let at = self.date_of(
            r,
            &[
                "/dateAsserted",
                "/authoredOn",
                "/effectiveDateTime",
                "/effectivePeriod/start",
            ],
        );
        self.plan.patients[patient].entries.push((
            at,
            EntryInput::Medication {
                name,
                dose: clip(dose, ENTRY_TEXT),
                frequency: clip(frequency, ENTRY_TEXT),
            },
        ));
        Ok(())
    }

    fn allergy(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/patient/reference", "/subject/reference"])?;
        let Some(substance) = concept_text(r.get("code")) else {
            self.unmapped("AllergyIntolerance", "no substance named");
            return Ok(());
        };
        let reaction = concept_text(r.pointer("/reaction/0/manifestation/0")).unwrap_or_default();
        let severity = str_at(r, "/reaction/0/severity")
            .filter(|s| ["mild", "moderate", "severe"].contains(s))
            .unwrap_or_default()
            .to_owned();
        let reaction = if reaction == "reaction" {
            String::new()
        } else {
            reaction
        };
        let at = self.date_of(r, &["/recordedDate", "/onsetDateTime"]);
        self.plan.patients[patient].entries.push((
            at,
            EntryInput::Allergy {
                substance,
                reaction,
                severity,
            },
        ));
        Ok(())
    }

    fn push_invoice(&mut self, i: usize, patient: usize, at: OffsetDateTime, lines: Vec<Line>, ty: &str) {
        let lines: Vec<Line> = lines
            .into_iter()
            .filter_map(|l| carekeep_domain::records::invoice::check_line(l).ok())
            .collect();
        if lines.is_empty() || lines.len() > 50 {
            self.unmapped(
                ty,
                "no line with an amount Carekeep can bill (1 to 50 lines above zero)",
            );
            return;
        }
        let list = &mut self.plan.patients[patient].invoices;
        self.invoice_of.insert(i, (patient, list.len()));
        list.push(PlannedInvoice {
            at,
            lines,
            payments: Vec::new(),
        });
    }

    fn invoice(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/subject/reference", "/recipient/reference"])?;
        let mut lines = Vec::new();
        for item in r.get("lineItem").and_then(Value::as_array).into_iter().flatten() {
            let concept = item.get("chargeItemCodeableConcept");
            let amount = item
                .get("priceComponent")
                .and_then(Value::as_array)
                .and_then(|pcs| {
                    pcs.iter()
                        .find(|pc| str_at(pc, "/type") == Some("base"))
                        .or_else(|| pcs.first())
                })
                .and_then(|pc| money_cents(pc.get("amount")))
                .unwrap_or_default();
            let procedure_code = [CPT, HCPCS]
                .iter()
                .find_map(|s| code_in(concept, s))
                .and_then(|c| procedure(c).ok())
                .unwrap_or_default();
            let diagnosis_codes = item
                .get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|e| str_at(e, "/url") == Some(EXT_LINE_DIAGNOSIS))
                .filter_map(|e| str_at(e, "/valueCoding/code"))
                .filter_map(|c| icd10cm(c).ok())
                .collect();
            lines.push(Line {
                description: str_at(item, "/chargeItemCodeableConcept/text")
                    .map(|s| clip(s, ENTRY_TEXT))
                    .or_else(|| concept_text(concept))
                    .unwrap_or_else(|| "Charge".into()),
                procedure_code,
                diagnosis_codes,
                amount_cents: amount,
            });
        }
        if lines.iter().all(|l| l.amount_cents <= 0) {
            if let Some(total) = money_cents(r.get("totalGross")).or_else(|| money_cents(r.get("totalNet"))) {
                lines = vec![line("Invoice total", total)];
            }
        }
        let at = self.date_of(r, &["/date"]);
        self.push_invoice(i, patient, at, lines, "Invoice");
        Ok(())
    }

    fn claim(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/patient/reference"])?;
        let diagnosis_codes: Vec<String> = r
            .get("diagnosis")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| code_in(d.get("diagnosisCodeableConcept"), ICD10CM))
            .filter_map(|c| icd10cm(c).ok())
            .take(12)
            .collect();
        let mut lines = Vec::new();
        for item in r.get("item").and_then(Value::as_array).into_iter().flatten() {
            let concept = item.get("productOrService");
            let amount = money_cents(item.get("net")).unwrap_or_default();
            let procedure_code = [CPT, HCPCS]
                .iter()
                .find_map(|s| code_in(concept, s))
                .and_then(|c| procedure(c).ok())
                .unwrap_or_default();
            lines.push(Line {
                description: concept_text(concept).unwrap_or_else(|| "Service".into()),
                diagnosis_codes: if procedure_code.is_empty() {
                    Vec::new()
                } else {
                    diagnosis_codes.clone()
                },
                procedure_code,
                amount_cents: amount,
            });
        }
        lines.retain(|l| l.amount_cents > 0);
        if lines.is_empty() {
            if let Some(total) = money_cents(r.get("total")) {
                let what = concept_text(r.get("type")).map_or("Claim".to_owned(), |t| format!("Claim ({t})"));
                lines = vec![line(&what, total)];
            }
        }
        let at = self.date_of(r, &["/created", "/billablePeriod/start"]);
        self.push_invoice(i, patient, at, lines, "Claim");
        Ok(())
    }

    fn payment(&mut self, _i: usize, r: &Value) -> Result<(), Malformed> {
        let details = r.get("detail").and_then(Value::as_array).cloned().unwrap_or_default();
        let method = str_at(r, "/disposition")
            .map(str::to_ascii_lowercase)
            .filter(|m| ["cash", "card", "check", "insurance", "other"].contains(&m.as_str()))
            .unwrap_or_else(|| "other".into());
        let mut any = false;
        for d in &details {
            let Some((patient, n)) = str_at(d, "/request/reference")
                .and_then(|x| self.resolve(x))
                .and_then(|e| self.invoice_of.get(&e).copied())
            else {
                continue;
            };
            let Some(amount) = money_cents(d.get("amount")).or_else(|| money_cents(r.get("paymentAmount"))) else {
                continue;
            };
            let at = self.date_of(d, &["/date"]);
            let at = if str_at(d, "/date").is_some() {
                self.date_of(r, &["/created"]).max(at)
            } else {
                self.date_of(r, &["/created", "/paymentDate"])
            };
            let invoice = &mut self.plan.patients[patient].invoices[n];
            let total: i64 = invoice.lines.iter().map(|l| l.amount_cents).sum();
            let paid: i64 = invoice.payments.iter().map(|p| p.1).sum();
            if amount <= 0 || amount > total - paid {
                continue;
            }
            invoice.payments.push((at, amount, method.clone()));
            any = true;
        }
        if !any {
            self.unmapped(
                "PaymentReconciliation",
                "pays no invoice in this bundle, or more than its balance",
            );
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Plan, Malformed> {
        for (_, e) in std::mem::take(&mut self.encounters) {
            let note = match e.note {
                Some(mut n) => {
                    if !e.summary.is_empty() && n.objective.is_empty() {
                        n.objective = e.summary.join("\n");
                    }
                    n
                }
                None => NoteInput {
                    objective: if e.summary.is_empty() {
                        "Encounter (imported without a note)".into()
                    } else {
                        e.summary.join("\n")
                    },
                    ..NoteInput::default()
                },
            };
            self.plan.patients[e.patient].notes.push(PlannedNote {
                at: e.at,
                signed: e.signed || !e.addenda.is_empty(),
                note,
                addenda: e.addenda,
            });
        }
        for ((patient, _), (at, v, n)) in std::mem::take(&mut self.vitals) {
            match v.check() {
                Ok(v) => self.plan.patients[patient].entries.push((at, EntryInput::Vitals(v))),
                Err(_) => {
                    *self
                        .plan
                        .unmapped
                        .entry("Observation: a vital sign outside plausible ranges or missing its pair".into())
                        .or_default() += n;
                }
            }
        }
        Ok(self.plan)
    }
}

fn line(description: &str, amount_cents: i64) -> Line {
    Line {
        description: clip(description, ENTRY_TEXT),
        procedure_code: String::new(),
        diagnosis_codes: Vec::new(),
        amount_cents,
    }
}

fn merge(into: &mut Vitals, v: Vitals) {
    into.systolic_mmhg = into.systolic_mmhg.or(v.systolic_mmhg);
    into.diastolic_mmhg = into.diastolic_mmhg.or(v.diastolic_mmhg);
    into.pulse_bpm = into.pulse_bpm.or(v.pulse_bpm);
    if into.temperature.is_none() {
        into.temperature = v.temperature;
        into.temperature_unit = v.temperature_unit;
    }
    if into.weight.is_none() {
        into.weight = v.weight;
        into.weight_unit = v.weight_unit;
    }
    if into.height.is_none() {
        into.height = v.height;
        into.height_unit = v.height_unit;
    }
    into.spo2_percent = into.spo2_percent.or(v.spo2_percent);
}

/// A note's text as SOAP parts: our own export's headings, or the whole text as subjective.
fn soap(text: &str) -> NoteInput {
    let heads = ["Subjective:", "Objective:", "Assessment:", "Plan:"];
    let mut parts: [String; 4] = Default::default();
    let mut current: Option<usize> = None;
    let mut structured = false;
    for line in text.lines() {
        if let Some(h) = heads.iter().position(|h| line.trim_end() == *h) {
            current = Some(h);
            structured = true;
            continue;
        }
        match current {
            Some(h) => {
                parts[h].push_str(line);
                parts[h].push('\n');
            }
            None if line.trim().is_empty() => {}
            None => {
                structured = false;
                break;
            }
        }
    }
    if !structured {
        return NoteInput {
            subjective: clip(text, 50_000),
            ..NoteInput::default()
        };
    }
    let [s, o, a, p] = parts.map(|x| x.trim().to_owned());
    NoteInput {
        subjective: s,
        objective: o,
        assessment: a,
        plan: p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-22 12:00 UTC);
    const TODAY: Date = date!(2026 - 11 - 22);

    fn run(v: Value) -> Result<Plan, Malformed> {
        plan(v.to_string().as_bytes(), NOW, TODAY)
    }

    fn synthetic() -> Value {
        json!({
            "resourceType": "Bundle", "type": "transaction",
            "entry": [
                { "fullUrl": "urn:uuid:p1", "resource": {
                    "resourceType": "Patient", "id": "p1",
                    "name": [{ "use": "official", "family": "Kris249", "given": ["Abe604"] }],
                    "gender": "male", "birthDate": "1970-05-01",
                    "telecom": [{ "system": "phone", "value": "555-376-8457", "use": "home" }],
                    "address": [{ "line": ["1 Main St"], "city": "Boston", "state": "MA", "postalCode": "02110" }]
                }, "request": { "method": "POST", "url": "Patient" } },
                { "fullUrl": "urn:uuid:e1", "resource": {
                    "resourceType": "Encounter", "status": "finished",
                    "class": { "code": "AMB" },
                    "type": [{ "text": "General examination" }],
                    "subject": { "reference": "urn:uuid:p1" },
                    "period": { "start": "2020-01-02T10:00:00-05:00", "end": "2020-01-02T10:30:00-05:00" } } },
                { "fullUrl": "urn:uuid:o1", "resource": {
                    "resourceType": "Observation", "status": "final",
                    "code": { "coding": [{ "system": LOINC, "code": "85354-9" }] },
                    "subject": { "reference": "urn:uuid:p1" },
                    "effectiveDateTime": "2020-01-02T10:00:00-05:00",
                    "component": [
                        { "code": { "coding": [{ "system": LOINC, "code": "8480-6" }] }, "valueQuantity": { "value": 121.0, "code": "mm[Hg]" } },
                        { "code": { "coding": [{ "system": LOINC, "code": "8462-4" }] }, "valueQuantity": { "value": 79.0, "code": "mm[Hg]" } }
                    ] } },
                { "fullUrl": "urn:uuid:o2", "resource": {
                    "resourceType": "Observation", "status": "final",
                    "code": { "coding": [{ "system": LOINC, "code": "29463-7" }] },
                    "subject": { "reference": "urn:uuid:p1" },
                    "effectiveDateTime": "2020-01-02T10:00:00-05:00",
                    "valueQuantity": { "value": 80.2, "code": "kg" } } },
                { "fullUrl": "urn:uuid:o3", "resource": {
                    "resourceType": "Observation", "status": "final",
                    "code": { "coding": [{ "system": LOINC, "code": "2093-3", "display": "Cholesterol" }] },
                    "subject": { "reference": "urn:uuid:p1" },
                    "valueQuantity": { "value": 190, "code": "mg/dL" } } },
                { "fullUrl": "urn:uuid:c1", "resource": {
                    "resourceType": "Condition",
                    "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension" }], "text": "Hypertension" },
                    "subject": { "reference": "urn:uuid:p1" }, "onsetDateTime": "2019-01-01" } },
                { "fullUrl": "urn:uuid:m1", "resource": {
                    "resourceType": "MedicationRequest", "status": "active", "intent": "order",
                    "medicationCodeableConcept": { "coding": [{ "display": "lisinopril 10 MG Oral Tablet" }] },
                    "subject": { "reference": "urn:uuid:p1" }, "authoredOn": "2019-01-01",
                    "dosageInstruction": [{ "text": "once daily" }] } },
                { "fullUrl": "urn:uuid:a1", "resource": {
                    "resourceType": "AllergyIntolerance",
                    "code": { "text": "Peanut" }, "patient": { "reference": "urn:uuid:p1" },
                    "reaction": [{ "manifestation": [{ "text": "Hives" }], "severity": "moderate" }] } },
                { "fullUrl": "urn:uuid:pr1", "resource": {
                    "resourceType": "Procedure", "status": "completed",
                    "code": { "text": "Blood pressure check" },
                    "subject": { "reference": "urn:uuid:p1" }, "encounter": { "reference": "urn:uuid:e1" } } },
                { "fullUrl": "urn:uuid:cl1", "resource": {
                    "resourceType": "Claim", "status": "active",
                    "patient": { "reference": "urn:uuid:p1" }, "created": "2020-01-02T10:30:00-05:00",
                    "item": [{ "sequence": 1, "productOrService": { "text": "General examination" } }],
                    "total": { "value": 129.16, "currency": "USD" } } },
                { "fullUrl": "urn:uuid:imm1", "resource": {
                    "resourceType": "Immunization", "status": "completed",
                    "patient": { "reference": "urn:uuid:p1" } } },
                { "fullUrl": "urn:uuid:org1", "resource": { "resourceType": "Organization", "name": "Clinic" } }
            ]
        })
    }

    #[test]
    fn a_synthetic_patient_maps_and_counts_what_it_cannot() {
        let plan = run(synthetic()).expect("plan");
        assert_eq!(plan.resources, 12);
        let p = &plan.patients[0];
        assert_eq!((p.given_name.as_str(), p.family_name.as_str()), ("Abe604", "Kris249"));
        assert_eq!(p.contact.phone, "5553768457");
        assert_eq!(p.contact.address, "1 Main St, Boston MA 02110");
        assert_eq!(p.notes.len(), 1);
        assert!(p.notes[0].signed);
        assert!(p.notes[0].note.objective.contains("Procedure: Blood pressure check"));
        let kinds: Vec<&str> = p.entries.iter().map(|(_, e)| e.kind()).collect();
        assert_eq!(kinds, ["diagnosis", "medication", "allergy", "vitals"]);
        match &p.entries[3].1 {
            EntryInput::Vitals(v) => {
                assert_eq!((v.systolic_mmhg, v.diastolic_mmhg), (Some(121), Some(79)));
                assert_eq!(v.weight, Some(80.2));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.invoices.len(), 1);
        assert_eq!(p.invoices[0].lines[0].amount_cents, 12916);
        // The lab, the immunization and the organization are counted, not dropped.
        assert_eq!(plan.unmapped_total(), 3);
        assert!(plan.unmapped.keys().any(|k| k.starts_with("Immunization")));
    }

    #[test]
    fn malformed_files_are_refused_with_the_entry_and_reason() {
        let cases: Vec<(Value, &str)> = vec![
            (json!({ "resourceType": "Patient" }), "not a FHIR Bundle"),
            (
                json!({ "resourceType": "Bundle", "type": "history" }),
                "carries no resources",
            ),
            (
                json!({ "resourceType": "Bundle", "type": "collection", "entry": [{}] }),
                "entry 0: has no resource",
            ),
            (
                json!({ "resourceType": "Bundle", "type": "collection", "entry": [{ "resource": { "resourceType": "Patient", "name": [{ "family": "X", "given": ["Y"] }] } }] }),
                "entry 0 (Patient): has no birthDate",
            ),
            (
                json!({ "resourceType": "Bundle", "type": "collection", "entry": [{ "resource": { "resourceType": "Condition", "code": { "text": "x" }, "subject": { "reference": "Patient/nope" } } }] }),
                "entry 0 (Condition): its patient Patient/nope is not in this bundle",
            ),
        ];
        for (bundle, want) in cases {
            let err = run(bundle).expect_err(want);
            assert!(err.0.contains(want), "{} does not say {want}", err.0);
        }
        assert!(plan(b"{not json", NOW, TODAY).is_err_and(|e| e.0.starts_with("not JSON")));
    }

    #[test]
    fn fhir_dates_of_every_precision() {
        assert_eq!(instant("2020"), Some(datetime!(2020-01-01 0:00 UTC)));
        assert_eq!(instant("2020-02"), Some(datetime!(2020-02-01 0:00 UTC)));
        assert_eq!(instant("2020-02-29"), Some(datetime!(2020-02-29 0:00 UTC)));
        assert_eq!(
            instant("2020-02-29T10:00:00-05:00"),
            Some(datetime!(2020-02-29 15:00 UTC))
        );
        assert_eq!(instant("2021-02-29"), None);
    }

    #[test]
    fn soap_headings_read_back() {
        let text = super::super::export::soap_text("cough", "clear lungs", "URI", "fluids");
        let n = soap(&text);
        assert_eq!((n.subjective.as_str(), n.plan.as_str()), ("cough", "fluids"));
        assert_eq!(soap("free text note").subjective, "free text note");
    }
}
