//! The audit trail for people: names instead of ids (reading them audited), a person filter by
//! name, and each patient's access timeline listing exactly the events the trail has for them.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn trail(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let res = app
        .api(Method::GET, &format!("/api/v1/audit/events?limit=1000{query}"), token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Vec<Value>>().await.unwrap()
}

/// The `data-seq` of every row of a timeline page, in page order.
fn rows(html: &str) -> Vec<i64> {
    html.split("data-seq=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[tokio::test]
async fn a_patients_timeline_lists_exactly_the_trails_events_for_them() {
    let app = TestApp::spawn().await;
    let (doc, desk) = (app.api_login("provider").await, app.api_login("frontdesk").await);
    let id = app
        .register_patient(&desk, "Alma", "Quenby", "1980-04-23", "555-201-3344")
        .await;
    let other = app
        .register_patient(&desk, "Bea", "Ostrom", "1975-01-02", "555-201-9911")
        .await;
    for who in [&doc, &desk] {
        let res = app
            .api(Method::GET, &format!("/api/v1/patients/{id}"), who)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/entries"), &doc)
        .json(&json!({"kind": "vitals", "pulse_bpm": 64}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .api(Method::GET, &format!("/api/v1/patients/{other}"), &doc)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let co = app.api_login("compliance").await;
    let want: Vec<i64> = trail(&app, &co, &format!("&patient={id}"))
        .await
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert!(want.len() >= 4, "registration, two reads and a vitals entry: {want:?}");

    let mut page = PageClient::login(&app, "compliance").await;
    let (status, html) = page.get(&format!("/audit/patients/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        rows(&html),
        want,
        "the timeline's rows are the trail's events for the patient"
    );
    assert!(html.contains("Who opened Alma Quenby&#39;s record") || html.contains("Who opened Alma Quenby's record"));
    assert!(html.contains("<svg") && html.contains("<title id=\"access-timeline-title\">"));
    for seq in &want {
        assert!(
            html.contains(&format!("href=\"#event-{seq}\"")),
            "the picture links event {seq}"
        );
    }
    assert!(html.contains("Viewed patient information") && html.contains("medical record"));
    assert!(
        !html.contains("Bea") && !html.contains("Ostrom"),
        "only this patient's events"
    );

    // Naming the patient was itself an audited read of identity, and is on the next timeline.
    let after = trail(&app, &co, &format!("&patient={id}")).await;
    let named = &after[0];
    assert_eq!(named["action"], "phi.read");
    assert_eq!(named["actor"], "compliance");
    assert_eq!(named["data_classes"], "identity");
    assert_eq!(named["resource_type"], "AuditEvent");
    let (_, html) = page.get(&format!("/audit/patients/{id}")).await;
    assert_eq!(rows(&html).len(), want.len() + 1);

    // The audit log: patients by name, linking to their timelines; the person filter by name.
    let (status, html) = page.get(&format!("/audit?patient={id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("<a href=\"/audit/patients/{id}\">Alma Quenby</a>")));
    assert!(html.contains("Access timeline of Alma Quenby"));
    assert!(
        html.contains("<option value=\"provider\""),
        "people are offered by name"
    );

    // Without the audit capability: refused, and nothing opened.
    let mut billing = PageClient::login(&app, "billing").await;
    let (status, html) = billing.get(&format!("/audit/patients/{id}")).await;
    assert_eq!(status, 403);
    assert!(!html.contains("Quenby"));
    app.stop().await;
}
