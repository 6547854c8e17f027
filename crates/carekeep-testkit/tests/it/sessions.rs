//! Automatic logoff (164.312(a)(2)(iii)) and revocation, with the clock moved, never slept.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use time::Duration;

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.api(Method::GET, "/api/v1/me", token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn idle_logoff_after_fifteen_minutes() {
    let app = TestApp::spawn().await;
    let token = app.api_login("frontdesk").await;
    app.clock.advance(Duration::minutes(14));
    assert_eq!(
        me_status(&app, &token).await,
        200,
        "activity within 15 minutes keeps the session"
    );
    app.clock.advance(Duration::minutes(14) + Duration::seconds(59));
    assert_eq!(me_status(&app, &token).await, 200);
    app.clock.advance(Duration::minutes(15));
    assert_eq!(me_status(&app, &token).await, 401, "idle for 15 minutes ends it");
    app.clock.advance(Duration::seconds(1));
    assert_eq!(me_status(&app, &token).await, 401, "and it stays ended");
    app.stop().await;
}

/// Activity is written back at most every 15 seconds (a read stays a read): a request sooner
/// than that after the last recorded one does not extend the session, so logoff comes at most
/// 15 seconds early and never late.
#[tokio::test]
async fn activity_is_recorded_at_most_every_fifteen_seconds() {
    let app = TestApp::spawn().await;
    let token = app.api_login("frontdesk").await;
    app.clock.advance(Duration::seconds(10));
    assert_eq!(me_status(&app, &token).await, 200, "not recorded: 10 s after login");
    app.clock.advance(Duration::minutes(15) - Duration::seconds(10));
    assert_eq!(
        me_status(&app, &token).await,
        401,
        "15 minutes after the recorded activity (login), 14:50 after the last request"
    );

    let token = app.api_login("frontdesk").await;
    app.clock.advance(Duration::seconds(15));
    assert_eq!(me_status(&app, &token).await, 200, "recorded: 15 s after login");
    app.clock.advance(Duration::minutes(15) - Duration::seconds(1));
    assert_eq!(
        me_status(&app, &token).await,
        200,
        "15:14 after login, 14:59 after the request"
    );
    app.stop().await;
}

#[tokio::test]
async fn idle_timeout_is_configurable() {
    let app = TestApp::builder()
        .with_config(|c| c.session_idle_minutes = 2)
        .spawn()
        .await;
    let token = app.api_login("nurse").await;
    app.clock.advance(Duration::minutes(2));
    assert_eq!(me_status(&app, &token).await, 401);
    app.stop().await;
}

#[tokio::test]
async fn absolute_lifetime_ends_even_an_active_session() {
    let app = TestApp::spawn().await;
    let token = app.api_login("billing").await;
    for _ in 0..(12 * 6 - 1) {
        app.clock.advance(Duration::minutes(10));
        assert_eq!(me_status(&app, &token).await, 200);
    }
    app.clock.advance(Duration::minutes(10));
    assert_eq!(
        me_status(&app, &token).await,
        401,
        "12 hours after login the session ends"
    );
    app.stop().await;
}

#[tokio::test]
async fn disabling_an_account_revokes_its_sessions_at_once() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let nurse = app.api_login("nurse").await;
    let nurse2 = app.api_login("nurse").await;
    let id = app.user_id(&owner, "nurse").await;
    let res = app
        .api(Method::POST, &format!("/api/v1/users/{id}/disable"), &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(me_status(&app, &nurse).await, 401);
    assert_eq!(me_status(&app, &nurse2).await, 401);
    // A disabled account cannot sign in, and gets the same answer as a wrong password.
    let u = app.user("nurse").clone();
    let code = app.fresh_code(&u.totp_secret);
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "nurse", "password": u.password, "totp": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Enabled again, it can.
    app.api(Method::POST, &format!("/api/v1/users/{id}/enable"), &owner)
        .send()
        .await
        .unwrap();
    app.api_login("nurse").await;
    app.stop().await;
}

#[tokio::test]
async fn role_change_and_password_reset_revoke_sessions() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let id = app.user_id(&owner, "frontdesk").await;
    let fd = app.api_login("frontdesk").await;
    let res = app
        .api(Method::PUT, &format!("/api/v1/users/{id}/roles"), &owner)
        .json(&json!({"roles": ["front_desk", "billing"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["roles"], json!(["billing", "front_desk"]));
    assert_eq!(me_status(&app, &fd).await, 401, "sessions revoked on role change");

    let fd = app.api_login("frontdesk").await;
    let res = app
        .api(Method::POST, &format!("/api/v1/users/{id}/reset-password"), &owner)
        .json(&json!({"password": "new sentence for the front desk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(me_status(&app, &fd).await, 401, "sessions revoked on password reset");
    app.stop().await;
}

#[tokio::test]
async fn users_list_and_end_their_own_sessions_only() {
    let app = TestApp::spawn().await;
    let a = app.api_login("provider").await;
    let b = app.api_login("provider").await;
    let other = app.api_login("nurse").await;
    let sessions: Value = app
        .api(Method::GET, "/api/v1/sessions", &a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = sessions.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let current: Vec<bool> = list.iter().map(|s| s["current"].as_bool().unwrap()).collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    let b_id = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_i64()
        .unwrap();
    // Someone else cannot end it.
    let res = app
        .api(Method::DELETE, &format!("/api/v1/sessions/{b_id}"), &other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(me_status(&app, &b).await, 200);
    let res = app
        .api(Method::DELETE, &format!("/api/v1/sessions/{b_id}"), &a)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(me_status(&app, &b).await, 401);
    assert_eq!(me_status(&app, &a).await, 200);
    app.stop().await;
}

/// The sessions table out of reach (the database failing), then back.
async fn sessions_table(app: &TestApp, from: &str, to: &str) {
    let mut tx = app.state.app.store_for_tests().begin().await.unwrap();
    sqlx::query(&format!("ALTER TABLE {from} RENAME TO {to}"))
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A database that fails while someone is signed in is an outage, answered with a request id,
/// not "you were signed out": their session is still there when the database is back.
#[tokio::test]
async fn a_database_failure_is_an_error_page_not_a_sign_out() {
    let app = TestApp::spawn().await;
    let mut page = PageClient::login(&app, "frontdesk").await;
    assert_eq!(page.get("/patients").await.0, 200);
    sessions_table(&app, "sessions", "sessions_away").await;
    let (status, body) = page.get("/patients").await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("request id"), "{body}");
    assert!(!body.to_lowercase().contains("signed out"), "{body}");
    sessions_table(&app, "sessions_away", "sessions").await;
    assert_eq!(page.get("/patients").await.0, 200, "still signed in");
    app.stop().await;
}

#[tokio::test]
async fn a_person_changes_their_own_password_and_signs_out_everywhere() {
    let app = TestApp::spawn().await;
    let old = app.user("nurse").password.clone();
    let mut here = PageClient::login(&app, "nurse").await;
    let mut there = PageClient::login(&app, "nurse").await;
    let secret = app.user("nurse").totp_secret.clone();
    let new = "a brand new passphrase 42";
    // The current password and a code are both needed; nothing typed is shown again.
    let code = app.fresh_code(&secret);
    let (status, _, html) = here
        .post(
            "/account/password",
            &[
                ("current", "not it at all"),
                ("code", &code),
                ("new", new),
                ("again", new),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("the current password is not right") && html.contains("id=\"current-error\""));
    assert!(!html.contains(new), "a password is never put back in the page");
    let (status, _, html) = here
        .post(
            "/account/password",
            &[("current", &old), ("code", "000000"), ("new", new), ("again", new)],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("the code is not right"), "{html}");
    let code = app.fresh_code(&secret);
    let (status, location, _) = here
        .post(
            "/account/password",
            &[("current", &old), ("code", &code), ("new", new), ("again", new)],
        )
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/login?ended=2")));
    // Every session ended, the other computer's too.
    for c in [&mut here, &mut there] {
        let (status, html) = c.get("/account").await;
        assert!(status != 200 || html.contains("Sign in"), "signed out");
    }
    // Sign out everywhere from a fresh session ends that one and any other.
    let mut a = PageClient::login(&app, "frontdesk").await;
    let mut b = PageClient::login(&app, "frontdesk").await;
    let (status, location, _) = a.post("/account/sign-out-everywhere", &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/login?ended=3")));
    let (_, html) = b.get("/account").await;
    assert!(!html.contains("Where you are signed in"), "the other session ended");
    app.stop().await;
}
