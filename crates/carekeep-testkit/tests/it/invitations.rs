//! Inviting staff (issue 25, item 3): the owner leaves the first password empty and gets a
//! one-time link valid 72 hours (only its hash stored); the person chooses a password through
//! it, once, then signs in with password and an authenticator; used and expired links are
//! refused with a clear page; an account not set up yet shows as pending.

use carekeep_crypto::totp::{code_at, TotpSecret};
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const CHOSEN: &str = "correct horse battery staple";

/// Invites a nurse through the owner's page; returns the link's path.
async fn invite(app: &TestApp, username: &str) -> String {
    let mut owner = PageClient::login(app, "owner").await;
    owner.get("/admin/users/new").await;
    let (status, _, html) = owner
        .post(
            "/admin/users",
            &[
                ("display_name", "Rosa Delgado"),
                ("username", username),
                ("password", ""),
                ("role", "nurse"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Invitation made") && html.contains("72 hours"), "{html}");
    let at = html.find("/invite/").expect("the link is shown");
    let path: String = html[at..].chars().take_while(|c| *c != '"').collect();
    assert!(path.len() > "/invite/".len() + 20, "{path}");
    path
}

async fn pending_ids(app: &TestApp) -> Vec<i64> {
    app.state
        .app
        .pending_invitations()
        .await
        .unwrap()
        .iter()
        .map(|u| u.0)
        .collect()
}

#[tokio::test]
async fn an_invitation_works_once_then_password_and_authenticator_sign_in() {
    let app = TestApp::spawn().await;
    let link = invite(&app, "rdelgado").await;
    let owner_token = app.api_login("owner").await;
    let id = app.user_id(&owner_token, "rdelgado").await;
    assert_eq!(pending_ids(&app).await, vec![id], "invited, not yet set up");

    // Only the token's hash is stored.
    let token = link.trim_start_matches("/invite/").to_owned();
    let stored: Vec<String> = {
        use sqlx::Row;
        let mut conn = app.state.app.store_for_tests().read().await.unwrap();
        sqlx::query("SELECT token_hash FROM invitations")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("token_hash"))
            .collect()
    };
    assert!(!stored.contains(&token) && stored.iter().all(|h| h.len() == 64));

    // Nothing signs in before the password is chosen.
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "rdelgado", "password": CHOSEN, "totp": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let mut person = PageClient::new(&app);
    let (status, html) = person.get(&link).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Rosa Delgado") && html.contains("rdelgado") && html.contains("Choose a password"));

    // Mistakes are told at the field, and the link stays open.
    let (status, _, html) = person
        .post_raw(
            &link,
            &[("csrf", &token), ("password", CHOSEN), ("again", "something else")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("The two passwords differ"), "{html}");
    let (status, _, html) = person
        .post_raw(&link, &[("csrf", &token), ("password", "short"), ("again", "short")])
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("invite-error") && !html.contains("password: "), "{html}");

    // A form without the link's token is refused.
    let (status, _, _) = person
        .post_raw(&link, &[("csrf", "wrong"), ("password", CHOSEN), ("again", CHOSEN)])
        .await;
    assert_ne!(status, 200);

    let (status, _, html) = person
        .post_raw(&link, &[("csrf", &token), ("password", CHOSEN), ("again", CHOSEN)])
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Your password is saved"), "{html}");
    assert!(pending_ids(&app).await.is_empty(), "set up: no longer pending");

    // Once only.
    let (status, html) = person.get(&link).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("already been used") && !html.contains(r#"name="again""#),
        "{html}"
    );
    let (_, _, html) = person
        .post_raw(
            &link,
            &[
                ("csrf", &token),
                ("password", "another long passphrase here"),
                ("again", "another long passphrase here"),
            ],
        )
        .await;
    assert!(html.contains("already been used"), "{html}");

    // Password, then the authenticator at first sign-in, then a full session.
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "rdelgado", "password": CHOSEN, "totp": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "mfa_enrollment_required", "{body}");
    let session = body["enrollment_token"].as_str().unwrap().to_owned();
    let enrol: Value = app
        .api(Method::POST, "/api/v1/auth/mfa/enroll", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
    let now = {
        use carekeep_app::Clock;
        app.clock.now().unix_timestamp() as u64
    };
    let res = app
        .api(Method::POST, "/api/v1/auth/mfa/confirm", &session)
        .json(&json!({"code": code_at(&secret, now)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app.api(Method::GET, "/api/v1/sessions", &session).send().await.unwrap();
    assert_eq!(res.status(), 200, "a full session after password and authenticator");
}

#[tokio::test]
async fn an_invitation_expires_after_72_hours_and_unknown_links_reveal_nothing() {
    let app = TestApp::spawn().await;
    let link = invite(&app, "lateone").await;
    let token = link.trim_start_matches("/invite/").to_owned();
    let mut person = PageClient::new(&app);
    app.clock
        .advance(time::Duration::hours(71) + time::Duration::minutes(59));
    let (_, html) = person.get(&link).await;
    assert!(
        html.contains("Choose a password"),
        "still open just before 72 hours: {html}"
    );
    app.clock.advance(time::Duration::minutes(1));
    let (status, html) = person.get(&link).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("has expired") && !html.contains(r#"name="again""#),
        "{html}"
    );
    let (_, _, html) = person
        .post_raw(&link, &[("csrf", &token), ("password", CHOSEN), ("again", CHOSEN)])
        .await;
    assert!(html.contains("has expired"), "{html}");
    let owner_token = app.api_login("owner").await;
    let id = app.user_id(&owner_token, "lateone").await;
    assert_eq!(pending_ids(&app).await, vec![id], "still invited, not set up");

    let (status, html) = person.get("/invite/not-a-real-token").await;
    assert_eq!(status, 404);
    assert!(!html.contains("Rosa"), "{html}");
}
