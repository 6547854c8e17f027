//! Every route that reads or changes PHI, in the API and the pages, leaves its audit event
//! (164.312(b)). The routes are walked from the router itself: the OpenAPI document for the
//! API and the page router's source for the pages, so a new PHI route without a case here, or
//! without an event, fails this test. And a PHI action whose event cannot be written fails
//! and leaves nothing behind.

use crate::records::{full_patient, PNG};
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Tags of the API's PHI operations.
const PHI_TAGS: [&str; 4] = ["patients", "schedule", "chart", "billing"];
/// Page routes under these prefixes hold PHI.
const PHI_PAGES: [&str; 6] = [
    "/patients",
    "/appointments",
    "/notes",
    "/invoices",
    "/schedule",
    "/billing",
];
/// Page routes under those prefixes that show no PHI at all.
const NOT_PHI: [&str; 1] = ["GET /patients/new"];

/// The newest audit sequence number.
async fn head(app: &TestApp, co: &str) -> i64 {
    let ev: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?limit=1", co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ev[0]["seq"].as_i64().unwrap()
}

/// The PHI events after `after`.
async fn phi_events_after(app: &TestApp, co: &str, after: i64) -> Vec<Value> {
    let ev: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?limit=50", co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ev.into_iter()
        .filter(|e| e["seq"].as_i64().unwrap() > after && e["action"].as_str().unwrap().starts_with("phi."))
        .collect()
}

/// A page route, who calls it, the concrete path, and the form fields.
type PageCase<'a> = (&'a str, &'a str, String, Vec<(&'a str, &'a str)>);

fn mentions(e: &Value, patient: i64) -> bool {
    e["patients"]
        .as_str()
        .unwrap()
        .split(',')
        .any(|p| p == patient.to_string())
}

fn page_routes() -> BTreeSet<String> {
    let src = include_str!("../../../carekeep-server/src/web/mod.rs");
    let mut out = BTreeSet::new();
    for line in src.lines().map(str::trim).filter(|l| l.starts_with(".route(\"")) {
        let path = line.split('"').nth(1).unwrap();
        if !PHI_PAGES.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        for (needle, method) in [("get(", "GET"), ("post(", "POST")] {
            if line.contains(needle) {
                out.insert(format!("{method} {path}"));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_phi_route_in_the_api_and_the_pages_writes_its_event() {
    let app = TestApp::spawn().await;
    let (doc, desk, billing) = (
        app.api_login("provider").await,
        app.api_login("frontdesk").await,
        app.api_login("billing").await,
    );
    let (id, appt, note, inv, att) = full_patient(&app, &doc, &desk, &billing).await;
    let co = app.api_login("compliance").await;
    let owner = app.api_login("owner").await;
    let doc_id = app.user_id(&owner, "provider").await;
    let nurse_id = app.user_id(&owner, "nurse").await;
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD.encode(PNG);

    // The API, as the OpenAPI document lists it.
    let spec: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut listed = BTreeSet::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if tags.iter().any(|t| PHI_TAGS.contains(t)) {
                listed.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    // One real call per operation: (operation, method, concrete path, body, patient named).
    let api_cases: Vec<(&str, Method, String, Option<Value>)> = vec![
        (
            "GET /api/v1/patients",
            Method::GET,
            "/api/v1/patients?q=quenby".into(),
            None,
        ),
        (
            "POST /api/v1/patients",
            Method::POST,
            "/api/v1/patients".into(),
            Some(
                json!({"given_name": "Ada", "family_name": "Quenby", "date_of_birth": "1999-01-01", "sex": "female", "contact": {"phone": "5550001234"}}),
            ),
        ),
        (
            "GET /api/v1/patients/{id}",
            Method::GET,
            format!("/api/v1/patients/{id}"),
            None,
        ),
        (
            "GET /api/v1/patients/{id}/fhir",
            Method::GET,
            format!("/api/v1/patients/{id}/fhir"),
            None,
        ),
        (
            "PUT /api/v1/patients/{id}/identity",
            Method::PUT,
            format!("/api/v1/patients/{id}/identity"),
            Some(
                json!({"given_name": "Alma", "family_name": "Quenby", "date_of_birth": "1980-04-23", "sex": "female"}),
            ),
        ),
        (
            "PUT /api/v1/patients/{id}/contact",
            Method::PUT,
            format!("/api/v1/patients/{id}/contact"),
            Some(json!({"phone": "5552013344"})),
        ),
        (
            "PUT /api/v1/patients/{id}/restriction",
            Method::PUT,
            format!("/api/v1/patients/{id}/restriction"),
            Some(json!({"restricted": true, "providers": [doc_id]})),
        ),
        (
            "POST /api/v1/patients/{id}/npp-acknowledgement",
            Method::POST,
            format!("/api/v1/patients/{id}/npp-acknowledgement"),
            Some(json!({"signed": true})),
        ),
        (
            "POST /api/v1/patients/{id}/break-glass",
            Method::POST,
            format!("/api/v1/patients/{id}/break-glass"),
            Some(json!({"reason": "urgent call from the hospital"})),
        ),
        (
            "POST /api/v1/patients/{id}/appointments",
            Method::POST,
            format!("/api/v1/patients/{id}/appointments"),
            Some(json!({"provider_id": doc_id, "service": "Check", "start": "2026-03-02T11:00:00Z", "minutes": 15})),
        ),
        (
            "POST /api/v1/appointments/{id}/status",
            Method::POST,
            format!("/api/v1/appointments/{appt}/status"),
            Some(json!({"status": "checked_in"})),
        ),
        (
            "GET /api/v1/schedule",
            Method::GET,
            "/api/v1/schedule?date=2026-03-02".into(),
            None,
        ),
        (
            "POST /api/v1/patients/{id}/notes",
            Method::POST,
            format!("/api/v1/patients/{id}/notes"),
            Some(json!({"subjective": "x"})),
        ),
        (
            "PUT /api/v1/notes/{id}",
            Method::PUT,
            String::new(),
            Some(json!({"subjective": "y"})),
        ),
        ("POST /api/v1/notes/{id}/sign", Method::POST, String::new(), None),
        (
            "POST /api/v1/notes/{id}/addenda",
            Method::POST,
            format!("/api/v1/notes/{note}/addenda"),
            Some(json!({"text": "later"})),
        ),
        (
            "POST /api/v1/patients/{id}/entries",
            Method::POST,
            format!("/api/v1/patients/{id}/entries"),
            Some(json!({"kind": "medication", "name": "Ibuprofen"})),
        ),
        (
            "POST /api/v1/patients/{id}/attachments",
            Method::POST,
            format!("/api/v1/patients/{id}/attachments"),
            Some(json!({"content_base64": png})),
        ),
        (
            "GET /api/v1/patients/{id}/attachments/{attachment}",
            Method::GET,
            format!("/api/v1/patients/{id}/attachments/{att}"),
            None,
        ),
        (
            "POST /api/v1/patients/{id}/invoices",
            Method::POST,
            format!("/api/v1/patients/{id}/invoices"),
            Some(json!({"lines": [{"description": "Supplies", "amount_cents": 900}]})),
        ),
        (
            "PUT /api/v1/invoices/{id}/codes",
            Method::PUT,
            format!("/api/v1/invoices/{inv}/codes"),
            Some(json!({"lines": [{"procedure_code": "99213", "diagnosis_codes": ["R51.9"]}]})),
        ),
        (
            "POST /api/v1/invoices/{id}/payments",
            Method::POST,
            format!("/api/v1/invoices/{inv}/payments"),
            Some(json!({"amount_cents": 100, "method": "cash"})),
        ),
        ("GET /api/v1/invoices", Method::GET, "/api/v1/invoices".into(), None),
    ];
    let covered: BTreeSet<String> = api_cases.iter().map(|c| c.0.to_string()).collect();
    assert_eq!(
        covered, listed,
        "every PHI operation in the OpenAPI document has a case here"
    );
    // The acknowledgement case needs a published notice.
    let npp: Value = app
        .api(Method::GET, "/api/v1/npp", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = app
        .api(Method::PUT, "/api/v1/npp", &owner)
        .json(&json!({"body": npp["body"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut draft = 0;
    for (op, method, path, body) in api_cases {
        // The restriction and break glass need their actors; notes need a fresh draft.
        let token = match op {
            o if o.contains("restriction") => &owner,
            o if o.contains("break-glass") => &app.api_login("nurse").await,
            o if o.contains("appointments")
                || o.contains("/identity")
                || o.contains("npp-acknowledgement")
                || o.contains("/contact")
                || op == "POST /api/v1/patients" =>
            {
                &desk
            }
            o if o.contains("invoices") && !o.contains("codes") => &billing,
            _ => &doc,
        };
        let path = if path.is_empty() {
            format!(
                "/api/v1/notes/{draft}{}",
                if op.ends_with("sign") { "/sign" } else { "" }
            )
        } else {
            path
        };
        let before = head(&app, &co).await;
        let mut req = app.api(method, &path, token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert!(status.is_success(), "{op}: {status} {text}");
        if op == "POST /api/v1/patients/{id}/notes" {
            draft = serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap();
        }
        let events = phi_events_after(&app, &co, before).await;
        let named = op == "POST /api/v1/patients" || events.iter().any(|e| mentions(e, id));
        assert!(
            !events.is_empty() && named,
            "{op} wrote no PHI event naming the patient: {events:?}"
        );
        if op.contains("break-glass") {
            // Lift the restriction so later cases read the chart normally.
            let res = app
                .api(Method::PUT, &format!("/api/v1/patients/{id}/restriction"), &owner)
                .json(&json!({"restricted": false, "providers": [nurse_id]}))
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success());
        }
    }

    // A published notice, so its acknowledgement can be recorded from the chart.
    let owner_p = app.principal(&owner).await;
    let npp = carekeep_domain::program::npp::template("Test Clinic", "the privacy officer", "555-0100", "2026-03-02");
    app.state
        .app
        .publish_npp(&carekeep_app::Actor::User(owner_p), &npp, "")
        .await
        .unwrap();

    // The pages, as the page router lists them.
    let routes = page_routes();
    let pid = id.to_string();
    let doc_s = doc_id.to_string();
    let mut c_doc = PageClient::login(&app, "provider").await;
    let mut c_desk = PageClient::login(&app, "frontdesk").await;
    let mut c_bill = PageClient::login(&app, "billing").await;
    let mut c_owner = PageClient::login(&app, "owner").await;
    // Restricting twice ends unrestricted; break glass needs a restriction, so it comes between.
    let page_cases: Vec<PageCase> = vec![
        ("GET /patients", "desk", "/patients".into(), vec![]),
        ("GET /patients", "desk", "/patients?q=quenby".into(), vec![]),
        ("GET /patients/search", "desk", "/patients/search?q=quen".into(), vec![]),
        (
            "POST /patients",
            "desk",
            "/patients".into(),
            vec![
                ("given_name", "Bea"),
                ("family_name", "Quenby"),
                ("date_of_birth", "2000-02-02"),
                ("sex", "female"),
                ("phone", "5550002222"),
            ],
        ),
        ("GET /patients/{id}", "doc", format!("/patients/{id}"), vec![]),
        (
            "POST /patients/{id}/identity",
            "desk",
            format!("/patients/{id}/identity"),
            vec![
                ("given_name", "Alma"),
                ("family_name", "Quenby"),
                ("date_of_birth", "1980-04-23"),
                ("sex", "female"),
            ],
        ),
        (
            "POST /patients/{id}/contact",
            "desk",
            format!("/patients/{id}/contact"),
            vec![("phone", "5552013344")],
        ),
        (
            "POST /patients/{id}/restriction",
            "owner",
            format!("/patients/{id}/restriction"),
            vec![("restricted", "yes"), ("provider", &doc_s)],
        ),
        (
            // Not the nurse: her emergency access from the API case is still open, and breaking
            // glass again while it is live is refused.
            "POST /patients/{id}/break-glass",
            "drowner",
            format!("/patients/{id}/break-glass"),
            vec![("kind", "other"), ("reason", "call from the emergency room")],
        ),
        (
            "POST /patients/{id}/restriction",
            "owner",
            format!("/patients/{id}/restriction"),
            vec![],
        ),
        (
            "POST /patients/{id}/npp",
            "desk",
            format!("/patients/{id}/npp"),
            vec![("kind", "good_faith"), ("reason", "patient left before signing")],
        ),
        (
            "POST /patients/{id}/appointments",
            "desk",
            format!("/patients/{id}/appointments"),
            vec![
                ("provider_id", &doc_s),
                ("service", "Check"),
                ("date", "2026-03-02"),
                ("time", "12:00"),
                ("minutes", "15"),
            ],
        ),
        (
            "POST /appointments/{id}/status",
            "desk",
            format!("/appointments/{appt}/status"),
            vec![("status", "completed"), ("back", "patient")],
        ),
        ("GET /schedule", "desk", "/schedule?date=2026-03-02".into(), vec![]),
        (
            "POST /patients/{id}/notes",
            "doc",
            format!("/patients/{id}/notes"),
            vec![("subjective", "page note"), ("then", "save")],
        ),
        (
            "POST /notes/{id}",
            "doc",
            String::new(),
            vec![("subjective", "page note, edited"), ("then", "sign"), ("patient", &pid)],
        ),
        (
            "POST /notes/{id}/addenda",
            "doc",
            format!("/notes/{note}/addenda"),
            vec![("text", "page addendum"), ("patient", &pid)],
        ),
        (
            "POST /patients/{id}/vitals",
            "doc",
            format!("/patients/{id}/vitals"),
            vec![("pulse", "66")],
        ),
        (
            "POST /patients/{id}/{kind}",
            "doc",
            format!("/patients/{id}/allergies"),
            vec![("substance", "Latex")],
        ),
        ("POST /patients/{id}/attachments", "doc", String::new(), vec![]),
        (
            "GET /patients/{id}/attachments/{attachment}",
            "doc",
            format!("/patients/{id}/attachments/{att}"),
            vec![],
        ),
        (
            "GET /patients/{id}/export/fhir",
            "doc",
            format!("/patients/{id}/export/fhir"),
            vec![],
        ),
        (
            "GET /patients/{id}/export/pdf",
            "doc",
            format!("/patients/{id}/export/pdf"),
            vec![],
        ),
        (
            "POST /patients/{id}/invoices",
            "bill",
            format!("/patients/{id}/invoices"),
            vec![("description", "Supplies"), ("amount", "4.00")],
        ),
        (
            "POST /invoices/{id}/codes",
            "doc",
            format!("/invoices/{inv}/codes"),
            vec![
                ("patient", &pid),
                ("procedure_code", "99213"),
                ("diagnosis_codes", "R51.9"),
            ],
        ),
        (
            "POST /invoices/{id}/payments",
            "bill",
            format!("/invoices/{inv}/payments"),
            vec![("patient", &pid), ("amount", "1.00"), ("method", "cash")],
        ),
        ("GET /billing", "bill", "/billing".into(), vec![]),
    ];
    let covered: BTreeSet<String> = page_cases
        .iter()
        .map(|c| c.0.to_string())
        .chain(NOT_PHI.iter().map(|s| s.to_string()))
        .collect();
    assert_eq!(covered, routes, "every PHI page route has a case here");
    let mut page_draft = String::new();
    for (route, who, path, fields) in page_cases {
        let before = head(&app, &co).await;
        let mut c_nurse;
        let mut c_drowner;
        let client = match who {
            "drowner" => {
                c_drowner = PageClient::login(&app, "drowner").await;
                &mut c_drowner
            }
            "desk" => &mut c_desk,
            "bill" => &mut c_bill,
            "owner" => &mut c_owner,
            "nurse" => {
                c_nurse = PageClient::login(&app, "nurse").await;
                &mut c_nurse
            }
            _ => &mut c_doc,
        };
        let status = if route == "POST /patients/{id}/attachments" {
            let form = reqwest::multipart::Form::new()
                .text("csrf", client.csrf.clone())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("after.png"),
                )
                .text("caption", "After");
            let res = client
                .http
                .post(client.url(&format!("/patients/{id}/attachments")))
                .multipart(form)
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        } else if route.starts_with("GET") {
            client.get(&path).await.0
        } else {
            let path = if path.is_empty() {
                format!("/notes/{page_draft}")
            } else {
                path
            };
            let (status, location, body) = client.post(&path, &fields).await;
            assert!(status == 303, "{route}: {status} {body}");
            if route == "POST /patients/{id}/notes" {
                // The new draft's id, from the chart it returns to.
                let (_, html) = client.get(location.as_deref().unwrap()).await;
                page_draft = html
                    .split("action=\"/notes/")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_owned();
            }
            status
        };
        assert!(status == 200 || status == 303, "{route}: {status}");
        let events = phi_events_after(&app, &co, before).await;
        let named = route == "POST /patients" || events.iter().any(|e| mentions(e, id));
        assert!(
            !events.is_empty() && named,
            "{route} wrote no PHI event naming the patient: {events:?}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_phi_action_whose_event_cannot_be_written_fails_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let id = app
        .register_patient(&desk, "Cleo", "Varden", "1985-08-09", "5553334444")
        .await;
    let mut tx = app.state.app.store().begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_events RENAME TO audit_events_away")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let res = app
        .api(Method::POST, "/api/v1/patients", &desk)
        .json(&json!({"given_name": "Ghost", "family_name": "Entry", "date_of_birth": "1990-01-01", "sex": "male", "contact": {"phone": "5550009999"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let res = app
        .api(Method::PUT, &format!("/api/v1/patients/{id}/contact"), &desk)
        .json(&json!({"phone": "5551110000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let res = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500, "no read without its event");
    let body = res.text().await.unwrap();
    assert!(
        !body.contains("Varden") && !body.contains("Cleo"),
        "and no PHI in the answer"
    );
    let mut tx = app.state.app.store().begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_events_away RENAME TO audit_events")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let page: Value = app
        .api(Method::GET, "/api/v1/patients", &desk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1, "the failed registration left nothing behind");
    let v: Value = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &desk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["contact"]["phone"], "5553334444",
        "the failed change left nothing behind"
    );
    app.stop().await;
}
