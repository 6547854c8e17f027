//! Access monitoring (164.308(a)(1)(ii)(D)): each rule fires on a seeded case and stays quiet
//! on a normal day; findings are reviewed with a note, and the review is audited.

use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::UserId;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

async fn read_chart(app: &TestApp, user_id: i64, name: &str, at: OffsetDateTime, action: Action, patient: i64) {
    let mut e = AuditEvent::new(
        at,
        AuditActor {
            user_id: Some(UserId(user_id)),
            name: name.into(),
            roles: vec![],
        },
        action,
        Outcome::Success,
        Origin::default(),
    );
    e.patients = vec![patient];
    app.state.app.append_event(e).await.unwrap();
}

#[tokio::test]
async fn each_rule_fires_on_its_case_and_a_normal_day_stays_quiet() {
    let app = TestApp::builder()
        .with_config(|c| c.monitoring_max_charts_per_hour = 5)
        .spawn()
        .await;
    let owner = app.api_login("owner").await;
    let officer = app.api_login("compliance").await;
    let nurse = app.user_id(&owner, "nurse").await;
    let provider = app.user_id(&owner, "provider").await;
    let billing = app.user_id(&owner, "billing").await;
    let monday_morning = carekeep_testkit::START; // Monday 09:00, clinic open 07-19 UTC by default

    // A normal morning: a handful of charts, in hours.
    for i in 0..4 {
        read_chart(
            &app,
            nurse,
            "nurse",
            monday_morning + Duration::minutes(10 * i),
            Action::PhiRead,
            100 + i,
        )
        .await;
    }
    let run = |app: &TestApp| app.api(Method::POST, "/api/v1/monitoring/run", &officer).send();
    let res: Value = run(&app).await.unwrap().json().await.unwrap();
    assert_eq!(res["added"], 0, "a normal day raises nothing");

    // Seeded cases, one per rule.
    for i in 0..6 {
        read_chart(
            &app,
            provider,
            "provider",
            monday_morning + Duration::minutes(i),
            Action::PhiRead,
            500 + i,
        )
        .await;
    }
    read_chart(
        &app,
        nurse,
        "nurse",
        monday_morning + Duration::hours(13),
        Action::PhiRead,
        101,
    )
    .await; // 22:00
    read_chart(&app, nurse, "nurse", monday_morning, Action::BreakGlass, 102).await;
    app.api(Method::POST, &format!("/api/v1/users/{billing}/disable"), &owner)
        .send()
        .await
        .unwrap();
    read_chart(
        &app,
        billing,
        "billing",
        app_now(&app) + Duration::minutes(1),
        Action::PhiRead,
        103,
    )
    .await;

    let res: Value = run(&app).await.unwrap().json().await.unwrap();
    assert_eq!(res["added"], 4, "{res}");
    let res: Value = run(&app).await.unwrap().json().await.unwrap();
    assert_eq!(res["added"], 0, "a second scan of the same events adds nothing");

    let findings: Vec<Value> = app
        .api(Method::GET, "/api/v1/monitoring/findings", &officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rules: std::collections::BTreeMap<String, String> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("after_hours", "nurse"),
            ("break_glass", "nurse"),
            ("bulk_lookup", "provider"),
            ("disabled_account", "billing")
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
    );
    let bulk = findings.iter().find(|f| f["rule"] == "bulk_lookup").unwrap();
    assert_eq!(
        bulk["seqs"].as_array().unwrap().len(),
        6,
        "the finding links to its events"
    );

    // The officer sees the count on the home page; the front desk does not.
    let mut page = PageClient::login(&app, "compliance").await;
    let (_, home) = page.get("/").await;
    assert!(
        home.contains("<strong>4</strong> access-monitoring findings to review"),
        "{home}"
    );
    let mut fd = PageClient::login(&app, "frontdesk").await;
    let (_, home) = fd.get("/").await;
    assert!(!home.contains("access-monitoring"));
    assert_eq!(fd.get("/monitoring").await.0, 403);

    // Review, with a note; audited; once only.
    let id = bulk["id"].as_i64().unwrap();
    let path = format!("/api/v1/monitoring/findings/{id}/review");
    let res = app
        .api(Method::POST, &path, &officer)
        .json(&json!({"note": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .api(Method::POST, &path, &officer)
        .json(&json!({"note": "Month-end chart audit, asked for by Dr. Owner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .api(Method::POST, &path, &officer)
        .json(&json!({"note": "again"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let open: Vec<Value> = app
        .api(Method::GET, "/api/v1/monitoring/findings", &officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(open.len(), 3);
    let trail: Vec<Value> = app
        .api(
            Method::GET,
            "/api/v1/audit/events?action=monitoring.finding_reviewed",
            &officer,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0]["actor"], "compliance");
    // The note may name a patient: it is kept, sealed, with the finding, not in the trail.
    let note = "Month-end chart audit, asked for by Dr. Owner";
    assert!(!trail[0]["reason"].as_str().unwrap().contains("Month-end"));
    let all: Vec<Value> = app
        .api(Method::GET, "/api/v1/monitoring/findings?open=false", &officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(all.iter().any(|f| f["review_note"] == note), "{all:?}");
    app.stop().await;
}

fn app_now(app: &TestApp) -> OffsetDateTime {
    use carekeep_app::Clock;
    app.clock.now()
}

/// The two rules that need records: a chart opened with no appointment or visit within 30
/// days, and a staff member opening the record of a patient with their own surname.
#[tokio::test]
async fn chart_reads_without_care_and_same_surname_reads_are_flagged_from_real_records() {
    let app = TestApp::spawn().await;
    let (desk, doc, nurse) = (
        app.api_login("frontdesk").await,
        app.api_login("provider").await,
        app.api_login("nurse").await,
    );
    let officer = app.api_login("compliance").await;
    let owner = app.api_login("owner").await;
    let doc_id = app.user_id(&owner, "provider").await;
    let seen = app
        .register_patient(&desk, "Tamsin", "Gale", "1970-01-01", "5550001000")
        .await;
    let unseen = app
        .register_patient(&desk, "Ulric", "Marsh", "1971-01-01", "5550002000")
        .await;
    let kin = app
        .register_patient(&desk, "Vera", "Provider", "1972-01-01", "5550003000")
        .await;
    // Back to back: the provider is never double-booked.
    for (p, start) in [(seen, "2026-03-02T10:00:00Z"), (kin, "2026-03-02T10:30:00Z")] {
        let res = app
            .api(Method::POST, &format!("/api/v1/patients/{p}/appointments"), &desk)
            .json(&json!({"provider_id": doc_id, "service": "Visit", "start": start, "minutes": 30}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let read = |token: &str, p: i64| app.api(Method::GET, &format!("/api/v1/patients/{p}"), token).send();
    // A normal morning: the provider opens the chart of a patient booked today.
    assert_eq!(read(&doc, seen).await.unwrap().status(), 200);
    let run = || app.api(Method::POST, "/api/v1/monitoring/run", &officer).send();
    let res: Value = run().await.unwrap().json().await.unwrap();
    assert_eq!(res["added"], 0, "{res}");
    // The front desk reading contact details of an unbooked patient is not a chart opened.
    assert_eq!(read(&desk, unseen).await.unwrap().status(), 200);
    let res: Value = run().await.unwrap().json().await.unwrap();
    assert_eq!(res["added"], 0, "{res}");
    assert_eq!(read(&nurse, unseen).await.unwrap().status(), 200);
    assert_eq!(read(&doc, kin).await.unwrap().status(), 200);
    let res: Value = run().await.unwrap().json().await.unwrap();
    assert_eq!(res["added"], 2, "{res}");
    let findings: Vec<Value> = app
        .api(Method::GET, "/api/v1/monitoring/findings", &officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let got: std::collections::BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("no_care_relationship".to_owned(), "nurse".to_owned()),
            ("same_surname".to_owned(), "provider".to_owned())
        ]
        .into()
    );
    assert!(
        findings
            .iter()
            .all(|f| !f["summary"].as_str().unwrap().contains("Marsh")),
        "summaries carry ids, not names"
    );
    app.stop().await;
}
