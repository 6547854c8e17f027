//! Serving from a listener it is given (so tests bind 127.0.0.1:0), over plain HTTP on
//! loopback or behind a declared TLS proxy, or over built-in TLS (rustls). Encryption in
//! transit: 164.312(e)(1), (e)(2)(ii).

use crate::state::AppState;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::io::AsyncBufReadExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
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
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// How long a TLS handshake may take.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves Carekeep on `listener` until `shutdown` completes, then lets open requests finish
/// (up to ten seconds).
///
/// Slow and idle clients cannot hold connections: a client must send its first bytes, and
/// then each request's headers, within `request_header_timeout_seconds` of connecting or of
/// its last response (HTTP/1; HTTP/2 peers that stop answering pings are closed); at most
/// `max_connections` are served at once, and further ones wait in the listen queue.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = listener.local_addr()?;
    let config = state.config.clone();
    check_transport(addr, config.tls_enabled(), config.behind_tls_proxy)?;
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls_acceptor(cert, key)?),
        _ => None,
    };
    let header_timeout = Duration::from_secs(config.request_header_timeout_seconds);
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let mut at_cap = false;
    let router = crate::routes::router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        // A slot first: at the cap, new connections wait in the kernel's queue, unread.
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                at_cap = false;
                slot
            }
            Err(_) => {
                if !at_cap {
                    tracing::warn!(
                        max_connections = config.max_connections,
                        "connection limit reached: new connections wait until one closes (raise max_connections if this is real traffic)"
                    );
                    at_cap = true;
                }
                tokio::select! {
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
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
            () = &mut shutdown => break,
        };
        let service = router
            .clone()
            .map_request(move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let service = TowerToHyperService::new(service);
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
        let watcher = graceful.watcher();
        let tls = tls.clone();
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
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
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
