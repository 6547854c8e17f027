//! Staff account administration: one account per person, roles, clear errors.

use carekeep_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn usernames_are_unique_ignoring_case_and_bad_input_says_what_to_fix() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let create = |body: Value| app.api(Method::POST, "/api/v1/users", &owner).json(&body).send();
    let res = create(
        json!({"username": "JLee", "display_name": "J Lee", "password": "a sentence that is long", "roles": ["nurse"]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 201);
    let cases = [
        (
            json!({"username": "jlee", "password": "a sentence that is long", "roles": ["nurse"]}),
            409,
            "taken",
        ),
        (
            json!({"username": "kim", "password": "short", "roles": ["nurse"]}),
            422,
            "12 characters",
        ),
        (
            json!({"username": "kim", "password": "password1234!", "roles": ["nurse"]}),
            422,
            "common",
        ),
        (
            json!({"username": "kim", "password": "a sentence that is long", "roles": ["janitor"]}),
            422,
            "unknown role",
        ),
        (
            json!({"username": "kim", "password": "a sentence that is long", "roles": []}),
            422,
            "at least one role",
        ),
        (
            json!({"username": "k m", "password": "a sentence that is long", "roles": ["nurse"]}),
            422,
            "username",
        ),
    ];
    for (body, status, needle) in cases {
        let res = create(body.clone()).await.unwrap();
        assert_eq!(res.status(), status, "{body}");
        let msg: Value = res.json().await.unwrap();
        assert!(msg["message"].as_str().unwrap().contains(needle), "{body}: {msg}");
    }
    app.stop().await;
}

#[tokio::test]
async fn only_administrators_administer_and_the_clinic_keeps_one() {
    let app = TestApp::spawn().await;
    for who in ["provider", "nurse", "frontdesk", "billing", "compliance"] {
        let token = app.api_login(who).await;
        let res = app.api(Method::GET, "/api/v1/users", &token).send().await.unwrap();
        assert_eq!(res.status(), 403, "{who}");
    }
    let res = app.client().get(app.url("/api/v1/users")).send().await.unwrap();
    assert_eq!(res.status(), 401);

    let owner = app.api_login("owner").await;
    let (me, other) = (app.user_id(&owner, "owner").await, app.user_id(&owner, "drowner").await);
    let res = app
        .api(Method::POST, &format!("/api/v1/users/{me}/disable"), &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "cannot disable yourself");
    let res = app
        .api(Method::PUT, &format!("/api/v1/users/{other}/roles"), &owner)
        .json(&json!({"roles": ["provider"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .api(Method::PUT, &format!("/api/v1/users/{me}/roles"), &owner)
        .json(&json!({"roles": ["provider"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "the last administrator keeps the role");
    let msg: Value = res.json().await.unwrap();
    assert!(msg["message"].as_str().unwrap().contains("no enabled account"));
    let res = app
        .api(Method::GET, "/api/v1/users/424242", &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn roles_are_listed_with_their_data_classes() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let roles: Value = app
        .api(Method::GET, "/api/v1/roles", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fd = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "front_desk")
        .unwrap();
    assert_eq!(
        fd["grants"],
        json!({"identity": "read_write", "contact": "read_write", "scheduling": "read_write", "invoice_status": "read"})
    );
    app.stop().await;
}

/// The self-escalation findings the compliance officer sees.
async fn self_escalations(app: &TestApp) -> Vec<Value> {
    let co = app.api_login("compliance").await;
    let findings: Vec<Value> = app
        .api(Method::GET, "/api/v1/monitoring/findings", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    findings
        .into_iter()
        .filter(|f| f["rule"] == "self_escalation")
        .collect()
}

/// Granting oneself a role, or widening a role one holds, takes effect (a one-owner clinic
/// has nobody to confirm it) and is a monitoring finding at once, for the compliance officer
/// to review (164.308(a)(4)(ii)(C), 164.308(a)(1)(ii)(D)); administering others is not.
#[tokio::test]
async fn changing_ones_own_access_is_a_finding_the_same_day() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let (me, other) = (app.user_id(&owner, "owner").await, app.user_id(&owner, "drowner").await);
    let res = app
        .api(Method::PUT, &format!("/api/v1/users/{other}/roles"), &owner)
        .json(&json!({"roles": ["owner", "provider"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .api(Method::PUT, "/api/v1/roles/chart_reader", &owner)
        .json(&json!({"description": "Reads charts", "grants": {"identity": "read", "clinical": "read"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert!(
        self_escalations(&app).await.is_empty(),
        "administering others is not flagged"
    );

    let res = app
        .api(Method::PUT, &format!("/api/v1/users/{me}/roles"), &owner)
        .json(&json!({"roles": ["owner", "chart_reader"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the change takes effect");
    // Issue 25: changing one's own roles re-checks and stays signed in on this session.
    let res = app.api(Method::GET, "/api/v1/roles", &owner).send().await.unwrap();
    assert_eq!(res.status(), 200, "still signed in after changing one's own roles");
    let found = self_escalations(&app).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["actor"], "owner");
    assert!(found[0]["summary"].as_str().unwrap().contains("own roles"));

    // Widening a role one holds is the same thing by another door.
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::PUT, "/api/v1/roles/chart_reader", &owner)
        .json(&json!({"description": "Reads charts", "grants": {"identity": "read", "clinical": "read", "billing": "read"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let found = self_escalations(&app).await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found
        .iter()
        .any(|f| f["summary"].as_str().unwrap().contains("chart_reader")));
    app.stop().await;
}
