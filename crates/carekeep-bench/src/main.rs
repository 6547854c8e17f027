//! `cargo run --release -p carekeep-bench -- [chart-read|audit-append|audit-verify|fhir-import|fhir-large|footprint|all] [--runs N]`
//! `cargo run --release -p carekeep-bench -- calendar-week [--patients 100000] [--years 5] [--runs N]`
//! `cargo run --release -p carekeep-bench -- scale [--patients 100000] [--events 10000000] [--postgres-only] [--pages-only | --long-only]`
//!
//! Prints throughputs and the ratios the issues set goals for, each the median of several runs
//! measured in this one process on this one machine. With CAREKEEP_BENCH_DATABASE_URL set to a
//! PostgreSQL admin URL, the append benchmark also runs there (in a fresh database).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "a benchmark fails loudly"
)]
#![allow(clippy::disallowed_methods, reason = "a benchmark may read the clock")]
#![allow(
    clippy::indexing_slicing,
    reason = "a dev-only benchmark over data it made: a panic ends a measurement, never a clinic's server"
)]

mod calendar_week;
mod chart_read;
mod fhir_import;
mod footprint;
mod scale;

use carekeep_app::audit::AuditKeys;
use carekeep_crypto::keys::MasterKey;
use carekeep_domain::audit::chain::{ChainMac, StoredLink, Verifier, GENESIS};
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::{RoleName, UserId};
use carekeep_store::Store;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;
use time::OffsetDateTime;

const WRITERS: usize = 32;

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn sample_event(i: i64) -> AuditEvent {
    let mut e = AuditEvent::new(
        OffsetDateTime::from_unix_timestamp(1_780_000_000 + i).unwrap(),
        AuditActor {
            user_id: Some(UserId(3)),
            name: "nurse".into(),
            roles: vec![RoleName::new("nurse").unwrap()],
        },
        Action::PhiRead,
        Outcome::Success,
        Origin {
            source_ip: "192.0.2.10".into(),
            user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)".into(),
            request_id: "0b6e0c2e-8f5c-4c57-9d7e-3f0f7b2a9c11".into(),
        },
    );
    e.patients = vec![1000 + i % 500];
    e.resource_type = "chart".into();
    e.resource_id = (1000 + i % 500).to_string();
    e.data_classes = vec![carekeep_domain::DataClass::Clinical];
    e
}

/// Verification compute against raw SHA-256 over the same canonical bytes, one core.
fn audit_verify(runs: usize) {
    let n: i64 = 500_000;
    let key = carekeep_crypto::audit::ChainKey::from_bytes(&[7u8; 32]).unwrap();
    let fields: Vec<_> = (1..=n).map(|i| sample_event(i).stored_fields()).collect();
    let mut prev = GENESIS;
    let links: Vec<([u8; 32], [u8; 32])> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let h = key.link(&prev, &f.canonical(i as i64 + 1));
            let out = (prev, h);
            prev = h;
            out
        })
        .collect();
    let bytes: usize = fields
        .iter()
        .enumerate()
        .map(|(i, f)| f.canonical(i as i64 + 1).len())
        .sum();
    let (mut verify_rates, mut sha_rates) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let mut v = Verifier::new(&key, vec![]);
        for (i, f) in fields.iter().enumerate() {
            let enc = |seq: i64| f.canonical(seq);
            let (p, h) = links[i];
            v.push(&StoredLink {
                seq: i as i64 + 1,
                prev_hash: p,
                hash: h,
                canonical_at: &enc,
            });
        }
        assert_eq!(v.finish(), Ok(n as u64));
        verify_rates.push(n as f64 / t.elapsed().as_secs_f64());

        let t = Instant::now();
        let mut acc = [0u8; 32];
        for (i, f) in fields.iter().enumerate() {
            let mut h = Sha256::new();
            h.update(acc);
            h.update(f.canonical(i as i64 + 1));
            acc = h.finalize().into();
        }
        std::hint::black_box(acc);
        sha_rates.push(n as f64 / t.elapsed().as_secs_f64());
    }
    let (v, s) = (median(verify_rates), median(sha_rates));
    println!(
        "audit verify (compute, one core, {n} events, {:.0} bytes each): {:.0} events/s; raw SHA-256 chain over the same bytes {:.0} events/s; ratio {:.2} (goal >= 0.5, and >= 1,000,000 events/s)",
        bytes as f64 / n as f64,
        v,
        s,
        v / s
    );
}

async fn open_clinic(url: &str) -> (Store, AuditKeys) {
    let now = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
    let store = Store::open(url, now).await.unwrap();
    let master = MasterKey::generate();
    let mut tx = store.begin().await.unwrap();
    let keys = AuditKeys::ensure(tx.conn(), &master, now).await.unwrap();
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT PRIMARY KEY, body BYTEA NOT NULL)")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (store, keys)
}

/// Events per second from `WRITERS` concurrent writers, each committing `per_writer` times.
async fn audit_append_rate(store: &Store, keys: &Arc<AuditKeys>, per_writer: usize) -> f64 {
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (store, keys) = (store.clone(), keys.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..per_writer {
                let mut tx = store.begin().await.unwrap();
                keys.record(&mut tx, &sample_event((w * per_writer + i) as i64))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (WRITERS * per_writer) as f64 / t.elapsed().as_secs_f64()
}

/// The same through the group-commit appender (the PHI-read path).
async fn grouped_append_rate(appender: &carekeep_app::audit::Appender, per_writer: usize) -> f64 {
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let appender = appender.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_writer {
                appender
                    .append(sample_event((w * per_writer + i) as i64))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (WRITERS * per_writer) as f64 / t.elapsed().as_secs_f64()
}

/// The same database's raw durable insert of the same bytes, same concurrency.
async fn raw_insert_rate(store: &Store, per_writer: usize, base: i64) -> f64 {
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_writer {
                let id = base + (w * per_writer + i) as i64;
                let body = sample_event(id).stored_fields().canonical(id);
                let mut tx = store.begin().await.unwrap();
                sqlx::query("INSERT INTO bench_raw (id, body) VALUES ($1, $2)")
                    .bind(id)
                    .bind(body)
                    .execute(tx.conn())
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (WRITERS * per_writer) as f64 / t.elapsed().as_secs_f64()
}

async fn audit_append(runs: usize, name: &str, url: &str, per_writer: usize) {
    let (store, keys) = open_clinic(url).await;
    let keys = Arc::new(keys);
    let appender = carekeep_app::audit::Appender::spawn(store.clone(), keys.clone());
    let (mut chain, mut grouped, mut raw) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..runs {
        raw.push(raw_insert_rate(&store, per_writer, (r * WRITERS * per_writer) as i64).await);
        chain.push(audit_append_rate(&store, &keys, per_writer).await);
        grouped.push(grouped_append_rate(&appender, per_writer).await);
    }
    let (c, g, r) = (median(chain), median(grouped), median(raw));
    println!("{name}, {WRITERS} concurrent writers, every write durable before it returns:");
    println!("  raw durable insert of the same bytes, one transaction each: {r:.0} rows/s");
    println!(
        "  audit append, group commit (stand-alone events: the read path): {g:.0} events/s; ratio {:.2} (goal >= 0.5)",
        g / r
    );
    println!(
        "  audit append inside each caller's own transaction (the write path): {c:.0} events/s; ratio {:.2}",
        c / r
    );
    store.close().await;
}

#[tokio::main]
async fn main() {
    carekeep_alloc::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map(String::as_str).unwrap_or("all");
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    println!(
        "carekeep-bench: {runs} runs each, medians; {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    if what == "scale" {
        // Not part of `all`: seeding the large clinic takes minutes.
        let postgres_only = args.iter().any(|a| a == "--postgres-only");
        // The pages and the storage only, without the verification and backup timings.
        let pages_only = args.iter().any(|a| a == "--pages-only");
        // The verification and backup timings only, without the small clinic and the pages.
        let long_only = args.iter().any(|a| a == "--long-only");
        scale::run(
            arg("--patients", 100_000),
            arg("--events", 10_000_000),
            postgres_only,
            scale::Only {
                pages: pages_only,
                long: long_only,
            },
        )
        .await;
        return;
    }
    if what == "calendar-week" {
        // Not part of `all`: seeding five years of a clinic takes minutes.
        calendar_week::run(arg("--patients", 100_000), arg("--years", 5) as i64, runs.max(5)).await;
        return;
    }
    if what == "chart-read" || what == "all" {
        chart_read::run(runs).await;
    }
    if what == "footprint" || what == "all" {
        footprint::run(runs).await;
    }
    if what == "fhir-import" || what == "all" {
        fhir_import::run().await;
    }
    if what == "fhir-large" || what == "all" {
        fhir_import::large(arg("--mib", 50)).await;
    }
    if what == "audit-verify" || what == "all" {
        audit_verify(runs);
    }
    if what == "audit-append" || what == "all" {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
        audit_append(runs, "SQLite, WAL, synchronous=FULL", &url, 20).await;
        if let Ok(admin) = std::env::var("CAREKEEP_BENCH_DATABASE_URL") {
            use sqlx::{Connection, Executor};
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
            let db = format!("ck_bench_{}", std::process::id());
            conn.execute(format!("CREATE DATABASE {db}").as_str()).await.unwrap();
            let (base, _) = admin.rsplit_once('/').unwrap();
            audit_append(runs, "PostgreSQL", &format!("{base}/{db}"), 20).await;
            conn.execute(format!("DROP DATABASE {db} WITH (FORCE)").as_str())
                .await
                .unwrap();
        }
    }
}
