//! The patient portal (issue 27, items 2, 3 and 5): sign-in by a one-time code sent through
//! the stand-in gateway and mail sink (wrong, expired, reused and spent codes; an unknown
//! contact answered the same way and in the same time; the per-contact limit), an IDOR sweep
//! over every portal route with another patient's ids, a request filed in the portal that
//! starts its clock and reaches the compliance officer, the copy delivered once granted, and
//! every portal read on the trail with the patient as the actor.

use carekeep_app::calendar::{BookInput, ServiceInput};
use carekeep_domain::audit::Origin;
use carekeep_testkit::{PageClient, SmsGateway, SmtpSink, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration as StdDuration, Instant};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// The gateway's token: one per clinic, since in CI every test shares one stand-in gateway
/// and reads back only the texts sent with its own token.
fn unique_token(prefix: &str) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{}-{n}-gateway-token", std::process::id())
}

pub(crate) struct Portal {
    pub(crate) app: TestApp,
    pub(crate) gw: SmsGateway,
    /// `Bearer <this clinic's gateway token>`.
    pub(crate) bearer: String,
    pub(crate) sink: SmtpSink,
}

/// A clinic with the mail relay and the SMS gateway, both vendors under a BAA in force.
pub(crate) async fn clinic() -> Portal {
    let (sink, gw) = (SmtpSink::start().await, SmsGateway::start().await);
    let (port, base) = (sink.port, gw.base.clone());
    let token = unique_token("portal-test");
    let bearer = format!("Bearer {token}");
    let app = TestApp::builder()
        .with_config(move |c| {
            c.smtp_host = "127.0.0.1".into();
            c.smtp_port = port;
            c.smtp_security = "none".into();
            c.smtp_from = "Carekeep <carekeep@clinic.example>".into();
            c.smtp_vendor = "Mailrelay Inc".into();
            c.sms_base_url = base;
            c.sms_token = token;
            c.sms_from = "+15550100000".into();
            c.sms_vendor = "Textwell Inc".into();
            c.patient_url = "https://clinic.example".into();
        })
        .spawn()
        .await;
    let owner = app.api_login("owner").await;
    for (name, service) in [("Mailrelay Inc", "Email relay"), ("Textwell Inc", "SMS gateway")] {
        let res = app
            .api(Method::POST, "/api/v1/vendors", &owner)
            .json(&json!({"name": name, "service": service, "transmits_phi": true,
                "baa_status": "signed", "baa_signed_on": "2026-01-05", "baa_renewal_on": "2027-01-05"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    Portal { app, gw, bearer, sink }
}

pub(crate) async fn patient(app: &TestApp, given: &str, family: &str, phone: &str, email: &str) -> i64 {
    let desk = app.api_login("frontdesk").await;
    let res = app
        .api(Method::POST, "/api/v1/patients", &desk)
        .json(&json!({
            "given_name": given, "family_name": family, "date_of_birth": "1980-04-23", "sex": "female",
            "contact": {"phone": phone, "email": email, "address": "1 Main St", "preferred": "text"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub(crate) async fn service(app: &TestApp) -> i64 {
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    app.state
        .app
        .save_service(
            &who.actor(),
            0,
            ServiceInput {
                name: "Skin check".into(),
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

pub(crate) async fn book(app: &TestApp, service: i64, patient: i64, at: OffsetDateTime) -> i64 {
    let owner = app.api_login("owner").await;
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
                override_reason: "two patients at once in this test".into(),
            },
        )
        .await
        .unwrap()[0]
}

fn origin() -> Origin {
    Origin {
        source_ip: "127.0.0.1".into(),
        user_agent: "portal test".into(),
        request_id: String::new(),
    }
}

/// The code in the newest text to `to` (+1 and ten digits), waiting for the send task.
async fn texted_code(p: &Portal, to: &str, count: usize) -> String {
    for _ in 0..200 {
        let got: Vec<_> =
            p.gw.requests(&p.bearer)
                .await
                .into_iter()
                .filter(|r| r.to == to)
                .collect();
        if got.len() >= count {
            let body = &got[count - 1].body;
            let at = body.find(" is ").expect("the code's sentence") + 4;
            return body[at..at + 6].to_owned();
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    panic!("no text number {count} to {to}");
}

/// Signs in through the pages with the code texted to `phone`; the client is left on /portal.
pub(crate) async fn sign_in(p: &Portal, phone: &str, e164: &str, nth: usize) -> PageClient {
    let mut c = PageClient::new(&p.app);
    let (status, _) = c.get("/portal/sign-in").await;
    assert_eq!(status, 200);
    let (status, to, body) = c
        .post(
            "/portal/sign-in",
            &[("contact", phone), ("date_of_birth", "04/23/1980")],
        )
        .await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal/sign-in/code")), "{body}");
    let code = texted_code(p, e164, nth).await;
    c.get("/portal/sign-in/code").await;
    let (status, to, body) = c.post("/portal/sign-in/code", &[("code", &code)]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal")), "{body}");
    let (status, _) = c.get("/portal").await;
    assert_eq!(status, 200);
    c
}

pub(crate) async fn events(app: &TestApp, limit: usize) -> Vec<Value> {
    let co = app.api_login("compliance").await;
    app.api(Method::GET, &format!("/api/v1/audit/events?limit={limit}"), &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_code_signs_in_once_within_ten_minutes_and_wrong_or_spent_codes_do_not() {
    let p = clinic().await;
    let ana = patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    // Through the pages: a wrong code is refused at its field, typing kept; the right one signs in.
    let mut c = PageClient::new(&p.app);
    c.get("/portal/sign-in").await;
    let (_, to, _) = c
        .post(
            "/portal/sign-in",
            &[("contact", "555.234.5678"), ("date_of_birth", "04/23/1980")],
        )
        .await;
    assert_eq!(to.as_deref(), Some("/portal/sign-in/code"));
    let code = texted_code(&p, "+15552345678", 1).await;
    let text = &p.gw.requests(&p.bearer).await[0].body;
    assert!(
        !text.contains("Ana") && !text.contains("Okafor"),
        "no name in the text: {text}"
    );
    c.get("/portal/sign-in/code").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, _, html) = c.post("/portal/sign-in/code", &[("code", wrong)]).await;
    assert_eq!(status, 422);
    assert!(html.contains("That code is not right"), "{html}");
    assert!(
        html.contains(&format!("value=\"{wrong}\"")),
        "the typed code is kept: {html}"
    );
    let (status, to, _) = c.post("/portal/sign-in/code", &[("code", &code)]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal")));
    let (_, home) = c.get("/portal").await;
    assert!(home.contains("Hello, Ana"), "{home}");

    // Reused: the same challenge and code again.
    let app = &p.app.state.app;
    let sent = app
        .portal_request_code("555-234-5678", "04/23/1980", origin())
        .await
        .unwrap();
    let code = texted_code(&p, "+15552345678", 2).await;
    app.portal_verify_code(&sent.challenge, &code, origin()).await.unwrap();
    let again = app
        .portal_verify_code(&sent.challenge, &code, origin())
        .await
        .unwrap_err();
    assert!(again.to_string().contains("can no longer be used"), "{again}");

    // Expired: ten minutes later the right code no longer works.
    let sent = app
        .portal_request_code("ana@example.org", "04/23/1980", origin())
        .await
        .unwrap();
    let mail_code = {
        let mut found = None;
        for _ in 0..200 {
            if let Some(m) = p.sink.messages().last() {
                let at = m.data.find(" is ").expect("the code's sentence") + 4;
                found = Some(m.data[at..at + 6].to_owned());
                break;
            }
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
        found.expect("a mail with the code")
    };
    p.app.clock.advance(Duration::minutes(10));
    let expired = app
        .portal_verify_code(&sent.challenge, &mail_code, origin())
        .await
        .unwrap_err();
    assert!(expired.to_string().contains("can no longer be used"), "{expired}");

    // Five wrong tries and the code dies, even typed right after.
    let sent = app
        .portal_request_code("5552345678", "04/23/1980", origin())
        .await
        .unwrap();
    let code = texted_code(&p, "+15552345678", 3).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let e = app
            .portal_verify_code(&sent.challenge, wrong, origin())
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not right"), "{e}");
    }
    let dead = app
        .portal_verify_code(&sent.challenge, &code, origin())
        .await
        .unwrap_err();
    assert!(dead.to_string().contains("can no longer be used"), "{dead}");

    // The trail: the sign-in and its failures with the patient as the actor, no name.
    let trail = events(&p.app, 200).await;
    let actor = format!("patient #{ana} (portal)");
    let mine: Vec<&Value> = trail.iter().filter(|e| e["actor"] == actor.as_str()).collect();
    assert!(mine.iter().any(|e| e["action"] == "login.succeeded"), "{trail:?}");
    assert!(
        mine.iter().filter(|e| e["action"] == "login.failed").count() >= 8,
        "{mine:?}"
    );
    assert!(!trail.iter().any(|e| e["actor"].as_str().unwrap_or("").contains("Ana")));
    // Only keyed digests are stored: no code in the table.
    let mut conn = p.app.state.app.store_for_tests().read().await.unwrap();
    use sqlx::Row;
    let digests: Vec<String> = sqlx::query("SELECT code_digest FROM portal_codes")
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("code_digest"))
        .collect();
    assert!(!digests.is_empty() && !digests.iter().any(|d| d == &code));
}

#[tokio::test]
async fn an_unknown_contact_gets_the_same_answer_in_the_same_time_and_nothing_is_sent() {
    let p = clinic().await;
    patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let mut c = PageClient::new(&p.app);
    c.get("/portal/sign-in").await;
    let mut times = (Vec::new(), Vec::new());
    let mut answers = Vec::new();
    // Alternate known and unknown, five each (the per-contact limit is five an hour).
    for i in 0..10 {
        let contact = if i % 2 == 0 { "555-234-5678" } else { "555-234-9999" };
        let t = Instant::now();
        let (status, to, body) = c
            .post(
                "/portal/sign-in",
                &[("contact", contact), ("date_of_birth", "04/23/1980")],
            )
            .await;
        let took = t.elapsed();
        answers.push((status, to, body));
        if i % 2 == 0 {
            times.0.push(took);
        } else {
            times.1.push(took);
        }
    }
    let first = &answers[0];
    for a in &answers {
        assert_eq!((a.0, &a.1, &a.2), (first.0, &first.1, &first.2), "the same answer");
    }
    assert_eq!(first.1.as_deref(), Some("/portal/sign-in/code"));
    // Timing within noise: the medians differ by less than 50 ms or half the larger median.
    let median = |v: &mut Vec<StdDuration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (known, unknown) = (median(&mut times.0), median(&mut times.1));
    let diff = known.abs_diff(unknown);
    assert!(
        diff < StdDuration::from_millis(50).max(known.max(unknown) / 2),
        "known {known:?}, unknown {unknown:?}"
    );
    // Only the patient on file was texted.
    texted_code(&p, "+15552345678", 5).await;
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let sent = p.gw.requests(&p.bearer).await;
    assert_eq!(sent.len(), 5, "{sent:?}");
    assert!(sent.iter().all(|r| r.to == "+15552345678"));
    // The unknown tries are on the trail, naming no one.
    let trail = events(&p.app, 100).await;
    let unknown: Vec<&Value> = trail
        .iter()
        .filter(|e| e["actor"] == "portal (no patient matched)")
        .collect();
    assert_eq!(unknown.len(), 5, "{trail:?}");
    assert!(unknown
        .iter()
        .all(|e| e["patients"] == "" && e["action"] == "login.failed"));
}

#[tokio::test]
async fn five_codes_an_hour_per_contact_known_or_not() {
    let p = clinic().await;
    patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let mut c = PageClient::new(&p.app);
    c.get("/portal/sign-in").await;
    for contact in ["555-234-5678", "nobody@example.org"] {
        for _ in 0..5 {
            let (status, _, _) = c
                .post(
                    "/portal/sign-in",
                    &[("contact", contact), ("date_of_birth", "04/23/1980")],
                )
                .await;
            assert_eq!(status, 303);
        }
        let (status, _, html) = c
            .post(
                "/portal/sign-in",
                &[("contact", contact), ("date_of_birth", "04/23/1980")],
            )
            .await;
        assert_eq!(status, 422, "{contact}");
        assert!(
            html.contains("Too many codes were asked for in the last hour"),
            "{html}"
        );
        assert!(html.contains(&format!("value=\"{contact}\"")), "typing kept: {html}");
    }
    texted_code(&p, "+15552345678", 5).await;
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    assert_eq!(p.gw.requests(&p.bearer).await.len(), 5);
    // An hour later the contact may ask again.
    p.app.clock.advance(Duration::minutes(61));
    let (status, _, _) = c
        .post(
            "/portal/sign-in",
            &[("contact", "555-234-5678"), ("date_of_birth", "04/23/1980")],
        )
        .await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn a_patient_reaches_nothing_of_another_patient_by_id_on_any_portal_route() {
    let p = clinic().await;
    let service = service(&p.app).await;
    let ana = patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let bea = patient(&p.app, "Beatrix", "Vandersloot", "(555) 345-6789", "bea@example.org").await;
    let ana_visit = book(&p.app, service, ana, datetime!(2026-03-04 14:00 UTC)).await;
    let bea_visit = book(&p.app, service, bea, datetime!(2026-03-04 15:00 UTC)).await;
    // Bea has a granted access request with a copy waiting.
    let mut bea_portal = sign_in(&p, "555-345-6789", "+15553456789", 1).await;
    bea_portal.get("/portal/requests").await;
    let (status, _, _) = bea_portal
        .post(
            "/portal/requests",
            &[
                ("kind", "access"),
                ("copy_form", "both"),
                ("words", "Everything, please (Vandersloot)"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let co = p.app.api_login("compliance").await;
    let officer = p.app.principal(&co).await;
    let bea_request = p
        .app
        .state
        .app
        .patient_requests(&officer.actor(), Some(bea))
        .await
        .unwrap()[0]
        .id;
    p.app
        .state
        .app
        .decide_request(&officer.actor(), bea_request, "granted", "")
        .await
        .unwrap();

    // Bea has a form to fill in (issue 28), with her answers saved as a draft.
    let form_template = crate::forms::adopt(&p.app, "medical_history").await;
    let desk = p.app.principal(&p.app.api_login("frontdesk").await).await;
    p.app
        .state
        .app
        .send_forms(&desk.actor(), bea, None, &[form_template])
        .await
        .unwrap();
    let bea_pp = crate::forms::portal_patient(bea);
    let bea_actor = carekeep_app::Actor::Patient(&bea_pp);
    let bea_form = p.app.state.app.portal_forms(&bea_actor).await.unwrap().forms[0].response_id;
    p.app
        .state
        .app
        .portal_save_form(
            &bea_actor,
            bea_form,
            2,
            &crate::forms::raw(&[("notes", "Vandersloot history")]),
        )
        .await
        .unwrap();

    let mut c = sign_in(&p, "555-234-5678", "+15552345678", 1).await;
    let routes = carekeep_server::portal_routes();
    assert!(routes.len() >= 13, "{routes:?}");
    let theirs = ["Beatrix", "Vandersloot", "bea@example.org", "3456789"];
    let mut swept = 0;
    for (method, template) in &routes {
        let other_id = if template.starts_with("/portal/appointments/") {
            bea_visit
        } else if template.starts_with("/portal/forms/") {
            bea_form
        } else {
            bea_request
        };
        let path = template.replace("{id}", &other_id.to_string()).replace("{part}", "2");
        let (status, body) = match *method {
            "GET" => c.get(&path).await,
            _ => {
                let fields: &[(&str, &str)] = match *template {
                    "/portal/appointments/{id}" => &[("answer", "cancel")],
                    "/portal/notice" => &[("version", "1"), ("received", "yes")],
                    "/portal/requests" => &[("kind", "amendment"), ("words", "My own words")],
                    "/portal/appointments/{id}/move" => &[("slot", ""), ("wishes", "Any Tuesday morning")],
                    "/portal/forms/{id}/part/{part}" => &[("notes", "overwritten")],
                    "/portal/forms/{id}/sign" => &[("typed", "Ana Okafor")],
                    _ => &[],
                };
                let (s, _, b) = c.post(&path, fields).await;
                (s, b)
            }
        };
        for word in theirs {
            assert!(!body.contains(word), "{method} {path} shows {word}: {body}");
        }
        if template.contains("{id}") {
            assert!(status == 404 || status == 403, "{method} {path}: {status} {body}");
            swept += 1;
        }
        // The sign-out ends this session: sign in again for the routes after it.
        if *template == "/portal/sign-out" {
            c = sign_in(&p, "555-234-5678", "+15552345678", 2).await;
        }
    }
    assert_eq!(swept, 11);
    // Bea's form is untouched: still her draft, her words.
    let bea_view = p.app.state.app.portal_form(&bea_actor, bea_form).await.unwrap();
    assert_eq!(
        bea_view.answers.get("notes"),
        Some(&carekeep_domain::forms::Answer::Text("Vandersloot history".into()))
    );
    assert_eq!(bea_view.status, carekeep_domain::forms::Status::Draft);
    // Bea's appointment is untouched; Ana's own answers work (the sweep can fail).
    {
        let mut conn = p.app.state.app.store_for_tests().read().await.unwrap();
        let row = carekeep_store::bookings::by_id(&mut conn, bea_visit).await.unwrap();
        assert_eq!(row.status, "booked");
        assert!(row.confirmed_at.is_none());
    }
    let (status, to, _) = c
        .post(&format!("/portal/appointments/{ana_visit}"), &[("answer", "confirm")])
        .await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal?done=confirmed")));
    // Bea's own copy is hers to download.
    let res = bea_portal
        .http
        .get(bea_portal.url(&format!("/portal/requests/{bea_request}/copy.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));
    // And a person with no portal session is sent to sign in.
    let mut nobody = PageClient::new(&p.app);
    let (status, _) = nobody.get("/portal").await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn a_request_filed_in_the_portal_starts_its_clock_reaches_the_officer_and_its_copy_is_delivered() {
    let p = clinic().await;
    let ana = patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let mut c = sign_in(&p, "555-234-5678", "+15552345678", 1).await;
    c.get("/portal/requests").await;
    // A mistake first: no form chosen for the copy. The words typed come back.
    let words = "Please send everything since 2020.\r\nThank you.";
    let (status, _, html) = c
        .post("/portal/requests", &[("kind", "access"), ("words", words)])
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose how you want the copy"), "{html}");
    assert!(
        html.contains("Please send everything since 2020.\nThank you."),
        "kept: {html}"
    );
    let (status, to, _) = c
        .post(
            "/portal/requests",
            &[("kind", "access"), ("copy_form", "both"), ("words", words)],
        )
        .await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal/requests?done=filed")));
    let (_, html) = c.get("/portal/requests?done=filed").await;
    // Received Monday 03/02/2026: 30 days to act (164.524(b)(2)).
    assert!(
        html.contains("Received 03/02/2026. The clinic answers by 04/01/2026"),
        "{html}"
    );
    assert!(!html.contains("copy.pdf"), "no copy before it is granted");

    // The officer's queue has it, with the patient's words.
    let officer_page = PageClient::login(&p.app, "compliance").await;
    let mut officer_page = officer_page;
    let (_, queue) = officer_page.get("/requests").await;
    assert!(queue.contains("Please send everything since 2020."), "{queue}");
    let co = p.app.api_login("compliance").await;
    let officer = p.app.principal(&co).await;
    let listed = p
        .app
        .state
        .app
        .patient_requests(&officer.actor(), Some(ana))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].received_on.as_str(), listed[0].due_on.as_str()),
        ("2026-03-02", "2026-04-01")
    );
    assert_eq!(listed[0].copy_form, "both");
    // The words are sealed: not in the table in the clear.
    {
        let mut conn = p.app.state.app.store_for_tests().read().await.unwrap();
        use sqlx::Row;
        let raw: Vec<u8> = sqlx::query("SELECT details_ct FROM patient_requests")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get("details_ct");
        assert!(!String::from_utf8_lossy(&raw).contains("everything since"));
    }
    p.app
        .state
        .app
        .decide_request(&officer.actor(), listed[0].id, "granted", "")
        .await
        .unwrap();
    let (_, html) = c.get("/portal/requests").await;
    assert!(html.contains("Granted"), "{html}");
    let pdf = c
        .http
        .get(c.url(&format!("/portal/requests/{}/copy.pdf", listed[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let fhir: Value = c
        .http
        .get(c.url(&format!("/portal/requests/{}/copy.json", listed[0].id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fhir["resourceType"], "Bundle");
    // Each download is an export on the trail, the patient as the actor.
    let trail = events(&p.app, 50).await;
    let actor = format!("patient #{ana} (portal)");
    let exports = trail
        .iter()
        .filter(|e| e["actor"] == actor.as_str() && e["action"] == "phi.export")
        .count();
    assert_eq!(exports, 2, "{trail:?}");
}

#[tokio::test]
async fn every_portal_read_is_audited_with_the_patient_as_actor() {
    let p = clinic().await;
    let service = service(&p.app).await;
    let ana = patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let visit = book(&p.app, service, ana, datetime!(2026-03-04 14:00 UTC)).await;
    let owner = p.app.api_login("owner").await;
    let owner_p = p.app.principal(&owner).await;
    let npp = carekeep_domain::program::npp::template("Test Clinic", "the privacy officer", "555-0100", "2026-03-02");
    p.app.state.app.publish_npp(&owner_p.actor(), &npp, "").await.unwrap();

    let mut c = sign_in(&p, "555-234-5678", "+15552345678", 1).await;
    let (_, home) = c.get("/portal").await;
    assert!(
        home.contains("Wednesday, 03/04/2026") && home.contains("2:00 PM"),
        "{home}"
    );
    assert!(home.contains("Skin check"), "{home}");
    let (_, notice) = c.get("/portal/notice").await;
    assert!(notice.contains("I received this notice"), "{notice}");
    // Forgetting the tick is said at the top; then the acknowledgment is kept with evidence.
    let version = {
        let at = notice.find("name=\"version\" value=\"").unwrap() + 22;
        notice[at..at + notice[at..].find('"').unwrap()].to_owned()
    };
    let (status, _, html) = c.post("/portal/notice", &[("version", &version)]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Tick the box"), "{html}");
    let (status, _, _) = c
        .post("/portal/notice", &[("version", &version), ("received", "yes")])
        .await;
    assert_eq!(status, 303);
    let (_, notice) = c.get("/portal/notice?done=acknowledged").await;
    assert!(
        notice.contains("You said you received this notice on 03/02/2026"),
        "{notice}"
    );
    c.get("/portal/requests").await;
    // Cancelling is asked first.
    let (_, ask) = c.get(&format!("/portal?cancel={visit}")).await;
    assert!(
        ask.contains("Cancel this appointment?") && ask.contains("Yes, cancel it"),
        "{ask}"
    );
    let (status, to, _) = c
        .post(&format!("/portal/appointments/{visit}"), &[("answer", "cancel")])
        .await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal?done=cancelled")));

    let trail = events(&p.app, 100).await;
    let actor = format!("patient #{ana} (portal)");
    let mine: Vec<&Value> = trail.iter().filter(|e| e["actor"] == actor.as_str()).collect();
    for (action, resource, reason) in [
        ("phi.read", "Patient", "portal: the patient's appointments"),
        (
            "phi.read",
            "NppAcknowledgement",
            "portal: the notice of privacy practices and its acknowledgment",
        ),
        ("phi.read", "PatientRequestList", "portal: the patient's requests"),
        ("phi.update", "Appointment", "portal: cancelled by the patient"),
    ] {
        assert!(
            mine.iter().any(|e| e["action"] == action
                && e["resource_type"] == resource
                && e["reason"] == reason
                && e["patients"] == ana.to_string().as_str()
                && e["actor_id"].is_null()),
            "{action} {resource}: {mine:?}"
        );
    }
    let ack = mine
        .iter()
        .find(|e| e["action"] == "phi.create" && e["resource_type"] == "NppAcknowledgement")
        .expect("the acknowledgment's event");
    assert!(ack["reason"].as_str().unwrap().contains("sha256 "), "{ack}");
    assert_eq!(ack["user_agent"], carekeep_testkit::TEST_USER_AGENT);
    // The staff chart still answers to staff only: the portal cookie opens no staff page.
    let (status, _) = c.get(&format!("/patients/{ana}")).await;
    assert_ne!(status, 200);
}

#[tokio::test]
async fn an_idle_portal_session_ends_after_fifteen_minutes() {
    let p = clinic().await;
    patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let mut c = sign_in(&p, "555-234-5678", "+15552345678", 1).await;
    p.app.clock.advance(Duration::minutes(14));
    assert_eq!(c.get("/portal").await.0, 200);
    p.app.clock.advance(Duration::minutes(15));
    let res = c.http.get(c.url("/portal")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal/sign-in?ended=1");
    let (_, html) = c.get("/portal/sign-in?ended=1").await;
    assert!(html.contains("signed out after 15 minutes"), "{html}");
}

#[tokio::test]
async fn two_records_with_one_contact_and_birth_date_sign_in_neither() {
    let p = clinic().await;
    // Twins on a parent's phone: the code would open one of two records, so it opens none.
    patient(&p.app, "Ada", "Lindqvist", "(555) 456-7890", "ada@example.org").await;
    patient(&p.app, "Eva", "Lindqvist", "(555) 456-7890", "eva@example.org").await;
    let app = &p.app.state.app;
    let sent = app
        .portal_request_code("555-456-7890", "04/23/1980", origin())
        .await
        .unwrap();
    assert!(!sent.challenge.is_empty(), "the same answer as ever");
    // Each by their own email is found.
    app.portal_request_code("eva@example.org", "04/23/1980", origin())
        .await
        .unwrap();
    for _ in 0..200 {
        if !p.sink.messages().is_empty() {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    assert!(p.gw.requests(&p.bearer).await.is_empty(), "no text to the shared phone");
    let mail = p.sink.messages();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, vec!["eva@example.org".to_owned()]);
    let e = app
        .portal_verify_code(&sent.challenge, "123456", origin())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not right"), "{e}");
}

#[tokio::test]
async fn signed_notes_appear_in_the_portal_only_when_the_clinic_releases_them() {
    let p = clinic().await;
    let ana = patient(&p.app, "Ana", "Okafor", "(555) 234-5678", "ana@example.org").await;
    let provider = p.app.api_login("provider").await;
    let mut notes = Vec::new();
    for (words, sign) in [
        ("SIGNED-MARKER itchy rash\r\non both arms", true),
        ("DRAFT-MARKER not yet", false),
    ] {
        let note: Value = p
            .app
            .api(Method::POST, &format!("/api/v1/patients/{ana}/notes"), &provider)
            .json(&json!({"subjective": words, "assessment": "Contact dermatitis", "plan": "Cream twice a day"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = note["id"].as_i64().unwrap();
        if sign {
            let res = p
                .app
                .api(Method::POST, &format!("/api/v1/notes/{id}/sign"), &provider)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 204);
        }
        notes.push(id);
    }
    let mut c = sign_in(&p, "555-234-5678", "+15552345678", 1).await;
    // On request (the default): nothing of the notes is read or shown.
    let (status, html) = c.get("/portal/notes").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("ask for a copy of your record") && !html.contains("MARKER"),
        "{html}"
    );
    // The owner releases signed notes; a value the page does not offer is refused.
    let mut owner = PageClient::login(&p.app, "owner").await;
    let (_, settings) = owner.get("/admin/settings").await;
    assert!(settings.contains("Visit notes in the portal"), "{settings}");
    let (status, _, html) = owner.post("/admin/settings/portal", &[("notes", "always")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("choose when visit notes appear in the portal"), "{html}");
    let (status, to, _) = owner
        .post("/admin/settings/portal", &[("notes", "after_signing")])
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some("/admin/settings?done=portal#portal"))
    );
    let (_, html) = c.get("/portal/notes").await;
    assert!(html.contains("SIGNED-MARKER itchy rash\non both arms"), "{html}");
    assert!(html.contains("Cream twice a day"), "{html}");
    assert!(!html.contains("DRAFT-MARKER"), "drafts never show: {html}");
    // Audited as the patient, with the clinical class.
    let trail = events(&p.app, 50).await;
    let read = trail
        .iter()
        .find(|e| e["reason"] == "portal: the patient's signed visit notes")
        .expect("the notes' read event");
    assert_eq!(read["actor"], format!("patient #{ana} (portal)").as_str());
    assert!(read["data_classes"].as_str().unwrap().contains("clinical"), "{read}");
    assert!(trail
        .iter()
        .any(|e| e["action"] == "setting.changed"
            && e["reason"] == "portal notes release after_signing (was on_request)"));
    // A patient never reaches the staff settings.
    let (status, _) = c.get("/admin/settings").await;
    assert_ne!(status, 200);
}
