//! The chart opens on what a clinician needs first: allergies (or that none are known), active
//! problems, current medications, alerts and the next appointment, before any section; the
//! privacy notice is a line in the header; vitals have a trend picture.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// The chart's own header (the page's top bar is a header too).
fn chart_head(html: &str) -> &str {
    let start = html.find("<header class=\"chart-head").unwrap();
    let end = start + html[start..].find("</header>").unwrap();
    &html[start..end]
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) {
    let res = app.api(Method::POST, path, token).json(&body).send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
}

#[tokio::test]
async fn the_header_comes_first_with_allergies_problems_medications_and_the_next_visit() {
    let app = TestApp::spawn().await;
    // A published notice, so an acknowledgement can be recorded from the header.
    let mut owner = PageClient::login(&app, "owner").await;
    let text =
        carekeep_domain::program::npp::template("Test Clinic", "the privacy officer, Dana", "555-0100", "2026-03-02");
    let (status, _, _) = owner
        .post("/program/npp", &[("body", &text), ("effective_on", "2026-03-02")])
        .await;
    assert_eq!(status, 303);
    let (provider, desk) = (app.api_login("provider").await, app.api_login("frontdesk").await);
    let admin = app.api_login("owner").await;
    let doc = app.user_id(&admin, "provider").await;
    let id = app
        .register_patient(&desk, "Alma", "Quenby", "1980-04-23", "555-201-3344")
        .await;
    let other = app
        .register_patient(&desk, "Bea", "Ostrom", "1975-01-02", "555-201-9911")
        .await;
    let entries = format!("/api/v1/patients/{id}/entries");
    post(
        &app,
        &provider,
        &entries,
        json!({"kind": "allergy", "substance": "Penicillin", "reaction": "hives", "severity": "severe"}),
    )
    .await;
    post(
        &app,
        &provider,
        &entries,
        json!({"kind": "diagnosis", "code": "E11.9", "description": "Type 2 diabetes"}),
    )
    .await;
    post(
        &app,
        &provider,
        &entries,
        json!({"kind": "medication", "name": "Metformin", "dose": "500 mg", "frequency": "twice a day"}),
    )
    .await;
    post(
        &app,
        &provider,
        &entries,
        json!({"kind": "vitals", "systolic_mmhg": 138, "diastolic_mmhg": 88, "pulse_bpm": 76}),
    )
    .await;
    // One visit soon past, the next on 03/20/2026, a later one in September.
    let appts = format!("/api/v1/patients/{id}/appointments");
    post(
        &app,
        &desk,
        &appts,
        json!({"provider_id": doc, "service": "First visit", "start": "2026-03-03T15:00:00Z", "minutes": 30}),
    )
    .await;
    post(
        &app,
        &desk,
        &appts,
        json!({"provider_id": doc, "service": "Follow-up visit", "start": "2026-03-20T14:00:00Z", "minutes": 30}),
    )
    .await;
    post(
        &app,
        &desk,
        &appts,
        json!({"provider_id": doc, "service": "Yearly check", "start": "2026-09-01T14:00:00Z", "minutes": 30}),
    )
    .await;
    app.clock.advance(time::Duration::days(14));
    let provider = app.api_login("provider").await;
    post(
        &app,
        &provider,
        &entries,
        json!({"kind": "vitals", "systolic_mmhg": 124, "diastolic_mmhg": 80, "pulse_bpm": 70}),
    )
    .await;

    let mut doc_page = PageClient::login(&app, "provider").await;
    let (status, html) = doc_page.get(&format!("/patients/{id}")).await;
    assert_eq!(status, 200);
    let header = chart_head(&html);
    let notes_at = html.find("id=\"notes\"").unwrap();
    for want in [
        "Allergies",
        "Penicillin",
        "Active problems",
        "Type 2 diabetes",
        "Current medications",
        "Metformin",
        "Next appointment",
        "Follow-up visit",
        "Notice of Privacy Practices",
        "not acknowledged",
    ] {
        assert!(header.contains(want), "the header shows {want}");
    }
    assert!(!header.contains("First visit"), "a past visit is not the next one");
    assert!(!header.contains("Yearly check"), "the earliest to come is the next one");
    assert!(
        html.find("Penicillin").unwrap() < notes_at,
        "allergies before the sections"
    );
    // The vitals trend: an SVG with its title and its text equivalent.
    let vitals = &html[html.find("id=\"vitals\"").unwrap()..];
    assert!(vitals.contains("<svg") && vitals.contains("<title id=\"vitals-trend-title\">Vitals over time</title>"));
    assert!(vitals.contains("Systolic 138 mmHg on 03/02/2026 to 124 mmHg on 03/16/2026"));

    // Acknowledging the notice from the header turns the line into the acknowledgement.
    let (status, _, _) = doc_page
        .post(&format!("/patients/{id}/npp"), &[("kind", "signed")])
        .await;
    assert_eq!(status, 303);
    let (_, html) = doc_page.get(&format!("/patients/{id}")).await;
    let header = chart_head(&html);
    assert!(!header.contains("not acknowledged"));
    assert!(!html.contains("Patient signed the acknowledgment"));

    // A patient with nothing recorded: no known allergies, nothing booked, no picture.
    let (_, html) = doc_page.get(&format!("/patients/{other}")).await;
    assert!(html.contains("No known allergies recorded"));
    assert!(html.contains("None booked"));
    assert!(!html.contains("<svg"));

    // The front desk sees the next appointment, and nothing clinical in the header.
    let mut desk_page = PageClient::login(&app, "frontdesk").await;
    let (_, html) = desk_page.get(&format!("/patients/{id}")).await;
    let header = chart_head(&html);
    assert!(header.contains("Follow-up visit"));
    for hidden in ["Allergies", "Penicillin", "Metformin", "Type 2 diabetes"] {
        assert!(!html.contains(hidden), "the front desk's header leaves out {hidden}");
    }
    app.stop().await;
}
