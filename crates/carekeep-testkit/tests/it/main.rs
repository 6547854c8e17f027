//! Carekeep's integration suite: the real server on 127.0.0.1:0 with a fresh database per test.
//! Runs on SQLite by default and on PostgreSQL when CAREKEEP_TEST_DATABASE_URL is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod admin;
mod audit;
mod authz_sweep;
mod backup;
mod connections;
mod csrf;
mod csv_exports;
mod encryption;
mod fhir;
mod hardening;
mod incidents;
mod login;
mod logs;
mod mail;
mod mfa;
mod monitoring;
mod openapi;
mod pages;
mod phi_routes;
mod policies;
mod program;
mod record_pages;
mod records;
mod rights;
mod sessions;
mod sra;
mod transport;
mod workforce;

/// CI asks for PostgreSQL by setting CAREKEEP_TEST_DATABASE_URL: the suite must then run on
/// it (and fail, never skip, if it cannot reach it).
#[tokio::test]
async fn the_suite_runs_on_the_backend_asked_for() {
    let app = carekeep_testkit::TestApp::spawn().await;
    let want = match std::env::var("CAREKEEP_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => carekeep_store::Backend::Postgres,
        _ => carekeep_store::Backend::Sqlite,
    };
    assert_eq!(app.backend(), want);
    app.stop().await;
}

/// The text of a PDF, through poppler's pdftotext (the test fails if it is missing).
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian package poppler-utils) must be installed");
    assert!(out.status.success(), "pdftotext could not read the PDF");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
