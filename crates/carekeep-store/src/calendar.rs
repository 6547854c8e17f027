//! The calendar's set-up: rooms, services, providers' working hours and time off. No PHI.

use crate::{unix, Conn, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomRow {
    pub id: i64,
    pub name: String,
    pub retired: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: i64,
    pub name: String,
    pub minutes: i64,
    pub buffer_minutes: i64,
    pub room_id: Option<i64>,
    pub equipment: String,
    /// The forms and consents it will need, one name a line.
    pub forms: String,
    pub retired: bool,
    /// Default providers (user ids), filled by [`services`].
    pub providers: Vec<i64>,
    /// Patients may ask for a new time in the portal (issue 27; the owner's setting, kept
    /// apart from [`save_service`]).
    pub portal_move: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoursRow {
    pub user_id: i64,
    /// Monday 0 to Sunday 6.
    pub weekday: i64,
    pub from_minute: i64,
    pub until_minute: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeOffRow {
    pub id: i64,
    pub user_id: i64,
    /// `YYYY-MM-DD`, both included.
    pub first_day: String,
    pub last_day: String,
}

fn flag(r: &AnyRow, col: &str) -> Result<bool, StoreError> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

pub async fn rooms(conn: &mut Conn) -> Result<Vec<RoomRow>, StoreError> {
    sqlx::query("SELECT id, name, retired FROM rooms ORDER BY retired, name, id")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(RoomRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                retired: flag(r, "retired")?,
            })
        })
        .collect()
}

/// Inserts (`id == 0`) or updates a room; returns its id.
pub async fn save_room(conn: &mut Conn, room: &RoomRow, now: OffsetDateTime) -> Result<i64, StoreError> {
    if room.id == 0 {
        return Ok(sqlx::query(
            "INSERT INTO rooms (name, retired, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(&room.name)
        .bind(i64::from(room.retired))
        .bind(unix(now))
        .fetch_one(conn)
        .await?
        .try_get("id")?);
    }
    let done = sqlx::query("UPDATE rooms SET name = $1, retired = $2, updated_at = $3 WHERE id = $4")
        .bind(&room.name)
        .bind(i64::from(room.retired))
        .bind(unix(now))
        .bind(room.id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(room.id)
}

pub async fn services(conn: &mut Conn) -> Result<Vec<ServiceRow>, StoreError> {
    let mut out: Vec<ServiceRow> = sqlx::query(
        "SELECT id, name, minutes, buffer_minutes, room_id, equipment, forms, retired, portal_move FROM services
         ORDER BY retired, name, id",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ServiceRow {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            minutes: r.try_get("minutes")?,
            buffer_minutes: r.try_get("buffer_minutes")?,
            room_id: r.try_get("room_id")?,
            equipment: r.try_get("equipment")?,
            forms: r.try_get("forms")?,
            retired: flag(r, "retired")?,
            providers: Vec::new(),
            portal_move: flag(r, "portal_move")?,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    for r in sqlx::query("SELECT service_id, user_id FROM service_providers ORDER BY service_id, user_id")
        .fetch_all(conn)
        .await?
    {
        let service: i64 = r.try_get("service_id")?;
        let user: i64 = r.try_get("user_id")?;
        if let Some(s) = out.iter_mut().find(|s| s.id == service) {
            s.providers.push(user);
        }
    }
    Ok(out)
}

/// Which services patients may ask to move in the portal: exactly `on`, every other off.
pub async fn set_portal_moves(conn: &mut Conn, on: &[i64]) -> Result<(), StoreError> {
    sqlx::query("UPDATE services SET portal_move = 0")
        .execute(&mut *conn)
        .await?;
    for id in on {
        sqlx::query("UPDATE services SET portal_move = 1 WHERE id = $1")
            .bind(*id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Inserts (`id == 0`) or updates a service with its default providers; returns its id.
pub async fn save_service(conn: &mut Conn, s: &ServiceRow, now: OffsetDateTime) -> Result<i64, StoreError> {
    let id = if s.id == 0 {
        sqlx::query(
            "INSERT INTO services (name, minutes, buffer_minutes, room_id, equipment, forms, retired, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(&s.name)
        .bind(s.minutes)
        .bind(s.buffer_minutes)
        .bind(s.room_id)
        .bind(&s.equipment)
        .bind(&s.forms)
        .bind(i64::from(s.retired))
        .bind(unix(now))
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?
    } else {
        let done = sqlx::query(
            "UPDATE services SET name = $1, minutes = $2, buffer_minutes = $3, room_id = $4, equipment = $5,
             forms = $6, retired = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&s.name)
        .bind(s.minutes)
        .bind(s.buffer_minutes)
        .bind(s.room_id)
        .bind(&s.equipment)
        .bind(&s.forms)
        .bind(i64::from(s.retired))
        .bind(unix(now))
        .bind(s.id)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        s.id
    };
    sqlx::query("DELETE FROM service_providers WHERE service_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for user in &s.providers {
        sqlx::query("INSERT INTO service_providers (service_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*user)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

pub async fn hours(conn: &mut Conn) -> Result<Vec<HoursRow>, StoreError> {
    sqlx::query(
        "SELECT user_id, weekday, from_minute, until_minute FROM working_hours ORDER BY user_id, weekday, from_minute",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(HoursRow {
            user_id: r.try_get("user_id")?,
            weekday: r.try_get("weekday")?,
            from_minute: r.try_get("from_minute")?,
            until_minute: r.try_get("until_minute")?,
        })
    })
    .collect()
}

/// Replaces one provider's weekly hours.
pub async fn set_hours(conn: &mut Conn, user_id: i64, rows: &[HoursRow]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM working_hours WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for h in rows {
        sqlx::query("INSERT INTO working_hours (user_id, weekday, from_minute, until_minute) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(h.weekday)
            .bind(h.from_minute)
            .bind(h.until_minute)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Time off that ends on or after `from_day` (`YYYY-MM-DD`).
pub async fn time_off(conn: &mut Conn, from_day: &str) -> Result<Vec<TimeOffRow>, StoreError> {
    sqlx::query("SELECT id, user_id, first_day, last_day FROM time_off WHERE last_day >= $1 ORDER BY first_day, id")
        .bind(from_day)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(TimeOffRow {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                first_day: r.try_get("first_day")?,
                last_day: r.try_get("last_day")?,
            })
        })
        .collect()
}

pub async fn add_time_off(conn: &mut Conn, t: &TimeOffRow, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO time_off (user_id, first_day, last_day, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(t.user_id)
    .bind(&t.first_day)
    .bind(&t.last_day)
    .bind(unix(now))
    .fetch_one(conn)
    .await?
    .try_get("id")?)
}

/// Removes time off; `NotFound` when there is none with that id.
pub async fn remove_time_off(conn: &mut Conn, id: i64) -> Result<TimeOffRow, StoreError> {
    let row = sqlx::query("SELECT id, user_id, first_day, last_day FROM time_off WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let out = TimeOffRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        first_day: row.try_get("first_day")?,
        last_day: row.try_get("last_day")?,
    };
    sqlx::query("DELETE FROM time_off WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(out)
}

/// Whether reminders name the service (the clinic's choice; off by default).
pub async fn reminder_names_service(conn: &mut Conn) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT reminder_names_service FROM clinic WHERE id = 1")
        .fetch_optional(conn)
        .await?;
    row.map(|r| flag(&r, "reminder_names_service"))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Records whether reminders name the service.
pub async fn set_reminder_names_service(conn: &mut Conn, on: bool) -> Result<(), StoreError> {
    sqlx::query("UPDATE clinic SET reminder_names_service = $1 WHERE id = 1")
        .bind(i64::from(on))
        .execute(conn)
        .await?;
    Ok(())
}
