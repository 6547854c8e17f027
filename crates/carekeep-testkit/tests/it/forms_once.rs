//! Issue 28: one request per form. A form sent by hand and the same form asked by later
//! bookings is outstanding once (the chart header, the calendar cards, the portal's list), the
//! packet rule reusing the open request (`forms::packet::plan`); and the visit's text reminder,
//! whose one link fits 160 characters, leads to the portal's forms page.

use crate::portal::{book, clinic, patient, service, sign_in};
use carekeep_app::AppError;
use carekeep_testkit::PageClient;
use time::macros::datetime;
use time::Duration;

const CONSENT: &str = "Consent for injectable treatment";

/// The forms line of the chart header (without the send form's checkboxes).
fn forms_line(html: &str) -> &str {
    let at = html.find("id=\"forms\"").expect("the chart's forms line");
    let rest = &html[at..];
    &rest[..rest.find("</ul>").expect("the forms list")]
}

#[tokio::test]
async fn a_form_sent_by_hand_then_booked_twice_is_outstanding_once_and_the_text_leads_to_it() {
    let p = clinic().await;
    let app = &p.app;
    let a = &app.state.app;
    let consent = crate::forms::adopt(app, "injectables_consent").await;
    let svc = service(app).await;
    let owner = app.principal(&app.api_login("owner").await).await;
    a.set_service_forms(&owner.actor(), svc, &[(consent, "yearly".into())])
        .await
        .unwrap();
    let imogen = patient(app, "Imogen", "Farrow", "(555) 234-6012", "if@example.org").await;
    let desk = app.principal(&app.api_login("frontdesk").await).await;

    // Sent by hand; sent again while still open: nothing new, and the front desk is told.
    a.send_forms(&desk.actor(), imogen, None, &[consent]).await.unwrap();
    let again = a.send_forms(&desk.actor(), imogen, None, &[consent]).await;
    assert!(
        matches!(again, Err(AppError::Invalid(ref m)) if m.contains("already")),
        "{again:?}"
    );
    // Then two bookings of a service that asks for the same form.
    let first = book(app, svc, imogen, datetime!(2026-03-04 15:00 UTC)).await;
    let second = book(app, svc, imogen, datetime!(2026-03-11 15:00 UTC)).await;

    let lines = a.patient_forms(&desk.actor(), imogen).await.unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    // Each visit's calendar card says the form is missing (the same request).
    let missing = a.forms_missing(&desk.actor(), &[first, second]).await.unwrap();
    for visit in [first, second] {
        assert_eq!(
            missing.get(&visit).cloned(),
            Some(vec![CONSENT.to_owned()]),
            "{missing:?}"
        );
    }
    let mut staff = PageClient::login(app, "frontdesk").await;
    let (status, html) = staff.get("/calendar?day=2026-03-04").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches(&format!("Forms missing: {CONSENT}<")).count(), 1, "{html}");
    // The chart header's Forms line lists it once.
    let (status, html) = staff.get(&format!("/patients/{imogen}")).await;
    assert_eq!(status, 200);
    assert_eq!(forms_line(&html).matches(CONSENT).count(), 1, "{}", forms_line(&html));

    // The portal's list shows it once.
    let mut me = sign_in(&p, "555-234-6012", "+15552346012", 1).await;
    let (status, html) = me.get("/portal/forms").await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches(&format!("<strong>{CONSENT}</strong>")).count(),
        1,
        "{html}"
    );
    // Sent by hand, it is now for both booked visits, and says so as a booked packet's form
    // does: the day and the time on the clinic's clock.
    let on = |t: time::OffsetDateTime| {
        let l = a.clinic_zone().local(t);
        let (h, half) = match l.hour() {
            0 => (12, "AM"),
            h @ 1..=11 => (h, "AM"),
            12 => (12, "PM"),
            h => (h - 12, "PM"),
        };
        format!(
            "{:02}/{:02}/{} at {h}:{:02} {half}",
            u8::from(l.month()),
            l.day(),
            l.year(),
            l.minute()
        )
    };
    let both = format!(
        "For your visits on {} and {}",
        on(datetime!(2026-03-04 15:00 UTC)),
        on(datetime!(2026-03-11 15:00 UTC))
    );
    assert!(html.contains(&both), "{both}: {html}");
    // The home page counts it once.
    let (status, home) = me.get("/portal").await;
    assert_eq!(status, 200);
    assert!(home.contains("fill in one form before your visit"), "{home}");
    // A visit called off is no longer named.
    a.calendar_cancel(&desk.actor(), second, "the patient called")
        .await
        .unwrap();
    let (_, html) = me.get("/portal/forms").await;
    let one = format!("For your visit on {}<", on(datetime!(2026-03-04 15:00 UTC)));
    assert!(html.contains(&one), "{one}: {html}");

    // The reminder's text: one message, no form's name, its link's page offers the forms.
    app.clock.advance(Duration::hours(30));
    let run = a.send_due_reminders().await.unwrap();
    assert_eq!(run.sent, 1, "{run:?}");
    let texts: Vec<_> =
        p.gw.requests(&p.bearer)
            .await
            .into_iter()
            .filter(|r| r.to == "+15552346012" && r.body.contains("appointment"))
            .collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    let body = &texts[0].body;
    assert!(
        body.chars().count() <= 160,
        "{} characters: {body}",
        body.chars().count()
    );
    assert!(body.contains("forms: https://clinic.example/c/"), "{body}");
    assert!(
        !body.to_lowercase().contains("injectable") && !body.contains("Imogen"),
        "{body}"
    );
    let path = body
        .split_whitespace()
        .find_map(|w| w.strip_prefix("https://clinic.example"))
        .expect("a link in the text")
        .to_owned();
    // Opened on the patient's phone (no sign-in yet): the link's page offers the forms page.
    let (status, page) = PageClient::new(app).get(&path).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("href=\"/portal/forms\"") && page.contains("Fill in your forms"),
        "{page}"
    );
    assert!(!page.contains(CONSENT), "no form's name on the link's page");
    // Which opens the portal's forms page after the portal's sign-in (the day-old session has
    // ended; the third text to this number is the new code), with the form to fill in.
    let (status, _) = me.get("/portal/forms").await;
    assert_eq!(status, 303);
    let mut me = sign_in(&p, "555-234-6012", "+15552346012", 3).await;
    let (status, html) = me.get("/portal/forms").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Your forms</h1>") && html.contains(CONSENT), "{html}");
    p.app.stop().await;
}

/// The report: a yearly medical history sent by hand from the chart, then a visit of a service
/// that asks for it yearly booked, and the calendar's "Forms missing" left it out. An open,
/// unfilled form IS missing before the visit, whichever way the visit was booked.
#[tokio::test]
async fn a_yearly_form_sent_by_hand_from_the_chart_is_missing_for_the_visit_booked_after() {
    let p = clinic().await;
    let app = &p.app;
    let a = &app.state.app;
    let history = crate::forms::adopt(app, "medical_history").await;
    let svc = service(app).await;
    let owner = app.principal(&app.api_login("owner").await).await;
    a.set_service_forms(&owner.actor(), svc, &[(history, "yearly".into())])
        .await
        .unwrap();
    let ivo = patient(app, "Ivo", "Lindqvist", "(555) 234-6044", "il@example.org").await;
    let mut staff = PageClient::login(app, "frontdesk").await;
    let chart = format!("/patients/{ivo}");
    staff.get(&chart).await;
    let (status, to, body) = staff
        .post(&format!("{chart}/forms"), &[("template", &history.to_string())])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(to, Some(format!("{chart}?done=forms_sent#forms")));
    // Started at the portal, not finished: still missing.
    let mut me = sign_in(&p, "555-234-6044", "+15552346044", 1).await;
    me.get("/portal/forms").await;
    me.post("/portal/forms/esign", &[("agree", "yes")]).await;

    // Booked on the calendar, for a service that asks the form yearly.
    let visit = book(app, svc, ivo, datetime!(2026-03-04 15:00 UTC)).await;
    let desk = app.principal(&app.api_login("frontdesk").await).await;
    let missing = a.forms_missing(&desk.actor(), &[visit]).await.unwrap();
    assert_eq!(
        missing.get(&visit).cloned(),
        Some(vec!["Medical history".to_owned()]),
        "{missing:?}"
    );
    let (_, html) = staff.get("/calendar?day=2026-03-04").await;
    assert_eq!(html.matches("Forms missing: Medical history<").count(), 1, "{html}");
    // The chart header names the visit it is wanted for, once.
    let (_, html) = staff.get(&chart).await;
    let line = forms_line(&html);
    assert_eq!(line.matches("Medical history").count(), 1, "{line}");
    assert!(
        line.contains("Medical history (visit 03/04/2026): <span class=\"warning-text\">"),
        "{line}"
    );

    // Booked from the chart instead (the service typed by its name): the same.
    let una = patient(app, "Una", "Lindqvist", "(555) 234-6045", "ul@example.org").await;
    a.send_forms(&desk.actor(), una, None, &[history]).await.unwrap();
    let token = app.api_login("frontdesk").await;
    let owner_token = app.api_login("owner").await;
    let doc = app.user_id(&owner_token, "provider").await;
    let res = app
        .api(reqwest::Method::POST, &format!("/api/v1/patients/{una}/appointments"), &token)
        .json(&serde_json::json!({"provider_id": doc, "service": "Skin check", "start": "2026-03-04T17:00:00Z", "minutes": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let booked: serde_json::Value = res.json().await.unwrap();
    let second = booked["id"].as_i64().unwrap();
    let missing = a.forms_missing(&desk.actor(), &[second]).await.unwrap();
    assert_eq!(
        missing.get(&second).cloned(),
        Some(vec!["Medical history".to_owned()]),
        "{missing:?}"
    );
    p.app.stop().await;
}
