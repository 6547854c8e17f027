//! TOTP enrolment, challenge, replay refusal and recovery codes (164.312(d)).

use carekeep_app::users::NewUserInput;
use carekeep_app::Actor;
use carekeep_crypto::totp::{code_at, TotpSecret};
use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const PASSWORD: &str = "a quiet afternoon at the clinic";

async fn add_unenrolled(app: &TestApp, username: &str, roles: &[&str]) {
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    app.state
        .app
        .create_user(
            &Actor::Cli,
            &NewUserInput {
                username,
                display_name: "New Person",
                password: PASSWORD,
                roles: &roles,
            },
        )
        .await
        .unwrap();
}

async fn login(app: &TestApp, username: &str, totp: &str) -> (u16, Value) {
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": PASSWORD, "totp": totp}))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn now(app: &TestApp) -> u64 {
    use carekeep_app::Clock;
    app.clock.now().unix_timestamp() as u64
}

#[tokio::test]
async fn phi_account_must_enrol_before_anything_else() {
    let app = TestApp::spawn().await;
    add_unenrolled(&app, "newnurse", &["nurse"]).await;
    let (status, body) = login(&app, "newnurse", "").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "mfa_enrollment_required");
    assert!(body["message"].as_str().unwrap().contains("two-step"));
    let token = body["enrollment_token"].as_str().unwrap().to_owned();

    // The enrolment-only session can see who it is, and nothing else.
    let me: Value = app
        .api(Method::GET, "/api/v1/me", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["mfa_verified"], false);
    let res = app.api(Method::GET, "/api/v1/sessions", &token).send().await.unwrap();
    assert_eq!(res.status(), 403);

    let enrol: Value = app
        .api(Method::POST, "/api/v1/auth/mfa/enroll", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uri = enrol["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains("digits=6") || uri.starts_with("otpauth://totp/"),
        "{uri}"
    );
    let secret = TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();

    let res = app
        .api(Method::POST, "/api/v1/auth/mfa/confirm", &token)
        .json(&json!({"code": "000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "a wrong code does not confirm");
    let code = code_at(&secret, now(&app));
    let res = app
        .api(Method::POST, "/api/v1/auth/mfa/confirm", &token)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let codes: Value = res.json().await.unwrap();
    let recovery: Vec<String> = codes["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);

    // The confirming session is now a full session.
    assert_eq!(
        app.api(Method::GET, "/api/v1/sessions", &token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // The code used to confirm cannot be replayed to log in.
    let (status, _) = login(&app, "newnurse", &code).await;
    assert_eq!(status, 401, "replayed code refused");
    app.clock.advance(time::Duration::seconds(30));
    let (status, body) = login(&app, "newnurse", &code_at(&secret, now(&app))).await;
    assert_eq!(status, 200, "{body}");

    // A recovery code works once.
    let (status, _) = login(&app, "newnurse", &recovery[0]).await;
    assert_eq!(status, 200);
    let (status, _) = login(&app, "newnurse", &recovery[0]).await;
    assert_eq!(status, 401, "a recovery code is single-use");
    app.stop().await;
}

#[tokio::test]
async fn replayed_code_is_refused_within_its_window() {
    let app = TestApp::spawn().await;
    let u = app.user("provider").clone();
    let code = app.fresh_code(&u.totp_secret);
    let body = json!({"username": u.username, "password": u.password, "totp": code});
    let first = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let again = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401, "the same code a second time is refused");
    app.stop().await;
}

#[tokio::test]
async fn enrolled_accounts_cannot_start_a_second_enrolment_and_reset_mfa_requires_it_again() {
    let app = TestApp::spawn().await;
    let token = app.api_login("nurse").await;
    let res = app
        .api(Method::POST, "/api/v1/auth/mfa/enroll", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);

    let owner = app.api_login("owner").await;
    let nurse_id = app.user_id(&owner, "nurse").await;
    let res = app
        .api(Method::POST, &format!("/api/v1/users/{nurse_id}/reset-mfa"), &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", &token)
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "sessions revoked on MFA reset"
    );

    let u = app.user("nurse").clone();
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "nurse", "password": u.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    app.stop().await;
}
