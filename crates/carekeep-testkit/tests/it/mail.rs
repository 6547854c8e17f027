//! Reminder mail through the clinic's SMTP relay (a real SMTP exchange with a sink on
//! 127.0.0.1): tied to a vendor record, once a day, naming no patient; and the BAA gate on a
//! message that would carry PHI.

use carekeep_app::mail::Content;
use carekeep_testkit::{SmtpSink, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

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

#[tokio::test]
async fn reminders_are_mailed_once_a_day_through_a_relay_tied_to_a_vendor() {
    let sink = SmtpSink::start().await;
    let app = with_relay(&sink).await;
    let owner = app.api_login("owner").await;
    let desk = app.api_login("frontdesk").await;
    app.register_patient(&desk, "Wilhelmina", "Quenby", "1980-04-23", "5550001111")
        .await;
    // A new hire with a work address: her training is due within 30 days of 2026-02-20.
    let res = app
        .api(Method::POST, "/api/v1/workforce", &owner)
        .json(&json!({"name": "Frank Frontdesk", "username": "frontdesk", "hired_on": "2026-02-20", "email": "frank@clinic.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .api(Method::POST, "/api/v1/workforce", &owner)
        .json(&json!({"name": "Bad Address", "hired_on": "2026-02-20", "email": "not an address"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("email"));

    // The relay is not on the vendor list yet: nothing leaves.
    let refused = app.state.app.mail_reminders().await.unwrap_err();
    assert!(refused.to_string().contains("not tied to a vendor record"), "{refused}");
    assert!(sink.messages().is_empty());

    let res = app
        .api(Method::POST, "/api/v1/vendors", &owner)
        .json(&json!({"name": "Mailrelay Inc", "service": "Email relay", "transmits_phi": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let vendor = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    assert_eq!(app.state.app.mail_reminders().await.unwrap(), 1);
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["frank@clinic.example".to_string()]);
    assert!(got[0].data.contains("HIPAA training"), "{}", got[0].data);
    assert!(got[0].data.contains("/training"));
    for phi in ["Quenby", "Wilhelmina", "5550001111"] {
        assert!(!got[0].data.contains(phi), "a reminder named {phi}");
    }
    // Once a day, restarts or not.
    assert_eq!(app.state.app.mail_reminders().await.unwrap(), 0);
    app.clock.advance(time::Duration::days(1));
    assert_eq!(app.state.app.mail_reminders().await.unwrap(), 1);
    assert_eq!(sink.messages().len(), 2);

    // A message carrying PHI meets the BAA gate; a reminder does not.
    let refused = app
        .state
        .app
        .send_mail("frank@clinic.example", "Chart", "details", Content::Phi)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("no signed business associate agreement"),
        "{refused}"
    );
    assert_eq!(sink.messages().len(), 2, "nothing went out");
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::PUT, &format!("/api/v1/vendors/{vendor}"), &owner)
        .json(
            &json!({"name": "Mailrelay Inc", "service": "Email relay", "transmits_phi": true,
            "baa_status": "signed", "baa_signed_on": "2026-01-05", "baa_renewal_on": "2027-01-05"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.state
        .app
        .send_mail("frank@clinic.example", "Chart", "details", Content::Phi)
        .await
        .unwrap();
    assert_eq!(sink.messages().len(), 3);
    app.stop().await;
}

#[test]
fn a_relay_in_clear_text_must_be_on_this_machine() {
    let mut c = carekeep_server::Config {
        smtp_host: "smtp.example.com".into(),
        smtp_security: "none".into(),
        smtp_from: "ck@clinic.example".into(),
        smtp_vendor: "Mail Co".into(),
        ..carekeep_server::Config::default()
    };
    assert!(c.validate().unwrap_err().to_string().contains("smtp_security"));
    c.smtp_security = "starttls".into();
    c.validate().unwrap();
    c.smtp_vendor = String::new();
    assert!(c.validate().unwrap_err().to_string().contains("smtp_vendor"));
    c.smtp_vendor = "Mail Co".into();
    c.smtp_from = "nobody".into();
    assert!(c.validate().unwrap_err().to_string().contains("smtp_from"));
}
