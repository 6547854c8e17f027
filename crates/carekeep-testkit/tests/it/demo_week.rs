//! The demo clinic's seeded week (164.308(a)(1)(ii)(D)): access monitoring raises exactly the
//! findings the seed plants, and none for the normal week around them; the monitoring page
//! tells each one as a sentence on the clinic's clock, grouped by person and day, with links
//! to the charts and the audit events, and refuses a review without a note, keeping the typing.

use carekeep_app::demo_records::{seed_records, PLANTED};
use carekeep_app::Clock;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn monitoring_the_seeded_week_finds_only_what_was_planted() {
    let app = TestApp::builder()
        .with_config(|c| c.clinic_time_zone = "America/Chicago".into())
        .spawn()
        .await;
    let before = app.clock.now();
    seed_records(&app.state.app, &app.clock, 50).await.unwrap();
    assert_eq!(app.clock.now(), before, "the seed puts the clock back");

    let officer = app.api_login("compliance").await;
    let findings: Vec<Value> = app
        .api(Method::GET, "/api/v1/monitoring/findings?open=false", &officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut got: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = PLANTED
        .iter()
        .map(|p| (p.rule.code().to_owned(), p.username.to_owned()))
        .collect();
    want.sort();
    assert_eq!(got, want, "{findings:#?}");

    // A second scan now (the server's daily job) adds nothing.
    let res: Value = app
        .api(Method::POST, "/api/v1/monitoring/run", &officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["added"], 0, "{res}");

    let mut page = PageClient::login(&app, "compliance").await;
    let (status, html) = page.get("/monitoring").await;
    assert_eq!(status, 200);
    // Grouped by person and day: the nurse's night and the nurse's afternoon are two days.
    assert_eq!(html.matches("class=\"card person-day\"").count(), 3, "{html}");
    assert!(html.contains("Nora Nurse opened the records of 35 different patients between 11:05 PM and 11:39 PM on Friday, 02/27/2026"), "{html}");
    assert!(
        html.contains("while the clinic was closed (open Monday to Friday, 7:00 AM to 7:00 PM)"),
        "{html}"
    );
    assert!(html.contains("Nora Nurse opened the record of Edith Nurse, who has the same surname, once at 3:50 PM on Tuesday, 02/24/2026"), "{html}");
    assert!(
        html.contains("Edith Nurse had no appointment or visit within 30 days either side"),
        "{html}"
    );
    assert!(
        html.contains("Dr. Priya Provider used emergency access (break glass) to open"),
        "{html}"
    );
    assert!(html.contains("at 4:40 PM on Wednesday, 02/25/2026"), "{html}");
    assert!(html.contains("href=\"/patients/"), "links to the charts");
    assert!(html.contains("href=\"/audit/patients/"), "links to the events");
    assert!(
        html.contains("/audit?user=nurse&amp;from=2026-02-27&amp;to=2026-02-27"),
        "the person's trail that day"
    );
    assert!(!html.contains("UTC") && !html.contains("T23:"), "clinic time, in words");
    assert!(
        html.contains("a review without one is not accepted"),
        "the note's need is explained"
    );

    // A review without a note is refused at its field, with what was typed kept.
    let id = findings.iter().find(|f| f["rule"] == "break_glass").unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _, html) = page.post(&format!("/monitoring/{id}/review"), &[("note", "   ")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("class=\"field-error\""), "{html}");
    assert!(
        html.contains(&format!("href=\"#note-{id}\"")),
        "the summary links to the field"
    );
    let (status, _, _) = page
        .post(
            &format!("/monitoring/{id}/review"),
            &[("note", "Covering for Dr. Owner\r\nconfirmed by phone")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = page.get("/monitoring?all=1").await;
    assert!(html.contains("Reviewed by Cora Compliance on "), "{html}");
    assert!(html.contains("Covering for Dr. Owner"), "{html}");
}
