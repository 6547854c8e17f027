//! A personal representative signs in to the portal for the patient (issue 27; 164.502(g)):
//! their own mobile number and the patient's date of birth; a minor's parent sees the minor's
//! appointments except the care the minor consented to alone ((g)(3)(i)), on every page and in
//! the copy; a suspended ((g)(5)) or expired representative gets the answer an unknown
//! contact gets; every read is on the trail with the representative as the actor.

use carekeep_app::calendar::{BookInput, ServiceInput};
use carekeep_app::people::PersonInput;
use carekeep_testkit::{PageClient, SmsGateway, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration as StdDuration;
use time::macros::datetime;
use time::OffsetDateTime;

/// The stand-in gateway and `Bearer <this clinic's token>`: one token per clinic, since in CI
/// every test shares one gateway and reads back only the texts sent with its own token.
struct Gw {
    gw: SmsGateway,
    bearer: String,
}

fn unique_token() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("portal-rep-test-{}-{n}-gateway-token", std::process::id())
}
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
/// The child's date of birth as the parent types it (a minor on the test clock's 2026).
const CHILD_DOB: &str = "06/01/2015";

/// A clinic with the SMS gateway under a BAA in force.
async fn clinic() -> (TestApp, Gw) {
    let gw = SmsGateway::start().await;
    let base = gw.base.clone();
    let token = unique_token();
    let bearer = format!("Bearer {token}");
    let app = TestApp::builder()
        .with_config(move |c| {
            c.sms_base_url = base;
            c.sms_token = token;
            c.sms_from = "+15550100000".into();
            c.sms_vendor = "Textwell Inc".into();
            c.patient_url = "https://clinic.example".into();
        })
        .spawn()
        .await;
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::POST, "/api/v1/vendors", &owner)
        .json(
            &json!({"name": "Textwell Inc", "service": "SMS gateway", "transmits_phi": true,
            "baa_status": "signed", "baa_signed_on": "2026-01-05", "baa_renewal_on": "2027-01-05"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    (app, Gw { gw, bearer })
}

async fn child(app: &TestApp) -> i64 {
    let desk = app.api_login("frontdesk").await;
    let res = app
        .api(Method::POST, "/api/v1/patients", &desk)
        .json(&json!({
            "given_name": "Mia", "family_name": "Quenby", "date_of_birth": "2015-06-01", "sex": "female",
            "contact": {"phone": "(555) 456-7890", "email": "", "address": "1 Main St", "preferred": "text"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// A representative added by the front desk, as on the chart's card.
async fn representative(app: &TestApp, patient: i64, name: &str, phone: &str, basis: &str, ends_on: &str) -> i64 {
    let desk = app.api_login("frontdesk").await;
    let who = app.principal(&desk).await;
    app.state
        .app
        .add_person(
            &who.actor(),
            patient,
            PersonInput {
                kind: "representative".into(),
                name: name.into(),
                relationship: "Parent".into(),
                phone: phone.into(),
                basis: basis.into(),
                starts_on: "01/01/2020".into(),
                ends_on: ends_on.into(),
                document_name: "papers.pdf".into(),
                document: PDF.to_vec(),
                ..PersonInput::default()
            },
        )
        .await
        .unwrap()
}

async fn book(app: &TestApp, patient: i64, at: OffsetDateTime) -> i64 {
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    let service = app
        .state
        .app
        .save_service(
            &who.actor(),
            0,
            ServiceInput {
                name: format!("Visit {}", at.unix_timestamp()),
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
        .unwrap();
    let provider = app.user_id(&owner, "provider").await;
    let desk = app.api_login("frontdesk").await;
    let who = app.principal(&desk).await;
    app.state
        .app
        .calendar_book(
            &who.actor(),
            BookInput {
                patient,
                provider,
                service,
                room: None,
                start: Some(at),
                repeat: None,
                override_reason: "a test booking".into(),
            },
        )
        .await
        .unwrap()[0]
}

async fn texts_to(gw: &Gw, to: &str) -> Vec<String> {
    gw.gw
        .requests(&gw.bearer)
        .await
        .into_iter()
        .filter(|r| r.to == to)
        .map(|r| r.body)
        .collect()
}

async fn texted_code(gw: &Gw, to: &str) -> String {
    for _ in 0..200 {
        if let Some(body) = texts_to(gw, to).await.last() {
            let at = body.find(" is ").expect("the code's sentence") + 4;
            return body[at..at + 6].to_owned();
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    panic!("no text to {to}");
}

/// Asks for a code as a browser would; the answer (status, where to, body).
async fn ask(c: &mut PageClient, phone: &str, dob: &str) -> (u16, Option<String>, String) {
    c.get("/portal/sign-in").await;
    c.post("/portal/sign-in", &[("contact", phone), ("date_of_birth", dob)])
        .await
}

async fn events(app: &TestApp) -> Vec<Value> {
    let co = app.api_login("compliance").await;
    app.api(Method::GET, "/api/v1/audit/events?limit=300", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_parent_signs_in_with_their_phone_and_the_childs_birth_date_and_sees_all_but_the_minors_own_care() {
    let (app, gw) = clinic().await;
    let mia = child(&app).await;
    let seen = book(&app, mia, datetime!(2026-03-04 14:00 UTC)).await;
    let own = book(&app, mia, datetime!(2026-03-11 16:30 UTC)).await;
    let parent = representative(&app, mia, "Paula Quenby", "(555) 222-3333", "parent_of_minor", "").await;
    // The minor's own-consent visit, marked by a clinician.
    let provider = app.api_login("provider").await;
    let who = app.principal(&provider).await;
    app.state
        .app
        .mark_own_consent(&who.actor(), mia, &format!("appointment-{own}"))
        .await
        .unwrap();
    // A representative added before the phone index existed is found too (indexed at first use).
    {
        let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
        sqlx::query("DELETE FROM care_people_phone")
            .execute(&mut *tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    let mut c = PageClient::new(&app);
    let (status, to, body) = ask(&mut c, "555-222-3333", CHILD_DOB).await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal/sign-in/code")), "{body}");
    // The code went to the parent's phone, not the child's.
    let code = texted_code(&gw, "+15552223333").await;
    assert!(texts_to(&gw, "+15554567890").await.is_empty());
    c.get("/portal/sign-in/code").await;
    let (status, to, body) = c.post("/portal/sign-in/code", &[("code", &code)]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal")), "{body}");

    let (status, home) = c.get("/portal").await;
    assert_eq!(status, 200);
    assert!(home.contains("Mia's appointments"), "{home}");
    assert!(home.contains("personal representative"), "{home}");
    assert!(home.contains("Wednesday, 03/04/2026"), "{home}");
    assert!(
        home.contains("care a minor agreed to on their own is not shown"),
        "{home}"
    );
    // Nothing of the own-consent visit on any portal page the parent can reach.
    let theirs = [
        format!("appointment-{own}"),
        format!("/portal/appointments/{own}"),
        "03/11/2026".to_owned(),
        format!("Visit {}", datetime!(2026-03-11 16:30 UTC).unix_timestamp()),
    ];
    for (method, template) in carekeep_server::portal_routes() {
        if method != "GET" || template.contains("sign-in") {
            continue;
        }
        let path = template.replace("{id}", &own.to_string()).replace("{part}", "0");
        let (status, body) = c.get(&path).await;
        for word in &theirs {
            assert!(!body.contains(word.as_str()), "GET {path} shows {word}: {body}");
        }
        if template.contains("{id}") {
            assert_eq!(status, 404, "GET {path}");
        }
    }
    // Nor may they confirm or cancel it (as if it did not exist); their own answer works.
    let (status, _, _) = c
        .post(&format!("/portal/appointments/{own}"), &[("answer", "cancel")])
        .await;
    assert_eq!(status, 404);
    {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        let row = carekeep_store::bookings::by_id(&mut conn, own).await.unwrap();
        assert_eq!(row.status, "booked");
    }
    // A copy delivered through the portal leaves it out too.
    c.get("/portal/requests").await;
    let (status, _, body) = c
        .post(
            "/portal/requests",
            &[
                ("kind", "access"),
                ("copy_form", "fhir"),
                ("words", "Mia's record, please"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let co = app.api_login("compliance").await;
    let officer = app.principal(&co).await;
    let filed = app
        .state
        .app
        .patient_requests(&officer.actor(), Some(mia))
        .await
        .unwrap()[0]
        .clone();
    // Recorded as filed by the representative, with their name and basis, for the officer.
    assert!(
        filed.details.starts_with(
            "Filed in the portal by Paula Quenby, the patient's personal representative (Parent or guardian of a minor, 45 CFR 164.502(g)(3))."
        ),
        "{}",
        filed.details
    );
    assert!(filed.details.contains("Mia's record, please"), "{}", filed.details);
    {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        let sealed = carekeep_store::rights::request_by_id(&mut conn, filed.id)
            .await
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&sealed.details_ct).contains("Paula"),
            "the name is sealed"
        );
    }
    let request = filed.id;
    app.state
        .app
        .decide_request(&officer.actor(), request, "granted", "")
        .await
        .unwrap();
    let (status, copy) = c.get(&format!("/portal/requests/{request}/copy.json")).await;
    assert_eq!(status, 200, "{copy}");
    assert!(copy.contains(&format!("\"appointment-{seen}\"")), "{copy}");
    assert!(
        !copy.contains("2026-03-11") && !copy.contains(&format!("\"appointment-{own}\"")),
        "the own-consent visit is in the copy: {copy}"
    );

    // Every read is on the trail with the representative as the actor.
    let trail = events(&app).await;
    let actor = format!("representative of patient #{mia} (portal)");
    let portal_reads: Vec<&Value> = trail
        .iter()
        .filter(|e| {
            e["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("portal:") || r.contains("portal"))
                && (e["action"] == "phi.read" || e["action"] == "phi.export")
        })
        .collect();
    assert!(portal_reads.len() >= 4, "{trail:?}");
    for e in &portal_reads {
        assert_eq!(e["actor"], actor.as_str(), "{e}");
        assert!(e["actor_id"].is_null(), "{e}");
    }
    for reason in [
        "portal: the patient's appointments",
        "portal: the patient's requests",
        "copy of the record delivered in the portal",
    ] {
        assert!(
            portal_reads.iter().any(|e| e["reason"] == reason),
            "{reason}: {portal_reads:?}"
        );
    }
    assert!(trail
        .iter()
        .any(|e| e["actor"] == actor.as_str() && e["action"] == "login.succeeded"));

    // A (g)(5) suspension ends the session at the next request (fail closed).
    app.state
        .app
        .suspend_representative(&who.actor(), mia, parent, "Concern for the child's safety at home.")
        .await
        .unwrap();
    let res = c.http.get(c.url("/portal")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let trail = events(&app).await;
    assert!(
        trail.iter().any(|e| e["actor"] == actor.as_str()
            && e["action"] == "session.ended"
            && e["reason"] == "portal: signed out: the representative may no longer act for the patient"),
        "{trail:?}"
    );
}

#[tokio::test]
async fn a_suspended_or_expired_representative_gets_the_answer_an_unknown_contact_gets() {
    let (app, gw) = clinic().await;
    let mia = child(&app).await;
    let suspended = representative(&app, mia, "Sam Quenby", "(555) 222-4444", "parent_of_minor", "").await;
    representative(
        &app,
        mia,
        "Old Quenby",
        "(555) 222-5555",
        "parent_of_minor",
        "01/01/2021",
    )
    .await;
    // A parent's authority over an adult child ended (a basis that no longer fits).
    let provider = app.api_login("provider").await;
    let who = app.principal(&provider).await;
    app.state
        .app
        .suspend_representative(&who.actor(), mia, suspended, "Concern for the child's safety at home.")
        .await
        .unwrap();

    let mut answers = Vec::new();
    for phone in ["555-222-4444", "555-222-5555", "555-222-9999"] {
        let mut c = PageClient::new(&app);
        let (status, to, body) = ask(&mut c, phone, CHILD_DOB).await;
        assert_eq!((status, to.as_deref()), (303, Some("/portal/sign-in/code")), "{body}");
        c.get("/portal/sign-in/code").await;
        let code = c.post("/portal/sign-in/code", &[("code", "123456")]).await;
        // The page carries this browser's own CSRF token; the rest must be the same.
        let at = code.2.find("data-csrf=\"").expect("the page's CSRF token") + 11;
        let token = code.2[at..at + code.2[at..].find('"').unwrap()].to_owned();
        let page = code.2.replace(token.as_str(), "CSRF");
        answers.push(((status, to, body), (code.0, code.1, page)));
    }
    assert_eq!(answers[0], answers[2], "suspended vs unknown");
    assert_eq!(answers[1], answers[2], "expired vs unknown");
    assert_eq!(answers[2].1 .0, 422, "{:?}", answers[2].1);
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert!(gw.gw.requests(&gw.bearer).await.is_empty(), "nothing is texted to them");
    // On the trail they are no one: nothing names the child.
    let trail = events(&app).await;
    let failed: Vec<&Value> = trail.iter().filter(|e| e["action"] == "login.failed").collect();
    assert_eq!(failed.len(), 6, "{trail:?}");
    assert!(failed
        .iter()
        .all(|e| e["actor"] == "portal (no patient matched)" && e["patients"] == ""));
    assert!(!trail
        .iter()
        .any(|e| e["actor"] == format!("representative of patient #{mia} (portal)").as_str()));
}

/// The chart's "Add a personal representative" form as a browser sends it (with the document).
async fn add_on_chart(c: &mut PageClient, patient: i64, name: &str, email: &str) -> (u16, Option<String>, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf", c.csrf.clone())
        .text("name", name.to_owned())
        .text("relationship", "Guardian")
        .text("phone", "")
        .text("email", email.to_owned())
        .text("basis", "parent_of_minor")
        .text("starts_on", "01/01/2020")
        .text("ends_on", "")
        .text("words", "")
        .part(
            "document",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("custody.pdf"),
        );
    let res = c
        .http
        .post(c.url(&format!("/patients/{patient}/representatives")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let to = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, to, res.text().await.unwrap())
}

#[tokio::test]
async fn a_guardian_signs_in_with_the_email_typed_on_the_chart() {
    let p = crate::portal::clinic().await;
    let app = &p.app;
    let mia = child(app).await;
    let mut desk = PageClient::login(app, "frontdesk").await;
    desk.get(&format!("/patients/{mia}")).await;
    // A mistake in the address comes back at its field, with everything typed kept.
    let (status, _, body) = add_on_chart(&mut desk, mia, "Gwen Quenby", "gwen at example.org").await;
    assert_ne!(status, 303, "{body}");
    assert!(body.contains(r#"id="rep-email-error""#), "{body}");
    assert!(body.contains(r#"value="gwen at example.org""#), "{body}");
    assert!(body.contains(r#"value="Gwen Quenby""#), "{body}");
    let (status, _, body) = add_on_chart(&mut desk, mia, "Gwen Quenby", "Gwen.Quenby@Example.org").await;
    assert_eq!(status, 303, "{body}");
    let (_, chart) = desk.get(&format!("/patients/{mia}")).await;
    assert!(chart.contains("gwen.quenby@example.org"), "the card shows the address");

    // The wrong birth date: the answer an unknown contact gets, and no mail.
    let mut c = PageClient::new(app);
    let (status, to, body) = ask(&mut c, "gwen.quenby@example.org", "06/02/2015").await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal/sign-in/code")), "{body}");
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert!(
        p.sink.messages().is_empty(),
        "no code for a birth date that matches no one"
    );

    // The address as she types it, in any case, and the child's birth date.
    let mut c = PageClient::new(app);
    let (status, to, body) = ask(&mut c, " GWEN.QUENBY@example.org ", CHILD_DOB).await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal/sign-in/code")), "{body}");
    let mut code = None;
    for _ in 0..200 {
        if let Some(m) = p.sink.messages().last() {
            assert_eq!(m.to, vec!["gwen.quenby@example.org".to_owned()]);
            let at = m.data.find(" is ").expect("the code's sentence") + 4;
            code = Some(m.data[at..at + 6].to_owned());
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let code = code.expect("a mail with the code");
    c.get("/portal/sign-in/code").await;
    let (status, to, body) = c.post("/portal/sign-in/code", &[("code", &code)]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal")), "{body}");
    let (status, home) = c.get("/portal").await;
    assert_eq!(status, 200);
    assert!(home.contains("Mia's appointments"), "{home}");
    assert!(home.contains("personal representative"), "{home}");
    // On the trail as the representative, never as the patient.
    let actor = format!("representative of patient #{mia} (portal)");
    let evs = events(app).await;
    assert!(
        evs.iter()
            .any(|e| e["actor"] == actor.as_str() && e["action"] == "phi.read"),
        "{evs:?}"
    );
}

#[tokio::test]
async fn the_forms_of_a_minors_own_consent_visit_are_left_out_for_the_parent() {
    let (app, gw) = clinic().await;
    let mia = child(&app).await;
    // Two services, each asking for its own form at every visit: booking makes each packet (a
    // form still open is reused by a later booking, so each visit asks a different one here).
    let owner = app.api_login("owner").await;
    let boss = app.principal(&owner).await;
    let mut services = Vec::new();
    for (name, key) in [("Check-up", "consent_to_treat"), ("Counselling", "medical_history")] {
        let form = crate::forms::adopt(&app, key).await;
        let service = app
            .state
            .app
            .save_service(
                &boss.actor(),
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
            .unwrap();
        app.state
            .app
            .set_service_forms(&boss.actor(), service, &[(form, "every_visit".into())])
            .await
            .unwrap();
        services.push(service);
    }
    let provider = app.user_id(&owner, "provider").await;
    let desk = app.api_login("frontdesk").await;
    let front = app.principal(&desk).await;
    let mut visits = Vec::new();
    for (at, service) in [datetime!(2026-03-04 14:00 UTC), datetime!(2026-03-11 16:30 UTC)]
        .into_iter()
        .zip(services)
    {
        let input = BookInput {
            patient: mia,
            provider,
            service,
            room: None,
            start: Some(at),
            repeat: None,
            override_reason: "a test booking".into(),
        };
        visits.push(app.state.app.calendar_book(&front.actor(), input).await.unwrap()[0]);
    }
    let (seen, own) = (visits[0], visits[1]);
    let doc = app.api_login("provider").await;
    let clinician = app.principal(&doc).await;
    app.state
        .app
        .mark_own_consent(&clinician.actor(), mia, &format!("appointment-{own}"))
        .await
        .unwrap();
    representative(&app, mia, "Paula Quenby", "(555) 222-3333", "parent_of_minor", "").await;
    let form_of = |rows: &[carekeep_store::forms::ResponseRow], visit: i64| {
        rows.iter()
            .find(|r| r.appointment_id == Some(visit))
            .map(|r| r.id)
            .expect("the visit's form")
    };
    let rows = {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        carekeep_store::forms::responses_for_patient(&mut conn, mia)
            .await
            .unwrap()
    };
    let (seen_form, own_form) = (form_of(&rows, seen), form_of(&rows, own));

    let mut c = PageClient::new(&app);
    ask(&mut c, "555-222-3333", CHILD_DOB).await;
    let code = texted_code(&gw, "+15552223333").await;
    c.get("/portal/sign-in/code").await;
    let (status, _, _) = c.post("/portal/sign-in/code", &[("code", &code)]).await;
    assert_eq!(status, 303);
    // The home page points to the forms waiting: one, the own-consent visit's left out.
    let (_, home) = c.get("/portal").await;
    assert!(
        home.contains("The clinic asks you to fill in one form before your visit.</p>")
            && home.contains(r#"<a href="/portal/forms" class="button">Fill in your forms</a>"#),
        "{home}"
    );
    c.get("/portal/forms").await;
    let (status, _, body) = c.post("/portal/forms/esign", &[("agree", "yes")]).await;
    assert_eq!(status, 303, "{body}");
    let (status, list) = c.get("/portal/forms").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("/portal/forms/{seen_form}")), "{list}");
    assert!(!list.contains(&format!("/portal/forms/{own_form}")), "{list}");
    assert!(!list.contains("03/11/2026"), "{list}");
    let (status, _) = c.get(&format!("/portal/forms/{seen_form}")).await;
    assert_eq!(status, 200);
    for path in [
        format!("/portal/forms/{own_form}"),
        format!("/portal/forms/{own_form}?part=1"),
        format!("/portal/forms/{own_form}/signed.pdf"),
    ] {
        let (status, body) = c.get(&path).await;
        assert_eq!(status, 404, "GET {path}");
        assert!(!body.contains("03/11/2026"), "GET {path}");
    }
    let (status, _, _) = c
        .post(&format!("/portal/forms/{own_form}/part/1"), &[("notes", "x")])
        .await;
    assert_eq!(status, 404);
}
