//! Logs never carry passwords, TOTP codes, recovery codes or session tokens (PRODUCT.md
//! section 3; STYLE.md rule 6). Every log line the server writes at any level during sign-ins,
//! a failed sign-in and an account creation is captured and searched.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One process-wide capture: a thread-local subscriber can miss events while other tests
/// register the same call sites, and capturing every test's logs is the stronger check anyway.
fn capture() -> Capture {
    static CAPTURE: std::sync::OnceLock<Capture> = std::sync::OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let capture = Capture::default();
            let writer = capture.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .without_time()
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
            capture
        })
        .clone()
}

#[tokio::test]
async fn no_secret_reaches_the_log() {
    let capture = capture();

    let app = TestApp::spawn().await;
    let u = app.user("provider").clone();
    let code = app.fresh_code(&u.totp_secret);
    let res = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": u.username, "password": u.password, "totp": code}))
        .send()
        .await
        .unwrap();
    let token = res.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = "Wrong-Password-Typed-Here";
    app.client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "provider", "password": wrong, "totp": "123456"}))
        .send()
        .await
        .unwrap();
    let owner = app.api_login("owner").await;
    let new_password = "Sixteen-Lanterns-On-The-Porch";
    let res = app
        .api(Method::POST, "/api/v1/users", &owner)
        .json(&json!({"username": "lognurse", "password": new_password, "roles": ["nurse"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let page = PageClient::login(&app, "frontdesk").await;
    let csrf = page.csrf.clone();
    app.api(Method::GET, "/api/v1/me", &token).send().await.unwrap();
    app.stop().await;

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("login succeeded"), "the capture works: {log}");
    // A six-digit code could occur inside a longer number by chance: look for it as a whole run.
    let digit_runs: Vec<&str> = log
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    assert!(!digit_runs.contains(&code.as_str()), "the log contains a TOTP code");
    for (what, secret) in [
        ("password", u.password.as_str()),
        ("wrong password", wrong),
        ("new account's password", new_password),
        ("bearer token", token.as_str()),
        ("owner token", owner.as_str()),
        ("CSRF token", csrf.as_str()),
        ("TOTP secret", u.totp_secret.as_str()),
    ] {
        assert!(!log.contains(secret), "the log contains a {what}");
    }
}
