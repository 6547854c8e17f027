//! How the clinic's computers reach Carekeep (issue 25, item 2), chosen by the owner on the
//! set-up path: this computer only, the clinic's own certificate authority (made here with
//! rcgen), a certificate the clinic has (uploaded PEM files, checked), or a TLS proxy. The
//! choice is stored (`network_setting`, migration 0034) and the server's serve loop picks it
//! up without a restart (164.312(e)(1)). The rules are `carekeep_domain::program::network`.
//!
//! Private keys are sealed under the master key like the clinic's other secrets (bound to
//! `network_setting.key_ct#1` and `.ca_key_ct#1`), not kept as files: the database and its
//! backups then hold them only encrypted, a restore brings back the authority the clinic's
//! devices already trust, and there is no second file whose permissions can drift.

use crate::seal::NotPhi;
use crate::{Actor, App, AppError};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::client_address::Cidr;
use carekeep_domain::program::network::{self as rules, CertFacts, Expiry, Mode, Upload};
use carekeep_domain::Capability;
use carekeep_store::network::{self as store, NetworkRow};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

/// How long the server certificate made by the local authority lasts (browsers accept at most
/// 398 days for public certificates; a local one is renewed by choosing again).
const SERVER_CERT_DAYS: i64 = 397;
/// How long the local authority lasts: devices trust it once, for years.
const AUTHORITY_YEARS: i64 = 10;

fn key_binding() -> Binding<'static> {
    Binding {
        table: "network_setting",
        column: "key_ct",
        row: 1,
    }
}

fn ca_key_binding() -> Binding<'static> {
    Binding {
        table: "network_setting",
        column: "ca_key_ct",
        row: 1,
    }
}

/// What the owner chose, as typed.
#[derive(Clone, Debug, Default)]
pub struct NetworkChoice {
    /// `this_computer`, `local_authority`, `own_certificate` or `proxy`.
    pub mode: String,
    /// More names or addresses staff type (the local authority's certificate covers them, an
    /// uploaded certificate must), one a line.
    pub names: String,
    /// The proxies' addresses or networks, one a line.
    pub proxies: String,
    /// The uploaded certificate chain and key (PEM).
    pub chain_pem: Vec<u8>,
    pub key_pem: Zeroizing<Vec<u8>>,
}

/// The choice as the set-up page shows it.
#[derive(Clone, Debug, Default)]
pub struct NetworkView {
    pub mode: Option<Mode>,
    /// Names typed by the owner.
    pub names: Vec<String>,
    pub proxies: Vec<String>,
    /// The served certificate's names, end and standing.
    pub cert_names: Vec<String>,
    pub not_after: Option<OffsetDateTime>,
    pub expiry: Option<Expiry>,
    /// The local authority, when one was made: its SHA-256 fingerprint (colon-separated hex).
    pub authority_fingerprint: Option<String>,
}

/// What the serve loop needs to serve the choice.
#[derive(Clone, Debug, Default)]
pub struct Served {
    pub mode: Option<Mode>,
    pub chain_pem: String,
    pub key_pem: Zeroizing<Vec<u8>>,
    pub proxies: Vec<Cidr>,
}

fn is_owner(actor: &Actor<'_>) -> bool {
    match actor {
        Actor::Cli => true,
        Actor::User(p) => p.roles.iter().any(|r| r.as_str() == "owner"),
        Actor::Patient(_) => false,
    }
}

fn invalid(m: impl Into<String>) -> AppError {
    AppError::Invalid(m.into())
}

/// Reads every certificate of a PEM chain (DER bytes, in file order).
fn pem_chain(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem).filter_map(Result::ok).collect()
}

/// The facts the domain's checks need from one certificate.
pub fn cert_facts(der: &[u8]) -> Option<CertFacts> {
    use x509_parser::extensions::GeneralName;
    let (_, c) = x509_parser::parse_x509_certificate(der).ok()?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = c.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => names.push((*d).to_owned()),
                GeneralName::IPAddress(b) => {
                    if let Ok(a) = <[u8; 4]>::try_from(*b) {
                        names.push(std::net::Ipv4Addr::from(a).to_string());
                    } else if let Ok(a) = <[u8; 16]>::try_from(*b) {
                        names.push(std::net::Ipv6Addr::from(a).to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Some(CertFacts {
        subject: c.subject().as_raw().to_vec(),
        issuer: c.issuer().as_raw().to_vec(),
        not_before: c.validity().not_before.to_datetime(),
        not_after: c.validity().not_after.to_datetime(),
        names,
    })
}

/// Whether `key` is the private key of `leaf` (rustls compares the public halves).
fn key_matches(leaf: &CertificateDer<'static>, key: PrivateKeyDer<'static>) -> bool {
    let provider = rustls::crypto::ring::default_provider();
    let Ok(signing) = provider.key_provider.load_private_key(key) else {
        return false;
    };
    rustls::sign::CertifiedKey::new(vec![leaf.clone()], signing)
        .keys_match()
        .is_ok()
}

/// Checks an uploaded chain and key against the names staff type, at `now`.
pub fn check_upload(
    chain_pem: &[u8],
    key_pem: &[u8],
    needed: &[String],
    now: OffsetDateTime,
) -> Result<Vec<CertFacts>, rules::Refusal> {
    let ders = pem_chain(chain_pem);
    let chain: Vec<CertFacts> = ders.iter().filter_map(|d| cert_facts(d)).collect();
    let chain = if chain.len() == ders.len() { chain } else { Vec::new() };
    let key = PrivateKeyDer::from_pem_slice(key_pem).ok();
    let upload = Upload {
        key_read: key.is_some(),
        key_matches: match (ders.first(), key) {
            (Some(leaf), Some(k)) => key_matches(leaf, k),
            _ => false,
        },
        chain,
    };
    rules::check_upload(&upload, needed, now)?;
    Ok(upload.chain)
}

/// The SHA-256 fingerprint of a certificate, as devices show it (`AB:CD:...`).
pub fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn rcgen_error(e: rcgen::Error) -> AppError {
    AppError::Internal(format!("making the certificate: {e}"))
}

fn rcgen_time(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// A new local certificate authority: its certificate (PEM) and key (PKCS#8 PEM).
fn new_authority(clinic: &str, now: OffsetDateTime) -> Result<(String, Zeroizing<String>), AppError> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let key = KeyPair::generate().map_err(rcgen_error)?;
    let mut p = CertificateParams::default();
    let name = if clinic.trim().is_empty() {
        "the clinic"
    } else {
        clinic.trim()
    };
    let cn: String = format!("Carekeep local authority for {name}")
        .chars()
        .take(60)
        .collect();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name.push(DnType::OrganizationName, "Carekeep");
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = rcgen_time(now - Duration::days(1));
    p.not_after = rcgen_time(now + Duration::days(365 * AUTHORITY_YEARS));
    let cert = p.self_signed(&key).map_err(rcgen_error)?;
    Ok((cert.pem(), Zeroizing::new(key.serialize_pem())))
}

/// A server certificate for `names`, issued by the authority; returns the chain (server
/// certificate then the authority) and the server key.
fn issue_server(
    ca_pem: &str,
    ca_key_pem: &str,
    names: &[String],
    now: OffsetDateTime,
) -> Result<(String, Zeroizing<String>, OffsetDateTime, OffsetDateTime), AppError> {
    use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::from_pem(ca_key_pem).map_err(rcgen_error)?;
    let ca = CertificateParams::from_ca_cert_pem(ca_pem)
        .map_err(rcgen_error)?
        .self_signed(&ca_key)
        .map_err(rcgen_error)?;
    let mut p = CertificateParams::new(names.to_vec()).map_err(rcgen_error)?;
    p.distinguished_name
        .push(DnType::CommonName, names.first().cloned().unwrap_or_default());
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    let (from, to) = (
        rcgen_time(now - Duration::days(1)),
        rcgen_time(now + Duration::days(SERVER_CERT_DAYS)),
    );
    p.not_before = from;
    p.not_after = to;
    let key = KeyPair::generate().map_err(rcgen_error)?;
    let cert = p.signed_by(&key, &ca, &ca_key).map_err(rcgen_error)?;
    Ok((
        format!("{}{ca_pem}", cert.pem()),
        Zeroizing::new(key.serialize_pem()),
        from,
        to,
    ))
}

impl App {
    async fn network_row(&self) -> Result<Option<NetworkRow>, AppError> {
        let mut conn = self.store().read().await?;
        Ok(store::get(&mut conn).await?)
    }

    /// The stored choice (`None` until the owner chooses).
    pub async fn network_mode(&self) -> Result<Option<Mode>, AppError> {
        Ok(self.network_row().await?.and_then(|r| Mode::parse(&r.mode)))
    }

    /// The choice as the set-up page shows it (those who administer the clinic).
    pub async fn network(&self, actor: &Actor<'_>) -> Result<NetworkView, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let Some(row) = self.network_row().await? else {
            return Ok(NetworkView::default());
        };
        let now = self.now();
        let leaf = pem_chain(row.chain_pem.as_bytes()).first().and_then(|d| cert_facts(d));
        Ok(NetworkView {
            mode: Mode::parse(&row.mode),
            names: lines(&row.names),
            proxies: lines(&row.trusted_proxies),
            cert_names: leaf.as_ref().map(|c| c.names.clone()).unwrap_or_default(),
            not_after: row.not_after,
            expiry: leaf.map(|c| rules::expiry(c.not_before, c.not_after, now)),
            authority_fingerprint: pem_chain(row.ca_cert_pem.as_bytes()).first().map(|d| fingerprint(d)),
        })
    }

    /// The local authority's certificate as PEM, for anyone's device to trust (a certificate
    /// is public; its key never leaves). `None` when none was made.
    pub async fn authority_certificate(&self) -> Result<Option<String>, AppError> {
        Ok(self
            .network_row()
            .await?
            .map(|r| r.ca_cert_pem)
            .filter(|p| !p.is_empty()))
    }

    /// The names the served certificate is for, the address to give out first (a served
    /// certificate is public: any client is shown it).
    pub async fn served_names(&self) -> Result<Vec<String>, AppError> {
        Ok(self
            .network_row()
            .await?
            .and_then(|r| pem_chain(r.chain_pem.as_bytes()).first().and_then(|d| cert_facts(d)))
            .map(|c| c.names)
            .unwrap_or_default())
    }

    /// What the serve loop serves: the mode, and for HTTPS the chain and its key (opened here,
    /// never logged). No person asks for this; the server does, at start and after a change.
    pub async fn network_served(&self) -> Result<Served, AppError> {
        let Some(row) = self.network_row().await? else {
            return Ok(Served::default());
        };
        let mode = Mode::parse(&row.mode);
        let key_pem = match (&row.key_ct, mode.is_some_and(Mode::serves_https)) {
            (Some(ct), true) => self.sealer().open_not_phi(NotPhi::ServerKey, key_binding(), ct)?,
            _ => Zeroizing::new(Vec::new()),
        };
        Ok(Served {
            mode,
            chain_pem: row.chain_pem.clone(),
            key_pem,
            proxies: if mode == Some(Mode::Proxy) {
                lines(&row.trusted_proxies)
                    .iter()
                    .filter_map(|p| p.parse().ok())
                    .collect()
            } else {
                Vec::new()
            },
        })
    }

    /// What the risk assessment's transport rows (TEC-08, TEC-09) and the readiness page read.
    pub async fn transport_evidence(&self) -> Result<(bool, String), AppError> {
        let host = &self.settings().host;
        let config = (host.transport != crate::app::Transport::Plain).then(|| host.transport.describe());
        let row = self.network_row().await?;
        let mode = row.as_ref().and_then(|r| Mode::parse(&r.mode));
        let cert = row
            .as_ref()
            .and_then(|r| pem_chain(r.chain_pem.as_bytes()).first().and_then(|d| cert_facts(d)))
            .map(|c| rules::expiry(c.not_before, c.not_after, self.now()));
        Ok(rules::transport_evidence(mode, config, cert))
    }

    /// The served certificate's end, when Carekeep serves HTTPS from a stored choice: for the
    /// dashboard's reminder 30 days before.
    pub async fn served_certificate_end(&self) -> Result<Option<(Mode, OffsetDateTime, OffsetDateTime)>, AppError> {
        let Some(row) = self.network_row().await? else {
            return Ok(None);
        };
        Ok(match (Mode::parse(&row.mode), row.not_before, row.not_after) {
            (Some(m), Some(from), Some(to)) if m.serves_https() => Some((m, from, to)),
            _ => None,
        })
    }

    /// Saves the owner's choice. `machine_names` are the names and addresses the server found
    /// for this computer (the local authority's certificate covers them and the typed ones).
    /// Each refusal names its field (the domain's words); the change is `setting.changed` on
    /// the trail. Owners only.
    pub async fn choose_network(
        &self,
        actor: &Actor<'_>,
        choice: &NetworkChoice,
        machine_names: &[String],
    ) -> Result<Mode, AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        if !is_owner(actor) {
            return Err(AppError::Forbidden(
                "only an owner chooses how computers reach Carekeep".into(),
            ));
        }
        let mode =
            Mode::parse(&choice.mode).ok_or_else(|| invalid("choose how the clinic's computers reach Carekeep"))?;
        let typed = rules::check_names(&choice.names).map_err(invalid)?;
        let now = self.now();
        let mut row = self.network_row().await?.unwrap_or_default();
        row.mode = mode.as_str().to_owned();
        row.names = typed.join("\n");
        let mut new_key: Option<Zeroizing<Vec<u8>>> = None;
        let mut new_ca_key: Option<Zeroizing<String>> = None;
        let what = match mode {
            Mode::ThisComputer => "this computer only (127.0.0.1, no network)".to_owned(),
            Mode::Proxy => {
                let proxies = lines(&choice.proxies.replace(',', "\n"));
                if proxies.is_empty() {
                    return Err(invalid(
                        "type the proxy's IP address (or its network, such as 10.0.0.0/8), one a line",
                    ));
                }
                for p in &proxies {
                    p.parse::<Cidr>().map_err(|e| invalid(format!("proxy address: {e}")))?;
                }
                row.trusted_proxies = proxies.join("\n");
                format!("a TLS proxy the clinic runs, trusted from {}", proxies.join(", "))
            }
            Mode::LocalAuthority => {
                // The owner's names first: the first is the address the pages give out.
                let mut names: Vec<String> = typed.clone();
                for n in machine_names {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
                if names.is_empty() {
                    return Err(invalid(
                        "Carekeep found no name for this computer: type the names staff will use, one a line",
                    ));
                }
                let ca_key_pem = match &row.ca_key_ct {
                    Some(ct) if !row.ca_cert_pem.is_empty() => Zeroizing::new(
                        String::from_utf8(
                            self.sealer()
                                .open_not_phi(NotPhi::ServerKey, ca_key_binding(), ct)?
                                .to_vec(),
                        )
                        .map_err(|_| AppError::Internal("the authority's key is damaged".into()))?,
                    ),
                    _ => {
                        let details = self.details_on_file().await?;
                        let (cert, key) = new_authority(&details.legal_name, now)?;
                        row.ca_cert_pem = cert;
                        new_ca_key = Some(key.clone());
                        key
                    }
                };
                let (chain, key, from, to) = issue_server(&row.ca_cert_pem, &ca_key_pem, &names, now)?;
                row.chain_pem = chain;
                row.not_before = Some(from);
                row.not_after = Some(to);
                new_key = Some(Zeroizing::new(key.as_bytes().to_vec()));
                format!(
                    "HTTPS with the clinic's own certificate authority, for {}",
                    names.join(", ")
                )
            }
            Mode::OwnCertificate => {
                if typed.is_empty() {
                    return Err(invalid(
                        "type the name staff will type to reach Carekeep (the name on the certificate), such as carekeep.clinic.example",
                    ));
                }
                let chain =
                    check_upload(&choice.chain_pem, &choice.key_pem, &typed, now).map_err(|r| invalid(r.message))?;
                row.chain_pem = String::from_utf8_lossy(&choice.chain_pem).into_owned();
                row.not_before = chain.iter().map(|c| c.not_before).max();
                row.not_after = chain.iter().map(|c| c.not_after).min();
                new_key = Some(choice.key_pem.clone());
                format!("HTTPS with the clinic's own certificate, for {}", typed.join(", "))
            }
        };
        if !mode.serves_https() {
            row.chain_pem.clear();
            row.key_ct = None;
            row.not_before = None;
            row.not_after = None;
        }
        if mode != Mode::Proxy {
            row.trusted_proxies.clear();
        }
        if let Some(k) = &new_key {
            row.key_ct = Some(self.sealer().seal(key_binding(), k)?);
        }
        if let Some(k) = &new_ca_key {
            row.ca_key_ct = Some(self.sealer().seal(ca_key_binding(), k.as_bytes())?);
        }
        let mut tx = self.store().begin().await?;
        store::ensure(tx.conn(), now).await?;
        store::put(tx.conn(), &row, now).await?;
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason(&format!("network: {what}"));
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authority_issues_a_certificate_that_names_the_machine() {
        let now = time::macros::datetime!(2026-12-06 12:00 UTC);
        let (ca, key) = new_authority("Sunrise Medspa LLC", now).unwrap();
        let names = vec!["frontdesk".to_owned(), "192.168.1.20".to_owned()];
        let (chain, server_key, _, to) = issue_server(&ca, &key, &names, now).unwrap();
        let ders = pem_chain(chain.as_bytes());
        assert_eq!(ders.len(), 2);
        let leaf = cert_facts(&ders[0]).unwrap();
        let root = cert_facts(&ders[1]).unwrap();
        assert_eq!(leaf.issuer, root.subject);
        assert_eq!(leaf.names, names);
        assert!((to - now).whole_days() >= 396);
        let checked = check_upload(chain.as_bytes(), server_key.as_bytes(), &names, now);
        assert!(checked.is_ok(), "{checked:?}");
        let (_, other_key) = new_authority("x", now).unwrap();
        let wrong = check_upload(chain.as_bytes(), other_key.as_bytes(), &names, now).unwrap_err();
        assert_eq!(wrong.field, rules::Field::Key);
    }
}
