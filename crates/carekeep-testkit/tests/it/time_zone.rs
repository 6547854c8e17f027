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

/// The owner changes the clinic's zone in the browser: audited as a configuration change,
/// in force at once (the audit log's times move to the new clock without a restart); a zone
/// Carekeep does not know is refused at the field; others cannot reach the page.
#[tokio::test]
async fn the_owner_changes_the_time_zone_in_settings_and_it_applies_at_once() {
    let app = new_york().await;
    app.clock.set(datetime!(2026-07-15 18:30 UTC));
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = owner.get("/admin/settings").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("07/15/2026 2:30 PM EDT"), "the clinic's time now: {html}");
    assert!(html.contains(r#"<option value="America/New_York" selected>Eastern time (New York)</option>"#));
    let us = html.find("Pacific time (Los Angeles)").unwrap();
    let paris = html.find(r#"value="Europe/Paris""#).expect("every IANA name");
    assert!(us < paris, "the US zones first");

    let (status, _, html) = owner
        .post("/admin/settings/time-zone", &[("time_zone", "Mars/Olympus_Mons")])
        .await;
    assert_eq!(status, 422, "refused at the field, not an error page");
    assert!(
        html.contains(r#"id="time_zone-error""#) && html.contains("not one Carekeep knows"),
        "{html}"
    );
    assert!(
        html.contains(r##"href="#time_zone""##),
        "the summary links to the field"
    );

    let (status, location, _) = owner
        .post("/admin/settings/time-zone", &[("time_zone", "America/Los_Angeles")])
        .await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/admin/settings?done=zone#time-zone"));
    let (_, html) = owner.get("/admin/settings?done=zone").await;
    assert!(html.contains("07/15/2026 11:30 AM PDT"), "{html}");
    assert!(html.contains("Time zone saved"));

    let mut co = PageClient::login(&app, "compliance").await;
    let (_, audit) = co.get("/audit?limit=50").await;
    assert!(
        audit.contains("time zone America/Los_Angeles (was America/New_York)"),
        "the change is on the trail with both zones: {audit}"
    );
    assert!(
        audit.contains("07/15/2026 11:30 AM PDT"),
        "the trail now reads on the new clock"
    );
    let (status, _) = co.get("/admin/settings").await;
    assert_eq!(status, 403, "the compliance officer does not set the zone");
    let (status, _, _) = co.post("/admin/settings/time-zone", &[("time_zone", "UTC")]).await;
    assert_eq!(status, 403);
    app.stop().await;
}
