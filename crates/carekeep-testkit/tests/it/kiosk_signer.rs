//! Who signs on the clinic tablet (issue 28, items 3 and 4): the desk chooses the patient or a
//! personal representative on file (164.502(g)); a parent signs a minor's packet on the tablet
//! and the evidence and the signed PDF name them and their basis, as the portal's do; a person
//! who is not a representative who may act today cannot be chosen, even by a tampered value.

use carekeep_app::people::PersonInput;
use carekeep_domain::forms::Signer;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

struct Clinic {
    app: TestApp,
    mia: i64,
    visit: i64,
    desk: PageClient,
}

async fn person(app: &TestApp, patient: i64, input: PersonInput) -> i64 {
    let desk = app.api_login("frontdesk").await;
    let who = app.principal(&desk).await;
    app.state.app.add_person(&who.actor(), patient, input).await.unwrap()
}

async fn representative(app: &TestApp, patient: i64, name: &str, ends_on: &str) -> i64 {
    person(
        app,
        patient,
        PersonInput {
            kind: "representative".into(),
            name: name.into(),
            relationship: "Parent".into(),
            phone: "(555) 222-3333".into(),
            basis: "parent_of_minor".into(),
            starts_on: "01/01/2020".into(),
            ends_on: ends_on.into(),
            document_name: "papers.pdf".into(),
            document: PDF.to_vec(),
            ..PersonInput::default()
        },
    )
    .await
}

/// Mia, a minor, checked in for a visit whose consent to treat waits.
async fn clinic() -> Clinic {
    let app = TestApp::spawn().await;
    let token = app.api_login("frontdesk").await;
    let owner = app.api_login("owner").await;
    let doc_id = app.user_id(&owner, "provider").await;
    let mia = app
        .register_patient(&token, "Mia", "Quenby", "2015-06-01", "555-456-7890")
        .await;
    let visit: Value = app
        .api(Method::POST, &format!("/api/v1/patients/{mia}/appointments"), &token)
        .json(&json!({"provider_id": doc_id, "service": "Consult", "start": "2026-03-02T10:00:00Z", "minutes": 30}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let visit = visit["id"].as_i64().unwrap();
    let form = crate::forms::adopt(&app, "consent_to_treat").await;
    let desk_p = app.principal(&token).await;
    app.state
        .app
        .send_forms(&desk_p.actor(), mia, Some(visit), &[form])
        .await
        .unwrap();
    let res = app
        .api(Method::POST, &format!("/api/v1/appointments/{visit}/status"), &token)
        .json(&json!({"status": "checked_in"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let desk = PageClient::login(&app, "frontdesk").await;
    Clinic { app, mia, visit, desk }
}

/// The desk makes a code for `signer`: (status, page).
async fn make_code(c: &mut Clinic, signer: &str) -> (u16, String) {
    let path = format!("/calendar/appointments/{}", c.visit);
    c.desk.get(&path).await;
    let (status, _, html) = c.desk.post(&format!("{path}/kiosk"), &[("signer", signer)]).await;
    (status, html)
}

fn code_in(html: &str) -> String {
    html.split("Code for the tablet: <strong>")
        .nth(1)
        .unwrap()
        .split("</strong>")
        .next()
        .unwrap()
        .replace(' ', "")
}

#[tokio::test]
async fn a_parent_signs_on_the_tablet_and_the_evidence_and_the_pdf_name_them_and_their_basis() {
    let mut c = clinic().await;
    let paula = representative(&c.app, c.mia, "Paula Quenby", "").await;
    // The desk sees the representative and the basis on file.
    let (status, page) = c.desk.get(&format!("/calendar/appointments/{}", c.visit)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Who signs on the tablet"), "{page}");
    assert!(
        page.contains(&format!("<option value=\"{paula}\">Paula Quenby, representative: ")),
        "{page}"
    );
    let (status, html) = make_code(&mut c, &paula.to_string()).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Signs on the tablet: <strong>Paula Quenby, representative ("),
        "{html}"
    );
    let code = code_in(&html);

    let mut tablet = PageClient::new(&c.app);
    tablet.get("/kiosk").await;
    let (status, to, _) = tablet.post("/kiosk", &[("code", &code)]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/kiosk/forms")));
    tablet.get("/kiosk/forms").await;
    let (status, _, _) = tablet.post("/kiosk/forms/esign", &[("agree", "yes")]).await;
    assert_eq!(status, 303);
    let (_, html) = tablet.get("/kiosk/forms").await;
    let form: i64 = html
        .split("href=\"/kiosk/forms/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The initials and the typed name are the signer's, the parent's, not the child's
    // (checked when signing, as at the portal).
    let part = |initials: &'static str| [("initials", initials), ("go", "next")];
    let (status, _, _) = tablet.post(&format!("/kiosk/forms/{form}/part/0"), &part("M.Q.")).await;
    assert_eq!(status, 303);
    let sign = format!("/kiosk/forms/{form}/sign");
    let (status, _, html) = tablet.post(&sign, &[("drawn", ""), ("typed", "Mia Quenby")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Paula Quenby"), "the signer named: {html}");
    let (status, _, _) = tablet.post(&format!("/kiosk/forms/{form}/part/0"), &part("P.Q.")).await;
    assert_eq!(status, 303);
    let (status, to, _) = tablet.post(&sign, &[("drawn", ""), ("typed", "Paula Quenby")]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/kiosk/thanks")));

    let provider = c.app.principal(&c.app.api_login("provider").await).await;
    let a = &c.app.state.app;
    let v = a.form_response(&provider.actor(), form).await.unwrap();
    let e = v.evidence.as_ref().expect("evidence");
    assert_eq!(e.channel, "kiosk");
    match &e.signer {
        Signer::Representative { name, basis, .. } => {
            assert_eq!(name, "Paula Quenby");
            assert_eq!(basis, "parent_of_minor");
        }
        other => panic!("signed by {other:?}"),
    }
    assert!(v.evidence_holds);
    let pdf = a.form_pdf(&provider.actor(), form).await.unwrap();
    assert_eq!(pdf.file_name, "Consent to treat - signed 03-02-2026.pdf");
    let text = crate::pdf_text(&pdf.bytes);
    assert!(text.contains("Paula Quenby, personal representative ("), "{text}");
    assert!(text.contains(&e.signer.words()), "{text}");
    // The read of the representatives' names is on the trail.
    let co = c.app.api_login("compliance").await;
    let ev: Vec<Value> = c
        .app
        .api(Method::GET, "/api/v1/audit/events?limit=1000", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        ev.iter()
            .any(|e| e["reason"].as_str()
                == Some("representatives on file read to choose who signs on the clinic tablet"))
    );
}

#[tokio::test]
async fn only_a_representative_on_file_who_may_act_today_can_be_chosen() {
    let mut c = clinic().await;
    let ended = representative(&c.app, c.mia, "Olga Quenby", "01/01/2021").await;
    let involved = person(
        &c.app,
        c.mia,
        PersonInput {
            kind: "involved".into(),
            name: "Nina Quenby".into(),
            relationship: "Aunt".into(),
            phone: "(555) 222-4444".into(),
            topics: vec!["appointments".into()],
            agreed: "oral".into(),
            agreed_on: "01/01/2024".into(),
            ..PersonInput::default()
        },
    )
    .await;
    // Another patient's parent.
    let token = c.app.api_login("frontdesk").await;
    let zoe = c
        .app
        .register_patient(&token, "Zoe", "Marsh", "2016-02-03", "555-456-1111")
        .await;
    let theirs = representative(&c.app, zoe, "Rita Marsh", "").await;

    let (_, page) = c.desk.get(&format!("/calendar/appointments/{}", c.visit)).await;
    for name in ["Olga", "Nina", "Rita"] {
        assert!(!page.contains(name), "{name} offered: {page}");
    }
    assert!(
        page.contains("no representative on file may sign for them today"),
        "{page}"
    );
    // Each tampered value: refused at the field, no code made.
    for typed in [
        ended.to_string(),
        involved.to_string(),
        theirs.to_string(),
        "9999".into(),
        "x1".into(),
    ] {
        let (status, html) = make_code(&mut c, &typed).await;
        assert_eq!(status, 422, "{typed}: {html}");
        assert!(html.contains("id=\"signer-error\""), "{html}");
        assert!(
            html.contains("Choose the patient or a representative on file who may sign for them today."),
            "{html}"
        );
        assert!(!html.contains("Code for the tablet"), "{typed}");
    }
    // The patient, as before.
    let (status, html) = make_code(&mut c, "").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Signs on the tablet: <strong>the patient</strong>"),
        "{html}"
    );
}
