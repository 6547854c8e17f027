//! Every CSV export neutralises spreadsheet formulas (OWASP CSV injection), with the
//! formula-shaped text written by the lowest-privileged role that can write it.

use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/\",\"click\")";

async fn send(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let res = app.api(method, path, token).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Every cell of a CSV document, parsed as a spreadsheet would read the file.
fn cells(csv_text: &[u8]) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text);
    r.records()
        .flat_map(|rec| rec.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// No cell may start a formula; a number may keep its sign.
fn assert_inert(name: &str, csv_text: &[u8]) {
    for cell in cells(csv_text) {
        let number = cell.trim_start_matches(['-', '+']).parse::<f64>().is_ok() && cell.len() > 1;
        assert!(
            number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{name}: a spreadsheet would run {cell:?}"
        );
    }
}

#[tokio::test]
async fn the_breach_log_neutralises_a_title_from_the_front_desk() {
    let app = TestApp::spawn().await;
    // Anyone on staff reports an incident: the front desk is the least privileged.
    let desk = app.api_login("frontdesk").await;
    let (status, body) = send(
        &app,
        &desk,
        Method::POST,
        "/api/v1/incidents",
        json!({"title": FORMULA, "what_happened": "@SUM(1+1)*cmd|' /C calc'!A0", "systems": "-2+3+cmd|' /C calc'!A0"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let co = app.api_login("compliance").await;
    let (status, body) = send(
        &app,
        &co,
        Method::PUT,
        &format!("/api/v1/incidents/{id}"),
        json!({
            "phi_involved": true, "safeguard": "none", "discovered_on": "2026-02-27",
            "discovered_by": "+Frank", "affected": 3, "by_state": "TX=3", "status": "open",
            "steps_for_individuals": "Watch for anything unexpected.",
            "what_we_are_doing": "Retrained staff.", "contact_for_questions": "Call 1-800-555-0100."
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let res = app
        .api(Method::GET, "/api/v1/breach-log/2026", &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert_inert("breach log", &bytes);
    let all = cells(&bytes);
    assert!(
        all.contains(&format!("'{FORMULA}")),
        "the title is kept, as text: {all:?}"
    );
    assert!(all.contains(&"'-2+3+cmd|' /C calc'!A0".to_owned()), "{all:?}");
    assert!(all.contains(&"3".to_owned()), "counts stay numbers: {all:?}");
    // The page's download is the same export.
    let mut page = carekeep_testkit::PageClient::login(&app, "compliance").await;
    let (status, body) = page.get("/incidents/log/2026.csv").await;
    assert_eq!(status, 200);
    assert_inert("breach log page", body.as_bytes());
    app.stop().await;
}

#[tokio::test]
async fn the_audit_csv_neutralises_what_an_anonymous_client_sent() {
    let app = TestApp::spawn().await;
    // Anyone at all names their browser: a failed sign-in records it.
    let res = reqwest::Client::builder()
        .user_agent(FORMULA)
        .build()
        .unwrap()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "nobody-here", "password": "whatever password", "totp": "123456"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let co = app.api_login("compliance").await;
    let res = app
        .api(Method::GET, "/api/v1/audit/export?format=csv&action=login.failed", &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert_inert("audit", &bytes);
    assert!(cells(&bytes).contains(&format!("'{FORMULA}")));
    app.stop().await;
}

#[tokio::test]
async fn every_csv_of_the_audit_binder_is_neutralised() {
    let app = TestApp::spawn().await;
    // The program's lists are written by the compliance officer (or the owner).
    let co = app.api_login("compliance").await;
    let (status, body) = send(
        &app,
        &co,
        Method::POST,
        "/api/v1/vendors",
        json!({"name": FORMULA, "service": "+cmd|' /C calc'!A0", "contact": "@evil", "maintains_phi": true}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = send(
        &app,
        &co,
        Method::POST,
        "/api/v1/workforce",
        json!({"name": "=1+2", "job_title": "-1+cmd|' /C calc'!A0", "username": "frontdesk", "hired_on": "2026-02-20"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let person = body["id"].as_i64().unwrap();
    let (status, body) = send(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/workforce/{person}/training"),
        json!({"title": "=1+1", "completed_on": "2026-03-01"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = send(
        &app,
        &co,
        Method::PUT,
        "/api/v1/policies/sanctions",
        json!({"title": "@Sanctions", "body": "Consequences fit what happened.", "effective_on": "2026-03-01"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(&app, &co, Method::POST, "/api/v1/sra", json!({})).await;
    assert_eq!(status, 201, "{body}");
    let sra = body["id"].as_i64().unwrap();
    let (status, body) = send(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/sra/{sra}/risks"),
        json!({"threat": "phishing", "treatment": "mitigate", "justification": "=2*3"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let res = app
        .api(Method::GET, "/api/v1/program/binder", &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut seen = Vec::new();
    let mut everything = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().to_owned();
        if !name.ends_with(".csv") {
            continue;
        }
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut out).unwrap();
        assert_inert(&name, &out);
        everything.extend(cells(&out));
        seen.push(name);
    }
    for want in [
        "risk-register.csv",
        "checklist.csv",
        "vendors.csv",
        "training.csv",
        "policy_acknowledgements.csv",
    ] {
        assert!(seen.iter().any(|n| n.ends_with(want)), "{want} in {seen:?}");
    }
    for planted in [FORMULA, "+cmd|' /C calc'!A0", "@evil", "=1+2", "=1+1"] {
        assert!(
            everything.contains(&format!("'{planted}")),
            "{planted:?} is kept as text: {everything:?}"
        );
    }
    app.stop().await;
}
