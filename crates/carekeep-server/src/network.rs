//! The network choice made in the browser, live (issue 25, item 2): what the serve loop serves
//! now (the mode, the HTTPS acceptor, the trusted proxies), reloaded from the app after the
//! owner's choice so nothing needs a restart, and the redirect of plain HTTP to HTTPS.
//! Transmission security: 164.312(e)(1).

use carekeep_app::App;
use carekeep_domain::client_address::Cidr;
use carekeep_domain::program::network::{self as rules, Mode};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// What is served now.
#[derive(Clone, Default)]
pub struct LiveState {
    pub mode: Option<Mode>,
    pub proxies: Arc<Vec<Cidr>>,
    /// The stored certificate and key, ready to serve (HTTPS modes only).
    pub acceptor: Option<TlsAcceptor>,
    /// Where HTTPS is being served, once bound.
    pub https: Option<SocketAddr>,
    /// Why HTTPS is not being served, in words for the owner.
    pub problem: Option<String>,
}

impl std::fmt::Debug for LiveState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveState")
            .field("mode", &self.mode)
            .field("https", &self.https)
            .field("problem", &self.problem)
            .finish_non_exhaustive()
    }
}

impl LiveState {
    /// Whether Carekeep serves HTTPS from the stored choice (and sends plain HTTP there).
    pub fn serves_https(&self) -> bool {
        self.mode.is_some_and(Mode::serves_https) && self.acceptor.is_some()
    }
}

/// The live choice, shared by the handlers and the serve loop.
#[derive(Debug)]
pub struct Live {
    state: RwLock<LiveState>,
    changes: watch::Sender<u64>,
    /// Bumped when the HTTPS loop reports where it listens (or why it cannot).
    listening: watch::Sender<u64>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            state: RwLock::new(LiveState::default()),
            changes: watch::channel(0).0,
            listening: watch::channel(0).0,
        }
    }
}

impl Live {
    pub fn snapshot(&self) -> LiveState {
        self.state.read().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn update(&self, f: impl FnOnce(&mut LiveState)) {
        if let Ok(mut s) = self.state.write() {
            f(&mut s);
        }
        self.changes.send_modify(|n| *n += 1);
    }

    /// Reads the stored choice and makes it live. A stored certificate that cannot be served
    /// is a problem shown to the owner, and plain HTTP stays where it was (fail closed: no
    /// HTTPS is claimed that is not served).
    pub async fn reload(&self, app: &App) -> Result<(), String> {
        let served = app.network_served().await.map_err(|e| e.to_string())?;
        let acceptor = if served.mode.is_some_and(Mode::serves_https) {
            match tls_acceptor_pem(served.chain_pem.as_bytes(), &served.key_pem) {
                Ok(a) => Some(a),
                Err(e) => {
                    let why = format!("the stored certificate cannot be served: {e}");
                    self.update(|s| s.problem = Some(why.clone()));
                    return Err(why);
                }
            }
        } else {
            None
        };
        self.update(|s| {
            s.mode = served.mode;
            s.proxies = Arc::new(served.proxies);
            s.acceptor = acceptor;
            s.problem = None;
        });
        Ok(())
    }

    /// Records where HTTPS is served (or why it is not).
    pub(crate) fn set_https(&self, at: Option<SocketAddr>, problem: Option<String>) {
        if let Ok(mut s) = self.state.write() {
            s.https = at;
            s.problem = problem;
        }
        self.listening.send_modify(|n| *n += 1);
    }

    /// Waits, for `within` at most, until HTTPS is bound or a problem is recorded when the
    /// choice serves it: the HTTPS loop binds after a reload on its own task, and the page shown
    /// right after the owner's choice names the secure address only once it answers.
    pub async fn settled(&self, within: std::time::Duration) {
        // Subscribed before the first look, so a report between the two still wakes the wait.
        let mut heard = self.listening.subscribe();
        let _ = tokio::time::timeout(within, async {
            loop {
                let s = self.snapshot();
                if !s.serves_https() || s.https.is_some() || s.problem.is_some() {
                    return;
                }
                if heard.changed().await.is_err() {
                    return;
                }
            }
        })
        .await;
    }
}

/// A rustls acceptor from PEM text held in memory (the certificate chosen on the set-up path).
pub fn tls_acceptor_pem(chain: &[u8], key: &[u8]) -> Result<TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(chain)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("certificate: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate found".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| format!("key: {e}"))?;
    acceptor(certs, key)
}

/// A rustls acceptor (TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1) for a chain and its key.
pub fn acceptor(
    certs: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
) -> Result<TlsAcceptor, String> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A plain-HTTP connection's requests carry this, so the redirect knows them.
#[derive(Clone, Copy, Debug)]
pub struct PlainConnection;

/// This computer's names and addresses, for the local authority's server certificate: its
/// host name (and `name.local`, which Macs, iPads and Windows resolve on a local network),
/// `localhost`, the loopback addresses, and the address it uses on the clinic's network.
pub fn machine_names(network_address: IpAddr) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |n: String| {
        if !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    };
    if let Some(host) = hostname::get().ok().and_then(|h| h.into_string().ok()) {
        let host = host.to_ascii_lowercase();
        if rules::check_names(&host).is_ok_and(|v| v.len() == 1) {
            if !host.contains('.') {
                add(format!("{host}.local"));
            }
            add(host);
        }
    }
    add("localhost".into());
    add("127.0.0.1".into());
    if !network_address.is_unspecified() {
        add(network_address.to_string());
    } else if let Some(ip) = lan_address() {
        add(ip.to_string());
    }
    out
}

/// The address this computer uses toward the network (a UDP "connect" sends nothing).
fn lan_address() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn a_choice_settles_when_the_https_loop_reports_and_not_before() {
        let live = Arc::new(Live::default());
        let t = Instant::now();
        live.settled(Duration::from_secs(10)).await;
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "nothing to wait for without HTTPS"
        );

        let made = rcgen::generate_simple_self_signed(vec!["clinic.test".to_owned()]).unwrap();
        let acceptor = tls_acceptor_pem(made.cert.pem().as_bytes(), made.key_pair.serialize_pem().as_bytes()).unwrap();
        live.update(|s| {
            s.mode = Some(Mode::LocalAuthority);
            s.acceptor = Some(acceptor);
        });
        // The loop binds on its own task, later.
        let loop_task = {
            let live = Arc::clone(&live);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                live.set_https(Some(SocketAddr::from(([127, 0, 0, 1], 8443))), None);
            })
        };
        let t = Instant::now();
        live.settled(Duration::from_secs(10)).await;
        assert!(t.elapsed() >= Duration::from_millis(250), "waited for the bind");
        assert_eq!(live.snapshot().https.map(|a| a.port()), Some(8443));
        loop_task.await.unwrap();

        // A port it cannot take settles too (the page names the problem), and a loop that never
        // answers is waited for no longer than asked.
        live.set_https(None, Some("Carekeep cannot listen on port 8443".into()));
        let t = Instant::now();
        live.settled(Duration::from_secs(10)).await;
        assert!(t.elapsed() < Duration::from_secs(1));
        live.set_https(None, None);
        let t = Instant::now();
        live.settled(Duration::from_millis(200)).await;
        assert!(t.elapsed() >= Duration::from_millis(200) && t.elapsed() < Duration::from_secs(5));
    }
}
