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

/// Issue 25, item 5: the owner adopts every template in one review (a blank left is refused
/// naming the policy and the blank, everything typed kept); staff acknowledge all pending
/// policies with one submission (164.316(a), 164.530(i)).
#[tokio::test]
async fn policies_are_adopted_in_one_review_and_acknowledged_on_one_screen() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = owner.get("/program/policies/review").await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = carekeep_domain::program::policies::TEMPLATES
        .iter()
        .map(|t| t.key)
        .collect();
    for k in &keys {
        assert!(html.contains(&format!(r#"name="adopt" value="{k}" checked"#)), "{k}");
    }
    // The details are not filled yet: the breach plan's blanks are still in its text.
    let mut fields: Vec<(String, String)> = Vec::new();
    for t in carekeep_domain::program::policies::TEMPLATES {
        fields.push(("adopt".into(), t.key.into()));
        fields.push((format!("title_{}", t.key), t.title.into()));
        fields.push((format!("body_{}", t.key), t.body.replace("\n\n", "\r\n\r\n")));
    }
    fields.push(("title_sanctions".into(), "Sanctions at our clinic".into()));
    let as_refs = |f: &[(String, String)]| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    let pairs = as_refs(&fields);
    let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, page) = owner.post("/program/policies/review", &form).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("still has a blank to fill: “clinic&#39;s legal name”"),
        "the policy and its blank are named: {page}"
    );
    assert!(page.contains("Who is called first"), "the typed text is kept");
    // Nothing was adopted: the review is all or nothing.
    let (_, list) = owner.get("/program/policies").await;
    assert!(list.contains("Review and adopt the policies not adopted yet"));

    // Filled in by hand, one left unticked: the rest are adopted with one submission.
    let filled: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, v)| !(k == "adopt" && v == "sanctions"))
        .map(|(k, v)| {
            (
                k.clone(),
                v.replace("[[clinic's legal name]]", "Lakeside Medspa LLC")
                    .replace("[[who answers privacy questions]]", "Dana Reyes")
                    .replace("[[clinic's phone number]]", "(512) 555-0100"),
            )
        })
        .collect();
    let form: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, location, body) = owner.post("/program/policies/review", &form).await;
    let n = keys.len() - 1;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(format!("/program/policies?done=adopted-{n}").as_str())),
        "{body}"
    );
    let (_, html) = owner.get("/program/policies/review").await;
    assert!(html.contains(r#"name="adopt" value="sanctions""#) && !html.contains(r#"value="training""#));
    let (_, policy) = owner.get("/program/policies/breach_response").await;
    assert!(
        policy.contains("Dana Reyes") && policy.contains("\n\nFirst hour"),
        "CRLF kept as paragraphs"
    );

    // The front desk acknowledges every pending policy with one submission.
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (_, read) = desk.get("/policies").await;
    assert!(
        read.contains(&format!("I have read these {n} policies and will follow them")),
        "{read}"
    );
    let versions: Vec<String> = read
        .split(r#"name="version" value=""#)
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect();
    assert_eq!(versions.len(), n);
    let mut form: Vec<(&str, &str)> = versions.iter().map(|v| ("version", v.as_str())).collect();
    form.push(("version", "999999"));
    let (status, _, page) = desk.post("/policies/acknowledge", &form).await;
    assert_eq!(status, 409, "a version not shown is refused: {page}");
    form.pop();
    let (status, location, _) = desk.post("/policies/acknowledge", &form).await;
    assert_eq!((status, location.as_deref()), (303, Some("/policies?done=ack")));
    let (_, read) = desk.get("/policies").await;
    assert!(read.contains("You have acknowledged every current policy.") && !read.contains("name=\"version\""));
    let (_, list) = owner.get("/program/policies").await;
    let frank_left = list.matches("<td>6</td>").count();
    assert!(frank_left >= 1, "one fewer to acknowledge on each: {list}");
    app.stop().await;
}

/// Issue 25, item 3 (in part): an owner who gives themself the compliance role in the browser
/// stays signed in; their other sessions end (the change applies everywhere at once).
#[tokio::test]
async fn changing_ones_own_roles_keeps_one_signed_in() {
    let app = TestApp::spawn().await;
    let token = app.api_login("owner").await;
    let me = app.user_id(&token, "owner").await;
    let mut owner = PageClient::login(&app, "owner").await;
    let mut elsewhere = PageClient::login(&app, "owner").await;
    let (status, location, body) = owner
        .post(
            &format!("/admin/users/{me}/roles"),
            &[("role", "owner"), ("role", "compliance_officer")],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some(format!("/admin/users/{me}?done=roles").as_str())
    );
    let (status, html) = owner.get(&format!("/admin/users/{me}?done=roles")).await;
    assert_eq!(status, 200, "still signed in: {html}");
    let (status, _) = elsewhere.get("/program").await;
    assert_eq!(status, 303, "the other session ended");
    app.stop().await;
}
