//! The real `carekeep` binary as a clinic runs it: cold start (spawn to the first healthy
//! answer), idle memory, and memory under 32 clients reading charts. Needs the release binary:
//! `cargo build --release -p carekeep` first (or CAREKEEP_BIN).

use carekeep_crypto::totp::{code_at, TotpSecret};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn binary() -> PathBuf {
    std::env::var("CAREKEEP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/carekeep"))
}

fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn spawn(data: &Path, port: u16) -> Child {
    Command::new(binary())
        .arg("--data")
        .arg(data)
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("CAREKEEP_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start carekeep: build it first with `cargo build --release -p carekeep`")
}

async fn until_healthy(client: &reqwest::Client, base: &str) -> Duration {
    let t = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return t.elapsed();
            }
        }
        assert!(t.elapsed() < Duration::from_secs(120), "no healthy answer");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn stop(mut c: Child) {
    let _ = c.kill();
    let _ = c.wait();
}

pub async fn run(runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    // The first start creates and seeds the demo clinic; it is not a cold start.
    let first = spawn(&data, port);
    until_healthy(&client, &base).await;
    stop(first);
    let (mut starts, mut idles) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let child = spawn(&data, port);
        let t = until_healthy(&client, &base).await;
        starts.push(t.as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_secs(2)).await;
        idles.push(rss_mib(child.id()));
        stop(child);
    }
    let child = spawn(&data, port);
    until_healthy(&client, &base).await;
    let creds: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(data.join("demo-credentials.json")).unwrap()).unwrap();
    let doc = creds.iter().find(|c| c["username"] == "provider").unwrap();
    let step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = code_at(
        &TotpSecret::from_base32(doc["totp_secret"].as_str().unwrap()).unwrap(),
        step,
    );
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "provider", "password": doc["password"], "totp": code}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let ids: Vec<i64> = {
        let page: Value = client
            .get(format!("{base}/api/v1/patients?page=1&per_page=50"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["patients"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["id"].as_i64())
            .collect()
    };
    let until = Instant::now() + Duration::from_secs(10);
    let mut tasks = Vec::new();
    for c in 0..32 {
        let (client, base, token, ids) = (client.clone(), base.clone(), token.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while Instant::now() < until {
                let id = ids[(c * 7 + n) % ids.len()];
                let r = client
                    .get(format!("{base}/api/v1/patients/{id}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let _ = r.bytes().await;
                n += 1;
            }
            n
        }));
    }
    let mut peak: f64 = 0.0;
    while Instant::now() < until {
        peak = peak.max(rss_mib(child.id()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut reads = 0;
    for t in tasks {
        reads += t.await.unwrap();
    }
    stop(child);
    println!(
        "footprint (release binary, demo clinic, {runs} cold starts): start to first healthy answer median {:.0} ms (goal < 200 ms); idle resident memory median {:.1} MiB (goal < 30 MiB); under 32 clients reading charts for 10 s ({reads} audited reads) peak {:.1} MiB (goal < 100 MiB)",
        crate::median(starts.clone()),
        crate::median(idles.clone()),
        peak
    );
}
