//! Recurring appointments: every N weeks, a series of K, at the same wall-clock time in the
//! clinic's zone. A weekly 9:00 AM appointment stays at 9:00 AM when daylight saving begins or
//! ends, so the instants move by an hour; a time the spring change skips is read as the zone
//! reads it (2:30 becomes 3:30, `ClinicZone::assume`).

use crate::records::{invalid, Invalid};
use crate::zone::ClinicZone;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

/// The longest gap between two appointments of a series, in weeks.
pub const MAX_EVERY_WEEKS: u8 = 12;
/// The most appointments a series books at once.
pub const MAX_COUNT: u8 = 52;

/// Every `every_weeks` weeks, `count` appointments in all (the first included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repeat {
    pub every_weeks: u8,
    pub count: u8,
}

impl Repeat {
    /// Check what a form gave: 1 to 12 weeks apart, 2 to 52 appointments.
    pub fn new(every_weeks: u8, count: u8) -> Result<Repeat, Invalid> {
        if !(1..=MAX_EVERY_WEEKS).contains(&every_weeks) {
            return invalid(format!("repeat every 1 to {MAX_EVERY_WEEKS} weeks"));
        }
        if !(2..=MAX_COUNT).contains(&count) {
            return invalid(format!("a series has 2 to {MAX_COUNT} appointments"));
        }
        Ok(Repeat { every_weeks, count })
    }
}

/// The series' (start, end) instants. Each keeps the first one's wall-clock start and its
/// length.
pub fn series(
    zone: &ClinicZone,
    first_start: OffsetDateTime,
    length: Duration,
    repeat: Repeat,
) -> Vec<(OffsetDateTime, OffsetDateTime)> {
    let local = zone.local(first_start);
    let wall = PrimitiveDateTime::new(local.date(), local.time());
    (0..i64::from(repeat.count))
        .map(|k| {
            let days = Duration::weeks(k * i64::from(repeat.every_weeks));
            let start = zone.assume(wall + days);
            (start, start + length)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn repeats_are_checked() {
        let cases = [
            (1, 2, true),
            (0, 4, false),
            (13, 4, false),
            (2, 1, false),
            (2, 52, true),
            (2, 53, false),
        ];
        for (every, count, ok) in cases {
            assert_eq!(Repeat::new(every, count).is_ok(), ok, "{every} {count}");
        }
    }

    #[test]
    fn a_series_keeps_its_wall_clock_time_across_daylight_saving() {
        let ny = ClinicZone::named("America/New_York").unwrap();
        let half_hour = Duration::minutes(30);
        // 2026: DST starts Sunday March 8 and ends Sunday November 1 in New York.
        let cases = [
            (
                "weekly 9:00 AM across the spring change",
                datetime!(2026-03-02 14:00 UTC), // Monday 9:00 EST
                Repeat {
                    every_weeks: 1,
                    count: 3,
                },
                vec![
                    datetime!(2026-03-02 14:00 UTC),
                    datetime!(2026-03-09 13:00 UTC), // 9:00 EDT
                    datetime!(2026-03-16 13:00 UTC),
                ],
            ),
            (
                "every two weeks across the autumn change",
                datetime!(2026-10-19 13:00 UTC), // Monday 9:00 EDT
                Repeat {
                    every_weeks: 2,
                    count: 3,
                },
                vec![
                    datetime!(2026-10-19 13:00 UTC),
                    datetime!(2026-11-02 14:00 UTC), // 9:00 EST
                    datetime!(2026-11-16 14:00 UTC),
                ],
            ),
            (
                "Sunday 2:30 AM, skipped on the day clocks go forward",
                datetime!(2026-03-01 07:30 UTC), // Sunday 2:30 EST
                Repeat {
                    every_weeks: 1,
                    count: 2,
                },
                vec![datetime!(2026-03-01 07:30 UTC), datetime!(2026-03-08 07:30 UTC)], // 3:30 EDT
            ),
            (
                "Sunday 1:30 AM, twice on the day clocks go back: the first",
                datetime!(2026-10-25 05:30 UTC), // Sunday 1:30 EDT
                Repeat {
                    every_weeks: 1,
                    count: 2,
                },
                vec![datetime!(2026-10-25 05:30 UTC), datetime!(2026-11-01 05:30 UTC)],
            ),
        ];
        for (what, first, repeat, want) in cases {
            let got = series(&ny, first, half_hour, repeat);
            let starts: Vec<OffsetDateTime> = got.iter().map(|s| s.0).collect();
            assert_eq!(starts, want, "{what}");
            assert!(got.iter().all(|(s, e)| *e - *s == half_hour), "{what}");
        }
    }

    #[test]
    fn a_series_in_a_zone_without_daylight_saving_is_exact_weeks() {
        let phoenix = ClinicZone::named("America/Phoenix").unwrap();
        let first = datetime!(2026-03-02 16:00 UTC);
        let got = series(
            &phoenix,
            first,
            Duration::hours(1),
            Repeat {
                every_weeks: 1,
                count: 3,
            },
        );
        assert_eq!(got[2].0 - got[0].0, Duration::weeks(2));
    }
}
