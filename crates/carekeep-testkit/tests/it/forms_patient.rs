//! Issue 28, the patient's side of a form at the portal: a list's rows run out and more are
//! added on the same part; a height typed in feet and inches is read, anything else is named
//! at its field and kept; the law's citations are one click away, not in the running words;
//! the sign step shows what is signed, part by part, with a way back to change it; a drawn
//! signature and a typed name together are refused at the signature, both kept.

use crate::portal::{clinic, patient, sign_in};
use carekeep_testkit::PageClient;

/// The response id of the form titled `title` in the portal's list.
fn form_id(html: &str, title: &str) -> i64 {
    let at = html.find(&format!("<strong>{title}</strong>")).expect(title);
    let rest = &html[at..];
    let href = rest.find("href=\"/portal/forms/").expect("a link to the form") + "href=\"/portal/forms/".len();
    rest[href..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_patient_fills_a_form_part_by_part_checks_it_and_signs_it() {
    let p = clinic().await;
    let app = &p.app;
    let a = &app.state.app;
    let forms = [
        crate::forms::adopt(app, "medications_allergies").await,
        crate::forms::adopt(app, "medical_history").await,
        crate::forms::adopt(app, "hipaa_authorization").await,
        crate::forms::adopt(app, "consent_to_treat").await,
    ];
    let nia = patient(app, "Nia", "Castellanos", "(555) 234-6031", "nc31@example.org").await;
    let desk = app.principal(&app.api_login("frontdesk").await).await;
    a.send_forms(&desk.actor(), nia, None, &forms).await.unwrap();
    let mut me: PageClient = sign_in(&p, "555-234-6031", "+15552346031", 1).await;
    let (status, _, _) = me.post("/portal/forms/esign", &[("agree", "yes")]).await;
    assert_eq!(status, 303);
    let (_, list) = me.get("/portal/forms").await;

    // Medications: two rows filled, then two more rows asked for: saved, same part, at the list.
    let meds = form_id(&list, "Current medications and allergies");
    let (_, html) = me.get(&format!("/portal/forms/{meds}")).await;
    assert!(html.contains("data-unsaved-warning"), "{html}");
    assert_eq!(html.matches("name=\"medications.name\"").count(), 2);
    let (status, to, body) = me
        .post(
            &format!("/portal/forms/{meds}/part/0"),
            &[
                ("takes_medications", "yes"),
                ("medications.name", "Metformin"),
                ("medications.dose", "500 mg"),
                ("medications.how_often", "twice a day"),
                ("medications.name", "Lisinopril"),
                ("medications.dose", "10 mg"),
                ("medications.how_often", "once a day"),
                ("go", "rows:medications"),
            ],
        )
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some(format!("/portal/forms/{meds}?part=0#f-medications").as_str())),
        "{body}"
    );
    let (_, html) = me.get(&format!("/portal/forms/{meds}?part=0")).await;
    assert_eq!(html.matches("name=\"medications.name\"").count(), 4, "{html}");
    assert!(html.contains("value=\"Metformin\"") && html.contains("value=\"Lisinopril\""));
    assert!(html.contains("<h2>Medications</h2>"), "still the same part");

    // Height: feet and inches read as inches; words kept as typed and named at the field.
    let history = form_id(&list, "Medical history");
    let (_, html) = me.get(&format!("/portal/forms/{history}")).await;
    assert!(html.contains("In inches (66) or in feet and inches"), "{html}");
    let (status, _, body) = me
        .post(
            &format!("/portal/forms/{history}/part/0"),
            &[("height", "five six"), ("go", "next")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("id=\"e-height\">Type it in inches, like 66, or in feet and inches"),
        "{body}"
    );
    assert!(body.contains("value=\"five six\""), "what was typed is kept: {body}");
    // Reloading lands on the address the refused save posted to: the same part, kept as typed.
    let (status, html) = me.get(&format!("/portal/forms/{history}/part/0")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("value=\"five six\""), "the draft on reload: {html}");
    let (status, _, _) = me
        .post(
            &format!("/portal/forms/{history}/part/0"),
            &[("height", "5' 6\""), ("weight", "150"), ("go", "next")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = me.get(&format!("/portal/forms/{history}?part=0")).await;
    assert!(html.contains("id=\"f-height\" name=\"height\" value=\"66\""), "{html}");

    // The authorization: plain words, the citation one click away.
    let auth = form_id(&list, "Authorization to disclose health information");
    let (_, html) = me.get(&format!("/portal/forms/{auth}")).await;
    assert!(
        html.contains("An authorization missing any of them is not valid.</p>"),
        "{html}"
    );
    let why = html
        .find("<details class=\"why\"><summary>Why we ask</summary>")
        .expect("why we ask");
    assert!(html[why..].contains("45 CFR 164.508(b)(2)"), "{html}");
    assert_eq!(html.matches("164.508").count(), 1, "only in the details: {html}");

    // Consent to treat: the sign step shows the answers by part, each with "Change".
    let consent = form_id(&list, "Consent to treat");
    let (status, _, _) = me
        .post(
            &format!("/portal/forms/{consent}/part/0"),
            &[("initials", "NC"), ("go", "next")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = me.get(&format!("/portal/forms/{consent}?part=1")).await;
    let check = html
        .find("<h2 id=\"check\">Check your answers</h2>")
        .expect("the check");
    let sign = html.find("<h2 id=\"signature\">").expect("the signature");
    assert!(check < sign);
    let summary = &html[check..sign];
    assert!(summary.contains("<dt>Your initials</dt><dd>NC</dd>"), "{summary}");
    assert!(
        summary.contains(&format!(
            "href=\"/portal/forms/{consent}?part=0\" class=\"change\">Change"
        )),
        "{summary}"
    );

    // A drawn signature and a typed name together: refused at the signature, both kept.
    let drawn = "M 10 100 L 60 40 L 120 120";
    let (status, _, body) = me
        .post(
            &format!("/portal/forms/{consent}/sign"),
            &[("drawn", drawn), ("typed", "Nia Castellanos")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("keep one (clear the pad, or empty the name box)"),
        "{body}"
    );
    assert!(body.contains(&format!("id=\"sig-drawn\" value=\"{drawn}\"")), "{body}");
    assert!(body.contains("value=\"Nia Castellanos\""), "{body}");
    // And reloading the sign step's address shows the sign step, not a bare error.
    let (status, html) = me.get(&format!("/portal/forms/{consent}/sign")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<h2 id=\"check\">Check your answers</h2>"), "{html}");
    let (status, to, _) = me
        .post(
            &format!("/portal/forms/{consent}/sign"),
            &[("drawn", ""), ("typed", "Nia Castellanos")],
        )
        .await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal/forms?done=signed")));
    p.app.stop().await;
}

#[tokio::test]
async fn the_sign_in_page_says_when_the_clinic_cannot_send_codes_at_all() {
    let p = clinic().await;
    let (_, html) = PageClient::new(&p.app).get("/portal/sign-in").await;
    assert!(!html.contains("cannot send sign-in codes"), "{html}");
    p.app.stop().await;
    let bare = carekeep_testkit::TestApp::spawn().await;
    let (status, html) = PageClient::new(&bare).get("/portal/sign-in").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("This clinic cannot send sign-in codes yet: it has no text message or email service set up."),
        "{html}"
    );
    bare.stop().await;
}
