//! Incidents end to end: anyone reports; the compliance officer scopes a snooping incident
//! from the audit trail (patients, classes, states), determines it under 164.402, and works
//! the obligations; letters, the record and the annual log come out as documents; the
//! dashboard, reminders and the risk assessment follow.

use crate::pdf_text;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = app.api(method, path, token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn kinds(v: &Value) -> Vec<(String, String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().to_owned(),
                o["due_on"].as_str().unwrap().to_owned(),
                o["cfr"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_snooping_incident_from_report_to_notices() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let mut patients = Vec::new();
    for (given, family, address) in [
        ("Wilma", "Quenby", "12 Elm St, Austin, TX 78701"),
        ("Ada", "Quenby", "9 Oak Ave, Dallas, TX 75201"),
        ("Bea", "Stroud", "4 Pine Rd, Tulsa, OK 74103"),
        ("Cal", "Untouched", "1 Main St, Tulsa, OK 74103"),
    ] {
        let id = app
            .register_patient(&desk, given, family, "1980-04-23", "5550001111")
            .await;
        let (status, body) = call(
            &app,
            &desk,
            Method::PUT,
            &format!("/api/v1/patients/{id}/contact"),
            Some(json!({"phone": "5550001111", "address": address})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        patients.push(id);
    }
    // The nurse looks at three charts she had no reason to open.
    let nurse = app.api_login("nurse").await;
    for id in &patients[..3] {
        let (status, _) = call(&app, &nurse, Method::GET, &format!("/api/v1/patients/{id}"), None).await;
        assert_eq!(status, 200);
    }

    // Anyone reports; only the compliance officer sees the log.
    let (status, body) = call(
        &app,
        &desk,
        Method::POST,
        "/api/v1/incidents",
        Some(json!({"title": "Nurse looked up neighbours' charts", "what_happened": "Seen on her screen by the front desk", "systems": "Carekeep"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let (status, _) = call(&app, &desk, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        &desk,
        Method::POST,
        "/api/v1/incidents",
        Some(json!({"title": ""})),
    )
    .await;
    assert_eq!(status, 422);

    let (_, reminders) = call(&app, &co, Method::GET, "/api/v1/me/reminders", None).await;
    assert!(reminders.to_string().contains("1 incident to assess"), "{reminders}");
    // Until assessed, a breach is presumed (164.402(2)): the clocks run from discovery.
    let base = format!("/api/v1/incidents/{id}");
    let (status, obligations) = call(&app, &co, Method::GET, &format!("{base}/obligations"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        kinds(&obligations),
        vec![
            ("individuals".into(), "2026-05-01".into(), "164.404(b)".into()),
            ("hhs_annual_log".into(), "2027-03-01".into(), "164.408(c)".into()),
        ]
    );
    assert_eq!(obligations[0]["done"], false);

    // Scope from the audit trail: the three charts, their classes, their states.
    let (status, scope) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope"),
        Some(json!({"username": "nurse", "from": "2026-03-01", "to": "2026-03-02"})),
    )
    .await;
    assert_eq!(status, 200, "{scope}");
    assert_eq!(scope["patients"], 3);
    assert_eq!(scope["by_state"], json!([["OK", 1], ["TX", 2]]));
    assert!(scope["classes"].to_string().contains("clinical"), "{scope}");
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope"),
        Some(json!({"username": "nobody", "from": "2026-03-01", "to": "2026-03-02"})),
    )
    .await;
    assert_eq!(status, 422);

    // The determination: what each answer needs, then a breach, discovered the day the front
    // desk first saw it (the day a workforce member knew, 164.404(a)(2)).
    let good = json!({
        "phi_involved": true, "safeguard": "none", "discovered_on": "2026-02-27", "discovered_by": "Frank Frontdesk",
        "affected": 3, "by_state": "TX=2,OK=1", "status": "open",
        "steps_for_individuals": "Watch for anything unexpected and call us.",
        "what_we_are_doing": "The nurse's access was removed and she was sanctioned.",
        "contact_for_questions": "Call 1-800-555-0100 (toll free)."
    });
    let with = |extra: Value| {
        let mut v = good.clone();
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    for (body, says) in [
        (with(json!({"exclusion": "unintentional_workforce"})), "164.414(b)"),
        (with(json!({"low_probability": true})), "four factors"),
        (
            with(json!({"law_enforcement": "oral", "law_enforcement_stated_on": "2026-03-02"})),
            "164.412(b)",
        ),
        (with(json!({"by_state": "TX=9"})), "add up to 9"),
        (with(json!({"discovered_on": "2027-01-01"})), "future"),
    ] {
        let (status, text) = call(&app, &co, Method::PUT, &base, Some(body)).await;
        assert_eq!(status, 422, "{text}");
        assert!(text.to_string().contains(says), "{says}: {text}");
    }
    let (status, body) = call(&app, &co, Method::PUT, &base, Some(good.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conclusion"], "breach");
    let (_, obligations) = call(&app, &co, Method::GET, &format!("{base}/obligations"), None).await;
    assert_eq!(obligations[0]["due_on"], "2026-04-28");
    assert_eq!(obligations[0]["state"], Value::Null);

    // Done once; the record shows it.
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/obligations/individuals/done"),
        Some(json!({"note": "letters mailed"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/obligations/individuals/done"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/obligations/media/done"),
        Some(json!({"state": "TX"})),
    )
    .await;
    assert_eq!(status, 404, "no media notice is owed for 2 residents");
    let (_, obligations) = call(&app, &co, Method::GET, &format!("{base}/obligations"), None).await;
    assert_eq!(
        (obligations[0]["done"].as_bool(), obligations[1]["done"].as_bool()),
        (Some(true), Some(false))
    );

    // Letters: one per patient, through the policy (the compliance officer reads names, not
    // addresses); printing them is audited.
    let res = app
        .api(Method::GET, &format!("{base}/letters"), &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let letters = pdf_text(&res.bytes().await.unwrap());
    assert!(letters.contains("Wilma Quenby") && letters.contains("Bea Stroud") && !letters.contains("Untouched"));
    assert!(
        letters.contains("1-800-555-0100") && letters.contains("medical record"),
        "{letters}"
    );
    assert!(letters.contains("to be added by staff") && !letters.contains("Elm St"));
    let res = app
        .api(Method::GET, &format!("{base}/letters?patient={}", patients[2]), &co)
        .send()
        .await
        .unwrap();
    let one = pdf_text(&res.bytes().await.unwrap());
    assert!(
        one.contains("Bea Stroud") && !one.contains("Wilma"),
        "one patient's letter"
    );
    let (status, sent) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/letters/sent"),
        Some(json!({"method": "mail"})),
    )
    .await;
    assert_eq!((status, sent["recorded"].as_i64()), (200, Some(3)));

    // Attachments and the timeline.
    use base64::Engine;
    let pdf = b"%PDF-1.4\nPOLICE-REPORT-MARKER-4471\n%%EOF\n";
    let (status, body) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/attachments"),
        Some(json!({"filename": "police-report.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(pdf)})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let aid = body["id"].as_i64().unwrap();
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/attachments"),
        Some(json!({"content_base64": base64::engine::general_purpose::STANDARD.encode(b"<html>")})),
    )
    .await;
    assert_eq!(status, 422);
    let res = app
        .api(Method::GET, &format!("{base}/attachments/{aid}"), &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf);
    {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        let stored: Vec<u8> = sqlx::query_scalar("SELECT content_ct FROM incident_attachments WHERE id = $1")
            .bind(aid)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert!(
            !stored.windows(26).any(|w| w == b"POLICE-REPORT-MARKER-4471\n"),
            "stored encrypted"
        );
    }
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/actions"),
        Some(json!({"text": "Access removed; sanctions applied"})),
    )
    .await;
    assert_eq!(status, 204);

    // The burden-of-proof record, the annual log, the dashboard, the risk assessment.
    let res = app
        .api(Method::GET, &format!("{base}/record"), &co)
        .send()
        .await
        .unwrap();
    let record = pdf_text(&res.bytes().await.unwrap());
    assert!(
        record.contains("164.402") && record.contains("NOT DONE") && record.contains("HHS breach portal summary"),
        "{record}"
    );
    let res = app
        .api(Method::GET, "/api/v1/breach-log/2026", &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Nurse looked up neighbours' charts"));
    let owner = app.api_login("owner").await;
    let (_, items) = call(&app, &owner, Method::GET, "/api/v1/program/dashboard", None).await;
    let item = |k: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == k)
            .unwrap()
            .clone()
    };
    assert!(
        item("incidents")["evidence"]
            .as_str()
            .unwrap()
            .contains("1 notices owed"),
        "{}",
        item("incidents")
    );
    assert!(
        item("sra")["evidence"]
            .as_str()
            .unwrap()
            .contains("a breach occurred (incident"),
        "{}",
        item("sra")
    );
    let (_, reminders) = call(&app, &co, Method::GET, "/api/v1/me/reminders", None).await;
    assert!(
        reminders.to_string().contains("Breach notice due 2027-03-01"),
        "the next open one: {reminders}"
    );

    // Secured (encrypted, key safe): nothing is owed.
    let (status, body) = call(
        &app,
        &co,
        Method::PUT,
        &base,
        Some(with(json!({"safeguard": "encrypted"}))),
    )
    .await;
    assert_eq!((status, body["conclusion"].as_str()), (200, Some("secured")));
    let (_, obligations) = call(&app, &co, Method::GET, &format!("{base}/obligations"), None).await;
    assert_eq!(obligations, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn anyone_reports_from_any_page_in_two_clicks() {
    let app = TestApp::spawn().await;
    let mut billing = PageClient::login(&app, "billing").await;
    let (_, home) = billing.get("/").await;
    assert!(home.contains("href=\"/incidents/new\""), "a link on every page");
    let (status, html) = billing.get("/incidents/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("Report it"));
    let (status, location, _) = billing
        .post(
            "/incidents/new",
            &[("title", "Invoice emailed to the wrong patient"), ("what_happened", "")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = billing.get(&location.unwrap()).await;
    assert!(html.contains("is recorded"));
    let (status, _) = billing.get("/incidents").await;
    assert_eq!(status, 403);
    let mut co = PageClient::login(&app, "compliance").await;
    let (status, html) = co.get("/incidents").await;
    assert_eq!(status, 200);
    assert!(html.contains("Invoice emailed to the wrong patient"));
    let (status, html) = co.get("/incidents/1").await;
    assert_eq!(status, 200);
    assert!(html.contains("164.404(b)"));
    let (status, _, body) = co
        .post(
            "/incidents/1",
            &[
                ("phi_involved", "yes"),
                ("discovered_on", "2026-03-02"),
                ("affected", "lots"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("whole number"));
    let (status, _, _) = co
        .post(
            "/incidents/1",
            &[
                ("phi_involved", "yes"),
                ("discovered_on", "2026-03-02"),
                ("affected", "1"),
                ("exclusion", "inadvertent_authorized"),
                (
                    "exclusion_reason",
                    "sent to another patient's portal inbox at our clinic, deleted unread",
                ),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = co.get("/incidents/1").await;
    assert!(html.contains("excluded"));
    // An attachment through the page's upload form.
    let form = reqwest::multipart::Form::new().text("csrf", co.csrf.clone()).part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\nletter\n%%EOF\n".to_vec()).file_name("vendor-letter.pdf"),
    );
    let res = co
        .http
        .post(co.url("/incidents/1/attachments"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, html) = co.get("/incidents/1").await;
    assert!(html.contains("vendor-letter.pdf"));
    let res = co
        .http
        .post(co.url("/incidents/1/attachments"))
        .multipart(reqwest::multipart::Form::new().text("csrf", co.csrf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "no file chosen");
    app.stop().await;
}

/// Found by the API fuzzer: a reference to a record that does not exist is bad input (422
/// saying what to fix), not a 500.
#[tokio::test]
async fn an_incident_naming_a_missing_vendor_is_a_422() {
    let app = TestApp::spawn().await;
    let co = app.api_login("compliance").await;
    let res = app
        .api(Method::POST, "/api/v1/incidents", &co)
        .json(&serde_json::json!({"title": "Laptop stolen", "what_happened": "from a car", "vendor_id": -2728}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("does not exist"));
}

/// Found by the API fuzzer: an appointment of 100644345581947488 minutes overflowed the time
/// types and the request panicked. It is a 422 now, and the server goes on answering.
#[tokio::test]
async fn an_absurd_appointment_length_is_a_422() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let owner = app.api_login("owner").await;
    let doc = app.user_id(&owner, "provider").await;
    let id = app
        .register_patient(&desk, "Ann", "Lee", "1980-01-01", "5550001111")
        .await;
    for minutes in [100_644_345_581_947_488_i64, -5, 0, 721] {
        let res = app
            .api(Method::POST, &format!("/api/v1/patients/{id}/appointments"), &desk)
            .json(
                &json!({"provider_id": doc, "service": "Review", "start": "2026-11-22T10:30:00Z", "minutes": minutes}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{minutes} minutes");
    }
}

/// The names in a binder export.
async fn binder_entries(app: &TestApp, token: &str) -> Vec<String> {
    let res = app
        .api(Method::GET, "/api/v1/program/binder", token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    zip.file_names().map(str::to_owned).collect()
}

/// The owner manages the program but does not handle incidents: the audit binder the owner
/// exports leaves the incident records out (and says so), while the compliance officer's
/// holds them (164.502(b), minimum necessary).
#[tokio::test]
async fn the_owners_binder_holds_no_incident_record() {
    let app = TestApp::spawn().await;
    let co = app.api_login("compliance").await;
    let (status, body) = call(
        &app,
        &co,
        Method::POST,
        "/api/v1/incidents",
        Some(json!({"title": "Fax sent to the wrong number", "what_happened": "a referral went astray"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let owner = app.api_login("owner").await;
    let owners = binder_entries(&app, &owner).await;
    assert!(
        !owners.iter().any(|n| n.contains("/incidents/incident-")),
        "the owner's binder holds an incident record: {owners:?}"
    );
    assert!(
        owners.iter().any(|n| n.ends_with("/incidents/README.txt")),
        "{owners:?}"
    );
    let officers = binder_entries(&app, &co).await;
    assert!(
        officers.iter().any(|n| n.contains("/incidents/incident-")),
        "the compliance officer's binder holds the record: {officers:?}"
    );
    app.stop().await;
}

/// A misdirected fax about one patient: the patient is named by the person handling it, and
/// the letters are one, addressed, saying what was involved in words; a nurse's list page that
/// showed other patients' names does not put them in the scope. An audit search is previewed
/// (nothing changes) and then adopted; the affected count follows the scope, and the page
/// says why when the number typed differs.
#[tokio::test]
async fn a_misdirected_fax_gives_one_letter_with_the_address_and_what_was_involved() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let owner = app.api_login("owner").await;
    // A small clinic's office manager: incidents and the front desk's contact details.
    let manager = app.user_id(&owner, "compliance").await;
    let res = app
        .api(Method::PUT, &format!("/api/v1/users/{manager}/roles"), &owner)
        .json(&json!({"roles": ["compliance_officer", "front_desk"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let co = app.api_login("compliance").await;
    let mut patients = Vec::new();
    for (given, family, address) in [
        ("Wilma", "Quenby", "12 Elm St\r\nAustin, TX 78701"),
        ("Ada", "Listed", "9 Oak Ave, Dallas, TX 75201"),
        ("Bea", "Listed", "4 Pine Rd, Tulsa, OK 74103"),
        ("Nora", "Nowhere", ""),
    ] {
        let id = app
            .register_patient(&desk, given, family, "1980-04-23", "5550001111")
            .await;
        {
            let (status, body) = call(
                &app,
                &desk,
                Method::PUT,
                &format!("/api/v1/patients/{id}/contact"),
                Some(json!({"phone": "5550001111", "address": address})),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
        patients.push(id);
    }
    // The nurse's list page shows every name; she opens Wilma's chart to fax it.
    let nurse = app.api_login("nurse").await;
    let (status, _) = call(&app, &nurse, Method::GET, "/api/v1/patients", None).await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &app,
        &nurse,
        Method::GET,
        &format!("/api/v1/patients/{}", patients[0]),
        None,
    )
    .await;
    assert_eq!(status, 200);

    let (status, body) = call(
        &app,
        &co,
        Method::POST,
        "/api/v1/incidents",
        Some(json!({"title": "Visit notes faxed to the wrong number", "what_happened": "A fax went to a bakery"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let base = format!("/api/v1/incidents/{}", body["id"].as_i64().unwrap());
    let (status, body) = call(
        &app,
        &co,
        Method::PUT,
        &base,
        Some(json!({"phi_involved": true, "safeguard": "none", "discovered_on": "2026-03-02", "affected": 1, "status": "open",
            "steps_for_individuals": "watch your mail for anything unexpected", "what_we_are_doing": "We asked the bakery to destroy the fax",
            "contact_for_questions": "Call 1-800-555-0100 (toll free)"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Named by the person handling it, with what was involved; refused without a class or
    // with an unknown patient, and nothing changes.
    for (body, says) in [
        (
            json!({"patient_id": patients[0], "classes": []}),
            "tick what was involved",
        ),
        (
            json!({"patient_id": patients[0], "classes": ["everything"]}),
            "from the list",
        ),
        (
            json!({"patient_id": 999_999, "classes": ["clinical"]}),
            "choose the patient",
        ),
    ] {
        let (status, text) = call(&app, &co, Method::POST, &format!("{base}/scope/patients"), Some(body)).await;
        assert_eq!(status, 422, "{text}");
        assert!(text.to_string().contains(says), "{says}: {text}");
    }
    let (status, scope) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope/patients"),
        Some(json!({"patient_id": patients[0], "classes": ["identity", "clinical"]})),
    )
    .await;
    assert_eq!(status, 200, "{scope}");
    assert_eq!(scope["patients"], 1);
    assert_eq!(scope["by_state"], json!([["TX", 1]]));
    let (_, incident) = call(&app, &co, Method::GET, &base, None).await;
    assert_eq!(incident["affected"], 1);
    assert_eq!(incident["affected_note"], Value::Null);

    let res = app
        .api(Method::GET, &format!("{base}/letters"), &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let letters = pdf_text(&res.bytes().await.unwrap());
    assert_eq!(letters.matches("Dear ").count(), 1, "one letter: {letters}");
    // Lines wrap in the PDF: compare with the words run together.
    let flat = letters.split_whitespace().collect::<Vec<_>>().join(" ");
    for says in [
        "Dear Wilma Quenby:",
        "12 Elm St",
        "Austin, TX 78701",
        "The information involved was your name, date of birth and record number; and your medical record",
        "Watch your mail for anything unexpected.",
        "We asked the bakery to destroy the fax.",
        "Visit notes faxed to the wrong number.",
        "Call 1-800-555-0100 (toll free).",
        "Sincerely,",
    ] {
        assert!(flat.contains(says), "{says}: {letters}");
    }
    assert!(!letters.contains("Listed") && !letters.contains("??"), "{letters}");
    assert!(
        !letters.contains("billing") && !letters.contains("appointment"),
        "only what was involved"
    );

    // An audit search, previewed: the nurse's list page named everyone, her chart reads only
    // Wilma. The preview changes nothing.
    let search = json!({"username": "nurse", "from": "2026-03-01", "to": "2026-03-02", "action": "phi.read", "class": "clinical"});
    let (status, found) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope/preview"),
        Some(search.clone()),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["total"], 1, "{found}");
    let found = found["patients"].as_array().unwrap().clone();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0]["name"].as_str(), found[0]["already_in_scope"].as_bool()),
        (Some("Wilma Quenby"), Some(true))
    );
    let wide = json!({"username": "nurse", "from": "2026-03-01", "to": "2026-03-02"});
    let (status, wider) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope/preview"),
        Some(wide.clone()),
    )
    .await;
    assert_eq!(status, 200, "{wider}");
    assert!(
        wider["patients"].as_array().unwrap().len() >= 3,
        "the list page's names: {wider}"
    );
    let (_, incident) = call(&app, &co, Method::GET, &base, None).await;
    assert_eq!(
        (incident["scope"]["patients"].as_i64(), incident["affected"].as_i64()),
        (Some(1), Some(1))
    );
    for (body, says) in [
        (
            json!({"username": "nurse", "from": "2026-03-01", "to": "2026-03-02", "action": "auth.login"}),
            "action",
        ),
        (
            json!({"username": "nurse", "from": "2026-03-01", "to": "2026-03-02", "class": "all"}),
            "kind of information",
        ),
        (
            json!({"username": "nurse", "from": "2026-03-03", "to": "2026-03-02"}),
            "ends before it starts",
        ),
        (
            json!({"username": "nurse", "from": "yesterday", "to": "2026-03-02"}),
            "must be a date",
        ),
    ] {
        let (status, text) = call(&app, &co, Method::POST, &format!("{base}/scope/preview"), Some(body)).await;
        assert_eq!(status, 422, "{text}");
        assert!(text.to_string().contains(says), "{says}: {text}");
    }
    // Adopted: the count follows the scope.
    let (status, scope) = call(&app, &co, Method::POST, &format!("{base}/scope"), Some(wide)).await;
    assert_eq!(status, 200, "{scope}");
    let n = scope["patients"].as_i64().unwrap();
    assert!(n >= 3, "{scope}");
    let (_, incident) = call(&app, &co, Method::GET, &base, None).await;
    assert_eq!(incident["affected"].as_i64(), Some(n));
    // A different number typed is kept, and the page says why it differs.
    let (status, body) = call(
        &app,
        &co,
        Method::PUT,
        &base,
        Some(json!({"phi_involved": true, "safeguard": "none", "discovered_on": "2026-03-02", "affected": 1, "status": "open"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, incident) = call(&app, &co, Method::GET, &base, None).await;
    assert!(
        incident["affected_note"]
            .as_str()
            .is_some_and(|n| n.contains("but 1 is entered as affected")),
        "{incident}"
    );
    // Nora has no address: no letter, named on the substitute-notice list (164.404(d)(2)).
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope/patients"),
        Some(json!({"patient_id": patients[3], "classes": ["identity"]})),
    )
    .await;
    assert_eq!(status, 200);
    let res = app
        .api(Method::GET, &format!("{base}/letters"), &co)
        .send()
        .await
        .unwrap();
    let letters = pdf_text(&res.bytes().await.unwrap())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!letters.contains("Dear Nora"), "{letters}");
    assert!(
        letters.contains("Address missing")
            && letters.contains("Nora Nowhere: no postal address on file")
            && letters.contains("164.404(d)(2)"),
        "{letters}"
    );
    app.stop().await;
}

/// The scope lists its patients by name (an audited read), and one named by mistake is taken
/// out alone: audited naming them, the affected count following the scope.
/// A new incident reported by `token`: its id and its API address.
async fn new_incident(app: &TestApp, token: &str, title: &str, what_happened: &str) -> (i64, String) {
    let (status, body) = call(
        app,
        token,
        Method::POST,
        "/api/v1/incidents",
        Some(json!({"title": title, "what_happened": what_happened})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    (id, format!("/api/v1/incidents/{id}"))
}

#[tokio::test]
async fn a_patient_is_removed_from_the_scope_alone_and_the_count_follows() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let kept = app
        .register_patient(&desk, "Wilma", "Quenby", "1980-04-23", "5550001111")
        .await;
    let mistaken = app
        .register_patient(&desk, "Otto", "Mistook", "1975-01-02", "5550002222")
        .await;
    let (id, base) = new_incident(
        &app,
        &co,
        "A chart printed for the wrong person",
        "Handed over at the desk",
    )
    .await;
    for patient in [kept, mistaken] {
        let (status, scope) = call(
            &app,
            &co,
            Method::POST,
            &format!("{base}/scope/patients"),
            Some(json!({"patient_id": patient, "classes": ["identity", "clinical"]})),
        )
        .await;
        assert_eq!(status, 200, "{scope}");
    }
    let mut page = PageClient::login(&app, "compliance").await;
    let (status, html) = page.get(&format!("/incidents/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("2 patients in the scope"), "{html}");
    assert!(
        html.contains("Wilma Quenby") && html.contains("Otto Mistook"),
        "listed by name"
    );
    assert!(html.contains("Remove Otto Mistook from the scope"));

    let (status, location, _) = page
        .post(&format!("/incidents/{id}/scope/patients/{mistaken}/remove"), &[])
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("/incidents/{id}?done=scope#scope").as_str())
    );
    let (_, html) = page.get(&format!("/incidents/{id}")).await;
    assert!(html.contains("1 patient in the scope"), "{html}");
    assert!(html.contains("Wilma Quenby") && !html.contains("Otto Mistook"));
    let (_, incident) = call(&app, &co, Method::GET, &base, None).await;
    assert_eq!(incident["affected"], 1, "the count follows the scope");

    let (status, _, _) = page
        .post(&format!("/incidents/{id}/scope/patients/{mistaken}/remove"), &[])
        .await;
    assert_eq!(status, 404, "not in the scope any more");
    let (_, audit) = page.get(&format!("/audit?patient={mistaken}&limit=50")).await;
    assert!(audit.contains("scope: one patient removed; 1 in scope"), "{audit}");
    app.stop().await;
}

/// A search that finds more patients than a person reads at once names them a page at a time
/// (the names opened, and audited, are the page's), counts them all, and adopts them all.
#[tokio::test]
async fn a_scope_preview_names_a_page_of_patients_and_adopts_them_all() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let mut ids = Vec::new();
    for n in 0..55 {
        let family = format!(
            "Page{}{}",
            (b'a' + (n / 26) as u8) as char,
            (b'a' + (n % 26) as u8) as char
        );
        let phone = format!("555{:07}", 1000 + n);
        ids.push(app.register_patient(&desk, "Ada", &family, "1980-04-23", &phone).await);
    }
    ids.sort_unstable();
    let (id, base) = new_incident(&app, &co, "The front desk's login was shared", "Found on a sticky note").await;
    let day = carekeep_testkit::START.date().to_string();
    let search = |extra: Value| {
        let mut b = json!({"username": "frontdesk", "from": day, "to": day});
        if let (Some(b), Some(extra)) = (b.as_object_mut(), extra.as_object()) {
            b.extend(extra.clone());
        }
        b
    };
    let (status, first) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope/preview"),
        Some(search(json!({}))),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let named: Vec<i64> = first["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["patient_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        (first["total"].as_u64(), first["offset"].as_u64()),
        (Some(55), Some(0)),
        "{first}"
    );
    assert_eq!(named, ids[..25].to_vec(), "the first 25 by record number");
    let (status, second) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope/preview"),
        Some(search(json!({"offset": 50}))),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let named: Vec<i64> = second["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["patient_id"].as_i64().unwrap())
        .collect();
    assert_eq!(named, ids[50..].to_vec());
    assert!(
        second["patients"][0]["name"].as_str().unwrap().starts_with("Ada Page"),
        "{second}"
    );
    let (status, past) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope/preview"),
        Some(search(json!({"offset": 999, "limit": 10}))),
    )
    .await;
    assert_eq!(status, 200, "{past}");
    assert_eq!(
        (
            past["total"].as_u64(),
            past["offset"].as_u64(),
            past["patients"].as_array().map(Vec::len)
        ),
        (Some(55), Some(55), Some(0))
    );
    for limit in [0, 201] {
        let (status, text) = call(
            &app,
            &co,
            Method::POST,
            &format!("{base}/scope/preview"),
            Some(search(json!({"limit": limit}))),
        )
        .await;
        assert_eq!(status, 422, "{text}");
        assert!(text.to_string().contains("limit must be from 1 to 200"), "{text}");
    }

    // The names opened are the page's: the preview's read names the 25 on the first page and
    // the 5 from the 51st, each once a preview showed them.
    let mut page = PageClient::login(&app, "compliance").await;
    let (_, audit) = page.get(&format!("/audit?patient={}&limit=50", ids[0])).await;
    assert_eq!(audit.matches("would add to the scope").count(), 1, "{audit}");
    let (_, audit) = page.get(&format!("/audit?patient={}&limit=50", ids[54])).await;
    assert_eq!(
        audit.matches("would add to the scope").count(),
        1,
        "once: the second page"
    );

    // The page: a place, the other pages as buttons, the adoption of all.
    let fields = [
        ("username", "frontdesk"),
        ("from", day.as_str()),
        ("to", day.as_str()),
        ("action", ""),
        ("class", ""),
    ];
    let (status, _, html) = page.post(&format!("/incidents/{id}/scope/preview"), &fields).await;
    assert_eq!(status, 200, "{html}");
    for says in [
        "The search finds 55 patients",
        "Patients 1 to 25 of 55, by record number",
        "Next patients",
        "Adopt: add all 55 patients to the scope",
    ] {
        assert!(html.contains(says), "{says}: {html}");
    }
    assert!(!html.contains("Previous patients"));
    let mut next = fields.to_vec();
    next.push(("offset", "50"));
    let (status, _, html) = page.post(&format!("/incidents/{id}/scope/preview"), &next).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Patients 51 to 55 of 55")
            && html.contains("Previous patients")
            && !html.contains("Next patients"),
        "{html}"
    );
    let mut odd = fields.to_vec();
    odd.push(("offset", "fifty"));
    let (status, _, html) = page.post(&format!("/incidents/{id}/scope/preview"), &odd).await;
    assert_eq!(status, 200, "anything but a number is the first page");
    assert!(html.contains("Patients 1 to 25 of 55"), "{html}");

    // Adopted: every patient found, not the page.
    let (status, location, _) = page.post(&format!("/incidents/{id}/scope"), &fields).await;
    assert_eq!(status, 303, "{location:?}");
    let (_, incident) = call(&app, &co, Method::GET, &base, None).await;
    assert_eq!(incident["scope"]["patients"].as_i64(), Some(55), "{incident}");
    let (_, again) = call(
        &app,
        &co,
        Method::POST,
        &format!("{base}/scope/preview"),
        Some(search(json!({}))),
    )
    .await;
    assert_eq!(again["already_in_scope"].as_u64(), Some(55), "{again}");
    app.stop().await;
}
