//! Carekeep's integration suite: the real server on 127.0.0.1:0 with a fresh database per test.
//! Runs on SQLite by default and on PostgreSQL when CAREKEEP_TEST_DATABASE_URL is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod access_timeline;
mod admin;
mod audit;
mod authz_sweep;
mod backup;
mod backup_setup;
mod billing_pages;
mod calendar;
mod calendar_book;
mod calendar_link;
mod chart_header;
mod connections;
mod csrf;
mod csv_exports;
mod demo_week;
mod encryption;
mod fhir;
mod fhir_round_trip;
mod first_week;
mod form_editor;
mod forms;
mod forms_esign;
mod forms_once;
mod forms_patient;
mod forms_queue;
mod forms_review;
mod hardening;
mod house;
mod incidents;
mod inventory;
mod invitations;
mod kept_typing;
mod kept_values;
mod kiosk;
mod kiosk_signer;
mod line_breaks;
mod login;
mod logs;
mod mail;
mod mail_relay;
mod mfa;
mod monitoring;
mod monitoring_kept;
mod network_setup;
mod npp_count;
mod openapi;
mod pages;
mod people;
mod phi_routes;
mod photos;
mod policies;
mod portal;
mod portal_acme;
mod portal_door;
mod portal_moves;
mod portal_notice;
mod portal_representative;
mod program;
mod quiet_reads;
mod record_pages;
mod records;
mod reminders;
mod rights;
mod sessions;
mod setup;
mod setup_vendors;
mod spelling;
mod sra;
mod sra_wizard;
mod staff_list;
mod time_zone;
mod transport;
mod waitlist;
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
    // SQLite's hot reads skip sqlx; PostgreSQL's never do.
    assert_eq!(
        app.state.app.store_for_tests().reads_directly(),
        want == carekeep_store::Backend::Sqlite
    );
    app.stop().await;
}

/// The text of a PDF, read in-process (pdf-extract), so the suite needs nothing installed.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(bytes).expect("the PDF cannot be read back as text")
}
