//! The clinic's settings page (owner): its time zone, chosen by IANA name with the US zones
//! first, the clinic's time now shown beside it. A change is audited and takes effect at once.

use super::chrome;
use super::forms::{FieldWords, Refused};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::formats;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use carekeep_app::Principal;
use carekeep_domain::portal::NotesRelease;
use carekeep_domain::zone::{self, ClinicZone};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ZoneForm {
    time_zone: String,
}

const ZONE_FIELDS: &FieldWords = &[("time_zone", &["time zone"])];

fn page(state: &AppState, p: &Principal, zone: &ClinicZone, r: Refused, notice: Option<&'static str>) -> SettingsPage {
    page_with(state, p, zone, r, notice, NotesRelease::default())
}

fn page_with(
    state: &AppState,
    p: &Principal,
    zone: &ClinicZone,
    r: Refused,
    notice: Option<&'static str>,
    release: NotesRelease,
) -> SettingsPage {
    let now = state.app.now();
    let local = zone.local(now);
    SettingsPage {
        chrome: chrome(state, p, "/admin/settings").notice(notice),
        current: zone.name().to_owned(),
        now: format!(
            "{} {} {}",
            formats::date(local.date()),
            formats::clock(local),
            zone.abbreviation_at(now)
        ),
        us: zone::US_ZONES
            .iter()
            .map(|(n, w)| ((*n).to_owned(), (*w).to_owned()))
            .collect(),
        all: zone::all_names(),
        r,
        release: release.as_str(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<SettingsPage, WebError> {
    let zone = state.app.time_zone_setting(&p.actor()).await.map_err(WebError::page)?;
    let release = state
        .app
        .portal_release_setting(&p.actor())
        .await
        .map_err(WebError::page)?;
    let notice = match d.done.as_deref() {
        Some("zone") => Some("Time zone saved. Every date and time is now shown on the clinic's new clock."),
        Some("portal") => Some("Saved: the patient portal follows your choice from now on."),
        _ => None,
    };
    Ok(page_with(&state, &p, &zone, Refused::default(), notice, release))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PortalForm {
    notes: String,
}

/// What the patient portal releases (issue 27): signed visit notes, or only on request.
pub async fn save_portal(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<PortalForm>,
) -> Result<Response, WebError> {
    match state.app.set_portal_release(&p.actor(), &f.notes).await {
        Ok(_) => Ok(Redirect::to("/admin/settings?done=portal#portal").into_response()),
        Err(e @ carekeep_app::AppError::Invalid(_)) => {
            let zone = state.app.time_zone_setting(&p.actor()).await.map_err(WebError::page)?;
            let release = state
                .app
                .portal_release_setting(&p.actor())
                .await
                .map_err(WebError::page)?;
            let mut page = page_with(&state, &p, &zone, Refused::default(), None, release);
            page.chrome = std::mem::take(&mut page.chrome).error(Some(e.to_string()));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn save_zone(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<ZoneForm>,
) -> Result<Response, WebError> {
    let actor = p.actor();
    match state.app.set_time_zone(&actor, &f.time_zone).await {
        Ok(_) => Ok(Redirect::to("/admin/settings?done=zone#time-zone").into_response()),
        Err(e @ carekeep_app::AppError::Invalid(_)) => {
            let zone = state.app.time_zone_setting(&actor).await.map_err(WebError::page)?;
            let r = Refused::new("time-zone", &f, e.to_string(), ZONE_FIELDS);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &p, &zone, r, None)).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

#[derive(Template, Debug)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    /// The zone in force.
    pub current: String,
    /// The clinic's date and time now, with the zone's abbreviation.
    pub now: String,
    /// The US zones, with their words, offered first.
    pub us: Vec<(String, String)>,
    /// Every zone name.
    pub all: Vec<String>,
    pub r: Refused,
    /// What the patient portal releases: `on_request` or `after_signing`.
    pub release: &'static str,
}

impl SettingsPage {
    /// Is `name` the option to select: the one typed when refused, else the zone in force.
    pub fn selected(&self, name: &str) -> bool {
        self.r.chose("time-zone", "time_zone", name, name == self.current)
    }

    /// A refused zone that is in neither list, shown again as typed (selected, first) so the
    /// field says what was sent beside the message, instead of silently showing another zone.
    pub fn rejected(&self) -> Option<&str> {
        let typed = self.r.value("time-zone", "time_zone");
        (!typed.is_empty() && !self.all.iter().any(|n| n == typed)).then_some(typed)
    }

    /// The same in the full list, for a zone not among the US ones (one option selected).
    pub fn selected_in_all(&self, name: &str) -> bool {
        self.selected(name) && !self.us.iter().any(|(n, _)| n == name)
    }
}

super::chrome::page_response!(SettingsPage);
