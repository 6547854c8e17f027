//! Policies: adopted from a template, revised as new versions, reviewed, acknowledged by each
//! login; the PDF opens and carries the acknowledgement roster; the dashboard follows.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;

use crate::pdf_text;

#[tokio::test]
async fn policies_are_adopted_acknowledged_and_exported() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = owner.get("/program/policies").await;
    assert_eq!(status, 200);
    assert!(html.contains("Breach response plan") && html.contains("not adopted"));
    let (status, html) = owner.get("/program/policies/breach_response").await;
    assert_eq!(status, 200);
    assert!(html.contains("Who is called first"));
    let (status, _, body) = owner
        .post(
            "/program/policies/breach_response",
            &[("title", "Breach response plan"), ("body", "")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let plan = "Who is called first: the compliance officer, Cora, on 555-0100.\n\nFirst hour: stop the harm.";
    let (status, location, _) = owner
        .post(
            "/program/policies/breach_response",
            &[
                ("title", "Breach response plan"),
                ("body", plan),
                ("effective_on", "2026-03-02"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/program/policies/breach_response?done=version"))
    );

    // Staff read and acknowledge it.
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (_, html) = desk.get("/policies").await;
    assert!(html.contains("Cora, on 555-0100"));
    let version = html
        .split(r#"name="version" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, location, _) = desk.post(&format!("/policies/{version}/acknowledge"), &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/policies?done=ack")));
    let (_, html) = desk.get("/policies").await;
    assert!(html.contains("You acknowledged this version"));

    // The PDF opens and names who acknowledged.
    let res = owner
        .http
        .get(owner.url("/program/policies/breach_response/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let text = pdf_text(&res.bytes().await.unwrap());
    assert!(
        text.contains("Breach response plan") && text.contains("Cora, on 555-0100"),
        "{text}"
    );
    assert!(text.contains("Frank Frontdesk"), "the roster: {text}");

    // A revision asks everyone again; the dashboard shows who has not acknowledged.
    let (status, _, _) = owner
        .post(
            "/program/policies/breach_response",
            &[
                ("title", "Breach response plan"),
                ("body", "Version two."),
                ("effective_on", "2026-03-02"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let token = app.api_login("owner").await;
    let items: Vec<Value> = app
        .api(Method::GET, "/api/v1/program/dashboard", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan = items.iter().find(|i| i["key"] == "breach_plan").unwrap();
    assert_eq!(plan["standing"], "gap");
    assert!(plan["evidence"].as_str().unwrap().contains("Frank Frontdesk"), "{plan}");
    let others = items.iter().find(|i| i["key"] == "policies").unwrap();
    assert!(others["evidence"].as_str().unwrap().contains("Not adopted"));
    // Reviewed a year and a day later without change: overdue until reviewed again.
    app.clock.advance(time::Duration::days(366));
    let mut owner = PageClient::login(&app, "owner").await;
    let (_, html) = owner.get("/program/policies").await;
    assert!(html.contains("Review overdue"));
    let (status, _, _) = owner.post("/program/policies/breach_response/reviewed", &[]).await;
    assert_eq!(status, 303);
    let (_, html) = owner.get("/program/policies").await;
    assert!(!html.contains("Review overdue"));
    let mut desk = PageClient::login(&app, "frontdesk").await;
    assert_eq!(desk.get("/program/policies").await.0, 403);
    app.stop().await;
}

#[tokio::test]
async fn the_audit_binder_holds_the_program_and_its_pdf_names_the_roster() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let mut page = PageClient::login(&app, "owner").await;
    page.post(
        "/program/workforce",
        &[
            ("name", "Wilhelmina Quarrie"),
            ("job_title", "Medical assistant"),
            ("hired_on", "2026-01-05"),
        ],
    )
    .await;
    page.post(
        "/program/vendors",
        &[
            ("name", "Lockbox Cloud"),
            ("service", "Backup"),
            ("maintains_phi", "yes"),
            ("baa_status", "signed"),
            ("baa_signed_on", "2026-01-01"),
        ],
    )
    .await;
    page.post(
        "/program/policies/sanctions",
        &[
            ("title", "Sanctions"),
            ("body", "Consequences fit what happened."),
            ("effective_on", "2026-03-01"),
        ],
    )
    .await;
    let res = app
        .api(Method::GET, "/api/v1/program/binder", &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_owned())
        .collect();
    for want in [
        "binder.pdf",
        "checklist.csv",
        "vendors.csv",
        "training.csv",
        "policy_acknowledgements.csv",
    ] {
        assert!(names.iter().any(|n| n.ends_with(want)), "{want} in {names:?}");
    }
    let read = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, suffix: &str| {
        let name = names.iter().find(|n| n.ends_with(suffix)).unwrap().clone();
        let mut f = zip.by_name(&name).unwrap();
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut out).unwrap();
        out
    };
    let text = pdf_text(&read(&mut zip, "binder.pdf"));
    assert!(
        text.contains("Wilhelmina Quarrie"),
        "the roster names are in the PDF: {text}"
    );
    assert!(text.contains("Lockbox Cloud") && text.contains("Sanctions"));
    let vendors = String::from_utf8(read(&mut zip, "vendors.csv")).unwrap();
    assert!(vendors.contains("Lockbox Cloud,Backup"));
    let co = app.api_login("compliance").await;
    let events: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?action=program.document_viewed", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        events.iter().any(|e| e["resource_type"] == "Binder"),
        "the export is audited"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_notice_keeps_its_required_parts_and_patients_acknowledge_it() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = owner.get("/program/npp").await;
    assert_eq!(status, 200);
    assert!(html.contains("THIS NOTICE DESCRIBES HOW MEDICAL INFORMATION ABOUT YOU MAY BE USED"));
    let text =
        carekeep_domain::program::npp::template("Test Clinic", "the privacy officer, Dana", "555-0100", "2026-03-02");
    let no_header = text.replacen(carekeep_domain::program::npp::HEADER, "Privacy", 1);
    let (status, _, body) = owner.post("/program/npp", &[("body", &no_header)]).await;
    assert_eq!(status, 422);
    assert!(body.contains("the required header (164.520(b)(1)(i))"), "{body}");
    let (status, _, body) = owner
        .post("/program/npp", &[("body", &text), ("effective_on", "2026-03-01")])
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("before the day it is published"));
    let (status, location, _) = owner
        .post("/program/npp", &[("body", &text), ("effective_on", "2026-03-02")])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/program/npp?done=published"))
    );
    let (status, _, _) = owner.post("/program/npp/posting", &[("office", "yes")]).await;
    assert_eq!(status, 303);
    let res = owner.http.get(owner.url("/program/npp/pdf")).send().await.unwrap();
    let pdf = pdf_text(&res.bytes().await.unwrap());
    assert!(
        pdf.contains("Health and Human Services") && pdf.contains("555-0100"),
        "{pdf}"
    );

    // A patient without an acknowledgement is a gap until the front desk records one.
    let desk = app.api_login("frontdesk").await;
    let id = app
        .register_patient(&desk, "Hollis", "Brant", "1990-05-05", "5550102233")
        .await;
    let token = app.api_login("owner").await;
    let npp_item = |t: String| {
        let req = app.api(Method::GET, "/api/v1/program/dashboard", &t);
        async move {
            let items: Vec<Value> = req.send().await.unwrap().json().await.unwrap();
            items.into_iter().find(|i| i["key"] == "npp").unwrap()
        }
    };
    let item = npp_item(token.clone()).await;
    assert_eq!(item["standing"], "gap");
    assert!(
        item["evidence"].as_str().unwrap().contains("good-faith record: 1"),
        "{item}"
    );
    let mut page = PageClient::login(&app, "frontdesk").await;
    let (_, chart) = page.get(&format!("/patients/{id}")).await;
    assert!(chart.contains("not acknowledged") && chart.contains("Patient signed the acknowledgment"));
    let (status, _, _) = page
        .post(
            &format!("/patients/{id}/npp"),
            &[("kind", "good_faith"), ("reason", "")],
        )
        .await;
    assert_eq!(status, 422);
    let (status, _, _) = page.post(&format!("/patients/{id}/npp"), &[("kind", "signed")]).await;
    assert_eq!(status, 303);
    let (_, chart) = page.get(&format!("/patients/{id}")).await;
    assert!(chart.contains("Acknowledged on paper on"), "{chart}");
    assert_eq!(npp_item(token).await["standing"], "done");
    // Billing may read identity but not change it, so cannot record one.
    let mut billing = PageClient::login(&app, "billing").await;
    billing.get(&format!("/patients/{id}")).await;
    let (status, _, _) = billing
        .post(&format!("/patients/{id}/npp"), &[("kind", "signed")])
        .await;
    assert_eq!(status, 403);
    app.stop().await;
}
