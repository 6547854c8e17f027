//! Providers' working hours and time off, in the clinic's zone. Hours are wall-clock times per
//! weekday (9:00 AM to 5:00 PM stays that across daylight saving); time off is a span of whole
//! days or an interval, held as instants.

use crate::records::{invalid, Invalid};
use crate::zone::ClinicZone;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

/// One stretch of a weekday's hours, start before end, both on the same day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shift {
    pub weekday: Weekday,
    pub from: Time,
    pub until: Time,
}

impl Shift {
    pub fn new(weekday: Weekday, from: Time, until: Time) -> Result<Shift, Invalid> {
        if until <= from {
            return invalid("the hours must end after they start");
        }
        Ok(Shift { weekday, from, until })
    }
}

/// A wall-clock time as typed: `9:00 AM`, `5:30pm`, `17:30` or a time field's `09:00`.
pub fn parse_clock(s: &str) -> Result<Time, Invalid> {
    const WORDS: &str = "a time must look like 9:00 AM or 17:30";
    let t = s.trim().to_ascii_lowercase().replace('.', "");
    let (clock, half) = if let Some(x) = t.strip_suffix("am") {
        (x.trim(), Some(false))
    } else if let Some(x) = t.strip_suffix("pm") {
        (x.trim(), Some(true))
    } else {
        (t.as_str(), None)
    };
    let (h, m) = clock.split_once(':').unwrap_or((clock, "0"));
    let (Ok(h), Ok(m)) = (h.trim().parse::<u8>(), m.trim().parse::<u8>()) else {
        return invalid(WORDS);
    };
    let h = match half {
        Some(pm) if (1..=12).contains(&h) => (h % 12) + if pm { 12 } else { 0 },
        Some(_) => return invalid(WORDS),
        None => h,
    };
    Time::from_hms(h, m, 0).map_or_else(|_| invalid(WORDS), Ok)
}

/// Time away: from one instant to another (half-open).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeOff {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

impl TimeOff {
    /// Whole days `first` to `last`, both included, in the clinic's zone: from midnight starting
    /// `first` to midnight ending `last`, however long those days are (23 or 25 hours on the
    /// days clocks change).
    pub fn days(zone: &ClinicZone, first: Date, last: Date) -> Result<TimeOff, Invalid> {
        if last < first {
            return invalid("time off must end on or after the day it starts");
        }
        let after = last
            .next_day()
            .map_or_else(|| invalid("that date is too far away"), Ok)?;
        Ok(TimeOff {
            start: zone.assume(PrimitiveDateTime::new(first, Time::MIDNIGHT)),
            end: zone.assume(PrimitiveDateTime::new(after, Time::MIDNIGHT)),
        })
    }
}

/// Why a provider cannot be booked then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    OutsideHours,
    TimeOff,
}

impl Unavailable {
    pub fn words(self) -> &'static str {
        match self {
            Unavailable::OutsideHours => "That time is outside the provider's working hours",
            Unavailable::TimeOff => "The provider is away then",
        }
    }
}

/// The day's working stretches as instants.
pub fn stretches(zone: &ClinicZone, shifts: &[Shift], day: Date) -> Vec<(OffsetDateTime, OffsetDateTime)> {
    let mut out: Vec<_> = shifts
        .iter()
        .filter(|s| s.weekday == day.weekday())
        .map(|s| {
            (
                zone.assume(PrimitiveDateTime::new(day, s.from)),
                zone.assume(PrimitiveDateTime::new(day, s.until)),
            )
        })
        .collect();
    out.sort();
    out
}

/// Whether `start..end` lies inside one working stretch and outside every time off.
pub fn available(
    zone: &ClinicZone,
    shifts: &[Shift],
    time_off: &[TimeOff],
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<(), Unavailable> {
    if time_off.iter().any(|t| start < t.end && t.start < end) {
        return Err(Unavailable::TimeOff);
    }
    let day = zone.local(start).date();
    if stretches(zone, shifts, day)
        .iter()
        .any(|(from, until)| *from <= start && end <= *until)
    {
        Ok(())
    } else {
        Err(Unavailable::OutsideHours)
    }
}

/// The starts of free slots of `length` on a day, every `step` from the start of each working
/// stretch, skipping time off and `busy` intervals (already held, buffers included).
pub fn free_slots(
    zone: &ClinicZone,
    shifts: &[Shift],
    time_off: &[TimeOff],
    busy: &[(OffsetDateTime, OffsetDateTime)],
    day: Date,
    length: Duration,
    step: Duration,
) -> Vec<OffsetDateTime> {
    let mut out = Vec::new();
    if step <= Duration::ZERO || length <= Duration::ZERO {
        return out;
    }
    for (from, until) in stretches(zone, shifts, day) {
        let mut at = from;
        while at + length <= until {
            let end = at + length;
            let taken =
                busy.iter().any(|(s, e)| at < *e && *s < end) || time_off.iter().any(|t| at < t.end && t.start < end);
            if !taken {
                out.push(at);
            }
            at += step;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn ny() -> ClinicZone {
        ClinicZone::named("America/New_York").unwrap()
    }

    fn weekdays_nine_to_five() -> Vec<Shift> {
        [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ]
        .into_iter()
        .map(|d| Shift::new(d, time!(9:00), time!(17:00)).unwrap())
        .collect()
    }

    #[test]
    fn hours_are_wall_clock_across_daylight_saving() {
        let zone = ny();
        let shifts = weekdays_nine_to_five();
        let half = Duration::minutes(30);
        let cases = [
            ("Friday 9:00 EST", datetime!(2026-03-06 14:00 UTC), Ok(())),
            (
                "Friday 8:00 EST",
                datetime!(2026-03-06 13:00 UTC),
                Err(Unavailable::OutsideHours),
            ),
            (
                "Monday 9:00 EDT after the change",
                datetime!(2026-03-09 13:00 UTC),
                Ok(()),
            ),
            (
                "Monday 8:00 EDT",
                datetime!(2026-03-09 12:00 UTC),
                Err(Unavailable::OutsideHours),
            ),
            (
                "Monday 4:30 PM EDT ends at five",
                datetime!(2026-03-09 20:30 UTC),
                Ok(()),
            ),
            (
                "Monday 4:45 PM EDT runs past five",
                datetime!(2026-03-09 20:45 UTC),
                Err(Unavailable::OutsideHours),
            ),
            (
                "Sunday",
                datetime!(2026-03-08 15:00 UTC),
                Err(Unavailable::OutsideHours),
            ),
            (
                "Monday 9:00 EST after the autumn change",
                datetime!(2026-11-02 14:00 UTC),
                Ok(()),
            ),
        ];
        for (what, start, want) in cases {
            assert_eq!(available(&zone, &shifts, &[], start, start + half), want, "{what}");
        }
    }

    #[test]
    fn time_off_by_whole_days_covers_the_long_and_short_days() {
        let zone = ny();
        let all_week: Vec<Shift> = [Weekday::Sunday, Weekday::Monday, Weekday::Saturday]
            .into_iter()
            .map(|d| Shift::new(d, time!(0:00), time!(23:59)).unwrap())
            .collect();
        // Saturday October 31 to Sunday November 1 2026 (a 25-hour day) off.
        let off = TimeOff::days(&zone, date!(2026 - 10 - 31), date!(2026 - 11 - 01)).unwrap();
        assert_eq!(off.start, datetime!(2026-10-31 04:00 UTC));
        assert_eq!(off.end, datetime!(2026-11-02 05:00 UTC));
        assert_eq!(off.end - off.start, Duration::hours(49));
        let cases = [
            (
                "Saturday 0:30 EDT",
                datetime!(2026-10-31 04:30 UTC),
                Err(Unavailable::TimeOff),
            ),
            (
                "Sunday 11:00 PM EST, the 25th hour's day",
                datetime!(2026-11-02 04:00 UTC),
                Err(Unavailable::TimeOff),
            ),
            ("Monday 0:00 EST", datetime!(2026-11-02 05:00 UTC), Ok(())),
            (
                "Friday 11:45 PM EDT, runs into the time off",
                datetime!(2026-10-31 03:45 UTC),
                Err(Unavailable::TimeOff),
            ),
        ];
        for (what, start, want) in cases {
            assert_eq!(
                available(&zone, &all_week, &[off], start, start + Duration::minutes(30)),
                want,
                "{what}"
            );
        }
        // The spring day is 23 hours.
        let spring = TimeOff::days(&zone, date!(2026 - 03 - 08), date!(2026 - 03 - 08)).unwrap();
        assert_eq!(spring.end - spring.start, Duration::hours(23));
        assert!(TimeOff::days(&zone, date!(2026 - 03 - 09), date!(2026 - 03 - 08)).is_err());
    }

    #[test]
    fn clocks_as_typed() {
        let cases = [
            ("9:00 AM", Some(time!(9:00))),
            ("9 am", Some(time!(9:00))),
            ("12:00 PM", Some(time!(12:00))),
            ("12:15 a.m.", Some(time!(0:15))),
            ("5:30pm", Some(time!(17:30))),
            ("17:30", Some(time!(17:30))),
            ("09:00", Some(time!(9:00))),
            ("13:00 PM", None),
            ("24:00", None),
            ("9:60", None),
            ("noon", None),
            ("", None),
        ];
        for (typed, want) in cases {
            assert_eq!(parse_clock(typed).ok(), want, "{typed:?}");
        }
    }

    #[test]
    fn free_slots_skip_what_is_held() {
        let zone = ny();
        let shifts = vec![Shift::new(Weekday::Monday, time!(9:00), time!(11:00)).unwrap()];
        let day = date!(2026 - 03 - 09); // EDT: 9:00 is 13:00 UTC
        let busy = [(datetime!(2026-03-09 13:30 UTC), datetime!(2026-03-09 14:10 UTC))];
        let off = [TimeOff {
            start: datetime!(2026-03-09 14:30 UTC),
            end: datetime!(2026-03-09 15:00 UTC),
        }];
        let got = free_slots(
            &zone,
            &shifts,
            &off,
            &busy,
            day,
            Duration::minutes(30),
            Duration::minutes(30),
        );
        assert_eq!(
            got,
            vec![datetime!(2026-03-09 13:00 UTC)],
            "9:00 only: 9:30 and 10:00 are held, 10:30 is off"
        );
        let none = free_slots(
            &zone,
            &shifts,
            &[],
            &[],
            date!(2026 - 03 - 10),
            Duration::minutes(30),
            Duration::minutes(30),
        );
        assert!(none.is_empty(), "no hours on Tuesday");
        assert!(Shift::new(Weekday::Monday, time!(9:00), time!(9:00)).is_err());
    }
}
