//! The patients' door (issue 27, item 1): a second listener that routes only the
//! patient-facing paths. Every staff path answers 404 there, walked from the staff router's
//! own tables (`carekeep_server::staff_routes`); its own headers, limit and cookies.

use carekeep_testkit::{PageClient, TestApp};
use std::collections::BTreeSet;

/// A concrete path for a route template: each `{param}` becomes a plausible id.
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push('1');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

fn patient_paths() -> BTreeSet<&'static str> {
    carekeep_server::patient_routes().into_iter().map(|(_, p)| p).collect()
}

#[tokio::test]
async fn every_staff_route_answers_404_on_the_portal_listener() {
    let app = TestApp::builder()
        .with_portal()
        // The webhook is routed only with its secret set.
        .with_config(|c| {
            c.sms_webhook_secret = "w".repeat(32);
            // Hundreds of requests from one address: the portal's own limit is tested apart.
            c.portal_rate_limit_per_minute = 100_000;
        })
        .spawn()
        .await;
    let portal = app.portal_base.clone().unwrap();
    let staff = carekeep_server::staff_routes();
    let patient = patient_paths();
    // The walk is the staff router's whole table: pages, API, webhook, assets.
    assert!(staff.len() > 200, "{} routes", staff.len());
    for needed in [
        "/login",
        "/patients/{id}",
        "/api/v1/openapi.json",
        "/hooks/sms",
        "/admin/users",
    ] {
        assert!(staff.iter().any(|(_, p)| p == needed), "{needed} is walked");
    }
    assert!(
        staff.iter().any(|(_, p)| p.starts_with("/api/v1/patients")),
        "the API is walked"
    );

    // A staff member's bearer token and session cookie open nothing on the portal either.
    let token = app.api_login("owner").await;
    let mut signed_in = PageClient::login(&app, "owner").await;
    let (status, _) = signed_in.get("/account").await;
    assert_eq!(status, 200, "signed in on the staff side");
    let client = app.client();
    let mut walked = 0;
    let mut reachable = Vec::new();
    for (method, template) in &staff {
        if patient.contains(template.as_str()) {
            continue;
        }
        let path = concrete(template);
        let method: reqwest::Method = method.parse().unwrap();
        for bearer in [None, Some(&token)] {
            let mut req = client
                .request(method.clone(), format!("{portal}{path}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("csrf=x");
            if let Some(t) = bearer {
                req = req.bearer_auth(t);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            if status != 404 || body.contains("Sign out") || body.contains("\"error\"") {
                reachable.push(format!("{method} {path} -> {status}"));
            }
            // `/` is not routed here: the error page leads to the portal instead.
            if !body.contains("<a href=\"/portal\">Go to the home page</a>") {
                reachable.push(format!("{method} {path}: the error page does not lead to /portal"));
            }
        }
        // The same path through the page client that holds the owner's staff cookie (the
        // portal and staff listeners share 127.0.0.1, so the browser sends it along).
        if method == reqwest::Method::GET {
            let res = signed_in_portal_get(&signed_in, &portal, &path).await;
            if res != 404 {
                reachable.push(format!("GET {path} with the staff cookie -> {res}"));
            }
        }
        walked += 1;
    }
    assert!(
        reachable.is_empty(),
        "staff routes reachable on the portal: {reachable:#?}"
    );
    assert!(walked > 200, "{walked}");

    // The walk is real: the staff listener routes every listed path (a routed path answers
    // a method it does not serve with 405, or a refusal from the session layer; only an
    // unrouted one reaches the not-found fallback).
    let mut missing = Vec::new();
    for (_, template) in &staff {
        let res = client
            .request(reqwest::Method::TRACE, app.url(&concrete(template)))
            .send()
            .await
            .unwrap();
        if res.status() == 404 {
            missing.push(template.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "listed but not served by the staff router: {missing:?}"
    );
}

/// A GET on the portal with the page client's cookies (the staff session among them).
async fn signed_in_portal_get(client: &PageClient, portal: &str, path: &str) -> u16 {
    client.get_absolute(&format!("{portal}{path}")).await
}

#[tokio::test]
async fn confirm_links_work_on_both_listeners_and_the_portal_has_its_own_headers() {
    let app = TestApp::builder()
        .with_portal()
        .with_config(|c| c.clinic_time_zone = "America/New_York".into())
        .spawn()
        .await;
    let (first, second, _) = crate::calendar_link::booked_with_links(&app).await;
    let mut patient = PageClient::portal(&app);
    let (status, html) = patient.get(&first).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Tuesday, 03/03/2026 at 9:00 AM"), "{html}");
    // A form from elsewhere is refused; the link's own token confirms (typed as a browser
    // sends it).
    let (status, _, _) = patient
        .post_raw(&first, &[("csrf", "guess"), ("answer", "confirm")])
        .await;
    assert_eq!(status, 403);
    let (status, _, html) = patient.post(&first, &[("answer", "confirm")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("your appointment is confirmed"), "{html}");
    // The staff listener still serves links (a clinic without a portal listener).
    let mut at_staff = PageClient::new(&app);
    let (status, html) = at_staff.get(&second).await;
    assert_eq!(status, 200, "{html}");

    let res = app
        .client()
        .get(format!("{}{first}", app.portal_base.as_ref().unwrap()))
        .send()
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_eq!(csp, carekeep_server::portal_door::PORTAL_CSP);
    assert!(!csp.contains("data:") && csp.contains("connect-src 'none'"), "{csp}");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["cross-origin-resource-policy"], "same-origin");
    assert!(
        res.headers().get("strict-transport-security").is_none(),
        "plain HTTP on this computer"
    );
    let staff_csp = app.client().get(app.url("/login")).send().await.unwrap();
    assert_ne!(staff_csp.headers()["content-security-policy"].to_str().unwrap(), csp);

    // The assets and the health check are served; an unknown path is the plain not-found.
    for path in ["/static/app.css", "/static/app.js", "/healthz"] {
        let (status, _) = patient.get(path).await;
        assert_eq!(status, 200, "{path}");
    }
    let (status, html) = patient.get("/nothing-here").await;
    assert_eq!(status, 404);
    assert!(!html.contains("Sign in") || !html.contains("Sign out"), "{html}");
}

#[tokio::test]
async fn the_portal_has_its_own_limit_per_address() {
    let app = TestApp::builder()
        .with_portal()
        .with_config(|c| c.portal_rate_limit_per_minute = 5)
        .spawn()
        .await;
    let mut patient = PageClient::portal(&app);
    for _ in 0..5 {
        let (status, _) = patient.get("/nothing-here").await;
        assert_eq!(status, 404);
    }
    // The health check and the certificate authority's validation are not counted.
    let (status, _) = patient.get("/healthz").await;
    assert_eq!(status, 200);
    let res = app
        .client()
        .get(format!("{}/nothing-here", app.portal_base.as_ref().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers()["retry-after"].to_str().unwrap().parse::<u32>().unwrap() >= 1);
    assert!(res.headers().contains_key("content-security-policy"));
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many requests from this address"), "{html}");
    // The staff side is another limiter: signing in there still works.
    let mut staff = PageClient::login(&app, "frontdesk").await;
    let (status, _) = staff.get("/calendar").await;
    assert_eq!(status, 200);
    // A minute later the portal answers again.
    app.clock.advance(time::Duration::seconds(61));
    let (status, _) = patient.get("/nothing-here").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_acme_challenge_is_answered_only_on_the_portal_and_only_while_offered() {
    let app = TestApp::builder().with_portal().spawn().await;
    let portal = app.portal_base.clone().unwrap();
    let path = "/.well-known/acme-challenge/tok3n_-A";
    let client = app.client();
    let get = |url: String| {
        let req = client.get(url);
        async move { req.send().await.unwrap() }
    };
    assert_eq!(get(format!("{portal}{path}")).await.status(), 404);
    app.state
        .door
        .offer_challenge("tok3n_-A".into(), "tok3n_-A.thumbprint".into());
    let res = get(format!("{portal}{path}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "tok3n_-A.thumbprint");
    assert_eq!(get(app.url(path)).await.status(), 404, "not on the staff listener");
    app.state.door.withdraw_challenge("tok3n_-A");
    assert_eq!(get(format!("{portal}{path}")).await.status(), 404);
}
