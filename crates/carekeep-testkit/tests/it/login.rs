//! Login over the API: 164.312(d) authentication, 164.308(a)(5)(ii)(C) log-in monitoring.

use carekeep_testkit::TestApp;
use serde_json::{json, Value};

async fn attempt(app: &TestApp, username: &str, password: &str, totp: &str) -> (u16, Value, Option<String>) {
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password, "totp": totp}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, res.json().await.unwrap(), retry)
}

#[tokio::test]
async fn login_returns_a_token_that_works() {
    let app = TestApp::spawn().await;
    let token = app.api_login("frontdesk").await;
    let me: Value = app
        .api(reqwest::Method::GET, "/api/v1/me", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "frontdesk");
    assert_eq!(me["roles"], json!(["front_desk"]));
    assert_eq!(me["data_access"]["identity"], "read_write");
    assert!(
        me["data_access"].get("clinical").is_none(),
        "front desk never sees clinical data"
    );
    let res = app
        .api(reqwest::Method::POST, "/api/v1/auth/logout", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .api(reqwest::Method::GET, "/api/v1/me", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn wrong_password_wrong_code_and_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let u = app.user("nurse").clone();
    let code = app.fresh_code(&u.totp_secret);
    let wrong_pw = attempt(&app, "nurse", "not the right password", &code).await;
    let code = app.fresh_code(&u.totp_secret);
    let wrong_code = attempt(
        &app,
        "nurse",
        &u.password,
        if code == "000000" { "111111" } else { "000000" },
    )
    .await;
    let unknown = attempt(&app, "nobody-here", "whatever password", "123456").await;
    let missing_code = attempt(&app, "nurse", &u.password, "").await;
    for (status, body, _) in [&wrong_pw, &wrong_code, &unknown, &missing_code] {
        assert_eq!(*status, 401);
        assert_eq!(body["error"], "bad_credentials");
        assert_eq!(body["message"], wrong_pw.1["message"]);
    }
    app.stop().await;
}

#[tokio::test]
async fn lockout_after_five_failures_with_a_growing_delay() {
    let app = TestApp::spawn().await;
    for i in 1..=4 {
        let (status, ..) = attempt(&app, "billing", "wrong password!!", "123456").await;
        assert_eq!(status, 401, "failure {i}");
    }
    let (status, body, retry) = attempt(&app, "billing", "wrong password!!", "123456").await;
    assert_eq!(status, 429, "fifth failure locks: {body}");
    assert_eq!(retry.as_deref(), Some("60"));
    // Even the right credentials wait out the lock.
    let u = app.user("billing").clone();
    let code = app.fresh_code(&u.totp_secret); // +30 s
    let (status, body, _) = attempt(&app, "billing", &u.password, &code).await;
    assert_eq!(status, 429, "{body}");
    // The sixth failure, after the first lock, doubles the delay.
    app.clock.advance(time::Duration::seconds(31));
    let (status, _, retry) = attempt(&app, "billing", "wrong password!!", "123456").await;
    assert_eq!((status, retry.as_deref()), (429, Some("120")));
    app.clock.advance(time::Duration::seconds(121));
    let token = app.api_login("billing").await;
    assert!(!token.is_empty());
    // Success clears the count: one more failure is an ordinary 401.
    let (status, ..) = attempt(&app, "billing", "wrong password!!", "123456").await;
    assert_eq!(status, 401);
    app.stop().await;
}

#[tokio::test]
async fn unknown_usernames_lock_too_so_lockout_reveals_nothing() {
    let app = TestApp::spawn().await;
    for _ in 0..4 {
        assert_eq!(attempt(&app, "ghost", "some password!!", "123456").await.0, 401);
    }
    assert_eq!(attempt(&app, "ghost", "some password!!", "123456").await.0, 429);
    app.stop().await;
}

#[tokio::test]
async fn per_address_rate_limit() {
    let app = TestApp::builder()
        .with_config(|c| c.login_rate_limit_per_minute = 3)
        .spawn()
        .await;
    for user in ["a-user", "b-user", "c-user"] {
        assert_eq!(attempt(&app, user, "some password!!", "1").await.0, 401);
    }
    let (status, body, retry) = attempt(&app, "d-user", "some password!!", "1").await;
    assert_eq!(status, 429, "{body}");
    assert!(retry.is_some());
    app.stop().await;
}

#[tokio::test]
async fn malformed_login_is_a_clear_4xx() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid");
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    app.stop().await;
}

/// Thirty guesses sent at once, with a hash that costs what it costs in a clinic: the right
/// guess is the 25th, and `wrong` makes the other 29. Returns the 30 statuses in send order.
async fn burst(app: &TestApp, guesses: Vec<(String, String, String)>) -> Vec<u16> {
    let client = app.client();
    let url = app.url("/api/v1/auth/login");
    let tasks: Vec<_> = guesses
        .into_iter()
        .map(|(username, password, totp)| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let res = client
                    .post(url)
                    .json(&json!({"username": username, "password": password, "totp": totp}))
                    .send()
                    .await
                    .unwrap();
                res.status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

async fn costly_app() -> TestApp {
    let hasher = carekeep_crypto::password::PasswordHasher::calibrated(std::time::Duration::from_millis(40)).unwrap();
    TestApp::builder().with_password_hasher(hasher).spawn().await
}

fn other_code(code: &str, i: usize) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1 + u32::try_from(i).unwrap()) % 1_000_000)
}

/// Thirty guesses sent at once, in two bursts. The first, all wrong, is evaluated five at a
/// time at most: four plain failures, the fifth locks, the rest are refused unhashed. The
/// second carries the right secret as its 25th guess, and the lock holds against it. (Which
/// requests of one burst reach the server first is the scheduler's choice, so the right guess is
/// sent once the lock is certain; a race in counting shows as more than five evaluated.)
async fn burst_against_the_lock(app: &TestApp, guess: impl Fn(usize, bool) -> (String, String, String)) {
    let wrong: Vec<_> = (0..30).map(|i| guess(i, false)).collect();
    let statuses = burst(app, wrong).await;
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 4, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 26, "{statuses:?}");
    let with_right: Vec<_> = (0..30).map(|i| guess(i, i == 24)).collect();
    let statuses = burst(app, with_right).await;
    assert_ne!(statuses[24], 200, "the right secret at guess 25 got in: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 429), "{statuses:?}");
}

#[tokio::test]
async fn a_burst_of_password_guesses_cannot_race_the_lockout() {
    let app = costly_app().await;
    let u = app.user("billing").clone();
    let code = app.fresh_code(&u.totp_secret);
    burst_against_the_lock(&app, |i, right| {
        let pw = if right {
            u.password.clone()
        } else {
            format!("wrong guess {i}!")
        };
        (u.username.clone(), pw, code.clone())
    })
    .await;
    assert!(
        app.state.app.peak_concurrent_hashes() <= carekeep_app::hash_gate::MAX_CONCURRENT_HASHES,
        "{} hashes ran at once",
        app.state.app.peak_concurrent_hashes()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_burst_of_authenticator_codes_cannot_race_the_lockout() {
    let app = costly_app().await;
    let u = app.user("nurse").clone();
    let code = app.fresh_code(&u.totp_secret);
    burst_against_the_lock(&app, |i, right| {
        let totp = if right { code.clone() } else { other_code(&code, i) };
        (u.username.clone(), u.password.clone(), totp)
    })
    .await;
    app.stop().await;
}
