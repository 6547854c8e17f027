//! Services, rooms, working hours and time off. None of it names a patient, so it is kept under
//! a capability (`manage_calendar`: the owner and the front desk) rather than a data class, and
//! every change is on the audit trail (`calendar.changed`).

use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::calendar::hours::{parse_clock, Shift};
use carekeep_domain::calendar::message::Detail;
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::Capability;
use carekeep_store::calendar::{self as store, HoursRow, RoomRow, ServiceRow, TimeOffRow};
use serde::{Deserialize, Serialize};
use time::{Time, Weekday};

/// The weekdays in the order the pages show them, with their stored numbers (Monday 0).
pub const WEEK: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Monday"),
    (Weekday::Tuesday, "Tuesday"),
    (Weekday::Wednesday, "Wednesday"),
    (Weekday::Thursday, "Thursday"),
    (Weekday::Friday, "Friday"),
    (Weekday::Saturday, "Saturday"),
    (Weekday::Sunday, "Sunday"),
];

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoomInput {
    pub name: String,
    pub retired: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoomView {
    pub id: i64,
    pub name: String,
    pub retired: bool,
}

/// A service as typed. Minutes as text so a form's typing comes back as it was.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ServiceInput {
    pub name: String,
    /// How long it lasts, in minutes (5 to 720).
    pub minutes: String,
    /// Time held after it (cleaning, notes), in minutes (0 to 120).
    pub buffer_minutes: String,
    /// The room it needs, or 0 for any.
    pub room_id: i64,
    /// Equipment it needs, e.g. "Laser".
    pub equipment: String,
    /// The forms and consents it will need, one name a line.
    pub forms: String,
    /// The providers who give it by default (user ids).
    pub providers: Vec<i64>,
    pub retired: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceView {
    pub id: i64,
    pub name: String,
    pub minutes: i64,
    pub buffer_minutes: i64,
    pub room_id: Option<i64>,
    pub room_name: String,
    pub equipment: String,
    pub forms: Vec<String>,
    pub providers: Vec<i64>,
    pub provider_names: Vec<String>,
    pub retired: bool,
    /// Patients may ask for a new time for it in the portal (the owner's setting).
    pub portal_move: bool,
}

/// One provider's week as typed: for each weekday (Monday first), from and until, both blank
/// for a day off.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct HoursInput {
    pub from: Vec<String>,
    pub until: Vec<String>,
}

/// One provider's week: `(from, until)` per weekday, Monday first, `None` for a day off, as
/// `HH:MM` (24-hour, what a time field takes).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HoursView {
    pub user_id: i64,
    pub name: String,
    pub days: Vec<Option<(String, String)>>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TimeOffInput {
    pub user_id: i64,
    /// `04/23/2026` or `2026-04-23`.
    pub first_day: String,
    /// Blank for one day.
    pub last_day: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TimeOffView {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub first_day: String,
    pub last_day: String,
}

/// Everything the set-up page shows.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarSetup {
    pub services: Vec<ServiceView>,
    pub rooms: Vec<RoomView>,
    /// Who can be booked: id and name.
    pub providers: Vec<(i64, String)>,
    pub hours: Vec<HoursView>,
    pub time_off: Vec<TimeOffView>,
}

fn minutes(label: &str, s: &str, range: std::ops::RangeInclusive<i64>, blank: Option<i64>) -> Result<i64, AppError> {
    let t = s.trim();
    if t.is_empty() {
        if let Some(b) = blank {
            return Ok(b);
        }
    }
    match t.parse::<i64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(AppError::Invalid(format!(
            "the {label} is a number of minutes from {} to {}",
            range.start(),
            range.end()
        ))),
    }
}

fn hhmm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn minute_of(t: Time) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

impl App {
    async fn changed(
        &self,
        actor: &Actor<'_>,
        tx: &mut carekeep_store::Tx,
        what: &str,
        id: i64,
    ) -> Result<(), AppError> {
        let mut event = self
            .event(actor, Action::CalendarChanged, Outcome::Success)
            .with_reason(what);
        event.resource_type = "Calendar".into();
        event.resource_id = id.to_string();
        self.record(tx, &event).await?;
        Ok(())
    }

    /// What reminders may carry beyond the minimum (the clinic's setting).
    pub async fn reminder_detail(&self) -> Result<Detail, AppError> {
        let mut conn = self.store().read().await?;
        Ok(Detail {
            service: store::reminder_names_service(&mut conn).await?,
        })
    }

    /// Turns naming the service in reminders on or off: an owner's decision about what others
    /// who see a patient's phone or inbox may learn (164.502(b), 164.530(c)(2)(ii)); audited.
    pub async fn save_reminder_detail(&self, actor: &Actor<'_>, detail: Detail) -> Result<(), AppError> {
        self.require(actor, Capability::AdministerUsers).await?;
        let mut tx = self.store().begin().await?;
        store::set_reminder_names_service(tx.conn(), detail.service).await?;
        let event = self
            .event(actor, Action::SettingChanged, Outcome::Success)
            .with_reason(if detail.service {
                "reminders name the service"
            } else {
                "reminders do not name the service"
            });
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The calendar's set-up, for the page that keeps it.
    pub async fn calendar_setup(&self, actor: &Actor<'_>) -> Result<CalendarSetup, AppError> {
        self.require(actor, Capability::ManageCalendar).await?;
        let providers: Vec<(i64, String)> = self
            .bookable_providers()
            .await?
            .into_iter()
            .map(|(id, name)| (id.0, name))
            .collect();
        let mut conn = self.store().read().await?;
        let rooms = store::rooms(&mut conn).await?;
        let services = store::services(&mut conn).await?;
        let hours = store::hours(&mut conn).await?;
        let today = self.clinic_today().to_string();
        let time_off = store::time_off(&mut conn, &today).await?;
        let names = carekeep_store::users::display_names(&mut conn).await?;
        drop(conn);
        let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
        Ok(CalendarSetup {
            services: services
                .into_iter()
                .map(|s| ServiceView {
                    id: s.id,
                    room_name: s
                        .room_id
                        .and_then(|r| rooms.iter().find(|x| x.id == r))
                        .map(|r| r.name.clone())
                        .unwrap_or_default(),
                    provider_names: s.providers.iter().map(|p| name_of(*p)).collect(),
                    forms: s.forms.lines().map(str::to_owned).filter(|l| !l.is_empty()).collect(),
                    name: s.name,
                    minutes: s.minutes,
                    buffer_minutes: s.buffer_minutes,
                    room_id: s.room_id,
                    equipment: s.equipment,
                    portal_move: s.portal_move,
                    providers: s.providers,
                    retired: s.retired,
                })
                .collect(),
            hours: providers
                .iter()
                .map(|(id, name)| HoursView {
                    user_id: *id,
                    name: name.clone(),
                    days: (0..7)
                        .map(|d| {
                            hours
                                .iter()
                                .find(|h| h.user_id == *id && h.weekday == d)
                                .map(|h| (hhmm(h.from_minute), hhmm(h.until_minute)))
                        })
                        .collect(),
                })
                .collect(),
            time_off: time_off
                .into_iter()
                .map(|t| TimeOffView {
                    id: t.id,
                    user_id: t.user_id,
                    name: name_of(t.user_id),
                    first_day: t.first_day,
                    last_day: t.last_day,
                })
                .collect(),
            rooms: rooms
                .into_iter()
                .map(|r| RoomView {
                    id: r.id,
                    name: r.name,
                    retired: r.retired,
                })
                .collect(),
            providers,
        })
    }

    /// Adds (`id == 0`) or renames or retires a room.
    pub async fn save_room(&self, actor: &Actor<'_>, id: i64, input: RoomInput) -> Result<i64, AppError> {
        self.require(actor, Capability::ManageCalendar).await?;
        let row = RoomRow {
            id,
            name: crate::input::line("room's name", &input.name, 60, true)?,
            retired: input.retired,
        };
        let mut tx = self.store().begin().await?;
        let saved = store::save_room(tx.conn(), &row, self.now())
            .await
            .map_err(|e| match e {
                carekeep_store::StoreError::NotFound => AppError::NotFound("room"),
                other => other.into(),
            })?;
        self.changed(actor, &mut tx, &format!("room '{}'", row.name), saved)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Adds (`id == 0`) or changes a service.
    pub async fn save_service(&self, actor: &Actor<'_>, id: i64, input: ServiceInput) -> Result<i64, AppError> {
        self.require(actor, Capability::ManageCalendar).await?;
        let name = crate::input::line("service's name", &input.name, 120, true)?;
        let length = minutes("length", &input.minutes, 5..=720, None)?;
        let buffer = minutes("buffer after", &input.buffer_minutes, 0..=120, Some(0))?;
        let equipment = crate::input::line("equipment", &input.equipment, 120, false)?;
        let forms = crate::input::text("forms it needs", &input.forms, 2000, false)?;
        if forms.lines().any(|l| l.trim().chars().count() > 120) {
            return Err(AppError::Invalid("each form's name has at most 120 characters".into()));
        }
        let forms: Vec<&str> = forms.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let mut tx = self.store().begin().await?;
        let room_id = if input.room_id == 0 {
            None
        } else if store::rooms(tx.conn())
            .await?
            .iter()
            .any(|r| r.id == input.room_id && !r.retired)
        {
            Some(input.room_id)
        } else {
            return Err(AppError::Invalid("choose a room from the list".into()));
        };
        let bookable: Vec<i64> = self
            .bookable_providers()
            .await?
            .into_iter()
            .map(|(id, _)| id.0)
            .collect();
        let mut providers = input.providers.clone();
        providers.sort_unstable();
        providers.dedup();
        if providers.iter().any(|p| !bookable.contains(p)) {
            return Err(AppError::Invalid(
                carekeep_domain::records::appointment::NOT_BOOKABLE.into(),
            ));
        }
        let row = ServiceRow {
            id,
            name,
            minutes: length,
            buffer_minutes: buffer,
            room_id,
            equipment,
            forms: forms.join("\n"),
            retired: input.retired,
            providers,
            // Not written by `save_service`: the owner's own setting (`set_portal_moves`).
            portal_move: false,
        };
        let saved = store::save_service(tx.conn(), &row, self.now())
            .await
            .map_err(|e| match e {
                carekeep_store::StoreError::NotFound => AppError::NotFound("service"),
                other => other.into(),
            })?;
        self.changed(actor, &mut tx, &format!("service '{}'", row.name), saved)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Replaces a provider's weekly hours. A day with both times blank is a day off.
    pub async fn set_working_hours(&self, actor: &Actor<'_>, user_id: i64, input: HoursInput) -> Result<(), AppError> {
        self.require(actor, Capability::ManageCalendar).await?;
        if !self.bookable_providers().await?.iter().any(|(id, _)| id.0 == user_id) {
            return Err(AppError::Invalid(
                carekeep_domain::records::appointment::NOT_BOOKABLE.into(),
            ));
        }
        let mut rows = Vec::new();
        for (d, (weekday, label)) in WEEK.iter().enumerate() {
            let from = input.from.get(d).map_or("", |s| s.trim());
            let until = input.until.get(d).map_or("", |s| s.trim());
            if from.is_empty() && until.is_empty() {
                continue;
            }
            let bad = |e: carekeep_domain::records::Invalid| AppError::Invalid(format!("{label}: {e}"));
            let shift = Shift::new(
                *weekday,
                parse_clock(from).map_err(bad)?,
                parse_clock(until).map_err(bad)?,
            )
            .map_err(bad)?;
            rows.push(HoursRow {
                user_id,
                weekday: i64::try_from(d).unwrap_or_default(),
                from_minute: minute_of(shift.from),
                until_minute: minute_of(shift.until),
            });
        }
        let mut tx = self.store().begin().await?;
        store::set_hours(tx.conn(), user_id, &rows).await?;
        self.changed(actor, &mut tx, "working hours", user_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records whole days off for a provider.
    pub async fn add_time_off(&self, actor: &Actor<'_>, input: TimeOffInput) -> Result<i64, AppError> {
        self.require(actor, Capability::ManageCalendar).await?;
        if !self
            .bookable_providers()
            .await?
            .iter()
            .any(|(id, _)| id.0 == input.user_id)
        {
            return Err(AppError::Invalid(
                carekeep_domain::records::appointment::NOT_BOOKABLE.into(),
            ));
        }
        let first = parse_date(&input.first_day).map_err(|e| AppError::Invalid(format!("first day: {e}")))?;
        let last = if input.last_day.trim().is_empty() {
            first
        } else {
            parse_date(&input.last_day).map_err(|e| AppError::Invalid(format!("last day: {e}")))?
        };
        carekeep_domain::calendar::hours::TimeOff::days(&self.clinic_zone(), first, last)?;
        let mut tx = self.store().begin().await?;
        let id = store::add_time_off(
            tx.conn(),
            &TimeOffRow {
                id: 0,
                user_id: input.user_id,
                first_day: first.to_string(),
                last_day: last.to_string(),
            },
            self.now(),
        )
        .await?;
        self.changed(actor, &mut tx, &format!("time off {first} to {last}"), input.user_id)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes time off.
    pub async fn remove_time_off(&self, actor: &Actor<'_>, id: i64) -> Result<(), AppError> {
        self.require(actor, Capability::ManageCalendar).await?;
        let mut tx = self.store().begin().await?;
        let row = store::remove_time_off(tx.conn(), id).await.map_err(|e| match e {
            carekeep_store::StoreError::NotFound => AppError::NotFound("time off"),
            other => other.into(),
        })?;
        self.changed(
            actor,
            &mut tx,
            &format!("time off {} to {} removed", row.first_day, row.last_day),
            row.user_id,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
