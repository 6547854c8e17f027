//! Confirm or cancel by link (issue 26, step 4): no sign-in, only the clinic, the day and the
//! time; one use, for its own appointment only, until the appointment; unknown tokens reveal
//! nothing; requests are rate limited per address; only the token's hash is stored.

use carekeep_app::calendar::{BookInput, RoomInput, ServiceInput};
use carekeep_testkit::{PageClient, TestApp};
use time::macros::datetime;

/// Books Harriet (and Omar) on Tuesday 03/03/2026 at 9:00 and 11:00 AM, New York time, and
/// makes a link for each through the front desk's page; returns the two links' paths.
pub(crate) async fn booked_with_links(app: &TestApp) -> (String, String, i64) {
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    let room = app
        .state
        .app
        .save_room(
            &who.actor(),
            0,
            RoomInput {
                name: "Room 2".into(),
                retired: false,
            },
        )
        .await
        .unwrap();
    let service = app
        .state
        .app
        .save_service(
            &who.actor(),
            0,
            ServiceInput {
                name: "Botox consult".into(),
                minutes: "30".into(),
                buffer_minutes: String::new(),
                room_id: room,
                equipment: String::new(),
                forms: String::new(),
                providers: Vec::new(),
                retired: false,
            },
        )
        .await
        .unwrap();
    let desk_token = app.api_login("frontdesk").await;
    let desk_who = app.principal(&desk_token).await;
    let provider = app.user_id(&owner, "provider").await;
    let mut ids = Vec::new();
    for (given, family, at) in [
        ("Harriet", "Pemberton", datetime!(2026-03-03 14:00 UTC)),
        ("Omar", "Quintero", datetime!(2026-03-03 16:00 UTC)),
    ] {
        let patient = app
            .register_patient(&desk_token, given, family, "1970-05-05", "5552017788")
            .await;
        let booked = app
            .state
            .app
            .calendar_book(
                &desk_who.actor(),
                BookInput {
                    patient,
                    provider,
                    service,
                    room: None,
                    start: Some(at),
                    repeat: None,
                    override_reason: String::new(),
                },
            )
            .await
            .unwrap();
        ids.push(booked[0]);
    }
    let mut desk = PageClient::login(app, "frontdesk").await;
    let mut links = Vec::new();
    for id in &ids {
        let (status, _) = desk.get(&format!("/calendar/appointments/{id}")).await;
        assert_eq!(status, 200);
        let (status, _, html) = desk.post(&format!("/calendar/appointments/{id}/link"), &[]).await;
        assert_eq!(status, 200, "{html}");
        let at = html.find("/c/").expect("the link is shown once");
        let path: String = html[at..].chars().take_while(|c| *c != '<' && *c != '"').collect();
        links.push(path);
    }
    (links[0].clone(), links[1].clone(), ids[0])
}

#[tokio::test]
async fn the_link_confirms_once_for_its_own_appointment_and_shows_nothing_else() {
    let app = TestApp::builder()
        .with_config(|c| c.clinic_time_zone = "America/New_York".into())
        .spawn()
        .await;
    let (first, second, _) = booked_with_links(&app).await;
    let mut patient = PageClient::new(&app);
    let (status, html) = patient.get(&first).await;
    assert_eq!(status, 200, "no sign-in needed: {html}");
    assert!(html.contains("Tuesday, 03/03/2026 at 9:00 AM"), "{html}");
    assert!(
        html.contains("Confirm") && html.contains("Cancel the appointment") && html.contains("Call us"),
        "{html}"
    );
    for secret in ["Harriet", "Pemberton", "Botox", "Room 2", "Provider", "Omar"] {
        assert!(
            !html.contains(secret),
            "the page shows only clinic, day and time, not {secret}: {html}"
        );
    }

    // A form made elsewhere (a wrong token in the body) is refused.
    let (status, _, _) = patient
        .post_raw(&first, &[("csrf", "guess"), ("answer", "cancel")])
        .await;
    assert_eq!(status, 403);
    // Confirming works once; the desk sees it; the second link is untouched.
    let (status, _, html) = patient.post(&first, &[("answer", "confirm")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("your appointment is confirmed"), "{html}");
    let (_, html) = patient.get(&first).await;
    assert!(
        html.contains("already been used") && !html.contains(r#"value="confirm""#),
        "{html}"
    );
    let (_, _, html) = patient.post(&first, &[("answer", "cancel")]).await;
    assert!(
        html.contains("already been used"),
        "a used link changes nothing: {html}"
    );
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (_, day) = desk.get("/calendar?day=2026-03-03").await;
    assert!(
        day.contains(&counts(2, 1, 1, 0, 0)),
        "one confirmed, the other not: {day}"
    );
    let (_, html) = patient.get(&second).await;
    assert!(
        html.contains(r#"value="cancel""#),
        "the other link is still open: {html}"
    );
    let (_, _, html) = patient.post(&second, &[("answer", "cancel")]).await;
    assert!(html.contains("Your appointment is cancelled"), "{html}");
    let (_, day) = desk.get("/calendar?day=2026-03-03").await;
    assert!(day.contains(&counts(1, 1, 0, 0, 1)), "{day}");

    // The trail has the patient's answers, through the link.
    let co = app.api_login("compliance").await;
    let events: Vec<serde_json::Value> = app
        .api(reqwest::Method::GET, "/api/v1/audit/events?limit=10", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        events.iter().any(|e| e["reason"] == "confirmed by the patient's link"),
        "{events:?}"
    );

    // Only the hash is stored: the token itself is nowhere in the database.
    let token = first.trim_start_matches("/c/");
    let stored: Vec<String> = sqlx_free_hashes(&app).await;
    assert!(!stored.iter().any(|h| h == token), "the token is not stored");
    assert!(stored.iter().any(|h| h.len() == 64), "its SHA-256 is");
}

/// The stored token hashes, read through the app's own store.
async fn sqlx_free_hashes(app: &TestApp) -> Vec<String> {
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    use sqlx::Row;
    sqlx::query("SELECT token_hash FROM confirm_links")
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("token_hash"))
        .collect()
}

#[tokio::test]
async fn an_unknown_or_past_link_reveals_nothing_and_guessing_is_rate_limited() {
    let app = TestApp::builder()
        .with_config(|c| c.clinic_time_zone = "America/New_York".into())
        .spawn()
        .await;
    let (first, _, _) = booked_with_links(&app).await;
    let mut stranger = PageClient::new(&app);
    let (status, html) = stranger.get("/c/not-a-real-token").await;
    assert_eq!(status, 404, "{html}");
    assert!(!html.contains("03/03/2026") && !html.contains("Confirm"), "{html}");

    // After the appointment's start the link only says so.
    app.clock.set(datetime!(2026-03-03 14:00 UTC));
    let (status, html) = stranger.get(&first).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("This appointment time has passed.") && !html.contains(r#"value="confirm""#),
        "{html}"
    );

    // Twenty requests a minute from one address, then a wait.
    let mut limited = false;
    for _ in 0..25 {
        let (status, _) = stranger.get("/c/another-guess").await;
        if status == 429 {
            limited = true;
            break;
        }
        assert_eq!(status, 404);
    }
    assert!(limited, "guessing is rate limited");
}

/// The day's summary row as the page writes it: booked, confirmed, not confirmed, no-shows,
/// cancelled.
fn counts(booked: u8, confirmed: u8, unconfirmed: u8, no_show: u8, cancelled: u8) -> String {
    format!(
        r#"<td data-label="Booked">{booked}</td><td data-label="Confirmed">{confirmed}</td><td data-label="Not confirmed">{unconfirmed}</td><td data-label="No-shows">{no_show}</td><td data-label="Cancelled">{cancelled}</td>"#
    )
}
