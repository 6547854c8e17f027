//! The portal's certificate (issue 27, item 1): from PEM files the clinic gives, checked as
//! an uploaded certificate is (`carekeep-domain::program::network::check_upload`: a
//! certificate, chain order, key, dates, the portal's host name), or from ACME.
//! Transmission security: 164.312(e)(1).

use crate::config::{PortalSettings, PortalTls};
use crate::state::AppState;
use carekeep_app::program::portal_cert::AcmeOrder;
use carekeep_domain::program::portal_cert::Renewal;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use time::OffsetDateTime;
use tokio_rustls::TlsAcceptor;

/// The validity of a PEM chain's first certificate (the portal's own), for its standing.
pub fn validity(chain_pem: &[u8]) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let first = CertificateDer::pem_slice_iter(chain_pem).next()?.ok()?;
    let facts = carekeep_app::program::network::cert_facts(&first)?;
    Some((facts.not_before, facts.not_after))
}

/// Who issues the portal's certificates from ACME, in words: the directory's host name.
pub fn acme_issuer(directory: &str) -> String {
    let host = directory
        .split("://")
        .nth(1)
        .unwrap_or(directory)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    format!("the ACME certificate authority at {host}")
}

/// Reads, checks and serves the portal's certificate files.
pub fn files_acceptor(cert: &Path, key: &Path, host: &str, now: OffsetDateTime) -> Result<TlsAcceptor, String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let chain_pem = read(cert)?;
    let key_pem = read(key)?;
    pem_acceptor(&chain_pem, &key_pem, host, now).map_err(|why| format!("portal_tls_cert {}: {why}", cert.display()))
}

/// Checks a PEM chain and key for the portal's host name at `now` and makes them servable.
pub fn pem_acceptor(chain_pem: &[u8], key_pem: &[u8], host: &str, now: OffsetDateTime) -> Result<TlsAcceptor, String> {
    let needed: Vec<String> = if host.is_empty() {
        Vec::new()
    } else {
        vec![host.to_owned()]
    };
    carekeep_app::program::network::check_upload(chain_pem, key_pem, &needed, now).map_err(|r| r.message)?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| e.to_string())?;
    crate::network::acceptor(certs, key)
}

impl carekeep_app::program::portal_cert::Challenges for crate::portal_door::Door {
    fn offer(&self, token: &str, key_authorization: &str) {
        self.offer_challenge(token.to_owned(), key_authorization.to_owned());
    }

    fn withdraw(&self, token: &str) {
        self.withdraw_challenge(token);
    }
}

/// The ACME order carekeep.toml describes, if the portal's certificate comes from ACME.
fn acme_order(state: &AppState) -> Option<AcmeOrder> {
    match state.config.portal().ok()?? {
        PortalSettings {
            host,
            tls:
                PortalTls::Acme {
                    directory,
                    email,
                    ca_pem,
                    ..
                },
            ..
        } => Some(AcmeOrder {
            directory,
            email,
            ca_pem,
            host,
        }),
        _ => None,
    }
}

/// Serves the stored ACME certificate, if there is one for the portal's host (at start).
pub async fn load_stored(state: &AppState) -> Result<bool, String> {
    let Some(order) = acme_order(state) else {
        return Ok(false);
    };
    match state
        .app
        .portal_certificate(&order.host)
        .await
        .map_err(|e| e.to_string())?
    {
        Some(cert) => {
            let acceptor = pem_acceptor(cert.chain_pem.as_bytes(), &cert.key_pem, &order.host, state.app.now())?;
            state.door.set_acceptor(acceptor);
            let valid = (cert.not_before, cert.not_after);
            state.app.update_portal_door(|f| f.valid = Some(valid));
            Ok(true)
        }
        None => Ok(false),
    }
}

/// What one look at the portal's certificate did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateTick {
    /// No ACME configured (files or plain HTTP).
    NotAcme,
    /// Nothing due yet.
    Waiting,
    /// A new certificate is served from now on, valid until then.
    Issued(OffsetDateTime),
}

/// The background job's step (`jobs::run`, every tick): orders the portal's certificate when
/// the renewal rule says so (`carekeep_domain::program::portal_cert`), and serves the new one
/// from the next connection on, without a restart. A failure waits an hour before the next try.
pub async fn certificate_tick(state: &AppState) -> Result<CertificateTick, String> {
    let Some(order) = acme_order(state) else {
        return Ok(CertificateTick::NotAcme);
    };
    let last_failure = state.door.last_failure();
    let due = state
        .app
        .portal_renewal(&order.host, last_failure)
        .await
        .map_err(|e| e.to_string())?;
    if matches!(due, Renewal::WaitUntil(_)) {
        if state.door.acceptor().is_none() {
            // Issued before this process started: serve it.
            load_stored(state).await?;
        }
        return Ok(CertificateTick::Waiting);
    }
    let issued = state.app.order_portal_certificate(&order, state.door.as_ref()).await;
    let cert = match issued {
        Ok(cert) => cert,
        Err(e) => {
            let now = state.app.now();
            state.door.set_last_failure(Some(now));
            let why = e.to_string();
            // The owner's dashboard, readiness and TEC-08/09 say so (`portal_door_standing`).
            state
                .app
                .update_portal_door(|f| f.last_failure = Some((now, why.clone())));
            return Err(why);
        }
    };
    let acceptor = pem_acceptor(cert.chain_pem.as_bytes(), &cert.key_pem, &order.host, state.app.now())?;
    state.door.set_acceptor(acceptor);
    state.door.set_last_failure(None);
    let valid = (cert.not_before, cert.not_after);
    state.app.update_portal_door(|f| {
        f.valid = Some(valid);
        f.last_failure = None;
    });
    Ok(CertificateTick::Issued(cert.not_after))
}
