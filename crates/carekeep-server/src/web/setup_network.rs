//! The set-up path's network step (issue 25, item 2): the owner chooses how the clinic's
//! computers reach Carekeep, without a terminal, and the serve loop applies it at once. Also
//! the page anyone's device opens to trust the clinic's own certificate authority (`/trust`,
//! no sign-in: a certificate is public, and a device must fetch it before it trusts HTTPS).

use super::chrome;
use super::forms::{FieldWords, Refused};
use crate::error::WebError;
use crate::respond::file_response;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use carekeep_app::program::network::{NetworkChoice, NetworkView};
use carekeep_app::{AppError, Principal};
use carekeep_domain::program::network::{Expiry, Mode};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// What comes back on a refused form (the files must be chosen again: a browser never lets a
/// page fill a file field).
#[derive(Debug, Default, Serialize)]
pub struct NetworkForm {
    mode: String,
    names: String,
    proxies: String,
}

/// Which field each message is about: the first whose words it contains.
const FIELDS: &FieldWords = &[
    ("mode", &["choose how"]),
    (
        "names",
        &[
            "not a computer's name",
            "no name for this computer",
            "is not for",
            "type the name staff",
        ],
    ),
    ("proxies", &["proxy"]),
    ("key", &["key"]),
    ("chain", &["certificate"]),
];

fn is_owner(p: &Principal) -> bool {
    p.roles.iter().any(|r| r.as_str() == "owner")
}

/// One of the four choices as the page lists it.
#[derive(Debug)]
pub struct Option4 {
    pub value: &'static str,
    pub title: &'static str,
    pub what: &'static str,
}

const CHOICES: [Option4; 4] = [
    Option4 {
        value: "this_computer",
        title: "This computer only",
        what: "Carekeep answers only on this computer (127.0.0.1). Other computers, tablets and phones cannot reach it, and nothing travels over the clinic's network, so no certificate is needed. Right for a clinic where everyone uses this one computer.",
    },
    Option4 {
        value: "local_authority",
        title: "The clinic's network",
        what: "Carekeep makes the clinic's own certificate authority and a certificate for this computer's names, serves HTTPS on a port of its own and sends plain HTTP there. Each computer, tablet and phone trusts the authority once (a short download; Carekeep shows the steps for each kind of device).",
    },
    Option4 {
        value: "own_certificate",
        title: "A certificate the clinic has",
        what: "Upload the certificate your IT support or domain provider gave you (PEM files: the certificate chain and its private key). Carekeep checks it and serves HTTPS with it; the dashboard reminds you 30 days before it ends.",
    },
    Option4 {
        value: "proxy",
        title: "A proxy the clinic runs",
        what: "A TLS proxy your IT support runs (such as nginx or Caddy) answers browsers and passes requests on to Carekeep. Type its address so Carekeep believes the client addresses it reports and no one else's.",
    },
];

async fn page(
    state: &AppState,
    p: &Principal,
    r: Refused,
    notice: Option<&'static str>,
) -> Result<NetworkPage, WebError> {
    let v = state.app.network(&p.actor()).await.map_err(WebError::page)?;
    Ok(NetworkPage {
        chrome: chrome(state, p, "/setup").notice(notice),
        owner: is_owner(p),
        from_config: state.config.tls_enabled() || state.config.behind_tls_proxy,
        status: status(state, &v),
        mode: v.mode.map(Mode::as_str).unwrap_or_default(),
        names: v.names.join("\n"),
        proxies: v.proxies.join("\n"),
        found: crate::network::machine_names(state.config.network_address).join(", "),
        choices: &CHOICES,
        r,
    })
}

/// How connections stand now, in words.
#[derive(Debug, Default)]
pub struct Status {
    pub words: String,
    /// `https://name:port/` when HTTPS is served from the choice.
    pub https: Option<String>,
    pub cert_names: String,
    pub cert_end: Option<String>,
    /// The certificate ends within 30 days, or has ended.
    pub cert_warning: bool,
    pub fingerprint: Option<String>,
    pub problem: Option<String>,
}

fn status(state: &AppState, v: &NetworkView) -> Status {
    let live = state.network.snapshot();
    let zone = state.app.clinic_zone();
    let host = v.cert_names.first().cloned().unwrap_or_else(|| "127.0.0.1".into());
    let words = if state.config.tls_enabled() {
        "Carekeep serves HTTPS with the certificate named in carekeep.toml, which wins over a choice here."
    } else if state.config.behind_tls_proxy {
        "carekeep.toml says a TLS proxy sits in front of Carekeep, which wins over a choice here."
    } else {
        match v.mode {
            None => "Not chosen yet: Carekeep answers on this computer only until you choose.",
            Some(Mode::ThisComputer) => {
                "This computer only: Carekeep answers on 127.0.0.1, and nothing travels over the clinic's network."
            }
            Some(Mode::LocalAuthority) => "The clinic's network: HTTPS with the clinic's own certificate authority.",
            Some(Mode::OwnCertificate) => "The clinic's network: HTTPS with the clinic's own certificate.",
            Some(Mode::Proxy) => "A proxy the clinic runs sits in front of Carekeep.",
        }
    };
    Status {
        words: words.to_owned(),
        https: live
            .https
            .filter(|_| live.serves_https())
            .map(|a| format!("https://{host}:{}/", a.port())),
        cert_names: v.cert_names.join(", "),
        cert_end: v.not_after.map(|t| formats::date(zone.local(t).date())),
        cert_warning: matches!(v.expiry, Some(Expiry::Soon(_) | Expiry::Expired | Expiry::NotYetValid)),
        fingerprint: v.authority_fingerprint.clone(),
        problem: live.problem,
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<NetworkPage, WebError> {
    let notice = match d.done.as_deref() {
        Some("this_computer") => Some("Saved: Carekeep now answers on this computer only."),
        Some("own_certificate") => Some("Saved: Carekeep now serves HTTPS with the clinic's certificate."),
        Some("proxy") => Some("Saved: Carekeep now believes the proxy you named."),
        _ => None,
    };
    page(&state, &p, Refused::default(), notice).await
}

pub async fn choose(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let bad = |_| {
        WebError::page(AppError::Invalid(
            "the upload was cut short or too large; try again".into(),
        ))
    };
    let mut f = NetworkForm::default();
    let mut choice = NetworkChoice::default();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("mode") => f.mode = field.text().await.map_err(bad)?,
            Some("names") => f.names = field.text().await.map_err(bad)?,
            Some("proxies") => f.proxies = field.text().await.map_err(bad)?,
            Some("chain") => choice.chain_pem = field.bytes().await.map_err(bad)?.to_vec(),
            Some("key") => choice.key_pem = Zeroizing::new(field.bytes().await.map_err(bad)?.to_vec()),
            _ => {}
        }
    }
    // A name typed for an uploaded certificate comes from its own field.
    choice.mode.clone_from(&f.mode);
    choice.names.clone_from(&f.names);
    choice.proxies.clone_from(&f.proxies);
    let machine = crate::network::machine_names(state.config.network_address);
    match state.app.choose_network(&p.actor(), &choice, &machine).await {
        Ok(mode) => {
            if let Err(why) = state.network.reload(&state.app).await {
                tracing::warn!(%why, "the network choice was saved but cannot be served");
            }
            state.network.settled(std::time::Duration::from_secs(5)).await;
            Ok(match mode {
                // The owner's own browser trusts the new authority first: the steps page
                // stays on plain HTTP.
                Mode::LocalAuthority => urls::trust().done("made").redirect(),
                m => urls::setup_network().done(m.as_str()).at("now").redirect(),
            })
        }
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("network", &f, e.to_string(), FIELDS);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &p, r, None).await?).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// The page a device opens to trust the clinic's authority: the downloads, the fingerprint to
/// compare, and short steps for each kind of device. No sign-in; nothing on it is secret.
pub async fn trust(State(state): State<AppState>, Query(d): Query<Done>) -> Result<TrustPage, WebError> {
    let pem = state.app.authority_certificate().await.map_err(WebError::page)?;
    let der = pem.as_deref().and_then(|p| {
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::CertificateDer::from_pem_slice(p.as_bytes()).ok()
    });
    let live = state.network.snapshot();
    let https = live.https.filter(|_| live.serves_https()).map(|a| a.port());
    let view = state.app.network_mode().await.map_err(WebError::page)?;
    let host = state
        .app
        .served_names()
        .await
        .map_err(WebError::page)?
        .into_iter()
        .next()
        .unwrap_or_else(|| "127.0.0.1".into());
    Ok(TrustPage {
        chrome: Chrome::anonymous(state.app.clinic_name()).notice((d.done.as_deref() == Some("made")).then_some(
            "Saved: Carekeep now serves HTTPS with the clinic's own certificate authority. Trust the authority on this computer first (the steps below), then open the secure address.",
        )),
        ready: der.is_some(),
        fingerprint: der
            .map(|d| carekeep_app::program::network::fingerprint(&d))
            .unwrap_or_default(),
        https: https
            .filter(|_| view == Some(Mode::LocalAuthority))
            .map(|port| format!("https://{host}:{port}/")),
    })
}

async fn authority(state: &AppState) -> Result<String, WebError> {
    state
        .app
        .authority_certificate()
        .await
        .map_err(WebError::page)?
        .ok_or_else(|| WebError::page(AppError::NotFound("certificate authority")))
}

/// The authority's certificate as PEM (`.pem`), for Android and for Linux.
pub async fn authority_pem(State(state): State<AppState>) -> Result<Response, WebError> {
    let pem = authority(&state).await?;
    Ok(file_response(
        "application/x-pem-file".into(),
        pem.into_bytes(),
        "carekeep-clinic-authority.pem",
    ))
}

/// The same as DER (`.crt`), which Windows, macOS, iPhone and iPad open with a double-click.
pub async fn authority_der(State(state): State<AppState>) -> Result<Response, WebError> {
    use rustls::pki_types::pem::PemObject;
    let pem = authority(&state).await?;
    let der = rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|_| WebError::page(AppError::Internal("the authority's certificate is damaged".into())))?;
    Ok(file_response(
        "application/x-x509-ca-cert".into(),
        der.to_vec(),
        "carekeep-clinic-authority.crt",
    ))
}

#[derive(Template, Debug)]
#[template(path = "setup/network.html")]
pub struct NetworkPage {
    pub chrome: Chrome,
    pub owner: bool,
    /// carekeep.toml's TLS or proxy is in force (and wins).
    pub from_config: bool,
    pub status: Status,
    /// The stored choice (`""` when none).
    pub mode: &'static str,
    pub names: String,
    pub proxies: String,
    /// The names Carekeep found for this computer.
    pub found: String,
    pub choices: &'static [Option4],
    pub r: Refused,
}

impl NetworkPage {
    /// Is `value` the choice to show selected: the one typed when refused, else the stored one.
    pub fn chosen(&self, value: &str) -> bool {
        self.r.chose("network", "mode", value, value == self.mode)
    }
}

#[derive(Template, Debug)]
#[template(path = "setup/trust.html")]
pub struct TrustPage {
    pub chrome: Chrome,
    /// Whether the clinic has made its authority.
    pub ready: bool,
    pub fingerprint: String,
    pub https: Option<String>,
}

super::chrome::page_response!(NetworkPage);
super::chrome::page_response!(TrustPage);
