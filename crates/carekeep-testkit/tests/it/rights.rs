//! Patients' rights: requests with their clocks and the one extension, the append-only
//! disclosure log, the accounting that leaves out exactly the exempt kinds, the dashboard.

use crate::pdf_text;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let res = app.api(method, path, token).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn requests_clocks_disclosures_and_the_accounting() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let patient = app
        .register_patient(&desk, "Wilma", "Quenby", "1980-04-23", "5550001111")
        .await;

    // The clock runs from the received date (the test clock is 2026-03-02).
    let (status, r) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/requests"),
        json!({"kind": "access", "received_on": "2026-01-31", "details": "a copy of my chart"}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(
        (r["due_on"].as_str(), r["cfr"].as_str(), r["patient"].as_str()),
        (Some("2026-03-02"), Some("164.524(b)(2)"), Some("Wilma Quenby"))
    );
    assert_eq!(r["standing"], "due_soon");
    let access = r["id"].as_i64().unwrap();
    let (status, _) = call(&app, &desk, Method::GET, "/api/v1/requests", json!({})).await;
    assert_eq!(status, 403, "requests are the compliance officer's");
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/requests"),
        json!({"kind": "gossip", "details": "x"}),
    )
    .await;
    assert_eq!(status, 422);

    // An amendment received long ago: the extension comes too late and is refused.
    let (_, late) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/requests"),
        json!({"kind": "amendment", "received_on": "2025-12-01", "details": "my allergy is wrong"}),
    )
    .await;
    assert_eq!(late["standing"], "gap");
    let (status, text) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{}/extension", late["id"]),
        json!({"reason": "records in storage"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.to_string().contains("too late"), "{text}");
    // The access request: extended in time, once.
    let (status, ext) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{access}/extension"),
        json!({"reason": "old paper records at the other office"}),
    )
    .await;
    assert_eq!(status, 200, "{ext}");
    assert_eq!(ext["due_on"], "2026-04-01");
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{access}/extension"),
        json!({"reason": "again"}),
    )
    .await;
    assert_eq!(status, 409);
    // A denial needs its basis.
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{}/decision", late["id"]),
        json!({"outcome": "denied"}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, d) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{}/decision", late["id"]),
        json!({"outcome": "denied", "reason": "the record is accurate and complete (164.526(a)(2)(iv))", "contact": "Privacy officer, 555-0100"}),
    )
    .await;
    assert_eq!((status, d["status"].as_str()), (200, Some("denied")));

    // The disclosure log: accountable and exempt entries, and a correction.
    let disclose = |on: &str, recipient: &str, basis: &str| json!({"disclosed_on": on, "recipient": recipient, "description": "immunization record", "purpose": "state registry report", "basis": basis});
    let (status, auth) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/authorizations"),
        json!({"description": "immunization record", "disclosed_by": "the clinic", "recipients": "Dr Referral", "purpose": "at the request of the individual", "signed_by": "the patient", "signed_on": "2026-02-01", "expiry_event": "end of the referral"}),
    )
    .await;
    assert_eq!(status, 201, "{auth}");
    let mut authorized = disclose("2026-02-11", "Dr Referral", "authorization");
    authorized["authorization_id"] = auth["id"].clone();
    let mut ids = Vec::new();
    for body in [
        disclose("2026-01-05", "State Immunization Registry", "public_health"),
        disclose("2026-02-05", "State Immunization Registry", "public_health"),
        disclose("2026-02-10", "Acme Health Plan", "tpo"),
        authorized,
        disclose("2026-02-12", "County Sheriff", "law_enforcement"),
    ] {
        let (status, b) = call(
            &app,
            &co,
            Method::POST,
            &format!("/api/v1/patients/{patient}/disclosures"),
            body,
        )
        .await;
        assert_eq!(status, 201, "{b}");
        ids.push(b["id"].as_i64().unwrap());
    }
    // The sheriff entry named the wrong office: corrected by a new entry, never edited.
    let mut fix = disclose("2026-02-12", "City Police Department", "law_enforcement");
    fix["corrects"] = json!(ids[4]);
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/disclosures"),
        fix,
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/disclosures"),
        disclose("2026-02-12", "X", "gossip"),
    )
    .await;
    assert_eq!(status, 422);
    {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        for sql in ["UPDATE disclosures SET basis = 'tpo'", "DELETE FROM disclosures"] {
            let err = sqlx::query(sql).execute(&mut *conn).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
    }
    let (_, log) = call(
        &app,
        &co,
        Method::GET,
        &format!("/api/v1/patients/{patient}/disclosures"),
        json!({}),
    )
    .await;
    let log = log.as_array().unwrap().clone();
    assert_eq!(log.len(), 6);
    assert_eq!(log.iter().find(|d| d["id"] == ids[4]).unwrap()["superseded"], true);
    assert_eq!(
        log.iter().find(|d| d["id"] == ids[2]).unwrap()["exempt_under"],
        "164.528(a)(1)(i)"
    );

    // The accounting: the registry series summarised, the corrected police entry, no exempt ones.
    let (status, acct) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/requests"),
        json!({"kind": "accounting", "details": "who saw my record"}),
    )
    .await;
    assert_eq!(
        (status, acct["fee_free"].as_bool(), acct["due_on"].as_str()),
        (201, Some(true), Some("2026-05-01"))
    );
    let (_, second) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/requests"),
        json!({"kind": "accounting", "details": "again"}),
    )
    .await;
    assert_eq!(
        second["fee_free"], false,
        "164.528(c)(2): the second in 12 months may carry a fee"
    );
    let res = app
        .api(Method::GET, &format!("/api/v1/patients/{patient}/accounting"), &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = pdf_text(&res.bytes().await.unwrap());
    assert!(
        text.contains("Wilma Quenby")
            && text.contains("State Immunization Registry")
            && text.contains("Disclosed 2 times"),
        "{text}"
    );
    assert!(
        text.contains("City Police Department") && !text.contains("County Sheriff"),
        "{text}"
    );
    assert!(
        !text.contains("Acme Health Plan") && !text.contains("Dr Referral"),
        "{text}"
    );
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/patients/{patient}/accounting?from=2019-01-01"),
            &co,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "at most six years");

    // The dashboard follows the clocks.
    let owner = app.api_login("owner").await;
    let (_, items) = call(&app, &owner, Method::GET, "/api/v1/program/dashboard", json!({})).await;
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "requests")
        .unwrap()
        .clone();
    assert_eq!(item["standing"], "due_soon", "{item}");
    assert!(item["evidence"].as_str().unwrap().contains("3 requests open"), "{item}");

    // The pages.
    let mut page = PageClient::login(&app, "compliance").await;
    let (status, html) = page.get("/requests").await;
    assert_eq!(status, 200);
    assert!(html.contains("Wilma Quenby") && html.contains("04/01/2026"), "US dates");
    let (status, html) = page.get(&format!("/requests/patients/{patient}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("City Police Department") && html.contains("corrected"));
    let (status, _, body) = page
        .post("/requests", &[("patient", "abc"), ("kind", "access"), ("details", "x")])
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("choose the patient: type their name"),
        "patients are chosen by name, not number"
    );
    app.stop().await;
}

#[tokio::test]
async fn decisions_letters_documents_amendments_restrictions_and_authorizations() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let doc = app.api_login("provider").await;
    let co = app.api_login("compliance").await;
    let patient = app
        .register_patient(&desk, "Wilma", "Quenby", "1980-04-23", "5550001111")
        .await;
    let open = |kind: &str, extra: Value| {
        let mut body = json!({"kind": kind, "details": "as asked at the desk"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let new_request = |body: Value| {
        let (app, co) = (&app, &co);
        async move {
            let (s, r) = call(
                app,
                co,
                Method::POST,
                &format!("/api/v1/patients/{patient}/requests"),
                body,
            )
            .await;
            assert_eq!(s, 201, "{r}");
            r["id"].as_i64().unwrap()
        }
    };
    let decide = |id: i64, body: Value| {
        let (app, co) = (&app, &co);
        async move { call(app, co, Method::POST, &format!("/api/v1/requests/{id}/decision"), body).await }
    };

    // An access denial needs its basis and who takes complaints, with a phone (164.524(d)(2)).
    let access = new_request(open("access", json!({}))).await;
    let (s, r) = decide(access, json!({"outcome": "denied", "reason": "psychotherapy notes"})).await;
    assert_eq!(s, 422, "{r}");
    assert!(r["message"].as_str().unwrap().contains("phone"), "{r}");
    let (s, _) = decide(
        access,
        json!({"outcome": "denied", "reason": "a licensed professional judged access would endanger a life", "contact": "Privacy officer, 555-0100", "reviewable": true}),
    )
    .await;
    assert_eq!(s, 200);
    let res = app
        .api(Method::GET, &format!("/api/v1/requests/{access}/letter"), &co)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let letter = pdf_text(&res.bytes().await.unwrap());
    for must in [
        "Wilma Quenby",
        "Why: a licensed professional",
        "reviewed",
        "555-0100",
        "Health and Human Services",
    ] {
        assert!(letter.contains(must), "the letter lacks {must}: {letter}");
    }
    let (s, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{access}/documents"),
        json!({"kind": "decision_letter", "how": "mail"}),
    )
    .await;
    assert_eq!(s, 201);
    let (_, sent) = call(
        &app,
        &co,
        Method::GET,
        &format!("/api/v1/patients/{patient}/request-documents"),
        json!({}),
    )
    .await;
    assert_eq!(sent[0]["how"], "mail");
    assert_eq!(sent[0]["sent_on"], "2026-03-02");

    // An accepted amendment is appended to the chart, never overwriting it (164.526(c)(1)).
    let note: Value = app
        .api(Method::POST, &format!("/api/v1/patients/{patient}/notes"), &doc)
        .json(&json!({"subjective": "allergy to penicillin"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let note = note["id"].as_i64().unwrap();
    let amend = new_request(open("amendment", json!({}))).await;
    let (s, _) = decide(amend, json!({"outcome": "granted"})).await;
    assert_eq!(s, 422, "the amendment text is needed");
    let (s, r) = decide(
        amend,
        json!({"outcome": "granted", "amendment": "The allergy is to amoxicillin, not penicillin.", "amendment_note": note}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["amendment_to_file"], true, "a clinician files it: {r}");
    let chart = || {
        app.api(Method::GET, &format!("/api/v1/patients/{patient}"), &doc)
            .send()
    };
    let before: Value = chart().await.unwrap().json().await.unwrap();
    assert!(before["clinical"]["encounters"][0]["addenda"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        before["clinical"]["amendments_to_file"][0]["request_id"], amend,
        "the chart shows the amendment waiting"
    );
    let file = format!("/api/v1/patients/{patient}/amendments/{amend}");
    let (s, r) = call(&app, &doc, Method::POST, &file, json!({})).await;
    assert_eq!(s, 409, "a draft is changed by its author, not amended: {r}");
    let (s, _) = call(
        &app,
        &doc,
        Method::POST,
        &format!("/api/v1/notes/{note}/sign"),
        json!({}),
    )
    .await;
    assert_eq!(s, 204);
    let (s, r) = call(&app, &doc, Method::POST, &file, json!({})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["amendment_to_file"], false);
    assert!(r["amendment_filed"].as_str().unwrap().contains("2026-03-02"), "{r}");
    let after: Value = chart().await.unwrap().json().await.unwrap();
    let enc = &after["clinical"]["encounters"][0];
    assert_eq!(enc["subjective"], "allergy to penicillin", "the original stays");
    assert!(enc["addenda"][0]["text"].as_str().unwrap().contains("amoxicillin"));
    assert!(after["clinical"]["amendments_to_file"].as_array().unwrap().is_empty());
    let (s, _) = call(&app, &doc, Method::POST, &file, json!({})).await;
    assert_eq!(s, 409, "filed once");

    // The self-pay restriction must be accepted and only the patient can end it (164.522(a)).
    let self_pay = new_request(open("restriction", json!({"self_pay": true}))).await;
    let (s, r) = decide(self_pay, json!({"outcome": "denied", "reason": "policy"})).await;
    assert_eq!(s, 422);
    assert!(r["message"].as_str().unwrap().contains("164.522(a)(1)(vi)"));
    let (s, _) = decide(
        self_pay,
        json!({"outcome": "granted", "reason": "the March laser visit, paid in cash"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{self_pay}/termination"),
        json!({"how": "clinic_informs"}),
    )
    .await;
    assert_eq!(s, 422, "the clinic cannot end it alone");
    // Confidential communications are accommodated, and the desk sees how on the chart.
    let conf = new_request(open("confidential_communication", json!({}))).await;
    let (s, _) = decide(conf, json!({"outcome": "denied", "reason": "why?"})).await;
    assert_eq!(s, 422, "a provider may not refuse or ask why");
    let (s, _) = decide(
        conf,
        json!({"outcome": "granted", "accommodation": "work phone 555-0199 only"}),
    )
    .await;
    assert_eq!(s, 200);
    let mut desk_page = PageClient::login(&app, "frontdesk").await;
    let (_, html) = desk_page.get(&format!("/patients/{patient}")).await;
    assert!(
        html.contains("Contact only this way: work phone 555-0199 only"),
        "{html}"
    );
    assert!(html.contains("Self-pay restriction: do not disclose to the health plan"));
    let (s, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{self_pay}/termination"),
        json!({"how": "patient_in_writing", "note": "letter of 2 March"}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, html) = desk_page.get(&format!("/patients/{patient}")).await;
    assert!(
        !html.contains("Self-pay restriction"),
        "a terminated restriction is no longer shown"
    );

    // Authorizations: every core element (164.508(c)(1)); a disclosure under one names a valid
    // one; after a revocation (164.508(b)(5)) it cannot be relied on.
    let (s, r) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/authorizations"),
        json!({"description": "March visit notes", "disclosed_by": "the clinic", "recipients": "Acme Life", "signed_by": "the patient", "signed_on": "2026-03-01", "expires_on": "2026-12-31"}),
    )
    .await;
    assert_eq!(s, 422, "no purpose: {r}");
    let (s, r) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/authorizations"),
        json!({"description": "March visit notes", "disclosed_by": "the clinic", "recipients": "Acme Life", "purpose": "insurance application", "signed_by": "the patient", "signed_on": "2026-03-01", "expires_on": "2026-12-31"}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let auth = r["id"].as_i64().unwrap();
    let disclose = |basis: &str, authorization: Option<i64>| {
        let (app, co) = (&app, &co);
        let body = json!({"recipient": "Acme Life", "description": "visit notes", "purpose": "insurance", "basis": basis, "authorization_id": authorization});
        async move {
            call(
                app,
                co,
                Method::POST,
                &format!("/api/v1/patients/{patient}/disclosures"),
                body,
            )
            .await
        }
    };
    assert_eq!(disclose("authorization", None).await.0, 422);
    assert_eq!(disclose("public_health", Some(auth)).await.0, 422);
    assert_eq!(disclose("authorization", Some(auth)).await.0, 201);
    let (s, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/authorizations/{auth}/revocation"),
        json!({}),
    )
    .await;
    assert_eq!(s, 204);
    let (s, r) = disclose("authorization", Some(auth)).await;
    assert_eq!(s, 422);
    assert!(r["message"].as_str().unwrap().contains("revoked"), "{r}");
    let (_, list) = call(
        &app,
        &co,
        Method::GET,
        &format!("/api/v1/patients/{patient}/authorizations"),
        json!({}),
    )
    .await;
    assert_eq!(
        (list[0]["valid"].as_bool(), list[0]["revoked_on"].as_str()),
        (Some(false), Some("2026-03-02"))
    );
    let (s, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/authorizations/{auth}/revocation"),
        json!({}),
    )
    .await;
    assert_eq!(s, 409, "revoked once");
    // The database itself keeps an authorization as signed and documents sent.
    for sql in [
        format!("UPDATE authorizations SET expires_on = '2030-01-01' WHERE id = {auth}"),
        format!("DELETE FROM authorizations WHERE id = {auth}"),
        "DELETE FROM request_documents".to_owned(),
        "UPDATE request_documents SET kind = 'x'".to_owned(),
    ] {
        let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
        let refused = sqlx::query(&sql).execute(tx.conn()).await;
        assert!(refused.is_err(), "{sql} is refused");
    }
}

#[tokio::test]
async fn the_requests_pages_decide_file_authorizations_and_record_what_was_sent() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let patient = app
        .register_patient(&desk, "Wilma", "Quenby", "1980-04-23", "5550001111")
        .await;
    let mut co = PageClient::login(&app, "compliance").await;
    let pid = patient.to_string();
    let (status, _, body) = co
        .post(
            "/requests",
            &[("patient", &pid), ("kind", "amendment"), ("details", "wrong allergy")],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (_, html) = co.get("/requests").await;
    assert!(html.contains("Amendment to append to the chart"));
    let id = html
        .split("data-request=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (status, _, body) = co
        .post(
            &format!("/requests/{id}/decision"),
            &[("outcome", "denied"), ("reason", "accurate and complete")],
        )
        .await;
    assert_eq!(status, 422, "no complaint contact");
    assert!(body.contains("phone number"), "the page says what to fix");
    let (status, _, _) = co
        .post(
            &format!("/requests/{id}/decision"),
            &[
                ("outcome", "denied"),
                ("reason", "accurate and complete"),
                ("contact", "Privacy officer, 555-0100"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, letter) = co.get(&format!("/requests/{id}/letter.pdf")).await;
    assert_eq!(status, 200);
    assert!(letter.starts_with("%PDF"));
    let (status, _, _) = co
        .post(
            &format!("/requests/{id}/documents"),
            &[("kind", "decision_letter"), ("how", "email")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = co.get("/requests").await;
    assert!(html.contains("decision_letter by email"), "{html}");

    let (status, _, body) = co
        .post(
            &format!("/requests/patients/{patient}/authorizations"),
            &[
                ("description", "visit notes"),
                ("disclosed_by", "the clinic"),
                ("recipients", "Acme Life"),
                ("purpose", "insurance"),
                ("signed_by", "the patient"),
                ("signed_on", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(status, 422, "no expiry: {body}");
    assert!(body.contains("expiration date or event"));
    let (status, _, _) = co
        .post(
            &format!("/requests/patients/{patient}/authorizations"),
            &[
                ("description", "visit notes"),
                ("disclosed_by", "the clinic"),
                ("recipients", "Acme Life"),
                ("purpose", "insurance"),
                ("signed_by", "the patient"),
                ("signed_on", "2026-03-01"),
                ("expiry_event", "policy issued"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = co.get(&format!("/requests/patients/{patient}")).await;
    assert!(html.contains("data-authorization=") && html.contains("to Acme Life"));
}

/// The newest audit event's sequence number, and the PHI reads after a given one.
async fn reads_after(app: &TestApp, co: &str, after: i64) -> (i64, Vec<Value>) {
    let ev: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?limit=50", co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let head = ev.iter().filter_map(|e| e["seq"].as_i64()).max().unwrap_or(0);
    let reads = ev
        .into_iter()
        .filter(|e| e["seq"].as_i64().unwrap() > after && e["action"] == "phi.read")
        .collect();
    (head, reads)
}

/// The list of patients' requests, the documents sent for them and the authorizations on file
/// show patients' names and what they asked: each read leaves its event naming the patients
/// shown (164.312(b)), on the API and on the Requests page alike.
#[tokio::test]
async fn reading_requests_documents_and_authorizations_is_audited() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let patient = app
        .register_patient(&desk, "Wilma", "Quenby", "1980-04-23", "5550001111")
        .await;
    let (s, r) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/requests"),
        json!({"kind": "access", "received_on": "2026-02-20", "details": "a copy of my chart"}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let request = r["id"].as_i64().unwrap();
    let (s, _) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{request}/documents"),
        json!({"kind": "other", "how": "mail"}),
    )
    .await;
    assert_eq!(s, 201);
    let named = |e: &Value| {
        e["patients"]
            .as_str()
            .unwrap()
            .split(',')
            .any(|p| p == patient.to_string())
    };
    let mut page = PageClient::login(&app, "compliance").await;
    let (mut seen, _) = reads_after(&app, &co, 0).await;
    for (what, path) in [
        ("the list of requests", "/api/v1/requests".to_owned()),
        (
            "the documents sent",
            format!("/api/v1/patients/{patient}/request-documents"),
        ),
        (
            "the authorizations on file",
            format!("/api/v1/patients/{patient}/authorizations"),
        ),
        ("the Requests page", "/requests".to_owned()),
    ] {
        let status = if path.starts_with("/api/") {
            call(&app, &co, Method::GET, &path, json!({})).await.0
        } else {
            page.get(&path).await.0
        };
        assert_eq!(status, 200, "{what}");
        let (head, reads) = reads_after(&app, &co, seen).await;
        assert!(
            reads.iter().any(named),
            "{what} wrote no read event naming the patient: {reads:?}"
        );
        seen = head;
    }
    app.stop().await;
}

/// The compliance officer decides an amendment request but may not write clinical data: the
/// accepted amendment waits on the chart, and only a clinician the chart's policy lets write
/// it files it. On a chart restricted to its named provider, neither the compliance officer
/// nor another nurse can; each refusal is audited (164.526(c)(1), 164.502(b)).
#[tokio::test]
async fn an_accepted_amendment_reaches_a_restricted_chart_only_through_its_provider() {
    let app = TestApp::spawn().await;
    let (desk, co, owner) = (
        app.api_login("frontdesk").await,
        app.api_login("compliance").await,
        app.api_login("owner").await,
    );
    let patient = app
        .register_patient(&desk, "Wilma", "Quenby", "1980-04-23", "5550001111")
        .await;
    let provider = app.user_id(&owner, "provider").await;
    let (s, _) = call(
        &app,
        &owner,
        Method::PUT,
        &format!("/api/v1/patients/{patient}/restriction"),
        json!({"restricted": true, "providers": [provider]}),
    )
    .await;
    assert!((200..300).contains(&s));
    let (_, r) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/patients/{patient}/requests"),
        json!({"kind": "amendment", "received_on": "2026-02-20", "details": "my allergy is wrong"}),
    )
    .await;
    let amend = r["id"].as_i64().unwrap();
    let (s, r) = call(
        &app,
        &co,
        Method::POST,
        &format!("/api/v1/requests/{amend}/decision"),
        json!({"outcome": "granted", "amendment": "Allergic to latex, not to penicillin."}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let file = format!("/api/v1/patients/{patient}/amendments/{amend}");
    let nurse = app.api_login("nurse").await;
    for (who, token) in [
        ("the compliance officer", &co),
        ("a nurse not named on the chart", &nurse),
    ] {
        let (s, r) = call(&app, token, Method::POST, &file, json!({})).await;
        assert_eq!(s, 403, "{who} cannot write this chart: {r}");
    }
    let denied: Vec<Value> = app
        .api(Method::GET, &format!("/api/v1/audit/events?patient={patient}"), &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        denied.iter().filter(|e| e["outcome"] == "denied").count() >= 2,
        "each refusal is on the record: {denied:?}"
    );
    let doc = app.api_login("provider").await;
    let (s, r) = call(&app, &doc, Method::POST, &file, json!({})).await;
    assert_eq!(s, 200, "the named provider files it: {r}");
    let chart: Value = app
        .api(Method::GET, &format!("/api/v1/patients/{patient}"), &doc)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let note = &chart["clinical"]["encounters"][0];
    assert!(note["assessment"].as_str().unwrap().contains("latex"), "{chart}");
    assert_eq!(
        note["author_name"], "Dr. Priya Provider",
        "signed by the provider who filed it"
    );
    app.stop().await;
}
