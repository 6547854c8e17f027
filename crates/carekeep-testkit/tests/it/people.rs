//! People acting for the patient (issue 27 item 4): persons involved in care (164.510(b)) and
//! personal representatives (164.502(g)) on the chart under the contact class's policy, and the
//! front desk's phone screen: the caller's answer in words, the 164.514(h) check, the call in
//! the disclosure log and not in the accounting (164.528(a)(1)(v)).

use crate::records::{CLASSES, MATRIX, ROLES};
use carekeep_app::people::PersonInput;
use carekeep_domain::people::Item;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// The id in `name="person" value="N"` of the first answer for `name` on the phone screen.
fn person_id_after(html: &str, name: &str) -> i64 {
    let at = html
        .find(&format!("aria-label=\"{name}\""))
        .expect("an answer for the name");
    let rest = &html[at..];
    let v = &rest[rest.find("name=\"person\" value=\"").expect("a record form") + 21..];
    v[..v.find('"').unwrap()].parse().unwrap()
}

async fn events(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app
        .api(Method::GET, "/api/v1/audit/events?limit=1000", token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Vec<Value>>().await.unwrap()
}

#[tokio::test]
async fn the_phone_screen_records_a_verified_disclosure_and_the_accounting_keeps_only_what_belongs() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let id = app
        .register_patient(&desk, "Alma", "Quenby", "1980-04-23", "555-201-3344")
        .await;
    let mut page = PageClient::login(&app, "frontdesk").await;
    let (status, _) = page.get(&format!("/patients/{id}")).await;
    assert_eq!(status, 200);
    let (status, location, body) = page
        .post(
            &format!("/patients/{id}/people"),
            &[
                ("name", "Rosa Díaz"),
                ("relationship", "daughter"),
                ("phone", "555-201-7788"),
                ("topic_appointments", "yes"),
                ("topic_billing", "yes"),
                ("words", "Only about\r\nher knee"),
                ("agreed", "oral"),
                ("agreed_on", "02/23/2026"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some(format!("/patients/{id}?done=person#people").as_str())
    );
    let (_, chart) = page.get(&format!("/patients/{id}")).await;
    let card = &chart[chart.find("id=\"people\"").expect("the card")..];
    assert!(card.contains("Rosa Díaz") && card.contains("(555) 201-7788"), "{card}");
    assert!(card.contains("Agreed out loud on 02/23/2026"), "US dates: {card}");
    assert!(card.contains("Only about\nher knee"), "line break kept as typed");

    // The caller's name travels in the body; the answer is in words.
    let (status, _) = page.get(&format!("/patients/{id}/caller")).await;
    assert_eq!(status, 200);
    let (status, _, answer) = page.post(&format!("/patients/{id}/caller"), &[("q", "rosa")]).await;
    assert_eq!(status, 200);
    assert!(answer.contains("You may tell them") && answer.contains("Appointments (dates and times)"));
    assert!(
        answer.contains("Do not tell them") && answer.contains("Test results"),
        "{answer}"
    );
    let rosa = person_id_after(&answer, "Rosa Díaz");
    let (_, _, nobody) = page
        .post(&format!("/patients/{id}/caller"), &[("q", "Bartholomew")])
        .await;
    assert!(nobody.contains("No one by that name is listed"));

    // No check ticked: refused at the field, what was typed kept.
    let record = format!("/patients/{id}/caller/record");
    let person = rosa.to_string();
    let (status, _, refused) = page
        .post(
            &record,
            &[
                ("q", "rosa"),
                ("person", &person),
                ("shared", "Her visit is Tuesday at 10:00 AM"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(refused.contains(&format!("id=\"checks-{rosa}-error\"")), "{refused}");
    assert!(refused.contains("Her visit is Tuesday at 10:00 AM"), "typing kept");
    let (status, location, _) = page
        .post(
            &record,
            &[
                ("q", "rosa"),
                ("person", &person),
                ("check_birth_date", "yes"),
                ("check_appointment", "yes"),
                ("shared", "Her visit is Tuesday at 10:00 AM"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("/patients/{id}/caller?done=recorded").as_str())
    );
    let (_, after) = page.get(&format!("/patients/{id}/caller?done=recorded")).await;
    let calls = &after[after.find("id=\"calls-h\"").unwrap()..];
    assert!(
        calls.contains("date of birth") && calls.contains("Her visit is Tuesday at 10:00 AM"),
        "{calls}"
    );

    // The log holds it, exempt (164.528(a)(1)(v)); the accounting lists only the public-health
    // disclosure logged beside it.
    let co = app.api_login("compliance").await;
    let res = app
        .api(Method::POST, &format!("/api/v1/patients/{id}/disclosures"), &co)
        .json(
            &json!({"disclosed_on": "2026-02-10", "recipient": "State Immunization Registry",
            "description": "immunizations", "purpose": "required reporting", "basis": "public_health"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let log: Vec<Value> = app
        .api(Method::GET, &format!("/api/v1/patients/{id}/disclosures"), &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let call = log
        .iter()
        .find(|d| d["basis"] == "directory_or_involved")
        .expect("the call");
    assert_eq!(call["exempt_under"], "164.528(a)(1)(v)");
    assert!(call["recipient"].as_str().unwrap().starts_with("Rosa Díaz (daughter)"));
    assert_eq!(call["description"], "Her visit is Tuesday at 10:00 AM");
    let pdf = app
        .api(Method::GET, &format!("/api/v1/patients/{id}/accounting"), &co)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = crate::pdf_text(&pdf);
    assert!(text.contains("State Immunization Registry"), "{text}");
    assert!(
        !text.contains("Rosa"),
        "a 164.510(b) disclosure is not accounted for: {text}"
    );

    // Every view, search and record is on the trail, naming no one in its reason.
    let all = events(&app, &co).await;
    let pid = id.to_string();
    let of = |rt: &str, reason: &str| {
        all.iter()
            .any(|e| e["resource_type"] == rt && e["reason"] == reason && e["patients"] == pid.as_str())
    };
    assert!(of("CarePerson", "person involved in care added"));
    assert!(of("CarePeople", "people acting for the patient viewed"));
    assert!(of("CarePeople", "caller looked up"));
    assert!(of("CallerCheck", "phone call answered"));
    assert!(
        !all.iter().any(|e| e.to_string().contains("Rosa")),
        "no names on the trail"
    );
    app.stop().await;
}

#[tokio::test]
async fn revoked_expired_and_suspended_people_may_not_be_told() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let id = app
        .register_patient(&desk, "Bea", "Quenby", "1950-01-02", "555-201-3344")
        .await;
    let who = app.principal(&desk).await;
    let add = |input: PersonInput| {
        let app = &app.state.app;
        let who = &who;
        async move { app.add_person(&who.actor(), id, input).await.unwrap() }
    };
    let rosa = add(PersonInput {
        kind: "involved".into(),
        name: "Rosa Quenby".into(),
        topics: vec!["involvement".into()],
        agreed: "written".into(),
        agreed_on: "2026-01-05".into(),
        ..PersonInput::default()
    })
    .await;
    let old = add(PersonInput {
        kind: "representative".into(),
        name: "Otto Quenby".into(),
        basis: "health_care_poa".into(),
        starts_on: "01/01/2020".into(),
        ends_on: "01/01/2021".into(),
        document_name: "poa.pdf".into(),
        document: PDF.to_vec(),
        ..PersonInput::default()
    })
    .await;
    let sue = add(PersonInput {
        kind: "representative".into(),
        name: "Sue Quenby".into(),
        basis: "court_guardian".into(),
        starts_on: "2026-01-01".into(),
        document_name: "order.pdf".into(),
        document: PDF.to_vec(),
        ..PersonInput::default()
    })
    .await;
    let mut page = PageClient::login(&app, "frontdesk").await;
    page.get(&format!("/patients/{id}")).await;
    let (status, _, _) = page.post(&format!("/patients/{id}/people/{rosa}/revoke"), &[]).await;
    assert_eq!(status, 303);
    // The front desk may not record a clinician's (g)(5) judgment.
    let (status, _, _) = page
        .post(
            &format!("/patients/{id}/representatives/{sue}/suspend"),
            &[("reason", "Bruises seen and the patient is afraid of her")],
        )
        .await;
    assert_eq!(status, 403);
    let mut doc = PageClient::login(&app, "provider").await;
    doc.get(&format!("/patients/{id}")).await;
    let (status, _, short) = doc
        .post(
            &format!("/patients/{id}/representatives/{sue}/suspend"),
            &[("reason", "abuse")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        short.contains(&format!("id=\"suspend-reason-{sue}-error\"")),
        "at the field"
    );
    let (status, _, _) = doc
        .post(
            &format!("/patients/{id}/representatives/{sue}/suspend"),
            &[("reason", "Bruises seen and the patient is afraid of her")],
        )
        .await;
    assert_eq!(status, 303);

    let (_, chart) = page.get(&format!("/patients/{id}")).await;
    let card = &chart[chart.find("id=\"people\"").unwrap()..];
    let said = |pid: i64| {
        let at = card
            .find(&format!("id=\"person-{pid}\""))
            .or_else(|| card.find(&format!("id=\"rep-{pid}\"")))
            .unwrap();
        card[at..at + card[at..].find("</li>").unwrap()].to_owned()
    };
    assert!(said(rosa).contains("May not be told anything") && said(rosa).contains("withdrew this on 03/02/2026"));
    assert!(
        said(old).contains("May not be told anything")
            && said(old).contains("Expired: the document ended on 01/01/2021")
    );
    assert!(said(sue).contains("May not be told anything") && said(sue).contains("Suspended on 03/02/2026"));
    assert!(!card.contains("Bruises"), "the reason is not the front desk's to read");
    let (_, clinical) = doc.get(&format!("/patients/{id}")).await;
    assert!(
        clinical.contains("Bruises seen and the patient is afraid of her"),
        "a clinician reads the judgment"
    );
    // The rows stay; none may be told, on the phone screen either; a call is refused.
    for (name, pid) in [("Rosa Quenby", rosa), ("Otto Quenby", old), ("Sue Quenby", sue)] {
        let (_, _, answer) = page.post(&format!("/patients/{id}/caller"), &[("q", name)]).await;
        let at = answer.find(&format!("aria-label=\"{name}\"")).unwrap();
        let part = &answer[at..];
        assert!(part.contains("May not be told anything"), "{name}");
        assert!(
            !part[..part.find("</article>").unwrap()].contains("Record the call"),
            "{name}"
        );
        let (status, _, _) = page
            .post(
                &format!("/patients/{id}/caller/record"),
                &[
                    ("person", &pid.to_string()),
                    ("check_known", "yes"),
                    ("check_document", "yes"),
                    ("shared", "x"),
                ],
            )
            .await;
        assert_eq!(status, 422, "{name}: a call to someone who may not be told is refused");
    }
    // The document opens for the front desk, audited.
    let (status, body) = page
        .get(&format!("/patients/{id}/representatives/{sue}/document"))
        .await;
    assert_eq!((status, body.as_bytes()), (200, PDF));
    app.stop().await;
}

#[tokio::test]
async fn a_minors_representative_sees_the_record_except_the_own_consent_care() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let doc = app.api_login("provider").await;
    // 12 on the test clock's today.
    let id = app
        .register_patient(&desk, "Cleo", "Quenby", "2014-03-01", "555-201-3344")
        .await;
    let note = |assessment: &'static str| {
        let app = &app;
        let doc = &doc;
        async move {
            let res = app
                .api(Method::POST, &format!("/api/v1/patients/{id}/notes"), doc)
                .json(&json!({"assessment": assessment}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let flu = note("influenza").await;
    let private = note("care the minor consented to alone").await;
    let who = app.principal(&desk).await;
    let mom = app
        .state
        .app
        .add_person(
            &who.actor(),
            id,
            PersonInput {
                kind: "representative".into(),
                name: "Mona Quenby".into(),
                relationship: "mother".into(),
                basis: "parent_of_minor".into(),
                starts_on: "03/01/2014".into(),
                document_name: "birth.pdf".into(),
                document: PDF.to_vec(),
                ..PersonInput::default()
            },
        )
        .await
        .unwrap();
    // The marking is a clinician's: refused to the front desk.
    let mut page = PageClient::login(&app, "frontdesk").await;
    page.get(&format!("/patients/{id}")).await;
    let item = format!("note-{private}");
    let (status, _, _) = page
        .post(&format!("/patients/{id}/own-consent"), &[("item", &item)])
        .await;
    assert_eq!(status, 403);
    let mut clinician = PageClient::login(&app, "provider").await;
    let (_, chart) = clinician.get(&format!("/patients/{id}")).await;
    assert!(
        chart.contains("Care the minor consented to alone"),
        "offered for a minor"
    );
    let (status, _, _) = clinician
        .post(&format!("/patients/{id}/own-consent"), &[("item", &item)])
        .await;
    assert_eq!(status, 303);

    let sees = app
        .state
        .app
        .what_representative_sees(&who.actor(), id, mom)
        .await
        .unwrap();
    assert!(sees.standing.may_act());
    assert_eq!(sees.classes.len(), CLASSES.len(), "every class, as the patient would");
    assert_eq!(sees.excluded, vec![Item::Note(private)]);
    assert!(!sees.excluded.contains(&Item::Note(flu)));
    assert!(sees.excluded_why.contains("164.502(g)(3)(i)"));
    assert_eq!(
        sees.words,
        "The record, as the patient would, except 1 item of care the patient consented to alone."
    );
    // The phone screen says it in words too.
    let (_, _, answer) = page.post(&format!("/patients/{id}/caller"), &[("q", "Mona")]).await;
    assert!(
        answer.contains("except 1 item of care the patient consented to alone"),
        "{answer}"
    );
    assert!(answer.contains(&format!("Note {private}")));
    app.stop().await;
}

/// The people's rows are the contact class: whoever reads contact sees the card, whoever
/// writes it adds people; the rest are refused, and each refusal is recorded.
#[tokio::test]
async fn the_role_by_class_matrix_holds_for_people_acting_for_the_patient() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let id = app
        .register_patient(&desk, "Dora", "Quenby", "1970-05-06", "555-201-3344")
        .await;
    let contact = CLASSES.iter().position(|c| *c == "contact").unwrap();
    for (r, role) in ROLES.iter().enumerate() {
        let (reads, writes) = MATRIX[contact][r];
        let mut page = PageClient::login(&app, role).await;
        let (status, chart) = page.get(&format!("/patients/{id}")).await;
        assert_eq!(chart.contains("id=\"people\""), reads && status == 200, "{role} card");
        let (status, _, _) = page
            .post(
                &format!("/patients/{id}/people"),
                &[
                    ("name", &format!("Friend of {role}")),
                    ("topic_billing", "yes"),
                    ("agreed", "oral"),
                    ("agreed_on", "02/23/2026"),
                ],
            )
            .await;
        assert_eq!(status, if writes { 303 } else { 403 }, "{role} adds");
        let (status, _) = page.get(&format!("/patients/{id}/caller")).await;
        assert_eq!(status, if reads { 200 } else { 403 }, "{role} phone screen");
    }
    let co = app.api_login("compliance").await;
    let pid = id.to_string();
    let denied: Vec<Value> = events(&app, &co)
        .await
        .into_iter()
        .filter(|e| e["outcome"] == "denied" && e["patients"] == pid.as_str())
        .collect();
    assert!(denied.len() >= 2, "the refusals are recorded: {denied:?}");
    app.stop().await;
}
