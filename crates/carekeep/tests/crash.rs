//! Crash safety (issue 10): the real server under a write load is killed with SIGKILL at
//! random moments, restarted, and every write a client saw acknowledged must be there, with
//! the audit chain intact. `CAREKEEP_CRASH_CYCLES` sets the number of cycles (default 20).
//! Runs on the embedded SQLite clinic (the demo, data in a temporary folder), or in a fresh
//! PostgreSQL database when CAREKEEP_TEST_DATABASE_URL names a server (as CI's second pass does).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the real server runs on the wall clock, so its TOTP codes do too"
)]
#![cfg(unix)]

use carekeep_crypto::totp::{code_at, TotpSecret};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const WRITERS: usize = 6;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `carekeep` command on this clinic: its folder, and its PostgreSQL database if any.
fn carekeep(data: &Path, db: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_carekeep"));
    c.arg("--data").arg(data).env_remove("CAREKEEP_DATABASE_URL");
    if let Some(url) = db {
        c.env("CAREKEEP_DATABASE_URL", url);
    }
    c
}

/// A fresh PostgreSQL database when the suite runs on PostgreSQL.
async fn fresh_database() -> Option<String> {
    use sqlx::{Connection, Executor};
    let admin = std::env::var("CAREKEEP_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("CAREKEEP_TEST_DATABASE_URL is set but PostgreSQL cannot be reached");
    let name = format!("ck_crash_{}", std::process::id());
    conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await
        .unwrap();
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

fn start(data: &Path, db: Option<&str>, port: u16) -> Child {
    carekeep(data, db)
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start carekeep")
}

async fn wait_healthy(client: &reqwest::Client, base: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        assert!(child.try_wait().unwrap().is_none(), "the server exited while starting");
        assert!(Instant::now() < deadline, "the server did not become healthy");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A TOTP code for a step not used before (the server refuses a replayed code).
fn code(secret: &str, step: &mut u64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    *step = (*step + 1).max(now / 30 - 1);
    code_at(&TotpSecret::from_base32(secret).unwrap(), *step * 30)
}

async fn login(client: &reqwest::Client, base: &str, cred: &Value, step: &mut u64) -> String {
    for _ in 0..3 {
        let r = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": cred["username"], "password": cred["password"], "totp": code(cred["totp_secret"].as_str().unwrap(), step)}))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            return r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
        }
    }
    panic!("cannot log in");
}

/// A small deterministic generator: the kill moments differ per cycle and per run.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_sigkill_and_the_chain_verifies() {
    let cycles: usize = std::env::var("CAREKEEP_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let db = fresh_database().await;
    let db = db.as_deref();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut server = start(&data, db, port);
    wait_healthy(&client, &base, &mut server).await;
    let creds: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(data.join("demo-credentials.json")).unwrap()).unwrap();
    let desk = creds.iter().find(|c| c["username"] == "frontdesk").unwrap().clone();
    let mut step = 0;
    let token = login(&client, &base, &desk, &mut step).await;
    let mut seed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let acked: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    for cycle in 0..cycles {
        // Writers register patients until the server dies under them.
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (client, base, token, acked) = (client.clone(), base.clone(), token.clone(), acked.clone());
            writers.push(tokio::spawn(async move {
                for n in 0.. {
                    let family = format!("Crash{cycle}w{w}n{n}");
                    let r = client
                        .post(format!("{base}/api/v1/patients"))
                        .bearer_auth(&token)
                        .json(&json!({"given_name": "Kim", "family_name": family, "date_of_birth": "1990-01-01", "sex": "female",
                            "contact": {"phone": "555-010-0000"}}))
                        .send()
                        .await;
                    let Ok(r) = r else { return };
                    if r.status() != 201 {
                        return;
                    }
                    // Acknowledged only once the whole answer has arrived.
                    let Ok(body) = r.json::<Value>().await else { return };
                    acked.lock().unwrap().push((body["id"].as_i64().unwrap(), family));
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(150 + next(&mut seed) % 700)).await;
        // SIGKILL: no shutdown hook runs.
        server.kill().unwrap();
        server.wait().unwrap();
        for w in writers {
            w.await.unwrap();
        }
        server = start(&data, db, port);
        wait_healthy(&client, &base, &mut server).await;
    }
    // Every acknowledged registration is there, with its name.
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > cycles,
        "the load wrote too little to mean anything: {}",
        acked.len()
    );
    for (id, family) in &acked {
        let r = client
            .get(format!("{base}/api/v1/patients/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged patient {id} is missing after a crash");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["identity"]["family_name"], family.as_str());
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let out = carekeep(&data, db).args(["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "the audit chain does not verify after {cycles} crashes: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "{} {cycles} SIGKILL cycles, {} acknowledged writes all present, audit chain intact",
        if db.is_some() { "PostgreSQL:" } else { "SQLite:" },
        acked.len()
    );
}
