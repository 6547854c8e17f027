//! FHIR R4 export and import (164.524(c)(2)): the export goes through the one policy, is
//! valid R4, and re-imports into a fresh clinic with every count equal; a malformed bundle
//! leaves the database as it was.

use crate::records::full_patient;
use carekeep_app::fhir::import;
use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn kinds(bundle: &Value) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in bundle["entry"].as_array().unwrap() {
        *out.entry(e["resource"]["resourceType"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    out
}

/// Runs the R4 validator CI installs (fhir.resources, generated from the specification) when
/// CAREKEEP_FHIR_VALIDATOR names its Python; CI sets it, so there this cannot be skipped.
pub(crate) fn validate(bundle: &Value, name: &str) {
    let Some(python) = carekeep_testkit::external_service(
        "CAREKEEP_FHIR_VALIDATOR",
        "validating the FHIR export against the R4 specification needs a Python with \
         fhir.resources 6.4 (see .ci/run); the export's own checks still ran",
    ) else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fhir-export");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, serde_json::to_vec_pretty(bundle).unwrap()).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/validate-fhir.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("CAREKEEP_FHIR_VALIDATOR={python} cannot run: {e}"));
    assert!(
        out.status.success(),
        "{name} is not valid FHIR R4:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn more_chart(app: &TestApp, doc: &str, id: i64, note: i64) {
    for entry in [
        json!({"kind": "diagnosis", "code": "G44.209", "description": "Tension-type headache"}),
        json!({"kind": "medication", "name": "Ibuprofen", "dose": "400 mg", "frequency": "as needed"}),
        json!({"kind": "allergy", "substance": "Penicillin", "reaction": "Hives", "severity": "moderate"}),
        json!({"kind": "vitals", "temperature": 37.2, "temperature_unit": "c", "weight": 70.5, "weight_unit": "kg", "height": 170, "height_unit": "cm", "spo2_percent": 98}),
    ] {
        let res = app
            .api(Method::POST, &format!("/api/v1/patients/{id}/entries"), doc)
            .json(&entry)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    let res = app
        .api(Method::POST, &format!("/api/v1/notes/{note}/addenda"), doc)
        .json(&json!({"text": "Called back: better today."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn export_follows_the_policy_is_valid_r4_and_reimports_with_every_count_equal() {
    let app = TestApp::spawn().await;
    let (doc, desk, billing) = (
        app.api_login("provider").await,
        app.api_login("frontdesk").await,
        app.api_login("billing").await,
    );
    let (id, _, note, _, _) = full_patient(&app, &doc, &desk, &billing).await;
    more_chart(&app, &doc, id, note).await;

    // Through the API, each role gets the classes it may read and nothing else.
    let export = |token: String| {
        let app = &app;
        async move {
            let res = app
                .api(Method::GET, &format!("/api/v1/patients/{id}/fhir"), &token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-type"], "application/fhir+json");
            res.json::<Value>().await.unwrap()
        }
    };
    let by_doc = export(doc.clone()).await;
    let k = kinds(&by_doc);
    for t in [
        "Patient",
        "Appointment",
        "Encounter",
        "DocumentReference",
        "Observation",
        "Condition",
        "MedicationStatement",
        "AllergyIntolerance",
        "Media",
        "Invoice",
    ] {
        assert!(k.contains_key(t), "the provider's export lacks {t}: {k:?}");
    }
    // Blood pressure, pulse, temperature, weight, height, oxygen saturation, and each of
    // the two sets' vital-signs panel.
    assert_eq!(k["Observation"], 8);
    let text = by_doc.to_string();
    assert!(text.contains("http://hl7.org/fhir/StructureDefinition/bp") && text.contains("\"8480-6\""));
    let by_desk = export(desk.clone()).await;
    assert_eq!(
        kinds(&by_desk).keys().cloned().collect::<Vec<_>>(),
        ["Appointment", "Invoice", "Patient"],
        "front desk: identity, contact, appointments, invoice status"
    );
    assert!(!by_desk.to_string().contains("NOTE-MARKER"));
    assert!(!by_desk.to_string().contains("G44.209"));
    let by_billing = export(billing.clone()).await;
    let bt = by_billing.to_string();
    assert!(bt.contains("Office visit") && bt.contains("G44.209") && !bt.contains("NOTE-MARKER"));
    assert!(!kinds(&by_billing).contains_key("Encounter"));
    validate(&by_doc, "export-provider");

    // Each export is audited as one, naming the patient and the classes it held.
    let co = app.api_login("compliance").await;
    let events: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?action=phi.export&limit=10", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(events
        .iter()
        .all(|e| e["patients"].as_str() == Some(id.to_string().as_str())));

    // The clinic's own exit: the whole designated record set, with payments.
    let full = app.state.app.fhir_export_custodian(id).await.unwrap();
    let source = kinds(&full);
    assert_eq!(source, k, "a provider reads the whole chart, so exports the same kinds");
    assert_eq!(source["PaymentReconciliation"], 1);
    assert_eq!(source["DocumentReference"], 2, "the note and its addendum");
    validate(&full, "export-custodian");

    // Into a fresh clinic, then out again: every kind, every count.
    let other = TestApp::spawn().await;
    let owner = other.api_login("owner").await;
    let provider = other.user_id(&owner, "provider").await;
    let bytes = serde_json::to_vec(&full).unwrap();
    let plan = import::plan(&bytes, other.state.app.now(), other.state.app.clinic_today()).unwrap();
    let report = other
        .state
        .app
        .fhir_import(&carekeep_app::Actor::Cli, plan, provider, &[])
        .await
        .unwrap();
    // Nothing is lost but who wrote each record: the import files them under one account.
    let attribution = [
        "DocumentReference.author",
        "Observation.performer",
        "Condition.recorder",
        "MedicationStatement.informationSource",
        "AllergyIntolerance.recorder",
        "Encounter.participant",
        "Media.operator",
        "Invoice.identifier",
    ];
    let left: Vec<&String> = report
        .unmapped
        .keys()
        .filter(|k| !attribution.iter().any(|a| k.starts_with(a)))
        .collect();
    assert!(left.is_empty(), "{:?}", report.unmapped);
    assert_eq!(
        (
            report.patients,
            report.notes,
            report.addenda,
            report.vitals,
            report.payments
        ),
        (1, 1, 1, 2, 1)
    );
    let again = other
        .state
        .app
        .fhir_export_custodian(report.patient_ids[0])
        .await
        .unwrap();
    assert_eq!(kinds(&again), source);
    // And the content came across, readable through the policy in the new clinic.
    let doc2 = other.api_login("provider").await;
    let chart: Value = other
        .api(
            Method::GET,
            &format!("/api/v1/patients/{}", report.patient_ids[0]),
            &doc2,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(chart["identity"]["family_name"], "Quenby");
    assert_eq!(chart["identity"]["date_of_birth"], "1980-04-23");
    assert_eq!(chart["clinical"]["encounters"][0]["subjective"], "NOTE-MARKER headache");
    assert_eq!(
        chart["clinical"]["encounters"][0]["addenda"][0]["text"],
        "Called back: better today."
    );
    assert_eq!(
        chart["coding"]["invoices"][0]["lines"][0]["diagnosis_codes"][0],
        "G44.209"
    );
    assert_eq!(chart["clinical"]["attachments"][0]["pair"], "before");
    // The import is audited, as the command line, naming the new patient.
    let co2 = other.api_login("compliance").await;
    let events: Vec<Value> = other
        .api(Method::GET, "/api/v1/audit/events?action=phi.create&limit=5", &co2)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(events.iter().any(
        |e| e["patients"].as_str() == Some(report.patient_ids[0].to_string().as_str())
            && e["reason"] == "imported from a FHIR bundle"
    ));
}

/// How many PHI creations the audit trail holds (reading it adds only `audit.viewed`).
async fn head(app: &TestApp, co: &str) -> usize {
    let ev: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?action=phi.create&limit=500", co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ev.len()
}

pub(crate) async fn patient_count(app: &TestApp, token: &str) -> i64 {
    let page: Value = app
        .api(Method::GET, "/api/v1/patients?page=1", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_malformed_bundle_is_refused_and_leaves_the_database_unchanged() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let owner = app.api_login("owner").await;
    let provider = app.user_id(&owner, "provider").await;
    let before = patient_count(&app, &desk).await;
    let audit_before = head(&app, &co).await;
    // Two good patients, then an observation about a patient who is not there.
    let bad = json!({
        "resourceType": "Bundle", "type": "transaction",
        "entry": [
            { "fullUrl": "urn:uuid:a", "resource": { "resourceType": "Patient", "name": [{ "family": "One", "given": ["Pat"] }], "birthDate": "1990-01-01" } },
            { "fullUrl": "urn:uuid:b", "resource": { "resourceType": "Patient", "name": [{ "family": "Two", "given": ["Pat"] }], "birthDate": "1991-01-01" } },
            { "fullUrl": "urn:uuid:c", "resource": { "resourceType": "Condition", "code": { "text": "Asthma" }, "subject": { "reference": "urn:uuid:missing" } } }
        ]
    });
    let err = import::plan(
        bad.to_string().as_bytes(),
        app.state.app.now(),
        app.state.app.clinic_today(),
    )
    .unwrap_err();
    assert!(err.0.contains("entry 2 (Condition)"), "{err}");
    assert_eq!(patient_count(&app, &desk).await, before);
    assert_eq!(head(&app, &co).await, audit_before);

    // A plan the store refuses half-way (a provider id that does not exist) rolls back whole.
    let good = json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            { "fullUrl": "urn:uuid:a", "resource": { "resourceType": "Patient", "name": [{ "family": "One", "given": ["Pat"] }], "birthDate": "1990-01-01" } },
            { "fullUrl": "urn:uuid:c", "resource": { "resourceType": "Condition", "code": { "text": "Asthma" }, "subject": { "reference": "urn:uuid:a" } } }
        ]
    });
    let plan = import::plan(
        good.to_string().as_bytes(),
        app.state.app.now(),
        app.state.app.clinic_today(),
    )
    .unwrap();
    assert!(app
        .state
        .app
        .fhir_import(&carekeep_app::Actor::Cli, plan, 999_999, &[])
        .await
        .is_err());
    assert_eq!(patient_count(&app, &desk).await, before);
    assert_eq!(head(&app, &co).await, audit_before);
    // The same plan filed under a real provider goes in.
    let plan = import::plan(
        good.to_string().as_bytes(),
        app.state.app.now(),
        app.state.app.clinic_today(),
    )
    .unwrap();
    let report = app
        .state
        .app
        .fhir_import(&carekeep_app::Actor::Cli, plan, provider, &[])
        .await
        .unwrap();
    assert_eq!((report.patients, report.diagnoses), (1, 1));
    assert_eq!(patient_count(&app, &desk).await, before + 1);
}
