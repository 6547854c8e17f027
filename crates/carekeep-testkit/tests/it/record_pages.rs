//! The same role x data class x read/write matrix over the web pages, and the front desk's and
//! provider's day on them: search as you type, register, book, check in, write and sign a note.

use crate::records::{full_patient, CLASSES, MATRIX, ROLES};
use carekeep_testkit::{PageClient, TestApp};

/// What on the chart page shows each class.
const MARKERS: [&str; 7] = [
    "MRN-",
    "data-section=\"contact\"",
    "data-section=\"scheduling\"",
    "data-section=\"clinical\"",
    "data-section=\"coding\"",
    "data-section=\"billing\"",
    "data-section=\"invoice_status\"",
];

#[tokio::test]
async fn every_role_sees_and_changes_exactly_its_classes_on_the_pages() {
    let app = TestApp::spawn().await;
    let (provider, desk, billing) = (
        app.api_login("provider").await,
        app.api_login("frontdesk").await,
        app.api_login("billing").await,
    );
    let (id, _appt, _note, inv, att) = full_patient(&app, &provider, &desk, &billing).await;
    let admin = app.api_login("owner").await;
    let doc_id = app.user_id(&admin, "provider").await.to_string();
    let chart = format!("/patients/{id}");
    for (r, role) in ROLES.iter().enumerate() {
        let hour = format!("{:02}:00", 8 + r);
        let mut c = PageClient::login(&app, role).await;
        let (status, html) = c.get(&chart).await;
        if !CLASSES.iter().enumerate().any(|(k, _)| MATRIX[k][r].0) {
            assert_eq!(status, 403, "{role}");
        } else {
            assert_eq!(status, 200, "{role}");
            for (k, marker) in MARKERS.iter().enumerate() {
                assert_eq!(
                    html.contains(marker),
                    MATRIX[k][r].0,
                    "{role} x {}: page shows {marker}?",
                    CLASSES[k]
                );
            }
            assert_eq!(html.contains("NOTE-MARKER"), MATRIX[3][r].0, "{role}: note text");
            assert_eq!(html.contains("G44.209"), MATRIX[4][r].0, "{role}: codes");
            assert_eq!(html.contains("Office visit"), MATRIX[5][r].0, "{role}: invoice lines");
            assert_eq!(
                html.contains("/attachments/"),
                MATRIX[3][r].0,
                "{role}: no link to a photo without clinical"
            );
        }
        let (status, _) = c.get(&format!("/patients/{id}/attachments/{att}")).await;
        assert_eq!(
            status,
            if MATRIX[3][r].0 { 200 } else { 403 },
            "{role} fetches the photo by URL"
        );
        let inv_path = |what: &str| format!("/invoices/{inv}/{what}");
        let pid = id.to_string();
        let writes: [(String, Vec<(&str, &str)>); 7] = [
            (
                format!("{chart}/identity"),
                vec![
                    ("given_name", "Alma"),
                    ("family_name", "Quenby"),
                    ("date_of_birth", "1980-04-23"),
                    ("sex", "female"),
                ],
            ),
            (
                format!("{chart}/contact"),
                vec![
                    ("phone", "555-201-3344"),
                    ("email", "alma@example.com"),
                    ("preferred", "phone"),
                ],
            ),
            (
                format!("{chart}/appointments"),
                vec![
                    ("provider_id", &doc_id),
                    ("service", "Check"),
                    ("date", "2026-03-04"),
                    // Each role its own hour: the same provider is never double-booked.
                    ("time", &hour),
                    ("minutes", "15"),
                ],
            ),
            (format!("{chart}/allergies"), vec![("substance", "Latex")]),
            (
                inv_path("codes"),
                vec![
                    ("patient", &pid),
                    ("procedure_code", "99213"),
                    ("diagnosis_codes", "G44.209"),
                ],
            ),
            (
                format!("{chart}/invoices"),
                vec![("description", "Supplies"), ("amount", "5.00")],
            ),
            (
                inv_path("payments"),
                vec![("patient", &pid), ("amount", "1.00"), ("method", "cash")],
            ),
        ];
        for (k, (path, fields)) in writes.iter().enumerate() {
            let (status, location, body) = c.post(path, fields).await;
            if MATRIX[k][r].1 {
                assert_eq!(status, 303, "{role} writes {} on the page: {body}", CLASSES[k]);
                assert!(location.unwrap_or_default().starts_with(&chart));
            } else {
                assert_eq!(status, 403, "{role} may not write {} on the page", CLASSES[k]);
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_front_desk_and_the_provider_do_their_day_on_the_pages() {
    let app = TestApp::spawn().await;
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, location, body) = desk
        .post(
            "/patients",
            &[
                ("given_name", "Imelda"),
                ("family_name", "Thornbury"),
                ("date_of_birth", "04/23/1980"),
                ("sex", "female"),
                ("phone", "(555) 888-1212"),
                ("preferred", "phone"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let chart = location.unwrap().split('?').next().unwrap().to_owned();
    // A mistake re-shows the form with what to fix.
    let (status, _, body) = desk
        .post(
            "/patients",
            &[
                ("given_name", "X"),
                ("family_name", "Y"),
                ("date_of_birth", "tomorrow"),
                ("sex", "female"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("a date must look like"));
    // Search answers as one types: the fragment the page's script fetches.
    let (status, _, rows) = desk.post("/patients/search/rows", &[("q", "thor")]).await;
    assert_eq!(status, 200);
    assert!(rows.contains("Thornbury, Imelda") && rows.contains(&chart));
    let (_, _, rows) = desk.post("/patients/search/rows", &[("q", "t")]).await;
    assert!(rows.contains("at least 2 letters"));
    // Book for today and check in from the schedule.
    let admin = app.api_login("owner").await;
    let doc_id = app.user_id(&admin, "provider").await.to_string();
    let (status, _, body) = desk
        .post(
            &format!("{chart}/appointments"),
            &[
                ("provider_id", &doc_id),
                ("service", "Skin check"),
                ("date", "2026-03-02"),
                ("time", "15:30"),
                ("minutes", "30"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (_, schedule) = desk.get("/schedule?date=2026-03-02").await;
    assert!(schedule.contains("Thornbury") && schedule.contains("3:30 PM") && schedule.contains("Check in"));
    let appt = schedule
        .split("/appointments/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let (status, location, _) = desk
        .post(
            &format!("/appointments/{appt}/status"),
            &[("status", "checked_in"), ("back", "schedule"), ("day", "2026-03-02")],
        )
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/schedule?date=2026-03-02")));
    let (_, schedule) = desk.get("/schedule?date=2026-03-02").await;
    assert!(schedule.contains("Checked in"));
    // The provider writes and signs a note with vitals; a signed note offers only an addendum.
    let mut doc = PageClient::login(&app, "provider").await;
    let (status, _, body) = doc
        .post(
            &format!("{chart}/vitals"),
            &[
                ("systolic", "118"),
                ("diastolic", "76"),
                ("pulse", "70"),
                ("temperature", "98.4"),
                ("temperature_unit", "f"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (status, _, body) = doc.post(&format!("{chart}/vitals"), &[("pulse", "720")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("pulse must be between"));
    let (status, _, body) = doc
        .post(
            &format!("{chart}/notes"),
            &[
                ("subjective", "Mole on left arm changed"),
                ("assessment", "Benign nevus"),
                ("plan", "Recheck in 6 months"),
                ("then", "sign"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (_, page) = doc.get(&chart).await;
    assert!(page.contains("Benign nevus") && page.contains("Signed") && page.contains("BP 118/76 mmHg"));
    assert!(
        page.contains("Add an addendum")
            && !page
                .contains("Save draft</button>\n      <button type=\"submit\" name=\"then\" value=\"sign\">Sign note")
    );
    // The front desk's chart page has no clinical content at all.
    let (_, page) = desk.get(&chart).await;
    assert!(!page.contains("Benign nevus") && !page.contains("BP 118") && !page.contains("data-section=\"clinical\""));
    app.stop().await;
}

#[tokio::test]
async fn a_no_show_or_a_cancellation_is_asked_for_before_it_is_made() {
    let app = TestApp::spawn().await;
    let token = app.api_login("frontdesk").await;
    let admin = app.api_login("owner").await;
    let provider = app.user_id(&admin, "provider").await.to_string();
    let id = app
        .register_patient(&token, "Nell", "Ashdown", "1960-06-06", "5552010000")
        .await;
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, _, body) = desk
        .post(
            &format!("/patients/{id}/appointments"),
            &[
                ("provider_id", &provider),
                ("service", "Visit"),
                ("date", "2026-03-02"),
                ("time", "15:30"),
                ("minutes", "20"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (_, schedule) = desk.get("/schedule?date=2026-03-02").await;
    let appt = schedule
        .split("/appointments/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let path = format!("/appointments/{appt}/status");
    for status_to in ["no_show", "cancelled"] {
        let (status, _, page) = desk
            .post(
                &path,
                &[("status", status_to), ("back", "schedule"), ("day", "2026-03-02")],
            )
            .await;
        assert_eq!(status, 200, "asked, not done");
        assert!(page.contains("This cannot be undone") && page.contains("name=\"confirm\" value=\"yes\""));
        let (_, schedule) = desk.get("/schedule?date=2026-03-02").await;
        assert!(schedule.contains("Booked"), "still booked after one click");
    }
    // Check-in is one click, and undone from the schedule.
    let (status, _, _) = desk
        .post(
            &path,
            &[("status", "checked_in"), ("back", "schedule"), ("day", "2026-03-02")],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _, _) = desk
        .post(
            &path,
            &[("status", "booked"), ("back", "schedule"), ("day", "2026-03-02")],
        )
        .await;
    assert_eq!(status, 303, "undo check-in");
    let (status, location, _) = desk
        .post(
            &path,
            &[
                ("status", "cancelled"),
                ("back", "schedule"),
                ("day", "2026-03-02"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/schedule?date=2026-03-02")));
    let (_, schedule) = desk.get("/schedule?date=2026-03-02").await;
    assert!(schedule.contains("Cancelled"));
    app.stop().await;
}
