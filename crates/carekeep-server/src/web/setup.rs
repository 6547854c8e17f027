//! The set-up path (issue 25): the numbered steps a new clinic's owner follows, with the
//! clinic's details (which fill the notice, the policies and the letters) as its first form.
//! The owner's first sign-in lands here (`home::show`), and the compliance dashboard shows the
//! path until every step is done.

use super::chrome;
use super::forms::{FieldWords, Refused};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::program::setup::{DetailsInput, SetupPath};
use carekeep_app::{AppError, Principal};
use carekeep_domain::program::setup::{ClinicDetails, Step};
use carekeep_domain::records::patient::display_phone;
use carekeep_domain::zone;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DetailsForm {
    legal_name: String,
    address: String,
    phone: String,
    website: String,
    privacy_contact: String,
    time_zone: String,
}

const DETAILS_FIELDS: &FieldWords = &[
    ("legal_name", &["legal name", "[[ ]]"]),
    ("address", &["address"]),
    ("phone", &["phone"]),
    ("website", &["website"]),
    ("privacy_contact", &["privacy"]),
    ("time_zone", &["time zone"]),
];

/// Whether the clinic's connections are settled: HTTPS or a TLS proxy in carekeep.toml, or a
/// choice made on the network step (which the serve loop applies). A stored choice that cannot
/// be read counts as not settled.
pub(crate) async fn network_settled(state: &AppState) -> bool {
    let c = &state.config;
    c.tls_enabled() || c.behind_tls_proxy || state.app.network_mode().await.ok().flatten().is_some()
}

/// Where the owner lands after signing in: the set-up path until the clinic's details are
/// saved (the first sign-in opens it), else home.
pub(crate) async fn landing(state: &AppState, p: &Principal) -> urls::Link {
    if p.mfa_verified
        && state
            .app
            .policy()
            .has_capability(&p.roles, carekeep_domain::Capability::AdministerUsers)
    {
        // A failure to read the details must not stop a sign-in: home is always a safe landing.
        if let Ok(d) = state.app.clinic_details(&p.actor()).await {
            if d.legal_name.is_empty() {
                return urls::setup().at("details");
            }
        }
    }
    urls::home()
}

/// Where each step is done.
pub(crate) fn step_href(step: Step) -> &'static str {
    match step {
        Step::ClinicDetails => "/setup#details",
        Step::Network => "/setup/network",
        Step::Staff => "/admin/users",
        Step::Vendors => "/setup/vendors",
        Step::Policies => "/program/policies",
        Step::Training => "/program/workforce",
        Step::Notice => "/program/npp",
        Step::Backups => "/setup/backups",
        Step::RiskAssessment => "/program/sra",
    }
}

/// One step as the list beside the picture shows it.
#[derive(Debug)]
pub struct StepLine {
    pub title: &'static str,
    pub what: &'static str,
    pub href: &'static str,
    pub done: bool,
    pub next: bool,
}

/// The path as pages show it: the picture, the count and the numbered list.
#[derive(Debug)]
pub struct PathView {
    pub svg: String,
    pub done: usize,
    pub total: usize,
    pub steps: Vec<StepLine>,
}

pub(crate) fn path_view(path: &SetupPath) -> PathView {
    PathView {
        svg: super::pictures::setup_path::svg("setup-path", &path.places),
        done: path.done,
        total: path.places.len(),
        steps: path
            .places
            .iter()
            .map(|p| StepLine {
                title: p.step.title(),
                what: p.step.what(),
                href: step_href(p.step),
                done: p.done,
                next: p.next,
            })
            .collect(),
    }
}

/// The network step in words, for the path's page.
async fn network_words(state: &AppState) -> &'static str {
    use carekeep_domain::program::network::Mode;
    let c = &state.config;
    if c.tls_enabled() {
        return "Carekeep serves secure connections (HTTPS) itself, as set in carekeep.toml.";
    }
    if c.behind_tls_proxy {
        return "A secure proxy the clinic runs sits in front of Carekeep, as set in carekeep.toml.";
    }
    match state.app.network_mode().await.ok().flatten() {
        None => "Not chosen yet: choose whether Carekeep answers on this computer only or on the clinic's network, and how connections are kept secure.",
        Some(Mode::ThisComputer) => "This computer only: nothing travels over the clinic's network.",
        Some(Mode::LocalAuthority) => "The clinic's network, with HTTPS from the clinic's own certificate authority.",
        Some(Mode::OwnCertificate) => "The clinic's network, with HTTPS from the clinic's own certificate.",
        Some(Mode::Proxy) => "The clinic's network, behind a secure proxy the clinic runs.",
    }
}

/// The email relay in words, for the staff step.
async fn mail_words(state: &AppState, p: &Principal) -> String {
    match state.app.mail_relay_view(&p.actor()).await {
        Ok(v) if !v.host.is_empty() => match v.ready {
            true => format!("Set up: mail goes through {}, run by {}. Invitations can go by email.", v.host, v.vendor),
            false => format!(
                "Set up: mail goes through {}, run by {}, but invitations wait for its business associate agreement.",
                v.host, v.vendor
            ),
        },
        _ => "Not set up: staff are invited with a printed set-up code or a link. Set up the clinic's email relay to invite them by email.".into(),
    }
}

async fn page(
    state: &AppState,
    p: &Principal,
    r: Refused,
    notice: Option<&'static str>,
) -> Result<SetupPage, WebError> {
    let actor = p.actor();
    let details = state.app.clinic_details(&actor).await.map_err(WebError::page)?;
    let path = state
        .app
        .setup_path(&actor, network_settled(state).await)
        .await
        .map_err(WebError::page)?;
    Ok(SetupPage {
        chrome: chrome(state, p, "/setup").notice(notice),
        path: path_view(&path),
        phone: if details.phone.is_empty() {
            String::new()
        } else {
            display_phone(&details.phone)
        },
        details,
        zone: state.app.clinic_zone().name().to_owned(),
        us: zone::US_ZONES
            .iter()
            .map(|(n, w)| ((*n).to_owned(), (*w).to_owned()))
            .collect(),
        all: zone::all_names(),
        network: network_words(state).await,
        mail: mail_words(state, p).await,
        r,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<SetupPage, WebError> {
    let notice = (d.done.as_deref() == Some("details"))
        .then_some("Clinic details saved. The notice, the policies and the letters now use them.");
    page(&state, &p, Refused::default(), notice).await
}

pub async fn save_details(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<DetailsForm>,
) -> Result<Response, WebError> {
    let input = DetailsInput {
        details: ClinicDetails {
            legal_name: f.legal_name.clone(),
            address: f.address.clone(),
            phone: f.phone.clone(),
            website: f.website.clone(),
            privacy_contact: f.privacy_contact.clone(),
        },
        time_zone: f.time_zone.clone(),
    };
    match state.app.save_clinic_details(&p.actor(), &input).await {
        Ok(()) => Ok(urls::setup().done("details").at("path").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("details", &f, e.to_string(), DETAILS_FIELDS);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &p, r, None).await?).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Template, Debug)]
#[template(path = "setup/setup.html")]
pub struct SetupPage {
    pub chrome: Chrome,
    pub path: PathView,
    pub details: ClinicDetails,
    /// The saved phone as `(555) 201-3344`.
    pub phone: String,
    /// The zone in force.
    pub zone: String,
    pub us: Vec<(String, String)>,
    pub all: Vec<String>,
    /// The clinic's connections in words.
    pub network: &'static str,
    /// The email relay, in words, for the staff step.
    pub mail: String,
    pub r: Refused,
}

impl SetupPage {
    /// The zone to select: the one typed when refused, else the zone in force.
    pub fn selected(&self, name: &str) -> bool {
        self.r.chose("details", "time_zone", name, name == self.zone)
    }

    /// The same in the full list, for a zone not among the US ones.
    pub fn selected_in_all(&self, name: &str) -> bool {
        self.selected(name) && !self.us.iter().any(|(n, _)| n == name)
    }
}

super::chrome::page_response!(SetupPage);
