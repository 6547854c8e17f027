//! Hardening against an outside attacker: spoofed client addresses, the sign-in limit's
//! window, and answers that would tell who exists.

use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

async fn failed_login(app: &TestApp, username: &str, forwarded_for: Option<&str>) -> u16 {
    let mut req = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": "not the password", "totp": "123456"}));
    if let Some(ip) = forwarded_for {
        req = req.header("x-forwarded-for", ip);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn failed_login_addresses(app: &TestApp) -> Vec<String> {
    let co = app.api_login("compliance").await;
    let events: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?action=login.failed", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    events
        .iter()
        .map(|e| e["source_ip"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    // The proxy is at 10.0.0.5; this client (127.0.0.1) is not it.
    let app = TestApp::builder()
        .with_config(|c| {
            c.behind_tls_proxy = true;
            c.trusted_proxies = vec!["10.0.0.5".into()];
            c.login_rate_limit_per_minute = 3;
        })
        .spawn()
        .await;
    // A new made-up address on every guess does not escape the per-address limit...
    for i in 0..3 {
        let claimed = format!("203.0.113.{i}");
        assert_eq!(failed_login(&app, &format!("user{i}"), Some(&claimed)).await, 401);
    }
    assert_eq!(failed_login(&app, "user9", Some("203.0.113.99")).await, 429);
    // ...and the audit trail records where the guesses really came from.
    app.clock.advance(time::Duration::seconds(61));
    let seen = failed_login_addresses(&app).await;
    assert_eq!(seen.len(), 3, "the limited fourth never reached sign-in: {seen:?}");
    assert!(seen.iter().all(|ip| ip == "127.0.0.1"), "{seen:?}");
    app.stop().await;

    // From a trusted proxy (the default: this machine), the header names the client.
    let app = TestApp::builder()
        .with_config(|c| c.behind_tls_proxy = true)
        .spawn()
        .await;
    assert_eq!(failed_login(&app, "someone", Some("6.6.6.6, 198.51.100.7")).await, 401);
    assert_eq!(failed_login_addresses(&app).await, vec!["198.51.100.7".to_owned()]);
    app.stop().await;
}

#[tokio::test]
async fn the_sign_in_limit_is_a_sliding_window_not_calendar_minutes() {
    let app = TestApp::builder()
        .with_config(|c| c.login_rate_limit_per_minute = 3)
        .spawn()
        .await;
    // The last second of a minute, then the first of the next.
    app.clock.advance(time::Duration::seconds(59));
    for user in ["a-user", "b-user", "c-user"] {
        assert_eq!(failed_login(&app, user, None).await, 401);
    }
    app.clock.advance(time::Duration::seconds(1));
    assert_eq!(
        failed_login(&app, "d-user", None).await,
        429,
        "a new minute is no new allowance"
    );
    app.clock.advance(time::Duration::seconds(59));
    assert_eq!(
        failed_login(&app, "e-user", None).await,
        401,
        "sixty seconds later it is"
    );
    app.stop().await;
}

#[tokio::test]
async fn booking_answers_alike_for_a_missing_account_and_a_non_clinician() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let owner = app.api_login("owner").await;
    let billing = app.user_id(&owner, "billing").await;
    let patient = app
        .register_patient(&desk, "Ann", "Lee", "1980-01-01", "5550001111")
        .await;
    let mut answers = Vec::new();
    for provider in [987_654, billing] {
        let res = app
            .api(Method::POST, &format!("/api/v1/patients/{patient}/appointments"), &desk)
            .json(
                &json!({"provider_id": provider, "service": "Review", "start": "2026-03-03T10:30:00Z", "minutes": 30}),
            )
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        answers.push((status, body["message"].clone()));
    }
    assert_eq!(answers[0].0, 422);
    assert_eq!(answers[0], answers[1], "the answer must not tell which ids exist");
    app.stop().await;
}
