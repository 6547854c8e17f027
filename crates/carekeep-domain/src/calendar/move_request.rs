//! A patient asks for a new time in the portal (issue 27, item 3). Only for a service the
//! clinic lets patients move online, only an appointment still booked and not about to start,
//! one waiting request at a time. The patient picks one of the clinic's free times (the
//! calendar's own free-slot rule, [`super::hours::free_slots`]) or writes the times that suit
//! them. Nothing moves until the front desk moves it through the booking's conflict rule
//! (approval: a small clinic's desk knows what a free-looking hour is kept for). HIPAA sets no
//! rule for scheduling; the request and its answer are audited (164.312(b)) and the patient's
//! words, which can hold PHI, are sealed (164.312(a)(2)(iv)).

use super::hours::{free_slots, Shift, TimeOff};
use crate::records::appointment::Status;
use crate::zone::ClinicZone;
use time::{Duration, OffsetDateTime};

/// How far ahead the portal offers free times.
pub const DAYS_AHEAD: i64 = 21;
/// A new time is at least this far off, so the desk can act on the request before it.
pub const NOTICE: Duration = Duration::hours(24);
/// The most free times shown at once (a phone screen's worth, in time order).
pub const MOST_OFFERED: usize = 30;
/// The longest note a patient may write.
pub const WISHES_MAX: usize = 1000;

/// Why a patient may not ask for a new time for this appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAsked {
    /// The clinic does not let patients move this service online.
    NotOnline,
    /// Cancelled, done, missed or checked in.
    NotBooked,
    /// Starts within [`NOTICE`] (or has started).
    TooLate,
    /// A request for it is already waiting.
    Waiting,
}

impl NotAsked {
    /// What the patient reads.
    pub fn words(self) -> &'static str {
        match self {
            NotAsked::NotOnline => "This visit cannot be moved online. Please call the clinic.",
            NotAsked::NotBooked => "This appointment can no longer be changed here. Please call the clinic.",
            NotAsked::TooLate => "This appointment is too soon to move online. Please call the clinic.",
            NotAsked::Waiting => "You already asked for a new time for this appointment. The clinic will answer soon.",
        }
    }
}

/// Whether the patient may ask to move an appointment: the setting first (the clinic's
/// choice), then the appointment's state, then the time left, then a request already waiting.
pub fn may_ask(
    service_allows: bool,
    status: Status,
    start: OffsetDateTime,
    now: OffsetDateTime,
    waiting: bool,
) -> Result<(), NotAsked> {
    if !service_allows {
        Err(NotAsked::NotOnline)
    } else if status != Status::Booked {
        Err(NotAsked::NotBooked)
    } else if start - now < NOTICE {
        Err(NotAsked::TooLate)
    } else if waiting {
        Err(NotAsked::Waiting)
    } else {
        Ok(())
    }
}

/// The free starts offered for a visit of `length` (its buffer included): every `step` of the
/// provider's hours over the next [`DAYS_AHEAD`] days that starts at least [`NOTICE`] from
/// `now` and is not `busy` or time off, at most [`MOST_OFFERED`], in time order.
pub fn offered(
    zone: &ClinicZone,
    shifts: &[Shift],
    time_off: &[TimeOff],
    busy: &[(OffsetDateTime, OffsetDateTime)],
    now: OffsetDateTime,
    length: Duration,
    step: Duration,
) -> Vec<OffsetDateTime> {
    let earliest = now + NOTICE;
    let first = zone.local(earliest).date();
    let mut out = Vec::new();
    for d in 0..DAYS_AHEAD {
        let Some(day) = first.checked_add(Duration::days(d)) else {
            break;
        };
        for start in free_slots(zone, shifts, time_off, busy, day, length, step) {
            if start >= earliest {
                out.push(start);
                if out.len() == MOST_OFFERED {
                    return out;
                }
            }
        }
    }
    out
}

/// Whether a start the patient sent is one the portal would offer now (a form can be replayed
/// or edited: the slot is checked again, and the front desk's move checks it once more).
pub fn is_offered(offered: &[OffsetDateTime], start: OffsetDateTime) -> bool {
    offered.contains(&start)
}

/// A request's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Asked,
    Moved,
    Declined,
    Withdrawn,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Asked => "asked",
            State::Moved => "moved",
            State::Declined => "declined",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        [State::Asked, State::Moved, State::Declined, State::Withdrawn]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// What the patient reads about their request.
    pub fn words(self) -> &'static str {
        match self {
            State::Asked => "You asked for a new time. The clinic will answer here.",
            State::Moved => "The clinic moved your appointment to the new time.",
            State::Declined => "The clinic could not move your appointment.",
            State::Withdrawn => "This request was closed because the appointment changed.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};
    use time::Weekday;

    fn ny() -> ClinicZone {
        ClinicZone::named("America/New_York").unwrap()
    }

    #[test]
    fn who_may_ask_in_order() {
        let now = datetime!(2026-12-07 14:00 UTC);
        let later = now + Duration::days(3);
        let soon = now + Duration::hours(23);
        let cases = [
            (
                "allowed, booked, three days off",
                true,
                Status::Booked,
                later,
                false,
                Ok(()),
            ),
            (
                "service not online",
                false,
                Status::Booked,
                later,
                false,
                Err(NotAsked::NotOnline),
            ),
            (
                "cancelled",
                true,
                Status::Cancelled,
                later,
                false,
                Err(NotAsked::NotBooked),
            ),
            (
                "checked in",
                true,
                Status::CheckedIn,
                later,
                false,
                Err(NotAsked::NotBooked),
            ),
            (
                "within a day",
                true,
                Status::Booked,
                soon,
                false,
                Err(NotAsked::TooLate),
            ),
            (
                "already started",
                true,
                Status::Booked,
                now - Duration::minutes(5),
                false,
                Err(NotAsked::TooLate),
            ),
            ("one waiting", true, Status::Booked, later, true, Err(NotAsked::Waiting)),
            (
                "setting wins over all",
                false,
                Status::Cancelled,
                soon,
                true,
                Err(NotAsked::NotOnline),
            ),
        ];
        for (name, allows, status, start, waiting, want) in cases {
            assert_eq!(may_ask(allows, status, start, now, waiting), want, "{name}");
        }
    }

    #[test]
    fn offered_times_skip_the_notice_busy_time_and_time_off() {
        let zone = ny();
        let shifts: Vec<Shift> = [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday]
            .into_iter()
            .map(|d| Shift::new(d, time!(9:00), time!(11:00)).unwrap())
            .collect();
        // Monday 12/07/2026 10:00 EST: the first offer is Tuesday at 10:00 (24 hours on).
        let now = datetime!(2026-12-07 15:00 UTC);
        let busy = [(datetime!(2026-12-09 14:00 UTC), datetime!(2026-12-09 15:00 UTC))];
        let away = [TimeOff::days(&zone, date!(2026 - 12 - 14), date!(2026 - 12 - 16)).unwrap()];
        let got = offered(
            &zone,
            &shifts,
            &away,
            &busy,
            now,
            Duration::minutes(30),
            Duration::minutes(30),
        );
        let local: Vec<String> = got.iter().take(6).map(|t| zone.local(*t).to_string()).collect();
        assert_eq!(
            local,
            [
                "2026-12-08 10:00:00.0 -05:00:00",
                "2026-12-08 10:30:00.0 -05:00:00",
                // Wednesday 9:00-10:00 is busy.
                "2026-12-09 10:00:00.0 -05:00:00",
                "2026-12-09 10:30:00.0 -05:00:00",
                // Thursday to Sunday: no hours; the next Monday to Wednesday: time off.
                "2026-12-21 9:00:00.0 -05:00:00",
                "2026-12-21 9:30:00.0 -05:00:00",
            ]
        );
        assert!(got.iter().all(|t| *t >= now + NOTICE));
        assert!(is_offered(&got, datetime!(2026-12-08 15:00 UTC)));
        assert!(!is_offered(&got, datetime!(2026-12-08 14:00 UTC)), "inside the notice");
    }

    #[test]
    fn offered_times_are_capped_and_a_long_visit_fits_its_stretch() {
        let zone = ny();
        let shifts: Vec<Shift> = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ]
        .into_iter()
        .map(|d| Shift::new(d, time!(8:00), time!(17:00)).unwrap())
        .collect();
        let now = datetime!(2026-12-07 15:00 UTC);
        let half = Duration::minutes(30);
        assert_eq!(offered(&zone, &shifts, &[], &[], now, half, half).len(), MOST_OFFERED);
        let long = offered(&zone, &shifts, &[], &[], now, Duration::minutes(90), half);
        assert!(long
            .iter()
            .all(|t| zone.local(*t + Duration::minutes(90)).time() <= time!(17:00)));
    }

    #[test]
    fn states_read_back() {
        for s in [State::Asked, State::Moved, State::Declined, State::Withdrawn] {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(State::parse("other"), None);
    }
}
