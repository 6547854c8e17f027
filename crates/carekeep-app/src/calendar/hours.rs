//! A provider's week as the booking rules read it: shifts and time off from the set-up, as
//! domain values in the clinic's zone.

use crate::AppError;
use carekeep_domain::calendar::hours::{Shift, TimeOff};
use carekeep_domain::records::patient::parse_date;
use carekeep_domain::zone::ClinicZone;
use carekeep_store::calendar as store;
use carekeep_store::Conn;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

/// A provider's working hours and time off.
#[derive(Clone, Debug, Default)]
pub(crate) struct Week {
    pub shifts: Vec<Shift>,
    pub time_off: Vec<TimeOff>,
}

/// Until a provider's hours are set, the calendar offers weekdays 8 AM to 5 PM.
pub(crate) fn default_shifts() -> Vec<Shift> {
    let (from, until) = (Time::from_hms(8, 0, 0), Time::from_hms(17, 0, 0));
    match (from, until) {
        (Ok(from), Ok(until)) => super::setup::WEEK[..5]
            .iter()
            .filter_map(|(d, _)| Shift::new(*d, from, until).ok())
            .collect(),
        _ => Vec::new(),
    }
}

fn time_of_minute(m: i64) -> Option<Time> {
    let h = u8::try_from(m / 60).ok()?;
    let mm = u8::try_from(m % 60).ok()?;
    if h == 24 && mm == 0 {
        return Time::from_hms(23, 59, 59).ok();
    }
    Time::from_hms(h, mm, 0).ok()
}

/// Every provider's week: hours by user id (defaults for one with none), and time off.
pub(crate) async fn all_weeks(
    conn: &mut Conn,
    zone: &ClinicZone,
    from_day: &str,
) -> Result<std::collections::HashMap<i64, Week>, AppError> {
    let hours = store::hours(conn).await?;
    let off = store::time_off(conn, from_day).await?;
    let mut out: std::collections::HashMap<i64, Week> = std::collections::HashMap::new();
    for h in hours {
        let Some((day, _)) = usize::try_from(h.weekday).ok().and_then(|i| super::setup::WEEK.get(i)) else {
            continue;
        };
        if let (Some(from), Some(until)) = (time_of_minute(h.from_minute), time_of_minute(h.until_minute)) {
            if let Ok(s) = Shift::new(*day, from, until) {
                out.entry(h.user_id).or_default().shifts.push(s);
            }
        }
    }
    for t in off {
        if let (Ok(first), Ok(last)) = (parse_date(&t.first_day), parse_date(&t.last_day)) {
            if let Ok(away) = TimeOff::days(zone, first, last) {
                out.entry(t.user_id).or_default().time_off.push(away);
            }
        }
    }
    Ok(out)
}

/// One provider's week (defaults when no hours are set).
pub(crate) async fn provider_week(conn: &mut Conn, zone: &ClinicZone, provider: i64) -> Result<Week, AppError> {
    // All time off (every stored day sorts after ""): a move into the past is checked too.
    let mut weeks = all_weeks(conn, zone, "").await?;
    let mut week = weeks.remove(&provider).unwrap_or_default();
    if week.shifts.is_empty() {
        week.shifts = default_shifts();
    }
    Ok(week)
}

/// A day at the clinic: midnight to midnight in the zone.
pub(crate) fn day_bounds(zone: &ClinicZone, day: Date) -> (OffsetDateTime, OffsetDateTime) {
    let from = zone.assume(PrimitiveDateTime::new(day, Time::MIDNIGHT));
    let to = match day.next_day() {
        Some(next) => zone.assume(PrimitiveDateTime::new(next, Time::MIDNIGHT)),
        None => from + time::Duration::days(1),
    };
    (from, to)
}
