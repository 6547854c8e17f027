//! Slow and idle clients cannot hold connections: the header timeout closes a silent
//! connection, one that sends its headers a little at a time, and an idle keep-alive one;
//! a cap bounds how many are served at once.

use carekeep_testkit::TestApp;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The default header timeout (10 s), with room for a loaded machine.
const WITHIN: Duration = Duration::from_secs(14);

/// Whether the server closes the connection within `limit` (a 408 before closing is fine).
async fn closed_within(stream: &mut tokio::net::tcp::OwnedReadHalf, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn a_silent_connection_is_closed_within_the_header_timeout() {
    let app = TestApp::spawn().await;
    let (mut read, _write) = TcpStream::connect(addr(&app)).await.unwrap().into_split();
    let started = Instant::now();
    assert!(
        closed_within(&mut read, WITHIN).await,
        "a silent connection stayed open"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "not before the client had its time"
    );
    app.stop().await;
}

#[tokio::test]
async fn headers_sent_a_little_at_a_time_are_cut_off() {
    let app = TestApp::spawn().await;
    let (mut read, mut write) = TcpStream::connect(addr(&app)).await.unwrap().into_split();
    write.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    // One more header line every half second, never the blank line that ends them.
    let dribble = tokio::spawn(async move {
        for i in 0..60 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if write.write_all(format!("X-Slow-{i}: y\r\n").as_bytes()).await.is_err() {
                return;
            }
        }
    });
    assert!(
        closed_within(&mut read, WITHIN).await,
        "a slow client kept its connection"
    );
    dribble.abort();
    app.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = TestApp::spawn().await;
    let (mut read, mut write) = TcpStream::connect(addr(&app)).await.unwrap().into_split();
    write
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("\r\n\r\n") {
        let n = read.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before answering");
        got.extend_from_slice(&buf[..n]);
    }
    assert!(got.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&got));
    assert!(
        closed_within(&mut read, WITHIN).await,
        "an idle keep-alive connection stayed open"
    );
    app.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_one() {
    let app = TestApp::builder()
        .with_config(|c| {
            c.max_connections = 2;
            c.request_header_timeout_seconds = 60;
        })
        .spawn()
        .await;
    let held: Vec<TcpStream> = vec![
        TcpStream::connect(addr(&app)).await.unwrap(),
        TcpStream::connect(addr(&app)).await.unwrap(),
    ];
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(1500))
        .build()
        .unwrap();
    assert!(
        quick.get(app.url("/healthz")).send().await.is_err(),
        "a third connection was served beyond the cap of two"
    );
    drop(held);
    let res = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "served once a connection closed");
    app.stop().await;
}

#[tokio::test]
async fn a_connection_silent_after_the_tls_handshake_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let app = TestApp::builder()
        .with_config(move |c| {
            c.tls_cert = Some(cert_path);
            c.tls_key = Some(key_path);
            c.request_header_timeout_seconds = 2;
        })
        .spawn()
        .await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let config =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let tcp = TcpStream::connect(app.base.trim_start_matches("https://"))
        .await
        .unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(rustls::pki_types::ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("the handshake completes");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    let mut buf = [0u8; 1024];
    let closed = loop {
        match tokio::time::timeout_at(deadline, tls.read(&mut buf)).await {
            Err(_) => break false,
            Ok(Ok(0) | Err(_)) => break true,
            Ok(Ok(_)) => {}
        }
    };
    assert!(closed, "a connection silent after the handshake stayed open");
    app.stop().await;
}
