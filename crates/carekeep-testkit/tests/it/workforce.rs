//! Workforce and training: offboarding disables the login on the leave date and its sessions
//! stop working; the built-in course records a pass with attestation; the dashboard follows.

use carekeep_app::Actor;
use carekeep_domain::program::course::QUIZ;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn a_leave_date_disables_the_login_that_day_and_opens_the_checklist() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, location, body) = owner
        .post(
            "/program/workforce",
            &[
                ("name", "Nora Nurse"),
                ("job_title", "Nurse"),
                ("username", "nurse"),
                ("hired_on", "2025-01-06"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let person = location
        .unwrap()
        .trim_start_matches("/program/workforce/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, body) = owner
        .post(
            &format!("/program/workforce/{person}"),
            &[
                ("name", "Nora Nurse"),
                ("username", "nurse"),
                ("hired_on", "2025-01-06"),
                ("left_on", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("before the hire date"));
    // She leaves tomorrow (the test clock is 2026-03-02).
    let (status, _, _) = owner
        .post(
            &format!("/program/workforce/{person}"),
            &[
                ("name", "Nora Nurse"),
                ("username", "nurse"),
                ("hired_on", "2025-01-06"),
                ("left_on", "2026-03-03"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let nurse = app.api_login("nurse").await;
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", &nurse)
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "still works today"
    );
    app.clock.advance(time::Duration::days(1));
    assert_eq!(
        app.state.app.run_offboarding().await.unwrap(),
        1,
        "the job offboards her on the day"
    );
    assert_eq!(app.state.app.run_offboarding().await.unwrap(), 0, "once");
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", &nurse)
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "her session has ended"
    );
    let u = app.user("nurse").clone();
    let code = app.fresh_code(&u.totp_secret);
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "nurse", "password": u.password, "totp": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "and she cannot sign in");
    let mut owner = PageClient::login(&app, "owner").await;
    let (_, html) = owner.get(&format!("/program/workforce/{person}")).await;
    assert!(html.contains("Offboarding") && html.contains("Shared passwords the person knew changed"));
    let step = html
        .split(&format!("/program/workforce/{person}/offboarding/"))
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, _) = owner
        .post(&format!("/program/workforce/{person}/offboarding/{step}"), &[])
        .await;
    assert_eq!(status, 303);
    let roster = app.state.app.roster(&Actor::Cli).await.unwrap();
    let nora = roster.iter().find(|p| p.name == "Nora Nurse").unwrap();
    assert!(nora.offboarded);
    assert_eq!(nora.offboarding.iter().filter(|s| s.2).count(), 1);
    let co = app.api_login("compliance").await;
    let events: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?action=user.disabled", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "the disabling is audited");
    app.stop().await;
}

#[tokio::test]
async fn the_course_records_a_pass_with_attestation_and_the_dashboard_follows() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let item = |key: &'static str| {
        let req = app.api(Method::GET, "/api/v1/program/dashboard", &owner);
        async move {
            let items: Vec<Value> = req.send().await.unwrap().json().await.unwrap();
            items.into_iter().find(|i| i["key"] == key).unwrap()
        }
    };
    let training = item("training").await;
    assert_eq!(training["standing"], "gap");
    assert!(
        training["evidence"]
            .as_str()
            .unwrap()
            .contains("Logins not on the roster"),
        "{training}"
    );

    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, html) = desk.get("/training").await;
    assert_eq!(status, 200);
    assert!(html.contains("Minimum necessary") && html.contains("Questions"));
    let right: Vec<(String, String)> = QUIZ
        .iter()
        .enumerate()
        .map(|(i, q)| (format!("q{i}"), q.answer.to_string()))
        .collect();
    let as_fields = |v: &[(String, String)]| v.iter().map(|(k, x)| (k.clone(), x.clone())).collect::<Vec<_>>();
    // All wrong: no pass, nothing recorded.
    let wrong: Vec<(String, String)> = QUIZ
        .iter()
        .enumerate()
        .map(|(i, q)| (format!("q{i}"), ((q.answer + 1) % q.choices.len()).to_string()))
        .collect();
    let fields = as_fields(&wrong);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("attest", "yes")])
        .collect();
    let (status, _, body) = desk.post("/training", &refs).await;
    assert_eq!(status, 200);
    assert!(body.contains("Not a pass yet"));
    // Right, but not attested.
    let fields = as_fields(&right);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, body) = desk.post("/training", &refs).await;
    assert_eq!(status, 422);
    assert!(body.contains("tick the box"));
    let mut refs = refs;
    refs.push(("attest", "yes"));
    let (status, _, body) = desk.post("/training", &refs).await;
    assert_eq!(status, 200);
    assert!(body.contains("Passed"), "{body}");
    let roster = app.state.app.roster(&Actor::Cli).await.unwrap();
    let frank = roster
        .iter()
        .find(|p| p.username == "frontdesk")
        .expect("joined the roster");
    assert_eq!(frank.training.len(), 1);
    assert_eq!(frank.training[0].score, Some(100));
    assert_eq!(frank.training_standing, "done");
    assert_eq!(frank.training_due, "2027-03-02");
    app.stop().await;
}

#[tokio::test]
async fn the_home_page_reminds_each_person_of_what_falls_due() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (_, home) = owner.get("/").await;
    assert!(
        home.contains("Compliance program:") && home.contains("gaps"),
        "the keeper of the program sees its gaps"
    );
    owner
        .post(
            "/program/workforce",
            &[
                ("name", "Frank Frontdesk"),
                ("username", "frontdesk"),
                ("hired_on", "2026-02-20"),
            ],
        )
        .await;
    owner
        .post(
            "/program/policies/sanctions",
            &[
                ("title", "Sanctions"),
                ("body", "Consequences fit what happened."),
                ("effective_on", "2026-03-02"),
            ],
        )
        .await;
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (_, home) = desk.get("/").await;
    // Hired ten days before the clinic started its program (set up on 2026-03-02): due within
    // 30 days of that start, not of the hire.
    assert!(home.contains("Your HIPAA training is due by 2026-04-01"), "{home}");
    assert!(home.contains("1 clinic policy to read and acknowledge"));
    assert!(!home.contains("Compliance program:"), "not the front desk's to keep");
    app.stop().await;
}

#[tokio::test]
async fn a_clinic_can_hold_patient_data_until_training_is_done() {
    let app = TestApp::builder()
        .with_config(|c| c.training_before_phi_access = true)
        .spawn()
        .await;
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::POST, "/api/v1/workforce", &owner)
        .json(&serde_json::json!({"name": "Dana Provider", "username": "provider", "hired_on": "2026-03-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let person = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The owner records their own training first (they are held too: no completion yet).
    let desk = app.api_login("frontdesk").await;
    let res = app
        .api(Method::GET, "/api/v1/patients?q=quenby", &desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a login with no training sees no patient");

    let doc = app.api_login("provider").await;
    let res = app
        .api(Method::GET, "/api/v1/patients?q=quenby", &doc)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Their duties outside patient data still work, and the course is open to them.
    let mut page = PageClient::login(&app, "provider").await;
    let (status, html) = page.get("/training").await;
    assert_eq!(status, 200);
    assert!(html.contains("HIPAA"));

    // Training from before the hire date does not count; training since does.
    let res = app
        .api(Method::POST, &format!("/api/v1/workforce/{person}/training"), &owner)
        .json(&serde_json::json!({"title": "Course at a former job", "completed_on": "2025-06-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .api(Method::GET, "/api/v1/patients?q=quenby", &doc)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .api(Method::POST, &format!("/api/v1/workforce/{person}/training"), &owner)
        .json(&serde_json::json!({"title": "Privacy induction", "completed_on": "2026-03-02"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .api(Method::GET, "/api/v1/patients?q=quenby", &doc)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the hold lifts with the next request");
    app.stop().await;
}

#[tokio::test]
async fn outside_training_keeps_its_certificate_encrypted() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::POST, "/api/v1/workforce", &owner)
        .json(&serde_json::json!({"name": "Nora Nurse", "username": "nurse", "hired_on": "2026-01-05"}))
        .send()
        .await
        .unwrap();
    let person = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let pdf = b"%PDF-1.4\nCERTIFICATE-MARKER-7731\n%%EOF\n";
    let res = app
        .api(Method::POST, &format!("/api/v1/workforce/{person}/training"), &owner)
        .json(&serde_json::json!({"title": "Red Cross privacy course", "completed_on": "2026-02-10",
            "certificate_filename": "cert.pdf", "certificate_base64": base64::engine::general_purpose::STANDARD.encode(pdf)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .api(Method::POST, &format!("/api/v1/workforce/{person}/training"), &owner)
        .json(&serde_json::json!({"title": "x", "completed_on": "2026-02-10",
            "certificate_base64": base64::engine::general_purpose::STANDARD.encode(b"<script>")}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("PDF"));

    // Through the page: a multipart form, listed on the person's page, downloadable.
    let mut page = PageClient::login(&app, "owner").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", page.csrf.clone())
        .text("title", "CPR and privacy day")
        .text("completed_on", "2026-02-20")
        .part(
            "certificate",
            reqwest::multipart::Part::bytes(pdf.to_vec()).file_name("day.pdf"),
        );
    let res = page
        .http
        .post(page.url(&format!("/program/workforce/{person}/training")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, html) = page.get(&format!("/program/workforce/{person}")).await;
    assert!(html.contains("day.pdf") && html.contains("cert.pdf"), "{html}");
    let res = page
        .http
        .get(page.url(&format!("/program/training/{id}/certificate")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf);
    let res = app
        .api(Method::GET, &format!("/api/v1/training/{id}/certificate"), &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let nurse = app.api_login("nurse").await;
    let res = app
        .api(Method::GET, &format!("/api/v1/training/{id}/certificate"), &nurse)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT certificate_ct FROM training_records WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert!(
        !stored.windows(23).any(|w| w == b"CERTIFICATE-MARKER-7731"),
        "stored encrypted"
    );
    app.stop().await;
}

/// One leave date that cannot be applied (the last login that can administer users) must not
/// stop everyone else's offboarding: it is a gap on the dashboard, never a stuck job.
#[tokio::test]
async fn a_stuck_leave_date_leaves_the_others_offboarded() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let add = |name: &'static str, login: &'static str| json!({"name": name, "username": login, "hired_on": "2026-01-05", "left_on": "2026-03-02", "owner_confirms": true});
    // The other owner leaves first (allowed: the owner still administers), then the owner
    // (refused by the job: nobody would be left to administer), then the nurse.
    for (name, login) in [
        ("Dora Both", "drowner"),
        ("Olive Owner", "owner"),
        ("Nina Nurse", "nurse"),
    ] {
        let res = app
            .api(Method::POST, "/api/v1/workforce", &owner)
            .json(&add(name, login))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{login}: {}", res.text().await.unwrap());
    }
    // The job keeps running on every tick.
    app.state.app.run_offboarding().await.unwrap();
    let nurse = app.user("nurse").clone();
    let code = app.fresh_code(&nurse.totp_secret);
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "nurse", "password": nurse.password, "totp": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "the nurse's login is disabled on her leave date");
    let roster: Vec<Value> = app
        .api(Method::GET, "/api/v1/workforce", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offboarded = |name: &str| roster.iter().find(|p| p["name"] == name).unwrap()["offboarded"].clone();
    assert_eq!(offboarded("Nina Nurse"), true, "{roster:?}");
    assert_eq!(offboarded("Dora Both"), true, "{roster:?}");
    assert_eq!(offboarded("Olive Owner"), false, "{roster:?}");
    let items: Vec<Value> = app
        .api(Method::GET, "/api/v1/program/dashboard", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let training = items.iter().find(|i| i["key"] == "training").unwrap();
    assert_eq!(training["standing"], "gap");
    let evidence = training["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("not offboarded") && evidence.contains("Olive Owner"),
        "{evidence}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_leave_date_for_oneself_or_an_owner_needs_an_owner_confirming() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let co = app.api_login("compliance").await;
    let post = |token: &str, body: Value| app.api(Method::POST, "/api/v1/workforce", token).json(&body).send();
    let date = |login: &str, confirm: bool| json!({"name": "Someone", "username": login, "hired_on": "2026-01-05", "left_on": "2026-06-30", "owner_confirms": confirm});
    // The compliance officer cannot set a leave date on the owner, nor on herself.
    for login in ["owner", "compliance"] {
        let res = post(&co, date(login, true)).await.unwrap();
        assert_eq!(res.status(), 403, "{login}");
        assert!(res.text().await.unwrap().contains("owner"));
    }
    // The owner, for herself: only when she confirms.
    let res = post(&owner, date("owner", false)).await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("your own login"));
    let res = post(&owner, date("owner", true)).await.unwrap();
    assert_eq!(res.status(), 201);
    // Anyone else's: no confirmation asked.
    let res = post(&co, date("billing", false)).await.unwrap();
    assert_eq!(res.status(), 201);
    app.stop().await;
}
