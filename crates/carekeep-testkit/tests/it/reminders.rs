//! Appointment reminders (issue 26, step 5) through the testkit's SMTP server and the stand-in
//! SMS gateway: minimum necessary (no name, no service), nothing to a vendor without a BAA in
//! force, one a day and three a week, the opt-out honoured at once, a granted
//! confidential-communication request followed, the sent log written and the link working.

use carekeep_app::calendar::{BookInput, ServiceInput};
use carekeep_testkit::{PageClient, SmsGateway, SmtpSink, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const PATIENT_URL: &str = "https://clinic.example";

async fn with_gateways(sink: &SmtpSink, gw: &SmsGateway, token: &str) -> TestApp {
    let (port, base, token) = (sink.port, gw.base.clone(), token.to_owned());
    TestApp::builder()
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
            c.patient_url = PATIENT_URL.into();
        })
        .spawn()
        .await
}

fn unique_token(what: &str) -> String {
    format!("{what}-{}", uuid::Uuid::new_v4())
}

/// Adds both vendors (no BAA yet); returns their ids.
async fn vendors(app: &TestApp) -> Vec<i64> {
    let owner = app.api_login("owner").await;
    let mut ids = Vec::new();
    for (name, service) in [("Mailrelay Inc", "Email relay"), ("Textwell Inc", "SMS gateway")] {
        let res = app
            .api(Method::POST, "/api/v1/vendors", &owner)
            .json(&json!({"name": name, "service": service, "transmits_phi": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        ids.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    ids
}

async fn sign_baas(app: &TestApp, ids: &[i64]) {
    let owner = app.api_login("owner").await;
    for (id, (name, service)) in ids
        .iter()
        .zip([("Mailrelay Inc", "Email relay"), ("Textwell Inc", "SMS gateway")])
    {
        let res = app
            .api(Method::PUT, &format!("/api/v1/vendors/{id}"), &owner)
            .json(&json!({"name": name, "service": service, "transmits_phi": true,
                "baa_status": "signed", "baa_signed_on": "2026-01-05", "baa_renewal_on": "2027-01-05"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
}

async fn patient(app: &TestApp, given: &str, family: &str, phone: &str, email: &str, preferred: &str) -> i64 {
    let desk = app.api_login("frontdesk").await;
    let res = app
        .api(Method::POST, "/api/v1/patients", &desk)
        .json(&json!({
            "given_name": given, "family_name": family, "date_of_birth": "1980-04-23", "sex": "female",
            "contact": {"phone": phone, "email": email, "address": "1 Main St", "preferred": preferred}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn service(app: &TestApp) -> i64 {
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    app.state
        .app
        .save_service(
            &who.actor(),
            0,
            ServiceInput {
                name: "Botox consult".into(),
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

async fn book(app: &TestApp, service: i64, patient: i64, at: OffsetDateTime) -> i64 {
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
                override_reason: "a second visit the same week, as asked".into(),
            },
        )
        .await
        .unwrap()[0]
}

#[tokio::test]
async fn reminders_carry_no_name_or_service_pass_the_baa_gate_and_their_link_works() {
    let (sink, gw, token) = (SmtpSink::start().await, SmsGateway::start().await, unique_token("a"));
    let app = with_gateways(&sink, &gw, &token).await;
    let bearer = format!("Bearer {token}");
    let vendor_ids = vendors(&app).await;
    let service = service(&app).await;
    let texted = patient(
        &app,
        "Wilhelmina",
        "Quenby",
        "(555) 201-7788",
        "wq@example.org",
        "phone",
    )
    .await;
    let mailed = patient(
        &app,
        "Bartholomew",
        "Ockenden",
        "555-201-7799",
        "bo@example.org",
        "email",
    )
    .await;
    // Wednesday 03/04/2026 at 2:00 and 3:00 PM on the test clinic's clock (UTC), which starts
    // Monday 9:00 AM.
    let first = book(&app, service, texted, datetime!(2026-03-04 14:00 UTC)).await;
    book(&app, service, mailed, datetime!(2026-03-04 15:00 UTC)).await;

    // More than 48 hours before: nothing is due.
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!((run.sent, run.held), (0, 0));
    // Due, but neither vendor has a BAA in force: nothing leaves (164.502(e)(1)).
    app.clock.advance(Duration::hours(6));
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!((run.sent, run.held), (0, 2), "{run:?}");
    assert!(gw.requests(&bearer).await.is_empty());
    assert!(sink.messages().is_empty());
    // Tried once a clinic day: the next tick does not read the charts again.
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!((run.sent, run.held), (0, 0));

    sign_baas(&app, &vendor_ids).await;
    app.clock.advance(Duration::hours(18));
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!((run.sent, run.held, run.failed), (2, 0, 0), "{run:?}");

    let texts = gw.requests(&bearer).await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    let text = &texts[0];
    assert_eq!(text.to, "+15552017788");
    assert_eq!(text.from, "+15550100000");
    assert!(text.body.contains("Wed 03/04/2026 at 2:00 PM"), "{}", text.body);
    assert!(text.body.contains("Reply STOP"), "{}", text.body);
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["bo@example.org".to_string()]);
    assert!(mails[0].data.contains("3:00 PM"), "{}", mails[0].data);
    for said in [text.body.as_str(), mails[0].data.as_str()] {
        for phi in [
            "Wilhelmina",
            "Quenby",
            "Bartholomew",
            "Ockenden",
            "Botox",
            "consult",
            "1980",
            "provider",
        ] {
            assert!(!said.contains(phi), "a reminder said {phi}: {said}");
        }
    }

    // The link in the text opens the appointment's page: the clinic, the day and the time.
    let path = text
        .body
        .split_whitespace()
        .find_map(|w| w.strip_prefix(PATIENT_URL))
        .expect("a link in the text")
        .to_owned();
    assert!(path.starts_with("/c/"), "{path}");
    let page = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("2:00 PM"), "{html}");
    assert!(!html.contains("Quenby") && !html.contains("Botox"));

    // The sent log: held twice at the BAA gate, then sent; address and text read back sealed.
    let desk = app.api_login("frontdesk").await;
    let who = app.principal(&desk).await;
    let log = app.state.app.reminders_sent(&who.actor(), texted).await.unwrap();
    let outcomes: Vec<&str> = log.iter().map(|l| l.outcome.as_str()).collect();
    assert_eq!(outcomes, ["held: the vendor has no BAA in force", "sent"], "{log:?}");
    assert_eq!(log[1].appointment_id, first);
    assert_eq!(
        (log[1].channel.as_str(), log[1].vendor.as_str()),
        ("sms", "Textwell Inc")
    );
    assert_eq!(log[1].text, text.body);
    assert!(log[1].address.contains("201"), "{:?}", log[1].address);
    // Sealed in the database, and the log is append-only.
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let bodies: Vec<Option<Vec<u8>>> = sqlx::query_scalar("SELECT body_ct FROM reminder_sends WHERE patient_id = $1")
        .bind(texted)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(bodies.len(), 2);
    for ct in bodies.into_iter().flatten() {
        assert!(!String::from_utf8_lossy(&ct).contains("appointment"));
    }
    let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
    let changed = sqlx::query("UPDATE reminder_sends SET outcome = 'sent'")
        .execute(tx.conn())
        .await;
    assert!(changed.is_err(), "the sent log refuses an update");
    drop(tx);
    // One reminder per appointment: the next run sends nothing.
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!(run.sent, 0);
    app.stop().await;
}

#[tokio::test]
async fn one_text_a_day_three_a_week_and_an_opt_out_or_a_confidential_request_honoured() {
    let (sink, gw, token) = (SmtpSink::start().await, SmsGateway::start().await, unique_token("b"));
    let app = with_gateways(&sink, &gw, &token).await;
    let bearer = format!("Bearer {token}");
    let ids = vendors(&app).await;
    sign_baas(&app, &ids).await;
    let service = service(&app).await;
    let regular = patient(&app, "Cordelia", "Vantongeren", "555-201-3001", "", "text").await;
    // Tuesday to Friday at 2:00 PM; the runs are at 3:00 PM from Monday.
    for day in 3..=6 {
        let at = datetime!(2026-03-01 14:00 UTC) + Duration::days(day - 1);
        book(&app, service, regular, at).await;
    }
    app.clock.advance(Duration::hours(6)); // Monday 3:00 PM
    let mut counts = Vec::new();
    for _ in 0..4 {
        let run = app.state.app.send_due_reminders().await.unwrap();
        counts.push((run.sent, run.held));
        app.clock.advance(Duration::days(1));
    }
    // Monday: Tuesday's sent, Wednesday's held (one a day); Tuesday and Wednesday the same;
    // Thursday: three this week already.
    assert_eq!(counts, [(1, 1), (1, 1), (1, 1), (0, 1)]);
    assert_eq!(gw.requests(&bearer).await.len(), 3);
    let desk = app.api_login("frontdesk").await;
    let who = app.principal(&desk).await;
    let log = app.state.app.reminders_sent(&who.actor(), regular).await.unwrap();
    assert!(
        log.iter().any(|l| l.outcome == "held: Already one message today"),
        "{log:?}"
    );
    assert_eq!(log.last().unwrap().outcome, "held: Already three messages this week");

    // A STOP reply stops texts at once, for every patient who gave that number.
    let stopped = patient(&app, "Ignatius", "Whitlock", "555-201-3002", "", "text").await;
    assert_eq!(app.state.app.sms_reply("+1 (555) 201-3002", "Stop").await.unwrap(), 1);
    assert_eq!(
        app.state.app.sms_reply("+1 (555) 201-3002", "Thanks!").await.unwrap(),
        0
    );
    // Staff record another's opt-out: texts stop, email (which she gave) takes over.
    let asked = patient(&app, "Philippa", "Ashdown", "555-201-3003", "pa@example.org", "text").await;
    app.state.app.record_sms_opt_out(&who.actor(), asked).await.unwrap();
    // A granted confidential communication: only the number it names.
    let confidential = patient(
        &app,
        "Leopold",
        "Fairweather",
        "555-201-3004",
        "lf@example.org",
        "email",
    )
    .await;
    let co = app.api_login("compliance").await;
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{confidential}/requests"), &co)
        .json(&json!({"kind": "confidential_communication", "details": "as asked at the desk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let request = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .api(Method::POST, &format!("/api/v1/requests/{request}/decision"), &co)
        .json(&json!({"outcome": "granted", "accommodation": "Text only (555) 201-3999, never email"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // The front desk sees at booking where reminders will go.
    for (p, words) in [
        (confidential, "Reminders by text message to (555) 201-3999"),
        (stopped, "No reminders: the patient opted out of text messages"),
        (asked, "Reminders by email to pa@example.org"),
    ] {
        let at = app.state.app.patient_at_booking(&who.actor(), p).await.unwrap();
        assert!(at.reminders.starts_with(words), "{}", at.reminders);
    }
    let tomorrow = app.state.app.now() + Duration::days(1);
    for p in [stopped, asked, confidential] {
        book(&app, service, p, tomorrow).await;
    }
    let before = gw.requests(&bearer).await.len();
    let mails_before = sink.messages().len();
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!((run.sent, run.held), (2, 1), "{run:?}");
    let texts = gw.requests(&bearer).await;
    let new: Vec<&str> = texts[before..].iter().map(|t| t.to.as_str()).collect();
    assert_eq!(
        new,
        ["+15552013999"],
        "only the confidential number; no opted-out number"
    );
    let mails = sink.messages();
    assert_eq!(mails.len(), mails_before + 1);
    assert_eq!(mails.last().unwrap().to, vec!["pa@example.org".to_string()]);
    let log = app.state.app.reminders_sent(&who.actor(), stopped).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, "held: The patient opted out of text messages");
    assert!(log[0].address.is_empty() && log[0].text.is_empty());
    app.stop().await;
}

const HOOK_SECRET: &str = "a-shared-secret-of-thirty-two-chars";

#[tokio::test]
async fn a_stop_reply_through_the_gateways_webhook_stops_the_next_reminder() {
    let (sink, gw, token) = (SmtpSink::start().await, SmsGateway::start().await, unique_token("w"));
    let (port, base, tok) = (sink.port, gw.base.clone(), token.clone());
    let app = TestApp::builder()
        .with_config(move |c| {
            c.smtp_host = "127.0.0.1".into();
            c.smtp_port = port;
            c.smtp_security = "none".into();
            c.smtp_from = "Carekeep <carekeep@clinic.example>".into();
            c.smtp_vendor = "Mailrelay Inc".into();
            c.sms_base_url = base;
            c.sms_token = tok;
            c.sms_from = "+15550100000".into();
            c.sms_vendor = "Textwell Inc".into();
            c.sms_webhook_secret = HOOK_SECRET.into();
            c.patient_url = PATIENT_URL.into();
        })
        .spawn()
        .await;
    let bearer = format!("Bearer {token}");
    let ids = vendors(&app).await;
    sign_baas(&app, &ids).await;
    let service = service(&app).await;
    let texted = patient(&app, "Rosamund", "Tillinghast", "555-201-4001", "", "text").await;
    // Tuesday and Thursday at 2:00 PM; the clinic's clock is Monday 9:00 AM.
    book(&app, service, texted, datetime!(2026-03-03 14:00 UTC)).await;
    book(&app, service, texted, datetime!(2026-03-05 14:00 UTC)).await;
    let hook = app.url("/hooks/sms");

    // A STOP without the shared secret (or with another) changes nothing.
    assert_eq!(gw.reply(&hook, "not-the-secret", "+15552014001", "STOP").await, 401);
    let plain = reqwest::Client::new();
    let res = plain
        .post(&hook)
        .form(&[("from", "+15552014001"), ("body", "STOP")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    app.clock.advance(Duration::hours(6)); // Monday 3:00 PM: Tuesday's is due
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!(run.sent, 1, "{run:?}");
    assert_eq!(gw.requests(&bearer).await.len(), 1);

    // Not a form or JSON, or no number: refused, the answer repeating nothing sent.
    let res = plain
        .post(&hook)
        .bearer_auth(HOOK_SECRET)
        .form(&[("body", "STOP 5552014001")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(!res.text().await.unwrap().contains("201"));
    // An ordinary reply (a form, as some gateways send it) is taken and opts nobody out.
    let res = plain
        .post(&hook)
        .bearer_auth(HOOK_SECRET)
        .form(&[("From", "+15552014001"), ("Body", "See you then")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // The patient replies STOP; the gateway posts it to the webhook (JSON, bearer secret).
    assert_eq!(gw.reply(&hook, HOOK_SECRET, "+15552014001", "Stop").await, 204);

    // Wednesday 3:00 PM: Thursday's reminder is held, nothing goes to the gateway.
    app.clock.advance(Duration::days(2));
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!((run.sent, run.held), (0, 1), "{run:?}");
    assert_eq!(gw.requests(&bearer).await.len(), 1);
    let desk = app.api_login("frontdesk").await;
    let who = app.principal(&desk).await;
    let log = app.state.app.reminders_sent(&who.actor(), texted).await.unwrap();
    assert_eq!(
        log.last().unwrap().outcome,
        "held: The patient opted out of text messages"
    );
    // The trail has the reply's opt-out, naming the patient by id, not the number.
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let reasons: Vec<String> = sqlx::query_scalar("SELECT reason FROM audit_events WHERE reason LIKE '%reply%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(reasons, ["opted out of text messages by a reply"]);

    // The webhook is one address's limited door: past the limit, 429 with Retry-After.
    let mut last = reqwest::StatusCode::OK;
    for _ in 0..130 {
        let res = plain.post(&hook).send().await.unwrap();
        last = res.status();
        if last == 429 {
            assert!(res.headers().contains_key("retry-after"));
            break;
        }
    }
    assert_eq!(last, 429);
    app.stop().await;

    // A clinic that set no secret has no webhook.
    let app = TestApp::spawn().await;
    let res = plain
        .post(app.url("/hooks/sms"))
        .form(&[("from", "+15552014001"), ("body", "STOP")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn staff_see_the_sent_log_masked_record_an_opt_out_and_back_and_the_owner_may_name_the_service() {
    let (sink, gw, token) = (SmtpSink::start().await, SmsGateway::start().await, unique_token("p"));
    let app = with_gateways(&sink, &gw, &token).await;
    let ids = vendors(&app).await;
    sign_baas(&app, &ids).await;
    let service = service(&app).await;
    let texted = patient(
        &app,
        "Octavia",
        "Pennyfeather",
        "555-201-5005",
        "op@example.org",
        "text",
    )
    .await;
    let mailed = patient(
        &app,
        "Barnaby",
        "Quillfeather",
        "555-201-5006",
        "bq@example.org",
        "email",
    )
    .await;
    let first = book(&app, service, texted, datetime!(2026-03-03 14:00 UTC)).await;
    let second = book(&app, service, texted, datetime!(2026-03-05 14:00 UTC)).await;
    book(&app, service, mailed, datetime!(2026-03-03 15:00 UTC)).await;

    // Reminders say no service by default; the setting is off and explained.
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = owner.get("/calendar/setup").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("What reminders say") && html.contains("164.502(b)"),
        "{html}"
    );
    assert!(!html.contains("name=\"names_service\" value=\"on\" checked"));
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, html) = desk.get("/calendar/setup").await;
    assert_eq!(status, 200);
    assert!(html.contains("Reminders do not name the service.") && !html.contains("name=\"names_service\""));
    let (status, _, _) = desk.post("/calendar/setup/reminders", &[("names_service", "on")]).await;
    assert_eq!(status, 403, "only an owner changes what reminders say");
    let (status, location, _) = owner
        .post("/calendar/setup/reminders", &[("names_service", "on")])
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some("/calendar/setup?done=reminders_service#reminders")
    );
    let (_, html) = owner.get("/calendar/setup?done=reminders_service").await;
    assert!(html.contains("Saved: reminders now name the service."));
    assert!(html.contains("value=\"on\" checked"));

    app.clock.advance(Duration::hours(6)); // Monday 3:00 PM: Tuesday's two are due
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!(run.sent, 2, "{run:?}");
    let mails = sink.messages();
    assert!(mails[0].data.contains("(Botox consult)"), "{}", mails[0].data);
    // Off again (signed in afresh: the clock moved past the idle logoff).
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, _, _) = owner.post("/calendar/setup/reminders", &[]).await;
    assert_eq!(status, 303);
    assert!(!app.state.app.reminder_detail().await.unwrap().service);

    let mut desk = PageClient::login(&app, "frontdesk").await;
    // The front desk reads the texted patient's log from the appointment: masked address,
    // the vendor, the outcome, the text without its link's token.
    let (status, html) = desk.get(&format!("/calendar/appointments/{first}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/calendar/appointments/{first}/reminders")));
    let page = format!("/calendar/appointments/{first}/reminders");
    let (status, html) = desk.get(&page).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Reminders: Octavia Pennyfeather"), "{html}");
    assert!(html.contains("(•••) •••-5005"), "{html}");
    assert!(
        !html.contains("201-5005") && !html.contains("5552015005"),
        "the number is masked"
    );
    assert!(html.contains("Textwell Inc") && html.contains("Text message") && html.contains(">Sent<"));
    assert!(
        html.contains("/c/…") && !html.contains("/c/A"),
        "no link token on the page"
    );
    let sent = &gw.requests(&format!("Bearer {token}")).await[0].body;
    let token_part = sent.split("/c/").nth(1).unwrap().split_whitespace().next().unwrap();
    assert!(!html.contains(token_part));
    // The read is on the trail as the front desk's read of the patient's log.
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let reads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE resource_type = 'ReminderSend' AND action = 'phi.read' AND actor_name LIKE '%'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    assert!(reads >= 1);

    // She asks at the desk for no more texts: recorded, and Thursday's reminder is held.
    let (status, location, _) = desk
        .post(&format!("/calendar/appointments/{first}/texts"), &[("want", "stop")])
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(&*format!("/calendar/appointments/{first}/reminders?done=stopped#texts"))
    );
    let (_, html) = desk.get(&page).await;
    assert!(
        html.contains("Opted out of text messages on") && html.contains("as recorded by staff"),
        "{html}"
    );
    assert!(html.contains("The patient asked for texts again"));
    app.clock.advance(Duration::days(2)); // Wednesday 3:00 PM
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!(run.sent, 1, "by email, which she gave: {run:?}");
    assert_eq!(sink.messages().last().unwrap().to, vec!["op@example.org".to_string()]);
    assert!(!sink.messages().last().unwrap().data.contains("Botox"));
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (_, html) = desk.get(&page).await;
    assert!(html.contains("o•••@example.org"), "{html}");
    // And back: she asked for texts again.
    let (status, _, _) = desk
        .post(&format!("/calendar/appointments/{second}/texts"), &[("want", "resume")])
        .await;
    assert_eq!(status, 303);
    let (_, html) = desk.get(&page).await;
    assert!(html.contains("The patient asked for no more texts"), "{html}");
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT reason FROM audit_events WHERE resource_type = 'Patient' AND reason LIKE '%text messages%' ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    assert_eq!(
        reasons,
        [
            "opted out of text messages (recorded by staff)",
            "opted back in to text messages (recorded by staff)"
        ]
    );
    // Billing does not read contact details with the schedule: refused.
    let mut billing = PageClient::login(&app, "billing").await;
    let (status, _) = billing.get(&page).await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[test]
fn the_gateway_needs_its_credentials_sender_and_vendor_and_speaks_https() {
    let mut c = carekeep_server::Config {
        sms_base_url: "https://api.textwell.example/v1".into(),
        sms_token: "secret".into(),
        sms_from: "+15550100000".into(),
        sms_vendor: "Textwell Inc".into(),
        patient_url: "https://clinic.example/".into(),
        ..carekeep_server::Config::default()
    };
    let ok = c.reminders().unwrap();
    assert_eq!(ok.patient_url, "https://clinic.example");
    assert!(!format!("{ok:?}").contains("secret"), "the token is never printed");
    c.sms_base_url = "http://api.textwell.example".into();
    assert!(c.validate().unwrap_err().to_string().contains("sms_base_url"));
    c.sms_base_url = "http://127.0.0.1:9000".into();
    c.validate().unwrap();
    c.sms_username = "clinic".into();
    assert!(
        c.validate().unwrap_err().to_string().contains("sms_token"),
        "a token or a login, not both"
    );
    c.sms_token = String::new();
    c.validate().unwrap();
    c.sms_vendor = String::new();
    assert!(c.validate().unwrap_err().to_string().contains("sms_vendor"));
    c.sms_vendor = "Textwell Inc".into();
    c.sms_from = " ".into();
    assert!(c.validate().unwrap_err().to_string().contains("sms_from"));
    c.sms_from = "+15550100000".into();
    c.patient_url = "clinic.example".into();
    assert!(c.validate().unwrap_err().to_string().contains("patient_url"));
    c.patient_url = String::new();
    c.sms_webhook_secret = "short".into();
    assert!(c.validate().unwrap_err().to_string().contains("sms_webhook_secret"));
    c.sms_webhook_secret = "x".repeat(24);
    c.validate().unwrap();
    assert!(
        !format!("{c:?}").contains("xxxx"),
        "the webhook secret is never printed"
    );
}

/// Issue 28: a visit whose service asks for forms gets the portal's forms page with its
/// reminder: a link only, never the form's name.
#[tokio::test]
async fn a_reminder_links_to_the_forms_the_visit_waits_for_and_names_none() {
    let (sink, gw, token) = (
        SmtpSink::start().await,
        SmsGateway::start().await,
        unique_token("forms"),
    );
    let app = with_gateways(&sink, &gw, &token).await;
    let vendor_ids = vendors(&app).await;
    let service = service(&app).await;
    let consent = crate::forms::adopt(&app, "injectables_consent").await;
    let owner = app.principal(&app.api_login("owner").await).await;
    app.state
        .app
        .set_service_forms(&owner.actor(), service, &[(consent, "every_visit".into())])
        .await
        .unwrap();
    let mailed = patient(
        &app,
        "Bartholomew",
        "Ockenden",
        "555-201-7799",
        "bo@example.org",
        "email",
    )
    .await;
    let plain = patient(&app, "Wilma", "Plain", "555-201-7700", "wp@example.org", "email").await;
    book(&app, service, mailed, datetime!(2026-03-04 15:00 UTC)).await;
    sign_baas(&app, &vendor_ids).await;
    app.clock.advance(Duration::hours(24));
    let run = app.state.app.send_due_reminders().await.unwrap();
    assert_eq!(run.sent, 1, "{run:?}");
    let mails = sink.messages();
    // Quoted-printable folds long lines with a soft break (`=` at the end).
    let body = mails[0].data.replace("=\r\n", "").replace("=\n", "");
    assert!(
        body.contains("please fill in your forms: https://clinic.example/portal/forms"),
        "{body}"
    );
    assert!(!body.to_lowercase().contains("injectable"), "no form's name: {body}");
    // A visit whose service asks for no forms says nothing of forms.
    let other = {
        let who = app.principal(&app.api_login("owner").await).await;
        app.state
            .app
            .save_service(
                &who.actor(),
                0,
                ServiceInput {
                    name: "Quick chat".into(),
                    minutes: "15".into(),
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
    };
    book(&app, other, plain, datetime!(2026-03-05 15:00 UTC)).await;
    app.clock.advance(Duration::hours(24));
    app.state.app.send_due_reminders().await.unwrap();
    let mails = sink.messages();
    let to_plain = mails
        .iter()
        .find(|m| m.to == vec!["wp@example.org".to_string()])
        .expect("the plain visit's reminder");
    let plain_body = to_plain.data.replace("=\r\n", "").replace("=\n", "");
    assert!(!plain_body.contains("/portal/forms"), "{plain_body}");
}
