//! The Security Risk Assessment end to end: rows answered under 164.306(d), the system's
//! evidence (and a human answer it contradicts), assets and risks on the matrix, tasks on the
//! dashboard, finalisation that the database itself then refuses to change, the PDF with every
//! row of the rule, the next assessment as a copy, and the review flag on a new PHI vendor.

use crate::pdf_text;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.api(Method::GET, path, token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

async fn send(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, String) {
    let res = app.api(method, path, token).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn dashboard_item(app: &TestApp, token: &str, key: &str) -> Value {
    let items = get(app, token, "/api/v1/program/dashboard").await;
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()
        .clone()
}

fn row<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["rows"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()
}

#[tokio::test]
async fn an_assessment_from_first_answer_to_signature_and_the_next_one() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    assert_eq!(dashboard_item(&app, &owner, "sra").await["standing"], "gap");

    let (status, body) = send(&app, &owner, Method::POST, "/api/v1/sra", json!({})).await;
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let (status, body) = send(&app, &owner, Method::POST, "/api/v1/sra", json!({})).await;
    assert_eq!(status, 409, "one open at a time: {body}");
    let base = format!("/api/v1/sra/{id}");
    let view = get(&app, &owner, &base).await;
    assert_eq!(view["rows"].as_array().unwrap().len(), 53);
    let carekeep = &view["assets"][0];
    assert_eq!(
        (carekeep["name"].as_str(), carekeep["system"].as_bool()),
        (Some("Carekeep"), Some(true))
    );
    assert!(carekeep["notes"].as_str().unwrap().contains("field-level encryption"));
    assert_eq!(row(&view, "TEC-07")["evidence_ok"], true);
    assert_eq!(
        row(&view, "TEC-09")["evidence_ok"],
        false,
        "the test server speaks plain HTTP"
    );

    // 164.306(d): what each answer needs.
    for (spec, body, says) in [
        ("TEC-04", json!({"answer": "not_implemented"}), "164.306(d)(3)"),
        (
            "ADM-09",
            json!({"answer": "alternative", "reason": "we do it differently", "measure": "something else entirely"}),
            "required",
        ),
        ("ORG-04", json!({"answer": "not_applicable"}), "why it does not apply"),
        ("ADM-01", json!({"answer": "maybe"}), "choose implemented"),
        ("XYZ-01", json!({"answer": "implemented"}), "not found"),
    ] {
        let (status, text) = send(&app, &owner, Method::PUT, &format!("{base}/answers/{spec}"), body).await;
        assert!(status == 422 || status == 404, "{spec}: {status}");
        assert!(text.contains(says), "{spec}: {text}");
    }
    let (status, _) = send(
        &app,
        &owner,
        Method::PUT,
        &format!("{base}/answers/PHY-04"),
        json!({"answer": "not_implemented", "reason": "the landlord keeps the building's records", "measure": "we ask the landlord for the log each year"}),
    )
    .await;
    assert_eq!(status, 204);

    // Assets and risks: a lost laptop is likely-moderate x impact-high = high; it cannot be accepted.
    let (status, body) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/assets"),
        json!({"name": "Dr Owner's laptop", "kind": "laptop", "owner": "Olivia", "holds_ephi": true, "screen_lock": true}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let laptop = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let (status, _) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/assets"),
        json!({"name": "Thing", "kind": "spaceship"}),
    )
    .await;
    assert_eq!(status, 422);
    let risk = json!({"threat": "lost_device", "asset_id": laptop, "treatment": "accept", "justification": "it has never happened to us"});
    let (status, text) = send(&app, &owner, Method::POST, &format!("{base}/risks"), risk).await;
    assert_eq!(status, 422);
    assert!(text.contains("high risk cannot be accepted"), "{text}");
    let (status, body) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/risks"),
        json!({"threat": "lost_device", "asset_id": laptop, "treatment": "mitigate"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let risk_id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let view = get(&app, &owner, &base).await;
    // The laptop's inventory gaps (never recorded as patched) raised a risk of their own.
    let r = view["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == risk_id)
        .unwrap();
    assert_eq!(
        (r["level"].as_str(), r["asset"].as_str()),
        (Some("high"), Some("Dr Owner's laptop"))
    );
    // A task due within 30 days puts the plan on the dashboard (the test clock is 2026-03-02).
    let (status, body) = send(
        &app,
        &owner,
        Method::POST,
        &format!("/api/v1/sra/risks/{risk_id}/tasks"),
        json!({"title": "Turn on full-disk encryption", "owner": "Olivia", "due_on": "2026-03-20"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let task = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    assert_eq!(
        dashboard_item(&app, &owner, "remediation").await["standing"],
        "due_soon"
    );

    // The system's evidence follows the system: one PHI account loses its authenticator.
    let (status, _) = send(
        &app,
        &owner,
        Method::PUT,
        &format!("{base}/answers/TEC-07"),
        json!({"answer": "implemented"}),
    )
    .await;
    assert_eq!(status, 204);
    let nurse = app.user_id(&owner, "nurse").await;
    let (status, _) = send(
        &app,
        &owner,
        Method::POST,
        &format!("/api/v1/users/{nurse}/reset-mfa"),
        json!({}),
    )
    .await;
    assert_eq!(status, 204);
    let view = get(&app, &owner, &base).await;
    let mfa = row(&view, "TEC-07");
    assert_eq!(mfa["evidence_ok"], false);
    assert!(mfa["evidence"].as_str().unwrap().contains("nurse"), "{mfa}");
    assert_eq!(mfa["contradicted"], true);

    // Finalising: review first, every row answered, no contradiction.
    let (status, _) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/status"),
        json!({"status": "final", "signed_name": "Olivia Owner"}),
    )
    .await;
    assert_eq!(status, 409, "a draft goes to review first");
    let (status, _) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/status"),
        json!({"status": "review"}),
    )
    .await;
    assert_eq!(status, 204);
    let (status, text) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/status"),
        json!({"status": "final", "signed_name": "Olivia Owner"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("still open") && text.contains("ADM-01"), "{text}");
    let view = get(&app, &owner, &base).await;
    for r in view["rows"].as_array().unwrap() {
        let spec = r["id"].as_str().unwrap();
        if !r["answer"].as_str().unwrap().is_empty() && spec != "TEC-07" {
            continue;
        }
        let body = match spec {
            "TEC-07" => json!({"answer": "not_implemented", "reason": "nurse is re-enrolling this week"}),
            s if s.starts_with("ORG-0") && s != "ORG-01" && s != "ORG-03" || s == "ADM-09" => {
                json!({"answer": "not_applicable", "reason": "a clinic: not a clearinghouse, health plan or government body"})
            }
            _ if r["evidence"].as_str().unwrap().is_empty() => json!({"answer": "implemented"}),
            _ => continue,
        };
        let (status, text) = send(&app, &owner, Method::PUT, &format!("{base}/answers/{spec}"), body).await;
        assert_eq!(status, 204, "{spec}: {text}");
    }
    // Issue 25: a moderate risk to mitigate needs a task with an owner and a due date too, and
    // the signer gives a full name, not "Sam" (164.308(a)(1)(ii)(B), 164.316(b)(1)).
    let (status, body) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/risks"),
        json!({"threat": "phishing", "likelihood": "moderate", "impact": "moderate", "treatment": "mitigate"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let moderate = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let (status, text) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/status"),
        json!({"status": "final", "signed_name": "Olivia Owner"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        text.contains("a risk above low is to be mitigated without a remediation task"),
        "{text}"
    );
    let (status, body) = send(
        &app,
        &owner,
        Method::POST,
        &format!("/api/v1/sra/risks/{moderate}/tasks"),
        json!({"title": "Phishing drill for the front desk", "owner": "Cora Compliance", "due_on": "2026-04-30"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    for name in ["Sam", "S. R."] {
        let (status, text) = send(
            &app,
            &owner,
            Method::POST,
            &format!("{base}/status"),
            json!({"status": "final", "signed_name": name}),
        )
        .await;
        assert_eq!(status, 422, "{name}");
        assert!(text.contains("sign with your full name"), "{text}");
    }
    let (status, text) = send(
        &app,
        &owner,
        Method::POST,
        &format!("{base}/status"),
        json!({"status": "final", "signed_name": "Olivia Owner"}),
    )
    .await;
    assert_eq!(status, 204, "{text}");
    let sra = dashboard_item(&app, &owner, "sra").await;
    assert_eq!(sra["standing"], "done", "{sra}");
    assert!(sra["evidence"].as_str().unwrap().contains("2027-03-02"), "{sra}");
    let view = get(&app, &owner, &base).await;
    assert_eq!(view["editable"], false);
    let tls = row(&view, "TEC-09");
    assert_eq!(
        (tls["answer"].as_str(), tls["evidence_ok"].as_bool()),
        (Some("not_implemented"), Some(false)),
        "the system's answer, kept with its evidence"
    );

    // Never changes: refused by the app, and by the database itself.
    let (status, text) = send(
        &app,
        &owner,
        Method::PUT,
        &format!("{base}/answers/ADM-01"),
        json!({"answer": "implemented"}),
    )
    .await;
    assert_eq!(status, 409, "{text}");
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    for sql in [
        format!("UPDATE sra_answers SET answer = 'implemented' WHERE assessment_id = {id}"),
        format!("UPDATE sra_assessments SET title = 'edited' WHERE id = {id}"),
        format!("DELETE FROM sra_risks WHERE assessment_id = {id}"),
        format!("INSERT INTO sra_assets (assessment_id, name, kind, holds_ephi, encrypted, screen_lock, patched, backed_up) VALUES ({id}, 'x', 'other', 0, 0, 0, 0, 0)"),
        format!("DELETE FROM sra_assessments WHERE id = {id}"),
    ] {
        let err = sqlx::query(&sql).execute(&mut *conn).await.unwrap_err();
        assert!(err.to_string().contains("never changes") || err.to_string().contains("are kept"), "{sql}: {err}");
    }
    drop(conn);
    // The plan keeps moving after finalisation.
    let (status, _) = send(
        &app,
        &owner,
        Method::POST,
        &format!("/api/v1/sra/tasks/{task}/done"),
        json!({}),
    )
    .await;
    assert_eq!(status, 204);
    // The tasks the laptop's inventory gaps raised (never patched, no disk encryption) too, and
    // the phishing drill.
    let open: Vec<i64> = get(&app, &owner, &base).await["risks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["tasks"].as_array().unwrap().clone())
        .filter(|t| t["done_on"] == "")
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(open.len(), 3, "{open:?}");
    for t in open {
        let (status, _) = send(
            &app,
            &owner,
            Method::POST,
            &format!("/api/v1/sra/tasks/{t}/done"),
            json!({}),
        )
        .await;
        assert_eq!(status, 204);
    }
    assert_eq!(dashboard_item(&app, &owner, "remediation").await["standing"], "done");

    // The report holds every row of the rule.
    let res = app
        .api(Method::GET, &format!("{base}/report"), &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = pdf_text(&res.bytes().await.unwrap());
    let csv = include_str!("../../../carekeep-domain/src/program/sra/security-rule-specs.csv");
    for line in csv.lines().skip(1) {
        let spec = line.split(',').next().unwrap();
        assert!(text.contains(spec), "the report lacks {spec}");
    }
    assert!(text.contains("Olivia Owner") && text.contains("Dr Owner"));

    // The next one starts as a copy of this one.
    let (status, body) = send(&app, &owner, Method::POST, "/api/v1/sra", json!({})).await;
    assert_eq!(status, 201, "{body}");
    let next = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let copy = get(&app, &owner, &format!("/api/v1/sra/{next}")).await;
    assert_eq!(
        row(&copy, "PHY-04")["reason"],
        "the landlord keeps the building's records"
    );
    assert_eq!(copy["assets"].as_array().unwrap().len(), 2);
    assert!(copy["summary"].is_null(), "the summary is flattened");
    let threats: Vec<&str> = copy["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["threat"].as_str().unwrap())
        .collect();
    assert!(threats.contains(&"Lost or stolen laptop or phone"), "{threats:?}");
    // A device at a new location after the last finalised assessment calls for a review.
    assert_eq!(dashboard_item(&app, &owner, "sra").await["standing"], "done");
    let (status, _) = send(
        &app,
        &owner,
        Method::POST,
        &format!("/api/v1/sra/{next}/assets"),
        json!({"name": "Annex tablet", "kind": "tablet", "location": "Annex office", "holds_ephi": true}),
    )
    .await;
    assert_eq!(status, 201);
    let sra = dashboard_item(&app, &owner, "sra").await;
    assert_eq!(sra["standing"], "gap");
    assert!(
        sra["evidence"]
            .as_str()
            .unwrap()
            .contains("new location (Annex tablet)"),
        "{sra}"
    );
    let register = get(&app, &owner, "/api/v1/sra/register").await;
    // Each assessment's four (the manual one, the phishing one and the laptop's two gaps), and
    // the tablet's two gaps.
    assert_eq!(register.as_array().unwrap().len(), 10, "the register spans assessments");
    app.stop().await;
}

#[tokio::test]
async fn the_assessment_pages() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, html) = owner.get("/program/sra").await;
    assert_eq!(status, 200);
    assert!(html.contains("No assessment yet"));
    let (status, location, _) = owner.post("/program/sra", &[]).await;
    assert_eq!(status, 303);
    let path = location.unwrap();
    let (status, html) = owner.get(&path).await;
    assert_eq!(status, 200);
    assert!(html.contains("TEC-04") && html.contains("filled in by Carekeep") && html.contains("From the system"));
    let (status, _, body) = owner
        .post(
            &format!("{path}/answers/TEC-04"),
            &[("answer", "not_implemented"), ("reason", ""), ("measure", "")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("164.306(d)(3)"));
    let (status, _, _) = owner
        .post(
            &format!("{path}/risks"),
            &[("threat", "phishing"), ("treatment", "mitigate")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html) = owner.get(&path).await;
    assert!(html.contains("Phishing email"));
    let (status, _) = owner.get(&format!("{path}/report.pdf")).await;
    assert_eq!(status, 200);
    let mut desk = PageClient::login(&app, "frontdesk").await;
    let (status, _) = desk.get("/program/sra").await;
    assert_eq!(status, 403);

    // A new security officer is a significant change.
    let token = app.api_login("owner").await;
    let nurse = app.user_id(&token, "nurse").await;
    let (status, _) = send(
        &app,
        &token,
        Method::PUT,
        &format!("/api/v1/users/{nurse}/roles"),
        json!({"roles": ["nurse", "compliance_officer"]}),
    )
    .await;
    assert_eq!(status, 200);
    let sra = dashboard_item(&app, &token, "sra").await;
    assert!(
        sra["evidence"]
            .as_str()
            .unwrap()
            .contains("security officer changed (nurse)"),
        "{sra}"
    );
    app.stop().await;
}
