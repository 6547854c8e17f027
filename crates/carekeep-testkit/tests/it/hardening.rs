//! Hardening against an outside attacker: spoofed client addresses, the sign-in limit's
//! window, and answers that would tell who exists.

use carekeep_testkit::TestApp;
use serde_json::json;

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
