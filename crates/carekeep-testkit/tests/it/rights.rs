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
        json!({"outcome": "denied", "reason": "the record is accurate and complete (164.526(a)(2)(iv))"}),
    )
    .await;
    assert_eq!((status, d["status"].as_str()), (200, Some("denied")));

    // The disclosure log: accountable and exempt entries, and a correction.
    let disclose = |on: &str, recipient: &str, basis: &str| json!({"disclosed_on": on, "recipient": recipient, "description": "immunization record", "purpose": "state registry report", "basis": basis});
    let mut ids = Vec::new();
    for body in [
        disclose("2026-01-05", "State Immunization Registry", "public_health"),
        disclose("2026-02-05", "State Immunization Registry", "public_health"),
        disclose("2026-02-10", "Acme Health Plan", "tpo"),
        disclose("2026-02-11", "Dr Referral", "authorization"),
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
        let mut conn = app.state.app.store().read().await.unwrap();
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
    assert!(html.contains("Wilma Quenby") && html.contains("2026-04-01"));
    let (status, html) = page.get(&format!("/requests/patients/{patient}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("City Police Department") && html.contains("corrected"));
    let (status, _, body) = page
        .post("/requests", &[("patient", "abc"), ("kind", "access"), ("details", "x")])
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("patient number"));
    app.stop().await;
}
