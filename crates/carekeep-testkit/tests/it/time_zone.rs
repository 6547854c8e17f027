//! The clinic's IANA time zone with daylight saving: appointments typed on the clinic's clock
//! keep their wall time either side of the change, the schedule's day is the clinic's day, and
//! the audit log shows each event on the clinic's clock with EST or EDT. US formats on pages.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;
use time::macros::datetime;

async fn new_york() -> TestApp {
    TestApp::builder()
        .with_config(|c| c.clinic_time_zone = "America/New_York".into())
        .spawn()
        .await
}

#[tokio::test]
async fn the_schedule_keeps_wall_times_across_the_spring_change() {
    let app = new_york().await;
    let token = app.api_login("frontdesk").await;
    let id = app
        .register_patient(&token, "Harriet", "Pemberton", "1970-05-05", "5552017788")
        .await;
    let admin = app.api_login("owner").await;
    let provider = app.user_id(&admin, "provider").await.to_string();
    let mut desk = PageClient::login(&app, "frontdesk").await;
    // Friday before the change (EST, -05:00) and Monday after it (EDT, -04:00); and a time
    // the clocks skip on Sunday the 8th.
    for day in ["03/06/2026", "03/09/2026", "03/08/2026"] {
        let time = if day == "03/08/2026" { "02:30" } else { "14:30" };
        let (status, _, body) = desk
            .post(
                &format!("/patients/{id}/appointments"),
                &[
                    ("provider_id", &provider),
                    ("service", "Follow-up"),
                    ("date", day),
                    ("time", time),
                    ("minutes", "30"),
                ],
            )
            .await;
        assert_eq!(status, 303, "{day}: {body}");
    }
    let list: Value = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts: Vec<&str> = list["scheduling"]["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["start"].as_str().unwrap())
        .collect();
    for want in [
        "2026-03-06T14:30:00-05:00",
        "2026-03-09T14:30:00-04:00",
        "2026-03-08T03:30:00-04:00",
    ] {
        assert!(starts.contains(&want), "{want} in {starts:?}");
    }
    let (_, before) = desk.get("/schedule?date=2026-03-06").await;
    assert!(
        before.contains("Schedule for 03/06/2026") && before.contains("2:30 PM"),
        "{before}"
    );
    let (_, after) = desk.get("/schedule?date=2026-03-09").await;
    assert!(after.contains("2:30 PM") && after.contains("Pemberton"), "{after}");
    // The 23-hour Sunday holds the skipped 2:30, read as 3:30 EDT.
    let (_, sunday) = desk.get("/schedule?date=2026-03-08").await;
    assert!(sunday.contains("3:30 AM") && sunday.contains("Pemberton"), "{sunday}");
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_shows_the_clinics_clock_around_both_changes() {
    let app = new_york().await;
    let token = app.api_login("frontdesk").await;
    let id = app
        .register_patient(&token, "Ottilie", "Carrow", "1980-01-01", "5552017789")
        .await;
    // Chart reads just before and after the spring change and in the hour repeated in autumn.
    let moments = [
        (datetime!(2026-03-08 06:30 UTC), "03/08/2026 1:30 AM EST"),
        (datetime!(2026-03-08 07:30 UTC), "03/08/2026 3:30 AM EDT"),
        (datetime!(2026-11-01 05:30 UTC), "11/01/2026 1:30 AM EDT"),
        (datetime!(2026-11-01 06:30 UTC), "11/01/2026 1:30 AM EST"),
    ];
    for (at, _) in moments {
        app.clock.set(at);
        let token = app.api_login("frontdesk").await;
        let res = app
            .api(Method::GET, &format!("/api/v1/patients/{id}"), &token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let mut co = PageClient::login(&app, "compliance").await;
    let (status, html) = co.get(&format!("/audit?patient={id}&limit=200")).await;
    assert_eq!(status, 200);
    for (_, shown) in moments {
        assert!(html.contains(shown), "{shown} on the audit log");
    }
    // A filter by day is the clinic's day: Sunday March 8 in New York, 23 hours long.
    let (_, day) = co
        .get(&format!("/audit?patient={id}&from=2026-03-08&to=2026-03-08"))
        .await;
    assert!(day.contains("1:30 AM EST") && day.contains("3:30 AM EDT"));
    assert!(!day.contains("11/01/2026"));
    app.stop().await;
}
