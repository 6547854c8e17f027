//! `carekeep import fhir` throughput, in FHIR resources per second, and its memory over a
//! 1,000-patient import: one Synthea-shaped transaction bundle per patient (encounters,
//! vital signs, labs, conditions, medication requests, allergies, procedures, immunizations,
//! claims), read, planned and written file by file as the command does, into the real
//! embedded clinic (SQLite, WAL, synchronous=FULL, every record encrypted, every patient
//! audited). Resident memory is read from /proc after each hundred files.

use carekeep_app::fhir::import;
use carekeep_testkit::TestApp;
use serde_json::{json, Value};
use std::time::Instant;

const PATIENTS: usize = 1_000;
const CHUNK: usize = 100;

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<f64>().ok()))
        .map_or(0.0, |pages| pages * 4096.0 / 1_048_576.0)
}

/// One patient as a synthetic-patient generator writes them.
fn bundle(n: usize) -> Value {
    let p = format!("urn:uuid:ffffffff-0000-4000-8000-{n:012}");
    let subject = json!({ "reference": p });
    let mut entries = vec![json!({ "fullUrl": p, "resource": {
        "resourceType": "Patient",
        "name": [{ "use": "official", "family": format!("Family{n}"), "given": [format!("Given{n}")] }],
        "gender": if n.is_multiple_of(2) { "female" } else { "male" },
        "birthDate": format!("{}-{:02}-{:02}", 1940 + n % 70, 1 + n % 12, 1 + n % 28),
        "telecom": [{ "system": "phone", "value": format!("555-{:03}-{:04}", n % 1000, n % 10_000) }],
        "address": [{ "line": [format!("{n} Main St")], "city": "Springfield", "state": "MA", "postalCode": "01101" }]
    }, "request": { "method": "POST", "url": "Patient" } })];
    let mut push = |i: usize, r: Value| {
        entries.push(json!({ "fullUrl": format!("urn:uuid:{n:08}-0000-4000-8000-{i:012}"), "resource": r }));
    };
    let mut i = 0;
    for visit in 0..10 {
        let day = format!("20{:02}-{:02}-15T09:00:00-05:00", 10 + visit, 1 + visit % 12);
        i += 1;
        let enc = format!("urn:uuid:{n:08}-0000-4000-8000-{i:012}");
        push(
            i,
            json!({ "resourceType": "Encounter", "status": "finished", "class": { "code": "AMB" },
            "type": [{ "text": "General examination of patient (procedure)" }], "subject": subject,
            "period": { "start": day, "end": day } }),
        );
        let vitals = [
            json!({ "code": { "coding": [{ "system": "http://loinc.org", "code": "85354-9" }] }, "component": [
                { "code": { "coding": [{ "system": "http://loinc.org", "code": "8480-6" }] }, "valueQuantity": { "value": 110 + visit, "code": "mm[Hg]" } },
                { "code": { "coding": [{ "system": "http://loinc.org", "code": "8462-4" }] }, "valueQuantity": { "value": 70 + visit, "code": "mm[Hg]" } }] }),
            json!({ "code": { "coding": [{ "system": "http://loinc.org", "code": "8867-4" }] }, "valueQuantity": { "value": 60 + visit, "code": "/min" } }),
            json!({ "code": { "coding": [{ "system": "http://loinc.org", "code": "29463-7" }] }, "valueQuantity": { "value": 70.5, "code": "kg" } }),
            json!({ "code": { "coding": [{ "system": "http://loinc.org", "code": "2093-3", "display": "Cholesterol" }] }, "valueQuantity": { "value": 190, "code": "mg/dL" } }),
        ];
        for mut v in vitals {
            i += 1;
            v["resourceType"] = json!("Observation");
            v["status"] = json!("final");
            v["subject"] = subject.clone();
            v["encounter"] = json!({ "reference": enc });
            v["effectiveDateTime"] = json!(day);
            push(i, v);
        }
        i += 1;
        push(
            i,
            json!({ "resourceType": "Procedure", "status": "completed", "code": { "text": "Medication reconciliation" },
            "subject": subject, "encounter": { "reference": enc }, "performedDateTime": day }),
        );
        i += 1;
        push(
            i,
            json!({ "resourceType": "Immunization", "status": "completed", "patient": subject, "occurrenceDateTime": day }),
        );
        i += 1;
        push(
            i,
            json!({ "resourceType": "Claim", "status": "active", "patient": subject, "created": day,
            "item": [{ "sequence": 1, "productOrService": { "text": "General examination" } }],
            "total": { "value": 129.16, "currency": "USD" } }),
        );
    }
    for (c, name) in ["Hypertension", "Prediabetes", "Seasonal allergic rhinitis"]
        .iter()
        .enumerate()
    {
        i += 1;
        push(
            i,
            json!({ "resourceType": "Condition", "code": { "text": name }, "subject": subject, "onsetDateTime": format!("201{c}-03-01") }),
        );
        i += 1;
        push(
            i,
            json!({ "resourceType": "MedicationRequest", "status": "active", "intent": "order", "subject": subject,
            "medicationCodeableConcept": { "text": format!("Medication {c}") }, "authoredOn": format!("201{c}-03-01"),
            "dosageInstruction": [{ "text": "once daily" }] }),
        );
    }
    i += 1;
    push(
        i,
        json!({ "resourceType": "AllergyIntolerance", "code": { "text": "Peanut" }, "patient": subject,
        "reaction": [{ "manifestation": [{ "text": "Hives" }], "severity": "mild" }] }),
    );
    json!({ "resourceType": "Bundle", "type": "transaction", "entry": entries })
}

pub async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<_> = (0..PATIENTS)
        .map(|n| {
            let path = dir.path().join(format!("patient-{n}.json"));
            std::fs::write(&path, serde_json::to_vec(&bundle(n)).unwrap()).unwrap();
            path
        })
        .collect();
    let bytes: u64 = files.iter().map(|f| std::fs::metadata(f).unwrap().len()).sum();
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let provider = app.user_id(&owner, "provider").await;
    let mut rates = Vec::new();
    let mut rss = vec![rss_mib()];
    let mut total = carekeep_app::fhir::ImportReport::default();
    let started = Instant::now();
    for chunk in files.chunks(CHUNK) {
        let t = Instant::now();
        let mut resources = 0;
        for path in chunk {
            let raw = std::fs::read(path).unwrap();
            let plan = import::plan(&raw, app.state.app.now(), app.state.app.clinic_today()).unwrap();
            let report = app
                .state
                .app
                .fhir_import(&carekeep_app::Actor::Cli, plan, provider, &[])
                .await
                .unwrap();
            resources += report.resources;
            total.add(report);
        }
        rates.push(resources as f64 / t.elapsed().as_secs_f64());
        rss.push(rss_mib());
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "fhir-import: {} patients, {} resources ({:.1} MiB of JSON) in {secs:.1} s; median {:.0} resources/s over {} chunks of {CHUNK} files (min {:.0}, max {:.0})",
        total.patients,
        total.resources,
        bytes as f64 / 1_048_576.0,
        crate::median(rates.clone()),
        rates.len(),
        rates.iter().cloned().fold(f64::INFINITY, f64::min),
        rates.iter().cloned().fold(0.0, f64::max),
    );
    println!(
        "  written: {} notes, {} vital-sign sets, {} diagnoses, {} medications, {} allergies, {} invoices; {} resources counted as unmapped",
        total.notes,
        total.vitals,
        total.diagnoses,
        total.medications,
        total.allergies,
        total.invoices,
        total.unmapped_total()
    );
    println!(
        "  resident memory (MiB) before and after each {CHUNK} files: {}",
        rss.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(" ")
    );
    println!(
        "  memory after {} files / after {CHUNK}: {:.2}x (flat is 1.0x)",
        PATIENTS,
        rss.last().unwrap() / rss[1]
    );
}

/// Peak resident memory (VmHWM) in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Starts a new peak (Linux: writing 5 to clear_refs resets VmHWM to the current RSS).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `fhir-large`: memory to plan one large bundle (the issue's 50 MB file), as a multiple of
/// its size: peak resident memory while planning, above what the process held before the
/// file was read. Written entry by entry, so making it holds no tree of it.
pub async fn large(target_mib: usize) {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.json");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(br#"{"resourceType":"Bundle","type":"collection","entry":["#)
        .unwrap();
    let mut written = 0;
    let mut n = 0;
    while written < target_mib * 1_048_576 {
        for e in bundle(n)["entry"].as_array().unwrap() {
            let bytes = serde_json::to_vec(e).unwrap();
            if written > 0 {
                f.write_all(b",").unwrap();
            }
            f.write_all(&bytes).unwrap();
            written += bytes.len() + 1;
        }
        n += 1;
    }
    f.write_all(b"]}").unwrap();
    f.flush().unwrap();
    drop(f);
    let size = std::fs::metadata(&path).unwrap().len() as f64 / 1_048_576.0;
    let app = TestApp::spawn().await;
    for (label, tree) in [("a parsed tree (the old reader)", true), ("import::plan", false)] {
        let before = rss_mib();
        reset_peak();
        let raw = std::fs::read(&path).unwrap();
        let t = Instant::now();
        let entries = if tree {
            let v: Value = serde_json::from_slice(&raw).unwrap();
            v["entry"].as_array().map_or(0, Vec::len)
        } else {
            let plan = import::plan(&raw, app.state.app.now(), app.state.app.clinic_today()).unwrap();
            plan.resources
        };
        let peak = peak_mib() - before;
        println!(
            "fhir-large: {label}: {size:.1} MiB file, {n} patients, {entries} entries: peak {peak:.0} MiB above the start = {:.2}x the file ({:.1} s)",
            peak / size,
            t.elapsed().as_secs_f64()
        );
    }
}
