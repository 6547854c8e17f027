//! Serving from a listener it is given (so tests bind 127.0.0.1:0), over plain HTTP on
//! loopback or behind a declared TLS proxy, or over built-in TLS (rustls). Encryption in
//! transit: 164.312(e)(1), (e)(2)(ii).

use crate::network::PlainConnection;
use crate::state::AppState;
use axum::extract::ConnectInfo;
use axum::Router;
use carekeep_domain::program::network::Mode;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::io::AsyncBufReadExt;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

#[derive(Debug, Error)]
pub enum ServeError {
    #[error(
        "refusing to serve plain HTTP on {0}, which is not a loopback address: configure tls_cert and tls_key, \
         or set behind_tls_proxy = true if a TLS proxy sits in front (164.312(e)(1) transmission security)"
    )]
    PlainHttpOnNetwork(SocketAddr),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
}

/// Refuses plain HTTP on a non-loopback address unless a TLS proxy is declared.
pub fn check_transport(addr: SocketAddr, tls: bool, behind_tls_proxy: bool) -> Result<(), ServeError> {
    if tls || behind_tls_proxy || addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(ServeError::PlainHttpOnNetwork(addr))
    }
}

/// Reads the PEM certificate chain and key into a rustls acceptor.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, ServeError> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ServeError::Tls(format!("{}: {e}", cert.display())))?;
    if certs.is_empty() {
        return Err(ServeError::Tls(format!("{}: no certificate found", cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| ServeError::Tls(format!("{}: {e}", key.display())))?;
    crate::network::acceptor(certs, key).map_err(ServeError::Tls)
}

/// How long a TLS handshake may take.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What one accept loop shares with its connections.
#[derive(Clone, Copy)]
struct Loop<'a> {
    router: &'a Router,
    slots: &'a Arc<Semaphore>,
    max_connections: usize,
    header_timeout: Duration,
    graceful: &'a GracefulShutdown,
    /// A connection without a certificate to serve is closed, never served plain (the portal
    /// with TLS configured, before its first certificate).
    tls_required: bool,
    /// The portal's requests are marked when they came over HTTPS (`__Host-` cookies).
    portal: bool,
    /// Behind the clinic's TLS proxy: every request came over HTTPS.
    proxied_https: bool,
}

/// Serves Carekeep on `listener` until `shutdown` completes, then lets open requests finish
/// (up to ten seconds).
///
/// Slow and idle clients cannot hold connections: a client must send its first bytes, and
/// then each request's headers, within `request_header_timeout_seconds` of connecting or of
/// its last response (HTTP/1; HTTP/2 peers that stop answering pings are closed); at most
/// `max_connections` are served at once, and further ones wait in the listen queue.
///
/// The network choice made on the set-up path is watched: HTTPS is served on a port of its
/// own while the choice says so (plain HTTP then redirects there), the plain listener moves
/// between this computer and the clinic's network as the choice says, and the trusted proxies
/// follow it, all without a restart. TLS files named in carekeep.toml win over the choice.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = listener.local_addr()?;
    let config = state.config.clone();
    if let Err(why) = state.network.reload(&state.app).await {
        tracing::warn!(%why, "the network choice made on the set-up path cannot be served");
    }
    let live = state.network.snapshot();
    check_transport(
        addr,
        config.tls_enabled() || live.serves_https(),
        config.behind_tls_proxy || live.mode == Some(Mode::Proxy),
    )?;
    let config_tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls_acceptor(cert, key)?),
        _ => None,
    };
    let header_timeout = Duration::from_secs(config.request_header_timeout_seconds);
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let router = crate::routes::router(state.clone());
    let graceful = GracefulShutdown::new();
    let lp = Loop {
        router: &router,
        slots: &slots,
        max_connections: config.max_connections,
        header_timeout,
        graceful: &graceful,
        tls_required: false,
        portal: false,
        proxied_https: false,
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let primary = async {
        primary_loop(&state, &lp, listener, config_tls.clone(), shutdown).await;
        let _ = stop_tx.send(true);
    };
    let https = async {
        if config_tls.is_none() {
            https_loop(&state, &lp, stop_rx).await;
        }
    };
    tokio::join!(primary, https);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

/// Serves the patients' door (`portal_listen`, issue 27) on `listener` until `shutdown`
/// completes: only the patient-facing routes (`routes::patient_router`). With a portal
/// certificate configured it serves HTTPS only, the certificate read per connection from
/// `AppState::door` (so a renewal applies without a restart) and connections closed until
/// there is one; without, plain HTTP on loopback or behind the clinic's TLS proxy only.
/// With ACME, `challenge_listener` serves the HTTP-01 challenges and sends everything else
/// to HTTPS on the portal's host.
pub async fn serve_portal(
    state: AppState,
    listener: TcpListener,
    challenge_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = listener.local_addr()?;
    let config = state.config.clone();
    let settings = config
        .portal()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .ok_or_else(|| ServeError::Tls("portal_listen is not set".into()))?;
    let tls = !matches!(settings.tls, crate::config::PortalTls::Plain);
    check_transport(addr, tls, config.behind_tls_proxy)?;
    // What the owner's dashboard, readiness and TEC-08/09 say about the door (issue 27).
    let facts = |source, issuer: String, valid| carekeep_app::program::portal_cert::DoorFacts {
        listening: true,
        host: settings.host.clone(),
        source,
        issuer,
        valid,
        last_failure: None,
    };
    match &settings.tls {
        crate::config::PortalTls::Files { cert, key } => {
            let acceptor = crate::portal_tls::files_acceptor(cert, key, &settings.host, state.app.now())
                .map_err(ServeError::Tls)?;
            state.door.set_acceptor(acceptor);
            let valid = std::fs::read(cert)
                .ok()
                .and_then(|pem| crate::portal_tls::validity(&pem));
            state.app.set_portal_door(Some(facts(
                carekeep_app::program::portal_cert::CertSource::Files,
                "the clinic's own certificate files".into(),
                valid,
            )));
        }
        crate::config::PortalTls::Acme { directory, .. } => {
            state.app.set_portal_door(Some(facts(
                carekeep_app::program::portal_cert::CertSource::Acme,
                crate::portal_tls::acme_issuer(directory),
                None,
            )));
            // Until the jobs issue one, connections are closed (never served plain).
            if let Err(why) = crate::portal_tls::load_stored(&state).await {
                tracing::warn!(%why, "the portal's stored certificate cannot be served; a new one will be ordered");
            }
        }
        crate::config::PortalTls::Plain => {}
    }
    let header_timeout = Duration::from_secs(config.request_header_timeout_seconds);
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let router = crate::routes::patient_router(state.clone());
    let graceful = GracefulShutdown::new();
    let lp = Loop {
        router: &router,
        slots: &slots,
        max_connections: config.max_connections,
        header_timeout,
        graceful: &graceful,
        tls_required: tls,
        portal: true,
        proxied_https: !tls && config.behind_tls_proxy,
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let door = state.door.clone();
    let main = async {
        accept_loop(
            &lp,
            &listener,
            || if tls { door.acceptor() } else { None },
            false,
            shutdown,
        )
        .await;
        let _ = stop_tx.send(true);
    };
    let challenges = async {
        if let Some(plain) = challenge_listener {
            let router = crate::routes::challenge_router(state.clone(), settings.host.clone(), addr.port());
            let own = Loop {
                router: &router,
                tls_required: false,
                portal: false,
                proxied_https: false,
                ..lp
            };
            let mut stop = stop_rx;
            accept_loop(&own, &plain, || None, false, async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await;
        }
    };
    tokio::join!(main, challenges);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

/// Where the plain listener belongs for the stored choice: this computer only, or the
/// clinic's network (`network_address`), on the same port. `None`: where it was started.
fn plain_address(state: &AppState, now: SocketAddr) -> Option<SocketAddr> {
    let config = &state.config;
    if config.tls_enabled() {
        return None;
    }
    match state.network.snapshot().mode? {
        Mode::ThisComputer => Some(SocketAddr::new(IpAddr::from([127, 0, 0, 1]), now.port())),
        _ => Some(SocketAddr::new(config.network_address, now.port())),
    }
}

/// The listener Carekeep was started on: plain HTTP (redirected to HTTPS while the choice
/// serves it) or carekeep.toml's TLS. Moves when the choice moves it.
async fn primary_loop(
    state: &AppState,
    lp: &Loop<'_>,
    mut listener: TcpListener,
    config_tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut changes = state.network.subscribe();
    loop {
        let stopped = accept_loop(lp, &listener, || config_tls.clone(), true, async {
            tokio::select! {
                () = &mut shutdown => true,
                _ = changes.changed() => false,
            }
        })
        .await;
        if stopped {
            return;
        }
        let Ok(now) = listener.local_addr() else { return };
        let Some(want) = plain_address(state, now).filter(|w| *w != now) else {
            continue;
        };
        // Let go of the port first: the same port on another address is refused while held.
        drop(listener);
        listener = match TcpListener::bind(want).await {
            Ok(l) => {
                tracing::info!(%want, "listening where the network choice says");
                l
            }
            Err(e) => {
                tracing::warn!(%want, error = %e, "cannot listen where the network choice says; staying");
                match TcpListener::bind(now).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!(%now, error = %e, "lost the listener");
                        return;
                    }
                }
            }
        };
    }
}

/// HTTPS on `network_address:https_port` while the stored choice serves it; the certificate
/// is read per connection, so a new one applies at once.
async fn https_loop(state: &AppState, lp: &Loop<'_>, mut stop: watch::Receiver<bool>) {
    let mut changes = state.network.subscribe();
    loop {
        if *stop.borrow() {
            return;
        }
        if state.network.snapshot().serves_https() {
            let at = SocketAddr::new(state.config.network_address, state.config.https_port);
            match TcpListener::bind(at).await {
                Ok(listener) => {
                    state.network.set_https(listener.local_addr().ok(), None);
                    let acceptor = || state.network.snapshot().acceptor;
                    // Its own drain: when the choice stops HTTPS, its open connections close too.
                    let graceful = GracefulShutdown::new();
                    let own = Loop {
                        graceful: &graceful,
                        ..*lp
                    };
                    let stopped = accept_loop(&own, &listener, acceptor, false, async {
                        loop {
                            tokio::select! {
                                _ = stop.changed() => return true,
                                _ = changes.changed() => {
                                    if !state.network.snapshot().serves_https() {
                                        return false;
                                    }
                                }
                            }
                        }
                    })
                    .await;
                    drop(listener);
                    state.network.set_https(None, None);
                    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
                    if stopped {
                        return;
                    }
                    continue;
                }
                Err(e) => {
                    tracing::warn!(%at, error = %e, "cannot serve HTTPS");
                    state
                        .network
                        .set_https(None, Some(format!("Carekeep cannot listen on port {}: {e}", at.port())));
                }
            }
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = changes.changed() => {}
            // A port taken by another program may free up: try again now and then.
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
    }
}

/// Accepts connections on `listener` until `until` completes (its value is returned). Each
/// connection is served with TLS when `tls()` gives an acceptor; `plain_marks` marks plain
/// connections' requests so they can be redirected to HTTPS.
async fn accept_loop<T>(
    lp: &Loop<'_>,
    listener: &TcpListener,
    tls: impl Fn() -> Option<TlsAcceptor>,
    plain_marks: bool,
    until: impl Future<Output = T>,
) -> T {
    tokio::pin!(until);
    let mut at_cap = false;
    loop {
        // A slot first: at the cap, new connections wait in the kernel's queue, unread.
        let slot = match lp.slots.clone().try_acquire_owned() {
            Ok(slot) => {
                at_cap = false;
                slot
            }
            Err(_) => {
                if !at_cap {
                    tracing::warn!(
                        max_connections = lp.max_connections,
                        "connection limit reached: new connections wait until one closes (raise max_connections if this is real traffic)"
                    );
                    at_cap = true;
                }
                tokio::select! {
                    slot = lp.slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => return until.await,
                    },
                    v = &mut until => return v,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            v = &mut until => return v,
        };
        let tls = tls();
        if lp.tls_required && tls.is_none() {
            drop(stream);
            continue;
        }
        let plain = plain_marks && tls.is_none();
        let portal_https = lp.portal && (tls.is_some() || lp.proxied_https);
        let service = lp
            .router
            .clone()
            .map_request(move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                if plain {
                    req.extensions_mut().insert(PlainConnection);
                }
                if portal_https {
                    req.extensions_mut().insert(crate::middleware::portal::PortalHttps);
                }
                req
            });
        let service = TowerToHyperService::new(service);
        let header_timeout = lp.header_timeout;
        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        builder
            .http2()
            .timer(TokioTimer::new())
            .keep_alive_interval(Some(Duration::from_secs(30)))
            .keep_alive_timeout(header_timeout);
        let watcher = lp.graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            match tls {
                None => {
                    // Before HTTP starts (hyper first reads which protocol this is), a
                    // client that sends nothing is dropped.
                    let mut first = [0u8; 1];
                    if !matches!(
                        tokio::time::timeout(header_timeout, stream.peek(&mut first)).await,
                        Ok(Ok(1..))
                    ) {
                        return;
                    }
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn.into_owned()).await;
                }
                Some(acceptor) => {
                    let Ok(Ok(tls_stream)) = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    // The same after the handshake: the first request's bytes within the timeout.
                    let mut io = tokio::io::BufReader::new(tls_stream);
                    if !matches!(tokio::time::timeout(header_timeout, io.fill_buf()).await, Ok(Ok(b)) if !b.is_empty())
                    {
                        return;
                    }
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
                    let _ = watcher.watch(conn.into_owned()).await;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback_or_behind_a_proxy() {
        let lo: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let v6lo: SocketAddr = "[::1]:8080".parse().unwrap();
        let net: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(check_transport(lo, false, false).is_ok());
        assert!(check_transport(v6lo, false, false).is_ok());
        assert!(matches!(
            check_transport(net, false, false),
            Err(ServeError::PlainHttpOnNetwork(_))
        ));
        assert!(check_transport(net, true, false).is_ok());
        assert!(check_transport(net, false, true).is_ok());
    }
}
