//! The patients' door's certificate from ACME (issue 27, item 1; RFC 8555 with HTTP-01,
//! through `instant-acme`). The background job asks [`App::portal_renewal`] what to do
//! (`carekeep_domain::program::portal_cert`: renew at 30 days left or a third of the
//! lifetime) and orders through [`App::order_portal_certificate`]; the portal's serve loop
//! reads [`App::portal_certificate`] and serves it from the next connection on.
//!
//! The ACME account's credentials and the certificate's private key are sealed under the
//! master key like the network step's keys (`NotPhi::ServerKey`, bound to
//! `portal_certificate.account_ct#1` and `.key_ct#1`): backups hold them only encrypted, and
//! a restore brings the account back. Each issue is on the audit trail (`setting.changed`,
//! as "carekeep certificates"); a failure is too, with the authority's words.

use crate::seal::NotPhi;
use crate::{App, AppError};
use carekeep_crypto::keys::Binding;
use carekeep_domain::audit::{Action, AuditActor, AuditEvent, Origin, Outcome};
use carekeep_domain::program::portal_cert::{self as rules, Renewal};
pub use carekeep_domain::program::portal_cert::{DoorFacts, DoorStanding, Source as CertSource};
use carekeep_store::portal_cert::{self as store, PortalCertRow};
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount, NewOrder, OrderStatus,
    RetryPolicy,
};
use std::path::PathBuf;
use std::time::Duration;
use time::OffsetDateTime;
use zeroize::Zeroizing;

fn account_binding() -> Binding<'static> {
    Binding {
        table: "portal_certificate",
        column: "account_ct",
        row: 1,
    }
}

fn key_binding() -> Binding<'static> {
    Binding {
        table: "portal_certificate",
        column: "key_ct",
        row: 1,
    }
}

/// Where the portal's certificate is ordered (carekeep.toml's `portal_acme_*`).
#[derive(Clone, Debug)]
pub struct AcmeOrder {
    /// The ACME directory's URL (https).
    pub directory: String,
    /// The account's contact; empty: none.
    pub email: String,
    /// An extra authority to trust for the directory (a test CA's PEM file).
    pub ca_pem: Option<PathBuf>,
    /// The portal's host name, the certificate's one name.
    pub host: String,
}

/// The HTTP-01 responses the portal's plain port answers while an order is validated.
pub trait Challenges: Send + Sync {
    fn offer(&self, token: &str, key_authorization: &str);
    fn withdraw(&self, token: &str);
}

/// The certificate to serve: the chain (PEM, the portal's first) and its key (PEM).
pub struct PortalCert {
    pub chain_pem: String,
    pub key_pem: Zeroizing<Vec<u8>>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl std::fmt::Debug for PortalCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalCert")
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

fn job_actor() -> AuditActor {
    AuditActor {
        user_id: None,
        name: "carekeep certificates".into(),
        roles: Vec::new(),
    }
}

fn job_origin() -> Origin {
    Origin {
        source_ip: "local".into(),
        user_agent: "carekeep certificates".into(),
        request_id: String::new(),
    }
}

/// How long the authority may take to validate and to issue.
const ACME_PATIENCE: Duration = Duration::from_secs(90);

fn acme_error(what: &str) -> impl Fn(instant_acme::Error) -> AppError + '_ {
    move |e| AppError::Conflict(format!("{} (step: {what})", acme_words(&e)))
}

/// What went wrong with the certificate authority, in words the owner can act on: the
/// library's own words ("client error (Connect)") name its internals, not the cause.
fn acme_words(e: &instant_acme::Error) -> String {
    use instant_acme::Error as E;
    const TYPES: [(&str, &str); 6] = [
        (
            "connection",
            "the certificate authority could not reach this computer at the portal's address on port 80",
        ),
        ("dns", "the portal's address is not found in DNS"),
        (
            "unauthorized",
            "the certificate authority could not confirm that this computer answers for the portal's address",
        ),
        (
            "rateLimited",
            "the certificate authority has issued too many certificates for this address lately; it allows more later",
        ),
        (
            "rejectedIdentifier",
            "the certificate authority does not issue certificates for this address",
        ),
        (
            "caa",
            "the address's DNS records (CAA) do not allow this certificate authority",
        ),
    ];
    match e {
        E::Api(p) => {
            let kind = p.r#type.as_deref().unwrap_or_default();
            let kind = kind.rsplit(':').next().unwrap_or_default();
            match TYPES.iter().find(|(k, _)| *k == kind) {
                Some((_, words)) => (*words).to_owned(),
                None => match p.detail.as_deref() {
                    Some(d) if !d.is_empty() => format!("the certificate authority refused: {d}"),
                    _ => "the certificate authority refused the request".to_owned(),
                },
            }
        }
        E::Timeout(_) => "the certificate authority took too long to answer".to_owned(),
        E::Http(_) | E::Hyper(_) | E::Other(_) => {
            "Carekeep could not reach the certificate authority: check this computer's internet connection".to_owned()
        }
        _ => "the certificate authority's answer could not be used".to_owned(),
    }
}

impl App {
    /// The server tells what it knows of the patients' door: at start (listening, the source
    /// of its certificate) and after each order (`None`: the clinic runs no portal).
    pub fn set_portal_door(&self, facts: Option<DoorFacts>) {
        let mut cell = self
            .portal_door_cell()
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *cell = facts;
    }

    /// Changes what is known of the door, if there is one (a certificate issued, an order
    /// failed).
    pub fn update_portal_door(&self, change: impl FnOnce(&mut DoorFacts)) {
        let mut cell = self
            .portal_door_cell()
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(f) = cell.as_mut() {
            change(f);
        }
    }

    /// The portal certificate's standing now, in the owner's words (the domain's rule);
    /// `None` when the clinic runs no portal. For the dashboard, readiness and TEC-08/09.
    pub fn portal_door_standing(&self) -> Option<DoorStanding> {
        let facts = self
            .portal_door_cell()
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let zone = self.clinic_zone();
        rules::standing(facts.as_ref(), self.now(), |t| zone.local(t))
    }

    async fn portal_cert_row(&self) -> Result<Option<PortalCertRow>, AppError> {
        let mut conn = self.store().read().await?;
        Ok(store::get(&mut conn).await?)
    }

    /// The stored certificate, if it was issued for `host` (a changed host name needs a new
    /// one), opened for the serve loop. No person asks for this.
    pub async fn portal_certificate(&self, host: &str) -> Result<Option<PortalCert>, AppError> {
        let Some(row) = self.portal_cert_row().await? else {
            return Ok(None);
        };
        let (Some(ct), Some(not_before), Some(not_after)) = (&row.key_ct, row.not_before, row.not_after) else {
            return Ok(None);
        };
        if row.host != host || row.chain_pem.is_empty() {
            return Ok(None);
        }
        Ok(Some(PortalCert {
            chain_pem: row.chain_pem.clone(),
            key_pem: self.sealer().open_not_phi(NotPhi::ServerKey, key_binding(), ct)?,
            not_before,
            not_after,
        }))
    }

    /// What the job does now about the portal's certificate for `host`.
    pub async fn portal_renewal(&self, host: &str, last_failure: Option<OffsetDateTime>) -> Result<Renewal, AppError> {
        let held = self
            .portal_cert_row()
            .await?
            .filter(|r| r.host == host && r.key_ct.is_some())
            .and_then(|r| r.not_before.zip(r.not_after));
        Ok(rules::renewal(held, last_failure, self.now()))
    }

    /// Orders a certificate for the portal's host over HTTP-01 and stores it (the account is
    /// made once and kept). The result is on the audit trail either way.
    pub async fn order_portal_certificate(
        &self,
        order: &AcmeOrder,
        challenges: &dyn Challenges,
    ) -> Result<PortalCert, AppError> {
        let result = self.order_inner(order, challenges).await;
        let (outcome, reason) = match &result {
            Ok(c) => (
                Outcome::Success,
                format!(
                    "portal certificate issued for {} by {}, valid until {}",
                    order.host,
                    order.directory,
                    carekeep_domain::program::network::us_date(c.not_after)
                ),
            ),
            Err(e) => (
                Outcome::Failure,
                format!("portal certificate for {} not issued: {e}", order.host),
            ),
        };
        let event = AuditEvent::new(self.now(), job_actor(), Action::SettingChanged, outcome, job_origin())
            .with_reason(&reason);
        let mut tx = self.store().begin().await?;
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        result
    }

    async fn order_inner(&self, order: &AcmeOrder, challenges: &dyn Challenges) -> Result<PortalCert, AppError> {
        let row = self.portal_cert_row().await?.unwrap_or_default();
        let builder = || match &order.ca_pem {
            Some(p) => Account::builder_with_root(p).map_err(acme_error("the trusted authority file")),
            None => Account::builder().map_err(acme_error("a connection")),
        };
        // The account is kept while the directory is the same.
        let stored = match (&row.account_ct, row.directory == order.directory) {
            (Some(ct), true) => {
                let json = self.sealer().open_not_phi(NotPhi::ServerKey, account_binding(), ct)?;
                serde_json::from_slice::<AccountCredentials>(&json).ok()
            }
            _ => None,
        };
        let (account, new_credentials) = match stored {
            Some(credentials) => (
                builder()?
                    .from_credentials(credentials)
                    .await
                    .map_err(acme_error("the stored account"))?,
                None,
            ),
            None => {
                let contact = format!("mailto:{}", order.email);
                let contacts: Vec<&str> = if order.email.is_empty() {
                    Vec::new()
                } else {
                    vec![&contact]
                };
                let (account, credentials) = builder()?
                    .create(
                        &NewAccount {
                            contact: &contacts,
                            terms_of_service_agreed: true,
                            only_return_existing: false,
                        },
                        order.directory.clone(),
                        None,
                    )
                    .await
                    .map_err(acme_error("a new account"))?;
                (account, Some(credentials))
            }
        };
        let identifiers = [Identifier::Dns(order.host.clone())];
        let mut acme = account
            .new_order(&NewOrder::new(&identifiers))
            .await
            .map_err(acme_error("the order"))?;
        let mut offered = Vec::new();
        {
            let mut authorizations = acme.authorizations();
            while let Some(authz) = authorizations.next().await {
                let mut authz = authz.map_err(acme_error("the authorization"))?;
                match authz.status {
                    AuthorizationStatus::Valid => continue,
                    AuthorizationStatus::Pending => {}
                    other => {
                        return Err(AppError::Conflict(format!(
                            "the certificate authority did not allow this address ({})",
                            format!("{other:?}").to_lowercase()
                        )))
                    }
                }
                let mut challenge = authz.challenge(ChallengeType::Http01).ok_or_else(|| {
                    AppError::Conflict("the certificate authority offers no HTTP-01 challenge".into())
                })?;
                let token = challenge.token.clone();
                challenges.offer(&token, challenge.key_authorization().as_str());
                offered.push(token);
                challenge.set_ready().await.map_err(acme_error("the challenge"))?;
            }
        }
        let retry = RetryPolicy::new().timeout(ACME_PATIENCE);
        let status = acme.poll_ready(&retry).await;
        for token in &offered {
            challenges.withdraw(token);
        }
        let status = status.map_err(acme_error("the validation"))?;
        if status != OrderStatus::Ready {
            return Err(AppError::Conflict(format!(
                "the certificate authority could not reach http://{}/.well-known/acme-challenge/: \
                 check that port 80 of the portal's host name reaches Carekeep",
                order.host
            )));
        }
        let key = rcgen::KeyPair::generate().map_err(|e| AppError::Internal(e.to_string()))?;
        let csr = rcgen::CertificateParams::new(vec![order.host.clone()])
            .and_then(|p| p.serialize_request(&key))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        acme.finalize_csr(csr.der())
            .await
            .map_err(acme_error("the certificate request"))?;
        let chain_pem = acme
            .poll_certificate(&retry)
            .await
            .map_err(acme_error("the certificate"))?;
        let key_pem = Zeroizing::new(key.serialize_pem().into_bytes());
        let now = self.now();
        let facts =
            super::network::check_upload(chain_pem.as_bytes(), &key_pem, std::slice::from_ref(&order.host), now)
                .map_err(|r| AppError::Conflict(format!("the certificate authority's certificate: {}", r.message)))?;
        let not_before = facts.iter().map(|c| c.not_before).max().unwrap_or(now);
        let not_after = facts.iter().map(|c| c.not_after).min().unwrap_or(now);
        let mut row = row;
        if let Some(c) = new_credentials {
            let json = Zeroizing::new(serde_json::to_vec(&c).map_err(|e| AppError::Internal(e.to_string()))?);
            row.account_ct = Some(self.sealer().seal(account_binding(), &json)?);
        }
        row.host = order.host.clone();
        row.directory = order.directory.clone();
        row.chain_pem = chain_pem.clone();
        row.key_ct = Some(self.sealer().seal(key_binding(), &key_pem)?);
        row.not_before = Some(not_before);
        row.not_after = Some(not_after);
        let mut tx = self.store().begin().await?;
        store::ensure(tx.conn(), now).await?;
        store::put(tx.conn(), &row, now).await?;
        tx.commit().await?;
        Ok(PortalCert {
            chain_pem,
            key_pem,
            not_before,
            not_after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::acme_words;
    use instant_acme::{Error, Problem};

    fn problem(kind: &str, detail: &str) -> Error {
        let json = serde_json::json!({ "type": kind, "detail": detail, "status": 400 });
        Error::Api(serde_json::from_value::<Problem>(json).unwrap())
    }

    #[test]
    fn the_authoritys_failures_are_told_in_words_the_owner_can_act_on() {
        let cases = [
            (
                problem("urn:ietf:params:acme:error:connection", "Connection refused"),
                "could not reach this computer at the portal's address on port 80",
            ),
            (
                problem("urn:ietf:params:acme:error:dns", "NXDOMAIN looking up A"),
                "not found in DNS",
            ),
            (
                problem("urn:ietf:params:acme:error:rateLimited", "too many"),
                "allows more later",
            ),
            (
                problem("urn:ietf:params:acme:error:malformed", "The request was odd"),
                "refused: The request was odd",
            ),
            (Error::Timeout(None), "took too long"),
            (Error::Other("client error (Connect)".into()), "internet connection"),
        ];
        for (e, words) in cases {
            let said = acme_words(&e);
            assert!(said.contains(words), "{said}");
            assert!(!said.contains("client error") && !said.contains("urn:"), "{said}");
        }
    }
}
