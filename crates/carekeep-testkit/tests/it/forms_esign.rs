//! Withdrawing the consent to do business electronically (issue 28; 15 U.S.C. 7001(c)(1)(A):
//! a consent counts only while not withdrawn, and (B)(iii) promises the procedure): the
//! patient withdraws on the portal's page the statement names; from then the portal asks the
//! consent again before any electronic form, the chart tells staff to give forms on paper,
//! and the withdrawal is on the audit trail.

use crate::portal::{clinic, events, patient, sign_in};
use carekeep_app::forms::{SignatureInput, Submitted};
use carekeep_app::Actor;
use carekeep_testkit::PageClient;

#[tokio::test]
async fn a_patient_withdraws_the_esign_consent_at_the_portal_and_is_given_paper_forms() {
    let p = clinic().await;
    let app = &p.app;
    let a = &app.state.app;
    let form = crate::forms::adopt(app, "consent_to_treat").await;
    let nia = patient(app, "Nia", "Castellanos", "(555) 234-6023", "nc@example.org").await;
    let desk = app.principal(&app.api_login("frontdesk").await).await;
    a.send_forms(&desk.actor(), nia, None, &[form]).await.unwrap();
    let response = a.patient_forms(&desk.actor(), nia).await.unwrap()[0].response_id;
    let start = format!("href=\"/portal/forms/{response}\"");

    let mut me = sign_in(&p, "555-234-6023", "+15552346023", 1).await;
    let (_, html) = me.get("/portal/forms").await;
    // The statement names the page, and the forms page links to it.
    assert!(
        html.contains("Withdraw my consent") && html.contains("href=\"/portal/forms/esign\""),
        "{html}"
    );
    assert!(!html.contains(&start), "no form before the consent: {html}");
    let (status, to, _) = me.post("/portal/forms/esign", &[("agree", "yes")]).await;
    assert_eq!((status, to.as_deref()), (303, Some("/portal/forms?done=agreed")));
    let (_, html) = me.get("/portal/forms").await;
    assert!(html.contains(&start), "{html}");

    // The page: when the consent was given, and the button.
    let (status, html) = me.get("/portal/forms/esign").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("You agreed to fill in and sign your forms electronically on 03/02/2026"),
        "{html}"
    );
    assert!(
        html.contains("action=\"/portal/forms/esign/withdraw#withdraw\""),
        "{html}"
    );
    let (status, to, _) = me.post("/portal/forms/esign/withdraw", &[]).await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some("/portal/forms/esign?done=withdrawn"))
    );
    let (_, html) = me.get("/portal/forms/esign?done=withdrawn").await;
    assert!(
        html.contains("Your consent is withdrawn") && !html.contains("Withdraw my consent</button>"),
        "{html}"
    );
    // Withdrawing twice changes nothing and says so.
    let (_, to, _) = me.post("/portal/forms/esign/withdraw", &[]).await;
    assert_eq!(to.as_deref(), Some("/portal/forms/esign?done=none"));

    // The portal asks the consent again before any electronic form, and signing is refused.
    let (_, html) = me.get("/portal/forms").await;
    assert!(
        html.contains("Before you start: signing electronically") && !html.contains(&start),
        "{html}"
    );
    let pp = crate::forms::portal_patient(nia);
    let signed = a
        .portal_submit_form(
            &Actor::Patient(&pp),
            response,
            SignatureInput {
                drawn: String::new(),
                typed: "Nia Castellanos".into(),
            },
        )
        .await;
    assert!(
        matches!(&signed, Ok(Submitted::Refused(problems)) if problems.iter().any(|p| p.field == "esign")),
        "{signed:?}"
    );

    // Staff see on the chart that this patient's forms are on paper.
    let mut staff = PageClient::login(app, "frontdesk").await;
    let (_, html) = staff.get(&format!("/patients/{nia}")).await;
    assert!(
        html.contains("Paper forms needed:</span> the consent to sign electronically was withdrawn on 03/02/2026"),
        "{html}"
    );
    // On the trail, as the patient's own change.
    let trail = events(app, 500).await;
    assert!(
        trail.iter().any(|e| e["resource_type"] == "EsignConsent"
            && e["action"] == "phi.update"
            && e["reason"] == "portal: consent to sign electronically withdrawn (paper forms from now on)"),
        "{trail:?}"
    );

    // Agreeing again lifts the chart's note.
    me.get("/portal/forms").await;
    me.post("/portal/forms/esign", &[("agree", "yes")]).await;
    let (_, html) = staff.get(&format!("/patients/{nia}")).await;
    assert!(!html.contains("Paper forms needed"), "{html}");
    p.app.stop().await;
}

#[tokio::test]
async fn the_front_desk_records_a_withdrawal_told_in_person_and_the_chart_says_paper_forms() {
    let p = clinic().await;
    let app = &p.app;
    let a = &app.state.app;
    let form = crate::forms::adopt(app, "consent_to_treat").await;
    let nia = patient(app, "Nia", "Castellanos", "(555) 234-6023", "nc@example.org").await;
    let desk = app.principal(&app.api_login("frontdesk").await).await;
    a.send_forms(&desk.actor(), nia, None, &[form]).await.unwrap();
    let chart = format!("/patients/{nia}");
    let post = format!("/patients/{nia}/forms/esign-withdrawal");

    // No consent yet: nothing to withdraw, and the chart says paper is the way.
    let mut staff = PageClient::login(app, "frontdesk").await;
    let (_, html) = staff.get(&chart).await;
    assert!(html.contains("Patient wants paper forms"), "{html}");
    assert!(html.contains("No one has agreed to sign this patient"), "{html}");
    assert!(!html.contains("id=\"esign-form\""));

    let mut me = sign_in(&p, "555-234-6023", "+15552346023", 1).await;
    me.get("/portal/forms").await;
    let (status, _, _) = me.post("/portal/forms/esign", &[("agree", "yes")]).await;
    assert_eq!(status, 303);

    let (_, html) = staff.get(&chart).await;
    assert!(
        html.contains(&format!("action=\"{post}#esign-form\" id=\"esign-form\"")),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"patient\">The patient</option>"),
        "{html}"
    );
    assert!(!html.contains("Paper forms needed"));
    // A tampered value: refused at the field, nothing changed.
    let (status, _, html) = staff.post(&post, &[("who", "everyone")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"who-error\""), "{html}");
    assert!(!html.contains("Paper forms needed"));
    // Billing may not see the forms' status, nor record this: refused, and the refusal recorded.
    let mut bill = PageClient::login(app, "billing").await;
    bill.get("/").await;
    let co = app.api_login("compliance").await;
    let (status, _, _) = bill.post(&post, &[("who", "patient")]).await;
    assert_eq!(status, 403);
    let newest: Vec<serde_json::Value> = app
        .api(reqwest::Method::GET, "/api/v1/audit/events?limit=1", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        newest[0]["outcome"] == "denied" && newest[0]["actor"] == "billing",
        "{newest:?}"
    );
    // The desk records it.
    let (status, to, _) = staff.post(&post, &[("who", "patient")]).await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some(format!("{chart}?done=esign_withdrawn#forms").as_str()))
    );
    let (_, html) = staff.get(&format!("{chart}?done=esign_withdrawn")).await;
    assert!(html.contains("Withdrawal recorded: give this patient"), "{html}");
    assert!(
        html.contains("Paper forms needed:</span> the consent to sign electronically was withdrawn on 03/02/2026"),
        "{html}"
    );
    assert!(html.contains("No one has agreed to sign this patient"), "{html}");
    // On the trail as the desk's change, the same consent the portal withdraws.
    let trail = events(app, 50).await;
    assert!(
        trail.iter().any(|e| e["resource_type"] == "EsignConsent"
            && e["action"] == "phi.update"
            && e["actor"] == "frontdesk"
            && e["reason"]
                == "front desk: consent to sign electronically withdrawn by the patient (paper forms from now on)"),
        "{trail:?}"
    );
    // The portal asks again before any form, as after its own withdrawal.
    let (_, html) = me.get("/portal/forms").await;
    assert!(html.contains("Before you start: signing electronically"), "{html}");
    // Again: nothing in effect, said so.
    let (_, to, _) = staff.post(&post, &[("who", "patient")]).await;
    assert_eq!(to, Some(format!("{chart}?done=esign_none#forms")));
    p.app.stop().await;
}
