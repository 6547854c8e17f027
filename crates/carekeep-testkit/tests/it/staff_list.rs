//! One staff list (issue 25, item 3): a person is added once (account, roles, hire date, work
//! email, roster line), invited by email through the relay under a BAA, or by a printed
//! one-time set-up code; invited people show as "invited" and are not gaps.

use carekeep_testkit::{PageClient, SmtpSink, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const CHOSEN: &str = "correct horse battery staple";

async fn with_relay(sink: &SmtpSink) -> TestApp {
    let port = sink.port;
    TestApp::builder()
        .with_config(move |c| {
            c.smtp_host = "127.0.0.1".into();
            c.smtp_port = port;
            c.smtp_security = "none".into();
            c.smtp_from = "Carekeep <carekeep@clinic.example>".into();
            c.smtp_vendor = "Mailrelay Inc".into();
        })
        .spawn()
        .await
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let at = html.find(start)? + start.len();
    let rest = &html[at..];
    Some(&rest[..rest.find(end)?])
}

async fn add(owner: &mut PageClient, name: &str, username: &str, email: &str, how: &str) -> (u16, String) {
    owner.get("/admin/users/new").await;
    let (status, _, html) = owner
        .post(
            "/admin/users",
            &[
                ("display_name", name),
                ("username", username),
                ("job_title", "Medical assistant"),
                ("hired_on", "02/16/2026"),
                ("email", email),
                ("role", "nurse"),
                ("how", how),
                ("password", ""),
            ],
        )
        .await;
    (status, html)
}

async fn dashboard(app: &TestApp) -> Vec<Value> {
    let owner = app.api_login("owner").await;
    app.api(Method::GET, "/api/v1/program/dashboard", &owner)
        .send()
        .await
        .unwrap()
        .json::<Vec<Value>>()
        .await
        .unwrap()
}

fn row<'a>(rows: &'a [Value], key: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}

#[tokio::test]
async fn an_invitation_is_mailed_through_the_relay_under_a_baa_with_the_link_and_no_phi() {
    let sink = SmtpSink::start().await;
    let app = with_relay(&sink).await;
    let desk = app.api_login("frontdesk").await;
    app.register_patient(&desk, "Wilhelmina", "Quenby", "1980-04-23", "5550001111")
        .await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = owner.get("/admin/users/new").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"value="email" checked"#),
        "a relay is set up: email is offered first"
    );

    // The relay's vendor is not on file: refused at once, nothing made, everything typed kept.
    let (status, html) = add(&mut owner, "Rosa Delgado", "rdelgado", "rosa@clinic.example", "email").await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("email relay cannot be used yet"), "{html}");
    assert!(
        html.contains(r#"value="Rosa Delgado""#)
            && html.contains(r#"value="02/16/2026""#)
            && html.contains(r#"value="rosa@clinic.example""#),
        "{html}"
    );
    assert!(sink.messages().is_empty());

    // On file but without a BAA in force: still refused (the BAA gate).
    let token = app.api_login("owner").await;
    let res = app
        .api(Method::POST, "/api/v1/vendors", &token)
        .json(&json!({"name": "Mailrelay Inc", "service": "Email relay", "transmits_phi": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let vendor = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let (status, html) = add(&mut owner, "Rosa Delgado", "rdelgado", "rosa@clinic.example", "email").await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("business associate agreement"), "{html}");
    assert!(sink.messages().is_empty());

    let res = app
        .api(Method::PUT, &format!("/api/v1/vendors/{vendor}"), &token)
        .json(
            &json!({"name": "Mailrelay Inc", "service": "Email relay", "transmits_phi": true,
            "baa_status": "signed", "baa_signed_on": "2026-01-05", "baa_renewal_on": "2027-01-05"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, html) = add(&mut owner, "Rosa Delgado", "rdelgado", "rosa@clinic.example", "email").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("emailed to Rosa Delgado at rosa@clinic.example"),
        "{html}"
    );
    assert!(!html.contains("/invite/"), "the link went by mail only: {html}");

    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["rosa@clinic.example".to_string()]);
    let mail = &got[0].data;
    assert!(mail.contains("rdelgado") && mail.contains("72 hours"), "{mail}");
    for phi in ["Quenby", "Wilhelmina", "5550001111", "1980"] {
        assert!(!mail.contains(phi), "the invitation named {phi}");
    }
    let link = format!(
        "/invite/{}",
        mail[mail.find("/invite/").expect("the link is in the mail") + 8..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect::<String>()
    );
    // The mailed link opens the account's set-up page.
    let mut rosa = PageClient::new(&app);
    let (status, html) = rosa.get(&link).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Rosa Delgado") && html.contains("Choose a password"),
        "{html}"
    );

    // One record: the staff list shows her invited, with her hire date, once.
    let (_, html) = owner.get("/admin/users").await;
    assert_eq!(html.matches("Rosa Delgado").count(), 1, "{html}");
    assert!(html.contains("Invited") && html.contains("02/16/2026"), "{html}");
    let (_, html) = owner.get("/program/workforce").await;
    assert_eq!(html.matches("Rosa Delgado").count(), 1, "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_printed_set_up_code_works_once_expires_and_a_new_one_closes_the_old() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (_, html) = owner.get("/admin/users/new").await;
    assert!(html.contains("No email relay is set up"), "{html}");
    // Email without a relay: said at once, the other ways offered, nothing made.
    let (status, html) = add(&mut owner, "Sam Okafor", "sokafor", "sam@clinic.example", "email").await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("no email relay set up") && html.contains("printed set-up code"),
        "{html}"
    );

    let (status, html) = add(&mut owner, "Sam Okafor", "sokafor", "sam@clinic.example", "code").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Set-up code for Sam Okafor"), "{html}");
    let code = between(&html, r#"aria-label="The set-up code"><code>"#, "</code>")
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 19, "{code}");
    {
        use sqlx::Row;
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        let stored: Vec<String> = sqlx::query("SELECT token_hash FROM invitations")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("token_hash"))
            .collect();
        assert!(stored
            .iter()
            .all(|h| h.len() == 64 && !h.contains(&code.replace('-', ""))));
    }

    let mut sam = PageClient::new(&app);
    let (status, _) = sam.get("/invite").await;
    assert_eq!(status, 200);
    // A wrong code is told at its field; what was typed stays.
    let (status, _, html) = sam
        .post(
            "/invite",
            &[("code", "2222-3333-4444-5555"), ("password", CHOSEN), ("again", CHOSEN)],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("code-error") && html.contains(r#"value="2222-3333-4444-5555""#),
        "{html}"
    );
    // Typed as a person might (lower case, spaces), with passwords that differ.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, _, html) = sam
        .post(
            "/invite",
            &[("code", &typed), ("password", CHOSEN), ("again", "something else")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("password-error") && html.contains(&format!(r#"value="{typed}""#)),
        "{html}"
    );
    let (status, _, html) = sam
        .post("/invite", &[("code", &typed), ("password", CHOSEN), ("again", CHOSEN)])
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Your password is saved") && html.contains("sokafor"),
        "{html}"
    );
    // Once only.
    let (_, _, html) = sam
        .post(
            "/invite",
            &[
                ("code", &code),
                ("password", "another long passphrase"),
                ("again", "another long passphrase"),
            ],
        )
        .await;
    assert!(
        html.contains("already been used") && !html.contains("Your password is saved"),
        "{html}"
    );
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "sokafor", "password": CHOSEN, "totp": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "the chosen password signs in (then the authenticator)"
    );

    // A second person: a new code closes the first, and codes expire after 72 hours.
    let (_, html) = add(&mut owner, "Lee Park", "lpark", "", "code").await;
    let first = between(&html, r#"aria-label="The set-up code"><code>"#, "</code>")
        .unwrap()
        .to_owned();
    let owner_token = app.api_login("owner").await;
    let lee = app.user_id(&owner_token, "lpark").await;
    owner.get(&format!("/admin/users/{lee}")).await;
    let (status, _, html) = owner
        .post(&format!("/admin/users/{lee}/invite"), &[("how", "code")])
        .await;
    assert_eq!(status, 200, "{html}");
    let second = between(&html, r#"aria-label="The set-up code"><code>"#, "</code>")
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    let mut lee_client = PageClient::new(&app);
    lee_client.get("/invite").await;
    let (_, _, html) = lee_client
        .post("/invite", &[("code", &first), ("password", CHOSEN), ("again", CHOSEN)])
        .await;
    assert!(html.contains("has expired"), "the first code stopped working: {html}");
    app.clock.advance(time::Duration::hours(72));
    let (_, _, html) = lee_client
        .post("/invite", &[("code", &second), ("password", CHOSEN), ("again", CHOSEN)])
        .await;
    assert!(html.contains("has expired"), "{html}");
    // Emailing with no relay is refused on the person's page too, at the page.
    let mut owner = PageClient::login(&app, "owner").await;
    owner.get(&format!("/admin/users/{lee}")).await;
    let (status, _, html) = owner
        .post(&format!("/admin/users/{lee}/invite"), &[("how", "email")])
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("no email relay set up"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn invited_people_are_not_gaps_until_they_set_up() {
    let app = TestApp::spawn().await;
    let before = dashboard(&app).await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = add(&mut owner, "Quinn Avery", "qavery", "", "link").await;
    assert_eq!(status, 200, "{html}");
    let link = format!("/invite/{}", between(&html, "/invite/", "\"").unwrap());
    let after = dashboard(&app).await;
    for key in ["training", "mfa", "policies", "breach_plan", "accounts"] {
        let (b, a) = (row(&before, key), row(&after, key));
        assert_eq!(b["standing"], a["standing"], "{key}: {a}");
        let evidence = a["evidence"].as_str().unwrap();
        assert!(
            !evidence.contains("qavery") && !evidence.contains("Quinn Avery"),
            "{key}: {evidence}"
        );
    }
    assert!(
        row(&after, "training")["evidence"]
            .as_str()
            .unwrap()
            .contains("1 invited"),
        "{after:?}"
    );
    let (_, html) = owner.get("/program/workforce").await;
    assert!(html.contains("Invited"), "{html}");

    // Once the password is chosen, the person counts: not enrolled yet is a gap.
    let mut quinn = PageClient::new(&app);
    let secret = link.trim_start_matches("/invite/").to_owned();
    quinn.get(&link).await;
    let (status, _, html) = quinn
        .post_raw(&link, &[("csrf", &secret), ("password", CHOSEN), ("again", CHOSEN)])
        .await;
    assert_eq!(status, 200, "{html}");
    let set_up = dashboard(&app).await;
    assert!(
        row(&set_up, "mfa")["evidence"].as_str().unwrap().contains("qavery"),
        "{set_up:?}"
    );
    assert_eq!(row(&set_up, "mfa")["standing"], "gap");
    app.stop().await;
}
