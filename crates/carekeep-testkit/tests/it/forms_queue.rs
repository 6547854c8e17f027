//! The staff side of signed forms (issue 28): the review queue tells two patients of one name
//! apart by their birth date (read under the queue's own audited identity read), and a signed
//! form's PDF is saved under its title and signing day, never the patient's name.

use crate::forms::{adopt, portal_patient, raw};
use carekeep_app::forms::{SignatureInput, Submitted};
use carekeep_app::Actor;
use carekeep_testkit::{PageClient, TestApp};

/// `patient` fills in and signs the medications form at the portal: its id.
async fn submitted(app: &TestApp, form: i64, patient: i64, name: &str) -> i64 {
    let a = &app.state.app;
    let desk = app.principal(&app.api_login("frontdesk").await).await;
    a.send_forms(&desk.actor(), patient, None, &[form]).await.unwrap();
    let pp = portal_patient(patient);
    let me = Actor::Patient(&pp);
    let id = a.portal_forms(&me).await.unwrap().forms[0].response_id;
    a.portal_esign_consent(&me).await.unwrap();
    let meds = raw(&[("takes_medications", "no"), ("blood_thinners", "no")]);
    assert!(a.portal_save_form(&me, id, 0, &meds).await.unwrap().is_empty());
    let none = raw(&[("has_allergies", "no")]);
    assert!(a.portal_save_form(&me, id, 1, &none).await.unwrap().is_empty());
    let typed = SignatureInput {
        drawn: String::new(),
        typed: name.into(),
    };
    assert_eq!(a.portal_submit_form(&me, id, typed).await.unwrap(), Submitted::Done);
    id
}

#[tokio::test]
async fn the_queue_shows_each_patients_birth_date_and_the_pdf_is_named_by_form_and_day() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let older = app
        .register_patient(&desk, "Ada", "Vance", "1980-04-23", "555-201-3344")
        .await;
    let younger = app
        .register_patient(&desk, "Ada", "Vance", "1999-11-02", "555-201-3345")
        .await;
    let form = adopt(&app, "medications_allergies").await;
    let first = submitted(&app, form, older, "Ada Vance").await;
    submitted(&app, form, younger, "Ada Vance").await;

    let mut doc = PageClient::login(&app, "provider").await;
    let (status, html) = doc.get("/forms/review").await;
    assert_eq!(status, 200);
    assert!(html.contains("<th scope=\"col\">Born</th>"), "{html}");
    assert!(html.contains("<td data-label=\"Born\">04/23/1980</td>"), "{html}");
    assert!(html.contains("<td data-label=\"Born\">11/02/1999</td>"), "{html}");
    assert!(
        html.contains("<span class=\"visually-hidden\">, born 04/23/1980</span>"),
        "{html}"
    );

    // The PDF's file name: the form and the day it was signed, no patient name.
    let res = doc
        .http
        .get(doc.url(&format!("/forms/responses/{first}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"Current medications and allergies - signed 03-02-2026.pdf\""
    );
    assert!(!disposition.contains("Vance"));
    app.stop().await;
}
