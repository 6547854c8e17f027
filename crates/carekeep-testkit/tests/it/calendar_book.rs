//! The calendar (issue 26, step 3): booking from a free slot with the patient picked by name,
//! no double booking of a provider, a room or a patient unless a reason is given (audited, the
//! reason itself sealed), moves and cancellations with a reason, a weekly series across the
//! spring clock change, the day's summary and the no-shows shown at booking.

use carekeep_app::calendar::{RoomInput, ServiceInput};
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;

async fn new_york() -> TestApp {
    TestApp::builder()
        .with_config(|c| c.clinic_time_zone = "America/New_York".into())
        .spawn()
        .await
}

async fn newest_events(app: &TestApp, co: &str, n: usize) -> Vec<Value> {
    app.api(Method::GET, &format!("/api/v1/audit/events?limit={n}"), co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A room and a 30-minute service needing it, with a 15-minute buffer; returns (room, service).
async fn set_up(app: &TestApp) -> (i64, i64) {
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    let room = app
        .state
        .app
        .save_room(
            &who.actor(),
            0,
            RoomInput {
                name: "Laser room".into(),
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
                name: "Laser session".into(),
                minutes: "30".into(),
                buffer_minutes: "15".into(),
                room_id: room,
                equipment: String::new(),
                forms: String::new(),
                providers: Vec::new(),
                retired: false,
            },
        )
        .await
        .unwrap();
    (room, service)
}

fn book_fields<'a>(
    patient: &'a str,
    seen: &'a str,
    provider: &'a str,
    service: &'a str,
    day: &'a str,
    time: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("patient", patient),
        ("patient_find", "typed name"),
        ("seen", seen),
        ("provider", provider),
        ("service", service),
        ("room", ""),
        ("start_day", day),
        ("start_time", time),
        ("repeat_every", ""),
        ("repeat_count", ""),
    ]
}

#[tokio::test]
async fn the_front_desk_books_from_a_free_slot_and_double_booking_is_refused_unless_a_reason_is_given() {
    let app = new_york().await;
    let (_, service) = set_up(&app).await;
    let service = service.to_string();
    let desk_token = app.api_login("frontdesk").await;
    let harriet = app
        .register_patient(&desk_token, "Harriet", "Pemberton", "1970-05-05", "5552017788")
        .await
        .to_string();
    let omar = app
        .register_patient(&desk_token, "Omar", "Quintero", "1981-02-03", "5552017789")
        .await
        .to_string();
    let admin = app.api_login("owner").await;
    let provider = app.user_id(&admin, "provider").await.to_string();
    let co = app.api_login("compliance").await;

    let mut billing = PageClient::login(&app, "billing").await;
    let (status, _) = billing.get("/calendar").await;
    assert_eq!(status, 403, "billing does not see the calendar");

    let mut desk = PageClient::login(&app, "frontdesk").await;
    // Tuesday 03/03/2026: the day view offers the provider's free half hours as links.
    let (status, html) = desk.get("/calendar?day=2026-03-03").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Tuesday, 03/03/2026"), "{html}");
    let slot = format!("/calendar/book?provider={provider}&amp;start=2026-03-03T09:00");
    assert!(html.contains(&slot), "a free 9:00 AM slot to book: {html}");
    assert!(
        html.contains(r#"href="/calendar""#),
        "the calendar is in the navigation"
    );

    // The slot's form is filled with the day and time in US form.
    let (status, html) = desk
        .get(&format!("/calendar/book?provider={provider}&start=2026-03-03T09:00"))
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains(r#"value="03/03/2026""#) && html.contains(r#"value="9:00 AM""#),
        "{html}"
    );
    assert!(
        html.contains(r#"data-pick="/patients/pick""#),
        "the patient is picked by name"
    );

    // First the patient at booking: the name, no missed appointments, how they prefer contact.
    let (status, _, html) = desk
        .post(
            "/calendar/book",
            &book_fields(&harriet, "", &provider, &service, "03/03/2026", "9:00 AM"),
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Harriet Pemberton") && html.contains("No missed appointments."),
        "{html}"
    );
    assert!(html.contains(r#"name="seen" value=""#), "{html}");
    // Where her reminders will go, by her preferences and requests (164.522(b)).
    assert!(html.contains("Reminders by text message to (555) 201-7788."), "{html}");
    // Then the booking.
    let (status, location, html) = desk
        .post(
            "/calendar/book",
            &book_fields(&harriet, &harriet, &provider, &service, "03/03/2026", "9:00 AM"),
        )
        .await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(location.as_deref(), Some("/calendar?done=booked&day=2026-03-03"));
    let (_, html) = desk.get("/calendar?day=2026-03-03&done=booked").await;
    assert!(html.contains("Booked."), "{html}");
    assert!(
        html.contains("9:00 AM to 9:30 AM") && html.contains("Harriet Pemberton") && html.contains("Laser session"),
        "the card shows time, name and service: {html}"
    );
    assert!(html.contains("Not confirmed"), "{html}");
    assert!(
        !html.contains(&format!(
            "/calendar/book?provider={provider}&amp;start=2026-03-03T09:30"
        )),
        "9:30 is held by the buffer after the session"
    );

    // Omar with the same provider at 9:15: refused with the provider named, typing kept.
    let (status, _, html) = desk
        .post(
            "/calendar/book",
            &book_fields(&omar, &omar, &provider, &service, "03/03/2026", "9:15 AM"),
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("The provider already has an appointment then (03/03/2026 9:00 AM to 9:30 AM)"),
        "{html}"
    );
    assert!(
        html.contains("The room is already in use then"),
        "the service's room too: {html}"
    );
    assert!(
        html.contains(r#"id="override_reason-error""#),
        "the message sits at the reason: {html}"
    );
    assert!(html.contains(r#"value="9:15 AM""#), "the typed time is kept: {html}");
    // The same patient with another clinician at 9:00: the patient is named.
    let other = app
        .state
        .app
        .bookable_providers()
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id.0.to_string())
        .find(|id| *id != provider)
        .expect("a second clinician");
    let (status, _, html) = desk
        .post(
            "/calendar/book",
            &book_fields(&harriet, &harriet, &other, &service, "03/03/2026", "9:00 AM"),
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("The patient already has an appointment then"), "{html}");

    // With a reason, Omar is booked over the conflict; the override is audited without the words.
    let mut fields = book_fields(&omar, &omar, &provider, &service, "03/03/2026", "9:15 AM");
    fields.push(("override_reason", "Doctor asked to\r\nsqueeze in a repeat visit"));
    let (status, _, html) = desk.post("/calendar/book", &fields).await;
    assert_eq!(status, 303, "{html}");
    let events = newest_events(&app, &co, 3).await;
    let booked = events
        .iter()
        .find(|e| e["action"] == "phi.create")
        .unwrap_or_else(|| panic!("{events:?}"));
    let reason = booked["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("double-booking override over appointment"), "{booked}");
    assert!(reason.contains("provider+room"), "{booked}");
    assert!(
        !reason.contains("squeeze"),
        "the person's words are sealed, not in the trail: {booked}"
    );

    // The day's summary counts both, neither confirmed.
    let (_, html) = desk.get("/calendar?day=2026-03-03").await;
    assert!(
        html.contains(&counts(2, 0, 2, 0, 0)),
        "booked 2, confirmed 0, not confirmed 2: {html}"
    );
    // No clinical detail on the calendar.
    assert!(!html.contains("Diagnos") && !html.contains("Note"), "{html}");
}

#[tokio::test]
async fn moving_and_cancelling_need_a_reason_and_a_series_keeps_its_wall_time_across_the_clock_change() {
    let app = new_york().await;
    let (_, service) = set_up(&app).await;
    let service = service.to_string();
    let desk_token = app.api_login("frontdesk").await;
    let harriet = app
        .register_patient(&desk_token, "Harriet", "Pemberton", "1970-05-05", "5552017788")
        .await
        .to_string();
    let admin = app.api_login("owner").await;
    let provider = app.user_id(&admin, "provider").await.to_string();
    let mut desk = PageClient::login(&app, "frontdesk").await;

    // Every week, three in all, from Thursday 03/05/2026 (EST) past Sunday 03/08 (EDT).
    let mut fields = book_fields(&harriet, &harriet, &provider, &service, "03/05/2026", "9:00 AM");
    fields.retain(|(k, _)| !k.starts_with("repeat"));
    fields.push(("repeat_every", "1"));
    fields.push(("repeat_count", "3"));
    let (status, location, html) = desk.post("/calendar/book", &fields).await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(location.as_deref(), Some("/calendar?done=series&day=2026-03-05"));
    let (_, week) = desk.get("/calendar?day=2026-03-12&view=week").await;
    assert!(week.contains("Week of 03/09/2026"), "{week}");
    assert!(
        week.contains("9:00 AM to 9:30 AM"),
        "still 9:00 AM after the change: {week}"
    );
    // A series bad on purpose: kept, the message at the field.
    let mut bad = book_fields(&harriet, &harriet, &provider, &service, "04/06/2026", "9:00 AM");
    bad.retain(|(k, _)| !k.starts_with("repeat"));
    bad.push(("repeat_every", "20"));
    bad.push(("repeat_count", "3"));
    let (status, _, html) = desk.post("/calendar/book", &bad).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("repeat every 1 to 12 weeks") && html.contains(r#"value="20""#),
        "{html}"
    );

    // The first of the series, found on its day.
    let (_, day) = desk.get("/calendar?day=2026-03-05").await;
    let at = day.find("/calendar/appointments/").expect("a card");
    let id: String = day[at + "/calendar/appointments/".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (status, page) = desk.get(&format!("/calendar/appointments/{id}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Thursday, 03/05/2026, 9:00 AM to 9:30 AM"), "{page}");

    // Moving without a reason: refused at the field, the new time kept.
    let (status, _, html) = desk
        .post(
            &format!("/calendar/appointments/{id}/move"),
            &[
                ("provider", &provider),
                ("start_day", "03/05/2026"),
                ("start_time", "1:00 PM"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains(r#"id="reason-error""#) && html.contains(r#"value="1:00 PM""#),
        "{html}"
    );
    let (status, location, html) = desk
        .post(
            &format!("/calendar/appointments/{id}/move"),
            &[
                ("provider", &provider),
                ("start_day", "03/05/2026"),
                ("start_time", "1:00 PM"),
                ("reason", "Patient asked"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(location.as_deref(), Some("/calendar?done=moved&day=2026-03-05"));
    let (_, day) = desk.get("/calendar?day=2026-03-05").await;
    assert!(day.contains("1:00 PM to 1:30 PM"), "{day}");

    // Confirmed by phone, then cancelled with a reason; the summary follows.
    let (status, _, _) = desk.post(&format!("/calendar/appointments/{id}/confirm"), &[]).await;
    assert_eq!(status, 303);
    let (_, day) = desk.get("/calendar?day=2026-03-05").await;
    assert!(day.contains(&counts(1, 1, 0, 0, 0)), "{day}");
    let (status, _, html) = desk
        .post(
            &format!("/calendar/appointments/{id}/cancel"),
            &[("cancel_reason", " ")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains(r#"id="cancel_reason-error""#), "{html}");
    let (status, _, _) = desk
        .post(
            &format!("/calendar/appointments/{id}/cancel"),
            &[("cancel_reason", "Feeling better")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, day) = desk.get("/calendar?day=2026-03-05").await;
    assert!(day.contains(&counts(0, 0, 0, 0, 1)), "{day}");
    assert!(
        day.contains(&format!(
            "/calendar/book?provider={provider}&amp;start=2026-03-05T13:00"
        )),
        "the cancelled time is free again: {day}"
    );

    // A no-show is counted and shown at the next booking.
    let (_, day) = desk.get("/calendar?day=2026-03-12").await;
    let at = day.find("/calendar/appointments/").expect("a card");
    let second: String = day[at + "/calendar/appointments/".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (status, _, html) = desk
        .post(
            &format!("/appointments/{second}/status"),
            &[("status", "no_show"), ("confirm", "yes"), ("back", "/schedule")],
        )
        .await;
    assert!(status == 303 || status == 200, "{status} {html}");
    let (status, _, html) = desk
        .post(
            "/calendar/book",
            &book_fields(&harriet, "", &provider, &service, "03/20/2026", "9:00 AM"),
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("1 missed appointment"), "{html}");
}

#[tokio::test]
async fn the_charts_booking_refuses_a_provider_or_patient_already_booked_through_the_api_and_the_page() {
    let app = new_york().await;
    let desk = app.api_login("frontdesk").await;
    let harriet = app
        .register_patient(&desk, "Harriet", "Pemberton", "1970-05-05", "5552017788")
        .await;
    let omar = app
        .register_patient(&desk, "Omar", "Quintero", "1981-02-03", "5552017789")
        .await;
    let admin = app.api_login("owner").await;
    let provider = app.user_id(&admin, "provider").await;
    let book = |patient: i64, start: &'static str| {
        app.api(Method::POST, &format!("/api/v1/patients/{patient}/appointments"), &desk)
            .json(&serde_json::json!({"provider_id": provider, "service": "Visit", "start": start, "minutes": 30}))
            .send()
    };
    let res = book(harriet, "2026-03-03T09:00:00-05:00").await.unwrap();
    assert_eq!(res.status(), 201);
    // The same provider at 9:15: 409, the clash named with the other appointment's time.
    let res = book(omar, "2026-03-03T09:15:00-05:00").await.unwrap();
    assert_eq!(res.status(), 409);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("The provider already has an appointment then (03/03/2026 9:00 AM to 9:30 AM)"),
        "{body}"
    );
    // Back to back is not a clash.
    let res = book(omar, "2026-03-03T09:30:00-05:00").await.unwrap();
    assert_eq!(res.status(), 201);
    // On the chart's page the refusal keeps what was typed.
    let mut page = PageClient::login(&app, "frontdesk").await;
    let (status, _) = page.get(&format!("/patients/{harriet}")).await;
    assert_eq!(status, 200);
    let (status, _, html) = page
        .post(
            &format!("/patients/{harriet}/appointments"),
            &[
                ("provider_id", &provider.to_string()),
                ("service", "Second look"),
                ("date", "03/03/2026"),
                ("time", "09:40"),
                ("minutes", "30"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("already has an appointment then"), "{html}");
    assert!(html.contains("Second look"), "the typed service is kept: {html}");
}

/// The day's summary row as the page writes it: booked, confirmed, not confirmed, no-shows,
/// cancelled.
fn counts(booked: u8, confirmed: u8, unconfirmed: u8, no_show: u8, cancelled: u8) -> String {
    format!(
        r#"<td data-label="Booked">{booked}</td><td data-label="Confirmed">{confirmed}</td><td data-label="Not confirmed">{unconfirmed}</td><td data-label="No-shows">{no_show}</td><td data-label="Cancelled">{cancelled}</td>"#
    )
}
