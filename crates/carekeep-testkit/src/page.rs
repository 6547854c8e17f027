//! A browser-like client for the pages: a cookie jar, no automatic redirects, and the CSRF
//! token read from each page as a browser's form would carry it.

use crate::TestApp;

pub struct PageClient {
    pub http: reqwest::Client,
    base: String,
    /// The session's CSRF token, read from the last page shown.
    pub csrf: String,
}

/// The value of `name="csrf" value="..."` or `data-csrf="..."` in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    for marker in ["name=\"csrf\" value=\"", "data-csrf=\""] {
        if let Some(start) = html.find(marker) {
            let rest = &html[start + marker.len()..];
            let value = &rest[..rest.find('"')?];
            if !value.is_empty() {
                return Some(value.to_owned());
            }
        }
    }
    None
}

impl PageClient {
    pub fn new(app: &TestApp) -> PageClient {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(crate::TEST_USER_AGENT)
            .build()
            .expect("client");
        PageClient {
            http,
            base: app.base.clone(),
            csrf: String::new(),
        }
    }

    /// A client of the patients' door (`TestAppBuilder::with_portal`), no cookies yet.
    pub fn portal(app: &TestApp) -> PageClient {
        PageClient {
            base: app.portal_base.clone().expect("spawned with_portal"),
            ..PageClient::new(app)
        }
    }

    /// The status of a GET of a full URL with this client's cookies (another listener).
    pub async fn get_absolute(&self, url: &str) -> u16 {
        self.http.get(url).send().await.expect("get").status().as_u16()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GETs a page; remembers its CSRF token. Returns status and body.
    pub async fn get(&mut self, path: &str) -> (u16, String) {
        let res = self.http.get(self.url(path)).send().await.expect("get");
        let status = res.status().as_u16();
        let body = res.text().await.expect("body");
        if let Some(t) = csrf_in(&body) {
            self.csrf = t;
        }
        (status, body)
    }

    /// POSTs a form with the current CSRF token. Returns status, Location header and body.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (u16, Option<String>, String) {
        let csrf = self.csrf.clone();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, Option<String>, String) {
        let res = self.http.post(self.url(path)).form(form).send().await.expect("post");
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res.text().await.expect("body");
        if let Some(t) = csrf_in(&body) {
            self.csrf = t;
        }
        (status, location, body)
    }

    /// Signs a seeded user in through the login form; leaves the client on the home page.
    pub async fn login(app: &TestApp, username: &str) -> PageClient {
        let mut c = PageClient::new(app);
        let u = app.user(username).clone();
        let (status, _) = c.get("/login").await;
        assert_eq!(status, 200);
        let code = app.fresh_code(&u.totp_secret);
        let (status, location, body) = c
            .post(
                "/login",
                &[("username", &u.username), ("password", &u.password), ("code", &code)],
            )
            .await;
        // The owner's first sign-in lands on the set-up path until the clinic's details are
        // saved; everyone else lands home.
        assert!(
            status == 303 && matches!(location.as_deref(), Some("/" | "/setup#details")),
            "login of {username}: {status} {location:?} {body}"
        );
        let (status, _) = c.get("/").await;
        assert_eq!(status, 200);
        c
    }
}
