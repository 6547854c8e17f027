//! The calendar: the day and week as a grid by provider or by room, drawn on the server (the
//! page works without script), booking from a free slot with a patient picked by name (the
//! name travels in form bodies only, never in an address), and an appointment's page to
//! confirm, move or cancel it with a reason. The front desk sees the service and the patient's
//! name, never clinical detail.

use super::chrome;
use super::formats::{clock, date};
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
use carekeep_app::calendar::{BookInput, CalendarItem, CalendarView, DaySummary, MoveInput, PatientAtBooking};
use carekeep_app::forms::{KioskSigner, KioskState};
use carekeep_app::{AppError, Principal};
use carekeep_domain::calendar::hours::parse_clock;
use carekeep_domain::calendar::recurrence::Repeat;
use carekeep_domain::records::appointment::Status;
use carekeep_domain::records::patient::parse_date;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

/// Which days and which columns: `?day=2026-12-07&view=week&by=room`. Dates only: no PHI.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Which {
    pub(super) day: Option<String>,
    view: Option<String>,
    by: Option<String>,
    pub(super) done: Option<String>,
}

/// One appointment in a cell.
#[derive(Debug)]
pub struct Card {
    pub id: i64,
    pub times: String,
    pub patient: String,
    pub service: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub confirmed: bool,
    /// Forms the visit's packet still waits for (issue 28), by title.
    pub forms_missing: Vec<String>,
}

/// One cell of the grid: its appointments and, when free, where to book it.
#[derive(Debug, Default)]
pub struct Cell {
    pub cards: Vec<Card>,
    /// The provider and the start (`2026-12-07T09:00`) to book.
    pub book: Option<(i64, String)>,
    /// The week view's count of free half hours, linking to the day.
    pub free: usize,
}

#[derive(Debug)]
pub struct Row {
    pub label: String,
    pub cells: Vec<Cell>,
}

#[derive(Template, Debug)]
#[template(path = "calendar/calendar.html")]
pub struct CalendarPage {
    pub chrome: Chrome,
    pub week: bool,
    pub by_room: bool,
    pub day_iso: String,
    pub title: String,
    pub columns: Vec<String>,
    /// The week view's column days, ISO, to link each to its day.
    pub column_days: Vec<String>,
    pub rows: Vec<Row>,
    pub summary: Vec<(String, DaySummary)>,
    pub prev: String,
    pub next: String,
    pub today: String,
    pub zone_name: String,
    pub empty: bool,
    /// Patients' requests for a new time, waiting for the front desk (issue 27).
    pub moves: Vec<MoveLine>,
    /// A refused move or decline form of that list, with what was typed.
    pub r: Refused,
}

crate::web::chrome::page_response!(CalendarPage);

fn card(i: &CalendarItem) -> Card {
    let (status, status_class) = match (i.status, i.confirmed) {
        (Status::Booked, true) => ("Confirmed", "status-confirmed"),
        (Status::Booked, false) => ("Not confirmed", "status-unconfirmed"),
        (Status::CheckedIn, _) => ("Checked in", "status-checked_in"),
        (Status::Completed, _) => ("Completed", "status-completed"),
        (Status::NoShow, _) => ("No-show", "status-no_show"),
        (Status::Cancelled, _) => ("Cancelled", "status-cancelled"),
    };
    Card {
        forms_missing: Vec::new(),
        id: i.id,
        times: format!("{} to {}", clock(i.start), clock(i.end)),
        patient: i.patient_name.clone(),
        service: i.service.clone(),
        status,
        status_class,
        confirmed: i.confirmed,
    }
}

/// `2026-12-07T09:00`: a slot's start in the booking link (a time, no PHI).
fn slot_param(t: OffsetDateTime) -> String {
    format!("{}T{:02}:{:02}", t.date(), t.hour(), t.minute())
}

fn day_title(d: Date) -> String {
    format!("{}, {}", d.weekday(), date(d))
}

/// The day view: one row per half hour from 7 AM (earlier if something is booked earlier) to
/// 7 PM (or later), one column per provider or room.
fn day_rows(v: &CalendarView, day: Date, by_room: bool, columns: &[(Option<i64>, String)]) -> Vec<Row> {
    let items: Vec<&CalendarItem> = v.items.iter().filter(|i| i.start.date() == day).collect();
    let first = items
        .iter()
        .map(|i| i.start.hour())
        .chain(v.free.iter().filter(|f| f.start.date() == day).map(|f| f.start.hour()))
        .min()
        .unwrap_or(7)
        .min(7);
    let last = items
        .iter()
        .map(|i| i.start.hour())
        .chain(v.free.iter().filter(|f| f.start.date() == day).map(|f| f.start.hour()))
        .max()
        .unwrap_or(18)
        .max(18);
    let mut rows = Vec::new();
    for h in first..=last {
        for m in [0u8, 30] {
            let Ok(t) = Time::from_hms(h, m, 0) else { continue };
            let in_slot = |s: OffsetDateTime| s.date() == day && s.hour() == h && (s.minute() >= 30) == (m == 30);
            let cells = columns
                .iter()
                .map(|(col, _)| {
                    let cards = items
                        .iter()
                        .filter(|i| in_slot(i.start))
                        .filter(|i| {
                            if by_room {
                                i.room_id == *col
                            } else {
                                Some(i.provider_id) == *col
                            }
                        })
                        .map(|i| card(i))
                        .collect();
                    let book = if by_room {
                        None
                    } else {
                        v.free
                            .iter()
                            .find(|f| Some(f.provider_id) == *col && in_slot(f.start))
                            .map(|f| (f.provider_id, slot_param(f.start)))
                    };
                    Cell { cards, book, free: 0 }
                })
                .collect();
            rows.push(Row {
                label: clock(PrimitiveDateTime::new(day, t).assume_utc()),
                cells,
            });
        }
    }
    rows
}

/// The week view: one row per provider or room, one column per day.
fn week_rows(v: &CalendarView, by_room: bool, columns: &[(Option<i64>, String)]) -> Vec<Row> {
    columns
        .iter()
        .map(|(col, name)| Row {
            label: name.clone(),
            cells: v
                .days
                .iter()
                .map(|d| Cell {
                    cards: v
                        .items
                        .iter()
                        .filter(|i| i.start.date() == *d)
                        .filter(|i| {
                            if by_room {
                                i.room_id == *col
                            } else {
                                Some(i.provider_id) == *col
                            }
                        })
                        .map(card)
                        .collect(),
                    book: None,
                    free: if by_room {
                        0
                    } else {
                        v.free
                            .iter()
                            .filter(|f| Some(f.provider_id) == *col && f.start.date() == *d)
                            .count()
                    },
                })
                .collect(),
        })
        .collect()
}

fn parse_iso_day(s: Option<&str>) -> Option<Date> {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    s.and_then(|s| Date::parse(s.trim(), iso).ok())
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(w): Query<Which>,
) -> Result<Response, WebError> {
    Ok(calendar_page(&state, &p, w).await?.into_response())
}

/// The calendar page for `w` (also shown again with a refused form of its move list).
pub(super) async fn calendar_page(state: &AppState, p: &Principal, w: Which) -> Result<CalendarPage, WebError> {
    let today = state.app.clinic_today();
    let day = parse_iso_day(w.day.as_deref()).unwrap_or(today);
    let week = w.view.as_deref() == Some("week");
    let by_room = w.by.as_deref() == Some("room");
    // A week starts on Monday.
    let first = if week {
        day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
    } else {
        day
    };
    let v = state
        .app
        .calendar(&p.actor(), first, if week { 7 } else { 1 })
        .await
        .map_err(WebError::page)?;
    let columns: Vec<(Option<i64>, String)> = if by_room {
        let mut c: Vec<(Option<i64>, String)> = v.rooms.iter().map(|(id, n)| (Some(*id), n.clone())).collect();
        c.push((None, "No room".to_owned()));
        c
    } else {
        v.providers.iter().map(|(id, n)| (Some(*id), n.clone())).collect()
    };
    let step = if week { 7 } else { 1 };
    let link = |d: Date| {
        let mut s = format!("/calendar?day={d}");
        if week {
            s.push_str("&view=week");
        }
        if by_room {
            s.push_str("&by=room");
        }
        s
    };
    let notice = match w.done.as_deref() {
        Some("booked") => Some("Booked."),
        Some("series") => Some("The series is booked."),
        Some("moved") => Some("Appointment moved."),
        Some("cancelled") => Some("Appointment cancelled."),
        Some("confirmed") => Some("Marked as confirmed."),
        Some("moved_as_asked") => Some("Moved as the patient asked. They see the new time in the portal."),
        Some("declined") => Some("Declined. The patient sees your reason in the portal."),
        _ => None,
    };
    let moves = move_lines(state, p).await?;
    let mut rows = if week {
        week_rows(&v, by_room, &columns)
    } else {
        day_rows(&v, day, by_room, &columns)
    };
    // What each visit's forms still wait for (issue 28): titles only, no answers.
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| r.cells.iter().flat_map(|c| c.cards.iter().map(|a| a.id)))
        .collect();
    let missing = state
        .app
        .forms_missing(&p.actor(), &ids)
        .await
        .map_err(WebError::page)?;
    for card in rows
        .iter_mut()
        .flat_map(|r| r.cells.iter_mut().flat_map(|c| c.cards.iter_mut()))
    {
        if let Some(m) = missing.get(&card.id) {
            card.forms_missing = m.clone();
        }
    }
    let page = CalendarPage {
        chrome: chrome(state, p, "/calendar").notice(notice),
        week,
        by_room,
        day_iso: day.to_string(),
        title: if week {
            format!("Week of {}", date(first))
        } else {
            day_title(day)
        },
        rows,
        column_days: if week {
            v.days.iter().map(Date::to_string).collect()
        } else {
            Vec::new()
        },
        columns: if week {
            v.days
                .iter()
                .map(|d| format!("{} {}", &d.weekday().to_string()[..3], &date(*d)[..5]))
                .collect()
        } else {
            columns.iter().map(|(_, n)| n.clone()).collect()
        },
        summary: v
            .summary
            .iter()
            .map(|s| (s.day.map(day_title).unwrap_or_default(), *s))
            .collect(),
        prev: link(first - Duration::days(step)),
        next: link(first + Duration::days(step)),
        today: link(today),
        zone_name: state.app.clinic_zone().name().to_owned(),
        empty: columns.is_empty(),
        moves,
        r: Refused::default(),
    };
    Ok(page)
}

// ---------------------------------------------------------------- patients asked to move

/// One waiting request, in words.
#[derive(Debug)]
pub struct MoveLine {
    pub id: i64,
    pub appointment_id: i64,
    pub patient: String,
    pub service: String,
    pub now_at: String,
    pub picked: Option<(String, String)>,
    pub wishes: String,
    pub asked: String,
    pub by_representative: bool,
    pub provider_id: i64,
    /// The element ids of its two forms (`move-7`, `decline-7`), for a refusal.
    pub move_form: String,
    pub decline_form: String,
}

/// The waiting requests the reader may see (an audited read; none for a reader without the
/// calendar's classes).
async fn move_lines(state: &AppState, p: &Principal) -> Result<Vec<MoveLine>, WebError> {
    let zone = state.app.clinic_zone();
    Ok(state
        .app
        .move_requests(&p.actor())
        .await
        .map_err(WebError::page)?
        .into_iter()
        .map(|m| MoveLine {
            id: m.id,
            appointment_id: m.appointment_id,
            patient: m.patient_name,
            service: m.service,
            now_at: m.now_at,
            picked: m.picked,
            wishes: m.wishes,
            asked: super::formats::at(m.asked_at, &zone),
            by_representative: m.by_representative,
            provider_id: m.provider_id,
            move_form: format!("move-{}", m.id),
            decline_form: format!("decline-{}", m.id),
        })
        .collect())
}

// ---------------------------------------------------------------- booking

const BOOK_FIELDS: &FieldWords = &[
    ("override_reason", &["double-book", "reason", "outside", "away then"]),
    ("provider", &["provider"]),
    ("patient_find", &["patient"]),
    ("service", &["service"]),
    ("repeat_count", &["series", "appointments"]),
    ("repeat_every", &["repeat every", "weeks"]),
    ("start_time", &["time"]),
    ("start_day", &["day", "date"]),
    ("room", &["room"]),
];

/// Where a free slot's link lands: `?provider=3&start=2026-12-07T09:00`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Slot {
    provider: String,
    start: String,
}

/// The booking form as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BookForm {
    pub patient: String,
    pub patient_find: String,
    /// The patient the person has seen the no-shows and preferences of; booking happens only
    /// once it equals `patient`.
    pub seen: String,
    pub provider: String,
    pub service: String,
    pub room: String,
    pub start_day: String,
    pub start_time: String,
    pub repeat_every: String,
    pub repeat_count: String,
    pub override_reason: String,
}

#[derive(Template, Debug)]
#[template(path = "calendar/book.html")]
pub struct BookPage {
    pub chrome: Chrome,
    pub f: BookForm,
    pub r: Refused,
    pub providers: Vec<(i64, String)>,
    pub services: Vec<(i64, String)>,
    pub rooms: Vec<(i64, String)>,
    pub patient: Option<PatientAtBooking>,
    /// A conflict was found: the override field is shown.
    pub conflict: bool,
    pub zone_name: String,
    pub back: String,
}

crate::web::chrome::page_response!(BookPage);

impl BookPage {
    pub fn chosen(&self, field: &str, id: &i64) -> bool {
        let v = match field {
            "provider" => &self.f.provider,
            "service" => &self.f.service,
            _ => &self.f.room,
        };
        v.trim() == id.to_string()
    }
}

async fn book_page(state: &AppState, p: &Principal, f: BookForm, r: Refused) -> Result<BookPage, WebError> {
    let day = parse_date(&f.start_day).unwrap_or_else(|_| state.app.clinic_today());
    let v = state.app.calendar(&p.actor(), day, 1).await.map_err(WebError::page)?;
    Ok(BookPage {
        chrome: chrome(state, p, "/calendar"),
        back: format!("/calendar?day={day}"),
        f,
        r,
        providers: v.providers,
        services: v.services,
        rooms: v.rooms,
        patient: None,
        conflict: false,
        zone_name: state.app.clinic_zone().name().to_owned(),
    })
}

pub async fn book_form(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(s): Query<Slot>,
) -> Result<Response, WebError> {
    let (day, time) = s.start.split_once('T').unwrap_or((s.start.as_str(), ""));
    let mut f = BookForm {
        provider: s.provider.trim().to_owned(),
        ..BookForm::default()
    };
    if let Some(d) = parse_iso_day(Some(day)) {
        f.start_day = date(d);
    }
    if let Ok(t) = parse_clock(time) {
        f.start_time = clock(PrimitiveDateTime::new(Date::MIN, t).assume_utc());
    }
    Ok(book_page(&state, &p, f, Refused::default()).await?.into_response())
}

pub(super) fn number<T: std::str::FromStr>(s: &str, what: &str) -> Result<Option<T>, AppError> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::Invalid(format!("{what} must be a whole number"))),
    }
}

/// The start typed as a day and a time, on the clinic's clock.
pub(super) fn start_of(state: &AppState, day: &str, time: &str) -> Result<OffsetDateTime, AppError> {
    let d = parse_date(day).map_err(|e| AppError::Invalid(format!("the day: {e}")))?;
    let t = parse_clock(time).map_err(|e| AppError::Invalid(format!("the time: {e}")))?;
    Ok(state.app.clinic_zone().assume(PrimitiveDateTime::new(d, t)))
}

fn book_input(state: &AppState, f: &BookForm) -> Result<BookInput, AppError> {
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
    let provider =
        number::<i64>(&f.provider, "the provider")?.ok_or_else(|| AppError::Invalid("choose the provider".into()))?;
    let service =
        number::<i64>(&f.service, "the service")?.ok_or_else(|| AppError::Invalid("choose a service".into()))?;
    let room = number::<i64>(&f.room, "the room")?.filter(|r| *r > 0);
    let start = start_of(state, &f.start_day, &f.start_time)?;
    let repeat = match (
        number::<u8>(&f.repeat_every, "repeat every")?,
        number::<u8>(&f.repeat_count, "the number of appointments in the series")?,
    ) {
        (None, None) => None,
        (every, count) => Some(Repeat::new(every.unwrap_or(0), count.unwrap_or(0))?),
    };
    Ok(BookInput {
        patient,
        provider,
        service,
        room,
        start: Some(start),
        repeat,
        override_reason: f.override_reason.clone(),
    })
}

pub async fn book(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<BookForm>,
) -> Result<Response, WebError> {
    let input = match book_input(&state, &f) {
        Ok(i) => i,
        Err(e) => return book_refused(&state, &p, f, e).await,
    };
    // First the patient's no-shows and how they asked to be reached; booking is the next click.
    if f.seen.trim() != input.patient.to_string() {
        let who = match state.app.patient_at_booking(&p.actor(), input.patient).await {
            Ok(who) => who,
            Err(e) => return book_refused(&state, &p, f, e).await,
        };
        let mut f = f;
        f.seen = who.id.to_string();
        f.patient = who.id.to_string();
        f.patient_find = who.name.clone();
        let mut page = book_page(&state, &p, f, Refused::default()).await?;
        page.patient = Some(who);
        return Ok(page.into_response());
    }
    let day = input.start.map(|s| state.app.clinic_zone().local(s).date());
    let series = input.repeat.is_some();
    match state.app.calendar_book(&p.actor(), input).await {
        Ok(_) => {
            let mut to = urls::calendar().done(if series { "series" } else { "booked" });
            if let Some(d) = day {
                to = to.with("day", d);
            }
            Ok(to.redirect())
        }
        Err(e) => book_refused(&state, &p, f, e).await,
    }
}

async fn book_refused(state: &AppState, p: &Principal, f: BookForm, e: AppError) -> Result<Response, WebError> {
    let conflict = matches!(e, AppError::Conflict(_));
    match e {
        AppError::Invalid(_) | AppError::Conflict(_) => {
            let r = Refused::new("book-form", &f, e.to_string(), BOOK_FIELDS);
            let seen = f.seen.clone();
            let mut page = book_page(state, p, f, r).await?;
            page.conflict = conflict || !page.f.override_reason.trim().is_empty();
            if let Ok(id) = seen.trim().parse::<i64>() {
                page.patient = state.app.patient_at_booking(&p.actor(), id).await.ok();
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        e => Err(WebError::page(e)),
    }
}

// ---------------------------------------------------------------- one appointment

const CHANGE_FIELDS: &FieldWords = &[
    ("override_reason", &["double-book", "outside", "away then"]),
    ("reason", &["reason", "why it is"]),
    ("provider", &["provider"]),
    ("start_time", &["time"]),
    ("start_day", &["day", "date"]),
];

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MoveForm {
    pub provider: String,
    pub start_day: String,
    pub start_time: String,
    pub reason: String,
    pub override_reason: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CancelForm {
    pub cancel_reason: String,
}

#[derive(Template, Debug)]
#[template(path = "calendar/appointment.html")]
pub struct AppointmentPage {
    pub chrome: Chrome,
    pub a: Card,
    pub day_iso: String,
    pub when: String,
    pub booked: bool,
    pub providers: Vec<(i64, String)>,
    pub provider_id: i64,
    pub m: MoveForm,
    pub c: CancelForm,
    pub r: Refused,
    pub conflict: bool,
    /// A confirm link just made, shown once.
    pub link: Option<String>,
    /// The patient, for the phone screen ("Someone is on the phone"), when the reader's roles
    /// read the people acting for the patient (the contact class).
    pub caller_for: Option<i64>,
    /// The visit is checked in: its forms may be opened on the clinic tablet.
    pub checked_in: bool,
    /// The reader may open the tablet (the scheduling class's write, as sending forms).
    pub may_open_tablet: bool,
    /// The visit is today in the clinic's zone (it can be checked in here).
    pub today: bool,
    /// A code waiting, or the tablet in use, for this visit.
    pub kiosk: Option<KioskState>,
    /// A code just made (spaced for reading out, until when), shown once.
    pub kiosk_code: Option<(String, String)>,
    /// The representatives on file who may sign on the tablet instead of the patient (read
    /// only for a reader of the contact class, as the people card).
    pub signers: Vec<KioskSigner>,
    /// Who signs on the tablet: the representative's id, or "" for the patient.
    pub signer: String,
    /// Who signs with the code just made, in words ("Jane Doe, parent ...").
    pub kiosk_signer: Option<String>,
}

crate::web::chrome::page_response!(AppointmentPage);

impl AppointmentPage {
    /// Is `id` the signer chosen (kept when the desk's choice was refused)?
    pub fn signs(&self, id: &i64) -> bool {
        self.signer == id.to_string()
    }

    pub fn chosen(&self, id: &i64) -> bool {
        match self.m.provider.trim().parse::<i64>() {
            Ok(p) => p == *id,
            Err(_) => *id == self.provider_id,
        }
    }
}

pub(crate) async fn appointment_page(
    state: &AppState,
    p: &Principal,
    id: i64,
    m: MoveForm,
    c: CancelForm,
    r: Refused,
) -> Result<AppointmentPage, WebError> {
    let a = state
        .app
        .calendar_appointment(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    let providers = state
        .app
        .bookable_providers()
        .await
        .map_err(WebError::page)?
        .into_iter()
        .map(|(id, n)| (id.0, n))
        .collect();
    let m = if r.is("move-form") {
        m
    } else {
        MoveForm {
            start_day: date(a.start.date()),
            start_time: clock(a.start),
            ..MoveForm::default()
        }
    };
    let may_open_tablet = state
        .app
        .policy()
        .access(p.data_roles(), carekeep_domain::DataClass::Scheduling)
        .can_write();
    let reads_people = state
        .app
        .policy()
        .access(p.data_roles(), carekeep_domain::DataClass::Contact)
        .can_read();
    let checked_in = a.status == Status::CheckedIn;
    let signers = if checked_in && may_open_tablet && reads_people {
        state.app.kiosk_signers(&p.actor(), id).await.map_err(WebError::page)?
    } else {
        Vec::new()
    };
    Ok(AppointmentPage {
        chrome: chrome(state, p, "/calendar"),
        day_iso: a.start.date().to_string(),
        when: format!("{}, {} to {}", day_title(a.start.date()), clock(a.start), clock(a.end)),
        booked: a.status == Status::Booked,
        provider_id: a.provider_id,
        a: card(&a),
        providers,
        m,
        c,
        r,
        conflict: false,
        link: None,
        checked_in,
        may_open_tablet,
        today: a.start.date() == state.app.clinic_today(),
        kiosk: if checked_in {
            state.app.kiosk_state(&p.actor(), id).await.map_err(WebError::page)?
        } else {
            None
        },
        kiosk_code: None,
        signers,
        signer: String::new(),
        kiosk_signer: None,
        caller_for: reads_people.then_some(a.patient_id),
    })
}

/// Makes a confirm-or-cancel link for the patient and shows it once (only its hash is kept).
pub async fn make_link(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    parts: axum::http::request::Parts,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let token = state
        .app
        .make_confirm_link(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.tls_cert.is_some() || state.config.behind_tls_proxy {
        "https"
    } else {
        "http"
    };
    let mut page = appointment_page(
        &state,
        &p,
        id,
        MoveForm::default(),
        CancelForm::default(),
        Refused::default(),
    )
    .await?;
    // The patients' own address when the clinic has one (the portal's), else this one.
    let base = match state.config.patient_url.trim().trim_end_matches('/') {
        "" => format!("{scheme}://{host}"),
        url => url.to_owned(),
    };
    page.link = Some(format!("{base}/c/{token}"));
    page.chrome.notice = Some("Link made. Send it to the patient now: it is shown only this once.".to_owned());
    Ok(page.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppointmentDone {
    done: String,
}

pub async fn appointment(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<AppointmentDone>,
) -> Result<AppointmentPage, WebError> {
    let mut page = appointment_page(
        &state,
        &p,
        id,
        MoveForm::default(),
        CancelForm::default(),
        Refused::default(),
    )
    .await?;
    if q.done == "tablet_ended" {
        page.chrome.notice = Some("The clinic tablet's session is ended. Answers already saved are kept.".into());
    }
    Ok(page)
}

pub async fn confirm(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = state
        .app
        .calendar_appointment(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    state
        .app
        .calendar_confirm(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    Ok(urls::calendar()
        .done("confirmed")
        .with("day", a.start.date())
        .redirect())
}

pub async fn move_to(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response, WebError> {
    let freed = state.app.freed_by(id).await.map_err(WebError::page)?;
    let r = match (
        number::<i64>(&f.provider, "the provider"),
        start_of(&state, &f.start_day, &f.start_time),
    ) {
        (Ok(Some(provider)), Ok(start)) => {
            let input = MoveInput {
                provider,
                start: Some(start),
                room: None,
                reason: f.reason.clone(),
                override_reason: f.override_reason.clone(),
            };
            state
                .app
                .calendar_move(&p.actor(), id, input)
                .await
                .map(|()| state.app.clinic_zone().local(start).date())
        }
        (Ok(None), _) => Err(AppError::Invalid("choose the provider".into())),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match r {
        Ok(day) => Ok(match fits(&state, freed).await? {
            Some(slot) => super::waitlist::offer_link(&slot, "moved"),
            None => urls::calendar().done("moved").with("day", day),
        }
        .redirect()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let conflict = matches!(e, AppError::Conflict(_)) || !f.override_reason.trim().is_empty();
            let r = Refused::new("move-form", &f, e.to_string(), CHANGE_FIELDS);
            let mut page = appointment_page(&state, &p, id, f, CancelForm::default(), r).await?;
            page.conflict = conflict;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> Result<Response, WebError> {
    let a = state
        .app
        .calendar_appointment(&p.actor(), id)
        .await
        .map_err(WebError::page)?;
    let freed = state.app.freed_by(id).await.map_err(WebError::page)?;
    match state.app.calendar_cancel(&p.actor(), id, &f.cancel_reason).await {
        Ok(()) => Ok(match fits(&state, freed).await? {
            Some(slot) => super::waitlist::offer_link(&slot, "cancelled"),
            None => urls::calendar().done("cancelled").with("day", a.start.date()),
        }
        .redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new(
                "cancel-form",
                &f,
                e.to_string(),
                &[("cancel_reason", &["reason", "why", "status"])],
            );
            let page = appointment_page(&state, &p, id, MoveForm::default(), f, r).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// The time an appointment freed, when someone on the waitlist fits it (no names read).
pub(super) async fn fits(
    state: &AppState,
    freed: Option<carekeep_app::calendar::FreedSlot>,
) -> Result<Option<carekeep_app::calendar::FreedSlot>, WebError> {
    match freed {
        Some(slot) if state.app.waitlist_fits(&slot).await.map_err(WebError::page)? => Ok(Some(slot)),
        _ => Ok(None),
    }
}
