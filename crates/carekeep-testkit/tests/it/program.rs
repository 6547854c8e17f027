//! The compliance program: the dashboard's evidence from the running system, vendors and BAAs
//! with the BAA gate, and the signed agreement stored encrypted.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn item(app: &TestApp, token: &str, key: &str) -> Value {
    let items: Vec<Value> = app
        .api(Method::GET, "/api/v1/program/dashboard", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    items
        .into_iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no item {key}"))
}

#[tokio::test]
async fn vendors_baas_and_the_gate_show_on_the_dashboard() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let desk = app.api_login("frontdesk").await;
    assert_eq!(
        app.api(Method::GET, "/api/v1/program/dashboard", &desk)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let v = item(&app, &owner, "vendors").await;
    assert_eq!(v["standing"], "gap");
    assert!(v["evidence"].as_str().unwrap().contains("No vendors"));
    assert_eq!(
        item(&app, &owner, "mfa").await["standing"],
        "done",
        "every seeded account enrolled"
    );
    let accounts = item(&app, &owner, "accounts").await;
    assert_eq!(accounts["standing"], "gap");
    assert!(
        accounts["evidence"].as_str().unwrap().contains("frontdesk"),
        "{accounts}"
    );

    // A PHI vendor with no BAA: a gap, the SRA needs review, and the gate refuses.
    let res = app
        .api(Method::POST, "/api/v1/vendors", &owner)
        .json(&json!({"name": "Cloudvault Backup", "service": "Off-site backup", "maintains_phi": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let vendor: Value = res.json().await.unwrap();
    let id = vendor["id"].as_i64().unwrap();
    assert_eq!(vendor["needs_baa"], true);
    assert_eq!(vendor["standing"], "gap");
    let v = item(&app, &owner, "vendors").await;
    assert_eq!(v["standing"], "gap");
    assert!(v["evidence"].as_str().unwrap().contains("Cloudvault Backup"));
    assert!(item(&app, &owner, "sra").await["evidence"]
        .as_str()
        .unwrap()
        .contains("Cloudvault Backup"));
    let refused = app.state.app.phi_send_allowed(id).await.unwrap_err();
    assert!(
        refused.to_string().contains("no signed business associate agreement"),
        "{refused}"
    );

    // Bad input says what to fix.
    for (body, says) in [
        (
            json!({"name": "Cloudvault Backup", "service": "Off-site backup", "maintains_phi": true, "baa_status": "signed"}),
            "date it was signed",
        ),
        (
            json!({"name": "Cloudvault Backup", "service": "Off-site backup", "baa_status": "signed", "baa_signed_on": "2026-01-01", "baa_renewal_on": "2025-01-01"}),
            "before the effective date",
        ),
        (
            json!({"name": "Cloudvault Backup", "service": "Off-site backup", "baa_status": "maybe"}),
            "BAA status",
        ),
        (json!({"name": "", "service": "x"}), "name"),
    ] {
        let res = app
            .api(Method::PUT, &format!("/api/v1/vendors/{id}"), &owner)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(says), "{says}");
    }

    // Signed, renewing tomorrow (the test clock is 2026-03-02): in force, due soon; the gate allows.
    let res = app
        .api(Method::PUT, &format!("/api/v1/vendors/{id}"), &owner)
        .json(
            &json!({"name": "Cloudvault Backup", "service": "Off-site backup", "maintains_phi": true,
            "baa_status": "signed", "baa_signed_on": "2025-03-03", "baa_renewal_on": "2026-03-03"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(item(&app, &owner, "vendors").await["standing"], "due_soon");
    app.state.app.phi_send_allowed(id).await.unwrap();
    // Two days on, it has lapsed.
    app.clock.advance(time::Duration::days(2));
    let owner = app.api_login("owner").await;
    assert_eq!(item(&app, &owner, "vendors").await["standing"], "gap");
    assert!(app.state.app.phi_send_allowed(id).await.is_err());

    // The signed agreement, stored encrypted and read back; viewing it is audited.
    let pdf = b"%PDF-1.4\nCLOUDVAULT-BAA-MARKER\n%%EOF\n";
    use base64::Engine;
    let res = app
        .api(Method::PUT, &format!("/api/v1/vendors/{id}/document"), &owner)
        .json(&json!({"filename": "cloudvault-baa.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(pdf)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .api(Method::GET, &format!("/api/v1/vendors/{id}/document"), &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf);
    let mut conn = app.state.app.store_for_tests().read().await.unwrap();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT document_ct FROM vendors WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert!(
        !stored.windows(22).any(|w| w == b"CLOUDVAULT-BAA-MARKER\n"),
        "stored encrypted"
    );
    let co = app.api_login("compliance").await;
    let events: Vec<Value> = app
        .api(Method::GET, "/api/v1/audit/events?action=program.document_viewed", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_dashboard_takes_mfa_from_the_accounts_and_the_pages_work() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let res = app
        .api(Method::POST, "/api/v1/users", &owner)
        .json(&json!({"username": "mhale", "display_name": "Mina Hale", "password": "a long and quiet sentence", "roles": ["nurse"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let mfa = item(&app, &owner, "mfa").await;
    assert_eq!(mfa["standing"], "gap");
    assert!(mfa["evidence"].as_str().unwrap().contains("mhale"));

    let mut page = PageClient::login(&app, "owner").await;
    let (status, html) = page.get("/program").await;
    assert_eq!(status, 200);
    assert!(html.contains("Two-step verification on every account") && html.contains("mhale"));
    let (status, location, body) = page
        .post(
            "/program/vendors",
            &[
                ("name", "Inkwell Billing"),
                ("service", "Claims"),
                ("receives_phi", "yes"),
                ("baa_status", "requested"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (_, html) = page.get(location.as_deref().unwrap()).await;
    assert!(html.contains("Inkwell Billing") && html.contains("it has none in force today"));
    let (status, _, body) = page
        .post(
            "/program/vendors",
            &[("name", "Bad"), ("service", "x"), ("baa_status", "signed")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("date it was signed"));
    let mut desk = PageClient::login(&app, "frontdesk").await;
    assert_eq!(desk.get("/program").await.0, 403);
    assert_eq!(desk.get("/program/vendors").await.0, 403);
    app.stop().await;
}

#[tokio::test]
async fn the_program_has_its_json_api_too() {
    let app = TestApp::spawn().await;
    let owner = app.api_login("owner").await;
    let desk = app.api_login("frontdesk").await;
    let res = app
        .api(Method::POST, "/api/v1/workforce", &owner)
        .json(&json!({"name": "Frank Frontdesk", "username": "frontdesk", "hired_on": "2026-02-20"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let person = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .api(Method::POST, &format!("/api/v1/workforce/{person}/training"), &owner)
        .json(&json!({"title": "Annual privacy refresher", "completed_on": "2026-03-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let roster: Vec<Value> = app
        .api(Method::GET, "/api/v1/workforce", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(roster[0]["training_due"], "2027-03-01");
    assert_eq!(
        app.api(Method::GET, "/api/v1/workforce", &desk)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let res = app
        .api(Method::PUT, "/api/v1/policies/sanctions", &owner)
        .json(&json!({"title": "Sanctions", "body": "Consequences fit what happened."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mine: Vec<Value> = app
        .api(Method::GET, "/api/v1/me/policies", &desk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["acknowledged"], false);
    let reminders: Vec<Value> = app
        .api(Method::GET, "/api/v1/me/reminders", &desk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(reminders.iter().any(|r| r["href"] == "/policies"), "{reminders:?}");
    let version = mine[0]["version_id"].as_i64().unwrap();
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/me/policies/{version}/acknowledge"),
            &desk,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let policies: Vec<Value> = app
        .api(Method::GET, "/api/v1/policies", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sanctions = policies.iter().find(|p| p["key"] == "sanctions").unwrap();
    assert_eq!(sanctions["acknowledged"][0][0], "Frank Frontdesk");
    let npp: Value = app
        .api(Method::GET, "/api/v1/npp", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(npp["version"], 0);
    let res = app
        .api(Method::PUT, "/api/v1/npp", &owner)
        .json(&json!({"body": "Short notice."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // The starting notice has blanks for the contact and the phone until the clinic's details
    // are filled (issue 25); refused naming them.
    let res = app
        .api(Method::PUT, "/api/v1/npp", &owner)
        .json(&json!({"body": npp["body"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("who answers privacy questions"));
    carekeep_app::demo::fill_details(&app.state.app).await.unwrap();
    let npp: Value = app
        .api(Method::GET, "/api/v1/npp", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = app
        .api(Method::PUT, "/api/v1/npp", &owner)
        .json(&json!({"body": npp["body"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;
}
