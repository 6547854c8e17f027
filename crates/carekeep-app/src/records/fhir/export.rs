//! A patient's record, as one reader may see it, as a FHIR R4 (4.0.1) `collection` Bundle.
//!
//! Built from a [`PatientView`], so only the classes the one policy granted appear: the export
//! cannot show more than the chart does. Resources reference each other by `urn:uuid:` full
//! URLs, as bundles meant for another system do. Vital signs follow the R4 vital-signs
//! profiles (LOINC codes, UCUM units); notes travel as `DocumentReference` (text/plain, SOAP
//! headings), addenda as documents that `appends` the note; photos as `Media`, documents as
//! `DocumentReference`; payments as `PaymentReconciliation` against their `Invoice`.
#![allow(
    clippy::indexing_slicing,
    reason = "serde_json objects built here with json!: setting a key of an object cannot panic"
)]

use super::codes::*;
use crate::records::view::*;
use crate::records::{EntryInput, StoredEntry};
use base64::Engine;
use carekeep_domain::records::detail::{Coding, Concept, Deceased, MoreVitals, PersonName};
use carekeep_domain::records::vitals::{HeightUnit, TempUnit, Vitals, WeightUnit};
use serde_json::{json, Map, Value};

/// A photo's or document's bytes, by attachment id.
pub type Files<'a> = &'a [(i64, Vec<u8>)];

/// The `urn:uuid:` full URL of one resource: stable for a kind and a row id, so a bundle's
/// references resolve within it and two exports of one record agree.
pub fn full_url(kind: Kind, id: i64) -> String {
    let id = u64::try_from(id).unwrap_or_default();
    format!(
        "urn:uuid:{}",
        uuid::Uuid::from_u64_pair(0xCA4E_0000_0000_0000 | kind as u64, id)
    )
}

/// Resource kinds, for full URLs.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Patient = 1,
    Appointment,
    Encounter,
    Note,
    Addendum,
    Vitals,
    Condition,
    Medication,
    Allergy,
    Attachment,
    Invoice,
    Payment,
    FormResponse,
    Consent,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

struct Out {
    entries: Vec<Value>,
    patient_ref: Value,
}

impl Out {
    fn push(&mut self, url: String, mut resource: Value, id: String) {
        if let Some(o) = resource.as_object_mut() {
            o.insert("id".into(), Value::String(id));
        }
        self.entries.push(json!({ "fullUrl": url, "resource": resource }));
    }
}

/// The bundle. `timestamp` is an RFC 3339 instant: when it was made.
pub fn bundle(view: &PatientView, files: Files<'_>, timestamp: &str) -> Value {
    let patient_url = full_url(Kind::Patient, view.id);
    let mut out = Out {
        entries: Vec::new(),
        patient_ref: json!({ "reference": patient_url }),
    };
    out.push(patient_url, patient(view), format!("patient-{}", view.id));
    if let Some(s) = &view.scheduling {
        for a in &s.appointments {
            out.push(
                full_url(Kind::Appointment, a.id),
                appointment(a, &out.patient_ref),
                format!("appointment-{}", a.id),
            );
        }
    }
    if let Some(c) = &view.clinical {
        clinical(&mut out, c, files);
    }
    invoices(&mut out, view);
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp,
        "entry": out.entries,
    })
}

fn patient(view: &PatientView) -> Value {
    let mut p = Map::new();
    p.insert("resourceType".into(), json!("Patient"));
    if let Some(i) = &view.identity {
        let whole = i.whole.as_deref();
        let mut ids = vec![json!({
            "use": "usual",
            "type": { "coding": [{ "system": V2_0203, "code": "MR", "display": "Medical record number" }] },
            "system": MRN_SYSTEM,
            "value": i.record_number,
        })];
        for x in whole.map(|w| w.identifiers.as_slice()).unwrap_or_default() {
            let mut id = json!({ "value": x.value });
            if !x.system.is_empty() {
                id["system"] = json!(x.system);
            }
            if !x.kind.is_empty() || !x.kind_text.is_empty() {
                let mut t = json!({});
                if !x.kind.is_empty() {
                    t["coding"] = json!([{ "system": V2_0203, "code": x.kind }]);
                }
                if !x.kind_text.is_empty() {
                    t["text"] = json!(x.kind_text);
                }
                id["type"] = t;
            }
            ids.push(id);
        }
        p.insert("identifier".into(), Value::Array(ids));
        let names: Vec<Value> = whole
            .map(|w| w.names.iter().map(human_name).collect())
            .unwrap_or_default();
        p.insert(
            "name".into(),
            if names.is_empty() {
                json!([{ "use": "official", "family": i.family_name, "given": [i.given_name] }])
            } else {
                Value::Array(names)
            },
        );
        p.insert("gender".into(), json!(i.sex));
        p.insert("birthDate".into(), json!(i.birth_date_as_known));
        match whole.and_then(|w| w.deceased.as_ref()) {
            Some(Deceased::Yes) => {
                p.insert("deceasedBoolean".into(), json!(true));
            }
            Some(Deceased::On(d)) => {
                p.insert("deceasedDateTime".into(), json!(d));
            }
            None => {}
        }
        if let Some(m) = whole.map(|w| w.marital_status.as_str()).filter(|m| !m.is_empty()) {
            p.insert(
                "maritalStatus".into(),
                json!({ "coding": [{ "system": MARITAL_STATUS, "code": m }] }),
            );
        }
    }
    if let Some(c) = &view.contact {
        let mut telecom = Vec::new();
        if !c.phone.is_empty() {
            let mut t = json!({ "system": "phone", "value": c.phone_display });
            if matches!(c.preferred.as_str(), "phone" | "text") {
                t["rank"] = json!(1);
            }
            if c.preferred == "text" {
                t["use"] = json!("mobile");
            }
            telecom.push(t);
        }
        if !c.email.is_empty() {
            let mut t = json!({ "system": "email", "value": c.email });
            if c.preferred == "email" {
                t["rank"] = json!(1);
            }
            telecom.push(t);
        }
        if !telecom.is_empty() {
            p.insert("telecom".into(), Value::Array(telecom));
        }
        if !c.address.is_empty() {
            let mut a = json!({ "text": c.address });
            if let Some(parts) = &c.address_parts {
                for (k, v) in [
                    ("use", &parts.usage),
                    ("city", &parts.city),
                    ("district", &parts.district),
                    ("state", &parts.state),
                    ("postalCode", &parts.postal_code),
                    ("country", &parts.country),
                ] {
                    if !v.is_empty() {
                        a[k] = json!(v);
                    }
                }
                if !parts.line.is_empty() {
                    a["line"] = json!(parts.line);
                }
            }
            p.insert("address".into(), json!([a]));
        }
        if !c.emergency_contact.is_empty() {
            p.insert(
                "contact".into(),
                json!([{
                    "relationship": [{ "coding": [{ "system": V2_0131, "code": "C", "display": "Emergency Contact" }] }],
                    "name": { "text": c.emergency_contact },
                }]),
            );
        }
        p.insert(
            "extension".into(),
            json!([{ "url": EXT_PREFERRED_CONTACT, "valueCode": c.preferred }]),
        );
    }
    Value::Object(p)
}

fn human_name(n: &PersonName) -> Value {
    let mut o = json!({});
    for (k, v) in [("use", &n.usage), ("family", &n.family), ("text", &n.text)] {
        if !v.is_empty() {
            o[k] = json!(v);
        }
    }
    for (k, v) in [("prefix", &n.prefix), ("given", &n.given), ("suffix", &n.suffix)] {
        if !v.is_empty() {
            o[k] = json!(v);
        }
    }
    o
}

fn coding_json(c: &Coding) -> Value {
    let mut o = json!({ "code": c.code });
    if !c.system.is_empty() {
        o["system"] = json!(c.system);
    }
    if !c.display.is_empty() {
        o["display"] = json!(c.display);
    }
    o
}

fn concept_json(c: &Concept) -> Value {
    let mut o = json!({});
    if !c.codings.is_empty() {
        o["coding"] = c.codings.iter().map(coding_json).collect();
    }
    if !c.text.is_empty() {
        o["text"] = json!(c.text);
    }
    o
}

fn appointment(a: &AppointmentView, patient_ref: &Value) -> Value {
    json!({
        "resourceType": "Appointment",
        "status": appointment_status_to_fhir(&a.status),
        "serviceType": [{ "text": a.service }],
        "start": a.start,
        "end": a.end,
        "participant": [
            { "actor": patient_ref, "status": "accepted" },
            { "actor": { "display": a.provider_name }, "status": "accepted" },
        ],
    })
}

fn clinical(out: &mut Out, c: &ClinicalView, files: Files<'_>) {
    let patient_ref = out.patient_ref.clone();
    let urls = |consent: bool, id: i64| full_url(if consent { Kind::Consent } else { Kind::FormResponse }, id);
    for (url, resource, id) in super::forms::entries(&c.forms, &patient_ref, &urls) {
        out.push(url, resource, id);
    }
    for e in &c.encounters {
        let enc_url = full_url(Kind::Encounter, e.id);
        let note_url = full_url(Kind::Note, e.id);
        let author = json!([{ "display": e.author_name }]);
        let mut encounter = json!({
            "resourceType": "Encounter",
            "status": if e.signed_at.is_some() { "finished" } else { "in-progress" },
            "class": { "system": V3_ACT_CODE, "code": "AMB", "display": "ambulatory" },
            "subject": out.patient_ref,
            "participant": [{ "individual": { "display": e.author_name } }],
            "period": { "start": e.at },
        });
        // A visit brought from another system goes back out as it came in.
        if let Some(d) = &e.encounter {
            if !d.status.is_empty() {
                encounter["status"] = json!(d.status);
            }
            if !d.class.code.is_empty() {
                encounter["class"] = coding_json(&d.class);
            }
            if !d.types.is_empty() {
                encounter["type"] = d.types.iter().map(concept_json).collect();
            }
            if !d.start.is_empty() {
                encounter["period"] = json!({ "start": d.start });
            }
            if !d.end.is_empty() {
                encounter["period"]["end"] = json!(d.end);
            }
            if !d.reasons.is_empty() {
                encounter["reasonCode"] = d.reasons.iter().map(concept_json).collect();
            }
        }
        out.push(enc_url.clone(), encounter, format!("encounter-{}", e.id));
        let text = soap_text(&e.subjective, &e.objective, &e.assessment, &e.plan);
        let note = json!({
            "resourceType": "DocumentReference",
            "status": "current",
            "docStatus": if e.signed_at.is_some() { "final" } else { "preliminary" },
            "type": { "coding": [{ "system": LOINC, "code": PROGRESS_NOTE, "display": "Progress note" }] },
            "subject": out.patient_ref,
            "date": e.signed_at.as_deref().unwrap_or(&e.at),
            "author": author,
            "description": "SOAP note",
            "content": [{ "attachment": { "contentType": TEXT_PLAIN, "data": b64(text.as_bytes()), "title": "SOAP note" } }],
            "context": { "encounter": [{ "reference": enc_url }] },
        });
        out.push(note_url.clone(), note, format!("note-{}", e.id));
        for a in &e.addenda {
            let addendum = json!({
                "resourceType": "DocumentReference",
                "status": "current",
                "docStatus": "amended",
                "type": { "coding": [{ "system": LOINC, "code": PROGRESS_NOTE, "display": "Progress note" }] },
                "subject": out.patient_ref,
                "date": a.at,
                "author": [{ "display": a.author_name }],
                "description": "Addendum",
                "relatesTo": [{ "code": "appends", "target": { "reference": note_url } }],
                "content": [{ "attachment": { "contentType": TEXT_PLAIN, "data": b64(a.text.as_bytes()), "title": "Addendum" } }],
                "context": { "encounter": [{ "reference": enc_url }] },
            });
            out.push(full_url(Kind::Addendum, a.id), addendum, format!("addendum-{}", a.id));
        }
    }
    for entry in c
        .vitals
        .iter()
        .chain(&c.diagnoses)
        .chain(&c.medications)
        .chain(&c.allergies)
    {
        let Ok(StoredEntry { entry: input, detail }) = serde_json::from_value::<StoredEntry>(entry.data.clone()) else {
            continue;
        };
        // Codes another system gave, after Carekeep's own (kept whole: RxNorm, SNOMED CT).
        let with_codings = |mut concept: Value| {
            let mut list: Vec<Value> = concept
                .get("coding")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for c in &detail.codings {
                let c = coding_json(c);
                if !list
                    .iter()
                    .any(|x| x.get("system") == c.get("system") && x.get("code") == c.get("code"))
                {
                    list.push(c);
                }
            }
            if !list.is_empty() {
                concept["coding"] = Value::Array(list);
            }
            concept
        };
        match input {
            EntryInput::Vitals(v) => {
                let mut members = Vec::new();
                for (n, (suffix, obs)) in vital_observations(&v, &detail.vitals).into_iter().enumerate() {
                    let mut obs = obs;
                    obs["subject"] = out.patient_ref.clone();
                    obs["effectiveDateTime"] = json!(entry.at);
                    obs["performer"] = json!([{ "display": entry.recorded_by }]);
                    obs["identifier"] =
                        json!([{ "system": VITALS_SET_SYSTEM, "value": format!("vitals-{}-{suffix}", entry.id) }]);
                    let url = full_url(Kind::Vitals, entry.id * 16 + n as i64);
                    members.push(json!({ "reference": url }));
                    out.push(url, obs, format!("vitals-{}-{suffix}", entry.id));
                }
                // The R4 vital-signs panel groups a set's measurements taken together.
                if members.len() > 1 {
                    let panel = json!({
                        "resourceType": "Observation",
                        "meta": { "profile": [PROFILE_VITALS_PANEL] },
                        "status": "final",
                        "category": [{ "coding": [{ "system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs" }] }],
                        "code": { "coding": [{ "system": LOINC, "code": LOINC_VITALS_PANEL, "display": "Vital signs, weight, height, head circumference, oxygen saturation and BMI panel" }], "text": "Vital signs" },
                        "subject": out.patient_ref,
                        "effectiveDateTime": entry.at,
                        "hasMember": members,
                        "identifier": [{ "system": VITALS_SET_SYSTEM, "value": format!("vitals-{}-panel", entry.id) }],
                    });
                    out.push(
                        full_url(Kind::Vitals, entry.id * 16 + 15),
                        panel,
                        format!("vitals-{}-panel", entry.id),
                    );
                }
            }
            EntryInput::Diagnosis { code, description } => {
                let mut concept = json!({ "text": description });
                if !code.is_empty() {
                    concept["coding"] = json!([{ "system": ICD10CM, "code": code, "display": description }]);
                }
                let status = if detail.status.is_empty() {
                    "active"
                } else {
                    detail.status.as_str()
                };
                let verification = if detail.verification.is_empty() {
                    "confirmed"
                } else {
                    detail.verification.as_str()
                };
                let category = if detail.category.is_empty() {
                    "encounter-diagnosis"
                } else {
                    detail.category.as_str()
                };
                let mut cond = json!({
                    "resourceType": "Condition",
                    "clinicalStatus": { "coding": [{ "system": CONDITION_CLINICAL, "code": status }] },
                    "verificationStatus": { "coding": [{ "system": CONDITION_VERIFICATION, "code": verification }] },
                    "category": [{ "coding": [{ "system": CONDITION_CATEGORY, "code": category }] }],
                    "code": with_codings(concept),
                    "subject": out.patient_ref,
                    "recordedDate": entry.at,
                    "recorder": { "display": entry.recorded_by },
                });
                // con-5: a condition recorded in error has no clinical status.
                if verification == "entered-in-error" {
                    if let Some(o) = cond.as_object_mut() {
                        o.remove("clinicalStatus");
                    }
                }
                if !detail.start.is_empty() {
                    cond["onsetDateTime"] = json!(detail.start);
                }
                if !detail.end.is_empty() {
                    cond["abatementDateTime"] = json!(detail.end);
                }
                out.push(
                    full_url(Kind::Condition, entry.id),
                    cond,
                    format!("condition-{}", entry.id),
                );
            }
            EntryInput::Medication { name, dose, frequency } => {
                let mut med = json!({
                    "resourceType": "MedicationStatement",
                    "status": if detail.status.is_empty() { "active" } else { detail.status.as_str() },
                    "medicationCodeableConcept": with_codings(json!({ "text": name })),
                    "subject": out.patient_ref,
                    "dateAsserted": entry.at,
                    "informationSource": { "display": entry.recorded_by },
                });
                match (detail.start.is_empty(), detail.end.is_empty()) {
                    (true, true) => {}
                    (false, true) => med["effectivePeriod"] = json!({ "start": detail.start }),
                    (true, false) => med["effectivePeriod"] = json!({ "end": detail.end }),
                    (false, false) => med["effectivePeriod"] = json!({ "start": detail.start, "end": detail.end }),
                }
                let dosage = [dose.as_str(), frequency.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>();
                if !dosage.is_empty() {
                    med["dosage"] = json!([{ "text": dosage.join(", ") }]);
                    if !dose.is_empty() {
                        med["extension"] = json!([{ "url": EXT_DOSE, "valueString": dose }]);
                    }
                }
                out.push(
                    full_url(Kind::Medication, entry.id),
                    med,
                    format!("medication-{}", entry.id),
                );
            }
            EntryInput::Allergy {
                substance,
                reaction,
                severity,
            } => {
                let status = if detail.status.is_empty() {
                    "active"
                } else {
                    detail.status.as_str()
                };
                let verification = if detail.verification.is_empty() {
                    "confirmed"
                } else {
                    detail.verification.as_str()
                };
                let mut allergy = json!({
                    "resourceType": "AllergyIntolerance",
                    "clinicalStatus": { "coding": [{ "system": ALLERGY_CLINICAL, "code": status }] },
                    "verificationStatus": { "coding": [{ "system": ALLERGY_VERIFICATION, "code": verification }] },
                    "code": with_codings(json!({ "text": substance })),
                    "patient": out.patient_ref,
                    "recordedDate": entry.at,
                    "recorder": { "display": entry.recorded_by },
                });
                // ait-2: an allergy recorded in error has no clinical status.
                if verification == "entered-in-error" {
                    if let Some(o) = allergy.as_object_mut() {
                        o.remove("clinicalStatus");
                    }
                }
                for (k, v) in [("type", &detail.allergy_type), ("criticality", &detail.criticality)] {
                    if !v.is_empty() {
                        allergy[k] = json!(v);
                    }
                }
                if !detail.category.is_empty() {
                    allergy["category"] = json!([detail.category]);
                }
                if !detail.start.is_empty() {
                    allergy["onsetDateTime"] = json!(detail.start);
                }
                if !detail.reactions.is_empty() {
                    allergy["reaction"] = detail
                        .reactions
                        .iter()
                        .map(|r| {
                            let words: Vec<&str> = if r.manifestation.is_empty() {
                                vec!["reaction"]
                            } else {
                                r.manifestation.iter().map(String::as_str).collect()
                            };
                            let mut x = json!({ "manifestation": words.iter().map(|m| json!({ "text": m })).collect::<Vec<_>>() });
                            if !r.severity.is_empty() {
                                x["severity"] = json!(r.severity);
                            }
                            x
                        })
                        .collect();
                } else if !reaction.is_empty() || !severity.is_empty() {
                    let text = if reaction.is_empty() {
                        "reaction"
                    } else {
                        reaction.as_str()
                    };
                    let mut r = json!({ "manifestation": [{ "text": text }] });
                    if !severity.is_empty() {
                        r["severity"] = json!(severity);
                    }
                    allergy["reaction"] = json!([r]);
                }
                out.push(
                    full_url(Kind::Allergy, entry.id),
                    allergy,
                    format!("allergy-{}", entry.id),
                );
            }
        }
    }
    for a in &c.attachments {
        let Some((_, bytes)) = files.iter().find(|(id, _)| *id == a.id) else {
            continue;
        };
        let mut attachment = json!({
            "contentType": a.content_type,
            "data": b64(bytes),
            "size": a.size_bytes,
            "creation": a.at,
        });
        if !a.filename.is_empty() {
            attachment["title"] = json!(a.filename);
        }
        let resource = if a.is_image {
            let mut m = json!({
                "resourceType": "Media",
                "status": "completed",
                "type": { "coding": [{ "system": MEDIA_TYPE, "code": "image", "display": "Image" }] },
                "subject": out.patient_ref,
                "createdDateTime": a.at,
                "operator": { "display": a.uploaded_by },
                "content": attachment,
            });
            if !a.caption.is_empty() {
                m["note"] = json!([{ "text": a.caption }]);
            }
            if !a.pair.is_empty() {
                m["extension"] = json!([
                    { "url": EXT_PHOTO_PAIR, "valueCode": a.pair },
                    { "url": EXT_PHOTO_PAIR_LABEL, "valueString": a.pair_label },
                ]);
            }
            m
        } else {
            let mut d = json!({
                "resourceType": "DocumentReference",
                "status": "current",
                "subject": out.patient_ref,
                "date": a.at,
                "author": [{ "display": a.uploaded_by }],
                "content": [{ "attachment": attachment }],
            });
            if !a.caption.is_empty() {
                d["description"] = json!(a.caption);
            }
            d
        };
        out.push(
            full_url(Kind::Attachment, a.id),
            resource,
            format!("attachment-{}", a.id),
        );
    }
}

/// One Observation per measurement, each with its R4 vital-signs profile.
fn vital_observations(v: &Vitals, more: &MoreVitals) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    let base = |profile: &str, code: Value, text: &str| {
        json!({
            "resourceType": "Observation",
            "meta": { "profile": [profile] },
            "status": "final",
            "category": [{ "coding": [{ "system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs" }] }],
            "code": { "coding": code, "text": text },
        })
    };
    let qty =
        |value: f64, unit: &str, code: &str| json!({ "value": value, "unit": unit, "system": UCUM, "code": code });
    if let (Some(s), Some(d)) = (v.systolic_mmhg, v.diastolic_mmhg) {
        let mut o = base(
            PROFILE_BP,
            json!([{ "system": LOINC, "code": LOINC_BP, "display": "Blood pressure panel with all children optional" }]),
            "Blood pressure",
        );
        o["component"] = json!([
            { "code": { "coding": [{ "system": LOINC, "code": LOINC_SYSTOLIC, "display": "Systolic blood pressure" }] },
              "valueQuantity": qty(f64::from(s), "mmHg", "mm[Hg]") },
            { "code": { "coding": [{ "system": LOINC, "code": LOINC_DIASTOLIC, "display": "Diastolic blood pressure" }] },
              "valueQuantity": qty(f64::from(d), "mmHg", "mm[Hg]") },
        ]);
        out.push(("bp", o));
    }
    if let Some(p) = v.pulse_bpm {
        let mut o = base(
            PROFILE_HEART_RATE,
            json!([{ "system": LOINC, "code": LOINC_HEART_RATE, "display": "Heart rate" }]),
            "Heart rate",
        );
        o["valueQuantity"] = qty(f64::from(p), "beats/minute", "/min");
        out.push(("pulse", o));
    }
    if let Some(t) = v.temperature {
        let (unit, code) = match v.temperature_unit.unwrap_or(TempUnit::C) {
            TempUnit::C => ("C", "Cel"),
            TempUnit::F => ("F", "[degF]"),
        };
        let mut o = base(
            PROFILE_BODY_TEMP,
            json!([{ "system": LOINC, "code": LOINC_BODY_TEMP, "display": "Body temperature" }]),
            "Body temperature",
        );
        o["valueQuantity"] = qty(round1(t), unit, code);
        out.push(("temperature", o));
    }
    if let Some(w) = v.weight {
        let (unit, code) = match v.weight_unit.unwrap_or(WeightUnit::Kg) {
            WeightUnit::Kg => ("kg", "kg"),
            WeightUnit::Lb => ("lb", "[lb_av]"),
        };
        let mut o = base(
            PROFILE_BODY_WEIGHT,
            json!([{ "system": LOINC, "code": LOINC_BODY_WEIGHT, "display": "Body weight" }]),
            "Body weight",
        );
        o["valueQuantity"] = qty(round1(w), unit, code);
        out.push(("weight", o));
    }
    if let Some(h) = v.height {
        let (unit, code) = match v.height_unit.unwrap_or(HeightUnit::Cm) {
            HeightUnit::Cm => ("cm", "cm"),
            HeightUnit::In => ("in", "[in_i]"),
        };
        let mut o = base(
            PROFILE_BODY_HEIGHT,
            json!([{ "system": LOINC, "code": LOINC_BODY_HEIGHT, "display": "Body height" }]),
            "Body height",
        );
        o["valueQuantity"] = qty(round1(h), unit, code);
        out.push(("height", o));
    }
    if let Some(s) = v.spo2_percent {
        let mut o = base(
            PROFILE_OXYGEN_SAT,
            json!([
                { "system": LOINC, "code": LOINC_SPO2_ARTERIAL, "display": "Oxygen saturation in Arterial blood" },
                { "system": LOINC, "code": LOINC_SPO2_PULSE_OX, "display": "Oxygen saturation in Arterial blood by Pulse oximetry" },
            ]),
            "Oxygen saturation",
        );
        o["valueQuantity"] = qty(f64::from(s), "%", "%");
        out.push(("spo2", o));
    }
    if let Some(r) = more.respiratory_rate {
        let mut o = base(
            PROFILE_RESP_RATE,
            json!([{ "system": LOINC, "code": LOINC_RESP_RATE, "display": "Respiratory rate" }]),
            "Respiratory rate",
        );
        o["valueQuantity"] = qty(f64::from(r), "breaths/minute", "/min");
        out.push(("resp", o));
    }
    if let Some(b) = more.bmi {
        let mut o = base(
            PROFILE_BMI,
            json!([{ "system": LOINC, "code": LOINC_BMI, "display": "Body mass index (BMI) [Ratio]" }]),
            "BMI",
        );
        o["valueQuantity"] = qty(round2(b), "kg/m2", "kg/m2");
        out.push(("bmi", o));
    }
    if let Some(h) = more.head_circumference_cm {
        let mut o = base(
            PROFILE_HEAD_CIRCUM,
            json!([{ "system": LOINC, "code": LOINC_HEAD_CIRCUM, "display": "Head Occipital-frontal circumference" }]),
            "Head circumference",
        );
        o["valueQuantity"] = qty(round1(h), "cm", "cm");
        out.push(("head", o));
    }
    out
}

/// An `f32` to two places, as BMI is given (27.36).
fn round2(x: f32) -> f64 {
    (f64::from(x) * 100.0).round() / 100.0
}

/// An `f32` as typed (72.5 stays 72.5, not 72.5000000001).
fn round1(x: f32) -> f64 {
    (f64::from(x) * 10.0).round() / 10.0
}

/// A note as one text with SOAP headings; [`super::import`] reads it back.
pub fn soap_text(s: &str, o: &str, a: &str, p: &str) -> String {
    format!("Subjective:\n{s}\n\nObjective:\n{o}\n\nAssessment:\n{a}\n\nPlan:\n{p}\n")
}

fn money(cents: i64) -> Value {
    json!({ "value": cents as f64 / 100.0, "currency": "USD" })
}

fn invoices(out: &mut Out, view: &PatientView) {
    let Some(status) = &view.invoice_status else {
        return;
    };
    for inv in &status.invoices {
        let lines = view
            .billing
            .as_ref()
            .and_then(|b| b.invoices.iter().find(|i| i.invoice_id == inv.invoice_id));
        let codes = view
            .coding
            .as_ref()
            .and_then(|c| c.invoices.iter().find(|i| i.invoice_id == inv.invoice_id));
        let count = lines
            .map_or(0, |l| l.lines.len())
            .max(codes.map_or(0, |c| c.lines.len()));
        let mut items = Vec::new();
        for n in 0..count {
            let amount = lines.and_then(|l| l.lines.get(n));
            let code = codes.and_then(|c| c.lines.get(n));
            let mut concept = json!({});
            if let Some(a) = amount {
                concept["text"] = json!(a.description);
            }
            if let Some(c) = code.filter(|c| !c.procedure_code.is_empty()) {
                concept["coding"] =
                    json!([{ "system": procedure_system(&c.procedure_code), "code": c.procedure_code }]);
            }
            if concept.as_object().is_some_and(Map::is_empty) {
                concept["text"] = json!("line");
            }
            let mut item = json!({ "sequence": n + 1, "chargeItemCodeableConcept": concept });
            if let Some(a) = amount {
                item["priceComponent"] = json!([{ "type": "base", "amount": money(a.amount_cents) }]);
            }
            if let Some(c) = code.filter(|c| !c.diagnosis_codes.is_empty()) {
                item["extension"] = c
                    .diagnosis_codes
                    .iter()
                    .map(|d| json!({ "url": EXT_LINE_DIAGNOSIS, "valueCoding": { "system": ICD10CM, "code": d } }))
                    .collect();
            }
            items.push(item);
        }
        let mut invoice = json!({
            "resourceType": "Invoice",
            "identifier": [{ "system": INVOICE_SYSTEM, "value": inv.number }],
            "status": if inv.status == "paid" { "balanced" } else { "issued" },
            "subject": out.patient_ref,
            "date": inv.created_at,
            "totalGross": money(inv.total_cents),
            "totalNet": money(inv.total_cents),
        });
        if !items.is_empty() {
            invoice["lineItem"] = Value::Array(items);
        }
        let inv_url = full_url(Kind::Invoice, inv.invoice_id);
        out.push(inv_url.clone(), invoice, format!("invoice-{}", inv.invoice_id));
        for pay in view
            .billing
            .iter()
            .flat_map(|b| &b.payments)
            .filter(|p| p.invoice_id == inv.invoice_id)
        {
            let rec = json!({
                "resourceType": "PaymentReconciliation",
                "status": "active",
                "created": pay.received_at,
                "paymentDate": pay.received_at.get(..10).unwrap_or_default(),
                "paymentAmount": money(pay.amount_cents),
                "disposition": pay.method,
                "detail": [{
                    "type": { "coding": [{ "system": PAYMENT_TYPE, "code": "payment" }] },
                    "request": { "reference": inv_url },
                    "date": pay.received_at.get(..10).unwrap_or_default(),
                    "amount": money(pay.amount_cents),
                }],
            });
            out.push(full_url(Kind::Payment, pay.id), rec, format!("payment-{}", pay.id));
        }
    }
}
