//! The page CSRF token stays out of URLs (upload forms carry it as their first field) and is
//! replaced at sign-in and when an enrolment-only session becomes a full one.

use carekeep_app::users::NewUserInput;
use carekeep_app::{Actor, Clock};
use carekeep_crypto::totp::{code_at, TotpSecret};
use carekeep_testkit::{PageClient, TestApp};

fn upload(csrf_field: Option<&str>) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new();
    let form = match csrf_field {
        Some(t) => form.text("csrf", t.to_owned()),
        None => form,
    };
    form.part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\nsigned\n%%EOF\n".to_vec()).file_name("baa.pdf"),
    )
}

#[tokio::test]
async fn upload_forms_carry_the_token_in_the_body_never_in_the_url() {
    let app = TestApp::spawn().await;
    let mut co = PageClient::login(&app, "compliance").await;
    let (status, location, body) = co
        .post(
            "/program/vendors",
            &[
                ("name", "Lockbox Cloud"),
                ("service", "Backup"),
                ("maintains_phi", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let vendor = location.unwrap();
    let vendor = vendor.split('?').next().unwrap().to_owned();
    let (status, html) = co.get(&vendor).await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("?csrf=") && !html.contains("&csrf=") && !html.contains("&amp;csrf="),
        "no URL on the page carries the token"
    );
    let path = format!("{vendor}/document");
    assert!(html.contains(&format!("action=\"{path}#document-form\"")), "{html}");
    // In the URL only: refused.
    let res = co
        .http
        .post(co.url(&format!("{path}?csrf={}", co.csrf)))
        .multipart(upload(None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a token in the URL is not accepted");
    // A wrong token as the first field: refused; the right one: the upload goes through.
    let res = co
        .http
        .post(co.url(&path))
        .multipart(upload(Some("not-the-token")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = co
        .http
        .post(co.url(&path))
        .multipart(upload(Some(&co.csrf)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, html) = co.get(&vendor).await;
    assert!(html.contains("baa.pdf"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_token_changes_at_sign_in_and_when_enrolment_completes() {
    let app = TestApp::spawn().await;
    let roles = vec!["billing".to_owned()];
    app.state
        .app
        .create_user(
            &Actor::Cli,
            &NewUserInput {
                username: "newbiller",
                display_name: "New Biller",
                password: "invoices every friday morning",
                roles: &roles,
            },
        )
        .await
        .unwrap();
    let mut c = PageClient::new(&app);
    c.get("/login").await;
    let before_sign_in = c.csrf.clone();
    let (status, location, _) = c
        .post(
            "/login",
            &[
                ("username", "newbiller"),
                ("password", "invoices every friday morning"),
                ("code", ""),
            ],
        )
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/mfa/setup")));
    let (_, page) = c.get("/mfa/setup").await;
    let enrolling = c.csrf.clone();
    assert_ne!(enrolling, before_sign_in, "a new token at sign-in");
    let start = page.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let secret = TotpSecret::from_base32(&page[start..start + page[start..].find('<').unwrap()]).unwrap();
    let code = code_at(&secret, u64::try_from(app.clock.now().unix_timestamp()).unwrap());
    let (status, _, body) = c.post("/mfa/setup", &[("code", &code)]).await;
    assert_eq!(status, 200, "{body}");
    let full = c.csrf.clone();
    assert_ne!(full, enrolling, "a new token once the session can do more");
    // The enrolment-only token no longer works; the new one does.
    let (status, _, _) = c.post_raw("/session/keepalive", &[("csrf", &enrolling)]).await;
    assert_eq!(status, 403);
    let (status, _, _) = c.post_raw("/session/keepalive", &[("csrf", &full)]).await;
    assert!(status < 400, "{status}");
    app.stop().await;
}
