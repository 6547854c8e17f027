//! The email relay set up in the browser (issue 25, item 3): on the set-up path's staff step,
//! the owner types the relay and names its vendor with the BAA; mistakes come back at their
//! field with everything typed (never the password); the password is sealed; a test message
//! and an invitation go through it at once, without a restart.

use carekeep_testkit::{PageClient, SmtpSink, TestApp};
use reqwest::Method;

const PASSWORD: &str = "relay-app-password-9f3k";

fn relay<'a>(port: &'a str, security: &'a str, baa: &'a str, signed_on: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("host", "127.0.0.1"),
        ("port", port),
        ("security", security),
        // The stand-in relay takes no sign-in.
        ("username", ""),
        ("password", PASSWORD),
        ("from", "Lakeside Medspa <carekeep@lakeside.example>"),
        ("vendor", "Mailrelay Inc"),
        ("baa", baa),
        ("signed_on", signed_on),
    ]
}

#[tokio::test]
async fn the_owner_sets_up_the_relay_in_the_browser_and_invitations_go_by_email_at_once() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn().await;
    let port = sink.port.to_string();
    let mut owner = PageClient::login(&app, "owner").await;

    let (status, html) = owner.get("/setup").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Not set up: staff are invited with a printed set-up code"),
        "{html}"
    );
    let (_, html) = owner.get("/admin/users/new").await;
    assert!(!html.contains(r#"value="email""#), "no relay: email is not offered");
    assert!(
        html.contains(r#"href="/setup/mail""#),
        "the staff form leads to the relay"
    );

    // Only an owner sets it up.
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, _, _) = desk
        .post("/setup/mail", &relay(&port, "none", "signed", "01/05/2026"))
        .await;
    assert_eq!(status, 403);

    // Mistakes, each at its field, with everything typed kept and the password never shown.
    let (_, html) = owner.get("/setup/mail").await;
    assert!(html.contains("Set up the relay"), "{html}");
    let mut far = relay(&port, "none", "signed", "01/05/2026");
    far[0] = ("host", "smtp.mailrelay.example");
    let (status, _, html) = owner.post("/setup/mail", &far).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains(r#"<p class="field-error" id="security-error">without encryption"#),
        "{html}"
    );
    assert!(html.contains(r#"value="smtp.mailrelay.example""#) && html.contains(r#"value="Mailrelay Inc""#));
    assert!(html.contains(r#"value="01/05/2026""#), "{html}");
    assert!(!html.contains(PASSWORD), "the password never comes back");
    assert!(html.contains("type the password again"), "{html}");
    let (status, _, html) = owner
        .post("/setup/mail", &relay("5x7", "none", "signed", "01/05/2026"))
        .await;
    assert_eq!(status, 422);
    assert!(html.contains(r#"id="port-error""#), "{html}");
    let (status, _, html) = owner.post("/setup/mail", &relay(&port, "none", "", "")).await;
    assert_eq!(status, 422);
    assert!(
        html.contains(r#"id="baa-error""#) && html.contains("Mailrelay Inc is not on your vendor list"),
        "{html}"
    );
    let (status, _, html) = owner
        .post("/setup/mail", &relay(&port, "none", "signed", "13/45/2026"))
        .await;
    assert_eq!(status, 422);
    assert!(html.contains(r#"id="signed_on-error""#), "{html}");

    // Saved: the vendor is added with its BAA, and nothing else is needed.
    let (status, location, html) = owner
        .post("/setup/mail", &relay(&port, "none", "signed", "01/05/2026"))
        .await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(location.as_deref(), Some("/setup/mail?done=saved#test"));
    let (_, html) = owner.get("/setup/mail?done=saved").await;
    assert!(html.contains("127.0.0.1, port") && html.contains(">ready<"), "{html}");
    assert!(!html.contains(PASSWORD));
    let token = app.api_login("owner").await;
    let vendors = app
        .api(Method::GET, "/api/v1/vendors", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        vendors.contains("Mailrelay Inc") && vendors.contains("2026-01-05"),
        "{vendors}"
    );

    // The password is sealed in the database, not kept as text.
    {
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        let (host, ct): (String, Vec<u8>) = sqlx::query_as("SELECT host, password_ct FROM mail_relay")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(host, "127.0.0.1");
        assert!(!ct.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()));
    }
    let events = app
        .api(Method::GET, "/api/v1/audit/events?limit=20", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(events.contains("email relay set up: 127.0.0.1"), "{events}");
    assert!(!events.contains(PASSWORD));

    // A test message: a wrong address at the field, then one that goes.
    let (status, _, html) = owner.post("/setup/mail/test", &[("to", "dana at lakeside")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains(r#"id="to-error""#) && html.contains(r#"value="dana at lakeside""#),
        "{html}"
    );
    let (status, location, html) = owner.post("/setup/mail/test", &[("to", "dana@lakeside.example")]).await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(location.as_deref(), Some("/setup/mail?done=sent#test"));
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["dana@lakeside.example".to_string()]);
    assert!(
        got[0].data.contains("the clinic's email relay works"),
        "{}",
        got[0].data
    );

    // Invitations go by email at once: no restart, no file edited.
    let (_, html) = owner.get("/setup").await;
    assert!(html.contains("Invitations can go by email"), "{html}");
    let (_, html) = owner.get("/admin/users/new").await;
    assert!(html.contains(r#"value="email" checked"#), "{html}");
    let (status, _, html) = owner
        .post(
            "/admin/users",
            &[
                ("display_name", "Rosa Delgado"),
                ("username", "rdelgado"),
                ("job_title", "Medical assistant"),
                ("hired_on", "02/16/2026"),
                ("email", "rosa@lakeside.example"),
                ("role", "nurse"),
                ("how", "email"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("emailed to Rosa Delgado at rosa@lakeside.example"),
        "{html}"
    );
    let got = sink.messages();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].to, vec!["rosa@lakeside.example".to_string()]);
    assert!(got[1].data.contains("/invite/"), "{}", got[1].data);

    // Changing the relay keeps the saved password when the field is left empty.
    let mut again = relay(&port, "none", "", "");
    again[4] = ("password", "");
    again[5] = ("from", "carekeep@lakeside.example");
    let (status, _, html) = owner.post("/setup/mail", &again).await;
    assert_eq!(status, 303, "{html}");
    let settings = app.state.app.mail_in_effect().await.unwrap().unwrap();
    assert_eq!(settings.password, PASSWORD);
    assert_eq!(settings.from, "carekeep@lakeside.example");

    // Removed: nothing more is mailed, and the staff form says so.
    let (status, location, _) = owner.post("/setup/mail/remove", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/setup/mail?done=removed"));
    assert!(app.state.app.mail_in_effect().await.unwrap().is_none());
    let (_, html) = owner.get("/admin/users/new").await;
    assert!(!html.contains(r#"value="email""#));
    app.stop().await;
}

#[tokio::test]
async fn a_relay_without_a_signed_baa_sends_no_invitation_until_the_baa_is_recorded() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn().await;
    let port = sink.port.to_string();
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, _, html) = owner.post("/setup/mail", &relay(&port, "none", "requested", "")).await;
    assert_eq!(status, 303, "{html}");
    let (_, html) = owner.get("/setup/mail").await;
    assert!(
        html.contains(">not yet<") && html.contains("business associate"),
        "{html}"
    );
    let (_, html) = owner.get("/setup").await;
    assert!(
        html.contains("invitations wait for its business associate agreement"),
        "{html}"
    );
    let (status, _, html) = owner
        .post(
            "/admin/users",
            &[
                ("display_name", "Rosa Delgado"),
                ("username", "rdelgado"),
                ("email", "rosa@lakeside.example"),
                ("role", "nurse"),
                ("how", "email"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("email relay cannot be used yet"), "{html}");
    assert!(sink.messages().is_empty(), "the BAA gate held the mail");
    app.stop().await;
}

#[tokio::test]
async fn a_relay_in_carekeep_toml_wins_and_the_page_says_where_to_change_it() {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let app = TestApp::builder()
        .with_config(move |c| {
            c.smtp_host = "127.0.0.1".into();
            c.smtp_port = port;
            c.smtp_security = "none".into();
            c.smtp_from = "Carekeep <carekeep@clinic.example>".into();
            c.smtp_vendor = "Mailrelay Inc".into();
        })
        .spawn()
        .await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (_, html) = owner.get("/setup/mail").await;
    assert!(html.contains("(set in carekeep.toml)"), "{html}");
    assert!(!html.contains(r#"id="relay""#), "no form to change it here");
    let p = port.to_string();
    let (status, _, html) = owner
        .post("/setup/mail", &relay(&p, "none", "signed", "01/05/2026"))
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("set in carekeep.toml"), "{html}");
    app.stop().await;
}
