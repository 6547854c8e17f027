//! The waitlist per service (`/calendar/waitlist`): who waits for which service, with their
//! preferred days and hours and a note; adding (the patient picked by name, as booking does),
//! removing, and the offer of a slot a cancelled appointment freed, booked in one click through
//! the same booking use case and conflict rule. Only ids travel in addresses.

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
use carekeep_app::calendar::{FreedSlot, Offer, WaitInput, WaitView};
use carekeep_app::{AppError, Principal};
use carekeep_domain::calendar::hours::parse_clock;
use serde::{Deserialize, Serialize};

/// `?done=cancelled&service=3&provider=4&room=0&start=..&end=..`: the freed time by ids and
/// Unix seconds, never a patient.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Which {
    done: Option<String>,
    service: i64,
    provider: i64,
    room: i64,
    start: i64,
    end: i64,
}

/// A freed time as it travels in an address or a form.
#[derive(Debug, Default, Deserialize, Clone, Copy)]
#[serde(default)]
pub struct SlotForm {
    pub service: i64,
    pub provider: i64,
    pub room: i64,
    pub start: i64,
    pub end: i64,
}

impl SlotForm {
    fn slot(self) -> Option<FreedSlot> {
        let at = |t: i64| time::OffsetDateTime::from_unix_timestamp(t).ok();
        (self.service > 0 && self.provider > 0).then_some(())?;
        Some(FreedSlot {
            service: self.service,
            provider: self.provider,
            room: (self.room > 0).then_some(self.room),
            start: at(self.start)?,
            end: at(self.end)?,
        })
    }
}

/// Where the offer of a freed time is shown, with `done` as the notice.
pub(crate) fn offer_link(slot: &FreedSlot, done: &str) -> urls::Link {
    urls::waitlist()
        .done(done)
        .with("service", slot.service)
        .with("provider", slot.provider)
        .with("room", slot.room.unwrap_or(0))
        .with("start", slot.start.unix_timestamp())
        .with("end", slot.end.unix_timestamp())
}

/// The add form as typed.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
#[serde(default)]
pub struct AddForm {
    pub patient: String,
    pub patient_find: String,
    pub service: String,
    pub day: Vec<String>,
    pub from: String,
    pub until: String,
    pub note: String,
}

pub const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

const FIELDS: &FieldWords = &[
    ("patient_find", &["patient"]),
    ("service", &["service"]),
    ("from", &["hours", "time"]),
    ("note", &["note"]),
];

/// One service and who waits for it.
#[derive(Debug)]
pub struct ServiceList {
    pub name: String,
    pub waiting: Vec<WaitView>,
}

#[derive(Template, Debug)]
#[template(path = "calendar/waitlist.html")]
pub struct WaitlistPage {
    pub chrome: Chrome,
    pub f: AddForm,
    pub r: Refused,
    pub services: Vec<(i64, String)>,
    pub lists: Vec<ServiceList>,
    pub offer: Option<Offer>,
    pub zone_name: String,
}

crate::web::chrome::page_response!(WaitlistPage);

impl WaitlistPage {
    pub fn chosen(&self, id: &i64) -> bool {
        self.f.service.trim() == id.to_string()
    }
    pub fn day_on(&self, key: &str) -> bool {
        self.f.day.iter().any(|d| d == key)
    }
}

async fn page(
    state: &AppState,
    p: &Principal,
    f: AddForm,
    r: Refused,
    freed: Option<FreedSlot>,
) -> Result<WaitlistPage, WebError> {
    let today = state.app.clinic_today();
    let v = state.app.calendar(&p.actor(), today, 1).await.map_err(WebError::page)?;
    let all = state.app.waitlist(&p.actor()).await.map_err(WebError::page)?;
    let offer = match freed {
        Some(slot) => state
            .app
            .waitlist_offer(&p.actor(), &slot)
            .await
            .map_err(WebError::page)?,
        None => None,
    };
    let lists = v
        .services
        .iter()
        .map(|(id, name)| ServiceList {
            name: name.clone(),
            waiting: all.iter().filter(|w| w.service_id == *id).cloned().collect(),
        })
        .collect();
    Ok(WaitlistPage {
        chrome: chrome(state, p, "/calendar"),
        f,
        r,
        services: v.services,
        lists,
        offer,
        zone_name: state.app.clinic_zone().name().to_owned(),
    })
}

fn freed_of(w: &Which) -> Option<FreedSlot> {
    SlotForm {
        service: w.service,
        provider: w.provider,
        room: w.room,
        start: w.start,
        end: w.end,
    }
    .slot()
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(w): Query<Which>,
) -> Result<Response, WebError> {
    let mut page = page(&state, &p, AddForm::default(), Refused::default(), freed_of(&w)).await?;
    let notice = match w.done.as_deref() {
        Some("cancelled") if page.offer.is_some() => {
            Some("Appointment cancelled. Someone on the waitlist fits the freed time.")
        }
        Some("cancelled") => Some("Appointment cancelled."),
        Some("moved") if page.offer.is_some() => {
            Some("Appointment moved. Someone on the waitlist fits the time it freed.")
        }
        Some("moved") => Some("Appointment moved."),
        Some("moved_as_asked") if page.offer.is_some() => Some(
            "Moved as the patient asked; they see the new time in the portal. Someone on the waitlist fits the time it freed.",
        ),
        Some("moved_as_asked") => Some("Moved as the patient asked. They see the new time in the portal."),
        Some("added") => Some("Added to the waitlist."),
        Some("removed") => Some("Taken off the waitlist."),
        _ => None,
    };
    page.chrome = page.chrome.notice(notice);
    Ok(page.into_response())
}

fn input(f: &AddForm) -> Result<WaitInput, AppError> {
    let chosen = match f.patient.trim() {
        "" => f.patient_find.trim(),
        id => id,
    };
    let patient = chosen.parse::<i64>().map_err(|_| {
        AppError::Invalid(
            "choose the patient: type their name, date of birth, phone or record number, then pick them from the list"
                .into(),
        )
    })?;
    let service = f
        .service
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::Invalid("choose a service".into()))?;
    let mut days = 0u8;
    for (i, (key, _)) in DAYS.iter().enumerate() {
        if f.day.iter().any(|d| d == key) {
            days |= 1 << i;
        }
    }
    let time = |s: &str| -> Result<Option<time::Time>, AppError> {
        if s.trim().is_empty() {
            Ok(None)
        } else {
            parse_clock(s)
                .map(Some)
                .map_err(|_| AppError::Invalid("preferred hours must look like 9:00 AM or 17:30".into()))
        }
    };
    Ok(WaitInput {
        patient,
        service,
        days,
        from: time(&f.from)?,
        until: time(&f.until)?,
        note: f.note.clone(),
    })
}

pub async fn add(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<AddForm>,
) -> Result<Response, WebError> {
    let r = match input(&f) {
        Ok(i) => state.app.waitlist_add(&p.actor(), i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(urls::waitlist().done("added").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("wait-form", &f, e.to_string(), FIELDS);
            let page = page(&state, &p, f, r, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn remove(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state
        .app
        .waitlist_remove(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(urls::waitlist().done("removed").redirect())
}

pub async fn book(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<SlotForm>,
) -> Result<Response, WebError> {
    let Some(slot) = f.slot() else {
        return Err(WebError::page(AppError::NotFound("freed time")));
    };
    match state.app.waitlist_book(&p.actor(), id, &slot).await {
        Ok(new) => {
            let a = state
                .app
                .calendar_appointment(&p.actor(), new)
                .await
                .map_err(WebError::page)?;
            Ok(urls::calendar().done("booked").with("day", a.start.date()).redirect())
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let mut page = page(&state, &p, AddForm::default(), Refused::default(), Some(slot)).await?;
            page.chrome = page.chrome.error(Some(format!("Not booked: {e}")));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}
