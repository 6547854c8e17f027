//! The calendar's set-up page: services, rooms, providers' working hours and time off. Kept by
//! whoever holds `manage_calendar` (the owner and the front desk by default).

use super::chrome;
use super::forms::{FieldWords, Refused};
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::calendar::{CalendarSetup, HoursInput, RoomInput, ServiceInput, TimeOffInput};
use carekeep_app::{AppError, Principal};
use serde::{Deserialize, Serialize};

/// The weekdays' names, Monday first, as the hours form lists them.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const SERVICE_FIELDS: &FieldWords = &[
    ("buffer_minutes", &["buffer"]),
    ("minutes", &["length"]),
    ("equipment", &["equipment"]),
    ("forms", &["form"]),
    ("room_id", &["room"]),
    ("providers", &["clinician", "provider"]),
    ("name", &["name"]),
];
const ROOM_FIELDS: &FieldWords = &[("room_name", &["name"])];
const TIME_OFF_FIELDS: &FieldWords = &[
    ("last_day", &["last day", "end on or after"]),
    ("first_day", &["first day", "date"]),
    ("off_user_id", &["clinician", "provider"]),
];

/// The new-service form as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ServiceForm {
    pub name: String,
    pub minutes: String,
    pub buffer_minutes: String,
    pub room_id: String,
    pub equipment: String,
    pub forms: String,
    /// Provider ids, one per ticked box.
    #[serde(rename = "provider")]
    pub providers: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RoomForm {
    pub room_name: String,
}

/// One provider's week as typed: `from` and `until`, seven of each, Monday first.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct HoursForm {
    pub from: Vec<String>,
    pub until: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TimeOffForm {
    pub off_user_id: String,
    pub first_day: String,
    pub last_day: String,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// A provider's hours form refused: whose, what was typed, and why.
#[derive(Debug, Default)]
pub struct HoursRefused {
    pub user_id: i64,
    pub from: Vec<String>,
    pub until: Vec<String>,
    pub message: String,
}

#[derive(Template, Debug)]
#[template(path = "calendar/setup.html")]
pub struct SetupPage {
    pub chrome: Chrome,
    pub s: CalendarSetup,
    pub r: Refused,
    /// The ticked providers of a refused new-service form.
    pub picked: Vec<String>,
    pub hours_refused: HoursRefused,
    pub weekdays: [&'static str; 7],
    /// The clinic's zone, e.g. `America/Chicago`.
    pub zone_name: String,
    /// Whether reminders name the service (off by default).
    pub names_service: bool,
    /// Whether this person may change what reminders say (owners).
    pub may_set_reminders: bool,
    /// The forms each service asks for (issue 28), by service id.
    pub service_forms: std::collections::BTreeMap<i64, Vec<carekeep_app::forms::ServiceForm>>,
    /// The clinic's forms a service may ask for, `(template, title)`.
    pub form_choices: Vec<(i64, String)>,
}

impl SetupPage {
    /// What a provider's hours field shows: what was typed if their form was refused, else the
    /// saved hours.
    pub fn hours_value(&self, user_id: &i64, day: &usize, until: bool) -> String {
        let (user_id, day) = (*user_id, *day);
        if self.hours_refused.user_id == user_id {
            let typed = if until {
                &self.hours_refused.until
            } else {
                &self.hours_refused.from
            };
            return typed.get(day).cloned().unwrap_or_default();
        }
        self.s
            .hours
            .iter()
            .find(|h| h.user_id == user_id)
            .and_then(|h| h.days.get(day).cloned().flatten())
            .map(|(f, u)| if until { u } else { f })
            .unwrap_or_default()
    }

    /// How often service `service` asks for form `template` (`""`: not asked).
    pub fn freq_of(&self, service: &i64, template: &i64) -> &'static str {
        self.service_forms
            .get(service)
            .and_then(|l| l.iter().find(|f| f.template_id == *template))
            .map_or("", |f| f.frequency.as_str())
    }

    pub fn provider_picked(&self, id: &i64) -> bool {
        self.picked.iter().any(|p| p.trim() == id.to_string())
    }

    pub fn room_picked(&self, id: &i64) -> bool {
        self.r.value("service-form", "room_id") == id.to_string()
    }

    /// `12/06/2026` from a stored `2026-12-06`.
    pub fn us_date(&self, iso: &str) -> String {
        super::formats::iso_date(iso)
    }
}

crate::web::chrome::page_response!(SetupPage);

async fn page(
    state: &AppState,
    p: &Principal,
    notice: Option<&'static str>,
    r: Refused,
) -> Result<SetupPage, WebError> {
    let s = state.app.calendar_setup(&p.actor()).await.map_err(WebError::page)?;
    Ok(SetupPage {
        chrome: chrome(state, p, "/calendar/setup").notice(notice),
        s,
        r,
        picked: Vec::new(),
        hours_refused: HoursRefused::default(),
        weekdays: WEEKDAYS,
        zone_name: state.app.clinic_zone().name().to_owned(),
        names_service: state.app.reminder_detail().await.map_err(WebError::page)?.service,
        may_set_reminders: state
            .app
            .policy()
            .has_capability(&p.roles, carekeep_domain::Capability::AdministerUsers),
        service_forms: state.app.service_forms(&p.actor()).await.map_err(WebError::page)?,
        form_choices: state
            .app
            .form_templates(&p.actor())
            .await
            .map_err(WebError::page)?
            .into_iter()
            .filter(|t| !t.retired)
            .map(|t| (t.id, t.title))
            .collect(),
    })
}

/// The forms a service asks for: `f<template>` = how often (empty: not asked).
pub async fn set_service_forms(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let forms: Vec<(i64, String)> = pairs
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(k, v)| Some((k.strip_prefix('f')?.parse().ok()?, v)))
        .collect();
    match state.app.set_service_forms(&p.actor(), id, &forms).await {
        Ok(()) => Ok(urls::calendar_setup()
            .done("service_forms")
            .at(format!("service-forms-{id}"))
            .redirect()),
        Err(AppError::Invalid(m)) => {
            let page = page(&state, &p, None, Refused::default()).await?;
            let page = SetupPage {
                chrome: page.chrome.error(Some(m)),
                ..page
            };
            Ok(refused_page(page))
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<SetupPage, WebError> {
    let notice = match d.done.as_deref() {
        Some("service") => Some("Service added."),
        Some("room") => Some("Room added."),
        Some("hours") => Some("Working hours saved."),
        Some("time_off") => Some("Time off added."),
        Some("service_forms") => Some("Saved: the service's forms."),
        Some("time_off_removed") => Some("Time off removed."),
        Some("reminders_service") => Some("Saved: reminders now name the service."),
        Some("reminders_minimum") => Some("Saved: reminders say only the clinic, the day and time, and a link."),
        Some("portal_moves") => Some("Saved: which visits patients may ask to move online."),
        _ => None,
    };
    page(&state, &p, notice, Refused::default()).await
}

fn refused_page(page: SetupPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub async fn add_service(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<ServiceForm>,
) -> Result<Response, WebError> {
    let input = ServiceInput {
        name: f.name.clone(),
        minutes: f.minutes.clone(),
        buffer_minutes: f.buffer_minutes.clone(),
        room_id: f.room_id.trim().parse().unwrap_or(0),
        equipment: f.equipment.clone(),
        forms: f.forms.clone(),
        providers: f.providers.iter().filter_map(|s| s.trim().parse().ok()).collect(),
        retired: false,
    };
    match state.app.save_service(&p.actor(), 0, input).await {
        Ok(_) => Ok(urls::calendar_setup().done("service").at("services").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("service-form", &f, e.to_string(), SERVICE_FIELDS);
            let mut out = page(&state, &p, None, r).await?;
            out.picked = f.providers;
            Ok(refused_page(out))
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn add_room(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<RoomForm>,
) -> Result<Response, WebError> {
    let input = RoomInput {
        name: f.room_name.clone(),
        retired: false,
    };
    match state.app.save_room(&p.actor(), 0, input).await {
        Ok(_) => Ok(urls::calendar_setup().done("room").at("rooms").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("room-form", &f, e.to_string(), ROOM_FIELDS);
            Ok(refused_page(page(&state, &p, None, r).await?))
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn set_hours(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(user_id): Path<i64>,
    Form(f): Form<HoursForm>,
) -> Result<Response, WebError> {
    let input = HoursInput {
        from: f.from.clone(),
        until: f.until.clone(),
    };
    match state.app.set_working_hours(&p.actor(), user_id, input).await {
        Ok(()) => Ok(urls::calendar_setup()
            .done("hours")
            .at(format!("hours-{user_id}"))
            .redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let mut out = page(&state, &p, None, Refused::default()).await?;
            out.hours_refused = HoursRefused {
                user_id,
                from: f.from,
                until: f.until,
                message: e.to_string(),
            };
            Ok(refused_page(out))
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn add_time_off(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<TimeOffForm>,
) -> Result<Response, WebError> {
    let input = TimeOffInput {
        user_id: f.off_user_id.trim().parse().unwrap_or(0),
        first_day: f.first_day.clone(),
        last_day: f.last_day.clone(),
    };
    match state.app.add_time_off(&p.actor(), input).await {
        Ok(_) => Ok(urls::calendar_setup().done("time_off").at("time-off").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("time-off-form", &f, e.to_string(), TIME_OFF_FIELDS);
            Ok(refused_page(page(&state, &p, None, r).await?))
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn remove_time_off(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state
        .app
        .remove_time_off(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(urls::calendar_setup()
        .done("time_off_removed")
        .at("time-off")
        .redirect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReminderForm {
    /// `on` when ticked.
    pub names_service: String,
}

/// What reminders say beyond the minimum: the service, when an owner turns it on.
pub async fn save_reminders(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<ReminderForm>,
) -> Result<Response, WebError> {
    let service = !f.names_service.is_empty();
    state
        .app
        .save_reminder_detail(&p.actor(), carekeep_domain::calendar::message::Detail { service })
        .await
        .map_err(WebError::page)?;
    Ok(urls::calendar_setup()
        .done(if service {
            "reminders_service"
        } else {
            "reminders_minimum"
        })
        .at("reminders")
        .redirect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PortalMovesForm {
    /// The ticked services' ids.
    pub service: Vec<i64>,
}

/// Which services patients may ask to move in the portal (issue 27): the owner's setting.
pub async fn save_portal_moves(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<PortalMovesForm>,
) -> Result<Response, WebError> {
    state
        .app
        .set_portal_moves(&p.actor(), &f.service)
        .await
        .map_err(WebError::page)?;
    Ok(urls::calendar_setup()
        .done("portal_moves")
        .at("portal-moves")
        .redirect())
}
