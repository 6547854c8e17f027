//! The web UI: login, CSRF on every form, the MFA set-up page, navigation by role, the idle
//! warning's status endpoint, security headers.

use carekeep_app::users::NewUserInput;
use carekeep_app::Actor;
use carekeep_crypto::totp::{code_at, TotpSecret};
use carekeep_testkit::{PageClient, TestApp};
use time::Duration;

#[tokio::test]
async fn front_desk_signs_in_and_sees_only_their_modules() {
    let app = TestApp::spawn().await;
    let mut c = PageClient::login(&app, "frontdesk").await;
    let (status, home) = c.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Frank Frontdesk"));
    assert!(home.contains("Schedule") && home.contains("Patients"));
    assert!(!home.contains("Charts"), "front desk has no clinical module");
    assert!(!home.contains("Staff accounts"), "front desk does not administer users");
    assert!(home.contains("data-idle-seconds=\"900\""));
    let (status, _) = c.get("/admin/users").await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[tokio::test]
async fn wrong_login_re_shows_the_form_with_a_message() {
    let app = TestApp::spawn().await;
    let mut c = PageClient::new(&app);
    c.get("/login").await;
    let (status, _, body) = c
        .post(
            "/login",
            &[
                ("username", "frontdesk"),
                ("password", "not it at all"),
                ("code", "123456"),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert!(body.contains("the username, password or authenticator code is not right"));
    assert!(!body.contains("not it at all"), "the password is never echoed");
    app.stop().await;
}

#[tokio::test]
async fn csrf_is_required_on_every_form() {
    let app = TestApp::spawn().await;
    // The login form: no token (no pre-session cookie) is refused.
    let mut anon = PageClient::new(&app);
    let u = app.user("nurse").clone();
    let code = app.fresh_code(&u.totp_secret);
    let (status, _, _) = anon
        .post_raw(
            "/login",
            &[("username", "nurse"), ("password", &u.password), ("code", &code)],
        )
        .await;
    assert_eq!(status, 403, "login without the form's token");

    let mut c = PageClient::login(&app, "owner").await;
    for path in [
        "/logout",
        "/admin/users",
        "/account/recovery-codes",
        "/session/keepalive",
        "/admin/users/1/disable",
    ] {
        let (status, ..) = c.post_raw(path, &[("username", "x")]).await;
        assert_eq!(status, 403, "{path} without a token");
        let (status, ..) = c.post_raw(path, &[("csrf", "forged-token-value")]).await;
        assert_eq!(status, 403, "{path} with a wrong token");
    }
    // Still signed in; with the token, sign-out works.
    let (status, location, _) = c.post("/logout", &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/login?signed_out=1")));
    let (status, ..) = c.get("/").await;
    assert_eq!(status, 303, "signed out");
    app.stop().await;
}

#[tokio::test]
async fn new_staff_member_sets_up_mfa_in_the_browser_flow() {
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
    let (status, location) = {
        let (s, _) = c.get("/").await;
        (s, ())
    };
    assert_eq!(status, 303, "nothing else until enrolled: {location:?}");
    let (status, page) = c.get("/mfa/setup").await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg"), "QR code drawn server-side");
    let start = page.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let secret = TotpSecret::from_base32(&page[start..start + page[start..].find('<').unwrap()]).unwrap();
    let (status, _, body) = c.post("/mfa/setup", &[("code", "000001")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("that code is not right"));
    use carekeep_app::Clock;
    let code = code_at(&secret, app.clock.now().unix_timestamp() as u64);
    let (status, _, body) = c.post("/mfa/setup", &[("code", &code)]).await;
    assert_eq!(status, 200);
    assert!(body.contains("recovery codes"));
    let (status, home) = c.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Billing"));
    app.stop().await;
}

#[tokio::test]
async fn idle_status_does_not_count_as_activity_but_keepalive_does() {
    let app = TestApp::spawn().await;
    let mut c = PageClient::login(&app, "nurse").await;
    app.clock.advance(Duration::minutes(10));
    let status: serde_json::Value = c
        .http
        .get(c.url("/session/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["seconds_left"], 300);
    app.clock.advance(Duration::minutes(4));
    let status: serde_json::Value = c
        .http
        .get(c.url("/session/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        status["seconds_left"], 60,
        "polling did not extend the session; the warning shows now"
    );
    let res = c
        .http
        .post(c.url("/session/keepalive"))
        .header("x-csrf-token", &c.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let status: serde_json::Value = res.json().await.unwrap();
    assert_eq!(status["seconds_left"], 900, "staying signed in resets the idle clock");
    app.clock.advance(Duration::minutes(15));
    let (status, _) = c.get("/").await;
    assert_eq!(
        status, 303,
        "after 15 idle minutes the page sends the person to sign in"
    );
    let (_, login) = c.get("/login?ended=1").await;
    assert!(login.contains("You were signed out"));
    app.stop().await;
}

#[tokio::test]
async fn owner_adds_and_disables_a_staff_member_through_the_pages() {
    let app = TestApp::spawn().await;
    let mut c = PageClient::login(&app, "owner").await;
    let (status, page) = c.get("/admin/users/new").await;
    assert_eq!(status, 200);
    assert!(page.contains("front_desk"));
    let (status, _, body) = c
        .post(
            "/admin/users",
            &[
                ("display_name", "Sam Short"),
                ("username", "sam"),
                ("password", "short"),
                ("role", "front_desk"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("at least 12 characters"));
    let (status, location, _) = c
        .post(
            "/admin/users",
            &[
                ("display_name", "Sam Desk"),
                ("username", "sam"),
                ("password", "sunflowers by the window"),
                ("role", "front_desk"),
                ("role", "billing"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.ends_with("?done=created"), "{location}");
    let user_path = location.trim_end_matches("?done=created").to_owned();
    let (_, page) = c.get(&location).await;
    assert!(page.contains("Account created"));
    assert!(page.contains("Sam Desk"));

    // Sam signs in (enrolment-only session), then the owner disables the account.
    let mut sam = PageClient::new(&app);
    sam.get("/login").await;
    let (status, location, _) = sam
        .post(
            "/login",
            &[
                ("username", "SAM"),
                ("password", "sunflowers by the window"),
                ("code", ""),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/mfa/setup")),
        "usernames ignore case"
    );
    let (status, _, _) = c.post(&format!("{user_path}/disable"), &[]).await;
    assert_eq!(status, 303);
    let (_, page) = c.get(&user_path).await;
    assert!(page.contains("Disabled"));
    let (status, _) = sam.get("/mfa/setup").await;
    assert_eq!(status, 303, "the disabled account's session ended");
    let (_, list) = c.get("/admin/users").await;
    assert!(list.contains("Sam Desk"), "disabled, never deleted");
    app.stop().await;
}

#[tokio::test]
async fn security_headers_and_request_ids() {
    let app = TestApp::spawn().await;
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    let h = res.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer");
    assert!(h.get("x-request-id").is_some());
    assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    let cookie = h.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let page = res.text().await.unwrap();
    assert!(!page.contains("<script>"), "no inline script");
    let res = app.client().get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn a_first_visit_goes_to_sign_in_and_an_ended_session_says_why() {
    let app = TestApp::spawn().await;
    let res = app.client().get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers().get("location").unwrap(), "/login");
    let res = app
        .client()
        .get(app.url("/"))
        .header("cookie", "carekeep_session=stale-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/login?ended=1");
    app.stop().await;
}

#[tokio::test]
async fn a_missing_page_is_inside_the_layout_with_the_persons_navigation() {
    let app = TestApp::spawn().await;
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, html) = desk.get("/no-such-page").await;
    assert_eq!(status, 404);
    assert!(html.contains("This page does not exist"), "{html}");
    assert!(
        html.contains("aria-label=\"Main\"") && html.contains("href=\"/schedule\""),
        "the navigation: {html}"
    );
    assert!(html.contains("Sign out"));
    // Signed out: the plain page, which names nothing of the clinic's.
    let anon = app.client().get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(anon.status(), 404);
    assert!(!anon.text().await.unwrap().contains("aria-label=\"Main\""));
    app.stop().await;
}
