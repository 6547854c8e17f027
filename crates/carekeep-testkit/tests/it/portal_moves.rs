//! A patient asks for a new time in the portal (issue 27, item 3): only for a service the
//! owner lets patients move online; the patient picks one of the provider's free times or
//! writes the times that suit them (a mistake comes back with the words kept); the request
//! waits, untouched, for the front desk, which moves it through the calendar's own move and
//! conflict rule or declines it with a reason the patient reads. Audited; the words sealed.

use super::portal::{book, clinic, events, patient, service, sign_in, Portal};
use carekeep_testkit::PageClient;
use time::{Duration, OffsetDateTime};

/// The first free time the move page offers (its form value, Unix seconds).
fn offered(body: &str) -> Vec<i64> {
    body.split("name=\"slot\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

async fn start_of(p: &Portal, appointment: i64) -> OffsetDateTime {
    let mut conn = p.app.state.app.store_for_tests().read().await.unwrap();
    carekeep_store::bookings::by_id(&mut conn, appointment)
        .await
        .unwrap()
        .start_at
}

async fn request_id(p: &Portal) -> i64 {
    let mut conn = p.app.state.app.store_for_tests().read().await.unwrap();
    carekeep_store::move_requests::waiting(&mut conn).await.unwrap()[0].id
}

#[tokio::test]
async fn a_patient_asks_for_a_new_time_and_the_front_desk_moves_it_through_the_calendar() {
    let p = clinic().await;
    let service = service(&p.app).await;
    let ana = patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let visit_at = carekeep_testkit::START + Duration::days(2) + Duration::hours(6);
    let visit = book(&p.app, service, ana, visit_at).await;
    let mut c = sign_in(&p, "555-234-5678", "+15552345678", 1).await;

    // Off by default: no link, and the page says to call.
    let (_, home) = c.get("/portal").await;
    assert!(!home.contains("Ask for a new time"), "{home}");
    let (status, body) = c.get(&format!("/portal/appointments/{visit}/move")).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("cannot be moved online"), "{body}");

    // Only the owner turns it on, per service; audited.
    let mut desk = PageClient::login(&p.app, "frontdesk").await;
    desk.get("/calendar/setup").await;
    let (status, _, _) = desk
        .post("/calendar/setup/portal-moves", &[("service", &service.to_string())])
        .await;
    assert_eq!(status, 403);
    let mut owner = PageClient::login(&p.app, "owner").await;
    let (_, setup) = owner.get("/calendar/setup").await;
    assert!(setup.contains("Asking for a new time online"), "{setup}");
    let (status, to, _) = owner
        .post("/calendar/setup/portal-moves", &[("service", &service.to_string())])
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some("/calendar/setup?done=portal_moves#portal-moves"))
    );
    let trail = events(&p.app, 40).await;
    assert!(
        trail.iter().any(|e| e["action"] == "setting.changed"
            && e["reason"]
                .as_str()
                .unwrap_or_default()
                .contains(&format!("new time online for service #{service}"))),
        "{trail:?}"
    );

    // The patient sees the link and the provider's free times.
    let (_, home) = c.get("/portal").await;
    assert!(home.contains("Ask for a new time"), "{home}");
    let (status, page) = c.get(&format!("/portal/appointments/{visit}/move")).await;
    assert_eq!(status, 200, "{page}");
    let times = offered(&page);
    assert!(!times.is_empty(), "{page}");
    let now = p.app.state.app.now();
    assert!(times.iter().all(|t| *t >= (now + Duration::hours(24)).unix_timestamp()));
    assert!(
        !times.contains(&visit_at.unix_timestamp()),
        "its own time is not offered"
    );

    // Mistakes: nothing picked or written; a time that is not offered. The words stay.
    let (status, _, body) = c
        .post(
            &format!("/portal/appointments/{visit}/move"),
            &[("slot", ""), ("wishes", "  ")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("Pick a new time, or write which days and times suit you"),
        "{body}"
    );
    let wishes = "Tuesdays after 3 PM\r\nnot Fridays (Okafor)";
    let (status, _, body) = c
        .post(
            &format!("/portal/appointments/{visit}/move"),
            &[
                ("slot", &(visit_at.unix_timestamp() + 60).to_string()),
                ("wishes", wishes),
            ],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("no longer free"), "{body}");
    assert!(body.contains("Tuesdays after 3 PM\nnot Fridays (Okafor)"), "{body}");

    // A real request: the appointment does not move yet.
    let picked = times[1];
    let (status, to, body) = c
        .post(
            &format!("/portal/appointments/{visit}/move"),
            &[("slot", &picked.to_string()), ("wishes", wishes)],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some("/portal?done=move_asked")),
        "{body}"
    );
    assert_eq!(start_of(&p, visit).await, visit_at);
    let (_, home) = c.get("/portal?done=move_asked").await;
    assert!(home.contains("You asked for a new time."), "{home}");
    assert!(
        !home.contains("Ask for a new time</a>"),
        "one request at a time: {home}"
    );
    let (status, _) = c.get(&format!("/portal/appointments/{visit}/move")).await;
    assert_eq!(status, 409);
    let rid = request_id(&p).await;
    {
        let mut conn = p.app.state.app.store_for_tests().read().await.unwrap();
        let row = carekeep_store::move_requests::by_id(&mut conn, rid).await.unwrap();
        let sealed = row.wishes_ct.expect("the words are kept");
        assert!(!String::from_utf8_lossy(&sealed).contains("Tuesdays"), "sealed");
    }
    let trail = events(&p.app, 40).await;
    let asked = trail
        .iter()
        .find(|e| e["resource_type"] == "MoveRequest" && e["action"] == "phi.create")
        .expect("the request is on the trail");
    assert_eq!(asked["actor"], format!("patient #{ana} (portal)"), "{asked}");

    // The front desk sees it on the calendar and moves it with one click.
    let (_, cal) = desk.get("/calendar").await;
    assert!(cal.contains("Patients asked to move (1)"), "{cal}");
    assert!(cal.contains("Ana Okafor"), "{cal}");
    assert!(cal.contains("Tuesdays after 3 PM"), "{cal}");
    // Someone waits for this service at any time: the time the visit frees is offered to them,
    // as after any move.
    let wes = patient(&p.app, "Wes", "Ibarra", "(555) 234-5699", "wes@example.org").await;
    let (status, _, body) = desk
        .post(
            "/calendar/waitlist",
            &[("patient", &wes.to_string()), ("service", &service.to_string())],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (status, to, body) = desk.post(&format!("/calendar/move-requests/{rid}/move"), &[]).await;
    assert_eq!(status, 303, "{body}");
    let to = to.unwrap_or_default();
    assert!(
        to.starts_with("/calendar/waitlist?done=moved_as_asked")
            && to.contains(&format!("start={}", visit_at.unix_timestamp())),
        "{to}"
    );
    let (_, offer) = desk.get(&to).await;
    assert!(
        offer.contains("Moved as the patient asked; they see the new time in the portal. Someone on the waitlist fits"),
        "{offer}"
    );
    assert!(offer.contains("Wes Ibarra"), "{offer}");
    assert_eq!(start_of(&p, visit).await.unix_timestamp(), picked);
    let (status, _, _) = desk.post(&format!("/calendar/move-requests/{rid}/move"), &[]).await;
    assert_eq!(status, 422, "a second click finds it answered");
    let trail = events(&p.app, 40).await;
    assert!(trail.iter().any(|e| e["resource_type"] == "Appointment"
        && e["resource_id"].as_str() == Some(visit.to_string().as_str())
        && e["reason"].as_str().unwrap_or_default().starts_with("moved")));
    assert!(trail
        .iter()
        .any(|e| e["resource_type"] == "MoveRequest" && e["action"] == "phi.update"));
    let (_, home) = c.get("/portal").await;
    assert!(
        home.contains("The clinic moved your appointment to the new time."),
        "{home}"
    );
    // An appointment that is not there: the portal's error page leads back to the portal.
    let (status, body) = c.get("/portal/appointments/999999/move").await;
    assert_eq!(status, 404);
    assert!(body.contains("<a href=\"/portal\">Go to the home page</a>"), "{body}");
}

#[tokio::test]
async fn a_taken_time_is_refused_by_the_conflict_rule_and_a_decline_tells_the_patient_why() {
    let p = clinic().await;
    let service = service(&p.app).await;
    let ana = patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let bea = patient(&p.app, "Beatrix", "Vandersloot", "(555) 345-6789", "bea@example.org").await;
    let visit_at = carekeep_testkit::START + Duration::days(3) + Duration::hours(5);
    let visit = book(&p.app, service, ana, visit_at).await;
    let owner = p.app.api_login("owner").await;
    let who = p.app.principal(&owner).await;
    p.app
        .state
        .app
        .set_portal_moves(&who.actor(), &[service])
        .await
        .unwrap();

    let mut c = sign_in(&p, "555-234-5678", "+15552345678", 1).await;
    let (_, page) = c.get(&format!("/portal/appointments/{visit}/move")).await;
    let picked = offered(&page)[0];
    let (status, _, body) = c
        .post(
            &format!("/portal/appointments/{visit}/move"),
            &[("slot", &picked.to_string()), ("wishes", "")],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let rid = request_id(&p).await;

    // Someone else is booked into that time before the desk acts: the move is refused by
    // the calendar's conflict rule, the appointment and the request stay as they were.
    book(
        &p.app,
        service,
        bea,
        OffsetDateTime::from_unix_timestamp(picked).unwrap(),
    )
    .await;
    let mut desk = PageClient::login(&p.app, "frontdesk").await;
    desk.get("/calendar").await;
    let (status, _, body) = desk.post(&format!("/calendar/move-requests/{rid}/move"), &[]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("The provider already has an appointment then"), "{body}");
    assert_eq!(start_of(&p, visit).await, visit_at);
    assert_eq!(request_id(&p).await, rid, "still waiting");

    // Billing may not answer it (no scheduling class); a blank reason is refused at the field.
    let mut billing = PageClient::login(&p.app, "billing").await;
    billing.get("/").await;
    let (status, _, _) = billing
        .post(&format!("/calendar/move-requests/{rid}/decline"), &[("reason", "No")])
        .await;
    assert_eq!(status, 403);
    let (status, _, body) = desk
        .post(&format!("/calendar/move-requests/{rid}/decline"), &[("reason", " ")])
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("id=\"reason-"), "{body}");
    assert!(body.contains("the patient reads it"), "{body}");
    let reason = "The provider is away that week.\r\nPlease call us to pick a time.";
    let (status, to, body) = desk
        .post(&format!("/calendar/move-requests/{rid}/decline"), &[("reason", reason)])
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some("/calendar?done=declined#move-requests")),
        "{body}"
    );
    let (_, cal) = desk.get("/calendar").await;
    assert!(!cal.contains("Patients asked to move"), "the list is empty: {cal}");

    // The patient reads the answer and may ask again.
    let (_, home) = c.get("/portal").await;
    assert!(home.contains("The clinic could not move your appointment."), "{home}");
    assert!(home.contains("The provider is away that week."), "{home}");
    assert!(home.contains("Ask for a new time</a>"), "{home}");
    assert_eq!(start_of(&p, visit).await, visit_at);

    // A cancelled appointment closes a waiting request.
    let (status, _, _) = c
        .post(
            &format!("/portal/appointments/{visit}/move"),
            &[("slot", ""), ("wishes", "Any morning")],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _, _) = c
        .post(&format!("/portal/appointments/{visit}"), &[("answer", "cancel")])
        .await;
    assert_eq!(status, 303);
    let mut conn = p.app.state.app.store_for_tests().read().await.unwrap();
    assert!(carekeep_store::move_requests::waiting(&mut conn)
        .await
        .unwrap()
        .is_empty());
}
