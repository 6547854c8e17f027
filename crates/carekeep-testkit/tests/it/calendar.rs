//! The calendar's set-up page (issue 26): services, rooms, working hours and time off, kept by
//! the owner and the front desk, every change audited; a refused form keeps what was typed.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;

async fn newest_event(app: &TestApp, co: &str) -> Value {
    let newest: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?limit=1", co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    newest[0].clone()
}

#[tokio::test]
async fn the_front_desk_sets_up_services_rooms_hours_and_time_off() {
    let app = TestApp::spawn().await;
    let co = app.api_login("compliance").await;
    let owner = app.api_login("owner").await;
    let mut billing = PageClient::login(&app, "billing").await;
    let (status, _) = billing.get("/calendar/setup").await;
    assert_eq!(status, 403, "billing does not keep the calendar");
    let e = newest_event(&app, &co).await;
    assert_eq!(e["outcome"], "denied", "{e}");

    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, html) = desk.get("/calendar/setup").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("No services yet"), "{html}");

    // A room, then a service that needs it.
    let (status, location, body) = desk.post("/calendar/setup/rooms", &[("room_name", "Exam 1")]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/calendar/setup?done=room#rooms"));
    let e = newest_event(&app, &co).await;
    assert_eq!(e["action"], "calendar.changed", "{e}");
    let (status, body) = desk.get("/calendar/setup").await;
    assert_eq!(status, 200);
    assert!(body.contains("<li>Exam 1</li>"), "{body}");
    let owner_principal = app.principal(&owner).await;
    let room_id = app
        .state
        .app
        .calendar_setup(&owner_principal.actor())
        .await
        .unwrap()
        .rooms[0]
        .id;
    let providers = app.state.app.bookable_providers().await.unwrap();
    let provider = providers[0].0 .0.to_string();

    // Mistakes come back with everything typed, the message at the field.
    let typed_forms = "Consent to treat\r\nPhotography consent";
    let (status, _, html) = desk
        .post(
            "/calendar/setup/services",
            &[
                ("name", "Laser session"),
                ("minutes", "forty"),
                ("buffer_minutes", "15"),
                ("room_id", &room_id.to_string()),
                ("equipment", "Laser"),
                ("forms", typed_forms),
                ("provider", &provider),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("id=\"minutes-error\""),
        "the message sits at the length: {html}"
    );
    assert!(
        html.contains("the length is a number of minutes from 5 to 720"),
        "{html}"
    );
    assert!(html.contains("value=\"Laser session\""), "{html}");
    assert!(html.contains("value=\"forty\""), "{html}");
    assert!(
        html.contains("Consent to treat\nPhotography consent</textarea>"),
        "{html}"
    );
    assert!(
        html.contains(&format!("value=\"{provider}\" checked")),
        "the ticked provider stays ticked: {html}"
    );
    assert!(
        html.contains(&format!("<option value=\"{room_id}\" selected>")),
        "the room stays chosen: {html}"
    );
    let (status, _, html) = desk
        .post(
            "/calendar/setup/services",
            &[("name", "Laser session"), ("minutes", "45"), ("buffer_minutes", "200")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"buffer_minutes-error\""), "{html}");

    let (status, location, body) = desk
        .post(
            "/calendar/setup/services",
            &[
                ("name", "Laser session"),
                ("minutes", "45"),
                ("buffer_minutes", "15"),
                ("room_id", &room_id.to_string()),
                ("equipment", "Laser"),
                ("forms", typed_forms),
                ("provider", &provider),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/calendar/setup?done=service#services"));
    let (_, html) = desk.get("/calendar/setup?done=service").await;
    assert!(html.contains("Service added."), "{html}");
    assert!(html.contains("<td>45 min</td><td>15 min</td>"), "{html}");
    assert!(html.contains("Exam 1; Laser"), "{html}");
    assert!(html.contains("Consent to treat, Photography consent"), "{html}");
    assert!(html.contains(&providers[0].1), "{html}");

    // Working hours: the week as typed, a bad day refused with the week kept.
    let hours = format!("/calendar/setup/hours/{provider}");
    let mut week: Vec<(&str, &str)> = Vec::new();
    for day in 0..7 {
        let (from, until) = match day {
            0 => ("9:00 AM", "8:00 AM"),
            1..=4 => ("09:00", "17:00"),
            _ => ("", ""),
        };
        week.push(("from", from));
        week.push(("until", until));
    }
    let (status, _, html) = desk.post(&hours, &week).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Monday: the hours must end after they start"), "{html}");
    assert!(html.contains("value=\"9:00 AM\""), "what was typed stays: {html}");
    week[1] = ("until", "5:00 PM");
    let (status, location, body) = desk.post(&hours, &week).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.unwrap(),
        format!("/calendar/setup?done=hours#hours-{provider}")
    );
    let (_, html) = desk.get("/calendar/setup").await;
    assert_eq!(html.matches("value=\"09:00\"").count(), 5, "Monday to Friday from 9");
    assert_eq!(html.matches("value=\"17:00\"").count(), 5, "until 5 PM");

    // Time off in US dates; a range that ends before it starts is refused.
    let (status, _, html) = desk
        .post(
            "/calendar/setup/time-off",
            &[
                ("off_user_id", &provider),
                ("first_day", "12/26/2026"),
                ("last_day", "12/24/2026"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("value=\"12/26/2026\"") && html.contains("value=\"12/24/2026\""),
        "{html}"
    );
    let (status, _, body) = desk
        .post(
            "/calendar/setup/time-off",
            &[
                ("off_user_id", &provider),
                ("first_day", "12/24/2026"),
                ("last_day", "12/26/2026"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (_, html) = desk.get("/calendar/setup").await;
    assert!(html.contains("12/24/2026 to 12/26/2026"), "{html}");
    let e = newest_event(&app, &co).await;
    assert_eq!(e["action"], "calendar.changed", "{e}");

    // A provider who is not a clinician cannot be given hours.
    let not_clinician = app.user_id(&owner, "billing").await.to_string();
    let (status, _, html) = desk
        .post(&format!("/calendar/setup/hours/{not_clinician}"), &week)
        .await;
    assert_eq!(status, 422, "{html}");
    app.stop().await;
}
