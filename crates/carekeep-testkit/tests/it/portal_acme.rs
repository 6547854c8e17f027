//! The portal's certificate from ACME (issue 27, item 1; RFC 8555, HTTP-01) against Debian's
//! pebble, validated for real on the portal's challenge port: issued, served by the portal
//! listener, and replaced by a renewal without a restart. Needs CAREKEEP_TEST_PEBBLE (CI sets
//! it; locally the test says so and passes).

use carekeep_server::portal_tls::{certificate_tick, CertificateTick};
use carekeep_testkit::{external_service, Pebble, TestApp};
use rustls::pki_types::pem::PemObject;
use std::time::Duration;

const HOST: &str = "portal.clinic.test";

/// The certificate the portal serves to a new connection (DER), over HTTPS to `HOST`.
async fn served_certificate(portal: &str, root_pem: &str) -> Vec<u8> {
    let addr: std::net::SocketAddr = portal.trim_start_matches("https://").parse().unwrap();
    let client = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(root_pem.as_bytes()).unwrap())
        .resolve(HOST, addr)
        .tls_info(true)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let res = client
        .get(format!("https://{HOST}:{}/healthz", addr.port()))
        .send()
        .await
        .expect("the portal serves HTTPS with the issued certificate, trusted through pebble's root");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().contains_key("strict-transport-security"),
        "HSTS over HTTPS"
    );
    res.extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|i| i.peer_certificate())
        .expect("peer certificate")
        .to_vec()
}

#[tokio::test]
async fn pebble_issues_the_portals_certificate_and_a_renewal_replaces_it_without_restart() {
    let Some(program) = external_service(
        "CAREKEEP_TEST_PEBBLE",
        "the portal's ACME certificate against pebble (apt-get install pebble; CAREKEEP_TEST_PEBBLE=/usr/bin/pebble)",
    ) else {
        return;
    };
    let challenge = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let challenge_port = challenge.local_addr().unwrap().port();
    let pebble = Pebble::start(&program, challenge_port, Duration::from_secs(90 * 86_400)).await;
    let (directory, ca) = (pebble.directory.clone(), pebble.ca_pem.clone());
    let app = TestApp::builder()
        .with_portal_challenge_listener(challenge)
        .with_config(move |c| {
            c.portal_host = HOST.into();
            c.portal_acme_directory = directory;
            c.portal_acme_email = "it@clinic.test".into();
            c.portal_acme_ca_pem = Some(ca);
        })
        .spawn()
        .await;
    // Pebble signs with the real time; the clinic's clock follows it (a minute ahead, so a
    // certificate issued "now" is already valid).
    #[allow(
        clippy::disallowed_methods,
        reason = "pebble, outside Carekeep, signs with the real time"
    )]
    let now = time::OffsetDateTime::now_utc() + time::Duration::minutes(1);
    app.clock.set(now);
    let portal = app.portal_base.clone().unwrap();
    assert!(portal.starts_with("https://"), "{portal}");

    // Before a certificate exists, the portal serves nothing (never plain HTTP).
    let plain = app
        .client()
        .get(format!("{}/healthz", portal.replace("https", "http")))
        .send()
        .await;
    assert!(plain.is_err(), "no plain answer on the HTTPS port: {plain:?}");

    // The plain port sends everything but the challenge to HTTPS on the portal's host.
    let res = app
        .client()
        .get(format!("http://127.0.0.1:{challenge_port}/c/abc?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 308);
    let port = portal.rsplit(':').next().unwrap();
    assert_eq!(
        res.headers()["location"],
        format!("https://{HOST}:{port}/c/abc?x=1").as_str()
    );

    // The job orders at once: pebble validates HTTP-01 on the challenge port, then issues.
    let first = certificate_tick(&app.state).await.expect("issued");
    let CertificateTick::Issued(until) = first else {
        panic!("{first:?}")
    };
    assert!(until > now + time::Duration::days(80), "{until}");
    let root = pebble.issuing_root().await;
    let served = served_certificate(&portal, &root).await;
    // Nothing more to do until the renewal window (30 days left of 90).
    assert_eq!(certificate_tick(&app.state).await, Ok(CertificateTick::Waiting));

    // In the window the job renews, and the next connection gets the new certificate.
    app.clock.set(until - time::Duration::days(29));
    let second = certificate_tick(&app.state).await.expect("renewed");
    assert!(matches!(second, CertificateTick::Issued(_)), "{second:?}");
    let renewed = served_certificate(&portal, &root).await;
    assert_ne!(served, renewed, "the renewed certificate is served without a restart");

    // Both issues are on the audit trail, as the certificates job.
    let co = app.api_login("compliance").await;
    let events: Vec<serde_json::Value> = app
        .api(reqwest::Method::GET, "/api/v1/audit/events?limit=50", &co)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let issued = events
        .iter()
        .filter(|e| {
            e["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("portal certificate issued for portal.clinic.test"))
        })
        .count();
    assert_eq!(issued, 2, "{events:#?}");
    drop(pebble);
}

/// An authority and a certificate from it for `names`, as PEM: (authority, chain, key).
fn issued_for(names: &[&str]) -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let cert = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn the_clinics_own_certificate_files_are_checked_and_served() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, chain, key) = issued_for(&[HOST]);
    let (cert_path, key_path) = (dir.path().join("portal.pem"), dir.path().join("portal-key.pem"));
    std::fs::write(&cert_path, &chain).unwrap();
    std::fs::write(&key_path, &key).unwrap();
    #[allow(
        clippy::disallowed_methods,
        reason = "rcgen dates the certificate with the real time"
    )]
    let now = time::OffsetDateTime::now_utc();

    // Checked like an upload: the key must be the certificate's, the name the portal's.
    let (_, _, other_key) = issued_for(&[HOST]);
    let other = dir.path().join("other-key.pem");
    std::fs::write(&other, &other_key).unwrap();
    let wrong_key = carekeep_server::portal_tls::files_acceptor(&cert_path, &other, HOST, now)
        .err()
        .expect("a key of another certificate is refused");
    assert!(wrong_key.contains("key"), "{wrong_key}");
    let wrong_name = carekeep_server::portal_tls::files_acceptor(&cert_path, &key_path, "other.clinic.test", now)
        .err()
        .expect("a certificate for another name is refused");
    assert!(wrong_name.contains("other.clinic.test"), "{wrong_name}");

    let app = TestApp::builder()
        .with_portal()
        .with_config(move |c| {
            c.portal_host = HOST.into();
            c.portal_tls_cert = Some(cert_path);
            c.portal_tls_key = Some(key_path);
        })
        .spawn()
        .await;
    app.clock.set(now + time::Duration::minutes(1));
    let portal = app.portal_base.clone().unwrap();
    assert!(portal.starts_with("https://"), "{portal}");
    let served = served_certificate(&portal, &ca).await;
    let leaf = rustls::pki_types::CertificateDer::from_pem_slice(chain.as_bytes()).unwrap();
    assert_eq!(served, leaf.to_vec(), "the clinic's certificate is served");
}

/// The portal certificate's standing from the running program (issue 27): the clinic's own
/// files in date read as fine on the owner's dashboard, readiness and TEC-08/09; an ACME order
/// that fails (the authority unreachable) is a problem there, in words the owner understands.
#[tokio::test]
async fn the_portal_certificates_standing_reaches_the_dashboard_readiness_and_the_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let (_, chain, key) = issued_for(&[HOST]);
    let (cert_path, key_path) = (dir.path().join("portal.pem"), dir.path().join("portal-key.pem"));
    std::fs::write(&cert_path, &chain).unwrap();
    std::fs::write(&key_path, &key).unwrap();
    #[allow(
        clippy::disallowed_methods,
        reason = "rcgen dates the certificate with the real time"
    )]
    let now = time::OffsetDateTime::now_utc();
    let app = TestApp::builder()
        .with_portal()
        .with_config(move |c| {
            c.portal_host = HOST.into();
            c.portal_tls_cert = Some(cert_path);
            c.portal_tls_key = Some(key_path);
        })
        .spawn()
        .await;
    app.clock.set(now + time::Duration::minutes(1));
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    let door = app.state.app.portal_door_standing().expect("the portal runs");
    assert!(door.ok, "{door:?}");
    assert!(
        door.words.contains("the clinic's own certificate files, valid until"),
        "{door:?}"
    );
    let row = app
        .state
        .app
        .dashboard(&who.actor())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.key == "portal-certificate")
        .expect("a dashboard row for the portal");
    assert_eq!(row.standing, "done", "{row:?}");
    let readiness = app.state.app.readiness(&who.actor()).await.unwrap();
    let enc = readiness.items.iter().find(|i| i.key == "encryption").unwrap();
    assert!(enc.evidence.contains("patient portal"), "{enc:?}");

    // ACME with an authority nobody answers at: the order fails, and the owner is told.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("https://127.0.0.1:{}/dir", closed.local_addr().unwrap().port());
    drop(closed);
    let challenge = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let app = TestApp::builder()
        .with_portal_challenge_listener(challenge)
        .with_config(move |c| {
            c.portal_host = HOST.into();
            c.portal_acme_directory = dead;
            c.portal_acme_email = "it@clinic.test".into();
        })
        .spawn()
        .await;
    // The portal's listener is started on its own task: wait until it has said so.
    let mut before = None;
    for _ in 0..200 {
        before = app.state.app.portal_door_standing();
        if before.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = before.expect("the portal runs");
    assert!(
        !before.ok && before.words.contains("waiting for its first certificate"),
        "{before:?}"
    );
    let failed = certificate_tick(&app.state).await;
    assert!(failed.is_err(), "{failed:?}");
    let door = app.state.app.portal_door_standing().unwrap();
    assert!(!door.ok, "{door:?}");
    assert!(
        door.words
            .contains("has no certificate yet, so patients cannot connect. The last try to get a certificate, on "),
        "{door:?}"
    );
    assert!(door.action.contains("port 80"), "{door:?}");
    // In words, not the library's ("client error (Connect)").
    assert!(
        door.words.contains("could not reach the certificate authority") && !door.words.contains("client error"),
        "{door:?}"
    );
    let owner = app.api_login("owner").await;
    let who = app.principal(&owner).await;
    let row = app
        .state
        .app
        .dashboard(&who.actor())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.key == "portal-certificate")
        .unwrap();
    assert_eq!(row.standing, "gap", "{row:?}");
    // The risk assessment's transport rows read the same standing.
    let res = app
        .api(reqwest::Method::POST, "/api/v1/sra", &owner)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    let view: serde_json::Value = app
        .api(reqwest::Method::GET, &format!("/api/v1/sra/{id}"), &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for spec in ["TEC-08", "TEC-09"] {
        let r = view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == spec)
            .unwrap();
        assert_eq!(r["evidence_ok"], false, "{r}");
        assert!(
            r["evidence"].as_str().unwrap().contains("has no certificate yet"),
            "{r}"
        );
    }
}
