//! Encryption in transit (164.312(e)): plain HTTP only on loopback; built-in TLS works.

use carekeep_testkit::TestApp;

#[tokio::test]
async fn plain_http_on_a_non_loopback_address_is_refused() {
    let app = TestApp::spawn().await;
    // Binding 0.0.0.0 sends no traffic anywhere; serve() must refuse before accepting.
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let err = carekeep_server::serve(app.state.clone(), listener, std::future::pending())
        .await
        .unwrap_err();
    assert!(
        matches!(err, carekeep_server::ServeError::PlainHttpOnNetwork(_)),
        "{err}"
    );
    assert!(err.to_string().contains("behind_tls_proxy"));
    app.stop().await;
}

#[tokio::test]
async fn built_in_tls_serves_https_with_hsts_and_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let (c, k) = (cert_path.clone(), key_path.clone());
    let app = TestApp::builder()
        .with_config(move |cfg| {
            cfg.tls_cert = Some(c);
            cfg.tls_key = Some(k);
        })
        .spawn()
        .await;
    assert!(app.base.starts_with("https://"));
    let port = app.base.rsplit(':').next().unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .resolve("localhost", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    let res = client
        .get(format!("https://localhost:{port}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("strict-transport-security").is_some());
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // Plain HTTP to the TLS port gets nothing usable.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/login"))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    app.stop().await;
}
