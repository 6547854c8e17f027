//! The set-up path's network step (issue 25, item 2; 164.312(e)(1)): chosen in the browser,
//! applied by the running server without a restart.

use carekeep_app::program::network::NetworkChoice;
use carekeep_app::Actor;
use carekeep_testkit::{PageClient, TestApp};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

/// Posts the network form as a browser does (multipart, the CSRF token first, CRLF lines).
async fn choose(
    page: &mut PageClient,
    mode: &str,
    names: &str,
    proxies: &str,
    files: Option<(&[u8], &[u8])>,
) -> (u16, Option<String>, String) {
    page.get("/setup/network").await;
    let mut form = Form::new()
        .text("csrf", page.csrf.clone())
        .text("mode", mode.to_owned())
        .text("names", names.to_owned())
        .text("proxies", proxies.to_owned());
    let (chain, key) = files.unwrap_or((b"", b""));
    form = form
        .part("chain", Part::bytes(chain.to_vec()).file_name("fullchain.pem"))
        .part("key", Part::bytes(key.to_vec()).file_name("privkey.pem"));
    let res = page
        .http
        .post(page.url("/setup/network"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, location, res.text().await.unwrap())
}

fn only_root(pem: &str, port: u16, name: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .resolve(name, format!("127.0.0.1:{port}").parse().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':').next().unwrap().parse().unwrap()
}

fn openssl_verify(openssl: &str, ca_pem: &str, leaf_pem: &str, extra: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let (ca, leaf) = (dir.path().join("ca.pem"), dir.path().join("server.pem"));
    std::fs::write(&ca, ca_pem).unwrap();
    std::fs::write(&leaf, leaf_pem).unwrap();
    let out = std::process::Command::new(openssl)
        .arg("verify")
        .arg("-CAfile")
        .arg(&ca)
        .args(extra)
        .arg(&leaf)
        .output()
        .expect("the openssl binary");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The first certificate of a PEM chain, as PEM.
fn first_pem(chain: &str) -> String {
    let end = "-----END CERTIFICATE-----";
    let i = chain.find(end).unwrap() + end.len();
    format!("{}\n", &chain[..i])
}

#[tokio::test]
async fn the_clinics_own_authority_serves_https_that_a_client_trusting_only_it_accepts() {
    let app = TestApp::spawn().await;
    assert!(app.https_base().await.is_none(), "no HTTPS before the choice");
    let mut owner = PageClient::login(&app, "owner").await;
    let (status, body) = owner.get("/setup/network").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("This computer only") && body.contains("Not chosen yet"));

    let (status, location, body) = choose(&mut owner, "local_authority", "carekeep.clinic.test\r\n", "", None).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/trust?done=made"));
    // The answer waits for the HTTPS listener, so the page it sends to names the secure
    // address at once (it raced the listener's bind before).
    let bound = app.state.network.snapshot().https.map(|a| a.port());
    assert!(bound.is_some(), "HTTPS bound before the answer");
    let https = app.https_base().await.expect("HTTPS served without a restart");
    let port = port_of(&https);
    assert_eq!(bound, Some(port));

    // The trust page and the downloads stay on plain HTTP: a device fetches them first.
    let (status, trust) = owner.get("/trust?done=made").await;
    assert_eq!(status, 200);
    assert!(
        trust.contains(&format!("https://carekeep.clinic.test:{port}/")),
        "the secure address is named"
    );
    assert!(trust.contains("SHA-256") && trust.contains("iPhone") && trust.contains("Android"));
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let ca_pem = plain.get(app.url("/trust/authority.pem")).send().await.unwrap();
    assert_eq!(ca_pem.status(), 200);
    let ca_pem = ca_pem.text().await.unwrap();
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"), "{ca_pem}");
    let der = plain.get(app.url("/trust/authority.crt")).send().await.unwrap();
    assert_eq!(
        der.headers()["content-type"].to_str().unwrap(),
        "application/x-x509-ca-cert"
    );
    let der = der.bytes().await.unwrap();
    assert_eq!(der[0], 0x30, "DER starts with a SEQUENCE");
    let from_pem = {
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()
    };
    assert_eq!(
        der.as_ref(),
        from_pem.as_ref(),
        "the .crt is the same certificate in DER"
    );

    // openssl (a program outside the Rust toolchain, named by CAREKEEP_TEST_OPENSSL; CI sets
    // it): the authority validates the server's certificate, for the names asked.
    let stranger = rcgen::generate_simple_self_signed(vec!["stranger".to_owned()]).unwrap();
    if let Some(openssl) = carekeep_testkit::external_service(
        "CAREKEEP_TEST_OPENSSL",
        "`openssl verify` of the server certificate against the clinic's authority (CAREKEEP_TEST_OPENSSL=/usr/bin/openssl)",
    ) {
        let served = app.state.app.network_served().await.unwrap();
        let leaf = first_pem(&served.chain_pem);
        let (ok, out) = openssl_verify(
            &openssl,
            &ca_pem,
            &leaf,
            &["-purpose", "sslserver", "-verify_hostname", "carekeep.clinic.test"],
        );
        assert!(ok, "{out}");
        let (ok, out) = openssl_verify(&openssl, &ca_pem, &leaf, &["-verify_ip", "127.0.0.1"]);
        assert!(ok, "{out}");
        let (ok, out) = openssl_verify(&openssl, &ca_pem, &leaf, &["-verify_hostname", "elsewhere.test"]);
        assert!(!ok, "a name not asked for is refused: {out}");
        // ... and another authority does not.
        let (ok, _) = openssl_verify(&openssl, &stranger.cert.pem(), &leaf, &[]);
        assert!(!ok, "the check can fail");
    }

    // A TLS client trusting only the clinic's authority connects.
    let client = only_root(&ca_pem, port, "carekeep.clinic.test");
    let res = client
        .get(format!("https://carekeep.clinic.test:{port}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    let stranger_client = only_root(&stranger.cert.pem(), port, "carekeep.clinic.test");
    assert!(
        stranger_client
            .get(format!("https://carekeep.clinic.test:{port}/login"))
            .send()
            .await
            .is_err(),
        "a client trusting another authority is refused"
    );

    // Plain HTTP is sent to HTTPS, path and query kept; the health check stays.
    let res = plain.get(app.url("/login?x=1")).send().await.unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("https://127.0.0.1:{port}/login?x=1")
    );
    assert_eq!(plain.get(app.url("/healthz")).send().await.unwrap().status(), 200);

    // The SRA's transport rows read the evidence.
    let (ok, words) = app.state.app.transport_evidence().await.unwrap();
    assert!(ok && words.contains("own certificate authority"), "{words}");

    // Choosing again (here from the command line) is picked up by the running server: HTTPS
    // stops, plain HTTP answers again.
    let choice = NetworkChoice {
        mode: "this_computer".into(),
        ..Default::default()
    };
    app.state.app.choose_network(&Actor::Cli, &choice, &[]).await.unwrap();
    app.state.network.reload(&app.state.app).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(plain.get(app.url("/login")).send().await.unwrap().status(), 200);
    assert!(app.https_base().await.is_none());
    assert!(
        client
            .get(format!("https://carekeep.clinic.test:{port}/login"))
            .send()
            .await
            .is_err(),
        "the HTTPS port is closed"
    );
    app.stop().await;
}

/// A certificate for `names` issued by `ca`, valid between the two dates.
fn issue(
    ca: &rcgen::Certificate,
    ca_key: &rcgen::KeyPair,
    names: &[&str],
    from: (i32, u8, u8),
    to: (i32, u8, u8),
) -> (String, String) {
    let mut p = rcgen::CertificateParams::new(names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap();
    p.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    p.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, ca, ca_key).unwrap();
    (cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn an_uploaded_certificate_is_checked_at_its_field_and_then_served() {
    let app = TestApp::spawn().await;
    let mut owner = PageClient::login(&app, "owner").await;
    let root_key = rcgen::KeyPair::generate().unwrap();
    let mut rp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    rp.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    rp.distinguished_name.push(rcgen::DnType::CommonName, "Clinic IT root");
    let root = rp.self_signed(&root_key).unwrap();
    let name = "ehr.clinic.test";
    // The test clock stands at 03/02/2026; a client checks against the real clock.
    let (good, good_key) = issue(&root, &root_key, &[name], (2026, 1, 1), (2036, 1, 1));
    let (expired, expired_key) = issue(&root, &root_key, &[name], (2025, 1, 1), (2026, 1, 1));
    let (_, other_key) = issue(&root, &root_key, &[name], (2026, 1, 1), (2036, 1, 1));
    let chain = format!("{good}{}", root.pem());
    let reversed = format!("{}{good}", root.pem());

    // Each refusal names its field and keeps what was typed.
    let cases: [(&str, &str, &str, &str, &str); 6] = [
        (
            chain.as_str(),
            other_key.as_str(),
            name,
            "key",
            "does not belong to the certificate",
        ),
        (
            expired.as_str(),
            expired_key.as_str(),
            name,
            "chain",
            "expired on 01/01/2026",
        ),
        (
            chain.as_str(),
            good_key.as_str(),
            "portal.clinic.test",
            "names",
            "not for portal.clinic.test",
        ),
        (reversed.as_str(), good_key.as_str(), name, "chain", "out of order"),
        ("", good_key.as_str(), name, "chain", "no certificate was found"),
        (chain.as_str(), "", name, "key", "no private key"),
    ];
    for (chain_pem, key_pem, typed, field, words) in cases {
        let (status, _, body) = choose(
            &mut owner,
            "own_certificate",
            typed,
            "",
            Some((chain_pem.as_bytes(), key_pem.as_bytes())),
        )
        .await;
        assert_eq!(status, 422, "{words}: {body}");
        let at = body
            .find(&format!("id=\"{field}-error\""))
            .unwrap_or_else(|| panic!("no message at {field}: {body}"));
        assert!(body[at..].contains(words), "{field}: {words}");
        assert!(body.contains(&format!(">{typed}</textarea>")), "typing kept: {typed}");
        assert!(body.contains("value=\"own_certificate\" checked"), "the choice kept");
    }
    assert!(app.https_base().await.is_none(), "nothing refused is served");

    let (status, location, body) = choose(
        &mut owner,
        "own_certificate",
        name,
        "",
        Some((chain.as_bytes(), good_key.as_bytes())),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/setup/network?done=own_certificate#now"));
    let port = port_of(&app.https_base().await.unwrap());
    let client = only_root(&root.pem(), port, name);
    let res = client.get(format!("https://{name}:{port}/login")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;
}

fn row<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["rows"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()
}

#[tokio::test]
async fn this_computer_only_answers_the_transport_rows_as_a_single_machine() {
    let app = TestApp::spawn().await;
    let token = app.api_login("owner").await;
    let (status, body) = {
        let res = app
            .api(reqwest::Method::POST, "/api/v1/sra", &token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    };
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let base = format!("/api/v1/sra/{id}");
    let view = || async {
        app.api(reqwest::Method::GET, &base, &token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(row(&view().await, "TEC-09")["evidence_ok"], false, "not chosen yet");

    let mut owner = PageClient::login(&app, "owner").await;
    // Only an owner chooses.
    let mut compliance = PageClient::login(&app, "frontdesk").await;
    let (status, _, _) = choose(&mut compliance, "this_computer", "", "", None).await;
    assert_eq!(status, 403);
    // Nothing chosen is a message at the choice.
    let (status, _, body) = choose(&mut owner, "", "", "", None).await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"mode-error\""), "{body}");
    let (status, location, body) = choose(&mut owner, "this_computer", "", "", None).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/setup/network?done=this_computer#now"));
    // The choice is on the audit trail, as a setting change.
    let events = app
        .api(reqwest::Method::GET, "/api/v1/audit/events?limit=20", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        events.contains("setting.changed") && events.contains("network: this computer only"),
        "{events}"
    );
    let (_, page) = owner.get("/setup").await;
    assert!(
        page.contains("This computer only: nothing travels"),
        "the path's step reads it"
    );

    for spec in ["TEC-08", "TEC-09"] {
        let r = row(&view().await, spec).clone();
        assert_eq!(r["evidence_ok"], true, "{r}");
        assert!(r["evidence"].as_str().unwrap().contains("single machine"), "{r}");
        let res = app
            .api(reqwest::Method::PUT, &format!("{base}/answers/{spec}"), &token)
            .json(&json!({"answer": "not_applicable", "reason": "one computer, nothing on the network"}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let r = row(&view().await, spec).clone();
        assert_eq!(
            (r["contradicted"].as_bool(), r["gap"].as_bool()),
            (Some(false), Some(false)),
            "{r}"
        );
    }

    // A proxy: its address is checked, then believed for X-Forwarded-For.
    let (status, _, body) = choose(&mut owner, "proxy", "", "the proxy box", None).await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"proxies-error\""), "{body}");
    assert!(body.contains(">the proxy box</textarea>"), "typing kept");
    let (status, _, body) = choose(&mut owner, "proxy", "", "10.9.8.7\r\n10.1.0.0/16\r\n", None).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(app.state.trusted_proxies().len(), 2);
    assert!(app.state.secure_cookies());
    assert_eq!(row(&view().await, "TEC-08")["evidence_ok"], true);
    app.stop().await;
}

/// The dashboard's row, read in-process: plain HTTP is sent to HTTPS once a certificate is
/// served, and this certificate's dates are the test clock's, not a real client's.
async fn dashboard_item(app: &TestApp, key: &str) -> Option<(String, String, String)> {
    app.state
        .app
        .dashboard(&Actor::Cli)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.key == key)
        .map(|i| (i.standing.to_owned(), i.evidence, i.action))
}

/// The dashboard reminds 30 days before the served certificate ends (164.312(e)(1)).
#[tokio::test]
async fn the_dashboard_reminds_before_the_certificate_ends() {
    let app = TestApp::spawn().await;
    assert!(
        dashboard_item(&app, "certificate").await.is_none(),
        "no row without HTTPS"
    );
    let mut owner = PageClient::login(&app, "owner").await;
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut cp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    cp.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = cp.self_signed(&ca_key).unwrap();
    // The test clock stands at 03/02/2026 9:00 AM UTC: this one ends 20 days later.
    let (cert, key) = issue(&ca, &ca_key, &["ehr.clinic.test"], (2026, 1, 1), (2026, 3, 22));
    let (status, _, body) = choose(
        &mut owner,
        "own_certificate",
        "ehr.clinic.test",
        "",
        Some((cert.as_bytes(), key.as_bytes())),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (standing, evidence, action) = dashboard_item(&app, "certificate").await.unwrap();
    assert_eq!(standing, "due_soon", "{evidence}");
    assert!(evidence.contains("in 19 days"), "{evidence}");
    assert!(action.contains("Upload the renewed certificate"), "{action}");
    app.clock.advance(time::Duration::days(21));
    let (standing, evidence, _) = dashboard_item(&app, "certificate").await.unwrap();
    assert_eq!(standing, "gap", "{evidence}");
    let (ok, words) = app.state.app.transport_evidence().await.unwrap();
    assert!(!ok && words.contains("out of date"), "{words}");
    app.stop().await;
}
