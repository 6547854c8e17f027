//! Policies: adopted from a template, revised as new versions, reviewed, acknowledged by each
//! login; the PDF opens and carries the acknowledgement roster; the dashboard follows.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;

/// The text of a PDF, through poppler's pdftotext (the test fails if it is missing).
fn pdf_text(bytes: &[u8]) -> String {
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
        .split("/policies/")
        .nth(1)
        .unwrap()
        .split('/')
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
