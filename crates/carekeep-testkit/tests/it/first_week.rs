//! Issue 33, the small things a new clinic notices in its first week: training due from the
//! program's start, the quiz's wrong answers explained, no preselected sex, search results in
//! US dates, sessions in words, a home page about today, a readable SRA report, and the
//! dashboard at a glance with its history.

use crate::pdf_text;
use carekeep_app::Actor;
use carekeep_domain::program::course::QUIZ;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn send(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, String) {
    let res = app.api(method, path, token).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Item 1: someone hired in 2019 is due within the hire window from the program's start (the
/// day the clinic was set up, 2026-03-02 on the test clock), not "overdue since 2019"; a
/// configured start date is used when given.
#[tokio::test]
async fn staff_hired_years_ago_are_due_from_the_program_start() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let (status, body) = send(
        &app,
        &owner,
        Method::POST,
        "/api/v1/workforce",
        json!({"name": "Vera Veteran", "hired_on": "2019-03-04"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let roster = app.state.app.roster(&Actor::Cli).await.unwrap();
    let vera = roster.iter().find(|p| p.name == "Vera Veteran").unwrap();
    assert_eq!(
        (vera.training_due.as_str(), vera.training_standing.as_str()),
        ("2026-04-01", "due_soon"),
        "30 days from the set-up day, not 30 days from 2019"
    );
    let mut page = PageClient::login(&app, "owner").await;
    let (status, html) = page.get("/program/workforce").await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("2019-04-03") && !html.contains("04/03/2019"),
        "no overdue date from 2019"
    );
    app.stop().await;

    // A clinic that says its program started on 01/05/2026: due 02/04/2026, overdue by now.
    let app = TestApp::builder()
        .with_config(|c| c.program_start = "2026-01-05".into())
        .spawn()
        .await;
    let owner = app.api_login("owner").await;
    send(
        &app,
        &owner,
        Method::POST,
        "/api/v1/workforce",
        json!({"name": "Vera Veteran", "hired_on": "2019-03-04"}),
    )
    .await;
    let roster = app.state.app.roster(&Actor::Cli).await.unwrap();
    let vera = roster.iter().find(|p| p.name == "Vera Veteran").unwrap();
    assert_eq!(
        (vera.training_due.as_str(), vera.training_standing.as_str()),
        ("2026-02-04", "gap")
    );
    app.stop().await;
}

/// Item 2: a failed quiz names each wrong answer with the right one and the course's reason,
/// and keeps the choices made for the retry.
#[tokio::test]
async fn the_quiz_explains_each_wrong_answer() {
    let app = TestApp::spawn().await;
    let mut nurse = PageClient::login(&app, "nurse").await;
    let mut fields: Vec<(String, String)> = QUIZ
        .iter()
        .enumerate()
        .map(|(i, q)| (format!("q{i}"), q.answer.to_string()))
        .collect();
    // Two wrong: the neighbour's chart (question 2) and the fax (question 5).
    fields[1].1 = "0".into();
    fields[4].1 = "2".into();
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, html) = nurse.post("/training", &form).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("6 of 8 right"), "{html}");
    assert!(html.contains("The 2 answers to look at again"), "{html}");
    assert!(html.contains("Yes, I have access to it") && html.contains("No, my job does not need it"));
    assert!(
        html.contains(QUIZ[1].why) && html.contains(QUIZ[4].why),
        "the course's reasons"
    );
    assert!(!html.contains(QUIZ[0].why), "a right answer is not listed");
    assert!(
        html.contains(r#"name="q1" value="0" required checked"#),
        "the wrong choice is kept for the retry"
    );
    app.stop().await;
}

/// Item 3: sex starts empty and is required; nothing chosen is refused at the field with what
/// was typed kept.
#[tokio::test]
async fn registration_asks_for_sex_instead_of_assuming_it() {
    let app = TestApp::spawn().await;
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, html) = desk.get("/patients/new").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"<option value="" selected>Choose...</option>"#),
        "{html}"
    );
    for (code, word) in [
        ("female", "Female"),
        ("male", "Male"),
        ("other", "Other"),
        ("unknown", "Unknown"),
    ] {
        assert!(
            html.contains(&format!(r#"<option value="{code}">{word}</option>"#)),
            "{code}"
        );
    }
    let (status, _, html) = desk
        .post(
            "/patients",
            &[
                ("given_name", "Wilhelmina"),
                ("family_name", "Quenby"),
                ("date_of_birth", "04/23/1980"),
                ("sex", ""),
                ("preferred", "phone"),
                ("phone", "555 201 7788"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("sex (Unknown when it is not known)"), "{html}");
    assert!(
        html.contains(r#"id="sex" name="sex" required aria-invalid="true""#),
        "{html}"
    );
    assert!(
        html.contains("Wilhelmina") && html.contains("04/23/1980"),
        "typing kept"
    );
    app.stop().await;
}

/// Item 4: a search's rows show dates of birth as the hint writes them, with the links the
/// arrow keys move through.
#[tokio::test]
async fn search_results_show_us_dates_of_birth() {
    let app = TestApp::spawn().await;
    let desk_token = app.api_login("frontdesk").await;
    app.register_patient(&desk_token, "Wilhelmina", "Quenby", "1980-04-23", "5550001111")
        .await;
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, _, html) = desk.post("/patients/search/rows", &[("q", "quen")]).await;
    assert_eq!(status, 200);
    assert!(html.contains("04/23/1980") && !html.contains("1980-04-23"), "{html}");
    assert!(html.contains(r#"<a class="result" href="/patients/"#), "{html}");
    let (_, list) = desk.get("/patients").await;
    assert!(
        list.contains(r#"aria-describedby="search-keys""#),
        "the keys are explained"
    );
    app.stop().await;
}

/// Item 5: sessions in words, this device marked, times on the clinic's clock.
#[tokio::test]
async fn your_account_lists_sessions_in_words() {
    let app = TestApp::spawn().await;
    let _other = app.api_login("nurse").await;
    let mut nurse = PageClient::login(&app, "nurse").await;
    let (status, html) = nurse.get("/account").await;
    assert_eq!(status, 200);
    assert!(html.contains("This device"), "{html}");
    assert_eq!(html.matches("This device").count(), 1);
    assert!(html.contains("Sign out there"), "the other session can be ended");
    assert!(html.contains("An unknown browser"), "the test client's name, in words");
    assert!(
        !html.contains("carekeep-testkit/1 (like a browser)</td>"),
        "no raw string as the cell"
    );
    assert!(html.contains("03/02/2026"), "US dates: {html}");
    assert!(!html.contains("2026-03-02T"), "no RFC 3339");
    app.stop().await;
}

/// Item 6: the home page says what today holds, by role.
#[tokio::test]
async fn the_home_page_is_about_today() {
    let app = TestApp::spawn().await;
    let desk_token = app.api_login("frontdesk").await;
    let owner_token = app.api_login("owner").await;
    let provider_token = app.api_login("provider").await;
    let doc = app.user_id(&owner_token, "provider").await;
    let id = app
        .register_patient(&desk_token, "Wilhelmina", "Quenby", "1980-04-23", "5550001111")
        .await;
    // The test clock is 2026-03-02; one visit later today, one arrived.
    let mut appts = Vec::new();
    for start in ["2026-03-02T20:00:00Z", "2026-03-02T21:00:00Z"] {
        let a: Value = app
            .api(
                Method::POST,
                &format!("/api/v1/patients/{id}/appointments"),
                &desk_token,
            )
            .json(&json!({"provider_id": doc, "service": "Consultation", "start": start, "minutes": 30}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        appts.push(a["id"].as_i64().unwrap());
    }
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/appointments/{}/status", appts[0]),
            &desk_token,
        )
        .json(&json!({"status": "checked_in"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/notes"), &provider_token)
        .json(&json!({"subjective": "draft", "assessment": "x", "plan": "y"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());

    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (_, home) = desk.get("/").await;
    assert!(
        home.contains("Today&#x27;s appointments") || home.contains("Today's appointments"),
        "{home}"
    );
    assert!(home.contains("1 of 2</strong> arrived"), "{home}");
    assert!(home.contains("Quenby") && home.contains("Arrived"));
    assert!(!home.contains("class=\"tiles\""), "no tiles repeating the navigation");
    assert!(!home.contains("Notes to sign"));

    let mut provider = PageClient::login(&app, "provider").await;
    let (_, home) = provider.get("/").await;
    assert!(home.contains("Your next patients"), "{home}");
    assert!(
        home.contains("Notes to sign") && home.contains("1 note written and not yet signed"),
        "{home}"
    );
    assert!(home.contains(&format!("/patients/{id}#notes")));
    let events: Vec<Value> = app
        .api(
            Method::GET,
            "/api/v1/audit/events?action=phi.read&limit=1000",
            &owner_token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        events.iter().any(|e| e["resource_type"] == "Unsigned notes"),
        "the names on the list are an audited read"
    );

    let mut compliance = PageClient::login(&app, "compliance").await;
    let (_, home) = compliance.get("/").await;
    assert!(home.contains("Falls due this week"), "{home}");
    assert!(!home.contains("Setting up the program"));

    let mut owner = PageClient::login(&app, "owner").await;
    let (_, home) = owner.get("/").await;
    assert!(
        home.contains("Setting up the program:") && home.contains(" done</h2>"),
        "{home}"
    );
    assert!(
        home.contains(r#"<ol class="steps">"#) && home.contains("/program/sra"),
        "{home}"
    );
    app.stop().await;
}

/// Item 7: the report has numbered sections, the heat map and a running head; a high risk to
/// mitigate without a task keeps the assessment from being finalised, said at the risk.
#[tokio::test]
async fn the_sra_report_reads_as_a_report_and_a_high_risk_needs_a_plan() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let (status, body) = send(&app, &owner, Method::POST, "/api/v1/sra", json!({})).await;
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let base = format!("/api/v1/sra/{id}");
    let (status, body) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/assets"),
        json!({"name": "Front desk laptop", "kind": "laptop", "owner": "Olivia", "holds_ephi": true}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let laptop = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let (status, body) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/risks"),
        json!({"threat": "lost_device", "asset_id": laptop, "treatment": "mitigate"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let risk = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let (status, _) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/status"),
        json!({"status": "review"}),
    )
    .await;
    assert_eq!(status, 204);
    let (status, text) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/status"),
        json!({"status": "final", "signed_name": "Olivia Owner"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        text.contains("without a remediation task") && text.contains("Lost or stolen"),
        "{text}"
    );
    let mut page = PageClient::login(&app, "owner").await;
    let (_, html) = page.get(&format!("/program/sra/{id}")).await;
    assert!(html.contains(&format!(r#"id="risk-{risk}""#)), "{html}");
    assert!(html.contains("has no remediation task"), "the message is at the risk");

    let res = app
        .api(Method::GET, &format!("{base}/report"), &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = pdf_text(&res.bytes().await.unwrap());
    for want in [
        "1. Scope",
        "3. Summary",
        "Likelihood",
        "High: ",
        "4. Assets holding or moving ePHI",
        "5. What attacks small clinics",
        "Phishing and email",
        "6. Specifications and answers",
        "7. Risk register",
        "No task yet",
        "8. Remediation plan",
        "9. Sign-off",
        "Page 1 of",
        "Test Clinic",
    ] {
        assert!(text.contains(want), "the report lacks {want:?}");
    }
    let pages = text.matches("Page ").count();
    assert!(pages >= 3, "every page numbered: {pages}");

    // With a task the rule is met, and finalising moves on to the next check.
    let (status, _) = send(
        &app,
        &owner,
        Method::POST,
        &format!("/api/v1/sra/risks/{risk}/tasks"),
        json!({"title": "Encrypt the disk", "owner": "Olivia", "due_on": "2026-03-20"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, text) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/status"),
        json!({"status": "final", "signed_name": "Olivia Owner"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        text.contains("still open") && !text.contains("remediation task"),
        "{text}"
    );
    app.stop().await;
}

/// Item 8: "N of M done" with its picture, and the history recorded a day at a time.
#[tokio::test]
async fn the_dashboard_reads_at_a_glance_with_its_history() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let items: Vec<Value> = app
        .api(Method::GET, "/api/v1/program/dashboard", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let done = items.iter().filter(|i| i["standing"] == "done").count();
    let mut page = PageClient::login(&app, "owner").await;
    let (status, html) = page.get("/program").await;
    assert_eq!(status, 200);
    let headline = format!("{done} of {} done", items.len());
    assert!(html.contains(&headline), "{headline}: {html}");
    assert!(html.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" class="progress-picture""#));
    assert!(html.contains(r#"<title id="progress-title">"#) && html.contains(r#"<title id="history-title">"#));
    assert!(html.contains("The weeks in numbers"), "a text equivalent");
    let glance = &html[html.find("at-a-glance").unwrap()..html.find("The weeks in numbers").unwrap()];
    assert!(
        glance.contains("<svg") && !glance.contains("<script"),
        "pictures without script"
    );
    // Two weeks later, with nothing looked at in between: the first week keeps its count,
    // the week in between says nothing was recorded.
    app.clock.advance(time::Duration::days(14));
    let mut page = PageClient::login(&app, "owner").await;
    let (_, html) = page.get("/program").await;
    assert!(html.contains("Nothing recorded that week"), "{html}");
    assert!(html.contains("03/02/2026") && html.contains("03/16/2026"), "{html}");
    app.stop().await;
}
