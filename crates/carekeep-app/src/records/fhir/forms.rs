//! Signed forms in the copy of the record (issue 28, item 6): each signed form as a FHIR R4
//! `QuestionnaireResponse` (every shown answer, by the field's id and question), and each
//! consent or authorization also as a `Consent` whose source is that response. The signature's
//! evidence stays in the sealed record and the form's PDF; the response says who signed
//! (`source`) and when (`authored`).

use crate::forms::SignedForm;
use carekeep_domain::forms::review::CLINICAL_USE;
use carekeep_domain::forms::{is_shown, Answer, FieldKind, FormKind};
use serde_json::{json, Value};

const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const CONSENT_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/consentcategorycodes";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

/// `(fullUrl, resource, id)` for each signed form: its response, and a consent when it is one.
/// `urls` makes a resource's full URL: `(false, id)` the response's, `(true, id)` the consent's
/// (the bundle's own scheme, passed in so this file does not reach back into the export).
pub(crate) fn entries(
    forms: &[SignedForm],
    patient_ref: &Value,
    urls: &dyn Fn(bool, i64) -> String,
) -> Vec<(String, Value, String)> {
    let mut out = Vec::new();
    for f in forms {
        let url = urls(false, f.id);
        let signer = f.evidence.as_ref().map(|e| e.signer.words());
        let mut qr = json!({
            "resourceType": "QuestionnaireResponse",
            "identifier": { "system": "urn:carekeep:form-response", "value": f.id.to_string() },
            "status": "completed",
            "subject": patient_ref,
            "authored": f.submitted_at,
            "item": items(f),
        });
        if let Some(s) = &signer {
            set(
                &mut qr,
                "source",
                json!({ "reference": patient_ref.get("reference"), "display": s }),
            );
        }
        let div = format!(
            "<div xmlns=\"http://www.w3.org/1999/xhtml\">{} (version {})</div>",
            escape(&f.title),
            f.version
        );
        set(&mut qr, "text", json!({ "status": "generated", "div": div }));
        out.push((url.clone(), qr, format!("form-{}", f.id)));
        if let Some((scope, category, permit)) = consent_of(f) {
            let consent = json!({
                "resourceType": "Consent",
                "status": "active",
                "scope": { "coding": [{ "system": CONSENT_SCOPE, "code": scope }] },
                "category": [{
                    "coding": [{ "system": CONSENT_CATEGORY, "code": category }],
                    "text": f.title,
                }],
                "patient": patient_ref,
                "dateTime": f.submitted_at,
                "sourceReference": { "reference": url },
                "policyRule": { "coding": [{ "system": ACT_CODE, "code": if permit { "OPTIN" } else { "OPTOUT" } }] },
                "provision": { "type": if permit { "permit" } else { "deny" } },
            });
            out.push((urls(true, f.id), consent, format!("consent-{}", f.id)));
        }
    }
    out
}

/// A consent's scope, category and whether it permits: treatment consents (the photography
/// consent permits clinical photographs only if the patient said yes), the authorization
/// (164.508) as a privacy consent; other forms are not consents.
fn consent_of(f: &SignedForm) -> Option<(&'static str, &'static str, bool)> {
    match f.template.kind {
        FormKind::ConsentToTreat | FormKind::TreatmentConsent => Some(("treatment", "treat", true)),
        FormKind::PhotoConsent => {
            let yes = matches!(f.answers.get(CLINICAL_USE), Some(Answer::YesNo { yes: true, .. }));
            Some(("treatment", "treat", yes))
        }
        FormKind::Authorization => Some(("patient-privacy", "hipaa-auth", true)),
        _ => None,
    }
}

/// Sets one member of a JSON object (a no-op on anything else, which never happens here).
fn set(v: &mut Value, key: &str, x: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_owned(), x);
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A non-empty string or nothing (FHIR strings may not be empty).
fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn items(f: &SignedForm) -> Vec<Value> {
    let t = &f.template;
    let mut out = Vec::new();
    for field in t.fields().filter(|x| is_shown(t, x, &f.answers)) {
        if matches!(field.kind, FieldKind::Signature) {
            continue;
        }
        let Some(a) = f.answers.get(&field.id) else { continue };
        let label = text(&field.label).unwrap_or_else(|| field.id.clone());
        let mut item = json!({ "linkId": field.id, "text": label });
        match a {
            Answer::Text(s) => {
                let Some(s) = text(s) else { continue };
                let is_date = matches!(field.kind, FieldKind::Date) && time::Date::parse(&s, DATE).is_ok();
                let answer = if is_date {
                    json!([{ "valueDate": s }])
                } else {
                    json!([{ "valueString": s }])
                };
                set(&mut item, "answer", answer);
            }
            Answer::Many(v) => {
                let answers: Vec<Value> = v
                    .iter()
                    .filter_map(|s| text(s))
                    .map(|s| json!({ "valueString": s }))
                    .collect();
                if answers.is_empty() {
                    continue;
                }
                set(&mut item, "answer", Value::Array(answers));
            }
            Answer::YesNo { yes, detail } => {
                let mut answer = json!({ "valueBoolean": yes });
                if let (true, Some(d)) = (*yes, text(detail)) {
                    set(
                        &mut answer,
                        "item",
                        json!([{
                            "linkId": format!("{}.detail", field.id),
                            "answer": [{ "valueString": d }],
                        }]),
                    );
                }
                set(&mut item, "answer", json!([answer]));
            }
            Answer::Medications(list) => {
                let rows: Vec<Value> = list
                    .iter()
                    .enumerate()
                    .filter_map(|(i, m)| {
                        let words = [m.name.as_str(), &m.dose, &m.how_often]
                            .iter()
                            .filter_map(|s| text(s))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let words = text(&words)?;
                        Some(json!({ "linkId": format!("{}.{i}", field.id), "answer": [{ "valueString": words }] }))
                    })
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                set(&mut item, "item", Value::Array(rows));
            }
            Answer::Allergies(list) => {
                let rows: Vec<Value> = list
                    .iter()
                    .enumerate()
                    .filter_map(|(i, x)| {
                        let words = match text(&x.reaction) {
                            Some(r) => format!("{} ({r})", x.substance.trim()),
                            None => text(&x.substance)?,
                        };
                        Some(json!({ "linkId": format!("{}.{i}", field.id), "answer": [{ "valueString": words }] }))
                    })
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                set(&mut item, "item", Value::Array(rows));
            }
        }
        out.push(item);
    }
    out
}

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A signed form for the record's PDF: a heading line (title, version, who signed, when) and
/// each shown question with its answer (dates become US dates where the PDF draws them).
pub(crate) fn pdf_lines(f: &SignedForm) -> (String, Vec<String>) {
    let signer = f
        .evidence
        .as_ref()
        .map(|e| format!(", signed by {}", e.signer.words()))
        .unwrap_or_default();
    let head = format!("{} (version {}){signer}, {}", f.title, f.version, f.submitted_at);
    let lines = items(f)
        .iter()
        .map(|item| {
            let label = item.get("text").and_then(Value::as_str).unwrap_or_default();
            let mut words: Vec<String> = Vec::new();
            for a in item.get("answer").and_then(Value::as_array).into_iter().flatten() {
                words.push(answer_words(a));
            }
            for row in item.get("item").and_then(Value::as_array).into_iter().flatten() {
                for a in row.get("answer").and_then(Value::as_array).into_iter().flatten() {
                    words.push(answer_words(a));
                }
            }
            format!("{label}: {}", words.join("; "))
        })
        .collect();
    (head, lines)
}

fn answer_words(a: &Value) -> String {
    let main = match (
        a.get("valueBoolean"),
        a.get("valueString").or_else(|| a.get("valueDate")),
    ) {
        (Some(Value::Bool(b)), _) => if *b { "Yes" } else { "No" }.to_owned(),
        (_, Some(Value::String(s))) => s.clone(),
        _ => String::new(),
    };
    let detail: Vec<String> = a
        .get("item")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|i| i.get("answer").and_then(Value::as_array).cloned().unwrap_or_default())
        .map(|x| answer_words(&x))
        .collect();
    if detail.is_empty() {
        main
    } else {
        format!("{main}: {}", detail.join("; "))
    }
}
