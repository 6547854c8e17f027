//! Text typed on several lines, as browsers send it (CRLF), through a page form and an API
//! body: accepted at its length in characters, stored with LF, and drawn as lines in the PDF.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

use crate::pdf_text;

#[tokio::test]
async fn a_two_line_address_from_a_form_or_the_api_is_kept_as_two_lines() {
    let app = TestApp::spawn().await;
    let mut desk = PageClient::login(&app, "frontdesk").await;
    // The case: 33 characters on two lines were refused as over 300.
    let (status, location, body) = desk
        .post(
            "/patients",
            &[
                ("given_name", "Ines"),
                ("family_name", "Marlowe"),
                ("date_of_birth", "04/23/1980"),
                ("sex", "female"),
                ("address", "12 Elm Street\r\nSpringfield, IL\r\n"),
                (
                    "emergency_contact",
                    &format!("{}\r\n{}", "a".repeat(150), "b".repeat(149)),
                ),
                ("preferred", "mail"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let id: i64 = location
        .unwrap()
        .trim_start_matches("/patients/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let token = app.api_login("frontdesk").await;
    let patient: Value = app
        .api(Method::GET, &format!("/api/v1/patients/{id}"), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(patient["contact"]["address"], "12 Elm Street\nSpringfield, IL");

    // The same through the API, and one character more is refused by its count.
    let res = app
        .api(Method::POST, "/api/v1/patients", &token)
        .json(
            &json!({"given_name": "Ivo", "family_name": "Marlowe", "date_of_birth": "1980-04-23", "sex": "male",
            "contact": {"address": "3 Oak Lane\r\nDover\rDE", "preferred": "mail"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    let patient: Value = app
        .api(Method::GET, &format!("/api/v1/patients/{}", made["id"]), &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(patient["contact"]["address"], "3 Oak Lane\nDover\nDE");
    let res = app
        .api(Method::POST, "/api/v1/patients", &token)
        .json(
            &json!({"given_name": "Ivo", "family_name": "Marlowe", "date_of_birth": "1980-04-23", "sex": "male",
            "contact": {"address": "a".repeat(301), "preferred": "mail"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("(it has 301)"));
    app.stop().await;
}

#[tokio::test]
async fn a_policy_typed_with_crlf_prints_its_lines_and_paragraphs() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let plan = "Who is called first: Cora.\r\nThen: the owner.\r\n\r\nFirst hour: stop the harm.";
    let (status, _, body) = owner
        .post(
            "/program/policies/breach_response",
            &[
                ("title", "Breach response plan"),
                ("body", plan),
                ("effective_on", "2026-03-02"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let res = owner
        .http
        .get(owner.url("/program/policies/breach_response/pdf"))
        .send()
        .await
        .unwrap();
    let text = pdf_text(&res.bytes().await.unwrap());
    assert!(!text.contains('?'), "no line break printed as a question mark: {text}");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for want in [
        "Who is called first: Cora.",
        "Then: the owner.",
        "First hour: stop the harm.",
    ] {
        assert!(lines.contains(&want), "{want:?} is a line of its own: {text}");
    }
    app.stop().await;
}
