//! Issue 23, item 2: a refused form comes back as it was typed. One row per form of the
//! incident page, the requests and disclosures pages, the chart (identity, contact, the
//! notice's good-faith effort, payments, uploads) and two-step set-up: each is sent with a
//! mistake as a browser sends it (CRLF line breaks, an out-of-range or malformed value, a
//! missing field) and must come back 422 with every typed value in its field, the message
//! beside the field it is about and a summary at the top of the form linking to it.

use carekeep_app::users::NewUserInput;
use carekeep_app::{Actor, Clock};
use carekeep_crypto::totp::{code_at, TotpSecret};

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Text as the page writes it inside an attribute or a textarea.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// One refused form: what was typed, where the message must be, and what must come back.
struct Row {
    what: &'static str,
    path: String,
    fields: Vec<(&'static str, String)>,
    /// The form's element id.
    form: String,
    /// The element id of the field the message is about.
    field: String,
    /// Typed text that must be in the page again (each line of a multi-line value).
    kept: Vec<String>,
    /// Choices that must come back chosen (`<option ... selected>`, `checked`), as markup.
    chosen: Vec<String>,
}

fn check(row: &Row, status: u16, html: &str) {
    let what = row.what;
    assert_eq!(status, 422, "{what}: {html}");
    assert!(
        html.contains(&format!(r#"id="{}""#, row.form)),
        "{what}: the form is on the page again"
    );
    assert!(
        html.contains(&format!(
            r#"<div class="error-summary" role="alert" id="{}-problem">"#,
            row.form
        )),
        "{what}: a summary at the top of the form: {html}"
    );
    assert!(
        html.contains(&format!(r##"<a href="#{}">"##, row.field)),
        "{what}: the summary links to the field {}: {html}",
        row.field
    );
    assert!(
        html.contains(&format!(r#"<p class="field-error" id="{}-error">"#, row.field)),
        "{what}: the message is beside {}: {html}",
        row.field
    );
    assert!(
        html.contains(&format!(r#"aria-describedby="{}-error"#, row.field)),
        "{what}: the field points at its message"
    );
    for typed in &row.kept {
        for line in typed.split("\r\n") {
            // `value="..."` is markup, to find as it is; the rest is typed text, escaped.
            let shown = if line.starts_with("value=") {
                line.to_owned()
            } else {
                escaped(line)
            };
            assert!(html.contains(&shown), "{what}: the typed {line:?} is kept: {html}");
        }
    }
    for markup in &row.chosen {
        assert!(
            html.contains(markup.as_str()),
            "{what}: {markup} is kept chosen: {html}"
        );
    }
}

async fn api(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> Value {
    let res = app.api(method, path, token).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert!((200..300).contains(&status), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The first `action="..."` of a form whose path starts with `prefix`, without its fragment.
fn action_starting(html: &str, prefix: &str) -> String {
    let marker = format!(r#"action="{prefix}"#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("{prefix} in {html}")) + r#"action=""#.len();
    let rest = &html[start..];
    let end = rest.find(['#', '"']).unwrap();
    rest[..end].to_owned()
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[tokio::test]
async fn every_refused_form_keeps_what_was_typed_and_says_why_at_the_field() {
    let app = TestApp::spawn().await;
    let desk_token = app.api_login("frontdesk").await;
    let co_token = app.api_login("compliance").await;
    let patient = app
        .register_patient(&desk_token, "Rosalind", "Featherstone", "1980-04-23", "5552017788")
        .await;
    let mut co = PageClient::login(&app, "compliance").await;
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let mut billing = PageClient::login(&app, "billing").await;
    let mut doc = PageClient::login(&app, "provider").await;

    // An incident, determined a breach, so that its notices can be marked done.
    let (status, location, _) = co
        .post(
            "/incidents/new",
            &[
                ("kind", "other"),
                ("title", "Fax sent to the wrong number"),
                ("what_happened", "A referral went to a bakery."),
                ("discovered_on", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let incident: i64 = location.unwrap().rsplit('=').next().unwrap().parse().unwrap();
    let (status, _, html) = co
        .post(
            &format!("/incidents/{incident}"),
            &[
                ("phi_involved", "yes"),
                ("safeguard", "none"),
                ("discovered_on", "2026-03-01"),
                ("affected", "1"),
                ("by_state", "IL=1"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    let (_, page) = co.get(&format!("/incidents/{incident}")).await;
    let done = action_starting(&page, &format!("/incidents/{incident}/obligations/"));
    let kind = done.split('/').nth(4).unwrap().to_owned();

    // Requests of each kind, and a granted restriction to end.
    let request = |kind: &'static str| {
        let app = &app;
        let co_token = co_token.clone();
        async move {
            let r = api(
                app,
                &co_token,
                Method::POST,
                &format!("/api/v1/patients/{patient}/requests"),
                json!({"kind": kind, "received_on": "2026-02-20", "details": "asked at the desk"}),
            )
            .await;
            r["id"].as_i64().unwrap()
        }
    };
    let access = request("access").await;
    let copy = request("access").await;
    let amendment = request("amendment").await;
    let confidential = request("confidential_communication").await;
    let restriction = request("restriction").await;
    for (id, body) in [
        (copy, json!({"outcome": "granted", "reason": "copy made"})),
        (
            restriction,
            json!({"outcome": "granted", "reason": "no mail to the home address"}),
        ),
    ] {
        api(
            &app,
            &co_token,
            Method::POST,
            &format!("/api/v1/requests/{id}/decision"),
            body,
        )
        .await;
    }
    let authorization = api(
        &app,
        &co_token,
        Method::POST,
        &format!("/api/v1/patients/{patient}/authorizations"),
        json!({"description": "Lab results", "disclosed_by": "The clinic", "recipients": "Dr. Patel",
               "purpose": "At the patient's request", "expires_on": "2027-12-31",
               "signed_by": "Rosalind Featherstone", "signed_on": "2026-02-02"}),
    )
    .await;
    let authorization = authorization.as_i64().or_else(|| authorization["id"].as_i64()).unwrap();

    // An invoice to pay.
    let (status, _, _) = billing
        .post(
            &format!("/patients/{patient}/invoices"),
            &[("description", "Office visit"), ("amount", "125.00")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, chart) = billing.get(&format!("/patients/{patient}")).await;
    let marker = r#"id="pay-form-"#;
    let start = chart.find(marker).unwrap_or_else(|| panic!("a payment form: {chart}")) + marker.len();
    let invoice: String = chart[start..].chars().take_while(char::is_ascii_digit).collect();
    let pay = format!("/invoices/{invoice}/payments");

    let long_reason = format!("{}records are in storage", "The chart is on paper. ".repeat(90));
    let note_too_long = "Mailed by first-class post. ".repeat(40);
    let incident_rows = vec![
        Row {
            what: "the breach determination",
            path: format!("/incidents/{incident}"),
            fields: vec![
                ("phi_involved", s("yes")),
                ("safeguard", s("encrypted")),
                ("key_compromised", s("yes")),
                ("nature_and_extent", s("Names & dates of birth of 3 patients")),
                ("unauthorized_person", s("A courier at \"Speedy\" Delivery")),
                ("acquired_or_viewed", s("Unknown")),
                ("mitigation", s("Asked for the laptop's return")),
                ("discovered_on", s("2026-03-01")),
                ("discovered_by", s("Dana at the front desk")),
                ("occurred_on", s("2026-02-27")),
                ("affected", s("-3")),
                ("by_state", s("IL=2")),
                ("law_enforcement", s("oral")),
                ("law_enforcement_stated_on", s("2026-03-01")),
                ("law_enforcement_official", s("Officer Reyes, Springfield PD")),
                (
                    "steps_for_individuals",
                    s("Watch your statements.\r\nCall us with any question."),
                ),
                (
                    "what_we_are_doing",
                    s("We retrained the staff.\r\nWe changed the fax cover sheet."),
                ),
                ("contact_for_questions", s("(555) 201-7788")),
                ("status", s("closed")),
            ],
            form: s("determination-form"),
            field: s("affected"),
            kept: vec![
                s("Names & dates of birth of 3 patients"),
                s("A courier at \"Speedy\" Delivery"),
                s("Asked for the laptop's return"),
                s("Dana at the front desk"),
                s("2026-02-27"),
                s(r#"value="-3""#),
                s("IL=2"),
                s("Officer Reyes, Springfield PD"),
                s("Watch your statements.\r\nCall us with any question."),
                s("We retrained the staff.\r\nWe changed the fax cover sheet."),
                s("(555) 201-7788"),
            ],
            chosen: vec![
                s(r#"<option value="encrypted" selected>"#),
                s(r#"<option value="oral" selected>"#),
                s(r#"<option value="closed" selected>"#),
                s(r#"name="key_compromised" value="yes" checked>"#),
                s(r#"name="phi_involved" value="yes" checked>"#),
            ],
        },
        Row {
            what: "an action on the timeline",
            path: format!("/incidents/{incident}/actions"),
            fields: vec![("text", "Called the bakery; they shredded the fax. ".repeat(100))],
            form: s("action-form"),
            field: s("action_text"),
            kept: vec!["Called the bakery; they shredded the fax. "
                .repeat(100)
                .trim_end()
                .to_owned()],
            chosen: vec![],
        },
        Row {
            what: "a notice marked done",
            path: done.clone(),
            fields: vec![("note", note_too_long.clone())],
            form: format!("done-{kind}"),
            field: format!("note-{kind}"),
            kept: vec![note_too_long.trim_end().to_owned()],
            chosen: vec![],
        },
    ];
    let request_rows = vec![
        Row {
            what: "an extension",
            path: format!("/requests/{access}/extension"),
            fields: vec![("reason", long_reason.clone())],
            form: format!("extend-{access}"),
            field: format!("ext-{access}"),
            kept: vec![long_reason.clone()],
            chosen: vec![],
        },
        Row {
            what: "a denial without a number for complaints",
            path: format!("/requests/{access}/decision"),
            fields: vec![
                ("outcome", s("denied")),
                ("reason", s("Dr. Rivera judges it would endanger the patient")),
                ("contact", s("Privacy officer")),
                ("reviewable", s("yes")),
            ],
            form: format!("decide-{access}"),
            field: format!("contact-{access}"),
            kept: vec![
                s("Dr. Rivera judges it would endanger the patient"),
                s(r#"value="Privacy officer""#),
            ],
            chosen: vec![
                s(r#"<option value="denied" selected>"#),
                format!(r#"id="rev-{access}" name="reviewable" type="checkbox" value="yes" checked>"#),
            ],
        },
        Row {
            what: "an amendment naming a note that is not a number",
            path: format!("/requests/{amendment}/decision"),
            fields: vec![
                ("outcome", s("granted")),
                ("amendment", s("The allergy is to penicillin,\r\nnot to sulfa.")),
                ("amendment_note", s("the May visit")),
            ],
            form: format!("decide-{amendment}"),
            field: format!("note-{amendment}"),
            kept: vec![s("The allergy is to penicillin,\r\nnot to sulfa."), s("the May visit")],
            chosen: vec![s(r#"<option value="granted" selected>"#)],
        },
        Row {
            what: "a confidential communication granted without the way to contact",
            path: format!("/requests/{confidential}/decision"),
            fields: vec![
                ("outcome", s("granted")),
                ("reason", s("Asked in person, by the patient")),
                ("accommodation", s("")),
            ],
            form: format!("decide-{confidential}"),
            field: format!("acc-{confidential}"),
            kept: vec![s("Asked in person, by the patient")],
            chosen: vec![s(r#"<option value="granted" selected>"#)],
        },
        Row {
            what: "a document sent in the future",
            path: format!("/requests/{copy}/documents"),
            fields: vec![
                ("kind", s("record_copy")),
                ("sent_on", s("2099-01-01")),
                ("how", s("certified mail")),
                ("note", s("Paper copy, 14 pages")),
            ],
            form: format!("document-{copy}"),
            field: format!("ds-{copy}"),
            kept: vec![s("2099-01-01"), s("certified mail"), s("Paper copy, 14 pages")],
            chosen: vec![s(r#"<option value="record_copy" selected>"#)],
        },
        Row {
            what: "a restriction ended orally without a note",
            path: format!("/requests/{restriction}/termination"),
            fields: vec![("how", s("patient_orally")), ("note", s(""))],
            form: format!("end-{restriction}"),
            field: format!("tn-{restriction}"),
            kept: vec![],
            chosen: vec![s(r#"<option value="patient_orally" selected>"#)],
        },
    ];
    let log_rows = vec![
        Row {
            what: "a disclosure under an authorization not named",
            path: format!("/requests/patients/{patient}/disclosures"),
            fields: vec![
                ("disclosed_on", s("2026-02-25")),
                ("recipient", s("Oak Street Cardiology")),
                ("recipient_address", s("100 Oak Street, Springfield, IL 62704")),
                ("description", s("Echocardiogram report")),
                ("purpose", s("Second opinion")),
                ("basis", s("authorization")),
                ("authorization", s("")),
                ("corrects", s("")),
            ],
            form: s("disclosure-form"),
            field: s("authorization"),
            kept: vec![
                s("2026-02-25"),
                s("Oak Street Cardiology"),
                s("100 Oak Street, Springfield, IL 62704"),
                s("Echocardiogram report"),
                s("Second opinion"),
            ],
            chosen: vec![s(r#"<option value="authorization" selected>"#)],
        },
        Row {
            what: "an authorization without an expiry",
            path: format!("/requests/patients/{patient}/authorizations"),
            fields: vec![
                ("description", s("Lab results from 2026")),
                ("disclosed_by", s("Carekeep Family Clinic")),
                ("recipients", s("Dr. Patel, Oak Street Cardiology")),
                ("purpose", s("At the request of the patient")),
                ("expires_on", s("")),
                ("expiry_event", s("")),
                ("signed_by", s("Rosalind Featherstone")),
                ("signed_on", s("2026-02-02")),
            ],
            form: s("authorization-form"),
            field: s("a-expires"),
            kept: vec![
                s("Lab results from 2026"),
                s("Carekeep Family Clinic"),
                s("Dr. Patel, Oak Street Cardiology"),
                s("At the request of the patient"),
                s("Rosalind Featherstone"),
                s("2026-02-02"),
            ],
            chosen: vec![],
        },
        Row {
            what: "a revocation dated in the future",
            path: format!("/requests/patients/{patient}/authorizations/{authorization}/revocation"),
            fields: vec![("revoked_on", s("2099-01-01"))],
            form: format!("revoke-{authorization}"),
            field: format!("rv-{authorization}"),
            kept: vec![s("2099-01-01")],
            chosen: vec![],
        },
    ];
    let chart_rows = vec![
        Row {
            what: "the patient's identity",
            path: format!("/patients/{patient}/identity"),
            fields: vec![
                ("given_name", s("Rosalyn")),
                ("family_name", s("O'Featherstone")),
                ("date_of_birth", s("13/45/1980")),
                ("sex", s("other")),
            ],
            form: s("identity-form"),
            field: s("date_of_birth"),
            kept: vec![s("Rosalyn"), s("O'Featherstone"), s("13/45/1980")],
            chosen: vec![s(r#"<option value="other" selected>"#)],
        },
        Row {
            what: "the contact details",
            path: format!("/patients/{patient}/contact"),
            fields: vec![
                ("phone", s("555 201")),
                ("email", s("rosalind@example.com")),
                ("address", s("12 Elm Street\r\nApartment 4B\r\nSpringfield, IL 62704")),
                ("emergency_contact", s("Tom Featherstone, brother")),
                ("preferred", s("mail")),
            ],
            form: s("contact-form"),
            field: s("phone"),
            kept: vec![
                s(r#"value="555 201""#),
                s("rosalind@example.com"),
                s("12 Elm Street\r\nApartment 4B\r\nSpringfield, IL 62704"),
                s("Tom Featherstone, brother"),
            ],
            chosen: vec![s(r#"<option value="mail" selected>"#)],
        },
        Row {
            what: "the notice's good-faith effort",
            path: format!("/patients/{patient}/npp"),
            fields: vec![("kind", s("good_faith")), ("reason", s("left"))],
            form: s("npp-form"),
            field: s("npp-reason"),
            kept: vec![s(r#"value="left""#)],
            chosen: vec![],
        },
    ];
    let payment_row = Row {
        what: "a payment",
        path: pay.clone(),
        fields: vec![
            ("patient", patient.to_string()),
            ("amount", s("12.3.4")),
            ("method", s("check")),
        ],
        form: format!("pay-form-{invoice}"),
        field: format!("pay-{invoice}"),
        kept: vec![s(r#"value="12.3.4""#)],
        chosen: vec![s("<option selected>check</option>")],
    };

    let coding_row = Row {
        what: "an invoice line's codes",
        path: format!("/invoices/{invoice}/codes"),
        fields: vec![
            ("patient", patient.to_string()),
            ("procedure_code", s("99213")),
            ("diagnosis_codes", s("E11.9, not-a-code")),
        ],
        form: format!("code-form-{invoice}"),
        field: format!("dc-{invoice}-1"),
        kept: vec![s(r#"value="99213""#), s(r#"value="E11.9, not-a-code""#)],
        chosen: vec![],
    };
    let restriction_row = Row {
        what: "a chart restricted to nobody",
        path: format!("/patients/{patient}/restriction"),
        fields: vec![("restricted", s("yes"))],
        form: s("restriction-form"),
        field: s("restrict-providers"),
        kept: vec![],
        chosen: vec![s(r#"name="restricted" value="yes" checked>"#)],
    };
    let compliance_rows = incident_rows
        .into_iter()
        .chain(request_rows)
        .chain(log_rows)
        .chain([restriction_row])
        .collect();
    for (client, rows) in [
        (&mut co, compliance_rows),
        (&mut desk, chart_rows),
        (&mut billing, vec![payment_row]),
        (&mut doc, vec![coding_row]),
    ] {
        for row in rows {
            let fields: Vec<(&str, &str)> = row.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, _, html) = client.post(&row.path, &fields).await;
            check(&row, status, &html);
        }
    }

    // An upload refused: the caption and the pair come back, the file is asked for again.
    doc.get(&format!("/patients/{patient}")).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", doc.csrf.clone())
        .text("caption", "Left forearm, 2 cm lesion")
        .text("pair", "before")
        .text("pair_label", "forearm")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"not a picture".to_vec()).file_name("lesion.txt"),
        );
    let res = doc
        .http
        .post(doc.url(&format!("/patients/{patient}/attachments")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let html = res.text().await.unwrap();
    check(
        &Row {
            what: "an upload",
            path: String::new(),
            fields: vec![],
            form: s("upload-form"),
            field: s("file"),
            kept: vec![s("Left forearm, 2 cm lesion"), s(r#"value="forearm""#)],
            chosen: vec![s(r#"<option value="before" selected>"#)],
        },
        status,
        &html,
    );
    assert!(html.contains("choose it again"), "the file is asked for again");
    // A file over the clinic's limit (10 MiB here): the same, the caption kept.
    let form = reqwest::multipart::Form::new()
        .text("csrf", doc.csrf.clone())
        .text("caption", "Wound, day 3")
        .text("pair", "")
        .text("pair_label", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![0xFF; 10 * 1024 * 1024 + 1]).file_name("wound.jpg"),
        );
    let res = doc
        .http
        .post(doc.url(&format!("/patients/{patient}/attachments")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let html = res.text().await.unwrap();
    check(
        &Row {
            what: "an upload over the size limit",
            path: String::new(),
            fields: vec![],
            form: s("upload-form"),
            field: s("file"),
            kept: vec![s("Wound, day 3")],
            chosen: vec![s(r#"<option value="" selected>"#)],
        },
        status,
        &html,
    );

    // An incident attachment sent without a file: the message at the file field.
    let res = co
        .http
        .post(co.url(&format!("/incidents/{incident}/attachments")))
        .multipart(reqwest::multipart::Form::new().text("csrf", co.csrf.clone()))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let html = res.text().await.unwrap();
    check(
        &Row {
            what: "an incident attachment without a file",
            path: String::new(),
            fields: vec![],
            form: s("attach-form"),
            field: s("file"),
            kept: vec![],
            chosen: vec![],
        },
        status,
        &html,
    );

    // Emergency access to a chart restricted to another provider: a reason too short to say
    // anything is refused at the reason, the choice and the words kept.
    let other = app
        .register_patient(&desk_token, "Omar", "Haddad", "1975-09-30", "5552017790")
        .await;
    let owner_token = app.api_login("owner").await;
    let provider_id = app.user_id(&owner_token, "provider").await.to_string();
    let (status, _, html) = co
        .post(
            &format!("/patients/{other}/restriction"),
            &[("restricted", "yes"), ("provider", &provider_id)],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    let mut nurse = PageClient::login(&app, "nurse").await;
    let (status, _, html) = nurse
        .post(
            &format!("/patients/{other}/break-glass"),
            &[("kind", "other"), ("reason", "urgent")],
        )
        .await;
    check(
        &Row {
            what: "emergency access with a reason too short",
            path: String::new(),
            fields: vec![],
            form: s("glass-form"),
            field: s("glass-reason"),
            kept: vec![s(r#"value="urgent""#)],
            chosen: vec![s(r#"<option value="other" selected>"#)],
        },
        status,
        &html,
    );

    // Two-step set-up: a wrong code keeps the same key and QR code, the message at the code.
    let roles = vec!["billing".to_owned()];
    app.state
        .app
        .create_user(
            &Actor::Cli,
            &NewUserInput {
                username: "newbiller",
                display_name: "New Biller",
                password: "invoices every friday morning",
                roles: &roles,
            },
        )
        .await
        .unwrap();
    let mut newbie = PageClient::new(&app);
    newbie.get("/login").await;
    let (status, _, _) = newbie
        .post(
            "/login",
            &[
                ("username", "newbiller"),
                ("password", "invoices every friday morning"),
                ("code", ""),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = newbie.get("/mfa/setup").await;
    let key = |page: &str| {
        let start = page.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
        page[start..start + page[start..].find('<').unwrap()].to_owned()
    };
    let secret = key(&page);
    let right = code_at(
        &TotpSecret::from_base32(&secret).unwrap(),
        u64::try_from(app.clock.now().unix_timestamp()).unwrap(),
    );
    let wrong = if right == "123456" { "654321" } else { "123456" };
    let (status, _, html) = newbie.post("/mfa/setup", &[("code", wrong)]).await;
    check(
        &Row {
            what: "a wrong set-up code",
            path: String::new(),
            fields: vec![],
            form: s("enroll-form"),
            field: s("code"),
            kept: vec![format!(r#"value="{wrong}""#)],
            chosen: vec![],
        },
        status,
        &html,
    );
    assert_eq!(key(&html), secret, "the same key, so the app's account still works");
    let (status, _, _) = newbie.post("/mfa/setup", &[("code", &right)]).await;
    assert_eq!(status, 200, "the code from the same key confirms it");
    app.stop().await;
}
