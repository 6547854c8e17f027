//! The waitlist per service (issue 26): added through the page with the patient picked by
//! name, typing kept when refused; a cancelled appointment of the service offers its slot to
//! the first person waiting who fits; one click books them through the same booking rule
//! (conflicts still refused) and they leave the list; removal; the note sealed at rest.

use carekeep_app::calendar::ServiceInput;
use carekeep_testkit::{PageClient, TestApp};

async fn service(app: &TestApp, name: &str) -> i64 {
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    app.state
        .app
        .save_service(
            &who.actor(),
            0,
            ServiceInput {
                name: name.into(),
                minutes: "30".into(),
                buffer_minutes: String::new(),
                room_id: 0,
                equipment: String::new(),
                forms: String::new(),
                providers: Vec::new(),
                retired: false,
            },
        )
        .await
        .unwrap()
}

/// The hidden fields of the offer's form.
fn offer_fields(html: &str) -> Vec<(&'static str, String)> {
    ["service", "provider", "room", "start", "end"]
        .into_iter()
        .map(|name| {
            let key = format!(r#"name="{name}" value=""#);
            let at = html.find(&key).unwrap_or_else(|| panic!("{key} in {html}")) + key.len();
            (name, html[at..].chars().take_while(|c| *c != '"').collect())
        })
        .collect()
}

fn first_id(html: &str, prefix: &str) -> String {
    let at = html.find(prefix).unwrap_or_else(|| panic!("{prefix} in {html}"));
    html[at + prefix.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[tokio::test]
async fn a_cancelled_slot_is_offered_to_the_first_who_fits_and_booked_in_one_click() {
    let app = TestApp::builder()
        .with_config(|c| c.clinic_time_zone = "America/New_York".into())
        .spawn()
        .await;
    let laser = service(&app, "Laser session").await.to_string();
    let facial = service(&app, "Facial").await.to_string();
    let desk_token = app.api_login("frontdesk").await;
    let harriet = app
        .register_patient(&desk_token, "Harriet", "Pemberton", "1970-05-05", "5552017788")
        .await
        .to_string();
    let omar = app
        .register_patient(&desk_token, "Omar", "Quintero", "1981-02-03", "5552017789")
        .await
        .to_string();
    let iris = app
        .register_patient(&desk_token, "Iris", "Nakamura", "1990-07-01", "5552017790")
        .await
        .to_string();
    let owner = app.api_login("owner").await;
    let provider = app.user_id(&owner, "provider").await.to_string();
    let mut desk = PageClient::login(&app, "frontdesk").await;

    let (status, html) = desk.get("/calendar/waitlist").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Nobody is waiting.") && html.contains(r#"data-pick="/patients/pick""#),
        "{html}"
    );
    let (_, cal) = desk.get("/calendar").await;
    assert!(cal.contains(r#"href="/calendar/waitlist""#), "linked from the calendar");

    // Mistakes on purpose: no patient picked, half the hours; typing kept.
    let (status, _, html) = desk
        .post(
            "/calendar/waitlist",
            &[
                ("patient", ""),
                ("patient_find", "Omar Q"),
                ("service", &laser),
                ("note", "mornings\r\nplease"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("choose the patient") && html.contains(r#"value="Omar Q""#),
        "{html}"
    );
    assert!(
        html.contains("mornings\r\nplease") || html.contains("mornings\nplease"),
        "{html}"
    );
    let (status, _, html) = desk
        .post(
            "/calendar/waitlist",
            &[
                ("patient", &omar),
                ("service", &laser),
                ("from", "9:00 AM"),
                ("note", "kept"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("both ends of the preferred hours") && html.contains(r#"value="9:00 AM""#),
        "{html}"
    );

    // Omar first (afternoons only), then Iris (Tuesdays, any time), then Harriet for another service.
    for fields in [
        vec![
            ("patient", omar.as_str()),
            ("service", laser.as_str()),
            ("from", "1:00 PM"),
            ("until", "5:00 PM"),
            ("note", "after school pick-up"),
        ],
        vec![
            ("patient", iris.as_str()),
            ("service", laser.as_str()),
            ("day", "tue"),
            ("note", ""),
        ],
        vec![
            ("patient", harriet.as_str()),
            ("service", facial.as_str()),
            ("note", ""),
        ],
    ] {
        let (status, location, html) = desk.post("/calendar/waitlist", &fields).await;
        assert_eq!(status, 303, "{html}");
        assert_eq!(location.as_deref(), Some("/calendar/waitlist?done=added"));
    }
    let (_, html) = desk.get("/calendar/waitlist?done=added").await;
    assert!(html.contains("Added to the waitlist."), "{html}");
    assert!(
        html.contains("Omar Quintero") && html.contains("1:00 PM to 5:00 PM") && html.contains("after school pick-up"),
        "{html}"
    );
    assert!(
        html.contains("Iris Nakamura") && html.contains("Tue, Any time"),
        "{html}"
    );
    // The note is sealed at rest.
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let notes: Vec<Option<Vec<u8>>> = sqlx::query_scalar("SELECT note_ct FROM waitlist WHERE note_ct IS NOT NULL")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(notes.len(), 1);
    assert!(!String::from_utf8_lossy(notes[0].as_ref().unwrap()).contains("pick-up"));

    // Harriet has Laser on Tuesday 03/02/2027 at 9:00 AM, then cancels.
    let book = |patient: &str, time: &str, seen: bool| {
        let mut f = vec![
            ("patient".to_string(), patient.to_string()),
            ("patient_find".to_string(), "typed".to_string()),
            ("provider".to_string(), provider.clone()),
            ("service".to_string(), laser.clone()),
            ("room".to_string(), String::new()),
            ("start_day".to_string(), "03/02/2027".to_string()),
            ("start_time".to_string(), time.to_string()),
        ];
        if seen {
            f.push(("seen".to_string(), patient.to_string()));
        }
        f
    };
    let f = book(&harriet, "9:00 AM", true);
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (status, _, html) = desk.post("/calendar/book", &f).await;
    assert_eq!(status, 303, "{html}");
    let (_, day) = desk.get("/calendar?day=2027-03-02").await;
    let appt = first_id(&day, "/calendar/appointments/");
    let (status, location, html) = desk
        .post(
            &format!("/calendar/appointments/{appt}/cancel"),
            &[("cancel_reason", "the patient is travelling")],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    let location = location.unwrap();
    assert!(
        location.starts_with("/calendar/waitlist?done=cancelled&service="),
        "{location}"
    );
    assert!(!location.contains("Harriet") && !location.contains("Iris"));
    // The offer: Iris (Tuesdays) fits 9:00 AM; Omar, first on the list, wants afternoons.
    let (status, html) = desk.get(&location).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Someone on the waitlist fits the freed time."), "{html}");
    assert!(html.contains("Laser session, 03/02/2027 9:00 AM is free"), "{html}");
    assert!(html.contains("Book Iris Nakamura at this time"), "{html}");
    let wait = first_id(&html, "/calendar/waitlist/");
    let offer = offer_fields(&html);
    let offer: Vec<(&str, &str)> = offer.iter().map(|(a, b)| (*a, b.as_str())).collect();

    // Someone else takes the slot first: booking the offer is refused with the conflict named.
    let f = book(&harriet, "9:00 AM", true);
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (status, _, _) = desk.post("/calendar/book", &f).await;
    assert_eq!(status, 303);
    let (status, _, html) = desk.post(&format!("/calendar/waitlist/{wait}/book"), &offer).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Not booked") && html.contains("provider"), "{html}");
    let (_, day) = desk.get("/calendar?day=2027-03-02").await;
    // The newest card of the day is the one that took the slot.
    let taken = day
        .split("/calendar/appointments/")
        .skip(1)
        .filter_map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<i64>()
                .ok()
        })
        .max()
        .unwrap();
    let (status, _, _) = desk
        .post(
            &format!("/calendar/appointments/{taken}/cancel"),
            &[("cancel_reason", "changed her mind")],
        )
        .await;
    assert_eq!(status, 303);

    // Now one click books Iris into the freed time, and she leaves the list.
    let (status, location, html) = desk.post(&format!("/calendar/waitlist/{wait}/book"), &offer).await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(location.as_deref(), Some("/calendar?done=booked&day=2027-03-02"));
    let (_, day) = desk.get("/calendar?day=2027-03-02").await;
    assert!(day.contains("Iris Nakamura"), "{day}");
    let (_, html) = desk.get("/calendar/waitlist").await;
    assert!(
        !html.contains("Iris Nakamura") && html.contains("Omar Quintero"),
        "{html}"
    );
    // Twice: refused, not booked again.
    let (status, _, html) = desk.post(&format!("/calendar/waitlist/{wait}/book"), &offer).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("no longer on the waitlist"), "{html}");

    // Removing Omar.
    let omar_entry = first_id(&html[html.find("Omar Quintero").unwrap()..], "/calendar/waitlist/");
    // A move frees a time too: Harriet's 2:00 PM moved to 4:00 PM offers 2:00 PM to Omar
    // (afternoons).
    let f = book(&harriet, "2:00 PM", true);
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (status, _, _) = desk.post("/calendar/book", &f).await;
    assert_eq!(status, 303);
    let (_, day) = desk.get("/calendar?day=2027-03-02").await;
    let afternoon = day
        .split("/calendar/appointments/")
        .skip(1)
        .filter_map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<i64>()
                .ok()
        })
        .max()
        .unwrap();
    let (status, location, html) = desk
        .post(
            &format!("/calendar/appointments/{afternoon}/move"),
            &[
                ("provider", provider.as_str()),
                ("start_day", "03/02/2027"),
                ("start_time", "4:00 PM"),
                ("reason", "the patient asked"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    let location = location.unwrap();
    assert!(
        location.starts_with("/calendar/waitlist?done=moved&service="),
        "{location}"
    );
    let (_, html) = desk.get(&location).await;
    assert!(
        html.contains("Appointment moved. Someone on the waitlist fits the time it freed."),
        "{html}"
    );
    assert!(
        html.contains("03/02/2027 2:00 PM is free") && html.contains("Book Omar Quintero at this time"),
        "{html}"
    );

    let (status, location, _) = desk.post(&format!("/calendar/waitlist/{omar_entry}/remove"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/calendar/waitlist?done=removed"));
    let (_, html) = desk.get("/calendar/waitlist?done=removed").await;
    assert!(
        html.contains("Taken off the waitlist.") && !html.contains("Omar Quintero"),
        "{html}"
    );

    // Billing has no scheduling class: no waitlist.
    let mut billing = PageClient::login(&app, "billing").await;
    let (status, _) = billing.get("/calendar/waitlist").await;
    assert_eq!(status, 403);
}
