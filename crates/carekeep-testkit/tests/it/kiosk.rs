//! The clinic tablet in kiosk mode (issue 28, item 3): staff open a checked-in visit's packet
//! with a six-digit code (used once, ten minutes, wrong codes limited, refused for a visit not
//! checked in); the tablet reaches nothing but that packet (the sweep over every route of the
//! app); it ends after five idle minutes and when the packet is submitted; the signature's
//! evidence says the clinic's tablet; each step is on the trail.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use time::Duration;

struct Clinic {
    app: TestApp,
    ana: i64,
    bea: i64,
    visit: i64,
    desk: PageClient,
}

/// Ana's visit, checked in (when `check_in`), with the consent to treat waiting for it; Bea,
/// another patient, has a form of her own.
async fn clinic(check_in: bool) -> Clinic {
    let app = TestApp::spawn().await;
    let token = app.api_login("frontdesk").await;
    let owner = app.api_login("owner").await;
    let doc_id = app.user_id(&owner, "provider").await;
    let ana = app
        .register_patient(&token, "Anastasia", "Okafor", "1980-04-23", "555-201-3344")
        .await;
    let bea = app
        .register_patient(&token, "Beatrix", "Vandersloot", "1975-02-11", "555-201-9988")
        .await;
    let visit: Value = app
        .api(Method::POST, &format!("/api/v1/patients/{ana}/appointments"), &token)
        .json(&json!({"provider_id": doc_id, "service": "Consult", "start": "2026-03-02T10:00:00Z", "minutes": 30}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let visit = visit["id"].as_i64().unwrap();
    let form = crate::forms::adopt(&app, "consent_to_treat").await;
    let history = crate::forms::adopt(&app, "medical_history").await;
    let desk_p = app.principal(&token).await;
    let a = &app.state.app;
    a.send_forms(&desk_p.actor(), ana, Some(visit), &[form]).await.unwrap();
    // Not this visit's: a form Ana was sent for no visit, and Bea's.
    a.send_forms(&desk_p.actor(), ana, None, &[history]).await.unwrap();
    a.send_forms(&desk_p.actor(), bea, None, &[history]).await.unwrap();
    if check_in {
        check_in_visit(&app, &token, visit).await;
    }
    let desk = PageClient::login(&app, "frontdesk").await;
    Clinic {
        app,
        ana,
        bea,
        visit,
        desk,
    }
}

async fn check_in_visit(app: &TestApp, token: &str, visit: i64) {
    let res = app
        .api(Method::POST, &format!("/api/v1/appointments/{visit}/status"), token)
        .json(&json!({"status": "checked_in"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// The desk presses "Fill on the clinic tablet": the code read from the page.
async fn code(c: &mut Clinic) -> String {
    let path = format!("/calendar/appointments/{}", c.visit);
    c.desk.get(&path).await;
    let (status, _, html) = c.desk.post(&format!("{path}/kiosk"), &[]).await;
    assert_eq!(status, 200, "{html}");
    let code = html
        .split("Code for the tablet: <strong>")
        .nth(1)
        .unwrap()
        .split("</strong>")
        .next()
        .unwrap()
        .replace(' ', "");
    assert_eq!(code.len(), 6);
    code
}

/// A tablet types `code`: (status, location, body).
async fn type_code(tablet: &mut PageClient, code: &str) -> (u16, Option<String>, String) {
    tablet.get("/kiosk").await;
    tablet.post("/kiosk", &[("code", code)]).await
}

async fn events(app: &TestApp) -> Vec<Value> {
    let co = app.api_login("compliance").await;
    app.api(Method::GET, "/api/v1/audit/events?limit=1000", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn other(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test]
async fn a_code_opens_the_tablet_once_within_ten_minutes_and_only_for_a_checked_in_visit() {
    let mut c = clinic(false).await;
    // Not checked in: refused in words, no code.
    let path = format!("/calendar/appointments/{}", c.visit);
    let (_, page) = c.desk.get(&path).await;
    assert!(page.contains("Once the patient is checked in"), "{page}");
    let (status, _, html) = c.desk.post(&format!("{path}/kiosk"), &[]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Check the patient in first"), "{html}");
    assert!(!html.contains("Code for the tablet"));
    // The visit is today: checked in from its own page, back at the tablet's card.
    assert!(
        page.contains("value=\"appointment\">\n    <button type=\"submit\">Check in</button>"),
        "{page}"
    );
    let (status, to, _) = c
        .desk
        .post(
            &format!("/appointments/{}/status", c.visit),
            &[("status", "checked_in"), ("back", "appointment")],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some(format!("{path}?done=status#tablet-h").as_str()))
    );

    let code = code(&mut c).await;
    // A wrong code: said plainly, at the field, the typing kept.
    let mut tablet = PageClient::new(&c.app);
    let (status, _, html) = type_code(&mut tablet, &other(&code)).await;
    assert_eq!(status, 422);
    assert!(html.contains("That code is not right"), "{html}");
    assert!(html.contains(&format!("value=\"{}\"", other(&code))), "kept as typed");
    // The right code opens the packet.
    let (status, to, _) = tablet.post("/kiosk", &[("code", &code)]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/kiosk/forms")));
    let (status, html) = tablet.get("/kiosk/forms").await;
    assert_eq!(status, 200);
    assert!(html.contains("Consent to treat") || html.contains("consent"), "{html}");
    // Used once: a second tablet gets "already used".
    let mut second = PageClient::new(&c.app);
    let (status, _, html) = type_code(&mut second, &code).await;
    assert_eq!(status, 422);
    assert!(html.contains("already used"), "{html}");
    // The desk sees the tablet in use and ends it.
    let (_, page) = c.desk.get(&path).await;
    assert!(page.contains("filling in forms on the tablet now"), "{page}");
    let (status, to, _) = c.desk.post(&format!("{path}/kiosk/end"), &[]).await;
    assert_eq!(status, 303, "{to:?}");
    let res = tablet.http.get(tablet.url("/kiosk/forms")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/kiosk?ended=1");

    // Ten minutes: a code after that has run out.
    let late = code_again(&mut c).await;
    c.app.clock.advance(Duration::minutes(10));
    let (status, _, html) = type_code(&mut PageClient::new(&c.app), &late).await;
    assert_eq!(status, 422);
    assert!(html.contains("run out"), "{html}");

    // Five wrong codes at any tablet and the waiting code dies.
    let mut guesser = PageClient::new(&c.app);
    let live = code_again(&mut c).await;
    for _ in 0..5 {
        let (status, _, _) = type_code(&mut guesser, &other(&live)).await;
        assert_eq!(status, 422);
    }
    let (status, _, html) = type_code(&mut guesser, &live).await;
    assert_eq!(status, 422);
    assert!(html.contains("too many wrong tries"), "{html}");
    // Only digits: the field says so.
    let (status, _, html) = type_code(&mut guesser, "12ab").await;
    assert_eq!(status, 422);
    assert!(html.contains("6 digits"), "{html}");

    // On the trail: the code made (staff), the wrong codes, the opening (the tablet).
    let ev = events(&c.app).await;
    let reasons: Vec<&str> = ev.iter().filter_map(|e| e["reason"].as_str()).collect();
    assert!(
        reasons.iter().any(|r| r.contains("opened on the clinic tablet")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("clinic tablet: wrong code")));
    let tablet_actor = format!("patient #{} (clinic tablet)", c.ana);
    assert!(ev.iter().any(|e| e["actor"] == tablet_actor.as_str()), "{ev:?}");
}

async fn code_again(c: &mut Clinic) -> String {
    code(c).await
}

#[tokio::test]
async fn an_idle_tablet_returns_to_the_code_screen_after_five_minutes() {
    let mut c = clinic(true).await;
    let code = code(&mut c).await;
    let mut tablet = PageClient::new(&c.app);
    assert_eq!(type_code(&mut tablet, &code).await.0, 303);
    let (status, html) = tablet.get("/kiosk/forms").await;
    assert_eq!(status, 200);
    // The page returns itself to the code screen (script, and a refresh without it).
    assert!(html.contains("data-kiosk-idle=\"300\""), "{html}");
    assert!(html.contains("<noscript><meta http-equiv=\"refresh\" content=\"300;url=/kiosk?ended=1\">"));
    c.app.clock.advance(Duration::minutes(4));
    assert_eq!(tablet.get("/kiosk/forms").await.0, 200);
    c.app.clock.advance(Duration::minutes(5));
    let res = tablet.http.get(tablet.url("/kiosk/forms")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/kiosk?ended=1");
    let (_, html) = tablet.get("/kiosk?ended=1").await;
    assert!(html.contains("left alone"), "{html}");
    assert!(!html.contains("Okafor"));
    let ev = events(&c.app).await;
    assert!(ev
        .iter()
        .any(|e| e["reason"].as_str() == Some("clinic tablet: ended after 5 idle minutes")));
}

#[tokio::test]
async fn the_packet_submitted_on_the_tablet_ends_the_session_and_its_evidence_says_so() {
    let mut c = clinic(true).await;
    let code = code(&mut c).await;
    let mut tablet = PageClient::new(&c.app);
    assert_eq!(type_code(&mut tablet, &code).await.0, 303);
    let (_, html) = tablet.get("/kiosk/forms").await;
    // No way out: no portal menu, no staff menu, no link but the packet's.
    assert!(!html.contains("href=\"/portal"), "{html}");
    assert!(!html.contains("href=\"/patients"));
    assert!(!html.contains("Sign out"));
    assert!(html.contains("signing electronically"), "E-SIGN asked as in the portal");
    // Only this visit's form: not Ana's other form.
    assert!(!html.contains("Medical history"), "{html}");
    let (status, to, _) = tablet.post("/kiosk/forms/esign", &[("agree", "yes")]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/kiosk/forms?done=agreed")));
    let (_, html) = tablet.get("/kiosk/forms").await;
    let form: i64 = html
        .split("href=\"/kiosk/forms/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (status, html) = tablet.get(&format!("/kiosk/forms/{form}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("signed.pdf"));
    // A mistake is named at its field and kept; then put right.
    let (status, _, html) = tablet
        .post(
            &format!("/kiosk/forms/{form}/part/0"),
            &[("initials", "Ana Okafor 3"), ("go", "next")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"Ana Okafor 3\""), "{html}");
    let (status, to, _) = tablet
        .post(
            &format!("/kiosk/forms/{form}/part/0"),
            &[("initials", "A.O."), ("go", "next")],
        )
        .await;
    assert_eq!((status, to), (303, Some(format!("/kiosk/forms/{form}?part=1"))));
    let (status, to, _) = tablet
        .post(
            &format!("/kiosk/forms/{form}/sign"),
            &[("drawn", "M 10 100 L 60 40 L 120 120"), ("typed", "")],
        )
        .await;
    assert_eq!((status, to.as_deref()), (303, Some("/kiosk/thanks")));
    let (status, html) = tablet.get("/kiosk/thanks").await;
    assert_eq!(status, 200);
    assert!(html.contains("hand the tablet back"), "{html}");
    for word in ["Anastasia", "Okafor", "Consent"] {
        assert!(!html.contains(word), "the thanks page shows {word}");
    }
    // The session is over.
    let res = tablet.http.get(tablet.url("/kiosk/forms")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    // The evidence: the clinic's tablet, its browser and address.
    let provider = c.app.principal(&c.app.api_login("provider").await).await;
    let v = c.app.state.app.form_response(&provider.actor(), form).await.unwrap();
    let e = v.evidence.as_ref().expect("evidence");
    assert_eq!(e.channel, "kiosk");
    assert_eq!(e.user_agent, carekeep_testkit::TEST_USER_AGENT);
    assert_eq!(e.address, "127.0.0.1");
    assert!(v.evidence_holds);
    let mut doc = PageClient::login(&c.app, "provider").await;
    let (_, page) = doc.get(&format!("/forms/responses/{form}")).await;
    assert!(
        page.contains("On the clinic&#39;s tablet") || page.contains("On the clinic's tablet"),
        "{page}"
    );
    let ev = events(&c.app).await;
    assert!(ev
        .iter()
        .any(|e| e["reason"].as_str() == Some("clinic tablet: ended: the packet was signed and sent")));
    assert!(ev
        .iter()
        .any(|e| e["reason"].as_str() == Some("clinic tablet: form sent for signing")));
    let _ = c.bea;
}

#[tokio::test]
async fn a_tablet_reaches_nothing_but_its_packet_on_any_route() {
    let mut c = clinic(true).await;
    let code = code(&mut c).await;
    let mut tablet = PageClient::new(&c.app);
    assert_eq!(type_code(&mut tablet, &code).await.0, 303);
    let a = &c.app.state.app;
    let staff = c.app.principal(&c.app.api_login("frontdesk").await).await;
    let lines = a.patient_forms(&staff.actor(), c.ana).await.unwrap();
    let packet_form = lines.iter().find(|l| l.title.contains("onsent")).unwrap().response_id;
    let ana_other = lines.iter().find(|l| l.response_id != packet_form).unwrap().response_id;
    let bea_form = a.patient_forms(&staff.actor(), c.bea).await.unwrap()[0].response_id;
    // Bea's words, and anything of Ana beyond her packet's forms, must never show.
    let never = [
        "Beatrix",
        "Vandersloot",
        "555-201-9988",
        "5552019988",
        "1975",
        "Medical history",
        "Okafor",
    ];

    let mut walked = 0;
    let mut swept = 0;
    let kiosk = carekeep_server::kiosk_routes();
    let portal = carekeep_server::portal_routes();
    let staff_routes = carekeep_server::staff_routes();
    let all: Vec<(String, String)> = kiosk
        .iter()
        .chain(portal.iter())
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .chain(staff_routes)
        .collect();
    for (method, template) in &all {
        if template == "/kiosk/end" || template.starts_with("/static/") || template.contains("{token}") {
            continue;
        }
        let ids: Vec<i64> = if template.starts_with("/kiosk/forms/{id}") {
            vec![bea_form, ana_other]
        } else if template.contains("{id}") || template.contains('{') {
            vec![c.ana, c.bea, c.visit, packet_form, bea_form]
        } else {
            vec![0]
        };
        for id in ids {
            let path = template
                .replace("{id}", &id.to_string())
                .replace("{part}", "0")
                .replace("{pid}", &id.to_string());
            let path = regex_free_fill(&path, id);
            let (status, body) = if method == "GET" {
                tablet.get(&path).await
            } else {
                let (s, _, b) = tablet
                    .post(
                        &path,
                        &[("initials", "XX"), ("typed", "Someone Else"), ("agree", "yes")],
                    )
                    .await;
                (s, b)
            };
            walked += 1;
            for word in never {
                assert!(!body.contains(word), "{method} {path} ({status}) shows {word}: {body}");
            }
            if template.starts_with("/kiosk/forms/{id}") {
                assert_eq!(status, 404, "{method} {path}: {body}");
                swept += 1;
            } else if !template.starts_with("/kiosk") {
                assert!(
                    matches!(status, 303 | 401 | 403 | 404 | 405 | 415 | 422)
                        || (status == 200 && !body.contains("Anastasia")),
                    "{method} {path}: {status} {body}"
                );
            }
        }
    }
    assert!(walked > 200, "walked {walked}");
    assert_eq!(swept, 10, "five form routes, two other forms each");
    // The other forms are untouched, and the tablet's own packet still opens.
    let provider = c.app.principal(&c.app.api_login("provider").await).await;
    for id in [bea_form, ana_other] {
        let v = a.form_response(&provider.actor(), id).await.unwrap();
        assert!(v.answers.is_empty(), "{id} was written to");
    }
    let (status, _) = tablet.get(&format!("/kiosk/forms/{packet_form}")).await;
    assert_eq!(status, 200);
    // The tablet's cookie is no API token either.
    let res = tablet
        .http
        .get(tablet.url(&format!("/api/v1/patients/{}", c.ana)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

/// Any other `{name}` in a route template gets the id too.
fn regex_free_fill(path: &str, id: i64) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str(&id.to_string());
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}
