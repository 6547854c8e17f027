//! The set-up path's vendors step (issue 25, item 4): the usual vendors ticked and filled in
//! one submission, each BAA question answered in words; the card processor that only runs
//! payments needs no BAA (HIPAA section 1179), "we don't know yet" is treated as needed; a
//! refusal keeps everything typed and names the field.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn the_usual_vendors_are_added_in_one_submission_with_the_baa_decided_in_words() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = owner.get("/setup/vendors").await;
    assert_eq!(status, 200);
    for label in [
        "Email",
        "Card processor",
        "Cloud storage",
        "IT support",
        "Phone and text messages",
        "AI tools",
        "Answering service",
        "Shredding",
        "Records system",
    ] {
        assert!(html.contains(label), "{label}");
    }
    let (_, html) = owner.get("/setup").await;
    assert!(
        html.contains(r#"href="/setup/vendors""#),
        "the path's vendors step leads here"
    );
    owner.get("/setup/vendors").await;

    let mut form = vec![
        ("card_use", "1"),
        ("card_name", "Square"),
        ("card_answer", "yes"),
        ("email_use", "1"),
        ("email_name", "Google Workspace"),
        ("email_answer", "yes"),
        ("email_baa", "signed"),
        ("email_signed_on", ""),
        ("ai_use", "1"),
        ("ai_name", "Notetaker AI"),
        ("ai_answer", "unknown"),
        // Not ticked: typed, but not added.
        ("shredding_name", "Shred Co"),
    ];
    // A signed BAA without its date: refused at that field, everything kept, nothing added.
    let (status, _, html) = owner.post("/setup/vendors", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains(r#"id="email_signed_on-error""#), "{html}");
    for kept in ["Square", "Google Workspace", "Notetaker AI", "Shred Co"] {
        assert!(html.contains(&format!(r#"value="{kept}""#)), "{kept} kept");
    }
    assert!(
        html.contains("No BAA needed") && html.contains("section 1179"),
        "the verdict is shown: {html}"
    );
    let token = app.api_login("owner").await;
    let vendors = || async {
        app.api(Method::GET, "/api/v1/vendors", &token)
            .send()
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
    };
    assert!(vendors().await.is_empty());

    form.retain(|(k, _)| *k != "email_signed_on");
    form.push(("email_signed_on", "01/05/2026"));
    let (status, location, html) = owner.post("/setup/vendors", &form).await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(location.as_deref(), Some("/setup/vendors?added=3"));
    let list = vendors().await;
    let by = |name: &str| {
        list.iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {list:?}"))
            .clone()
    };
    let square = by("Square");
    assert_eq!(square["needs_baa"], false, "{square}");
    assert!(square["service"].as_str().unwrap().contains("1179"), "{square}");
    let google = by("Google Workspace");
    assert_eq!(google["needs_baa"], true);
    assert_eq!(google["baa_current"], true, "{google}");
    let ai = by("Notetaker AI");
    assert_eq!(ai["needs_baa"], true, "not known yet: treated as needed");
    assert_eq!(ai["standing"], "gap");
    assert!(list.iter().all(|v| v["name"] != "Shred Co"));

    // A name already on the list is refused at its field.
    owner.get("/setup/vendors").await;
    let (status, _, html) = owner
        .post(
            "/setup/vendors",
            &[("card_use", "1"), ("card_name", "square"), ("card_answer", "no")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains(r#"id="card_name-error""#) && html.contains("already on your vendor list"),
        "{html}"
    );
    // An unanswered question is refused at it.
    let (status, _, html) = owner
        .post("/setup/vendors", &[("it_use", "1"), ("it_name", "Bob's Computers")])
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains(r#"id="it_answer-error""#), "{html}");
    assert!(
        html.contains("Bob&#x27;s Computers") || html.contains("Bob&#39;s Computers"),
        "{html}"
    );
    app.stop().await;
}
