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
use crate::records::{EntryInput, NoteInput, StoredEntry};
use base64::Engine;
use carekeep_domain::records::codes::{icd10cm, procedure};
use carekeep_domain::records::detail::{
    fhir_date, AddressParts, Coding, Concept, Deceased, EncounterDetail, EntryDetail, Identifier, MoreVitals,
    PersonName, Reaction,
};
use carekeep_domain::records::invoice::Line;
use carekeep_domain::records::patient::{check_contact, check_name, Contact, ContactMethod, Identity, Sex};
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
    /// The Patient's position in the bundle's entries (for the report).
    pub entry: usize,
    /// The identity with its record number left empty: the clinic gives one at filing.
    pub identity: Identity,
    pub contact: Contact,
    pub appointments: Vec<PlannedAppointment>,
    pub notes: Vec<PlannedNote>,
    pub entries: Vec<(OffsetDateTime, StoredEntry)>,
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
    pub encounter: Option<EncounterDetail>,
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
///
/// The bundle is read as a stream of entries, three times, never held as one tree (a parsed
/// tree is about 13 times its text): the first pass checks every entry's name (bdl-7) and
/// keeps the few resources others refer to (Patient, Medication); the second opens the
/// encounters; the third places the rest, one entry at a time. So memory is the file, the
/// plan, the names of the entries and one entry.
pub fn plan(bytes: &[u8], now: OffsetDateTime, today: Date) -> Result<Plan, Malformed> {
    let mut b = Builder::new(0, now, today);
    // Versions of one resource may share a fullUrl (bdl-7's exception).
    let mut versioned: HashMap<(String, String), usize> = HashMap::new();
    let mut kept: Vec<(usize, Value)> = Vec::new();
    let frame = each_entry(bytes, |i, e| {
        let r = e
            .get("resource")
            .filter(|r| r.is_object())
            .ok_or_else(|| Malformed(format!("entry {i}: has no resource")))?;
        let ty = r
            .get("resourceType")
            .and_then(Value::as_str)
            .ok_or_else(|| Malformed(format!("entry {i}: the resource has no resourceType")))?;
        // bdl-7: a fullUrl names one resource in a bundle (versions of it aside); two
        // entries under one name would file one record's parts under another.
        if let Some(url) = str_at(&e, "/fullUrl") {
            let first = match str_at(r, "/meta/versionId") {
                Some(v) => {
                    b.by_url.entry(url.to_owned()).or_insert(i);
                    versioned.insert((url.to_owned(), v.to_owned()), i)
                }
                None => b.by_url.insert(url.to_owned(), i),
            };
            if let Some(first) = first {
                return Err(Malformed(format!(
                    "entry {i}: its fullUrl is entry {first}'s too; a bundle names each resource once (FHIR R4 bdl-7)"
                )));
            }
        }
        if let Some(id) = str_at(r, "/id") {
            b.by_id.insert(format!("{ty}/{id}"), i);
        }
        if ["Patient", "Medication"].contains(&ty) {
            kept.push((i, e));
        }
        Ok(())
    })?;
    if frame.resource_type.as_deref() != Some("Bundle") {
        return Err(Malformed("not a FHIR Bundle (resourceType is not \"Bundle\")".into()));
    }
    let kind = frame.kind.unwrap_or_default();
    if !BUNDLE_TYPES.contains(&kind.as_str()) {
        return Err(Malformed(format!(
            "a Bundle of type \"{kind}\" carries no resources to load; use a transaction or collection bundle"
        )));
    }
    b.plan.resources = frame.entries;
    let resource = |e: &Value, ty: &str| {
        e.get("resource")
            .filter(|r| str_at(r, "/resourceType") == Some(ty))
            .cloned()
    };
    // Patients first: everything else is filed under one. Encounters before what hangs on them.
    for (i, e) in &kept {
        if let Some(r) = resource(e, "Patient") {
            let p = b.patient(*i, &r)?;
            b.patient_of.insert(*i, b.plan.patients.len());
            b.plan.patients.push(p);
            b.lost_fields(&r, kept_fields("Patient").unwrap_or_default());
        }
    }
    each_entry(bytes, |i, e| {
        if let Some(r) = e
            .get("resource")
            .filter(|r| str_at(r, "/resourceType") == Some("Encounter"))
        {
            b.encounter(i, r)?;
            b.lost_fields(r, kept_fields("Encounter").unwrap_or_default());
        }
        Ok(())
    })?;
    let medications: HashMap<usize, Value> = kept
        .into_iter()
        .filter_map(|(i, e)| resource(&e, "Medication").map(|r| (i, r)))
        .collect();
    let mut payments = Vec::new();
    each_entry(bytes, |i, e| {
        let Some(r) = e.get("resource") else { return Ok(()) };
        let dropped = b.dropped_whole;
        let ty = str_at(r, "/resourceType").unwrap_or_default();
        match ty {
            "Patient" | "Encounter" => return Ok(()),
            "Appointment" => b.appointment(i, r)?,
            "DocumentReference" => b.document(i, r)?,
            "Media" => b.media(i, r)?,
            "Procedure" => b.procedure(i, r)?,
            "Observation" => b.observation(i, r)?,
            "Condition" => b.condition(i, r)?,
            "MedicationStatement" | "MedicationRequest" => b.medication(i, r, &medications)?,
            "AllergyIntolerance" => b.allergy(i, r)?,
            "Invoice" => b.invoice(i, r)?,
            "Claim" => b.claim(i, r)?,
            // Paid against invoices, so placed after all of them.
            "PaymentReconciliation" => {
                payments.push((i, r.clone()));
                return Ok(());
            }
            other => b.unmapped(other, "Carekeep keeps no such record"),
        }
        if b.dropped_whole == dropped {
            if let Some(kept) = kept_fields(ty) {
                b.lost_fields(r, kept);
            }
        }
        Ok(())
    })?;
    for (i, r) in payments {
        b.payment(i, &r)?;
        b.lost_fields(&r, kept_fields("PaymentReconciliation").unwrap_or_default());
    }
    b.finish()
}

/// The largest bundle read, checked before reading: the file is held whole while it is
/// planned (about three times its size at most with the plan), so the limit is the memory the
/// clinic gives an import.
pub fn check_size(bytes: u64, max_mib: u64) -> Result<(), Malformed> {
    if bytes > max_mib.saturating_mul(1024 * 1024) {
        return Err(Malformed(format!(
            "the file is {} MiB, over the {max_mib} MiB limit; split the bundle, or raise the limit with room for three times the file in memory",
            bytes.div_ceil(1024 * 1024)
        )));
    }
    Ok(())
}

/// What the bundle says of itself, besides its entries.
#[derive(Default)]
struct Frame {
    resource_type: Option<String>,
    kind: Option<String>,
    entries: usize,
}

/// Streams a bundle's entries to `f` one at a time, in order, with their positions.
fn each_entry(bytes: &[u8], f: impl FnMut(usize, Value) -> Result<(), Malformed>) -> Result<Frame, Malformed> {
    use serde::de::{DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Entries<'f, F> {
        f: &'f mut F,
        failed: &'f mut Option<Malformed>,
        count: &'f mut usize,
    }
    impl<'de, F: FnMut(usize, Value) -> Result<(), Malformed>> DeserializeSeed<'de> for Entries<'_, F> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de, F: FnMut(usize, Value) -> Result<(), Malformed>> Visitor<'de> for Entries<'_, F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of entries")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(e) = seq.next_element::<Value>()? {
                let i = *self.count;
                *self.count += 1;
                if let Err(m) = (self.f)(i, e) {
                    *self.failed = Some(m);
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }
    struct Bundle<'f, F> {
        f: F,
        failed: &'f mut Option<Malformed>,
    }
    impl<'de, F: FnMut(usize, Value) -> Result<(), Malformed>> Visitor<'de> for Bundle<'_, F> {
        type Value = Frame;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a FHIR Bundle")
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Frame, A::Error> {
            let mut frame = Frame::default();
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "resourceType" => frame.resource_type = map.next_value::<Value>()?.as_str().map(str::to_owned),
                    "type" => frame.kind = map.next_value::<Value>()?.as_str().map(str::to_owned),
                    "entry" => map.next_value_seed(Entries {
                        f: &mut self.f,
                        failed: self.failed,
                        count: &mut frame.entries,
                    })?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(frame)
        }
    }
    let mut failed = None;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let frame = de.deserialize_map(Bundle { f, failed: &mut failed });
    if let Some(m) = failed {
        return Err(m);
    }
    let frame = frame.and_then(|fr| de.end().map(|()| fr)).map_err(|e| {
        if e.to_string().contains("a list of entries") {
            Malformed("Bundle.entry is not a list".into())
        } else if e.is_data() {
            Malformed("not a FHIR Bundle (resourceType is not \"Bundle\")".into())
        } else {
            Malformed(format!("not JSON: {e}"))
        }
    })?;
    Ok(frame)
}

struct VitalsSet {
    at: OffsetDateTime,
    vitals: Vitals,
    more: MoreVitals,
    observations: usize,
}

struct OpenEncounter {
    patient: usize,
    at: OffsetDateTime,
    signed: bool,
    detail: EncounterDetail,
    summary: Vec<String>,
    note: Option<NoteInput>,
    addenda: Vec<(OffsetDateTime, String)>,
}

struct Builder {
    plan: Plan,
    now: OffsetDateTime,
    today: Date,
    /// Entries by fullUrl, and by `Type/id` (references may use either).
    by_url: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
    /// Entry index of a Patient -> index in `plan.patients`.
    patient_of: HashMap<usize, usize>,
    encounters: BTreeMap<usize, OpenEncounter>,
    /// (patient, effective time) -> the vitals sets taken then, each with how many
    /// Observations went into it. Two values of one member at one instant are two sets.
    vitals: BTreeMap<(usize, String), Vec<VitalsSet>>,
    /// Entry index of an Invoice or Claim -> (patient, index in its invoices).
    invoice_of: HashMap<usize, (usize, usize)>,
    /// Whole resources not kept so far: their fields are not counted again.
    dropped_whole: usize,
}

/// The elements of each resource Carekeep keeps (or reads to place it); the others are
/// counted as lost, by field. `None` for resources not kept at all.
fn kept_fields(ty: &str) -> Option<&'static [&'static str]> {
    Some(match ty {
        "Patient" => &[
            "identifier",
            "name",
            "telecom",
            "gender",
            "birthDate",
            "deceasedBoolean",
            "deceasedDateTime",
            "address",
            "maritalStatus",
            "contact",
        ],
        "Encounter" => &["status", "class", "type", "subject", "period", "reasonCode"],
        "Appointment" => &[
            "status",
            "serviceType",
            "appointmentType",
            "description",
            "start",
            "end",
            "participant",
        ],
        "DocumentReference" => &[
            "status",
            "docStatus",
            "type",
            "subject",
            "date",
            "description",
            "content",
            "context",
            "relatesTo",
        ],
        "Media" => &[
            "status",
            "type",
            "subject",
            "createdDateTime",
            "content",
            "note",
            "issued",
        ],
        "Procedure" => &[
            "status",
            "code",
            "subject",
            "encounter",
            "performedDateTime",
            "performedPeriod",
        ],
        "Observation" => &[
            "status",
            "category",
            "code",
            "subject",
            "effectiveDateTime",
            "effectivePeriod",
            "issued",
            "valueQuantity",
            "component",
            "identifier",
            "hasMember",
        ],
        "Condition" => &[
            "clinicalStatus",
            "verificationStatus",
            "category",
            "code",
            "subject",
            "onsetDateTime",
            "onsetPeriod",
            "abatementDateTime",
            "abatementPeriod",
            "recordedDate",
        ],
        "MedicationStatement" | "MedicationRequest" => &[
            "status",
            "medicationCodeableConcept",
            "medicationReference",
            "subject",
            "dosage",
            "dosageInstruction",
            "dateAsserted",
            "authoredOn",
            "effectiveDateTime",
            "effectivePeriod",
        ],
        "AllergyIntolerance" => &[
            "clinicalStatus",
            "verificationStatus",
            "type",
            "category",
            "criticality",
            "code",
            "patient",
            "reaction",
            "recordedDate",
            "onsetDateTime",
        ],
        "Invoice" => &["status", "subject", "date", "lineItem", "totalGross", "totalNet"],
        "Claim" => &[
            "status",
            "type",
            "patient",
            "created",
            "billablePeriod",
            "item",
            "total",
            "diagnosis",
        ],
        "PaymentReconciliation" => &[
            "status",
            "created",
            "paymentDate",
            "paymentAmount",
            "disposition",
            "detail",
        ],
        _ => return None,
    })
}

fn person_name(n: &Value) -> PersonName {
    let list = |k: &str| -> Vec<String> {
        n.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|s| clip(s, 80))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    PersonName {
        usage: str_at(n, "/use").unwrap_or_default().to_owned(),
        prefix: list("prefix"),
        given: list("given"),
        family: str_at(n, "/family").map(|s| clip(s, 80)).unwrap_or_default(),
        suffix: list("suffix"),
        text: str_at(n, "/text").map(|s| clip(s, 200)).unwrap_or_default(),
    }
}

fn address_parts(a: &Value) -> AddressParts {
    let s = |k: &str| str_at(a, k).map(|s| clip(s, 100)).unwrap_or_default();
    AddressParts {
        usage: s("/use"),
        line: a
            .get("line")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).map(|x| clip(x, 100)).collect())
            .unwrap_or_default(),
        city: s("/city"),
        district: s("/district"),
        state: s("/state"),
        postal_code: s("/postalCode"),
        country: s("/country"),
    }
}

/// Every coding of a CodeableConcept.
fn codings(c: Option<&Value>) -> Vec<Coding> {
    c.and_then(|c| c.get("coding"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|x| {
            Some(Coding {
                system: str_at(x, "/system").unwrap_or_default().to_owned(),
                code: str_at(x, "/code")?.to_owned(),
                display: str_at(x, "/display").map(|s| clip(s, ENTRY_TEXT)).unwrap_or_default(),
            })
        })
        .collect()
}

fn concept(c: Option<&Value>) -> Concept {
    Concept {
        codings: codings(c),
        text: c
            .and_then(|c| str_at(c, "/text"))
            .map(|s| clip(s, ENTRY_TEXT))
            .unwrap_or_default(),
    }
}

fn concepts(c: Option<&Value>) -> Vec<Concept> {
    c.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|x| concept(Some(x)))
        .filter(|x| *x != Concept::default())
        .collect()
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

/// The first of `pointers` present, as given (a FHIR dateTime keeps its precision).
fn first_str(r: &Value, pointers: &[&str]) -> String {
    pointers
        .iter()
        .find_map(|p| str_at(r, p))
        .map(|s| clip(s, 40))
        .unwrap_or_default()
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
            by_id: HashMap::new(),
            patient_of: HashMap::new(),
            encounters: BTreeMap::new(),
            vitals: BTreeMap::new(),
            invoice_of: HashMap::new(),
            dropped_whole: 0,
        }
    }

    /// A whole resource not kept.
    fn unmapped(&mut self, ty: &str, why: &str) {
        self.dropped_whole += 1;
        *self.plan.unmapped.entry(format!("{ty}: {why}")).or_default() += 1;
    }

    /// One field of a kept resource not kept (`field` is `Type.element`).
    fn lost(&mut self, field: &str, why: &str) {
        *self.plan.unmapped.entry(format!("{field}: {why}")).or_default() += 1;
    }

    /// Counts every element of a kept resource outside `kept`, and every extension that is
    /// not Carekeep's own, so the report names each field an import leaves behind.
    fn lost_fields(&mut self, r: &Value, kept: &[&str]) {
        let ty = str_at(r, "/resourceType").unwrap_or_default().to_owned();
        let Some(o) = r.as_object() else { return };
        for (k, v) in o {
            if ["resourceType", "id", "meta", "text"].contains(&k.as_str()) {
                continue;
            }
            if k == "extension" || k == "modifierExtension" {
                let ours = |e: &Value| str_at(e, "/url").is_some_and(|u| u.starts_with("urn:carekeep:"));
                let n = v.as_array().map_or(1, |a| a.iter().filter(|e| !ours(e)).count());
                for _ in 0..n {
                    self.lost(&format!("{ty}.{k}"), "an extension Carekeep does not read");
                }
                continue;
            }
            if !kept.contains(&k.as_str()) {
                self.lost(&format!("{ty}.{k}"), "Carekeep's record has no such field");
            }
        }
    }

    fn resolve(&self, reference: &str) -> Option<usize> {
        if let Some(i) = self.by_url.get(reference) {
            return Some(*i);
        }
        let mut parts = reference.rsplit('/');
        let id = parts.next()?;
        let ty = parts.next()?;
        self.by_id.get(&format!("{ty}/{id}")).copied()
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
        let names: Vec<PersonName> = r
            .get("name")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(person_name)
            .filter(|n| n.filing().is_some())
            .collect();
        // The official name files the chart; the others are kept beside it.
        let filing = names.iter().position(|n| n.usage == "official").unwrap_or_default();
        let (given, family) = names
            .get(filing)
            .and_then(PersonName::filing)
            .ok_or_else(|| bad("has no name; Carekeep needs one to file the record".into()))?;
        let given = check_name("first name", &given).map_err(|e| bad(e.0))?;
        let family = check_name("last name", &family).map_err(|e| bad(e.0))?;
        let mut names = names;
        if filing > 0 {
            let official = names.remove(filing);
            names.insert(0, official);
        }
        let dob = str_at(r, "/birthDate")
            .ok_or_else(|| bad("has no birthDate; Carekeep needs one to tell patients apart".into()))?;
        let (dob, birth_precision) = fhir_date(dob).map_err(|e| bad(format!("its birthDate: {}", e.0)))?;
        let dob = carekeep_domain::records::patient::check_date_of_birth(dob, self.today).map_err(|e| bad(e.0))?;
        let sex = Sex::parse(str_at(r, "/gender").unwrap_or("unknown")).map_err(|e| bad(e.0))?;
        let identifiers = r
            .get("identifier")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| {
                Some(Identifier {
                    system: str_at(x, "/system").unwrap_or_default().to_owned(),
                    value: clip(str_at(x, "/value")?, ENTRY_TEXT),
                    kind: str_at(x, "/type/coding/0/code").unwrap_or_default().to_owned(),
                    kind_text: str_at(x, "/type/text")
                        .or_else(|| str_at(x, "/type/coding/0/display"))
                        .map(|s| clip(s, ENTRY_TEXT))
                        .unwrap_or_default(),
                })
            })
            // Carekeep's own record number is given anew by the clinic that files the chart.
            .filter(|x| x.system != MRN_SYSTEM)
            .collect();
        let deceased = match (
            r.get("deceasedBoolean").and_then(Value::as_bool),
            str_at(r, "/deceasedDateTime"),
        ) {
            (_, Some(d)) => Some(Deceased::On(clip(d, 40))),
            (Some(true), None) => Some(Deceased::Yes),
            _ => None,
        };
        let marital_status = code_in(r.get("maritalStatus"), MARITAL_STATUS)
            .or_else(|| str_at(r, "/maritalStatus/coding/0/code"))
            .or_else(|| str_at(r, "/maritalStatus/text"))
            .map(|s| clip(s, 40))
            .unwrap_or_default();
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
        let kept_telecom = usize::from(!phone.is_empty()) + usize::from(!email.is_empty());
        for _ in kept_telecom..telecom.len() {
            self.lost(
                "Patient.telecom",
                "a second phone or email, or another kind of contact point",
            );
        }
        let addresses = r.get("address").and_then(Value::as_array).cloned().unwrap_or_default();
        for _ in addresses.iter().skip(1) {
            self.lost("Patient.address", "a second address");
        }
        let address_parts = addresses
            .first()
            .map(address_parts)
            .filter(|a| *a != AddressParts::default());
        let address = addresses
            .first()
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
        let contacts = r.get("contact").and_then(Value::as_array).cloned().unwrap_or_default();
        for _ in contacts.iter().skip(1) {
            self.lost("Patient.contact", "a second contact person");
        }
        let emergency = contacts
            .first()
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
            address_parts,
        };
        // A contact block Carekeep would refuse at the desk (a phone of letters, say) keeps
        // its name and address and drops the unusable method, counted as lost.
        let contact = match check_contact(contact.clone()) {
            Ok(c) => c,
            Err(_) => {
                // A patient with no contact point at all loses nothing here.
                if !(contact.phone.is_empty() && contact.email.is_empty()) {
                    self.lost("Patient.telecom", "phone or email Carekeep cannot use");
                }
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
        let mut identity = Identity::new(given, family, dob, sex, String::new());
        identity.birth_precision = birth_precision;
        identity.names = names;
        identity.identifiers = identifiers;
        identity.deceased = deceased;
        identity.marital_status = marital_status;
        Ok(PlannedPatient {
            entry: i,
            identity,
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
        let detail = EncounterDetail {
            status: clip(status, 40),
            class: Coding {
                system: str_at(r, "/class/system").unwrap_or_default().to_owned(),
                code: str_at(r, "/class/code").unwrap_or_default().to_owned(),
                display: str_at(r, "/class/display")
                    .map(|s| clip(s, ENTRY_TEXT))
                    .unwrap_or_default(),
            },
            types: concepts(r.get("type")),
            start: str_at(r, "/period/start").map(|s| clip(s, 40)).unwrap_or_default(),
            end: str_at(r, "/period/end").map(|s| clip(s, 40)).unwrap_or_default(),
            reasons: concepts(r.get("reasonCode")),
        };
        self.encounters.insert(
            i,
            OpenEncounter {
                patient,
                at,
                signed: status == "finished",
                detail,
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
                    encounter: None,
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
                    encounter: None,
                    addenda: Vec::new(),
                });
            }
        }
        Ok(())
    }

    fn observation(&mut self, i: usize, r: &Value) -> Result<(), Malformed> {
        let patient = self.patient_ref(i, r, &["/subject/reference"])?;
        let codes = codes_of(r.get("code"));
        let measured = if codes.contains(&LOINC_VITALS_PANEL) {
            // The panel groups its members (hasMember); values it carries itself come as
            // components, each a measurement of its own.
            let parts: Vec<(Vitals, MoreVitals)> = r
                .get("component")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| vital(&codes_of(c.get("code")), c, None))
                .collect();
            if parts.is_empty() {
                if r.get("hasMember").is_none() && r.get("component").is_some() {
                    self.unmapped("Observation", "a vital-signs panel whose members Carekeep cannot read");
                }
                return Ok(());
            }
            parts
        } else {
            match vital(&codes, r, r.get("component")) {
                Some(v) => vec![v],
                None => {
                    let is_vital = r
                        .get("category")
                        .and_then(Value::as_array)
                        .is_some_and(|cs| cs.iter().any(|c| codes_of(Some(c)).contains(&"vital-signs")));
                    self.unmapped(
                        "Observation",
                        if is_vital {
                            "a vital sign outside the R4 vital-signs profile, or its value is missing"
                        } else {
                            "not a vital sign (labs, scores, surveys)"
                        },
                    );
                    return Ok(());
                }
            }
        };
        let when = str_at(r, "/effectiveDateTime")
            .or_else(|| str_at(r, "/effectivePeriod/start"))
            .or_else(|| str_at(r, "/issued"))
            .unwrap_or_default()
            .to_owned();
        let at = match instant(&when) {
            Some(at) => at,
            None => {
                // Reported, never silent: the set is kept at the import's time.
                self.lost(
                    "Observation.effective[x]",
                    if when.is_empty() {
                        "missing; the vital signs are dated at the import"
                    } else {
                        "not a FHIR date; the vital signs are dated at the import"
                    },
                );
                self.now
            }
        };
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
        let sets = self.vitals.entry((patient, key)).or_default();
        for (v, more) in measured {
            // A second value of one member at one instant (two heart rates) is a second set,
            // never a value overwritten or dropped.
            match sets.iter_mut().find(|s| fits(&s.vitals, &s.more, &v, &more)) {
                Some(s) => {
                    merge(&mut s.vitals, v);
                    merge_more(&mut s.more, more);
                    s.observations += 1;
                }
                None => sets.push(VitalsSet {
                    at,
                    vitals: v,
                    more,
                    observations: 1,
                }),
            }
        }
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
        let detail = EntryDetail {
            status: str_at(r, "/clinicalStatus/coding/0/code")
                .unwrap_or_default()
                .to_owned(),
            verification: str_at(r, "/verificationStatus/coding/0/code")
                .unwrap_or_default()
                .to_owned(),
            start: first_str(r, &["/onsetDateTime", "/onsetPeriod/start"]),
            end: first_str(
                r,
                &["/abatementDateTime", "/abatementPeriod/end", "/abatementPeriod/start"],
            ),
            codings: codings(r.get("code")),
            category: str_at(r, "/category/0/coding/0/code").unwrap_or_default().to_owned(),
            ..EntryDetail::default()
        };
        self.push_entry(
            patient,
            at,
            "Condition",
            StoredEntry {
                entry: EntryInput::Diagnosis { code, description },
                detail,
            },
        );
        Ok(())
    }

    fn medication(&mut self, i: usize, r: &Value, medications: &HashMap<usize, Value>) -> Result<(), Malformed> {
        let ty = str_at(r, "/resourceType").unwrap_or_default().to_owned();
        let patient = self.patient_ref(i, r, &["/subject/reference", "/patient/reference"])?;
        let referenced = str_at(r, "/medicationReference/reference")
            .and_then(|m| self.resolve(m))
            .and_then(|e| medications.get(&e))
            .and_then(|m| concept_text(m.get("code")));
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
        // A request's statuses as a statement's (the export writes MedicationStatement);
        // the two that differ in name are counted.
        let status = match str_at(r, "/status").unwrap_or_default() {
            "cancelled" => {
                self.lost("MedicationRequest.status", "cancelled is kept as stopped");
                "stopped"
            }
            "draft" => {
                self.lost("MedicationRequest.status", "draft is kept as intended");
                "intended"
            }
            s => s,
        }
        .to_owned();
        let detail = EntryDetail {
            status,
            start: first_str(r, &["/effectivePeriod/start", "/effectiveDateTime", "/authoredOn"]),
            end: first_str(r, &["/effectivePeriod/end"]),
            codings: codings(r.get("medicationCodeableConcept")),
            ..EntryDetail::default()
        };
        self.push_entry(
            patient,
            at,
            &ty,
            StoredEntry {
                entry: EntryInput::Medication {
                    name,
                    dose: clip(dose, ENTRY_TEXT),
                    frequency: clip(frequency, ENTRY_TEXT),
                },
                detail,
            },
        );
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
        let reactions: Vec<Reaction> = r
            .get("reaction")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|x| Reaction {
                manifestation: x
                    .get("manifestation")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| concept_text(Some(m)))
                    .filter(|m| m != "reaction")
                    .collect(),
                severity: str_at(x, "/severity").unwrap_or_default().to_owned(),
            })
            .collect();
        // The form's fields hold the first reaction; the detail keeps all of them, so one
        // reaction with one manifestation needs no detail.
        let one = reactions.len() == 1 && reactions.first().is_some_and(|x| x.manifestation.len() <= 1);
        let detail = EntryDetail {
            status: str_at(r, "/clinicalStatus/coding/0/code")
                .unwrap_or_default()
                .to_owned(),
            verification: str_at(r, "/verificationStatus/coding/0/code")
                .unwrap_or_default()
                .to_owned(),
            start: first_str(r, &["/onsetDateTime"]),
            codings: codings(r.get("code")),
            category: str_at(r, "/category/0").unwrap_or_default().to_owned(),
            allergy_type: str_at(r, "/type").unwrap_or_default().to_owned(),
            criticality: str_at(r, "/criticality").unwrap_or_default().to_owned(),
            reactions: if one { Vec::new() } else { reactions },
            ..EntryDetail::default()
        };
        self.push_entry(
            patient,
            at,
            "AllergyIntolerance",
            StoredEntry {
                entry: EntryInput::Allergy {
                    substance,
                    reaction,
                    severity,
                },
                detail,
            },
        );
        Ok(())
    }

    /// Files an entry, or counts it whole if its statuses or values are outside FHIR's
    /// value sets or Carekeep's checks.
    fn push_entry(&mut self, patient: usize, at: OffsetDateTime, ty: &str, e: StoredEntry) {
        match e.check_imported() {
            Ok(e) => self.plan.patients[patient].entries.push((at, e)),
            Err(_) => self.unmapped(ty, "a status, code or text Carekeep's checks refuse"),
        }
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
            // net, else unit price times quantity (FHIR's own rule for net).
            let amount = money_cents(item.get("net"))
                .or_else(|| {
                    let unit = money_cents(item.get("unitPrice"))?;
                    let qty = item.pointer("/quantity/value").and_then(Value::as_f64).unwrap_or(1.0);
                    let factor = item.get("factor").and_then(Value::as_f64).unwrap_or(1.0);
                    let cents = (unit as f64 * qty * factor).round();
                    (cents.is_finite() && cents.abs() < 1e12).then_some(cents as i64)
                })
                .unwrap_or_default();
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
        let priced = lines.len();
        lines.retain(|l| l.amount_cents > 0);
        for _ in lines.len()..priced {
            self.lost(
                "Claim.item",
                "an item without an amount (its service is named on the claim only)",
            );
        }
        if let Some(total) = money_cents(r.get("total")) {
            let sum: i64 = lines.iter().map(|l| l.amount_cents).sum();
            if lines.is_empty() {
                let what = concept_text(r.get("type")).map_or("Claim".to_owned(), |t| format!("Claim ({t})"));
                lines = vec![line(&what, total)];
            } else if sum < total {
                // The invoice owes what the claim does, to the cent; the part no item prices
                // is one line, and the report says so.
                lines.push(line("Rest of the claim's total (not itemized)", total - sum));
                self.lost("Claim.total", "items sum to less than the total; the rest is one line");
            } else if sum > total {
                self.lost("Claim.total", "items sum to more than the total; the items are kept");
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
                encounter: Some(e.detail),
                addenda: e.addenda,
            });
        }
        for ((patient, _), sets) in std::mem::take(&mut self.vitals) {
            for set in sets {
                let stored = StoredEntry {
                    entry: EntryInput::Vitals(set.vitals),
                    detail: EntryDetail {
                        vitals: set.more,
                        ..EntryDetail::default()
                    },
                };
                match stored.check_imported() {
                    Ok(e) => self.plan.patients[patient].entries.push((set.at, e)),
                    Err(_) => {
                        *self
                            .plan
                            .unmapped
                            .entry("Observation: a vital sign outside plausible ranges or missing its pair".into())
                            .or_default() += set.observations;
                    }
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

/// One measurement of the R4 vital-signs profile from an Observation (or a panel's
/// component): the value in `r.valueQuantity`, blood pressure from `components`.
fn vital(codes: &[&str], r: &Value, components: Option<&Value>) -> Option<(Vitals, MoreVitals)> {
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
        components.and_then(Value::as_array).and_then(|cs| {
            cs.iter()
                .find(|c| codes_of(c.get("code")).contains(&code))
                .and_then(|c| qty(c.get("valueQuantity")))
        })
    };
    let has = |c: &str| codes.contains(&c);
    let mut v = Vitals::default();
    let mut more = MoreVitals::default();
    let u16_of = |x: f64| (x.round() >= 0.0 && x.round() <= f64::from(u16::MAX)).then_some(x.round() as u16);
    let mapped = if has(LOINC_BP) || has("55284-4") {
        v.systolic_mmhg = component(LOINC_SYSTOLIC).and_then(|(x, _)| u16_of(x));
        v.diastolic_mmhg = component(LOINC_DIASTOLIC).and_then(|(x, _)| u16_of(x));
        v.systolic_mmhg.is_some() && v.diastolic_mmhg.is_some()
    } else if has(LOINC_HEART_RATE) {
        v.pulse_bpm = value.as_ref().and_then(|(x, _)| u16_of(*x));
        v.pulse_bpm.is_some()
    } else if has(LOINC_RESP_RATE) {
        more.respiratory_rate = value.as_ref().and_then(|(x, _)| u16_of(*x));
        more.respiratory_rate.is_some()
    } else if has(LOINC_BMI) {
        more.bmi = value.as_ref().map(|(x, _)| *x as f32);
        more.bmi.is_some()
    } else if has(LOINC_HEAD_CIRCUM) || has(LOINC_HEAD_CIRCUM_TAPE) {
        more.head_circumference_cm = value.as_ref().map(|(x, unit)| match unit.as_str() {
            "[in_i]" | "in" => (*x * 2.54) as f32,
            "mm" => (*x / 10.0) as f32,
            _ => *x as f32,
        });
        more.head_circumference_cm.is_some()
    } else if has(LOINC_BODY_TEMP) {
        if let Some((x, unit)) = &value {
            v.temperature = Some(*x as f32);
            v.temperature_unit = Some(if unit.contains('F') { TempUnit::F } else { TempUnit::C });
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
    mapped.then_some((v, more))
}

/// Whether a measurement joins a set without replacing one of its values.
fn fits(set: &Vitals, set_more: &MoreVitals, v: &Vitals, more: &MoreVitals) -> bool {
    let free = |a: bool, b: bool| !(a && b);
    free(set.systolic_mmhg.is_some(), v.systolic_mmhg.is_some())
        && free(set.pulse_bpm.is_some(), v.pulse_bpm.is_some())
        && free(set.temperature.is_some(), v.temperature.is_some())
        && free(set.weight.is_some(), v.weight.is_some())
        && free(set.height.is_some(), v.height.is_some())
        && free(set.spo2_percent.is_some(), v.spo2_percent.is_some())
        && free(set_more.respiratory_rate.is_some(), more.respiratory_rate.is_some())
        && free(set_more.bmi.is_some(), more.bmi.is_some())
        && free(
            set_more.head_circumference_cm.is_some(),
            more.head_circumference_cm.is_some(),
        )
}

fn merge_more(into: &mut MoreVitals, m: MoreVitals) {
    into.respiratory_rate = into.respiratory_rate.or(m.respiratory_rate);
    into.bmi = into.bmi.or(m.bmi);
    into.head_circumference_cm = into.head_circumference_cm.or(m.head_circumference_cm);
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
        assert_eq!(
            (p.identity.given_name.as_str(), p.identity.family_name.as_str()),
            ("Abe604", "Kris249")
        );
        assert_eq!(p.contact.phone, "5553768457");
        assert_eq!(p.contact.address, "1 Main St, Boston MA 02110");
        assert_eq!(p.notes.len(), 1);
        assert!(p.notes[0].signed);
        assert!(p.notes[0].note.objective.contains("Procedure: Blood pressure check"));
        let kinds: Vec<&str> = p.entries.iter().map(|(_, e)| e.entry.kind()).collect();
        assert_eq!(kinds, ["diagnosis", "medication", "allergy", "vitals"]);
        match &p.entries[3].1.entry {
            EntryInput::Vitals(v) => {
                assert_eq!((v.systolic_mmhg, v.diastolic_mmhg), (Some(121), Some(79)));
                assert_eq!(v.weight, Some(80.2));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.invoices.len(), 1);
        assert_eq!(p.invoices[0].lines[0].amount_cents, 12916);
        // The lab, the immunization and the organization are counted, not dropped; so are
        // the fields kept nowhere (the Claim's status, the prescription's intent, the
        // procedure's link to its encounter is kept as the note's line).
        let whole: usize = plan
            .unmapped
            .iter()
            .filter(|(k, _)| !k.contains('.'))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(whole, 3, "{:?}", plan.unmapped);
        assert_eq!(
            plan.unmapped
                .get("MedicationRequest.intent: Carekeep's record has no such field"),
            Some(&1)
        );
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

    fn one_patient(patient: Value, rest: Vec<Value>) -> Value {
        let mut entry = vec![json!({ "fullUrl": "urn:uuid:p", "resource": patient })];
        for (n, r) in rest.into_iter().enumerate() {
            entry.push(json!({ "fullUrl": format!("urn:uuid:r{n}"), "resource": r }));
        }
        json!({ "resourceType": "Bundle", "type": "collection", "entry": entry })
    }

    fn pat(extra: Value) -> Value {
        let mut p = json!({ "resourceType": "Patient", "name": [{ "family": "Lee", "given": ["Ann"] }], "birthDate": "1980-04-23" });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            p[k] = v;
        }
        p
    }

    #[test]
    fn a_repeated_full_url_is_refused_naming_the_entry() {
        let mut b = one_patient(
            pat(json!({})),
            vec![
                json!({ "resourceType": "Condition", "code": { "text": "Asthma" }, "subject": { "reference": "urn:uuid:p" } }),
            ],
        );
        b["entry"][1]["fullUrl"] = json!("urn:uuid:p");
        let err = run(b).expect_err("bdl-7");
        assert!(err.0.contains("entry 1") && err.0.contains("bdl-7"), "{err}");
    }

    #[test]
    fn birth_dates_follow_fhir() {
        use carekeep_domain::records::detail::Precision;
        for (given, want) in [
            ("1980", Some(Precision::Year)),
            ("1980-04", Some(Precision::Month)),
            ("1980-04-23", Some(Precision::Day)),
            ("04/23/1980", None),
        ] {
            let got = run(one_patient(pat(json!({ "birthDate": given })), vec![]));
            match want {
                Some(p) => {
                    let plan = got.expect(given);
                    assert_eq!(plan.patients[0].identity.birth_precision, p, "{given}");
                    assert_eq!(plan.patients[0].identity.birth_date_text(), given);
                }
                None => assert!(got.is_err_and(|e| e.0.contains("birthDate")), "{given}"),
            }
        }
    }

    #[test]
    fn names_identifiers_death_and_address_are_kept_whole() {
        let plan = run(one_patient(
            pat(json!({
                "name": [
                    { "use": "maiden", "family": "Smith", "given": ["Mary"] },
                    { "use": "official", "prefix": ["Mrs."], "given": ["Mary", "Ann"], "family": "Lee", "suffix": ["MD"] }
                ],
                "identifier": [{ "system": "http://hospital.example/mrn", "value": "A-1", "type": { "coding": [{ "code": "MR" }] } }],
                "deceasedDateTime": "2020-03",
                "maritalStatus": { "coding": [{ "system": MARITAL_STATUS, "code": "M" }] },
                "address": [{ "use": "home", "line": ["1 Main St", "Apt 2"], "city": "Boston", "state": "MA", "postalCode": "02110", "country": "US" }],
                "multipleBirthBoolean": false
            })),
            vec![],
        ))
        .expect("plan");
        let i = &plan.patients[0].identity;
        assert_eq!((i.given_name.as_str(), i.family_name.as_str()), ("Mary Ann", "Lee"));
        assert_eq!(i.names[0].display(), "Mrs. Mary Ann Lee MD");
        assert_eq!(i.names[1].usage, "maiden");
        assert_eq!(i.identifiers[0].value, "A-1");
        assert_eq!(i.deceased, Some(Deceased::On("2020-03".into())));
        assert_eq!(i.marital_status, "M");
        let a = plan.patients[0].contact.address_parts.as_ref().expect("parts");
        assert_eq!((a.line.len(), a.country.as_str()), (2, "US"));
        assert_eq!(
            plan.unmapped
                .get("Patient.multipleBirthBoolean: Carekeep's record has no such field"),
            Some(&1)
        );
        // A name given only as text is filed whole.
        let plan = run(one_patient(pat(json!({ "name": [{ "text": "Sunil" }] })), vec![])).expect("text name");
        assert_eq!(plan.patients[0].identity.given_name, "Sunil");
    }

    #[test]
    fn clinical_status_dates_and_codes_are_kept() {
        let s = json!({ "reference": "urn:uuid:p" });
        let plan = run(one_patient(
            pat(json!({})),
            vec![
                json!({ "resourceType": "Condition", "subject": s,
                    "clinicalStatus": { "coding": [{ "system": CONDITION_CLINICAL, "code": "resolved" }] },
                    "verificationStatus": { "coding": [{ "system": CONDITION_VERIFICATION, "code": "confirmed" }] },
                    "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "10509002", "display": "Acute bronchitis" }] },
                    "onsetDateTime": "2015-03-01T10:00:00Z", "abatementDateTime": "2015-03-20T10:00:00Z" }),
                json!({ "resourceType": "MedicationRequest", "status": "stopped", "intent": "order", "subject": s,
                    "medicationCodeableConcept": { "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "308182", "display": "Amoxicillin 250 MG" }] },
                    "authoredOn": "2015-03-01" }),
                json!({ "resourceType": "AllergyIntolerance", "patient": s, "criticality": "high", "type": "allergy", "category": ["food"],
                    "clinicalStatus": { "coding": [{ "system": ALLERGY_CLINICAL, "code": "active" }] },
                    "code": { "text": "Peanut" },
                    "reaction": [
                        { "manifestation": [{ "text": "Hives" }, { "text": "Itching" }], "severity": "mild" },
                        { "manifestation": [{ "text": "Anaphylaxis" }], "severity": "severe" }
                    ] }),
            ],
        ))
        .expect("plan");
        let by_kind = |k: &str| {
            plan.patients[0]
                .entries
                .iter()
                .find(|(_, e)| e.entry.kind() == k)
                .map(|(_, e)| e.clone())
                .expect(k)
        };
        let d = by_kind("diagnosis").detail;
        assert_eq!(
            (d.status.as_str(), d.start.as_str(), d.end.as_str()),
            ("resolved", "2015-03-01T10:00:00Z", "2015-03-20T10:00:00Z")
        );
        let m = by_kind("medication").detail;
        assert_eq!((m.status.as_str(), m.codings[0].code.as_str()), ("stopped", "308182"));
        let a = by_kind("allergy").detail;
        assert_eq!(
            (
                a.criticality.as_str(),
                a.reactions.len(),
                a.reactions[1].severity.as_str()
            ),
            ("high", 2, "severe")
        );
    }

    #[test]
    fn every_vital_sign_is_kept_and_two_at_one_instant_make_two_sets() {
        let s = json!({ "reference": "urn:uuid:p" });
        let obs = |code: &str, value: f64, unit: &str| {
            json!({ "resourceType": "Observation", "status": "final", "subject": s,
            "category": [{ "coding": [{ "code": "vital-signs" }] }],
            "code": { "coding": [{ "system": LOINC, "code": code }] }, "effectiveDateTime": "2020-01-02T10:00:00Z",
            "valueQuantity": { "value": value, "code": unit } })
        };
        let plan = run(one_patient(
            pat(json!({})),
            vec![
                obs(LOINC_HEART_RATE, 60.0, "/min"),
                obs(LOINC_HEART_RATE, 100.0, "/min"),
                obs(LOINC_RESP_RATE, 16.0, "/min"),
                obs(LOINC_BMI, 27.36, "kg/m2"),
                obs(LOINC_HEAD_CIRCUM_TAPE, 45.5, "cm"),
                json!({ "resourceType": "Observation", "status": "final", "subject": s, "code": { "coding": [{ "system": LOINC, "code": LOINC_VITALS_PANEL }] },
                    "effectiveDateTime": "2020-01-02T10:00:00Z", "hasMember": [{ "reference": "urn:uuid:r0" }] }),
            ],
        ))
        .expect("plan");
        assert_eq!(plan.unmapped_total(), 0, "{:?}", plan.unmapped);
        let sets: Vec<&StoredEntry> = plan.patients[0].entries.iter().map(|(_, e)| e).collect();
        assert_eq!(sets.len(), 2);
        let pulses: Vec<Option<u16>> = sets
            .iter()
            .map(|e| match &e.entry {
                EntryInput::Vitals(v) => v.pulse_bpm,
                _ => None,
            })
            .collect();
        assert_eq!(pulses, [Some(60), Some(100)]);
        assert_eq!(sets[0].detail.vitals.respiratory_rate, Some(16));
        assert_eq!(sets[0].detail.vitals.bmi, Some(27.36));
    }

    #[test]
    fn a_vital_sign_without_a_fhir_date_is_reported_not_silently_redated() {
        let s = json!({ "reference": "urn:uuid:p" });
        let obs = |when: Value| {
            let mut o = json!({ "resourceType": "Observation", "status": "final", "subject": s,
            "category": [{ "coding": [{ "code": "vital-signs" }] }],
            "code": { "coding": [{ "system": LOINC, "code": LOINC_HEART_RATE }] },
            "valueQuantity": { "value": 70.0, "code": "/min" } });
            if let Some(w) = when.as_str() {
                o["effectiveDateTime"] = json!(w);
            }
            o
        };
        let plan = run(one_patient(
            pat(json!({})),
            vec![obs(json!("01/02/2020")), obs(Value::Null)],
        ))
        .expect("plan");
        let lost = |why: &str| plan.unmapped.get(&format!("Observation.effective[x]: {why}")).copied();
        assert_eq!(
            lost("not a FHIR date; the vital signs are dated at the import"),
            Some(1),
            "{:?}",
            plan.unmapped
        );
        assert_eq!(
            lost("missing; the vital signs are dated at the import"),
            Some(1),
            "{:?}",
            plan.unmapped
        );
    }

    #[test]
    fn encounters_keep_class_type_period_and_reason_and_claims_their_total() {
        let s = json!({ "reference": "urn:uuid:p" });
        let plan = run(one_patient(
            pat(json!({})),
            vec![
                json!({ "resourceType": "Encounter", "status": "finished", "subject": s,
                    "class": { "system": V3_ACT_CODE, "code": "IMP", "display": "inpatient encounter" },
                    "type": [{ "coding": [{ "system": "http://snomed.info/sct", "code": "183452005" }], "text": "Emergency hospital admission" }],
                    "period": { "start": "2020-01-02T10:00:00Z", "end": "2020-01-05T12:00:00Z" },
                    "reasonCode": [{ "text": "Pneumonia" }] }),
                json!({ "resourceType": "Claim", "status": "active", "patient": s, "created": "2020-01-05T12:00:00Z",
                    "item": [
                        { "sequence": 1, "productOrService": { "text": "Admission" } },
                        { "sequence": 2, "productOrService": { "text": "Chest X-ray" }, "net": { "value": 7.38, "currency": "USD" } }
                    ],
                    "total": { "value": 92.93, "currency": "USD" } }),
            ],
        ))
        .expect("plan");
        let e = plan.patients[0].notes[0].encounter.as_ref().expect("visit");
        assert_eq!((e.class.code.as_str(), e.end.as_str()), ("IMP", "2020-01-05T12:00:00Z"));
        assert_eq!(e.reasons[0].text, "Pneumonia");
        let total: i64 = plan.patients[0].invoices[0].lines.iter().map(|l| l.amount_cents).sum();
        assert_eq!(total, 9293);
        assert!(plan.unmapped.keys().any(|k| k.starts_with("Claim.total")));
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        assert!(check_size(256 * 1024 * 1024, 256).is_ok());
        let err = check_size(256 * 1024 * 1024 + 1, 256).expect_err("over");
        assert!(err.0.contains("257 MiB, over the 256 MiB limit"), "{err}");
    }

    #[test]
    fn soap_headings_read_back() {
        let text = super::super::export::soap_text("cough", "clear lungs", "URI", "fluids");
        let n = soap(&text);
        assert_eq!((n.subjective.as_str(), n.plan.as_str()), ("cough", "fluids"));
        assert_eq!(soap("free text note").subjective, "free text note");
    }
}
