//! The set-up path (issue 25, item 1): the owner's first sign-in opens it; the clinic's details
//! fill the notice and the policies; a blank left is refused, named; a refused form keeps what
//! was typed; the dashboard shows the path until it is done.

use carekeep_testkit::{PageClient, TestApp};

#[tokio::test]
async fn the_owner_is_guided_and_no_blank_is_published() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;

    // A fresh clinic: the owner's sign-in lands on the path's first step.
    let mut again = PageClient::new(&app);
    let _ = again.get("/login").await;
    let u = app.user("owner").clone();
    let code = app.fresh_code(&u.totp_secret);
    let (status, location, _) = again
        .post(
            "/login",
            &[("username", &u.username), ("password", &u.password), ("code", &code)],
        )
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/setup#details")));

    let (status, html) = owner.get("/setup").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Set-up path: ") && html.contains(" of 9 steps done"),
        "{html}"
    );
    assert!(html.contains(r#"<li class="step-next" aria-current="step">"#) && html.contains("Clinic details"));
    let (_, dashboard) = owner.get("/program").await;
    assert!(
        dashboard.contains("Set-up path: "),
        "the dashboard shows the path until it is done"
    );

    // 164.520(b)(1)(vii): the starting notice has blanks for the contact and the phone, and
    // publishing it as it is is refused naming them, the text kept as typed.
    let (_, npp) = owner.get("/program/npp").await;
    assert!(npp.contains("[[who answers privacy questions]]"), "{npp}");
    let body = carekeep_domain::program::npp::template(
        "Test Clinic",
        "[[who answers privacy questions]]",
        "[[clinic's phone number]]",
        "2026-03-02",
    );
    let (status, _, page) = owner.post("/program/npp", &[("body", &body)]).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains(
            "the notice still has a blank to fill: “who answers privacy questions”, “clinic&#39;s phone number”"
        ),
        "{page}"
    );
    assert!(page.contains("To ask a question, use your rights or complain, contact [[who answers"));

    // A policy with a blank is not adopted either; what was typed comes back.
    let (_, policy) = owner.get("/program/policies/breach_response").await;
    assert!(policy.contains("[[who answers privacy questions]]"), "{policy}");
    let typed =
        "Tell the compliance officer, [[who answers privacy questions]], the same day.\n\nSecond paragraph typed here.";
    let (status, _, page) = owner
        .post(
            "/program/policies/breach_response",
            &[("title", "Breach response plan"), ("body", typed)],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("this policy still has a blank to fill: “who answers privacy questions”"));
    assert!(page.contains("Second paragraph typed here."), "the typing is kept");

    // Mistakes on purpose: a phone without its area code; the address typed with CRLF.
    let form = [
        ("legal_name", "Lakeside Medspa LLC"),
        ("address", "12 Shore Rd\r\nAustin, TX 78701"),
        ("phone", "555-0100"),
        ("website", "lakesidemedspa.com"),
        ("privacy_contact", "Dana Reyes, office manager"),
        ("time_zone", "America/Chicago"),
    ];
    let (status, _, page) = owner.post("/setup/details", &form).await;
    assert_eq!(status, 422);
    assert!(
        page.contains(r#"<p class="field-error" id="phone-error">the phone number needs 10 digits"#),
        "{page}"
    );
    assert!(
        page.contains("value=\"Lakeside Medspa LLC\"") && page.contains("12 Shore Rd\nAustin, TX 78701</textarea>")
    );
    assert!(
        page.contains("value=\"555-0100\""),
        "the mistake itself is kept to correct"
    );
    let mut form = form;
    form[2] = ("phone", "(512) 555-0100");
    form[5] = ("time_zone", "America/Denver");
    let (status, location, _) = owner.post("/setup/details", &form).await;
    assert_eq!((status, location.as_deref()), (303, Some("/setup?done=details#path")));
    let (_, html) = owner.get("/setup?done=details").await;
    assert!(html.contains("Clinic details saved.") && html.contains("value=\"(512) 555-0100\""));
    assert!(html.contains(r#"<li class="step-done">"#));
    assert_eq!(app.state.app.clinic_zone().name(), "America/Denver");

    // The details now fill the notice and the policy; both publish as shown.
    let (_, npp) = owner.get("/program/npp").await;
    assert!(
        npp.contains("contact Dana Reyes, office manager at (512) 555-0100.") && !npp.contains("[["),
        "{npp}"
    );
    let filled = carekeep_domain::program::npp::template(
        "Lakeside Medspa LLC",
        "Dana Reyes, office manager",
        "(512) 555-0100",
        "2026-03-02",
    );
    let (status, location, _) = owner.post("/program/npp", &[("body", &filled)]).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/program/npp?done=published"))
    );
    let (_, policy) = owner.get("/program/policies/breach_response").await;
    assert!(policy.contains("Dana Reyes, office manager, the same day, in person, by phone at (512) 555-0100"));
    let (_, policy) = owner.get("/program/policies/access_control").await;
    assert!(
        policy.contains("Every person who works at Lakeside Medspa LLC has"),
        "{policy}"
    );

    // The next sign-in goes home; the details are a setting change on the audit trail.
    let mut later = PageClient::new(&app);
    let _ = later.get("/login").await;
    let code = app.fresh_code(&u.totp_secret);
    let (_, location, _) = later
        .post(
            "/login",
            &[("username", &u.username), ("password", &u.password), ("code", &code)],
        )
        .await;
    assert_eq!(location.as_deref(), Some("/"));

    // Only those who administer the clinic change its details.
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, _, _) = desk.post("/setup/details", &form).await;
    assert_eq!(status, 403);
    let (status, _) = desk.get("/setup").await;
    assert_eq!(status, 403);
    app.stop().await;
}
