//! Every page of the router, as every default role: never a server error, and each module
//! refuses (403) the roles that do not hold its capability. The routes come from the page
//! router's own table, so a new page joins the sweep without being listed here.

use carekeep_testkit::{PageClient, TestApp};
use reqwest::Method;
use serde_json::json;

/// The GET routes of the page router, parameters filled with existing records.
fn get_routes() -> Vec<String> {
    let mut out = Vec::new();
    for (method, path) in carekeep_server::page_routes() {
        if method != "GET" {
            continue;
        }
        let concrete = path
            .replace("{file}", "2025.csv")
            .replace("{key}", "sanctions")
            .replace("{spec}", "TEC-01")
            .replace("{kind}", "individuals");
        let concrete: String = concrete
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        out.push(concrete);
    }
    out.sort();
    out.dedup();
    out
}

/// A refusal by role leaves its event before it is answered (164.308(a)(1)(ii)(D)): the newest
/// event is this role's refusal.
async fn refusal_recorded(app: &TestApp, co: &str, role: &str, path: &str) {
    let newest: Vec<serde_json::Value> = app
        .api(Method::GET, "/api/v1/audit/events?limit=1", co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let e = &newest[0];
    assert!(
        e["outcome"] == "denied" && e["actor"] == role,
        "{role} was refused {path} and no refusal was recorded; newest event: {e}"
    );
}

/// Which roles a guarded module admits, by path prefix.
fn admitted(path: &str) -> Option<&'static [&'static str]> {
    const ADMIN: &[&str] = &["owner", "drowner"];
    const AUDIT: &[&str] = &["owner", "drowner", "compliance"];
    const PROGRAM: &[&str] = &["owner", "drowner", "compliance"];
    const INCIDENTS: &[&str] = &["compliance"];
    const CALENDAR: &[&str] = &["owner", "drowner", "frontdesk"];
    match path {
        p if p.starts_with("/calendar/setup") => Some(CALENDAR),
        p if p.starts_with("/admin") => Some(ADMIN),
        p if p.starts_with("/audit") || p.starts_with("/monitoring") => Some(AUDIT),
        p if p.starts_with("/program") => Some(PROGRAM),
        "/incidents/new" => None,
        p if p.starts_with("/incidents") || p.starts_with("/requests") => Some(INCIDENTS),
        _ => None,
    }
}

#[tokio::test]
async fn every_page_as_every_role() {
    let app = TestApp::spawn().await;
    // Records behind the `{id}`s: a patient, an incident, a vendor, an assessment, a request.
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let owner = app.api_login("owner").await;
    let patient = app
        .register_patient(&desk, "Sweep", "Patient", "1980-01-01", "5550001111")
        .await;
    for (token, path, body) in [
        (
            &desk,
            "/api/v1/incidents".to_string(),
            json!({"title": "Sweep incident"}),
        ),
        (
            &owner,
            "/api/v1/vendors".to_string(),
            json!({"name": "Sweep vendor", "service": "x"}),
        ),
        (&owner, "/api/v1/sra".to_string(), json!({})),
        (
            &co,
            format!("/api/v1/patients/{patient}/requests"),
            json!({"kind": "access", "details": "copy"}),
        ),
    ] {
        let res = app.api(Method::POST, &path, token).json(&body).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }
    let routes = get_routes();
    assert!(routes.len() > 30, "the router's pages were found: {routes:?}");
    let mut checked = 0;
    for role in [
        "owner",
        "drowner",
        "provider",
        "nurse",
        "frontdesk",
        "billing",
        "compliance",
    ] {
        let mut page = PageClient::login(&app, role).await;
        for path in &routes {
            let (status, body) = page.get(path).await;
            assert!(status < 500, "{role} GET {path}: {status} {body}");
            if status == 403 {
                refusal_recorded(&app, &co, role, path).await;
            }
            if let Some(who) = admitted(path) {
                if !who.contains(&role) {
                    assert_eq!(status, 403, "{role} must not reach {path}");
                } else {
                    assert_ne!(status, 403, "{role} may reach {path}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked}");
    app.stop().await;
}

/// Every GET operation of the OpenAPI document, as every role: never a server error, and the
/// program, incident and request operations refuse the roles without their capability.
#[tokio::test]
async fn every_api_read_as_every_role() {
    let app = TestApp::spawn().await;
    let desk = app.api_login("frontdesk").await;
    let co = app.api_login("compliance").await;
    let patient = app
        .register_patient(&desk, "Sweep", "Patient", "1980-01-01", "5550001111")
        .await;
    assert_eq!(patient, 1);
    let spec: serde_json::Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if let Some(op) = item.get("get") {
            let tag = op["tags"][0].as_str().unwrap_or_default().to_owned();
            let concrete: String = path
                .split('/')
                .map(|seg| match seg {
                    "{year}" => "2026",
                    "{spec}" => "TEC-01",
                    s if s.starts_with('{') => "1",
                    s => s,
                })
                .collect::<Vec<_>>()
                .join("/");
            ops.push((tag, concrete));
        }
    }
    assert!(ops.len() > 25, "{ops:?}");
    let guarded = |tag: &str| -> Option<&'static [&'static str]> {
        match tag {
            "program" => Some(&["owner", "drowner", "compliance"]),
            "incidents" | "requests" => Some(&["compliance"]),
            _ => None,
        }
    };
    for role in [
        "owner",
        "drowner",
        "provider",
        "nurse",
        "frontdesk",
        "billing",
        "compliance",
    ] {
        let token = app.api_login(role).await;
        for (tag, path) in &ops {
            let res = app.api(Method::GET, path, &token).send().await.unwrap();
            let status = res.status().as_u16();
            assert!(
                status < 500,
                "{role} GET {path}: {status} {}",
                res.text().await.unwrap_or_default()
            );
            // Reading one's own reminders and policies is for everyone.
            if path.starts_with("/api/v1/me/") {
                continue;
            }
            if let Some(who) = guarded(tag) {
                if !who.contains(&role) {
                    assert_eq!(status, 403, "{role} must not reach {path}");
                }
            }
            if status == 403 {
                refusal_recorded(&app, &co, role, path).await;
            }
        }
    }
    app.stop().await;
}
