//! Clinic records under minimum necessary: the whole role x data class x read/write matrix over
//! the API, search, restriction and break glass, and the audit events each access leaves.

use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// A 1x1 PNG.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82";

pub const ROLES: [&str; 6] = ["provider", "nurse", "frontdesk", "billing", "compliance", "owner"];
pub const CLASSES: [&str; 7] = [
    "identity",
    "contact",
    "scheduling",
    "clinical",
    "coding",
    "billing",
    "invoice_status",
];

/// PRODUCT.md section 2, as (read, write) per role in the order of [`ROLES`], per class in the
/// order of [`CLASSES`]. 164.502(b), 164.514(d)(2).
pub const MATRIX: [[(bool, bool); 6]; 7] = {
    const RW: (bool, bool) = (true, true);
    const R: (bool, bool) = (true, false);
    const N: (bool, bool) = (false, false);
    [
        [RW, RW, RW, R, R, N], // identity
        [RW, RW, RW, R, N, N], // contact
        [RW, RW, RW, N, N, N], // scheduling
        [RW, RW, N, N, N, N],  // clinical
        [RW, RW, N, R, N, N],  // coding
        [R, R, N, RW, N, N],   // billing
        [R, R, R, RW, N, N],   // invoice_status
    ]
};

/// A patient with something in every class: an appointment, a signed note, vitals, a photo, a
/// coded invoice with a payment. Returns (patient, appointment, note, invoice, attachment).
pub async fn full_patient(app: &TestApp, provider: &str, desk: &str, billing: &str) -> (i64, i64, i64, i64, i64) {
    let id = app
        .register_patient(desk, "Alma", "Quenby", "1980-04-23", "555-201-3344")
        .await;
    let admin = app.api_login("owner").await;
    let doc_id = app.user_id(&admin, "provider").await;
    let appt: Value = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/appointments"), desk)
        .json(&json!({"provider_id": doc_id, "service": "Follow-up visit", "start": "2026-03-02T10:00:00Z", "minutes": 30}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let appt = appt["id"].as_i64().unwrap();
    let note: Value = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/notes"), provider)
        .json(&json!({"subjective": "NOTE-MARKER headache", "assessment": "Tension headache", "plan": "Rest"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let note = note["id"].as_i64().unwrap();
    let res = app
        .api(Method::POST, &format!("/api/v1/notes/{note}/sign"), provider)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/entries"), provider)
        .json(&json!({"kind": "vitals", "systolic_mmhg": 121, "diastolic_mmhg": 79, "pulse_bpm": 64}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    use base64::Engine;
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/attachments"), provider)
        .json(
            &json!({"filename": "before.png", "caption": "Before", "pair": "before", "pair_label": "cheek",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(PNG)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the photo is uploaded");
    let att = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/patients/{id}/attachments/{att}"),
            provider,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG, "and comes back as it was");
    let inv: Value = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/invoices"), billing)
        .json(&json!({"lines": [{"description": "Office visit", "amount_cents": 12500}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let inv = inv["invoice_id"].as_i64().unwrap();
    let res = app
        .api(Method::PUT, &format!("/api/v1/invoices/{inv}/codes"), provider)
        .json(&json!({"lines": [{"procedure_code": "99213", "diagnosis_codes": ["G44.209"]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = app
        .api(Method::POST, &format!("/api/v1/invoices/{inv}/payments"), billing)
        .json(&json!({"amount_cents": 2500, "method": "card"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    (id, appt, note, inv, att)
}

async fn tokens(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for role in ROLES {
        out.push(app.api_login(role).await);
    }
    out
}

#[tokio::test]
async fn every_role_reads_exactly_its_classes_over_the_api() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let (id, ..) = full_patient(&app, &t[0], &t[2], &t[3]).await;
    for (r, role) in ROLES.iter().enumerate() {
        let res = app
            .api(Method::GET, &format!("/api/v1/patients/{id}"), &t[r])
            .send()
            .await
            .unwrap();
        let want: BTreeSet<&str> = CLASSES
            .iter()
            .enumerate()
            .filter(|(c, _)| MATRIX[*c][r].0)
            .map(|(_, n)| *n)
            .collect();
        if want.is_empty() {
            assert_eq!(res.status(), 403, "{role} reads nothing, so is refused");
            continue;
        }
        assert_eq!(res.status(), 200, "{role}");
        let body: Value = res.json().await.unwrap();
        let got: BTreeSet<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "id")
            .collect();
        assert_eq!(got, want, "{role}: top-level keys are exactly the readable classes");
        let text = body.to_string();
        assert_eq!(
            text.contains("NOTE-MARKER"),
            MATRIX[3][r].0,
            "{role}: note text only with clinical"
        );
        assert_eq!(
            text.contains("G44.209"),
            MATRIX[4][r].0,
            "{role}: codes only with coding"
        );
        assert_eq!(
            text.contains("Office visit"),
            MATRIX[5][r].0,
            "{role}: invoice lines only with billing"
        );
        assert_eq!(text.contains("555"), MATRIX[1][r].0, "{role}: phone only with contact");
    }
    // Attachments are clinical: the bytes only for clinical readers.
    app.stop().await;
}

/// Each class written through one representative operation; 2xx exactly where the matrix says
/// W, 403 with a message naming the class elsewhere.
#[tokio::test]
async fn every_role_writes_exactly_its_classes_over_the_api() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let (id, _appt, _note, inv, att) = full_patient(&app, &t[0], &t[2], &t[3]).await;
    let admin = app.api_login("owner").await;
    let doc_id = app.user_id(&admin, "provider").await;
    for (r, role) in ROLES.iter().enumerate() {
        let tok = &t[r];
        let writes: [(usize, reqwest::RequestBuilder); 7] = [
            (0, app.api(Method::PUT, &format!("/api/v1/patients/{id}/identity"), tok)
                .json(&json!({"given_name": "Alma", "family_name": "Quenby", "date_of_birth": "1980-04-23", "sex": "female"}))),
            (1, app.api(Method::PUT, &format!("/api/v1/patients/{id}/contact"), tok)
                .json(&json!({"phone": "555-201-3344", "email": "alma@example.com"}))),
            (2, app.api(Method::POST, &format!("/api/v1/patients/{id}/appointments"), tok)
                // Each role its own hour: the same provider is never double-booked.
                .json(&json!({"provider_id": doc_id, "service": "Check", "start": format!("2026-03-03T{:02}:00:00Z", 8 + r), "minutes": 15}))),
            (3, app.api(Method::POST, &format!("/api/v1/patients/{id}/entries"), tok)
                .json(&json!({"kind": "allergy", "substance": "Latex", "reaction": "rash", "severity": "mild"}))),
            (4, app.api(Method::PUT, &format!("/api/v1/invoices/{inv}/codes"), tok)
                .json(&json!({"lines": [{"procedure_code": "99213", "diagnosis_codes": ["G44.209"]}]}))),
            (5, app.api(Method::POST, &format!("/api/v1/patients/{id}/invoices"), tok)
                .json(&json!({"lines": [{"description": "Supplies", "amount_cents": 500}]}))),
            (6, app.api(Method::POST, &format!("/api/v1/invoices/{inv}/payments"), tok)
                .json(&json!({"amount_cents": 100, "method": "cash"}))),
        ];
        for (class, req) in writes {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            if MATRIX[class][r].1 {
                assert!(
                    (200..300).contains(&status),
                    "{role} may write {}: {status} {body}",
                    CLASSES[class]
                );
            } else {
                assert_eq!(status, 403, "{role} may not write {}: {body}", CLASSES[class]);
                let v: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["error"], "forbidden");
            }
        }
        // The attachment's bytes: clinical read only.
        let res = app
            .api(Method::GET, &format!("/api/v1/patients/{id}/attachments/{att}"), tok)
            .send()
            .await
            .unwrap();
        if MATRIX[3][r].0 {
            assert_eq!(res.status(), 200, "{role}");
            assert_eq!(res.headers()["content-type"], "image/png");
            assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
        } else {
            assert_eq!(res.status(), 403, "{role} may not fetch a clinical photo");
        }
    }
    // Registering needs identity and contact writes.
    for (r, role) in ROLES.iter().enumerate() {
        let res = app
            .api(Method::POST, "/api/v1/patients", &t[r])
            .json(&json!({"given_name": "Ned", "family_name": "Orrin", "date_of_birth": "1990-01-02", "sex": "male", "contact": {"phone": "5550001111"}}))
            .send()
            .await
            .unwrap();
        let may = MATRIX[0][r].1 && MATRIX[1][r].1;
        assert_eq!(res.status().as_u16(), if may { 201 } else { 403 }, "{role} registers");
    }
    app.stop().await;
}

#[tokio::test]
async fn search_answers_by_name_prefix_birth_date_and_phone_with_only_readable_classes() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let desk = &t[2];
    let a = app
        .register_patient(desk, "Rosalind", "Fairweather", "1975-06-30", "(555) 310-2020")
        .await;
    let b = app
        .register_patient(desk, "Roland", "Peña", "1962-01-15", "555-777-1212")
        .await;
    let c = app
        .register_patient(desk, "Zoe", "Montgomery-Smythe", "2001-12-01", "555-400-5000")
        .await;
    let ids = |v: &Value| -> BTreeSet<i64> {
        v["patients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    let search = |q: &str, tok: &str| {
        let url = format!(
            "/api/v1/patients?q={}",
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let req = app.api(Method::GET, &url, tok);
        async move { req.send().await.unwrap() }
    };
    for (q, want) in [
        ("ro", vec![a, b]),
        ("Ros", vec![a]),
        ("fair", vec![a]),
        ("pen", vec![b]),
        ("PEÑA", vec![b]),
        ("montgomer", vec![c]),
        ("montgomerysm", vec![c]),
        ("montgomeryx", vec![]),
        ("06/30/1975", vec![a]),
        ("1962-01-15", vec![b]),
        ("5557771212", vec![b]),
        ("+1 (555) 400-5000", vec![c]),
        ("zz", vec![]),
    ] {
        let res = search(q, desk).await;
        assert_eq!(res.status(), 200, "{q}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(ids(&body), want.into_iter().collect(), "search {q:?}");
    }
    let res = search("r", desk).await;
    assert_eq!(res.status(), 422, "one letter is too short");
    assert!(res.text().await.unwrap().contains("at least 2 letters"));
    // Each role's results carry only its classes; the owner reads no PHI and is refused.
    for (r, role) in ROLES.iter().enumerate() {
        let res = search("rosa", &t[r]).await;
        if !MATRIX[0][r].0 {
            assert_eq!(res.status(), 403, "{role}");
            continue;
        }
        let body: Value = res.json().await.unwrap();
        let p = &body["patients"][0];
        assert_eq!(p["identity"]["family_name"], "Fairweather", "{role}");
        assert_eq!(
            p.get("contact").is_some(),
            MATRIX[1][r].0,
            "{role}: contact in results only when readable"
        );
    }
    // Without q: a page, most recently registered first.
    let page: Value = app
        .api(Method::GET, "/api/v1/patients?per_page=2", desk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 3);
    assert_eq!(page["patients"].as_array().unwrap().len(), 2);
    assert_eq!(page["patients"][0]["id"], c);
    // Every patient in a result is audited as searched.
    let events: Value = app
        .api(
            Method::GET,
            &format!("/api/v1/audit/events?patient={b}&action=phi.search"),
            &app.api_login("compliance").await,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!events.as_array().unwrap().is_empty(), "{events}");
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_with_what_to_fix() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let (id, appt, note, inv, _) = full_patient(&app, &t[0], &t[2], &t[3]).await;
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (app.api(Method::POST, "/api/v1/patients", &t[2]).json(&json!({"given_name": "", "family_name": "X", "date_of_birth": "1990-01-01", "sex": "female"})), 422, "first name"),
        (app.api(Method::POST, "/api/v1/patients", &t[2]).json(&json!({"given_name": "A", "family_name": "X", "date_of_birth": "2099-01-01", "sex": "female", "contact": {"phone": "5551234567"}})), 422, "future"),
        (app.api(Method::POST, "/api/v1/patients", &t[2]).json(&json!({"given_name": "A", "family_name": "X", "date_of_birth": "1990-01-01", "sex": "female"})), 422, "preferred contact"),
        (app.api(Method::POST, &format!("/api/v1/patients/{id}/entries"), &t[0]).json(&json!({"kind": "vitals", "pulse_bpm": 720})), 422, "pulse must be between"),
        (app.api(Method::POST, &format!("/api/v1/patients/{id}/entries"), &t[0]).json(&json!({"kind": "diagnosis", "code": "hello", "description": "x"})), 422, "ICD-10-CM"),
        (app.api(Method::POST, &format!("/api/v1/patients/{id}/entries"), &t[0]).json(&json!({"kind": "mood"})), 422, "kind is vitals"),
        (app.api(Method::PUT, &format!("/api/v1/notes/{note}"), &t[0]).json(&json!({"plan": "changed"})), 409, "addendum"),
        (app.api(Method::POST, &format!("/api/v1/notes/{note}/sign"), &t[0]), 409, "already signed"),
        (app.api(Method::POST, &format!("/api/v1/appointments/{appt}/status"), &t[2]).json(&json!({"status": "completed"})), 422, "cannot become completed"),
        (app.api(Method::POST, &format!("/api/v1/invoices/{inv}/payments"), &t[3]).json(&json!({"amount_cents": 999999, "method": "card"})), 422, "more than the balance"),
        (app.api(Method::POST, &format!("/api/v1/patients/{id}/attachments"), &t[0]).json(&json!({"content_base64": "aGVsbG8="})), 422, "JPEG, PNG"),
        (app.api(Method::GET, "/api/v1/patients/999999", &t[0]), 404, "patient not found"),
        (app.api(Method::POST, &format!("/api/v1/patients/{id}/break-glass"), &t[0]).json(&json!({"reason": "emergency in the waiting room"})), 422, "already open"),
    ];
    for (req, status, says) in cases {
        let res = req.send().await.unwrap();
        let got = res.status().as_u16();
        let body = res.text().await.unwrap();
        assert_eq!(got, status, "{says}: {body}");
        assert!(body.contains(says), "{body} should say {says}");
    }
    // A signed note takes an addendum, which shows under it.
    let res = app
        .api(Method::POST, &format!("/api/v1/notes/{note}/addenda"), &t[1])
        .json(&json!({"text": "Called patient: better."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let chart: Value = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &t[0])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        chart["clinical"]["encounters"][0]["addenda"][0]["text"],
        "Called patient: better."
    );
    assert_eq!(
        chart["clinical"]["encounters"][0]["plan"], "Rest",
        "the signed note is unchanged"
    );
    assert_eq!(chart["invoice_status"]["invoices"][0]["balance_cents"], 10000);
    assert_eq!(chart["invoice_status"]["invoices"][0]["status"], "partly_paid");
    app.stop().await;
}

#[tokio::test]
async fn a_restricted_chart_opens_only_to_named_providers_or_by_break_glass() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let (id, ..) = full_patient(&app, &t[0], &t[2], &t[3]).await;
    let owner = &t[5];
    let doc_id = app.user_id(owner, "provider").await;
    let desk_id = app.user_id(owner, "frontdesk").await;
    let restrict = |providers: Vec<i64>, tok: &str| {
        app.api(Method::PUT, &format!("/api/v1/patients/{id}/restriction"), tok)
            .json(&json!({"restricted": true, "providers": providers}))
            .send()
    };
    assert_eq!(
        restrict(vec![doc_id], &t[0]).await.unwrap().status(),
        403,
        "a provider cannot restrict"
    );
    assert_eq!(
        restrict(vec![desk_id], owner).await.unwrap().status(),
        422,
        "only clinical staff can be named"
    );
    assert_eq!(restrict(vec![doc_id], owner).await.unwrap().status(), 204);
    let get = |tok: &str| app.api(Method::GET, &format!("/api/v1/patients/{id}"), tok).send();
    let named: Value = get(&t[0]).await.unwrap().json().await.unwrap();
    assert!(named.get("clinical").is_some(), "the named provider sees the chart");
    let nurse: Value = get(&t[1]).await.unwrap().json().await.unwrap();
    assert!(nurse.get("clinical").is_none(), "the nurse is not named");
    assert!(nurse.get("identity").is_some(), "but still sees who the patient is");
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/entries"), &t[1])
        .json(&json!({"kind": "allergy", "substance": "Latex"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("restricted"));
    // Front desk and billing cannot break glass; the nurse can, with a reason.
    for tok in [&t[2], &t[3]] {
        let res = app
            .api(Method::POST, &format!("/api/v1/patients/{id}/break-glass"), tok)
            .json(&json!({"reason": "patient collapsed at the desk"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/break-glass"), &t[1])
        .json(&json!({"reason": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/break-glass"), &t[1])
        .json(&json!({"reason": "patient collapsed, need allergy list"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let nurse: Value = get(&t[1]).await.unwrap().json().await.unwrap();
    assert!(nurse.get("clinical").is_some(), "break glass opens the chart");
    // It lasts 60 minutes by default.
    app.clock.advance(time::Duration::minutes(61));
    let nurse_tok = app.api_login("nurse").await;
    let nurse: Value = get(&nurse_tok).await.unwrap().json().await.unwrap();
    assert!(nurse.get("clinical").is_none(), "and closes after the time limit");
    // The compliance officer sees the break-glass event with its reason, and the reads under it.
    let co = app.api_login("compliance").await;
    let events: Value = app
        .api(
            Method::GET,
            &format!("/api/v1/audit/events?patient={id}&action=phi.break_glass"),
            &co,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = events.as_array().unwrap();
    assert_eq!(list.iter().filter(|e| e["outcome"] == "success").count(), 1, "{events}");
    assert!(list
        .iter()
        .any(|e| e["reason"] == "patient collapsed, need allergy list"));
    assert!(
        list.iter().filter(|e| e["outcome"] == "denied").count() >= 2,
        "refused attempts are audited too"
    );
    app.stop().await;
}

#[tokio::test]
async fn every_read_and_write_of_phi_is_audited_with_classes_and_patient() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let (id, ..) = full_patient(&app, &t[0], &t[2], &t[3]).await;
    let res = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &t[2])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let co = app.api_login("compliance").await;
    let events: Value = app
        .api(Method::GET, &format!("/api/v1/audit/events?patient={id}"), &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = events.as_array().unwrap();
    let read = list
        .iter()
        .find(|e| e["action"] == "phi.read" && e["actor"] == "frontdesk")
        .expect("the read is audited");
    assert_eq!(read["data_classes"], "identity,contact,scheduling,invoice_status");
    assert_eq!(read["user_agent"], carekeep_testkit::TEST_USER_AGENT);
    // Stored as class bits and a browser name stored once (audit storage per read), and read
    // back as the texts above.
    let stored: (String, Option<i64>, String, String) = {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        sqlx::query_as(
            "SELECT e.data_classes, e.classes, e.user_agent, ag.text FROM audit_events e \
             JOIN audit_agents ag ON ag.id = e.agent_id WHERE e.seq = $1",
        )
        .bind(read["seq"].as_i64().unwrap())
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    };
    assert_eq!(
        stored,
        (
            String::new(),
            Some(0b100_0111),
            String::new(),
            carekeep_testkit::TEST_USER_AGENT.to_owned()
        )
    );
    for action in ["phi.create", "phi.update", "phi.read"] {
        assert!(list.iter().any(|e| e["action"] == action), "{action} in {events}");
    }
    let res = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &t[5])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let events: Value = app
        .api(Method::GET, &format!("/api/v1/audit/events?patient={id}"), &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "owner" && e["outcome"] == "denied"),
        "{events}"
    );
    app.stop().await;
}

/// The owner defines a role in the same terms; the one policy applies it everywhere at once.
#[tokio::test]
async fn a_clinic_defined_role_gets_exactly_its_classes() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let (id, ..) = full_patient(&app, &t[0], &t[2], &t[3]).await;
    let owner = &t[5];
    let define = |name: &str, body: Value| {
        app.api(Method::PUT, &format!("/api/v1/roles/{name}"), owner)
            .json(&body)
            .send()
    };
    let res = define(
        "front_desk",
        json!({"description": "x", "grants": {"clinical": "read"}}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 409, "the defaults stay as they are");
    let res = define(
        "scheduler",
        json!({"description": "Books visits", "grants": {"secrets": "read"}}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let res = define(
        "scheduler",
        json!({"description": "Books visits only", "grants": {"identity": "read", "scheduling": "read_write"}}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &t[0])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let desk_id = app.user_id(owner, "frontdesk").await;
    let res = app
        .api(Method::PUT, &format!("/api/v1/users/{desk_id}/roles"), owner)
        .json(&json!({"roles": ["scheduler"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let sched = app.api_login("frontdesk").await;
    let body: Value = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &sched)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys: BTreeSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "identity", "scheduling"].into());
    let res = app
        .api(Method::PUT, &format!("/api/v1/patients/{id}/contact"), &sched)
        .json(&json!({"phone": "5550000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let doc_id = app.user_id(owner, "provider").await;
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/appointments"), &sched)
        .json(&json!({"provider_id": doc_id, "service": "Visit", "start": "2026-03-05T10:00:00Z", "minutes": 20}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // The roles page shows it, and defines roles too.
    let mut page = carekeep_testkit::PageClient::login(&app, "owner").await;
    let (status, html) = page.get("/admin/roles").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Scheduler") && html.contains("Books visits only"),
        "the role in words"
    );
    let (status, location, _) = page
        .post(
            "/admin/roles",
            &[
                ("name", "coder"),
                ("description", "Codes visits"),
                ("g_coding", "rw"),
                ("g_identity", "r"),
            ],
        )
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/admin/roles?done=role")));
    let roles: Vec<Value> = app
        .api(Method::GET, "/api/v1/roles", owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let coder = roles.iter().find(|r| r["name"] == "coder").unwrap();
    assert_eq!(coder["grants"], json!({"identity": "read", "coding": "read_write"}));
    app.stop().await;
}

/// On SQLite the session, patient and chart reads bypass sqlx (`carekeep-store`'s `direct`);
/// they must return exactly what the sqlx queries return, which PostgreSQL runs. The fast
/// path exists on SQLite only, so this runs there in both suites (on PostgreSQL both sides
/// would be the same sqlx query, and the comparison could not fail).
#[tokio::test]
async fn the_stores_fast_reads_return_what_its_queries_return() {
    use carekeep_store::chart_rows::{chart_rows, patient_and_chart, Part};
    use carekeep_store::records::patient_by_id;
    let app = TestApp::builder().on_sqlite().spawn().await;
    let provider = app.api_login("provider").await;
    let (desk, billing) = (app.api_login("frontdesk").await, app.api_login("billing").await);
    let (id, ..) = full_patient(&app, &provider, &desk, &billing).await;
    let note: i64 = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &provider)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["clinical"]["encounters"][0]["id"]
        .as_i64()
        .unwrap();
    let res = app
        .api(Method::POST, &format!("/api/v1/notes/{note}/addenda"), &provider)
        .json(&json!({"text": "Called patient: better."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let store = app.state.app.store_for_tests();
    assert!(store.reads_directly(), "the comparison is of the direct path with sqlx");
    let mut conn = store.read().await.unwrap();

    let (mut queried, mut fast) = (
        chart_rows(&mut conn, id, &Part::ALL).await.unwrap(),
        store.reader().chart_rows(id, &Part::ALL).await.unwrap(),
    );
    for rows in [&queried, &fast] {
        assert!(
            [
                rows.appointments.len(),
                rows.encounters.len(),
                rows.addenda.len(),
                rows.entries.len(),
                rows.attachments.len(),
                rows.invoices.len(),
                rows.payments.len(),
                rows.staff_names.len()
            ]
            .iter()
            .all(|n| *n > 0),
            "{rows:?}"
        );
    }
    assert_eq!(queried.staff_names, fast.staff_names);
    // A HashMap's Debug order is its own; the rest compares value for value.
    queried.staff_names.clear();
    fast.staff_names.clear();
    assert_eq!(format!("{queried:?}"), format!("{fast:?}"));
    let parts = [Part::Payments, Part::StaffNames];
    let only = store.reader().chart_rows(id, &parts).await.unwrap();
    assert!(only.encounters.is_empty() && !only.payments.is_empty());
    assert!(store.reader().chart_rows(id, &[]).await.unwrap().staff_names.is_empty());

    // The patient's row with the chart's, in one statement: the direct path, the pooled one
    // (PostgreSQL's) and the two separate reads agree.
    let a = patient_by_id(&mut conn, id).await.unwrap();
    let (b, mut with_fast) = store.reader().patient_and_chart(id, &Part::ALL).await.unwrap();
    let (c, mut with_queried) = patient_and_chart(&mut conn, id, &Part::ALL).await.unwrap();
    let fields = |p: &carekeep_store::records::PatientRow| {
        format!(
            "{} {:?} {:?} {} {} {:?}",
            p.id, p.identity_ct, p.contact_ct, p.restricted, p.created_at, p.last_seen_at
        )
    };
    assert_eq!(fields(&a), fields(&b));
    assert_eq!(fields(&a), fields(&c));
    with_fast.staff_names.clear();
    with_queried.staff_names.clear();
    assert_eq!(format!("{with_fast:?}"), format!("{fast:?}"));
    assert_eq!(format!("{with_queried:?}"), format!("{fast:?}"));
    let (alone, none) = store.reader().patient_and_chart(id, &[]).await.unwrap();
    assert_eq!(fields(&alone), fields(&a), "no part: the patient alone");
    assert!(none.staff_names.is_empty() && none.encounters.is_empty());
    assert!(matches!(
        store.reader().patient_and_chart(id + 1000, &Part::ALL).await,
        Err(carekeep_store::StoreError::NotFound)
    ));

    // A breach scope search's window of one account: the direct path and the query agree,
    // row for row, and the window bounds both.
    let doc = app.user_id(&app.api_login("owner").await, "provider").await;
    let (from, to) = (
        app.state.app.now() - time::Duration::days(1),
        app.state.app.now() + time::Duration::days(1),
    );
    let uses = |u: carekeep_store::audit::PatientUse, into: &mut Vec<String>| {
        into.push(format!(
            "{} {} {} {}",
            u.action, u.outcome, u.patient_ids, u.data_classes
        ));
    };
    let (mut queried, mut fast) = (Vec::new(), Vec::new());
    carekeep_store::audit::each_patient_use(&mut conn, doc, from, to, |u| uses(u, &mut queried))
        .await
        .unwrap();
    store
        .reader()
        .each_patient_use(doc, from, to, |u| uses(u, &mut fast))
        .await
        .unwrap();
    assert!(
        queried
            .iter()
            .any(|u| u.contains(&format!(" {id} ")) && u.contains("clinical")),
        "{queried:?}"
    );
    assert_eq!(queried, fast);
    let mut later = Vec::new();
    store
        .reader()
        .each_patient_use(doc, to, to + time::Duration::days(1), |u| uses(u, &mut later))
        .await
        .unwrap();
    assert!(later.is_empty(), "{later:?}");
    drop(conn);
    app.stop().await;
}

/// Break glass needs a reason that says something, and breaking it again while access is
/// live does not stretch the access: a new grant comes only after the first ends, reported on
/// its own.
#[tokio::test]
async fn break_glass_needs_a_real_reason_and_cannot_be_stretched_while_live() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let (id, ..) = full_patient(&app, &t[0], &t[2], &t[3]).await;
    let owner = &t[5];
    let doc_id = app.user_id(owner, "provider").await;
    let res = app
        .api(Method::PUT, &format!("/api/v1/patients/{id}/restriction"), owner)
        .json(&json!({"restricted": true, "providers": [doc_id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let glass = |nurse: &str, body: Value| {
        app.api(Method::POST, &format!("/api/v1/patients/{id}/break-glass"), nurse)
            .json(&body)
            .send()
    };
    let nurse = t[1].clone();
    for empty in ["aaaaaaaaaa", "..........", "1234567890", "zzzzzzzzzzzzzzzzzzzzzzzz"] {
        let res = glass(&nurse, json!({"reason": empty})).await.unwrap();
        assert_eq!(res.status(), 422, "{empty:?} says nothing");
    }
    let res = glass(&nurse, json!({"kind": "emergency_treatment"})).await.unwrap();
    assert_eq!(res.status(), 200);
    let first: Value = res.json().await.unwrap();
    // Half an hour later, again: refused, and the first grant's end stands.
    app.clock.advance(time::Duration::minutes(30));
    let nurse = app.api_login("nurse").await;
    let res = glass(
        &nurse,
        json!({"kind": "urgent_result", "reason": "lab called about potassium"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 409);
    let text = res.text().await.unwrap();
    assert!(text.contains("open until"), "{text}");
    app.clock.advance(time::Duration::minutes(30));
    let nurse = app.api_login("nurse").await;
    let chart: Value = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &nurse)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        chart.get("clinical").is_none(),
        "access ended with the first grant ({})",
        first["until"]
    );
    // A new grant once it has ended: reported on its own.
    let res = glass(
        &nurse,
        json!({"kind": "urgent_result", "reason": "lab called about potassium"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let co = app.api_login("compliance").await;
    let events: Vec<Value> = app
        .api(
            Method::GET,
            &format!("/api/v1/audit/events?patient={id}&action=phi.break_glass"),
            &co,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let granted: Vec<&str> = events
        .iter()
        .filter(|e| e["outcome"] == "success")
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(granted.len(), 2, "{events:?}");
    assert!(granted.contains(&"Emergency treatment: the patient needs care now"));
    assert!(granted.contains(&"An urgent result or call about this patient: lab called about potassium"));
    app.stop().await;
}
