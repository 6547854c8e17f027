//! Test harness (crates.io's `TestApp` pattern): the real server on 127.0.0.1:0 with a fresh
//! database, one seeded login per default role with a known TOTP secret, a manual clock, and
//! HTTP clients with cookie jars.
//!
//! The database is a temporary SQLite file, or a fresh PostgreSQL database when
//! `CAREKEEP_TEST_DATABASE_URL` is set (the suite then fails, never skips, if it cannot reach it).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test harness fails loudly"
)]

mod database;
mod page;
mod pebble;
mod service;
mod sms;
mod smtp;

use carekeep_app::{demo, setup, ManualClock};
use carekeep_crypto::password::PasswordHasher;
use carekeep_crypto::totp::{code_at, TotpSecret};
use carekeep_server::{AppState, Config};
use std::collections::HashMap;
use std::sync::Arc;
use time::macros::datetime;
use time::OffsetDateTime;

pub use database::TestDatabase;
pub use page::PageClient;
pub use pebble::Pebble;
pub use service::external_service;
pub use sms::{SmsGateway, SmsRequest};
pub use smtp::{Received, SmtpSink};

/// When every test's clock starts: a Monday morning.
pub const START: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

/// What the tests' HTTP clients call themselves (the User-Agent every event records).
pub const TEST_USER_AGENT: &str = "carekeep-testkit/1 (like a browser)";

/// A seeded login.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub username: String,
    pub password: String,
    pub totp_secret: String,
}

/// A change to the configuration, applied before the server starts.
type ConfigChange = Box<dyn FnOnce(&mut Config) + Send>;

/// Builds a [`TestApp`].
pub struct TestAppBuilder {
    configure: Vec<ConfigChange>,
    postgres: Option<String>,
    sqlite: bool,
    hasher: Option<PasswordHasher>,
    portal: bool,
    challenge: Option<std::net::TcpListener>,
}

impl TestAppBuilder {
    /// Changes the configuration before the server starts.
    pub fn with_config(mut self, f: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    /// Hashes passwords with this policy instead of the cheap test one: for tests where a
    /// hash must take as long as it does in a clinic (races against the lockout).
    pub fn with_password_hasher(mut self, hasher: PasswordHasher) -> Self {
        self.hasher = Some(hasher);
        self
    }

    /// Runs on a new database on this PostgreSQL server (an admin URL), whatever
    /// CAREKEEP_TEST_DATABASE_URL says: for benchmarks that compare the two backends.
    pub fn on_postgres(mut self, admin_url: &str) -> Self {
        self.postgres = Some(admin_url.to_owned());
        self
    }

    /// Also serves the patients' door (`serve_portal`) on 127.0.0.1, any free port
    /// (`TestApp::portal_base`).
    pub fn with_portal(mut self) -> Self {
        self.portal = true;
        self
    }

    /// Serves the portal's plain challenge port (ACME) on this listener, bound by the test
    /// before it starts the certificate authority that calls it.
    pub fn with_portal_challenge_listener(mut self, listener: std::net::TcpListener) -> Self {
        self.portal = true;
        self.challenge = Some(listener);
        self
    }

    /// Runs on SQLite whatever CAREKEEP_TEST_DATABASE_URL says: for what only SQLite has.
    pub fn on_sqlite(mut self) -> Self {
        self.sqlite = true;
        self
    }

    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = match (&self.postgres, self.sqlite) {
            (Some(admin), _) => TestDatabase::create_on(dir.path(), Some(admin.clone())).await,
            (None, true) => TestDatabase::create_on(dir.path(), None).await,
            (None, false) => TestDatabase::create(dir.path()).await,
        };
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            database_url: db.url.clone(),
            // The network step's HTTPS listener: this computer, any free port.
            network_address: std::net::IpAddr::from([127, 0, 0, 1]),
            https_port: 0,
            ..Config::default()
        };
        config.database_url = if db.url.starts_with("sqlite:") {
            String::new()
        } else {
            db.url.clone()
        };
        let portal_listener = if self.portal {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind portal");
            config.portal_listen = Some(l.local_addr().expect("portal addr"));
            Some(l)
        } else {
            None
        };
        for f in self.configure {
            f(&mut config);
        }
        carekeep_app::datadir::create_dirs(dir.path()).expect("data dir");
        let master = carekeep_app::datadir::create_master_key(&config.master_key_path()).expect("master key");
        let clock = ManualClock::new(START);
        let hasher = self.hasher.unwrap_or_else(PasswordHasher::insecure_fast_for_tests);
        let owner_password = demo::owner_password();
        {
            setup::init_clinic(
                &config.database_url(),
                &master,
                &hasher,
                &clock,
                "Test Clinic",
                &setup::FirstOwner {
                    username: demo::OWNER.0,
                    display_name: demo::OWNER.1,
                    password: &owner_password,
                },
            )
            .await
            .expect("init clinic");
        }
        let state = carekeep_server::open(config, Arc::new(clock.clone()), hasher)
            .await
            .expect("open app");
        let users = demo::seed(&state.app, &owner_password)
            .await
            .expect("seed users")
            .into_iter()
            .map(|c| {
                (
                    c.username.clone(),
                    TestUser {
                        username: c.username,
                        password: c.password,
                        totp_secret: c.totp_secret,
                    },
                )
            })
            .collect();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server_state = state.clone();
        let task = tokio::spawn(async move {
            carekeep_server::serve(server_state, listener, async {
                let _ = rx.await;
            })
            .await
        });
        let scheme = if state.config.tls_enabled() { "https" } else { "http" };
        let (portal_base, portal_shutdown) = match portal_listener {
            Some(listener) => {
                let portal_addr = listener.local_addr().expect("portal addr");
                let challenge = self.challenge.map(|l| {
                    l.set_nonblocking(true).expect("nonblocking");
                    tokio::net::TcpListener::from_std(l).expect("challenge listener")
                });
                let (ptx, prx) = tokio::sync::oneshot::channel::<()>();
                let portal_state = state.clone();
                tokio::spawn(async move {
                    let served = carekeep_server::serve_portal(portal_state, listener, challenge, async {
                        let _ = prx.await;
                    })
                    .await;
                    if let Err(e) = served {
                        panic!("the portal listener stopped: {e}");
                    }
                });
                let tls = !matches!(
                    state.config.portal().expect("portal config").map(|p| p.tls),
                    None | Some(carekeep_server::PortalTls::Plain)
                );
                let scheme = if tls { "https" } else { "http" };
                (Some(format!("{scheme}://{portal_addr}")), Some(ptx))
            }
            None => (None, None),
        };
        TestApp {
            portal_base,
            portal_shutdown,
            base: format!("{scheme}://{addr}"),
            clock,
            state,
            users,
            shutdown: Some(tx),
            task: Some(task),
            db,
            _dir: dir,
        }
    }
}

/// A running Carekeep for one test.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The patients' door, with `TestAppBuilder::with_portal`: `http://127.0.0.1:PORT`
    /// (`https://` when the portal has a certificate).
    pub portal_base: Option<String>,
    portal_shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub clock: ManualClock,
    pub state: AppState,
    /// Seeded logins by username: owner, drowner (owner+provider), provider, nurse,
    /// frontdesk, billing, compliance.
    pub users: HashMap<String, TestUser>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), carekeep_server::ServeError>>>,
    db: TestDatabase,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            configure: Vec::new(),
            postgres: None,
            sqlite: false,
            hasher: None,
            portal: false,
            challenge: None,
        }
    }

    pub async fn spawn() -> TestApp {
        Self::builder().spawn().await
    }

    /// `https://localhost:PORT` once the network step's HTTPS listener is bound (waits up to
    /// five seconds), else `None`.
    pub async fn https_base(&self) -> Option<String> {
        for _ in 0..100 {
            let live = self.state.network.snapshot();
            if let Some(a) = live.https.filter(|_| live.serves_https()) {
                return Some(format!("https://localhost:{}", a.port()));
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn user(&self, username: &str) -> &TestUser {
        self.users
            .get(username)
            .unwrap_or_else(|| panic!("no seeded user {username}"))
    }

    /// A fresh TOTP code for a seeded user. Moves the clock to the next 30-second step first,
    /// so the code has never been used (replays are refused).
    pub fn fresh_code(&self, secret_base32: &str) -> String {
        self.clock.advance(time::Duration::seconds(30));
        let secret = TotpSecret::from_base32(secret_base32).expect("secret");
        code_at(&secret, u64::try_from(self.clock.now_unix()).expect("time"))
    }

    /// A plain HTTP client (no cookies, no redirects followed). It names itself, as browsers do,
    /// so the tests' events carry a browser name through the audit trail.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(TEST_USER_AGENT)
            .build()
            .expect("client")
    }

    /// Logs a seeded user in through the API and returns the bearer token.
    pub async fn api_login(&self, username: &str) -> String {
        let u = self.user(username).clone();
        let code = self.fresh_code(&u.totp_secret);
        let res = self
            .client()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": u.username, "password": u.password, "totp": code}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), 200, "login of {username}");
        let body: serde_json::Value = res.json().await.expect("login json");
        body.get("token")
            .and_then(serde_json::Value::as_str)
            .expect("token")
            .to_owned()
    }

    /// Sends an authenticated API request.
    pub fn api(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client().request(method, self.url(path)).bearer_auth(token)
    }

    /// A seeded or created account's id, looked up through the user-administration API with
    /// an administrator's token.
    pub async fn user_id(&self, admin_token: &str, username: &str) -> i64 {
        let users: serde_json::Value = self
            .api(reqwest::Method::GET, "/api/v1/users", admin_token)
            .send()
            .await
            .expect("list users")
            .json()
            .await
            .expect("users json");
        users
            .as_array()
            .and_then(|list| list.iter().find(|u| u["username"] == username))
            .and_then(|u| u["id"].as_i64())
            .unwrap_or_else(|| panic!("no account {username}"))
    }

    /// Which backend this test runs on.
    pub fn backend(&self) -> carekeep_store::Backend {
        self.state.app.store_for_tests().backend()
    }

    pub async fn stop(mut self) {
        self.shutdown_now().await;
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.portal_shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.state.app.store_for_tests().close().await;
        self.db.drop_database().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.portal_shutdown.take() {
            let _ = tx.send(());
        }
    }
}

trait NowUnix {
    fn now_unix(&self) -> i64;
}

impl NowUnix for ManualClock {
    fn now_unix(&self) -> i64 {
        use carekeep_app::Clock;
        self.now().unix_timestamp()
    }
}

impl TestApp {
    /// The signed-in person behind a token, for calling use cases directly (bulk seeding).
    pub async fn principal(&self, token: &str) -> carekeep_app::Principal {
        self.state.app.authenticate(token, false).await.expect("live session")
    }

    /// Registers a patient through the API as `token`'s holder and returns its id.
    pub async fn register_patient(&self, token: &str, given: &str, family: &str, dob: &str, phone: &str) -> i64 {
        let res = self
            .api(reqwest::Method::POST, "/api/v1/patients", token)
            .json(&serde_json::json!({
                "given_name": given, "family_name": family, "date_of_birth": dob, "sex": "female",
                "contact": {"phone": phone, "email": "someone@example.com", "address": "1 Main St"}
            }))
            .send()
            .await
            .expect("register");
        assert_eq!(res.status(), 201, "register {}", res.text().await.unwrap_or_default());
        let body: serde_json::Value = res.json().await.expect("json");
        body.get("id").and_then(serde_json::Value::as_i64).expect("id")
    }
}
