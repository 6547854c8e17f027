//! Debian's `pebble`, Let's Encrypt's ACME test server, for the portal's certificate test
//! (issue 27): started with a TLS certificate made here (rcgen), a config whose `httpPort` is
//! the portal's challenge port, and `pebble-challtestsrv` as its DNS server, which answers
//! every name with 127.0.0.1, so pebble validates HTTP-01 for real against Carekeep.
//! `CAREKEEP_TEST_PEBBLE` names the `pebble` program; `pebble-challtestsrv` is beside it.

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running pebble and its DNS; both stop when this is dropped.
pub struct Pebble {
    /// `https://127.0.0.1:PORT/dir`
    pub directory: String,
    /// The authority that signed pebble's own HTTPS certificate (for `portal_acme_ca_pem`).
    pub ca_pem: PathBuf,
    management: String,
    children: Vec<Child>,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Pebble {
    /// Starts pebble (`program`) validating HTTP-01 on `challenge_port` of 127.0.0.1, issuing
    /// certificates valid `validity` long.
    pub async fn start(program: &str, challenge_port: u16, validity: Duration) -> Pebble {
        let dir = tempfile::tempdir().expect("temp dir");
        let (ca_pem, cert_pem, key_pem) = tls_files();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            p
        };
        let ca = write("ca.pem", &ca_pem);
        let cert = write("pebble.pem", &cert_pem);
        let key = write("pebble-key.pem", &key_pem);
        let (wfe, management, dns, dns_management) = (free_port(), free_port(), free_udp_port(), free_port());
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": format!("127.0.0.1:{wfe}"),
                "managementListenAddress": format!("127.0.0.1:{management}"),
                "certificate": cert,
                "privateKey": key,
                "httpPort": challenge_port,
                "tlsPort": free_port(),
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false,
                "certificateValidityPeriod": validity.as_secs(),
            }
        });
        let config_path = write("pebble-config.json", &config.to_string());
        let program = Path::new(program);
        let challtestsrv = program.with_file_name("pebble-challtestsrv");
        let dns_server = Command::new(&challtestsrv)
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .args(["-dns01", &format!("127.0.0.1:{dns}")])
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .args(["-management", &format!("127.0.0.1:{dns_management}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", challtestsrv.display()));
        let pebble = Command::new(program)
            .arg("-config")
            .arg(&config_path)
            .args(["-dnsserver", &format!("127.0.0.1:{dns}")])
            // Validate at once, and never refuse a good nonce (the client would only retry).
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
        let running = Pebble {
            directory: format!("https://127.0.0.1:{wfe}/dir"),
            ca_pem: ca,
            management: format!("https://127.0.0.1:{management}"),
            children: vec![dns_server, pebble],
            _dir: dir,
        };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", wfe)).await.is_ok()
                && tokio::net::TcpStream::connect(("127.0.0.1", management)).await.is_ok()
            {
                return running;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("pebble did not start listening on 127.0.0.1:{wfe}");
    }

    /// The root that signs the certificates pebble issues (PEM), from its management port.
    pub async fn issuing_root(&self) -> String {
        let ca = std::fs::read(&self.ca_pem).expect("ca");
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).expect("ca pem"))
            .build()
            .expect("client");
        client
            .get(format!("{}/roots/0", self.management))
            .send()
            .await
            .expect("pebble's roots")
            .text()
            .await
            .expect("root pem")
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A throwaway authority and pebble's HTTPS certificate from it (localhost and 127.0.0.1).
fn tls_files() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType};
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "carekeep test pebble authority");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let cert = params.signed_by(&key, &ca, &ca_key).expect("cert");
    (ca.pem(), cert.pem(), key.serialize_pem())
}
